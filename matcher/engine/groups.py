"""Near-duplicate groups as a list sees them: which catalogue positions share a group, which member represents
it, and how a ranked list shows one entry per group.

The representative is the best documented or most proven member, from what the data contract records
(``matcher.data.records``): still running before stopped, then the award tier (KIPP Top 45 > Top 99 > IGA >
none), the stage (penerapan > uji coba), the longest running (earliest year), the most fields filled, the longest
description, and the id, so the choice is deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from matcher.data.records import Innovation
from matcher.engine.catalog import Catalog

AWARD_ORDER = {"top_45": 0, "top_99": 1, "iga": 2}
STAGE_ORDER = {"penerapan": 0, "uji_coba": 1}
_OPTIONAL = ("region_code", "institution", "sector", "year", "stage", "digital", "award")

T = TypeVar("T")


def representative_key(inv: Innovation) -> tuple:
    """Sort key: the member that sorts first represents its group (see the module docstring)."""
    filled = sum(getattr(inv, f) is not None for f in _OPTIONAL)
    return (inv.stopped, AWARD_ORDER.get(inv.award or "", 3), STAGE_ORDER.get(inv.stage or "", 2),
            inv.year if inv.year is not None else 9999, -filled, -len(inv.description), inv.id)


@dataclass(frozen=True)
class GroupMember:
    """Another member of a shown innovation's group: enough to list and link it."""

    id: str
    title: str
    region_code: str | None
    status: str


@dataclass(frozen=True)
class GroupInfo:
    """The group of a shown innovation: ``id`` (its first member id), ``size`` (members in the catalogue), the
    first ``SHOWN_MEMBERS`` of the ``others`` in representative order, and ``regions``, the distinct places all
    the others come from: "juga diterapkan di N daerah"."""

    id: str
    size: int
    others: tuple[GroupMember, ...]
    regions: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> GroupInfo | None:
        """Inverse of ``asdict`` (a batch part reads its lists back); None stays None."""
        if not data:
            return None
        return cls(data["id"], data["size"], tuple(GroupMember(**o) for o in data["others"]), data.get("regions", 0))


SHOWN_MEMBERS = 10  # a list item names at most this many others; a big group would otherwise bloat every item


def _place(inv: Innovation) -> str:
    return inv.region_code or inv.id


class CatalogGroups:
    """The groups of one loaded catalogue, by catalogue position.

    ``group_at[p]`` is the group index of position ``p`` (-1: in no group); ``members[g]`` its positions in
    representative order, the representative first.
    """

    def __init__(self, catalog: Catalog, group_of: dict[int, int]):
        self.catalog = catalog
        by_group: dict[int, list[int]] = {}
        for rid, gid in group_of.items():
            p = catalog.position.get(int(rid))
            if p is not None:
                by_group.setdefault(gid, []).append(p)
        self.group_at = np.full(len(catalog), -1, dtype=np.int64)
        self.rank_at = np.zeros(len(catalog), dtype=np.int64)  # place in its group's representative order
        self.members: list[list[int]] = []
        self._ids: list[str] = []
        self._places: list[Counter[str]] = []
        for gid in sorted(by_group):
            positions = by_group[gid]
            if len(positions) < 2:
                continue
            positions.sort(key=lambda p: representative_key(catalog.innovations[p]))
            self.group_at[positions] = len(self.members)
            self.rank_at[positions] = np.arange(len(positions))
            self.members.append(positions)
            self._ids.append(min(catalog.innovations[p].id for p in positions))
            self._places.append(Counter(_place(catalog.innovations[p]) for p in positions))

    def __len__(self) -> int:
        return len(self.members)

    def info(self, position: int) -> GroupInfo | None:
        """The group of the innovation at ``position`` as a list shows it, or None when it is in no group."""
        g = int(self.group_at[position])
        if g < 0:
            return None
        invs = self.catalog.innovations
        shown = [p for p in self.members[g][:SHOWN_MEMBERS + 1] if p != position][:SHOWN_MEMBERS]
        others = tuple(GroupMember(invs[p].id, invs[p].title, invs[p].region_code, invs[p].status) for p in shown)
        places = self._places[g]
        own = _place(invs[position])
        regions = len(places) - (1 if places[own] == 1 else 0)
        return GroupInfo(self._ids[g], len(self.members[g]), others, regions)

    def group_ids(self) -> dict[str, str]:
        """Innovation id -> its group's id, for every innovation in a group (what group-level metrics count by)."""
        invs = self.catalog.innovations
        return {invs[p].id: self._ids[g] for g, positions in enumerate(self.members) for p in positions}

    def rank_in_group(self, position: int) -> int:
        """0 for a representative or an innovation in no group, else its place in its group's order."""
        return int(self.rank_at[position])

    def collapse(self, items: Sequence[T], position_of: Callable[[T], int]) -> list[T]:
        """One item per group, in the order given: of the items of one group, the one whose innovation comes
        first in representative order stands for it, at its own place; items in no group pass through."""
        best: dict[int, tuple[int, int]] = {}  # group -> (rank in group, index of the item)
        for i, item in enumerate(items):
            p = position_of(item)
            g = int(self.group_at[p])
            if g >= 0 and (g not in best or self.rank_in_group(p) < best[g][0]):
                best[g] = (self.rank_in_group(p), i)
        keep = {i for _, i in best.values()}
        return [item for i, item in enumerate(items) if int(self.group_at[position_of(item)]) < 0 or i in keep]
