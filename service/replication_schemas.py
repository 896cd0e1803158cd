"""Request and response bodies of replication progress (``service.routes.replications``); lists answer
``{data, count}`` like every list of the service (``service.schemas``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher import REPLICATION_STAGES
from service.schemas import MAX_NOTE_CHARS, ListPublic

ReplicationStage = Literal[REPLICATION_STAGES]  # type: ignore[valid-type]
STAGE_DOC = ("dipilih < studi_tiru < rencana_aksi < diterapkan < berlanjut | berhenti. Forward steps may skip "
             "stages; a step back needs a note.")


class ReplicationIn(BaseModel):
    """One step. ``date`` is required for studi_tiru and diterapkan, ``document`` for rencana_aksi, ``reason``
    for berhenti; a date is never earlier than the pair's previous step's, unless the step goes back."""

    model_config = ConfigDict(extra="forbid")
    innovation_id: str = Field(min_length=1, max_length=100)
    stage: ReplicationStage = Field(description=STAGE_DOC)
    date: dt.date | None = Field(None, description="The day the stage happened (YYYY-MM-DD).")
    note: str = Field("", max_length=MAX_NOTE_CHARS, description="Required when the step goes back.")
    document: str = Field("", max_length=MAX_NOTE_CHARS, description="rencana_aksi: a URL or the file's name.")
    reason: str = Field("", max_length=MAX_NOTE_CHARS, description="berhenti: why it was dropped.")
    who: str | None = Field(None, max_length=200, description="Who reports it; defaults to the account name.")


class ReplicationStepPublic(BaseModel):
    """One row of the append-only step history."""

    seq: int = Field(description="Order of the step in the store.")
    region_code: str
    innovation_id: str
    stage: ReplicationStage
    date: str | None = Field(description="The stage's own day, YYYY-MM-DD.")
    document: str
    reason: str
    note: str
    who: str
    account: str = Field(description="The API account that recorded it ('cli' or 'import' outside the API).")
    recorded_at: float = Field(description="Unix time in seconds.")


class ReplicationStatePublic(BaseModel):
    """Where one innovation stands in the regency, with its steps (oldest first)."""

    innovation_id: str
    title: str | None = Field(description="None when it has left the catalogue since.")
    stage: ReplicationStage = Field(description="The latest step's stage, or the one a decision implies.")
    date: str | None
    furthest: ReplicationStage = Field(description="The furthest stage ever reached.")
    reason: str
    document: str
    note: str
    who: str
    recorded_at: float
    implied: bool = Field(description="No step yet: shortlisted implies dipilih, replicated implies diterapkan.")
    replicated: bool = Field(description="Counts as replicated: never recommended to the regency again.")
    history: list[ReplicationStepPublic]


class ReplicationsPublic(ListPublic[ReplicationStatePublic]):
    region_code: str
    region_name: str


class StageTimePublic(BaseModel):
    start: ReplicationStage
    end: ReplicationStage
    median_days: float | None = Field(description="Median days between the two stages' first dates.")
    pairs: int = Field(description="Pairs with both dates.")


class RegencyProgressPublic(BaseModel):
    region_code: str
    region_name: str
    gaps: int = Field(description="Gap statements stored.")
    pairs: int = Field(description="Innovations with a replication stage.")
    stages: dict[str, int] = Field(description="Innovations by current stage.")
    times: list[StageTimePublic]


class ProvinceProgressPublic(BaseModel):
    province_code: str
    province_name: str
    gaps: int
    stages: dict[str, int] = Field(description="(regency, innovation) pairs by current stage.")
    funnel: dict[str, int] = Field(description="gaps, then pairs at each stage counted at the furthest stage reached "
                                               "(berlanjut: kept).")
    dropped: int = Field(description="Pairs whose furthest stage is berhenti.")
    times: list[StageTimePublic]
    regencies: list[RegencyProgressPublic]
