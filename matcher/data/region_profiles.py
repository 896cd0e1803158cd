"""What makes two regencies alike for replication: kind, size, density, islands and distance.

An innovation that worked in a place like yours is more likely to work for you. "Like" uses only what the
reference data gives honestly: kabupaten or kota, population, area, density (population / area), the number
of separate land parts in the regency's outline (many parts = an island regency; coasts cannot be told from
the simplified outlines, so they are not used), and the distance between centroids. Each numeric trait is
standardised over all 514 regencies, so no trait dominates by its unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from matcher.data.regions import Regions

ISLAND_PARTS = 5  # an outline with this many separate land parts or more describes an island regency
# How much each standardised trait counts in the distance between two regencies; distance per 1,000 km.
TRAIT_WEIGHTS = {"kota": 1.5, "log_population": 1.0, "log_density": 1.0, "log_area": 0.5, "islands": 2.0}
KM_WEIGHT = 0.5


@dataclass(frozen=True)
class RegionProfile:
    """One regency's traits as the similarity sees them; ``None`` where the reference data has no value."""

    code: str
    kind: str
    population: int | None
    area_km2: float | None
    land_parts: int | None

    @property
    def density(self) -> float | None:
        """People per km²."""
        return self.population / self.area_km2 if self.population and self.area_km2 else None

    @property
    def islands(self) -> bool:
        return (self.land_parts or 0) >= ISLAND_PARTS

    def describe(self) -> str:
        """A short Indonesian description, e.g. "kota, 1,2 juta jiwa, 8.100 jiwa/km²"."""
        bits = [self.kind]
        if self.population:
            bits.append(_people(self.population))
        if self.density:
            bits.append(f"{_thousands(round(self.density))} jiwa/km²")
        if self.islands:
            bits.append("kepulauan")
        return ", ".join(bits)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _people(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".replace(".", ",") + " juta jiwa"
    return f"{_thousands(round(n, -3))} jiwa"


@dataclass(frozen=True)
class Peer:
    """A regency similar to the target, with its similarity in (0, 1]."""

    code: str
    similarity: float


class RegionSimilarity:
    """Nearest regencies by standardised traits and distance. Build once per process and share."""

    def __init__(self, regions: Regions, land_parts: Mapping[str, int] | None = None):
        self.regions = regions
        parts = land_parts or {}
        self.profiles = {r.code: RegionProfile(r.code, r.kind, r.population, r.area_km2, parts.get(r.code))
                         for r in regions}
        self._codes = list(self.profiles)
        self._traits = self._standardised(self.profiles[c] for c in self._codes)
        lat = np.radians([regions.get(c).lat for c in self._codes])
        lon = np.radians([regions.get(c).lon for c in self._codes])
        self._unit = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
        self._row = {c: i for i, c in enumerate(self._codes)}

    @staticmethod
    def _standardised(profiles: Iterable[RegionProfile]) -> np.ndarray:
        """Weighted, standardised trait rows; a missing value sits at the mean (it neither attracts nor repels)."""
        rows = []
        for p in profiles:
            rows.append([
                1.0 if p.kind == "kota" else 0.0,
                math.log10(p.population) if p.population else math.nan,
                math.log10(p.density) if p.density else math.nan,
                math.log10(p.area_km2) if p.area_km2 else math.nan,
                1.0 if p.islands else 0.0,
            ])
        x = np.array(rows, dtype=np.float64)
        mean, std = np.nanmean(x, axis=0), np.nanstd(x, axis=0)
        z = (x - mean) / np.where(std > 0, std, 1.0)
        z = np.nan_to_num(z, nan=0.0)
        return z * np.sqrt(np.array(list(TRAIT_WEIGHTS.values())))

    def similar(self, code: str, n: int = 10) -> list[Peer]:
        """The ``n`` regencies most like ``code`` (itself excluded), most similar first."""
        i = self._row[self.regions.get(code).code]
        trait_d2 = ((self._traits - self._traits[i]) ** 2).sum(axis=1)
        km = 6371.0 * np.arccos(np.clip(self._unit @ self._unit[i], -1.0, 1.0))
        d2 = trait_d2 + (KM_WEIGHT * km / 1000.0) ** 2
        d2[i] = np.inf
        order = np.argsort(d2, kind="stable")[:n]
        return [Peer(self._codes[j], round(float(math.exp(-d2[j] / 2.0)), 4)) for j in order]

    def profile(self, code: str) -> RegionProfile:
        return self.profiles[self.regions.get(code).code]

