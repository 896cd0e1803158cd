"""Batch runs on a real store: files parsed back, byte-identical resume, visit cap, changes, CLI contract.

The store holds the mini innovations plus EVIL-1, whose title is a spreadsheet formula with HTML in it, and
gaps for all six regencies of Gorontalo (75); see ``_batch_home`` in conftest.py.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from datetime import datetime

import pytest
from helpers.batch import GORONTALO, K, decimal, parse_html, read_csv
from helpers.cli import run as _cli
from helpers.files import tree
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from matcher.batch.files import safe_cell, stable_ooxml, unsafe_cell
from matcher.batch.results import PreviousRow, diff_changes
from matcher.batch.run import run_batch
from matcher.batch.tables import COLUMNS, HEADERS
from matcher.data.loaders import Innovation
from matcher.errors import ConfigError, NotFoundError
from matcher.facade import Matcher
from matcher.recommendations.regency import Recommendation

EVIL_TITLE = "=HYPERLINK(\"http://evil.example\",\"klik\") <script>alert('x')</script><img src=x onerror=alert(1)>"


@pytest.fixture
def run(batch_matcher, tmp_path):
    def _run(name: str = "out", **kwargs):
        out = tmp_path / name
        return run_batch(batch_matcher, kwargs.pop("regions", GORONTALO), kwargs.pop("k", K), out, **kwargs), out
    return _run


def test_csv_has_every_regency_with_k_rows(run):
    summary, out = run()
    rows = read_csv(out / "recommendations.csv")
    per_region = Counter(r["region_code"] for r in rows)
    assert per_region == {code: K for code in GORONTALO}
    for code in GORONTALO:
        mine = [r for r in rows if r["region_code"] == code]
        assert [int(r["rank"]) for r in mine] == [1, 2, 3]
        assert len({r["innovation_id"] for r in mine}) == K
        assert all(r["province_name"] == "Gorontalo" and r["gap_id"] and r["gap_text"] for r in mine)
        scores = [decimal(r["score"]) for r in mine]
        assert scores == sorted(scores, reverse=True)
        parts = sum(decimal(mine[0][p]) for p in ("relevance", "maturity", "recognition", "proximity", "similarity"))
        assert parts == pytest.approx(scores[0], abs=1e-4)
    assert summary.rows == len(rows) == K * len(GORONTALO) and summary.without_gaps == []
    assert {r["region_name"] for r in rows} >= {"Kabupaten Boalemo", "Kota Gorontalo"}


def test_best_answer_and_matched_terms_reach_the_csv(run):
    _, out = run()
    top = {r["region_code"]: r for r in read_csv(out / "recommendations.csv") if r["rank"] == "1"}
    assert top["75.03"]["innovation_id"] == "M3" and top["75.03"]["gap_id"] == "BG4"
    assert "akta" in top["75.03"]["matched_terms"].split("; ")
    assert top["75.02"]["innovation_id"] == "EVIL-1"


def test_formulas_are_neutralised_in_csv_and_xlsx(run):
    _, out = run()
    evil = [r for r in read_csv(out / "recommendations.csv") if r["innovation_id"] == "EVIL-1"]
    assert evil and all(r["innovation_title"] == "'" + EVIL_TITLE for r in evil)
    assert all(r["institution"].startswith("'@SUM") for r in evil)
    ws = load_workbook(out / "recommendations.xlsx")["75 Gorontalo"]
    header = [c.value for c in ws[1]]
    titles = [row[header.index("Judul inovasi")] for row in ws.iter_rows(min_row=2, values_only=False)]
    evil_cells = [c for c in titles if "HYPERLINK" in str(c.value)]
    assert evil_cells and all(c.data_type == "s" and c.value == "'" + EVIL_TITLE for c in evil_cells)
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and not any(c.value.startswith(("=", "+", "-", "@")) or c.data_type == "f" for c in texts)


def test_xlsx_one_sheet_per_province_frozen_header_and_widths(run):
    _, out = run(regions=[*GORONTALO, "81.03"])
    wb = load_workbook(out / "recommendations.xlsx")
    assert wb.sheetnames == ["75 Gorontalo", "81 Maluku"]
    ws = wb["75 Gorontalo"]
    assert ws.freeze_panes == "A2" and ws.cell(1, 1).font.bold
    header = [c.value for c in ws[1]]
    assert header == [HEADERS[c] for c in COLUMNS]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert Counter(r[header.index("Kode kabupaten/kota")] for r in rows) == {code: K for code in GORONTALO}
    title = get_column_letter(header.index("Judul inovasi") + 1)
    widths = {c: ws.column_dimensions[c].width for c in ("A", title)}
    assert widths["A"] >= len("Kode provinsi") and 20 < widths[title] <= 62  # the title column, capped
    assert [r for r in wb["81 Maluku"].iter_rows(min_row=2, values_only=True)] == []  # 81.03 has no gaps here


def test_html_report_has_every_regency_and_no_injection(run):
    summary, out = run()
    assert summary.files.count("report-75-gorontalo.html") == 1
    page = parse_html(out / "report-75-gorontalo.html")
    tags = [t for t, _ in page.tags]
    assert "script" not in tags
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    images = [a for t, a in page.tags if t == "img"]
    assert len(images) == 1 and images[0]["src"].startswith("data:image/png;base64,")  # the chart, inline
    assert not any((a.get("href") or "").startswith("http") for _, a in page.tags)  # no outside assets
    text = "".join(page.text)
    assert EVIL_TITLE in text  # shown as text, exactly as written
    ids = {a.get("id") for _, a in page.tags}
    assert {f"r{code}" for code in GORONTALO} <= ids
    rows_per_region = Counter()
    section = None
    for tag, attrs in page.tags:
        if tag == "h2" and (attrs.get("id") or "").startswith("r75."):
            section = attrs["id"][1:]
        elif tag == "strong" and section:
            rows_per_region[section] += 1
    assert rows_per_region == {code: K for code in GORONTALO}
    assert "BG4" in text and "Kesenjangan dan kebutuhan" in text and "Cadangan" in text


def test_same_inputs_same_bytes(run):
    _, a = run("a", max_visits=2)
    _, b = run("b", max_visits=2)
    assert tree(a) == tree(b)


def test_interrupted_run_resumes_to_the_same_files(run, batch_matcher):
    _, previous = run("previous", k=2)
    options = {"max_visits": 3, "previous": previous, "plans": True}
    batch_matcher.decisions.add("75.02", "EVIL-1", "shortlisted")
    _, whole = run("whole", **options)

    def stop_after_three(done, total, code):
        assert total == len(GORONTALO)
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run("cut", progress_callback=stop_after_three, **options)
    cut = whole.parent / "cut"
    assert sorted(p.name for p in (cut / "parts").iterdir()) == [f"{c}.json" for c in GORONTALO[:3]]
    assert not (cut / "recommendations.csv").exists()
    summary, _ = run("cut", **options)
    assert (summary.reused, summary.computed) == (3, 3)
    assert tree(cut) == tree(whole)
    assert "plans/75.02_EVIL-1.docx" in tree(whole) and "changes.csv" in tree(whole)


def test_a_changed_gap_recomputes_only_its_regency(run, batch_matcher):
    def stop_at_the_end(done, total, code):
        if done == total:  # every part on disk, the final files not yet written
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run("out", progress_callback=stop_at_the_end)
    gap = batch_matcher.gaps("75.04")[0]
    batch_matcher.save_gaps([gap.__class__(gap.id, gap.region_code, "Sampah plastik menumpuk di pasar.")])
    summary, out = run("out")
    assert (summary.computed, summary.reused) == (1, 5)
    top = [r for r in read_csv(out / "recommendations.csv") if r["region_code"] == "75.04"][0]
    assert top["innovation_id"] == "M4"


@pytest.mark.parametrize(("setting", "value", "reused"), [("recommendation_cache_size", 7, 3), ("batch_size", 4, 3),
                                                        ("mmr_lambda", 0.5, 0), ("prior_maturity", 0.3, 0)])
def test_only_settings_that_change_rankings_make_saved_parts_stale(batch_matcher, tmp_path, setting, value, reused):
    """The staleness key derives from each setting's declared scope: an operational setting (cache size, encoder
    batch size) keeps the saved parts of an interrupted run, a ranking setting recomputes them."""
    out = tmp_path / "out"

    def stop_after_three(done, total, code):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(batch_matcher, GORONTALO, K, out, progress_callback=stop_after_three)
    changed = Matcher(batch_matcher.settings.model_copy(update={setting: value}), encoder=batch_matcher.encoder,
                      regions=batch_matcher.regions)
    summary = run_batch(changed, GORONTALO, K, out)
    assert (summary.reused, summary.computed) == (reused, len(GORONTALO) - reused)


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_visit_cap_is_never_exceeded_and_costs_fit(run, cap):
    free, _ = run("free")
    summary, out = run(f"cap{cap}", max_visits=cap)
    rows = read_csv(out / "recommendations.csv")
    load = Counter(r["innovation_id"] for r in rows)
    assert max(load.values()) <= cap
    assert summary.fit_uncapped == pytest.approx(free.fit_uncapped)
    assert summary.fit_capped <= summary.fit_uncapped + 1e-9 and summary.fit_cost >= 0
    slots = len(GORONTALO) * K
    assert summary.rows == min(slots, 9 * cap)  # all 9 innovations are candidates of every regency
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["max_visits"] == cap and on_disk["fit_cost"] == pytest.approx(summary.fit_cost, abs=1e-6)
    alternates = read_csv(out / "alternates.csv")
    for row in alternates:
        listed = {r["innovation_id"] for r in rows if r["region_code"] == row["region_code"]}
        assert row["innovation_id"] not in listed and load[row["innovation_id"]] < cap
    if cap == 3:  # room left: every regency gets alternates
        assert {r["region_code"] for r in alternates} == set(GORONTALO)
        assert summary.shortfall == {}
    if cap == 1:
        assert summary.fit_cost > 0 and sum(summary.shortfall.values()) == slots - summary.rows


def test_a_cap_that_does_not_bind_keeps_the_lists(run):
    _, free = run("free")
    summary, capped = run("capped", max_visits=len(GORONTALO))
    assert summary.fit_cost == pytest.approx(0.0)
    keep = ("region_code", "rank", "innovation_id", "score")
    assert [[r[c] for c in keep] for r in read_csv(free / "recommendations.csv")] == \
           [[r[c] for c in keep] for r in read_csv(capped / "recommendations.csv")]


def test_each_province_is_its_own_round_unless_the_run_is():
    from matcher.batch.run import _assign

    both_want_x = {"75.01": [("x", 3.0), ("y", 1.0)], "81.01": [("x", 3.0), ("y", 1.0)]}
    per_province = _assign(both_want_x, 1, 1, "province", 1)
    assert per_province.chosen == {"75.01": ["x"], "81.01": ["x"]} and per_province.cost == 0
    joint = _assign(both_want_x, 1, 1, "run", 1)
    assert sorted(joint.chosen.values()) == [["x"], ["y"]] and joint.cost == pytest.approx(2.0)


def test_one_province_same_result_in_either_scope(run):
    province, _ = run("province", max_visits=1)
    whole, _ = run("whole", max_visits=1, cap_scope="run")
    assert province.fit_capped == pytest.approx(whole.fit_capped) and province.cap_scope == "province"
    with pytest.raises(ConfigError, match="cap scope"):
        run("bad", max_visits=1, cap_scope="country")


def test_changes_since_a_previous_run(run, tmp_path):
    _, first = run("first")
    rows = read_csv(first / "recommendations.csv")
    mine = [r for r in rows if r["region_code"] == "75.01"]
    mine[0]["innovation_id"], mine[1]["innovation_id"] = mine[1]["innovation_id"], mine[0]["innovation_id"]
    dropped_id = mine[2]["innovation_id"]
    mine[2]["innovation_id"], mine[2]["innovation_title"] = "GONE-1", "=Inovasi lama"
    edited = tmp_path / "edited"
    edited.mkdir()
    with (edited / "recommendations.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    summary, out = run("second", previous=edited)
    changes = read_csv(out / "changes.csv")
    assert {(c["change"], c["innovation_id"]) for c in changes} == {
        ("bergeser", mine[0]["innovation_id"]), ("bergeser", mine[1]["innovation_id"]), ("baru", dropped_id),
        ("keluar", "GONE-1")}
    assert all(c["region_code"] == "75.01" for c in changes)
    assert summary.changes == {"new": 1, "dropped": 1, "moved": 2}
    assert {c["change"] for c in changes} == {"bergeser", "baru", "keluar"}  # Indonesian in the file
    text = "".join(parse_html(out / "report-75-gorontalo.html").text)
    assert "Perubahan sejak batch sebelumnya" in text and "keluar: =Inovasi lama" in text


def _rec(innovation_id: str, rank: int) -> Recommendation:
    return Recommendation(Innovation(innovation_id, innovation_id.lower(), "-"), rank, 1.0, {}, [])


def test_diff_changes_orders_and_kinds():
    rec = _rec
    previous = [PreviousRow(1, "A", "a"), PreviousRow(2, "B", "b"), PreviousRow(3, "C", "c")]
    changes = diff_changes(previous, [rec("B", 1), rec("D", 2), rec("A", 3)])
    assert [(c.kind, c.innovation_id, c.previous_rank, c.rank) for c in changes] == [
        ("moved", "B", 2, 1), ("new", "D", None, 2), ("moved", "A", 1, 3), ("dropped", "C", 3, None)]


def test_bad_arguments_are_user_errors(batch_matcher, tmp_path):
    with pytest.raises(ConfigError):
        run_batch(batch_matcher, GORONTALO, 0, tmp_path / "x")
    with pytest.raises(ConfigError):
        run_batch(batch_matcher, GORONTALO, 3, tmp_path / "x", max_visits=0)
    with pytest.raises(NotFoundError):
        run_batch(batch_matcher, ["Kabupaten Atlantis"], 3, tmp_path / "x")
    with pytest.raises(NotFoundError, match="previous"):
        run_batch(batch_matcher, GORONTALO, 3, tmp_path / "x", previous=tmp_path / "nothing")


def test_cell_and_package_helpers():
    assert [safe_cell(v) for v in ("=1+1", "+62", "-x", "@A1", "ok", -1.5, None)] == \
           ["'=1+1", "'+62", "'-x", "'@A1", "ok", -1.5, None]
    assert unsafe_cell("'=1+1") == "=1+1" and unsafe_cell("'quoted") == "'quoted"

    def book(created: datetime, when: tuple[int, ...]) -> bytes:
        """The same workbook saved at another time: other core dates, other ZIP entry times."""
        wb = Workbook()
        wb.properties.created = created
        buf, out = io.BytesIO(), io.BytesIO()
        wb.save(buf)
        with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                dst.writestr(zipfile.ZipInfo(item.filename, date_time=when), src.read(item.filename))
        return out.getvalue()

    early, late = book(datetime(2001, 1, 1), (2001, 1, 1, 0, 0, 0)), book(datetime(2024, 5, 6), (2024, 5, 6, 7, 8, 10))
    assert early != late and stable_ooxml(early) == stable_ooxml(late)
    assert load_workbook(io.BytesIO(stable_ooxml(late))).active is not None


def test_cli_batch_end_to_end(batch_matcher, tmp_path):
    home, out = batch_matcher.settings.home, tmp_path / "cli"
    done = _cli(["batch", "--province", "Gorontalo", "--k", "3", "--out", str(out), "--quiet",
                 "--max-visits-per-innovation", "2"], home)
    assert done.returncode == 0, done.stderr
    assert "18 recommendations for 6 of 6 regencies" in done.stdout and "the cap costs" in done.stdout
    assert not (out / "parts").exists()  # internal, removed once the run completed
    again = _cli(["batch", "--province", "75", "--k", "3", "--out", str(out), "--quiet",
                  "--max-visits-per-innovation", "2"], home)
    assert "computed 6, resumed 0" in again.stdout
    listing = tmp_path / "regions.txt"
    listing.write_text("# two regencies\nKota Gorontalo\n\n75.02\n", encoding="utf-8")
    some = _cli(["batch", "--regions", str(listing), "--k", "2", "--out", str(tmp_path / "some"), "--quiet"], home)
    assert some.returncode == 0 and "4 recommendations for 2 of 2 regencies" in some.stdout
    for bad in (["--province", "Atlantis"], ["--regions", str(tmp_path / "none.txt")],
                ["--all", "--max-visits-per-innovation", "0"]):
        failed = _cli(["batch", *bad, "--out", str(tmp_path / "bad")], home)
        assert failed.returncode == 2 and len(failed.stderr.strip().splitlines()) == 1, failed.stderr
    everything = _cli(["batch", "--all", "--k", "1", "--out", str(tmp_path / "all"), "--quiet"], home)
    assert everything.returncode == 0 and "6 recommendations for 6 of 6 regencies" in everything.stdout
