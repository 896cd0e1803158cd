"""The store under ``MATCHER_HOME``: SQLite for records and the embedding cache, index files in generations.

Index files (FAISS, BM25, manifest) are written into a fresh ``index/<generation>/`` folder; the SQLite row that
names the current generation is updated in the same transaction as the records it indexes. A crash at any
point therefore leaves either the old records with the old index or the new records with the new index.
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from matcher.errors import StoreError
from matcher.store.accounts import AccountRepository
from matcher.store.decisions import DecisionRepository, allow_undo
from matcher.store.embeddings import EmbeddingCache
from matcher.store.generations import Generations
from matcher.store.records import GapRepository, InnovationRepository
from matcher.store.replications import SCHEMA as REPLICATIONS_SCHEMA
from matcher.store.replications import ReplicationRepository

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
""" + REPLICATIONS_SCHEMA  # the append-only replication steps (matcher.store.replications)
# Columns added after a table first shipped: (table, column, declaration), added on open when missing.
MIGRATIONS = (("shortlist", "account", "TEXT NOT NULL DEFAULT ''"),)


class Store:
    """The SQLite file and the index folders under one home, with a typed repository per table.

    ``innovations``, ``gaps``, ``decisions``, ``replications``, ``accounts``, ``embeddings`` and ``generations`` each own their
    table (or folders); this class owns the connection, transactions and the writer lock they share.
    """

    DB_NAME = "matcher.db"

    def __init__(self, home: Path):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "index").mkdir(exist_ok=True)
        self.db_path = self.home / self.DB_NAME
        self._conn = self._connect()
        self.innovations = InnovationRepository(self)
        self.gaps = GapRepository(self)
        self.decisions = DecisionRepository(self)
        self.replications = ReplicationRepository(self)
        self.accounts = AccountRepository(self)
        self.embeddings = EmbeddingCache(self)
        self.generations = Generations(self)

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

    @property
    def connection(self) -> sqlite3.Connection:
        """The shared connection, for the repositories' reads (writes go through :meth:`transaction`)."""
        return self._conn

    def rows_in(self, sql: str, params: tuple, values: Sequence[Any]) -> Iterator[tuple]:
        """Rows of ``sql`` (its ``{}`` is an ``IN`` list) for every value, asked 900 at a time: SQLite caps the
        number of parameters in one statement."""
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            yield from self._conn.execute(sql.format(",".join("?" * len(chunk))), (*params, *chunk))

    # ---- meta -------------------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @staticmethod
    def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

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
