"""Latency and throughput of ``GET /regions/{code}/recommendations`` under concurrent load, on loopback.

    python benchmarks/bench_service.py [--home DIR] [--requests 2000] [--concurrency 1,8,32]
                                       [--workers 1,2] [--cache-size 2048] [--k 10] [--json OUT]

Starts ``matcher serve`` (uvicorn) as a subprocess for each worker count, sends a fixed number of requests
with httpx from asyncio tasks (at most ``concurrency`` in flight), cycling over every regency that has gap
statements in the bundled corpus, and prints p50/p99 latency and requests per second. These are numbers to
read, not a test.

The store: ``--home`` reuses an indexed store (built with the current settings); without it the bundled
corpus is indexed into a temporary folder first (minutes on a small machine), which is deleted at the end.
``--cache-size 0`` turns the service's recommendation cache off, so every request ranks and explains all
the regency's gaps: that is the engine-bound number. The rate limit and the work queue's length are lifted
for the run (this measures throughput, not the limits). The load client
runs on the same machine and competes with the server for CPU; the JSON records the CPU count and the load
average, since other work on the machine moves these numbers a lot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def build_store(home: Path) -> None:
    """Index the bundled corpus into ``home`` (what ``matcher index`` does)."""
    from matcher.config import Settings
    from matcher.data.loaders import load_gaps, load_innovations
    from matcher.facade import Matcher

    settings = Settings(home=home)
    m = Matcher(settings)
    corpus = settings.corpus_dir
    m.index(load_innovations(corpus / "innovations.jsonl", m.regions), load_gaps(corpus / "gaps.jsonl", m.regions),
            progress=True)


def regions_with_gaps(home: Path) -> list[str]:
    from matcher import Store

    return sorted(Store(home).gaps.counts())


class Server:
    """``matcher serve`` in a subprocess; stopped (and waited for) on exit."""

    def __init__(self, home: Path, port: int, workers: int, cache_size: int, env: dict[str, str] | None = None):
        env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_RATE_LIMIT_PER_MINUTE": str(10**9),
               "MATCHER_WORK_QUEUE_SIZE": "1000", "MATCHER_RECOMMENDATION_CACHE_SIZE": str(cache_size), **(env or {})}
        cmd = [sys.executable, "-m", "matcher.cli", "serve", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning"]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"matcher serve exited with status {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise RuntimeError("matcher serve did not become healthy in 180 s")

    def __exit__(self, *exc: Any) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def load(url: str, paths: list[str], requests: int, concurrency: int) -> dict[str, Any]:
    """Send ``requests`` GETs (cycling over ``paths``) with at most ``concurrency`` in flight.

    Each of the ``concurrency`` tasks has its own client and keep-alive connection: one shared pool of many
    connections costs httpx more CPU per request than the server spends on a cached answer, and the client
    would measure itself.
    """
    latencies: list[float] = []
    errors = 0
    sent = 0

    async def worker() -> None:
        nonlocal sent, errors
        async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=1), timeout=120) as client:
            while sent < requests:
                path = paths[sent % len(paths)]
                sent += 1
                start = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    return {"concurrency": concurrency, "requests": len(latencies), "errors": errors, "seconds": round(elapsed, 3),
            "p50_ms": round(float(np.percentile(ms, 50)), 2), "p99_ms": round(float(np.percentile(ms, 99)), 2),
            "mean_ms": round(float(ms.mean()), 2), "requests_per_s": round(len(latencies) / elapsed, 1)}


def measure(home: Path, paths: list[str], workers: int, cache_size: int, concurrencies: Sequence[int],
            requests: int, port: int, warm: list[str]) -> list[dict[str, Any]]:
    """One ``matcher serve``: first the ``warm`` requests (model, index and, if on, cache per worker), then
    ``requests`` GETs at each concurrency; one row each, with the server's peak RSS."""
    with Server(home, port, workers, cache_size) as server:
        asyncio.run(load(server.url, warm, len(warm), 4))
        rows = [{"workers": workers, "cache_size": cache_size, **asyncio.run(load(server.url, paths, requests, c))}
                for c in concurrencies]
        rss = peak_rss_of_tree(server.proc.pid)
    return [{**row, "server_peak_rss_mb": rss} for row in rows]


def peak_rss_of_tree(pid: int) -> float:
    """Highest peak RSS (VmHWM, MB) of a process and its children (uvicorn workers are children)."""
    def hwm(p: int) -> float:
        status = Path(f"/proc/{p}/status")
        lines = status.read_text().splitlines() if status.exists() else []
        return next((int(x.split()[1]) / 1024 for x in lines if x.startswith("VmHWM")), 0.0)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return max([hwm(pid), *[hwm(c) for c in kids]])


def run(home: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    regions = regions_with_gaps(home)
    paths = [f"/regions/{code}/recommendations?k={args.k}" for code in regions]
    rows = []
    for workers in args.workers:
        warm = paths * (2 * workers) if args.cache_size else paths[:20]
        for row in measure(home, paths, workers, args.cache_size, args.concurrency, args.requests, args.port, warm):
            rows.append(row)
            print(f"workers {workers:>2} · cache {args.cache_size:>4} · concurrency {row['concurrency']:>3}: "
                  f"p50 {row['p50_ms']:8.1f} ms · p99 {row['p99_ms']:8.1f} ms · {row['requests_per_s']:7.1f} req/s"
                  f" · {row['errors']} errors · peak RSS {row['server_peak_rss_mb']:.0f} MB", flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an indexed store to reuse (default: index the bundled corpus)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per concurrency level")
    parser.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8, 32])
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--cache-size", type=int, default=2048, help="recommendation cache per worker (0 = off)")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", type=Path, help="where to write the results (default benchmarks/results/)")
    args = parser.parse_args()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="matcher-bench-service-") as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "home"
            print("indexing the bundled corpus into a temporary store ...", flush=True)
            build_store(home)
        rows = run(home, args)
        gaps = len(regions_with_gaps(home))
    result = {
        "endpoint": "GET /regions/{code}/recommendations", "k": args.k, "regencies": gaps,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "loadavg_1m_before": round(load_before[0], 2), "loadavg_1m_after": round(os.getloadavg()[0], 2)},
        "client": "one httpx.AsyncClient with one keep-alive connection per concurrent task, same machine",
        "rows": rows,
    }
    out = args.json or RESULTS / f"service-cache{args.cache_size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
