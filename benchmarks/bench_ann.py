"""Approximate vector search at national scale: IVF recall@10 and latency against exact search.

Embedding a million texts on 2 cores would take hours, so this measures search alone, on synthetic
normalised vectors with cluster structure (deterministic from --seed): points scattered around many
centres, as topic families of innovations are. It prints a table and writes JSON.

    python benchmarks/bench_ann.py [--n 1000000] [--queries 300] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from matcher.engine.vectors import VectorIndex, ivf_lists

RESULTS = Path(__file__).parent / "results"


def synthetic(n: int, dim: int, centres: int, rng: np.random.Generator, chunk: int = 100_000) -> np.ndarray:
    """Normalised points around ``centres`` random directions (cosine to their centre ~0.75)."""
    c = rng.standard_normal((centres, dim)).astype(np.float32)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        x = c[rng.integers(0, centres, m)] + 0.045 * rng.standard_normal((m, dim)).astype(np.float32)
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def latencies(index: VectorIndex, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-query search times (ms) and the result ids, one query at a time as `match` asks."""
    times, ids = [], []
    for q in queries:
        t = time.perf_counter()
        _, got = index.search(q[None, :], k)
        times.append((time.perf_counter() - t) * 1000)
        ids.append(got[0])
    return np.array(times), np.array(ids)


def recall(got: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(g) & set(t)) / len(t) for g, t in zip(got, truth, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=RESULTS / "ann.json")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    centres = max(100, args.n // 200)
    vectors = synthetic(args.n, args.dim, centres, rng)
    queries = synthetic(args.queries, args.dim, centres, np.random.default_rng(args.seed + 1))
    ids = np.arange(args.n, dtype=np.int64)

    t = time.perf_counter()
    exact = VectorIndex(args.dim, "flat").upsert(ids, vectors)
    exact_build = time.perf_counter() - t
    exact_ms, truth = latencies(exact, queries, args.k)
    del exact

    nlist = ivf_lists(args.n)
    t = time.perf_counter()
    ivf = VectorIndex(args.dim, "ivf", nlist=nlist).upsert(ids, vectors)
    ivf_build = time.perf_counter() - t

    rows = [{"index": "flat (exact)", "nprobe": None, "recall@10": 1.0, "p50_ms": float(np.percentile(exact_ms, 50)),
             "p99_ms": float(np.percentile(exact_ms, 99)), "build_s": exact_build}]
    for nprobe in (8, 16, 32, 64, 128, 256, 512):
        ivf.nprobe = nprobe
        latencies(ivf, queries[:20], args.k)  # warm
        ms, got = latencies(ivf, queries, args.k)
        rows.append({"index": f"ivf{nlist}", "nprobe": nprobe, "recall@10": recall(got, truth),
                     "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
                     "build_s": ivf_build})

    print(f"vector search · {args.n:,} × {args.dim} synthetic normalised vectors · {args.queries} queries · "
          f"{os.cpu_count()} CPUs")
    print(f"{'index':<14}{'nprobe':>7}{'recall@10':>11}{'p50 ms':>9}{'p99 ms':>9}{'build s':>9}")
    for r in rows:
        print(f"{r['index']:<14}{r['nprobe'] or '-':>7}{r['recall@10']:>11.3f}{r['p50_ms']:>9.2f}"
              f"{r['p99_ms']:>9.2f}{r['build_s']:>9.1f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"n": args.n, "dim": args.dim, "queries": args.queries, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
