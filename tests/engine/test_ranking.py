"""The ranking stage: stopped innovations, the sector model, the learned ranker and its calibration."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matcher.engine.catalog import Catalog, Filters
from matcher.engine.ranker import LearnedScorer, RankerModel
from matcher.engine.scoring import Features
from matcher.engine.sectors import SectorModel
from matcher.errors import StoreError
from matcher.research.training import DEFAULT_FEATURES, QueryRows, expected_calibration_error, train_ranker


def _inv(mini, i, **changes):
    return dataclasses.replace(mini[0][i], **changes)


def test_stopped_innovations_are_left_out_unless_a_filter_asks(mini):
    invs = [_inv(mini, 0, status="berhenti", status_reason="dana hibah habis"), *mini[0][1:]]
    cat = Catalog(range(len(invs)), invs)
    assert not cat.mask(None)[0] and cat.mask(None)[1:].all()
    assert not cat.mask(Filters(sectors=("kesehatan",)))[0]
    assert cat.mask(Filters(include_stopped=True)) is not None and cat.mask(Filters(include_stopped=True))[0]
    assert Catalog(range(len(mini[0])), mini[0]).mask(None) is None  # nothing stopped: no mask at all


def test_status_words_of_sources_are_understood(regions, tmp_path):
    from matcher.data.loaders import load_innovations
    from matcher.errors import ValidationError

    rows = ['{"id": "A", "title": "A", "description": "x", "status": "Berjalan"}',
            '{"id": "B", "title": "B", "description": "x", "status": "dihentikan", "status_reason": "anggaran"}',
            '{"id": "C", "title": "C", "description": "x"}']
    path = tmp_path / "inv.jsonl"
    path.write_text("\n".join(rows) + "\n")
    a, b, c = load_innovations(path, regions)
    assert (a.status, b.status, c.status) == ("aktif", "berhenti", "aktif") and b.status_reason == "anggaran"
    path.write_text('{"id": "D", "title": "D", "description": "x", "status": "rusak"}\n')
    with pytest.raises(ValidationError, match="status"):
        load_innovations(path, regions)


def test_sector_model_learns_sectors_from_vectors():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 16))
    labels = ["kesehatan", "pendidikan", "sosial_kemiskinan"]
    x = np.vstack([c + 0.3 * rng.normal(size=(40, 16)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = [labels[i // 40] for i in range(120)]
    model = SectorModel().fit(x, y)
    p = model.proba(x)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.mean([model.classes_[j] for j in p.argmax(axis=1)] == np.array(y)) > 0.95
    with pytest.raises(ValueError):
        SectorModel().fit(x, ["kesehatan"] * 120)


def _rows(seed: int, n: int = 40) -> list[QueryRows]:
    """Synthetic judged queries where relevance follows the dense z-score and the sector probability."""
    rng = np.random.default_rng(seed)
    rows = []
    for q in range(n):
        k = 30
        dense, sector_p = rng.normal(0.8, 0.05, k), rng.uniform(0, 1, k)
        lexical = np.abs(rng.normal(5, 3, k))
        signal = (dense - 0.8) / 0.05 + 2 * sector_p + rng.normal(0, 0.7, k)
        grades = np.digitize(signal, [1.0, 2.0, 3.0])
        ids = [f"q{q}-{i}" for i in range(k)]
        features = Features({"dense": dense, "lexical": lexical, "sector_p": sector_p, "sector_stated": np.zeros(k)},
                            {"dense_mean": 0.7, "dense_std": 0.05, "lexical_mean": 2.0, "lexical_std": 2.0})
        rows.append(QueryRows(f"g{q}", ids, features, grades, dict(zip(ids, grades.tolist(), strict=True))))
    return rows


def test_the_learned_ranker_is_deterministic_for_a_seed_and_learns_the_signal():
    a, b = train_ranker(_rows(1), seed=3), train_ranker(_rows(1), seed=3)
    assert a == b
    assert a.training["cv_ndcg@10"] > a.training["cv_ndcg@10_zscore"]
    weights = a.weights()
    assert weights["sector_p"] > 0 and set(weights) == set(DEFAULT_FEATURES)
    conf = a.confidence(np.array([-20.0, 0.0, 20.0]))
    assert 0.0 <= conf[0] <= conf[1] <= conf[2] <= 1.0


def test_a_ranker_trained_on_other_features_is_refused(tmp_path):
    model = train_ranker(_rows(2, 20))
    path = tmp_path / "ranker.json"
    model.save(path)
    assert RankerModel.load(path) == model
    data = path.read_text().replace('"sector_stated"', '"words_of_the_future"')
    path.write_text(data)
    with pytest.raises(StoreError, match="words_of_the_future"):
        RankerModel.load(path)
    without_sectors = Features({"dense": np.ones(3), "lexical": np.ones(3), "sector_stated": np.zeros(3)})
    with pytest.raises(StoreError, match="sector_p"):
        LearnedScorer(model).score(without_sectors)


def test_expected_calibration_error():
    assert expected_calibration_error(np.array([0.9, 0.9, 0.1, 0.1]), np.array([1, 1, 0, 0])) == pytest.approx(0.1)
    assert expected_calibration_error(np.array([0.5] * 4), np.array([1, 0, 1, 0])) == pytest.approx(0.0)


def _flip(row: QueryRows) -> QueryRows:
    """The same query with its grades turned upside down: a mentor who rejects exactly what fits."""
    grades = 3 - row.grades
    return QueryRows(row.gap_id, row.ids, row.features, grades, dict(zip(row.ids, grades.tolist(), strict=True)))


def test_learn_never_adopts_a_worse_ranker():
    from matcher.research.training import learn

    rows, seed, holdout = _rows(5, 40), 0, 0.25
    current = train_ranker(_rows(6, 40))
    held = set(np.random.default_rng(seed).permutation(len(rows))[: int(round(holdout * len(rows)))].tolist())
    poisoned = [row if i in held else _flip(row) for i, row in enumerate(rows)]  # training part only
    report = learn(poisoned, current, holdout=holdout, seed=seed)
    assert report.after < report.before and not report.adopted
    honest = learn(rows, None, holdout=holdout, seed=seed)
    assert honest.after >= honest.before and honest.adopted
