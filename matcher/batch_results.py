"""What a batch run knows about one regency once every part is in, and what changed since an earlier run.

The exports (CSV, XLSX), the HTML reports and the summary all read these records, so they agree by
construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from matcher.corpus import Gap
from matcher.recommend import Recommendation
from matcher.regions import Region

CHANGE_KINDS = ("new", "dropped", "moved")


@dataclass(frozen=True)
class Change:
    """One difference from the previous run: ``kind`` is 'new', 'dropped' or 'moved' (rank None when absent)."""

    kind: str
    innovation_id: str
    title: str
    previous_rank: int | None
    rank: int | None


@dataclass(frozen=True)
class PreviousRow:
    """One row of an earlier run's recommendations.csv, as far as the comparison needs it."""

    rank: int
    innovation_id: str
    title: str


@dataclass(frozen=True)
class RegionResult:
    """One regency's outcome: its gaps, final list (capped when a cap is set), alternates and changes."""

    region: Region
    gaps: list[Gap]
    recommendations: list[Recommendation]  # rank 1.. in this list
    uncapped_rank: dict[str, int]  # innovation id -> rank in the list without the visit cap
    alternates: list[Recommendation] = field(default_factory=list)
    changes: list[Change] | None = None  # None when no previous run was given
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)  # innovation id -> latest decision row

    def decision(self, innovation_id: str) -> dict[str, Any] | None:
        """The mentors' latest decision on this innovation for this regency (``Store.decisions`` row), or None."""
        return self.decisions.get(innovation_id)


def diff_changes(previous: Sequence[PreviousRow], current: Sequence[Recommendation]) -> list[Change]:
    """New, dropped and moved innovations of one regency between two runs, in a stable order.

    New and moved entries follow the current ranks, dropped ones the previous ranks; a regency absent from the
    earlier run has only new entries.
    """
    before = {p.innovation_id: p for p in previous}
    now = {r.innovation.id: r for r in current}
    changes = []
    for rec in current:
        old = before.get(rec.innovation.id)
        if old is None:
            changes.append(Change("new", rec.innovation.id, rec.innovation.title, None, rec.rank))
        elif old.rank != rec.rank:
            changes.append(Change("moved", rec.innovation.id, rec.innovation.title, old.rank, rec.rank))
    for old in sorted(previous, key=lambda p: (p.rank, p.innovation_id)):
        if old.innovation_id not in now:
            changes.append(Change("dropped", old.innovation_id, old.title, old.rank, None))
    return changes
