"""The opportunity map: where the catalogue has no good answer, per province and sector, and its SVG map.

``/provinces/{province}/opportunities`` is the sector table and each kabupaten/kota's numbers; ``map.svg`` is the
map itself, drawn by the library (``matcher.opportunity_map``) exactly as the batch report draws it, so the page
inserts it as it comes. ``/opportunities`` and ``/opportunities/map.svg`` are the national view of the 12 hub
provinces. The fits come from the per-worker cache (``service.opportunities``); only regencies not ranked yet
take a turn on the engine.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from matcher import Opportunities, opportunity_map, shortened
from matcher.errors import Problem, ValidationError
from service import opportunities as opps
from service.deps import EngineDep, ReadsDep
from service.map_schemas import (
    AreaOpportunityPublic,
    MeasurePublic,
    OpenGapPublic,
    OpportunitiesPublic,
    SectorOpportunityPublic,
)

router = APIRouter(tags=["opportunities"])
SVG = "image/svg+xml"
SVG_RESPONSE = {200: {"content": {SVG: {"schema": {"type": "string"}}},
                      "description": "The map: one shape per area (a link to it), coloured, with a legend"}}
MeasureParam = Annotated[str, Query(max_length=40, pattern=r"^[a-z_]+$",
                                    description="What colours the map: open_gaps, coverage (see `measures`).")]


def _public(o: Opportunities, text_limit: int) -> OpportunitiesPublic:
    metrics = o.metrics
    return OpportunitiesPublic(
        code=o.code, name=o.name, gaps=o.gaps, open_gaps=o.open_gaps,
        measures=[MeasurePublic(name=m.name, label=m.label, kind=m.kind, note=m.note) for m in o.measures],
        areas=[AreaOpportunityPublic(code=a.code, name=a.name, gaps=a.gaps, open_gaps=a.open_gaps,
                                     metrics={n: v[a.code] for n, v in metrics.items()}) for a in o.areas],
        sectors=[SectorOpportunityPublic(sector=s.sector, label=s.label, gaps=s.gaps, open_gaps=s.open_gaps,
                                         region_codes=list(s.region_codes)) for s in o.sectors],
        open=[OpenGapPublic(region_code=g.region.code, region_name=g.region.name, gap_id=g.gap.id,
                            sector=g.gap.sector, priority=g.gap.priority,
                            **dict(zip(("text", "text_truncated"), shortened(g.gap.text, text_limit), strict=True)),
                            best_innovation_id=g.fit.innovation_id, best_innovation_title=g.fit.innovation_title,
                            band=g.fit.band, best_score=g.fit.score, confidence=g.fit.confidence) for g in o.open],
    )


def _measure(o: Opportunities, measure: str) -> str:
    names = [m.name for m in o.measures]
    if measure not in names:
        raise ValidationError([Problem("query", None, "measure",
                                       f"no measure {measure!r}; choose one of {', '.join(names)}")])
    return measure


@router.get("/provinces/{province}/opportunities", response_model=OpportunitiesPublic,
            summary="Gaps nothing in the catalogue answers well, per sector and kabupaten/kota")
async def province_opportunities(province: str, request: Request, engine: EngineDep, m: ReadsDep) -> OpportunitiesPublic:
    """``province`` is a province code or name. Every kabupaten/kota is listed (those without gaps with null
    measures); a gap is open when its best candidate is weak or missing ("belum ada inovasi yang cocok")."""
    o = await opps.province(request, engine, m, province)
    return _public(o, engine.settings.list_text_chars)


@router.get("/provinces/{province}/map.svg", response_class=Response, responses=SVG_RESPONSE,
            summary="The province's opportunity map (SVG)")
async def province_map(province: str, request: Request, engine: EngineDep, m: ReadsDep,
                       measure: MeasureParam = "open_gaps") -> Response:
    """Each kabupaten/kota is a link to ``#CODE`` (its view on the page), named with its value in words."""
    o = await opps.province(request, engine, m, province)
    outlines = await opps.outlines(engine)
    svg = await run_in_threadpool(opportunity_map, o, outlines, _measure(o, measure), lambda c: f"#{c}")
    return Response(svg, media_type=SVG)


@router.get("/opportunities", response_model=OpportunitiesPublic,
            summary="The national view: the 12 hub provinces' open gaps and coverage")
async def hub_opportunities(request: Request, engine: EngineDep, m: ReadsDep) -> OpportunitiesPublic:
    """One area per hub province, in the programme's order; the sectors and open gaps of all of them."""
    o, _ = await opps.hubs(request, engine, m)
    return _public(o, engine.settings.list_text_chars)


@router.get("/opportunities/map.svg", response_class=Response, responses=SVG_RESPONSE,
            summary="The hub provinces' opportunity map (SVG)")
async def hub_map(request: Request, engine: EngineDep, m: ReadsDep, measure: MeasureParam = "open_gaps") -> Response:
    """Each hub province is a link to ``#peta/CODE`` (its own map on the page)."""
    o, members = await opps.hubs(request, engine, m)
    outlines = await opps.outlines(engine)
    svg = await run_in_threadpool(lambda: opportunity_map(o, outlines, _measure(o, measure), lambda c: f"#peta/{c}",
                                                          unit="provinsi", members=members))
    return Response(svg, media_type=SVG)
