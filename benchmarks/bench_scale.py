"""matcher at national scale: 10k and 100k innovations, all 514 regencies with 3 gap statements each.

    python benchmarks/bench_scale.py [--sizes 10000,100000] [--seed 13] [--queries 200] [--naive-queries 20]
                                     [--requests 600] [--match-only] [--json OUT]

``--match-only`` builds the same store and measures ``match`` alone (its stages too), in minutes instead of
the full run's twenty; it writes ``scale-<N>-match.json``, which the summary does not read.

Per size it prints one table and writes JSON (``benchmarks/results/scale-<N>.json``). The corpora are made
deterministically from ``--seed`` by recombining sentences of the bundled corpus (innovation sentences into
descriptions, gap sentences into gap statements), so the texts stay Indonesian and varied.

Embedding 100k texts with multilingual-e5-small on 2 CPUs takes hours, so the vectors of the synthetic texts
are composed instead of embedded: every distinct bundled sentence is embedded once with the real encoder, and
a synthetic text's vector is the normalised sum of its sentences' vectors. Those vectors are written into the
store's embedding cache under the synthetic texts' hashes before ``matcher index`` runs; the build then finds
them there, as a re-index does. Everything else is the real thing: ``matcher index`` in a subprocess (its wall
time and peak RSS), the real encoder for every new text (the 1% changed innovations, new query texts), real
FAISS, BM25 and SQLite, and ``matcher serve`` over loopback. The full build time is therefore reported as the
measured build plus the embedding time the measured pipeline rate predicts for every text.

The naive peer (``naive_peer.py``, a subprocess with its own memory) is what one would write by hand: the same
encoder for the query, NumPy brute-force cosine over the same vectors, ``rank_bm25`` over lower-cased
whitespace tokens, reciprocal rank fusion. These are numbers to read, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench_engine import (
    bench_match,
    cpu_busy_s,
    load_bundled,
    machine_facts,
    own_cpu_s,
    peak_rss_mb,
    print_table,
    recombine,
    summary,
    timed,
    with_changes,
)
from bench_service import measure
from tqdm.auto import tqdm

from matcher.config import Settings
from matcher.data.loaders import Gap, Innovation
from matcher.data.records import text_hash
from matcher.data.regions import Regions
from matcher.engine.encoders import Encoder, load_encoder
from matcher.engine.explain import split_sentences
from matcher.engine.text import clean_for_dense
from matcher.facade import PASSAGE, QUERY, Matcher
from matcher.recommendations.regency import recommend_many

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
GAPS_PER_REGENCY = 3
Row = tuple[str, str, str]


# ---- corpus and composed vectors ----------------------------------------------------------------------------
@dataclasses.dataclass
class ScaleCorpus:
    innovations: list[Innovation]
    gaps: list[Gap]
    innovation_vectors: np.ndarray  # (n innovations, dim), composed from sentence vectors
    gap_vectors: np.ndarray  # (n gaps, dim)


class SentenceVectors:
    """Each distinct bundled sentence embedded once (as passage or query), so recombined texts get vectors."""

    def __init__(self, encoder: Encoder, sentences: Sequence[str], kind: str):
        self.index = {s: i for i, s in enumerate(dict.fromkeys(sentences))}
        texts = [clean_for_dense(s) for s in self.index]
        encode = encoder.encode_queries if kind == QUERY else encoder.encode_passages
        self.vectors = encode(texts, progress=True)

    def compose(self, parts: Sequence[Sequence[str]]) -> np.ndarray:
        """Normalised sum of the sentence vectors of each text: (len(parts), dim) float32."""
        out = np.vstack([self.vectors[[self.index[s] for s in p]].sum(axis=0) for p in parts]).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def make_corpus(n: int, seed: int, innovations: Sequence[Innovation], gaps: Sequence[Gap], regions: Regions,
                passages: SentenceVectors, queries: SentenceVectors) -> ScaleCorpus:
    """N recombined innovations and 3 recombined gaps for every one of the 514 kabupaten/kota."""
    rng = random.Random(seed)
    inv_parts = recombine([split_sentences(i.description) for i in innovations], n, rng)
    new_innovations = [dataclasses.replace(innovations[j], id=f"SYN-{i + 1:06d}", description=" ".join(p))
                       for i, (j, p) in enumerate(inv_parts)]
    codes = [r.code for r in regions]
    gap_parts = recombine([split_sentences(g.text) for g in gaps], len(codes) * GAPS_PER_REGENCY, rng)
    new_gaps = [dataclasses.replace(gaps[j], id=f"SG-{i + 1:05d}", region_code=codes[i // GAPS_PER_REGENCY],
                                    text=" ".join(p), priority=1 + i % GAPS_PER_REGENCY)
                for i, (j, p) in enumerate(gap_parts)]
    return ScaleCorpus(new_innovations, new_gaps, passages.compose([p for _, p in inv_parts]),
                       queries.compose([p for _, p in gap_parts]))


def write_corpus(corpus: ScaleCorpus, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    inv_file, gap_file = folder / "innovations.jsonl", folder / "gaps.jsonl"
    for path, records in ((inv_file, corpus.innovations), (gap_file, corpus.gaps)):
        with path.open("w", encoding="utf-8") as f:
            for rec in records:
                f.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
    return inv_file, gap_file


def seed_cache(matcher: Matcher, corpus: ScaleCorpus) -> None:
    """Put the composed vectors in the embedding cache under the hashes the pipeline will look up."""
    model = matcher.encoder.model_id
    matcher.embedder.cache.put(model, PASSAGE, [text_hash(matcher.embedder.passage_text(i)) for i in corpus.innovations],
                                corpus.innovation_vectors)
    matcher.embedder.cache.put(model, QUERY, [text_hash(clean_for_dense(g.text)) for g in corpus.gaps],
                                corpus.gap_vectors)


# ---- measurements -------------------------------------------------------------------------------------------
def run_child(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command to its end; its wall time and its own peak RSS (from wait4, not the whole process tree)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... exited {proc.returncode}:\n{out[-2000:]}")
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": usage.ru_maxrss / 1024, "output": out[-500:]}


def embedding_rates(encoder: Encoder, settings: Settings, regions: Regions, sample: Sequence[Innovation],
                    home: Path) -> dict[str, Any]:
    """Bare encoder and the pipeline (``Matcher.index`` on an empty store) on the same new texts."""
    texts = [clean_for_dense(i.description) for i in sample]
    encoder.encode_passages(texts[:4])  # warm-up
    _, bare = timed(lambda: encoder.encode_passages(texts, progress=True))
    matcher = Matcher(settings.model_copy(update={"home": home}), encoder=encoder, regions=regions)
    report = matcher.index(sample, [], progress=True)
    return {"texts": len(texts), "bare_s": bare, "bare_texts_per_s": len(texts) / bare,
            "pipeline_s": report.seconds, "pipeline_embedded": report.embedded,
            "pipeline_texts_per_s": report.embedded / report.seconds,
            "ratio": (report.embedded / report.seconds) / (len(texts) / bare)}


def bench_recommend_all(matcher: Matcher, codes: Sequence[str]) -> dict[str, Any]:
    """``recommend_many`` for every regency (3 gaps each), one call, as a batch run does."""
    recommend_many(matcher, codes[:5])  # warm-up
    started = time.perf_counter()
    per_region = []
    for code in tqdm(codes, desc="recommend, all regencies"):
        t = time.perf_counter()
        recs = recommend_many(matcher, [code])[0]
        per_region.append(time.perf_counter() - t)
        assert recs, f"no recommendation for {code}"
    return {"regencies": len(codes), "seconds": time.perf_counter() - started, "per_regency": summary(per_region)}


def bench_single_update(matcher: Matcher, innovation: Innovation, rounds: int = 5) -> dict[str, Any]:
    """One innovation edited (new text, so one embedding) as the API's admin update does: index(replace=False)."""
    times, embedded = [], []
    for r in range(rounds):
        edited = dataclasses.replace(innovation, description=f"{innovation.description} Revisi kecil nomor {r}.")
        report = matcher.index([edited], replace=False)
        times.append(report.seconds)
        embedded.append(report.embedded)
    return {"rounds": rounds, "embedded_per_update": embedded, **summary(times)}


