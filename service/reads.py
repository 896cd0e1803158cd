"""Cheap reads without the engine: ``/health`` and the listing routes never wait for expensive work.

The engine's ``Matcher`` is used by one request at a time (``service.limits.WorkQueue``). Listings need only
records and the loaded catalogue, so they read through a second SQLite connection of their own, shared by
threads one call at a time, and through the catalogue of the last index generation the engine loaded
(immutable once loaded). Only when another generation was committed does the next read load it on the engine,
once, through the queue.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi.concurrency import run_in_threadpool

from matcher import Catalog, Gap, Innovation, Matcher, Store, normalize
from matcher.config import Settings
from matcher.errors import NotFoundError, StoreError
from service.limits import WorkQueue


class SharedStore:
    """A store connection of its own (or one of its repositories), shared by threads: one call at a time, each
    a short read. ``store.gaps.of_region(code)`` takes the one lock for that call."""

    def __init__(self, target: Any, lock: threading.Lock | None = None):
        self._target = target
        self._lock = lock or threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return SharedStore(attribute, self._lock)  # a repository: its methods take the same lock

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return locked


@dataclass
class View:
    """One loaded index generation: its name, manifest and catalogue."""

    generation: str
    manifest: dict[str, Any]
    catalog: Catalog
    ranker_bands: dict[str, float] | None = None  # the learned ranker's band thresholds, when it has one
    _search: list[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def search_texts(self) -> list[str]:
        """Normalised ``id title description institution`` of each catalogue position, made once per generation,
        so a catalogue search normalises each innovation once, not once per query word."""
        with self._lock:
            if self._search is None:
                self._search = [normalize(f"{inv.id} {inv.title} {inv.description} {inv.institution or ''}")
                                for inv in self.catalog.innovations]
            return self._search


class Snapshot:
    """What a listing route reads, with the names a ``Matcher`` has: ``regions``, ``catalog``, ``gaps()``,
    ``gap()``, ``gap_counts()``, ``decisions``, ``replications``, ``innovation()``. ``catalog`` raises StoreError
    when there is no usable index."""

    def __init__(self, reads: Reads, view: View | None, problem: StoreError | None):
        self.settings, self.regions, self.store = reads.settings, reads.regions, reads.store
        self.view, self._problem = view, problem

    @property
    def catalog(self) -> Catalog:
        if self.view is None:
            raise self._problem or StoreError("no usable index")
        return self.view.catalog

    def gaps(self, region_code: str | None = None) -> list[Gap]:
        return self.store.gaps.of_region(region_code)

    def gap(self, gap_id: str) -> Gap | None:
        return self.store.gaps.get(gap_id)

    def gap_counts(self) -> dict[str, int]:
        return self.store.gaps.counts()

    @property
    def decisions(self) -> Any:
        """The decision repository (``current``, ``history``, ``by_innovation``, ``replicated``), locked per call."""
        return self.store.decisions

    @property
    def replications(self) -> Any:
        """The replication steps (``history``, ``latest``, ``replicated``), locked per call."""
        return self.store.replications

    def innovation(self, innovation_id: str) -> Innovation:
        catalog = self.catalog
        if innovation_id not in catalog.by_id:
            raise NotFoundError(f"innovation '{innovation_id}' not found")
        return catalog.innovations[catalog.by_id[innovation_id]]


class Reads:
    """The lock-free side of the service; ``snapshot()`` is what each listing request gets."""

    def __init__(self, settings: Settings, matcher: Matcher, work: WorkQueue):
        self.settings, self.regions = settings, matcher.regions
        self.store: Any = SharedStore(Store(settings.home))
        self._matcher, self._work = matcher, work
        self._view: View | None = None
        self._problem: tuple[str, StoreError] | None = None  # generation that failed to load, and why

    def generation(self) -> str | None:
        path = self.store.generations.current()
        return path.name if path is not None else None

    async def snapshot(self) -> Snapshot:
        """Records now, and the catalogue of the current generation (loaded on the engine when it changed)."""
        generation = self.generation()
        if generation is None:
            return Snapshot(self, None, StoreError(f"no index in {self.settings.home}: run 'matcher index' first"))
        view = self._view
        if view is None or view.generation != generation:
            if self._problem is not None and self._problem[0] == generation:
                return Snapshot(self, None, self._problem[1])
            async with self._work.slot():
                try:
                    view = await run_in_threadpool(self._load)
                except StoreError as exc:
                    self._problem = (generation, exc)
                    return Snapshot(self, None, exc)
        return Snapshot(self, view, None)

    def _load(self) -> View:
        """On the engine, under the queue: the generation the matcher loads now."""
        m = self._matcher
        with m.pinned():
            manifest = m.manifest
            view = self._view
            if view is None or view.generation != manifest.get("generation", ""):
                ranker = m.generation.ranker
                view = self._view = View(manifest.get("generation", ""), manifest, m.catalog,
                                         dict(ranker.bands) if ranker is not None else None)
        return view
