"""Grouping gives the same links, neighbour scores and groups as the implementation it replaced.

``tests/fixtures/grouping_reference.npz`` was written by the dict-based grouping (before links, neighbour scores
and candidate pairs became NumPy arrays) from the seeded catalogues below: a full pass and an update after
edits, additions and removals (large enough moves that the update and a full pass differ in places, so the
update's own rules are pinned too), under both linkages and both lexical overlaps. The arrays are compared exactly,
so a faster data structure that moved one link, one score bit or one group would fail here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers.paths import FIXTURES

from matcher.engine.bm25 import LexicalIndex
from matcher.engine.grouping import Grouping, GroupParams
from matcher.engine.vectors import VectorIndex
from matcher.store.grouping import IndexPairs

DIM = 16
REFERENCE = FIXTURES / "grouping_reference.npz"
CASES = {
    "single_overlap": GroupParams(threshold=0.62, dense_weight=0.6, neighbours=6, linkage="single"),
    "complete_overlap": GroupParams(threshold=0.62, dense_weight=0.6, neighbours=6, linkage="complete"),
    "single_jaccard": GroupParams(threshold=0.5, dense_weight=0.7, neighbours=8, lexical="jaccard"),
    "complete_jaccard": GroupParams(threshold=0.5, dense_weight=0.7, neighbours=8, linkage="complete",
                                    lexical="jaccard"),
}


def catalogue(seed: int, n: int = 360) -> tuple[dict[int, np.ndarray], dict[int, list[str]]]:
    """rid -> unit vector and rid -> terms: topics, planted near-duplicate clusters of 2-5, chains and exact
    copies (ties in the neighbour search)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((12, DIM))
    topic = rng.integers(0, len(centres), n)
    raw = centres[topic] * 0.8 + rng.standard_normal((n, DIM))
    words = [[f"t{topic[i]}_{w}" for w in rng.integers(0, 15, 6)] + [f"w{w}" for w in rng.integers(0, 400, 8)]
             for i in range(n)]
    i = 0
    while i < n - 5:
        size = int(rng.integers(2, 6)) if rng.random() < 0.3 else 1
        for j in range(i + 1, i + size):
            base = j - 1 if rng.random() < 0.4 else i  # sometimes a chain rather than a star
            raw[j] = raw[base] + rng.standard_normal(DIM) * (0.0 if rng.random() < 0.1 else 0.15)
            words[j] = words[base][:10] + [f"u{j}_{w}" for w in range(3)]
        i += size
    raw = (raw / np.linalg.norm(raw, axis=1, keepdims=True)).astype(np.float32)
    rids = np.arange(1, n + 1, dtype=np.int64) * 3  # sparse rids, as after deletions
    return {int(r): raw[k] for k, r in enumerate(rids)}, {int(r): words[k] for k, r in enumerate(rids)}


def changed_catalogue(seed: int) -> tuple[dict[int, np.ndarray], dict[int, list[str]], list[int], list[int]]:
    """The catalogue of ``seed`` after 20 edits (towards another innovation), 12 additions and 12 removals;
    returns it with the changed (edited or added) and removed rids."""
    vectors, terms = catalogue(seed)
    rng = np.random.default_rng(seed + 100)
    rids = sorted(vectors)
    picked = rng.choice(rids, size=32, replace=False).tolist()
    edited, removed = picked[:20], picked[20:]
    for r in edited:
        other = int(rng.choice(rids))
        v = vectors[other] + rng.standard_normal(DIM).astype(np.float32) * 0.1
        vectors[r] = (v / np.linalg.norm(v)).astype(np.float32)
        terms[r] = terms[other][:10] + [f"e{r}"]
    added = list(range(rids[-1] + 1, rids[-1] + 13))
    for r in added:
        other = int(rng.choice(rids))
        v = vectors[other] + rng.standard_normal(DIM).astype(np.float32) * 0.1
        vectors[r], terms[r] = (v / np.linalg.norm(v)).astype(np.float32), terms[other][:9] + [f"a{r}"]
    for r in removed:
        del vectors[r], terms[r]
    return vectors, terms, edited + added, removed


