"""What a batch run knows about one regency once every part is in, and what changed since an earlier run.

The exports (CSV, XLSX), the HTML reports and the summary all read these records, so they agree by
construction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from matcher.data.loaders import Gap
from matcher.data.regions import Region
from matcher.engine.groups import GroupInfo
from matcher.recommendations.confidence import GapFit
from matcher.recommendations.regency import Recommendation

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
    fits: list[GapFit] = field(default_factory=list)  # each gap's best candidate (``gap_fits``)
    also: dict[str, str] = field(default_factory=dict)  # innovation id -> the other members of its group ("juga di")

    def decision(self, innovation_id: str) -> dict[str, Any] | None:
        """The mentors' latest decision on this innovation for this regency (``Store.decisions`` row), or None."""
        return self.decisions.get(innovation_id)


def also_in(group: GroupInfo | None, place: Callable[[str | None], str]) -> str | None:
    """The other members of an innovation's near-duplicate group as the meeting reads them ("juga di"): each title
    with its region (``place`` names a region code), and how many more a long group has; None without a group."""
    if group is None or not group.others:
        return None
    named = "; ".join(f"{o.title} ({place(o.region_code)})" for o in group.others)
    more = group.size - 1 - len(group.others)
    return f"{named}; dan {more} lainnya" if more > 0 else named


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


@dataclass
class BatchSummary:
    """What a run produced. ``to_dict()`` (written as summary.json) leaves out what depends on interruptions."""

    out_dir: Path
    region_codes: list[str]
    provinces: list[str]
    k: int
    max_visits: int | None
    rows: int
    without_gaps: list[str]
    fit_uncapped: float
    fit_capped: float
    shortfall: dict[str, int] = field(default_factory=dict)
    changes: dict[str, int] | None = None
    plans: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    index: dict[str, Any] = field(default_factory=dict)
    by_province: dict[str, dict[str, Any]] = field(default_factory=dict)
    cap_scope: str | None = None  # "province" or "run" when a visit cap is set
    regions_with_recommendations: int = 0  # regencies whose list is not empty (those without gaps get none)
    exclude_rejected: bool = False
    csv_dialect: str = "id"
    all_variants: bool = False  # every variant listed, not one innovation per near-duplicate group
    decisions: dict[str, int] = field(default_factory=dict)  # current decisions of the run's regencies, by kind
    replication_steps: int | None = None  # with --progress: the recorded steps in progress.csv (else None)
    computed: int = 0  # parts computed by this call
    reused: int = 0  # parts taken from an earlier, possibly interrupted, call

    @property
    def fit_cost(self) -> float:
        """Total fit the visit cap costs against the uncapped lists (0 without a cap)."""
        return self.fit_uncapped - self.fit_capped

    @property
    def fit_cost_share(self) -> float:
        return self.fit_cost / abs(self.fit_uncapped) if self.fit_uncapped else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("out_dir", "computed", "reused"):
            out.pop(key)
        out["fit_cost"], out["fit_cost_share"] = round(self.fit_cost, 6), round(self.fit_cost_share, 6)
        out["fit_uncapped"], out["fit_capped"] = round(self.fit_uncapped, 6), round(self.fit_capped, 6)
        return out
