"""The ``batch`` and ``plan`` subcommands, registered on the main parser by ``add_batch_commands(sub)``.

Kept apart from ``matcher/cli.py`` so the batch and the service can grow without editing the same file.
Handlers return an exit code; user errors are raised as ``MatcherError`` and the main CLI prints them as one
line with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from matcher.cli.options import add_k, require_store
from matcher.errors import ConfigError, NotFoundError

INTERRUPTED = 130


def _matcher() -> Any:
    from matcher.config import get_settings
    from matcher.facade import Matcher

    require_store(get_settings().home)  # never create an empty store by reading
    return Matcher(get_settings())


def read_region_list(path: Path) -> list[str]:
    """Codes or names, one per line; blank lines and lines starting with '#' are skipped."""
    if not path.is_file():
        raise NotFoundError(f"regions file {path} not found")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise ConfigError(f"regions file {path} is not UTF-8 text: {exc.reason}") from None
    names = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not names:
        raise ConfigError(f"regions file {path} names no kabupaten/kota")
    return names


def _targets(args: argparse.Namespace, m: Any) -> list[str]:
    from matcher.batch.run import regions_with_gaps

    if args.all:
        return regions_with_gaps(m)
    if args.regions:
        return read_region_list(Path(args.regions))
    return [r.code for p in args.province for r in m.regions.in_province(m.regions.resolve_province(p).code)]


def cmd_batch(args: argparse.Namespace) -> int:
    from matcher.batch.run import run_batch

    m = _matcher()
    targets = _targets(args, m)
    try:
        s = run_batch(m, targets, args.k, Path(args.out), max_visits=args.max_visits, cap_scope=args.cap_scope,
                      alternates=args.alternates, previous=args.previous, all_variants=args.all_variants,
                      plans=args.plans,
                      exclude_rejected=args.exclude_rejected, csv_dialect=args.csv_dialect,
                      replication_progress=args.progress, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"matcher: interrupted; finished regencies are kept in {Path(args.out) / 'parts'}: run the same "
              "command again to resume", file=sys.stderr)
        return INTERRUPTED
    print(f"wrote {s.rows} recommendations for {s.regions_with_recommendations} of {len(s.region_codes)} regencies "
          f"in {len(s.provinces)} province(s) to {s.out_dir} (computed {s.computed}, resumed {s.reused})")
    if s.without_gaps:
        print(f"{len(s.without_gaps)} regencies have no gap statements, so no recommendations: "
              f"{', '.join(s.without_gaps)}")
    if s.decisions:
        from matcher.data.labels import decision_label

        marked = ", ".join(f"{n} {decision_label(kind)}" for kind, n in s.decisions.items())
        print(f"mentors' decisions marked in every file: {marked}"
              f"{' (rejected ones left out)' if s.exclude_rejected else ''}")
    if s.max_visits:
        print(f"visit cap {s.max_visits} per innovation and {s.cap_scope}: total fit {s.fit_capped:.3f} against {s.fit_uncapped:.3f} "
              f"uncapped; the cap costs {s.fit_cost:.3f} ({100 * s.fit_cost_share:.1f}%)")
        if s.shortfall:
            print(f"the cap left {sum(s.shortfall.values())} slot(s) empty in {len(s.shortfall)} regencies")
    if s.changes is not None:
        print("since the previous run: " + ", ".join(f"{n} {kind}" for kind, n in s.changes.items()))
    if s.replication_steps is not None:
        print(f"replication progress: {s.replication_steps} recorded steps in progress.csv, a sheet and each report")
    if args.plans:
        print(f"action-plan drafts: {len(s.plans)} (one per shortlisted pair)")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from matcher.batch.plan import draft_plan, write_plan

    out = Path(args.out)
    if out.suffix.lower() not in (".docx", ".html", ".htm"):
        raise ConfigError(f"--out {out} must end in .docx or .html")
    draft = draft_plan(_matcher(), args.region, args.innovation, require_shortlisted=not args.force)
    write_plan(draft, out)
    gaps = ", ".join(g.gap_id for g in draft.gaps) or "none recorded"
    print(f"wrote the action-plan draft for {draft.innovation.id} in {draft.region.name} to {out} "
          f"(gaps answered: {gaps})")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_batch_commands(subparsers: Any) -> None:
    """Register ``batch`` and ``plan`` on the main CLI's subparsers (``func`` set to their handlers)."""
    p = subparsers.add_parser("batch", help="files for a selection meeting: XLSX, CSV and an HTML report per province")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--province", action="append", help="every kabupaten/kota of this province (repeatable)")
    which.add_argument("--regions", help="file with one kabupaten/kota code or name per line")
    which.add_argument("--all", action="store_true", help="every kabupaten/kota with stored gap statements")
    add_k(p, 10)
    p.add_argument("--out", required=True, help="output folder; a re-run into it resumes an interrupted run")
    p.add_argument("--previous", help="folder of an earlier batch: adds changes.csv and a changes section")
    p.add_argument("--max-visits-per-innovation", dest="max_visits", type=_positive,
                   help="send no innovation to more than N regencies of this run (study-visit capacity)")
    p.add_argument("--cap-scope", choices=("province", "run"), default="province",
                   help="one study-visit round per province (default) or one for the whole run")
    p.add_argument("--alternates", type=int, default=3, help="alternates per regency (default 3)")
    p.add_argument("--all-variants", action="store_true",
                   help="list every variant of an idea; by default each near-duplicate group shows once, by its most "
                        "proven or best documented member, the others named in the 'Juga di' column")
    p.add_argument("--plans", action="store_true", help="also write an action-plan draft per shortlisted pair")
    p.add_argument("--exclude-rejected", action="store_true",
                   help="leave out innovations the mentors rejected (the next candidates move up); by default they "
                        "stay, marked 'ditolak'")
    p.add_argument("--csv-dialect", choices=("id", "intl"), default="id",
                   help="id (default): ';' between cells and a decimal comma, as Excel reads CSV in an Indonesian "
                        "locale; intl: ',' and '.'")
    p.add_argument("--progress", action="store_true",
                   help="add the replication progress (studi tiru, rencana aksi, ...): progress.csv, a sheet in "
                        "recommendations.xlsx and a section in each report")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_batch)

    p = subparsers.add_parser("plan", help="draft action plan (rencana aksi) for a shortlisted innovation")
    p.add_argument("--region", required=True, help="adopting kabupaten/kota (code or name)")
    p.add_argument("--innovation", required=True, help="innovation id")
    p.add_argument("--out", required=True, help="file to write: .docx or .html")
    p.add_argument("--force", action="store_true", help="write the draft even if the pair is not shortlisted")
    p.set_defaults(func=cmd_plan)
