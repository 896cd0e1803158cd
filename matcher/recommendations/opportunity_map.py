"""The opportunity map as one SVG: a shape per kabupaten/kota (or per province in the national view), coloured
by a measure, with a legend in words and numbers. The service sends it to the page as it is, and the batch
report inlines it, so both show the very same picture and the page needs no projection of its own.

Every shape carries its name and value as text (an ``aria-label`` on its link, a ``<title>`` on the shape), so
the colour is never the only carrier of the value; with ``href`` a shape is a link (focusable, Enter opens it).
Colours are a few classes, light to dark: exact counts when a province has few, ranges otherwise, fixed 20%
steps for shares. Areas with no data (no gaps recorded) are grey and named so in the legend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from matcher.data.boundaries import Outline, Polygon
from matcher.data.labels import percent
from matcher.data.projection import project
from matcher.recommendations.opportunities import MEASURES, AreaMetrics, Measure, Opportunities

NO_DATA = "#e5e7eb"
FONT, ROW = 20, 30  # legend text size and row height, in viewBox units of a 600-wide map


@dataclass(frozen=True)
class Bin:
    """One colour class: values from ``low`` to ``high``, ``high`` included when ``closed`` (counts, the last
    share class), else [low, high)."""

    low: float
    high: float
    colour: str
    label: str
    closed: bool = True


def _pick(colours: Sequence[str], n: int) -> list[str]:
    return [colours[round(i * (len(colours) - 1) / max(n - 1, 1))] for i in range(n)]


def bins(measure: Measure, values: Sequence[float | None]) -> list[Bin]:
    """The colour classes for these values: one per count up to 4, else 0 and four ranges; 20% steps for shares."""
    if measure.kind == "share":
        edges = [(i / 5, (i + 1) / 5) for i in range(5)]
        labels = [f"{20 * i}–{20 * i + 19}%" for i in range(4)] + ["80–100%"]
    else:
        top = int(max((v for v in values if v is not None), default=0))
        if top <= 4:
            edges = [(float(i), float(i)) for i in range(max(top, 1) + 1)]
        else:
            step = math.ceil(top / 4)
            edges = [(0.0, 0.0)] + [(1.0 + i * step, float(min(top, (i + 1) * step))) for i in range(4)
                                    if 1 + i * step <= top]
        labels = [f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}" for lo, hi in edges]
    closed = [measure.kind == "count" or n == len(edges) - 1 for n in range(len(edges))]
    return [Bin(lo, hi, c, t, z) for (lo, hi), c, t, z in
            zip(edges, _pick(measure.colours, len(edges)), labels, closed, strict=True)]


def bin_of(classes: Sequence[Bin], value: float | None) -> Bin | None:
    """The class of a value; None for no data."""
    if value is None:
        return None
    for b in classes:
        if value < b.high or (b.closed and value == b.high):
            return b
    return classes[-1]


def value_text(measure: Measure, value: float | None) -> str:
    if value is None:
        return measure.missing
    return percent(value, 0) if measure.kind == "share" else f"{value:g}"


def describe(measure: Measure, area: AreaMetrics, value: float | None) -> str:
    """What a shape says in words: 'Kabupaten X: 2 dari 5 kesenjangan terbuka'."""
    if value is None:
        return f"{area.name}: {measure.missing}"
    if measure.name == "open_gaps":
        return f"{area.name}: {area.open_gaps} dari {area.gaps} kesenjangan belum ada inovasi yang cocok"
    if measure.name == "coverage":
        return f"{area.name}: cakupan {value_text(measure, value)} ({area.gaps - area.open_gaps} dari {area.gaps} " \
               f"kesenjangan punya kandidat kuat/sedang)"
    return f"{area.name}: {measure.label.lower()} {value_text(measure, value)}"


def draw_map(
    shapes: Sequence[tuple[str, str, Sequence[Polygon]]], values: Mapping[str, float | None], measure: Measure, *,
    title: str, labels: Mapping[str, str] | None = None, href: Callable[[str], str | None] | None = None,
    unit: str = "daerah", width: float = 600,
) -> str:
    """An SVG of ``shapes`` (code, name, polygons) coloured by ``values[code]`` under ``measure``, legend below.

    ``labels[code]`` is a shape's text (default: its name and value); ``href(code)`` its link, or None."""
    projection = project([(code, polygons) for code, _, polygons in shapes], width=width)
    classes = bins(measure, list(values.values()))
    counts: dict[str, int] = {}
    parts = []
    for code, name, _ in shapes:
        value = values.get(code)
        found = bin_of(classes, value)
        colour = found.colour if found else NO_DATA
        counts[colour] = counts.get(colour, 0) + 1
        text = (labels or {}).get(code) or f"{name}: {value_text(measure, value)}"
        shape = (f'<path d="{projection.paths[code]}" fill="{colour}" data-code={quoteattr(code)}'
                 f' data-value="{"" if value is None else f"{value:g}"}"><title>{escape(text)}</title></path>')
        link = href(code) if href else None
        parts.append(f"<a href={quoteattr(link)} aria-label={quoteattr(text)}>{shape}</a>" if link else shape)
    entries = [(b.colour, b.label) for b in classes] + [(NO_DATA, measure.missing)]
    top = projection.height + 12
    legend = [f'<text x="8" y="{top + FONT:g}" font-weight="600">{escape(measure.label)}</text>']
    for n, (colour, text) in enumerate(entries):
        y = top + ROW + 8 + n * ROW
        legend.append(f'<g class="legend-item"><rect x="8" y="{y:g}" width="{FONT}" height="{FONT}" fill="{colour}" '
                      f'stroke="#59636e" stroke-width="1"/><text x="{8 + FONT + 8}" y="{y + FONT - 4:g}">'
                      f"{escape(text)} ({counts.get(colour, 0)} {escape(unit)})</text></g>")
    height = top + ROW + 8 + len(entries) * ROW + 8
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {projection.width:g} {height:g}" class="opp-map" '
            f'role="group" aria-label={quoteattr(title)} data-measure={quoteattr(measure.name)}>'
            f"<title>{escape(title)}</title>"
            f'<g class="shapes" fill-rule="evenodd" stroke="#8c959f" stroke-width="0.6" stroke-linejoin="round">'
            f'{"".join(parts)}</g><g class="legend" font-family="system-ui, sans-serif" font-size="{FONT}" '
            f'fill="#1f2328">{"".join(legend)}</g></svg>')


