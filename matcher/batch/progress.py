"""Replication progress as a spreadsheet: ``matcher progress export|import`` and the batch's progress sheet.

One row per recorded step, oldest first, with Indonesian headers (``matcher.batch.tables.HEADERS``). A province
that tracked its progress in a spreadsheet brings the history in with ``import_progress``:

- every row is checked first: the file, row and column of each problem are named (region code and innovation
  id known, stage valid, dates parse, the document of a ``rencana_aksi`` and the reason of a ``berhenti`` given,
  and each transition valid against the stored history and the earlier rows of the file);
- then every new row is written in one transaction; on any problem nothing is written;
- a row whose region, innovation, stage and date match a step already recorded (stored, or an earlier row of
  the file) is skipped, so importing the same file again adds nothing.

Dates are ``YYYY-MM-DD``, a spreadsheet date cell, or day first (``01/02/2024``, ``1-2-2024``) as Indonesian
spreadsheets write them. Stages are codes (``studi_tiru``) or their labels (``Studi tiru``). The columns
``region_name``, ``innovation_title``, ``account`` and ``recorded_at`` are for people and are not read back:
imported steps are recorded by the account ``import`` at the time of the import.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.batch.files import atomic_write_bytes, unsafe_cell
from matcher.batch.tables import HEADERS, workbook_bytes, write_csv
from matcher.data.labels import REPLICATION_STAGE_LABELS, when
from matcher.data.readers import read_table
from matcher.data.values import BadValue, choice, identifier, text
from matcher.errors import ConfigError, NotFoundError, Problem, ValidationError
from matcher.store.replications import MAX_TEXT, STAGES, ReplicationStep

if TYPE_CHECKING:
    from matcher.facade import Matcher

PROGRESS_COLUMNS = ("region_code", "region_name", "innovation_id", "innovation_title", "progress_stage",
                    "stage_date", "document", "reason", "note", "who", "account", "recorded_at")
REQUIRED = ("region_code", "innovation_id", "progress_stage")
PROGRESS_SHEET = "Progres replikasi"
IMPORT_ACCOUNT = "import"
# Headers read as a column besides its Indonesian header and its key: what spreadsheets kept by hand say.
ALIASES = {"kode wilayah": "region_code", "kode daerah": "region_code", "kode": "region_code",
           "tahap": "progress_stage", "stage": "progress_stage", "tahapan replikasi": "progress_stage",
           "tanggal": "stage_date", "date": "stage_date", "dokumen": "document", "alasan": "reason",
           "catatan": "note"}
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


@dataclass(frozen=True)
class ProgressImport:
    """What an import did: steps written, rows skipped as already recorded, and the file."""

    path: Path
    written: int
    skipped: int


def progress_rows(matcher: Matcher, region_codes: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every recorded step (of these regencies, or of all), oldest first, as rows of ``PROGRESS_COLUMNS``."""
    catalog = matcher.catalog
    wanted = None if region_codes is None else set(region_codes)
    rows = []
    for s in matcher.replications.history():
        if wanted is not None and s.region_code not in wanted:
            continue
        at = catalog.by_id.get(s.innovation_id)
        region = matcher.regions.get(s.region_code) if s.region_code in matcher.regions else None
        rows.append({"province_code": s.region_code.split(".")[0], "region_code": s.region_code,
                     "region_name": region.name if region else None, "innovation_id": s.innovation_id,
                     "innovation_title": catalog.innovations[at].title if at is not None else None,
                     "progress_stage": REPLICATION_STAGE_LABELS[s.stage],
                     "stage_date": dt.date.fromisoformat(s.date) if s.date else None,
                     "document": s.document or None, "reason": s.reason or None, "note": s.note or None,
                     "who": s.who or None, "account": s.account or None, "recorded_at": when(s.recorded_at)})
    return rows


def export_progress(matcher: Matcher, path: Path, dialect: str = "id") -> int:
    """Write every recorded step to ``path`` (.csv or .xlsx), atomically; returns the number of rows."""
    path = Path(path)
    rows = progress_rows(matcher)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(path, PROGRESS_COLUMNS, rows, dialect)
    elif suffix == ".xlsx":
        atomic_write_bytes(path, workbook_bytes([(PROGRESS_SHEET, PROGRESS_COLUMNS, rows)]))
    else:
        raise ConfigError(f"{path} must end in .csv or .xlsx")
    return len(rows)


