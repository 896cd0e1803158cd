"""Writing a batch run's final files from its results: tables, province reports, plans and the summary.

Every file is rebuilt from the parts on every run (cheap next to ranking) and written atomically; files of
ours that this run would not write (the report of a province no longer in the run, the plan of a pair no
longer shortlisted, a changes.csv without ``--previous``) are removed, so the folder always shows one run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.batch.files import atomic_write_text, safe_filename
from matcher.batch.progress import PROGRESS_COLUMNS, PROGRESS_SHEET, progress_rows
from matcher.batch.reports import FitCost, report_name, write_province_report
from matcher.batch.results import BatchSummary, RegionResult
from matcher.batch.tables import (
    ALTERNATE_COLUMNS,
    CHANGE_COLUMNS,
    COLUMNS,
    DECISION_COLUMNS,
    OPPORTUNITY_COLUMNS,
    alternate_rows,
    change_rows,
    decision_rows,
    opportunity_rows,
    recommendation_rows,
    write_csv,
    write_xlsx,
)
from matcher.data.boundaries import FILE_NAME as BOUNDARIES
from matcher.data.boundaries import load_boundaries
from matcher.errors import MatcherError
from matcher.recommendations.opportunities import Opportunities, province_opportunities
from matcher.recommendations.progress import province_progress

if TYPE_CHECKING:
    from matcher.facade import Matcher


def _plans(matcher: Matcher, results: Sequence[RegionResult], folder: Path) -> list[str]:
    """One DOCX draft per shortlisted pair of the run's regencies; pairs that no longer apply are skipped."""
    from matcher.batch.plan import draft_plan, write_plan

    written = []
    for r in results:
        for d in matcher.decisions.current(r.region.code):
            if d.decision != "shortlisted":
                continue
            try:
                draft = draft_plan(matcher, r.region.code, d.innovation_id)
            except MatcherError:  # innovation removed from the catalogue since it was shortlisted
                continue
            name = f"{safe_filename(r.region.code)}_{safe_filename(d.innovation_id)}.docx"
            write_plan(draft, folder / name)
            written.append(f"plans/{name}")
    return sorted(written)


def _opportunities(matcher: Matcher, results: Sequence[RegionResult], province_code: str) -> Opportunities:
    """A province's opportunities from the run's fits; its regencies outside the run are drawn without data."""
    inputs = {r.region.code: (r.gaps, r.fits) for r in results if r.region.province_code == province_code}
    return province_opportunities(matcher.regions.province(province_code),
                                  matcher.regions.in_province(province_code), inputs)


def _remove_stale(out: Path, keep: set[str]) -> None:
    stale = [*out.glob("report-*.html"), *out.glob("plans/*.docx"), out / "changes.csv", out / "decisions.csv",
             out / "progress.csv"]
    for path in stale:
        if path.is_file() and path.relative_to(out).as_posix() not in keep:
            path.unlink()


def write_outputs(
    matcher: Matcher, results: Sequence[RegionResult], summary: BatchSummary,
    fits: dict[str, tuple[float, float]], plans: bool,
) -> None:
    """Write every final file into ``summary.out_dir`` and record their names in ``summary.files``.

    ``fits[region]`` is (uncapped, capped) total fit of that regency's list, summed per province for reports.
    """
    out = summary.out_dir
    dialect = summary.csv_dialect
    written = ["recommendations.csv", "alternates.csv", "recommendations.xlsx", "opportunities.csv"]
    write_csv(out / "recommendations.csv", COLUMNS, recommendation_rows(results), dialect)
    write_csv(out / "alternates.csv", ALTERNATE_COLUMNS, alternate_rows(results), dialect)
    provinces = [matcher.regions.province(code) for code in summary.provinces]
    opportunities = {p.code: _opportunities(matcher, results, p.code) for p in provinces}
    outlines = load_boundaries(matcher.settings.corpus_dir / "regions" / BOUNDARIES)
    write_csv(out / "opportunities.csv", OPPORTUNITY_COLUMNS, opportunity_rows(list(opportunities.values())), dialect)
    steps = None if summary.replication_steps is None else progress_rows(matcher, summary.region_codes)
    extra = [] if steps is None else [(PROGRESS_SHEET, PROGRESS_COLUMNS, steps)]
    write_xlsx(out / "recommendations.xlsx", results, [(p.code, p.name) for p in provinces], extra)
    if steps is not None:
        write_csv(out / "progress.csv", PROGRESS_COLUMNS, steps, dialect)
        written.append("progress.csv")
        summary.replication_steps = len(steps)
    decided = decision_rows(results)
    if decided:
        write_csv(out / "decisions.csv", DECISION_COLUMNS, decided, dialect)
        written.append("decisions.csv")
    if summary.changes is not None:
        write_csv(out / "changes.csv", CHANGE_COLUMNS, change_rows(results), dialect)
        written.append("changes.csv")
    info = {"model": str(summary.index.get("model")), "fusion": str(summary.index.get("fusion")),
            "catalog": str(summary.index.get("catalog_hash"))}
    by_province = {}
    for p in provinces:
        mine = [r for r in results if r.region.province_code == p.code]
        fit = FitCost(sum(fits[r.region.code][0] for r in mine), sum(fits[r.region.code][1] for r in mine))
        name = report_name(p)
        write_province_report(out / name, p, mine, summary.k, summary.max_visits, info,
                              fit if summary.max_visits else None, cap_scope=summary.cap_scope,
                              exclude_rejected=summary.exclude_rejected,
                              progress=None if steps is None else province_progress(
                                  matcher, p.code, [r.region.code for r in mine]),
                              opportunities=opportunities[p.code], outlines=outlines,
                              all_variants=summary.all_variants)
        written.append(name)
        by_province[p.code] = {"name": p.name, "regions": len(mine), "rows": sum(len(r.recommendations) for r in mine),
                               "regions_with_recommendations": sum(1 for r in mine if r.recommendations),
                               "fit_uncapped": round(fit.uncapped, 6), "fit_capped": round(fit.capped, 6),
                               "report": name, "open_gaps": opportunities[p.code].open_gaps}
    summary.by_province = by_province
    if plans:
        summary.plans = _plans(matcher, results, out / "plans")
        written.extend(summary.plans)
    written.append("summary.json")
    summary.files = sorted(written)
    _remove_stale(out, set(written))
    atomic_write_text(out / "summary.json", json.dumps(summary.to_dict(), ensure_ascii=False, indent=2,
                                                       sort_keys=True) + "\n")
