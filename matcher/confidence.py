"""How sure a match is, in words a mentor reads: a band (strong / medium / weak) from the fused score.

The fused z-score keeps an absolute meaning across queries (see ``matcher.fusion``), so two fixed thresholds
split it: ``MATCHER_GOOD_MATCH`` (strong from there) and ``MATCHER_FAIR_MATCH`` (medium from there). This is
the one place that decides a band; a calibrated confidence can replace :func:`band` without touching callers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from matcher.catalog import Filters
from matcher.config import Settings

if TYPE_CHECKING:
    from matcher.pipeline import Matcher

Band = Literal["strong", "medium", "weak"]
BANDS: tuple[Band, ...] = ("strong", "medium", "weak")


def band(score: float, settings: Settings) -> Band:
    """The band of one fused score: strong from ``good_match``, medium from ``fair_match``, else weak."""
    if score >= settings.good_match:
        return "strong"
    if score >= settings.fair_match:
        return "medium"
    return "weak"


def best_per_gap(matcher: Matcher, region_code: str, filters: Filters | None = None) -> dict[str, float | None]:
    """gap id -> fused score of its best candidate under ``filters`` (None when no innovation passes).

    The regency's replicated innovations are left out, as in its recommendations, so a gap whose only good
    answer was already replicated reads as open. Tells a gap with no good innovation anywhere (a candidate for
    a new innovation) from one whose answers merely missed the top k. The one-regency, filtered counterpart of
    ``matcher.coverage.gap_coverage``, which reports every stored gap for research."""
    gaps = matcher.gaps(region_code)
    if not gaps:
        return {}
    f = (filters or Filters()).with_excluded(ids=sorted(matcher.store.replicated(region_code)))
    found = matcher.match_gaps(gaps, k=1, filters=f, explain=False)
    return {g.id: (m[0].score if m else None) for g, m in zip(gaps, found, strict=True)}
