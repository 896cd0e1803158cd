"""The hybrid search one would write by hand, as the yardstick for ``bench_scale.py``.

    python benchmarks/naive_peer.py FOLDER OUT.json

FOLDER holds ``texts.json`` (the innovation texts), ``vectors.npy`` (their vectors, row i for text i) and
``queries.json``. Per query: embed it with the same encoder as matcher (``MATCHER_MODEL``), brute-force cosine
with NumPy over every vector, ``rank_bm25.BM25Okapi`` over lower-cased whitespace tokens, and reciprocal rank
fusion (k=60) of the two top-100 lists. It runs in its own process so its memory is not counted as matcher's.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from matcher.config import Settings
from matcher.engine.encoders import load_encoder


def rrf(rankings: list[np.ndarray], k: int = 60, depth: int = 10) -> list[int]:
    """Reciprocal rank fusion of several rankings (arrays of document indices, best first)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking.tolist(), start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=scores.__getitem__, reverse=True)[:depth]


def ms_summary(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "mean_ms": float(ms.mean())}


def main(folder: Path, out: Path) -> None:
    texts = json.loads((folder / "texts.json").read_text())
    queries = json.loads((folder / "queries.json").read_text())
    vectors = np.load(folder / "vectors.npy")
    s = Settings()
    encoder = load_encoder(s.model, s.batch_size, s.query_prompt, s.passage_prompt)
    started = time.perf_counter()
    bm25 = BM25Okapi([t.lower().split() for t in texts])
    build = time.perf_counter() - started
    encoder.encode_queries(queries[:2])  # warm-up
    parts: dict[str, list[float]] = {"embed": [], "dense": [], "bm25": [], "fusion": [], "total": []}
    for q in queries:
        t0 = time.perf_counter()
        qvec = encoder.encode_queries([q])[0]
        t1 = time.perf_counter()
        dense = np.argsort(-(vectors @ qvec))[:100]
        t2 = time.perf_counter()
        lexical = np.argsort(-bm25.get_scores(q.lower().split()))[:100]
        t3 = time.perf_counter()
        rrf([dense, lexical])
        t4 = time.perf_counter()
        for name, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True):
            parts[name].append(seconds)
    result = {"documents": len(texts), "queries": len(queries), "build_s": build,
              "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
              **{name: ms_summary(values) for name, values in parts.items()}}
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
