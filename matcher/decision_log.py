"""The history of shortlist decisions: undo as an event, a pair's history, and who chose an innovation.

The ``shortlist`` table is append-only: every decision is a new row, and the latest row of a (regency,
innovation) pair is its current decision (``Store.decisions``). Undo appends an ``undone`` row, which leaves
the pair without a current decision while the history keeps what was decided before, by whom and when.
Stores made before undo existed refuse that value in a CHECK constraint; :func:`allow_undo` rebuilds their
table once, rows and sequence numbers unchanged.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from matcher.errors import NotFoundError

if TYPE_CHECKING:
    from matcher.store import Store

UNDONE = "undone"
_FIELDS = ("seq", "region_code", "innovation_id", "decision", "note", "who", "account", "created_at")
_TABLE_SQL = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'shortlist'"


def _old_table(conn: sqlite3.Connection) -> str | None:
    """The shortlist table's CREATE statement when its CHECK does not allow undo yet, else None."""
    row = conn.execute(_TABLE_SQL).fetchone()
    return row[0] if row and f"'{UNDONE}'" not in row[0] else None


def allow_undo(conn: sqlite3.Connection) -> None:
    """Rebuild an old shortlist table so its CHECK allows ``undone``; a no-op on current stores.

    SQLite cannot alter a CHECK constraint, so the table is copied into a new one in one transaction (rows and
    ``seq`` kept). Two processes opening an old store at once: the second waits, re-checks and does nothing."""
    if _old_table(conn) is None:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        sql = _old_table(conn)
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


class DecisionLog:
    """Reads and undo over a store's shortlist history; events are dicts of ``seq``, ``region_code``,
    ``innovation_id``, ``decision`` (shortlisted, rejected, replicated or undone), ``note``, ``who``, ``account``, ``created_at``."""

    def __init__(self, store: Store):
        self.store = store

    def _events(self, where: str, params: tuple) -> list[dict[str, Any]]:
        rows = self.store._conn.execute(
            f"SELECT {', '.join(_FIELDS)} FROM shortlist WHERE {where} ORDER BY seq", params).fetchall()
        return [dict(zip(_FIELDS, r, strict=True)) for r in rows]

    def history(self, region_code: str, innovation_id: str | None = None) -> list[dict[str, Any]]:
        """Every event of a regency (or of one of its innovations), oldest first, undo events included."""
        if innovation_id is None:
            return self._events("region_code = ?", (region_code,))
        return self._events("region_code = ? AND innovation_id = ?", (region_code, innovation_id))

    def by_innovation(self, innovation_id: str) -> list[dict[str, Any]]:
        """The current decision of every regency that has one on this innovation, oldest first."""
        return self._events(
            "innovation_id = ? AND decision != ? AND seq = (SELECT MAX(seq) FROM shortlist t "
            "WHERE t.region_code = shortlist.region_code AND t.innovation_id = shortlist.innovation_id)",
            (innovation_id, UNDONE))

    def undo(self, region_code: str, innovation_id: str, note: str = "", who: str = "",
             account: str = "") -> dict[str, Any]:
        """Clear the pair's current decision by appending an ``undone`` event; returns that event.

        NotFoundError when the pair has no current decision (never decided, or undone already). The check and
        the write are one transaction, so two undos at once append one event."""
        with self.store.transaction() as conn:
            latest = conn.execute("SELECT decision FROM shortlist WHERE region_code = ? AND innovation_id = ? "
                                  "ORDER BY seq DESC LIMIT 1", (region_code, innovation_id)).fetchone()
            if latest is None or latest[0] == UNDONE:
                raise NotFoundError(f"innovation '{innovation_id}' has no decision to undo in {region_code}")
            row = conn.execute(
                "INSERT INTO shortlist(region_code, innovation_id, decision, note, who, account, created_at) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {', '.join(_FIELDS)}",
                (region_code, innovation_id, UNDONE, note, who, account, time.time())).fetchone()
        return dict(zip(_FIELDS, row, strict=True))
