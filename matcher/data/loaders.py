"""Loading and validating record files: every problem of a file in one pass, and nothing if any is found.

A person fixing a 2,000-row spreadsheet wants the whole list at once, each problem with file, row and
field (``matcher.errors.Problem``); a rejected file returns no records, so callers never store half a file.
The same rules check single records arriving through the API (``parse_innovation``, ``parse_gap``).
Files headed the way real exports are (``Nama Inovasi``, ``Kabupaten/Kota``, ``Urusan``, no id) are read through
``matcher.headers``; ``matcher.urusan`` reads urusan names, award and priority words onto our vocabularies.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from matcher.config import Settings, get_settings
from matcher.data.headers import ColumnNotes, column_map, derived_id
from matcher.data.readers import Row, json_type, read_table
from matcher.data.records import (
    AWARDS,
    DEFAULT_PRIORITY,
    MAX_TITLE_CHARS,
    RELEVANCE_RANGE,
    SECTORS,
    SPLITS,
    STAGES,
    STATUS_WORDS,
    STATUSES,
    YEAR_RANGE,
    Gap,
    Innovation,
    Judgment,
)
from matcher.data.regions import Regions
from matcher.data.urusan import award_value, priority_value, sector_value
from matcher.data.values import BadValue, choice, flag, identifier, integer, is_missing, metadata_value, text
from matcher.errors import AmbiguousError, NotFoundError, Problem, ValidationError

__all__ = [
    "AWARDS", "SECTORS", "SPLITS", "STAGES", "Gap", "Innovation", "Judgment",
    "load_gaps", "load_innovations", "load_qrels", "load_split", "parse_gap", "parse_innovation",
]

T = TypeVar("T")
_INNOVATION = ("id", "title", "description", "region_code", "institution", "sector", "year", "stage", "digital",
               "award", "status", "status_reason")
_GAP = ("id", "region_code", "text", "sector", "priority")
_JUDGMENT = ("gap_id", "innovation_id", "relevance")
_SPLIT = ("gap_id", "split")
_REQUIRED = {_INNOVATION: ("id", "title", "description"), _GAP: ("id", "region_code", "text"),
             _JUDGMENT: _JUDGMENT, _SPLIT: _SPLIT}


def _canonical(key: str) -> str:
    """Field names match whatever the case and separators: 'Region Code' is region_code."""
    return "_".join(key.strip().casefold().replace("-", " ").split())


class _Fields:
    """The fields of one raw record, read one by one; every problem goes to the shared list, none stops the read."""

    def __init__(self, raw: dict[str, Any], known: Sequence[str], source: str, row: int | None,
                 problems: list[Problem], absent: frozenset[str] = frozenset(),
                 columns: Mapping[str, str] | None = None, derive_id: bool = False):
        self.source, self.row, self.problems, self.absent = source, row, problems, absent
        self.columns = columns or {}  # field -> the column it was read from, when named otherwise
        self.derive_id = derive_id  # no id column: the record's id comes from its title (or text) and region
        self.count = len(problems)
        self.values: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}
        for key, value in raw.items():
            name = _canonical(key)
            if name in known:
                if name in self.values:
                    self.problem(name, "field given twice")
                self.values[name] = value
            elif name == "metadata" and isinstance(value, dict):  # a record written by to_dict()
                for k, v in value.items():
                    if not is_missing(v):
                        self.extra.setdefault(unicodedata.normalize("NFC", k.strip()), v)
            elif not key.strip():
                if not is_missing(value):
                    self.problem(None, "value under an empty field name")
            elif not is_missing(value):
                self.extra[unicodedata.normalize("NFC", key.strip())] = value

    @property
    def ok(self) -> bool:
        return len(self.problems) == self.count

    def problem(self, field: str | None, reason: str) -> None:
        if field is not None and field in self.columns:  # name the column the person sees: "Tahun (year)"
            field = f"{self.columns[field]} ({field})"
        self.problems.append(Problem(self.source, self.row, field, reason))

    def derived(self, kind: str, main: str | None, region: str | None) -> str | None:
        """The id: as written, or derived when the file has no id column (kept in ``values`` for duplicates)."""
        if not self.derive_id:
            return self.get("id", identifier, required=True)
        if main is None:
            return None
        self.values["id"] = derived_id(kind, main, region)
        return str(self.values["id"])

    def get(self, name: str, convert: Callable[..., Any], *args: Any, required: bool = False,
            default: Any = None, limit: int | None = None) -> Any:
        """The converted value, or ``default`` when missing or wrong (the problem is recorded)."""
        value = self.values.get(name)
        if is_missing(value) or (isinstance(value, str) and not value.strip()):
            if required and name not in self.absent:
                self.problem(name, "missing required field" if is_missing(value) else "empty (only whitespace)")
            return default
        try:
            result = convert(value, *args)
        except BadValue as e:
            self.problem(name, str(e))
            return default
        if limit is not None and len(result) > limit:
            self.problem(name, f"too long: {len(result)} characters, the limit is {limit}")
            return default
        return result

    def metadata(self) -> dict[str, Any]:
        kept = {k: metadata_value(v) for k, v in self.extra.items()}
        return {k: v for k, v in kept.items() if v != ""}


def _region(regions: Regions, provinces: bool) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        written = text(value)
        if regions.is_valid_code(written) and (provinces or "." in written):
            return written
        try:
            return regions.resolve_code(written, provinces=provinces)
        except (NotFoundError, AmbiguousError) as e:
            raise BadValue(str(e)) from None
    return convert


def _innovation(f: _Fields, regions: Regions, limit: int) -> Innovation | None:
    title = f.get("title", text, required=True, limit=MAX_TITLE_CHARS)
    region_code = f.get("region_code", _region(regions, provinces=True))
    values = dict(
        id=f.derived("innovations", title, region_code),
        title=title,
        description=f.get("description", text, required=True, limit=limit),
        region_code=region_code,
        institution=f.get("institution", text, limit=MAX_TITLE_CHARS),
        sector=f.get("sector", sector_value),
        year=f.get("year", integer, *YEAR_RANGE),
        stage=f.get("stage", choice, STAGES),
        digital=f.get("digital", flag),
        award=f.get("award", award_value),
        status=f.get("status", _status, default="aktif"),
        status_reason=f.get("status_reason", text, limit=MAX_TITLE_CHARS),
    )
    return Innovation(**values, metadata=f.metadata()) if f.ok else None


def _status(value: Any) -> str:
    """``aktif`` or ``berhenti``, from the words sources use ("berjalan", "dihentikan", "tidak aktif" ...)."""
    word = " ".join(text(value).casefold().replace("_", " ").replace("-", " ").split())
    return STATUS_WORDS.get(word) or choice(word, STATUSES)


def _gap(f: _Fields, regions: Regions, limit: int) -> Gap | None:
    region_code = f.get("region_code", _region(regions, provinces=False), required=True)
    statement = f.get("text", text, required=True, limit=limit)
    values = dict(
        id=f.derived("gaps", statement, region_code),
        region_code=region_code,
        text=statement,
        sector=f.get("sector", sector_value),
        priority=f.get("priority", priority_value, default=DEFAULT_PRIORITY),
    )
    return Gap(**values, metadata=f.metadata()) if f.ok else None


def _judgment(f: _Fields) -> Judgment | None:
    values = dict(
        gap_id=f.get("gap_id", identifier, required=True),
        innovation_id=f.get("innovation_id", identifier, required=True),
        relevance=f.get("relevance", integer, *RELEVANCE_RANGE, required=True),
    )
    return Judgment(**values) if f.ok else None


def _split(f: _Fields) -> tuple[str, str] | None:
    gap_id = f.get("gap_id", identifier, required=True)
    split = f.get("split", choice, SPLITS, required=True)
    return (gap_id, split) if f.ok else None


def _key(values: dict[str, Any], names: Sequence[str]) -> tuple[str, ...] | None:
    """The record's identity as written, for duplicate checks even when the record itself is invalid."""
    parts = [values.get(n) for n in names]
    if any(not isinstance(p, str | int) or isinstance(p, bool) or not str(p).strip() for p in parts):
        return None
    return tuple(unicodedata.normalize("NFC", str(p)).strip() for p in parts)


