"""Replication progress: a regency's steps after the shortlist, and a province's progress for its hub coordinator.

Reads go through the cheap-read snapshot (no engine); a write takes the engine like every other write and needs a
mentor key, as the shortlist routes. Steps are appended, never changed (``matcher.ReplicationStep``). A step that
makes an innovation count as replicated (``diterapkan`` or later) changes the regency's recommendations: the
cached lists are keyed on the replicated set (``matcher.regency_inputs``), so none is served stale.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter

from matcher import province_progress
from matcher.errors import ValidationError
from service.deps import MatcherDep, Mentor, ReadsDep
from service.replication_schemas import (
    ProvinceProgressPublic,
    ReplicationIn,
    ReplicationsPublic,
    ReplicationStatePublic,
    ReplicationStepPublic,
)

router = APIRouter(tags=["replications"])


@router.get("/regions/{code}/replications", response_model=ReplicationsPublic,
            summary="Replication progress of a kabupaten/kota: each innovation's stage and its history")
def replications(code: str, m: ReadsDep) -> ReplicationsPublic:
    """Innovations with a step, or whose current decision implies one (shortlisted: dipilih), by id."""
    region = m.regions.resolve(code)
    steps: dict[str, list[ReplicationStepPublic]] = {}
    for s in m.replications.history(region.code):
        steps.setdefault(s.innovation_id, []).append(ReplicationStepPublic(**s.to_dict()))
    by_id = m.catalog.by_id
    data = []
    for state in m.replications.latest([region.code]):
        at = by_id.get(state.innovation_id)
        fields = {k: v for k, v in state.to_dict().items() if k in ReplicationStatePublic.model_fields}
        data.append(ReplicationStatePublic(**fields, title=m.catalog.innovations[at].title if at is not None else None,
                                           history=steps.get(state.innovation_id, [])))
    return ReplicationsPublic(data=data, count=len(data), region_code=region.code, region_name=region.name)


@router.post("/regions/{code}/replications", response_model=ReplicationStepPublic, status_code=201,
             summary="Record a replication step (mentor)")
def record(code: str, body: ReplicationIn, account: Mentor, m: MatcherDep) -> ReplicationStepPublic:
    """404 for an innovation not in the catalogue; 422 naming the field for a step its stage or history refuses
    (a missing date, document or reason, a date earlier than the previous step's, a step back without a note)."""
    region = m.regions.resolve(code)
    who = (body.who or "").strip() or account.name
    try:
        step = m.replications.record(region.code, body.innovation_id, body.stage, body.date, body.note,
                                     body.document, body.reason, who, account=account.name)
    except ValidationError as exc:  # the body's fields, as the framework names them
        raise ValidationError([replace(p, field=f"body.{p.field}") for p in exc.problems]) from None
    return ReplicationStepPublic(**step.to_dict())


@router.get("/provinces/{province}/progress", response_model=ProvinceProgressPublic,
            summary="A province's replication progress: stages, funnel, regencies, days between stages")
def progress(province: str, m: ReadsDep) -> ProvinceProgressPublic:
    """``province`` is a province code ('81') or name. The funnel counts each (regency, innovation) at its
    furthest stage."""
    return ProvinceProgressPublic(**province_progress(m, province).to_dict())
