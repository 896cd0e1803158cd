"""A small labelled 2-D table (rows x columns of numbers): what the research functions count.

NumPy plus labels instead of pandas, which matcher does not otherwise need; ``matcher.to_frame(table)`` gives
the DataFrame when pandas is installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CrossTable:
    """``values[i, j]`` belongs to ``rows[i]`` and ``cols[j]``; NaN marks an empty cell."""

    rows: list[str]
    cols: list[str]
    values: np.ndarray


def crosstab(pairs: Iterable[tuple[str, str]], rows: Sequence[str] | None = None,
             cols: Sequence[str] | None = None) -> CrossTable:
    """Counts of (row, column) pairs; labels default to those seen, sorted."""
    pairs = list(pairs)
    row_labels = list(rows) if rows is not None else sorted({r for r, _ in pairs})
    col_labels = list(cols) if cols is not None else sorted({c for _, c in pairs})
    values = np.zeros((len(row_labels), len(col_labels)))
    ri, ci = {r: i for i, r in enumerate(row_labels)}, {c: j for j, c in enumerate(col_labels)}
    for r, c in pairs:
        if r in ri and c in ci:
            values[ri[r], ci[c]] += 1
    return CrossTable(row_labels, col_labels, values)
