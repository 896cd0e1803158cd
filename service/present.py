"""Library records to response schemas: the one place that decides what a client sees of each record."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel

from matcher import (
    HUB_PROVINCES,
    Gap,
    GapEvidence,
    GroupInfo,
    Innovation,
    Match,
    Recommendation,
    Region,
    Regions,
    TermPair,
    band_of,
    shortened,
)
from matcher.config import Settings
from service.schemas import (
    DecisionPublic,
    GapEvidencePublic,
    GapPublic,
    GroupMemberPublic,
    GroupPublic,
    InnovationPublic,
    MatchPublic,
    PeerEvidencePublic,
    RecommendationPublic,
    RegionDecisionPublic,
    RegionPublic,
    ShortlistEntryPublic,
    TermPairPublic,
)


def rendered(body: BaseModel) -> Response:
    """``body`` as JSON bytes, made here, in the route's worker thread.

    FastAPI serialises a returned model on the event loop, where a list of 100 long items would hold up every
    other request (``/health`` included) for tens of milliseconds. Routes with large answers return this."""
    return Response(body.model_dump_json(), media_type="application/json")


def innovation(regions: Regions, inv: Innovation) -> InnovationPublic:
    return InnovationPublic(**inv.to_dict(), origin_name=regions.origin_name(inv.region_code))


def region(r: Region, gaps: int) -> RegionPublic:
    return RegionPublic(code=r.code, name=r.name, kind=r.kind, province_code=r.province_code,
                        province_name=r.province_name, capital=r.capital, population=r.population,
                        area_km2=r.area_km2, hub=r.province_code in HUB_PROVINCES, gaps=gaps)


def gap(g: Gap) -> GapPublic:
    return GapPublic(**g.to_dict())


def decision(d: dict[str, Any]) -> DecisionPublic:
    return DecisionPublic(**{k: d.get(k, "") for k in DecisionPublic.model_fields})


def region_decision(regions: Regions, d: dict[str, Any]) -> RegionDecisionPublic:
    return RegionDecisionPublic(**decision(d).model_dump(), region_name=regions.origin_name(d["region_code"]))


def shortlist_entry(regions: Regions, d: dict[str, Any], inv: Innovation | None) -> ShortlistEntryPublic:
    return ShortlistEntryPublic(**decision(d).model_dump(), innovation=innovation(regions, inv) if inv else None)


def pairs(found: list[TermPair]) -> list[TermPairPublic]:
    return [TermPairPublic(gap=p.gap, innovation=p.innovation, kind=p.kind, label=p.label) for p in found]


def group(regions: Regions, g: GroupInfo | None) -> GroupPublic | None:
    if g is None:
        return None
    return GroupPublic(id=g.id, size=g.size, regions=g.regions, others=[
        GroupMemberPublic(id=o.id, title=o.title, region_code=o.region_code, status=o.status,
                          origin_name=regions.origin_name(o.region_code)) for o in g.others])


def match(regions: Regions, settings: Settings, m: Match) -> MatchPublic:
    return MatchPublic(rank=m.rank, score=m.score, dense=m.dense, lexical=m.lexical, matched_terms=m.matched_terms,
                       best_sentence=m.best_sentence, matched_pairs=pairs(m.matched_pairs), caution=m.caution,
                       confidence=m.confidence, band=band_of(m.band, m.score, settings),
                       group=group(regions, m.group), innovation=innovation(regions, m.innovation))


def evidence(e: GapEvidence, settings: Settings, limit: int | None) -> GapEvidencePublic:
    """A gap's evidence in a list: its text cut to ``limit`` characters (the full text is at GET /gaps/{id})."""
    text, cut = shortened(e.gap_text, limit) if limit else (e.gap_text, False)
    return GapEvidencePublic(**{**vars(e), "gap_text": text, "matched_pairs": pairs(e.matched_pairs),
                                "band": band_of(e.band, e.score, settings)}, gap_text_truncated=cut)


def recommendation(regions: Regions, settings: Settings, rec: Recommendation, current: dict[str, Any] | None,
                   text_limit: int | None = None) -> RecommendationPublic:
    """Its band is its best gap's: how well it answers the gap it answers best."""
    best = max((e.score for e in rec.gaps), default=float("-inf"))
    return RecommendationPublic(
        rank=rec.rank, score=rec.score, parts=rec.parts, distance_km=rec.distance_km, confidence=rec.confidence,
        band=band_of(rec.band, best, settings),
        gaps=[evidence(e, settings, text_limit) for e in rec.gaps],
        group=group(regions, rec.group), innovation=innovation(regions, rec.innovation),
        decision=decision(current) if current else None,
        peers=PeerEvidencePublic(**rec.peers.to_dict()) if rec.peers else None,
    )
