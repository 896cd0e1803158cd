"""Charts for the province reports and the research notebooks.

Reports draw on a bare ``matplotlib.figure.Figure`` (no pyplot): no global state, so a background job in the
service can draw while another thread does too, and no display backend is needed. PNGs are written without
the software tag, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from matcher.crosstab import Table

GAP_COLOUR, REC_COLOUR = "#9aa5b1", "#1f6feb"


def label(sector: str | None) -> str:
    """A sector code as people read it: 'air_bersih_sanitasi' -> 'Air bersih & sanitasi' (the page's words)."""
    from matcher.labels import sector_label

    return sector_label(sector)


def sector_mix_png(gap_counts: Mapping[str, int], rec_counts: Mapping[str, int], title: str = "") -> bytes:
    """Horizontal bars: each sector's share of the gaps and of the recommendations (PNG bytes).

    Shares, not counts, because a province has a dozen gaps but k recommendations per regency; the chart
    answers "do the recommendations follow the needs?".
    """
    from matplotlib.figure import Figure

    sectors = sorted(set(gap_counts) | set(rec_counts), key=lambda s: (-rec_counts.get(s, 0), -gap_counts.get(s, 0), s))
    g_total, r_total = sum(gap_counts.values()) or 1, sum(rec_counts.values()) or 1
    y = np.arange(len(sectors))
    fig = Figure(figsize=(7.5, 0.32 * max(len(sectors), 3) + 1.2), dpi=100)
    ax = fig.add_subplot()
    ax.barh(y - 0.2, [100 * gap_counts.get(s, 0) / g_total for s in sectors], 0.4, label="kesenjangan",
            color=GAP_COLOUR)
    ax.barh(y + 0.2, [100 * rec_counts.get(s, 0) / r_total for s in sectors], 0.4, label="rekomendasi",
            color=REC_COLOUR)
    ax.set_yticks(y, [label(s) for s in sectors], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("% dari total")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def heatmap(ax: Axes, values: np.ndarray, rows: Sequence[str], cols: Sequence[str], title: str = "",
            fmt: str = "{:.0f}", cmap: str = "Reds", **kwargs: Any) -> Axes:
    """A labelled heatmap with the value written in each cell (NaN cells left blank)."""
    im = ax.imshow(values, cmap=cmap, aspect="auto", **kwargs)
    ax.set_xticks(range(len(cols)), cols, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7)
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, shrink=0.8)
    return ax


def scatter_by_group(ax: Axes, xy: np.ndarray, groups: Sequence[str], markers: Sequence[str] | None = None,
                     title: str = "") -> Axes:
    """Points coloured by group (a sector), with an optional marker per point ('o' innovation, 'x' gap)."""
    import matplotlib as mpl

    names = sorted(set(groups))
    palette = mpl.colormaps["tab20"].resampled(max(len(names), 1))
    marks = list(markers) if markers is not None else ["o"] * len(groups)
    for n, name in enumerate(names):
        labelled = False
        for marker in sorted(set(marks)):
            idx = [i for i, (g, m) in enumerate(zip(groups, marks, strict=True)) if g == name and m == marker]
            if idx:
                ax.scatter(xy[idx, 0], xy[idx, 1], s=18 if marker == "o" else 30, marker=marker,
                           color=palette(n), label=None if labelled else label(name))
                labelled = True
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2, loc="best", markerscale=0.8)
    return ax


def bars(ax: Axes, table: Table, title: str = "", xlabel: str = "", labels: bool = True) -> Axes:
    """Horizontal grouped bars: one group per row of ``table``, one bar per column."""
    y = np.arange(len(table.rows))
    height = 0.8 / max(len(table.cols), 1)
    for j, col in enumerate(table.cols):
        ax.barh(y + (j - (len(table.cols) - 1) / 2) * height, table.values[:, j], height, label=col)
    ax.set_yticks(y, [label(r) for r in table.rows] if labels else table.rows, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def lines(ax: Axes, table: Table, title: str = "", xlabel: str = "", ylabel: str = "") -> Axes:
    """One line per row of ``table`` over its (numeric) columns."""
    x = [float(c) for c in table.cols]
    for i, row in enumerate(table.rows):
        ax.plot(x, table.values[i], marker="o", label=row)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax
