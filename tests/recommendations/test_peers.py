"""Regions like yours: what similar regencies did with an innovation, as a score part, a line and a caution."""

from __future__ import annotations

import pytest

from matcher.data.region_profiles import Peer
from matcher.recommendations.peers import PeerEvidence, PeerOutcome, peer_evidence, peers_of
from matcher.recommendations.regency import RecommendOptions, recommend, regency_inputs
from matcher.store.replications import ReplicationState


def _state(region: str, inv: str, stage: str, reason: str = "") -> ReplicationState:
    return ReplicationState(region, inv, stage, None, stage, reason=reason)


def test_evidence_sorts_peers_by_similarity_and_ignores_strangers():
    peers = [Peer("35.73", 0.9), Peer("51.71", 0.8), Peer("64.72", 0.5)]
    names = {"35.73": "Kota Malang", "51.71": "Kota Denpasar", "64.72": "Kota Samarinda"}
    states = [_state("64.72", "A", "berlanjut"), _state("35.73", "A", "diterapkan"),
              _state("51.71", "B", "berhenti", "anggaran habis"), _state("11.01", "A", "berlanjut"),
              _state("35.73", "C", "studi_tiru")]
    found = peer_evidence(states, peers, names)
    assert set(found) == {"A", "B"}  # a visit alone is no outcome; 11.01 is not a peer
    assert [p.region_code for p in found["A"].kept] == ["35.73", "64.72"]
    assert found["A"].line() == "diterapkan dan berlanjut di 2 daerah serupa: Kota Malang, Kota Samarinda"
    assert found["A"].caution() is None and found["A"].support > 0
    assert found["B"].line() is None and found["B"].support < 0
    assert found["B"].caution() == "dihentikan di 1 daerah serupa: Kota Denpasar (anggaran habis)"


def test_only_implemented_peers_say_diterapkan_and_many_are_summarised():
    kept = [PeerOutcome(f"00.{i:02d}", f"Kab {i}", "diterapkan", 0.5) for i in range(5)]
    evidence = PeerEvidence(kept)
    assert evidence.line() == "diterapkan di 5 daerah serupa: Kab 0, Kab 1, Kab 2 dan lainnya"
    assert -1 < PeerEvidence(dropped=kept).support < 0 < evidence.support < 1
    assert PeerEvidence.from_dict(evidence.to_dict()) == evidence and PeerEvidence.from_dict(None) is None


@pytest.mark.slow
def test_a_kept_innovation_among_peers_lifts_it_and_says_where(mini_matcher):
    target = "81.03"
    before = recommend(mini_matcher, target, k=4, options=RecommendOptions(peers=0.3))
    inputs_before = regency_inputs(mini_matcher, target)
    second = before[1].innovation
    peer = next(p for p in peers_of(mini_matcher, target) if p.code != second.region_code)
    mini_matcher.replications.record(peer.code, second.id, "diterapkan", date="2025-03-01")
    mini_matcher.replications.record(peer.code, second.id, "berlanjut", date="2026-03-01")
    after = recommend(mini_matcher, target, k=4, options=RecommendOptions(peers=0.3))
    lifted = next(r for r in after if r.innovation.id == second.id)
    assert lifted.parts["peers"] > 0 and lifted.score > before[1].score
    assert lifted.peers is not None and mini_matcher.regions.get(peer.code).name in lifted.peers.line()
    assert all(r.peers is None and r.parts["peers"] == 0 for r in after if r.innovation.id != second.id)
    assert regency_inputs(mini_matcher, target) != inputs_before  # a cached list of the target goes stale
    assert [r.innovation.id for r in recommend(mini_matcher, target, k=4, options=RecommendOptions(peers=0.0))] \
        == [r.innovation.id for r in before]  # with the part off, nothing changes
