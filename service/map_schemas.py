"""Response bodies of the opportunity map (``service.routes.opportunities``), beside ``service.schemas`` so that
module stays one screenful of records per concern."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.schemas import Band


# ---- the opportunity map ------------------------------------------------------------------------------------
class MeasurePublic(BaseModel):
    name: str = Field(description="open_gaps, coverage, or a measure added later (e.g. progress).")
    label: str = Field(description="Indonesian, as the page's selector and the map's legend show it.")
    kind: Literal["count", "share"] = Field(description="count: whole numbers; share: 0..1, shown as a percentage.")
    note: str = Field(description="One Indonesian sentence on what it counts.")


class AreaOpportunityPublic(BaseModel):
    code: str = Field(description="Kabupaten/kota code, or a province code in the national view.")
    name: str
    gaps: int = Field(description="Gap statements recorded.")
    open_gaps: int = Field(description="Of those, gaps whose best candidate is weak or missing.")
    metrics: dict[str, float | None] = Field(description="Measure name -> value; null when there is no data (no gaps).")


class SectorOpportunityPublic(BaseModel):
    sector: str | None
    label: str = Field(description="The sector's Indonesian name.")
    gaps: int
    open_gaps: int
    region_codes: list[str] = Field(description="Areas with an open gap in this sector.")


class OpenGapPublic(BaseModel):
    region_code: str
    region_name: str
    gap_id: str
    sector: str | None
    priority: int
    text: str = Field(description="Cut to MATCHER_LIST_TEXT_CHARS characters; the full text is at GET /gaps/{id}.")
    text_truncated: bool
    best_innovation_id: str | None = Field(description="Its best (weak) candidate; null when none passes.")
    best_innovation_title: str | None
    band: Band | None
    best_score: float | None
    confidence: float | None


class OpportunitiesPublic(BaseModel):
    code: str = Field(description="The province code, or 'hub' for the national view of the hub provinces.")
    name: str
    gaps: int
    open_gaps: int
    measures: list[MeasurePublic] = Field(description="What the map can be coloured by (map.svg?measure=NAME).")
    areas: list[AreaOpportunityPublic] = Field(description="Every kabupaten/kota of the province (or hub province).")
    sectors: list[SectorOpportunityPublic] = Field(description="Sectors with gaps, the most open gaps first.")
    open: list[OpenGapPublic] = Field(description="The gaps nothing in the catalogue answers well, by area code.")
