"""The mentor page: static files only (no build step, no CDN), so it works offline and under a strict CSP."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

WEB = Path(__file__).resolve().parent.parent / "web"
router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"])
def page() -> FileResponse:
    return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8")
