"""The data contract: reading JSONL/CSV/TSV/XLSX, every validation problem located, records identical across formats."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from matcher.config import Settings
from matcher.data.loaders import (
    AWARDS,
    SECTORS,
    STAGES,
    Gap,
    Innovation,
    Judgment,
    load_gaps,
    load_innovations,
    load_qrels,
    load_split,
    parse_gap,
    parse_innovation,
)
from matcher.data.regions import Regions
from matcher.errors import Problem, ValidationError

HEADER = ["id", "title", "description", "region_code", "institution", "sector", "year", "stage", "digital",
          "award", "status"]
ROWS = [
    ["INO-1", "Ambulans Laut", "Speedboat rujukan ibu hamil dari pulau ke RSUD.", "Kab. Kep. Selayar",
     "Dinas Kesehatan", "kesehatan", "2016", "penerapan", "false", "top_45", "berjalan"],
    ["INO-2", "Si Cantik", "Layanan KTP-el keliling desa dengan mobil.", "35.73", "", "administrasi_kependudukan",
     "2019", "uji_coba", "ya", "", ""],
    ["INO-3", "Lapor Pak Camat", "Aduan warga lewat WhatsApp.", "jatim", "", "", "", "", "", "none", "dihentikan"],
]


# --- file writers: real small files as people make them -----------------------------------------------------


def write_jsonl(path: Path, records: list[dict[str, Any]], bom: bool = False) -> Path:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def write_csv(path: Path, header: list[str], rows: list[list[Any]], delimiter: str = ",", bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    workbook.save(path)
    return path


def as_objects(header: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in zip(header, row, strict=True) if v != ""} for row in rows]


def problems_of(call: Any, *args: Any) -> list[Problem]:
    with pytest.raises(ValidationError) as err:
        call(*args)
    return err.value.problems


def one_problem(path: Path, regions: Regions, loader: Any = load_innovations) -> Problem:
    problems = problems_of(loader, path, regions)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- formats ---------------------------------------------------------------------------------------------


def test_vocabularies() -> None:
    assert len(SECTORS) == 18 and len(set(SECTORS)) == 18
    assert STAGES == ("uji_coba", "penerapan")
    assert AWARDS == ("top_45", "top_99", "iga", "none")


def test_csv_records(tmp_path: Path, regions: Regions) -> None:
    first, second, third = load_innovations(write_csv(tmp_path / "i.csv", HEADER, ROWS), regions)
    assert first == Innovation(
        id="INO-1", title="Ambulans Laut", description="Speedboat rujukan ibu hamil dari pulau ke RSUD.",
        region_code="73.01", institution="Dinas Kesehatan", sector="kesehatan", year=2016, stage="penerapan",
        digital=False, award="top_45", status="aktif",
    )
    assert (second.region_code, second.digital, second.award, second.institution, second.metadata) == (
        "35.73", True, None, None, {})
    assert (third.region_code, third.year, third.sector, third.award) == ("35", None, None, "none")
    assert (first.status, second.status, third.status) == ("aktif", "aktif", "berhenti")  # as sources write it


def test_all_formats_give_identical_records(tmp_path: Path, regions: Regions) -> None:
    objects = as_objects(HEADER, ROWS)
    for o in objects:  # JSON carries its own types
        if "year" in o:
            o["year"] = int(o["year"])
    objects[0]["digital"] = False
    typed_rows = [[2016 if v == "2016" else v for v in row] for row in ROWS]  # a number cell in Excel
    typed_rows[0][8] = False  # a boolean cell
    loaded = [
        load_innovations(write_csv(tmp_path / "i.csv", HEADER, ROWS), regions),
        load_innovations(write_csv(tmp_path / "i.tsv", HEADER, ROWS, delimiter="\t"), regions),
        load_innovations(write_csv(tmp_path / "semicolon.csv", HEADER, ROWS, delimiter=";"), regions),
        load_innovations(write_xlsx(tmp_path / "i.xlsx", HEADER, typed_rows), regions),
        load_innovations(write_jsonl(tmp_path / "i.jsonl", objects), regions),
    ]
    assert all(records == loaded[0] for records in loaded[1:])
    assert len(loaded[0]) == 3


def test_bom_is_accepted(tmp_path: Path, regions: Regions) -> None:
    plain = load_innovations(write_csv(tmp_path / "a.csv", HEADER, ROWS), regions)
    assert load_innovations(write_csv(tmp_path / "b.csv", HEADER, ROWS, bom=True), regions) == plain
    objects = as_objects(HEADER, ROWS)
    assert load_innovations(write_jsonl(tmp_path / "a.jsonl", objects, bom=True), regions)[0].id == "INO-1"


def test_metadata_is_kept_and_cleaned(tmp_path: Path, regions: Regions) -> None:
    record = {"id": 7, "title": "  Si Cantik ", "description": "Layanan.", "Kontak": " 0812 ", "tags": ["a ", "b"],
              "jumlah": 1200, "kosong": "", "null": None}
    (inv,) = load_innovations(write_jsonl(tmp_path / "m.jsonl", [record]), regions)
    assert inv.id == "7" and inv.title == "Si Cantik"
    assert inv.metadata == {"Kontak": "0812", "tags": ["a", "b"], "jumlah": 1200}


def test_strings_are_nfc_normalised(tmp_path: Path, regions: Regions) -> None:
    decomposed = unicodedata.normalize("NFD", "Café Sehat")
    (inv,) = load_innovations(write_jsonl(tmp_path / "n.jsonl", [
        {"id": "x", "title": decomposed, "description": "Desa."}]), regions)
    assert inv.title == "Café Sehat" and unicodedata.is_normalized("NFC", inv.title)


def test_lenient_spelling_of_enums_and_headers(tmp_path: Path, regions: Regions) -> None:
    header = ["ID", "Title", "Description", "Region Code", "Sector", "Stage", "Award", "Digital"]
    rows = [["1", "A", "B", "Kota Malang", "Air Bersih Sanitasi", "Uji Coba", "Top 99", "YES"]]
    (inv,) = load_innovations(write_csv(tmp_path / "h.csv", header, rows), regions)
    assert (inv.region_code, inv.sector, inv.stage, inv.award, inv.digital) == (
        "35.73", "air_bersih_sanitasi", "uji_coba", "top_99", True)


def test_text_and_round_trip(tmp_path: Path, regions: Regions) -> None:
    inv = load_innovations(write_csv(tmp_path / "i.csv", HEADER, ROWS), regions)[0]
    assert inv.text == "Ambulans Laut. Speedboat rujukan ibu hamil dari pulau ke RSUD."
    stored = json.loads(json.dumps(inv.to_dict()))
    assert Innovation.from_dict(stored) == inv
    gap = Gap(id="G1", region_code="35.07", text="Angka stunting tinggi", metadata={"opd": "Dinkes"})
    assert Gap.from_dict(json.loads(json.dumps(gap.to_dict()))) == gap


def test_files_written_from_to_dict_load_back(tmp_path: Path, regions: Regions) -> None:
    records = load_innovations(write_csv(tmp_path / "i.csv", HEADER, ROWS), regions)
    exported = write_jsonl(tmp_path / "export.jsonl", [r.to_dict() for r in records])
    assert load_innovations(exported, regions) == records
    gaps = [Gap(id="G1", region_code="35.07", text="Stunting", priority=1, metadata={"opd": "Dinkes"})]
    assert load_gaps(write_jsonl(tmp_path / "g.jsonl", [g.to_dict() for g in gaps]), regions) == gaps


# --- row numbers -----------------------------------------------------------------------------------------


def test_row_numbers_are_what_a_person_sees(tmp_path: Path, regions: Regions) -> None:
    bad = [*ROWS[:2], ["INO-9", "T", "D", "", "", "", "1800", "", "", "", ""]]
    csv_path = write_csv(tmp_path / "r.csv", HEADER, bad)
    assert (one_problem(csv_path, regions).row, one_problem(csv_path, regions).field) == (4, "year")
    xlsx = write_xlsx(tmp_path / "r.xlsx", HEADER, bad)
    assert one_problem(xlsx, regions).row == 4
    lines = [json.dumps(o) for o in as_objects(HEADER, bad)]
    (tmp_path / "r.jsonl").write_text(lines[0] + "\n\n" + lines[1] + "\n" + lines[2] + "\n", encoding="utf-8")
    assert one_problem(tmp_path / "r.jsonl", regions).row == 4  # line 2 is blank


def test_blank_spreadsheet_rows_are_skipped_but_counted(tmp_path: Path, regions: Regions) -> None:
    rows = [ROWS[0], [""] * len(HEADER), ["INO-9", "", "D"]]
    problem = one_problem(write_csv(tmp_path / "b.csv", HEADER, rows), regions)
    assert (problem.row, problem.field, problem.reason) == (4, "title", "missing required field")


# --- each kind of problem, located by file, row and field ------------------------------------------------


GOOD = {"id": "A", "title": "Judul", "description": "Uraian inovasi."}


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({"title": None}, "title", "missing required field"),
    ({"description": "   "}, "description", "empty"),
    ({"region_code": "35.99"}, "region_code", "35.99"),
    ({"region_code": "Atlantis"}, "region_code", "Atlantis"),
    ({"region_code": "Malang"}, "region_code", "35.07"),
    ({"sector": "perbintangan"}, "sector", "not one of"),
    ({"stage": "inisiatif"}, "stage", "not one of"),
    ({"award": "juara 1"}, "award", "not one of"),
    ({"year": 1989}, "year", "outside 1990..2100"),
    ({"year": "dua ribu"}, "year", "whole number"),
    ({"year": 2019.5}, "year", "whole number"),
    ({"year": [2019]}, "year", "a list"),
    ({"digital": "mungkin"}, "digital", "true/false"),
    ({"title": 123}, "title", "wrong type: expected text, got a number"),
    ({"id": 1.5}, "id", "wrong type"),
    ({"title": "x" * 301}, "title", "too long: 301 characters, the limit is 300"),
    ({"description": "x" * 5001}, "description", "the limit is 5000"),
])
def test_each_innovation_problem(tmp_path: Path, regions: Regions, change: dict[str, Any], field: str,
                                 reason: str) -> None:
    record = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    path = write_jsonl(tmp_path / "bad.jsonl", [GOOD | {"id": "first"}, record])
    problem = one_problem(path, regions)
    assert (problem.file, problem.row, problem.field) == (str(path), 2, field)
    assert reason in problem.reason
    assert f"{path}, row 2, field '{field}'" in str(problem)


def test_duplicate_id(tmp_path: Path, regions: Regions) -> None:
    path = write_csv(tmp_path / "d.csv", HEADER, [ROWS[0], ROWS[1], ROWS[0]])
    problem = one_problem(path, regions)
    assert (problem.row, problem.field) == (4, "id")
    assert "duplicate id 'INO-1' (first at row 2)" in problem.reason


def test_invalid_json_line_and_wrong_json_type(tmp_path: Path, regions: Regions) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps(GOOD) + '\n{"id": "B", "title": \n[1, 2]\n', encoding="utf-8")
    problems = problems_of(load_innovations, path, regions)
    assert [(p.row, p.field) for p in problems] == [(2, None), (3, None)]
    assert problems[0].reason.startswith("invalid JSON")
    assert "wrong JSON type" in problems[1].reason


@pytest.mark.parametrize("name", ["x.json", "x.xls", "x.txt", "x"])
def test_unsupported_suffix(tmp_path: Path, regions: Regions, name: str) -> None:
    path = tmp_path / name
    path.write_text("{}", encoding="utf-8")
    problem = one_problem(path, regions)
    assert "unsupported file type" in problem.reason and problem.file == str(path)


def test_file_not_found(tmp_path: Path, regions: Regions) -> None:
    problem = one_problem(tmp_path / "missing.csv", regions)
    assert problem.reason == "file not found"


def test_bad_encoding_is_a_problem(tmp_path: Path, regions: Regions) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("id,title,description\n1,Café,Desa\n".encode("latin-1"))
    problem = one_problem(path, regions)
    assert problem.row == 2 and "UTF-8" in problem.reason


def test_broken_xlsx_is_a_problem(tmp_path: Path, regions: Regions) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    assert "not a readable .xlsx" in one_problem(path, regions).reason


def test_empty_file_is_a_problem(tmp_path: Path, regions: Regions) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    assert one_problem(path, regions).reason == "no records in file"


def test_missing_column_is_reported_once(tmp_path: Path, regions: Regions) -> None:
    path = write_csv(tmp_path / "c.csv", ["id", "title"], [["1", "A"], ["2", "B"], ["3", "C"]])
    problem = one_problem(path, regions)
    assert (problem.row, problem.field, problem.reason) == (1, "description", "required column missing from the header")


def test_value_without_header_and_repeated_column(tmp_path: Path, regions: Regions) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,title,description,Title\n1,A,B,C,extra\n", encoding="utf-8")
    problems = problems_of(load_innovations, path, regions)
    assert [(p.row, p.field) for p in problems] == [(1, "Title"), (2, None)]
    assert "column appears twice" in problems[0].reason and "no header" in problems[1].reason


def test_one_pass_reports_every_problem_and_returns_nothing(tmp_path: Path, regions: Regions) -> None:
    rows = [
        ["1", "", "D", "35.99", "", "perbintangan", "", "", "", "", ""],
        ["1", "T", "D", "", "", "", "3000", "", "", "", ""],
        ["2", "T", "D", "Malang", "", "", "", "ujicoba", "", "", ""],
    ]
    path = write_csv(tmp_path / "many.csv", HEADER, rows)
    problems = problems_of(load_innovations, path, regions)
    located = {(p.row, p.field) for p in problems}
    assert located == {(2, "title"), (2, "region_code"), (2, "sector"), (3, "year"), (3, "id"),
                       (4, "region_code"), (4, "stage")}
    with pytest.raises(ValidationError) as err:
        load_innovations(path, regions)
    assert len(err.value.report().splitlines()) == 7


def test_max_text_chars_follows_settings(tmp_path: Path, regions: Regions) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", [GOOD | {"description": "x" * 150}])
    assert load_innovations(path, regions)
    problems = problems_of(lambda: load_innovations(path, regions, Settings(max_text_chars=100)))
    assert problems[0].field == "description"


# --- gaps ------------------------------------------------------------------------------------------------


def test_gaps(tmp_path: Path, regions: Regions) -> None:
    header = ["id", "region_code", "text", "sector", "priority", "opd"]
    rows = [["G1", "Kab. Malang", "Stunting tinggi di desa", "kesehatan", "1", "Dinkes"],
            ["G2", "35.73", "Antrean KTP panjang", "", "", ""]]
    csv_gaps = load_gaps(write_csv(tmp_path / "g.csv", header, rows), regions)
    assert csv_gaps == [
        Gap("G1", "35.07", "Stunting tinggi di desa", "kesehatan", 1, {"opd": "Dinkes"}),
        Gap("G2", "35.73", "Antrean KTP panjang", None, 2, {}),
    ]
    assert load_gaps(write_xlsx(tmp_path / "g.xlsx", header, rows), regions) == csv_gaps
    assert load_gaps(write_jsonl(tmp_path / "g.jsonl", as_objects(header, rows)), regions) == csv_gaps


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({"region_code": "35"}, "region_code", "province"),
    ({"region_code": "Jawa Timur"}, "region_code", "Jawa Timur"),
    ({"region_code": "Malang"}, "region_code", "35.73"),
    ({"region_code": None}, "region_code", "missing required field"),
    ({"text": " \t "}, "text", "empty"),
    ({"priority": 4}, "priority", "outside 1..3"),
    ({"priority": "penting"}, "priority", "whole number"),
    ({"sector": "perbintangan"}, "sector", "not one of"),
])
def test_each_gap_problem(tmp_path: Path, regions: Regions, change: dict[str, Any], field: str, reason: str) -> None:
    good = {"id": "G", "region_code": "35.07", "text": "Stunting"}
    record = {k: v for k, v in (good | change).items() if v is not None}
    path = write_jsonl(tmp_path / "g.jsonl", [record])
    problem = one_problem(path, regions, load_gaps)
    assert (problem.row, problem.field) == (1, field) and reason in problem.reason


# --- qrels and split ---------------------------------------------------------------------------------------


def test_qrels(tmp_path: Path) -> None:
    path = tmp_path / "qrels.tsv"
    path.write_text("gap_id\tinnovation_id\trelevance\nG1\tINO-1\t3\nG1\tINO-2\t0\n", encoding="utf-8")
    assert load_qrels(path) == [Judgment("G1", "INO-1", 3), Judgment("G1", "INO-2", 0)]


def test_qrels_problems(tmp_path: Path) -> None:
    path = tmp_path / "qrels.tsv"
    path.write_text("gap_id\tinnovation_id\trelevance\nG1\tINO-1\t4\nG1\tINO-2\tx\nG1\tINO-2\t1\n\tINO-3\t1\n",
                    encoding="utf-8")
    problems = problems_of(load_qrels, path)
    assert [(p.row, p.field) for p in problems] == [(2, "relevance"), (3, "relevance"), (4, None), (5, "gap_id")]
    assert "outside 0..3" in problems[0].reason
    assert "duplicate gap_id + innovation_id 'G1 / INO-2' (first at row 3)" in problems[2].reason


def test_split_with_and_without_header(tmp_path: Path) -> None:
    with_header = tmp_path / "a.tsv"
    with_header.write_text("gap_id\tsplit\nG1\tdev\nG2\ttest\n", encoding="utf-8")
    bare = tmp_path / "b.tsv"
    bare.write_text("G1\tdev\nG2\tTest\n", encoding="utf-8")
    assert load_split(with_header) == load_split(bare) == {"G1": "dev", "G2": "test"}


def test_split_problems(tmp_path: Path) -> None:
    path = tmp_path / "s.tsv"
    path.write_text("G1\tdev\nG2\ttrain\nG1\ttest\n", encoding="utf-8")
    problems = problems_of(load_split, path)
    assert [(p.row, p.field) for p in problems] == [(2, "split"), (3, "gap_id")]


# --- single records from the API --------------------------------------------------------------------------


def test_parse_innovation_and_gap(regions: Regions) -> None:
    inv = parse_innovation(GOOD | {"region_code": "Kota Batu", "year": "2021", "link": "https://x"}, regions)
    assert (inv.region_code, inv.year, inv.metadata) == ("35.79", 2021, {"link": "https://x"})
    gap = parse_gap({"id": "G", "region_code": "kota  malang", "text": "Sampah"}, regions)
    assert (gap.region_code, gap.priority) == ("35.73", 2)


def test_parse_reports_every_problem_with_source(regions: Regions) -> None:
    with pytest.raises(ValidationError) as err:
        parse_innovation({"id": "A", "title": "", "sector": "x", "year": 1}, regions, source="POST /innovations")
    assert {(p.file, p.row, p.field) for p in err.value.problems} == {
        ("POST /innovations", None, "title"), ("POST /innovations", None, "description"),
        ("POST /innovations", None, "sector"), ("POST /innovations", None, "year")}
    with pytest.raises(ValidationError, match="expected an object"):
        parse_gap(["not", "a", "dict"], regions)  # type: ignore[arg-type]


def test_examples_in_the_data_contract_load(tmp_path: Path, regions: Regions) -> None:
    """docs/data.md stays honest: its examples load, and its JSONL and CSV examples agree."""
    doc = (Path(__file__).parents[2] / "docs" / "data.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+)\n(.*?)```", doc, re.S)
    names = ["i.jsonl", "i.csv", "g.jsonl", "export.csv", "q.tsv", "s.tsv"]
    assert [lang for lang, _ in blocks] == ["json", "csv", "json", "csv", "tsv", "tsv"]
    for name, (_, body) in zip(names, blocks, strict=True):
        (tmp_path / name).write_text(body, encoding="utf-8")
    assert load_innovations(tmp_path / "i.jsonl", regions) == load_innovations(tmp_path / "i.csv", regions)
    assert [g.region_code for g in load_gaps(tmp_path / "g.jsonl", regions)] == ["81.03", "35.07"]
    export = load_innovations(tmp_path / "export.csv", regions)  # a real export: Indonesian headers, no ids
    assert [(i.id, i.sector) for i in export] == [("smart-kampung-18971cd8", "digitalisasi_pemerintahan"),
                                                   ("si-cantik-51012fb9", "administrasi_kependudukan")]
    assert len(load_qrels(tmp_path / "q.tsv")) == 2
    assert load_split(tmp_path / "s.tsv") == {"G-001": "dev", "G-002": "test"}


def test_jsonl_lines_split_on_newline_only(tmp_path: Path, regions: Regions) -> None:
    record = GOOD | {"description": "baris\u2028pemisah"}
    path = tmp_path / "u.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\r\n", encoding="utf-8")
    assert load_innovations(path, regions)[0].description == "baris\u2028pemisah"
