"""The batch's tables: recommendations.csv, alternates.csv, decisions.csv, changes.csv, opportunities.csv and
recommendations.xlsx.

One row per regency x rank, with codes and names, the innovation, its origin, the other members of its
near-duplicate group ("Juga di"), the mentors' decision on it, every score part, the gap it answers best and the words that matched. Text cells that a spreadsheet would run as a
formula get a leading apostrophe (``matcher.batch.files.safe_cell``); an innovation title is data from outside, not a
trusted cell.

Headers and labels are Indonesian (``HEADERS``, ``matcher.data.labels``): the files go to a selection meeting. The CSV
keeps raw values (every digit of a score) and by default is written as Excel in an Indonesian locale reads it,
``;`` between cells and a decimal comma; ``dialect="intl"`` writes ``,`` and ``.``. The XLSX, the primary file,
holds numbers as numbers with rounded display formats.
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
from matcher.data.labels import (
    CHANGE_LABELS,
    award_label,
    band_label,
    decision_label,
    sector_label,
    shortened,
    stage_label,
    when,
)
from matcher.errors import NotFoundError, Problem, ValidationError
from matcher.recommendations.opportunities import Opportunities
from matcher.recommendations.regency import PARTS, Recommendation

DECISION = ("status", "decision_note", "decision_who", "decision_at")
COLUMNS = (
    "province_code", "province_name", "region_code", "region_name", "rank", "uncapped_rank", *DECISION,
    "innovation_id", "innovation_title", "sector", "stage", "award", "origin_code", "origin_name",
    "institution", "also_in", "distance_km", "score", *PARTS, "gap_id", "gap_priority", "gap_score", "gap_text",
    "matched_terms", "evidence",
)
ALTERNATE_COLUMNS = ("province_code", "region_code", "region_name", "order", *DECISION, "innovation_id",
                     "innovation_title", "origin_name", "institution", "also_in", "score", "gap_id")
DECISION_COLUMNS = ("province_code", "region_code", "region_name", *DECISION, "innovation_id", "innovation_title",
                    "listed_rank")
OPPORTUNITY_COLUMNS = ("province_code", "province_name", "region_code", "region_name", "sector", "gap_id",
                       "gap_priority", "gap_excerpt", "best_innovation_id", "best_innovation_title", "best_band",
                       "gap_score")
GAP_EXCERPT_CHARS = 200
CHANGE_COLUMNS = ("province_code", "region_code", "region_name", "change", "innovation_id", "innovation_title",
                  "previous_rank", "rank")
# The header a person reads, for every column key above (keys stay the names code and tests use).
HEADERS: dict[str, str] = {
    "province_code": "Kode provinsi", "province_name": "Provinsi", "region_code": "Kode kabupaten/kota",
    "region_name": "Kabupaten/kota", "rank": "Peringkat", "uncapped_rank": "Peringkat tanpa batas kunjungan",
    "status": "Status keputusan", "decision_note": "Catatan keputusan", "decision_who": "Diputuskan oleh",
    "decision_at": "Waktu keputusan", "innovation_id": "ID inovasi", "innovation_title": "Judul inovasi",
    "sector": "Sektor", "stage": "Tahapan", "award": "Penghargaan", "origin_code": "Kode daerah asal",
    "origin_name": "Daerah asal", "institution": "Instansi asal", "also_in": "Juga di", "distance_km": "Jarak (km)", "score": "Skor",
    "relevance": "Skor relevansi", "maturity": "Skor kematangan", "recognition": "Skor penghargaan",
    "proximity": "Skor kedekatan", "similarity": "Skor kemiripan daerah", "peers": "Skor daerah serupa", "gap_id": "ID kesenjangan",
    "gap_priority": "Prioritas kesenjangan", "gap_score": "Skor kecocokan kesenjangan", "gap_text": "Kesenjangan",
    "matched_terms": "Kata yang cocok", "evidence": "Kalimat pendukung", "order": "Urutan cadangan",
    "listed_rank": "Peringkat di daftar", "change": "Perubahan", "previous_rank": "Peringkat sebelumnya",
    # replication progress (matcher.batch.progress)
    "progress_stage": "Tahap replikasi", "stage_date": "Tanggal tahap", "document": "Dokumen rencana aksi",
    "reason": "Alasan berhenti", "note": "Catatan", "who": "Oleh", "account": "Dicatat oleh akun",
    "recorded_at": "Waktu dicatat",
    "gap_excerpt": "Kesenjangan (ringkas)", "best_innovation_id": "ID kandidat terbaik",
    "best_innovation_title": "Kandidat terbaik", "best_band": "Kecocokan kandidat terbaik",
}
# XLSX display formats: rounded for people; the cell keeps the full value.
NUMBER_FORMATS: dict[str, str] = {"distance_km": "0", "score": "0.00", "gap_score": "0.00", "stage_date": "yyyy-mm-dd",
                                  **{p: "0.00" for p in PARTS}}
WRAPPED = {"innovation_title", "also_in", "gap_text", "matched_terms", "evidence", "institution", "decision_note", "note",
           "reason", "document"}
MAX_WIDTH = 60
DIALECTS = {"id": (";", ","), "intl": (",", ".")}  # CSV dialect -> (cell separator, decimal mark)
DECISION_SHEET = "Keputusan"  # no province sheet is named so: theirs start with the code
STATUS_FILLS = {"dipilih": "DAFBE1", "ditolak": "FFE2E0", "sudah direplikasi": "DDF4FF"}


def decision_cells(decision: dict[str, Any] | None) -> dict[str, Any]:
    """The status columns of one innovation: label, note, who (the person, else the account) and when."""
    if not decision:
        return {"status": None, "decision_note": None, "decision_who": None, "decision_at": None}
    return {"status": decision_label(decision["decision"]), "decision_note": decision.get("note") or None,
            "decision_who": decision.get("who") or decision.get("account") or None,
            "decision_at": when(decision.get("created_at")) or None}


def recommendation_row(result: RegionResult, rec: Recommendation) -> dict[str, Any]:
    """One CSV/XLSX row; the gap is the one the innovation answers best (``rec.gaps[0]``)."""
    region, inv = result.region, rec.innovation
    gap = rec.gaps[0] if rec.gaps else None
    return {
        "province_code": region.province_code, "province_name": region.province_name,
        "region_code": region.code, "region_name": region.name, "rank": rec.rank,
        "uncapped_rank": result.uncapped_rank.get(inv.id), **decision_cells(result.decision(inv.id)),
        "innovation_id": inv.id, "innovation_title": inv.title, "sector": sector_label(inv.sector),
        "stage": stage_label(inv.stage) if inv.stage else None, "award": award_label(inv.award) if inv.award else None,
        "origin_code": inv.region_code,
        "origin_name": rec.origin_name, "institution": inv.institution, "also_in": result.also.get(inv.id),
        "distance_km": rec.distance_km,
        "score": rec.score, **{p: rec.parts.get(p) for p in PARTS},
        "gap_id": gap.gap_id if gap else None, "gap_priority": gap.priority if gap else None,
        "gap_score": gap.score if gap else None, "gap_text": gap.gap_text if gap else None,
        "matched_terms": "; ".join(gap.shown_words) if gap else None,
        "evidence": gap.best_sentence if gap else None,
    }


def _csv_value(value: Any, decimal: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).replace(".", decimal)  # every digit: the CSV is the raw file
    return safe_cell(value)


def _csv_text(columns: Sequence[str], rows: Sequence[dict[str, Any]], dialect: str) -> str:
    delimiter, decimal = DIALECTS[dialect]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([HEADERS[c] for c in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(c), decimal) for c in columns])
    return buf.getvalue()


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]], dialect: str = "id") -> Path:
    """UTF-8 with a byte-order mark, so Excel shows Indonesian names and em dashes correctly; Indonesian
    headers; ``dialect`` "id" (``;``, decimal comma) or "intl" (``,``, ``.``)."""
    return atomic_write_text(path, "\ufeff" + _csv_text(columns, rows, dialect))


def recommendation_rows(results: Sequence[RegionResult]) -> list[dict[str, Any]]:
    return [recommendation_row(r, rec) for r in results for rec in r.recommendations]


def alternate_rows(results: Sequence[RegionResult]) -> list[dict[str, Any]]:
    return [
        {"province_code": r.region.province_code, "region_code": r.region.code, "region_name": r.region.name,
         "order": n, **decision_cells(r.decision(a.innovation.id)), "innovation_id": a.innovation.id,
         "innovation_title": a.innovation.title,
         "origin_name": a.origin_name, "institution": a.innovation.institution,
         "also_in": r.also.get(a.innovation.id), "score": a.score,
         "gap_id": a.gaps[0].gap_id if a.gaps else None}
        for r in results for n, a in enumerate(r.alternates, start=1)
    ]


def decision_rows(results: Sequence[RegionResult]) -> list[dict[str, Any]]:
    """Every current decision of the run's regencies, listed or not (a replicated innovation never is)."""
    rows = []
    for r in results:
        listed = {rec.innovation.id: rec.rank for rec in r.recommendations}
        for innovation_id, d in r.decisions.items():
            rows.append({"province_code": r.region.province_code, "region_code": r.region.code,
                         "region_name": r.region.name, **decision_cells(d), "innovation_id": innovation_id,
                         "innovation_title": d.get("title"), "listed_rank": listed.get(innovation_id)})
    return rows


