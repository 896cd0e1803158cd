"""The meeting pack as a selection meeting reads it: decisions marked in every file, Indonesian headers and
labels, the CSV dialect Excel in an Indonesian locale expects, Indonesian numbers in the report, regencies
without gaps named once. Every assertion parses the files (csv with the dialect, openpyxl, an HTML parser).

The store is the batch store of conftest.py: the mini innovations plus EVIL-1, gaps for the six regencies of
Gorontalo (75); the regencies of Maluku (81) have no gaps there.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from helpers.batch import GORONTALO, K, decimal, parse_html, read_csv
from openpyxl import load_workbook

from matcher.batch.run import run_batch
from matcher.batch.tables import ALTERNATE_COLUMNS, COLUMNS, DECISION_COLUMNS, HEADERS
from matcher.errors import ConfigError

NO_GAPS = ["81.01", "81.02", "81.03"]


@pytest.fixture
def decided(batch_matcher, tmp_path):
    """A first run to learn the lists, then one decision of each kind with a note and a person."""
    first = run_batch(batch_matcher, GORONTALO, K, tmp_path / "first")
    rows = read_csv(first.out_dir / "recommendations.csv")
    top = {r["region_code"]: r["innovation_id"] for r in rows if r["rank"] == "1"}
    second = {r["region_code"]: r["innovation_id"] for r in rows if r["rank"] == "2"}
    store = batch_matcher.decisions
    store.add("75.01", top["75.01"], "rejected", note="tidak sesuai kewenangan", who="Budi")
    store.add("75.01", second["75.01"], "shortlisted", note="studi tiru Maret", who="Siti")
    store.add("75.04", top["75.04"], "replicated", note="sudah jalan sejak 2023", who="Ani")
    return batch_matcher, top, second


def test_decisions_are_marked_in_every_file(decided, tmp_path):
    matcher, top, second = decided
    summary = run_batch(matcher, GORONTALO, K, tmp_path / "out")
    out = summary.out_dir
    rows = {(r["region_code"], r["innovation_id"]): r for r in read_csv(out / "recommendations.csv")}
    rejected, chosen = rows[("75.01", top["75.01"])], rows[("75.01", second["75.01"])]
    assert (rejected["rank"], rejected["status"], rejected["decision_note"], rejected["decision_who"]) == (
        "1", "ditolak", "tidak sesuai kewenangan", "Budi")  # kept at its rank, marked
    assert (chosen["status"], chosen["decision_note"], chosen["decision_who"]) == ("dipilih", "studi tiru Maret", "Siti")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", chosen["decision_at"])
    assert ("75.04", top["75.04"]) not in rows  # replicated: never recommended again ...
    unmarked = [r for key, r in rows.items() if key not in {("75.01", top["75.01"]), ("75.01", second["75.01"])}]
    assert unmarked and all(r["status"] == "" for r in unmarked)

    decisions = read_csv(out / "decisions.csv")  # ... but listed with every other decision
    assert {(d["region_code"], d["status"], d["listed_rank"]) for d in decisions} == {
        ("75.01", "ditolak", "1"), ("75.01", "dipilih", "2"), ("75.04", "sudah direplikasi", "")}
    assert all(d["innovation_title"] for d in decisions)
    read_csv(out / "alternates.csv")  # parses, with the status columns in its header
    assert "decisions.csv" in summary.files
    assert json.loads((out / "summary.json").read_text())["decisions"] == {"rejected": 1, "replicated": 1,
                                                                          "shortlisted": 1}

    wb = load_workbook(out / "recommendations.xlsx")
    assert wb.sheetnames == ["75 Gorontalo", "Keputusan"]
    ws = wb["75 Gorontalo"]
    header = [c.value for c in ws[1]]
    status = {(r[header.index("Kode kabupaten/kota")], r[header.index("ID inovasi")]): r[header.index("Status keputusan")]
              for r in ws.iter_rows(min_row=2, values_only=True)}
    assert status[("75.01", top["75.01"])] == "ditolak" and status[("75.01", second["75.01"])] == "dipilih"
    sheet = wb["Keputusan"]
    assert [c.value for c in sheet[1]] == [HEADERS[c] for c in DECISION_COLUMNS]
    assert sorted(r[3] for r in sheet.iter_rows(min_row=2, values_only=True)) == ["dipilih", "ditolak",
                                                                                  "sudah direplikasi"]

    page = parse_html(out / "report-75-gorontalo.html")
    text = " ".join(page.text)
    assert "Keputusan mentor" in text and "sudah direplikasi" in text and "sudah jalan sejak 2023" in text
    assert "tidak sesuai kewenangan · Budi" in text and "studi tiru Maret · Siti" in text
    rejected_rows = [a for t, a in page.tags if t == "tr" and a.get("class") == "rejected"]
    assert len(rejected_rows) == 1


def test_exclude_rejected_leaves_them_out_and_fills_the_list(decided, tmp_path):
    matcher, top, _ = decided
    summary = run_batch(matcher, GORONTALO, K, tmp_path / "out", exclude_rejected=True)
    rows = read_csv(summary.out_dir / "recommendations.csv")
    mine = [r for r in rows if r["region_code"] == "75.01"]
    assert top["75.01"] not in {r["innovation_id"] for r in mine}
    assert [r["rank"] for r in mine] == ["1", "2", "3"]  # the next candidate moved up
    assert "ditolak" not in {r["status"] for r in rows}
    assert "ditolak" in {r["status"] for r in read_csv(summary.out_dir / "decisions.csv")}  # the decision stays
    assert json.loads((summary.out_dir / "summary.json").read_text())["exclude_rejected"] is True
    text = " ".join(parse_html(summary.out_dir / "report-75-gorontalo.html").text)
    assert "Inovasi yang ditolak tidak dicantumkan" in text


def test_indonesian_headers_and_labels(batch_matcher, tmp_path):
    summary = run_batch(batch_matcher, GORONTALO, K, tmp_path / "out")
    first_line = (summary.out_dir / "recommendations.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert first_line.split(";")[:7] == ["Kode provinsi", "Provinsi", "Kode kabupaten/kota", "Kabupaten/kota",
                                         "Peringkat", "Peringkat tanpa batas kunjungan", "Status keputusan"]
    assert not re.search(r"[a-z]+_[a-z]+", first_line)  # no snake_case column name left
    rows = read_csv(summary.out_dir / "recommendations.csv")
    sectors = {r["sector"] for r in rows}
    assert "Administrasi kependudukan" in sectors and not any("_" in s for s in sectors)
    assert {r["award"] for r in rows} <= {"Top 45 KIPP", "Top 99 KIPP", "IGA", "Tanpa penghargaan", ""}
    assert {r["stage"] for r in rows} <= {"Penerapan", "Uji coba", ""}
    alternates = (summary.out_dir / "alternates.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert alternates.split(";") == [HEADERS[c] for c in ALTERNATE_COLUMNS]


def test_csv_dialects_hold_the_same_raw_values(batch_matcher, tmp_path):
    local = run_batch(batch_matcher, GORONTALO, K, tmp_path / "id")
    intl = run_batch(batch_matcher, GORONTALO, K, tmp_path / "intl", csv_dialect="intl")
    a = read_csv(local.out_dir / "recommendations.csv")
    b = read_csv(intl.out_dir / "recommendations.csv", delimiter=",")
    assert len(a) == len(b) == K * len(GORONTALO)
    for x, y in zip(a, b, strict=True):
        assert decimal(x["score"]) == float(y["score"])  # every digit kept: raw values, not rounded
        assert x["innovation_id"] == y["innovation_id"] and x["evidence"] == y["evidence"]
    assert any(len(r["score"].split(",")[1]) > 4 for r in a)
    with pytest.raises(ConfigError, match="CSV dialect"):
        run_batch(batch_matcher, GORONTALO, K, tmp_path / "bad", csv_dialect="excel")


def test_xlsx_numbers_are_numbers_with_rounded_formats(batch_matcher, tmp_path):
    summary = run_batch(batch_matcher, GORONTALO, K, tmp_path / "out")
    ws = load_workbook(summary.out_dir / "recommendations.xlsx")["75 Gorontalo"]
    header = [c.value for c in ws[1]]
    assert header == [HEADERS[c] for c in COLUMNS]
    score = [row[header.index("Skor")] for row in ws.iter_rows(min_row=2)]
    assert all(isinstance(c.value, float) and c.number_format == "0.00" for c in score)
    assert any(round(c.value, 2) != c.value for c in score)  # the cell keeps the full value


def test_report_reads_as_indonesian_and_names_empty_regencies_once(batch_matcher, tmp_path):
    regions = [*GORONTALO, *NO_GAPS]
    summary = run_batch(batch_matcher, regions, K, tmp_path / "out", max_visits=1)
    assert summary.regions_with_recommendations == len(GORONTALO) and len(summary.region_codes) == len(regions)
    html = (summary.out_dir / "report-75-gorontalo.html").read_text(encoding="utf-8")
    page = parse_html(summary.out_dir / "report-75-gorontalo.html")
    text = " ".join(page.text)
    cost = re.search(r"berkurang (\S+) \((\S+)%\)", " ".join(text.split()))
    assert cost and re.fullmatch(r"\d+,\d", cost.group(1)) and re.fullmatch(r"\d+,\d", cost.group(2))
    cells = [d.strip() for d in page.text if re.fullmatch(r"\s*-?\d+[.,]\d+\s*", d)]
    assert cells and all("," in c and "." not in c for c in cells)  # 5,19, never 5.19
    assert "tanpa batas: -" not in text
    assert "menggantikan inovasi yang kuota kunjungannya penuh" in text  # the cap explained in words
    footer = html[html.index("<footer>"):]
    assert "katalog" in footer and "fusi" in footer and "fusi" not in html[:html.index("<footer>")].split("</style>")[1]
    assert "@page{size:A4" in html.replace(" ", "")

    maluku = parse_html(summary.out_dir / "report-81-maluku.html")
    ids = {a.get("id") for _, a in maluku.tags}
    assert not ids & {f"r{c}" for c in NO_GAPS}  # no section (no printed page) per regency without gaps
    words = " ".join(" ".join(maluku.text).split())
    assert "Belum ada kesenjangan tercatat" in words and words.count("Belum ada kesenjangan tercatat") == 1
    assert all(batch_matcher.regions.get(c).name in words for c in NO_GAPS)
    assert "0 dari 3 kabupaten/kota mendapat rekomendasi" in words


def test_parts_are_removed_on_completion_and_kept_when_cut(batch_matcher, tmp_path):
    def stop(done, total, code):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(batch_matcher, GORONTALO, K, tmp_path / "out", progress_callback=stop)
    assert len(list((tmp_path / "out" / "parts").glob("*.json"))) == 2
    summary = run_batch(batch_matcher, GORONTALO, K, tmp_path / "out")
    assert (summary.reused, summary.computed) == (2, 4)
    assert not (tmp_path / "out" / "parts").exists()
    assert {p.name for p in Path(tmp_path / "out").iterdir()} == set(summary.files)


def test_previous_reads_both_dialects(batch_matcher, tmp_path):
    first = run_batch(batch_matcher, GORONTALO, K, tmp_path / "first", csv_dialect="intl")
    again = run_batch(batch_matcher, GORONTALO, K, tmp_path / "again", previous=first.out_dir)
    assert again.changes == {"new": 0, "dropped": 0, "moved": 0}
    broken = tmp_path / "broken"
    broken.mkdir()
    with (broken / "recommendations.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([["Kode kabupaten/kota", "Peringkat", "ID inovasi", "Judul inovasi"],
                                                 ["75.01", "satu", "M1", "x"]])
    from matcher.errors import ValidationError

    with pytest.raises(ValidationError, match=r"row 2, field 'Peringkat'"):
        run_batch(batch_matcher, GORONTALO, K, tmp_path / "third", previous=broken)
