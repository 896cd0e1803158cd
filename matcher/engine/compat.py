"""Compatibility of an innovation with a gap's setting: the short caution line a mentor reads beside a match.

Today one check: an innovation that works only online (its ``digital`` flag and words such as aplikasi, online,
daring, web, with no offline channel such as SMS or radio) for a gap that says there is no signal ("blank
spot", "tanpa sinyal"). The cues are data (``lexicon/compat_cues.tsv``). Other checks (stopped innovations,
budget, urban schemes on islands) add their line here.
"""

from __future__ import annotations

from functools import lru_cache

from matcher.data.records import Innovation
from matcher.engine.cues import CueList, cue_table
from matcher.engine.text import normalize

__all__ = ["NEEDS_SIGNAL", "caution"]

NEEDS_SIGNAL = "butuh sinyal internet / aplikasi"


@lru_cache(maxsize=1)
def _cues() -> CueList[str]:
    return CueList(cue_table("compat_cues.tsv", "kind"))


def online_only(innovation: Innovation) -> bool:
    """Whether the innovation needs the internet or an app: flagged digital, described with online words, and
    naming no offline channel."""
    return bool(innovation.digital) and _online_words(innovation.text)


@lru_cache(maxsize=4_096)
def _online_words(text: str) -> bool:
    kinds = set(_cues().found(normalize(text)))
    return "online" in kinds and "offline" not in kinds


@lru_cache(maxsize=4_096)
def lacks_signal(gap_text: str) -> bool:
    """Whether the gap says its area has no (or poor) mobile signal or internet."""
    return _cues().any_of(normalize(gap_text), ["no_signal"])


def caution(gap_text: str, innovation: Innovation) -> str | None:
    """The caution line for this (gap, innovation) pair, or None when there is nothing to warn about."""
    if lacks_signal(gap_text) and online_only(innovation):
        return NEEDS_SIGNAL
    return None
