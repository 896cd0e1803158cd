""""Regions like yours replicated this": evidence from what similar regencies did with an innovation.

A regency's peers are the regencies most like it (:class:`RegionSimilarity`). When peers implemented or kept an
innovation (current stage ``diterapkan`` or ``berlanjut``), that supports it; when they dropped it
(``berhenti``), that is a caution, with their reason. With no history among the peers nothing changes: the
part is 0 and no line is shown.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.data.boundaries import FILE_NAME as BOUNDARIES
from matcher.data.boundaries import load_boundaries
from matcher.data.region_profiles import Peer, RegionSimilarity
from matcher.data.regions import Regions
from matcher.errors import ValidationError
from matcher.store.replications import KEPT_STAGES

if TYPE_CHECKING:
    from matcher.facade import Matcher

KEPT = KEPT_STAGES
DROPPED = ("berhenti",)
PEERS = 10  # how many similar regencies count as "like yours"
DROP_WEIGHT = 1.0  # a peer that dropped an innovation counts against it as much as one that kept it counts for


@dataclass(frozen=True)
class PeerOutcome:
    """What one similar regency did with the innovation."""

    region_code: str
    region_name: str
    stage: str
    similarity: float
    reason: str = ""


@dataclass(frozen=True)
class PeerEvidence:
    """Similar regencies that implemented or kept an innovation, and those that dropped it."""

    kept: list[PeerOutcome] = field(default_factory=list)
    dropped: list[PeerOutcome] = field(default_factory=list)

    @property
    def support(self) -> float:
        """In (-1, 1): similarity-weighted peers that kept it, minus those that dropped it, squashed."""
        total = sum(p.similarity for p in self.kept) - DROP_WEIGHT * sum(p.similarity for p in self.dropped)
        return math.tanh(total)

    def line(self) -> str | None:
        """E.g. "diterapkan dan berlanjut di 3 daerah serupa: Kota A, Kota B, Kota C"."""
        if not self.kept:
            return None
        stages = {p.stage for p in self.kept}
        verb = "diterapkan dan berlanjut" if "berlanjut" in stages else "diterapkan"
        names = ", ".join(p.region_name for p in self.kept[:3]) + (" dan lainnya" if len(self.kept) > 3 else "")
        return f"{verb} di {len(self.kept)} daerah serupa: {names}"

    def caution(self) -> str | None:
        """E.g. "dihentikan di 1 daerah serupa: Kota A (anggaran tidak berlanjut)"."""
        if not self.dropped:
            return None
        named = [p.region_name + (f" ({p.reason})" if p.reason else "") for p in self.dropped[:3]]
        return f"dihentikan di {len(self.dropped)} daerah serupa: " + "; ".join(named)

    def to_dict(self) -> dict[str, Any]:
        return {"kept": [vars(p) for p in self.kept], "dropped": [vars(p) for p in self.dropped],
                "line": self.line(), "caution": self.caution()}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PeerEvidence | None:
        """Inverse of :meth:`to_dict` (the texts are derived again); None stays None."""
        if not data:
            return None
        return cls([PeerOutcome(**p) for p in data["kept"]], [PeerOutcome(**p) for p in data["dropped"]])


@functools.cache
def similarity_for(regions: Regions, outlines: Path | None = None) -> RegionSimilarity:
    """One similarity per reference data set (regions are read-only and shared). Island character comes from
    the outlines (default: the bundled ones); without them, no regency counts as an island regency."""
    try:
        parts = {code: len(o.polygons) for code, o in load_boundaries(outlines).items()}
    except ValidationError:
        parts = None
    return RegionSimilarity(regions, land_parts=parts)


def peers_of(matcher: Matcher, region_code: str, n: int = PEERS) -> list[Peer]:
    outlines = matcher.settings.corpus_dir / "regions" / BOUNDARIES
    return similarity_for(matcher.regions, outlines).similar(region_code, n)


def peer_states(matcher: Matcher, peers: Sequence[Peer]) -> list[Any]:
    """The peers' kept or dropped innovations (their replication states); what a regency's list depends on."""
    codes = [p.code for p in peers]
    return kept_or_dropped(matcher.replications.latest(codes), set(codes))


def kept_or_dropped(states: Iterable[Any], region_codes: Container[str]) -> list[Any]:
    """The states of ``region_codes`` whose current stage kept or dropped the innovation, in the order given."""
    return [s for s in states if s.region_code in region_codes and s.stage in KEPT + DROPPED]


def peer_evidence(
    states: Iterable[Any], peers: Sequence[Peer], names: Mapping[str, str],
) -> dict[str, PeerEvidence]:
    """Per innovation id, what the peers did with it, most similar peer first."""
    similarity = {p.code: p.similarity for p in peers}
    kept: dict[str, list[PeerOutcome]] = {}
    dropped: dict[str, list[PeerOutcome]] = {}
    for s in kept_or_dropped(states, similarity):
        outcome = PeerOutcome(s.region_code, names.get(s.region_code, s.region_code), s.stage,
                              similarity[s.region_code], s.reason if s.stage in DROPPED else "")
        (kept if s.stage in KEPT else dropped).setdefault(s.innovation_id, []).append(outcome)
    ids = set(kept) | set(dropped)

    def ordered(outcomes: list[PeerOutcome]) -> list[PeerOutcome]:
        return sorted(outcomes, key=lambda o: (-o.similarity, o.region_code))

    return {i: PeerEvidence(ordered(kept.get(i, [])), ordered(dropped.get(i, []))) for i in sorted(ids)}
