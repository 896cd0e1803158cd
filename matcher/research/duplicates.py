"""How well near-duplicate grouping agrees with hand-labelled pairs (``corpus/eval/duplicate_pairs.tsv``).

Pairwise: a pair is predicted "same" when both innovations sit in one group. Precision is the share of predicted
pairs labelled same, recall the share of same pairs predicted. The labelled file has a dev half (where the
threshold, the weights, the term overlap and the linkage were chosen, for precision first) and a test half (read for the reported numbers).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.config import CORPUS_DIR
from matcher.data.records import SPLITS
from matcher.engine.grouping import Grouping, GroupParams
from matcher.errors import Problem, ValidationError
from matcher.store.grouping import IndexPairs

if TYPE_CHECKING:
    from matcher.facade import Matcher

DUPLICATE_PAIRS = CORPUS_DIR / "eval" / "duplicate_pairs.tsv"
LABELS = ("same", "different")
COLUMNS = ("id_a", "id_b", "label", "source", "split", "reason")


@dataclass(frozen=True)
class LabelledPair:
    """Two innovations a person read and labelled: ``same`` idea in different places, or not."""

    id_a: str
    id_b: str
    same: bool
    source: str  # how the pair was drawn: dense, lexical, sector, random or reading
    split: str
    reason: str


@dataclass(frozen=True)
class PairQuality:
    """Pairwise agreement of a grouping with labelled pairs."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    pairs: int


def load_pairs(path: Path = DUPLICATE_PAIRS, known_ids: set[str] | None = None) -> list[LabelledPair]:
    """Read labelled pairs; every problem (file, row, field) in one ValidationError. ``known_ids``: ids must be
    innovations of the catalogue."""
    problems: list[Problem] = []
    pairs: list[LabelledPair] = []
    source = str(path)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationError([Problem(source, 1, c, "required column missing from the header") for c in missing])
        seen: set[tuple[str, str]] = set()
        for row_no, row in enumerate(reader, start=2):
            bad = len(problems)
            for field in ("id_a", "id_b"):
                if not (row[field] or "").strip():
                    problems.append(Problem(source, row_no, field, "empty"))
                elif known_ids is not None and row[field] not in known_ids:
                    problems.append(Problem(source, row_no, field, f"unknown innovation '{row[field]}'"))
            if row["label"] not in LABELS:
                problems.append(Problem(source, row_no, "label", f"'{row['label']}' is not one of {', '.join(LABELS)}"))
            if row["split"] not in SPLITS:
                problems.append(Problem(source, row_no, "split", f"'{row['split']}' is not one of {', '.join(SPLITS)}"))
            key = tuple(sorted((row["id_a"] or "", row["id_b"] or "")))
            if row["id_a"] == row["id_b"]:
                problems.append(Problem(source, row_no, "id_b", "a pair of one innovation with itself"))
            elif key in seen:
                problems.append(Problem(source, row_no, "id_b", "the same pair twice"))
            seen.add(key)  # type: ignore[arg-type]
            if len(problems) == bad:
                pairs.append(LabelledPair(row["id_a"], row["id_b"], row["label"] == "same", row["source"] or "",
                                          row["split"], row["reason"] or ""))
    if problems:
        raise ValidationError(problems)
    return pairs


def quality(group_of: dict[str, str], pairs: Sequence[LabelledPair]) -> PairQuality:
    """Pairwise precision and recall of ``group_of`` (innovation id -> group id; absent: in no group)."""
    predicted = [p.id_a in group_of and group_of.get(p.id_a) == group_of.get(p.id_b) for p in pairs]
    tp = sum(1 for p, hit in zip(pairs, predicted, strict=True) if hit and p.same)
    fp = sum(1 for p, hit in zip(pairs, predicted, strict=True) if hit and not p.same)
    fn = sum(1 for p, hit in zip(pairs, predicted, strict=True) if not hit and p.same)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairQuality(precision, recall, f1, tp, fp, fn, len(pairs))


def groups_by_id(matcher: Matcher, params: GroupParams | None = None) -> dict[str, str]:
    """innovation id -> group id of the current generation's groups, or of a regrouping of its vectors and
    terms under ``params`` (nothing is written)."""
    generation = matcher.generation
    ids = {int(r): inv.id for r, inv in zip(generation.catalog.rids, generation.catalog.innovations, strict=True)}
    if params is None:
        groups = generation.groups
        if groups is None:
            return {}
        return {generation.catalog.innovations[p].id: str(g) for g, members in enumerate(groups.members)
                for p in members}
    grouping = Grouping(params).build(IndexPairs.of_generation(generation))
    return {ids[r]: str(g) for r, g in grouping.group_of_.items()}


def sweep(matcher: Matcher, pairs: Sequence[LabelledPair], thresholds: Sequence[float],
          linkages: Sequence[str] = ("single", "complete"), base: GroupParams | None = None,
          ) -> list[tuple[GroupParams, PairQuality]]:
    """Quality of the grouping at every threshold and linkage (what chose the defaults on the dev half)."""
    base = base or GroupParams()
    out = []
    for linkage in linkages:
        for t in thresholds:
            params = replace(base, threshold=t, linkage=linkage)
            out.append((params, quality(groups_by_id(matcher, params), pairs)))
    return out
