"""A regency's decisions on innovations (shortlisted, rejected, replicated), as JSON or as a CSV file.

Every decision is kept in the store's history; the latest per innovation is the current one, and an undo is an
event of its own that leaves none. Each entry records the account that made it,
whatever name the caller puts in ``who``.
"""

from __future__ import annotations

import csv
import io
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from matcher import safe_cell
from service import present
from service.deps import MatcherDep, Mentor, PageNo, PerPage, ReadsDep, paginate
from service.schemas import (
    Decision,
    DecisionEventPublic,
    DecisionIn,
    HistoryPublic,
    RegionDecisionsPublic,
    ShortlistEntryPublic,
    ShortlistPublic,
)

router = APIRouter(tags=["shortlist"])
CSV_COLUMNS = ("region_code", "region_name", "innovation_id", "title", "institution", "origin_name", "sector",
               "stage", "award", "decision", "note", "who", "account", "decided_at")


@router.post("/regions/{code}/shortlist", response_model=ShortlistEntryPublic, status_code=201,
             summary="Shortlist, reject or mark replicated (mentor)")
def decide(code: str, body: DecisionIn, account: Mentor, m: MatcherDep) -> ShortlistEntryPublic:
    """The innovation must be in the catalogue. ``replicated`` also stops it being recommended to the regency."""
    region = m.regions.resolve(code)
    inv = m.innovation(body.innovation_id)
    who = (body.who or "").strip() or account.name
    stored = m.decisions.add(region.code, inv.id, body.decision, body.note.strip(), who, account=account.name).to_dict()
    return present.shortlist_entry(m.regions, stored, inv)  # this write, even if another landed just after


def _csv(rows: list[dict[str, Any]]) -> str:
    """UTF-8 with a byte-order mark (Excel), and cells that could run as formulas neutralised."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else safe_cell(row[c]) for c in CSV_COLUMNS})
    return "\ufeff" + buf.getvalue()


@router.get("/regions/{code}/shortlist", response_model=ShortlistPublic,
            summary="Current decisions of a kabupaten/kota (JSON, or CSV with format=csv)",
            responses={200: {"content": {"text/csv": {}}, "description": "JSON list, or a CSV file"}})
def shortlist(
    code: str, m: ReadsDep, page: PageNo = 1, per_page: PerPage = 100,
    decision: Annotated[Decision | None, Query(description="Only this decision.")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="csv: every entry, as a download.")] = "json",
) -> ShortlistPublic | Response:
    region = m.regions.resolve(code)
    entries = [d.to_dict() for d in m.decisions.current(region.code) if decision is None or d.decision == decision]
    by_id = m.catalog.by_id
    invs = {d["innovation_id"]: m.catalog.innovations[by_id[d["innovation_id"]]] for d in entries
            if d["innovation_id"] in by_id}
    if format == "csv":
        rows = []
        for d in entries:
            e = present.shortlist_entry(m.regions, d, invs.get(d["innovation_id"]))
            inv = e.innovation
            rows.append({**d, "region_name": region.name, "title": inv and inv.title,
                         "institution": inv and inv.institution, "origin_name": inv and inv.origin_name,
                         "sector": inv and inv.sector, "stage": inv and inv.stage, "award": inv and inv.award,
                         "decided_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(d["created_at"]))})
        name = f"daftar-pendek-{region.code}.csv"
        return Response(_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    data = [present.shortlist_entry(m.regions, d, invs.get(d["innovation_id"])) for d in paginate(entries, page, per_page)]
    return ShortlistPublic(data=data, count=len(entries))


@router.delete("/regions/{code}/shortlist/{innovation_id}", response_model=DecisionEventPublic,
               summary="Undo the current decision on an innovation (mentor)")
def undo(code: str, innovation_id: str, account: Mentor, m: MatcherDep) -> DecisionEventPublic:
    """Appends an ``undone`` event: the pair has no current decision, and the history keeps the earlier ones.
    404 when there is no current decision to undo."""
    region = m.regions.resolve(code)
    event = m.decisions.undo(region.code, innovation_id, who=account.name, account=account.name)
    return DecisionEventPublic(**event.to_dict())


@router.get("/regions/{code}/shortlist/history", response_model=HistoryPublic,
            summary="Every decision and undo of a kabupaten/kota, newest first")
def history(
    code: str, m: MatcherDep, page: PageNo = 1, per_page: PerPage = 100,
    innovation_id: Annotated[str | None, Query(max_length=100, description="Only this innovation.")] = None,
) -> HistoryPublic:
    region = m.regions.resolve(code)
    events = m.decisions.history(region.code, innovation_id)[::-1]
    return HistoryPublic(data=[DecisionEventPublic(**e.to_dict()) for e in paginate(events, page, per_page)],
                         count=len(events))


@router.get("/innovations/{innovation_id}/decisions", response_model=RegionDecisionsPublic,
            summary="Kabupaten/kota with a current decision on an innovation")
def innovation_decisions(
    innovation_id: str, m: MatcherDep, page: PageNo = 1, per_page: PerPage = 100,
    decision: Annotated[Decision | None, Query(description="Only this decision.")] = None,
) -> RegionDecisionsPublic:
    """Who has already shortlisted, rejected or replicated it: a mentor's lead to a regency that went first."""
    m.innovation(innovation_id)  # 404 when absent
    found = [d.to_dict() for d in m.decisions.by_innovation(innovation_id) if decision is None or d.decision == decision]
    data = [present.region_decision(m.regions, d) for d in paginate(found, page, per_page)]
    return RegionDecisionsPublic(data=data, count=len(found))
