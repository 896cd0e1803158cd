"""FAISS vector index on normalised vectors, keyed by int64 record ids: exact, or IVF for large catalogues.

Keyed ids let one innovation be added, replaced or removed without a rebuild, and let a filter restrict the
search to allowed ids *before* truncation to k. Both kinds support that: ``flat`` (``IndexIDMap2`` over
``IndexFlatIP``, exact) and ``ivf`` (``IndexIVFFlat`` with a hash-table direct map, approximate), which
:func:`kind_for_size` picks above ``ann_threshold`` vectors, where exact search stops being cheap.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from matcher.errors import StoreError


def _faiss():
    import faiss  # heavy import, only where vectors are searched

    return faiss


def kind_for_size(n: int, ann_threshold: int) -> str:
    """'flat' (exact) below ``ann_threshold`` vectors, 'ivf' from there on."""
    return "ivf" if n >= ann_threshold else "flat"


def ivf_lists(n: int) -> int:
    """Number of IVF cells: about 4*sqrt(n), the usual balance between coarse and fine search cost, and
    at most n/39 so k-means has the ~39 training points per cell FAISS asks for."""
    return int(max(1, min(65536, 4 * np.sqrt(max(n, 1)), n // 39)))


def kmeans_centroids(vectors: np.ndarray, nlist: int, seed: int = 15, niter: int = 10) -> np.ndarray:
    """``nlist`` spherical k-means centroids of the rows: float32, (nlist, dim). Trained on at most 39 rows per
    centroid (a seeded sample), which keeps it to seconds at 100k vectors."""
    faiss = _faiss()
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    km = faiss.Kmeans(vectors.shape[1], nlist, niter=niter, seed=seed, spherical=True, max_points_per_centroid=39,
                      verbose=False)
    km.train(vectors)
    return np.asarray(km.centroids, dtype=np.float32)


class VectorIndex:
    """Cosine search over normalised float32 vectors with stable int64 ids.

    ``search`` returns ``(scores, ids)``, both of shape (n_queries, k); slots with no result hold score ``-inf``
    and id ``-1``. An ``ivf`` index is trained on the first vectors it receives.
    """

    def __init__(self, dim: int, kind: str = "flat", nlist: int = 0, nprobe: int = 32):
        self.dim = dim
        self.kind = kind
        self.nprobe = nprobe
        faiss = _faiss()
        if kind == "flat":
            self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        elif kind == "ivf":
            quantizer = faiss.IndexFlatIP(dim)
            self._index = faiss.IndexIVFFlat(quantizer, dim, nlist or 1024, faiss.METRIC_INNER_PRODUCT)
            self._quantizer = quantizer  # the index does not own it: keep it alive as long as the index
            self._index.set_direct_map_type(faiss.DirectMap.Hashtable)
        else:
            raise ValueError(f"unknown index kind {kind!r}; expected 'flat' or 'ivf'")

    @classmethod
    def with_centroids(cls, centroids: np.ndarray, nprobe: int) -> VectorIndex:
        """An empty IVF index whose cells are ``centroids`` (already trained): indexes built from the same
        centroids search alike, so a stored set of centroids makes a search repeatable across generations."""
        centroids = np.ascontiguousarray(centroids, dtype=np.float32)
        self = cls(centroids.shape[1], "ivf", nlist=len(centroids), nprobe=nprobe)
        self._quantizer.add(centroids)
        self._index.is_trained = True
        return self

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def ids(self) -> np.ndarray:
        """Ids currently in the index (insertion order for flat, cell order for ivf)."""
        faiss = _faiss()
        if self.kind == "flat":
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        lists = self._index.invlists
        parts = [faiss.rev_swig_ptr(lists.get_ids(c), lists.list_size(c)).copy()
                 for c in range(self._index.nlist) if lists.list_size(c)]
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)

    def upsert(self, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        """Add vectors, replacing any already stored under the same ids."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected vectors of shape (n, {self.dim}), got {vectors.shape}")
        if len(ids) != len(vectors):
            raise ValueError("ids and vectors differ in length")
        if len(ids):
            if not self._index.is_trained:
                self._index.train(vectors)
            self.remove(ids)
            self._index.add_with_ids(vectors, ids)
        return self

    def remove(self, ids: np.ndarray) -> int:
        """Remove ids (unknown ids are ignored); returns how many were removed."""
        faiss = _faiss()
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids) or not len(self):
            return 0
        if self.kind == "ivf":  # the hash-table direct map removes only through an explicit id array
            return int(self._index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids))))
        return int(self._index.remove_ids(faiss.IDSelectorBatch(ids)))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors for ``ids`` (all must exist): shape (len(ids), dim)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return np.empty((0, self.dim), dtype=np.float32)
        return np.vstack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def stored(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(a read-only view of every stored vector, (len, dim); their ids) for an exact index, else None.

        One matrix product with this view scores a batch of queries against the whole catalogue in a single
        pass over memory, which is what makes regency recommendations (several gaps at once) cheap. The view
        is valid until the index is modified.
        """
        if self.kind != "flat":
            return None
        faiss = _faiss()
        flat = faiss.downcast_index(self._index.index)
        n = len(self)
        view = faiss.rev_swig_ptr(flat.get_xb(), n * self.dim).reshape(n, self.dim) if n else np.empty((0, self.dim))
        view.flags.writeable = False
        return view, self.ids

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
        selector = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        if self.kind == "ivf":
            params = faiss.SearchParametersIVF(nprobe=self.nprobe, sel=selector)
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
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
    def load(cls, path: Path, nprobe: int = 32) -> VectorIndex:
        """Read an index written by :meth:`save`."""
        faiss = _faiss()
        path = Path(path)
        if not path.exists():
            raise StoreError(f"vector index not found at {path}: run 'matcher index' to build it")
        raw = faiss.read_index(str(path))
        self = cls.__new__(cls)
        self.dim = int(raw.d)
        self.kind = "ivf" if isinstance(raw, faiss.IndexIVF) else "flat"
        self.nprobe = nprobe
        self._index = raw
        if self.kind == "ivf":
            raw.set_direct_map_type(faiss.DirectMap.Hashtable)
        return self
