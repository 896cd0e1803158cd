"""A loaded generation's dense scores: every catalogue position's cosine, the same bits however they are computed;
its BM25 scores in catalogue order, whatever order the lexical index holds the innovations in."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.engine.bm25 import LexicalIndex
from matcher.engine.catalog import Catalog
from matcher.engine.generation import Generation, is_identity
from matcher.engine.vectors import VectorIndex


def _generation(mini, vectors: np.ndarray, order: np.ndarray) -> Generation:
    """A generation over ``len(vectors)`` catalogue positions (the mini innovations, repeated), whose exact index
    received the vectors in ``order``: its matrix rows are then not the catalogue positions."""
    n = len(vectors)
    catalog = Catalog(np.arange(100, 100 + n), [mini[0][i % len(mini[0])] for i in range(n)])
    index = VectorIndex(vectors.shape[1]).upsert(catalog.rids[order], vectors[order])
    generation = Generation("g1", {}, catalog, index, None, np.arange(n), vectors.mean(axis=0),  # type: ignore[arg-type]
                            np.eye(vectors.shape[1]))
    generation.attach_matrix()
    return generation


@pytest.mark.parametrize("shuffled", [False, True])
def test_dense_scores_are_the_same_bits_in_any_block_and_for_one_query(mini, shuffled):
    rng = np.random.default_rng(7)
    n, dim = 2053, 48  # rows that no block size divides
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    order = rng.permutation(n) if shuffled else np.arange(n)
    g = _generation(mini, vectors, order)
    assert g.rows_in_order is not shuffled
    queries = vectors[[5, 900, 2052]] * 0.5 + rng.standard_normal((3, dim)).astype(np.float32) * 0.1
    scores = g.dense_scores(queries)
    assert scores.shape == (3, n)
    assert np.allclose(scores, queries @ vectors.T, atol=1e-5)  # catalogue order, whatever the index order
    for block in (dim * 64, dim * 100, dim * 512, dim * 2048):  # 64, 64, 512 and 2,048 rows a step
        assert np.array_equal(g.dense_scores(queries, block=block), scores)
    # one query is one product over the whole matrix: the same bits again
    assert all(np.array_equal(g.dense_scores(q[None, :])[0], scores[i]) for i, q in enumerate(queries))
    assert np.array_equal(g.vectors_at(np.array([0, 7, n - 1])), vectors[[0, 7, n - 1]])


@pytest.mark.parametrize("shuffled", [False, True])
def test_lexical_scores_come_in_catalogue_order_whatever_the_index_order(mini, shuffled):
    rng = np.random.default_rng(3)
    n = 300
    terms = [[f"t{j}" for j in rng.integers(0, 40, size=rng.integers(1, 12))] for _ in range(n)]
    catalog = Catalog(np.arange(100, 100 + n), [mini[0][i % len(mini[0])] for i in range(n)])
    order = rng.permutation(n) if shuffled else np.arange(n)
    lexical = LexicalIndex().build(catalog.rids[order], [terms[i] for i in order])
    lexical_pos = np.array([lexical.position_[int(r)] for r in catalog.rids], dtype=np.int64)
    g = Generation("g1", {}, catalog, None, lexical, lexical_pos, np.zeros(4), np.eye(4))  # type: ignore[arg-type]
    assert g.lexical_in_order is not shuffled
    in_order = LexicalIndex().build(catalog.rids, terms)  # the same scores, indexed in catalogue order
    for query in (["t1"], ["t2", "t3", "t3"], ["t39", "nope"], ["nope"]):
        assert np.array_equal(g.lexical_scores(query), in_order.scores(query)), query
    assert not is_identity(np.arange(3), 4) and not is_identity(np.array([0, 2, 1]), 3) and is_identity(np.arange(0), 0)
