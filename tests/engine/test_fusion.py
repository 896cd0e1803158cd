import numpy as np
import pytest

from matcher.engine.fusion import ChannelScores, fuse


def test_weights_at_extremes_reduce_to_single_channels():
    dense = ChannelScores(np.array([0.9, 0.8, 0.7]), mean=0.75, std=0.05)
    lex = ChannelScores(np.array([0.0, 5.0, 9.0]), mean=1.0, std=2.0)
    for method in ("rrf", "weighted", "zscore"):
        assert np.argmax(fuse(dense, lex, method, dense_weight=1.0)) == 0
        assert np.argmax(fuse(dense, lex, method, dense_weight=0.0)) == 2


def test_rrf_rewards_agreement():
    dense = ChannelScores(np.array([0.9, 0.85, 0.1]))
    lex = ChannelScores(np.array([0.0, 8.0, 9.0]))  # candidate 0 shares no word with the query
    fused = fuse(dense, lex, "rrf", dense_weight=0.5, rrf_k=60)
    assert fused[1] > fused[0]  # second in both lists beats first in one list only


def test_zscore_keeps_absolute_level_across_queries():
    # the same candidate scores, but against a corpus where they do not stand out
    strong = fuse(ChannelScores(np.array([0.9]), 0.7, 0.05), ChannelScores(np.array([9.0]), 1.0, 2.0), "zscore")
    weak = fuse(ChannelScores(np.array([0.9]), 0.88, 0.05), ChannelScores(np.array([9.0]), 8.0, 2.0), "zscore")
    assert strong[0] > weak[0]
    # min-max normalisation cannot tell them apart
    assert fuse(ChannelScores(np.array([0.9])), ChannelScores(np.array([9.0])), "weighted")[0] == 1.0


def test_unknown_method_and_mismatched_lengths():
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse(ChannelScores(np.ones(2)), ChannelScores(np.ones(2)), "max")
    with pytest.raises(ValueError):
        fuse(ChannelScores(np.ones(2)), ChannelScores(np.ones(3)), "rrf")
