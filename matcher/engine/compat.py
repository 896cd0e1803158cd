"""Compatibility of an innovation with a gap's setting: the short caution line a mentor reads beside a match.

Today one check: an innovation that works only online (its ``digital`` flag, online words such as aplikasi,
daring, web in its title or in two sentences, or a smartphone to hold; no offline channel such as SMS, radio
or satellite internet) for a gap that says there is no signal ("blank
spot", "tanpa sinyal"). The cues are data (``lexicon/compat_cues.tsv``). And a stopped innovation (shown only
when a filter asks for stopped ones) says so: "berhenti sejak 2022", the year read from its status reason or
from the description's sentence that says it stopped, never guessed. Other checks (budget, urban schemes on
islands) add their line here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from matcher.data.records import Innovation
from matcher.engine.cues import CueList, cue_table
from matcher.engine.text import normalize

__all__ = ["NEEDS_SIGNAL", "STOPPED", "caution", "stopped_since"]

NEEDS_SIGNAL = "butuh sinyal internet / aplikasi"
STOPPED = "sudah berhenti"  # a stopped innovation whose text gives no year

_WITHOUT_SIGNAL = {"offline", "no_signal"}  # in an innovation: it works, or was written for places, without signal
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_STOP_WORD = re.compile(r"\b(?:berhenti|terhenti|dihentikan|tidak lagi berjalan|tidak aktif)\b", re.IGNORECASE)
# a year said to be a point in time ("pada 2022", "sejak tahun 2021", "akhir 2023"), not a span ("selama 2018-2020")
_WHEN = re.compile(r"\b(?:pada|sejak|tahun|akhir|awal|pertengahan)\s+(?:tahun\s+)?((?:19|20)\d{2})\b(?!\s*[-–])",
                   re.IGNORECASE)


@lru_cache(maxsize=1)
def _cues() -> CueList[str]:
    return CueList(cue_table("compat_cues.tsv", "kind"))


def online_only(innovation: Innovation) -> bool:
    """Whether the people it serves need the internet or an app: flagged digital, naming no offline channel
    or connection of its own (SMS, radio, satellite internet, "tanpa sinyal"), and online at its core: online
    words in its title, in two or more sentences, or a device people must hold (Android, ponsel pintar). One
    sentence saying the office keeps its records in an application does not make a service online-only."""
    return bool(innovation.digital) and _online_core(innovation.title, innovation.description)


@lru_cache(maxsize=4_096)
def _online_core(title: str, description: str) -> bool:
    cues = _cues()
    sentences = [set(cues.found(normalize(s))) for s in _SENTENCE.split(description)]
    heading = set(cues.found(normalize(title)))
    if any(kinds & _WITHOUT_SIGNAL for kinds in (heading, *sentences)):
        return False
    if "online" in heading or any("device" in kinds for kinds in (heading, *sentences)):
        return True
    return sum("online" in kinds for kinds in sentences) >= 2


@lru_cache(maxsize=4_096)
def lacks_signal(gap_text: str) -> bool:
    """Whether the gap says its area has no (or poor) mobile signal or internet."""
    return _cues().any_of(normalize(gap_text), ["no_signal"])


def stopped_since(innovation: Innovation) -> str | None:
    """For a stopped innovation, "berhenti sejak <year>" when its status reason, or a sentence of its
    description that says it stopped, names the year (the one nearest the word "berhenti"); else "sudah
    berhenti". None for a running one."""
    if not innovation.stopped:
        return None
    year = _stop_year(innovation.status_reason or "", anywhere=True) or _stop_year(innovation.description)
    return f"berhenti sejak {year}" if year else STOPPED


def _stop_year(text: str, anywhere: bool = False) -> str | None:
    """The year of stopping in ``text``: of a sentence with a stop word, the dated year nearest to it;
    ``anywhere``: the text is all about the stop (a status reason), so a dated year without a stop word counts."""
    for sentence in _SENTENCE.split(text):
        stops = [m.start() for m in _STOP_WORD.finditer(sentence)]
        if not stops and not anywhere:
            continue
        years = [(min((abs(m.start() - s) for s in stops), default=0), m.group(1)) for m in _WHEN.finditer(sentence)]
        if years:
            return min(years)[1]
    return None


def caution(gap_text: str, innovation: Innovation) -> str | None:
    """The caution line for this (gap, innovation) pair, or None when there is nothing to warn about."""
    lines = [line for line in (stopped_since(innovation),
                               NEEDS_SIGNAL if lacks_signal(gap_text) and online_only(innovation) else None) if line]
    return "; ".join(lines) or None
