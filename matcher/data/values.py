"""Raw field values (CSV text or JSON values) to typed values, or a reason a person can act on.

The same function handles "2019" from a CSV and 2019 from JSON, which is what makes the formats agree.
Every function raises ``BadValue`` with the reason; ``matcher.data.loaders`` attaches file, row and field.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from matcher.data.readers import json_type

_TRUE = frozenset({"true", "1", "ya", "yes"})
_FALSE = frozenset({"false", "0", "tidak", "no"})
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0+)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Removed from stored text: C0 controls but tab and newline, DEL, C1 controls, and bidi embeddings, overrides
# and isolates (they can reorder what a reader sees in the page, a report or a spreadsheet).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")
MAX_ID_CHARS = 100


class BadValue(ValueError):
    """A value that breaks the contract; the message is the reason, without file/row/field."""


def is_missing(value: Any) -> bool:
    """None and "" are missing; "   " is not (it is blank, which required fields report differently)."""
    return value is None or value == ""


def clean(value: str) -> str:
    """NFC text without control or bidi-override characters; line breaks become "\\n", tabs stay."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", value)


def text(value: Any) -> str:
    """Stripped, NFC-normalised text without control or bidi-override characters; "" when only whitespace."""
    if not isinstance(value, str):
        raise BadValue(f"wrong type: expected text, got {json_type(value)}")
    return clean(value).strip()


def identifier(value: Any) -> str:
    """An id: text or a whole number (JSON ids are often numbers), of letters, digits and ``-_.:`` only.

    Ids name files and URL path segments: no '/', no spaces or control characters, and not '.' or '..'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise BadValue(f"wrong type: expected text, got {json_type(value)}")
    result = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(result):
        raise BadValue("id contains a tab, line break or other control character")
    if len(result) > MAX_ID_CHARS:
        raise BadValue(f"id is {len(result)} characters long; the limit is {MAX_ID_CHARS}")
    if result and (not _ID.match(result) or result in (".", "..")):
        raise BadValue(f"id {result!r} may hold only letters, digits and '-', '_', '.', ':' (not '.' or '..' alone)")
    return result


def integer(value: Any, low: int, high: int) -> int:
    """A whole number within [low, high]; "2019" and 2019.0 are accepted, 2019.5 and true are not."""
    if isinstance(value, bool):
        raise BadValue(f"wrong type: expected a whole number, got {json_type(value)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        value = int(float(value.strip()))
    if not isinstance(value, int):
        shown = repr(value) if isinstance(value, str | float) else json_type(value)
        raise BadValue(f"expected a whole number, got {shown}")
    if not low <= value <= high:
        raise BadValue(f"{value} is outside {low}..{high}")
    return value


def flag(value: Any) -> bool:
    """A yes/no value: true/false, 1/0, ya/tidak, yes/no (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    shown = repr(value) if isinstance(value, str | int | float) else json_type(value)
    raise BadValue(f"expected true/false (also 1/0, ya/tidak, yes/no), got {shown}")


def choice(value: Any, choices: Sequence[str]) -> str:
    """One of ``choices``; case, spaces and hyphens are forgiven ("Uji Coba" -> "uji_coba")."""
    word = re.sub(r"[\s-]+", "_", text(value).casefold())
    if word in choices:
        return word
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise BadValue(f"{text(value)!r} is not one of: {', '.join(choices)}{hint}")


def metadata_value(value: Any) -> Any:
    """A kept extra value: strings stripped and NFC-normalised, also inside lists and objects."""
    if isinstance(value, str):
        return clean(value).strip()
    if isinstance(value, list):
        return [metadata_value(v) for v in value]
    if isinstance(value, dict):
        return {k: metadata_value(v) for k, v in value.items()}
    return value
