"""Does "regions like yours replicated this" help? Simulated replication histories drawn from judgments.

No store holds real replication histories yet, so they are simulated from the evaluation set's judgments, and
held-out regencies are ranked with and without the peers part (``RecommendOptions.peers``):

- ``oracle``: for each target regency, a few of its most similar regencies (never targets themselves) get a
  history drawn from the target's own held-out judgments, with noise: a relevant innovation was kept with
  probability ``keep`` or dropped with ``drop_relevant``; an irrelevant one that the target's list shows was kept
  with ``noise_keep`` or dropped with ``drop_irrelevant``. It asks whether the mechanism turns peers' outcomes
  into better lists when peers' needs resemble the target's, and how much noise it survives.
- ``own``: every judged regency that is not a target gets a history from its *own* judgments (it kept what
  was judged relevant to it, dropped what its list showed that was not). A target gains evidence only where
  its national peers happen to be such regencies. It asks whether real co-relevance between similar regencies
  is there to use.

Targets keep no history of their own (an implemented innovation leaves its own list). Each protocol runs on a
private copy of the store, so the histories never reach a real one.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.data.loaders import Gap, Innovation, Judgment
from matcher.recommendations.peers import PEERS, peer_states, peers_of
from matcher.recommendations.regency import RecommendOptions, recommend_many
from matcher.research.evaluation import RELEVANT, ndcg_at_k, regency_judgments, usable_judgments
from matcher.store.replications import ReplicationStep

if TYPE_CHECKING:
    from matcher.facade import Matcher

PROTOCOLS = ("oracle", "own")


@dataclass(frozen=True)
class Noise:
    """Probabilities of the simulated outcomes (see the module docstring)."""

    keep: float = 0.5
    drop_relevant: float = 0.1
    noise_keep: float = 0.15
    drop_irrelevant: float = 0.2
    peers_with_history: int = 3


@dataclass(frozen=True)
class PeerEffect:
    """Held-out regency nDCG@k without and with the peers part, over all targets and over those with evidence."""

    protocol: str
    weight: float
    targets: int
    with_evidence: int
    ndcg_without: float
    ndcg_with: float
    evidence_ndcg_without: float
    evidence_ndcg_with: float
    unchanged_without_evidence: bool  # every list without peer evidence is identical with the part on


def _outcome(rng: random.Random, relevant: bool, noise: Noise) -> str | None:
    draw = rng.random()
    keep, drop = (noise.keep, noise.drop_relevant) if relevant else (noise.noise_keep, noise.drop_irrelevant)
    return "berlanjut" if draw < keep else "berhenti" if draw < keep + drop else None


def simulated_history(
    matcher: Matcher, protocol: str, targets: dict[str, dict[str, int]], others: dict[str, dict[str, int]],
    shown: dict[str, list[str]], seed: int = 15, noise: Noise | None = None,
) -> list[ReplicationStep]:
    """Steps of a simulated history (one final step per pair: ``berlanjut``, or ``berhenti`` with a reason)."""
    noise = noise or Noise()
    rng = random.Random(seed)
    outcomes: dict[tuple[str, str], str] = {}
    if protocol == "oracle":
        for target, grades in sorted(targets.items()):
            candidates = [p.code for p in peers_of(matcher, target, PEERS) if p.code not in targets]
            for peer in rng.sample(candidates, min(noise.peers_with_history, len(candidates))):
                for inv_id in sorted(set(grades) | set(shown.get(target, []))):
                    stage = _outcome(rng, grades.get(inv_id, 0) >= RELEVANT, noise)
                    if stage:
                        outcomes.setdefault((peer, inv_id), stage)
    elif protocol == "own":
        for region, grades in sorted(others.items()):
            if region in targets:
                continue
            for inv_id in sorted(set(grades) | set(shown.get(region, []))):
                stage = _outcome(rng, grades.get(inv_id, 0) >= RELEVANT, noise)
                if stage:
                    outcomes.setdefault((region, inv_id), stage)
    else:
        raise ValueError(f"unknown protocol {protocol!r}: one of {PROTOCOLS}")
    return [ReplicationStep(region, inv_id, stage, reason="simulasi" if stage == "berhenti" else "",
                            who="simulasi", account="simulasi")
            for (region, inv_id), stage in sorted(outcomes.items())]


def peer_effect(
    matcher: Matcher, gaps: Sequence[Gap], innovations: Sequence[Innovation], qrels: Sequence[Judgment],
    target_gap_ids: set[str], weights: Sequence[float], protocol: str = "oracle", k: int = 10, seed: int = 15,
    noise: Noise | None = None,
) -> list[PeerEffect]:
    """Rank the regencies of ``target_gap_ids`` on a private copy of ``matcher``'s store that holds a simulated
    history, once without the peers part and once per weight."""
    judged = usable_judgments(gaps, innovations, qrels)
    targets = regency_judgments(gaps, judged, target_gap_ids)
    others = regency_judgments(gaps, judged, set(judged) - target_gap_ids)
    codes = sorted(targets)
    everyone = sorted(set(codes) | set(others))
    base = RecommendOptions.from_settings(matcher.settings)
    lists = recommend_many(matcher, everyone, k=k, options=replace(base, peers=0.0))
    shown = {code: [r.innovation.id for r in recs] for code, recs in zip(everyone, lists, strict=True)}
    steps = simulated_history(matcher, protocol, targets, others, shown, seed, noise)
    with tempfile.TemporaryDirectory(prefix="matcher-peers-") as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(matcher.settings.home, home)
        settings = matcher.settings.model_copy(update={"home": home})
        copy = type(matcher)(settings, encoder=matcher.embedder.encoder, regions=matcher.regions)
        copy.replications.append_checked(list(enumerate(steps, start=1)), "simulasi")
        evidence = {code for code in codes if peer_states(copy, peers_of(copy, code))}
        without = recommend_many(copy, codes, k=k, options=replace(base, peers=0.0))
        out = []
        for weight in weights:
            with_part = recommend_many(copy, codes, k=k, options=replace(base, peers=weight))
            out.append(_compare(protocol, weight, codes, targets, evidence, without, with_part, k))
    return out


def _compare(protocol: str, weight: float, codes: list[str], targets: dict[str, dict[str, int]],
             evidence: set[str], without: list, with_part: list, k: int) -> PeerEffect:
    plain, boosted, ev_plain, ev_boosted = [], [], [], []
    unchanged = True
    for code, a, b in zip(codes, without, with_part, strict=True):
        ids_a, ids_b = [r.innovation.id for r in a], [r.innovation.id for r in b]
        n_a, n_b = ndcg_at_k(ids_a, targets[code], k), ndcg_at_k(ids_b, targets[code], k)
        plain.append(n_a)
        boosted.append(n_b)
        if code in evidence:
            ev_plain.append(n_a)
            ev_boosted.append(n_b)
        elif ids_a != ids_b:
            unchanged = False

    def mean(xs: list[float]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else float("nan")

    return PeerEffect(protocol, weight, len(codes), len(ev_plain), mean(plain), mean(boosted), mean(ev_plain),
                      mean(ev_boosted), unchanged)
