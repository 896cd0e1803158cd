"""Regency recommendations on the real engine: aggregation, priors, exclusions, coverage and diversity."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher.data.loaders import Gap
from matcher.engine.catalog import Filters
from matcher.facade import Matcher
from matcher.recommendations.confidence import gap_fits
from matcher.recommendations.inputs import RegencyInputs
from matcher.recommendations.regency import (
    RecommendOptions,
    _mmr,
    recommend,
    recommend_many,
    recommend_with_fits,
    regency_inputs,
    weighted_by_priority,
)


def _ids(recs):
    return [r.innovation.id for r in recs]


def test_recommend_is_recommend_many_of_one(mini_matcher):
    assert _ids(recommend(mini_matcher, "81.03", k=4)) == _ids(recommend_many(mini_matcher, ["81.03"], k=4)[0])


def test_recommendations_explain_themselves(mini_matcher):
    recs = recommend(mini_matcher, "Kabupaten Kepulauan Tanimbar", k=3)
    assert recs[0].innovation.id == "M1"  # the boat referral answers the island maternal-health gap
    top = recs[0]
    assert set(top.parts) == {"relevance", "maturity", "recognition", "proximity", "similarity", "peers"}
    assert top.parts["peers"] == 0.0 and top.peers is None  # no similar regency has a history yet
    assert top.score == pytest.approx(sum(top.parts.values()), abs=1e-4)
    assert top.gaps[0].gap_id == "MG1" and top.gaps[0].matched_terms
    assert top.distance_km is not None and top.distance_km > 0
    assert top.parts["recognition"] > 0  # M1 is a Top 45 winner
    assert [r.rank for r in recs] == [1, 2, 3]


def test_own_and_replicated_innovations_are_excluded(mini_matcher):
    mini_matcher.save_gaps([Gap("MG9", "73.71", "Bayi baru lahir belum punya akta kelahiran dan KIA.", priority=1)])
    assert "M3" not in _ids(recommend(mini_matcher, "73.71", k=8))  # Makassar's own innovation
    assert "M3" in _ids(recommend(mini_matcher, "73.72", k=8))
    mini_matcher.decisions.add("73.72", "M3", "replicated", note="sudah jalan", who="tester")
    assert "M3" not in _ids(recommend(mini_matcher, "73.72", k=8))


def test_gap_changes_take_effect_without_reindexing(mini_matcher):
    generation = mini_matcher.manifest["generation"]
    assert recommend(mini_matcher, "33.72", k=1)[0].innovation.id == "M4"
    mini_matcher.save_gaps([Gap("MG3", "33.72", "Warga mengadu lewat WhatsApp tapi OPD lambat menindaklanjuti.")])
    assert recommend(mini_matcher, "33.72", k=1)[0].innovation.id == "M6"
    mini_matcher.delete_gap("MG3")
    assert recommend(mini_matcher, "33.72", k=3) == []
    assert mini_matcher.manifest["generation"] == generation


def test_high_priority_gaps_are_represented(mini_matcher):
    mini_matcher.save_gaps([
        Gap("P1", "35.73", "Sampah plastik sekolah menumpuk dan siswa tidak memilah sampah.", priority=3),
        Gap("P2", "35.73", "Ibu hamil di desa terpencil melahirkan jauh dari rumah sakit, perlu tempat singgah.",
            priority=1),
    ])
    options = RecommendOptions(good_match=0.0)  # with fused scores, any candidate counts as good here
    fused = Matcher(mini_matcher.settings.model_copy(update={"ranker": "fusion"}), encoder=mini_matcher.encoder,
                    regions=mini_matcher.regions)
    recs = recommend(fused, "35.73", k=1, options=options)
    assert recs[0].gaps[0].gap_id == "P2"


def test_a_lower_priority_never_lifts_a_match_whatever_the_sign_of_its_score(mini_matcher):
    """The learned ranker's logits are mostly negative: weighting them like fused scores lifted the answers of a
    priority-3 gap above the same answers to a priority-1 gap."""
    text = "Ibu hamil di desa terpencil melahirkan jauh dari rumah sakit, perlu tempat singgah."
    relevance = {}
    for priority in (1, 3):
        mini_matcher.save_gaps([Gap("PX", "35.73", text, priority=priority)])
        recs = recommend(mini_matcher, "35.73", k=6)
        assert recs and recs[0].band is not None  # ranked by the learned ranker
        relevance[priority] = {r.innovation.id: r.parts["relevance"] for r in recs}
    assert any(v < 0 for v in relevance[1].values())  # the case the old weighting got wrong
    shared = relevance[1].keys() & relevance[3].keys()
    assert len(shared) >= 4
    assert all(relevance[3][i] < relevance[1][i] for i in shared if relevance[1][i] != 0)


@pytest.mark.parametrize("score", [-3.0, -0.2, 0.0, 0.4, 5.0])
def test_priority_weighting_shrinks_or_lowers_a_score(score):
    assert weighted_by_priority(score, 1.0) == score
    assert weighted_by_priority(score, 0.6) <= weighted_by_priority(score, 0.8) <= score


def test_mmr_prefers_variety_among_near_duplicates():
    vectors = np.array([[1.0, 0.0], [0.999, 0.045], [0.0, 1.0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = np.array([1.0, 0.99, 0.8])
    assert sorted(_mmr(scores, vectors, 2, lam=0.6, must=[])) == [0, 2]
    assert sorted(_mmr(scores, vectors, 2, lam=1.0, must=[])) == [0, 1]  # no diversification
    assert 1 in _mmr(scores, vectors, 2, lam=0.6, must=[1])


def test_regions_without_gaps_get_nothing(mini_matcher):
    assert recommend_many(mini_matcher, ["11.01", "81.03"], k=2)[0] == []


@pytest.mark.parametrize("candidates", [100, 2])  # 2: a list of 4 ranks deeper than a gap's best candidate
def test_a_list_with_its_fits_is_the_list_and_the_fits_from_one_ranking(mini_matcher, candidates):
    m = Matcher(mini_matcher.settings.model_copy(update={"candidates": candidates}), encoder=mini_matcher.encoder,
                regions=mini_matcher.regions)
    m.decisions.add("81.03", "M1", "replicated")  # what the regency replicated stays out of both
    rankings = []
    ranked = m.match_gaps
    m.match_gaps = lambda *a, **kw: rankings.append(kw.get("k")) or ranked(*a, **kw)
    for code in ("81.03", "33.72", "11.01"):
        for filters in (None, Filters(stages=("penerapan",))):
            inputs = RegencyInputs.read(m, code)
            assert inputs.key() == regency_inputs(m, code)
            rankings.clear()
            together = recommend_with_fits(m, inputs, 4, filters)
            assert rankings == ([] if not inputs.gaps else [30] if candidates == 100 else [30, 1])
            assert together == (recommend(m, code, 4, filters), gap_fits(m, code, filters))
            assert bool(together[0]) == bool(inputs.gaps)
    assert "M1" not in {f.innovation_id for f in recommend_with_fits(m, RegencyInputs.read(m, "81.03"))[1]}


def test_a_collapsed_list_with_its_fits_is_the_collapsed_list_and_the_fits_of_every_variant(mini_matcher):
    opts = replace(RecommendOptions.from_settings(mini_matcher.settings), collapse=True)
    for code in ("81.03", "33.72"):
        inputs = RegencyInputs.read(mini_matcher, code)
        together = recommend_with_fits(mini_matcher, inputs, 4, None, opts)
        assert together == (recommend(mini_matcher, code, 4, None, opts), gap_fits(mini_matcher, code, None))
