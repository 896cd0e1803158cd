"""Word lists behind explanations, read from ``matcher/engine/lexicon/``: generic words that never count as
evidence, sentence cues (what an innovation does versus the problem it started from) and compatibility cues.

Why a module of its own: the analyser's lexicon (``lexicon/__init__.py``) feeds matching; these lists only
shape what a mentor reads. They use the same file format and validation (``lexicon/README.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

from matcher.engine.lexicon import FOLDER, LexiconError, _Reader
from matcher.errors import Problem

T = TypeVar("T")

__all__ = ["CueList", "cue_table", "cue_weights", "generic_words"]


def generic_words(folder: Path | str = FOLDER) -> frozenset[str]:
    """The curated generic words (``generic_words.txt``); raises :class:`LexiconError` on a bad line."""
    r = _Reader(Path(folder))
    words = r.words(r.folder / "generic_words.txt")
    if r.problems:
        raise LexiconError(r.problems)
    return words


def cue_table(name: str, value: str, folder: Path | str = FOLDER) -> dict[str, str]:
    """``cue`` -> ``value`` column of ``<folder>/<name>``; raises :class:`LexiconError` on a bad line."""
    r = _Reader(Path(folder))
    table = r.table(r.folder / name, "cue", value, {})
    if r.problems:
        raise LexiconError(r.problems)
    return table


def cue_weights(name: str, folder: Path | str = FOLDER) -> dict[str, float]:
    """``cue`` -> ``weight`` (a positive number) of ``<folder>/<name>``; raises :class:`LexiconError`."""
    table = cue_table(name, "weight", folder)
    bad = [c for c, w in table.items() if not _positive(w)]
    if bad:
        raise LexiconError([Problem(str(Path(folder) / name), None, "weight", f"{c!r}: the weight must be a "
                                                                          "positive number") for c in bad])
    return {c: float(w) for c, w in table.items()}


def _positive(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


class CueList(Generic[T]):
    """Finds whole-word cues ("kini", "turun menjadi") in normalised text.

    ``cues`` maps each cue to a value; :meth:`found` returns the values of the cues in a text.
    """

    def __init__(self, cues: Mapping[str, T]):
        self.cues = cues
        words = sorted(cues, key=len, reverse=True)
        self.pattern_ = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in words) + r")\b") if words else None

    def found(self, normalized: str) -> list[T]:
        """Values of the cues in ``normalized`` (a text as :func:`matcher.engine.text.normalize` leaves it)."""
        if self.pattern_ is None:
            return []
        return [self.cues[m.group()] for m in self.pattern_.finditer(normalized)]

    def any_of(self, normalized: str, values: Iterable[T]) -> bool:
        """Whether a cue with one of ``values`` occurs in ``normalized``."""
        wanted = set(values)
        return any(v in wanted for v in self.found(normalized))
