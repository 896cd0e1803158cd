"""The ranking stage: candidates come in with their features, a scorer turns them into one score each.

Candidate generation (``matcher.engine.search``) and explanation stay the same whatever scores the
candidates, so a new ranker (a learned one, say) is one more :class:`Scorer`. ``scorer_for`` is the factory
the search uses; today's default is z-score fusion of the two channels.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from matcher.engine.fusion import ChannelScores, FusionMethod, fuse


@dataclass(frozen=True)
class Features:
    """What is known of each candidate of one query; arrays are aligned, one row per candidate.

    ``dense_mean``/``dense_std`` and ``lexical_mean``/``lexical_std`` are each channel's statistics over the
    whole catalogue for this query, so a score can keep an absolute meaning across queries.
    """

    dense: np.ndarray
    lexical: np.ndarray
    dense_mean: float = 0.0
    dense_std: float = 1.0
    lexical_mean: float = 0.0
    lexical_std: float = 1.0


class Scorer(ABC):
    """Turns the features of one query's candidates into scores (higher is better), one per candidate."""

    name: str = "scorer"

    @abstractmethod
    def score(self, features: Features) -> np.ndarray:
        """Scores of shape (len(features.dense),), float64."""


class FusionScorer(Scorer):
    """Today's hybrid ranking: the two channels fused (``zscore``, ``weighted`` min-max, or ``rrf``)."""

    def __init__(self, method: FusionMethod = "zscore", dense_weight: float = 0.5, rrf_k: int = 60):
        self.method, self.dense_weight, self.rrf_k = method, dense_weight, rrf_k
        self.name = f"fusion-{method}"

    def score(self, features: Features) -> np.ndarray:
        return fuse(
            ChannelScores(features.dense, features.dense_mean, features.dense_std),
            ChannelScores(features.lexical, features.lexical_mean, features.lexical_std),
            method=self.method, dense_weight=self.dense_weight, rrf_k=self.rrf_k,
        )


class DenseScorer(Scorer):
    """Dense channel alone: the cosine."""

    name = "dense"

    def score(self, features: Features) -> np.ndarray:
        return np.asarray(features.dense, dtype=np.float64)


class LexicalScorer(Scorer):
    """Lexical channel alone: BM25, the cosine only breaking ties among candidates with no shared term."""

    name = "lexical"

    def score(self, features: Features) -> np.ndarray:
        return np.asarray(features.lexical, dtype=np.float64) + 1e-6 * np.asarray(features.dense)


def scorer_for(channels: str, method: FusionMethod = "zscore", dense_weight: float = 0.5,
               rrf_k: int = 60) -> Scorer:
    """The scorer of a channel choice: ``dense``, ``lexical``, or ``hybrid`` (fusion with these parameters)."""
    if channels == "dense":
        return DenseScorer()
    if channels == "lexical":
        return LexicalScorer()
    return FusionScorer(method, dense_weight, rrf_k)
