"""Why an innovation was ranked for a gap: the gap's words it really shares (as the mentor wrote them, each
paired with the innovation's own word: :mod:`matcher.engine.highlights`), the sentence of the innovation that
best answers the gap, preferring what it does and achieved over the problem it started from, and a caution
from the compatibility check (:mod:`matcher.engine.compat`)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from matcher.data.records import Innovation
from matcher.engine.compat import caution
from matcher.engine.cues import CueList, cue_weights, generic_words
from matcher.engine.highlights import GapWords, Noise, TermPair, TextIndex
from matcher.engine.text import Analysis, Analyzer, normalize

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


def best_sentence(
    text: str, term_weights: dict[str, float], analyse: Callable[[str], Collection[str]],
    cues: CueList[float] | None = None,
) -> str:
    """The sentence sharing the most query weight (sum of IDF of shared terms) times its cue factor
    (:func:`cue_factor`: what the innovation does and achieved above the origin's problem); among sentences
    sharing nothing, the one with the highest factor, the first on ties. ``cues`` default: the shipped ones."""
    cues = sentence_cues() if cues is None else cues
    return best_of(sentence_parts(text, analyse, cues), term_weights)


Sentence = tuple[str, float, Collection[str]]  # a sentence, its cue factor and its terms


def sentence_parts(text: str, analyse: Callable[[str], Collection[str]], cues: CueList[float]) -> tuple[Sentence, ...]:
    """Each sentence of ``text`` with what :func:`best_sentence` weighs in it that does not depend on the query;
    an explainer keeps them per description, since one innovation is explained for many gaps."""
    return tuple((sentence, cue_factor(sentence, cues), analyse(sentence)) for sentence in split_sentences(text))


def best_of(sentences: Iterable[Sentence], term_weights: dict[str, float]) -> str:
    """:func:`best_sentence` over sentences already split and weighed (:func:`sentence_parts`)."""
    best, best_key = "", (-1.0, -1.0)
    for sentence, factor, terms in sentences:
        key = (factor * sum(term_weights.get(t, 0.0) for t in set(terms)), factor)
        if key > best_key:
            best, best_key = sentence, key
    return best


@lru_cache(maxsize=1)
def sentence_cues() -> CueList[float]:
    """The shipped sentence cues (``lexicon/sentence_cues.tsv``): cue -> weight."""
    return CueList(cue_weights("sentence_cues.tsv"))


def cue_factor(sentence: str, cues: CueList[float]) -> float:
    """The highest cue weight above 1 times the lowest below 1 (1 for a sentence without cues)."""
    weights = cues.found(normalize(sentence))
    return max([w for w in weights if w > 1], default=1.0) * min([w for w in weights if w < 1], default=1.0)


@dataclass(frozen=True)
class Explanation:
    """What a mentor reads for a (gap, innovation) pair: ``matched_terms``, the gap's words the innovation
    shares as written (what the page highlights in the gap); ``pairs``, each of them with the innovation's
    word (:class:`TermPair`); ``best_sentence``; ``caution``, a compatibility warning or None."""

    matched_terms: list[str]
    pairs: list[TermPair]
    best_sentence: str
    caution: str | None = None


class Explainer:
    """The evidence a mentor reads for a (query, innovation) pair: the query's words the innovation really
    shares, paired with its own words; its best-answering sentence; a caution from the compatibility check.

    Explanations analyse the same innovation texts and sentences again and again, so the last analyses are
    remembered. A term found in more than ``common_share`` of a catalogue of at least ``common_min`` innovations
    is never shown as evidence; nor are stopwords, negations and ``generic`` words (default: the shipped list).
    ``synonyms`` maps a term to terms of the same meaning (a thesaurus), shown as pairs.
    """

    def __init__(self, analyzer: Analyzer, generic: Collection[str] | None = None, common_share: float = 0.3,
                 common_min: int = 50, synonyms: Mapping[str, Collection[str]] | None = None):
        self.analyzer = analyzer
        self.generic = generic
        self.common_share, self.common_min, self.synonyms = common_share, common_min, synonyms
        self._term_set = lru_cache(maxsize=16_384)(lambda text: frozenset(analyzer.terms(text)))
        # an innovation's words, without the needs its symptoms imply: a TextIndex skips those, and the abbreviation
        # a symptom may be is the innovation's own word just before (a fifth of the analysis time saved)
        self._index = lru_cache(maxsize=4_096)(lambda text: TextIndex(analyzer.analyze(text, needs=False), text))
        self._sentences = lru_cache(maxsize=4_096)(lambda text: sentence_parts(text, self._term_set, sentence_cues()))
        self._common: tuple[Generation | None, Callable[[str], bool]] = (None, lambda t: False)
        self._gap: tuple[Analysis, Generation, GapWords, str] | None = None  # the last query's words, worked out

    def _ready(self) -> Noise:
        if not hasattr(self, "noise_"):
            self.analyzer.terms("")
            plain = Analyzer(self.analyzer.stemmer_, expand=False, stopwords=self.analyzer.stopwords)
            self.phrase_terms_ = lru_cache(maxsize=16_384)(lambda phrase: tuple(plain.terms(phrase)))
            generic = generic_words() if self.generic is None else self.generic
            self.noise_ = Noise.of(generic, self.phrase_terms_)
        return self.noise_

    @staticmethod
    def weights(generation: Generation, analysis: Analysis) -> dict[str, float]:
        """IDF of each query term: how much sharing it says about a match."""
        return {t: generation.lexical.idf(t) for _, ts in analysis for t in ts}

    def common(self, generation: Generation) -> Callable[[str], bool]:
        """Whether a term occurs in more than ``common_share`` of the generation's catalogue (never for a
        catalogue smaller than ``common_min``); remembered for the last generation."""
        last, common = self._common  # read once: other threads may use another generation
        if last is generation:
            return common
        n = len(generation.lexical)
        df = self.common_share * n
        limit = math.log(1 + (n - df + 0.5) / (df + 0.5))  # the IDF of a term in exactly that share
        common = lru_cache(maxsize=16_384)(lambda t: n >= self.common_min and generation.lexical.idf(t) < limit)
        self._common = (generation, common)
        return common

    def explain(self, generation: Generation, analysis: Analysis, innovation: Innovation,
                weights: dict[str, float] | None = None) -> Explanation:
        """The explanation of ``innovation`` for the query whose analysis (``analyzer.analyze(query)``) is
        ``analysis``; ``weights`` is :meth:`weights` when the caller has it."""
        noise = self._ready()
        weights = self.weights(generation, analysis) if weights is None else weights
        common = self.common(generation)
        text = innovation.text
        last = self._gap  # read once: other threads may explain other queries
        if last is None or last[0] is not analysis or last[1] is not generation:  # k innovations in a row
            words = GapWords(analysis, noise, self.phrase_terms_, common)
            last = self._gap = (analysis, generation, words, " ".join(tok.norm for tok, _ in analysis))
        _, _, gap, gap_text = last
        found = gap.pairs(self._index(text), self.synonyms)
        telling = {t: w for t, w in weights.items() if t not in noise.terms and not common(t)}
        sentence = best_of(self._sentences(innovation.description), telling)
        return Explanation([p.gap for p in found], found, sentence, caution(gap_text, innovation))
