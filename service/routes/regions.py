"""Provinces and kabupaten/kota, with how many gap statements each has, for the page's pickers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matcher import HUB_PROVINCES, normalize
from service import present
from service.deps import PageNo, PerPage, ReadsDep, paginate
from service.schemas import ProvincePublic, ProvincesPublic, RegionPublic, RegionsPublic

router = APIRouter(tags=["regions"])


@router.get("/provinces", response_model=ProvincesPublic, summary="Provinces, the 12 hub provinces first")
def list_provinces(m: ReadsDep) -> ProvincesPublic:
    """Hub provinces in the programme's order, then the others by name."""
    counts = m.gap_counts()
    hub_rank = {code: i for i, code in enumerate(HUB_PROVINCES)}
    provinces = sorted(m.regions.provinces(), key=lambda p: (hub_rank.get(p.code, len(hub_rank)), p.name))
    data = []
    for p in provinces:
        codes = [r.code for r in m.regions.in_province(p.code)]
        data.append(ProvincePublic(code=p.code, name=p.name, hub=p.code in hub_rank, regions=len(codes),
                                   gaps=sum(counts.get(c, 0) for c in codes)))
    return ProvincesPublic(data=data, count=len(data))


@router.get("/regions", response_model=RegionsPublic, summary="Kabupaten/kota, by province and name")
def list_regions(
    m: ReadsDep, page: PageNo = 1, per_page: PerPage = 100,
    province: Annotated[str | None, Query(max_length=100, description="Code or name.")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the name, any case.")] = None,
) -> RegionsPublic:
    """In code order; ``q`` matches anywhere in the name, ignoring case and accents ('malang' finds both)."""
    regions = m.regions.in_province(m.regions.resolve_province(province).code) if province else list(m.regions)
    if q and q.strip():
        needle = normalize(q)
        regions = [r for r in regions if needle in normalize(r.name)]
    regions.sort(key=lambda r: r.code)
    counts = m.gap_counts()
    data = [present.region(r, counts.get(r.code, 0)) for r in paginate(regions, page, per_page)]
    return RegionsPublic(data=data, count=len(regions))


@router.get("/regions/{code}", response_model=RegionPublic, summary="One kabupaten/kota")
def get_region(code: str, m: ReadsDep) -> RegionPublic:
    """``code`` is a Kemendagri code ('35.07') or a name as people write it ('Kab. Malang')."""
    r = m.regions.resolve(code)
    return present.region(r, len(m.gaps(r.code)))
