"""Fusion of the dense and lexical channels: the method and weights are parameters, per-channel scores are kept.

- ``rrf``: reciprocal rank fusion, sum of w / (rrf_k + rank); robust, ignores score magnitudes.
- ``weighted``: weighted sum of min-max normalised scores over the candidate set.
- ``zscore``: weighted sum of each channel's z-score against the *whole corpus* for that query. The corpus
  statistics are exact and cheap for the dense channel (mean = q.mu, var = q'Cq from the document mean and
  covariance) and come for free for BM25 (every document is scored). Unlike the two above, a z-score keeps an
  absolute meaning across queries, so a gap with no good innovation anywhere gets a low best score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

FusionMethod = Literal["rrf", "weighted", "zscore"]
FUSION_METHODS: tuple[str, ...] = ("rrf", "weighted", "zscore")


@dataclass(frozen=True)
class ChannelScores:
    """Scores of one channel for the candidate set, with that channel's corpus-wide mean and std for the query."""

    scores: np.ndarray
    mean: float = 0.0
    std: float = 1.0


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each score (highest first); ties broken by position."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def _minmax(scores: np.ndarray) -> np.ndarray:
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-12:
        return np.zeros_like(scores, dtype=np.float64) + (1.0 if hi > 0 else 0.0)
    return (scores - lo) / (hi - lo)


def fuse(
    dense: ChannelScores,
    lexical: ChannelScores,
    method: FusionMethod = "zscore",
    dense_weight: float = 0.5,
    rrf_k: int = 60,
) -> np.ndarray:
    """Fused score of every candidate (same order as the inputs); higher is better.

    A channel with weight 0 contributes nothing, so ``dense_weight=1`` is dense-only and ``0`` lexical-only.
    """
    d = np.asarray(dense.scores, dtype=np.float64)
    lx = np.asarray(lexical.scores, dtype=np.float64)
    if len(d) != len(lx):
        raise ValueError("channels disagree on the number of candidates")
    if not len(d):
        return np.empty(0, dtype=np.float64)
    wd, wl = dense_weight, 1.0 - dense_weight
    if method == "rrf":
        lex_ranks = np.where(lx > 0, _ranks(lx), np.inf)  # a document with no matching term has no lexical rank
        return wd / (rrf_k + _ranks(d)) + wl / (rrf_k + lex_ranks)
    if method == "weighted":
        return wd * _minmax(d) + wl * _minmax(lx)
    if method == "zscore":
        zd = (d - dense.mean) / max(dense.std, 1e-6)
        zl = (lx - lexical.mean) / max(lexical.std, 1e-6)
        return wd * zd + wl * zl
    raise ValueError(f"unknown fusion method {method!r}; expected one of {FUSION_METHODS}")
