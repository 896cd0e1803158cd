"""FAISS vector index: exact inner product on normalised vectors, keyed by int64 record ids.

Keyed ids (``IndexIDMap2``) let one innovation be added, replaced or removed without a rebuild, and let a filter
restrict the search to allowed ids *before* truncation to k.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from matcher.errors import StoreError


def _faiss():
    import faiss  # heavy import, only where vectors are searched

    return faiss


class VectorIndex:
    """Exact cosine search over normalised float32 vectors with stable int64 ids.

    ``search`` returns ``(scores, ids)``, both of shape (n_queries, k); slots with no result hold score ``-inf``
    and id ``-1``.
    """

    def __init__(self, dim: int):
        self.dim = dim
        faiss = _faiss()
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def ids(self) -> np.ndarray:
        """Ids currently in the index, in insertion order."""
        faiss = _faiss()
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def upsert(self, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        """Add vectors, replacing any already stored under the same ids."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected vectors of shape (n, {self.dim}), got {vectors.shape}")
        if len(ids) != len(vectors):
            raise ValueError("ids and vectors differ in length")
        if len(ids):
            self.remove(ids)
            self._index.add_with_ids(vectors, ids)
        return self

    def remove(self, ids: np.ndarray) -> int:
        """Remove ids (unknown ids are ignored); returns how many were removed."""
        faiss = _faiss()
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids) or not len(self):
            return 0
        return int(self._index.remove_ids(faiss.IDSelectorBatch(ids)))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors for ``ids`` (all must exist): shape (len(ids), dim)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return np.empty((0, self.dim), dtype=np.float32)
        return np.vstack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ids by cosine for each query row, optionally only among ``allowed`` ids."""
        faiss = _faiss()
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, len(self))) if len(self) else 1
        if not len(self):
            n = len(queries)
            return np.full((n, k), -np.inf, dtype=np.float32), np.full((n, k), -1, dtype=np.int64)
        params = None
        if allowed is not None:
            allowed = np.ascontiguousarray(allowed, dtype=np.int64)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        scores, ids = self._index.search(queries, k, params=params)
        scores = np.where(ids < 0, -np.inf, scores).astype(np.float32)
        return scores, ids.astype(np.int64)

    def save(self, path: Path) -> None:
        """Write atomically: a crash mid-write leaves the previous file intact."""
        faiss = _faiss()
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self._index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read an index written by :meth:`save`."""
        faiss = _faiss()
        path = Path(path)
        if not path.exists():
            raise StoreError(f"vector index not found at {path}: run 'matcher index' to build it")
        raw = faiss.read_index(str(path))
        self = cls.__new__(cls)
        self.dim = int(raw.d)
        self._index = raw
        return self
