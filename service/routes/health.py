"""Liveness and readiness: the service answers, and the store has an index it can rank with."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import ReadsDep
from service.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic, summary="Service and index status")
async def health(m: ReadsDep) -> HealthPublic:
    """503 ``store_unavailable`` when there is no usable index (run ``matcher index``). Never waits for the
    engine's work queue: it reads the catalogue the engine last loaded and one count from the store."""
    catalog = m.catalog
    manifest = m.view.manifest if m.view is not None else {}
    return HealthPublic(status="ok", innovations=len(catalog), gaps=sum(m.gap_counts().values()),
                        generation=manifest.get("generation", ""), model=manifest.get("model_id", ""))
