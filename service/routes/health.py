"""Liveness and readiness: the service answers, and the store has an index it can rank with."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import MatcherDep
from service.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic, summary="Service and index status")
def health(m: MatcherDep) -> HealthPublic:
    """503 ``store_unavailable`` when there is no usable index (run ``matcher index``)."""
    manifest = m.manifest
    return HealthPublic(status="ok", innovations=len(m.catalog), gaps=sum(m.gap_counts().values()),
                        generation=manifest.get("generation", ""), model=manifest.get("model_id", ""))