def change_rows(results: Sequence[RegionResult]) -> list[dict[str, Any]]:
    return [
        {"province_code": r.region.province_code, "region_code": r.region.code, "region_name": r.region.name,
         "change": CHANGE_LABELS.get(c.kind, c.kind), "innovation_id": c.innovation_id, "innovation_title": c.title,
         "previous_rank": c.previous_rank, "rank": c.rank}
        for r in results for c in (r.changes or [])
    ]


def opportunity_rows(provinces: Sequence[Opportunities]) -> list[dict[str, Any]]:
    """opportunities.csv: one row per gap nothing answers well ("belum ada inovasi yang cocok"), with its best
    (weak) candidate when there is one, by province and regency code."""
    return [
        {"province_code": o.code, "province_name": o.name, "region_code": g.region.code,
         "region_name": g.region.name, "sector": sector_label(g.gap.sector), "gap_id": g.gap.id,
         "gap_priority": g.gap.priority, "gap_excerpt": shortened(g.gap.text, GAP_EXCERPT_CHARS)[0],
         "best_innovation_id": g.fit.innovation_id, "best_innovation_title": g.fit.innovation_title,
         "best_band": band_label(g.fit.band), "gap_score": g.fit.score}
        for o in provinces for g in o.open
    ]


def _sheet_title(code: str, name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", f"{code} {name}")[:31].strip()
    while title in used:  # cannot happen with distinct codes, but Excel refuses duplicates outright
        title = title[:28] + f"~{len(used)}"
    used.add(title)
    return title


def _fill_sheet(ws: Any, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """Indonesian header in bold, frozen, with filters; rounded number formats; widths fitted to the content."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([HEADERS[c] for c in columns])
    widths = [len(HEADERS[c]) for c in columns]
    for row in rows:
        values = [safe_cell(office_text(row.get(c))) for c in columns]  # drop, then neutralise
        ws.append(values)
        widths = [max(w, len(str(v)) if v is not None else 0) for w, v in zip(widths, values, strict=True)]
    status_column = columns.index("status") + 1 if "status" in columns else None
    for n, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(n)].width = min(width, MAX_WIDTH) + 2
        for (cell,) in ws.iter_rows(min_row=2, min_col=n, max_col=n):
            if column in WRAPPED:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column]
            if n == status_column and cell.value in STATUS_FILLS:
                cell.fill = PatternFill("solid", fgColor=STATUS_FILLS[cell.value])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"


Sheet = tuple[str, Sequence[str], Sequence[dict[str, Any]]]  # (title, column keys, rows)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX package of these sheets, each filled as every sheet of ours (``_fill_sheet``), with fixed stamps."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, columns, rows in sheets:
        _fill_sheet(wb.create_sheet(title), columns, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return stable_ooxml(buf.getvalue())


def write_xlsx(path: Path, results: Sequence[RegionResult], provinces: Sequence[tuple[str, str]],
               extra: Sequence[Sheet] = ()) -> Path:
    """One sheet per province (in the order given), then a "Keputusan" sheet when the mentors decided anything,
    then the ``extra`` sheets (the progress sheet of ``matcher batch --progress``)."""
    used: set[str] = set()
    rows = recommendation_rows(results)
    sheets: list[Sheet] = [(_sheet_title(code, name, used), COLUMNS, [r for r in rows if r["province_code"] == code])
                           for code, name in provinces]
    decided = decision_rows(results)
    if decided:
        sheets.append((DECISION_SHEET, DECISION_COLUMNS, decided))
    return atomic_write_bytes(path, workbook_bytes([*sheets, *extra]))


def read_previous(folder: Path) -> dict[str, list[PreviousRow]]:
    """region code -> its rows in an earlier run's recommendations.csv (what ``--previous`` compares with).

    Reads either dialect, with Indonesian headers or the English column names of runs before them."""
    path = Path(folder) / "recommendations.csv"
    if not path.is_file():
        raise NotFoundError(f"no recommendations.csv in {folder}: --previous needs the folder of an earlier batch")
    out: dict[str, list[PreviousRow]] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError([Problem(str(path), None, None, "not UTF-8 text")]) from None
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    header = next(reader, [])
    named = {h.strip().casefold(): n for n, h in enumerate(header)}
    where: dict[str, int] = {}
    for key in ("region_code", "rank", "innovation_id", "innovation_title"):
        found = named.get(HEADERS[key].casefold(), named.get(key))
        if found is None:
            raise ValidationError([Problem(str(path), 1, HEADERS[key], "column missing")])
        where[key] = found
    for n, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(where.values()):
            raise ValidationError([Problem(str(path), n, None, "row has fewer cells than the header")])
        try:
            rank = int(row[where["rank"]])
        except ValueError:
            raise ValidationError([Problem(str(path), n, HEADERS["rank"], "not a whole number")]) from None
        out.setdefault(unsafe_cell(row[where["region_code"]]), []).append(
            PreviousRow(rank, unsafe_cell(row[where["innovation_id"]]), unsafe_cell(row[where["innovation_title"]])))
    return out
