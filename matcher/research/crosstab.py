"""A small labelled 2-D table (rows x columns of numbers): what the notebooks count, pivot and plot.

NumPy plus labels instead of pandas, which matcher does not otherwise need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Table:
    """``values[i, j]`` belongs to ``rows[i]`` and ``cols[j]``; NaN marks an empty cell."""

    rows: list[str]
    cols: list[str]
    values: np.ndarray

    def row(self, name: str) -> dict[str, float]:
        return dict(zip(self.cols, self.values[self.rows.index(name)].tolist(), strict=True))

    def text(self, fmt: str = "{:.0f}") -> str:
        """A plain-text rendering for notebook output."""
        width = max([len(r) for r in self.rows] + [4])
        head = " " * width + "  " + "  ".join(f"{c:>10.10}" for c in self.cols)
        lines = [head] + [
            f"{r:<{width}}  " + "  ".join(f"{'' if np.isnan(v) else fmt.format(v):>10}" for v in self.values[i])
            for i, r in enumerate(self.rows)
        ]
        return "\n".join(lines)


def crosstab(pairs: Iterable[tuple[str, str]], rows: Sequence[str] | None = None,
             cols: Sequence[str] | None = None) -> Table:
    """Counts of (row, column) pairs; labels default to those seen, sorted."""
    pairs = list(pairs)
    row_labels = list(rows) if rows is not None else sorted({r for r, _ in pairs})
    col_labels = list(cols) if cols is not None else sorted({c for _, c in pairs})
    values = np.zeros((len(row_labels), len(col_labels)))
    ri, ci = {r: i for i, r in enumerate(row_labels)}, {c: j for j, c in enumerate(col_labels)}
    for r, c in pairs:
        if r in ri and c in ci:
            values[ri[r], ci[c]] += 1
    return Table(row_labels, col_labels, values)


def pivot(records: Iterable[Any], row: str, col: str, value: str,
          keep: Callable[[Any], bool] = lambda _: True) -> Table:
    """Records (objects with attributes) spread into a table: ``getattr(rec, value)`` at (row, col); NaN if absent."""
    chosen = [r for r in records if keep(r)]
    row_labels = list(dict.fromkeys(str(getattr(r, row)) for r in chosen))
    col_labels = list(dict.fromkeys(str(getattr(r, col)) for r in chosen))
    values = np.full((len(row_labels), len(col_labels)), np.nan)
    for r in chosen:
        values[row_labels.index(str(getattr(r, row))), col_labels.index(str(getattr(r, col)))] = getattr(r, value)
    return Table(row_labels, col_labels, values)
