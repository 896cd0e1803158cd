"""Query-string filters shared by the list and ranking routes, turned into ``matcher.engine.catalog.Filters``.

No ``from __future__ import annotations`` here: FastAPI reads this dataclass's field types at run time.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from matcher import Filters, Regions
from service.schemas import Award, Groups, Sector, Stage


def collapse_of(groups: Groups | None) -> bool | None:
    """The library's ``collapse`` for a request's ``groups`` choice; None leaves it to MATCHER_GROUP_LISTS."""
    return None if groups is None else groups == "collapse"


@dataclass
class FilterParams:
    """Repeat a parameter to allow several values (``?sector=kesehatan&sector=pendidikan``)."""

    sector: Annotated[list[Sector] | None, Query(description="Only these sectors.")] = None
    stage: Annotated[list[Stage] | None, Query(description="Only these stages.")] = None
    award: Annotated[list[Award] | None, Query(description="Only these awards.")] = None
    province: Annotated[list[str] | None, Query(max_length=100, description="Origin provinces, code or name.")] = None
    digital: Annotated[bool | None, Query(description="Only digital (true) or non-digital (false) innovations.")] = None
    include_stopped: Annotated[bool, Query(description="Also innovations whose programme stopped.")] = False

    def filters(self, regions: Regions) -> Filters:
        provinces = tuple(regions.resolve_province(p).code for p in self.province or ())
        return Filters(sectors=tuple(self.sector or ()), stages=tuple(self.stage or ()), awards=tuple(self.award or ()),
                       provinces=provinces, digital=self.digital, include_stopped=self.include_stopped)
