"""The draft action plan (rencana aksi) of a shortlisted pair, as a DOCX download for the mentor page.

A read like the shortlist itself: it writes nothing to the store, and everything in it (gaps, innovation,
origin institution) is readable through the other read routes. It is open while reads are open and needs a key
when ``MATCHER_READ_REQUIRES_KEY`` is on.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, Response

from matcher import draft_plan, write_plan
from service.deps import MatcherDep

router = APIRouter(tags=["shortlist"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/regions/{code}/shortlist/{innovation_id}/plan", response_class=Response,
            summary="Draft action plan of a shortlisted innovation (DOCX)",
            responses={200: {"content": {DOCX: {}}, "description": "The draft, to edit in a word processor"}})
def plan(code: str, innovation_id: str, m: MatcherDep) -> Response:
    """404 when the innovation is not on the regency's shortlist (its current decision is not ``shortlisted``)."""
    draft = draft_plan(m, code, innovation_id)
    with tempfile.TemporaryDirectory() as folder:
        body = write_plan(draft, Path(folder) / "rencana-aksi.docx").read_bytes()
    safe_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", draft.innovation.id).strip("-") or "inovasi"
    name = f"rencana-aksi-{draft.region.code}-{safe_id}.docx"
    return Response(body, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
