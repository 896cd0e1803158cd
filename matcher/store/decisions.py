"""Mentors' decisions per regency and innovation: shortlisted, rejected, replicated, and undo.

The ``shortlist`` table is append-only: every decision is a new row, and the latest row of a (regency,
innovation) pair is its current decision. Undo appends an ``undone`` row, which leaves the pair without a
current decision while the history keeps what was decided before, by whom and when. Replicated innovations
are never recommended to that regency again.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from matcher.data.values import clean
from matcher.errors import NotFoundError

if TYPE_CHECKING:
    from matcher.store.database import Store

UNDONE = "undone"
DECISIONS: tuple[str, ...] = ("shortlisted", "rejected", "replicated")
_FIELDS = ("region_code", "innovation_id", "decision", "note", "who", "created_at", "account", "seq")
_TABLE_SQL = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'shortlist'"
_CURRENT = ("seq = (SELECT MAX(seq) FROM shortlist t WHERE t.region_code = shortlist.region_code "
            "AND t.innovation_id = shortlist.innovation_id) AND decision != 'undone'")


@dataclass(frozen=True)
class Decision:
    """One decision (or undo) as stored: ``who`` is the person as written, ``account`` the API account that
    made it, ``seq`` its place in the history."""

    region_code: str
    innovation_id: str
    decision: str
    note: str
    who: str
    created_at: float
    account: str = ""
    seq: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def allow_undo(conn: sqlite3.Connection) -> None:
    """Rebuild a shortlist table made before undo existed so its CHECK allows ``undone``; a no-op on current
    stores. SQLite cannot alter a CHECK constraint, so the table is copied in one transaction, rows and ``seq``
    kept; a second process opening the same old store waits, re-checks and does nothing."""

    def old_table() -> str | None:
        row = conn.execute(_TABLE_SQL).fetchone()
        return row[0] if row and f"'{UNDONE}'" not in row[0] else None

    if old_table() is None:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        sql = old_table()
        if sql is not None:
            new = re.sub(r"^CREATE TABLE\s+(IF NOT EXISTS\s+)?\"?shortlist\"?", "CREATE TABLE shortlist_undo", sql)
            conn.execute(new.replace("'replicated')", f"'replicated', '{UNDONE}')", 1))
            columns = ", ".join(r[1] for r in conn.execute("PRAGMA table_info(shortlist)"))
            conn.execute(f"INSERT INTO shortlist_undo({columns}) SELECT {columns} FROM shortlist")
            conn.execute("DROP TABLE shortlist")
            conn.execute("ALTER TABLE shortlist_undo RENAME TO shortlist")
            conn.execute("CREATE INDEX IF NOT EXISTS shortlist_region ON shortlist(region_code, innovation_id)")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class DecisionRepository:
    """The ``shortlist`` table."""

    def __init__(self, store: Store):
        self._store = store

    def _select(self, where: str, params: tuple) -> list[Decision]:
        rows = self._store.connection.execute(
            f"SELECT {', '.join(_FIELDS)} FROM shortlist WHERE {where} ORDER BY seq", params).fetchall()
        return [Decision(*r) for r in rows]

    def add(self, region_code: str, innovation_id: str, decision: str, note: str = "", who: str = "",
            account: str = "") -> Decision:
        """Record a decision and return it as stored; control and bidi-override characters are removed from the
        note and the name, as from every stored text."""
        note, who = clean(note), clean(who)
        with self._store.transaction() as conn:
            row = conn.execute(
                "INSERT INTO shortlist(region_code, innovation_id, decision, note, who, account, created_at) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {', '.join(_FIELDS)}",
                (region_code, innovation_id, decision, note, who, account, time.time()),
            ).fetchone()
        return Decision(*row)

    def undo(self, region_code: str, innovation_id: str, note: str = "", who: str = "",
             account: str = "") -> Decision:
        """Clear the pair's current decision by appending an ``undone`` event; returns that event.

        NotFoundError when the pair has no current decision (never decided, or undone already). The check and
        the write are one transaction, so two undos at once append one event."""
        with self._store.transaction() as conn:
            latest = conn.execute("SELECT decision FROM shortlist WHERE region_code = ? AND innovation_id = ? "
                                  "ORDER BY seq DESC LIMIT 1", (region_code, innovation_id)).fetchone()
            if latest is None or latest[0] == UNDONE:
                raise NotFoundError(f"innovation '{innovation_id}' has no decision to undo in {region_code}")
            row = conn.execute(
                "INSERT INTO shortlist(region_code, innovation_id, decision, note, who, account, created_at) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {', '.join(_FIELDS)}",
                (region_code, innovation_id, UNDONE, note, who, account, time.time())).fetchone()
        return Decision(*row)

    def current(self, region_code: str) -> list[Decision]:
        """Current decision per innovation for a region (latest wins, an undo leaves none), oldest first."""
        return self._select(f"region_code = ? AND {_CURRENT}", (region_code,))

    def current_many(self, region_codes: Sequence[str]) -> dict[str, list[Decision]]:
        """:meth:`current` of every region code (each listed, an empty list for none), in one query per 900
        codes instead of one per code: a regency's list reads its ten peers' decisions on every request."""
        codes = list(dict.fromkeys(region_codes))
        out: dict[str, list[Decision]] = {c: [] for c in codes}
        rows = self._store.rows_in(f"SELECT {', '.join(_FIELDS)} FROM shortlist WHERE region_code IN ({{}}) "
                                   f"AND {_CURRENT} ORDER BY seq", (), codes)
        for row in rows:
            d = Decision(*row)
            out[d.region_code].append(d)
        return out

    def history(self, region_code: str | None = None, innovation_id: str | None = None) -> list[Decision]:
        """Every event (undo events included) of a regency, of one of its innovations, or of the whole store
        (what an export carries), oldest first."""
        if region_code is None:
            return self._select("1", ())
        if innovation_id is None:
            return self._select("region_code = ?", (region_code,))
        return self._select("region_code = ? AND innovation_id = ?", (region_code, innovation_id))

    def by_innovation(self, innovation_id: str) -> list[Decision]:
        """The current decision of every regency that has one on this innovation, oldest first."""
        return self._select(f"innovation_id = ? AND {_CURRENT}", (innovation_id,))

    @staticmethod
    def insert(conn: sqlite3.Connection, decisions: Iterable[Decision]) -> None:
        """Append decisions as they are, times included (an import), inside the caller's transaction."""
        fields = _FIELDS[:-1]  # a new seq
        conn.executemany(f"INSERT INTO shortlist({', '.join(fields)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [tuple(getattr(d, f) for f in fields) for d in decisions])

    def replicated(self, region_code: str) -> set[str]:
        """Innovations this region has already replicated, never recommended to it again: a ``replicated``
        decision or a replication stage of ``diterapkan`` or later (``ReplicationRepository.replicated``, the one
        definition)."""
        return self._store.replications.replicated(region_code)
