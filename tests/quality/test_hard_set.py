"""The hard evaluation set (corpus/eval/hard_*) honours the data contract and what corpus/eval/README.md says."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest

from matcher.config import CORPUS_DIR
from matcher.data.loaders import load_gaps, load_innovations, load_qrels, load_split
from matcher.data.regions import HUB_PROVINCES

EVAL = CORPUS_DIR / "eval"
STYLES = {"symptom", "mixed", "negation", "setting", "constraint", "homonym", "nofit"}


def _tsv(name: str) -> list[dict[str, str]]:
    with (EVAL / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def hard(regions):
    return (
        load_innovations(CORPUS_DIR / "innovations.jsonl", regions),
        load_gaps(EVAL / "hard_gaps.jsonl", regions),
        load_qrels(EVAL / "hard_qrels.tsv"),
        load_split(EVAL / "hard_split.tsv"),
        {r["gap_id"]: r["style"] for r in _tsv("hard_styles.tsv")},
    )


def test_every_gap_has_one_style_and_one_split(hard):
    _, gaps, _, split, styles = hard
    ids = {g.id for g in gaps}
    assert len(gaps) >= 70 and all(g.id.startswith("HARD-") for g in gaps)
    assert set(styles) == ids == set(split)
    assert set(styles.values()) == STYLES
    assert all(n >= 10 for n in Counter(styles.values()).values())
    for style in STYLES:  # stratified: dev and test differ by at most one gap per style
        counts = Counter(split[g] for g, s in styles.items() if s == style)
        assert abs(counts["dev"] - counts["test"]) <= 1, style


def test_gaps_are_in_hub_regencies_and_do_not_reuse_bundled_ids(hard, regions):
    _, gaps, *_ = hard
    assert {g.region_code.split(".")[0] for g in gaps} == set(HUB_PROVINCES)
    bundled = {g.id for g in load_gaps(CORPUS_DIR / "gaps.jsonl", regions)}
    assert not bundled & {g.id for g in gaps}


def test_judgments_cover_exactly_the_pool(hard):
    innovations, gaps, qrels, _, _ = hard
    pool = {(r["gap_id"], r["innovation_id"]) for r in _tsv("hard_pool.tsv")}
    judged = {(j.gap_id, j.innovation_id) for j in qrels}
    assert judged == pool
    assert {i for _, i in judged} <= {inv.id for inv in innovations}
    assert {g for g, _ in judged} == {g.id for g in gaps}
    sources = {(r["gap_id"], r["innovation_id"]) for r in _tsv("hard_pool_sources.tsv")}
    assert sources == pool


def test_no_fit_gaps_have_no_useful_answer_and_the_others_do(hard):
    _, _, qrels, _, styles = hard
    best: dict[str, int] = defaultdict(int)
    for j in qrels:
        best[j.gap_id] = max(best[j.gap_id], j.relevance)
    assert all(best[g] <= 1 for g, s in styles.items() if s == "nofit")
    answerable = [g for g, s in styles.items() if s != "nofit"]
    assert sum(best[g] >= 2 for g in answerable) >= 0.9 * len(answerable)


def test_stopped_innovations_are_never_graded_above_1(hard):
    innovations, _, qrels, _, _ = hard
    stopped = {inv.id for inv in innovations if inv.metadata.get("status") == "berhenti"}
    assert all(j.relevance <= 1 for j in qrels if j.innovation_id in stopped)
