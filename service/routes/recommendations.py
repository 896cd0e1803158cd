"""A regency's recommendations: every gap ranked, aggregated, diversified (``matcher.recommendations.regency``).

Each recommendation carries the regency's current decision on it, so the page can show what is already
shortlisted or rejected. Lists are cached per worker under a key that holds every input (``service.cache``).
A cached list is served from the records alone; only a miss computes on the engine, through the work queue.
Long gap texts are cut in the list (``MATCHER_LIST_TEXT_CHARS``); GET /gaps/{id} has the full text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from matcher import RecommendOptions, RegencyInputs, recommend_with_fits, regency_inputs
from service import present
from service.cache import Entry, recommendation_key
from service.deps import EngineDep, ReadsDep, expensive
from service.routes.filters import FilterParams, collapse_of
from service.schemas import (
    GROUPS_DOC,
    MAX_K,
    ConfidencePublic,
    GapCoveragePublic,
    Groups,
    RecommendationsPublic,
)

router = APIRouter(tags=["recommendations"])


@router.get("/regions/{code}/recommendations", response_model=RecommendationsPublic,
            summary="Ranked innovations for a kabupaten/kota's gaps")
async def recommendations(
    code: str, request: Request, engine: EngineDep, m: ReadsDep, params: Annotated[FilterParams, Depends()],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many.")] = 10,
    hide_rejected: Annotated[bool, Query(description="Leave out innovations the regency rejected.")] = False,
    groups: Annotated[Groups | None, Query(description=GROUPS_DOC)] = None,
) -> Response:
    """Empty when the regency has no gap statements yet. Filters apply before the list is cut to k.
    Innovations the regency marked ``replicated`` are never recommended again."""
    region = m.regions.resolve(code)
    current = {d.innovation_id: d.to_dict() for d in m.decisions.current(region.code)}
    filters = params.filters(m.regions)
    if hide_rejected:
        filters = filters.with_excluded(ids=sorted(i for i, d in current.items() if d["decision"] == "rejected"))
    collapse = collapse_of(groups)
    generation = m.view.generation if m.view is not None else ""
    entry = engine.cache.peek(recommendation_key(generation, m.settings, region.code,
                                                 regency_inputs(m, region.code), k, filters, collapse))
    if entry is None:
        async with expensive(request, engine) as matcher:
            def compute() -> Entry:  # the inputs read once serve the key, the list and the gaps' fits
                inputs = RegencyInputs.read(matcher, region.code)
                key = recommendation_key(matcher.manifest.get("generation", ""), matcher.settings, region.code,
                                         inputs.key(), k, filters, collapse)
                options = RecommendOptions.from_settings(matcher.settings)
                if collapse is not None:
                    options = replace(options, collapse=collapse)
                return engine.cache.get(key, lambda: recommend_with_fits(matcher, inputs, k, filters, options))

            entry = await run_in_threadpool(compute)
    recs, fits = entry
    limit, settings = engine.settings.list_text_chars, engine.settings
    return await run_in_threadpool(  # a long list takes milliseconds to build: not on the event loop
        lambda: present.rendered(RecommendationsPublic(
            data=[present.recommendation(m.regions, settings, r, current.get(r.innovation.id), limit) for r in recs],
            count=len(recs),
            coverage=[GapCoveragePublic(gap_id=f.gap_id, best_score=f.score, band=f.band, confidence=f.confidence)
                      for f in fits])))


@router.get("/confidence", response_model=ConfidencePublic, summary="The thresholds of the confidence bands")
async def confidence(engine: EngineDep, m: ReadsDep) -> ConfidencePublic:
    """What the page needs to draw how sure a match is on an absolute scale, with the band thresholds marked:
    the calibrated confidence (0-1) with the learned ranker, else the fused score."""
    s = engine.settings
    bands = m.view.ranker_bands if m.view is not None else None
    if s.ranker == "learned" and bands is not None:
        return ConfidencePublic(measure="confidence", strong_from=bands["strong"], medium_from=bands["medium"],
                                scale_max=1.0)
    return ConfidencePublic(measure="score", strong_from=s.good_match, medium_from=s.fair_match,
                            scale_max=2 * s.good_match)
