"""The performance targets against the latest benchmark results, as one Markdown table.

    python benchmarks/summary.py [--results benchmarks/results] [--size 100000]

Reads the JSON the other scripts wrote (``scale-<size>.json``, ``ann.json``, ``service-cache*.json``) and
prints each target, the measured value and whether it was met. Missing results are shown as "not run".
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
Check = tuple[str, Callable[[dict[str, Any]], tuple[str, bool]]]


def _load(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def _scale_checks(n: int) -> list[Check]:
    def service(cached: bool) -> Callable[[dict[str, Any]], tuple[str, bool]]:
        def check(r: dict[str, Any]) -> tuple[str, bool]:
            rows = [s for s in r["service"] if bool(s["cache_size"]) == cached]
            s = max([x for x in rows if x["p99_ms"] <= 100] or rows, key=lambda x: x["requests_per_s"])
            return (f"{s['requests_per_s']:.0f} req/s, p99 {s['p99_ms']:.0f} ms ({s['workers']} worker(s), "
                    f"concurrency {s['concurrency']})", s["requests_per_s"] >= 50 and s["p99_ms"] <= 100)
        return check

    def total(r: dict[str, Any]) -> tuple[str, bool]:
        m = r["match"]
        embed = m["stages"]["query_embedding"]["p99_ms"]
        return (f"p99 {m['new_text']['p99_ms']:.1f} ms; query embedding alone p99 {embed:.1f} ms",
                m["new_text"]["p99_ms"] <= embed + 20)

    def reindex(r: dict[str, Any]) -> tuple[str, bool]:
        x = r["reindex_1pct"]
        return (f"{x['fraction_of_full_build']:.1%} of the full build; embedded {x['embedded']} of "
                f"{x['expected_embedded']} changed", x["fraction_of_full_build"] <= 0.05
                and x["embedded"] == x["expected_embedded"])

    def rss(r: dict[str, Any]) -> tuple[str, bool]:
        p = r["peak_rss_mb"]
        worst = max(p["index_cli"], p["service"])
        return (f"`matcher index` {p['index_cli']:.0f} MB, `matcher serve` {p['service']:.0f} MB", worst <= 1024)

    k = f"{n // 1000}k"
    return [
        (f"match at {k}, all but the query embedding: p99 ≤ 15 ms",
         lambda r: (f"p99 {r['match']['cached']['p99_ms']:.1f} ms (p50 {r['match']['cached']['p50_ms']:.1f})",
                    r["match"]["cached"]["p99_ms"] <= 15)),
        (f"match at {k}, total: p99 ≤ query embedding + 20 ms", total),
        (f"match at {k} ≥ 20× the naive peer",
         lambda r: (f"{r['naive_ratio']['mean']:.0f}× (naive {r['naive']['total']['mean_ms']:.0f} ms per query, "
                    f"matcher {r['match']['new_text']['mean_ms']:.0f} ms)", r["naive_ratio"]["mean"] >= 20)),
        (f"recommendations for all 514 regencies at {k} ≤ 60 s",
         lambda r: (f"{r['recommend_all']['seconds']:.1f} s", r["recommend_all"]["seconds"] <= 60)),
        ("pipeline embedding ≥ 90% of the bare encoder",
         lambda r: (f"{r['embedding_rates']['ratio']:.0%} ({r['embedding_rates']['pipeline_texts_per_s']:.1f} vs "
                    f"{r['embedding_rates']['bare_texts_per_s']:.1f} texts/s)", r["embedding_rates"]["ratio"] >= 0.9)),
        (f"re-index after a 1% change at {k} ≤ 5% of the full build, only changed texts embedded", reindex),
        (f"peak RSS at {k} ≤ 1 GB", rss),
        (f"service at {k}, every list computed (cache off): ≥ 50 req/s, p99 ≤ 100 ms", service(False)),
        (f"service at {k}, lists cached after one pass: ≥ 50 req/s, p99 ≤ 100 ms", service(True)),
    ]


def _ann(r: dict[str, Any]) -> tuple[str, bool]:
    best = [row for row in r["rows"] if row["recall@10"] >= 0.95]
    row = min(best, key=lambda x: x["p99_ms"]) if best else max(r["rows"], key=lambda x: x["recall@10"])
    return (f"{row['index']} nprobe {row['nprobe']}: recall@10 {row['recall@10']:.3f}, p99 {row['p99_ms']:.1f} ms",
            row["recall@10"] >= 0.95 and row["p99_ms"] <= 10)


def _demo_service(r: dict[str, Any]) -> tuple[str, bool]:
    row = max(r["rows"], key=lambda x: x["requests_per_s"])
    return (f"{row['requests_per_s']:.0f} req/s, p99 {row['p99_ms']:.0f} ms ({row['workers']} worker, concurrency "
            f"{row['concurrency']}, cache {row['cache_size']})", row["requests_per_s"] >= 200 and row["p99_ms"] <= 100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args(argv)
    sources: list[tuple[dict[str, Any] | None, list[Check]]] = [
        (_load(args.results / f"scale-{args.size}.json"), _scale_checks(args.size)),
        (_load(args.results / "ann.json"), [("1M vectors, approximate index: recall@10 ≥ 0.95, p99 ≤ 10 ms", _ann)]),
        (_load(args.results / "service-cache2048.json"),
         [("service on the demo corpus: ≥ 200 req/s, p99 ≤ 100 ms", _demo_service)]),
    ]
    print("| target | measured | met |\n|---|---|---|")
    for result, checks in sources:
        for name, check in checks:
            value, ok = check(result) if result is not None else ("not run", False)
            print(f"| {name} | {value} | {'yes' if ok else 'no'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