def bench_naive(home: Path, corpus: ScaleCorpus, queries: Sequence[Gap], n: int, folder: Path) -> dict[str, Any]:
    """The hand-written peer in its own process, on the same texts, vectors and query texts."""
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "vectors.npy", corpus.innovation_vectors)
    (folder / "texts.json").write_text(json.dumps([i.text for i in corpus.innovations], ensure_ascii=False))
    (folder / "queries.json").write_text(json.dumps([g.text for g in queries[:n]], ensure_ascii=False))
    out = folder / "naive.json"
    run_child([sys.executable, str(ROOT / "benchmarks" / "naive_peer.py"), str(folder), str(out)],
              {**os.environ, "MATCHER_HOME": str(home)})
    return json.loads(out.read_text())


def bench_service_at_scale(home: Path, codes: Sequence[str], requests: int, port: int) -> list[dict[str, Any]]:
    """``GET /regions/{code}/recommendations`` over all 514 regencies: with the recommendation cache off (every
    request ranks and explains the regency's gaps), with 1 and 2 workers; and with it on after one pass over
    every regency (what a running service answers once each list was asked for)."""
    paths = [f"/regions/{c}/recommendations?k=10" for c in codes]
    return [row for workers, cache in ((1, 0), (2, 0), (1, 2048))
            for row in measure(home, paths, workers, cache, (1, 4, 8), requests, port,
                               paths if cache else paths[: 20 * workers])]


