"""FAISS index against NumPy brute force (the oracle), with odd sizes, filters, upserts and deletes."""

import numpy as np
import pytest

from matcher.engine.vectors import VectorIndex, ivf_lists, kind_for_size
from matcher.errors import StoreError


def _unit(rng, n, d):
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _brute(queries, ids, vectors, k):
    scores = queries @ vectors.T
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, order, axis=1), ids[order]


@pytest.mark.parametrize("n,d,k", [(1, 8, 1), (37, 16, 5), (501, 32, 17), (1000, 384, 100)])
def test_search_matches_brute_force(n, d, k):
    rng = np.random.default_rng(n)
    vectors, queries = _unit(rng, n, d), _unit(rng, 7, d)
    ids = rng.choice(10 * n + 10, size=n, replace=False).astype(np.int64)
    index = VectorIndex(d).upsert(ids, vectors)
    scores, got = index.search(queries, k)
    want_scores, want_ids = _brute(queries, ids, vectors, min(k, n))
    np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-5)
    # ids agree wherever scores are not tied
    assert (got == want_ids).mean() > 0.99


def test_filtered_search_returns_k_allowed_results():
    rng = np.random.default_rng(0)
    vectors, query = _unit(rng, 300, 16), _unit(rng, 1, 16)
    ids = np.arange(300, dtype=np.int64)
    index = VectorIndex(16).upsert(ids, vectors)
    allowed = ids[ids % 7 == 0]  # 43 ids
    scores, got = index.search(query, 10, allowed=allowed)
    assert set(got[0]) <= set(allowed) and len(set(got[0])) == 10
    want_scores, want_ids = _brute(query, allowed, vectors[allowed], 10)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-5)


def test_upsert_replaces_and_remove_deletes():
    rng = np.random.default_rng(1)
    vectors = _unit(rng, 50, 8)
    index = VectorIndex(8).upsert(np.arange(50), vectors)
    target = _unit(rng, 1, 8)
    index.upsert(np.array([7]), target)  # replace vector of id 7
    assert len(index) == 50
    _, got = index.search(target, 1)
    assert got[0, 0] == 7
    np.testing.assert_allclose(index.vectors(np.array([7]))[0], target[0], atol=1e-6)
    assert index.remove(np.array([7, 999])) == 1
    assert len(index) == 49 and 7 not in set(index.ids)
    _, got = index.search(target, 49)
    assert 7 not in set(got[0])


def test_save_load_round_trip_is_atomic(tmp_path):
    rng = np.random.default_rng(2)
    vectors = _unit(rng, 20, 8)
    index = VectorIndex(8).upsert(np.arange(100, 120), vectors)
    path = tmp_path / "v.faiss"
    index.save(path)
    assert not (tmp_path / "v.faiss.tmp").exists()
    loaded = VectorIndex.load(path)
    q = _unit(rng, 3, 8)
    np.testing.assert_array_equal(loaded.search(q, 5)[1], index.search(q, 5)[1])
    assert loaded.dim == 8 and len(loaded) == 20


def test_empty_index_and_missing_file(tmp_path):
    index = VectorIndex(4)
    scores, ids = index.search(np.ones((1, 4), np.float32), 3)
    assert ids[0, 0] == -1 and np.isneginf(scores[0, 0])
    with pytest.raises(StoreError, match="matcher index"):
        VectorIndex.load(tmp_path / "nope.faiss")


def test_rejects_wrong_dimension():
    with pytest.raises(ValueError, match="shape"):
        VectorIndex(4).upsert(np.arange(2), np.ones((2, 5), np.float32))


def _clustered(rng, n, d, centers=50):
    c = rng.standard_normal((centers, d)).astype(np.float32)
    x = c[rng.integers(0, centers, n)] + 0.5 * rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_ivf_recall_against_brute_force_and_updates(tmp_path):
    rng = np.random.default_rng(7)
    vectors, queries = _clustered(rng, 4000, 32), _clustered(rng, 50, 32)
    ids = np.arange(4000, dtype=np.int64) * 3
    index = VectorIndex(32, kind="ivf", nlist=ivf_lists(4000), nprobe=16).upsert(ids, vectors)
    _, got = index.search(queries, 10)
    _, want = _brute(queries, ids, vectors, 10)
    recall = np.mean([len(set(g) & set(w)) / 10 for g, w in zip(got, want, strict=True)])
    assert recall >= 0.95
    # filtered, updated, removed, saved and loaded like the exact index
    allowed = ids[ids % 2 == 0]
    assert set(index.search(queries[:5], 10, allowed=allowed)[1].ravel()) <= set(allowed)
    index.upsert(ids[:1], queries[:1])
    assert index.search(queries[:1], 1)[1][0, 0] == ids[0]
    assert index.remove(ids[:2]) == 2 and len(index) == 3998 and ids[0] not in set(index.ids)
    index.save(tmp_path / "ivf.faiss")
    loaded = VectorIndex.load(tmp_path / "ivf.faiss", nprobe=16)
    assert loaded.kind == "ivf" and len(loaded) == 3998
    np.testing.assert_allclose(loaded.vectors(ids[5:6])[0], vectors[5], atol=1e-6)


def test_index_kind_follows_corpus_size():
    assert kind_for_size(10_000, ann_threshold=200_000) == "flat"
    assert kind_for_size(1_000_000, ann_threshold=200_000) == "ivf"
    assert ivf_lists(1_000_000) == 4000
