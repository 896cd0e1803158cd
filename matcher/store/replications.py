"""Replication progress per regency and innovation: the stages after "shortlisted", as an append-only history.

The stages, in order: ``dipilih`` (chosen) < ``studi_tiru`` (study visit, dated) < ``rencana_aksi`` (action plan,
a document attached or linked) < ``diterapkan`` (implemented, dated) < ``berlanjut`` | ``berhenti`` (kept, or
dropped with a reason, after a year). Each step records its stage, the stage's own date, who (the person as
written), the account that recorded it (an API account, ``cli`` or ``import``), when it was recorded and a note.

The ``replications`` table is append-only: SQLite triggers refuse UPDATE and DELETE, and a correction is a new
step. Transitions are checked against the pair's recorded steps (:func:`check_step`):

- forward moves may skip stages (a spreadsheet history may lack some), and a step's date may not be earlier
  than the date of the step before it;
- going back to an earlier stage needs a note saying why (its date is then not compared);
- ``berlanjut`` and ``berhenti`` are one level: kept and later dropped, or dropped and restarted, are forward.

A current ``shortlisted`` decision implies ``dipilih`` for a pair with no step, and a ``replicated`` decision
implies ``diterapkan`` (undated): :meth:`ReplicationRepository.latest` reports both as ``implied`` states. The
innovations a regency has replicated (never recommended to it again) have one definition,
:meth:`ReplicationRepository.replicated`: a ``replicated`` decision, or a current stage of ``diterapkan`` or later
(``berhenti`` included: it follows an implementation).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from matcher.data.values import clean
from matcher.errors import NotFoundError, Problem, ValidationError

if TYPE_CHECKING:
    from matcher.data.regions import Regions
    from matcher.store.database import Store

STAGES: tuple[str, ...] = ("dipilih", "studi_tiru", "rencana_aksi", "diterapkan", "berlanjut", "berhenti")
REPLICATION_STAGES = STAGES  # the public name (matcher.STAGES are the innovations' own stages)
LEVEL: dict[str, int] = {"dipilih": 0, "studi_tiru": 1, "rencana_aksi": 2, "diterapkan": 3, "berlanjut": 4,
                         "berhenti": 4}
KEPT_STAGES: tuple[str, ...] = ("diterapkan", "berlanjut")  # a current stage that means implemented and running
REPLICATED_FROM = LEVEL["diterapkan"]  # a current stage from here on counts as replicated
NEEDS_DATE = ("studi_tiru", "diterapkan")
NEEDS_DOCUMENT = ("rencana_aksi",)
NEEDS_REASON = ("berhenti",)
MAX_TEXT = 2000
SCHEMA = """
CREATE TABLE IF NOT EXISTS replications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL,
    innovation_id TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('dipilih', 'studi_tiru', 'rencana_aksi', 'diterapkan', 'berlanjut',
                                         'berhenti')),
    stage_date TEXT,
    document TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL DEFAULT '',
    account TEXT NOT NULL DEFAULT '',
    recorded_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS replications_pair ON replications(region_code, innovation_id);
