"""Word lists behind :mod:`matcher.engine.text`: abbreviations and their senses, informal short forms,
stopwords, units, the words that mark each sector, and a symptom-to-need thesaurus.

Why data files: the lists are data that people who know Indonesian administration edit without Python (the
format is in ``README.md`` beside this module); the logic stays in ``text.py``. Every file is read and validated
at import, and a bad line fails with its file, line and problem. Keys are lower case, as ``text.normalize``
leaves them. An ambiguous abbreviation (KIA, KK, TTD, ...) has one row per sense and sector in ``senses.tsv``;
the analyser keeps the sense whose sector fits the rest of the text. ``ACRONYMS`` still maps it to all its senses
joined by " / ", which the dense rewrite shows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from matcher.data.records import SECTORS
from matcher.errors import Problem, ValidationError

__all__ = [
    "ABBREVIATIONS", "ACRONYMS", "AFFIXES", "ALIASES", "FOLDER", "LEXICON", "NEGATIONS", "SECTOR_WORDS", "SENSES",
    "SHORT_FORMS", "STOPWORDS", "THESAURUS", "UNITS", "Lexicon", "LexiconError", "Sense", "Symptom", "load",
]

FOLDER = Path(__file__).parent


class LexiconError(ValidationError):
    """A word-list file breaks the format; ``problems`` name the file, the line (``row``) and the column."""


@dataclass(frozen=True)
class Sense:
    """One sense of an ambiguous abbreviation in one catalogue sector (``records.SECTORS``); ``cues`` are
    words that point to this sense whatever the sector."""

    sector: str
    expansion: str
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Symptom:
    """A thesaurus row: the words of a symptom as mentors write it, the needs it points to, their sector."""

    phrase: str
    needs: tuple[str, ...]
    sector: str


@dataclass(frozen=True)
class Lexicon:
    """Every word list, validated. ``sectors`` maps a sector file (``acronyms/<sector>.tsv``) to its
    abbreviations; ``senses`` maps each ambiguous abbreviation (``senses.tsv``) to its senses, in file order;
    ``acronyms`` is the union of both (an ambiguous one maps to its expansions joined by " / ");
    ``abbreviations`` adds the aliases (with their target's expansion) and the short forms: every key the
    analyser expands. ``sector_words`` maps each catalogue sector to the words that mark it; ``thesaurus`` lists
    the symptoms."""

    sectors: dict[str, dict[str, str]]
    acronyms: dict[str, str]
    aliases: dict[str, str]
    short_forms: dict[str, str]
    abbreviations: dict[str, str]
    units: dict[str, str]
    negations: frozenset[str]
    stopwords: frozenset[str]
    affixes: frozenset[str]
    senses: dict[str, tuple[Sense, ...]]
    sector_words: dict[str, tuple[str, ...]]
    thesaurus: tuple[Symptom, ...]


def load(folder: Path | str = FOLDER) -> Lexicon:
    """The lexicon in ``folder`` (default: the files shipped with matcher); raises :class:`LexiconError`
    listing every problem found."""
    r = _Reader(Path(folder))
    seen: dict[str, str] = {}  # abbreviation, alias or short form -> where it was first defined
    files = sorted(r.folder.glob("acronyms/*.tsv"))
    sectors = {p.stem: r.table(p, "abbreviation", "expansion", seen) for p in files}
    if not sectors:
        r.problem(r.folder / "acronyms", None, None, "no sector files (acronyms/<sector>.tsv)")
    senses = r.senses(r.folder / "senses.tsv", seen)
    acronyms = {k: v for sector in sectors.values() for k, v in sector.items()}
    acronyms.update((k, " / ".join(dict.fromkeys(s.expansion for s in ss))) for k, ss in senses.items())
    aliases = r.table(r.folder / "aliases.tsv", "alias", "abbreviation", seen, targets=acronyms)
    short_forms = r.table(r.folder / "short_forms.tsv", "informal", "standard", seen)
    units = r.table(r.folder / "units.tsv", "unit", "name", {})
    words = {name: r.words(r.folder / f"{name}.txt") for name in ("negations", "stopwords", "affixes")}
    sector_words = r.sector_words(r.folder / "sector_words.tsv")
    thesaurus = r.thesaurus(r.folder / "thesaurus.tsv")
    if r.problems:
        raise LexiconError(r.problems)
    expanded = {alias: acronyms[key] for alias, key in aliases.items()}
    return Lexicon(sectors, acronyms, aliases, short_forms, {**acronyms, **expanded, **short_forms}, units,
                   words["negations"], words["stopwords"], words["affixes"], senses, sector_words, thesaurus)


def _clean(text: str) -> bool:
    """True for lower-case ASCII with single spaces and none at the ends, as ``text.normalize`` leaves a key."""
    return text.isascii() and text == text.lower() and text == " ".join(text.split())


class _Reader:
    """Reads the files of one folder, gathering problems instead of stopping at the first."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []

    def problem(self, path: Path, line: int | None, field: str | None, reason: str) -> None:
        self.problems.append(Problem(str(path), line, field, reason))

    def lines(self, path: Path) -> list[tuple[int, str]] | None:
        """Numbered lines that are neither blank nor ``#`` comments; None (and a problem) if unreadable."""
        try:
            text = path.read_text(encoding="utf-8-sig")  # -sig: a spreadsheet may save a byte-order mark
        except (OSError, UnicodeDecodeError) as e:
            self.problem(path, None, None, f"cannot read the file: {e}")
            return None
        numbered = enumerate(text.split("\n"), 1)
        return [(n, line) for n, line in numbered if line.strip() and not line.lstrip().startswith("#")]

    def rows(self, path: Path, *columns: str) -> list[tuple[int, dict[str, str]]]:
        """(line number, column -> field) for each data line of a TSV whose header names ``columns`` once each
        (other columns are allowed: later features read them); a line with the wrong number of fields or an
        empty field in ``columns`` is a problem and left out."""
        rows = self.lines(path)
        if rows is None:
            return []
        header = rows[0][1].split("\t") if rows else []
        if any(c not in header for c in columns) or len(set(header)) < len(header):
            names = " and ".join(", ".join(map(repr, columns)).rsplit(", ", 1))
            self.problem(path, rows[0][0] if rows else None, None,
                         f"the header must name the columns {names} once each, tab-separated")
            return []
        out = []
        for n, line in rows[1:]:
            fields = line.split("\t")
            if len(fields) != len(header):
                self.problem(path, n, None, f"expected {len(header)} tab-separated fields ({', '.join(header)}), "
                                            f"found {len(fields)}")
                continue
            row = dict(zip(header, fields, strict=True))
            if empty := next((c for c in columns if not row[c]), None):
                self.problem(path, n, empty, f"empty {empty}")
                continue
            out.append((n, row))
        return out

    def key_ok(self, path: Path, n: int, column: str, k: str) -> bool:
        """True if ``k`` is normalised as the analyser leaves text; otherwise a problem with the fix."""
        if _clean(k):
            return True
        fix = " ".join(k.lower().split())
        hint = f"write {fix!r}" if fix != k else "use ASCII letters"
        self.problem(path, n, column, f"{k!r} is not normalised: {hint} (lower-case ASCII, single spaces)")
        return False

    def value_ok(self, path: Path, n: int, column: str, v: str) -> bool:
        if v == " ".join(v.split()):
            return True
        self.problem(path, n, column, f"{v!r} has stray spaces")
        return False

    def sector_ok(self, path: Path, n: int, sector: str) -> bool:
        if sector in SECTORS:
            return True
        self.problem(path, n, "sector", f"unknown sector {sector!r}: use one of {', '.join(SECTORS)}")
        return False

    def table(self, path: Path, key: str, value: str, seen: dict[str, str],
              targets: dict[str, str] | None = None) -> dict[str, str]:
        """``key`` column -> ``value`` column of a TSV whose header names its columns. A key already in ``seen``
        is a duplicate; with ``targets``, every value must be one of its keys."""
        out: dict[str, str] = {}
        name = path.relative_to(self.folder).as_posix()
        for n, row in self.rows(path, key, value):
            k, v = row[key], row[value]
            if not self.key_ok(path, n, key, k) or not self.value_ok(path, n, value, v):
                continue
            if k in seen:
                self.problem(path, n, key, f"{k!r} is defined twice: already in {seen[k]}")
            elif targets is not None and v not in targets:
                self.problem(path, n, value, f"{v!r} is not an abbreviation defined in acronyms/")
            elif " / " in v and key == "abbreviation":
                self.problem(path, n, value, f"{k!r} lists several senses: give each its own row in senses.tsv")
            else:
                seen[k] = f"{name}, line {n}"
                out[k] = v
        return out

    def words_of(self, path: Path, n: int, column: str, text: str) -> tuple[str, ...] | None:
        """The space-separated words of a field, or None (and a problem) if one is not normalised."""
        if not text:
            return ()
        words = tuple(text.split(" "))
        if not _clean(text):
            return None if not self.key_ok(path, n, column, text) else words
        return words

    def senses(self, path: Path, seen: dict[str, str]) -> dict[str, tuple[Sense, ...]]:
        """``senses.tsv``: abbreviation -> its senses. An abbreviation needs two different expansions, may not be
        defined elsewhere, and repeats a sector only for another expansion."""
        found: dict[str, list[tuple[int, Sense]]] = {}
        for n, row in self.rows(path, "abbreviation", "sector", "expansion"):
            k, sector, expansion = row["abbreviation"], row["sector"], row["expansion"]
            cues = self.words_of(path, n, "cues", row.get("cues", ""))
            if (not self.key_ok(path, n, "abbreviation", k) or not self.sector_ok(path, n, sector)
                    or not self.value_ok(path, n, "expansion", expansion) or cues is None):
                continue
            if " / " in expansion:
                self.problem(path, n, "expansion", f"{expansion!r} holds several senses: give each its own row")
            elif k in seen:
                self.problem(path, n, "abbreviation", f"{k!r} is defined twice: already in {seen[k]}")
            elif first := next((m for m, s in found.get(k, []) if (s.sector, s.expansion) == (sector, expansion)),
                               None):
                self.problem(path, n, "sector", f"{k!r} has this sense in {sector!r} twice: already on line {first}")
            else:
                found.setdefault(k, []).append((n, Sense(sector, expansion, cues)))
        name = path.relative_to(self.folder).as_posix()
        out = {}
        for k, rows in found.items():
            if len({s.expansion for _, s in rows}) < 2:
                self.problem(path, rows[0][0], "abbreviation",
                             f"{k!r} has a single sense: define it in acronyms/<sector>.tsv instead")
                continue
            seen[k] = f"{name}, line {rows[0][0]}"
            out[k] = tuple(s for _, s in rows)
        return out

    def sector_words(self, path: Path) -> dict[str, tuple[str, ...]]:
        """``sector_words.tsv``: catalogue sector -> the words that mark it (a sector may span several lines)."""
        out: dict[str, dict[str, int]] = {}
        for n, row in self.rows(path, "sector", "words"):
            words = self.words_of(path, n, "words", row["words"])
            if not self.sector_ok(path, n, row["sector"]) or not words:
                continue
            have = out.setdefault(row["sector"], {})
            for w in words:
                if w in have:
                    self.problem(path, n, "words", f"{w!r} is listed twice for {row['sector']!r}: "
                                                   f"already on line {have[w]}")
                else:
                    have[w] = n
        return {sector: tuple(ws) for sector, ws in out.items()}

    def thesaurus(self, path: Path) -> tuple[Symptom, ...]:
        """``thesaurus.tsv``: symptom -> comma-separated needs, in a sector; a symptom is listed once."""
        out: list[Symptom] = []
        seen: dict[str, int] = {}
        for n, row in self.rows(path, "symptom", "needs", "sector"):
            phrase, needs, sector = row["symptom"], row["needs"], row["sector"]
            if (not self.key_ok(path, n, "symptom", phrase) or not self.value_ok(path, n, "needs", needs)
                    or not self.sector_ok(path, n, sector)):
                continue
            parts = tuple(p.strip() for p in needs.split(","))
            if not all(parts):
                self.problem(path, n, "needs", f"{needs!r} has an empty need between commas")
            elif phrase in seen:
                self.problem(path, n, "symptom", f"{phrase!r} is listed twice: already on line {seen[phrase]}")
            else:
                seen[phrase] = n
                out.append(Symptom(phrase, parts, sector))
        return tuple(out)

    def words(self, path: Path) -> frozenset[str]:
        """One word per line; a repeated word is a problem (it would hide an edit that was meant elsewhere)."""
        seen: dict[str, int] = {}
        for n, word in self.lines(path) or []:
            if not _clean(word) or " " in word:
                self.problem(path, n, None, f"{word!r} is not one normalised word (lower-case ASCII, no spaces)")
            elif word in seen:
                self.problem(path, n, None, f"{word!r} is listed twice: already on line {seen[word]}")
            else:
                seen[word] = n
        return frozenset(seen)


LEXICON = load()
ACRONYMS: dict[str, str] = LEXICON.acronyms
ALIASES: dict[str, str] = LEXICON.aliases  # variant spelling -> canonical key in ACRONYMS
SHORT_FORMS: dict[str, str] = LEXICON.short_forms
ABBREVIATIONS: dict[str, str] = LEXICON.abbreviations
NEGATIONS: frozenset[str] = LEXICON.negations
STOPWORDS: frozenset[str] = LEXICON.stopwords
UNITS: dict[str, str] = LEXICON.units
AFFIXES: frozenset[str] = LEXICON.affixes
SENSES: dict[str, tuple[Sense, ...]] = LEXICON.senses
SECTOR_WORDS: dict[str, tuple[str, ...]] = LEXICON.sector_words
THESAURUS: tuple[Symptom, ...] = LEXICON.thesaurus


def digest(folder: Path | str = FOLDER) -> str:
    """A hash of every word-list file: the analyser's terms depend on them, so an index records it and a
    change of the lists makes the next ``matcher index`` re-analyse every text (vectors stay cached)."""
    h = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.suffix in (".tsv", ".txt"):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]
