"""One loaded index generation: the catalogue with its vectors, BM25 and corpus statistics, read-only.

A generation is written once (``matcher.store.writer``) and never changed; readers load it whole and rank
against it, so one answer never mixes two catalogues. Loading knows files only: which records the catalogue
holds is the store's business, handed in as a :class:`~matcher.engine.catalog.Catalog`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from matcher.engine.bm25 import LexicalIndex
from matcher.engine.catalog import Catalog
from matcher.engine.grouping import GROUPS_FILE, Grouping
from matcher.engine.groups import CatalogGroups
from matcher.engine.ranker import RANKER_FILE, RankerModel
from matcher.engine.sectors import SectorModel
from matcher.engine.text import Analyzer
from matcher.engine.vectors import VectorIndex

SECTORS_FILE = "sectors.npz"
# At most this many values of the vector matrix are scored per step for several queries (dense_scores): 256
# rows, 384 KB of float32 at 384 dimensions. They stay in a core's L2 while every query reads them, and OpenBLAS
# keeps a product this size on the calling thread (it splits one over threads from ~460k values).
BLOCK_VALUES = 2**17


def is_identity(positions: np.ndarray, n: int) -> bool:
    """Whether ``positions`` is 0, 1, ..., n - 1: an array indexed by them is already in that order, and the
    per-query reordering of n values can be skipped."""
    return len(positions) == n and bool(np.array_equal(positions, np.arange(n)))


@dataclass
class Generation:
    """Everything a query ranks against. Positions are catalogue positions (``catalog.innovations[p]``)."""

    name: str
    manifest: dict[str, Any]
    catalog: Catalog
    vectors: VectorIndex
    lexical: LexicalIndex
    lexical_pos: np.ndarray  # catalogue position -> position in the lexical score array
    mean: np.ndarray  # mean of the stored vectors: the dense channel's corpus statistics for z-scores
    cov: np.ndarray
    matrix: np.ndarray | None = None  # exact index: every stored vector (a view), rows in index order
    matrix_rows: np.ndarray | None = None  # catalogue position -> row of ``matrix``
    rows_in_order: bool = False  # ``matrix_rows`` is 0, 1, 2, ...: the matrix's rows are catalogue positions
    sectors: SectorModel | None = None  # P(sector | vector), when the catalogue has two sectors or more
    sector_column: np.ndarray | None = None  # catalogue position -> column of the sector model (-1: none)
    ranker: RankerModel | None = None  # the learned ranker stored with this generation
    groups: CatalogGroups | None = None  # near-duplicate groups, when the generation has them

    @classmethod
    def load(cls, folder: Path, catalog: Catalog, nprobe: int, analyzer: Analyzer | None = None) -> Generation:
        """Read the generation in ``folder`` for ``catalog``; ``analyzer`` takes over the folder's stem cache."""
        manifest = json.loads((folder / "manifest.json").read_text())
        vectors = VectorIndex.load(folder / "vectors.faiss", nprobe=nprobe)
        lexical = LexicalIndex.load(folder / "lexical")
        lexical_pos = np.array([lexical.position_[int(r)] for r in catalog.rids], dtype=np.int64)
        stats = np.load(folder / "stats.npz")
        stems = folder / "stems.json"
        if analyzer is not None and stems.exists():
            analyzer.load_cache(stems)
        loaded = cls(folder.name, manifest, catalog, vectors, lexical, lexical_pos, stats["mean"], stats["cov"])
        if (folder / SECTORS_FILE).exists():
            loaded.sectors = SectorModel.load(folder / SECTORS_FILE)
            column = {s: i for i, s in enumerate(loaded.sectors.classes_)}
            loaded.sector_column = np.array([column.get(inv.sector or "", -1) for inv in catalog.innovations],
                                            dtype=np.int64)
        if (folder / RANKER_FILE).exists():
            loaded.ranker = RankerModel.load(folder / RANKER_FILE)
        if (folder / GROUPS_FILE).exists():
            loaded.groups = CatalogGroups(catalog, Grouping.load(folder / GROUPS_FILE).group_of_)
        loaded.attach_matrix()
        return loaded

    def attach_matrix(self) -> None:
        """With an exact index, keep its matrix (a view) and each catalogue position's row of it."""
        exact = self.vectors.stored()
        if exact is None:
            return
        self.matrix, ids = exact
        order = np.argsort(ids)
        self.matrix_rows = rows = order[np.searchsorted(ids, self.catalog.rids, sorter=order)]
        self.rows_in_order = is_identity(rows, len(ids))

    @cached_property
    def lexical_in_order(self) -> bool:
        """``lexical_pos`` is 0, 1, 2, ... over the whole lexical index: BM25 scores come in catalogue order."""
        return is_identity(self.lexical_pos, len(self.lexical))

    def lexical_scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 of every catalogue position for a query's terms: float32, (len(catalog),). The lexical index
        usually holds the innovations in catalogue order; then its scores are returned as they are, without
        reordering 100k floats per query."""
        scores = self.lexical.scores(terms)
        return scores if self.lexical_in_order else scores[self.lexical_pos]

    @property
    def exact(self) -> bool:
        """True when every stored vector is at hand (exact index): dense scores come from one matrix product."""
        return self.matrix is not None and self.matrix_rows is not None

    def vectors_at(self, positions: np.ndarray) -> np.ndarray:
        """Stored vectors of catalogue positions: (len(positions), dim)."""
        if self.matrix is not None and self.matrix_rows is not None:
            return np.asarray(self.matrix[self.matrix_rows[positions]], dtype=np.float32)
        return self.vectors.vectors(self.catalog.rids[positions])

    def centered_vectors(self, positions: np.ndarray) -> np.ndarray:
        """Stored vectors minus the corpus mean, renormalised: e5 vectors share a large common component, and
        without removing it every pair of innovations looks alike (cosine ~0.8)."""
        vectors = self.vectors_at(positions)
        if len(vectors):
            vectors = vectors - self.mean
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors

    def dense_scores(self, qvecs: np.ndarray, block: int = BLOCK_VALUES) -> np.ndarray:
        """Cosine of each query with every catalogue position: (len(qvecs), len(catalog)), exact index only.

        Memory-bound: at 100k x 384 one pass over the vectors takes ~2.5 ms. Several queries (a regency's gaps)
        share each pass by walking the vectors in blocks that stay in cache (3 queries: 5.6 ms against 7.6 ms
        for three full matrix-vector products; a small matrix-matrix product was slower still). A block holds
        at most ``block`` values (rows times the width), small enough for OpenBLAS to compute it on this thread:
        it splits a larger product over threads, and when the machine is busy every such call waits for its
        second thread to be scheduled (2,048-row blocks took 0.2-1.1 s for 3 queries at 100k where these take
        20-40 ms). The rows per block are a power of two, aligned with how the kernel groups rows, so each
        cosine comes out bit for bit as with any other such block.
        """
        matrix, rows = self.matrix, self.matrix_rows
        if matrix is None or rows is None:
            raise ValueError("dense_scores needs an exact index")
        if len(qvecs) == 1:
            scores = matrix @ qvecs[0]
            return (scores if self.rows_in_order else scores[rows])[None, :]
        out = np.empty((len(qvecs), len(matrix)), dtype=np.float32)
        step = 1 << max(6, (block // max(matrix.shape[1], 1)).bit_length() - 1)  # rows: a power of two, >= 64
        for start in range(0, len(matrix), step):
            part = matrix[start : start + step]
            for j, q in enumerate(qvecs):
                np.dot(part, q, out=out[j, start : start + step])
        return out if self.rows_in_order else out[:, rows]

    def dense_candidates(
        self, qvec: np.ndarray, depth: int, allowed: np.ndarray | None, n_excluded: int
    ) -> list[int]:
        """Catalogue positions of the ``depth`` nearest allowed innovations (FAISS search).

        When a filter excludes few innovations (the usual case: the gap's own region), an unfiltered search
        over-fetched by the excluded count is exact and much cheaper than FAISS's filtered search.
        """
        cat = self.catalog
        if allowed is None or n_excluded <= 4 * depth:
            _, ids = self.vectors.search(qvec, min(depth + n_excluded, len(cat)))
            positions = [cat.position[int(r)] for r in ids[0] if r >= 0]
            return [p for p in positions if allowed is None or allowed[p]][:depth]
        _, ids = self.vectors.search(qvec, depth, cat.rids[allowed])
        return [cat.position[int(r)] for r in ids[0] if r >= 0]

    def nearest(self, position: int, k: int) -> list[tuple[int, float]]:
        """(catalogue position, cosine) of the k innovations closest to the one at ``position``, itself left out."""
        vector = self.vectors_at(np.array([position]))[0]
        if self.exact:
            scores = self.dense_scores(vector[None, :])[0]
            scores[position] = -np.inf
            top = np.argpartition(-scores, min(k, len(scores) - 1))[: k + 1]
            order = [int(p) for p in sorted(top, key=lambda p: (-scores[p], p)) if np.isfinite(scores[p])][:k]
            return [(p, float(scores[p])) for p in order]
        found, ids = self.vectors.search(vector, k + 1)
        pairs = [(self.catalog.position[int(r)], float(sc)) for r, sc in zip(ids[0], found[0], strict=True) if r >= 0]
        return [(p, sc) for p, sc in pairs if p != position][:k]