def _day(value: Any) -> str | None:
    """A stage date as ISO text; BadValue with the reason otherwise."""
    if value is None or not str(value).strip():
        return None
    raw = str(value).strip()
    found = _DAY_FIRST.match(raw)
    try:
        if found:
            day, month, year = (int(g) for g in found.groups())
            return dt.date(year, month, day).isoformat()
        return dt.date.fromisoformat(raw[:10] if re.match(r"^\d{4}-\d\d-\d\dT", raw) else raw).isoformat()
    except ValueError:
        raise BadValue(f"{raw!r} is not a date: write YYYY-MM-DD (2024-02-01) or DD/MM/YYYY (01/02/2024)") from None


def _columns(header: Sequence[str]) -> dict[str, str]:
    """Column key -> the header as written in the file."""
    names = {HEADERS[k].casefold(): k for k in PROGRESS_COLUMNS} | {k: k for k in PROGRESS_COLUMNS} | ALIASES
    found: dict[str, str] = {}
    for h in header:
        key = names.get(h.strip().casefold())
        if key is not None:
            found.setdefault(key, h)
    return found


def _free_text(value: Any) -> str:
    out = "" if value is None else unsafe_cell(text(str(value)))  # our exports neutralise formula-like cells
    if len(out) > MAX_TEXT:
        raise BadValue(f"{len(out)} characters; the limit is {MAX_TEXT}")
    return out


def read_progress(matcher: Matcher, path: Path
                  ) -> tuple[list[tuple[int, ReplicationStep]], list[Problem], dict[str, str]]:
    """The good steps of a progress file with their row numbers, the problems of the other rows, and the file's
    header of each column read. ValidationError when the file itself cannot be read or lacks a column."""
    table = read_table(path)
    source = table.source
    problems = list(table.problems)
    columns = _columns(table.header or [])
    for key in REQUIRED:
        if key not in columns and not problems:
            problems.append(Problem(source, 1, HEADERS[key], "column missing"))
    if problems:
        raise ValidationError(problems)
    known = matcher.catalog.by_id
    now = time.time()
    steps = []
    for row in table.rows:
        values: dict[str, Any] = {}
        bad = False
        for key, header in columns.items():
            raw = row.values.get(header)
            try:
                if key == "region_code":
                    values[key] = matcher.regions.get(text(raw or "")).code if (raw or "").strip() else ""
                elif key == "innovation_id":
                    values[key] = identifier(raw or "")
                    if values[key] and values[key] not in known:
                        raise BadValue(f"innovation {values[key]!r} is not in the catalogue")
                elif key == "progress_stage":
                    values[key] = choice(raw, STAGES) if raw else ""  # "Studi tiru" reads as studi_tiru
                elif key == "stage_date":
                    values[key] = _day(raw)
                elif key in ("document", "reason", "note", "who"):
                    values[key] = _free_text(raw)
            except (BadValue, ValueError, NotFoundError) as exc:
                problems.append(Problem(source, row.number, header, str(exc)))
                bad = True
        for key in REQUIRED:
            if not bad and not values.get(key):
                problems.append(Problem(source, row.number, columns[key], "required; the cell is empty"))
                bad = True
        if bad:
            continue
        steps.append((row.number, ReplicationStep(
            values["region_code"], values["innovation_id"], values["progress_stage"], values.get("stage_date"),
            values.get("document", ""), values.get("reason", ""), values.get("note", ""),
            values.get("who") or IMPORT_ACCOUNT, IMPORT_ACCOUNT, now)))
    return steps, problems, columns


def _header(field: str, columns: dict[str, str]) -> str:
    """The file's header for a step field ('date' -> 'Tanggal tahap', or as the file wrote it)."""
    key = {"stage": "progress_stage", "date": "stage_date"}.get(field, field)
    return columns.get(key) or HEADERS.get(key, field)


def import_progress(matcher: Matcher, path: Path) -> ProgressImport:
    """Check every row of a progress file, then append the new steps in one transaction (or nothing)."""
    path = Path(path)
    steps, problems, columns = read_progress(matcher, path)
    names = {f: _header(f, columns) for f in ("stage", "date", "document", "reason", "note")}
    written, skipped = matcher.replications.append_checked(steps, str(path), problems, names)
    return ProgressImport(path, len(written), skipped)
