"""Recommendations for many regencies at once, resumable, with the same bytes for the same inputs.

Each regency's result is a JSON part in ``out_dir/parts/``, written atomically and stamped with a fingerprint
of everything that decides it (index content, settings, k, filters, the regency's gaps and decisions). A run
reuses the parts whose fingerprint still matches and computes the others, so a run killed half-way and started
again ends with the files of an uninterrupted run. The final files (CSV, XLSX, one HTML report per province,
changes, plans, summary) are assembled from the parts and the mentors' current decisions, in region-code order;
then ``parts/`` is removed, as it is internal (a re-run of a completed folder ranks again, a few ms a regency).

``run_batch`` is the library function; ``matcher batch`` and the service's batch job both call it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from matcher.batch.files import atomic_write_text, remove_temporaries, safe_filename
from matcher.batch.pack import write_outputs
from matcher.batch.results import CHANGE_KINDS, BatchSummary, RegionResult, also_in, diff_changes
from matcher.config import fingerprint
from matcher.data.loaders import Gap, Innovation
from matcher.engine.catalog import Filters
from matcher.engine.groups import GroupInfo
from matcher.errors import ConfigError, NotFoundError
from matcher.facade import pinned
from matcher.recommendations.assign import Assignment, assign_visits
from matcher.recommendations.confidence import GapFit
from matcher.recommendations.inputs import RegencyInputs
from matcher.recommendations.peers import PeerEvidence
from matcher.recommendations.regency import (
    GapEvidence,
    Recommendation,
    RecommendOptions,
    recommend_many,
    recommend_with_fits,
)

if TYPE_CHECKING:
    from matcher.facade import Matcher

ProgressCallback = Callable[[int, int, str], None]  # (regencies done, total, region code just finished)
PART_VERSION = 2  # 2: parts hold each gap's best candidate (the opportunity map)
CAP_SCOPES = ("province", "run")
CSV_DIALECTS = ("id", "intl")  # id: ';' and decimal comma (Excel in an Indonesian locale); intl: ',' and '.'


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def index_fingerprint(matcher: Matcher) -> dict[str, Any]:
    """What of the store and settings decides a ranking: the index manifest (model, stemmer, corpus), every
    setting but the paths, and a hash of the records (metadata such as awards changes scores, not only text)."""
    manifest = {k: v for k, v in matcher.manifest.items() if k not in ("created_at", "generation", "groups")}
    settings = fingerprint(matcher.settings, "index", "ranking")
    records = sorted((i.to_dict() for i in matcher.catalog.innovations), key=lambda d: d["id"])
    return {**settings, **manifest, "catalog_hash": _digest(records)[:16]}


def regions_with_gaps(matcher: Matcher) -> list[str]:
    """Codes of every kabupaten/kota with stored gap statements (what ``--all`` runs)."""
    return sorted({g.region_code for g in matcher.gaps()})


def _recommendation(d: dict[str, Any]) -> Recommendation:
    return Recommendation(
        innovation=Innovation.from_dict(d["innovation"]), rank=d["rank"], score=d["score"], parts=d["parts"],
        gaps=[GapEvidence.from_dict(g) for g in d["gaps"]], distance_km=d["distance_km"], origin_name=d["origin_name"],
        peers=PeerEvidence.from_dict(d.get("peers")), group=GroupInfo.from_dict(d.get("group")),
    )


@dataclass(frozen=True)
class _Part:
    code: str
    gaps: list[Gap]
    top: list[Recommendation]  # the uncapped top k
    pool: list[Recommendation]  # further candidates, best first: alternates and replacements under a cap
    fits: list[GapFit]  # each gap's best candidate, whatever made the list (open gaps: the opportunity map)

    def without(self, ids: set[str], k: int) -> _Part:
        """The part as if ``ids`` (rejected by the mentors) had never been candidates: the next ones move up."""
        kept = [r for r in self.top + self.pool if r.innovation.id not in ids]
        return _Part(self.code, self.gaps, [replace(r, rank=n) for n, r in enumerate(kept[:k], start=1)], kept[k:],
                     self.fits)


def _compute_part(matcher: Matcher, inputs: RegencyInputs, k: int, depth: int, filters: Filters | None,
                  options: RecommendOptions, part_key: str) -> dict[str, Any]:
    """A regency's part from the inputs its key was made of: the list and its gaps' fits from one ranking
    (``recommend_with_fits``), and the deeper pool the alternates come from."""
    code = inputs.region_code
    top, fits = recommend_with_fits(matcher, inputs, k, filters, options)
    deep = recommend_many(matcher, [code], depth, filters, options)[0]
    listed = {r.innovation.id for r in top}
    # collapsed: a group already listed sends no other member to the alternates
    listed_groups = {r.group.id for r in top if r.group} if options.collapse else set()
    return {"version": PART_VERSION, "fingerprint": part_key, "region_code": code,
            "gaps": [g.to_dict() for g in inputs.gaps], "top": [r.to_dict() for r in top],
            "pool": [r.to_dict() for r in deep
                     if r.innovation.id not in listed and not (r.group and r.group.id in listed_groups)],
            "fits": [asdict(f) for f in fits]}


def _load_part(path: Path, part_key: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("fingerprint") == part_key else None


def _candidates(part: _Part) -> list[tuple[str, float]]:
    """Fits for the capacity assignment: listed items at their score; a pool item at most just below the weakest
    listed one, because MMR left it out for redundancy. So without a binding cap the lists stay as published."""
    floor = min((r.score for r in part.top), default=0.0)
    extra = [(r.innovation.id, min(r.score, floor - 1e-6 * (n + 1))) for n, r in enumerate(part.pool)]
    return [(r.innovation.id, r.score) for r in part.top] + extra


def _positive(candidates: dict[str, list[tuple[str, float]]]) -> dict[str, list[tuple[str, float]]]:
    """Fits shifted by one constant so that every one is positive: the assignment maximises the total fit, and
    a negative fit (a learned ranker's scores are log-odds) would rather leave a visit slot empty. Fused
    z-scores of listed items are positive already and stay as they are."""
    lowest = min((f for pairs in candidates.values() for _, f in pairs), default=1.0)
    shift = 0.0 if lowest > 0 else 1.0 - lowest
    return {code: [(i, f + shift) for i, f in pairs] for code, pairs in candidates.items()}


def _decisions(matcher: Matcher, code: str) -> dict[str, dict[str, Any]]:
    """The latest decision per innovation of one regency, with the innovation's title (None when the innovation
    has left the catalogue since)."""
    catalog = matcher.catalog
    out = {}
    for d in matcher.decisions.current(code):
        n = catalog.by_id.get(d.innovation_id)
        out[d.innovation_id] = {**d.to_dict(), "title": None if n is None else catalog.innovations[n].title}
    return out


def _assign(candidates: dict[str, list[tuple[str, float]]], k: int, cap: int | None, scope: str,
            alternates: int) -> Assignment:
    """The visit assignment per round: one per province, or one for the whole run."""
    if scope == "run" or cap is None:
        return assign_visits(candidates, k, cap, alternates)
    rounds = [assign_visits({c: v for c, v in candidates.items() if c.split(".")[0] == province}, k, cap, alternates)
              for province in sorted({c.split(".")[0] for c in candidates})]
    return Assignment(
        chosen={r: ids for a in rounds for r, ids in a.chosen.items()},
        alternates={r: ids for a in rounds for r, ids in a.alternates.items()},
        fit_uncapped=sum(a.fit_uncapped for a in rounds), fit_capped=sum(a.fit_capped for a in rounds),
        shortfall={r: n for a in rounds for r, n in a.shortfall.items()},
        load={i: max(a.load.get(i, 0) for a in rounds) for a in rounds for i in a.load},  # the busiest round
    )


@pinned  # every regency of a run ranked against one index generation
def run_batch(
    matcher: Matcher,
    regions: Sequence[str],
    k: int = 10,
    out_dir: Path | str = "batch",
    *,
    filters: Filters | None = None,
    options: RecommendOptions | None = None,
    max_visits: int | None = None,
    cap_scope: str = "province",
    alternates: int = 3,
    previous: Path | str | None = None,
    all_variants: bool = False,
    plans: bool = False,
    exclude_rejected: bool = False,
    csv_dialect: str = "id",
    replication_progress: bool = False,
    progress: bool = False,
    progress_callback: ProgressCallback | None = None,
) -> BatchSummary:
    """Recommendations for ``regions`` (codes or names) into ``out_dir``; resumes from ``out_dir/parts``.

    ``max_visits`` caps how many regencies may be sent to one innovation in a round, and the assignment
    maximises the total fit over the round: each province is its own round (``cap_scope="province"``, as hub
    provinces organise their study visits), or the whole run is one (``cap_scope="run"``).
    ``previous`` is the folder of an earlier run to compare with; ``plans`` writes an action-plan draft for
    every shortlisted pair. ``progress_callback(done, total, code)`` is called after each regency's part is
    on disk; an exception it raises stops the run, and the next run resumes from there.
    Every file marks the mentors' latest decision on each innovation (dipilih / ditolak / sudah direplikasi);
    ``exclude_rejected`` leaves rejected innovations out, and the next candidates take their places.
    ``csv_dialect`` is "id" (``;`` and decimal comma, as Excel in an Indonesian locale reads CSV) or "intl".
    ``replication_progress`` adds the recorded replication steps of the run's regencies: progress.csv, a sheet in
    recommendations.xlsx and a progress section (funnel, regencies, stage times) in each province report.
    A meeting reads one innovation per near-duplicate group (``options.collapse`` is set), the other members named
    in a "juga di" column; ``all_variants`` lists every variant instead.
    """
    if k < 1:
        raise ConfigError("k must be at least 1")
    if alternates < 0:
        raise ConfigError("the number of alternates cannot be negative")
    if max_visits is not None and max_visits < 1:
        raise ConfigError("--max-visits-per-innovation must be at least 1")
    if cap_scope not in CAP_SCOPES:
        raise ConfigError(f"cap scope must be one of {', '.join(CAP_SCOPES)}, not {cap_scope!r}")
    if csv_dialect not in CSV_DIALECTS:
        raise ConfigError(f"CSV dialect must be one of {', '.join(CSV_DIALECTS)}, not {csv_dialect!r}")
    codes = sorted({matcher.regions.resolve(r).code for r in regions})
    if not codes:
        raise NotFoundError("no kabupaten/kota to run: give provinces, a regions file, or --all")
    previous_rows = None
    if previous is not None:
        from matcher.batch.tables import read_previous

        previous_rows = read_previous(Path(previous))
    opts = replace(options or RecommendOptions.from_settings(matcher.settings), collapse=not all_variants)
    depth = max(3 * k, k + alternates + 5)
    index = index_fingerprint(matcher)
    base = {"v": PART_VERSION, "k": k, "depth": depth, "filters": asdict(filters or Filters()),
            "options": asdict(opts), "index": index}
    out = Path(out_dir)
    parts_dir = out / "parts"
    parts_dir.mkdir(parents=True, exist_ok=True)
    for folder in (out, parts_dir, out / "plans"):  # what a killed run was writing when it died
        remove_temporaries(folder)
    summary = BatchSummary(out, codes, sorted({c.split(".")[0] for c in codes}), k, max_visits, 0, [], 0.0, 0.0,
                           index=index, cap_scope=cap_scope if max_visits else None,
                           exclude_rejected=exclude_rejected, csv_dialect=csv_dialect, all_variants=all_variants)
    loaded: list[_Part] = []
    with tqdm(total=len(codes), desc="batch", unit="regency", disable=not progress) as bar:
        for done, code in enumerate(codes, start=1):
            inputs = RegencyInputs.read(matcher, code)  # read once: the part's key, and its list if computed
            part_key = _digest({**base, "region": code, **inputs.key()})
            path = parts_dir / f"{safe_filename(code)}.json"
            data = _load_part(path, part_key)
            if data is None:
                text = json.dumps(_compute_part(matcher, inputs, k, depth, filters, opts, part_key),
                                  ensure_ascii=False, sort_keys=True, indent=1) + "\n"
                atomic_write_text(path, text)
                data = json.loads(text)  # the very form a resumed run reads back, so both assemble alike
                summary.computed += 1
            else:
                summary.reused += 1
            loaded.append(_Part(code, [Gap.from_dict(g) for g in data["gaps"]],
                                [_recommendation(r) for r in data["top"]], [_recommendation(r) for r in data["pool"]],
                                [GapFit(**f) for f in data["fits"]]))
            bar.update(1)
            if progress_callback is not None:
                progress_callback(done, len(codes), code)

    decisions = {code: _decisions(matcher, code) for code in codes}  # marks, read at assembly (only a
    # replicated decision changes a ranking, and so the fingerprint of a part)
    if exclude_rejected:
        loaded = [p.without({i for i, d in decisions[p.code].items() if d["decision"] == "rejected"}, k)
                  for p in loaded]
    candidates = _positive({p.code: _candidates(p) for p in loaded})
    assignment = _assign(candidates, k, max_visits, cap_scope, alternates)
    fits = {p.code: (sum(dict(candidates[p.code])[r.innovation.id] for r in p.top),
                     sum(dict(candidates[p.code])[i] for i in assignment.chosen[p.code]))
            for p in loaded}
    results = []
    for p in loaded:
        by_id = {r.innovation.id: r for r in p.top + p.pool}
        order = {r.innovation.id: n for n, r in enumerate(p.top + p.pool)}
        chosen = sorted(assignment.chosen[p.code], key=lambda i: (-by_id[i].score, order[i]))
        final = [replace(by_id[i], rank=n) for n, i in enumerate(chosen, start=1)]
        spare = [replace(by_id[i], rank=n) for n, i in enumerate(assignment.alternates[p.code], start=1)]
        changes = None if previous_rows is None else diff_changes(previous_rows.get(p.code, []), final)
        also = {r.innovation.id: named for r in p.top + p.pool
                if (named := also_in(r.group, matcher.regions.origin_name)) is not None}
        results.append(RegionResult(matcher.regions.get(p.code), p.gaps, final,
                                    {r.innovation.id: r.rank for r in p.top}, spare, changes, decisions[p.code],
                                    p.fits, also))
    summary.fit_uncapped, summary.fit_capped = assignment.fit_uncapped, assignment.fit_capped
    summary.shortfall = assignment.shortfall
    summary.rows = sum(len(r.recommendations) for r in results)
    summary.regions_with_recommendations = sum(1 for r in results if r.recommendations)
    summary.decisions = dict(sorted(Counter(d["decision"] for r in results for d in r.decisions.values()).items()))
    summary.without_gaps = [r.region.code for r in results if not r.gaps]
    if previous_rows is not None:
        summary.changes = {kind: sum(1 for r in results for c in r.changes or [] if c.kind == kind)
                           for kind in CHANGE_KINDS}
    summary.replication_steps = 0 if replication_progress else None  # write_outputs counts them
    write_outputs(matcher, results, summary, fits, plans)
    shutil.rmtree(parts_dir, ignore_errors=True)  # complete: the parts were internal (a kill here leaves them)
    return summary
