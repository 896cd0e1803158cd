"""The one place that wires the parts: store, encoder, analyser, vector and lexical indexes, fusion, explanation.

``Matcher.index`` writes records and a new index generation atomically; ``Matcher.match_many`` ranks texts.
Everything else (regency recommendations, batch runs, the service) calls these.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numpy as np

from matcher.catalog import Catalog, Filters
from matcher.config import Settings, get_settings
from matcher.corpus import Gap, Innovation
from matcher.encoders import Encoder, load_encoder
from matcher.errors import NotFoundError, StoreError
from matcher.explain import best_sentence, matched_surfaces
from matcher.fusion import ChannelScores, fuse
from matcher.index import VectorIndex, ivf_lists, kind_for_size
from matcher.lexical import LexicalIndex
from matcher.query_cache import TextLRU, VectorLRU
from matcher.regions import Regions
from matcher.store import Store, text_hash
from matcher.text import Analyzer, clean_for_dense

Channels = Literal["hybrid", "dense", "lexical"]
PASSAGE, QUERY = "passage", "query"
F = TypeVar("F", bound=Callable[..., Any])


def _corpus_hash(rows: Sequence[tuple]) -> str:
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


def one_generation(fn: F) -> F:
    """Decorator for functions whose first argument is a Matcher: every read inside uses the index generation
    the first read found (:meth:`Matcher.pinned`), so one answer or one batch never mixes two catalogues."""
    @functools.wraps(fn)
    def wrapper(matcher: Matcher, *args: Any, **kwargs: Any) -> Any:
        with matcher.pinned():
            return fn(matcher, *args, **kwargs)
    return cast(F, wrapper)


@dataclass(frozen=True)
class Match:
    """One ranked innovation for a query, with every score part and the evidence a mentor reads."""

    innovation: Innovation
    rank: int
    score: float
    dense: float
    lexical: float
    matched_terms: list[str]
    best_sentence: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["innovation"] = self.innovation.to_dict()
        return out


@dataclass
class IndexReport:
    """What an index run did; ``embedded`` counts texts sent to the encoder (0 when nothing changed)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    gaps: int = 0
    embedded: int = 0
    seconds: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Loaded:
    generation: str
    manifest: dict[str, Any]
    catalog: Catalog
    vectors: VectorIndex
    lexical: LexicalIndex
    lexical_pos: np.ndarray  # catalog position -> position in the lexical score array
    mean: np.ndarray
    cov: np.ndarray
    matrix: np.ndarray | None = None  # exact index: every stored vector (a view), rows in index order
    matrix_rows: np.ndarray | None = None  # catalog position -> row of ``matrix``


