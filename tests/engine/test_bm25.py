"""BM25 against bm25s lucene (the oracle), and incremental updates against a fresh build."""

import json

import bm25s
import numpy as np
import pytest

from matcher.engine.bm25 import LexicalIndex
from matcher.errors import StoreError


def _corpus(rng, n, n_vocab, max_len=40):
    """Zipf-like term lists of varied length, repeated terms and some empty documents."""
    vocab = [f"t{i}" for i in range(n_vocab)]
    weights = 1 / np.arange(1, n_vocab + 1)
    weights /= weights.sum()
    lengths = rng.integers(0, max_len, size=n)
    lengths[rng.random(n) < 0.1] = 0
    return [[vocab[j] for j in rng.choice(n_vocab, size=k, p=weights)] for k in lengths]


def _queries(rng, terms, count=25):
    """Queries from indexed terms, with unknown terms and repeats mixed in."""
    seen = sorted({t for doc in terms for t in doc})
    out = [["nope"], ["nope", "zilch"]]
    for _ in range(count):
        q = list(rng.choice(seen, size=rng.integers(1, 6))) if seen else []
        if rng.random() < 0.3:
            q.append("unknown")
        if q and rng.random() < 0.4:
            q += q[: rng.integers(1, len(q) + 1)]  # repeated query terms
        out.append(q)
    return out


def _oracle(terms, query, k1=1.2, b=0.75):
    retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
    retriever.index([list(t) for t in terms], show_progress=False)
    known = [t for t in query if t in retriever.vocab_dict]
    return retriever.get_scores(known) if known else np.zeros(len(terms)), retriever


def _assert_same(a: LexicalIndex, b: LexicalIndex, queries, terms_seen):
    np.testing.assert_array_equal(a.ids_, b.ids_)
    assert len(a) == len(b) and a.position_ == b.position_
    for q in queries:
        np.testing.assert_allclose(a.scores(q), b.scores(q), rtol=1e-6, atol=1e-6)
    for t in terms_seen:
        assert a.idf(t) == pytest.approx(b.idf(t), abs=1e-9)


@pytest.mark.parametrize("n,n_vocab,seed", [(1, 5, 0), (2, 3, 1), (37, 50, 2), (400, 300, 3), (1500, 2000, 4)])
def test_scores_match_bm25s_lucene(n, n_vocab, seed):
    rng = np.random.default_rng(seed)
    terms = _corpus(rng, n, n_vocab)
    if not any(terms):
        terms[0] = ["t0", "t0", "t1"]
    ids = rng.choice(10 * n + 10, size=n, replace=False)
    index = LexicalIndex().build(ids, terms)
    for q in _queries(rng, terms):
        want, retriever = _oracle(terms, q)
        got = index.scores(q)
        assert got.dtype == np.float32 and got.shape == (n,)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    for t in sorted({t for doc in terms for t in doc}):
        df = sum(t in doc for doc in terms)
        assert index.idf(t) == pytest.approx(np.log(1 + (n - df + 0.5) / (df + 0.5)), rel=1e-12)
    assert index.idf("unknown") == 0.0


@pytest.mark.parametrize("n,n_vocab,seed", [(1, 5, 0), (400, 300, 3), (3000, 400, 11)])
def test_scores_are_the_bits_of_the_sparse_product(n, n_vocab, seed):
    """``scores`` runs SciPy's kernel on each query column's postings in place; it must give, to the bit, the
    sparse product of the query's columns (rankings and fused scores depend on the last bit of ties)."""
    rng = np.random.default_rng(seed)
    terms = _corpus(rng, n, n_vocab)
    terms[0] = terms[0] or ["t0", "t1"]
    index = LexicalIndex().build(np.arange(n), terms)
    queries = _queries(rng, terms, count=60)
    assert any(len(set(q)) < len(q) for q in queries)  # repeated terms are among them
    for q in queries:
        known = [index.vocab_[t] for t in q if t in index.vocab_]
        if not known:
            assert not index.scores(q).any()
            continue
        cols, repeats = np.unique(known, return_counts=True)
        want = np.asarray(index.matrix_[:, cols] @ repeats.astype(np.float32), dtype=np.float32)
        got = index.scores(q)
        assert got.dtype == np.float32 and np.array_equal(got, want), q


@pytest.mark.parametrize("k1,b", [(0.9, 0.4), (2.0, 1.0), (1.2, 0.0)])
def test_parameters_match_bm25s(k1, b):
    rng = np.random.default_rng(5)
    terms = _corpus(rng, 120, 80)
    index = LexicalIndex(k1=k1, b=b).build(np.arange(120), terms)
    for q in _queries(rng, terms, count=10):
        np.testing.assert_allclose(index.scores(q), _oracle(terms, q, k1, b)[0], rtol=1e-5, atol=1e-5)


def test_query_finds_the_matching_innovation():
    docs = ["posyandu balita gizi", "sampah bank sampah daur ulang", "layanan kependudukan online ktp",
            "puskesmas keliling desa terpencil", "stunting balita gizi buruk pendampingan", "irigasi petani sawah"]
    index = LexicalIndex().build(np.arange(10, 16), [d.split() for d in docs])
    scores = index.scores(["stunting", "gizi"])
    assert index.ids_[int(np.argmax(scores))] == 14
    assert scores[5] == 0 and scores[0] > 0
    assert index.idf("stunting") > index.idf("gizi") > 0 and index.idf("jalan") == 0


