"""Opportunities (gaps nothing answers well) per regency and sector, and the SVG map drawn from them.

Small readable inputs: three Gorontalo regencies with hand-made fits, so every count can be checked by eye. One
slow test ranks the mini corpus for real (``opportunities`` on a store).
"""

from __future__ import annotations

import re

import pytest

from matcher.data.boundaries import load_boundaries
from matcher.data.records import Gap
from matcher.recommendations.confidence import GapFit
from matcher.recommendations.opportunities import (
    COVERAGE,
    OPEN_GAPS,
    hub_summary,
    opportunities,
    province_opportunities,
)
from matcher.recommendations.opportunity_map import bin_of, bins, opportunity_map


def _gap(gid: str, code: str, sector: str | None, priority: int = 2) -> Gap:
    return Gap(gid, code, f"teks {gid}", sector, priority)


def _fit(gid: str, band: str | None) -> GapFit:
    return GapFit(gid, None if band is None else 1.0, band, None, None if band is None else "INO-1",
                  None if band is None else "Inovasi satu")


@pytest.fixture
def gorontalo(regions):
    inputs = {  # 75.01 two open of three, 75.02 all answered, 75.71 one gap with no candidate at all
        "75.01": ([_gap("a", "75.01", "kesehatan"), _gap("b", "75.01", "kesehatan", 1), _gap("c", "75.01", None)],
                  [_fit("a", "strong"), _fit("b", "weak"), _fit("c", "weak")]),
        "75.02": ([_gap("d", "75.02", "pendidikan")], [_fit("d", "medium")]),
        "75.71": ([_gap("e", "75.71", "kesehatan")], [_fit("e", None)]),
    }
    return province_opportunities(regions.province("75"), regions.in_province("75"), inputs)


def test_open_gaps_coverage_and_sectors_per_regency(gorontalo, regions):
    assert [a.code for a in gorontalo.areas] == [r.code for r in regions.in_province("75")]  # all six drawn
    by_code = {a.code: a for a in gorontalo.areas}
    assert (by_code["75.01"].gaps, by_code["75.01"].open_gaps) == (3, 2)
    assert by_code["75.01"].coverage == pytest.approx(1 / 3)
    assert by_code["75.02"].coverage == 1.0 and by_code["75.71"].coverage == 0.0
    assert by_code["75.03"].gaps == 0 and by_code["75.03"].coverage is None
    assert (gorontalo.gaps, gorontalo.open_gaps) == (5, 3)
    assert [g.gap.id for g in gorontalo.open] == ["b", "c", "e"]  # by regency, then priority
    assert [(s.sector, s.gaps, s.open_gaps, s.region_codes) for s in gorontalo.sectors] == [
        ("kesehatan", 3, 2, ("75.01", "75.71")), (None, 1, 1, ("75.01",)), ("pendidikan", 1, 0, ())]
    metrics = gorontalo.metrics
    assert metrics["open_gaps"]["75.01"] == 2 and metrics["open_gaps"]["75.03"] is None
    assert metrics["coverage"]["75.02"] == 1.0


def test_a_further_measure_joins_with_one_line(gorontalo):
    with_progress = gorontalo.with_metric("progress", {"75.01": 0.5, "99.99": 1.0})
    assert [m.name for m in with_progress.measures] == ["open_gaps", "coverage", "progress"]
    assert with_progress.metrics["progress"]["75.01"] == 0.5
    assert with_progress.metrics["progress"]["75.02"] is None and "99.99" not in with_progress.metrics["progress"]
    svg = opportunity_map(with_progress, load_boundaries(), "progress")
    assert 'data-measure="progress"' in svg and "Kemajuan replikasi" in svg
    with pytest.raises(ValueError, match="open_gaps, coverage"):
        opportunity_map(gorontalo, load_boundaries(), "progress")


