"""Ranking one query against a loaded generation: candidates, then the scoring stage, then explanation.

1. **Candidates**: the top ``depth`` of each channel the query uses (BM25 over every innovation; the dense
   channel exactly from one matrix product, or from FAISS), after the filters.
2. **Scoring**: the candidates' :class:`~matcher.engine.scoring.Features` go to a
   :class:`~matcher.engine.scoring.Scorer`; ties are broken by catalogue position.
3. **Explanation** of the top k only (:class:`~matcher.engine.explain.Explainer`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from matcher.data.records import Innovation
from matcher.engine.catalog import Filters
from matcher.engine.explain import Explainer, Explanation
from matcher.engine.generation import Generation
from matcher.engine.groups import GroupInfo
from matcher.engine.highlights import TermPair
from matcher.engine.scoring import Features, Scorer
from matcher.engine.text import Analysis

Channels = Literal["hybrid", "dense", "lexical"]


@dataclass(frozen=True)
class Match:
    """One ranked innovation for a query, with every score part and the evidence a mentor reads."""

    innovation: Innovation
    rank: int
    score: float
    dense: float
    lexical: float
    matched_terms: list[str]
    best_sentence: str
    confidence: float | None = None  # P(a mentor judges it relevant), calibrated; None without a learned ranker
    band: str | None = None  # "strong", "medium" or "weak", from the confidence
    matched_pairs: list[TermPair] = field(default_factory=list)  # each matched term with the innovation's word
    caution: str | None = None  # from the compatibility check ("butuh sinyal internet / aplikasi")
    group: GroupInfo | None = None  # its near-duplicate group, when lists show one innovation per group

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["innovation"] = self.innovation.to_dict()
        return out


class Searcher:
    """Ranks query texts against a :class:`Generation`.

    ``analyze`` maps a text (and its stated sector) to its analysis (the caller may cache it), ``scorer`` gives the scoring stage of a
    channel choice, ``candidates`` is how many each channel contributes before scoring. ``collapse``: a list holds
    one innovation per near-duplicate group (``matcher.engine.groups``), the others attached to it.
    """

    def __init__(self, analyze: Callable[..., Analysis], explainer: Explainer,
                 scorer: Callable[[Channels, Generation], Scorer], candidates: int = 100, collapse: bool = False):
        self.analyze, self.explainer, self.scorer, self.candidates = analyze, explainer, scorer, candidates
        self.collapse = collapse

    def depth(self, k: int) -> int:
        """How many candidates each channel contributes to a top-k (fewer when fewer innovations are allowed).
        Two rankings of one query with the same depth have the same candidates and scores: only their length
        differs."""
        return max(self.candidates, k)

    def rank_many(
        self, generation: Generation, texts: Sequence[str], vectors: np.ndarray,
        region_codes: Sequence[str | None], k: int, filters: Filters | None, channels: Channels = "hybrid",
        explain: bool = True, chunk: int = 16, sectors: Sequence[str | None] | None = None,
        collapse: bool | None = None,
    ) -> list[list[Match]]:
        """Top-k for each text (``vectors[i]`` is the query vector of ``texts[i]``, ``sectors[i]`` its stated
        sector if any); with an exact index every innovation's dense score comes from
        :meth:`Generation.dense_scores`, a chunk of queries at a time. ``collapse``: one innovation per
        near-duplicate group for this call (None: as the Searcher was built)."""
        sectors = list(sectors) if sectors is not None else [None] * len(texts)
        exact = generation.exact and channels != "lexical"
        out: list[list[Match]] = []
        for start in range(0, len(texts), chunk):
            qvecs = vectors[start : start + chunk]
            dense = generation.dense_scores(qvecs) if exact else None
            for i, (text, code) in enumerate(zip(texts[start : start + chunk], region_codes[start : start + chunk],
                                                 strict=True)):
                out.append(self.rank(generation, text, qvecs[i], code, k, filters, channels, explain,
                                     None if dense is None else dense[i], sectors[start + i], collapse))
        return out

    def rank(
        self, generation: Generation, text: str, qvec: np.ndarray, region_code: str | None, k: int,
        filters: Filters | None, channels: Channels = "hybrid", explain: bool = True,
        dense_all: np.ndarray | None = None, sector: str | None = None, collapse: bool | None = None,
    ) -> list[Match]:
        """Top-k for one query; ``region_code`` excludes that region's own innovations, ``dense_all`` holds the
        query's cosine with every catalogue position when known, ``sector`` is the query's stated sector,
        ``collapse`` overrides the Searcher's own choice of one innovation per group."""
        found = self.candidates_of(generation, text, qvec, region_code, k, filters, channels, dense_all, sector)
        if found is None:
            return []
        positions, features, analysis = found
        dense, lexical = features.values["dense"], features.values["lexical"]
        scorer = self.scorer(channels, generation)
        scores = scorer.score(features)
        confidence = scorer.confidence(scores)
        cat = generation.catalog
        order = np.lexsort((positions, -scores))
        groups = generation.groups
        if groups is not None and (self.collapse if collapse is None else collapse):
            order = np.array(groups.collapse(order.tolist(), lambda i: int(positions[i])), dtype=np.int64)
        order = order[:k]
        weights = self.explainer.weights(generation, analysis) if explain else {}
        out = []
        for rank, i in enumerate(order, start=1):
            inv = cat.innovations[int(positions[i])]
            why = self.explainer.explain(generation, analysis, inv, weights) if explain else Explanation([], [], "")
            sure = None if confidence is None else round(float(confidence[i]), 4)
            out.append(Match(
                innovation=inv, rank=rank, score=round(float(scores[i]), 6), dense=round(float(dense[i]), 6),
                lexical=round(float(lexical[i]), 6), matched_terms=why.matched_terms, best_sentence=why.best_sentence,
                matched_pairs=why.pairs, caution=why.caution,
                confidence=sure, band=None if sure is None or generation.ranker is None else generation.ranker.band(sure),
                group=None if groups is None else groups.info(int(positions[i])),
            ))
        return out

    def candidates_of(
        self, generation: Generation, text: str, qvec: np.ndarray, region_code: str | None, k: int,
        filters: Filters | None, channels: Channels = "hybrid", dense_all: np.ndarray | None = None,
        sector: str | None = None,
    ) -> tuple[np.ndarray, Features, Analysis] | None:
        """The candidates of one query (sorted catalogue positions), their features and the query's analysis;
        None when no innovation is allowed. What the scoring stage sees, and what a ranker is trained on."""
        cat = generation.catalog
        if not len(cat):
            return None
        f = filters or Filters()
        if region_code:
            f = f.with_excluded(regions=[region_code])
        allowed = cat.mask(f)
        n_allowed = len(cat) if allowed is None else int(np.count_nonzero(allowed))
        if n_allowed == 0:
            return None
        depth = min(self.depth(k), n_allowed)
        analysis = self.analyze(text, sector)
        lex_all = generation.lexical_scores([t for _, ts in analysis for t in ts])
        positions = self._candidates(generation, qvec, lex_all, dense_all, allowed, depth, n_allowed, channels)
        dense = dense_all[positions] if dense_all is not None else generation.vectors_at(positions) @ qvec
        values = {"dense": dense, "lexical": lex_all[positions], **_sector_values(generation, qvec, positions, sector)}
        features = Features(values, {
            "dense_mean": float(qvec @ generation.mean),
            "dense_std": float(np.sqrt(max(qvec @ generation.cov @ qvec, 1e-12))),
            "lexical_mean": float(lex_all.mean()), "lexical_std": float(lex_all.std()) or 1.0,
        })
        return positions, features, analysis

    @staticmethod
    def _candidates(
        generation: Generation, qvec: np.ndarray, lex_all: np.ndarray, dense_all: np.ndarray | None,
        allowed: np.ndarray | None, depth: int, n_allowed: int, channels: Channels,
    ) -> np.ndarray:
        """Sorted catalogue positions of the top ``depth`` allowed innovations of each channel in use."""
        cand: set[int] = set()
        if channels in ("hybrid", "lexical"):
            cand.update(_top(lex_all, allowed, depth))
        if channels in ("hybrid", "dense") and dense_all is not None:
            cand.update(_top(dense_all, allowed, depth))
        elif channels in ("hybrid", "dense"):
            cand.update(generation.dense_candidates(qvec, depth, allowed, len(generation.catalog) - n_allowed))
        return np.array(sorted(cand), dtype=np.int64)