# ---- one size -----------------------------------------------------------------------------------------------
def build_store(n: int, args: argparse.Namespace, tmp: Path, encoder: Encoder, regions: Regions,
                bundled: tuple[list[Innovation], list[Gap]], pools: tuple[SentenceVectors, SentenceVectors]
                ) -> tuple[ScaleCorpus, Matcher, dict[str, Any], dict[str, float]]:
    """The size-``n`` corpus, its vectors put in the store's cache, then ``matcher index`` in a subprocess: the
    corpus, a matcher on the store, the build's measurements and how long making and seeding the corpus took."""
    home = tmp / f"home-{n}"
    innovations, gaps = bundled
    corpus, gen_s = timed(lambda: make_corpus(n, args.seed, innovations, gaps, regions, *pools))
    inv_file, gap_file = write_corpus(corpus, tmp / f"corpus-{n}")
    matcher = Matcher(Settings(home=home), encoder=encoder, regions=regions)
    _, seed_s = timed(lambda: seed_cache(matcher, corpus))
    print(f"{n}: corpus made in {gen_s:.1f} s, cache seeded in {seed_s:.1f} s; building ...", flush=True)
    build = run_child([sys.executable, "-m", "matcher.cli", "index", "--innovations", str(inv_file),
                       "--gaps", str(gap_file)], {**os.environ, "MATCHER_HOME": str(home)})
    return corpus, matcher, build, {"corpus_made_s": gen_s, "cache_seeded_s": seed_s}


def run_size(n: int, args: argparse.Namespace, tmp: Path, encoder: Encoder, regions: Regions,
             bundled: tuple[list[Innovation], list[Gap]], pools: tuple[SentenceVectors, SentenceVectors],
             rates: dict[str, Any]) -> dict[str, Any]:
    corpus, matcher, build, made = build_store(n, args, tmp, encoder, regions, bundled, pools)
    home = matcher.settings.home
    env = {**os.environ, "MATCHER_HOME": str(home)}
    texts = len(corpus.innovations) + len(corpus.gaps)
    embed_estimate = len(corpus.innovations) / rates["pipeline_texts_per_s"] + len(corpus.gaps) / rates["query_texts_per_s"]
    full_build = build["seconds"] + embed_estimate
    check = run_child([sys.executable, "-m", "matcher.cli", "check"], env)

    rss_start = peak_rss_mb()
    unchanged = matcher.index(corpus.innovations, corpus.gaps)
    changed_corpus, n_changed = with_changes(corpus.innovations, 0.01, args.seed)
    changed = matcher.index(changed_corpus, corpus.gaps, progress=True)
    matcher.match_many([g.text for g in bundled[1]])  # caches the query vectors of the 'cached' rounds
    match = bench_match(matcher, bundled[1], args.queries)
    codes = [r.code for r in regions]
    recommend_all = bench_recommend_all(matcher, codes)
    update = bench_single_update(matcher, changed_corpus[0])
    in_process_rss = peak_rss_mb()

    naive = bench_naive(home, corpus, bundled[1], args.naive_queries, tmp / f"naive-{n}")
    service = bench_service_at_scale(home, codes, args.requests, args.port)
    return {
        "innovations": n, "gaps": len(corpus.gaps), "regencies": len(codes), "texts": texts,
        **made,
        "build": {**build, "embedding_estimate_s": embed_estimate, "full_build_estimate_s": full_build},
        "check": check["output"].strip(),
        "reindex_unchanged": {"seconds": unchanged.seconds, "embedded": unchanged.embedded},
        "reindex_1pct": {"seconds": changed.seconds, "embedded": changed.embedded, "expected_embedded": n_changed,
                         "fraction_of_full_build": changed.seconds / full_build},
        "match": match, "recommend_all": recommend_all, "single_update": update,
        "naive": naive,
        "naive_ratio": {"mean": naive["total"]["mean_ms"] / match["new_text"]["mean_ms"],
                        "p50": naive["total"]["p50_ms"] / match["new_text"]["p50_ms"]},
        "service": service,
        "peak_rss_mb": {"index_cli": build["peak_rss_mb"], "in_process_before": rss_start,
                        "in_process": in_process_rss, "service": max(r["server_peak_rss_mb"] for r in service)},
    }


