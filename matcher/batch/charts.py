"""The chart of the province reports: how the recommendations' sectors follow the gaps' sectors.

Reports draw on a bare ``matplotlib.figure.Figure`` (no pyplot): no global state, so a background job in the
service can draw while another thread does too, and no display backend is needed. PNGs are written without
the software tag, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np

from matcher.data.labels import label

GAP_COLOUR, REC_COLOUR = "#9aa5b1", "#1f6feb"


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
