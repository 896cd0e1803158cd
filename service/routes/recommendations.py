"""A regency's recommendations: every gap ranked, aggregated, diversified (``matcher.recommendations.regency``).

Each recommendation carries the regency's current decision on it, so the page can show what is already
shortlisted or rejected. Lists are cached per worker under a key that holds every input (``service.cache``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from matcher import recommend
from service import present
from service.cache import recommendation_key
from service.deps import EngineDep, MatcherDep
from service.routes.filters import FilterParams
from service.schemas import MAX_K, RecommendationsPublic

router = APIRouter(tags=["recommendations"])


@router.get("/regions/{code}/recommendations", response_model=RecommendationsPublic,
            summary="Ranked innovations for a kabupaten/kota's gaps")
def recommendations(
    code: str, engine: EngineDep, m: MatcherDep, params: Annotated[FilterParams, Depends()],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many.")] = 10,
    hide_rejected: Annotated[bool, Query(description="Leave out innovations the regency rejected.")] = False,
) -> RecommendationsPublic:
    """Empty when the regency has no gap statements yet. Filters apply before the list is cut to k.
    Innovations the regency marked ``replicated`` are never recommended again."""
    region = m.regions.resolve(code)
    current = {d.innovation_id: d.to_dict() for d in m.decisions.current(region.code)}
    filters = params.filters(m.regions)
    if hide_rejected:
        filters = filters.with_excluded(ids=sorted(i for i, d in current.items() if d["decision"] == "rejected"))
    key = recommendation_key(m, region.code, k, filters)
    recs = engine.cache.get(key, lambda: recommend(m, region.code, k=k, filters=filters))
    data = [present.recommendation(m.regions, r, current.get(r.innovation.id)) for r in recs]
    return RecommendationsPublic(data=data, count=len(data))
