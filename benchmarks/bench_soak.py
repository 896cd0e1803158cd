"""A bounded soak of the service: a mixed workload for a few minutes against ``matcher serve`` on loopback.

    python benchmarks/bench_soak.py [--home DIR] [--seconds 150] [--clients 6] [--port 8766] [--json OUT]

Starts ``matcher serve`` (one worker) as a subprocess over the bundled corpus and runs ``--clients`` tasks
that each pick one request at a time, by weight, from:

- ``health``: GET /health;  ``cheap``: provinces, regions, a regency's gaps, a catalogue search;
- ``cached_list``: a regency's recommendations as warmed up; ``uncached_list``: the same with a k and sector
  never asked before, so the list is computed (work queue);
- ``match_new``: POST /match with a text never sent before (embedding, work queue);
- ``write``: a mentor adds a gap to a regency and removes it again;
- ``bad_key``: reads and writes with made-up API keys;  ``oversized``: a 2 MiB body (413).

It reports throughput, p50/p99 per kind, the status codes, the number of 5xx answers (must be 0), the
server's RSS every ``--sample`` seconds (it must level off) and the database's growth. The rate limit is lifted
(every client shares 127.0.0.1); the work queue keeps its default, which ``--clients`` stays below, so a 503
would be a fault. Every uncached list and every gap write adds a list to the recommendation cache, so RSS
climbs until that cache is full: ``--cache-mb`` (16 by default, 64 in production) sets its bound, small
enough that the plateau shows within minutes. Numbers to read, not a test: the load client shares the machine
with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from bench_service import RESULTS, Server, build_store, regions_with_gaps

WEIGHTS = {"health": 10, "cheap": 30, "cached_list": 25, "uncached_list": 6, "match_new": 12, "write": 5,
           "bad_key": 9, "oversized": 3}
SECTORS = ("kesehatan", "pendidikan", "sosial_kemiskinan", "lingkungan_persampahan", "ekonomi_umkm")
WORDS = ("puskesmas", "antrean", "bidan", "perahu", "pulau", "sampah", "sekolah", "akta", "kelahiran", "pasar",
         "ikan", "nelayan", "jalan", "desa", "air", "bersih", "sanitasi", "posyandu", "balita", "gizi",
         "stunting", "kemiskinan", "bantuan", "lansia", "pajak", "izin", "usaha", "banjir", "guru", "jaringan",
         "internet", "sinyal", "petani", "pupuk", "irigasi")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status")
    return next((int(x.split()[1]) / 1024 for x in status.read_text().splitlines() if x.startswith("VmRSS")), 0.0)


def db_size(home: Path) -> dict[str, int]:
    """The database once its write-ahead log is folded in (the WAL file alone swings by megabytes), and the rows
    of the tables traffic could grow."""
    with contextlib.closing(sqlite3.connect(home / "matcher.db")) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
                for t in ("embeddings", "gaps", "shortlist")}
    return {"bytes": (home / "matcher.db").stat().st_size, **rows}


class Workload:
    """What each kind of request sends; ``counter`` makes every 'new' text and every uncached list unique."""

    def __init__(self, regions: list[str], mentor_key: str, seed: int):
        self.regions, self.key = regions, mentor_key
        self.rng = random.Random(seed)
        self.counter = 0

    def _text(self, words: int) -> str:
        self.counter += 1
        return f"kasus {self.counter}: " + " ".join(self.rng.choice(WORDS) for _ in range(words))

    async def send(self, client: httpx.AsyncClient, kind: str) -> list[int]:
        """Send one request of ``kind`` (two for a write); the status codes."""
        rng, region = self.rng, self.rng.choice(self.regions)
        if kind == "health":
            return [(await client.get("/health")).status_code]
        if kind == "cheap":
            path = rng.choice(("/provinces", "/regions?province=35", f"/regions/{region}/gaps",
                               f"/innovations?q={rng.choice(WORDS)}+{rng.choice(WORDS)}"))
            return [(await client.get(path)).status_code]
        if kind == "cached_list":
            return [(await client.get(f"/regions/{region}/recommendations?k=10")).status_code]
        if kind == "uncached_list":
            self.counter += 1
            k = 11 + self.counter % 90
            path = f"/regions/{region}/recommendations?k={k}&sector={SECTORS[self.counter % len(SECTORS)]}"
            return [(await client.get(path)).status_code]
        if kind == "match_new":
            return [(await client.post("/match", json={"text": self._text(rng.randint(10, 60))})).status_code]
        if kind == "write":
            headers = {"X-API-Key": self.key}
            added = await client.post(f"/regions/{region}/gaps", headers=headers, json={"text": self._text(25)})
            if added.status_code != 201:
                return [added.status_code]
            removed = await client.delete(f"/gaps/{added.json()['id']}", headers=headers)
            return [added.status_code, removed.status_code]
        if kind == "bad_key":
            made_up = rng.choice((f"mk_{rng.getrandbits(48):012x}_" + "A" * 43, "x" * rng.randint(1, 300),
                                  f"mk_{rng.getrandbits(20)}"))
            if rng.random() < 0.5:
                return [(await client.get("/provinces", headers={"X-API-Key": made_up})).status_code]
            r = await client.post(f"/regions/{region}/gaps", headers={"X-API-Key": made_up}, json={"text": "x"})
            return [r.status_code]
        if kind == "oversized":
            return [(await client.post("/match", content=b"x" * (2 * 1024 * 1024),
                                       headers={"Content-Type": "application/json"})).status_code]
        raise ValueError(kind)


async def soak(url: str, pid: int, work: Workload, seconds: float, clients: int, sample: float) -> dict[str, Any]:
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    started = time.monotonic()
    deadline = started + seconds
    rss: list[tuple[float, float]] = [(0.0, rss_mb(pid))]

    async def client_task() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            while time.monotonic() < deadline:
                kind = work.rng.choices(kinds, weights)[0]
                t0 = time.perf_counter()
                try:
                    codes = await work.send(client, kind)
                except httpx.TransportError:  # the server may close a connection it refused a body on
                    codes = [0]
                latencies[kind].append(time.perf_counter() - t0)
                statuses[kind].update(codes)

    async def sampler() -> None:
        while time.monotonic() < deadline:
            await asyncio.sleep(sample)
            rss.append((round(time.monotonic() - started, 1), round(rss_mb(pid), 1)))

    await asyncio.gather(sampler(), *(client_task() for _ in range(clients)))
    elapsed = time.monotonic() - started
    per_kind = {}
    for kind in kinds:
        ms = np.array(latencies[kind]) * 1000
        per_kind[kind] = {"requests": len(ms), "statuses": dict(sorted(statuses[kind].items())),
                          "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
                          "p99_ms": round(float(np.percentile(ms, 99)), 1) if len(ms) else None}
    total = sum(len(v) for v in latencies.values())
    fives = sum(n for c in statuses.values() for code, n in c.items() if code >= 500)
    return {"seconds": round(elapsed, 1), "clients": clients, "requests": total,
            "requests_per_s": round(total / elapsed, 1), "server_errors_5xx": fives, "kinds": per_kind,
            "rss_mb": rss}


def warm(url: str, regions: list[str]) -> None:
    """Model, index and the cached lists (k=10) of every regency with gaps."""
    with httpx.Client(base_url=url, timeout=300) as client:
        for code in regions:
            client.get(f"/regions/{code}/recommendations?k=10").raise_for_status()
        client.post("/match", json={"text": "warm up"}).raise_for_status()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an indexed store to copy (default: index the bundled corpus)")
    parser.add_argument("--seconds", type=float, default=150)
    parser.add_argument("--clients", type=int, default=6, help="concurrent clients (below the work queue's 8)")
    parser.add_argument("--sample", type=float, default=10, help="seconds between RSS samples")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--cache-mb", type=int, default=16,
                        help="MATCHER_RECOMMENDATION_CACHE_BYTES in MiB: small, so the plateau shows within minutes")
    parser.add_argument("--json", type=Path, help="where to write the results (default benchmarks/results/)")
    args = parser.parse_args()

    from matcher import Accounts, Store

    with tempfile.TemporaryDirectory(prefix="matcher-bench-soak-") as tmp:
        home = Path(tmp) / "home"
        if args.home:
            import shutil

            shutil.copytree(args.home, home)
        else:
            print("indexing the bundled corpus into a temporary store ...", flush=True)
            build_store(home)
        _, key = Accounts(Store(home)).add("soak", "mentor")
        regions = regions_with_gaps(home)
        db_before = db_size(home)
        env = {"MATCHER_WORK_QUEUE_SIZE": "8", "MATCHER_RECOMMENDATION_CACHE_BYTES": str(args.cache_mb << 20)}
        with Server(home, args.port, 1, 2048, env=env) as server:
            warm(server.url, regions)
            print(f"soak: {args.clients} clients for {args.seconds:.0f} s ...", flush=True)
            result = asyncio.run(soak(server.url, server.proc.pid, Workload(regions, key, args.seed), args.seconds,
                                      args.clients, args.sample))
        result["db_before"], result["db_after"] = db_before, db_size(home)
    result["recommendation_cache_mb"] = args.cache_mb
    result["machine"] = {"cpu_count": os.cpu_count(), "loadavg_1m_after": round(os.getloadavg()[0], 2)}
    print(f"{result['requests']} requests in {result['seconds']} s: {result['requests_per_s']} req/s, "
          f"5xx: {result['server_errors_5xx']}")
    for kind, row in result["kinds"].items():
        print(f"  {kind:<14} {row['requests']:>6} · p50 {row['p50_ms']} ms · p99 {row['p99_ms']} ms · {row['statuses']}")
    print("  RSS (s, MB): " + ", ".join(f"{t:.0f}:{mb:.0f}" for t, mb in result["rss_mb"]))
    before, after = result["db_before"], result["db_after"]
    print(f"  database: {before['bytes']:,} -> {after['bytes']:,} bytes; embeddings {before['embeddings']} -> "
          f"{after['embeddings']} rows ({result['kinds']['write']['requests']} gap writes, each a new text, and "
          f"{result['kinds']['match_new']['requests']} new-text matches, which store nothing)")
    out = args.json or RESULTS / "soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return 0 if result["server_errors_5xx"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
