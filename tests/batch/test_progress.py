"""Replication progress as spreadsheets: export and import (CSV and XLSX) with every row checked first and
nothing written on any error, re-imports that add nothing, the CLI's exit codes, and the batch's progress
sheet and report section. The store is the batch store of conftest.py (Gorontalo, 75, has gaps)."""

from __future__ import annotations

import csv
import shutil

import pytest
from helpers.batch import GORONTALO, K, parse_html, read_csv
from helpers.cli import run
from openpyxl import Workbook, load_workbook

from matcher.batch.progress import PROGRESS_SHEET, export_progress, import_progress
from matcher.batch.run import run_batch
from matcher.batch.tables import HEADERS
from matcher.config import Settings
from matcher.errors import ValidationError
from matcher.facade import Matcher

HEADER = ["Kode kabupaten/kota", "ID inovasi", "Tahap replikasi", "Tanggal tahap", "Dokumen rencana aksi",
          "Alasan berhenti", "Catatan", "Oleh"]


def history(m) -> list[tuple]:
    return [(s.region_code, s.innovation_id, s.stage, s.date, s.document, s.reason, s.note, s.who)
            for s in m.replications.history()]


def write_rows(path, rows, header=HEADER) -> None:
    if path.suffix == ".xlsx":
        wb = Workbook()
        wb.active.append(header)
        for row in rows:
            wb.active.append(row)
        wb.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([header, *rows])


@pytest.fixture
def recorded(batch_matcher):
    """Three pairs with a history: forward with a skipped stage, a step back with a note, and a drop."""
    log = batch_matcher.replications
    log.record("75.01", "M1", "dipilih", "2024-01-10", note="rapat hub", who="Siti", account="siti")
    log.record("75.01", "M1", "studi_tiru", "2024-02-01")
    log.record("75.01", "M1", "rencana_aksi", "2024-03-01", document="https://contoh.go.id/ra-m1.pdf")
    log.record("75.01", "M1", "studi_tiru", "2024-03-05", note="studi tiru ulang; OPD berganti")
    log.record("75.02", "M4", "diterapkan", "2024-05-01", note="=SUM(A1) bukan rumus")
    log.record("75.02", "M4", "berhenti", "2025-05-01", reason="operator pindah tugas")
    return batch_matcher


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_restores_the_history_and_a_second_import_adds_nothing(recorded, tmp_path, suffix,
                                                                                 _batch_home, e5_encoder, regions):
    path = tmp_path / f"progres{suffix}"
    assert export_progress(recorded, path) == 6
    shutil.copytree(_batch_home, tmp_path / "other")  # the same catalogue, no steps
    other = Matcher(Settings(home=tmp_path / "other"), encoder=e5_encoder, regions=regions)
    done = import_progress(other, path)
    assert (done.written, done.skipped) == (6, 0)
    assert history(other) == history(recorded)  # the formula-looking note comes back as written
    assert {s.account for s in other.replications.history()} == {"import"}
    again = import_progress(other, path)
    assert (again.written, again.skipped) == (0, 6)  # the same file again: region+innovation+stage+date known
    assert len(other.replications.history()) == 6
    assert import_progress(recorded, path).written == 0  # into the store it came from: nothing new either


def test_bad_rows_are_all_named_with_file_row_and_column_and_nothing_is_written(recorded, tmp_path):
    before = history(recorded)
    path = tmp_path / "progres-jatim.xlsx"
    write_rows(path, [
        ["75.01", "M7", "Dipilih", "15/01/2024", None, None, None, "Ani"],        # 2: fine (day first, a label)
        ["99.99", "M7", "dipilih", None, None, None, None, None],                # 3: unknown regency
        ["75.01", "NOPE", "dipilih", None, None, None, None, None],              # 4: unknown innovation
        ["75.01", "M7", "selesai", None, None, None, None, None],                # 5: not a stage
        ["75.01", "M7", "studi_tiru", "31/02/2024", None, None, None, None],     # 6: no such day
        ["75.01", "M7", "rencana_aksi", "2024-03-01", None, None, None, None],   # 7: no document
        ["75.01", "M7", "studi_tiru", "2024-01-02", None, None, None, None],     # 8: earlier than row 2
        ["75.01", "M1", "dipilih", "2024-04-01", None, None, None, None],        # 9: back, no note (stored history)
        ["75.03", "M2", None, "2024-04-01", None, None, None, None],             # 10: stage empty
    ])
    with pytest.raises(ValidationError) as caught:
        import_progress(recorded, path)
    found = {(p.row, p.field) for p in caught.value.problems}
    assert found == {(3, "Kode kabupaten/kota"), (4, "ID inovasi"), (5, "Tahap replikasi"), (6, "Tanggal tahap"),
                     (7, "Dokumen rencana aksi"), (8, "Tanggal tahap"), (9, "Catatan"), (10, "Tahap replikasi")}
    assert all(p.file == str(path) for p in caught.value.problems)
    text = caught.value.report()
    assert "row 9, field 'Catatan': going back from studi_tiru to dipilih needs a note" in text
    assert "row 3, field 'Kode kabupaten/kota': no kabupaten/kota with code '99.99'" in text
    assert history(recorded) == before  # nothing of the good row was written either


