"""The words of a gap that an innovation really shares, each paired with the innovation's own words.

Why: a mentor reads the highlights as evidence. A gap word is shown only when the innovation holds the word
itself, a word of the same stem, an abbreviation's own letters or one of its senses spelled out as a phrase
("PTM" <-> "penyakit tidak menular", never "PTM" because "tidak" occurs), or a thesaurus synonym. Stopwords,
negations, bare numbers and generic words (curated, or common in the catalogue) are never shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from matcher.engine.lexicon import ACRONYMS, ALIASES, NEGATIONS, SHORT_FORMS, STOPWORDS, UNITS
from matcher.engine.text import Analysis, Need, Token, normalize

__all__ = ["GapWords", "Noise", "TermPair", "TextIndex", "pairs"]

PairKind = Literal["same", "stem", "abbreviation", "synonym"]


@dataclass(frozen=True, slots=True)
class TermPair:
    """A gap word as written and the innovation's word(s) as written; ``kind`` says how they match: the
    same word, the same stem, an abbreviation and its spelled-out sense (or spelling variant), a synonym."""

    gap: str
    innovation: str
    kind: PairKind

    @property
    def label(self) -> str:
        """"Bumil ↔ ibu hamil" for a pair of different words, the word alone when both sides are the same."""
        return self.gap if self.kind == "same" else f"{self.gap} \u2194 {self.innovation}"


@dataclass(frozen=True)
class Noise:
    """What never counts as evidence: ``words`` (normalised: stopwords, negations, generic words) and
    ``terms`` (analysed terms: the stems of those words, and terms common in the catalogue)."""

    words: frozenset[str]
    terms: frozenset[str]

    @classmethod
    def of(cls, generic: Collection[str], stem: Callable[[str], Sequence[str]]) -> Noise:
        """Stopwords, negations, units ("ha", "km": measures, not needs) and ``generic``; ``stem`` is the
        analyser's terms of one word."""
        words = frozenset(STOPWORDS | NEGATIONS | _measures() | set(generic))
        return cls(words, frozenset(t for w in words for t in stem(w) if not _is_acronym(t)))

    def shows(self, token: Token, terms: Sequence[str], common: Callable[[str], bool]) -> bool:
        """Whether a gap token may be shown at all; ``common(term)`` says a term is frequent in the catalogue."""
        norm = token.norm
        if not terms or norm in self.words or _is_number(norm):
            return False
        named = _named(_written_terms(norm, terms))
        if named:  # an abbreviation, or one inside a hyphenated form ("antar-OPD")
            return not all(t in self.words for t in named)
        return not all(t in self.terms or common(t) for t in terms)


def _measures() -> set[str]:
    """Units that are only measures: "ha" and "km" (one-word expansions), not "KK" (kartu keluarga)."""
    return {u for u in UNITS if " " not in u and (not _is_acronym(u) or " " not in ACRONYMS[_key(u)])}


def _key(norm: str) -> str:
    return ALIASES.get(norm, norm)


def _is_acronym(norm: str) -> bool:
    return _key(norm) in ACRONYMS


def _is_number(norm: str) -> bool:
    return (norm[:1].isdigit() or norm.startswith("rp")) and not _is_acronym(norm) and any(
        c.isdigit() for c in norm)


class TextIndex:
    """A text's analysis (``analyzer.analyze(text)``) arranged for lookups: where each term is written (not
    merely implied by an abbreviation's expansion), and the stream of written terms for phrase search."""

    def __init__(self, analysis: Analysis, text: str | None = None):
        self.text, self.analysis = text, analysis
        self.tokens = [tok for tok, _ in analysis]
        self.written: dict[str, int] = {}  # term -> first token that writes it
        self.stream: list[tuple[str, int]] = []  # (term, token index) of written terms, in text order
        self.at: dict[str, list[int]] = {}  # term -> its positions in the stream
        self.acronyms = [i for i, tok in enumerate(self.tokens) if _is_acronym(tok.norm)]  # tokens that may abbreviate
        for i, (tok, terms) in enumerate(analysis):
            if isinstance(tok, Need):  # implied needs are not written words: nothing is found in them
                continue
            for t in _written_terms(tok.norm, terms):
                self.written.setdefault(t, i)
                self.at.setdefault(t, []).append(len(self.stream))
                self.stream.append((t, i))

    def phrase(self, terms: Sequence[str]) -> tuple[int, int] | None:
        """(first, last) token where ``terms`` occur one after another, stopwords aside; None if nowhere."""
        n = len(terms)
        for s in self.at.get(terms[0], []) if n else []:
            if s + n <= len(self.stream) and all(self.stream[s + j][0] == terms[j] for j in range(1, n)):
                return self.stream[s][1], self.stream[s + n - 1][1]
        return None

    def word(self, i: int) -> str:
        """Token ``i`` as written; of a number with its unit ("15 KK"), the unit."""
        tok = self.tokens[i]
        return tok.surface.split()[-1] if _is_number(tok.norm) else tok.surface

    def surface(self, span: tuple[int, int]) -> str:
        """The words of tokens ``span`` as written (joined by spaces without the text)."""
        a, b = self.tokens[span[0]], self.tokens[span[1]]
        if a is b:
            return self.word(span[0])
        if self.text is not None:
            return self.text[a.start:b.end]
        return " ".join(tok.surface for tok in self.tokens[span[0]:span[1] + 1])


