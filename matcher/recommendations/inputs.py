"""What of the store a regency's list depends on besides the index and the settings, read once per list.

Its gap statements, the innovations it has replicated (never recommended to it again), its peers (the regencies
most like it) and what they kept or dropped. The list itself, the service's cache key and a batch part's
staleness key all come from one read: one query for the gaps, and one :meth:`ReplicationRepository.latest` for
the regency and its peers together (two queries), where each of them used to read these again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matcher.data.records import Gap
from matcher.data.region_profiles import Peer
from matcher.recommendations.peers import kept_or_dropped, peers_of
from matcher.store.replications import ReplicationState


@dataclass(frozen=True)
class RegencyInputs:
    """One regency's inputs: ``gaps`` (stored order), ``replicated`` (sorted innovation ids), ``peers`` (most
    similar first) and ``peer_states`` (the peers' kept or dropped innovations, by region code then id)."""

    region_code: str
    gaps: list[Gap]
    replicated: list[str]
    peers: list[Peer]
    peer_states: list[ReplicationState]

    @classmethod
    def read(cls, source: Any, region_code: str) -> RegencyInputs:
        """Read them from ``source``: a ``Matcher``, or anything with its ``regions``, ``settings``, ``gaps()``
        and ``replications.latest()`` (the service's reads). ``region_code`` is a kabupaten/kota code."""
        peers = peers_of(source, region_code)
        codes = {p.code for p in peers}
        states = source.replications.latest([region_code, *codes])  # one state per pair, whatever else is asked
        replicated = sorted({s.innovation_id for s in states if s.region_code == region_code and s.replicated})
        return cls(region_code, source.gaps(region_code), replicated, peers, kept_or_dropped(states, codes))

    def key(self) -> dict[str, Any]:
        """The inputs as plain JSON values (``matcher.regency_inputs``), for keys and staleness checks."""
        return {"gaps": [g.to_dict() for g in self.gaps], "decisions": list(self.replicated),
                "peers": [[p.code, p.similarity] for p in self.peers],
                "peer_states": [[s.region_code, s.innovation_id, s.stage, s.reason] for s in self.peer_states]}
