"""Near-duplicate groups written with every index generation, incrementally.

A generation's ``groups.npz`` is the previous generation's grouping updated with what this write changed (only
the changed innovations' pairs are scored, only the groups they touch are formed again); a rebuild, a first
build or a generation without groups runs a full pass. Vectors come from the new vector index and terms from
the new BM25 files, so grouping embeds and analyses nothing.

Up to ``EXACT_UP_TO`` innovations the neighbours are searched exactly (the generation's own flat index). Above
it a full pass over every innovation would cost minutes, so neighbours come from an IVF index over
``kmeans_centroids`` trained by the full pass and stored beside the groups (``groups_cells.npy``): updates
rebuild that IVF from the same cells, so they search exactly as the full pass did.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from matcher.engine.generation import Generation
from matcher.engine.grouping import GROUPS_FILE, Grouping, GroupParams
from matcher.engine.vectors import VectorIndex, kmeans_centroids

EXACT_UP_TO = 20_000
CELLS_FILE = "groups_cells.npy"
NPROBE = 3
_FILL = 16384  # vectors copied into the neighbour search per call: 25 MB (FAISS assigns them 4,096 at a time)


class IndexPairs:
    """A :class:`~matcher.engine.grouping.PairSource` over one generation's vector index and BM25 files."""

    def __init__(self, vectors: VectorIndex, terms: tuple[np.ndarray, np.ndarray, np.ndarray, int], rids: np.ndarray,
                 search: VectorIndex | None = None):
        """``terms`` is BM25's (record ids, row pointers, term ids, vocabulary size): its distinct terms per row."""
        self.rids = np.asarray(rids, dtype=np.int64)
        self._index, self._search = vectors, search or vectors
        exact = vectors.stored()
        self._matrix: np.ndarray | None = None
        if exact is not None:
            self._matrix, ids = exact
            self._order = np.argsort(ids)
            self._sorted_ids = ids[self._order]
        self._lex_ids, self._doc_ptr, self._doc_terms, self._vocabulary = terms
        self._lex_order = np.argsort(self._lex_ids)

    @classmethod
    def of_folder(cls, vectors: VectorIndex, lexical_dir: Path, rids: np.ndarray,
                  search: VectorIndex | None = None) -> IndexPairs:
        """Over BM25 files just written (the term arrays memory-mapped, not loaded)."""
        terms = (np.load(lexical_dir / "ids.npy", allow_pickle=False), np.load(lexical_dir / "doc_ptr.npy", mmap_mode="r"),
                 np.load(lexical_dir / "doc_terms.npy", mmap_mode="r"),
                 int(json.loads((lexical_dir / "params.json").read_text())["terms"]))
        return cls(vectors, terms, rids, search)

    @classmethod
    def of_generation(cls, generation: Generation) -> IndexPairs:
        """Over a loaded generation (what research code regroups with other parameters)."""
        lex = generation.lexical
        return cls(generation.vectors, (lex.ids_, lex.doc_ptr_, lex.doc_terms_, len(lex.vocab_)), generation.catalog.rids)

    @staticmethod
    def _positions(sorted_order: np.ndarray, ids: np.ndarray, rids: np.ndarray) -> np.ndarray:
        return sorted_order[np.searchsorted(ids, rids, sorter=sorted_order)]

    def vectors(self, rids: np.ndarray) -> np.ndarray:
        rids = np.asarray(rids, dtype=np.int64)
        if self._matrix is None:
            return self._index.vectors(rids)
        return np.asarray(self._matrix[self._order[np.searchsorted(self._sorted_ids, rids)]], dtype=np.float32)

    def terms(self, rids: np.ndarray) -> sp.csr_matrix:
        p = self._positions(self._lex_order, self._lex_ids, np.asarray(rids, dtype=np.int64))
        starts, ends = np.asarray(self._doc_ptr[p]), np.asarray(self._doc_ptr[p + 1])
        lengths = ends - starts
        indptr = np.zeros(len(p) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        gather = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        indices = np.asarray(self._doc_terms[gather])
        return sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                             shape=(len(p), max(self._vocabulary, 1)))

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self._search.search(vectors, k)


def write_groups(folder: Path, current: Path | None, full: bool, index: VectorIndex, all_rids: np.ndarray,
                 changed: np.ndarray, removed: np.ndarray, params: GroupParams, progress: bool = False) -> Grouping:
    """Write ``groups.npz`` (and the IVF cells above ``EXACT_UP_TO``) into ``folder``; ``changed`` and ``removed``
    are the rids this write added or re-texted and deleted. Returns the grouping (``scored_`` tells how many pairs
    were scored)."""
    previous = current / GROUPS_FILE if current is not None else None
    cells_before = current / CELLS_FILE if current is not None else None
    large = len(all_rids) > EXACT_UP_TO
    old = None
    if not full and previous is not None and previous.exists():
        old = Grouping.load(previous)
        if old.params != params or (large and not (cells_before is not None and cells_before.exists())):
            old = None
    search = None
    if large:
        vectors = IndexPairs.of_folder(index, folder / "lexical", all_rids)
        if old is not None and cells_before is not None:
            cells = np.load(cells_before)
        else:
            sample = np.random.default_rng(15).choice(all_rids, size=min(len(all_rids), 39 * _cells(len(all_rids))),
                                                      replace=False)
            cells = kmeans_centroids(vectors.vectors(np.sort(sample)), _cells(len(all_rids)))
        np.save(folder / CELLS_FILE, cells)
        search = VectorIndex.with_centroids(cells, NPROBE)
        for start in range(0, len(all_rids), _FILL):
            block = all_rids[start : start + _FILL]
            search.upsert(block, vectors.vectors(block))
    source = IndexPairs.of_folder(index, folder / "lexical", all_rids, search)
    if old is None:
        grouping = Grouping(params).build(source, progress)
    else:
        grouping = old.updated(source, changed.tolist(), removed.tolist())
    grouping.save(folder / GROUPS_FILE)
    return grouping


def _cells(n: int) -> int:
    """IVF cells of the neighbour search: 2*sqrt(n), so a probe of ``NPROBE`` cells scans ~0.3% of them at 100k."""
    return int(max(1, min(4096, 2 * np.sqrt(max(n, 1)))))
