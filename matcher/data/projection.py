"""Longitude/latitude outlines to SVG path data, fitted to a viewBox: what the opportunity map draws.

Equirectangular with the longitudes scaled by cos(latitude) at the middle of the shapes drawn, so a province's
shapes keep their proportions (Indonesia spans 11 S to 6 N, where that factor is 0.98 to 1: a national picture
is nearly plain longitude/latitude). The result is fitted into a viewBox of a fixed width with a margin; its
height follows the shapes, within a cap so a long thin province stays on a screen.

Light simplification: a point closer than ``tolerance`` viewBox units to the last point kept is dropped, and a
ring (a small island) that shrinks below a triangle is left out, but every shape keeps at least its largest
ring, so each kabupaten/kota is always drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matcher.data.boundaries import Polygon, Ring


@dataclass(frozen=True)
class Projection:
    """The viewBox (0 0 width height) and each shape's path data (``d``), keyed as given, in the order given."""

    width: float
    height: float
    paths: dict[str, str]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def _bounds(shapes: Sequence[tuple[str, Sequence[Polygon]]]) -> tuple[float, float, float, float]:
    lons = [lon for _, polys in shapes for poly in polys for lon, _ in poly[0]]
    lats = [lat for _, polys in shapes for poly in polys for _, lat in poly[0]]
    if not lons:
        raise ValueError("nothing to project: no shape has a point")
    return min(lons), max(lons), min(lats), max(lats)


def _ring_path(points: list[tuple[float, float]]) -> str:
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z"


def _simplified(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    kept = [ring[0]]
    for x, y in ring[1:-1]:
        if math.hypot(x - kept[-1][0], y - kept[-1][1]) >= tolerance:
            kept.append((x, y))
    return kept


def _area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def project(
    shapes: Sequence[tuple[str, Sequence[Polygon]]], width: float = 600, margin: float = 8,
    max_aspect: float = 1.3, tolerance: float = 0.75,
) -> Projection:
    """Path data for each ``(key, polygons)`` in one viewBox of ``width``; holes are rings after the first, so
    draw with ``fill-rule="evenodd"``. ``tolerance`` 0 keeps every point."""
    lon_min, lon_max, lat_min, lat_max = _bounds(shapes)
    k = math.cos(math.radians((lat_min + lat_max) / 2))
    dx, dy = max((lon_max - lon_min) * k, 1e-9), max(lat_max - lat_min, 1e-9)
    inner = width - 2 * margin
    scale = inner / dx
    height = dy * scale + 2 * margin
    if height > max_aspect * width:  # a tall shape: fit the height instead, and centre it across
        height = max_aspect * width
        scale = (height - 2 * margin) / dy
    x0 = margin + (inner - dx * scale) / 2

    def to_px(ring: Ring) -> list[tuple[float, float]]:
        return [(x0 + (lon - lon_min) * k * scale, margin + (lat_max - lat) * scale) for lon, lat in ring]

    paths: dict[str, str] = {}
    for key, polygons in shapes:
        rings = [to_px(r) for poly in polygons for r in poly]
        kept = [s for s in (_simplified(r, tolerance) for r in rings) if len(s) >= 3]
        if not kept:  # smaller than the tolerance everywhere: still drawn, from its largest ring
            kept = [max(rings, key=_area)]
        paths[key] = "".join(_ring_path(r) for r in kept)
    return Projection(round(width, 1), round(height, 1), paths)