CREATE TRIGGER IF NOT EXISTS replications_no_update BEFORE UPDATE ON replications
BEGIN SELECT RAISE(ABORT, 'replication steps are append-only: record a new step instead'); END;
CREATE TRIGGER IF NOT EXISTS replications_no_delete BEFORE DELETE ON replications
BEGIN SELECT RAISE(ABORT, 'replication steps are append-only: record a new step instead'); END;
"""
_FIELDS = ("region_code", "innovation_id", "stage", "stage_date", "document", "reason", "note", "who", "account",
           "recorded_at", "seq")


@dataclass(frozen=True)
class ReplicationStep:
    """One recorded step. ``date`` is the stage's own day (ISO ``YYYY-MM-DD``, or None), ``recorded_at`` when
    matcher recorded it (Unix seconds), ``seq`` its place in the history."""

    region_code: str
    innovation_id: str
    stage: str
    date: str | None = None
    document: str = ""
    reason: str = ""
    note: str = ""
    who: str = ""
    account: str = ""
    recorded_at: float = 0.0
    seq: int = 0

    @property
    def key(self) -> tuple[str, str, str, str | None]:
        """What makes a step the same step on a re-import: region, innovation, stage and date."""
        return (self.region_code, self.innovation_id, self.stage, self.date)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReplicationState:
    """Where one (regency, innovation) pair stands: its latest step (or the stage a decision implies).

    ``furthest`` is the furthest stage ever reached (of two final stages, the later one); ``reached`` maps each
    stage reached to the date it was first reached (None when undated); ``implied`` is True when no step exists
    and the state comes from a decision; ``replicated`` is what keeps it out of the regency's recommendations."""

    region_code: str
    innovation_id: str
    stage: str
    date: str | None
    furthest: str
    reached: dict[str, str | None] = field(default_factory=dict)
    reason: str = ""
    document: str = ""
    note: str = ""
    who: str = ""
    recorded_at: float = 0.0
    implied: bool = False
    replicated: bool = False
    steps: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_date(value: Any) -> str | None:
    """A stage date as ISO text: a ``date``, or text ``YYYY-MM-DD``; None or "" is no date. ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()).isoformat()
    raise ValueError(f"expected a date, got {type(value).__name__}")


def check_step(previous: ReplicationStep | None, step: ReplicationStep, today: dt.date | None = None) -> list[tuple[str, str]]:
    """What is wrong with recording ``step`` after ``previous`` (the pair's latest step, or None), as
    (field, reason) pairs; empty when it may be recorded."""
    problems: list[tuple[str, str]] = []
    if step.stage not in LEVEL:
        return [("stage", f"{step.stage!r} is not a stage; use one of {', '.join(STAGES)}")]
    if step.stage in NEEDS_DATE and not step.date:
        problems.append(("date", f"stage {step.stage} needs the date it happened"))
    if step.stage in NEEDS_DOCUMENT and not step.document:
        problems.append(("document", "stage rencana_aksi needs the plan: a link (URL) or the file's name"))
    if step.stage in NEEDS_REASON and not step.reason:
        problems.append(("reason", "stage berhenti needs the reason the innovation was dropped"))
    latest_day = (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)
    if step.date and step.date > latest_day.isoformat():
        problems.append(("date", f"{step.date} is in the future; record a stage once it has happened"))
    if previous is None:
        return problems
    back = LEVEL[step.stage] < LEVEL[previous.stage]
    if back and not step.note:
        problems.append(("note", f"going back from {previous.stage} to {step.stage} needs a note saying why"))
    if not back and step.date and previous.date and step.date < previous.date:
        problems.append(("date", f"{step.date} is earlier than the previous step ({previous.stage} on "
                                 f"{previous.date})"))
    return problems


def _day(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()


def summarise(steps: Sequence[ReplicationStep], replicated_decision: bool = False) -> ReplicationState:
    """The state of one pair from its steps (oldest first; at least one)."""
    last = steps[-1]
    reached: dict[str, str | None] = {}
    furthest = steps[0]
    for s in steps:
        if reached.get(s.stage) is None:
            reached[s.stage] = s.date
        if LEVEL[s.stage] >= LEVEL[furthest.stage]:
            furthest = s
    return ReplicationState(
        last.region_code, last.innovation_id, last.stage, last.date, furthest.stage, reached, last.reason,
        last.document, last.note, last.who, last.recorded_at, False,
        replicated_decision or LEVEL[last.stage] >= REPLICATED_FROM, len(steps))


class ReplicationRepository:
    """The ``replications`` table. Built by the store without checks (reads, backups); the facade's one
    (``Matcher.replications``) also refuses unknown regions (``regions``) and innovations (``known_ids()``, the
    ids of the current catalogue)."""

    def __init__(self, store: Store, regions: Regions | None = None,
                 known_ids: Callable[[], Container[str]] | None = None):
        self._store = store
        self._regions = regions
        self._known_ids = known_ids

    def _select(self, where: str, params: Sequence[Any]) -> list[ReplicationStep]:
        sql = f"SELECT {', '.join(_FIELDS)} FROM replications WHERE {where} ORDER BY seq"
        return [ReplicationStep(*r) for r in self._store.connection.execute(sql, tuple(params))]

    def check_known(self, region_code: str, innovation_id: str) -> None:
        """NotFoundError for a region or innovation this store does not know (only with the facade's checks)."""
        if self._regions is not None:
            self._regions.get(region_code)
        if self._known_ids is not None and innovation_id not in self._known_ids():
            raise NotFoundError(f"innovation '{innovation_id}' not found")

    def record(self, region_code: str, innovation_id: str, stage: str, date: Any = None, note: str = "",
               document: str = "", reason: str = "", who: str = "", account: str = "cli") -> ReplicationStep:
        """Append one step after checking it against the pair's history; returns it as stored.

        NotFoundError for an unknown region or innovation; ValidationError naming the field for a bad stage,
        date, missing document or reason, a date earlier than the step before, or a step back without a note.
        The check and the write are one transaction, so two writers cannot both pass the same check."""
        self.check_known(region_code, innovation_id)
        try:
            day = as_date(date)
        except ValueError as exc:
            raise ValidationError([Problem("request", None, "date", f"not a date (YYYY-MM-DD): {exc}")]) from None
        step = cleaned(ReplicationStep(region_code, innovation_id, stage, day, document, reason, note, who or account, account,
                            time.time()))
        with self._store.transaction() as conn:
            previous = self._latest_step(conn, region_code, innovation_id)
            problems = check_step(previous, step)
            if problems:
                raise ValidationError([Problem("request", None, f, r) for f, r in problems])
            return self.insert(conn, [step])[0]

    @staticmethod
    def _latest_step(conn: sqlite3.Connection, region_code: str, innovation_id: str) -> ReplicationStep | None:
        row = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM replications WHERE region_code = ? AND "
                           "innovation_id = ? ORDER BY seq DESC LIMIT 1", (region_code, innovation_id)).fetchone()
        return ReplicationStep(*row) if row else None

    @staticmethod
    def insert(conn: sqlite3.Connection, steps: Iterable[ReplicationStep]) -> list[ReplicationStep]:
        """Append steps as they are (times included), inside the caller's transaction; returns them with seq."""
        out = []
        for s in steps:
            row = conn.execute(
                f"INSERT INTO replications({', '.join(_FIELDS[:-1])}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                f"RETURNING {', '.join(_FIELDS)}", tuple(astuple_fields(s))).fetchone()
            out.append(ReplicationStep(*row))
        return out

    @staticmethod
    def restore(conn: sqlite3.Connection, steps: Sequence[ReplicationStep]) -> None:
        """Make ``steps`` the whole history, as they were (seq and times included), inside the caller's
        transaction: a backup's import, and nothing else. The triggers refuse the DELETE that would empty the
        table, so the table is dropped and created again, triggers and all; a failed import rolls the drop back
        with everything else. Normal use only ever appends."""
        conn.execute("DROP TABLE IF EXISTS replications")  # DROP fires no DELETE trigger
        for statement in schema_statements(SCHEMA):
            conn.execute(statement)
        conn.executemany(f"INSERT INTO replications({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})",
                         [(*astuple_fields(s), s.seq) for s in steps])

    def append_checked(self, steps: Sequence[tuple[int, ReplicationStep]], source: str,
                       problems: Sequence[Problem] = (), names: dict[str, str] | None = None,
                       ) -> tuple[list[ReplicationStep], int]:
        """Append many steps (with the row number each came from) in ONE transaction, or none.

        Each is checked against the stored history of its pair and the steps before it; one whose key (region,
        innovation, stage, date) is recorded already is skipped. ``problems`` found earlier (a file's bad cells)
        are reported with these, and ``names`` shows a field as the file names it ('date': 'Tanggal'). On any
        problem, ValidationError names ``source``, the row and the field of each, in row order, and nothing is
        written. Returns the steps written and how many were skipped."""
        names = names or {}
        with self._store.transaction() as conn:
            latest: dict[tuple[str, str], ReplicationStep | None] = {}
            keys: set[tuple[str, str, str, str | None]] = set()
            for pair in dict.fromkeys((s.region_code, s.innovation_id) for _, s in steps):
                rows = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM replications WHERE region_code = ? AND "
                                    "innovation_id = ? ORDER BY seq", pair).fetchall()
                stored = [ReplicationStep(*r) for r in rows]
                latest[pair] = stored[-1] if stored else None
                keys.update(s.key for s in stored)
            new, found = check_sequence(steps, latest, keys)
            found_all = [*problems, *(Problem(source, row, names.get(f, f), r) for row, f, r in found)]
            if found_all:
                raise ValidationError(sorted(found_all, key=lambda p: (p.row or 0)))
            return self.insert(conn, new), len(steps) - len(new)

    def history(self, region_code: str | None = None, innovation_id: str | None = None) -> list[ReplicationStep]:
        """Every step of a regency, of one of its innovations, or of the whole store, oldest first."""
        if region_code is None:
            return self._select("1", ())
        if innovation_id is None:
            return self._select("region_code = ?", (region_code,))
        return self._select("region_code = ? AND innovation_id = ?", (region_code, innovation_id))

    def latest(self, region_codes: Sequence[str]) -> list[ReplicationState]:
        """Where each (region, innovation) pair of these regions stands, by region code then innovation id:
        pairs with steps, and pairs whose current decision implies a stage (shortlisted: ``dipilih``,
        replicated: ``diterapkan``)."""
        codes = list(dict.fromkeys(region_codes))
        by_pair: dict[tuple[str, str], list[ReplicationStep]] = {}
        rows = self._store.rows_in(f"SELECT {', '.join(_FIELDS)} FROM replications WHERE region_code IN ({{}}) "
                                   "ORDER BY seq", (), codes)
        for row in rows:
            step = ReplicationStep(*row)
            by_pair.setdefault((step.region_code, step.innovation_id), []).append(step)
        states: dict[tuple[str, str], ReplicationState] = {}
        for code, decisions in self._store.decisions.current_many(codes).items():
            for d in decisions:
                pair = (code, d.innovation_id)
                if pair in by_pair:
                    if d.decision == "replicated":
                        states[pair] = summarise(by_pair[pair], replicated_decision=True)
                    continue
                implied = {"shortlisted": "dipilih", "replicated": "diterapkan"}.get(d.decision)
                if implied is not None:
                    date = _day(d.created_at) if implied == "dipilih" else None
                    states[pair] = ReplicationState(code, d.innovation_id, implied, date, implied, {implied: date},
                                                    note=d.note, who=d.who, recorded_at=d.created_at, implied=True,
                                                    replicated=d.decision == "replicated")
        for pair, steps in by_pair.items():
            states.setdefault(pair, summarise(steps))
        return [states[p] for p in sorted(states)]

    def replicated(self, region_code: str) -> set[str]:
        """The innovations this regency has replicated, never recommended to it again: a ``replicated``
        decision, or a current stage of ``diterapkan`` or later. The one definition every exclusion uses."""
        return {s.innovation_id for s in self.latest([region_code]) if s.replicated}


def schema_statements(script: str) -> list[str]:
    """The statements of an SQL script one by one: ``executescript`` would commit the caller's transaction."""
    out, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return out


def astuple_fields(step: ReplicationStep) -> list[Any]:
    """The stored columns of a step, in the table's order (seq left to SQLite)."""
    return [step.region_code, step.innovation_id, step.stage, step.date, step.document, step.reason, step.note,
            step.who, step.account, step.recorded_at]


def check_sequence(steps: Iterable[tuple[int, ReplicationStep]],
                   latest: dict[tuple[str, str], ReplicationStep | None] | None = None,
                   recorded: set[tuple[str, str, str, str | None]] | None = None,
                   ) -> tuple[list[ReplicationStep], list[tuple[int, str, str]]]:
    """Check steps in order (each with the row it came from), each against the step before it in its pair: the
    pair's entry in ``latest`` (its stored latest step), then the earlier good steps here. The one transition
    check of every path that appends many steps (a progress spreadsheet, a backup).

    With ``recorded`` (the keys already stored), a step whose key is in it is skipped, and keys are added as
    steps pass; without it every step counts (a backup restores a history as it was). Returns the good steps,
    cleaned, and the problems of the others as (row, field, reason)."""
    before = dict(latest or {})
    good: list[ReplicationStep] = []
    problems: list[tuple[int, str, str]] = []
    for row, step in steps:
        step = cleaned(step)
        if recorded is not None and step.key in recorded:
            continue
        pair = (step.region_code, step.innovation_id)
        found = check_step(before.get(pair), step)
        problems += [(row, f, r) for f, r in found]
        if not found:
            good.append(step)
            before[pair] = step
            if recorded is not None:
                recorded.add(step.key)
    return good, problems


def cleaned(step: ReplicationStep) -> ReplicationStep:
    """Free texts without control or bidi-override characters, stripped, as every stored text."""
    return replace(step, document=clean(step.document).strip(), reason=clean(step.reason).strip(),
                   note=clean(step.note).strip(), who=clean(step.who).strip())
