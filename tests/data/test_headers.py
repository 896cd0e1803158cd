"""Bring your own catalogue: real exports with Indonesian headers and no ids, read onto the data contract.

The example export (tests/fixtures/contoh_ekspor_inovasi.csv, the one docs/data.md shows) is headed
``No;Nama Inovasi;Deskripsi;Instansi;Kabupaten/Kota;Urusan Pemerintahan;Tahun;Tahapan;Penghargaan;Status;...``
as Excel writes CSV in an Indonesian locale; the same rows as XLSX must give the same records.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.data.headers import ColumnNotes, column_map, derived_id, parse_map, read_map_file
from matcher.data.loaders import load_gaps, load_innovations
from matcher.data.urusan import award_value, sector_value, urusan_table
from matcher.errors import ConfigError, ValidationError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORT = FIXTURES / "contoh_ekspor_inovasi.csv"
GAPS = FIXTURES / "contoh_kesenjangan.csv"
ID_CHARS = re.compile(r"^[A-Za-z0-9_.:-]+$")


def _table() -> list[list[str]]:
    with EXPORT.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def _xlsx(path: Path, table: list[list[str]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in table:
        ws.append([int(c) if c.isdigit() else (c or None) for c in row])  # numbers as numbers, as Excel keeps them
    wb.save(path)
    return path


def test_an_indonesian_export_without_ids_loads(regions):
    notes = ColumnNotes()
    records = load_innovations(EXPORT, regions, notes=notes)
    assert [r.title for r in records] == ["Smart Kampung", "Ambulans Laut Siaga", "Lapor Sampah", "Si Cantik",
                                          "Izin Kilat"]
    first = records[0]
    assert (first.region_code, first.institution, first.sector, first.year, first.stage, first.award) == (
        "35.10", "Dinas Komunikasi dan Informatika", "digitalisasi_pemerintahan", 2015, "penerapan", "top_45")
    assert first.metadata == {"No": "1", "Narahubung": "diskominfo@banyuwangikab.go.id"}
    assert first.status == "aktif"  # "berjalan" in the export
    assert [r.award for r in records] == ["top_45", "top_99", "none", None, "iga"]
    assert [r.region_code for r in records] == ["35.10", "73.01", "35.78", "35.07", "35"]
    assert notes.mapping["Nama Inovasi"] == "title" and notes.mapping["Kabupaten/Kota"] == "region_code"
    assert notes.derived_ids and "no id column" in notes.warnings[0]
    ids = [r.id for r in records]
    assert len(set(ids)) == len(ids) and all(ID_CHARS.match(i) and i not in (".", "..") for i in ids)
    assert ids[0].startswith("smart-kampung-")
    assert [r.id for r in load_innovations(EXPORT, regions)] == ids  # stable: the same file, the same ids


def test_xlsx_of_the_same_export_gives_the_same_records(regions, tmp_path):
    assert load_innovations(_xlsx(tmp_path / "ekspor.xlsx", _table()), regions) == load_innovations(EXPORT, regions)


def test_ids_survive_case_spacing_and_row_order(regions, tmp_path):
    header, *rows = _table()
    changed = [[*r[:1], "  " + r[1].upper() + " ", *r[2:]] for r in reversed(rows)]
    path = tmp_path / "lagi.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([header, *changed])
    again = {r.title.casefold(): r.id for r in load_innovations(path, regions)}
    first = {r.title.casefold(): r.id for r in load_innovations(EXPORT, regions)}
    assert again == first
    assert derived_id("innovations", "Si Cantik", "35.07") != derived_id("innovations", "Si Cantik", "35.73")


def test_the_same_title_and_region_twice_is_a_duplicate_named_by_row(regions, tmp_path):
    header, *rows = _table()
    path = _xlsx(tmp_path / "dobel.xlsx", [header, *rows, rows[0]])
    with pytest.raises(ValidationError) as err:
        load_innovations(path, regions)
    [problem] = err.value.problems
    assert (problem.file, problem.row, problem.field) == (str(path), 7, "id")
    assert "first at row 2" in problem.reason and "same title" in problem.reason


def test_an_unknown_header_needs_a_map(regions, tmp_path):
    header, *rows = _table()
    header = ["Nama Kegiatan" if h == "Nama Inovasi" else h for h in header]
    path = _xlsx(tmp_path / "kegiatan.xlsx", [header, *rows])
    with pytest.raises(ValidationError) as err:
        load_innovations(path, regions)
    assert [(p.row, p.field, p.reason) for p in err.value.problems] == [
        (1, "title", "required column missing from the header")]
    notes = ColumnNotes()
    records = load_innovations(path, regions, columns=parse_map(["Nama Kegiatan=title"]), notes=notes)
    assert records[0].title == "Smart Kampung" and notes.mapping["Nama Kegiatan"] == "title"
    assert "Nama Kegiatan -> title" in notes.describe()


def test_a_map_overrides_an_alias_and_a_map_file_reads(tmp_path):
    notes = column_map(["Judul", "Nama Inovasi", "Uraian"], "innovations", {"Nama Inovasi": "title"})
    assert notes.mapping == {"Nama Inovasi": "title", "Uraian": "description"} and notes.kept == ["Judul"]
    mapping = tmp_path / "kolom.txt"
    mapping.write_text("# kolom kami\nNama Kegiatan=title\nDinas Pengampu\tinstitution\n", encoding="utf-8")
    assert read_map_file(mapping) == {"Nama Kegiatan": "title", "Dinas Pengampu": "institution"}
    with pytest.raises(ConfigError, match="'judulnya' is not a field"):
        parse_map(["Nama=judulnya"])
    with pytest.raises(ConfigError, match="not 'Column=field'"):
        parse_map(["tanpa tanda sama dengan"])


def test_urusan_names_map_onto_the_18_sectors():
    table = urusan_table()
    assert set(table.values()) <= set(__import__("matcher.data.records", fromlist=["SECTORS"]).SECTORS)
    cases = {
        "Administrasi Kependudukan dan Pencatatan Sipil": "administrasi_kependudukan",
        "Urusan Pemerintahan Bidang Kesehatan": "kesehatan",
        "Pekerjaan Umum dan Penataan Ruang": "infrastruktur_transportasi",
        "Pemberdayaan Perempuan dan Perlindungan Anak": "perlindungan_perempuan_anak",
        "Koperasi, Usaha Kecil, dan Menengah": "ekonomi_umkm",
        "Kelautan dan Perikanan": "kelautan_perikanan",
        "Penanaman Modal": "perizinan_investasi",
        "Keuangan": "keuangan_daerah_pajak",
        "Air bersih & sanitasi": "air_bersih_sanitasi",  # the page's label
        "tata_kelola_pengaduan": "tata_kelola_pengaduan",  # the code itself
    }
    assert {name: sector_value(name) for name in cases} == cases
    assert [award_value(v) for v in ("TOP 99 KIPP 2019", "Innovative Government Award", "tidak ada")] == [
        "top_99", "iga", "none"]


def test_a_bad_row_is_still_named_by_file_row_and_column(regions, tmp_path):
    header, *rows = _table()
    rows[1] = [*rows[1][:5], "Perbintangan", "dua ribu", *rows[1][7:]]
    rows[3] = [rows[3][0], "", *rows[3][2:]]
    path = _xlsx(tmp_path / "rusak.xlsx", [header, *rows])
    with pytest.raises(ValidationError) as err:
        load_innovations(path, regions)
    found = {(p.file, p.row, p.field) for p in err.value.problems}
    assert found == {(str(path), 3, "Urusan Pemerintahan (sector)"), (str(path), 3, "Tahun (year)"),
                     (str(path), 5, "Nama Inovasi (title)")}
    assert "known urusan" in next(p.reason for p in err.value.problems if p.field.endswith("(sector)"))


def test_a_gap_spreadsheet_with_indonesian_headers(regions, tmp_path):
    notes = ColumnNotes()
    gaps = load_gaps(GAPS, regions, notes=notes)
    assert [(g.region_code, g.sector, g.priority) for g in gaps] == [
        ("73.01", "kesehatan", 1), ("35.79", "administrasi_kependudukan", 2), ("35.79", "lingkungan_persampahan", 3)]
    assert gaps[0].metadata == {"OPD": "Dinas Kesehatan"} and notes.mapping["Kesenjangan"] == "text"
    assert all(g.id.startswith(g.region_code + "-") and ID_CHARS.match(g.id) for g in gaps)
    assert notes.derived_ids
    bad = tmp_path / "k.csv"
    bad.write_text("Kabupaten;Kesenjangan;Prioritas\nJawa Timur;Stunting tinggi;sangat\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_gaps(bad, regions)
    assert {(p.row, p.field) for p in err.value.problems} == {(2, "Kabupaten (region_code)"),
                                                              (2, "Prioritas (priority)")}
