"""The batch's tables: recommendations.csv, alternates.csv, changes.csv and recommendations.xlsx.

One row per regency x rank, with codes and names, the innovation, its origin, every score part, the gap it
answers best and the words that matched. Text cells that a spreadsheet would run as a formula get a leading
apostrophe (``matcher.batch.files.safe_cell``); an innovation title is data from outside, not a trusted cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher.batch.files import (
    atomic_write_bytes,
    atomic_write_text,
    office_text,
    safe_cell,
    stable_ooxml,
    unsafe_cell,
)
from matcher.batch.results import PreviousRow, RegionResult
from matcher.errors import NotFoundError, Problem, ValidationError
from matcher.recommendations.regency import Recommendation

PARTS = ("relevance", "maturity", "recognition", "proximity", "similarity")
COLUMNS = (
    "province_code", "province_name", "region_code", "region_name", "rank", "uncapped_rank",
    "innovation_id", "innovation_title", "sector", "stage", "award", "origin_code", "origin_name",
    "institution", "distance_km", "score", *PARTS, "gap_id", "gap_priority", "gap_score", "gap_text",
    "matched_terms", "evidence",
)
ALTERNATE_COLUMNS = ("province_code", "region_code", "region_name", "order", "innovation_id", "innovation_title",
                     "origin_name", "institution", "score", "gap_id")
CHANGE_COLUMNS = ("province_code", "region_code", "region_name", "change", "innovation_id", "innovation_title",
                  "previous_rank", "rank")
WRAPPED = {"innovation_title", "gap_text", "matched_terms", "evidence", "institution"}
MAX_WIDTH = 60


def recommendation_row(result: RegionResult, rec: Recommendation) -> dict[str, Any]:
    """One CSV/XLSX row; the gap is the one the innovation answers best (``rec.gaps[0]``)."""
    region, inv = result.region, rec.innovation
    gap = rec.gaps[0] if rec.gaps else None
    return {
        "province_code": region.province_code, "province_name": region.province_name,
        "region_code": region.code, "region_name": region.name, "rank": rec.rank,
        "uncapped_rank": result.uncapped_rank.get(inv.id), "innovation_id": inv.id, "innovation_title": inv.title,
        "sector": inv.sector, "stage": inv.stage, "award": inv.award, "origin_code": inv.region_code,
        "origin_name": rec.origin_name, "institution": inv.institution, "distance_km": rec.distance_km,
        "score": rec.score, **{p: rec.parts.get(p) for p in PARTS},
        "gap_id": gap.gap_id if gap else None, "gap_priority": gap.priority if gap else None,
        "gap_score": gap.score if gap else None, "gap_text": gap.gap_text if gap else None,
        "matched_terms": "; ".join(gap.shown_words) if gap else None,
        "evidence": gap.best_sentence if gap else None,
    }


def _csv_text(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else safe_cell(row.get(c)) for c in columns})
    return buf.getvalue()


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> Path:
    """UTF-8 with a byte-order mark, so Excel shows Indonesian names and em dashes correctly."""
    return atomic_write_text(path, "\ufeff" + _csv_text(columns, rows))


def recommendation_rows(results: Sequence[RegionResult]) -> list[dict[str, Any]]:
    return [recommendation_row(r, rec) for r in results for rec in r.recommendations]


def alternate_rows(results: Sequence[RegionResult]) -> list[dict[str, Any]]:
    return [
        {"province_code": r.region.province_code, "region_code": r.region.code, "region_name": r.region.name,
         "order": n, "innovation_id": a.innovation.id, "innovation_title": a.innovation.title,
         "origin_name": a.origin_name, "institution": a.innovation.institution, "score": a.score,
         "gap_id": a.gaps[0].gap_id if a.gaps else None}
        for r in results for n, a in enumerate(r.alternates, start=1)
    ]


def change_rows(results: Sequence[RegionResult]) -> list[dict[str, Any]]:
    return [
        {"province_code": r.region.province_code, "region_code": r.region.code, "region_name": r.region.name,
         "change": c.kind, "innovation_id": c.innovation_id, "innovation_title": c.title,
         "previous_rank": c.previous_rank, "rank": c.rank}
        for r in results for c in (r.changes or [])
    ]


def _sheet_title(code: str, name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", f"{code} {name}")[:31].strip()
    while title in used:  # cannot happen with distinct codes, but Excel refuses duplicates outright
        title = title[:28] + f"~{len(used)}"
    used.add(title)
    return title


def write_xlsx(path: Path, results: Sequence[RegionResult], provinces: Sequence[tuple[str, str]]) -> Path:
    """One sheet per province (in the order given), bold frozen header, filters, widths fitted to the content."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    rows = recommendation_rows(results)
    for code, name in provinces:
        ws = wb.create_sheet(_sheet_title(code, name, used))
        ws.append(list(COLUMNS))
        widths = [len(c) for c in COLUMNS]
        for row in (r for r in rows if r["province_code"] == code):
            values = [safe_cell(office_text(row[c])) for c in COLUMNS]  # drop, then neutralise
            ws.append(values)
            widths = [max(w, len(str(v)) if v is not None else 0) for w, v in zip(widths, values, strict=True)]
        for n, (column, width) in enumerate(zip(COLUMNS, widths, strict=True), start=1):
            ws.column_dimensions[get_column_letter(n)].width = min(width, MAX_WIDTH) + 2
            if column in WRAPPED:
                for (cell,) in ws.iter_rows(min_row=2, min_col=n, max_col=n):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(ws.max_row, 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return atomic_write_bytes(path, stable_ooxml(buf.getvalue()))


def read_previous(folder: Path) -> dict[str, list[PreviousRow]]:
    """region code -> its rows in an earlier run's recommendations.csv (what ``--previous`` compares with)."""
    path = Path(folder) / "recommendations.csv"
    if not path.is_file():
        raise NotFoundError(f"no recommendations.csv in {folder}: --previous needs the folder of an earlier batch")
    out: dict[str, list[PreviousRow]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"region_code", "rank", "innovation_id", "innovation_title"} - set(reader.fieldnames or ())
        if missing:
            raise ValidationError([Problem(str(path), None, sorted(missing)[0], "column missing")])
        for n, row in enumerate(reader, start=2):
            try:
                rank = int(row["rank"])
            except ValueError:
                raise ValidationError([Problem(str(path), n, "rank", "not a whole number")]) from None
            out.setdefault(unsafe_cell(row["region_code"]), []).append(
                PreviousRow(rank, unsafe_cell(row["innovation_id"]), unsafe_cell(row["innovation_title"])))
    return out
