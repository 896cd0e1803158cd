"""``Matcher``: the one object users hold. It wires the parts and delegates to them.

- :class:`~matcher.store.writer.IndexWriter` writes records and index generations;
- :class:`~matcher.store.generations.GenerationReader` loads the current generation and pins it;
- :class:`~matcher.store.embeddings.Embedder` embeds each text once, through the store's cache;
- :class:`~matcher.engine.search.Searcher` ranks: candidates, the scoring stage, explanation.

Regency recommendations, batch runs, research code and the service call these public methods only.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

from matcher.config import Settings, fingerprint, get_settings, regrouping_fields
from matcher.data.records import Gap, Innovation
from matcher.data.regions import Regions
from matcher.engine import lexicon
from matcher.engine.catalog import Catalog, Filters
from matcher.engine.encoders import Encoder, load_encoder
from matcher.engine.explain import Explainer, Explanation
from matcher.engine.generation import Generation
from matcher.engine.grouping import GroupParams
from matcher.engine.ranker import LearnedScorer
from matcher.engine.scoring import Scorer, scorer_for
from matcher.engine.search import Channels, Match, Searcher
from matcher.engine.text import Analysis, Analyzer
from matcher.errors import NotFoundError, StoreError
from matcher.store.database import Store
from matcher.store.decisions import DecisionRepository
from matcher.store.embeddings import PASSAGE, QUERY, Embedder
from matcher.store.generations import GenerationReader
from matcher.store.query_cache import TextLRU
from matcher.store.replications import ReplicationRepository
from matcher.store.writer import IndexReport, IndexWriter, corpus_hash

__all__ = ["PASSAGE", "QUERY", "Channels", "IndexReport", "Match", "Matcher", "pinned"]

F = TypeVar("F", bound=Callable[..., Any])


def pinned(fn: F) -> F:
    """:meth:`Matcher.pinned` as a decorator, for functions whose first argument is a Matcher: every read inside
    uses the index generation the first read found, so one answer or one batch never mixes two catalogues."""
    @functools.wraps(fn)
    def wrapper(matcher: Matcher, *args: Any, **kwargs: Any) -> Any:
        with matcher.pinned():
            return fn(matcher, *args, **kwargs)
    return cast(F, wrapper)


class Matcher:
    """Hybrid (dense + BM25) matcher over the store in ``settings.home``."""

    def __init__(self, settings: Settings | None = None, encoder: Encoder | None = None,
                 regions: Regions | None = None):
        s = self.settings = settings or get_settings()
        self.regions = regions or Regions.load(s.corpus_dir / "regions")
        self._store = Store(s.home)
        analyzer = self.analyzer = Analyzer(stemmer=s.stemmer)
        # stored gap statements are ranked again on every recommendation request: keep their analyses
        # bounded by characters, since free texts of 5,000 characters pass through here too
        self.analyze: Callable[..., Analysis] = TextLRU(analyzer.analyze, max_chars=1_000_000)
        self.embedder = Embedder(self._store.embeddings, encoder,
                                 lambda: load_encoder(s.model, s.batch_size, s.query_prompt, s.passage_prompt),
                                 embed_title=s.embed_title, memory_size=s.query_vector_cache_size)
        # what an index depends on; the group settings are not in it: a store grouped under others (or built before
        # groups existed) loads, and its next write regroups without re-embedding anything
        regroup = regrouping_fields()
        built_with = {**{k: v for k, v in fingerprint(s, "index").items() if k not in regroup},
                      "lexicon": lexicon.digest()}
        groups = GroupParams(s.group_threshold, s.group_dense_weight, s.group_neighbours, s.group_linkage,
                             s.group_lexical)
        self._writer = IndexWriter(self._store, analyzer, self.embedder, built_with, s.ann_threshold, s.ivf_nprobe,
                                   groups)
        self._reader = GenerationReader(self._store, analyzer, s.ivf_nprobe, self._check_built_alike)
        self._explainer = Explainer(analyzer)
        self.searcher = Searcher(self.analyze, self._explainer, self._scorer, s.candidates, collapse=s.group_lists)
        self.decisions: DecisionRepository = self._store.decisions
        # replication progress, refusing regions and innovations it does not know (the catalogue's ids)
        self.replications = ReplicationRepository(self._store, self.regions, lambda: self.catalog.by_id)

    # ---- parts ------------------------------------------------------------------------------------------
    @property
    def encoder(self) -> Encoder:
        """The dense encoder, loaded on first use (loading takes a moment; listing records needs none)."""
        return self.embedder.encoder

    def _scorer(self, channels: Channels, generation: Generation) -> Scorer:
        """The scoring stage: the generation's learned ranker for hybrid ranking (MATCHER_RANKER=learned),
        else the channels as configured."""
        s = self.settings
        if channels == "hybrid" and s.ranker == "learned" and generation.ranker is not None:
            return LearnedScorer(generation.ranker)
        return scorer_for(channels, s.fusion, s.dense_weight, s.rrf_k)

    def _check_built_alike(self, manifest: dict[str, Any]) -> None:
        wanted = self._writer.fingerprint
        if self._writer.built_alike(manifest):
            return
        built = {k: manifest.get(k) for k in wanted}
        diff = ", ".join(f"{k}: built with {built[k]!r}, asked for {wanted[k]!r}" for k in wanted
                         if built[k] != wanted[k])
        raise StoreError(
            f"the index in {self.settings.home} was built with other settings ({diff}); rebuild it with "
            f"'matcher index --rebuild' under the current settings, or restore the settings it was built with"
        )

    @property
    def generation(self) -> Generation:
        """The index generation reads use now (inside :meth:`pinned`, the one the first read found)."""
        return self._reader.get()

    @contextlib.contextmanager
    def pinned(self) -> Iterator[Matcher]:
        """Every read inside uses one index generation, even when another process commits a newer one meanwhile,
        so one answer never mixes two catalogues. This Matcher's own ``index()`` still shows at once."""
        with self._reader.pinned():
            yield self

    @property
    def catalog(self) -> Catalog:
        return self.generation.catalog

    @property
    def manifest(self) -> dict[str, Any]:
        return self.generation.manifest

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
        if self._store.generations.current() is None:
            return [f"no index in {self.settings.home}: run 'matcher index'"]
        problems = []
        try:
            state = self.generation
        except (StoreError, OSError, ValueError, KeyError) as exc:
            return [f"the index cannot be loaded ({exc}): run 'matcher index --rebuild'"]
        rows = sorted(self._store.innovations.hashes().values())
        rids = np.array([r[0] for r in rows], dtype=np.int64)
        if not np.array_equal(np.sort(state.vectors.ids), rids):
            problems.append("the vector index and the records hold different innovations")
        if not np.array_equal(np.sort(state.lexical.ids_), rids):
            problems.append("the lexical index and the records hold different innovations")
        if state.manifest.get("corpus_hash") != corpus_hash(rows):
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
        within: Callable[[sqlite3.Connection], None] | None = None,
        ranker: Path | None = None,
    ) -> IndexReport:
        """Write records and a matching index generation in one atomic step.

        ``replace=True`` makes ``innovations`` the whole corpus (records absent from it are removed);
        ``replace=False`` upserts them. Unchanged texts are neither re-analysed nor re-embedded.
        ``rebuild=True`` starts the index from scratch (needed after changing the model or stemmer).
        ``within`` runs first inside the write transaction (an import writes decisions and accounts there).
        ``ranker`` is a newly trained ranker (``matcher learn``) that the new generation carries from now on.
        """
        self._writer.ranker_file = ranker
        try:
            return self._writer.write(innovations, gaps, replace, rebuild, delete_innovations, delete_gaps,
                                      progress, before=self._reader.forget, within=within)
        finally:
            self._writer.ranker_file = None
            self._reader.reset()

    def save_gaps(self, gaps: Sequence[Gap]) -> int:
        """Store (insert or replace) gap statements, embedding them now; returns the texts embedded."""
        return self._writer.save_gaps(gaps)

    def delete_gap(self, gap_id: str) -> None:
        """Remove one gap statement; NotFoundError when there is none with that id."""
        self._writer.delete_gap(gap_id)

    def gaps(self, region_code: str | None = None) -> list[Gap]:
        """Stored gap statements, of one kabupaten/kota or of all."""
        return self._store.gaps.of_region(region_code)

    def gap(self, gap_id: str) -> Gap | None:
        """One stored gap statement, or None."""
        return self._store.gaps.get(gap_id)

    def gap_counts(self) -> dict[str, int]:
        """region code -> number of stored gap statements."""
        return self._store.gaps.counts()

    # ---- ranking ----------------------------------------------------------------------------------------
    def match(
        self, text: str, region: str | None = None, k: int = 10, filters: Filters | None = None,
        channels: Channels = "hybrid", persist: bool = True, collapse: bool | None = None,
    ) -> list[Match]:
        """Top-k innovations for one free text; ``region`` (code or name) excludes that region's own innovations."""
        return self.match_many([text], [region], k, filters, channels, persist, collapse)[0]

    def match_many(
        self, texts: Sequence[str], regions: Sequence[str | None] | None = None, k: int = 10,
        filters: Filters | None = None, channels: Channels = "hybrid", persist: bool = True,
        collapse: bool | None = None,
    ) -> list[list[Match]]:
        """Top-k innovations for each text; ``regions[i]`` (code or name, or None) is the region of text i.

        ``persist=False`` keeps the texts' vectors in memory only: the service's reads write nothing.
        ``collapse``: one innovation per near-duplicate group, the others attached (None: MATCHER_GROUP_LISTS)."""
        regions = list(regions) if regions is not None else [None] * len(texts)
        codes = [self.regions.resolve(r).code if r else None for r in regions]
        vectors, _ = self.embedder.embed(list(texts), QUERY, persist=persist)
        with self.pinned():
            return self.searcher.rank_many(self.generation, list(texts), vectors, codes, k, filters, channels,
                                           collapse=collapse)

    def match_gaps(
        self, gaps: Sequence[Gap], k: int = 10, filters: Filters | None = None, explain: bool = True,
        channels: Channels = "hybrid", collapse: bool | None = None,
    ) -> list[list[Match]]:
        """Top-k innovations for each stored gap, excluding the gap's own region; ``collapse`` as in
        :meth:`match_many`.

        Gap vectors come from the embedding cache (gaps are embedded when they are stored), so regency
        recommendations and batch runs embed nothing at request time.
        """
        vectors, _ = self.embedder.embed([g.text for g in gaps], QUERY)
        with self.pinned():
            return self.searcher.rank_many(self.generation, [g.text for g in gaps], vectors,
                                           [g.region_code for g in gaps], k, filters, channels, explain,
                                           sectors=[g.sector for g in gaps], collapse=collapse)

    def innovation_vectors(self, innovation_ids: Sequence[str], centered: bool = False) -> np.ndarray:
        """Stored dense vectors of indexed innovations: shape (len(ids), dim).

        ``centered=True`` subtracts the corpus mean and renormalises: e5 vectors share a large common
        component, and without it every pair of innovations looks alike (cosine ~0.8).
        """
        state = self.generation
        positions = np.array([state.catalog.by_id[i] for i in innovation_ids], dtype=np.int64)
        return state.centered_vectors(positions) if centered else state.vectors_at(positions)

    def similar(self, innovation_id: str, k: int = 5) -> list[tuple[Innovation, float]]:
        """The k innovations whose stored vectors are closest to this one's (cosine), itself left out.

        NotFoundError when the id is not indexed."""
        state = self.generation
        at = state.catalog.by_id.get(innovation_id)
        if at is None:
            raise NotFoundError(f"innovation '{innovation_id}' not found")
        return [(state.catalog.innovations[p], score) for p, score in state.nearest(at, k)]

    def explain(self, text: str, innovation: Innovation, analysis: Analysis | None = None) -> Explanation:
        """The query's words that the innovation shares (as written, and paired with its words), its
        best-matching sentence and a caution.

        ``analysis`` is ``analyze(text)`` when the caller already has it.
        """
        analysis = self.analyze(text) if analysis is None else analysis
        return self._explainer.explain(self.generation, analysis, innovation)
