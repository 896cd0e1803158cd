"""A small cache of regency recommendation lists, keyed by everything a list depends on, bounded in bytes.

A list is a pure function of the index generation, the settings that affect rankings, the regency's inputs
(``matcher.regency_inputs``: its gap statements and what it has already replicated), k and the filters. All
of these are in the key, derived from the same declarations as a batch part's staleness key, so an edited gap,
a new decision or another worker's new index generation changes the key: nothing stale is ever served and
nothing needs invalidating. An entry holds the list and each gap's best candidate (``matcher.gap_fits``). Computing a list costs ~50 ms per gap (ranking and explaining candidates); a
hit costs two small SQLite reads and no engine time, so hits are served without the work queue.

Lists are counted by their estimated size too: a regency with many long gaps makes lists of megabytes, and a
cache counted in lists alone could then hold gigabytes.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from matcher import Filters, GapFit, Recommendation, Settings
from matcher.config import fingerprint

Entry = tuple[list[Recommendation], list[GapFit]]  # a regency's list and each of its gaps' best candidate

ITEM_OVERHEAD = 600  # bytes of one recommendation's objects besides its strings (scores, parts, dataclasses)


def recommendation_key(generation: str, settings: Settings, region_code: str, inputs: dict[str, Any], k: int,
                       filters: Filters, collapse: bool | None = None) -> tuple[Hashable, ...]:
    """Every input of ``recommend(m, region_code, k, filters)``: the index generation, the settings of index and
    ranking scope, the regency's inputs (``regency_inputs``), k, the filters and whether the list shows one
    innovation per near-duplicate group (``collapse``; None: as MATCHER_GROUP_LISTS says)."""
    return (generation, json.dumps(fingerprint(settings, "index", "ranking"), sort_keys=True), region_code,
            json.dumps(inputs, sort_keys=True, ensure_ascii=False), k, filters,
            settings.group_lists if collapse is None else collapse)


def entry_bytes(entry: Entry) -> int:
    return list_bytes(entry[0]) + ITEM_OVERHEAD * len(entry[1])


def list_bytes(recs: Sequence[Recommendation]) -> int:
    """Estimated memory of a list: each distinct string once (a gap's text is shared by every item citing it)."""
    seen: dict[int, int] = {}
    for r in recs:
        inv = r.innovation
        for s in (inv.title, inv.description, inv.institution or ""):
            seen[id(s)] = len(s)
        for e in r.gaps:
            for s in (e.gap_text, e.best_sentence, *e.matched_terms):
                seen[id(s)] = len(s)
    return sum(seen.values()) + ITEM_OVERHEAD * (len(recs) + sum(len(r.gaps) for r in recs))


class RecommendationCache:
    """Least-recently-used: ``size`` lists and ``max_bytes`` estimated bytes at most (0 turns it off).

    Safe to share between threads: hits are read outside the engine's queue."""

    def __init__(self, size: int, max_bytes: int = 64 * 1024 * 1024, sizer: Callable[[Any], int] | None = None):
        self.size, self.max_bytes = size, max_bytes
        self._sizer = sizer or entry_bytes  # another kind of entry (the opportunity map's fits) brings its own
        self.hits = self.misses = 0
        self.bytes = 0
        self._lists: OrderedDict[tuple, tuple[Entry, int]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: tuple) -> Entry | None:
        """The cached list, or None (a miss is not counted: the caller computes through ``get``)."""
        with self._lock:
            found = self._lists.get(key)
            if found is None:
                return None
            self.hits += 1
            self._lists.move_to_end(key)
            return found[0]

    def get(self, key: tuple, compute: Callable[[], Entry]) -> Entry:
        cached = self.peek(key)
        if cached is not None:
            return cached
        value = compute()
        size = self._sizer(value)
        with self._lock:
            self.misses += 1
            if not self.size or size > self.max_bytes or key in self._lists:
                return value
            self._lists[key] = (value, size)
            self.bytes += size
            while len(self._lists) > self.size or self.bytes > self.max_bytes:
                self.bytes -= self._lists.popitem(last=False)[1][1]
        return value