def _written_terms(norm: str, terms: Sequence[str]) -> list[str]:
    """Terms a token writes itself: an abbreviation writes its own letters (and abbreviations inside it, as in
    "KTP-el"), not its expansion; a hyphenated form with an abbreviation ("ber-KTP") writes that one; a number
    with its unit ("10 KK") writes the pair and the unit, never what the unit stands for."""
    if terms and _is_number(norm):
        unit = norm.split()[-1] if " " in norm else ""
        return [terms[0], *(t for t in terms[1:2] if _key(unit) in ACRONYMS or t == unit)]
    if _is_acronym(norm):
        key = _key(norm)
        inner = [p for p in re.split(r"[- ]", key) if _is_acronym(p)] if ("-" in key or " " in key) else []
        return [t for t in terms if t == terms[0] or t in inner]
    if "-" in norm:
        inner = [t for t in terms if t in ACRONYMS]
        if inner:
            return inner
    return list(terms)


def _sense_terms(norm: str, phrase_terms: Callable[[str], Sequence[str]]) -> list[Sequence[str]]:
    """The term sequences that spell out an abbreviation or a short form: one per sense."""
    key = _key(norm)
    phrases = ACRONYMS[key].split(" / ") if key in ACRONYMS else [SHORT_FORMS.get(norm, "")]
    return [ts for ts in (phrase_terms(p) for p in phrases) if ts]


def pairs(
    query: Analysis | TextIndex, inv: TextIndex, noise: Noise, phrase_terms: Callable[[str], Sequence[str]],
    common: Callable[[str], bool] = lambda t: False, synonyms: Mapping[str, Collection[str]] | None = None,
) -> list[TermPair]:
    """The gap words that the innovation (``inv``: its text, indexed) shares, in gap order, each once.

    ``query`` is the gap's analysis, or its index to reuse; ``phrase_terms`` is the analyser's terms of a phrase with no abbreviation
    expanded; ``common(term)`` says a term is too frequent in the catalogue to show; ``synonyms`` maps a term
    to terms that mean the same (a thesaurus). Besides the gap's own words, a phrase of the gap that spells out
    an abbreviation the innovation writes is paired with it ("penyakit tidak menular" <-> "PTM").
    """
    return GapWords(query, noise, phrase_terms, common).pairs(inv, synonyms)


@dataclass(frozen=True, slots=True)
class _Word:
    """A gap token that may be shown, with what finding it in an innovation needs: ``own``, the terms it writes;
    ``named``, those that are abbreviations; ``senses`` (abbreviation-like tokens only), its spelled-out senses;
    ``wanted`` (a symptom only), the need terms that may pair it."""

    at: int
    tok: Token
    own: list[str]
    named: list[str]
    senses: list[Sequence[str]] | None
    wanted: list[str] | None = None


