"""The hard evaluation set (corpus/eval/hard_*): build the judging pools, then measure today's ranking on it.

    .venv/bin/python benchmarks/hard_eval.py pool   # pools -> corpus/eval/hard_pool.tsv (+ hard_pool_sources.tsv)
    .venv/bin/python benchmarks/hard_eval.py sheet  # grading sheet (gap text + shuffled pool, no ranker, no rank)
    .venv/bin/python benchmarks/hard_eval.py eval   # metrics per channel, split and style; regency level;
                                                    # the ranks of issue 12's named failure cases

Pool of a gap = top 10 of each channel (dense, lexical, hybrid; ``Matcher.match_many`` with the gap's region, so
its own innovations are left out as ``match`` does) + the innovations listed for it in
``corpus/eval/hard_pool_manual.tsv`` (picked by reading the catalogue by sector, before the pools were seen).
``hard_pool.tsv`` lists each gap's pool in a seeded shuffled order and says nothing of who found what; that is
in ``hard_pool_sources.tsv``, which the grader does not open while grading.

Everything runs on one store (``--home``, default ``.matcher-eval``, git-ignored), indexed once with the bundled
innovations and gaps; vectors are cached there, so a second run embeds nothing. The regency level of the hard set
needs a store whose stored gaps are the hard gaps only: ``<home>-hard``, a copy of the first with the gaps swapped.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.config import Settings  # noqa: E402
from matcher.data import loaders as corpus  # noqa: E402
from matcher.data.regions import Regions  # noqa: E402
from matcher.facade import Matcher  # noqa: E402
from matcher.research.evaluation import evaluate, evaluate_regions, usable_judgments  # noqa: E402

EVAL = ROOT / "corpus" / "eval"
CHANNELS = ("dense", "lexical", "hybrid")
DEPTH = 10
SEED = 12
STYLES = ("symptom", "mixed", "negation", "setting", "constraint", "homonym", "nofit")
NAMED = ("GAP-1002", "GAP-4011", "GAP-2006", "GAP-6006")  # issue 12, "What goes wrong today"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def write_tsv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def open_store(home: Path, regions: Regions, gaps_file: Path) -> tuple[Matcher, list, list]:
    """A Matcher on ``home`` holding the bundled innovations and the gaps of ``gaps_file`` (indexed if needed)."""
    m = Matcher(Settings(home=home), regions=regions)
    innovations = corpus.load_innovations(ROOT / "corpus" / "innovations.jsonl", regions)
    gaps = corpus.load_gaps(gaps_file, regions)
    if m.check() or {g.id for g in m.gaps()} != {g.id for g in gaps}:
        report = m.index(innovations, gaps, progress=True)
        print(f"indexed {home}: embedded {report.embedded} texts", file=sys.stderr)
    return m, innovations, gaps


def hard_store(home: Path, regions: Regions) -> tuple[Matcher, list, list]:
    hard_home = home.with_name(home.name + "-hard")
    if not hard_home.exists() and home.exists():
        shutil.copytree(home, hard_home, ignore=shutil.ignore_patterns("index.lock"))
    return open_store(hard_home, regions, EVAL / "hard_gaps.jsonl")


def cmd_pool(args: argparse.Namespace, regions: Regions) -> None:
    m, _, gaps = open_store(args.home, regions, ROOT / "corpus" / "gaps.jsonl")
    hard = corpus.load_gaps(EVAL / "hard_gaps.jsonl", regions)
    ranks: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for ch in CHANNELS:
        results = m.match_many([g.text for g in hard], [g.region_code for g in hard], k=DEPTH, channels=ch)
        for g, ms in zip(hard, results, strict=True):
            for x in ms:
                ranks[(g.id, x.innovation.id)][ch] = x.rank
    manual = {(r["gap_id"], r["innovation_id"]) for r in read_tsv(EVAL / "hard_pool_manual.tsv")}
    known_gaps = {g.id for g in hard}
    assert all(g in known_gaps for g, _ in manual), "manual pool names an unknown gap"
    pairs = set(ranks) | manual
    rng = random.Random(SEED)
    pool_rows, source_rows = [], []
    for g in hard:
        items = sorted(i for gg, i in pairs if gg == g.id)
        rng.shuffle(items)
        pool_rows += [[g.id, i] for i in items]
        for i in sorted(items):
            r = ranks.get((g.id, i), {})
            source_rows.append([g.id, i] + [r.get(ch, "") for ch in CHANNELS] + [int((g.id, i) in manual)])
    write_tsv(EVAL / "hard_pool.tsv", ["gap_id", "innovation_id"], pool_rows)
    write_tsv(EVAL / "hard_pool_sources.tsv", ["gap_id", "innovation_id", *(f"{c}_rank" for c in CHANNELS),
                                                "manual"], source_rows)
    only_manual = sum(1 for p in manual if p not in ranks)
    print(f"{len(pool_rows)} pooled pairs for {len(hard)} gaps (mean {len(pool_rows) / len(hard):.1f}); "
          f"{len(manual)} manual picks, {only_manual} of them found by no ranker")


def cmd_sheet(args: argparse.Namespace, regions: Regions) -> None:
    """The grading sheet: gap text, then its pool in the shuffled order, with only what the innovation says."""
    hard = {g.id: g for g in corpus.load_gaps(EVAL / "hard_gaps.jsonl", regions)}
    inv = {i.id: i for i in corpus.load_innovations(ROOT / "corpus" / "innovations.jsonl", regions)}
    pool: dict[str, list[str]] = defaultdict(list)
    for r in read_tsv(EVAL / "hard_pool.tsv"):
        pool[r["gap_id"]].append(r["innovation_id"])
    wanted = set(args.gaps.split(",")) if args.gaps else None
    for gid, items in pool.items():
        if wanted and gid not in wanted:
            continue
        print(f"\n### {gid} [{hard[gid].region_code}] {hard[gid].text}")
        for i in items:
            x = inv[i]
            flags = " ".join(f for f in (x.metadata.get("status") == "berhenti" and "BERHENTI",
                                          x.digital and "digital") if f)
            body = x.description.split(". ", 1)[-1]
            print(f"- {i} {x.title} {('[' + flags + ']') if flags else ''} :: {body[:args.chars]}")


def style_of() -> dict[str, str]:
    return {r["gap_id"]: r["style"] for r in read_tsv(EVAL / "hard_styles.tsv")}


def fmt(r) -> str:
    return f"{r.ndcg:.3f} | {r.recall:.3f} | {r.mrr:.3f}"


def cmd_eval(args: argparse.Namespace, regions: Regions) -> None:
    out: dict = {"k": DEPTH}
    qrels_hard = corpus.load_qrels(EVAL / "hard_qrels.tsv")
    split_hard = corpus.load_split(EVAL / "hard_split.tsv")
    styles = style_of()
    m, innovations, _ = hard_store(args.home, regions)
    hard = corpus.load_gaps(EVAL / "hard_gaps.jsonl", regions)
    judged = usable_judgments(hard, innovations, qrels_hard)
    lines = ["## Hard set, gap level (nDCG@10 | Recall@10 | MRR, gaps with a grade >= 2 answer)", "",
             "| channel | split | gaps | nDCG@10 | Recall@10 | MRR |", "|---|---|---|---|---|---|"]
    per_query: dict[str, dict[str, dict[str, float]]] = {}
    for ch in CHANNELS:
        allres = evaluate(m, hard, innovations, qrels_hard, k=DEPTH, channels=ch)
        per_query[ch] = allres.per_query
        for sp in ("dev", "test", None):
            ids = {g for g, s in split_hard.items() if sp is None or s == sp}
            r = evaluate(m, hard, innovations, qrels_hard, k=DEPTH, channels=ch, gap_ids=ids)
            out[f"hard/{ch}/{sp or 'all'}"] = r.as_json()
            lines.append(f"| {ch} | {sp or 'all'} | {r.queries} | {fmt(r).replace(' | ', ' | ')} |")
    lines += ["", "## Hard set per style (all splits; nDCG@10 per channel, gaps with a grade >= 2 answer)", "",
              "| style | gaps | answerable | dense | lexical | hybrid | hybrid R@10 | hybrid MRR "
              "| hybrid nDCG dev | hybrid nDCG test |", "|---|---|---|---|---|---|---|---|---|---|"]
    for st in STYLES:
        ids = [g for g, s in styles.items() if s == st]
        ans = [g for g in ids if g in judged]
        cells = []
        for ch in CHANNELS:
            v = [per_query[ch][g]["ndcg"] for g in ans]
            cells.append(f"{statistics.mean(v):.3f}" if v else "-")
        hv = [per_query["hybrid"][g] for g in ans]
        rec = f"{statistics.mean(p['recall'] for p in hv):.3f}" if hv else "-"
        mrr = f"{statistics.mean(p['mrr'] for p in hv):.3f}" if hv else "-"
        by_split = []
        for sp in ("dev", "test"):
            v = [per_query["hybrid"][g]["ndcg"] for g in ans if split_hard.get(g) == sp]
            by_split.append(f"{statistics.mean(v):.3f} ({len(v)})" if v else "-")
        lines.append(f"| {st} | {len(ids)} | {len(ans)} | {' | '.join(cells)} | {rec} | {mrr} | "
                     f"{' | '.join(by_split)} |")
        out[f"hard/style/{st}"] = {"gaps": len(ids), "answerable": len(ans),
                                   **{ch: c for ch, c in zip(CHANNELS, cells, strict=True)},
                                   "hybrid_dev": by_split[0], "hybrid_test": by_split[1]}
    # gaps with no fit: does today's ranking look confident anyway?
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    for j in qrels_hard:
        grades[j.gap_id][j.innovation_id] = j.relevance
    top = m.match_many([g.text for g in hard], [g.region_code for g in hard], k=DEPTH)
    good = m.settings.good_match
    lines += ["", f"## Confidence of the top hybrid result (fused score >= MATCHER_GOOD_MATCH={good})", "",
              "| style | gaps | top score >= good_match | top result graded >= 2 | stopped (berhenti) in top 10 |",
              "|---|---|---|---|---|"]
    for st in STYLES:
        rows = [(g, ms) for g, ms in zip(hard, top, strict=True) if styles[g.id] == st]
        conf = sum(1 for _, ms in rows if ms and ms[0].score >= good)
        right = sum(1 for g, ms in rows if ms and grades[g.id].get(ms[0].innovation.id, 0) >= 2)
        stopped = sum(1 for _, ms in rows for x in ms if x.innovation.metadata.get("status") == "berhenti")
        lines.append(f"| {st} | {len(rows)} | {conf} | {right} | {stopped} of {sum(len(ms) for _, ms in rows)} |")
        out[f"hard/confidence/{st}"] = {"gaps": len(rows), "confident_top": conf, "top_relevant": right,
                                        "stopped_in_top10": stopped}
    rr = evaluate_regions(m, hard, innovations, qrels_hard, k=DEPTH)
    out["hard/regency/hybrid/all"] = rr.as_json()
    for sp in ("dev", "test"):
        ids = {g for g, s in split_hard.items() if s == sp}
        r = evaluate_regions(m, hard, innovations, qrels_hard, k=DEPTH, gap_ids=ids)
        out[f"hard/regency/hybrid/{sp}"] = r.as_json()
    lines += ["", "## Regency level (recommendations; an innovation's relevance = its best grade over the "
              "regency's gaps)", "", "| set | split | regencies | nDCG@10 | Recall@10 | MRR |", "|---|---|---|---|---|---|"]
    for sp in ("dev", "test", "all"):
        j = out[f"hard/regency/hybrid/{sp}"]
        lines.append(f"| hard | {sp} | {j['queries']} | {j['ndcg@10']:.3f} | {j['recall@10']:.3f} | {j['mrr']:.3f} |")

    # the bundled set: the same table, for comparison, and the regency-level baseline the target needs
    mb, innovations_b, gaps_b = open_store(args.home, regions, ROOT / "corpus" / "gaps.jsonl")
    qrels_b = corpus.load_qrels(EVAL / "qrels.tsv")
    split_b = corpus.load_split(EVAL / "split.tsv")
    blines = ["", "## Bundled set (corpus/gaps.jsonl), same store", "",
              "| level | channel | split | n | nDCG@10 | Recall@10 | MRR |", "|---|---|---|---|---|---|---|"]
    for ch in CHANNELS:
        for sp in ("dev", "test"):
            ids = {g for g, s in split_b.items() if s == sp}
            r = evaluate(mb, gaps_b, innovations_b, qrels_b, k=DEPTH, channels=ch, gap_ids=ids)
            out[f"bundled/{ch}/{sp}"] = r.as_json()
            blines.append(f"| gap | {ch} | {sp} | {r.queries} | {fmt(r)} |")
    for sp in ("dev", "test"):
        ids = {g for g, s in split_b.items() if s == sp}
        r = evaluate_regions(mb, gaps_b, innovations_b, qrels_b, k=DEPTH, gap_ids=ids)
        out[f"bundled/regency/hybrid/{sp}"] = r.as_json()
        blines.append(f"| regency | hybrid | {sp} | {r.queries} | {fmt(r)} |")

    # issue 12's named failure cases: where is the right answer today?
    gb = {g.id: g for g in gaps_b}
    judged_b = usable_judgments(gaps_b, innovations_b, qrels_b)
    nl = ["", "## Named failure cases (bundled corpus): rank of the best-graded innovations, top 50", "",
          "| gap | answer (grade) | dense | lexical | hybrid | hybrid #1 (grade) |", "|---|---|---|---|---|---|"]
    for gid in NAMED:
        g = gb[gid]
        js = judged_b.get(gid, {})
        best = max(js.values()) if js else 0
        answers = sorted(i for i, r in js.items() if r == best)
        ranked = {ch: [x.innovation.id for x in mb.match(g.text, region=g.region_code, k=50, channels=ch)]
                  for ch in CHANNELS}
        for a in answers:
            pos = {ch: (ranked[ch].index(a) + 1 if a in ranked[ch] else ">50") for ch in CHANNELS}
            first = ranked["hybrid"][0]
            nl.append(f"| {gid} | {a} ({best}) | {pos['dense']} | {pos['lexical']} | {pos['hybrid']} | "
                      f"{first} ({js.get(first, 0)}) |")
            out[f"named/{gid}/{a}"] = pos
    nl += ["", "Hybrid top 10 of each (grade from qrels.tsv, - unjudged; * stopped; d digital):", ""]
    inv_by_id = {i.id: i for i in innovations_b}
    for gid in NAMED:
        js = judged_b.get(gid, {})
        ranked = [x.innovation.id for x in mb.match(gb[gid].text, region=gb[gid].region_code, k=DEPTH)]
        cells = [f"{i}({js.get(i, '-')}{'*' if inv_by_id[i].metadata.get('status') == 'berhenti' else ''}"
                 f"{'d' if inv_by_id[i].digital else ''})" for i in ranked]
        nl.append(f"- {gid}: {' '.join(cells)}")
        out[f"named/{gid}/hybrid_top10"] = ranked
    text = "\n".join(lines + blines + nl)
    print(text)
    res = ROOT / "benchmarks" / "results"
    res.mkdir(exist_ok=True)
    (res / "hard_eval.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    (res / "hard_eval.md").write_text(text + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("command", choices=("pool", "sheet", "eval"))
    p.add_argument("--home", type=Path, default=ROOT / ".matcher-eval")
    p.add_argument("--gaps", help="sheet: only these gap ids (comma-separated)")
    p.add_argument("--chars", type=int, default=420, help="sheet: characters of each description shown")
    args = p.parse_args()
    regions = Regions.load(ROOT / "corpus" / "regions")
    {"pool": cmd_pool, "sheet": cmd_sheet, "eval": cmd_eval}[args.command](args, regions)


if __name__ == "__main__":
    main()
