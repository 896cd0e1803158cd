"""Charts for the research notebooks, drawn on the axes the notebook gives (the reports' chart is in
``matcher.batch.charts``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.data.labels import label

if TYPE_CHECKING:
    from matplotlib.axes import Axes


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
