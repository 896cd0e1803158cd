"""What the rest of a text says: the sense of an ambiguous abbreviation, and the needs behind a symptom.

Why: government writing reuses letters across sectors (TTD is a signature on a permit and an iron tablet for
pregnant women), and mentors describe symptoms ("ibu hamil melahirkan di rumah") where the catalogue describes
the answer ("persalinan di fasilitas kesehatan"). Both are data (``lexicon/senses.tsv``, ``sector_words.tsv``,
``thesaurus.tsv``); this module applies them to one text's terms, as :class:`matcher.engine.text.Analyzer`
produces them. It never imports the analyser: it is given the function that turns a word into its terms.

- **Senses.** Each sense scores the words around the abbreviation (``window`` tokens each side, else the whole
  text): 2 per word that points to the sense itself (its expansion and cues), plus the number of words that
  mark its best sector. The best sense wins; a tie keeps the tied senses; no signal keeps every sense. A stated
  sector that one sense has wins outright.
- **Symptoms.** A symptom matches when each of its words occurs among the text's terms within a short span
  (any order; "tidak", "belum", "kurang" stand for one another), and no other negation stands among them
  ("harga beras tidak naik" is no "harga beras naik"). The span may cross a full stop: mentors often name the
  symptom over two sentences ("... sungai berarus deras. Warga menyeberang ..."). Its needs' terms not already
  in the text are added.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from matcher.engine.lexicon import NEGATIONS, SECTOR_WORDS, SENSES, THESAURUS, Sense, Symptom

__all__ = ["Choice", "Context", "Match", "Option"]

Terms = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Option:
    """One sense of an ambiguous token: the terms the token yields in that sense, and what points to it."""

    expansion: str
    sectors: frozenset[str]
    cues: frozenset[str]
    terms: Terms


@dataclass(frozen=True, slots=True)
class Choice:
    """An ambiguous abbreviation as written in one token; ``every`` is its terms with every sense."""

    key: str
    options: tuple[Option, ...]
    every: Terms


@dataclass(frozen=True, slots=True)
class Match:
    """A symptom found in a text: the first and last token (indices into the text's tokens), the thesaurus row,
    and the need terms it adds."""

    first: int
    last: int
    symptom: Symptom
    terms: Terms


@dataclass(frozen=True, slots=True)
class _Pattern:
    symptom: Symptom
    words: tuple[frozenset[str], ...]  # per symptom word: the terms that stand for it
    needs: Terms


class Context:
    """The lexicon's senses, sector words and thesaurus as terms of one analyser.

    ``word_terms`` maps a phrase to its terms (the analyser's own, so that both sides stem alike);
    ``window`` is how many tokens each side of an abbreviation are read before the whole text is.
    """

    def __init__(self, word_terms: Callable[[str], Sequence[str]], window: int = 30,
                 senses: dict[str, tuple[Sense, ...]] = SENSES,
                 sector_words: dict[str, tuple[str, ...]] = SECTOR_WORDS,
                 thesaurus: Iterable[Symptom] = THESAURUS):
        self.window = window
        self.senses = senses
        self.negations = negations = frozenset(t for w in NEGATIONS for t in word_terms(w))
        raw: dict[str, set[str]] = {s: {t for w in ws for t in word_terms(w)[:1]} for s, ws in sector_words.items()}
        self.patterns: list[_Pattern] = []
        for symptom in thesaurus:
            words = []
            for w in symptom.phrase.split():
                ts = frozenset(word_terms(w))
                if ts:
                    words.append(negations if w in NEGATIONS else ts)
            needs = tuple(dict.fromkeys(t for need in symptom.needs for t in word_terms(need)))
            self.patterns.append(_Pattern(symptom, tuple(words), needs))
            raw.setdefault(symptom.sector, set()).update(needs)
        common = Counter(t for ts in raw.values() for t in ts)
        self.vocab = {s: frozenset(t for t in ts if common[t] < 4) for s, ts in raw.items()}  # no generic words
        self.cues = {(k, s.expansion): frozenset(word_terms(s.expansion)) | {t for c in s.cues for t in word_terms(c)}
                     for k, ss in senses.items() for s in ss}
        self.by_term: dict[str, list[int]] = {}
        for i, p in enumerate(self.patterns):
            for t in p.words[0] if p.words else ():
                self.by_term.setdefault(t, []).append(i)

    def options(self, key: str) -> list[tuple[str, frozenset[str], frozenset[str]]]:
        """(expansion, sectors, cue terms) of each sense of ``key``, in lexicon order."""
        sectors: dict[str, set[str]] = {}
        for s in self.senses[key]:
            sectors.setdefault(s.expansion, set()).add(s.sector)
        return [(e, frozenset(ss), self.cues[key, e]) for e, ss in sectors.items()]

    def choose(self, choice: Choice, context: set[str], sector: str | None = None) -> Terms | None:
        """The terms of the sense(s) that ``context`` (the other terms of the text) or ``sector`` points to;
        None when nothing decides."""
        options = choice.options
        if sector is not None:
            stated = [o for o in options if sector in o.sectors]
            if 0 < len(stated) < len(options):
                return _union(stated)
        scores = [2 * len(o.cues & context) + max(len(self.vocab.get(s, frozenset()) & context) for s in o.sectors)
                  for o in options]
        best = max(scores)
        winners = [o for o, sc in zip(options, scores, strict=True) if sc == best]
        return None if best == 0 or len(winners) == len(options) else _union(winners)

    def resolve(self, entries: Sequence[Terms | Choice], sector: str | None = None) -> list[Terms]:
        """Each token's terms, an ambiguous one (a :class:`Choice`) reduced to the sense its surroundings point
        to."""
        plain = [() if isinstance(e, Choice) else e for e in entries]
        whole: set[str] | None = None
        out: list[Terms] = []
        for i, e in enumerate(entries):
            if not isinstance(e, Choice):
                out.append(e)
                continue
            near = {t for ts in plain[max(0, i - self.window):i + self.window + 1] for t in ts}
            got = self.choose(e, near, sector)
            if got is None and len(entries) > 2 * self.window + 1:
                whole = whole if whole is not None else {t for ts in plain for t in ts}
                got = self.choose(e, whole, sector)
            out.append(e.every if got is None else got)
        return out

    def _negated(self, pattern: _Pattern, span: Sequence[Terms]) -> bool:
        """Whether a negation that is none of the symptom's own words stands among its words ("harga beras tidak
        naik" is no "harga beras naik"); a symptom that holds a negation ("berat badan tidak naik") is never."""
        if self.negations in pattern.words:
            return False
        return any(self.negations.intersection(ts) and not any(w.intersection(ts) for w in pattern.words)
                   for ts in span)

    def symptoms(self, tokens: Sequence[Terms]) -> list[Match]:
        """The symptoms found in a text given as each token's terms, with the need terms they add (those not
        in the text already), in thesaurus order."""
        have = set(chain.from_iterable(tokens))
        found = sorted({i for t in have.intersection(self.by_term) for i in self.by_term[t]})
        found = [i for i in found if all(w & have for w in self.patterns[i].words)]
        if not found:
            return []
        content = [(i, frozenset(ts)) for i, ts in enumerate(tokens) if ts]
        out: list[Match] = []
        added: set[str] = set()
        for i in found:
            p = self.patterns[i]
            span = _shortest_span(content, p.words)
            if span is None or self._negated(p, tokens[span[0]:span[1] + 1]):
                continue
            terms = tuple(t for t in p.needs if t not in have and t not in added)
            if terms:
                added.update(terms)
                out.append(Match(span[0], span[1], p.symptom, terms))
        return out


def _union(options: Iterable[Option]) -> Terms:
    return tuple(dict.fromkeys(t for o in options for t in o.terms))


def _shortest_span(content: Sequence[tuple[int, frozenset[str]]], words: Sequence[frozenset[str]],
                   slack: int = 4) -> tuple[int, int] | None:
    """(first, last) token of the shortest run of content tokens holding every one of ``words``, if that run
    has at most ``len(words) + slack`` content tokens; None otherwise."""
    hits = [(pos, j) for pos, (_, ts) in enumerate(content) for j, w in enumerate(words) if w & ts]
    need, count = len(words), Counter[int]()
    best: tuple[int, int] | None = None
    lo = 0
    for hi in range(len(hits)):
        count[hits[hi][1]] += 1
        while len(count) == need:
            a, b = hits[lo][0], hits[hi][0]
            if b - a + 1 <= need + slack and (best is None or b - a < best[1] - best[0]):
                best = (a, b)
            count[hits[lo][1]] -= 1
            if not count[hits[lo][1]]:
                del count[hits[lo][1]]
            lo += 1
    return None if best is None else (content[best[0]][0], content[best[1]][0])
