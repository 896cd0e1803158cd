import math

import pytest

from matcher.research.evaluation import ndcg_at_k, recall_at_k, reciprocal_rank, score_rankings


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
