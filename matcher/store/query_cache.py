"""Bounded in-memory caches for what queries bring: vectors of free texts, and analyses of texts.

``VectorLRU`` keeps the query vectors of texts that are not stored (free texts sent to ``/match``).

Stored texts (gaps, innovations) keep their vectors in the store's ``embeddings`` table, which grows with what
mentors and admins save. A free text is a read: writing its vector would let anonymous traffic grow the database
and take a write transaction per request, so it stays here, least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


class VectorLRU:
    """``size`` vectors at most, by text hash (0 keeps nothing); safe to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vector = self._vectors.get(key)
            if vector is not None:
                self._vectors.move_to_end(key)
            return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        if not self.size:
            return
        with self._lock:
            self._vectors[key] = np.array(vector, dtype=np.float32)  # a copy: never a view of a batch array
            self._vectors.move_to_end(key)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)


class TextLRU(Generic[T]):
    """Memoises ``fn(text, *hints)`` for at most ``max_chars`` characters of texts in all, least recently used
    dropped first: a count of entries would let 5,000-character free texts hold hundreds of megabytes of
    analyses. ``hints`` (a stated sector) are part of the key."""

    def __init__(self, fn: Callable[..., T], max_chars: int):
        self.fn, self.max_chars = fn, max_chars
        self.chars = 0
        self._values: OrderedDict[tuple, T] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str, *hints: object) -> T:
        key = (text, *hints)
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = self.fn(text, *hints)
        if len(text) <= self.max_chars:
            with self._lock:
                if key not in self._values:
                    self._values[key] = value
                    self.chars += len(text)
                    while self.chars > self.max_chars:
                        self.chars -= len(self._values.popitem(last=False)[0][0])
        return value