def test_the_map_has_one_linked_shape_per_regency_with_its_value_in_words_and_a_legend(gorontalo, regions):
    svg = opportunity_map(gorontalo, load_boundaries(), "open_gaps", href=lambda c: f"#{c}")
    assert svg.startswith("<svg") and svg.count("<path") == 6
    assert re.findall(r'data-code="([\d.]+)"', svg) == [r.code for r in regions.in_province("75")]
    assert svg.count('<a href="#') == 6
    name = regions.get("75.01").name
    assert f'aria-label="{name}: 2 dari 3 kesenjangan belum ada inovasi yang cocok"' in svg
    assert f"{regions.get('75.03').name}: belum ada kesenjangan tercatat" in svg
    legend = re.findall(r'<g class="legend-item">.*?<text[^>]*>([^<]*)</text></g>', svg)
    assert legend == ["0 (1 daerah)", "1 (1 daerah)", "2 (1 daerah)", "belum ada kesenjangan tercatat (3 daerah)"]
    coverage = opportunity_map(gorontalo, load_boundaries(), "coverage")
    assert "<a " not in coverage  # no links without href
    assert "cakupan 33%" in coverage and "80–100% (1 daerah)" in coverage


def test_text_in_the_map_is_escaped(regions):
    from dataclasses import replace

    p = replace(regions.province("75"), name='<script>alert(1)</script> & "x"')
    svg = opportunity_map(province_opportunities(p, regions.in_province("75"), {}), load_boundaries())
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_colour_classes_count_exactly_when_few_and_in_ranges_when_many():
    few = bins(OPEN_GAPS, [0, 2, None])
    assert [b.label for b in few] == ["0", "1", "2"]
    many = bins(OPEN_GAPS, [0, 9])
    assert [b.label for b in many] == ["0", "1–3", "4–6", "7–9"]
    assert [bin_of(many, v).label for v in (0, 1, 3, 4, 9)] == ["0", "1–3", "1–3", "4–6", "7–9"]
    assert bin_of(many, None) is None
    shares = bins(COVERAGE, [0.5])
    assert [bin_of(shares, v).label for v in (0.0, 0.2, 0.999, 1.0)] == ["0–19%", "20–39%", "80–100%", "80–100%"]
    assert len({b.colour for b in shares}) == 5


def test_the_national_view_sums_provinces(gorontalo, regions):
    empty = province_opportunities(regions.province("81"), regions.in_province("81"), {})
    national = hub_summary([gorontalo, empty])
    assert [(a.code, a.gaps, a.open_gaps) for a in national.areas] == [("75", 5, 3), ("81", 0, 0)]
    assert [(s.sector, s.open_gaps, s.region_codes) for s in national.sectors][0] == ("kesehatan", 2, ("75",))
    assert national.metrics["coverage"] == {"75": pytest.approx(0.4), "81": None}
    members = {"75": [r.code for r in regions.in_province("75")], "81": [r.code for r in regions.in_province("81")]}
    svg = opportunity_map(national, load_boundaries(), href=lambda c: f"#peta/{c}", unit="provinsi", members=members)
    assert svg.count("<path") == 2 and 'href="#peta/81"' in svg and "(1 provinsi)" in svg


def test_opportunities_from_a_real_ranking_agree_with_gap_fits(mini_matcher):
    from matcher.recommendations.confidence import gap_fits

    mini_matcher.save_gaps([Gap("MG-bridge", "81.03", "Jembatan gantung antardusun putus diterjang banjir bandang, "
                                "anak sekolah menyeberang sungai", "infrastruktur_transportasi", 1)])
    found = opportunities(mini_matcher, "Maluku")
    assert len(found.areas) == 11 and [a.code for a in found.areas if a.gaps] == ["81.03"]
    fits = gap_fits(mini_matcher, "81.03")
    assert len(fits) == 2
    assert [g.gap.id for g in found.open] == [f.gap_id for f in fits if not f.has_fit]
    assert found.areas[[a.code for a in found.areas].index("81.03")].open_gaps == len(found.open)
    for g in found.open:
        assert g.fit.band in ("weak", None) and (g.fit.innovation_id is None) == (g.fit.band is None)
