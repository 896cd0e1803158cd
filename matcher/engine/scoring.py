"""The ranking stage: candidates come in with their features, a scorer turns them into one score each.

Candidate generation (``matcher.engine.search``) and explanation stay the same whatever scores the
candidates, so a new ranker (a learned one, say) is one more :class:`Scorer`. ``scorer_for`` is the factory
the search uses; today's default is z-score fusion of the two channels.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from matcher.engine.fusion import ChannelScores, FusionMethod, fuse


@dataclass(frozen=True)
class Features:
    """What is known of each candidate of one query: ``values[name]`` holds one number per candidate (all
    aligned), ``query`` numbers that hold for the whole query.

    The search gives ``dense`` and ``lexical`` values and, in ``query``, each channel's mean and standard
    deviation over the whole catalogue (``dense_mean``, ``dense_std``, ``lexical_mean``, ``lexical_std``),
    so a score can keep an absolute meaning across queries. Regency lists give their score parts.
    """

    values: Mapping[str, np.ndarray]
    query: Mapping[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.values.values()))) if self.values else 0


class Scorer(ABC):
    """Turns the features of one query's candidates into scores (higher is better), one per candidate."""

    name: str = "scorer"

    @abstractmethod
    def score(self, features: Features) -> np.ndarray:
        """Scores of shape (len(features),), float64."""

    def confidence(self, scores: np.ndarray) -> np.ndarray | None:
        """P(a mentor judges each candidate relevant) for these scores, when the scorer is calibrated."""
        return None


class FusionScorer(Scorer):
    """Today's hybrid ranking: the two channels fused (``zscore``, ``weighted`` min-max, or ``rrf``)."""

    def __init__(self, method: FusionMethod = "zscore", dense_weight: float = 0.5, rrf_k: int = 60):
        self.method, self.dense_weight, self.rrf_k = method, dense_weight, rrf_k
        self.name = f"fusion-{method}"

    def score(self, features: Features) -> np.ndarray:
        v, q = features.values, features.query
        return fuse(
            ChannelScores(v["dense"], q.get("dense_mean", 0.0), q.get("dense_std", 1.0)),
            ChannelScores(v["lexical"], q.get("lexical_mean", 0.0), q.get("lexical_std", 1.0)),
            method=self.method, dense_weight=self.dense_weight, rrf_k=self.rrf_k,
        )


class DenseScorer(Scorer):
    """Dense channel alone: the cosine."""

    name = "dense"

    def score(self, features: Features) -> np.ndarray:
        return np.asarray(features.values["dense"], dtype=np.float64)


class LexicalScorer(Scorer):
    """Lexical channel alone: BM25, the cosine only breaking ties among candidates with no shared term."""

    name = "lexical"

    def score(self, features: Features) -> np.ndarray:
        v = features.values
        return np.asarray(v["lexical"], dtype=np.float64) + 1e-6 * np.asarray(v["dense"])


class LinearScorer(Scorer):
    """A weighted sum of named feature values, added in the order of ``weights``: a regency list's relevance
    plus its priors (weights 1: the parts come weighted already), and the simplest learned ranker."""

    def __init__(self, weights: Mapping[str, float], name: str = "linear"):
        self.weights, self.name = dict(weights), name

    def score(self, features: Features) -> np.ndarray:
        total = np.zeros(len(features), dtype=np.float64)
        for feature, weight in self.weights.items():
            total = total + weight * np.asarray(features.values[feature], dtype=np.float64)
        return total


def scorer_for(channels: str, method: FusionMethod = "zscore", dense_weight: float = 0.5,
               rrf_k: int = 60) -> Scorer:
    """The scorer of a channel choice: ``dense``, ``lexical``, or ``hybrid`` (fusion with these parameters)."""
    if channels == "dense":
        return DenseScorer()
    if channels == "lexical":
        return LexicalScorer()
    return FusionScorer(method, dense_weight, rrf_k)
