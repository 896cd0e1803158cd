"""The store under ``MATCHER_HOME``: SQLite for records and the embedding cache, index files in generations.

Index files (FAISS, BM25, manifest) are written into a fresh ``index/<generation>/`` folder; the SQLite row that
names the current generation is updated in the same transaction as the records it indexes. A crash at any
point therefore leaves either the old records with the old index or the new records with the new index.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.decision_log import UNDONE, allow_undo
from matcher.errors import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS innovations (
    rid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    record TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    terms TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS gaps (
    id TEXT PRIMARY KEY,
    region_code TEXT NOT NULL,
    record TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS gaps_region ON gaps(region_code);
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, kind, text_hash)
);
CREATE TABLE IF NOT EXISTS shortlist (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL,
    innovation_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('shortlisted', 'rejected', 'replicated', 'undone')),
    note TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS shortlist_region ON shortlist(region_code, innovation_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    key_id TEXT PRIMARY KEY,
    name TEXT UNIQUE NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('mentor', 'admin')),
    salt BLOB NOT NULL,
    key_hash BLOB NOT NULL,
    params TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""
# Columns added after a table first shipped: (table, column, declaration), added on open when missing.
MIGRATIONS = (("shortlist", "account", "TEXT NOT NULL DEFAULT ''"),)


def text_hash(text: str) -> str:
    """Stable key of a text for the embedding cache and change detection."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class StoredInnovation:
    """One innovation row: ``rid`` is the int64 id used in the FAISS and BM25 indexes."""

    rid: int
    record: dict[str, Any]
    text_hash: str


_DECISION_FIELDS = ("region_code", "innovation_id", "decision", "note", "who", "created_at", "account")


