"""Indonesian text for the lexical channel and for explanations: normalise, tokenise, expand, stem.

Why: mentors and Bappeda officers write gaps fast ("yg blm punya akta", "bumil KEK di pustu"). BM25 matches
them to innovation descriptions only when both sides reduce to the same terms, and an explanation must point
back at the words the mentor wrote. Every policy below applies to gaps and innovations alike:

- abbreviations (``lexicon.ACRONYMS``) stay as a term AND add their expansion's terms ("KTP" -> ktp, kartu,
  tanda, duduk), so "KTP" meets "Kartu Tanda Penduduk" both ways. An ambiguous one (``lexicon.SENSES``: KIA,
  KK, TTD) adds the sense whose sector fits the rest of the text (or the stated sector), and every sense when
  nothing decides. Variant spellings (``lexicon.ALIASES``: e-KTP, KTP-el, ektp) share one term;
- a gap's symptoms (``lexicon.THESAURUS``: "ibu hamil melahirkan di rumah") add the terms of the needs they
  point to ("persalinan di fasilitas kesehatan"), as :class:`Need` entries of :meth:`Analyzer.analyze`;
- informal short forms and misspellings (``lexicon.SHORT_FORMS``) are replaced ("yg" -> "yang"), never kept;
- negations ("tidak", "belum", "kurang") are kept: in a gap they name the problem. Drop them with
  ``Analyzer(stopwords=STOPWORDS | NEGATIONS)``;
- bare numbers (years, counts) are dropped; a number with a unit is one term ("14 hari" -> "14_hari", "hari").
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Literal, cast

from matcher.engine.context import Choice, Context, Option
from matcher.engine.lexicon import (
    ABBREVIATIONS,
    ACRONYMS,
    AFFIXES,
    ALIASES,
    NEGATIONS,
    SENSES,
    SHORT_FORMS,
    STOPWORDS,
    UNITS,
)
from matcher.errors import ConfigError, StoreError

__all__ = [
    "ABBREVIATIONS", "NEGATIONS", "STOPWORDS", "Analyzer", "Need", "Stemmer", "Token", "expand_abbreviations",
    "normalize", "tokenize",
]

StemmerName = Literal["sastrawi", "snowball", "none"]

# --- normalisation -------------------------------------------------------------------------------------------

_PUNCT = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u02bb\u02bc`\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u2039\u203a", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d", "-"),
}
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers: letters that draw nothing
_ASCII_ODD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f`]")
_ASCII_TABLE = {**{c: " " for c in [*range(9), 11, 12, *range(14, 32), 127]}, ord("`"): "'"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _simple(ch: str) -> str:
    """One character's fate without decomposition: invisible -> '', separator or pictograph -> ' '."""
    if ch in _PUNCT:
        return _PUNCT[ch]
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Cf", "Sk") or ch in _FILLERS:  # marks, zero-width/bidi/format, emoji modifiers
        return ""
    if cat[0] in "CZ" or cat == "So":  # controls, surrogates, unassigned, odd spaces, emoji and symbols
        return " "
    return ch


@lru_cache(maxsize=1 << 16)
def _fold_char(c: str) -> str:
    """NFKC-style compatibility folding of one non-ASCII character, lower-cased, without accents."""
    out = _simple(c)
    if out != c:
        return out
    for _ in range(2):  # lower() can add marks ("İ") and NFKD can add capitals ("㎒" -> "MHz")
        out = "".join(_simple(ch) for ch in unicodedata.normalize("NFKD", out.lower()))
    return unicodedata.normalize("NFC", out)


def _fold_ascii(text: str) -> str:
    text = text.lower()
    return text.translate(_ASCII_TABLE) if _ASCII_ODD.search(text) else text


def _fold(text: str) -> tuple[str, list[int] | None]:
    """Folded text and, for each of its characters, its index in ``text`` (None: the identity)."""
    if text.isascii():
        return _fold_ascii(text), None
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _NON_ASCII.finditer(text):
        a, b = m.span()
        parts.append(_fold_ascii(text[pos:a]))
        offsets.extend(range(pos, a))
        for i in range(a, b):
            folded = _fold_char(text[i])
            parts.append(folded)
            offsets.extend([i] * len(folded))
        pos = b
    parts.append(_fold_ascii(text[pos:]))
    offsets.extend(range(pos, len(text)))
    return "".join(parts), offsets


