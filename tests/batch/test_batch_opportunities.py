"""The opportunity map in the meeting pack: opportunities.csv lists exactly the gaps nothing answers well (as
``gap_fits`` ranks them), and each province report draws the map inline (offline) with its sector table.

The store is the batch store of conftest.py: gaps for the six regencies of Gorontalo (75), none in Maluku (81).
The learned ranker finds every gap of that tiny catalogue weak, so these runs band the fused score with
thresholds that split it (medium from 2.45: three of the seven gaps stay open, four are answered).
"""

from __future__ import annotations

import re

import pytest
from helpers.batch import GORONTALO, K, parse_html, read_csv

from matcher.batch.run import run_batch
from matcher.data.labels import band_label
from matcher.facade import Matcher
from matcher.recommendations.confidence import gap_fits


@pytest.fixture
def fused(batch_matcher, e5_encoder, regions) -> Matcher:
    settings = batch_matcher.settings.model_copy(update={"ranker": "fusion", "good_match": 3.0, "fair_match": 2.45})
    return Matcher(settings, encoder=e5_encoder, regions=regions)


def test_opportunities_csv_has_one_row_per_open_gap_with_its_best_candidate(fused, tmp_path):
    batch_matcher = fused
    summary = run_batch(batch_matcher, [*GORONTALO, "81.01"], K, tmp_path / "out")
    gaps = {g.id: g for g in batch_matcher.gaps()}
    fits = [f for code in GORONTALO for f in gap_fits(batch_matcher, code)]
    expected = [(gaps[f.gap_id].region_code, f.gap_id, f.innovation_id or "", band_label(f.band))
                for f in fits if not f.has_fit]
    expected.sort(key=lambda row: (row[0], gaps[row[1]].priority, row[1]))
    assert expected and len(expected) < len(fits)  # some gaps open, some answered: the file must tell them apart
    rows = read_csv(summary.out_dir / "opportunities.csv")
    assert [(r["region_code"], r["gap_id"], r["best_innovation_id"], r["best_band"]) for r in rows] == expected
    for r in rows:
        gap = gaps[r["gap_id"]]
        assert (r["province_code"], r["province_name"]) == ("75", "Gorontalo")
        assert r["region_name"] == batch_matcher.regions.get(gap.region_code).name
        assert r["gap_excerpt"] == gap.text  # short texts are whole; long ones are cut at 200 characters
        assert r["sector"] and r["best_band"] in ("lemah", "tidak ada")
    assert "opportunities.csv" in summary.files
    assert summary.by_province["75"]["open_gaps"] == len(expected) and summary.by_province["81"]["open_gaps"] == 0


def test_each_province_report_draws_its_map_inline_with_the_sector_table(batch_matcher, tmp_path, regions):
    summary = run_batch(batch_matcher, [*GORONTALO, "81.01"], K, tmp_path / "out")
    html = (summary.out_dir / summary.by_province["75"]["report"]).read_text(encoding="utf-8")
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert re.findall(r'data-code="([\d.]+)"', svg) == [r.code for r in regions.in_province("75")]
    assert sorted(re.findall(r'href="#r([\d.]+)"', svg)) == GORONTALO  # each links to its section ...
    page = parse_html(summary.out_dir / summary.by_province["75"]["report"])
    anchors = {a.get("id") for _, a in page.tags}
    assert all(f"r{code}" in anchors for code in GORONTALO)  # ... which exists
    assert "Peta peluang inovasi" in "".join(page.text) and 'class="legend"' in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # offline: nothing fetched
    maluku = (summary.out_dir / summary.by_province["81"]["report"]).read_text(encoding="utf-8")
    msvg = re.search(r"<svg .*?</svg>", maluku, re.S).group(0)
    assert msvg.count("<path") == 11 and "<a " not in msvg  # no gaps, no sections: grey and unlinked
    assert "belum ada kesenjangan tercatat (11 daerah)" in msvg
