"""Near-duplicate grouping on small readable data: real FAISS, real BM25 arrays, no encoder."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.data.records import Innovation
from matcher.engine.bm25 import LexicalIndex
from matcher.engine.catalog import Catalog
from matcher.engine.grouping import Grouping, GroupParams, pair_scores
from matcher.engine.groups import CatalogGroups, representative_key
from matcher.engine.vectors import VectorIndex
from matcher.store.grouping import IndexPairs

DIM = 16


def _source(vectors: dict[int, np.ndarray], terms: dict[int, list[str]]) -> IndexPairs:
    ids = np.array(sorted(vectors), dtype=np.int64)
    matrix = np.vstack([vectors[i] for i in ids]).astype(np.float32)
    index = VectorIndex(DIM, "flat").upsert(ids, matrix)
    lex = LexicalIndex().build(ids, [terms[i] for i in ids])
    return IndexPairs(index, (lex.ids_, lex.doc_ptr_, lex.doc_terms_, len(lex.vocab_)), ids)


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _catalogue(seed: int = 3, n: int = 40) -> tuple[dict[int, np.ndarray], dict[int, list[str]]]:
    """n innovations on distinct axes-ish directions; 10..12 and 20..21 are planted near-duplicates."""
    rng = np.random.default_rng(seed)
    vectors = {i: _unit(rng.standard_normal(DIM)) for i in range(n)}
    terms = {i: [f"kata{i}_{j}" for j in range(8)] for i in range(n)}
    for base, copies in ((10, (11, 12)), (20, (21,))):
        for c in copies:
            vectors[c] = _unit(vectors[base] + 0.05 * rng.standard_normal(DIM))
            terms[c] = terms[base][:6] + [f"lain{c}", f"lain{c}b"]
    return vectors, terms


PARAMS = GroupParams(threshold=0.7, dense_weight=0.5, neighbours=5, linkage="single")


def test_planted_duplicates_form_groups_and_nothing_else():
    grouping = Grouping(PARAMS).build(_source(*_catalogue()))
    assert grouping.groups() == [[10, 11, 12], [20, 21]]
    assert grouping.scored_ > 0


def test_an_update_equals_a_full_pass_and_scores_only_the_changed_pairs():
    vectors, terms = _catalogue()
    before = Grouping(PARAMS).build(_source(vectors, terms))
    rng = np.random.default_rng(9)
    vectors[30] = _unit(vectors[20] + 0.05 * rng.standard_normal(DIM))  # an edit that joins group 20
    terms[30] = terms[20][:6] + ["baru", "baru2"]
    vectors[40] = _unit(vectors[5] + 0.05 * rng.standard_normal(DIM))  # an addition duplicating 5
    terms[40] = terms[5][:6] + ["tambah", "tambah2"]
    del vectors[12], terms[12]  # a removal out of group 10
    source = _source(vectors, terms)
    updated = before.updated(source, changed=[30, 40], removed=[12])
    full = Grouping(PARAMS).build(source)
    assert updated.groups() == full.groups() == [[5, 40], [10, 11], [20, 21, 30]]
    assert updated.links_ == full.links_
    assert 0 < updated.scored_ <= 2 * 2 * PARAMS.neighbours < full.scored_


def test_complete_linkage_does_not_chain_look_alikes():
    rng = np.random.default_rng(5)
    a = _unit(rng.standard_normal(DIM))
    b = _unit(rng.standard_normal(DIM))
    vectors = {i: _unit(rng.standard_normal(DIM)) for i in range(12)}
    vectors[0], vectors[1], vectors[2] = a, _unit(a + b), b  # 0 ~ 1 ~ 2, but 0 is not like 2
    terms = {i: [f"w{i}", f"v{i}"] for i in range(12)}
    terms[0], terms[1], terms[2] = ["x", "y", "p"], ["x", "y", "z", "q"], ["y", "z", "r"]
    params = GroupParams(threshold=0.5, dense_weight=0.5, neighbours=4, linkage="single")
    source = _source(vectors, terms)
    single = Grouping(params).build(source)
    complete = Grouping(GroupParams(0.5, 0.5, 4, "complete")).build(source)
    assert 2 not in single.links_.of(0) and 1 in single.links_.of(0)  # the chain's ends are not linked ...
    assert [0, 1, 2] in single.groups()  # ... yet single linkage groups them
    assert not any({0, 2} <= set(g) for g in complete.groups())


def test_save_and_load_round_trip(tmp_path):
    grouping = Grouping(PARAMS).build(_source(*_catalogue()))
    grouping.save(tmp_path / "groups.npz")
    loaded = Grouping.load(tmp_path / "groups.npz")
    assert loaded.params == PARAMS
    assert loaded.groups() == grouping.groups() and loaded.links_ == grouping.links_ and len(loaded.links_) > 0
    assert np.array_equal(loaded.kth_rid_, grouping.kth_rid_) and np.array_equal(loaded.kth_, grouping.kth_)


def test_an_unknown_linkage_is_refused():
    with pytest.raises(ValueError, match="linkage"):
        GroupParams(linkage="average")
    with pytest.raises(ValueError, match="lexical"):
        GroupParams(lexical="cosine")


def test_the_overlap_coefficient_counts_a_short_text_inside_a_long_one_fully():
    same = _unit(np.ones(DIM))
    terms = {1: ["a", "b", "c", "d"], 2: ["a", "b", "c", "d", "e", "f", "g", "h"], 3: ["x", "y"]}
    source = _source({1: same, 2: same, 3: same}, terms)
    a, b = np.array([1, 1]), np.array([2, 3])
    overlap = pair_scores(source, a, b, GroupParams(dense_weight=0.0, lexical="overlap"))
    jaccard = pair_scores(source, a, b, GroupParams(dense_weight=0.0, lexical="jaccard"))
    assert overlap.tolist() == [1.0, 0.0] and jaccard.tolist() == [0.5, 0.0]
    mixed = pair_scores(source, a, b, GroupParams(dense_weight=0.7, lexical="overlap"))
    assert np.allclose(mixed, [0.7 + 0.3, 0.7])


def test_groups_saved_before_the_lexical_choice_load_as_jaccard(tmp_path):
    """groups.npz written by the first pass has no 'lexical' parameter: it scored with Jaccard, so a store
    under today's settings sees other parameters and regroups in full at its next write."""
    import json

    params = GroupParams(threshold=0.565, dense_weight=0.5, lexical="jaccard")
    Grouping(params).build(_source(*_catalogue())).save(tmp_path / "groups.npz")
    with np.load(tmp_path / "groups.npz") as f:
        arrays = {k: f[k] for k in f.files}
    old = {k: v for k, v in json.loads(str(arrays["params"])).items() if k != "lexical"}
    np.savez(tmp_path / "old.npz", **{**arrays, "params": np.array(json.dumps(old))})
    loaded = Grouping.load(tmp_path / "old.npz")
    assert loaded.params == params and loaded.params != GroupParams(0.565, 0.5)


