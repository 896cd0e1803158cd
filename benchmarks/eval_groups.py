"""Collapsed lists against every variant, per innovation and per near-duplicate group, on one split.

What ``matcher eval --groups all|collapse [--level regency]`` prints, for both evaluation sets and both levels, from
one throwaway index per set instead of one per command (an index embeds the whole catalogue). Prints a Markdown
table (the README's, "Near-duplicate groups") and writes ``benchmarks/results/eval_groups.json``.

    python benchmarks/eval_groups.py [--split dev]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matcher.config import get_settings  # noqa: E402
from matcher.data import loaders as corpus  # noqa: E402
from matcher.facade import Matcher  # noqa: E402
from matcher.research.evaluation import evaluate, evaluate_regions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent / "corpus"
SETS = {"team": ("gaps.jsonl", "eval/qrels.tsv", "eval/split.tsv"),
        "hard": ("eval/hard_gaps.jsonl", "eval/hard_qrels.tsv", "eval/hard_split.tsv")}
RESULTS = Path(__file__).resolve().parent / "results"


def run_set(name: str, split: str) -> dict[str, dict[str, float]]:
    """{"gap all": {...}, "gap collapse": ..., "regency all": ..., "regency collapse": ...} for one set."""
    gaps_file, qrels_file, split_file = SETS[name]
    out = {}
    with tempfile.TemporaryDirectory(prefix="matcher-eval-groups-") as tmp:
        m = Matcher(get_settings().model_copy(update={"home": Path(tmp)}))
        innovations = corpus.load_innovations(ROOT / "innovations.jsonl", m.regions)
        gaps = corpus.load_gaps(ROOT / gaps_file, m.regions)
        qrels = corpus.load_qrels(ROOT / qrels_file)
        gap_ids = {g for g, s in corpus.load_split(ROOT / split_file).items() if s == split}
        m.index(innovations, gaps, progress=True)
        for groups in ("all", "collapse"):
            out[f"gap {groups}"] = evaluate(m, gaps, innovations, qrels, gap_ids=gap_ids, groups=groups).as_json()
            out[f"regency {groups}"] = evaluate_regions(m, gaps, innovations, qrels, gap_ids=gap_ids,
                                                        groups=groups).as_json()
    return out


def table(results: dict[str, dict[str, dict[str, float]]], split: str) -> str:
    head = [f"| {split}, nDCG@10 | " + " | ".join(f"{s}, {lv}" for s in results for lv in ("gap", "regency")) + " |",
            "|---|" + "---|" * 2 * len(results)]
    rows = []
    for groups in ("all", "collapse"):
        for metric, label in (("ndcg@10", "per innovation"), ("group_ndcg@10", "per group")):
            cells = []
            for s in results:
                for level in ("gap", "regency"):
                    value = results[s][f"{level} {groups}"][metric]
                    base = results[s][f"{level} all"][metric]
                    cells.append(f"{value:.3f}" if groups == "all" else f"{value:.3f} ({value - base:+.3f})")
            rows.append(f"| {'every variant' if groups == 'all' else 'one per group'}, {label} | "
                        + " | ".join(cells) + " |")
    return "\n".join(head + rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    args = parser.parse_args()
    results = {name: run_set(name, args.split) for name in SETS}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval_groups.json").write_text(json.dumps({"split": args.split, **results}, indent=1) + "\n")
    print(table(results, args.split))
    return 0


if __name__ == "__main__":
    sys.exit(main())
