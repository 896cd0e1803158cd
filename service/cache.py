"""A small cache of regency recommendation lists, keyed by everything a list depends on.

A list is a pure function of the index generation, the settings that affect rankings, the regency's inputs
(``matcher.regency_inputs``: its gap statements and what it has already replicated), k and the filters. All
of these are in the key, so an edited gap, a new decision or another worker's new index generation changes
the key: nothing stale is ever served and nothing needs invalidating. Computing a list costs ~50 ms per gap (ranking and explaining candidates); a
hit costs two small SQLite reads.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Hashable

from matcher import Filters, Matcher, Recommendation, regency_inputs
from matcher.config import fingerprint

# A regency's list, and each of its gaps' best fused score (matcher.confidence.best_per_gap): same inputs, one entry.
Entry = tuple[list[Recommendation], dict[str, float | None]]


def recommendation_key(m: Matcher, region_code: str, k: int, filters: Filters) -> tuple[Hashable, ...]:
    """Every input of ``recommend(m, region_code, k, filters)``, derived from the same declarations as a batch
    part's staleness key: the ranking settings (``fingerprint``) and ``regency_inputs``."""
    inputs = json.dumps(regency_inputs(m, region_code), sort_keys=True, ensure_ascii=False)
    settings = json.dumps(fingerprint(m.settings, "index", "ranking"), sort_keys=True)
    return m.manifest.get("generation", ""), settings, region_code, inputs, k, filters


class RecommendationCache:
    """Least-recently-used, ``size`` lists at most (0 turns it off). Used under the engine's lock."""

    def __init__(self, size: int):
        self.size = size
        self.hits = self.misses = 0
        self._lists: OrderedDict[tuple, Entry] = OrderedDict()

    def get(self, key: tuple, compute: Callable[[], Entry]) -> Entry:
        if key in self._lists:
            self.hits += 1
            self._lists.move_to_end(key)
            return self._lists[key]
        self.misses += 1
        value = compute()
        if self.size:
            self._lists[key] = value
            while len(self._lists) > self.size:
                self._lists.popitem(last=False)
        return value
