"""Reading record files (JSONL, CSV, TSV, XLSX) into rows numbered as a person sees them.

Row numbers point where someone fixing the file will look: the line of a JSONL file, the spreadsheet row
of a CSV/TSV/XLSX file (header is row 1, the first record row 2). Tabular cells come back as text, so a
CSV and the XLSX it was exported from give the same rows; JSONL values keep their JSON types. Nothing
here raises on bad input: problems are returned for the caller to report together with its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.errors import Problem

SUFFIXES: tuple[str, ...] = (".jsonl", ".csv", ".tsv", ".xlsx")


@dataclass(frozen=True)
class Row:
    """One record as read: ``values`` maps column (or JSON key) to the raw value; None or "" means missing."""

    number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Table:
    """What was read from one file: ``header`` is None for JSONL (each object has its own keys)."""

    source: str
    rows: list[Row]
    problems: list[Problem]
    header: list[str] | None = None


def read_table(path: str | Path, *, columns: Sequence[str] | None = None) -> Table:
    """Rows of a record file and the problems met reading it (an unreadable file gives no rows).

    ``columns`` names the columns of a tabular file that may come without a header: when its first row is
    not exactly these names, that row is data.
    """
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = " (a JSON array? write one object per line, as .jsonl)" if suffix == ".json" else ""
        reason = f"unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}{hint}"
        return Table(source, [], [Problem(source, None, None, reason)])
    if not path.is_file():
        return Table(source, [], [Problem(source, None, None, "file not found")])
    if suffix == ".xlsx":
        cells, problems = _xlsx_cells(path)
        return _table(source, cells, columns, problems)
    text, problem = _decode(path)
    if problem:
        return Table(source, [], [problem])
    if suffix == ".jsonl":
        return _jsonl(source, text)
    delimiter = "\t" if suffix == ".tsv" else _sniff_delimiter(text)
    try:
        cells = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as e:
        return Table(source, [], [Problem(source, None, None, f"unreadable {suffix[1:].upper()}: {e}")])
    return _table(source, cells, columns, [])


def _decode(path: Path) -> tuple[str, Problem | None]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        return "", Problem(str(path), None, None, f"cannot read the file: {e.strerror or e}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", Problem(str(path), None, None, "file is UTF-16; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return "", Problem(str(path), line, None,
                           f"not valid UTF-8 (byte 0x{raw[e.start]:02x} on line {line}); save the file as UTF-8")


def _sniff_delimiter(text: str) -> str:
    """Comma, unless the header uses semicolons (Excel's CSV in Indonesian locale)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, one at a time (a list of all of them would hold a second copy of the file).

    Splits on "\n" only: ``str.splitlines()`` also splits on U+2028, which JSON strings may hold unescaped.
    """
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def _jsonl(source: str, text: str) -> Table:
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(Problem(source, number, None, f"invalid JSON: {e.msg} (column {e.colno})"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(source, number, None,
                                    f"wrong JSON type: each line must be an object {{...}}, got {json_type(value)}"))
            continue
        rows.append(Row(number, value))
    return Table(source, rows, problems)


def json_type(value: Any) -> str:
    """How a JSON value's type reads in a message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def _xlsx_cells(path: Path) -> tuple[list[list[Any]], list[Problem]]:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        return [], [Problem(str(path), None, None, "reading .xlsx needs openpyxl: pip install openpyxl")]
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises zipfile, KeyError, InvalidFileException ... on a bad workbook
        return [], [Problem(str(path), None, None, f"not a readable .xlsx workbook ({type(e).__name__})")]
    try:
        sheet = workbook.worksheets[0]
        cells = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return cells, []


def _cell_text(value: Any) -> str | None:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _table(source: str, cells: list[list[Any]], columns: Sequence[str] | None, problems: list[Problem]) -> Table:
    """Rows of a grid whose first row is the header (or ``columns``, when given and the first row is data)."""
    if not cells:
        return Table(source, [], problems, [])
    header = [unicodedata.normalize("NFC", str(c)).strip() if c is not None else "" for c in cells[0]]
    first_data = 2
    if columns is not None and [h.casefold() for h in header if h] != [c.casefold() for c in columns]:
        header, first_data = list(columns), 1
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and name.casefold() in seen:
            problems.append(Problem(source, 1, name, f"column appears twice (columns {seen[name.casefold()] + 1} "
                                                     f"and {i + 1})"))
        seen.setdefault(name.casefold(), i)
    rows: list[Row] = []
    for number, values in enumerate(cells[first_data - 1:], start=first_data):
        if all(v is None or not str(v).strip() for v in values):
            continue
        record: dict[str, Any] = {}
        for i, value in enumerate(values):
            name = header[i] if i < len(header) else ""
            if not name:
                if value is not None and str(value).strip():
                    problems.append(Problem(source, number, None,
                                            f"value {str(value)[:40]!r} in column {i + 1}, which has no header"))
                continue
            if seen[name.casefold()] == i:
                record[name] = value
        rows.append(Row(number, record))
    return Table(source, rows, problems, [h for h in header if h])
