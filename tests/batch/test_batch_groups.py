"""The meeting pack shows one innovation per near-duplicate group, the others named in "Juga di"; ``--all-variants``
lists every variant. On the bundled corpus (12 groups over 26 innovations), whose lists do hold variants."""

from __future__ import annotations

from collections import Counter

import pytest
from helpers.batch import parse_html, read_csv
from helpers.cli import run as cli

from matcher.batch.results import also_in
from matcher.batch.run import run_batch
from matcher.config import CORPUS_DIR, Settings
from matcher.data.loaders import load_gaps, load_innovations
from matcher.engine.groups import GroupInfo, GroupMember
from matcher.facade import Matcher
from matcher.recommendations.regency import RecommendOptions, recommend_many


def test_also_in_names_each_other_member_with_its_region_and_counts_the_rest():
    group = GroupInfo("A1", 4, (GroupMember("A2", "Akta di Ruang Bersalin", "35.78", "aktif"),
                                GroupMember("A3", "Akta Bayi Baru Lahir", None, "berhenti")), 2)
    place = {"35.78": "Kota Surabaya", None: "nasional"}.__getitem__
    assert also_in(group, place) == ("Akta di Ruang Bersalin (Kota Surabaya); Akta Bayi Baru Lahir (nasional); "
                                     "dan 1 lainnya")
    assert also_in(None, place) is None
    assert also_in(GroupInfo("A1", 1, ()), place) is None


def test_group_info_reads_back_what_a_batch_part_stores():
    from dataclasses import asdict

    group = GroupInfo("A1", 2, (GroupMember("A2", "Judul", "35.78", "aktif"),), 1)
    assert GroupInfo.from_dict(asdict(group)) == group
    assert GroupInfo.from_dict(None) is None


@pytest.fixture(scope="module")
def bundled(tmp_path_factory, e5_encoder, regions):
    home = tmp_path_factory.mktemp("bundled-groups")
    m = Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)
    m.index(load_innovations(CORPUS_DIR / "innovations.jsonl", regions), load_gaps(CORPUS_DIR / "gaps.jsonl", regions))
    groups = m.generation.groups
    assert groups is not None and len(groups) == 12 and len(groups.group_ids()) == 26
    codes = sorted({g.region_code for g in m.gaps()})
    lists = recommend_many(m, codes, 10, options=RecommendOptions.from_settings(m.settings))  # every variant
    # regencies whose uncollapsed top 10 holds two members of one group: where collapsing shows
    doubled = [c for c, recs in zip(codes, lists, strict=True)
               if any(n > 1 for n in Counter(r.group.id for r in recs if r.group).values())]
    assert doubled, "no regency list of the bundled corpus holds two variants: nothing to collapse"
    return home, doubled[:3]


@pytest.mark.slow
def test_the_pack_shows_one_member_per_group_and_names_the_others(bundled, e5_encoder, regions, tmp_path):
    home, codes = bundled
    m = Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)
    group_of = m.generation.groups.group_ids()
    summary = run_batch(m, codes, 10, tmp_path / "pack")
    rows = read_csv(tmp_path / "pack" / "recommendations.csv")
    alternates = read_csv(tmp_path / "pack" / "alternates.csv")
    assert not summary.all_variants and {r["region_code"] for r in rows} == set(codes)
    titles = {inv.id: inv.title for inv in m.catalog.innovations}
    named = 0
    for code in codes:
        listed = [r["innovation_id"] for r in rows + alternates if r["region_code"] == code]
        in_groups = [group_of[i] for i in listed if i in group_of]
        assert len(in_groups) == len(set(in_groups)), f"{code}: two variants of one group listed"
        for r in (r for r in rows if r["region_code"] == code and r["innovation_id"] in group_of):
            others = [i for i, g in group_of.items() if g == group_of[r["innovation_id"]] and i != r["innovation_id"]]
            assert all(titles[o] in r["also_in"] for o in others), r["also_in"]
            named += 1
    assert named >= len(codes)  # every chosen regency lists at least one group, with the others named
    assert all(r["also_in"] == "" for r in rows if r["innovation_id"] not in group_of)
    one = next(r for r in rows if r["also_in"])
    report = next((tmp_path / "pack").glob(f"report-{one['province_code']}-*.html"))
    text = " ".join(parse_html(report).text)
    assert "Juga di" in text and "tampil sekali" in text
    assert one["also_in"] in text  # the cell of its row, as the CSV has it


@pytest.mark.slow
def test_all_variants_lists_them_all_through_the_cli(bundled, tmp_path):
    home, codes = bundled
    regions_file = tmp_path / "regions.txt"
    regions_file.write_text("\n".join(codes) + "\n", encoding="utf-8")
    out = tmp_path / "all"
    done = cli(["batch", "--regions", str(regions_file), "--out", str(out), "--quiet", "--all-variants"], home)
    assert done.returncode == 0, done.stderr
    rows = read_csv(out / "recommendations.csv")
    m = Matcher(Settings(home=home))
    group_of = m.generation.groups.group_ids()
    for code in codes:  # the regencies were chosen because their full lists hold two variants of one group
        groups = [group_of[r["innovation_id"]] for r in rows if r["region_code"] == code and r["innovation_id"] in group_of]
        assert len(groups) > len(set(groups)), code
    assert "Semua varian ditampilkan" in (next(out.glob("report-*.html"))).read_text(encoding="utf-8")
    assert '"all_variants": true' in (out / "summary.json").read_text(encoding="utf-8")