def source(vectors: dict[int, np.ndarray], terms: dict[int, list[str]]) -> IndexPairs:
    ids = np.array(sorted(vectors), dtype=np.int64)
    index = VectorIndex(DIM, "flat").upsert(ids, np.vstack([vectors[i] for i in ids]))
    lex = LexicalIndex().build(ids, [terms[i] for i in ids])
    return IndexPairs(index, (lex.ids_, lex.doc_ptr_, lex.doc_terms_, len(lex.vocab_)), ids)


def arrays(grouping: Grouping, folder: Path) -> dict[str, np.ndarray]:
    """What a grouping saves, links in (low, high) order: its comparable content."""
    grouping.save(folder / "g.npz")
    with np.load(folder / "g.npz") as f:
        out = {k: f[k] for k in f.files if k != "params"}
    order = np.lexsort((out["link_b"], out["link_a"]))
    for key in ("link_a", "link_b", "link_score"):
        out[key] = out[key][order]
    return out


def results(tmp_path: Path) -> dict[str, np.ndarray]:
    """Every case's full pass, update and full pass after the change, flattened into one dict of arrays."""
    out: dict[str, np.ndarray] = {}
    for seed in (4, 7):
        vectors, terms = catalogue(seed)
        after, after_terms, changed, removed = changed_catalogue(seed)
        for name, params in CASES.items():
            full = Grouping(params).build(source(vectors, terms))
            updated = full.updated(source(after, after_terms), changed, removed)
            again = Grouping(params).build(source(after, after_terms))
            for stage, grouping in (("full", full), ("updated", updated), ("again", again)):
                for key, value in arrays(grouping, tmp_path).items():
                    out[f"{seed}/{name}/{stage}/{key}"] = value
                out[f"{seed}/{name}/{stage}/scored"] = np.array(grouping.scored_)
    return out


def test_the_reference_catalogues_have_groups_chains_and_ties():
    vectors, _ = catalogue(4)
    matrix = np.vstack(list(vectors.values()))
    assert len({v.tobytes() for v in matrix}) < len(matrix)  # exact copies: tied neighbours
    with np.load(REFERENCE) as ref:
        for seed in (4, 7):
            for name in CASES:
                groups = ref[f"{seed}/{name}/full/group_id"]
                assert len(np.unique(groups)) > 10 and np.bincount(np.unique(groups, return_counts=True)[1]).size > 3
        # complete linkage splits what single linkage chains together
        assert not np.array_equal(ref["4/single_jaccard/full/group_id"], ref["4/complete_jaccard/full/group_id"])


@pytest.mark.parametrize("seed", [4, 7])
def test_links_scores_and_groups_equal_the_reference(tmp_path, seed):
    got = results(tmp_path)
    with np.load(REFERENCE) as ref:
        keys = [k for k in ref.files if k.startswith(f"{seed}/")]
        assert sorted(keys) == sorted(k for k in got if k.startswith(f"{seed}/"))
        for key in keys:
            assert got[key].dtype == ref[key].dtype and np.array_equal(got[key], ref[key]), key


@pytest.mark.parametrize("name", ["single_jaccard", "complete_jaccard"])
def test_huge_rids_group_alike(tmp_path, name):
    """Rids too large to pack into one sort key or index a table take the slower paths, with the same result."""
    shift = 2**40
    vectors, terms = catalogue(4)
    grouping = Grouping(CASES[name]).build(source({r + shift: v for r, v in vectors.items()},
                                                  {r + shift: t for r, t in terms.items()}))
    got = arrays(grouping, tmp_path)
    with np.load(REFERENCE) as ref:
        for key in ("link_a", "link_b", "kth_rid", "group_rid", "group_id"):
            assert np.array_equal(got[key] - shift, ref[f"4/{name}/full/{key}"]), key
        for key in ("link_score", "kth"):
            assert np.array_equal(got[key], ref[f"4/{name}/full/{key}"]), key
