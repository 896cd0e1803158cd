"""A regency's recommendations: every gap ranked, aggregated, diversified (``matcher.recommend``).

Each recommendation carries the regency's current decision on it, so the page can show what is already
shortlisted or rejected. Lists are cached per worker under a key that holds every input (``service.cache``).
A cached list is served from the records alone; only a miss computes on the engine, through the work queue.
Long gap texts are cut in the list (``MATCHER_LIST_TEXT_CHARS``); GET /gaps/{id} has the full text.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from matcher.recommend import Recommendation, recommend
from service import present
from service.cache import recommendation_key
from service.deps import EngineDep, ReadsDep, expensive
from service.routes.filters import FilterParams
from service.schemas import MAX_K, RecommendationsPublic

router = APIRouter(tags=["recommendations"])


@router.get("/regions/{code}/recommendations", response_model=RecommendationsPublic,
            summary="Ranked innovations for a kabupaten/kota's gaps")
async def recommendations(
    code: str, request: Request, engine: EngineDep, m: ReadsDep, params: Annotated[FilterParams, Depends()],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many.")] = 10,
    hide_rejected: Annotated[bool, Query(description="Leave out innovations the regency rejected.")] = False,
) -> Response:
    """Empty when the regency has no gap statements yet. Filters apply before the list is cut to k.
    Innovations the regency marked ``replicated`` are never recommended again."""
    region = m.regions.resolve(code)
    current = {d["innovation_id"]: d for d in m.store.decisions(region.code)}
    filters = params.filters(m.regions)
    if hide_rejected:
        filters = filters.with_excluded(ids=sorted(i for i, d in current.items() if d["decision"] == "rejected"))
    replicated = [i for i, d in current.items() if d["decision"] == "replicated"]
    generation = m.view.generation if m.view is not None else ""
    recs = engine.cache.peek(recommendation_key(generation, m.gaps(region.code), region.code, k, filters, replicated))
    if recs is None:
        async with expensive(request, engine) as matcher:
            def compute() -> list[Recommendation]:
                key = recommendation_key(matcher.manifest.get("generation", ""), matcher.gaps(region.code),
                                         region.code, k, filters, replicated)
                return engine.cache.get(key, lambda: recommend(matcher, region.code, k=k, filters=filters))

            recs = await run_in_threadpool(compute)
    limit = engine.settings.list_text_chars
    return await run_in_threadpool(  # a long list takes milliseconds to build: not on the event loop
        lambda: present.rendered(RecommendationsPublic(
            data=[present.recommendation(m.regions, r, current.get(r.innovation.id), limit) for r in recs],
            count=len(recs))))
