"""A sector model: P(sector | text) from a text's dense vector, trained on the catalogue's own sector labels.

It tells the ranker whether a candidate's sector is the one the gap is about, whatever words the gap uses
("ibu melahirkan di rumah" is kesehatan without naming it). Trained on every catalogue (no ids, no fixed
vocabulary), at index time, and saved with the generation as plain arrays (``sectors.npz``), not a pickle.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_TRAINING_ROWS = 20_000  # a stratified sample beyond this: the model has 384 x 18 weights, not more to learn


class SectorModel:
    """Multinomial logistic regression on normalised vectors; ``classes_`` are the sector codes."""

    def __init__(self, c: float = 4.0, seed: int = 0):
        self.c, self.seed = c, seed

    def fit(self, vectors: np.ndarray, sectors: Sequence[str]) -> SectorModel:
        """Learn from the innovations that carry a sector; needs at least two sectors."""
        from sklearn.linear_model import LogisticRegression

        labels = np.array([s or "" for s in sectors])
        keep = np.flatnonzero(labels != "")
        if len(keep) > MAX_TRAINING_ROWS:
            keep = np.sort(np.random.default_rng(self.seed).choice(keep, MAX_TRAINING_ROWS, replace=False))
        if len(set(labels[keep])) < 2:
            raise ValueError("the sector model needs innovations of at least two sectors")
        model = LogisticRegression(C=self.c, max_iter=500).fit(vectors[keep], labels[keep])
        self.classes_ = [str(c) for c in model.classes_]
        self.coef_ = model.coef_.astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float32)
        return self

    def proba(self, vectors: np.ndarray) -> np.ndarray:
        """P(sector | vector): shape (len(vectors), len(classes_)), rows sum to 1."""
        logits = np.atleast_2d(vectors) @ self.coef_.T + self.intercept_
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        np.savez(path, coef=self.coef_, intercept=self.intercept_, classes=np.array(self.classes_))

    @classmethod
    def load(cls, path: Path) -> SectorModel:
        data = np.load(path)
        model = cls()
        model.coef_, model.intercept_ = data["coef"], data["intercept"]
        model.classes_ = [str(c) for c in data["classes"]]
        return model
