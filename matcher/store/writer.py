"""Writing records and a matching index generation in one atomic step.

Unchanged texts are neither re-analysed nor re-embedded; BM25 is updated in place of a rebuild when it can
be, and the vector index reuses the previous generation's vectors. The records and the pointer to the new
generation are committed in one SQLite transaction (see :mod:`matcher.store.generations`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from matcher.data.records import Gap, Innovation, text_hash
from matcher.engine.bm25 import LexicalIndex
from matcher.engine.generation import SECTORS_FILE
from matcher.engine.grouping import GroupParams
from matcher.engine.ranker import DEFAULT_RANKER, RANKER_FILE, RankerModel
from matcher.engine.sectors import SectorModel
from matcher.engine.text import Analyzer
from matcher.engine.vectors import VectorIndex, ivf_lists, kind_for_size
from matcher.errors import NotFoundError, StoreError
from matcher.store.database import Store
from matcher.store.embeddings import PASSAGE, QUERY, Embedder
from matcher.store.generations import read_manifest
from matcher.store.grouping import write_groups


def corpus_hash(rows: Sequence[tuple]) -> str:
    """Fingerprint of the indexed corpus from (rid, text_hash) rows in rid order; the manifest keeps it."""
    return hashlib.sha256("".join(f"{r[0]}:{r[1]};" for r in rows).encode()).hexdigest()[:16]


def _moments(vectors: np.ndarray, chunk: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the rows, accumulated in chunks: ``np.cov`` would copy 100k x 384 vectors
    to float64 (300 MB) at once."""
    mean = vectors.mean(axis=0, dtype=np.float64)
    cov = np.zeros((vectors.shape[1], vectors.shape[1]))
    for start in range(0, len(vectors), chunk):
        centred = vectors[start : start + chunk] - mean
        cov += centred.T @ centred
    return mean, cov / max(len(vectors) - 1, 1)


