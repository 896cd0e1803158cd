"""Word lists behind :mod:`matcher.engine.text`: abbreviations, informal short forms, stopwords, units.

Why data files: the lists are data that people who know Indonesian administration edit without Python (the
format is in ``README.md`` beside this module); the logic stays in ``text.py``. Every file is read and validated
at import, and a bad line fails with its file, line and problem. Keys are lower case, as ``text.normalize``
leaves them. An expansion holding " / " lists the senses of an ambiguous abbreviation (KIA, KK, TPA, ...); the
lexical channel emits every sense, the dense rewrite shows them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matcher.errors import Problem, ValidationError

__all__ = [
    "ABBREVIATIONS", "ACRONYMS", "AFFIXES", "ALIASES", "FOLDER", "LEXICON", "NEGATIONS", "SHORT_FORMS",
    "STOPWORDS", "UNITS", "Lexicon", "LexiconError", "load",
]

FOLDER = Path(__file__).parent


class LexiconError(ValidationError):
    """A word-list file breaks the format; ``problems`` name the file, the line (``row``) and the column."""


@dataclass(frozen=True)
class Lexicon:
    """Every word list, validated. ``sectors`` maps a sector (``acronyms/<sector>.tsv``) to its abbreviations;
    ``acronyms`` is their union; ``abbreviations`` adds the aliases (with their target's expansion) and the
    short forms: every key the analyser expands."""

    sectors: dict[str, dict[str, str]]
    acronyms: dict[str, str]
    aliases: dict[str, str]
    short_forms: dict[str, str]
    abbreviations: dict[str, str]
    units: dict[str, str]
    negations: frozenset[str]
    stopwords: frozenset[str]
    affixes: frozenset[str]


def load(folder: Path | str = FOLDER) -> Lexicon:
    """The lexicon in ``folder`` (default: the files shipped with matcher); raises :class:`LexiconError`
    listing every problem found."""
    r = _Reader(Path(folder))
    seen: dict[str, str] = {}  # abbreviation, alias or short form -> where it was first defined
    files = sorted(r.folder.glob("acronyms/*.tsv"))
    sectors = {p.stem: r.table(p, "abbreviation", "expansion", seen) for p in files}
    if not sectors:
        r.problem(r.folder / "acronyms", None, None, "no sector files (acronyms/<sector>.tsv)")
    acronyms = {k: v for sector in sectors.values() for k, v in sector.items()}
    aliases = r.table(r.folder / "aliases.tsv", "alias", "abbreviation", seen, targets=acronyms)
    short_forms = r.table(r.folder / "short_forms.tsv", "informal", "standard", seen)
    units = r.table(r.folder / "units.tsv", "unit", "name", {})
    words = {name: r.words(r.folder / f"{name}.txt") for name in ("negations", "stopwords", "affixes")}
    if r.problems:
        raise LexiconError(r.problems)
    expanded = {alias: acronyms[key] for alias, key in aliases.items()}
    return Lexicon(sectors, acronyms, aliases, short_forms, {**acronyms, **expanded, **short_forms}, units,
                   words["negations"], words["stopwords"], words["affixes"])


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

    def table(self, path: Path, key: str, value: str, seen: dict[str, str],
              targets: dict[str, str] | None = None) -> dict[str, str]:
        """``key`` column -> ``value`` column of a TSV whose header names its columns; other columns are allowed
        (read by later features). A key already in ``seen`` is a duplicate; with ``targets``, every value must
        be one of its keys."""
        rows = self.lines(path)
        if rows is None:
            return {}
        header = rows[0][1].split("\t") if rows else []
        if key not in header or value not in header or len(set(header)) < len(header):
            self.problem(path, rows[0][0] if rows else None, None,
                         f"the header must name the columns {key!r} and {value!r} once each, tab-separated")
            return {}
        out: dict[str, str] = {}
        name, ki, vi = path.relative_to(self.folder).as_posix(), header.index(key), header.index(value)
        for n, line in rows[1:]:
            fields = line.split("\t")
            if len(fields) != len(header):
                self.problem(path, n, None, f"expected {len(header)} tab-separated fields ({', '.join(header)}), "
                                            f"found {len(fields)}")
                continue
            k, v = fields[ki], fields[vi]
            if not k or not v:
                column = value if k else key
                self.problem(path, n, column, f"empty {column}")
            elif not _clean(k):
                fix = " ".join(k.lower().split())
                hint = f"write {fix!r}" if fix != k else "use ASCII letters"
                self.problem(path, n, key, f"{k!r} is not normalised: {hint} (lower-case ASCII, single spaces)")
            elif v != " ".join(v.split()):
                self.problem(path, n, value, f"{v!r} has stray spaces")
            elif k in seen:
                self.problem(path, n, key, f"{k!r} is defined twice: already in {seen[k]}")
            elif targets is not None and v not in targets:
                self.problem(path, n, value, f"{v!r} is not an abbreviation defined in acronyms/")
            else:
                seen[k] = f"{name}, line {n}"
                out[k] = v
        return out

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
