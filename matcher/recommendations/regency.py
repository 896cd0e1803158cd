"""Recommendations for a regency from all its gap statements.

Per gap, the hybrid ranking gives candidates. They are aggregated per innovation and weighted by the gap's
priority. Explicit priors are added: maturity, recognition, proximity and similarity of the origin region.
Every high-priority gap that has a good candidate is kept in the top k, and the list is diversified with
MMR so it does not hold five versions of one idea. Every score part is returned, so the page can show why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.config import Settings
from matcher.data.loaders import Gap, Innovation
from matcher.data.regions import Region
from matcher.engine.catalog import Filters
from matcher.engine.groups import GroupInfo
from matcher.engine.highlights import TermPair
from matcher.engine.scoring import Features, LinearScorer, Scorer
from matcher.facade import pinned
from matcher.recommendations.confidence import GapFit, fit_of
from matcher.recommendations.inputs import RegencyInputs
from matcher.recommendations.peers import PeerEvidence, peer_evidence

if TYPE_CHECKING:
    from matcher.facade import Match, Matcher

PRIORITY_WEIGHT = {1: 1.0, 2: 0.8, 3: 0.6}
PARTS = ("relevance", "maturity", "recognition", "proximity", "similarity", "peers")  # a recommendation's score parts
# The scoring stage of a regency list: its parts come weighted (RecommendOptions), so they are added up.
REGENCY_SCORER: Scorer = LinearScorer(dict.fromkeys(PARTS, 1.0), name="relevance+priors")
RECOGNITION = {"top_45": 1.0, "top_99": 0.7, "iga": 0.4, "none": 0.0}
MATURITY = {"penerapan": 1.0, "uji_coba": 0.3}


@dataclass(frozen=True)
class GapEvidence:
    """How one innovation answers one of the regency's gaps."""

    gap_id: str
    gap_text: str
    priority: int
    score: float
    dense: float
    lexical: float
    matched_terms: list[str]
    best_sentence: str
    confidence: float | None = None  # P(a mentor judges the innovation relevant to this gap), calibrated
    band: str | None = None  # "strong", "medium" or "weak"
    matched_pairs: list[TermPair] = field(default_factory=list)  # each matched term with the innovation's word
    caution: str | None = None  # from the compatibility check

    @property
    def shown_words(self) -> list[str]:
        """The matched words as reports show them: pairs ("Bumil ↔ ibu hamil") when the innovation writes a
        word otherwise; the bare words for evidence stored before pairs existed."""
        return [p.label for p in self.matched_pairs] or list(self.matched_terms)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GapEvidence:
        """Inverse of ``asdict``; evidence stored before pairs and cautions existed loads with none."""
        pairs = [TermPair(**p) for p in data.get("matched_pairs", [])]
        return cls(**{**data, "matched_pairs": pairs})


@dataclass(frozen=True)
class Recommendation:
    """One innovation recommended to a regency: total score, its parts, and the gaps it answers (best first)."""

    innovation: Innovation
    rank: int
    score: float
    parts: dict[str, float]
    gaps: list[GapEvidence]
    distance_km: float | None = None
    origin_name: str | None = None
    confidence: float | None = None  # of the gap it answers best
    band: str | None = None
    peers: PeerEvidence | None = None  # what similar regencies did with it; None when none has a history
    group: GroupInfo | None = None  # its near-duplicate group: the others are not listed separately

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["innovation"] = self.innovation.to_dict()
        out["peers"] = self.peers.to_dict() if self.peers else None
        return out


@dataclass(frozen=True)
class RecommendOptions:
    """Weights of the score parts and the shaping of the list; the defaults live in Settings."""

    maturity: float = 0.1
    recognition: float = 0.1
    proximity: float = 0.1
    similarity: float = 0.05
    peers: float = 0.2
    secondary_gaps: float = 0.25
    mmr_lambda: float = 0.75
    good_match: float = 4.5
    depth: int = 30
    collapse: bool = False  # one innovation per near-duplicate group, diversity between groups (MATCHER_GROUP_LISTS)

    @classmethod
    def from_settings(cls, settings: Settings) -> RecommendOptions:
        return cls(
            maturity=settings.prior_maturity, recognition=settings.prior_recognition,
            proximity=settings.prior_proximity, similarity=settings.prior_similarity,
            peers=settings.prior_peers,
            mmr_lambda=settings.mmr_lambda, good_match=settings.good_match, collapse=settings.group_lists,
        )