def normalize(text: str) -> str:
    """Lower-cased, accent- and emoji-free text with one kind of quote and dash and single spaces.

    Invisible characters (zero-width, bidi marks, soft hyphen, variation selectors) vanish, so text with
    them injected normalises exactly like the clean text.
    """
    return " ".join(_fold(text)[0].split())


_SPACE_BEFORE_PUNCT = re.compile(r" (?=[,.;:!?])")


def clean_for_dense(text: str) -> str:
    """What the dense encoder should see: the text, minus what a reader cannot see or does not read.

    Invisible characters vanish, accents and emoji modifiers go, emoji and odd spaces become a space; case
    and punctuation stay (e5 uses them). ASCII text comes back unchanged, so its cached vectors stay valid.
    """
    if text.isascii():
        return text
    out = "".join(_simple(ch) for ch in unicodedata.normalize("NFD", text))
    out = " ".join(unicodedata.normalize("NFC", out).split())
    return _SPACE_BEFORE_PUNCT.sub("", out)


# --- tokens --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    """A word as written: ``surface == text[start:end]`` of the original text; ``norm`` is its folded form."""

    surface: str
    start: int
    end: int
    norm: str = ""


@dataclass(frozen=True, slots=True)
class Need(Token):
    """Terms a symptom of the text points to (``lexicon.THESAURUS``), not words of the text: ``surface`` is the
    symptom as written (``text[start:end]``), ``symptom`` the thesaurus phrase it matched, ``sector`` its sector.
    An explanation shows a match through it as "surface ↔ need word"."""

    symptom: str = ""
    sector: str = ""


_TOKEN_RE = re.compile(
    r"(?P<w>lapor!)"  # the national complaints channel, named with its mark
    r"|(?P<d>[^\W\d_](?:\.[^\W\d_])+)(?![^\W_])"  # dotted short forms: s.d., a.n., u.p.
    r"|(?P<n>(?:rp\.?\s?)?\d+(?:[.,]\d+)*(?:\s?%)?)(?![^\W_])"  # numbers, rupiah, percentages
    r"|(?P<x>[^\W_]+(?:['-][^\W_]+)*)"  # words, codes (3t, tps3r) and hyphenated forms (ktp-el, anak-anak)
)
_PAIRS = frozenset(k for k in (*ACRONYMS, *ALIASES) if " " in k)  # two-word keys: "satpol pp", "uptd ppa"
_PAIR_FIRST = frozenset(k.split(" ")[0] for k in _PAIRS)