@dataclass
class IndexReport:
    """What an index run did; ``embedded`` counts texts sent to the encoder (0 when nothing changed)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    gaps: int = 0
    embedded: int = 0
    groups: int = 0  # near-duplicate groups in the new generation
    pairs_scored: int = 0  # pairs the grouping scored: all neighbours on a full pass, the changed ones' on an update
    seconds: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Changes:
    """What one write changes: innovations whose text changed (with their terms and vectors), those whose
    record alone changed, ids removed, and the gaps written or deleted."""

    changed: list[Innovation]
    terms: list[list[str]]
    vectors: np.ndarray
    metadata_only: list[Innovation]
    removed_ids: set[str]
    gaps: list[Gap]
    replace_gaps: bool
    delete_gaps: Sequence[str]


class IndexWriter:
    """Writes innovations, gaps and index generations into a store.

    ``fingerprint`` is what the index settings are (recorded in the manifest; a generation built under other
    ones is rebuilt), and ``ann_threshold``/``nprobe`` choose and tune the vector index kind.
    """

    def __init__(self, store: Store, analyzer: Analyzer, embedder: Embedder, fingerprint: dict[str, Any],
                 ann_threshold: int, nprobe: int, group_params: GroupParams | None = None):
        self.store, self.analyzer, self.embedder = store, analyzer, embedder
        self.group_params = group_params or GroupParams()
        self._progress = False
        self.fingerprint = fingerprint
        self.ranker_file: Path | None = None  # a newly trained ranker for the next generation (``matcher learn``)
        self.ann_threshold, self.nprobe = ann_threshold, nprobe

    def built_alike(self, manifest: dict[str, Any]) -> bool:
        """True when ``manifest`` was written under the current index settings."""
        return {k: manifest.get(k) for k in self.fingerprint} == self.fingerprint

    def write(
        self,
        innovations: Sequence[Innovation] | None = None,
        gaps: Sequence[Gap] | None = None,
        replace: bool = True,
        rebuild: bool = False,
        delete_innovations: Sequence[str] = (),
        delete_gaps: Sequence[str] = (),
        progress: bool = False,
        before: Callable[[], None] = lambda: None,
        within: Callable[[sqlite3.Connection], None] | None = None,
    ) -> IndexReport:
        """Write records and a matching index generation in one atomic step (see ``Matcher.index``).

        ``before`` runs once the writer lock is held (the caller frees its loaded generation there); ``within``
        runs first inside the write transaction.
        """
        started = time.perf_counter()
        report = IndexReport()
        self._progress = progress
        store = self.store
        with store.writer_lock():
            before()
            current = store.generations.current()
            if current is not None and not rebuild and not self.built_alike(read_manifest(current)):
                rebuild = True
            existing = store.innovations.hashes()
            incoming = {inv.id: inv for inv in (innovations or [])}
            removed_ids = set(delete_innovations) & set(existing)
            if replace and innovations is not None:
                removed_ids |= set(existing) - set(incoming)
            changed = [inv for inv in incoming.values()
                       if rebuild or inv.id not in existing or existing[inv.id][1] != text_hash(inv.text)
                       or inv.id in removed_ids]
            changed_ids = {inv.id for inv in changed}
            metadata_only = [inv for inv in incoming.values() if inv.id not in changed_ids]
            report.removed = len(removed_ids)
            report.added = sum(1 for inv in changed if inv.id not in existing)
            report.updated = len(changed) - report.added
            report.unchanged = len(metadata_only)
            del existing, incoming, changed_ids  # ~30 MB at 100k that the index build below need not carry

            terms = self.analyzer.terms_many([inv.text for inv in changed])
            vectors, report.embedded = self.embedder.embed([self.embedder.passage_text(inv) for inv in changed], PASSAGE,
                                                           progress)
            gap_list = list(gaps or [])
            _, gap_embedded = self.embedder.embed([g.text for g in gap_list], QUERY, progress)
            report.embedded += gap_embedded
            report.gaps = len(gap_list)

            plan = _Changes(changed, terms, vectors, metadata_only, removed_ids, gap_list,
                            replace and gaps is not None, delete_gaps)
            del terms, vectors  # the plan holds them, and lets them go once the index has them
            folder = store.generations.new()
            try:
                report.manifest = self._commit(folder, current, rebuild, plan, within)
                report.groups, report.pairs_scored = (report.manifest["groups"]["groups"],
                                                       report.manifest["groups"]["pairs_scored"])
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            store.generations.prune()
        report.seconds = time.perf_counter() - started
        return report

    def _commit(self, folder: Path, current: Path | None, rebuild: bool, plan: _Changes,
                within: Callable[[sqlite3.Connection], None] | None) -> dict[str, Any]:
        """The records and the generation in ``folder``, committed in one transaction; returns the manifest."""
        store = self.store
        with store.transaction() as conn:
            if within is not None:
                within(conn)
            removed_rids = store.innovations.delete(conn, plan.removed_ids)
            rids = [store.innovations.upsert(conn, inv, text_hash(inv.text), t)
                    for inv, t in zip(plan.changed, plan.terms, strict=False)]
            for inv in plan.metadata_only:  # same text: keep vectors and terms, refresh the record
                store.innovations.update_record(conn, inv)
            if plan.replace_gaps:
                keep = {g.id for g in plan.gaps}
                for gap_id in store.gaps.ids(conn):
                    if gap_id not in keep:
                        store.gaps.delete(conn, gap_id)
            for gap_id in plan.delete_gaps:
                store.gaps.delete(conn, gap_id)
            for gap in plan.gaps:
                store.gaps.upsert(conn, gap, text_hash(gap.text))
            all_rows = store.innovations.rid_hashes(conn)
            manifest = self._write_generation(folder, current, rebuild, all_rows, rids, plan, removed_rids)
            store.generations.commit(conn, folder)
        return manifest

    def _write_generation(
        self, folder: Path, current: Path | None, rebuild: bool, all_rows: list[tuple], rids: list[int],
        plan: _Changes, removed: Sequence[int] = (),
    ) -> dict[str, Any]:
        """Write vectors, BM25, corpus statistics, stem cache and manifest into ``folder``.

        ``all_rows`` are (rid, text_hash) of every stored innovation in rid order; ``rids`` and the ``plan``'s
        vectors and terms are those of the innovations written now, ``removed`` the rids deleted now. The plan's
        terms and vectors are emptied as soon as BM25 and the vector index hold them: at 100k they are ~220 MB
        that the grouping pass would otherwise carry.
        """
        vectors, terms = plan.vectors, plan.terms
        plan.vectors, plan.terms = np.empty((0, *vectors.shape[1:]), dtype=vectors.dtype), []
        encoder = self.embedder.encoder
        dim = encoder.dim
        all_rids = np.array([r[0] for r in all_rows], dtype=np.int64)
        # BM25 first, before the vector index holds a second copy of the vectors: a lower peak at 100k
        self._lexical(current, rebuild, all_rids, rids, terms, removed).save(folder / "lexical")
        del terms
        kind = kind_for_size(len(all_rids), self.ann_threshold)
        index = None
        if current is not None and not rebuild and (current / "vectors.faiss").exists():
            index = VectorIndex.load(current / "vectors.faiss", nprobe=self.nprobe)
            if index.kind == kind:
                index.remove(np.setdiff1d(index.ids, all_rids))
            else:  # the catalogue crossed the size threshold: a new kind, filled from the cache below
                index = None
        if index is None:
            index = VectorIndex(dim, kind, nlist=ivf_lists(len(all_rids)), nprobe=self.nprobe)
        new_ids = np.array(rids, dtype=np.int64)
        missing = np.setdiff1d(all_rids, np.union1d(index.ids, new_ids))
        if len(missing):  # rows without vectors in the reused index (e.g. a new kind): take them from the cache
            records = self.store.innovations.by_rid(missing.tolist())
            hashes = [text_hash(self.embedder.passage_text(records[int(r)])) for r in missing]
            cached, found = self.store.embeddings.get(encoder.model_id, PASSAGE, hashes, dim)
            if not found.all():
                raise StoreError("embedding cache is missing vectors; run 'matcher index --rebuild'")
            new_ids = np.concatenate([new_ids, missing])
            vectors = np.vstack([vectors.reshape(-1, dim), cached])
        index.upsert(new_ids, vectors)  # one call, so a new IVF index trains on every vector
        del vectors
        index.save(folder / "vectors.faiss")
        exact = index.stored()
        matrix = exact[0] if exact is not None else index.vectors(all_rids)  # row order does not matter here
        if not len(matrix):
            matrix = np.zeros((1, dim), dtype=np.float32)
        mean, cov = _moments(matrix)
        np.savez(folder / "stats.npz", mean=mean.astype(np.float32), cov=cov.astype(np.float32))
        row_rids = exact[1] if exact is not None else all_rids
        self._sector_model(folder, current, rebuild, matrix, row_rids, len(rids) + len(removed))
        grouping = write_groups(folder, current, rebuild, index, all_rids, np.array(rids, dtype=np.int64),
                                np.array(removed, dtype=np.int64), self.group_params, self._progress)
        self.analyzer.save_cache(folder / "stems.json")
        ranker = self._ranker(folder, current)
        manifest = {
            **self.fingerprint,
            "model_id": encoder.model_id,
            "dim": dim,
            "index": index.kind,
            "index_params": {"nlist": ivf_lists(len(all_rids)), "nprobe": self.nprobe} if index.kind == "ivf" else {},
            "ranker": ranker,
            "groups": {"groups": len(grouping.groups()), "pairs_scored": grouping.scored_,
                       "params": asdict(grouping.params)},
            "innovations": len(all_rows),
            "corpus_hash": corpus_hash(all_rows),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "generation": folder.name,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        return manifest

    def _ranker(self, folder: Path, current: Path | None) -> dict[str, Any] | None:
        """The learned ranker of the new generation: the current one's (a retrained ranker stays), else the
        default shipped with matcher. Returns what the manifest records of it."""
        source = current / RANKER_FILE if current is not None else None
        if self.ranker_file is not None:
            source = self.ranker_file
        elif source is None or not source.exists():
            source = DEFAULT_RANKER
        if not source.exists():
            return None
        shutil.copyfile(source, folder / RANKER_FILE)
        model = RankerModel.load(folder / RANKER_FILE)
        return {"features": model.features, "data_hash": model.training.get("data_hash")}

    def _sector_model(self, folder: Path, current: Path | None, rebuild: bool, matrix: np.ndarray,
                      row_rids: np.ndarray, changed: int) -> None:
        """P(sector | vector) trained on the stored vectors; a small edit (at most 1% of the catalogue) keeps
        the current generation's model, so a one-innovation update stays a matter of seconds at 100k."""
        previous = current / SECTORS_FILE if current is not None else None
        if previous is not None and previous.exists() and not rebuild and changed <= 0.01 * len(row_rids):
            shutil.copyfile(previous, folder / SECTORS_FILE)
            return
        if len(row_rids) != len(matrix):
            return  # an empty catalogue
        with contextlib.suppress(ValueError):  # fewer than two sectors: no sector evidence
            SectorModel().fit(matrix, self.store.innovations.sectors(row_rids.tolist())).save(folder / SECTORS_FILE)

    def _lexical(self, current: Path | None, rebuild: bool, all_rids: np.ndarray, rids: list[int],
                 terms: list[list[str]], removed: Sequence[int]) -> LexicalIndex:
        """BM25 of the new generation: the current one updated with what changed (exact; only the changed
        innovations' terms are read, ~0.3 s at 100k), else built from every stored term list."""
        as_ids = partial(np.asarray, dtype=np.int64)
        if current is not None and not rebuild:
            with contextlib.suppress(StoreError):  # an older format or a damaged folder: build it whole below
                return LexicalIndex.load(current / "lexical").updated(as_ids(removed), as_ids(rids), terms)
        if len(rids) == len(all_rids) and set(rids) == set(all_rids.tolist()):
            return LexicalIndex().build(as_ids(rids), terms)
        stored_rids, stored_terms = self.store.innovations.terms()
        return LexicalIndex().build(as_ids(stored_rids), stored_terms)

    def save_gaps(self, gaps: Sequence[Gap]) -> int:
        """Store (insert or replace) gap statements, embedding them now so recommendations never wait on it.

        Gaps are not part of the innovation index, so no new generation is written; returns texts embedded.
        """
        _, embedded = self.embedder.embed([g.text for g in gaps], QUERY, progress=False)
        with self.store.transaction() as conn:
            for gap in gaps:
                self.store.gaps.upsert(conn, gap, text_hash(gap.text))
        return embedded

    def delete_gap(self, gap_id: str) -> None:
        """Remove one gap statement; NotFoundError when there is none with that id."""
        with self.store.transaction() as conn:
            if not self.store.gaps.delete(conn, gap_id):
                raise NotFoundError(f"gap '{gap_id}' not found")