def _region_similarity(target: Region, origin: Region | None) -> float:
    """1 for the same kind (kabupaten/kota) and population, less as they differ; 0.5 when unknown."""
    if origin is None:
        return 0.5
    same_kind = 1.0 if origin.kind == target.kind else 0.0
    if target.population and origin.population:
        ratio = min(target.population, origin.population) / max(target.population, origin.population)
    else:
        ratio = 0.5
    return 0.5 * same_kind + 0.5 * ratio


def _proximity(matcher: Matcher, target: Region, origin_code: str | None) -> tuple[float, float | None]:
    """1 for the same province, decaying with the distance between centroids (a study visit costs travel)."""
    if not origin_code:
        return 0.0, None
    distance = matcher.regions.distance_km(target.code, origin_code)
    same_province = origin_code.split(".")[0] == target.province_code
    return (1.0 if same_province else math.exp(-distance / 800.0)), distance


def _priors(matcher: Matcher, target: Region, inv: Innovation, opts: RecommendOptions) -> tuple[dict, float | None]:
    origin = matcher.regions.get(inv.region_code) if inv.region_code and "." in inv.region_code else None
    proximity, distance = _proximity(matcher, target, inv.region_code)
    parts = {
        "maturity": opts.maturity * MATURITY.get(inv.stage or "", 0.0),
        "recognition": opts.recognition * RECOGNITION.get(inv.award or "none", 0.0),
        "proximity": opts.proximity * proximity,
        "similarity": opts.similarity * _region_similarity(target, origin),
    }
    return parts, distance


def weighted_by_priority(score: float, weight: float) -> float:
    """A match score weighted by its gap's priority (``weight`` <= 1 for a lower priority), whatever its sign.

    A fused score of a candidate is mostly positive, and ``weight * score`` shrinks it; a learned ranker's logit is
    mostly negative, where the same product would lift it, ranking a low-priority gap's answers above an urgent
    one's. A negative score is therefore moved as far the other way.
    """
    return weight * score if score >= 0 else (2.0 - weight) * score


def _evidence(gap: Gap, m: Match) -> GapEvidence:
    return GapEvidence(gap.id, gap.text, gap.priority, m.score, m.dense, m.lexical, [], "", m.confidence, m.band)


def is_good(m: Match | GapEvidence, good_match: float) -> bool:
    """A match a mentor may rely on: band strong or medium, or (without a learned ranker) a fused score from
    ``good_match``."""
    return m.band in ("strong", "medium") if m.band is not None else m.score >= good_match


