"""Retrieval quality on judged gaps: nDCG@k, Recall@k and MRR, ranked with exactly the rules of ``match``.

Conventions (fixed, because tuning decisions and a CI floor depend on them):
- nDCG@k: gain 2^rel - 1, log2 discount, ideal ranking from the gap's own judgments.
- Recall@k and MRR count an innovation as relevant when rel >= 2; MRR is over the top k.
- Group-level nDCG@k (``--groups``): near-duplicate groups in place of innovations (see :func:`group_ndcg_at_k`).
- Averages run over gaps with at least one judgment >= 2; judgments of innovations that originate in the
  gap's own region, or that have stopped (status ``berhenti``), are ignored: ``match`` never returns them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from matcher.data.loaders import Gap, Innovation, Judgment

if TYPE_CHECKING:
    from matcher.facade import Channels, Matcher
    from matcher.recommendations.regency import RecommendOptions

RELEVANT = 2
Groups = Literal["collapse", "all"]  # lists with one innovation per near-duplicate group, or every variant


def dcg(gains: Sequence[int], k: int) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(list(gains)[:k]))


def ndcg_at_k(ranked: Sequence[str], judged: dict[str, int], k: int = 10) -> float:
    """nDCG@k of a ranked id list against graded judgments (unjudged ids count as 0)."""
    ideal = dcg(sorted(judged.values(), reverse=True), k)
    return dcg([judged.get(i, 0) for i in ranked], k) / ideal if ideal > 0 else 0.0


def group_ndcg_at_k(ranked: Sequence[str], judged: dict[str, int], group_of: dict[str, str], k: int = 10) -> float:
    """nDCG@k counted by near-duplicate group: a group's grade is the best grade of its judged members, and each
    group counts once. In the run a group earns its grade at its first place; a later member of it is worth 0
    there (it takes a slot and adds nothing new). The ideal ranking holds each judged group once.
    ``group_of`` maps innovation id -> group id; an innovation not in it is its own group."""
    grades: dict[str, int] = {}
    for inv_id, rel in judged.items():
        g = group_of.get(inv_id, inv_id)
        grades[g] = max(grades.get(g, 0), rel)
    seen: set[str] = set()
    gains = []
    for inv_id in list(ranked)[:k]:
        g = group_of.get(inv_id, inv_id)
        gains.append(0 if g in seen else grades.get(g, 0))
        seen.add(g)
    ideal = dcg(sorted(grades.values(), reverse=True), k)
    return dcg(gains, k) / ideal if ideal > 0 else 0.0


def recall_at_k(ranked: Sequence[str], judged: dict[str, int], k: int = 10) -> float:
    relevant = {i for i, r in judged.items() if r >= RELEVANT}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], judged: dict[str, int], k: int = 10) -> float:
    for pos, i in enumerate(ranked[:k], start=1):
        if judged.get(i, 0) >= RELEVANT:
            return 1.0 / pos
    return 0.0


@dataclass
class EvalResult:
    """Mean metrics over the evaluated gaps, and the per-gap values behind them."""

    ndcg: float
    recall: float
    mrr: float
    queries: int
    k: int
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)
    group_ndcg: float | None = None  # nDCG@k by near-duplicate group, when asked for (``group_ndcg_at_k``)

    def as_json(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {f"ndcg@{self.k}": round(self.ndcg, 4), f"recall@{self.k}": round(self.recall, 4),
                                       "mrr": round(self.mrr, 4), "queries": self.queries}
        if self.group_ndcg is not None:
            out[f"group_ndcg@{self.k}"] = round(self.group_ndcg, 4)
        return out


def judged_gaps(
    gaps: Sequence[Gap], innovations: Sequence[Innovation], qrels: Sequence[Judgment]
) -> dict[str, dict[str, int]]:
    """gap id -> {innovation id: relevance} for every judged gap, judgments ``match`` can never return (own
    region, stopped innovations) dropped. Gaps with no relevant innovation are kept: they teach a ranker that
    the best of a poor list is still poor."""
    origin = {inv.id: inv.region_code for inv in innovations if not inv.stopped}
    region = {g.id: g.region_code for g in gaps}
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    for j in qrels:
        if j.gap_id in region and j.innovation_id in origin and origin[j.innovation_id] != region[j.gap_id]:
            judged[j.gap_id][j.innovation_id] = j.relevance
    return dict(judged)


def usable_judgments(
    gaps: Sequence[Gap], innovations: Sequence[Innovation], qrels: Sequence[Judgment]
) -> dict[str, dict[str, int]]:
    """:func:`judged_gaps` restricted to the gaps with a relevant judgment: what the metrics average over."""
    return {g: js for g, js in judged_gaps(gaps, innovations, qrels).items()
            if any(r >= RELEVANT for r in js.values())}


def score_rankings(rankings: dict[str, list[str]], judged: dict[str, dict[str, int]], k: int = 10,
                   group_of: dict[str, str] | None = None) -> EvalResult:
    """Metrics of ready rankings (gap id -> ranked innovation ids) against usable judgments; with ``group_of``
    (innovation id -> group id) the group-level nDCG too."""
    per: dict[str, dict[str, float]] = {}
    for gap_id, js in judged.items():
        ranked = rankings.get(gap_id, [])
        per[gap_id] = {"ndcg": ndcg_at_k(ranked, js, k), "recall": recall_at_k(ranked, js, k),
                       "mrr": reciprocal_rank(ranked, js, k)}
        if group_of is not None:
            per[gap_id]["group_ndcg"] = group_ndcg_at_k(ranked, js, group_of, k)
    n = len(per)

    def mean(key: str) -> float:
        return sum(p[key] for p in per.values()) / n if n else 0.0

    return EvalResult(mean("ndcg"), mean("recall"), mean("mrr"), n, k, per,
                      None if group_of is None else mean("group_ndcg"))


def group_keys(matcher: Matcher) -> dict[str, str]:
    """Innovation id -> near-duplicate group id in the matcher's index (empty without groups)."""
    groups = matcher.generation.groups
    return {} if groups is None else groups.group_ids()