def _spans(s: str) -> list[tuple[str, str, int, int]]:
    """(kind, norm, start, end) over folded text; kind is 'w' word, 'd' dotted, 'n' number (maybe with unit)."""
    raw = [(m.lastgroup or "x", m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(s)]
    out = []
    i, n = 0, len(raw)
    while i < n:
        kind, norm, a, b = raw[i]
        kind = "w" if kind == "x" else kind
        if i + 1 < n and (kind == "n" or norm in _PAIR_FIRST):
            _, nxt, a2, b2 = raw[i + 1]
            if s[b:a2].isspace():
                if kind == "n" and nxt in UNITS and "%" not in norm:  # "14 hari", "2,5 juta"
                    out.append(("n", f"{norm} {nxt}", a, b2))
                    i += 2
                    continue
                if kind == "w" and f"{norm} {nxt}" in _PAIRS:
                    out.append(("w", f"{norm} {nxt}", a, b2))
                    i += 2
                    continue
        out.append((kind, norm, a, b))
        i += 1
    return out


def _original(offsets: list[int] | None, a: int, b: int) -> tuple[int, int]:
    return (a, b) if offsets is None else (offsets[a], offsets[b - 1] + 1)


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with offsets into ``text`` itself, whatever invisible characters it holds."""
    s, offsets = _fold(text)
    out = []
    for _, norm, a, b in _spans(s):
        start, end = _original(offsets, a, b)
        out.append(Token(text[start:end], start, end, norm))
    return out


# --- stemming ------------------------------------------------------------------------------------------------


def _load_backend(name: str) -> Callable[[str], str]:
    """The stemming function for ``name``, imported only when first needed."""
    if name == "none":
        return str
    if name == "sastrawi":
        try:
            from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
        except ImportError as e:
            raise ConfigError("stemmer 'sastrawi' needs PySastrawi: pip install PySastrawi==1.2.1 "
                              "(not the package 'sastrawi')") from e
        stemmer = StemmerFactory().create_stemmer()
        inner = getattr(stemmer, "delegatedStemmer", None)  # skip Sastrawi's own text filter and second cache
        return inner.stem_word if inner is not None else stemmer.stem
    if name == "snowball":
        try:
            import Stemmer as pystemmer
        except ImportError as e:
            raise ConfigError("stemmer 'snowball' needs PyStemmer: pip install PyStemmer") from e
        return pystemmer.Stemmer("indonesian").stemWord
    raise ConfigError(f"unknown stemmer {name!r}: use 'sastrawi', 'snowball' or 'none'")


# Entries each word cache keeps at most (~150 bytes each): a national corpus has a few hundred thousand distinct
# words, while free texts sent to the service may invent any number of them.
CACHE_LIMIT = 500_000


class Stemmer:
    """Indonesian stemmer with a word -> stem cache kept as plain JSON next to the index.

    Why the cache: Sastrawi is pure Python (about 0.1 ms a word) while a corpus repeats few words, so each
    unique word is stemmed once, ever, when the cache travels with the index.
    """

    cache_: dict[str, str]
    backend_: Callable[[str], str]

    def __init__(self, name: StemmerName = "sastrawi"):
        self.name = name

    def _ready(self) -> Callable[[str], str]:
        if not hasattr(self, "backend_"):
            self.backend_ = _load_backend(self.name)
            if not hasattr(self, "cache_"):
                self.cache_ = {}
        return self.backend_

    def stem(self, word: str) -> str:
        """Stem of one lower-case word (cached; 'none' returns the word and caches nothing)."""
        backend = self._ready()
        if self.name == "none":
            return word
        stem = self.cache_.get(word)
        if stem is None:
            stem = backend(word) or word
            if len(self.cache_) < CACHE_LIMIT:  # made-up words in queries must not grow it without end
                self.cache_[word] = stem
        return stem

    def stem_many(self, words: Iterable[str]) -> list[str]:
        """Stems of ``words``, in order."""
        return [self.stem(w) for w in words]

    def save_cache(self, path: str | Path) -> Path:
        """Write the cache as JSON ({"stemmer", "stems"}); atomic, so a crash never leaves half a file."""
        self._ready()
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        payload = {"format": "matcher-stems", "version": 1, "stemmer": self.name, "stems": self.cache_}
        tmp.write_text(json.dumps(payload, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
        return path

    def load_cache(self, path: str | Path) -> Stemmer:
        """Merge a cache written by :meth:`save_cache`; refuses one made by another stemmer."""
        self._ready()
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            stems = data["stems"]
            made_by = data["stemmer"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise StoreError(f"cannot read stem cache {path}: {e}; delete it to rebuild") from e
        if made_by != self.name:
            raise StoreError(f"stem cache {path} was made by stemmer {made_by!r}, not {self.name!r}; "
                             "delete it or rebuild the index")
        self.cache_.update((str(k), str(v)) for k, v in dict(stems).items())
        return self


# --- analysis ------------------------------------------------------------------------------------------------

_REDUP = re.compile(r"([a-z]{3,})2")  # informal reduplication: anak2 -> anak
_SOLID_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)([a-z%]+)")  # 14hari, 5km
_NUMBER = re.compile(r"(?:rp\.?\s?)?(\d+(?:[.,]\d+)*)\s?(\S+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def _dedupe(terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(terms))


Analysis = list[tuple[Token, list[str]]]  # each token of a text with the lexical terms it yields


class Analyzer:
    """Text -> lexical terms (normalised, abbreviations expanded, stopwords removed, stemmed).

    ``stemmer`` is 'sastrawi' | 'snowball' | 'none' or a :class:`Stemmer` (to share its cache); ``expand``
    adds abbreviation expansions; ``stopwords`` is True (``STOPWORDS``), False, or a collection of words.
    Informal short forms are replaced whatever the settings: they are spelling, not vocabulary.
    """

    def __init__(self, stemmer: StemmerName | Stemmer = "sastrawi", expand: bool = True,
                 stopwords: bool | Iterable[str] = True):
        self.stemmer = stemmer
        self.expand = expand
        self.stopwords = stopwords

    def _ready(self) -> None:
        if hasattr(self, "cache_"):
            return
        self.stemmer_ = self.stemmer if isinstance(self.stemmer, Stemmer) else Stemmer(self.stemmer)
        self.stemmer_._ready()
        sw = self.stopwords
        if isinstance(sw, str):
            raise ConfigError("stopwords must be True, False or a collection of words, not a string")
        self.stop_ = STOPWORDS if sw is True else frozenset(normalize(w) for w in sw) if sw else frozenset()
        self.cache_: dict[tuple[str, str], tuple[str, ...] | Choice] = {}
        self.senses_ = bool(SENSES) and self.expand
        self.context_ = Context(lambda phrase: self._phrase_terms(phrase, lookup=True))

    def terms(self, text: str, sector: str | None = None, needs: bool = False) -> list[str]:
        """Lexical terms of one text, in text order (repeats kept: BM25 counts them).

        ``sector`` (a ``records.SECTORS`` code) is the text's stated sector: it decides an ambiguous
        abbreviation that has a sense there. ``needs`` adds the need terms of the symptoms it describes (at the
        end), as :meth:`analyze` does for a gap.
        """
        return self.terms_many([text], None if sector is None else [sector], needs)[0]

    def terms_many(self, texts: Iterable[str], sectors: Iterable[str | None] | None = None,
                   needs: bool = False) -> list[list[str]]:
        """Lexical terms of each text: a list aligned with ``texts`` (and with ``sectors``, when given)."""
        self._ready()
        get, resolve = self._token_terms, self.context_.resolve
        texts = list(texts)
        hints = [None] * len(texts) if sectors is None else list(sectors)
        out = []
        for text, sector in zip(texts, hints, strict=True):
            entries = [get(kind, norm) for kind, norm, _, _ in _spans(_fold(text)[0])]
            tokens = resolve(entries, sector) if Choice in map(type, entries) else cast(list[tuple[str, ...]], entries)
            doc = list(chain.from_iterable(tokens))
            if needs:
                doc += [t for m in self.context_.symptoms(tokens) for t in m.terms]
            out.append(doc)
        return out

    def analyze(self, text: str, sector: str | None = None, needs: bool = True) -> Analysis:
        """Each original token with the terms it produced (an expansion's terms stay with the abbreviation),
        then a :class:`Need` for each symptom found (unless ``needs`` is False) with the need terms it adds.

        Concatenating the term lists gives ``terms(text, sector, needs)``; tokens that produce nothing
        (stopwords) are kept. This is the analysis of a gap statement: ``sector`` is its stated sector.
        """
        self._ready()
        s, offsets = _fold(text)
        spans = _spans(s)
        entries = [self._token_terms(kind, norm) for kind, norm, _, _ in spans]
        tokens = (self.context_.resolve(entries, sector) if Choice in map(type, entries)
                  else cast(list[tuple[str, ...]], entries))
        out: Analysis = []
        places = []
        for (_, norm, a, b), ts in zip(spans, tokens, strict=True):
            start, end = _original(offsets, a, b)
            places.append((start, end))
            out.append((Token(text[start:end], start, end, norm), list(ts)))
        if needs:
            for m in self.context_.symptoms(tokens):
                start, end = places[m.first][0], places[m.last][1]
                need = Need(text[start:end], start, end, normalize(text[start:end]), m.symptom.phrase,
                            m.symptom.sector)
                out.append((need, list(m.terms)))
        return out

    def expansions(self, text: str, sector: str | None = None) -> list[tuple[Need, list[str]]]:
        """The symptoms found in ``text``, each with the need terms it adds (the :class:`Need` part of
        :meth:`analyze`)."""
        return [(tok, ts) for tok, ts in self.analyze(text, sector) if isinstance(tok, Need)]

    def save_cache(self, path: str | Path) -> Path:
        """Save the stem cache (plain JSON) so the index can ship it."""
        self._ready()
        return self.stemmer_.save_cache(path)

    def load_cache(self, path: str | Path) -> Analyzer:
        """Load a stem cache saved by :meth:`save_cache`."""
        self._ready()
        self.stemmer_.load_cache(path)
        return self

    def _token_terms(self, kind: str, norm: str) -> tuple[str, ...] | Choice:
        """The terms of one token, or a :class:`Choice` when it is an ambiguous abbreviation (cached)."""
        key = (kind, norm)
        got = self.cache_.get(key)
        if got is None:
            if kind == "n":  # "500 KK": a unit may be an ambiguous abbreviation too
                m = _NUMBER.fullmatch(norm)
                unit = m.group(2) if m and m.group(2) in UNITS else None
                ambiguous = self._ambiguous(unit) if unit and self.senses_ else None
                if ambiguous is not None:
                    got = self.cache_[key] = self._choice(norm, ambiguous, self._number_terms)
                    return got
                terms = self._number_terms(norm)
            else:
                w = norm if kind == "w" or norm in ABBREVIATIONS else norm.replace(".", "")
                ambiguous = self._ambiguous(w) if self.senses_ else None
                if ambiguous is not None:
                    got = self._choice(w, ambiguous, self._word_terms)
                    if len(self.cache_) < CACHE_LIMIT:
                        self.cache_[key] = got
                    return got
                terms = self._word_terms(w)
            got = tuple(terms)
            if len(self.cache_) < CACHE_LIMIT:
                self.cache_[key] = got
        return got

    @staticmethod
    def _ambiguous(w: str) -> str | None:
        """The ambiguous abbreviation ``w`` stands for, alone or as a part of a hyphenated form."""
        if w in STOPWORDS:
            return None
        key = ALIASES.get(w, w)
        if key in SENSES:
            return key
        if key in ACRONYMS or w in SHORT_FORMS or "-" not in w:
            return None
        return next((ALIASES.get(p, p) for p in w.split("-") if ALIASES.get(p, p) in SENSES), None)

    def _choice(self, w: str, key: str, terms: Callable[..., list[str]]) -> Choice:
        """``w`` (an ambiguous ``key``, or a form holding it) with its terms in each sense, by ``terms``."""
        options = tuple(Option(expansion, sectors, cues, tuple(terms(w, sense=(key, expansion))))
                        for expansion, sectors, cues in self.context_.options(key))
        return Choice(key, options, tuple(terms(w)))

    def _word_terms(self, w: str, lookup: bool = True, sense: tuple[str, str] | None = None) -> list[str]:
        """Terms of one word; ``sense`` = (abbreviation, expansion) takes that sense of an ambiguous one."""
        if w in self.stop_:
            return []
        if lookup:
            key = ALIASES.get(w, w)
            if key in ACRONYMS:
                return self._acronym_terms(key, sense)
            if w in SHORT_FORMS:
                return self._phrase_terms(SHORT_FORMS[w])
        if "-" in w:
            return self._compound_terms(w, lookup, sense)
        if "'" in w:
            return self._word_terms(w.replace("'", ""), lookup, sense)
        if m := _REDUP.fullmatch(w):
            return self._word_terms(m.group(1), lookup, sense)
        if (m := _SOLID_UNIT.fullmatch(w)) and m.group(2) in UNITS:
            return self._number_terms(f"{m.group(1)} {m.group(2)}")
        if len(w) < 2 or w.isdigit():
            return []
        return [self.stemmer_.stem(w) if w.isascii() and w.isalpha() else w]

    def _acronym_terms(self, key: str, sense: tuple[str, str] | None = None) -> list[str]:
        """The abbreviation's own term, the abbreviations inside it (ktp-el -> ktp), then its expansion (one
        sense when ``sense`` names this key, else every sense). Negations inside an expansion ("penyakit tidak
        menular") are left out: they are no sign of a problem there."""
        out = [key.replace(" ", "_")]
        if "-" in key or " " in key:
            out += [p for p in re.split(r"[- ]", key) if ALIASES.get(p, p) in ACRONYMS]
        if self.expand:
            expansion = sense[1] if sense is not None and sense[0] == key else ACRONYMS[key]
            out += [t for t in self._phrase_terms(expansion) if t not in NEGATIONS]
        return _dedupe(out)

    def _phrase_terms(self, phrase: str, lookup: bool = False) -> list[str]:
        out: list[str] = []
        for w in phrase.replace("/", " ").replace(",", " ").split():
            out += self._word_terms(w, lookup=lookup)
        return _dedupe(out)

    def _compound_terms(self, w: str, lookup: bool, sense: tuple[str, str] | None = None) -> list[str]:
        """Hyphenated forms: 'anak-anak' -> anak, 'ber-KTP' -> ktp..., 'e-kinerja' -> elektronik, kinerja."""
        parts = [p for p in w.split("-") if p]
        out: list[str] = []
        for k, part in enumerate(parts):
            if part in AFFIXES:
                continue
            out += self._word_terms("elektronik" if k == 0 and part == "e" else part, lookup, sense)
        return _dedupe(out)

    def _number_terms(self, norm: str, sense: tuple[str, str] | None = None) -> list[str]:
        m = _NUMBER.fullmatch(norm)
        if not m or not m.group(2) or m.group(2) not in UNITS:
            return []  # bare numbers, years, amounts: no matching signal
        value, unit = m.group(1), m.group(2)
        value = value.replace(".", "") if _THOUSANDS.fullmatch(value) else value.replace(",", ".")
        name = UNITS[unit]
        return _dedupe([f"{value}_{name.replace(' ', '_')}",
                        *(self._word_terms(unit, sense=sense) or self._phrase_terms(name))])


# --- rewriting for the dense encoder -------------------------------------------------------------------------

_DOTTED = frozenset({"kab", "kec", "kel", "prov", "prop", "ds", "dsn", "jl", "jln", "tgl", "dr"})


def expand_abbreviations(text: str) -> str:
    """``text`` for a dense encoder: "bumil" -> "bumil (ibu hamil)", "yg" -> "yang", "Kab." -> "Kabupaten".

    Abbreviations keep their surface and gain their expansion in parentheses at their first occurrence
    (ambiguous ones show every sense, "kk (kartu keluarga / kepala keluarga)"), unless the text already spells
    a sense out. Short forms are replaced. Everything else is left exactly as written.
    """
    s, offsets = _fold(text)
    spelled = " ".join(s.split())
    pieces: list[str] = []
    pos = 0
    done: set[str] = set()
    for kind, norm, a, b in _spans(s):
        if kind == "n":
            continue
        start, end = _original(offsets, a, b)
        key: str | None = ALIASES.get(norm, norm)
        if key not in ACRONYMS:  # "ber-KTP": look inside hyphenated forms
            parts = norm.split("-") if "-" in norm and norm not in SHORT_FORMS else []
            key = next((ALIASES.get(p, p) for p in parts if ALIASES.get(p, p) in ACRONYMS), None)
        if key is not None:
            senses = ACRONYMS[key]
            if key in done or any(sense.strip() in spelled for sense in senses.split(" / ")):
                continue
            done.add(key)
            pieces += [text[pos:end], f" ({senses})"]
            pos = end
        elif norm in SHORT_FORMS:
            word = SHORT_FORMS[norm]
            if text[start:start + 1].isupper():
                word = word[:1].upper() + word[1:]
            if norm in _DOTTED and text[end:end + 1] == ".":
                end += 1
            pieces += [text[pos:start], word]
            pos = end
    pieces.append(text[pos:])
    return "".join(pieces)
