"""Near-duplicate grouping at scale: a full pass over N innovations, then re-grouping after a 1% change.

The vectors are synthetic: embedding 100k texts here takes over two hours (README, "Performance"). Each
innovation is a random unit vector (384 dimensions) around one of many topic centres, with a common component
like e5's; planted near-duplicate clusters of 2-4 innovations are small perturbations of one vector. Term sets
are synthetic too: topic words plus a shared core for planted clusters. Everything else is the real code:
FAISS (IVF neighbour search over stored cells above 20,000 innovations), the pair score, the grouping, its save.

The 1% change edits 0.5% of the innovations (new vectors and terms), adds 0.25% and removes 0.25%, then runs
:meth:`Grouping.updated` and, for comparison, a full pass on the changed catalogue with the same cells.

    python benchmarks/bench_groups.py [--size 100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matcher.engine.bm25 import LexicalIndex  # noqa: E402
from matcher.engine.grouping import Grouping, GroupParams  # noqa: E402
from matcher.engine.vectors import VectorIndex, kmeans_centroids  # noqa: E402
from matcher.store.grouping import NPROBE, IndexPairs, _cells  # noqa: E402

DIM = 384
RESULTS = Path(__file__).resolve().parent / "results"


def synthetic(n: int, rng: np.random.Generator, start_id: int = 0) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """(ids, unit vectors, term lists) with planted near-duplicate clusters (about 10% of the rows)."""
    common = np.ones(DIM, dtype=np.float32) / np.sqrt(DIM)
    centres = rng.standard_normal((max(n // 200, 1), DIM)).astype(np.float32)
    topic = rng.integers(0, len(centres), n)
    vectors = 2.2 * common + centres[topic] * 0.35 + rng.standard_normal((n, DIM)).astype(np.float32) * 0.25
    terms = [[f"t{topic[i]}_{w}" for w in rng.integers(0, 60, 25)] + [f"w{w}" for w in rng.integers(0, 5000, 40)]
             for i in range(n)]
    i = 0
    while i < n - 4:
        if rng.random() < 0.04:
            size = int(rng.integers(2, 5))
            for j in range(i + 1, i + size):
                vectors[j] = vectors[i] + rng.standard_normal(DIM).astype(np.float32) * 0.06
                terms[j] = terms[i][:45] + [f"w{w}" for w in rng.integers(0, 5000, 20)]
            i += size
        else:
            i += 1
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.arange(start_id, start_id + n, dtype=np.int64), vectors, terms


def source_of(ids: np.ndarray, vectors: np.ndarray, terms: list[list[str]], cells: np.ndarray) -> IndexPairs:
    index = VectorIndex(DIM, "flat").upsert(ids, vectors)
    lex = LexicalIndex().build(ids, terms)
    search = VectorIndex.with_centroids(cells, NPROBE).upsert(ids, vectors)
    return IndexPairs(index, (lex.ids_, lex.doc_ptr_, lex.doc_terms_, len(lex.vocab_)), ids, search)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    rng = np.random.default_rng(15)
    n = args.size
    ids, vectors, terms = synthetic(n, rng)
    # synthetic scores: a threshold inside their planted/background gap. Pinned to the Jaccard score it was measured
    # with; the shipped overlap coefficient costs the same (one minimum instead of a sum per pair)
    params = GroupParams(threshold=0.6, dense_weight=0.5, lexical="jaccard")

    started = time.perf_counter()
    sample = np.sort(rng.choice(n, size=min(n, 39 * _cells(n)), replace=False))
    cells = kmeans_centroids(vectors[sample], _cells(n))
    source = source_of(ids, vectors, terms, cells)
    setup = time.perf_counter() - started
    started = time.perf_counter()
    full = Grouping(params).build(source)
    full_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        full.save(Path(tmp) / "groups.npz")
        save_seconds = time.perf_counter() - started

    # a 1% change: edit 0.5%, add 0.25%, remove 0.25%
    n_edit, n_add = n // 200, n // 400
    edited = rng.choice(n, size=n_edit, replace=False)
    removed = rng.choice(np.setdiff1d(np.arange(n), edited), size=n_add, replace=False)
    new_ids, new_vectors, new_terms = synthetic(n_add, rng, start_id=n)
    vectors2, terms2 = vectors.copy(), list(terms)
    for i in edited:  # an edited text: its vector and terms move towards another innovation's
        other = int(rng.integers(0, n))
        vectors2[i] = vectors[other] + rng.standard_normal(DIM).astype(np.float32) * 0.06
        vectors2[i] /= np.linalg.norm(vectors2[i])
        terms2[i] = terms[other][:45] + [f"w{w}" for w in rng.integers(0, 5000, 20)]
    keep = np.setdiff1d(np.arange(n), removed)
    ids2 = np.concatenate([ids[keep], new_ids])
    source2 = source_of(ids2, np.vstack([vectors2[keep], new_vectors]), [terms2[i] for i in keep] + new_terms, cells)
    started = time.perf_counter()
    updated = full.updated(source2, np.concatenate([ids[edited], new_ids]).tolist(), ids[removed].tolist())
    update_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = Grouping(params).build(source2)
    second_full = time.perf_counter() - started
    same = updated.groups() == again.groups()
    members_u = {frozenset(g) for g in updated.groups()}
    members_f = {frozenset(g) for g in again.groups()}
    differ = len(set().union(*(members_u ^ members_f))) if not same else 0

    row = {
        "innovations": n, "groups": len(full.groups()), "grouped": len(full.group_of_),
        "full_seconds": round(full_seconds, 2), "full_pairs_scored": full.scored_,
        "setup_seconds (cells, FAISS, BM25 arrays)": round(setup, 2), "save_seconds": round(save_seconds, 2),
        "change": {"edited": int(n_edit), "added": int(n_add), "removed": int(n_add)},
        "update_seconds": round(update_seconds, 2), "update_pairs_scored": updated.scored_,
        "full_pass_after_change_seconds": round(second_full, 2), "update_equals_full_pass": same,
        "innovations_grouped_differently": differ,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(f"{'measure':<46} value")
    for key, value in row.items():
        print(f"{key:<46} {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "groups.json").write_text(json.dumps(row, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
