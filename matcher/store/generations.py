"""Index generations: immutable folders of index files, and the one the committed records point at.

Index files (FAISS, BM25, statistics, manifest) are written into a fresh ``index/<generation>/`` folder; the
SQLite row that names the current generation changes in the same transaction as the records it indexes.
A crash at any point leaves either the old records with the old index or the new records with the new one.
:class:`GenerationReader` loads the current one for ranking and keeps it while a caller needs one catalogue.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.engine.catalog import Catalog
from matcher.engine.generation import Generation
from matcher.engine.text import Analyzer
from matcher.errors import StoreError

if TYPE_CHECKING:
    from matcher.store.database import Store


class Generations:
    """The generation folders under ``home/index`` and the ``meta`` row naming the current one."""

    def __init__(self, store: Store):
        self._store = store
        self.root = store.home / "index"

    def current(self) -> Path | None:
        """Folder of the index that matches the committed records, or None before the first build."""
        name = self._store.get_meta("generation")
        return self.root / name if name else None

    def new(self) -> Path:
        """A fresh folder to write the next index into; it becomes current only via :meth:`commit`."""
        path = self.root / f"g{time.time_ns()}"
        path.mkdir(parents=True)
        return path

    def commit(self, conn: sqlite3.Connection, path: Path) -> None:
        """Point the store at ``path``; call inside the transaction that wrote the matching records."""
        self._store.set_meta(conn, "generation", path.name)

    def prune(self, keep: int = 2) -> None:
        """Remove old and orphaned index folders, keeping the current one and the newest few before it."""
        current = self._store.get_meta("generation")
        if current is None:
            return
        folders = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.name)
        older = [p for p in folders if p.name < current]
        newer = [p for p in folders if p.name > current]  # orphans of a crashed write
        for p in older[: max(0, len(older) - (keep - 1))] + newer:
            shutil.rmtree(p, ignore_errors=True)


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text())


class GenerationReader:
    """The current generation, loaded once and reloaded when another writer committed a newer one.

    Inside :meth:`pinned` every read uses the generation the first read found, even when another process
    commits a newer one meanwhile, so one answer or one batch never mixes two catalogues.
    ``check_manifest`` refuses a generation built under other index settings.
    """

    def __init__(self, store: Store, analyzer: Analyzer, nprobe: int,
                 check_manifest: Callable[[dict[str, Any]], None]):
        self.store, self.analyzer, self.nprobe, self.check_manifest = store, analyzer, nprobe, check_manifest
        self._loaded: Generation | None = None
        self._pins = 0  # depth of pinned() blocks
        self._pinned: Generation | None = None

    def get(self) -> Generation:
        """The generation to rank against now."""
        if self._pinned is not None:
            return self._pinned
        with self.store.snapshot():  # the generation and the records it indexes, from one committed state
            current = self.store.generations.current()
            if current is None:
                raise StoreError(f"no index in {self.store.home}: run 'matcher index' first")
            if self._loaded is None or self._loaded.name != current.name:
                self._loaded = self._load(current)
        if self._pins:
            self._pinned = self._loaded
        return self._loaded

    def _load(self, folder: Path) -> Generation:
        self.check_manifest(read_manifest(folder))
        stored = self.store.innovations.all()
        catalog = Catalog([s.rid for s in stored], [s.innovation for s in stored])
        return Generation.load(folder, catalog, self.nprobe, self.analyzer)

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        """Every :meth:`get` inside returns one generation; blocks nest."""
        self._pins += 1
        try:
            yield
        finally:
            self._pins -= 1
            if not self._pins:
                self._pinned = None

    def forget(self) -> None:
        """Drop the loaded generation (an index write reloads it after anyway: a lower peak meanwhile)."""
        if not self._pins:
            self._loaded = None

    def reset(self) -> None:
        """After this process wrote a new generation: the next read loads it, pinned or not."""
        self._loaded = self._pinned = None