def run_match_only(n: int, args: argparse.Namespace, tmp: Path, encoder: Encoder, regions: Regions,
                   bundled: tuple[list[Innovation], list[Gap]], pools: tuple[SentenceVectors, SentenceVectors]
                   ) -> dict[str, Any]:
    """The store of :func:`run_size`, then warm ``match`` only: what to rerun after a change to the ranking path."""
    _, matcher, build, _ = build_store(n, args, tmp, encoder, regions, bundled, pools)
    gaps = bundled[1]
    matcher.match_many([g.text for g in gaps])  # caches the query vectors of the 'cached' rounds
    return {"innovations": n, "build": build, "match": bench_match(matcher, gaps, args.queries)}


# ---- report -------------------------------------------------------------------------------------------------
def lat(s: dict[str, float]) -> str:
    return f"p50 {s['p50_ms']:.1f} · p99 {s['p99_ms']:.1f} ms"


def match_rows(m: dict[str, Any]) -> list[Row]:
    """The ``match`` lines: everything but the query embedding, a new free text, and each stage."""
    st = m["stages"]
    return [
        ("match, all but query embedding", lat(m["cached"]), f"target p99 <= 15 ms; {m['queries']} queries"),
        ("match, new free text", lat(m["new_text"]),
         f"target p99 <= query embedding p99 ({st['query_embedding']['p99_ms']:.1f}) + 20 ms"),
        *((f"  stage {name}", lat(s), "") for name, s in st.items()),
    ]


