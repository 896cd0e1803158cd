"""Simplified outlines of the 514 kabupaten/kota (``corpus/regions/boundaries.geojson``), checked on load.

The opportunity map draws them (``matcher.data.projection``, ``matcher.recommendations.opportunity_map``): an
SVG made here, offline, with no map tiles. The file is a GeoJSON FeatureCollection with one feature per
kabupaten/kota; ``properties.code`` is its Kemendagri code (as in ``regions.csv``) and the geometry a Polygon or
MultiPolygon in longitude/latitude (WGS 84). A bad feature is refused with the file, the feature's number and
code, and what is wrong, like every other input file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from matcher.errors import Problem, ValidationError

Point = tuple[float, float]  # (longitude, latitude)
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]  # the outer ring, then holes
FILE_NAME = "boundaries.geojson"
_CODE = re.compile(r"^\d{2}\.\d{2}$")


@dataclass(frozen=True)
class Outline:
    """One kabupaten/kota's shape: ``polygons`` holds one polygon per island or piece (a Polygon has one)."""

    code: str
    name: str
    polygons: tuple[Polygon, ...]

    @property
    def province_code(self) -> str:
        return self.code.split(".")[0]


def _point(value: Any) -> Point | None:
    if (not isinstance(value, list) or len(value) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2])):
        return None
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def _ring(value: Any, where: str) -> Ring:
    if not isinstance(value, list) or len(value) < 4:
        raise ValueError(f"{where}: a ring needs at least 4 positions (the first repeated at the end)")
    points = []
    for n, raw in enumerate(value):
        p = _point(raw)
        if p is None:
            raise ValueError(f"{where}, position {n}: not a [longitude, latitude] pair of numbers in range")
        points.append(p)
    if points[0] != points[-1]:
        raise ValueError(f"{where}: the ring is not closed (its last position differs from its first)")
    return tuple(points)


def _polygon(value: Any, where: str) -> Polygon:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: a polygon is a non-empty list of rings")
    return tuple(_ring(r, f"{where}, ring {n}") for n, r in enumerate(value))


def parse_geometry(geometry: Any) -> tuple[Polygon, ...]:
    """The polygons of a GeoJSON Polygon or MultiPolygon; ValueError saying where, for anything else."""
    if not isinstance(geometry, dict):
        raise ValueError("no geometry object")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return (_polygon(coords, "polygon"),)
    if kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise ValueError("a MultiPolygon needs a non-empty list of polygons")
        return tuple(_polygon(p, f"polygon {n}") for n, p in enumerate(coords))
    raise ValueError(f"geometry type {kind!r} is not Polygon or MultiPolygon")


def parse_boundaries(data: Any, source: str) -> dict[str, Outline]:
    """Outlines by code from a parsed GeoJSON document; ValidationError with every bad feature of ``source``.

    Problems name the feature by its 1-based number in ``features`` (the "row") and its code when it has one."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValidationError([Problem(source, None, "type", "not a GeoJSON FeatureCollection with a 'features' list")])
    out: dict[str, Outline] = {}
    problems: list[Problem] = []
    for n, feature in enumerate(data["features"], start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = props.get("code") if isinstance(props, dict) else None
        if not isinstance(code, str) or not _CODE.match(code):
            problems.append(Problem(source, n, "properties.code", f"{code!r} is not a kabupaten/kota code 'PP.RR'"))
            continue
        if code in out:
            problems.append(Problem(source, n, "properties.code", f"code {code} appears twice"))
            continue
        try:
            polygons = parse_geometry(feature.get("geometry"))
        except ValueError as exc:
            problems.append(Problem(source, n, "geometry", f"feature {code}: {exc}"))
            continue
        name = props.get("name") if isinstance(props, dict) else None
        out[code] = Outline(code, name if isinstance(name, str) else code, polygons)
    if problems:
        raise ValidationError(problems)
    return out


@lru_cache(maxsize=4)
def _load(path: Path, stamp: tuple[int, int]) -> dict[str, Outline]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError([Problem(str(path), None, None, f"cannot read the file ({exc})")]) from None
    except json.JSONDecodeError as exc:
        raise ValidationError([Problem(str(path), exc.lineno, None, f"not JSON: {exc.msg}")]) from None
    return parse_boundaries(data, str(path))


def load_boundaries(path: Path | str | None = None) -> dict[str, Outline]:
    """Outlines by code from ``path`` (default: the bundled ``corpus/regions/boundaries.geojson``).

    Read once per process and file version (the 1 MB file parses in 0.1-0.3 s); the mapping is shared: do not change it."""
    if path is None:
        from matcher.config import get_settings

        path = get_settings().corpus_dir / "regions" / FILE_NAME
    path = Path(path).resolve()
    try:
        st = path.stat()
    except OSError as exc:
        raise ValidationError([Problem(str(path), None, None, f"cannot read the file ({exc})")]) from None
    return _load(path, (st.st_mtime_ns, st.st_size))


def code_mismatches(outlines: Mapping[str, Outline], codes: Iterable[str]) -> tuple[list[str], list[str]]:
    """(codes of the reference without an outline, outline codes the reference does not know), both sorted."""
    known = set(codes)
    return sorted(known - set(outlines)), sorted(set(outlines) - known)
