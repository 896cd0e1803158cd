"""A regency's gap statements: mentors list, add, edit and remove them.

A saved gap is embedded at once (``Matcher.save_gaps``), so the next recommendation call uses it without a
restart or a re-index. A regency holds at most ``max_gaps_per_region`` gaps of ``max_gap_chars_per_region``
characters in all: its recommendation lists cite every gap, so unbounded gaps make every anonymous read heavy.
The limits answer 409 ``limit_reached`` with a message in Indonesian, which the page shows as it is.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Response

from matcher import Gap, Matcher, parse_gap
from matcher.errors import ConflictError, LimitError, NotFoundError
from service import present
from service.deps import MatcherDep, Mentor, PageNo, PerPage, ReadsDep, paginate
from service.schemas import GapIn, GapPublic, GapsPublic, GapUpdate

router = APIRouter(tags=["gaps"])


def _save(m: Matcher, record: dict) -> Gap:
    """Check a gap under the data contract (text length included) and store it, embedded."""
    gap = parse_gap(record, m.regions, settings=m.settings)
    _check_limits(m, gap)
    m.save_gaps([gap])
    return gap


def _check_limits(m: Matcher, gap: Gap) -> None:
    """LimitError (409, in Indonesian) when saving ``gap`` would pass its regency's limits."""
    s = m.settings
    others = [g for g in m.gaps(gap.region_code) if g.id != gap.id]
    if len(others) + 1 > s.max_gaps_per_region:
        raise LimitError(f"Kabupaten/kota ini sudah memiliki {len(others)} kesenjangan; batasnya "
                         f"{s.max_gaps_per_region}. Hapus atau gabungkan kesenjangan lama sebelum menambah yang baru.")
    total = sum(len(g.text) for g in others) + len(gap.text)
    if total > s.max_gap_chars_per_region:
        raise LimitError(f"Teks kesenjangan kabupaten/kota ini akan berjumlah {total} karakter; batasnya "
                         f"{s.max_gap_chars_per_region}. Persingkat teksnya atau hapus kesenjangan lama.")


@router.get("/regions/{code}/gaps", response_model=GapsPublic, summary="Gap statements of a kabupaten/kota")
def list_gaps(code: str, m: ReadsDep, page: PageNo = 1, per_page: PerPage = 100) -> GapsPublic:
    """Full texts (the page edits them from here); a regency's gaps are bounded by the limits above."""
    gaps = m.gaps(m.regions.resolve(code).code)
    return GapsPublic(data=[present.gap(g) for g in paginate(gaps, page, per_page)], count=len(gaps))


@router.get("/gaps/{gap_id}", response_model=GapPublic, summary="One gap statement, with its full text")
def get_gap(gap_id: str, m: ReadsDep) -> GapPublic:
    gap = m.gap(gap_id)
    if gap is None:
        raise NotFoundError(f"gap '{gap_id}' not found")
    return present.gap(gap)


@router.post("/regions/{code}/gaps", response_model=GapPublic, status_code=201, summary="Add a gap (mentor)")
def add_gap(code: str, body: GapIn, account: Mentor, m: MatcherDep) -> GapPublic:
    """409 when a gap with that id exists already (edit it with PUT /gaps/{id})."""
    region = m.regions.resolve(code)
    gap_id = body.id or f"G-{region.code.replace('.', '')}-{secrets.token_hex(4)}"
    if m.gap(gap_id) is not None:
        raise ConflictError(f"gap '{gap_id}' exists already; edit it with PUT /gaps/{gap_id}")
    record = {**body.model_dump(exclude={"id"}), "id": gap_id, "region_code": region.code,
              "metadata": {"created_by": account.name}}
    return present.gap(_save(m, record))


@router.put("/gaps/{gap_id}", response_model=GapPublic, summary="Edit a gap (mentor)")
def edit_gap(gap_id: str, body: GapUpdate, account: Mentor, m: MatcherDep) -> GapPublic:
    """Text, sector and priority are replaced; the region stays."""
    current = m.gap(gap_id)
    if current is None:
        raise NotFoundError(f"gap '{gap_id}' not found")
    metadata = {**current.metadata, "updated_by": account.name}
    record = {**body.model_dump(), "id": gap_id, "region_code": current.region_code, "metadata": metadata}
    return present.gap(_save(m, record))


@router.delete("/gaps/{gap_id}", status_code=204, summary="Remove a gap (mentor)")
def delete_gap(gap_id: str, account: Mentor, m: MatcherDep) -> Response:
    m.delete_gap(gap_id)
    return Response(status_code=204)
