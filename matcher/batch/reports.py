"""One self-contained HTML report per province for the selection meeting.

Each regency's gaps, its top k with the reasons (the gap answered, the words that matched, the sentence that
answers it, every score part), the mentors' decisions, alternates, what changed since the previous run, and a
chart of the sector mix embedded as a base64 PNG: the file opens offline and can be mailed as is. Text is
escaped by Jinja2's autoescape, never by hand. Numbers are written the Indonesian way (``matcher.labels``);
regencies without gaps are named once, not given a printed page each; it prints on A4.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from matcher.batch.charts import sector_mix_png
from matcher.batch.files import atomic_write_text
from matcher.batch.results import RegionResult
from matcher.batch.templates import REPORT, STYLE
from matcher.data.boundaries import Outline, load_boundaries
from matcher.data.labels import (
    AWARD_LABELS,
    CHANGE_LABELS,
    PART_LABELS,
    REPLICATION_STAGE_LABELS,
    STAGE_LABELS,
    award_label,
    band_label,
    decision_label,
    number,
    percent,
    sector_label,
    stage_label,
    when,
)
from matcher.data.regions import Province
from matcher.recommendations.opportunities import Opportunities
from matcher.recommendations.opportunity_map import opportunity_map
from matcher.recommendations.progress import FUNNEL, ProvinceProgress

__all__ = ["AWARD_LABELS", "CHANGE_LABELS", "PART_LABELS", "STAGE_LABELS", "FitCost", "render", "report_name",
           "write_province_report"]


@dataclass(frozen=True)
class FitCost:
    """Total fit of one province's lists with and without the visit cap."""

    uncapped: float
    capped: float

    @property
    def cost(self) -> float:
        return self.uncapped - self.capped

    @property
    def share(self) -> float:
        return self.cost / abs(self.uncapped) if self.uncapped else 0.0


@lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja2 environment: autoescape on for every template, undefined names are errors."""
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.update(
        label=sector_label, band=band_label, part=lambda p: PART_LABELS.get(p, p), change=lambda c: CHANGE_LABELS.get(c, c),
        stage=stage_label, award=award_label, decision=decision_label, num=number, pct=percent, when=when,
        status=_status, parts=tuple(PART_LABELS), step=lambda c: REPLICATION_STAGE_LABELS.get(c, c),
        stages=tuple(REPLICATION_STAGE_LABELS), funnel_stages=FUNNEL,
        style=Markup(STYLE),  # our own constant CSS: escaping would break its quotes
    )
    return env


def _status(decision: dict[str, Any]) -> Any:
    """A decision as a badge with its note, who and when; Markup.format escapes every value."""
    from markupsafe import Markup

    details = [d for d in (decision.get("note"), decision.get("who") or decision.get("account"),
                           when(decision.get("created_at"))) if d]
    extra = Markup(' <span class="muted">{}</span>').format(" · ".join(details)) if details else ""
    return Markup('<span class="status s-{}">{}</span>{}').format(decision["decision"],
                                                                   decision_label(decision["decision"]), extra)


def render(template: str, **context: Any) -> str:
    return environment().from_string(template).render(**context)


def slug(text: str) -> str:
    """'Kepulauan Bangka Belitung' -> 'kepulauan-bangka-belitung' (file names)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def report_name(province: Province) -> str:
    return f"report-{province.code}-{slug(province.name)}.html"


def sector_chart(results: Sequence[RegionResult], title: str) -> str:
    """Base64 PNG of the sector shares of the gaps and of the recommended innovations."""
    gaps = Counter(g.sector or "" for r in results for g in r.gaps)
    recs = Counter(rec.innovation.sector or "" for r in results for rec in r.recommendations)
    return base64.b64encode(sector_mix_png(gaps, recs, title)).decode("ascii")


def write_province_report(
    path: Path, province: Province, results: Sequence[RegionResult], k: int, cap: int | None,
    info: dict[str, str], fit: FitCost | None = None, *, cap_scope: str | None = None,
    exclude_rejected: bool = False, progress: ProvinceProgress | None = None,
    opportunities: Opportunities | None = None,
    outlines: Mapping[str, Outline] | None = None,
    all_variants: bool = False,
) -> Path:
    """Write the report of one province's regencies (``results`` in code order) to ``path``.

    A regency gets a section when it has gaps, decisions or changes; the others are named once in a list.
    ``progress`` (``matcher batch --progress``) adds the replication progress of the run's regencies.
    ``opportunities`` adds the opportunity map (inline SVG from ``outlines``, default the bundled ones; each
    regency with a section is linked to it) and the sector table of open gaps. ``all_variants``: the lists hold
    every variant, not one innovation per near-duplicate group (the intro says which)."""
    from markupsafe import Markup

    shown = [r for r in results if r.gaps or r.recommendations or r.decisions or r.changes]
    anchors = {r.region.code for r in shown}
    svg = None
    if opportunities is not None:
        svg = Markup(opportunity_map(opportunities, outlines or load_boundaries(), "open_gaps",  # our own escaped SVG
                                     lambda c: f"#r{c}" if c in anchors else None))
    html = render(
        REPORT, province=province, regions=results, k=k, cap=cap, info=info, fit=fit, cap_scope=cap_scope,
        exclude_rejected=exclude_rejected, all_variants=all_variants, shown=shown, quiet=[r for r in results if r not in shown],
        listed=[r for r in results if r.recommendations],
        ranks={r.region.code: {rec.innovation.id: rec.rank for rec in r.recommendations} for r in results},
        chart=sector_chart(results, f"Sektor kesenjangan dan rekomendasi: {province.name}"),
        progress=progress,
        opportunities=opportunities, opportunity_map=svg,
        area_names={a.code: a.name for a in opportunities.areas} if opportunities else {},
    )
    return atomic_write_text(path, html)
