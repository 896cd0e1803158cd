"""`matcher learn` with simulated mentors, on a real store (SQLite + FAISS) built from the bundled corpus.

The store starts with a ranker trained on the hard set's dev judgments only. Half of the team set's dev
regencies (those without test gaps) are the mentors' regencies: their judgments are never given to `learn`;
the mentors read each regency's top 10 and shortlist what the judgments call relevant and reject what they
call not relevant (unjudged items are left alone). `learn` then retrains from the hard dev judgments and the
stored decisions. Held-out regency nDCG@10 is measured with the full judgments of those regencies, and of the
team test split, which nothing here has seen.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from helpers.cli import run

from matcher.config import CORPUS_DIR, Settings
from matcher.data.loaders import load_gaps, load_innovations, load_qrels, load_split
from matcher.facade import QUERY, Matcher
from matcher.recommendations.regency import recommend_many
from matcher.research.evaluation import RELEVANT, evaluate_regions, judged_gaps
from matcher.research.training import collect, train_ranker

pytestmark = pytest.mark.slow
EVAL = CORPUS_DIR / "eval"
HARD_DEV = ["--gaps", str(EVAL / "hard_gaps.jsonl"), "--qrels", str(EVAL / "hard_qrels.tsv"), "--split", "dev",
            "--split-file", str(EVAL / "hard_split.tsv")]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory, e5_encoder, regions):
    """The bundled catalogue and team gaps, indexed, with the hard-dev-only ranker; the hard gaps' vectors cached."""
    innovations = load_innovations(CORPUS_DIR / "innovations.jsonl", regions)
    gaps = load_gaps(CORPUS_DIR / "gaps.jsonl", regions)
    hard = load_gaps(EVAL / "hard_gaps.jsonl", regions)
    home = tmp_path_factory.mktemp("learn") / "home"
    m = Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)
    m.index(innovations, gaps)
    m.embedder.embed([g.text for g in hard], QUERY)  # so the CLI below embeds nothing
    split = load_split(EVAL / "hard_split.tsv")
    hard_dev = {g: js for g, js in judged_gaps(hard, innovations, load_qrels(EVAL / "hard_qrels.tsv")).items()
                if split[g] == "dev"}
    start = home.parent / "start.json"
    train_ranker(collect(m, hard, hard_dev)).save(start)
    m.index(replace=False, ranker=start)
    return home, innovations, gaps


def _mentor_regencies(gaps, judged, split) -> tuple[list[str], set[str]]:
    """Half of the dev regencies without test gaps (seeded), and the test gaps."""
    regions: dict[str, list[str]] = {}
    for g in gaps:
        regions.setdefault(g.region_code, []).append(g.id)
    dev_only = sorted(r for r, ids in regions.items()
                      if all(split.get(i) == "dev" for i in ids) and any(i in judged for i in ids))
    order = np.random.default_rng(0).permutation(len(dev_only))
    return sorted(dev_only[i] for i in order[: len(dev_only) // 2]), {g for g, s in split.items() if s == "test"}


def _decide(m: Matcher, regencies: list[str], gaps, judged, perverse: bool = False) -> int:
    """Mentors decide on each regency's top 10 by its judgments (the best grade over its gaps); a perverse
    mentor shortlists what is not relevant and rejects what is."""
    best: dict[str, dict[str, int]] = {}
    for g in gaps:
        for inv_id, rel in judged.get(g.id, {}).items():
            bucket = best.setdefault(g.region_code, {})
            bucket[inv_id] = max(bucket.get(inv_id, 0), rel)
    n = 0
    for code, recs in zip(regencies, recommend_many(m, regencies, k=10), strict=True):
        for rec in recs:
            rel = best.get(code, {}).get(rec.innovation.id)
            if rel is not None:
                m.decisions.add(code, rec.innovation.id, "shortlisted" if (rel >= RELEVANT) != perverse else "rejected")
                n += 1
    return n


def _regency_ndcg(m: Matcher, innovations, gaps, qrels, gap_ids: set[str]) -> float:
    return evaluate_regions(m, gaps, innovations, qrels, k=10, gap_ids=gap_ids).ndcg


@pytest.mark.parametrize("perverse", [False, True], ids=["honest-mentors", "perverse-mentors"])
def test_mentors_decisions_teach_the_ranker_and_a_worse_one_is_never_adopted(bundled, tmp_path, e5_encoder,
                                                                            regions, perverse):
    source, innovations, gaps = bundled
    home = tmp_path / "home"
    shutil.copytree(source, home)
    m = Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)
    qrels = load_qrels(EVAL / "qrels.tsv")
    judged = judged_gaps(gaps, innovations, qrels)
    mentors, test_gaps = _mentor_regencies(gaps, judged, load_split(EVAL / "split.tsv"))
    theirs = {g.id for g in gaps if g.region_code in set(mentors)}
    before = (_regency_ndcg(m, innovations, gaps, qrels, theirs), _regency_ndcg(m, innovations, gaps, qrels, test_gaps))
    generation = m.manifest["generation"]
    assert _decide(m, mentors, gaps, judged, perverse) >= 50

    done = run(["learn", *HARD_DEV], home)
    assert done.returncode == 0, done.stderr
    assert "held-out decisions: nDCG@10" in done.stdout and "held-out judgments: nDCG@10" in done.stdout
    m = Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)
    if perverse:  # held-out judgments expose the perverse ranker: kept the current one, generation and all
        assert "kept the current ranker" in done.stdout, done.stdout
        assert m.manifest["generation"] == generation
        return
    assert "adopted the new ranker" in done.stdout, done.stdout
    assert m.manifest["generation"] != generation
    assert m.generation.ranker.training["gaps"] > 20  # judgments and decided gaps
    after = (_regency_ndcg(m, innovations, gaps, qrels, theirs), _regency_ndcg(m, innovations, gaps, qrels, test_gaps))
    assert after[0] > before[0], (before, after)  # the mentors' own regencies, judgments never trained on
    assert after[1] > before[1], (before, after)  # regencies nobody decided on
