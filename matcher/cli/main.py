"""The ``matcher`` command: index, match, eval, validate, demo, users, check, export, import, batch, plan.

Known errors (bad file, unknown region, bad option) print one line on stderr and exit with status 2. Commands
that only read the store refuse a MATCHER_HOME without one instead of creating an empty ``.matcher/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from matcher.cli.options import EXAMPLES, add_k, require_store, yes_no
from matcher.errors import ConfigError, MatcherError, NotFoundError, StoreError, ValidationError

USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(USER_ERROR, f"matcher: error: {message} (see 'matcher --help')\n")


def _settings(**overrides: Any):
    from matcher.config import get_settings

    base = get_settings()
    return base.model_copy(update={k: v for k, v in overrides.items() if v is not None}) if overrides else base


def _bundled(name: str) -> Path:
    return _settings().corpus_dir / name


def _columns(args: argparse.Namespace) -> dict[str, str]:
    """--map and --map-file entries: column as written -> field (the file first, --map overrides)."""
    from matcher.data.headers import parse_map, read_map_file

    columns = read_map_file(Path(args.map_file)) if getattr(args, "map_file", None) else {}
    columns.update(parse_map(getattr(args, "map", None) or []))
    return columns


def _load(kind: str, path: Path, regions, args: argparse.Namespace | None = None, show: bool = False):
    """Records of one file, read through the column mapping; warnings (derived ids, unused --map) on stderr."""
    from matcher.data import loaders as corpus
    from matcher.data.headers import ColumnNotes

    loader = {"innovations": corpus.load_innovations, "gaps": corpus.load_gaps}[kind]
    notes = ColumnNotes()
    records = loader(path, regions, columns=_columns(args) if args is not None else None, notes=notes)
    if show:
        print(f"{path}: columns read as: {notes.describe()}")
    for warning in [*notes.warnings, *(f"{path}: no column {c!r} to read as --map asks" for c in notes.unused)]:
        print(f"matcher: warning: {warning}", file=sys.stderr)
    return records, notes


def _filters(args: argparse.Namespace):
    from matcher.engine.catalog import Filters

    provinces = []
    if args.province:
        from matcher.data.regions import Regions

        regions = Regions.load(_settings().corpus_dir / "regions")
        provinces = [regions.resolve_province(p).code for p in args.province]
    digital = None if args.digital is None else args.digital == "yes"  # yes_no() normalised ya/tidak
    return Filters(
        sectors=tuple(args.sector or ()), provinces=tuple(provinces), stages=tuple(args.stage or ()),
        digital=digital, awards=tuple(args.award or ()), year_min=args.year_min, year_max=args.year_max,
        include_stopped=getattr(args, "include_stopped", False),
    )


def cmd_index(args: argparse.Namespace) -> int:
    from matcher.data.regions import Regions
    from matcher.facade import Matcher

    regions = Regions.load(_settings().corpus_dir / "regions")  # files are checked before a store is created
    innovations, _ = _load("innovations", Path(args.innovations or _bundled("innovations.jsonl")), regions, args)
    gaps = _load("gaps", Path(args.gaps or _bundled("gaps.jsonl")), regions, args)[0] \
        if (args.gaps or not args.innovations) else None
    m = Matcher(_settings(), regions=regions)
    report = m.index(innovations, gaps, rebuild=args.rebuild, progress=True)
    print(f"indexed {report.manifest['innovations']} innovations into {m.settings.home} "
          f"(added {report.added}, updated {report.updated}, removed {report.removed}, unchanged {report.unchanged}; "
          f"gaps {report.gaps}; embedded {report.embedded} texts) in {report.seconds:.1f}s")
    return 0


def _print_matches(matches: list, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"data": [m.to_dict() for m in matches], "count": len(matches)}, ensure_ascii=False))
        return
    if not matches:
        print("no innovation matches (check the filters)")
    for m in matches:
        inv = m.innovation
        print(f"{m.rank:>2}. {inv.id}  {inv.title}")
        print(f"    {inv.institution or '-'} [{inv.region_code or 'nasional'}] · {inv.sector or '-'} · "
              f"{inv.stage or '-'} · award {inv.award or '-'}")
        print(f"    score {m.score:.3f} (dense {m.dense:.3f}, bm25 {m.lexical:.2f}); matched: "
              f"{', '.join(m.matched_terms) or '-'}")
        print(textwrap.fill(f"“{m.best_sentence}”", width=100, initial_indent="    ", subsequent_indent="    "))


def _region_or_hint(m: Any, region: str | None) -> str | None:
    """--region must be one kabupaten/kota; a province name gets a pointer to --province instead of a guess."""
    if region is None:
        return None
    try:
        return str(m.regions.resolve(region).code)
    except NotFoundError as not_found:
        try:
            province = m.regions.resolve_province(region)
        except MatcherError:
            raise not_found from None
        raise ConfigError(f"--region {region!r} is the province {province.name} ({province.code}); --region takes "
                          f"one kabupaten/kota (e.g. 'Kota Surabaya'). To keep innovations from that province, use "
                          f"--province {province.code!r}") from None


def cmd_match(args: argparse.Namespace) -> int:
    from matcher.facade import Matcher

    if not args.text.strip():
        raise ConfigError("the gap statement is empty: write the gap to match, e.g. matcher match \"antrean "
                          "KTP-el panjang\"")
    require_store(_settings().home)
    m = Matcher(_settings())
    region = _region_or_hint(m, args.region)
    matches = m.match(args.text, region=region, k=args.k, filters=_filters(args), channels=args.channels)
    _print_matches(matches, args.json)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from matcher.data import loaders as corpus
    from matcher.facade import Matcher
    from matcher.research.evaluation import evaluate, evaluate_regions

    if args.level == "regency" and args.channels != "hybrid":
        print("matcher: error: --level regency ranks regency recommendations, which are hybrid", file=sys.stderr)
        return USER_ERROR
    with tempfile.TemporaryDirectory(prefix="matcher-eval-") as tmp:
        m = Matcher(_settings(home=Path(tmp), ranker=args.ranker))
        innovations = corpus.load_innovations(Path(args.innovations), m.regions)
        gaps = corpus.load_gaps(Path(args.gaps), m.regions)
        qrels = corpus.load_qrels(Path(args.qrels))
        gap_ids = None
        if args.split:
            split = corpus.load_split(Path(args.split_file or _bundled("eval/split.tsv")))
            gap_ids = {g for g, s in split.items() if s == args.split}
        m.index(innovations, gaps, progress=not args.json)
        if args.level == "regency":
            result = evaluate_regions(m, gaps, innovations, qrels, k=args.k, gap_ids=gap_ids, groups=args.groups)
        else:
            result = evaluate(m, gaps, innovations, qrels, k=args.k, channels=args.channels, gap_ids=gap_ids,
                              groups=args.groups)
        ranker = m.generation.ranker if m.settings.ranker == "learned" and args.channels == "hybrid" else None
    if not args.json and ranker is not None:
        print("learned ranker, weight of each standardised feature: " +
              ", ".join(f"{name} {w:+.3f}" for name, w in ranker.weights().items()))
    if not args.json:
        unit = "regencies" if args.level == "regency" else "gaps"
        by_group = "" if result.group_ndcg is None else f" · group nDCG@{args.k} {result.group_ndcg:.4f}"
        print(f"{args.channels} on {result.queries} {unit}{'' if args.groups is None else f', groups {args.groups}'}: "
              f"nDCG@{args.k} {result.ndcg:.4f} · Recall@{args.k} {result.recall:.4f} · MRR {result.mrr:.4f}{by_group}")
    print(json.dumps(result.as_json()) if args.json else "", end="\n" if args.json else "")
    return 0


def cmd_learn(args: argparse.Namespace) -> int:
    """Retrain the ranker from judgments and mentors' decisions; adopt it only if held-out results hold."""
    from matcher.data import loaders as corpus
    from matcher.errors import ConfigError
    from matcher.research.evaluation import judged_gaps
    from matcher.research.training import collect, decision_judgments, learn

    m = _existing_matcher()
    gaps = corpus.load_gaps(Path(args.gaps or _bundled("gaps.jsonl")), m.regions)
    judged = judged_gaps(gaps, m.catalog.innovations, corpus.load_qrels(Path(args.qrels or _bundled("eval/qrels.tsv"))))
    if args.split:
        split = corpus.load_split(Path(args.split_file or _bundled("eval/split.tsv")))
        judged = {g: js for g, js in judged.items() if split.get(g) == args.split}
    rows = collect(m, gaps, judged)
    if not args.no_decisions:
        decided_gaps, decided = decision_judgments(m)
        rows += collect(m, decided_gaps, decided, decided=True)
    if len(rows) < 10:
        raise ConfigError(f"only {len(rows)} judged gaps match the catalogue in {m.settings.home}: give --gaps and "
                          "--qrels for its innovations, or record mentors' decisions first")
    report = learn(rows, m.generation.ranker, holdout=args.holdout, seed=args.seed)
    print(f"held-out gaps: {report.held_out} (trained on {report.trained_on}); nDCG@10 {report.before:.4f} -> "
          f"{report.after:.4f}; calibration error {report.ece_before:.4f} -> {report.ece_after:.4f}")
    for part, (before, after) in report.parts.items():
        print(f"  held-out {part}: nDCG@10 {before:.4f} -> {after:.4f}")
    if not report.adopted:
        print("kept the current ranker: the new one does worse on the held-out gaps")
        return 0
    with tempfile.TemporaryDirectory(prefix="matcher-learn-") as tmp:
        path = Path(tmp) / "ranker.json"
        report.model.save(path)
        m.index(replace=False, ranker=path)
    print(f"adopted the new ranker (generation {m.manifest['generation']}); a running service uses it from its next "
          "request")
    return 0