class GapWords:
    """The words of one gap that may be shown, worked out once for the query: which tokens are noise, what
    each writes, the senses of its abbreviations. Why: a ranking explains k innovations for one gap, and this
    part of :func:`pairs` does not depend on the innovation (it was most of the explanation time)."""

    def __init__(self, query: Analysis | TextIndex, noise: Noise, phrase_terms: Callable[[str], Sequence[str]],
                 common: Callable[[str], bool] = lambda t: False):
        self.index = query if isinstance(query, TextIndex) else TextIndex(query)
        self.noise, self.phrase_terms = noise, phrase_terms
        self.words: list[_Word] = []  # in gap order
        for i, (tok, terms) in enumerate(self.index.analysis):
            own = _written_terms(tok.norm, terms)
            if isinstance(tok, Need):  # a symptom: shown only through a need word the innovation writes
                mine = set(own) | set(tok.norm.split())
                wanted = [t for t in terms if t not in mine and t not in noise.words and not common(t)]
                self.words.append(_Word(i, tok, own, [], None, wanted))
            elif noise.shows(tok, terms, common):
                named = _named(own)
                spelled = named or _is_acronym(tok.norm) or (tok.norm in SHORT_FORMS and len(terms) > 1)
                self.words.append(_Word(i, tok, own, named, _sense_terms(tok.norm, phrase_terms) if spelled else None))

    def pairs(self, inv: TextIndex, synonyms: Mapping[str, Collection[str]] | None = None) -> list[TermPair]:
        """:func:`pairs` of this gap with the innovation ``inv``."""
        gap, noise = self.index, self.noise
        found: list[tuple[int, TermPair]] = []
        covered: set[int] = set()  # gap tokens inside a spelled-out phrase
        for j in inv.acronyms:
            tok = inv.tokens[j]
            if tok.norm in noise.words or _key(tok.norm) in _covered_keys(found):
                continue
            for sense in _sense_terms(tok.norm, self.phrase_terms):
                span = gap.phrase(sense) if len(sense) > 1 else None
                if span is not None and not covered.intersection(range(span[0], span[1] + 1)):
                    covered.update(range(span[0], span[1] + 1))
                    found.append((span[0], TermPair(gap.surface(span), tok.surface, "abbreviation")))
                    break
        seen: set[tuple[str, ...]] = set()  # a word is shown once, whatever its form ("pulau", "pulau-pulau")
        for word in self.words:
            if word.wanted is not None:
                pair = _need_pair(word, inv)
                if pair is not None and pair.innovation.lower() not in {p.innovation.lower() for _, p in found}:
                    found.append((word.at, pair))
                continue
            key = tuple(word.own)
            if word.at in covered or key in seen:
                continue
            pair = _pair(word, inv, synonyms or {})
            if pair is not None:
                seen.add(key)
                found.append((word.at, pair))
        return [p for _, p in sorted(found, key=lambda f: f[0])]


def _covered_keys(found: list[tuple[int, TermPair]]) -> set[str]:
    """Abbreviations already paired with a phrase of the gap."""
    return {_key(normalize(p.innovation)) for _, p in found}


def _pair(word: _Word, inv: TextIndex, synonyms: Mapping[str, Collection[str]]) -> TermPair | None:
    tok, own = word.tok, word.own
    if word.senses is not None:
        for t in word.named:  # the abbreviation's letters (or a variant spelling)
            if t in inv.written:
                return _made(tok, inv.word(inv.written[t]), "abbreviation")
        for sense in word.senses:  # one of its senses spelled out
            span = inv.phrase(sense)
            if span is not None:
                return TermPair(tok.surface, inv.surface(span), "abbreviation")
        return None
    span = inv.phrase(own) if own else None
    if span is not None:
        return _made(tok, inv.surface(span), "stem")
    for t in own if len(own) == 1 else []:
        for s in synonyms.get(t, ()):
            if s in inv.written:
                return TermPair(tok.surface, inv.word(inv.written[s]), "synonym")
    return None


def _need_pair(word: _Word, inv: TextIndex) -> TermPair | None:
    """"symptom ↔ need word" when the innovation writes one of the needs the symptom points to (not one of the
    symptom's own words, and no noise: ``word.wanted``)."""
    for t in word.wanted or ():
        if t in inv.written:
            return TermPair(word.tok.surface, inv.word(inv.written[t]), "synonym")
    return None


def _named(terms: Sequence[str]) -> list[str]:
    """The terms that are abbreviations ("ktp", "satpol_pp")."""
    return [t for t in terms if _is_acronym(t.replace("_", " "))]


def _made(tok: Token, found: str, kind: PairKind) -> TermPair:
    """``kind`` unless the innovation writes the very same word, then "same"."""
    return TermPair(tok.surface, found, "same" if normalize(found) == tok.norm else kind)