def test_the_cli_imports_exports_and_exits_2_on_a_bad_file(recorded, tmp_path):
    home = recorded.settings.home
    good, bad = tmp_path / "baru.csv", tmp_path / "salah.csv"
    write_rows(good, [["75.05", "M2", "studi_tiru", "2024-06-01", "", "", "", "Budi"]])
    write_rows(bad, [["75.05", "M2", "diterapkan", "", "", "", "", ""]], header=["kode", "ID inovasi", "tahap",
                                                                                  "tanggal", "a", "b", "c", "d"])
    out = run(["progress", "import", str(bad)], home)
    assert out.returncode == 2 and f"{bad}, row 2, field 'tanggal': stage diterapkan needs the date" in out.stderr
    assert "nothing was imported" in out.stderr
    out = run(["progress", "import", str(good)], home)
    assert out.returncode == 0 and "imported 1 replication steps" in out.stdout, out.stderr
    out = run(["progress", "export", str(tmp_path / "semua.xlsx")], home)
    assert out.returncode == 0 and "exported 7 replication steps" in out.stdout
    sheet = load_workbook(tmp_path / "semua.xlsx").active
    assert sheet.title == PROGRESS_SHEET and sheet.max_row == 8
    assert run(["progress", "export", str(tmp_path / "semua.txt")], home).returncode == 2


def test_the_batch_adds_a_progress_sheet_csv_and_report_section_only_when_asked(recorded, tmp_path):
    recorded.decisions.add("75.03", "M2", "shortlisted")  # implied dipilih: counted in the funnel
    plain = run_batch(recorded, GORONTALO, K, tmp_path / "plain")
    assert "progress.csv" not in plain.files and not (plain.out_dir / "progress.csv").exists()
    assert PROGRESS_SHEET not in load_workbook(plain.out_dir / "recommendations.xlsx").sheetnames
    assert plain.replication_steps is None
    s = run_batch(recorded, GORONTALO, K, tmp_path / "out", replication_progress=True)
    assert s.replication_steps == 6 and "progress.csv" in s.files
    rows = read_csv(s.out_dir / "progress.csv")
    assert [(r["region_code"], r["progress_stage"], r["stage_date"]) for r in rows][:2] == [
        ("75.01", "Dipilih", "2024-01-10"), ("75.01", "Studi tiru", "2024-02-01")]
    assert rows[4]["note"] == "'=SUM(A1) bukan rumus"  # a formula-looking note stays text
    sheet = load_workbook(s.out_dir / "recommendations.xlsx")[PROGRESS_SHEET]
    assert [c.value for c in sheet[1]][:5] == [HEADERS[k] for k in ("region_code", "region_name", "innovation_id",
                                                                    "innovation_title", "progress_stage")]
    assert sheet.max_row == 7 and sheet["F2"].number_format == "yyyy-mm-dd"
    report = parse_html(s.out_dir / "report-75-gorontalo.html")
    text = " ".join(t.strip() for t in report.text if t.strip())
    assert ("Progres replikasi" in text and "Lama antartahap (median hari)" in text
            and "Median hari dipilih → diterapkan" in text)
    assert ("Tahap Jumlah Kesenjangan 7 Dipilih 3 Studi tiru 2 Rencana aksi 2 Diterapkan 1 Berlanjut 0 Berhenti 1"
            in text)  # each pair at its furthest stage; the shortlisted pair as dipilih
