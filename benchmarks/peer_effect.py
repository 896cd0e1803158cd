"""Regency nDCG@10 with and without "regions like yours" evidence, on simulated replication histories.

    .venv/bin/python benchmarks/peer_effect.py [--home DIR] [--weights 0.1,0.2,0.3,0.5,1.0]

Indexes the bundled corpus into ``--home`` (default ``.matcher-peers``, git-ignored; vectors cached there, so a
second run embeds nothing) and prints, per split and protocol (see ``matcher.research.peer_effect``), the
held-out regency nDCG@10 without the peers part and with it at each weight. The default weight
(``MATCHER_PRIOR_PEERS``) was chosen on the dev rows. Numbers to read, not a test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.config import CORPUS_DIR, Settings  # noqa: E402
from matcher.data.loaders import load_gaps, load_innovations, load_qrels, load_split  # noqa: E402
from matcher.data.regions import Regions  # noqa: E402
from matcher.facade import Matcher  # noqa: E402
from matcher.research.peer_effect import PROTOCOLS, peer_effect  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, default=ROOT / ".matcher-peers")
    parser.add_argument("--weights", default="0.1,0.2,0.3,0.5,1.0")
    args = parser.parse_args()
    regions = Regions.load()
    innovations = load_innovations(CORPUS_DIR / "innovations.jsonl", regions)
    gaps = load_gaps(CORPUS_DIR / "gaps.jsonl", regions)
    qrels = load_qrels(CORPUS_DIR / "eval" / "qrels.tsv")
    split = load_split(CORPUS_DIR / "eval" / "split.tsv")
    matcher = Matcher(Settings(home=args.home), regions=regions)
    matcher.index(innovations, gaps)
    weights = [float(w) for w in args.weights.split(",")]
    print("| split | protocol | targets | with evidence | weight | nDCG@10 without | with | on targets with evidence |")
    print("|---|---|---|---|---|---|---|---|")
    for part in ("dev", "test"):
        ids = {g for g, s in split.items() if s == part}
        for protocol in PROTOCOLS:
            for e in peer_effect(matcher, gaps, innovations, qrels, ids, weights, protocol=protocol):
                print(f"| {part} | {protocol} | {e.targets} | {e.with_evidence} | {e.weight} | {e.ndcg_without:.4f} "
                      f"| {e.ndcg_with:.4f} | {e.evidence_ndcg_without:.4f} → {e.evidence_ndcg_with:.4f} |", flush=True)


if __name__ == "__main__":
    main()
