"""A province's replication progress for its hub coordinator: counts per stage and regency, a funnel, and how
long each stage takes.

- ``stages``: pairs (regency, innovation) by their current stage.
- ``funnel``: from the province's gap statements to kept innovations, each pair counted at the furthest stage it
  ever reached (so a pair that skipped a stage in its history still counts for it): ``gaps`` (how many gap
  statements), ``dipilih``, ``studi_tiru``, ``rencana_aksi``, ``diterapkan``, ``berlanjut``; ``berhenti`` (dropped)
  is counted beside it.
- ``median_days``: per consecutive pair of stages (and from ``dipilih`` to ``diterapkan`` overall), the median
  of the days between the dates the stages were first reached, over the pairs with both dates.

Works on anything with ``regions``, ``gap_counts()`` and ``replications.latest(codes)``: a ``Matcher``, or the
service's cheap-read snapshot.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from matcher.store.replications import KEPT_STAGES, LEVEL, STAGES, ReplicationState

FUNNEL: tuple[str, ...] = ("gaps", "dipilih", "studi_tiru", "rencana_aksi", "diterapkan", "berlanjut")
TRANSITIONS: tuple[tuple[str, str], ...] = (
    ("dipilih", "studi_tiru"), ("studi_tiru", "rencana_aksi"), ("rencana_aksi", "diterapkan"),
    ("diterapkan", "berlanjut"), ("diterapkan", "berhenti"), ("dipilih", "diterapkan"))


@dataclass(frozen=True)
class StageTime:
    """Days from stage ``start`` to stage ``end``: the median over ``pairs`` pairs with both dates (None: none)."""

    start: str
    end: str
    median_days: float | None
    pairs: int


@dataclass(frozen=True)
class RegencyProgress:
    """One kabupaten/kota: its gap statements, its pairs by current stage, and its stage times."""

    region_code: str
    region_name: str
    gaps: int
    stages: dict[str, int]
    pairs: int
    times: list[StageTime]


@dataclass(frozen=True)
class ProvinceProgress:
    """The province view: totals, the funnel, stage times, and every kabupaten/kota (code order)."""

    province_code: str
    province_name: str
    gaps: int
    stages: dict[str, int]
    funnel: dict[str, int]
    dropped: int
    times: list[StageTime]
    regencies: list[RegencyProgress]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _days(a: str | None, b: str | None) -> int | None:
    if not a or not b:
        return None
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def stage_times(states: Sequence[ReplicationState]) -> list[StageTime]:
    """The median days of every transition in ``TRANSITIONS`` over ``states``."""
    out = []
    for start, end in TRANSITIONS:
        days = [d for s in states if (d := _days(s.reached.get(start), s.reached.get(end))) is not None]
        out.append(StageTime(start, end, float(statistics.median(days)) if days else None, len(days)))
    return out


def funnel(states: Sequence[ReplicationState], gaps: int) -> dict[str, int]:
    """Gap statements, then pairs per stage counted at their furthest stage reached (berlanjut: kept)."""
    levels = [LEVEL[s.furthest] for s in states]
    out = {"gaps": gaps}
    for stage in FUNNEL[1:-1]:
        out[stage] = sum(1 for n in levels if n >= LEVEL[stage])
    out["berlanjut"] = sum(1 for s in states if s.furthest == "berlanjut")
    return out


def _by_stage(states: Sequence[ReplicationState]) -> dict[str, int]:
    counts = Counter(s.stage for s in states)
    return {stage: counts.get(stage, 0) for stage in STAGES}


def province_progress(source: Any, province: str, only: Collection[str] | None = None) -> ProvinceProgress:
    """The progress of one province (code or name) from the store behind ``source``; ``only`` keeps these
    kabupaten/kota codes (a batch run's), and the totals are theirs."""
    p = source.regions.resolve_province(province)
    regencies = [r for r in source.regions.in_province(p.code) if only is None or r.code in only]
    gap_counts = source.gap_counts()
    states = source.replications.latest([r.code for r in regencies])
    mine: dict[str, list[ReplicationState]] = {}
    for s in states:
        mine.setdefault(s.region_code, []).append(s)
    rows = [RegencyProgress(r.code, r.name, gap_counts.get(r.code, 0), _by_stage(mine.get(r.code, [])),
                            len(mine.get(r.code, [])), stage_times(mine.get(r.code, [])))
            for r in regencies]
    gaps = sum(r.gaps for r in rows)
    return ProvinceProgress(p.code, p.name, gaps, _by_stage(states), funnel(states, gaps),
                            sum(1 for s in states if s.furthest == "berhenti"), stage_times(states), rows)


def replication_share(source: Any, region_codes: Sequence[str]) -> dict[str, float | None]:
    """Per regency, the share of its chosen innovations now implemented or kept (``diterapkan``, ``berlanjut``):
    what the opportunity map's "progress" measure colours by. None for a regency that has chosen nothing yet.
    ``source`` is a Matcher or the service's snapshot (anything with ``replications``)."""
    states: dict[str, list[ReplicationState]] = {code: [] for code in region_codes}
    for s in source.replications.latest(list(region_codes)):
        states[s.region_code].append(s)
    return {code: (sum(s.stage in KEPT_STAGES for s in mine) / len(mine) if mine else None)
            for code, mine in states.items()}