def _existing_matcher():
    """The Matcher of MATCHER_HOME, which must hold an index already."""
    from matcher.errors import ConfigError
    from matcher.facade import Matcher

    settings = _settings()
    if not (Path(settings.home) / "matcher.db").exists():
        raise ConfigError(f"no store in {settings.home}: run 'matcher index' first (or set MATCHER_HOME)")
    return Matcher(settings)


def cmd_validate(args: argparse.Namespace) -> int:
    from collections import Counter

    from matcher.data.regions import Regions

    regions = Regions.load(_settings().corpus_dir / "regions")
    only_gaps = bool(args.gaps) and not args.innovations
    try:
        innovations = [] if only_gaps else _load("innovations", Path(args.innovations or _bundled(
            "innovations.jsonl")), regions, args, show=bool(args.innovations))[0]  # the mapping of a user's file
        gaps = [] if args.innovations and not args.gaps else _load(
            "gaps", Path(args.gaps or _bundled("gaps.jsonl")), regions, args, show=bool(args.gaps))[0]
    except ValidationError as exc:  # here the whole report is the point
        print(exc.report(), file=sys.stderr)
        return USER_ERROR
    sectors = Counter(i.sector for i in innovations)
    print(f"{len(regions)} regions · {len(innovations)} innovations in {len(sectors)} sectors · "
          f"{len(gaps)} gaps for {len({g.region_code for g in gaps})} regencies: valid")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 when records and index agree; otherwise say what is wrong and how to repair (exit 1)."""
    from matcher.facade import Matcher

    try:
        require_store(_settings().home)
    except StoreError as exc:  # nothing to agree: the check fails as one (exit 1), without creating a store
        print(f"matcher check: {exc}", file=sys.stderr)
        return 1
    m = Matcher(_settings())
    problems = m.check()
    if problems:
        for problem in problems:
            print(f"matcher check: {problem}", file=sys.stderr)
        return 1
    manifest = m.manifest
    print(f"ok: {manifest['innovations']} innovations, {len(m.gaps())} gaps, model {manifest['model']}, "
          f"index {manifest['index']} ({manifest['generation']}) in {m.settings.home}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job on the bundled corpus: validate, index, and show what one hub regency's gaps get."""
    from matcher.data.regions import HUB_PROVINCES
    from matcher.facade import Matcher

    cmd_validate(argparse.Namespace(innovations=None, gaps=None, map=None, map_file=None))
    cmd_index(argparse.Namespace(innovations=None, gaps=None, rebuild=False, map=None, map_file=None))
    m = Matcher(_settings())
    gaps = [g for g in m.gaps() if g.region_code.split(".")[0] == HUB_PROVINCES[0]]
    region = args.region or (gaps[0].region_code if gaps else None)
    if region is None:
        return 0
    code = m.regions.resolve(region).code
    print(f"\n== {m.regions.get(code).name}: top {args.k} per gap ==")
    for gap in m.gaps(code):
        print(f"\n[{gap.id}] {gap.text}")
        _print_matches(m.match(gap.text, region=code, k=args.k), as_json=False)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The HTTP service and the mentor page (uvicorn); each worker process loads its own engine."""
    import uvicorn

    if not 1 <= args.port <= 65535 or args.workers < 1:
        print("matcher: error: --port must be 1..65535 and --workers at least 1", file=sys.stderr)
        return USER_ERROR
    print(f"matcher: serving {_settings().home} on http://{args.host}:{args.port} "
          f"({args.workers} worker{'s' if args.workers > 1 else ''})", file=sys.stderr)
    from service.http import server_options

    uvicorn.run("service.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level=args.log_level, **server_options(_settings()))
    return 0


def _accounts():
    from matcher.store.accounts import Accounts
    from matcher.store.database import Store

    return Accounts(Store(_settings().home))


def cmd_users(args: argparse.Namespace) -> int:
    """API accounts: the key is printed once, alone on stdout; the store keeps only its salted hash."""
    if args.action != "add":  # listing or removing reads a store; only adding an account may create one
        require_store(_settings().home)
    accounts = _accounts()
    if args.action == "add":
        account, key = accounts.add(args.name, args.role)
        print(f"created {account.role} account '{account.name}'; its API key is below and will not be shown "
              "again (send it as the X-API-Key header)", file=sys.stderr)
        print(key)
    elif args.action == "remove":
        accounts.remove(args.name)
        print(f"removed account '{args.name}'; its key no longer works", file=sys.stderr)
    else:
        for a in accounts.list():
            print(f"{a.name}\t{a.role}\t{a.key_id}\t{time.strftime('%Y-%m-%d %H:%M', time.localtime(a.created_at))}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """The whole store as plain files in a folder (records, shortlist, replication steps, accounts without keys,
    vectors)."""
    from matcher.backup.transfer import export_store

    require_store(_settings().home)
    report = export_store(_settings(), Path(args.dir), progress=True)
    c = report.counts
    print(f"exported {c['innovations']} innovations, {c['gaps']} gaps, {c['shortlist']} shortlist decisions, "
          f"{c['replications']} replication steps, {c['accounts']} accounts (without keys) and {c['vectors']} vectors to {report.path}"
          f"{' (replaced the earlier export)' if report.replaced else ''} in {report.seconds:.1f}s")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """A store from an export folder: everything is checked first, then written in one transaction."""
    from matcher.backup.transfer import import_store

    report = import_store(Path(args.dir), _settings(), replace=args.replace, current_settings=args.current_settings,
                          progress=True)
    c = report.counts
    print(f"imported {c['innovations']} innovations, {c['gaps']} gaps, {c['shortlist']} shortlist decisions, "
          f"{c['replications']} replication steps and {c['accounts']} accounts into {report.home} (embedded {report.embedded} texts) in {report.seconds:.1f}s")
    for name, role in report.keyless:
        print(f"account '{name}' ({role}) has no usable key: issue one with 'matcher users remove {name}' and then "
              f"'matcher users add {name} --role {role}'")
    return 0


def _add_filter_options(p: argparse.ArgumentParser) -> None:
    from matcher.data.loaders import AWARDS, SECTORS, STAGES

    p.add_argument("--sector", action="append", choices=SECTORS, help="only these sectors (repeatable)")
    p.add_argument("--province", action="append", help="only innovations from these provinces (code or name)")
    p.add_argument("--stage", action="append", choices=STAGES, help="only innovations at this stage (repeatable)")
    p.add_argument("--digital", type=yes_no, metavar="ya|tidak",
                   help="only digital (ya) or non-digital (tidak) innovations; also yes/no, true/false, 1/0")
    p.add_argument("--award", action="append", choices=AWARDS, help="only innovations with this award (repeatable)")
    p.add_argument("--year-min", type=int, help="only innovations started in or after this year")
    p.add_argument("--year-max", type=int, help="only innovations started in or before this year")
    p.add_argument("--include-stopped", action="store_true", help="also innovations whose programme stopped")


def _add_map_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--map", action="append", metavar="'COLUMN=field'",
                   help="read this column as this field, e.g. --map 'Nama Kegiatan=title' (repeatable); common "
                        "Indonesian headers (Nama Inovasi, Kabupaten/Kota, Urusan, ...) need none")
    p.add_argument("--map-file", metavar="FILE", help="a file of COLUMN=field lines, as --map")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="matcher", description="Which proven public-service innovations should a regency replicate?")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("index", help="build or update the store (default: the bundled corpus)")
    p.add_argument("--innovations", help="innovations file (.jsonl, .csv, .xlsx)")
    p.add_argument("--gaps", help="gap statements file (.jsonl, .csv, .xlsx)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the index from scratch (after a model change)")
    _add_map_options(p)
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("match", help="rank innovations for a gap statement")
    p.add_argument("text", help="the gap statement, as a mentor writes it")
    p.add_argument("--region", help="the gap's kabupaten/kota (code or name); its own innovations are excluded")
    add_k(p, 10)
    p.add_argument("--json", action="store_true", help="one JSON object {data, count} on stdout")
    p.add_argument("--channels", choices=("hybrid", "dense", "lexical"), default="hybrid",
                   help="rank by both channels (default), or by one alone")
    _add_filter_options(p)
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("eval", help="quality on judged gaps, in a throwaway index")
    p.add_argument("--innovations", required=True)
    p.add_argument("--gaps", required=True)
    p.add_argument("--qrels", required=True)
    add_k(p, 10)
    p.add_argument("--channels", choices=("hybrid", "dense", "lexical"), default="hybrid")
    p.add_argument("--split", choices=("dev", "test"), help="only the gaps of this split")
    p.add_argument("--split-file", help="gap_id<TAB>split file (default: the bundled corpus/eval/split.tsv)")
    p.add_argument("--level", choices=("gap", "regency"), default="gap",
                   help="regency: a regency's gaps together, an innovation's relevance being its best grade over them")
    p.add_argument("--ranker", choices=("learned", "fusion"),
                   help="hybrid scoring: the learned ranker (default) or the fused channels (the baseline)")
    p.add_argument("--groups", choices=("collapse", "all"),
                   help="rank one innovation per near-duplicate group (collapse) or every variant (all), and report "
                        "the group-level nDCG too (default: as MATCHER_GROUP_LISTS says, per-innovation metrics only)")
    p.add_argument("--json", action="store_true", help="last line of stdout is one JSON object")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("learn", help="retrain the ranker from judgments and mentors' decisions in MATCHER_HOME")
    p.add_argument("--gaps", help="judged gap statements (default: the bundled corpus/gaps.jsonl)")
    p.add_argument("--qrels", help="their judgments (default: the bundled corpus/eval/qrels.tsv)")
    p.add_argument("--split", choices=("dev", "test"), help="only the judged gaps of this split")
    p.add_argument("--split-file", help="gap_id<TAB>split file (default: the bundled corpus/eval/split.tsv)")
    p.add_argument("--no-decisions", action="store_true", help="leave the stored decisions out")
    p.add_argument("--holdout", type=float, default=0.25, help="share of judged gaps held out to compare rankers")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_learn)

    p = sub.add_parser("validate", help="check corpus files against the data contract and summarise them")
    p.add_argument("--innovations", help="innovations file (default: the bundled corpus)")
    p.add_argument("--gaps", help="gap statements file (default: the bundled corpus when --innovations is not given)")
    _add_map_options(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("demo", help="validate and index the bundled corpus, then match one hub regency's gaps")
    p.add_argument("--region", help="kabupaten/kota code or name (default: the first hub regency with gaps)")
    add_k(p, 3)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="run the HTTP service and the mentor web page")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (each loads the engine)")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("users", help="API accounts for the service (writes need a key)")
    users = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    u = users.add_parser("add", help="create an account and print its key once")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=("mentor", "admin"))
    u = users.add_parser("remove", help="delete an account; its key stops working")
    u.add_argument("name")
    users.add_parser("list", help="name, role, key id and creation time of each account")
    p.set_defaults(func=cmd_users)
    p = sub.add_parser("check", help="verify that the index matches the stored records")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("export", help="write the whole store (records, shortlist, replication steps, accounts "
                                      "without keys) as files")
    p.add_argument("dir", help="a new or empty folder, or an earlier export to replace")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("import", help="build the store from an export folder (checked first, written at once)")
    p.add_argument("dir", help="a folder written by 'matcher export'")
    p.add_argument("--replace", action="store_true", help="swap the content of a non-empty store for the export")
    p.add_argument("--current-settings", action="store_true",
                   help="rebuild under the current model/stemmer settings, not the export's (embeds every text)")
    p.set_defaults(func=cmd_import)

    from matcher.cli.batch import add_batch_commands
    from matcher.cli.progress import add_progress_commands

    add_batch_commands(sub)
    add_progress_commands(sub)
    for action in sub._choices_actions:  # every subcommand: its help as description, worked examples below
        command = sub.choices[action.dest]
        command.description = command.description or action.help
        command.epilog = EXAMPLES.get(action.dest)
        command.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("matcher: error: --k must be at least 1", file=sys.stderr)
        return USER_ERROR
    try:
        return int(args.func(args) or 0)
    except ValidationError as exc:
        print(f"matcher: error: {exc}", file=sys.stderr)
        return USER_ERROR
    except MatcherError as exc:
        print(f"matcher: error: {exc}", file=sys.stderr)
        return USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