def evaluate(
    matcher: Matcher,
    gaps: Sequence[Gap],
    innovations: Sequence[Innovation],
    qrels: Sequence[Judgment],
    k: int = 10,
    channels: Channels = "hybrid",
    gap_ids: set[str] | None = None,
    groups: Groups | None = None,
) -> EvalResult:
    """Rank every judged gap as a stored gap is ranked (``matcher.match_gaps``: its region left out, its stated
    sector known) and score the rankings. ``groups`` ranks with one innovation per near-duplicate group
    ("collapse") or every variant ("all") and adds the group-level nDCG; None ranks as MATCHER_GROUP_LISTS says."""
    judged = usable_judgments(gaps, innovations, qrels)
    if gap_ids is not None:
        judged = {g: js for g, js in judged.items() if g in gap_ids}
    todo = [g for g in gaps if g.id in judged]
    collapse = None if groups is None else groups == "collapse"
    results = matcher.match_gaps(todo, k=k, channels=channels, explain=False, collapse=collapse)
    rankings = {g.id: [m.innovation.id for m in ms] for g, ms in zip(todo, results, strict=False)}
    return score_rankings(rankings, judged, k, None if groups is None else group_keys(matcher))


def regency_judgments(
    gaps: Sequence[Gap], judged: dict[str, dict[str, int]], gap_ids: Collection[str] | None = None,
) -> dict[str, dict[str, int]]:
    """region code -> {innovation id: relevance}: an innovation's relevance to a regency is its best judgment over
    the regency's judged gaps (those in ``gap_ids`` when given)."""
    region_of = {g.id: g.region_code for g in gaps}
    per_region: dict[str, dict[str, int]] = {}
    for gap_id, js in judged.items():
        if gap_ids is not None and gap_id not in gap_ids:
            continue
        bucket = per_region.setdefault(region_of[gap_id], {})
        for inv_id, rel in js.items():
            bucket[inv_id] = max(bucket.get(inv_id, 0), rel)
    return per_region


def evaluate_regions(
    matcher: Matcher,
    gaps: Sequence[Gap],
    innovations: Sequence[Innovation],
    qrels: Sequence[Judgment],
    k: int = 10,
    gap_ids: set[str] | None = None,
    options: RecommendOptions | None = None,
    groups: Groups | None = None,
) -> EvalResult:
    """Quality of regency recommendations: an innovation's relevance to a regency is its best judgment
    over the regency's gaps; regencies are ranked from the gaps stored in ``matcher``. ``groups`` as in
    :func:`evaluate` (it sets ``options.collapse``)."""
    from matcher.recommendations.regency import RecommendOptions, recommend_many

    per_region = regency_judgments(gaps, usable_judgments(gaps, innovations, qrels), gap_ids)
    regions = sorted(per_region)
    if groups is not None:
        options = replace(options or RecommendOptions.from_settings(matcher.settings), collapse=groups == "collapse")
    recs = recommend_many(matcher, regions, k=k, options=options)
    rankings = {r: [x.innovation.id for x in rs] for r, rs in zip(regions, recs, strict=True)}
    return score_rankings(rankings, per_region, k, None if groups is None else group_keys(matcher))