def _inv(id_: str, **fields) -> Innovation:
    return Innovation(id=id_, title=f"Inovasi {id_}", description=fields.pop("description", "uraian singkat"),
                      region_code=fields.pop("region_code", "35.07"), **fields)


def test_the_representative_is_the_most_proven_then_best_documented():
    members = [
        _inv("C", award="top_45", status="berhenti"),  # stopped: last, whatever its award
        _inv("B", award="top_99", stage="penerapan", year=2018),
        _inv("A", award="top_45", stage="uji_coba", year=2020),  # Top 45 wins over Top 99
        _inv("D", award="top_45", stage="penerapan", year=2016, description="uraian " * 50),
        _inv("E", award="top_45", stage="penerapan", year=2016),  # D and E tie up to the description length
    ]
    ordered = [m.id for m in sorted(members, key=representative_key)]
    assert ordered == ["D", "E", "A", "B", "C"]


def test_a_list_shows_one_member_per_group_with_the_others_attached():
    invs = [_inv("X", region_code="35.07"), _inv("Y", award="top_45", region_code="73.01"),
            _inv("Z", region_code="11.01"), _inv("W", region_code="52.03")]
    catalog = Catalog([1, 2, 3, 4], invs)
    groups = CatalogGroups(catalog, {1: 1, 2: 1, 3: 1})  # X, Y and Z are one idea; W stands alone
    ranked = [0, 3, 2, 1]  # positions: X first, then W, Z, Y
    assert groups.collapse(ranked, lambda p: p) == [3, 1]  # W, and Y standing for the group at its own place
    info = groups.info(1)
    assert info is not None and info.size == 3 and info.regions == 2
    assert [o.id for o in info.others] == ["X", "Z"] and info.id == "X"
    assert groups.info(3) is None
