"""Free-text matching: what a mentor types before it becomes a stored gap."""

from __future__ import annotations

from fastapi import APIRouter, Response

from matcher import Filters
from matcher.errors import Problem, ValidationError
from service import present
from service.deps import MatcherDep
from service.routes.filters import collapse_of
from service.schemas import MatchesPublic, MatchIn

router = APIRouter(tags=["match"])


@router.post("/match", response_model=MatchesPublic, summary="Rank innovations for a free text")
def match(body: MatchIn, m: MatcherDep) -> Response:
    """Open like every read. ``region`` leaves out that region's own innovations. The text's vector is kept in
    memory only, so anonymous matching never grows the store. ``groups`` chooses one item per near-duplicate
    group (collapse) or every variant (all)."""
    text = body.text.strip()
    limit = m.settings.max_text_chars
    if not text:
        raise ValidationError([Problem("<request>", None, "text", "empty (only whitespace)")])
    if len(text) > limit:
        raise ValidationError([Problem("<request>", None, "text", f"too long: {len(text)} characters, the limit is {limit}")])
    f = body.filters
    filters = Filters(sectors=tuple(f.sector), stages=tuple(f.stage), awards=tuple(f.award), digital=f.digital,
                      provinces=tuple(m.regions.resolve_province(p).code for p in f.province),
                      year_min=f.year_min, year_max=f.year_max, include_stopped=f.include_stopped)
    matches = m.match(text, region=body.region or None, k=body.k, filters=filters, persist=False,  # a read: writes nothing
                      collapse=collapse_of(body.groups))
    return present.rendered(MatchesPublic(data=[present.match(m.regions, m.settings, x) for x in matches], count=len(matches)))
