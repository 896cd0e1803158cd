import math

import pytest

from matcher.research.evaluation import (
    group_ndcg_at_k,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
    score_rankings,
)


def test_ndcg_by_hand():
    judged = {"a": 3, "b": 2, "c": 0}
    # ranking b, x, a: dcg = (2^2-1)/log2(2) + 0 + (2^3-1)/log2(4) = 3 + 3.5
    ideal = 7 / 1 + 3 / math.log2(3)
    assert ndcg_at_k(["b", "x", "a"], judged) == pytest.approx(6.5 / ideal)
    assert ndcg_at_k(["a", "b"], judged) == pytest.approx(1.0)
    assert ndcg_at_k(["c", "x"], judged) == 0.0


def test_recall_and_mrr_count_relevance_two_and_up():
    judged = {"a": 3, "b": 2, "c": 1}
    assert recall_at_k(["c", "a", "z"], judged, k=10) == 0.5
    assert reciprocal_rank(["c", "z", "b"], judged) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c"], judged) == 0.0
    assert reciprocal_rank(["z"] * 10 + ["a"], judged, k=10) == 0.0


def test_score_rankings_averages_over_judged_gaps():
    judged = {"g1": {"a": 3}, "g2": {"b": 2}}
    result = score_rankings({"g1": ["a"], "g2": ["x", "b"]}, judged, k=10)
    assert result.queries == 2
    assert result.mrr == pytest.approx((1 + 0.5) / 2)
    assert set(result.as_json()) == {"ndcg@10", "recall@10", "mrr", "queries"}


def test_group_ndcg_by_hand():
    """a1 and a2 are one group (best grade 3); b and c are their own groups. The run shows both variants of A:
    the second is worth nothing, the ideal ranking holds A once."""
    judged = {"a1": 3, "a2": 2, "b": 2, "c": 1}
    group_of = {"a1": "A", "a2": "A"}
    # run a2, a1, b, x: gains 3 (A, its best grade), 0 (A again), 2, 0 -> 7/log2(2) + 3/log2(4) = 8.5
    # ideal A, b, c: 7/log2(2) + 3/log2(3) + 1/log2(4)
    ideal = 7 + 3 / math.log2(3) + 1 / 2
    assert group_ndcg_at_k(["a2", "a1", "b", "x"], judged, group_of) == pytest.approx(8.5 / ideal)
    assert group_ndcg_at_k(["a2", "b", "c"], judged, group_of) == pytest.approx(1.0)  # one per group, best first
    # per innovation the same collapsed run loses a1's grade 3 and a2's slot in the ideal: below 1
    assert ndcg_at_k(["a2", "b", "c"], judged) < 0.9
    assert group_ndcg_at_k(["a1", "x"], judged, group_of, k=1) == pytest.approx(1.0)  # k cuts run and ideal
    assert group_ndcg_at_k(["b"], {"a1": 0}, group_of) == 0.0  # nothing relevant: 0, not a division by zero


def test_without_groups_group_ndcg_is_the_per_innovation_ndcg():
    judged = {"a": 3, "b": 2, "c": 0}
    for ranked in (["b", "x", "a"], ["a", "b"], ["c"]):
        assert group_ndcg_at_k(ranked, judged, {}) == pytest.approx(ndcg_at_k(ranked, judged))


def test_score_rankings_reports_group_ndcg_only_when_asked():
    judged = {"g1": {"a1": 3, "a2": 3}, "g2": {"b": 2}}
    rankings = {"g1": ["a1", "a2"], "g2": ["b"]}
    plain = score_rankings(rankings, judged)
    assert plain.group_ndcg is None and "group_ndcg@10" not in plain.as_json()
    grouped = score_rankings(rankings, judged, group_of={"a1": "A", "a2": "A"})
    # g1: the group earns 7 at rank 1 and the ideal is 7 alone, so 1.0 (a2 adds nothing); g2: 1.0
    assert grouped.as_json()["group_ndcg@10"] == 1.0 and grouped.ndcg == plain.ndcg == pytest.approx(1.0)
    grouped = score_rankings({"g1": ["a2", "x"], "g2": ["x", "b"]}, judged, group_of={"a1": "A", "a2": "A"})
    assert grouped.group_ndcg == pytest.approx((1.0 + 3 / math.log2(3) / 3) / 2)