class Store:
    """SQLite records + embedding cache + index generations, all under one folder."""

    DB_NAME = "matcher.db"

    def __init__(self, home: Path):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "index").mkdir(exist_ok=True)
        self.db_path = self.home / self.DB_NAME
        self._conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.db_path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(SCHEMA)
            for table, column, declaration in MIGRATIONS:
                if column not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            allow_undo(conn)  # stores from before undo: rebuild the shortlist table's CHECK once
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {self.db_path}: {exc}") from exc
        return conn

    def close(self) -> None:
        self._conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing write: commits on success, rolls back on any exception."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one committed state, whatever other processes commit meanwhile (a WAL read
        transaction); inside an open transaction it adds nothing."""
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            self._conn.execute("COMMIT")

    # ---- meta -------------------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @staticmethod
    def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # ---- innovations ------------------------------------------------------------------------------------
    def innovations(self) -> list[StoredInnovation]:
        """Every innovation row, without its stored terms (only index builds read those, and at 100k
        innovations decoding them costs a gigabyte)."""
        rows = self._conn.execute("SELECT rid, record, text_hash FROM innovations ORDER BY rid")
        return [StoredInnovation(r[0], json.loads(r[1]), r[2]) for r in rows]

    def records(self, rids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """rid -> record of these innovations (unknown rids are absent)."""
        rows = self._rows_in("SELECT rid, record FROM innovations WHERE rid IN ({})", (), list(rids))
        return {int(rid): json.loads(record) for rid, record in rows}

    def _rows_in(self, sql: str, params: tuple, values: Sequence[Any]) -> Iterator[tuple]:
        """Rows of ``sql`` (its ``{}`` is an ``IN`` list) for every value, asked 900 at a time: SQLite caps the
        number of parameters in one statement."""
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            yield from self._conn.execute(sql.format(",".join("?" * len(chunk))), (*params, *chunk))

    def stored_terms(self) -> tuple[list[int], list[list[str]]]:
        """(rids, lexical terms) of every innovation in rid order, each distinct term one string object
        (decoded as is, 100k innovations' terms took ~1 GB)."""
        rids, terms = [], []
        for rid, doc in self._conn.execute("SELECT rid, terms FROM innovations ORDER BY rid"):
            rids.append(int(rid))
            terms.append([sys.intern(t) for t in json.loads(doc)])
        return rids, terms

    def innovation_hashes(self) -> dict[str, tuple[int, str]]:
        """id -> (rid, text_hash), to decide what changed without loading records."""
        rows = self._conn.execute("SELECT id, rid, text_hash FROM innovations").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    @staticmethod
    def upsert_innovation(
        conn: sqlite3.Connection, record: dict[str, Any], hash_: str, terms: list[str]
    ) -> int:
        """Insert or update by id, keeping the rid stable; returns the rid."""
        conn.execute(
            "INSERT INTO innovations(id, record, text_hash, terms, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET record=excluded.record, text_hash=excluded.text_hash, "
            "terms=excluded.terms, updated_at=excluded.updated_at",
            (record["id"], json.dumps(record, ensure_ascii=False), hash_, json.dumps(terms), time.time()),
        )
        return int(conn.execute("SELECT rid FROM innovations WHERE id = ?", (record["id"],)).fetchone()[0])

    @staticmethod
    def delete_innovations(conn: sqlite3.Connection, ids: Iterable[str]) -> list[int]:
        """Delete by id; returns the rids removed."""
        rids = []
        for id_ in ids:
            row = conn.execute("DELETE FROM innovations WHERE id = ? RETURNING rid", (id_,)).fetchone()
            if row:
                rids.append(int(row[0]))
        return rids

    # ---- gaps -------------------------------------------------------------------------------------------
    def gaps(self, region_code: str | None = None) -> list[dict[str, Any]]:
        if region_code is None:
            rows = self._conn.execute("SELECT record FROM gaps ORDER BY id").fetchall()
        else:
            rows = self._conn.execute(
                "SELECT record FROM gaps WHERE region_code = ? ORDER BY id", (region_code,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def gap(self, gap_id: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT record FROM gaps WHERE id = ?", (gap_id,)).fetchone()
        return json.loads(row[0]) if row else None

    @staticmethod
    def upsert_gap(conn: sqlite3.Connection, record: dict[str, Any], hash_: str) -> None:
        conn.execute(
            "INSERT INTO gaps(id, region_code, record, text_hash, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET region_code=excluded.region_code, record=excluded.record, "
            "text_hash=excluded.text_hash, updated_at=excluded.updated_at",
            (record["id"], record["region_code"], json.dumps(record, ensure_ascii=False), hash_, time.time()),
        )

    @staticmethod
    def delete_gap(conn: sqlite3.Connection, gap_id: str) -> bool:
        return conn.execute("DELETE FROM gaps WHERE id = ?", (gap_id,)).rowcount > 0

    # ---- shortlist decisions (history kept; the latest per region and innovation counts) ------------------
    def add_decision(self, region_code: str, innovation_id: str, decision: str, note: str = "", who: str = "",
                     account: str = "") -> dict[str, Any]:
        """Record a decision and return it as stored (the shape of :meth:`decisions`); ``who`` is the person as
        written, ``account`` the API account that made it."""
        with self.transaction() as conn:
            row = conn.execute(
                "INSERT INTO shortlist(region_code, innovation_id, decision, note, who, account, created_at) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {', '.join(_DECISION_FIELDS)}",
                (region_code, innovation_id, decision, note, who, account, time.time()),
            ).fetchone()
        return dict(zip(_DECISION_FIELDS, row, strict=True))

    def decisions(self, region_code: str) -> list[dict[str, Any]]:
        """Current decision per innovation for a region (latest wins, an undo leaves none), oldest first."""
        rows = self._conn.execute(
            f"SELECT {', '.join(_DECISION_FIELDS)} FROM shortlist s "
            "WHERE region_code = ? AND seq = (SELECT MAX(seq) FROM shortlist t WHERE t.region_code = s.region_code "
            "AND t.innovation_id = s.innovation_id) AND decision != ? ORDER BY seq",
            (region_code, UNDONE),
        ).fetchall()
        return [dict(zip(_DECISION_FIELDS, r, strict=True)) for r in rows]

    def replicated(self, region_code: str) -> set[str]:
        """Innovations this region has already replicated: never recommended to it again."""
        return {d["innovation_id"] for d in self.decisions(region_code) if d["decision"] == "replicated"}

    def gap_counts(self) -> dict[str, int]:
        """region code -> number of stored gaps, for listing regions without loading gap records."""
        return dict(self._conn.execute("SELECT region_code, COUNT(*) FROM gaps GROUP BY region_code").fetchall())

    # ---- API accounts (only a salted hash of each key is stored; see matcher.accounts) -------------------
    _ACCOUNT = "key_id, name, role, salt, key_hash, params, created_at"

    def add_account(self, row: dict[str, Any]) -> None:
        """Insert an account row (keys of ``_ACCOUNT``); sqlite3.IntegrityError when the name is taken."""
        with self.transaction() as conn:
            conn.execute(f"INSERT INTO accounts({self._ACCOUNT}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         tuple(row[k] for k in self._ACCOUNT.split(", ")))

    def account(self, key_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(f"SELECT {self._ACCOUNT} FROM accounts WHERE key_id = ?", (key_id,)).fetchone()
        return dict(zip(self._ACCOUNT.split(", "), row, strict=True)) if row else None

    def accounts(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(f"SELECT {self._ACCOUNT} FROM accounts ORDER BY name").fetchall()
        return [dict(zip(self._ACCOUNT.split(", "), r, strict=True)) for r in rows]

    def delete_account(self, name: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM accounts WHERE name = ?", (name,)).rowcount > 0

    # ---- embedding cache --------------------------------------------------------------------------------
    def cached_vectors(self, model: str, kind: str, hashes: Sequence[str], dim: int) -> tuple[np.ndarray, np.ndarray]:
        """Vectors already embedded for these text hashes: ``(vectors, found)`` of shapes (len(hashes), dim)
        and (len(hashes),); rows not found are zero. Rows go straight into one array: at 100k texts a dict of
        small arrays held twice the memory."""
        out = np.zeros((len(hashes), dim), dtype=np.float32)
        found = np.zeros(len(hashes), dtype=bool)
        rows_of: dict[str, list[int]] = {}
        for i, h in enumerate(hashes):
            rows_of.setdefault(h, []).append(i)
        sql = "SELECT text_hash, vector FROM embeddings WHERE model = ? AND kind = ? AND text_hash IN ({})"
        for h, blob in self._rows_in(sql, (model, kind), list(rows_of)):
            if len(blob) == 4 * dim:
                at = rows_of[h]
                out[at] = np.frombuffer(blob, dtype=np.float32)
                found[at] = True
        return out, found

    def cache_vectors(self, model: str, kind: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings(model, kind, text_hash, vector) VALUES (?, ?, ?, ?)",
                [(model, kind, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors, strict=False)],
            )

    # ---- index generations ------------------------------------------------------------------------------
    def current_generation(self) -> Path | None:
        """Folder of the index that matches the committed records, or None before the first build."""
        name = self.get_meta("generation")
        return self.home / "index" / name if name else None

    def new_generation(self) -> Path:
        """A fresh folder to write the next index into; it becomes current only via :meth:`commit_generation`."""
        name = f"g{time.time_ns()}"
        path = self.home / "index" / name
        path.mkdir(parents=True)
        return path

    def commit_generation(self, conn: sqlite3.Connection, path: Path) -> None:
        """Point the store at ``path``; call inside the transaction that wrote the matching records."""
        self.set_meta(conn, "generation", path.name)

    def prune_generations(self, keep: int = 2) -> None:
        """Remove old and orphaned index folders, keeping the current one and the newest few before it."""
        current = self.get_meta("generation")
        folders = sorted((p for p in (self.home / "index").iterdir() if p.is_dir()), key=lambda p: p.name)
        if current is None:
            return
        older = [p for p in folders if p.name < current]
        newer = [p for p in folders if p.name > current]  # orphans of a crashed write
        for p in older[: max(0, len(older) - (keep - 1))] + newer:
            shutil.rmtree(p, ignore_errors=True)

    # ---- exclusive writer lock --------------------------------------------------------------------------
    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """One index writer at a time; a second one is refused with a clear message instead of waiting."""
        lock_path = self.home / "index.lock"
        with open(lock_path, "a+") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise StoreError(
                    f"another 'matcher index' (or update) is writing to {self.home}; wait for it to finish"
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
