"""Mentors' decisions per regency and innovation: shortlisted, rejected or replicated.

Every decision is a new row, so the history stays; the latest per regency and innovation is the one that
counts. Replicated innovations are never recommended to that regency again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matcher.store.database import Store

DECISIONS: tuple[str, ...] = ("shortlisted", "rejected", "replicated")
_FIELDS = ("region_code", "innovation_id", "decision", "note", "who", "created_at", "account")


@dataclass(frozen=True)
class Decision:
    """One decision as stored: ``who`` is the person as written, ``account`` the API account that made it."""

    region_code: str
    innovation_id: str
    decision: str
    note: str
    who: str
    created_at: float
    account: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class DecisionRepository:
    """The ``shortlist`` table."""

    def __init__(self, store: Store):
        self._store = store

    def add(self, region_code: str, innovation_id: str, decision: str, note: str = "", who: str = "",
            account: str = "") -> Decision:
        """Record a decision and return it as stored."""
        with self._store.transaction() as conn:
            row = conn.execute(
                "INSERT INTO shortlist(region_code, innovation_id, decision, note, who, account, created_at) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {', '.join(_FIELDS)}",
                (region_code, innovation_id, decision, note, who, account, time.time()),
            ).fetchone()
        return Decision(*row)

    def current(self, region_code: str) -> list[Decision]:
        """Current decision per innovation for a region (latest wins), oldest first."""
        rows = self._store.connection.execute(
            f"SELECT {', '.join(_FIELDS)} FROM shortlist s "
            "WHERE region_code = ? AND seq = (SELECT MAX(seq) FROM shortlist t WHERE t.region_code = s.region_code "
            "AND t.innovation_id = s.innovation_id) ORDER BY seq",
            (region_code,),
        ).fetchall()
        return [Decision(*r) for r in rows]

    def history(self) -> list[Decision]:
        """Every decision ever made, oldest first (what an export carries)."""
        rows = self._store.connection.execute(f"SELECT {', '.join(_FIELDS)} FROM shortlist ORDER BY seq")
        return [Decision(*r) for r in rows]

    @staticmethod
    def insert(conn: sqlite3.Connection, decisions: Iterable[Decision]) -> None:
        """Append decisions as they are, times included (an import), inside the caller's transaction."""
        conn.executemany(f"INSERT INTO shortlist({', '.join(_FIELDS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [tuple(getattr(d, f) for f in _FIELDS) for d in decisions])

    def replicated(self, region_code: str) -> set[str]:
        """Innovations this region has already replicated: never recommended to it again."""
        return {d.innovation_id for d in self.current(region_code) if d.decision == "replicated"}
