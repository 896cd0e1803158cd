"""A bounded in-memory cache of query vectors for texts that are not stored (free texts sent to ``/match``).

Stored texts (gaps, innovations) keep their vectors in the store's ``embeddings`` table, which grows with what
mentors and admins save. A free text is a read: writing its vector would let anonymous traffic grow the database
and take a write transaction per request, so it stays here, least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


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
