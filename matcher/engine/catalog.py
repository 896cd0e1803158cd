"""The in-memory catalogue of indexed innovations, and the filters evaluated on it as NumPy masks.

Filters become a boolean mask over the catalogue *before* any channel truncates to k, so a filtered query
still returns k results whenever k innovations pass the filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from matcher.data.loaders import Innovation


def province_of(region_code: str | None) -> str:
    """Province code of a region code ('35.07' -> '35', '35' -> '35', None -> '')."""
    return (region_code or "").split(".")[0]


@dataclass(frozen=True)
class Filters:
    """Restrictions on which innovations may be recommended; empty fields restrict nothing."""

    sectors: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    digital: bool | None = None
    awards: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    exclude_regions: tuple[str, ...] = ()
    exclude_ids: tuple[str, ...] = field(default=())
    include_stopped: bool = False  # stopped innovations (status "berhenti") are left out unless asked for

    def with_excluded(self, regions: Sequence[str] = (), ids: Sequence[str] = ()) -> Filters:
        """A copy that also excludes innovations from ``regions`` and with ``ids``."""
        return replace(self, exclude_regions=tuple(self.exclude_regions) + tuple(regions),
                       exclude_ids=tuple(self.exclude_ids) + tuple(ids))


class _Codes:
    """A text column stored as small integer codes: membership tests compare integers, not strings, which
    matters when every query masks 100k innovations."""

    def __init__(self, values: Sequence[str]):
        self.vocabulary = {v: i for i, v in enumerate(dict.fromkeys(values))}
        self.codes = np.array([self.vocabulary[v] for v in values], dtype=np.int32)

    def isin(self, wanted: Sequence[str]) -> np.ndarray:
        """Boolean mask of the rows whose value is one of ``wanted``."""
        codes = [self.vocabulary[w] for w in wanted if w in self.vocabulary]
        if len(codes) == 1:
            return self.codes == codes[0]
        return np.isin(self.codes, codes)


class Catalog:
    """Innovations aligned with int64 record ids (``rids``), plus columns for fast filtering."""

    def __init__(self, rids: Sequence[int], innovations: Sequence[Innovation]):
        self.rids = np.asarray(rids, dtype=np.int64)
        self.innovations = list(innovations)
        self.position = {int(r): i for i, r in enumerate(self.rids)}
        self.by_id = {inv.id: i for i, inv in enumerate(self.innovations)}
        self._sector = _Codes([inv.sector or "" for inv in innovations])
        self._region = _Codes([inv.region_code or "" for inv in innovations])
        self._province = _Codes([province_of(inv.region_code) for inv in innovations])
        self._stage = _Codes([inv.stage or "" for inv in innovations])
        self._award = _Codes([inv.award or "none" for inv in innovations])
        self._digital = np.array([-1 if inv.digital is None else int(inv.digital) for inv in innovations])
        self._year = np.array([inv.year if inv.year is not None else -1 for inv in innovations])
        self._stopped = np.array([inv.stopped for inv in innovations], dtype=bool)

    def __len__(self) -> int:
        return len(self.rids)

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask of allowed innovations (aligned with ``rids``), or None when nothing is filtered."""
        if filters is None or filters == Filters():
            return ~self._stopped if self._stopped.any() else None
        keep = np.ones(len(self), dtype=bool) if filters.include_stopped else ~self._stopped
        for column, wanted in (
            (self._sector, filters.sectors),
            (self._province, filters.provinces),
            (self._stage, filters.stages),
            (self._award, filters.awards),
        ):
            if wanted:
                keep &= column.isin(wanted)
        if filters.digital is not None:
            keep &= self._digital == int(filters.digital)
        if filters.year_min is not None:
            keep &= (self._year >= filters.year_min) & (self._year >= 0)
        if filters.year_max is not None:
            keep &= (self._year <= filters.year_max) & (self._year >= 0)
        if filters.exclude_regions:
            keep &= ~self._region.isin(filters.exclude_regions)
        if filters.exclude_ids:
            excluded = [self.by_id[i] for i in filters.exclude_ids if i in self.by_id]
            keep[excluded] = False
        return keep