def _mapped(rows: list[Row], header: list[str] | None, kind: str, explicit: Mapping[str, str] | None,
            notes: ColumnNotes) -> list[str] | None:
    """Rename the columns of ``rows`` in place to the fields they hold (``matcher.headers``); the new header."""
    names = header if header is not None else list(dict.fromkeys(k for r in rows for k in r.values))
    found = column_map(names, kind, explicit)
    notes.mapping, notes.unused, notes.kept = found.mapping, found.unused, found.kept
    renames = {c: f for c, f in found.mapping.items() if c != f}
    if renames:
        for row in rows:
            for column in [c for c in row.values if c in renames]:
                row.values[renames[column]] = row.values.pop(column)
    return None if header is None else [found.mapping.get(h, h) for h in header]


def _load(path: str | Path, known: tuple[str, ...], build: Callable[[_Fields], T | None],
          key: Sequence[str], columns: Sequence[str] | None = None, *, kind: str | None = None,
          explicit: Mapping[str, str] | None = None, notes: ColumnNotes | None = None) -> list[T]:
    """Read ``path``, build each row, check ``key`` is unique; raise ValidationError listing every problem.

    With ``kind`` ("innovations"/"gaps") the columns are first read onto fields by their headers (``explicit``
    first); what was done is written into ``notes``. Without an id column, ids are derived (and a warning noted).
    """
    table = read_table(path, columns=columns)
    problems = list(table.problems)
    absent: frozenset[str] = frozenset()
    notes = notes if notes is not None else ColumnNotes()
    notes.source = table.source
    header_names = table.header
    shown: dict[str, str] = {}
    derive = False
    if kind is not None and table.rows:
        header_names = _mapped(table.rows, table.header, kind, explicit, notes)
        shown = {f: c for c, f in notes.mapping.items() if _canonical(c) != f}
        present = {_canonical(h) for h in (header_names if header_names is not None else
                                           [k for r in table.rows for k in r.values])}
        if "id" not in present:
            derive = notes.derived_ids = True
            basis = "title" if kind == "innovations" else "text"
            notes.warnings.append(f"{table.source}: no id column, so each id is derived from the {basis} and the "
                                  "region; the same row exported again keeps its id")
    if header_names is not None and table.rows:
        header = {_canonical(h) for h in header_names}
        absent = frozenset(n for n in _REQUIRED[known] if n not in header and not (derive and n == "id"))
        problems += [Problem(table.source, 1, shown.get(n, n), "required column missing from the header")
                     for n in sorted(absent)]
    if not table.rows and not problems:
        problems.append(Problem(table.source, None, None, "no records in file"))
    records: list[T] = []
    first_row: dict[tuple[str, ...], int] = {}
    pending = table.rows[::-1]
    table.rows.clear()
    while pending:  # each raw row is dropped once built: 100k raw rows held to the end doubled the peak
        row = pending.pop()
        fields = _Fields(row.values, known, table.source, row.number, problems, absent, shown, derive)
        record = build(fields)
        ident = _key(fields.values, key)
        if ident is not None and ident in first_row:
            written = " / ".join(ident)
            why = " (derived from the same title or text and region: the same record twice?)" if derive else ""
            fields.problem(key[0] if len(key) == 1 else None,
                           f"duplicate {' + '.join(key)} {written!r} (first at row {first_row[ident]}){why}")
        elif ident is not None:
            first_row[ident] = row.number
        if record is not None:
            records.append(record)
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: p.row or 0))
    return records


