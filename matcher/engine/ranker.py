"""The learned ranker: a logistic model over per-query-normalised features of the candidates, with a
calibrated confidence.

Every feature is normalised per query and catalogue (z-scores against the whole catalogue, gaps and ranks
within the candidates, probabilities), and none names an id, so a ranker trained on one catalogue's
judgments applies to another's. It is stored as plain JSON with the index generation (``ranker.json``): the
feature names, the scaler, the weights, the isotonic calibration of P(a mentor judges it relevant) and the
band thresholds, plus a hash of the data it was trained on. ``matcher.research.training`` trains it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matcher.engine.scoring import Features, Scorer
from matcher.errors import StoreError

RANKER_FILE = "ranker.json"
DEFAULT_RANKER = Path(__file__).with_name("ranker.json")  # trained on the bundled dev judgments


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based rank of each value among the candidates, highest first (ties by position)."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    return ranks


def _dense_z(f: Features) -> np.ndarray:
    return (f.values["dense"] - f.query.get("dense_mean", 0.0)) / max(f.query.get("dense_std", 1.0), 1e-6)


def _lexical_z(f: Features) -> np.ndarray:
    return (f.values["lexical"] - f.query.get("lexical_mean", 0.0)) / max(f.query.get("lexical_std", 1.0), 1e-6)


# name -> how it is computed from the search's Features; what a stored ranker may ask for
FEATURES = {
    "dense_z": _dense_z,
    "lexical_z": _lexical_z,
    "dense_gap": lambda f: f.values["dense"] - f.values["dense"].max(),
    "lexical_share": lambda f: f.values["lexical"] / (f.values["lexical"].max() or 1.0),
    "dense_rank": lambda f: 1.0 / _ranks(np.asarray(f.values["dense"], dtype=np.float64)),
    "lexical_rank": lambda f: 1.0 / _ranks(np.asarray(f.values["lexical"], dtype=np.float64)),
    "sector_p": lambda f: f.values["sector_p"],
    "sector_stated": lambda f: f.values["sector_stated"],
}


def feature_matrix(features: Features, names: Sequence[str]) -> np.ndarray:
    """The named features of every candidate: shape (len(features), len(names)), float64."""
    return np.column_stack([np.asarray(FEATURES[n](features), dtype=np.float64) for n in names]) \
        if len(features) else np.zeros((0, len(names)))


@dataclass
class RankerModel:
    """A trained ranker as stored: everything needed to score and to say how sure it is."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    calibration_x: list[float]  # isotonic calibration: logit -> P(relevant), piecewise linear
    calibration_y: list[float]
    bands: dict[str, float]  # lowest confidence of "strong" and of "medium"
    training: dict[str, Any] = field(default_factory=dict)  # data hash, counts, cross-validated metrics

    def logits(self, features: Features) -> np.ndarray:
        x = (feature_matrix(features, self.features) - np.asarray(self.mean)) / np.asarray(self.scale)
        return x @ np.asarray(self.coef) + self.intercept

    def confidence(self, logits: np.ndarray) -> np.ndarray:
        """P(a mentor judges the candidate relevant, grade >= 2), calibrated on dev judgments."""
        return np.interp(logits, self.calibration_x, self.calibration_y)

    def band(self, confidence: float) -> str:
        if confidence >= self.bands["strong"]:
            return "strong"
        return "medium" if confidence >= self.bands["medium"] else "weak"

    def weights(self) -> dict[str, float]:
        """Each feature's weight on the standardised scale: what the ranker looks at, and how much."""
        return {n: round(float(c), 4) for n, c in zip(self.features, self.coef, strict=True)}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: Path) -> RankerModel:
        data = json.loads(path.read_text())
        unknown = [n for n in data.get("features", []) if n not in FEATURES]
        if unknown:
            raise StoreError(f"the ranker in {path} was trained on features this version does not compute "
                             f"({', '.join(unknown)}): train it again with 'matcher learn', or rebuild the index")
        return cls(**data)


class LearnedScorer(Scorer):
    """Scores candidates with a :class:`RankerModel` (logits; higher is better)."""

    name = "learned"

    def __init__(self, model: RankerModel):
        self.model = model

    def score(self, features: Features) -> np.ndarray:
        missing = [n for n in ("sector_p",) if n in self.model.features and n not in features.values]
        if missing:
            raise StoreError(f"this index generation lacks what the ranker needs ({', '.join(missing)}): "
                             "run 'matcher index --rebuild'")
        return self.model.logits(features)

    def confidence(self, scores: np.ndarray) -> np.ndarray | None:
        return self.model.confidence(scores)
