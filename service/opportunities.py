"""The opportunity map's inputs for the service: each regency's gaps and best candidates, cached like lists.

A regency's fits (``matcher.gap_fits``: the best candidate of each gap, under no filter) are a pure function of
the same inputs as its recommendation list, so they are cached per worker under the same kind of key
(``service.cache.recommendation_key`` with k = 0) in ``Engine.fits``. A cached regency costs two small SQLite
reads; a regency without gaps needs nothing. Only the regencies not cached yet are ranked, together, in one
turn on the engine through the work queue, so a map whose regencies were all seen answers without the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from matcher import (
    HUB_PROVINCES,
    Filters,
    Gap,
    GapFit,
    Matcher,
    Opportunities,
    Outline,
    gap_fits,
    hub_summary,
    load_boundaries,
    province_opportunities,
    regency_inputs,
    replication_share,
)
from service.cache import ITEM_OVERHEAD, recommendation_key
from service.deps import Engine, expensive
from service.reads import Snapshot

FitsEntry = tuple[list[Gap], list[GapFit]]  # a regency's gaps and each one's best candidate
NO_FILTERS = Filters()
FITS_K = 0  # in the cache key: fits, not a list of k


def fits_bytes(entry: FitsEntry) -> int:
    """Estimated memory of one regency's entry: its gap texts and an overhead per record."""
    return sum(len(g.text) for g in entry[0]) + ITEM_OVERHEAD * (len(entry[0]) + len(entry[1]))


def _key(generation: str, m: Matcher | Snapshot, code: str) -> tuple:
    return recommendation_key(generation, m.settings, code, regency_inputs(m, code), FITS_K, NO_FILTERS)  # type: ignore[arg-type]


async def region_inputs(request: Request, engine: Engine, snap: Snapshot, codes: Sequence[str]) -> dict[str, FitsEntry]:
    """code -> (gaps, fits) for ``codes``: from the cache, and the rest in one turn on the engine."""
    generation = snap.view.generation if snap.view is not None else ""
    found: dict[str, FitsEntry] = {}
    missing = []
    for code in codes:
        gaps = snap.gaps(code)
        entry = engine.fits.peek(_key(generation, snap, code)) if gaps else ([], [])
        if entry is None:
            missing.append(code)
        else:
            found[code] = entry
    if missing:
        async with expensive(request, engine) as matcher:
            def compute() -> dict[str, FitsEntry]:
                now = matcher.manifest.get("generation", "")
                return {code: engine.fits.get(_key(now, matcher, code),
                                              lambda c=code: (matcher.gaps(c), gap_fits(matcher, c)))
                        for code in missing}

            found.update(await run_in_threadpool(compute))
    return found


def with_measures(opps: Opportunities, snap: Snapshot) -> Opportunities:
    """More colourings for the map join here, one line each: replication progress (the share of chosen
    innovations implemented or kept)."""
    return opps.with_metric("progress", replication_share(snap, [a.code for a in opps.areas]))


async def province(request: Request, engine: Engine, snap: Snapshot, code: str) -> Opportunities:
    """One province's opportunities (code or name)."""
    p = snap.regions.resolve_province(code)
    regions = snap.regions.in_province(p.code)
    inputs = await region_inputs(request, engine, snap, [r.code for r in regions])
    return with_measures(province_opportunities(p, regions, inputs), snap)


async def hubs(request: Request, engine: Engine, snap: Snapshot) -> tuple[Opportunities, dict[str, list[str]]]:
    """The 12 hub provinces as areas of one national view, and each one's kabupaten/kota codes."""
    members = {p: [r.code for r in snap.regions.in_province(p)] for p in HUB_PROVINCES}
    inputs = await region_inputs(request, engine, snap, [c for codes in members.values() for c in codes])
    provinces = [province_opportunities(snap.regions.province(p), snap.regions.in_province(p), inputs)
                 for p in HUB_PROVINCES]
    return hub_summary(provinces), members


async def outlines(engine: Engine) -> dict[str, Outline]:
    """The bundled outlines, read once per process (in a thread: parsing takes a fraction of a second)."""
    path = engine.settings.corpus_dir / "regions" / "boundaries.geojson"
    result: Any = await run_in_threadpool(load_boundaries, path)
    return result
