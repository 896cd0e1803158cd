"""The links of a near-duplicate grouping as three NumPy arrays, not a dict of dicts.

At 100k innovations a grouping holds over a million links. As Python dicts of floats they took ~250 MB and
seconds to load, filter and save on every one-innovation edit; as arrays they take 24 bytes a link, and what
an update does to them (drop the changed innovations' links, add the new ones, find the connected components)
is a few vectorised passes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

_KEY_LIMIT = 2**31  # rids below this pack a pair into one int64 sort key


def pair_key(low: np.ndarray, high: np.ndarray) -> np.ndarray | None:
    """One int64 per (low, high) pair that sorts as the pairs do lexicographically; None when the rids are too
    large (or negative) to pack."""
    if not len(low):
        return np.empty(0, dtype=np.int64)
    if min(int(low.min()), int(high.min())) < 0 or max(int(low.max()), int(high.max())) >= _KEY_LIMIT:
        return None
    return low * _KEY_LIMIT + high


def distinct_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distinct unordered pairs as rows (low, high), self-pairs dropped: int64, (n, 2), sorted."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    low, high = np.minimum(a, b), np.maximum(a, b)
    keep = low != high
    low, high = low[keep], high[keep]
    key = pair_key(low, high)
    if key is None:
        return np.unique(np.stack([low, high], axis=1), axis=0)
    key = np.unique(key)
    return np.stack([key // _KEY_LIMIT, key % _KEY_LIMIT], axis=1)


def union_pairs(parts: list[np.ndarray]) -> np.ndarray:
    """Distinct rows of the (n, 2) pair arrays in ``parts`` (each from :func:`distinct_pairs`), sorted. The list
    is emptied as it is read, and the union is taken on one packed key per pair: at 100k, ~2M candidate pairs
    cost ~60 MB here instead of ~165 MB."""
    packed = [pair_key(p[:, 0], p[:, 1]) for p in parts]
    keys = [k for k in packed if k is not None]
    if len(keys) < len(packed):
        stacked = np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)
        parts.clear()
        return distinct_pairs(stacked[:, 0], stacked[:, 1])
    parts.clear()
    key = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
    del keys, packed
    key.sort()
    key = key[np.concatenate([[True], key[1:] != key[:-1]])] if len(key) else key
    pairs = np.empty((len(key), 2), dtype=np.int64)
    np.floor_divide(key, _KEY_LIMIT, out=pairs[:, 0])
    np.remainder(key, _KEY_LIMIT, out=pairs[:, 1])
    return pairs


def lex_order(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Indices that sort the pairs by (low, high), ties in their given order."""
    key = pair_key(low, high)
    return np.argsort(key, kind="stable") if key is not None else np.lexsort((high, low))


class Links:
    """Links of a grouping, each once: ``a`` < ``b`` (int64 rids) with its ``score`` (float64), sorted by (a, b)."""

    def __init__(self, a: np.ndarray, b: np.ndarray, score: np.ndarray):
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        low, high = np.minimum(a, b), np.maximum(a, b)
        order = lex_order(low, high)
        self.a, self.b = low[order], high[order]
        self.score = np.asarray(score, dtype=np.float64)[order]

    @classmethod
    def of_sorted(cls, a: np.ndarray, b: np.ndarray, score: np.ndarray) -> Links:
        """Links from arrays already in order (``a`` < ``b``, sorted by (a, b)), taken as they are."""
        out = cls.__new__(cls)
        out.a, out.b, out.score = a, b, score
        return out

    @classmethod
    def empty(cls) -> Links:
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))

    def __len__(self) -> int:
        return len(self.a)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Links) and all(
            np.array_equal(x, y) for x, y in ((self.a, other.a), (self.b, other.b), (self.score, other.score)))

    __hash__ = None  # type: ignore[assignment]  # mutable arrays: compared by value, never hashed

    def of(self, rid: int) -> dict[int, float]:
        """The rids linked to ``rid``, with the link scores (empty when it has none)."""
        left, right = self.a == rid, self.b == rid
        return dict(zip(np.concatenate([self.b[left], self.a[right]]).tolist(),
                        np.concatenate([self.score[left], self.score[right]]).tolist(), strict=True))

    def without(self, rids: np.ndarray) -> Links:
        """These links but those touching any of ``rids``."""
        keep = ~(np.isin(self.a, rids) | np.isin(self.b, rids))
        return Links.of_sorted(self.a[keep], self.b[keep], self.score[keep])

    def plus(self, other: Links) -> Links:
        """These links and ``other``'s (no pair in both), still sorted."""
        if not len(other):
            return self
        if not len(self):
            return other
        mine, theirs = pair_key(self.a, self.b), pair_key(other.a, other.b)
        if mine is None or theirs is None:
            return Links(np.concatenate([self.a, other.a]), np.concatenate([self.b, other.b]),
                         np.concatenate([self.score, other.score]))
        at = np.searchsorted(mine, theirs)  # both sorted: insert, rather than sort a million links again
        return Links.of_sorted(*(np.insert(x, at, y) for x, y in
                                 ((self.a, other.a), (self.b, other.b), (self.score, other.score))))

    def graph(self) -> LinkGraph:
        """The undirected graph of these links, for components and per-node neighbours."""
        return LinkGraph(self)


class LinkGraph:
    """Links as a graph over ``nodes`` (the sorted rids with at least one link)."""

    def __init__(self, links: Links):
        self._links = links
        top = int(links.b.max()) + 1 if len(links) else 0  # b > a in every link
        if len(links) and int(links.a.min()) >= 0 and top <= 16 * len(links) + (1 << 20):  # dense rids: a table
            seen = np.zeros(top, dtype=bool)
            seen[links.a] = True
            seen[links.b] = True
            self.nodes = np.flatnonzero(seen)
            place = np.cumsum(seen, dtype=np.int32 if len(self.nodes) < 2**31 else np.int64) - 1
            del seen
            self._a, self._b = place[links.a], place[links.b]
        else:
            self.nodes = np.unique(np.concatenate([links.a, links.b]))
            self._a, self._b = np.searchsorted(self.nodes, links.a), np.searchsorted(self.nodes, links.b)

    def components(self) -> tuple[int, np.ndarray]:
        """(number of components, the component label of each node)."""
        n = len(self.nodes)
        matrix = sp.csr_matrix((np.ones(len(self._a), dtype=np.int8), (self._a, self._b)), shape=(n, n))
        return connected_components(matrix, directed=False)

    def adjacency(self, positions: np.ndarray) -> dict[int, dict[int, float]]:
        """rid -> {linked rid: score} of the nodes at ``positions`` (what complete linkage walks)."""
        if not hasattr(self, "_ptr"):  # both directions of every link, by node: built on first use
            src, dst = np.concatenate([self._a, self._b]), np.concatenate([self._b, self._a])
            order = np.argsort(src, kind="stable")
            self._dst, self._score = dst[order], np.concatenate([self._links.score, self._links.score])[order]
            self._ptr = np.zeros(len(self.nodes) + 1, dtype=np.int64)
            np.cumsum(np.bincount(src, minlength=len(self.nodes)), out=self._ptr[1:])
        out: dict[int, dict[int, float]] = {}
        for p in positions.tolist():
            lo, hi = self._ptr[p], self._ptr[p + 1]
            out[int(self.nodes[p])] = dict(zip(self.nodes[self._dst[lo:hi]].tolist(), self._score[lo:hi].tolist(),
                                               strict=True))
        return out
