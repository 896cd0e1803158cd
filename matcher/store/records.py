"""The innovation and gap tables: records as the loaders validated them, plus what the index needs.

Innovations keep a stable integer ``rid`` (the id in FAISS and BM25), the hash of their text (to tell what
changed without re-reading it) and their lexical terms (so BM25 can be rebuilt without re-analysing).
Gaps are stored whole and embedded when saved.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from matcher.data.records import Gap, Innovation

if TYPE_CHECKING:
    from matcher.store.database import Store


@dataclass(frozen=True)
class StoredInnovation:
    """One innovation row: ``rid`` is the int64 id used in the FAISS and BM25 indexes."""

    rid: int
    innovation: Innovation
    text_hash: str


class InnovationRepository:
    """The ``innovations`` table. Writes take the connection of an open :meth:`Store.transaction`."""

    def __init__(self, store: Store):
        self._store = store

    def all(self) -> list[StoredInnovation]:
        """Every innovation row in rid order, without its stored terms (only index builds read those, and at
        100k innovations decoding them costs a gigabyte)."""
        rows = self._store.connection.execute("SELECT rid, record, text_hash FROM innovations ORDER BY rid")
        return [StoredInnovation(r[0], Innovation.from_dict(json.loads(r[1])), r[2]) for r in rows]

    def by_rid(self, rids: Sequence[int]) -> dict[int, Innovation]:
        """rid -> innovation, for these rids (unknown rids are absent)."""
        rows = self._store.rows_in("SELECT rid, record FROM innovations WHERE rid IN ({})", (), list(rids))
        return {int(rid): Innovation.from_dict(json.loads(record)) for rid, record in rows}

    def terms(self) -> tuple[list[int], list[list[str]]]:
        """(rids, lexical terms) of every innovation in rid order, each distinct term one string object
        (decoded as is, 100k innovations' terms took ~1 GB)."""
        rids, terms = [], []
        for rid, doc in self._store.connection.execute("SELECT rid, terms FROM innovations ORDER BY rid"):
            rids.append(int(rid))
            terms.append([sys.intern(t) for t in json.loads(doc)])
        return rids, terms

    def hashes(self) -> dict[str, tuple[int, str]]:
        """id -> (rid, text_hash), to decide what changed without loading records."""
        rows = self._store.connection.execute("SELECT id, rid, text_hash FROM innovations").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    @staticmethod
    def upsert(conn: sqlite3.Connection, innovation: Innovation, hash_: str, terms: list[str]) -> int:
        """Insert or update by id, keeping the rid stable; returns the rid."""
        record = innovation.to_dict()
        conn.execute(
            "INSERT INTO innovations(id, record, text_hash, terms, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET record=excluded.record, text_hash=excluded.text_hash, "
            "terms=excluded.terms, updated_at=excluded.updated_at",
            (record["id"], json.dumps(record, ensure_ascii=False), hash_, json.dumps(terms), time.time()),
        )
        return int(conn.execute("SELECT rid FROM innovations WHERE id = ?", (record["id"],)).fetchone()[0])

    @staticmethod
    def update_record(conn: sqlite3.Connection, innovation: Innovation) -> None:
        """Replace the record of an innovation whose text did not change (its vectors and terms stay)."""
        conn.execute("UPDATE innovations SET record = ? WHERE id = ?",
                     (json.dumps(innovation.to_dict(), ensure_ascii=False), innovation.id))

    @staticmethod
    def delete(conn: sqlite3.Connection, ids: Iterable[str]) -> list[int]:
        """Delete by id; returns the rids removed."""
        rids = []
        for id_ in ids:
            row = conn.execute("DELETE FROM innovations WHERE id = ? RETURNING rid", (id_,)).fetchone()
            if row:
                rids.append(int(row[0]))
        return rids

    def sectors(self, rids: Sequence[int]) -> list[str]:
        """The sector of each of these innovations ("" when none), in the order given, without decoding records."""
        rows = dict(self._store.rows_in(
            "SELECT rid, COALESCE(json_extract(record, '$.sector'), '') FROM innovations WHERE rid IN ({})", (),
            list(rids)))
        return [rows.get(int(r), "") for r in rids]

    @staticmethod
    def rid_hashes(conn: sqlite3.Connection) -> list[tuple[int, str]]:
        """(rid, text_hash) of every innovation in rid order, as the open transaction sees them."""
        return [(int(r[0]), r[1]) for r in conn.execute("SELECT rid, text_hash FROM innovations ORDER BY rid")]


class GapRepository:
    """The ``gaps`` table: a regency's gap statements, as :class:`~matcher.data.records.Gap` records."""

    def __init__(self, store: Store):
        self._store = store

    def of_region(self, region_code: str | None = None) -> list[Gap]:
        """Stored gaps of one kabupaten/kota (or of all when None), by id."""
        conn = self._store.connection
        if region_code is None:
            rows = conn.execute("SELECT record FROM gaps ORDER BY id").fetchall()
        else:
            rows = conn.execute("SELECT record FROM gaps WHERE region_code = ? ORDER BY id", (region_code,)).fetchall()
        return [Gap.from_dict(json.loads(r[0])) for r in rows]

    def get(self, gap_id: str) -> Gap | None:
        row = self._store.connection.execute("SELECT record FROM gaps WHERE id = ?", (gap_id,)).fetchone()
        return Gap.from_dict(json.loads(row[0])) if row else None

    def counts(self) -> dict[str, int]:
        """region code -> number of stored gaps, for listing regions without loading gap records."""
        return dict(self._store.connection.execute(
            "SELECT region_code, COUNT(*) FROM gaps GROUP BY region_code").fetchall())

    @staticmethod
    def ids(conn: sqlite3.Connection) -> list[str]:
        return [r[0] for r in conn.execute("SELECT id FROM gaps").fetchall()]

    @staticmethod
    def upsert(conn: sqlite3.Connection, gap: Gap, hash_: str) -> None:
        record: dict[str, Any] = gap.to_dict()
        conn.execute(
            "INSERT INTO gaps(id, region_code, record, text_hash, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET region_code=excluded.region_code, record=excluded.record, "
            "text_hash=excluded.text_hash, updated_at=excluded.updated_at",
            (record["id"], record["region_code"], json.dumps(record, ensure_ascii=False), hash_, time.time()),
        )

    @staticmethod
    def delete(conn: sqlite3.Connection, gap_id: str) -> bool:
        return conn.execute("DELETE FROM gaps WHERE id = ?", (gap_id,)).rowcount > 0