def _round_or_none(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# Of Settings.good_match: the fused score from which another gap's match is shown. On the bundled judged pairs
# (z-score fusion), matches scoring 0.85-1.0 x good_match are judged useful (grade >= 2) about half the time,
# those below 0.7 x good_match a quarter of the time or less: the "medium" line until bands are calibrated.
EVIDENCE_SHARE = 0.85


def shows_evidence(e: GapEvidence, good_match: float) -> bool:
    """Whether a match is strong enough to show as evidence from one of the regency's other gaps: band medium
    or strong; without a learned ranker, a fused score near ``good_match``."""
    if e.band is not None:
        return e.band in ("strong", "medium")
    return e.score >= EVIDENCE_SHARE * good_match


def _explained(
    matcher: Matcher, inv: Innovation, evidence: list[GapEvidence], analyses: dict[str, list], good_match: float,
) -> list[GapEvidence]:
    """Evidence best first, with matched words, sentence and caution; explained only for innovations that made
    the list. The best gap is always shown; another gap only when :func:`shows_evidence` says its match is
    strong enough."""
    out = []
    ranked = sorted(evidence, key=lambda e: -e.score)
    for e in ranked[:1] + [e for e in ranked[1:] if shows_evidence(e, good_match)]:
        why = matcher.explain(e.gap_text, inv, analyses[e.gap_id])
        out.append(replace(e, matched_terms=why.matched_terms, best_sentence=why.best_sentence,
                           matched_pairs=why.pairs, caution=why.caution))
    return out


def _mmr(scores: np.ndarray, vectors: np.ndarray, k: int, lam: float, must: Sequence[int]) -> list[int]:
    """Maximal marginal relevance: balance the score against similarity to what is already chosen.

    ``must`` holds candidates that have to be in the list (best answers to high-priority gaps).
    """
    rel = scores / (float(np.abs(scores).max()) or 1.0)
    max_sim = np.full(len(scores), -np.inf)  # each candidate's highest similarity to a chosen one
    available = np.ones(len(scores), dtype=bool)
    chosen: list[int] = []
    while available.any() and len(chosen) < k:
        value = lam * rel - (1 - lam) * (max_sim if chosen else 0.0)
        pending = [i for i in must if available[i]]
        pool = pending if len(pending) >= k - len(chosen) else np.flatnonzero(available)
        best = int(pool[int(np.argmax(value[pool]))])
        chosen.append(best)
        available[best] = False
        max_sim = np.maximum(max_sim, vectors @ vectors[best])
    return chosen


def _one_per_group(matcher: Matcher, ids: list[str], must: list[int], collapse: bool) -> tuple[list[int], list[int]]:
    """Indices of ``ids`` to keep so the list holds one innovation per near-duplicate group (its representative
    among the candidates), and ``must`` moved onto the kept member of its group. Without groups or
    ``collapse``: all of them."""
    groups = matcher.generation.groups if collapse else None
    if groups is None:
        return list(range(len(ids))), must
    by_id = matcher.catalog.by_id
    keep = groups.collapse(list(range(len(ids))), lambda i: by_id[ids[i]])
    kept_of_group = {int(groups.group_at[by_id[ids[i]]]): i for i in keep}
    moved = []
    for i in must:
        g = int(groups.group_at[by_id[ids[i]]])
        moved.append(kept_of_group.get(g, i) if g >= 0 else i)
    return keep, list(dict.fromkeys(moved))


def regency_inputs(matcher: Matcher, region_code: str) -> dict[str, Any]:
    """What of the store a regency's list depends on besides the index and the settings, as plain JSON values:
    ``RegencyInputs.read(matcher, region_code).key()`` (gaps, what it replicated, its peers and what they kept or
    dropped). The service's cache key derives from this."""
    return RegencyInputs.read(matcher, region_code).key()


@pinned  # candidates, vectors and explanations from one index generation
def recommend_many(
    matcher: Matcher,
    regions: Sequence[str],
    k: int = 10,
    filters: Filters | None = None,
    options: RecommendOptions | None = None,
) -> list[list[Recommendation]]:
    """Top-k recommendations for each regency (code or name), in the order given."""
    opts = options or RecommendOptions.from_settings(matcher.settings)
    return [_regency_list(matcher, RegencyInputs.read(matcher, matcher.regions.resolve(r).code), k, filters, opts)[0]
            for r in regions]


@pinned
def recommend_with_fits(
    matcher: Matcher, inputs: RegencyInputs, k: int = 10, filters: Filters | None = None,
    options: RecommendOptions | None = None,
) -> tuple[list[Recommendation], list[GapFit]]:
    """``recommend(matcher, code, k, filters)`` and ``gap_fits(matcher, code, filters)`` of the regency whose
    ``inputs`` were just read, from one ranking of its gaps: each gap's best candidate is the first of the
    list's own candidates whenever both rank with the same candidate depth (``Searcher.depth``), which is
    what the service shows. Same results as the two calls, at half the ranking."""
    opts = options or RecommendOptions.from_settings(matcher.settings)
    recs, per_gap = _regency_list(matcher, inputs, k, filters, opts)
    if not inputs.gaps:
        return recs, []
    searcher = matcher.searcher
    # a collapsed ranking may drop a gap's first candidate for its group's representative: rank again
    if per_gap is None or opts.collapse or searcher.depth(max(opts.depth, k)) != searcher.depth(1):
        per_gap = matcher.match_gaps(inputs.gaps, k=1, filters=_excluding_replicated(filters, inputs), explain=False)
    return recs, [fit_of(g.id, matches, matcher.settings) for g, matches in zip(inputs.gaps, per_gap, strict=True)]


def _excluding_replicated(filters: Filters | None, inputs: RegencyInputs) -> Filters:
    return (filters or Filters()).with_excluded(ids=inputs.replicated)


def _regency_list(
    matcher: Matcher, inputs: RegencyInputs, k: int, filters: Filters | None, opts: RecommendOptions,
) -> tuple[list[Recommendation], list[list[Match]] | None]:
    """A regency's top-k, and the ranking of each of its gaps it came from (None without gaps)."""
    target, gaps = matcher.regions.get(inputs.region_code), inputs.gaps
    if not gaps:
        return [], None
    per_gap = matcher.match_gaps(gaps, k=max(opts.depth, k), filters=_excluding_replicated(filters, inputs),
                                 explain=False, collapse=opts.collapse)
    evidence: dict[str, list[GapEvidence]] = {}
    weighted: dict[str, list[float]] = {}
    invs: dict[str, Innovation] = {}
    for gap, matches in zip(gaps, per_gap, strict=True):
        w = PRIORITY_WEIGHT.get(gap.priority, 0.8)
        for m in matches:
            evidence.setdefault(m.innovation.id, []).append(_evidence(gap, m))
            weighted.setdefault(m.innovation.id, []).append(weighted_by_priority(m.score, w))
            invs[m.innovation.id] = m.innovation
    if not invs:
        return [], per_gap
    ids = list(invs)
    peers = inputs.peers
    names = {p.code: matcher.regions.get(p.code).name for p in peers}
    from_peers = peer_evidence(inputs.peer_states, peers, names)
    recs_parts, distances = [], []
    for inv_id in ids:
        ws = sorted(weighted[inv_id], reverse=True)
        relevance = ws[0] + opts.secondary_gaps * sum(max(x, 0.0) for x in ws[1:])
        parts, distance = _priors(matcher, target, invs[inv_id], opts)
        support = from_peers[inv_id].support if inv_id in from_peers else 0.0
        parts = {"relevance": relevance, **parts, "peers": opts.peers * support}
        recs_parts.append(parts)
        distances.append(distance)
    scores = REGENCY_SCORER.score(Features({p: np.array([r[p] for r in recs_parts]) for p in PARTS}))
    # best candidate of each high-priority gap that has a good one
    must = []
    for gap, matches in zip(gaps, per_gap, strict=True):
        if gap.priority == 1 and matches and is_good(matches[0], opts.good_match):
            must.append(ids.index(matches[0].innovation.id))
    keep, must = _one_per_group(matcher, ids, must, opts.collapse)  # diversity then works on groups
    pool = np.array(keep, dtype=np.int64)
    vectors = matcher.innovation_vectors([ids[i] for i in keep], centered=True)
    slot = {i: j for j, i in enumerate(keep)}
    chosen = [keep[j] for j in _mmr(scores[pool], vectors, k, opts.mmr_lambda, [slot[i] for i in must])]
    chosen.sort(key=lambda i: -scores[i])
    groups = matcher.generation.groups
    analyses = {g.id: matcher.analyze(g.text) for g in gaps}
    recs = []
    for rank, i in enumerate(chosen, start=1):
        inv = invs[ids[i]]
        best = max(evidence[ids[i]], key=lambda e: -1.0 if e.confidence is None else e.confidence)
        recs.append(Recommendation(
            innovation=inv, rank=rank, score=round(float(scores[i]), 6),
            parts={p: round(float(v), 6) for p, v in recs_parts[i].items()},
            gaps=_explained(matcher, inv, evidence[ids[i]], analyses, opts.good_match),
            distance_km=_round_or_none(distances[i]),
            origin_name=matcher.regions.origin_name(inv.region_code),
            confidence=best.confidence, band=best.band, peers=from_peers.get(ids[i]),
            group=None if groups is None else groups.info(matcher.catalog.by_id[inv.id]),
        ))
    return recs, per_gap


def recommend(
    matcher: Matcher, region: str, k: int = 10, filters: Filters | None = None,
    options: RecommendOptions | None = None,
) -> list[Recommendation]:
    """Top-k recommendations for one regency (code or name): ``recommend_many([region])[0]``."""
    return recommend_many(matcher, [region], k, filters, options)[0]
