"""Which gaps no innovation answers well anywhere: where a region needs a new innovation, not a replication.

A gap is covered when its best candidate reaches ``Settings.good_match`` on the fused score, the same
threshold regency recommendations use to insist on a gap's best answer. The gap's own region is excluded, as
in every ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matcher.engine.catalog import province_of
from matcher.research.corpus_stats import NO_SECTOR
from matcher.research.crosstab import CrossTable

if TYPE_CHECKING:
    from matcher.facade import Matcher


@dataclass(frozen=True)
class GapCoverage:
    """One gap's best answer anywhere (a gap without a sector is filed under 'tanpa_sektor')."""

    gap_id: str
    region_code: str
    province: str
    sector: str
    priority: int
    best_score: float
    best_innovation: str | None
    covered: bool


def gap_coverage(matcher: Matcher, good_match: float | None = None) -> list[GapCoverage]:
    """Every stored gap with its best fused score and whether that reaches ``good_match`` (default: Settings).

    A gap without a sector is not given one from its matches: for the weakly answered gaps that matter here,
    the matches are exactly what is in doubt.
    """
    threshold = matcher.settings.good_match if good_match is None else good_match
    gaps = matcher.gaps()
    out = []
    for gap, matches in zip(gaps, matcher.match_gaps(gaps, k=1), strict=True):
        best = matches[0] if matches else None
        score = best.score if best else float("-inf")
        out.append(GapCoverage(
            gap.id, gap.region_code, matcher.regions.province(province_of(gap.region_code)).name,
            gap.sector or NO_SECTOR, gap.priority, score, best.innovation.id if best else None, score >= threshold,
        ))
    return out


def coverage_table(rows: Sequence[GapCoverage], measure: str = "uncovered") -> CrossTable:
    """Province x sector. 'uncovered': gaps without a good answer; 'share': their share of the cell's gaps;
    'weakest': the lowest best score in the cell (where the corpus answers least well); 'gaps': all gaps.
    Cells without gaps are NaN for 'share' and 'weakest'."""
    if measure not in ("uncovered", "share", "weakest", "gaps"):
        raise ValueError(f"unknown measure {measure!r}")
    provinces = sorted({r.province for r in rows})
    sectors = sorted({r.sector for r in rows})
    total = np.zeros((len(provinces), len(sectors)))
    missing = np.zeros_like(total)
    weakest = np.full_like(total, np.nan)
    for r in rows:
        i, j = provinces.index(r.province), sectors.index(r.sector)
        total[i, j] += 1
        missing[i, j] += not r.covered
        weakest[i, j] = r.best_score if np.isnan(weakest[i, j]) else min(weakest[i, j], r.best_score)
    values = {"gaps": total, "uncovered": missing, "weakest": weakest}.get(measure)
    if values is None:
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(total > 0, missing / total, np.nan)
    return CrossTable(provinces, sectors, values)


def uncovered_by_threshold(rows: Sequence[GapCoverage], thresholds: Sequence[float]) -> list[tuple[float, int]]:
    """How many gaps would lack a good answer at each threshold: how sensitive the verdict is to the cut-off."""
    scores = np.array([r.best_score for r in rows])
    return [(float(t), int((scores < t).sum())) for t in thresholds]


def weakest_gaps(rows: Sequence[GapCoverage], most: int = 10, only_uncovered: bool = False) -> list[GapCoverage]:
    """The gaps with the weakest best answer, high priority first among equals."""
    pool = [r for r in rows if not (only_uncovered and r.covered)]
    return sorted(pool, key=lambda r: (r.best_score, r.priority, r.gap_id))[:most]
