"""Where new innovation is needed: per province and sector, the gaps nothing in the catalogue answers well.

A gap is *open* when its best candidate (``gap_fits``) is weak or there is none: the page says "belum ada
inovasi yang cocok — kandidat inovasi baru". Those are opportunities for Bappeda and BRIDA planning, not for
replication. Each kabupaten/kota gets numbers to colour a map by (``Opportunities.metrics``: a measure name ->
value per regency; None where it has no gaps yet), and each sector a row of the sector table.

``province_opportunities`` assembles from gaps and fits already computed (the service's cache, a batch run's
parts); ``opportunities`` computes the fits itself. Further measures join with one line:
``opps = opps.with_metric("progress", {code: value, ...})``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from matcher.data.labels import sector_label
from matcher.data.records import Gap
from matcher.data.regions import Province, Region
from matcher.engine.catalog import Filters
from matcher.facade import pinned
from matcher.recommendations.confidence import GapFit, gap_fits

if TYPE_CHECKING:
    from matcher.facade import Matcher


@dataclass(frozen=True)
class Measure:
    """What a map can be coloured by: ``kind`` "count" (whole numbers) or "share" (0..1, shown as %)."""

    name: str
    label: str  # Indonesian, for the selector and the legend
    kind: Literal["count", "share"]
    colours: tuple[str, ...]  # light to dark, at least 5
    note: str = ""  # one Indonesian sentence on what it counts
    missing: str = "belum ada kesenjangan tercatat"  # what a regency without a value is told


OPEN_GAPS = Measure("open_gaps", "Kesenjangan terbuka", "count", ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"),
                    "kesenjangan yang belum ada inovasi yang cocok (kandidat terbaiknya lemah atau tidak ada)")
COVERAGE = Measure("coverage", "Cakupan katalog", "share", ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
                   "bagian kesenjangan yang sudah punya kandidat inovasi kuat atau sedang")
PROGRESS = Measure("progress", "Kemajuan replikasi", "share", ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"),
                   "bagian inovasi terpilih yang sudah diterapkan atau berlanjut", "belum ada inovasi terpilih")
MEASURES: dict[str, Measure] = {m.name: m for m in (OPEN_GAPS, COVERAGE, PROGRESS)}


@dataclass(frozen=True)
class OpenGap:
    """One gap nothing answers well, with its best (weak) candidate when there is one."""

    region: Region
    gap: Gap
    fit: GapFit


@dataclass(frozen=True)
class AreaMetrics:
    """Counts of one kabupaten/kota (or, in the national view, one province)."""

    code: str
    name: str
    gaps: int
    open_gaps: int

    @property
    def coverage(self) -> float | None:
        """Share of the gaps with a strong or medium candidate; None without gaps."""
        return (self.gaps - self.open_gaps) / self.gaps if self.gaps else None


@dataclass(frozen=True)
class SectorRow:
    """One sector of the table: its gaps, how many are open, and the regencies with an open one."""

    sector: str | None
    gaps: int
    open_gaps: int
    region_codes: tuple[str, ...]

    @property
    def label(self) -> str:
        return sector_label(self.sector)


@dataclass(frozen=True)
class Opportunities:
    """One province's (or the hub provinces') opportunities: areas in code order, sectors most open first."""

    code: str
    name: str
    areas: list[AreaMetrics]
    sectors: list[SectorRow]
    open: list[OpenGap]
    extra: dict[str, dict[str, float | None]] = field(default_factory=dict)

    @property
    def measures(self) -> list[Measure]:
        return [OPEN_GAPS, COVERAGE] + [MEASURES.get(n, Measure(n, n, "share", PROGRESS.colours)) for n in self.extra]

    @property
    def metrics(self) -> dict[str, dict[str, float | None]]:
        """Measure name -> area code -> value (None: no data, e.g. no gaps recorded)."""
        return {"open_gaps": {a.code: (a.open_gaps if a.gaps else None) for a in self.areas},
                "coverage": {a.code: a.coverage for a in self.areas}, **self.extra}

    def with_metric(self, name: str, values: Mapping[str, float | None]) -> Opportunities:
        """A copy with one more measure (a known name of ``MEASURES``, e.g. "progress", or a share 0..1)."""
        return replace(self, extra={**self.extra, name: {a.code: values.get(a.code) for a in self.areas}})

    @property
    def gaps(self) -> int:
        return sum(a.gaps for a in self.areas)

    @property
    def open_gaps(self) -> int:
        return sum(a.open_gaps for a in self.areas)


RegionInputs = tuple[Sequence[Gap], Sequence[GapFit]]  # a regency's gaps and each one's best candidate


def province_opportunities(province: Province, regions: Sequence[Region],
                           inputs: Mapping[str, RegionInputs]) -> Opportunities:
    """Assemble a province's opportunities from each regency's gaps and fits (``inputs[code]``; a regency
    missing there has no gaps). ``regions`` are the province's kabupaten/kota, all of them drawn."""
    areas, open_gaps = [], []
    by_sector: dict[str | None, list[tuple[str, bool]]] = {}
    for r in regions:
        gaps, fits = inputs.get(r.code, ((), ()))
        best = {f.gap_id: f for f in fits}
        n_open = 0
        for g in gaps:
            fit = best.get(g.id, GapFit(g.id, None, None, None))
            is_open = not fit.has_fit
            n_open += is_open
            by_sector.setdefault(g.sector, []).append((r.code, is_open))
            if is_open:
                open_gaps.append(OpenGap(r, g, fit))
        areas.append(AreaMetrics(r.code, r.name, len(gaps), n_open))
    sectors = [SectorRow(s, len(rows), sum(o for _, o in rows), tuple(sorted({c for c, o in rows if o})))
               for s, rows in by_sector.items()]
    sectors.sort(key=lambda s: (-s.open_gaps, -s.gaps, s.label))
    open_gaps.sort(key=lambda o: (o.region.code, o.gap.priority, o.gap.id))
    return Opportunities(province.code, province.name, areas, sectors, open_gaps)


@pinned  # every regency's fits from one index generation
def opportunities(matcher: Matcher, province: str, filters: Filters | None = None) -> Opportunities:
    """A province's (code or name) opportunities, ranking each gap of its regencies (``gap_fits``)."""
    p = matcher.regions.resolve_province(province)
    regions = matcher.regions.in_province(p.code)
    inputs = {r.code: (matcher.gaps(r.code), gap_fits(matcher, r.code, filters)) for r in regions}
    return province_opportunities(p, regions, inputs)


def hub_summary(provinces: Sequence[Opportunities], code: str = "hub",
                name: str = "Provinsi hub replikasi") -> Opportunities:
    """The national view: one area per province (its gaps and open gaps summed), sectors summed over them (their
    ``region_codes`` are then the provinces with an open gap in the sector)."""
    areas = [AreaMetrics(o.code, o.name, o.gaps, o.open_gaps) for o in provinces]
    by_sector: dict[str | None, list[tuple[str, SectorRow]]] = {}
    for o in provinces:
        for s in o.sectors:
            by_sector.setdefault(s.sector, []).append((o.code, s))
    sectors = [SectorRow(s, sum(r.gaps for _, r in rows), sum(r.open_gaps for _, r in rows),
                         tuple(code for code, r in rows if r.open_gaps)) for s, rows in by_sector.items()]
    sectors.sort(key=lambda s: (-s.open_gaps, -s.gaps, s.label))
    return Opportunities(code, name, areas, sectors, [g for o in provinces for g in o.open])

