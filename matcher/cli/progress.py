"""The ``progress`` subcommand: replication progress to and from a spreadsheet (``matcher.batch.progress``).

``matcher progress export FILE.csv|FILE.xlsx`` writes every recorded step; ``matcher progress import FILE``
checks every row, then writes the new steps in one transaction (rows already recorded are skipped). A bad file
prints every problem, one per line with file, row and column, and exits with status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from matcher.cli.batch import _matcher
from matcher.errors import ValidationError

USER_ERROR = 2


def cmd_progress(args: argparse.Namespace) -> int:
    from matcher.batch.progress import export_progress, import_progress

    m = _matcher()
    path = Path(args.file)
    if args.action == "export":
        rows = export_progress(m, path, dialect=args.csv_dialect)
        print(f"exported {rows} replication steps to {path}")
        return 0
    try:
        done = import_progress(m, path)
    except ValidationError as exc:  # every problem, as `matcher validate` shows them
        print(exc.report(), file=sys.stderr)
        print(f"matcher: error: {len(exc.problems)} problem(s) in {path}; nothing was imported", file=sys.stderr)
        return USER_ERROR
    print(f"imported {done.written} replication steps from {path} ({done.skipped} already recorded)")
    return 0


def add_progress_commands(subparsers: Any) -> None:
    """Register ``progress export|import`` on the main CLI's subparsers."""
    p = subparsers.add_parser("progress", help="replication progress (studi tiru, rencana aksi, ...) as CSV/XLSX")
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    e = actions.add_parser("export", help="write every recorded step to FILE.csv or FILE.xlsx")
    e.add_argument("file", help="FILE.csv or FILE.xlsx")
    e.add_argument("--csv-dialect", choices=("id", "intl"), default="id",
                   help="id (default): ';' between cells, as Excel reads CSV in an Indonesian locale; intl: ','")
    i = actions.add_parser("import", help="check every row of FILE, then record its new steps in one transaction")
    i.add_argument("file", help="FILE.csv or FILE.xlsx, as 'progress export' writes it or kept by hand")
    p.set_defaults(func=cmd_progress)