class Matcher:
    """Hybrid (dense + BM25) matcher over the store in ``settings.home``."""

    def __init__(
        self,
        settings: Settings | None = None,
        encoder: Encoder | None = None,
        regions: Regions | None = None,
    ):
        self.settings = settings or get_settings()
        self.store = Store(self.settings.home)
        self.regions = regions or Regions.load(self.settings.corpus_dir / "regions")
        self.analyzer = Analyzer(stemmer=self.settings.stemmer)
        # explanations analyse the same innovation texts and sentences again and again: remember the last ones
        self._term_set = lru_cache(maxsize=16_384)(lambda text: frozenset(self.analyzer.terms(text)))
        # stored gap statements are ranked again on every recommendation request: keep their analyses (bounded
        # by characters, since free texts of 5,000 characters pass through here too)
        self.analyze = TextLRU(self.analyzer.analyze, max_chars=1_000_000)
        self._encoder = encoder
        self.query_vectors = VectorLRU(self.settings.query_vector_cache_size)  # free texts, never stored
        self._loaded: _Loaded | None = None
        self._pins = 0  # depth of pinned() blocks
        self._pinned: _Loaded | None = None  # the generation every read inside them uses

    # ---- parts ------------------------------------------------------------------------------------------
    @property
    def encoder(self) -> Encoder:
        """The dense encoder, loaded on first use (loading takes a moment; listing records needs none)."""
        if self._encoder is None:
            s = self.settings
            self._encoder = load_encoder(s.model, s.batch_size, s.query_prompt, s.passage_prompt)
        return self._encoder

    def _settings_fingerprint(self) -> dict[str, Any]:
        s = self.settings
        return {"model": s.model, "query_prompt": s.query_prompt, "passage_prompt": s.passage_prompt,
                "stemmer": s.stemmer, "embed_title": s.embed_title}

    def _state(self) -> _Loaded:
        """The current index generation, reloaded when another writer committed a newer one (inside
        :meth:`pinned`, the one the first read found)."""
        if self._pinned is not None:
            return self._pinned
        with self.store.snapshot():  # the generation and the records it indexes, from one committed state
            current = self.store.current_generation()
            if current is None:
                raise StoreError(f"no index in {self.settings.home}: run 'matcher index' first")
            if self._loaded is None or self._loaded.generation != current.name:
                self._loaded = self._load(current)
        if self._pins:
            self._pinned = self._loaded
        return self._loaded

    @contextlib.contextmanager
    def pinned(self) -> Iterator[Matcher]:
        """Every read inside uses one index generation, even when another process commits a newer one meanwhile,
        so one answer never mixes two catalogues. This Matcher's own ``index()`` still shows at once."""
        self._pins += 1
        try:
            yield self
        finally:
            self._pins -= 1
            if not self._pins:
                self._pinned = None

    def _load(self, folder: Path) -> _Loaded:
        manifest = json.loads((folder / "manifest.json").read_text())
        wanted = self._settings_fingerprint()
        built = {k: manifest.get(k) for k in wanted}
        if built != wanted:
            diff = ", ".join(f"{k}: built with {built[k]!r}, asked for {wanted[k]!r}" for k in wanted
                             if built[k] != wanted[k])
            raise StoreError(
                f"the index in {self.settings.home} was built with other settings ({diff}); rebuild it with "
                f"'matcher index --rebuild' under the current settings, or restore the settings it was built with"
            )
        stored = self.store.innovations()
        catalog = Catalog([s.rid for s in stored], [Innovation.from_dict(s.record) for s in stored])
        vectors = VectorIndex.load(folder / "vectors.faiss", nprobe=self.settings.ivf_nprobe)
        lexical = LexicalIndex.load(folder / "lexical")
        lexical_pos = np.array([lexical.position_[int(r)] for r in catalog.rids], dtype=np.int64)
        stats = np.load(folder / "stats.npz")
        stems = folder / "stems.json"
        if stems.exists():
            self.analyzer.load_cache(stems)
        loaded = _Loaded(folder.name, manifest, catalog, vectors, lexical, lexical_pos, stats["mean"], stats["cov"])
        exact = vectors.stored()
        if exact is not None:
            loaded.matrix, ids = exact
            order = np.argsort(ids)
            loaded.matrix_rows = order[np.searchsorted(ids, catalog.rids, sorter=order)]
        return loaded

    @property
    def catalog(self) -> Catalog:
        return self._state().catalog

    @property
    def manifest(self) -> dict[str, Any]:
        return self._state().manifest

    def innovation(self, innovation_id: str) -> Innovation:
        catalog = self.catalog
        if innovation_id not in catalog.by_id:
            raise NotFoundError(f"innovation '{innovation_id}' not found")
        return catalog.innovations[catalog.by_id[innovation_id]]

    def check(self) -> list[str]:
        """Problems that make the index disagree with the records (empty when consistent).

        Compares the committed records with the current generation: the same ids in SQLite, FAISS and BM25,
        the corpus hash of the manifest, and the settings it was built with.
        """
        folder = self.store.current_generation()
        if folder is None:
            return [f"no index in {self.settings.home}: run 'matcher index'"]
        problems = []
        try:
            state = self._state()
        except (StoreError, OSError, ValueError, KeyError) as exc:
            return [f"the index cannot be loaded ({exc}): run 'matcher index --rebuild'"]
        rows = sorted(self.store.innovation_hashes().values())
        rids = np.array([r[0] for r in rows], dtype=np.int64)
        if not np.array_equal(np.sort(state.vectors.ids), rids):
            problems.append("the vector index and the records hold different innovations")
        if not np.array_equal(np.sort(state.lexical.ids_), rids):
            problems.append("the lexical index and the records hold different innovations")
        corpus_hash = _corpus_hash(rows)
        if state.manifest.get("corpus_hash") != corpus_hash:
            problems.append("the manifest's corpus hash does not match the records")
        if problems:
            problems.append("repair with 'matcher index --rebuild' (cached vectors make it quick)")
        return problems

    # ---- writing ----------------------------------------------------------------------------------------
    def index(
        self,
        innovations: Sequence[Innovation] | None = None,
        gaps: Sequence[Gap] | None = None,
        replace: bool = True,
        rebuild: bool = False,
        delete_innovations: Sequence[str] = (),
        delete_gaps: Sequence[str] = (),
        progress: bool = False,
    ) -> IndexReport:
        """Write records and a matching index generation in one atomic step.

        ``replace=True`` makes ``innovations`` the whole corpus (records absent from it are removed);
        ``replace=False`` upserts them. Unchanged texts are neither re-analysed nor re-embedded.
        ``rebuild=True`` starts the index from scratch (needed after changing the model or stemmer).
        """
        started = time.perf_counter()
        report = IndexReport()
        with self.store.writer_lock():
            if not self._pins:  # it is reloaded after the write anyway: free it first, for a lower peak
                self._loaded = None
            current = self.store.current_generation()
            if current is not None and not rebuild:
                manifest = json.loads((current / "manifest.json").read_text())
                if {k: manifest.get(k) for k in self._settings_fingerprint()} != self._settings_fingerprint():
                    rebuild = True
            existing = self.store.innovation_hashes()
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

            terms = self.analyzer.terms_many([inv.text for inv in changed])
            vectors, report.embedded = self.embed([self.dense_text(inv) for inv in changed], PASSAGE, progress)
            gap_list = list(gaps or [])
            _, gap_embedded = self.embed([g.text for g in gap_list], QUERY, progress)
            report.embedded += gap_embedded
            report.gaps = len(gap_list)

            folder = self.store.new_generation()
            with self.store.transaction() as conn:
                removed_rids = self.store.delete_innovations(conn, removed_ids)
                rids = [self.store.upsert_innovation(conn, inv.to_dict(), text_hash(inv.text), t)
                        for inv, t in zip(changed, terms, strict=False)]
                for inv in metadata_only:  # same text: keep vectors and terms, refresh the record
                    conn.execute("UPDATE innovations SET record = ? WHERE id = ?",
                                 (json.dumps(inv.to_dict(), ensure_ascii=False), inv.id))
                if replace and gaps is not None:
                    keep = {g.id for g in gap_list}
                    for row in conn.execute("SELECT id FROM gaps").fetchall():
                        if row[0] not in keep:
                            self.store.delete_gap(conn, row[0])
                for gap_id in delete_gaps:
                    self.store.delete_gap(conn, gap_id)
                for gap in gap_list:
                    self.store.upsert_gap(conn, gap.to_dict(), text_hash(gap.text))
                all_rows = conn.execute("SELECT rid, text_hash FROM innovations ORDER BY rid").fetchall()
                report.manifest = self._write_generation(folder, current, rebuild, all_rows, rids, vectors, terms,
                                                         removed_rids)
                self.store.commit_generation(conn, folder)
            self.store.prune_generations()
        self._loaded = self._pinned = None
        report.seconds = time.perf_counter() - started
        return report

    def _write_generation(
        self, folder: Path, current: Path | None, rebuild: bool, all_rows: list[tuple], rids: list[int],
        vectors: np.ndarray, terms: list[list[str]], removed: Sequence[int] = (),
    ) -> dict[str, Any]:
        """Write vectors, BM25, corpus statistics, stem cache and manifest into ``folder``.

        ``all_rows`` are (rid, text_hash) of every stored innovation in rid order; ``rids``, ``vectors`` and
        ``terms`` are those of the innovations written now, ``removed`` the rids deleted now.
        """
        dim = self.encoder.dim
        all_rids = np.array([r[0] for r in all_rows], dtype=np.int64)
        # BM25 first, before the vector index holds a second copy of the vectors: a lower peak at 100k
        self._lexical(current, rebuild, all_rids, rids, terms, removed).save(folder / "lexical")
        s = self.settings
        kind = kind_for_size(len(all_rids), s.ann_threshold)
        index = None
        if current is not None and not rebuild and (current / "vectors.faiss").exists():
            index = VectorIndex.load(current / "vectors.faiss", nprobe=s.ivf_nprobe)
            if index.kind == kind:
                index.remove(np.setdiff1d(index.ids, all_rids))
            else:  # the catalogue crossed the size threshold: a new kind, filled from the cache below
                index = None
        if index is None:
            index = VectorIndex(dim, kind, nlist=ivf_lists(len(all_rids)), nprobe=s.ivf_nprobe)
        new_ids = np.array(rids, dtype=np.int64)
        missing = np.setdiff1d(all_rids, np.union1d(index.ids, new_ids))
        if len(missing):  # rows without vectors in the reused index (e.g. a new kind): take them from the cache
            records = self.store.records(missing.tolist())
            hashes = [text_hash(self.dense_text(Innovation.from_dict(records[int(r)]))) for r in missing]
            cached, found = self.store.cached_vectors(self.encoder.model_id, PASSAGE, hashes, dim)
            if not found.all():
                raise StoreError("embedding cache is missing vectors; run 'matcher index --rebuild'")
            new_ids = np.concatenate([new_ids, missing])
            vectors = np.vstack([vectors.reshape(-1, dim), cached])
        index.upsert(new_ids, vectors)  # one call, so a new IVF index trains on every vector
        index.save(folder / "vectors.faiss")
        exact = index.stored()
        matrix = exact[0] if exact is not None else index.vectors(all_rids)  # row order does not matter here
        if not len(matrix):
            matrix = np.zeros((1, dim), dtype=np.float32)
        mean, cov = _moments(matrix)
        np.savez(folder / "stats.npz", mean=mean.astype(np.float32), cov=cov.astype(np.float32))
        self.analyzer.save_cache(folder / "stems.json")
        corpus_hash = _corpus_hash(all_rows)
        manifest = {
            **self._settings_fingerprint(),
            "model_id": self.encoder.model_id,
            "dim": dim,
            "index": index.kind,
            "index_params": {"nlist": ivf_lists(len(all_rids)), "nprobe": s.ivf_nprobe} if index.kind == "ivf" else {},
            "innovations": len(all_rows),
            "corpus_hash": corpus_hash,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "generation": folder.name,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        return manifest

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
        stored_rids, stored_terms = self.store.stored_terms()
        return LexicalIndex().build(as_ids(stored_rids), stored_terms)

    def save_gaps(self, gaps: Sequence[Gap]) -> int:
        """Store (insert or replace) gap statements, embedding them now so recommendations never wait on it.

        Gaps are not part of the innovation index, so no new generation is written; returns texts embedded.
        """
        _, embedded = self.embed([g.text for g in gaps], QUERY, progress=False)
        with self.store.transaction() as conn:
            for gap in gaps:
                self.store.upsert_gap(conn, gap.to_dict(), text_hash(gap.text))
        return embedded

    def delete_gap(self, gap_id: str) -> None:
        """Remove one gap statement; NotFoundError when there is none with that id."""
        with self.store.transaction() as conn:
            if not self.store.delete_gap(conn, gap_id):
                raise NotFoundError(f"gap '{gap_id}' not found")

    def gaps(self, region_code: str | None = None) -> list[Gap]:
        """Stored gap statements, of one kabupaten/kota or of all."""
        return [Gap.from_dict(g) for g in self.store.gaps(region_code)]

    def dense_text(self, innovation: Innovation) -> str:
        """What the dense encoder sees: the description alone by default.

        Titles are mostly acronyms ("SI BUNDA CERIA"); on the dev split they pulled e5 vectors off topic
        (nDCG@10 0.795 without the title, 0.751 with it). BM25 still indexes title and description.
        """
        return clean_for_dense(innovation.text if self.settings.embed_title else innovation.description)

    def embed(self, texts: Sequence[str], kind: str, progress: bool = False,
              persist: bool = True) -> tuple[np.ndarray, int]:
        """Vectors of texts as ``kind`` (PASSAGE or QUERY), embedding only those not in the store's cache:
        ``(vectors (len(texts), dim) float32, how many texts were sent to the encoder)``.

        ``persist=False`` (free texts): new vectors go to the bounded in-memory ``query_vectors``, not the store."""
        enc = self.encoder
        texts = [clean_for_dense(t) for t in texts]  # invisible characters must not move a vector
        hashes = [text_hash(t) for t in texts]
        vectors, found = self.store.cached_vectors(enc.model_id, kind, hashes, enc.dim)
        memory = f"{enc.model_id}:{kind}:"
        if not persist:
            for i in np.flatnonzero(~found):
                kept = self.query_vectors.get(memory + hashes[i])
                if kept is not None:
                    vectors[i], found[i] = kept, True
        missing = np.flatnonzero(~found)
        first: dict[str, str] = {}  # each new text once
        for i in missing:
            first.setdefault(hashes[i], texts[i])
        todo = list(first)
        if todo:
            encode = enc.encode_queries if kind == QUERY else enc.encode_passages
            fresh = encode([first[h] for h in todo], progress=progress)
            if persist:
                self.store.cache_vectors(enc.model_id, kind, todo, fresh)
            else:
                for h, v in zip(todo, fresh, strict=True):
                    self.query_vectors.put(memory + h, v)
            row = {h: j for j, h in enumerate(todo)}
            vectors[missing] = fresh[[row[hashes[i]] for i in missing]]
        return vectors, len(todo)

    # ---- ranking ----------------------------------------------------------------------------------------
    def match(
        self, text: str, region: str | None = None, k: int = 10, filters: Filters | None = None,
        channels: Channels = "hybrid", persist: bool = True,
    ) -> list[Match]:
        """Top-k innovations for one free text; ``region`` (code or name) excludes that region's own innovations."""
        return self.match_many([text], [region], k, filters, channels, persist)[0]

    def match_many(
        self, texts: Sequence[str], regions: Sequence[str | None] | None = None, k: int = 10,
        filters: Filters | None = None, channels: Channels = "hybrid", persist: bool = True,
    ) -> list[list[Match]]:
        """Top-k innovations for each text; ``regions[i]`` (code or name, or None) is the region of text i.

        ``persist=False`` keeps the texts' vectors in memory only (:meth:`embed`): the service's reads write nothing."""
        regions = list(regions) if regions is not None else [None] * len(texts)
        codes = [self.regions.resolve(r).code if r else None for r in regions]
        vectors, _ = self.embed(list(texts), QUERY, progress=False, persist=persist)
        with self.pinned():
            return self._rank_many(list(texts), vectors, codes, k, filters, channels)

    def match_gaps(
        self, gaps: Sequence[Gap], k: int = 10, filters: Filters | None = None, explain: bool = True
    ) -> list[list[Match]]:
        """Top-k innovations for each stored gap, excluding the gap's own region.

        Gap vectors come from the embedding cache (gaps are embedded when they are stored), so regency
        recommendations and batch runs embed nothing at request time.
        """
        vectors, _ = self.embed([g.text for g in gaps], QUERY, progress=False)
        with self.pinned():
            return self._rank_many([g.text for g in gaps], vectors, [g.region_code for g in gaps], k, filters,
                                   "hybrid", explain)

    def innovation_vectors(self, innovation_ids: Sequence[str], centered: bool = False) -> np.ndarray:
        """Stored dense vectors of indexed innovations: shape (len(ids), dim).

        ``centered=True`` subtracts the corpus mean and renormalises: e5 vectors share a large common
        component, and without it every pair of innovations looks alike (cosine ~0.8).
        """
        state = self._state()
        positions = np.array([state.catalog.by_id[i] for i in innovation_ids], dtype=np.int64)
        vectors = self._vectors_at(state, positions)
        if centered and len(vectors):
            vectors = vectors - state.mean
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors

    def similar(self, innovation_id: str, k: int = 5) -> list[tuple[Innovation, float]]:
        """The k innovations whose stored vectors are closest to this one's (cosine), itself left out.

        NotFoundError when the id is not indexed."""
        state = self._state()
        cat = state.catalog
        at = cat.by_id.get(innovation_id)
        if at is None:
            raise NotFoundError(f"innovation '{innovation_id}' not found")
        vector = self._vectors_at(state, np.array([at]))[0]
        if state.matrix is not None:
            scores = self._dense_scores(state, vector[None, :])[0]
            scores[at] = -np.inf
            top = np.argpartition(-scores, min(k, len(scores) - 1))[: k + 1]
            order = [int(p) for p in sorted(top, key=lambda p: (-scores[p], p)) if np.isfinite(scores[p])][:k]
            return [(cat.innovations[p], float(scores[p])) for p in order]
        found, ids = state.vectors.search(vector, k + 1)
        pairs = [(cat.position[int(r)], float(sc)) for r, sc in zip(ids[0], found[0], strict=True) if r >= 0]
        return [(cat.innovations[p], sc) for p, sc in pairs if p != at][:k]

    @staticmethod
    def _vectors_at(state: _Loaded, positions: np.ndarray) -> np.ndarray:
        """Stored vectors of catalogue positions: (len(positions), dim)."""
        if state.matrix is not None and state.matrix_rows is not None:
            return np.asarray(state.matrix[state.matrix_rows[positions]], dtype=np.float32)
        return state.vectors.vectors(state.catalog.rids[positions])

    def _rank_many(
        self, texts: Sequence[str], vectors: np.ndarray, region_codes: Sequence[str | None], k: int,
        filters: Filters | None, channels: Channels, explain: bool = True, chunk: int = 16,
    ) -> list[list[Match]]:
        """``_rank`` for each text; with an exact index, every innovation's dense score comes from
        :meth:`_dense_scores`, a chunk of queries at a time."""
        state = self._state()
        exact = state.matrix is not None and channels != "lexical"
        out: list[list[Match]] = []
        for start in range(0, len(texts), chunk):
            qvecs = vectors[start : start + chunk]
            dense = self._dense_scores(state, qvecs) if exact else None
            for i, (text, code) in enumerate(zip(texts[start : start + chunk], region_codes[start : start + chunk],
                                                 strict=True)):
                out.append(self._rank(text, qvecs[i], code, k, filters, channels, explain,
                                      None if dense is None else dense[i]))
        return out

    @staticmethod
    def _dense_scores(state: _Loaded, qvecs: np.ndarray, block: int = 2048) -> np.ndarray:
        """Cosine of each query with every catalogue position: (len(qvecs), len(catalog)), exact index only.

        Memory-bound: at 100k x 384 one pass over the vectors takes ~2.5 ms. Several queries (a regency's gaps)
        share each pass by walking the vectors in blocks that stay in cache (3 queries: 5.6 ms against 7.6 ms
        for three full matrix-vector products; a small matrix-matrix product was slower still).
        """
        matrix, rows = state.matrix, state.matrix_rows
        assert matrix is not None and rows is not None
        if len(qvecs) == 1:
            return (matrix @ qvecs[0])[rows][None, :]
        out = np.empty((len(qvecs), len(matrix)), dtype=np.float32)
        for start in range(0, len(matrix), block):
            part = matrix[start : start + block]
            for j, q in enumerate(qvecs):
                np.dot(part, q, out=out[j, start : start + block])
        return out[:, rows]

    def _rank(
        self, text: str, qvec: np.ndarray, region_code: str | None, k: int, filters: Filters | None,
        channels: Channels, explain: bool = True, dense_all: np.ndarray | None = None,
    ) -> list[Match]:
        """Top-k for one query vector; ``dense_all`` holds its cosine with every catalogue position when known."""
        state = self._state()
        cat = state.catalog
        if not len(cat):
            return []
        f = filters or Filters()
        if region_code:
            f = f.with_excluded(regions=[region_code])
        allowed = cat.mask(f)
        n_allowed = len(cat) if allowed is None else int(allowed.sum())
        if n_allowed == 0:
            return []
        depth = min(max(self.settings.candidates, k), n_allowed)
        analysis = self.analyze(text)
        query_terms = [t for _, ts in analysis for t in ts]

        lex_all = state.lexical.scores(query_terms)[state.lexical_pos]  # aligned with catalog positions
        lex_masked = lex_all if allowed is None else np.where(allowed, lex_all, -np.inf)
        cand: set[int] = set()
        if channels in ("hybrid", "lexical"):
            top = np.argpartition(-lex_masked, depth - 1)[:depth]
            cand.update(int(p) for p in top if np.isfinite(lex_masked[p]))
        if channels in ("hybrid", "dense") and dense_all is not None:
            masked = dense_all if allowed is None else np.where(allowed, dense_all, -np.inf)
            top = np.argpartition(-masked, depth - 1)[:depth]
            cand.update(int(p) for p in top if np.isfinite(masked[p]))
        elif channels in ("hybrid", "dense"):
            cand.update(self._dense_candidates(state, qvec, depth, allowed, len(cat) - n_allowed))
        positions = np.array(sorted(cand), dtype=np.int64)
        dense = dense_all[positions] if dense_all is not None else self._vectors_at(state, positions) @ qvec
        lexical = lex_all[positions]
        if channels == "dense":
            fused = dense.astype(np.float64)
        elif channels == "lexical":
            fused = lexical.astype(np.float64) + 1e-6 * dense  # dense only breaks ties among zero BM25
        else:
            d_std = float(np.sqrt(max(qvec @ state.cov @ qvec, 1e-12)))
            fused = fuse(
                ChannelScores(dense, float(qvec @ state.mean), d_std),
                ChannelScores(lexical, float(lex_all.mean()), float(lex_all.std()) or 1.0),
                method=self.settings.fusion, dense_weight=self.settings.dense_weight, rrf_k=self.settings.rrf_k,
            )
        order = np.lexsort((positions, -fused))[:k]
        weights = self._term_weights(state, analysis) if explain else {}
        out = []
        for rank, i in enumerate(order, start=1):
            inv = cat.innovations[int(positions[i])]
            terms, sentence = self._explain(state, analysis, inv, weights) if explain else ([], "")
            out.append(Match(
                innovation=inv, rank=rank, score=round(float(fused[i]), 6), dense=round(float(dense[i]), 6),
                lexical=round(float(lexical[i]), 6), matched_terms=terms, best_sentence=sentence,
            ))
        return out

    @staticmethod
    def _dense_candidates(
        state: _Loaded, qvec: np.ndarray, depth: int, allowed: np.ndarray | None, n_excluded: int
    ) -> list[int]:
        """Catalogue positions of the ``depth`` nearest allowed innovations.

        When a filter excludes few innovations (the usual case: the gap's own region), an unfiltered search
        over-fetched by the excluded count is exact and much cheaper than FAISS's filtered search.
        """
        cat = state.catalog
        if allowed is None or n_excluded <= 4 * depth:
            _, ids = state.vectors.search(qvec, min(depth + n_excluded, len(cat)))
            positions = [cat.position[int(r)] for r in ids[0] if r >= 0]
            return [p for p in positions if allowed is None or allowed[p]][:depth]
        _, ids = state.vectors.search(qvec, depth, cat.rids[allowed])
        return [cat.position[int(r)] for r in ids[0] if r >= 0]

    def explain(
        self, text: str, innovation: Innovation, analysis: list | None = None
    ) -> tuple[list[str], str]:
        """(the query's words that the innovation shares, as written; the innovation's best-matching sentence).

        ``analysis`` is ``analyzer.analyze(text)`` when the caller already has it.
        """
        analysis = self.analyze(text) if analysis is None else analysis
        return self._explain(self._state(), analysis, innovation)

    @staticmethod
    def _term_weights(state: _Loaded, analysis: list) -> dict[str, float]:
        """IDF of each query term: how much sharing it says about a match."""
        return {t: state.lexical.idf(t) for _, ts in analysis for t in ts}

    def _explain(self, state: _Loaded, analysis: list, innovation: Innovation,
                 weights: dict[str, float] | None = None) -> tuple[list[str], str]:
        weights = self._term_weights(state, analysis) if weights is None else weights
        query_terms = weights.keys()
        surfaces = [(tok.surface, ts) for tok, ts in analysis]
        at = state.catalog.by_id.get(innovation.id)
        held: AbstractSet[str]
        if at is not None and state.catalog.innovations[at].text == innovation.text:  # indexed as it is
            held = state.lexical.shared_terms(int(state.catalog.rids[at]), query_terms)
        else:
            held = self._term_set(innovation.text)
        return matched_surfaces(surfaces, held), best_sentence(innovation.description, weights, self._term_set)
