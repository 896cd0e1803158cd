"""How sure a match is, in words a mentor reads: strong, medium or weak.

With the learned ranker a match carries its calibrated confidence and band (``matcher.engine.ranker``); the
fused ranking (MATCHER_RANKER=fusion) has no calibration, so two fixed thresholds on its z-score split it:
``MATCHER_GOOD_MATCH`` (strong from there) and ``MATCHER_FAIR_MATCH`` (medium from there). ``band_of`` is the
one place that decides what a client is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from matcher.config import Settings
from matcher.engine.catalog import Filters

if TYPE_CHECKING:
    from matcher.facade import Match, Matcher

Band = Literal["strong", "medium", "weak"]
BANDS: tuple[Band, ...] = ("strong", "medium", "weak")


def band_of(band: str | None, score: float, settings: Settings) -> Band:
    """The band a client sees: the calibrated one when there is one, else from the fused score's thresholds."""
    if band in BANDS:
        return band
    if score >= settings.good_match:
        return "strong"
    return "medium" if score >= settings.fair_match else "weak"


@dataclass(frozen=True)
class GapFit:
    """How well the catalogue answers one gap: its best candidate's score and band (None: nothing passes)."""

    gap_id: str
    score: float | None
    band: Band | None
    confidence: float | None
    innovation_id: str | None = None  # the best candidate (what the opportunity map and opportunities.csv name)
    innovation_title: str | None = None

    @property
    def has_fit(self) -> bool:
        """A strong or medium candidate exists; otherwise the gap is a candidate for a new innovation."""
        return self.band in ("strong", "medium")


def gap_fits(matcher: Matcher, region_code: str, filters: Filters | None = None) -> list[GapFit]:
    """The best candidate of each of a regency's gaps under ``filters``, what it replicated left out.

    Tells a gap with no good innovation anywhere ("belum ada inovasi yang cocok": a candidate for a new
    innovation, not a replication) from one whose answers merely missed the top k."""
    gaps = matcher.gaps(region_code)
    if not gaps:
        return []
    f = (filters or Filters()).with_excluded(ids=sorted(matcher.decisions.replicated(region_code)))
    found = matcher.match_gaps(gaps, k=1, filters=f, explain=False)
    return [fit_of(g.id, m, matcher.settings) for g, m in zip(gaps, found, strict=True)]


def fit_of(gap_id: str, matches: Sequence[Match], settings: Settings) -> GapFit:
    """A gap's fit from its ranking under the list's filters (best first; only the first counts)."""
    if not matches:
        return GapFit(gap_id, None, None, None)
    best = matches[0]
    return GapFit(gap_id, best.score, band_of(best.band, best.score, settings), best.confidence,
                  best.innovation.id, best.innovation.title)