def measure_named(opps: Opportunities, name: str) -> Measure:
    """The measure ``name`` of these opportunities; ValueError naming the ones there are."""
    for m in opps.measures:
        if m.name == name:
            return m
    raise ValueError(f"no measure {name!r}; choose one of {', '.join(m.name for m in opps.measures)}")


def opportunity_map(opps: Opportunities, outlines: Mapping[str, Outline], measure: str = "open_gaps",
                    href: Callable[[str], str | None] | None = None, unit: str = "daerah",
                    members: Mapping[str, Sequence[str]] | None = None) -> str:
    """The map of ``opps``: a shape per area from ``outlines``. In the national view an area is a province, and
    ``members[province]`` lists its kabupaten/kota codes, whose outlines together make its shape."""
    m = measure_named(opps, measure)
    values = opps.metrics[m.name]
    shapes = [(a.code, a.name, [p for code in (members[a.code] if members else [a.code])
                                for p in outlines[code].polygons]) for a in opps.areas]
    labels = {a.code: describe(m, a, values.get(a.code)) for a in opps.areas}
    where = "provinsi hub" if members else f"Provinsi {opps.name}"
    return draw_map(shapes, values, m, title=f"Peta peluang inovasi {where}: {m.label.lower()}", labels=labels,
                    href=href, unit=unit)


__all__ = ["MEASURES", "NO_DATA", "Bin", "bin_of", "bins", "describe", "draw_map", "measure_named",
           "opportunity_map", "value_text"]
