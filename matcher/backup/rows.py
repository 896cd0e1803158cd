"""The rows of an export's JSONL files, each field passed through a check: the checks, and the reader that
collects every problem (file, row, field) instead of stopping at the first."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matcher.data.readers import json_type, read_table
from matcher.data.regions import Regions
from matcher.data.values import BadValue, identifier
from matcher.errors import Problem
from matcher.store.replications import as_date

Check = Callable[[Any], Any]


def read_rows(path: Path, names: tuple[str, ...], checks: dict[str, Check], problems: list[Problem],
              unique: tuple[str, ...] = ()) -> list[tuple[int, dict[str, Any]]]:
    """(row number, record) of every good row of a JSONL file with the fields ``names``, each value passed
    through ``checks[name]``; the problems of the other rows are added to ``problems``."""
    table = read_table(path)
    problems += table.problems
    out, seen = [], {u: dict[Any, int]() for u in unique}
    for row in table.rows:
        record, ok = {}, True
        for name in names:
            try:
                if name not in row.values:
                    raise BadValue("missing required field")
                record[name] = checks[name](row.values[name])
            except BadValue as e:
                problems.append(Problem(table.source, row.number, name, str(e)))
                ok = False
        for u in unique:
            if ok and record[u] in seen[u]:
                problems.append(Problem(table.source, row.number, u, f"duplicate {u} {record[u]!r} "
                                                                     f"(first at row {seen[u][record[u]]})"))
                ok = False
            elif ok:
                seen[u][record[u]] = row.number
        if ok:
            out.append((row.number, record))
    return out


def seconds(value: Any) -> float:
    """A time as Unix seconds (a finite number)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadValue(f"expected a number (Unix seconds), got {json_type(value)}")
    return float(value)


def counter(value: Any) -> int:
    """A positive whole number (a ``seq``)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadValue(f"expected a whole number from 1, got {value!r}")
    return value


def string(value: Any) -> str:
    if not isinstance(value, str):
        raise BadValue(f"wrong type: expected text, got {json_type(value)}")
    return value


def text_up_to(limit: int) -> Check:
    """Text of at most ``limit`` characters."""
    def check(value: Any) -> str:
        if len(string(value)) > limit:
            raise BadValue(f"{len(value)} characters; the limit is {limit}")
        return str(value)
    return check


def day_or_none(value: Any) -> str | None:
    """A date written ``YYYY-MM-DD``, or null."""
    if value is None:
        return None
    try:
        if isinstance(value, str) and as_date(value) == value:
            return value
    except ValueError:
        pass
    raise BadValue(f"not a date (YYYY-MM-DD) or null: {value!r}")


def an_id(value: Any) -> str:
    result = identifier(value)
    if not result:
        raise BadValue("empty id")
    return result


def one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> str:
        if value not in choices:
            raise BadValue(f"{value!r} is not one of: {', '.join(choices)}")
        return str(value)
    return check


def matching(pattern: re.Pattern[str], what: str) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            raise BadValue(f"not {what}: {value!r}")
        return value
    return check


def regency(regions: Regions) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or "." not in value or not regions.is_valid_code(value):
            raise BadValue(f"not a kabupaten/kota code: {value!r}")
        return value
    return check