def _sector_values(generation: Generation, qvec: np.ndarray, positions: np.ndarray,
                   sector: str | None) -> dict[str, np.ndarray]:
    """``sector_p``: P(the candidate's sector | the query), from the generation's sector model (0 without one);
    ``sector_stated``: +1 when the query states the candidate's sector, -1 another one, 0 none stated."""
    n = len(positions)
    p = np.zeros(n)
    if generation.sectors is not None and generation.sector_column is not None:
        proba = generation.sectors.proba(qvec[None, :])[0]
        column = generation.sector_column[positions]
        p = np.where(column >= 0, proba[np.maximum(column, 0)], 0.0)
    stated = np.zeros(n)
    if sector:
        cat = generation.catalog
        stated = np.array([1.0 if cat.innovations[int(i)].sector == sector else -1.0 for i in positions])
    return {"sector_p": p, "sector_stated": stated}


def _top(scores: np.ndarray, allowed: np.ndarray | None, depth: int) -> list[int]:
    """Positions of the ``depth`` highest allowed scores (in no particular order)."""
    negated = -scores if allowed is None else np.where(allowed, -scores, np.inf)  # bit for bit -(masked scores)
    top = np.argpartition(negated, depth - 1)[:depth]
    return top[np.isfinite(negated[top])].tolist()
