"""The bundled demo corpus and evaluation set honour the data contract and the promises made about them."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from matcher.config import CORPUS_DIR
from matcher.data.loaders import SECTORS, load_gaps, load_innovations, load_qrels, load_split
from matcher.data.regions import HUB_PROVINCES


@pytest.fixture(scope="module")
def bundled(regions):
    return (
        load_innovations(CORPUS_DIR / "innovations.jsonl", regions),
        load_gaps(CORPUS_DIR / "gaps.jsonl", regions),
        load_qrels(CORPUS_DIR / "eval" / "qrels.tsv"),
        load_split(CORPUS_DIR / "eval" / "split.tsv"),
    )


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def test_innovations_cover_all_sectors_with_full_records(bundled, regions):
    innovations = bundled[0]
    assert len(innovations) >= 300
    assert set(Counter(i.sector for i in innovations)) == set(SECTORS)
    for inv in innovations:
        assert 60 <= _words(inv.description) <= 150, inv.id
        assert inv.institution and inv.year and inv.stage and inv.award and inv.digital is not None, inv.id
        assert inv.region_code is None or regions.is_valid_code(inv.region_code), inv.id
    provinces = {i.region_code.split(".")[0] for i in innovations if i.region_code}
    assert len(provinces) >= 30  # origins all over Indonesia


def test_gaps_spread_over_hub_regencies(bundled, regions):
    gaps = bundled[1]
    assert len(gaps) >= 150
    assert all(g.region_code.split(".")[0] in HUB_PROVINCES for g in gaps)
    assert {g.region_code.split(".")[0] for g in gaps} == set(HUB_PROVINCES)
    assert len({g.region_code for g in gaps}) >= 50
    assert all(30 <= _words(g.text) <= 90 for g in gaps)
    no_sector = sum(g.sector is None for g in gaps) / len(gaps)
    assert 0.15 <= no_sector <= 0.3


def test_qrels_reference_existing_records_and_are_well_formed(bundled):
    innovations, gaps, qrels, split = bundled
    inv_ids, gap_ids = {i.id for i in innovations}, {g.id for g in gaps}
    assert all(j.innovation_id in inv_ids and j.gap_id in gap_ids for j in qrels)
    per_gap = Counter(j.gap_id for j in qrels)
    assert len(per_gap) >= 80 and all(n >= 2 for n in per_gap.values())
    best = {g: max(j.relevance for j in qrels if j.gap_id == g) for g in per_gap}
    assert sum(b == 3 for b in best.values()) / len(best) > 0.75  # most judged gaps have a perfect answer
    assert sum(b <= 1 for b in best.values()) >= 0.05 * len(best)  # some have no good answer at all
    assert len({(j.gap_id, j.innovation_id) for j in qrels}) == len(qrels)


def test_split_partitions_the_judged_gaps(bundled):
    _, gaps, qrels, split = bundled
    judged = {j.gap_id for j in qrels}
    assert judged <= set(split) <= {g.id for g in gaps}
    counts = Counter(split[g] for g in judged)
    assert counts["dev"] >= 40 and counts["test"] >= 40