def _limit(settings: Settings | None) -> int:
    return (settings or get_settings()).max_text_chars


def load_innovations(path: str | Path, regions: Regions, settings: Settings | None = None, *,
                     columns: Mapping[str, str] | None = None, notes: ColumnNotes | None = None) -> list[Innovation]:
    """Innovations of a .jsonl/.csv/.tsv/.xlsx file, in file order; ValidationError lists every problem.

    ``columns`` maps a column as written to a field ('Kolom Saya' -> 'title'), before the Indonesian headers
    are recognised; ``notes`` receives the mapping used and any warning (derived ids)."""
    limit = _limit(settings)
    return _load(path, _INNOVATION, lambda f: _innovation(f, regions, limit), ("id",), kind="innovations",
                 explicit=columns, notes=notes)


def load_gaps(path: str | Path, regions: Regions, settings: Settings | None = None, *,
              columns: Mapping[str, str] | None = None, notes: ColumnNotes | None = None) -> list[Gap]:
    """Gaps of a .jsonl/.csv/.tsv/.xlsx file, in file order; each must name one kabupaten/kota.
    ``columns`` and ``notes`` as in ``load_innovations``."""
    limit = _limit(settings)
    return _load(path, _GAP, lambda f: _gap(f, regions, limit), ("id",), kind="gaps", explicit=columns,
                 notes=notes)


def load_qrels(path: str | Path) -> list[Judgment]:
    """Relevance judgments (header gap_id, innovation_id, relevance), one per gap/innovation pair."""
    return _load(path, _JUDGMENT, _judgment, ("gap_id", "innovation_id"))


def load_split(path: str | Path) -> dict[str, str]:
    """gap_id -> "dev" | "test" from a gap_id<TAB>split file (the header row is optional)."""
    return dict(_load(path, _SPLIT, _split, ("gap_id",), columns=_SPLIT))


def _parse_one(data: Any, known: tuple[str, ...], build: Callable[[_Fields], T | None], source: str,
               row: int | None) -> T:
    if not isinstance(data, dict):
        raise ValidationError([Problem(source, row, None, f"wrong JSON type: expected an object, got {json_type(data)}")])
    problems: list[Problem] = []
    record = build(_Fields(data, known, source, row, problems))
    if record is None:
        raise ValidationError(problems)
    return record


def parse_innovation(data: dict[str, Any], regions: Regions, source: str = "<request>", row: int | None = None,
                     settings: Settings | None = None) -> Innovation:
    """One innovation from an API body, under the rules of ``load_innovations``."""
    limit = _limit(settings)
    return _parse_one(data, _INNOVATION, lambda f: _innovation(f, regions, limit), source, row)


def parse_gap(data: dict[str, Any], regions: Regions, source: str = "<request>", row: int | None = None,
              settings: Settings | None = None) -> Gap:
    """One gap from an API body, under the rules of ``load_gaps``."""
    limit = _limit(settings)
    return _parse_one(data, _GAP, lambda f: _gap(f, regions, limit), source, row)
