"""Why an innovation was ranked for a gap: the gap's words it shares (shown as the mentor wrote them) and the
sentence of the innovation that best answers the gap."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import TYPE_CHECKING

from matcher.data.records import Innovation
from matcher.engine.text import Analysis, Analyzer

if TYPE_CHECKING:
    from matcher.engine.generation import Generation

# Abbreviations that end in a period inside Indonesian sentences; a period after them does not end a sentence.
_NO_SPLIT_AFTER = {
    "kab", "kec", "kel", "ds", "dr", "drs", "dra", "ir", "no", "dll", "dsb", "dst", "tsb", "jl", "prov", "h", "hj",
    "st", "s.kep", "amd", "sdr", "bpk", "ibu", "yth", "tgl", "thn", "rp", "mis", "spt", "a.n", "u.p", "an", "dkk",
}
_BOUNDARY = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of an Indonesian description, not split after 'Kab.', 'dr.', 'dll.' and the like."""
    parts: list[str] = []
    buffer = ""
    for piece in _BOUNDARY.split(text.strip()):
        buffer = f"{buffer} {piece}".strip() if buffer else piece
        last_word = re.findall(r"([\w.]+)[.]$", buffer)
        if last_word and last_word[0].lower().rstrip(".") in _NO_SPLIT_AFTER:
            continue
        parts.append(buffer)
        buffer = ""
    if buffer:
        parts.append(buffer)
    return [p for p in parts if p]


def matched_surfaces(query_analysis: Sequence[tuple[str, Sequence[str]]], doc_terms: AbstractSet[str]) -> list[str]:
    """Original words of the query whose terms occur in the document, in query order, without repeats."""
    seen: set[str] = set()
    out: list[str] = []
    for surface, terms in query_analysis:
        key = surface.lower()
        if key in seen or not any(t in doc_terms for t in terms):
            continue
        seen.add(key)
        out.append(surface)
    return out


def best_sentence(
    text: str, term_weights: dict[str, float], analyse: Callable[[str], Collection[str]]
) -> str:
    """The sentence sharing the most query weight (sum of IDF of shared terms); the first sentence if none shares any."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    best, best_score = sentences[0], 0.0
    for sentence in sentences:
        score = sum(term_weights.get(t, 0.0) for t in set(analyse(sentence)))
        if score > best_score:
            best, best_score = sentence, score
    return best


class Explainer:
    """The evidence a mentor reads for a (query, innovation) pair: the query's words the innovation shares and
    its best-answering sentence.

    Explanations analyse the same innovation texts and sentences again and again, so the last analyses are
    remembered. Words come from the generation's BM25 term arrays when the innovation is indexed as it is.
    """

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer
        self._term_set = lru_cache(maxsize=16_384)(lambda text: frozenset(analyzer.terms(text)))

    @staticmethod
    def weights(generation: Generation, analysis: Analysis) -> dict[str, float]:
        """IDF of each query term: how much sharing it says about a match."""
        return {t: generation.lexical.idf(t) for _, ts in analysis for t in ts}

    def explain(self, generation: Generation, analysis: Analysis, innovation: Innovation,
                weights: dict[str, float] | None = None) -> tuple[list[str], str]:
        """(the query's words that the innovation shares, as written; the innovation's best-matching sentence).

        ``analysis`` is ``analyzer.analyze(query)``; ``weights`` is :meth:`weights` when the caller has it.
        """
        weights = self.weights(generation, analysis) if weights is None else weights
        surfaces = [(tok.surface, ts) for tok, ts in analysis]
        at = generation.catalog.by_id.get(innovation.id)
        held: AbstractSet[str]
        if at is not None and generation.catalog.innovations[at].text == innovation.text:  # indexed as it is
            held = generation.lexical.shared_terms(int(generation.catalog.rids[at]), weights.keys())
        else:
            held = self._term_set(innovation.text)
        return matched_surfaces(surfaces, held), best_sentence(innovation.description, weights, self._term_set)
