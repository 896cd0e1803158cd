"""The innovation catalogue: browse, read, find similar ones; admins add, edit and remove single records.

A write upserts or deletes one record through ``Matcher.index(..., replace=False)``: only that text is
embedded, a new index generation is committed atomically, and every worker picks it up on its next request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from matcher import normalize, parse_innovation
from service import present
from service.deps import Admin, MatcherDep, PageNo, PerPage, ReadsDep, paginate
from service.routes.filters import FilterParams
from service.schemas import (
    MAX_K,
    InnovationIn,
    InnovationPublic,
    InnovationsPublic,
    SimilarListPublic,
    SimilarPublic,
)

router = APIRouter(tags=["innovations"])


@router.get("/innovations", response_model=InnovationsPublic, summary="Browse the catalogue")
def list_innovations(
    m: ReadsDep, params: Annotated[FilterParams, Depends()], page: PageNo = 1, per_page: PerPage = 50,
    q: Annotated[str | None, Query(max_length=200, description="Words that must all occur (any case).")] = None,
) -> Response:
    """In id order. ``q`` keeps innovations whose id, title, description or institution hold every word.

    The query is analysed once, and each innovation's text was normalised once for its index generation."""
    catalog = m.catalog
    mask = catalog.mask(params.filters(m.regions))
    words = set(normalize(q).split()) if q else set()
    texts = m.view.search_texts() if words and m.view is not None else []
    found = [inv for i, inv in enumerate(catalog.innovations)
             if (mask is None or mask[i]) and all(w in texts[i] for w in words)]
    found.sort(key=lambda inv: inv.id)
    data = [present.innovation(m.regions, inv) for inv in paginate(found, page, per_page)]
    return present.rendered(InnovationsPublic(data=data, count=len(found)))


@router.get("/innovations/{innovation_id}", response_model=InnovationPublic, summary="One innovation")
def get_innovation(innovation_id: str, m: ReadsDep) -> InnovationPublic:
    return present.innovation(m.regions, m.innovation(innovation_id))


@router.get("/innovations/{innovation_id}/similar", response_model=SimilarListPublic,
            summary="Innovations whose descriptions are closest")
def similar(innovation_id: str, m: MatcherDep,
            k: Annotated[int, Query(ge=1, le=MAX_K)] = 5) -> SimilarListPublic:
    """By cosine similarity of the stored dense vectors; the innovation itself is left out."""
    data = [SimilarPublic(innovation=present.innovation(m.regions, inv), score=round(score, 6))
            for inv, score in m.similar(innovation_id, k)]
    return SimilarListPublic(data=data, count=len(data))


@router.put("/innovations/{innovation_id}", response_model=InnovationPublic, summary="Add or replace one (admin)",
            responses={201: {"model": InnovationPublic, "description": "Created"}})
def put_innovation(innovation_id: str, body: InnovationIn, account: Admin, m: MatcherDep,
                   response: Response) -> InnovationPublic:
    """200 when it replaced a record, 201 when it is new. Fields outside the contract go into ``metadata``."""
    record = {**body.model_dump(exclude_unset=True), "id": innovation_id}
    inv = parse_innovation(record, m.regions, settings=m.settings)
    existed = innovation_id in m.catalog.by_id
    m.index([inv], replace=False)
    response.status_code = 200 if existed else 201
    return present.innovation(m.regions, m.innovation(innovation_id))


@router.delete("/innovations/{innovation_id}", status_code=204, summary="Remove one (admin)")
def delete_innovation(innovation_id: str, account: Admin, m: MatcherDep) -> Response:
    m.innovation(innovation_id)  # 404 when absent
    m.index(None, replace=False, delete_innovations=[innovation_id])
    return Response(status_code=204)
