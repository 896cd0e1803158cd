"""Values of real catalogue exports read onto matcher's vocabularies: urusan names to sectors, award and priority
words to their codes.

SINOVIK, IID and provincial spreadsheets name the government affair (urusan) as written in UU 23/2014 and
Permendagri 90/2019 ("Administrasi Kependudukan dan Pencatatan Sipil", "Pekerjaan Umum dan Penataan Ruang"), not
as one of our 18 sector codes. The table is data (``urusan.tsv``, beside this module), validated on load; the
sector codes and their page labels are always accepted too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from matcher.data.labels import AWARD_LABELS, SECTOR_LABELS
from matcher.data.records import AWARDS, PRIORITY_RANGE, SECTORS
from matcher.data.values import BadValue, choice, integer, text

URUSAN_FILE = Path(__file__).with_name("urusan.tsv")
_LEADING = ("urusan", "pemerintahan", "bidang", "wajib", "pilihan", "non", "bukan", "pelayanan dasar")
PRIORITY_WORDS = {"tinggi": 1, "sangat tinggi": 1, "utama": 1, "high": 1, "sedang": 2, "menengah": 2,
                  "medium": 2, "rendah": 3, "low": 3}
_NO_AWARD = ("tidak ada", "tanpa penghargaan", "belum ada", "tidak", "none", "belum")


def words(value: str) -> str:
    """Lower case ASCII words: 'Urusan Pemerintahan Bidang Kesehatan,' -> 'urusan pemerintahan bidang kesehatan'."""
    folded = unicodedata.normalize("NFKD", value.casefold()).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def _key(value: str) -> str:
    key = words(value)
    changed = True
    while changed:  # 'Urusan Wajib Pelayanan Dasar Bidang Kesehatan' -> 'kesehatan'
        changed = False
        for lead in _LEADING:
            if key.startswith(lead + " "):
                key, changed = key[len(lead) + 1:], True
    return key


@lru_cache(maxsize=1)
def urusan_table() -> dict[str, str]:
    """Normalised urusan name -> sector code: the data file, then every sector code and page label."""
    table: dict[str, str] = {}
    for number, line in enumerate(URUSAN_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, sector = line.partition("\t")
        key = _key(name)
        if not sep or sector.strip() not in SECTORS or not key:
            raise ValueError(f"{URUSAN_FILE}, line {number}: expected 'urusan<TAB>sector' with one of the 18 sectors")
        if key in table and table[key] != sector.strip():
            raise ValueError(f"{URUSAN_FILE}, line {number}: {name!r} is already mapped to {table[key]!r}")
        table[key] = sector.strip()
    for code in SECTORS:
        table.setdefault(_key(code), code)
        table.setdefault(_key(SECTOR_LABELS[code]), code)
    return table


def sector_value(value: Any) -> str:
    """A sector code, a page label ('Air bersih & sanitasi') or an urusan name ('Penanaman Modal') -> sector."""
    try:
        return choice(value, SECTORS)
    except BadValue as exc:
        found = urusan_table().get(_key(text(value)))
        if found is None:
            raise BadValue(f"{exc} (nor a known urusan: add it to {URUSAN_FILE.name} or fix the cell)") from None
        return found


def award_value(value: Any) -> str:
    """An award code, or how exports write it: 'Top 45 KIPP 2019', 'TOP 99', 'IGA 2021', 'Tidak ada'."""
    try:
        return choice(value, AWARDS)
    except BadValue as exc:
        key = words(text(value))
        labels = {words(label): code for code, label in AWARD_LABELS.items()}
        if key in labels:
            return labels[key]
        key = re.sub(r"\b(kipp|sinovik|tahun|19\d\d|20\d\d)\b", " ", key)
        key = " ".join(key.split())
        if re.fullmatch(r"top ?45", key):
            return "top_45"
        if re.fullmatch(r"top ?99", key):
            return "top_99"
        if key in ("iga", "innovative government award"):
            return "iga"
        if key in _NO_AWARD:
            return "none"
        raise exc from None


def priority_value(value: Any) -> int:
    """A priority 1..3, also written 'tinggi' / 'sedang' / 'rendah'."""
    if isinstance(value, str) and words(value) in PRIORITY_WORDS:
        return PRIORITY_WORDS[words(value)]
    try:
        return integer(value, *PRIORITY_RANGE)
    except BadValue as exc:
        raise BadValue(f"{exc} (or tinggi/sedang/rendah)") from None