def test_updated_equals_fresh_build():
    rng = np.random.default_rng(6)
    terms = _corpus(rng, 300, 200)
    ids = list(rng.choice(5000, size=300, replace=False))
    docs = dict(zip(ids, terms, strict=True))
    index = original = LexicalIndex().build(ids, terms)
    probes = _queries(rng, terms, count=5)
    before = [original.scores(q) for q in probes]
    rare = [t for t in {t for d in terms for t in d} if sum(t in d for d in terms) <= 2]
    steps = [
        (ids[:5], [], []),  # removals only
        ([], ids[10:13], [["t1", "t1", "baru"], [], ["t5"] * 7]),  # replacements (one now empty)
        ([], [9001, 9002], [["lain", "t0"], ["t3", "lain", "lain"]]),  # additions with new terms
        ([ids[20], 424242], [ids[21], 9003], [["t2"], ["t7", "t8"]]),  # all at once; an unknown removal
        ([i for i, d in docs.items() if set(d) & set(rare)], [], []),  # terms no document holds any more
    ]
    seen = {t for d in terms for t in d} | {"baru", "lain", "unknown"}
    for remove, add, add_terms in steps:
        index = index.updated(np.array(remove, dtype=np.int64), np.array(add, dtype=np.int64), add_terms)
        for i in [*remove, *add]:
            docs.pop(i, None)
        docs.update(zip(add, add_terms, strict=True))
        fresh = LexicalIndex().build(list(docs), list(docs.values()))
        _assert_same(index, fresh, _queries(rng, list(docs.values())), seen)
        q = ["t1", "t1", "lain", "baru"]
        np.testing.assert_allclose(index.scores(q), _oracle(list(docs.values()), q)[0], rtol=1e-5, atol=1e-5)
    assert all(index.idf(t) == 0 for t in rare)
    assert set(index.vocab_) == {t for d in docs.values() for t in d}  # absent terms left the vocabulary
    assert len(original) == 300  # updated() leaves the index it started from as it was
    assert all(np.array_equal(original.scores(q), s) for q, s in zip(probes, before, strict=True))


def test_updated_to_and_from_empty():
    index = LexicalIndex().build(np.array([1, 2]), [["a", "b"], ["b"]])
    empty = index.updated([1, 2], [], [])
    assert len(empty) == 0 and empty.scores(["a"]).shape == (0,) and empty.idf("b") == 0
    again = empty.updated([], [7], [["c", "c"]])
    _assert_same(again, LexicalIndex().build([7], [["c", "c"]]), [["c"], ["a"]], ["a", "c"])
    blank = LexicalIndex().build([3, 4], [[], []])
    np.testing.assert_array_equal(blank.scores(["a"]), np.zeros(2, np.float32))
    _assert_same(blank.updated([], [5], [["a"]]), LexicalIndex().build([3, 4, 5], [[], [], ["a"]]), [["a"]], ["a"])


def test_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(7)
    terms = _corpus(rng, 200, 120)
    terms[0] = ["kecamatan", "pelayanan", "terpadu", "é"]  # non-ASCII terms survive the JSON vocabulary
    index = LexicalIndex(k1=1.5, b=0.6).build(np.arange(1000, 1200), terms)
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert (loaded.k1, loaded.b) == (1.5, 0.6)
    queries = _queries(rng, terms) + [["é", "pelayanan"]]
    seen = {t for d in terms for t in d}
    _assert_same(loaded, index, queries, seen)
    # an update of the loaded (memory-mapped) index equals the same update in memory
    args = ([1003, 1004], [1010, 5000], [["t1", "new"], ["t2"]])
    _assert_same(loaded.updated(*args), index.updated(*args), queries, seen | {"new"})
    LexicalIndex().build([], []).save(tmp_path / "empty")
    assert len(LexicalIndex.load(tmp_path / "empty")) == 0


def test_errors(tmp_path):
    index = LexicalIndex()
    for use in (lambda: index.scores(["a"]), lambda: index.idf("a"), lambda: index.save(tmp_path / "x"),
                lambda: index.updated([], [], [])):
        with pytest.raises(StoreError, match="before it was built"):
            use()
    assert len(index) == 0
    with pytest.raises(StoreError, match="matcher index"):
        LexicalIndex.load(tmp_path / "missing")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "params.json").write_text(json.dumps({"k1": 1.2, "b": 0.75, "method": "lucene", "n": 3}))
    with pytest.raises(StoreError, match="--rebuild"):
        LexicalIndex.load(tmp_path / "old")
    LexicalIndex().build([1], [["a"]]).save(tmp_path / "cut")
    (tmp_path / "cut" / "doc_tf.npy").unlink()
    with pytest.raises(StoreError, match="incomplete"):
        LexicalIndex.load(tmp_path / "cut")
    with pytest.raises(ValueError, match="differ in length"):
        LexicalIndex().build([1, 2], [["a"]])
    with pytest.raises(ValueError, match="duplicate"):
        LexicalIndex().build([1, 1], [["a"], ["b"]])
    with pytest.raises(ValueError, match="duplicate"):
        LexicalIndex().build([1, 2], [["a"], ["b"]]).updated([], [3, 3], [["a"], ["b"]])
