"""Option types, help texts and examples shared by the ``matcher`` subcommands.

Kept out of ``matcher/cli.py`` so every subcommand (``batch``, ``plan`` too) parses ``--k`` and yes/no values
the same way, with the same limits as the API, and shows worked examples under ``--help``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from matcher.errors import StoreError

MAX_K = 100  # the API's limit (service/schemas.py MAX_K): a longer list is no use to a meeting
K_HELP = "how many innovations to list (1..{max}; default {default})"
_YES = ("yes", "ya", "y", "true", "1")
_NO = ("no", "tidak", "t", "n", "false", "0")

EXAMPLES: dict[str, str] = {
    "index": """examples:
  matcher index                                   # the bundled demo corpus
  matcher index --innovations katalog.xlsx --gaps kesenjangan.csv
  matcher index --innovations sinovik.xlsx --map 'Nama Unit=institution'
  matcher index --rebuild                         # after changing MATCHER_MODEL or MATCHER_STEMMER""",
    "match": """examples:
  matcher match "bumil di pulau kecil sulit dirujuk" --region "Kab. Maluku Tengah" --k 5
  matcher match "antrean KTP-el panjang" --sector administrasi_kependudukan --digital ya --json
  matcher match "sampah pasar menumpuk" --province "Jawa Timur" --stage penerapan""",
    "eval": """examples:
  matcher eval --innovations corpus/innovations.jsonl --gaps corpus/gaps.jsonl \\
      --qrels corpus/eval/qrels.tsv --split test --json
  matcher eval ... --split test --ranker fusion       # the baseline the learned ranker is compared with
  matcher eval ... --split test --level regency       # a regency's gaps together""",
    "learn": """examples:
  matcher learn                                   # the bundled dev judgments and the stored decisions
  matcher learn --gaps kesenjangan.jsonl --qrels penilaian.tsv --no-decisions""",
    "validate": """examples:
  matcher validate                                # the bundled corpus
  matcher validate --innovations ekspor-sinovik.xlsx
  matcher validate --innovations katalog.csv --map 'Nama Kegiatan=title' --map 'Dinas=institution'
  matcher validate --gaps kesenjangan.xlsx --map-file kolom.txt""",
    "demo": """examples:
  matcher demo
  matcher demo --region "Kota Surabaya" --k 5""",
    "serve": """examples:
  matcher serve                                   # http://127.0.0.1:8000/
  matcher serve --host 0.0.0.0 --port 8080""",
    "users": """examples:
  matcher users add siti --role mentor            # prints the key once
  matcher users list
  matcher users remove siti""",
    "check": """examples:
  matcher check && echo "records and index agree\"""",
    "export": """examples:
  matcher export cadangan-2026-01""",
    "import": """examples:
  MATCHER_HOME=/srv/matcher matcher import cadangan-2026-01
  matcher import cadangan-2026-01 --replace --current-settings""",
    "batch": """examples:
  matcher batch --province "Jawa Timur" --out rapat-jatim
  matcher batch --province 35 --province 73 --k 5 --max-visits-per-innovation 2 --out rapat
  matcher batch --regions daftar.txt --exclude-rejected --plans --out rapat
  matcher batch --all --csv-dialect intl --out semua   # ',' and '.' instead of ';' and decimal comma

files: recommendations.xlsx (primary; one sheet per province, and 'Keputusan'), recommendations.csv,
alternates.csv, decisions.csv, report-PP-name.html (one per province), summary.json, and with --previous
changes.csv, with --plans plans/*.docx. CSV cells are separated by ';' with a decimal comma by default, as
Excel reads them in an Indonesian locale.""",
    "progress": """examples:
  matcher progress export progres.xlsx            # every recorded step, oldest first
  matcher progress import progres-jatim.xlsx      # checked first; re-importing the same file adds nothing

columns: Kode kabupaten/kota, ID inovasi, Tahap replikasi (dipilih, studi_tiru, rencana_aksi, diterapkan,
berlanjut, berhenti), Tanggal tahap (YYYY-MM-DD or DD/MM/YYYY; required for studi_tiru and diterapkan),
Dokumen rencana aksi (required for rencana_aksi), Alasan berhenti (required for berhenti), Catatan (required
when a step goes back), Oleh.""",
    "plan": """examples:
  matcher plan --region 81.03 --innovation INO-1001 --out rencana-aksi.docx
  matcher plan --region "Kab. Malang" --innovation INO-1002 --out rencana.html --force""",
}


def k_value(text: str) -> int:
    """--k: a whole number 1..MAX_K, as the API takes it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if not 1 <= value <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be 1..{MAX_K} (the API's limit), not {value}")
    return value


def add_k(parser: argparse.ArgumentParser, default: int) -> None:
    parser.add_argument("--k", type=k_value, default=default, metavar="N",
                        help=K_HELP.format(max=MAX_K, default=default))


def yes_no(text: str) -> str:
    """--digital: 'yes'/'no', also written ya/tidak, true/false, 1/0 (as data files accept)."""
    word = text.strip().casefold()
    if word in _YES:
        return "yes"
    if word in _NO:
        return "no"
    raise argparse.ArgumentTypeError(f"must be ya/tidak (or yes/no, true/false, 1/0), not {text!r}")


def require_store(home: Path) -> None:
    """Refuse to read a store that is not there, before anything could create an empty one."""
    from matcher.store.database import Store

    if not (Path(home) / Store.DB_NAME).is_file():
        where = "MATCHER_HOME" if os.environ.get("MATCHER_HOME") else f"MATCHER_HOME is not set: {Path(home).resolve()}"
        raise StoreError(f"no matcher store in {home} ({where}): build one with 'matcher index' (the "
                         "bundled demo corpus, or --innovations FILE), restore one with 'matcher import DIR', or set "
                         "MATCHER_HOME to the folder of an existing store")