def rows(r: dict[str, Any], rates: dict[str, Any]) -> list[Row]:

    b, m = r["build"], r["match"]
    out: list[Row] = [
        ("bare encoder, passages", f"{rates['bare_texts_per_s']:.1f} texts/s", f"{rates['texts']} new texts"),
        ("pipeline, same texts", f"{rates['pipeline_texts_per_s']:.1f} texts/s",
         f"ratio to bare {rates['ratio']:.2f} (target >= 0.90)"),
        ("matcher index (vectors cached)", f"{b['seconds']:.1f} s", f"{r['texts']} texts; peak RSS "
         f"{b['peak_rss_mb']:.0f} MB"),
        ("full build, estimated", f"{b['full_build_estimate_s'] / 60:.0f} min",
         f"+ {b['embedding_estimate_s']:.0f} s embedding at the measured pipeline rate"),
        ("re-index, nothing changed", f"{r['reindex_unchanged']['seconds']:.1f} s",
         f"embedded {r['reindex_unchanged']['embedded']}"),
        ("re-index, 1% changed", f"{r['reindex_1pct']['seconds']:.1f} s",
         f"embedded {r['reindex_1pct']['embedded']} (expected {r['reindex_1pct']['expected_embedded']}); "
         f"{r['reindex_1pct']['fraction_of_full_build']:.1%} of the full build (target <= 5%)"),
        ("one innovation edited", lat(r["single_update"]), "index(replace=False), 1 text embedded"),
    ]
    out += match_rows(m)
    ra = r["recommend_all"]
    out += [
        ("recommendations, all regencies", f"{ra['seconds']:.1f} s",
         f"{ra['regencies']} regencies x {GAPS_PER_REGENCY} gaps (target <= 60 s); per regency {lat(ra['per_regency'])}"),
        ("naive peer, per query", lat(r["naive"]["total"]),
         f"bm25 {r['naive']['bm25']['mean_ms']:.0f} ms mean; built in {r['naive']['build_s']:.1f} s"),
        ("match vs naive", f"{r['naive_ratio']['mean']:.0f}x faster", f"mean; p50 {r['naive_ratio']['p50']:.0f}x "
         "(target >= 20x)"),
    ]
    out += [(f"service, {s['workers']} worker(s), cache {'on' if s['cache_size'] else 'off'}, concurrency "
             f"{s['concurrency']}", f"{s['requests_per_s']:.0f} req/s",
             f"p50 {s['p50_ms']:.1f} · p99 {s['p99_ms']:.1f} ms · {s['errors']} errors") for s in r["service"]]
    rss = r["peak_rss_mb"]
    out.append(("peak RSS", f"{max(rss['index_cli'], rss['service']):.0f} MB",
                f"matcher index {rss['index_cli']:.0f} · matcher serve {rss['service']:.0f} (target <= 1024); "
                f"this benchmark process {rss['in_process']:.0f}, with the synthetic corpus and its vectors"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--queries", type=int, default=200, help="at least this many match calls (whole rounds)")
    parser.add_argument("--naive-queries", type=int, default=20)
    parser.add_argument("--rate-sample", type=int, default=200, help="new texts for the encoder throughput")
    parser.add_argument("--requests", type=int, default=600, help="service requests per concurrency level")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--match-only", action="store_true", help="build the store, then measure match alone")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="matcher-bench-scale-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["MATCHER_HOME"] = str(tmp / "scratch")
        settings = Settings(home=tmp / "scratch")
        regions = Regions.load(settings.corpus_dir / "regions")
        innovations, gaps, _ = load_bundled(settings, regions)
        started, busy_start, own_start = time.perf_counter(), cpu_busy_s(), own_cpu_s()
        encoder = load_encoder(settings.model, settings.batch_size, settings.query_prompt, settings.passage_prompt)
        print("embedding every distinct bundled sentence once ...", flush=True)
        passages = SentenceVectors(encoder, [s for i in innovations for s in split_sentences(i.description)], PASSAGE)
        queries = SentenceVectors(encoder, [s for g in gaps for s in split_sentences(g.text)], QUERY)
        if args.match_only:
            for n in args.sizes:
                result = run_match_only(n, args, tmp, encoder, regions, (innovations, gaps), (passages, queries))
                wall, own = time.perf_counter() - started, own_cpu_s() - own_start
                facts = {**machine_facts(), "wall_s": wall, "other_cpu_s": max(0.0, cpu_busy_s() - busy_start - own)}
                print_table(f"match at {n} innovations · other processes used {facts['other_cpu_s'] / wall:.2f} CPUs",
                            match_rows(result["match"]))
                write_result(RESULTS / f"scale-{n}-match.json", {"machine": facts, **result})
            return 0
        sample = make_corpus(args.rate_sample, args.seed + 1, innovations, gaps, regions, passages, queries)
        rates = embedding_rates(encoder, settings, regions, sample.innovations, tmp / "rates")
        _, q_s = timed(lambda: encoder.encode_queries([g.text for g in sample.gaps[:100]]))
        rates["query_texts_per_s"] = 100 / q_s
        for n in args.sizes:
            result = run_size(n, args, tmp, encoder, regions, (innovations, gaps), (passages, queries), rates)
            wall, own = time.perf_counter() - started, own_cpu_s() - own_start
            facts = {**machine_facts(), "wall_s": wall,
                     "other_cpu_s": max(0.0, cpu_busy_s() - busy_start - own)}
            result = {"machine": facts, "embedding_rates": rates, **result}
            print_table(f"matcher at {n} innovations · {facts['cpus_usable']} CPUs · {facts['cpu_model']} · "
                        f"other processes used {facts['other_cpu_s'] / wall:.2f} CPUs", rows(result, rates))
            write_result(RESULTS / f"scale-{n}.json", result)
    return 0


def write_result(out: Path, result: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
