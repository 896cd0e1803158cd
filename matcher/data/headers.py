"""Which column of a real export holds which field: Indonesian headers, a person's own mapping, derived ids.

Catalogue exports (SINOVIK, IID, a province's own spreadsheet) are headed ``Nama Inovasi, Deskripsi, Instansi,
Kabupaten/Kota, Urusan, Tahun, Tahapan`` and carry no id column. ``column_map`` names the field of each column:
a mapping given with ``--map`` first, then the field's own name, then the common Indonesian headers below, each
compared without case or punctuation (``Kabupaten/Kota`` is ``kabupaten kota``). When two columns could mean one
field, the earlier alias wins and the other is kept as metadata under its own name; ``matcher validate`` prints
the mapping it used. Without an id column, ``derived_id`` gives an id that stays the same when the same
spreadsheet is exported again (from the title, or the gap text, and the region).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matcher.data.urusan import words
from matcher.errors import ConfigError

# field -> headers that mean it, most specific first (compared as ``words``).
INNOVATION_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id inovasi", "kode inovasi", "id", "kode", "nomor inovasi", "no inovasi"),
    "title": ("nama inovasi", "judul inovasi", "judul", "nama", "inovasi", "title"),
    "description": ("deskripsi inovasi", "deskripsi", "uraian inovasi", "uraian", "ringkasan inovasi", "ringkasan",
                    "rancang bangun", "keterangan"),
    "region_code": ("kode daerah", "kode wilayah", "kabupaten kota", "kab kota", "kabupaten", "kota",
                    "daerah asal", "daerah", "wilayah", "pemda", "pemerintah daerah", "asal"),
    "institution": ("instansi", "instansi pengusul", "nama instansi", "opd", "opd pengusul", "perangkat daerah",
                    "unit kerja", "satuan kerja", "satker", "inisiator", "dinas"),
    "sector": ("urusan pemerintahan", "urusan", "sektor", "bidang urusan", "bidang"),
    "year": ("tahun", "tahun inovasi", "tahun mulai", "tahun penerapan", "tahun diterapkan", "tahun uji coba"),
    "stage": ("tahapan", "tahapan inovasi", "tahap", "tahap inovasi"),
    "digital": ("digital", "inovasi digital", "berbasis digital"),
    "award": ("penghargaan", "prestasi", "capaian penghargaan", "penghargaan kipp"),
    "status": ("status", "status inovasi", "keberlanjutan", "status keberlanjutan"),
    "status_reason": ("alasan berhenti", "alasan status", "keterangan status"),
}
GAP_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id kesenjangan", "kode kesenjangan", "id", "kode"),
    "region_code": ("kode daerah", "kode wilayah", "kabupaten kota", "kab kota", "kabupaten", "kota", "daerah",
                    "wilayah", "pemda"),
    "text": ("kesenjangan", "uraian kesenjangan", "kesenjangan dan kebutuhan", "kesenjangan kebutuhan",
             "kebutuhan", "permasalahan", "masalah", "uraian", "deskripsi", "teks"),
    "sector": ("urusan pemerintahan", "urusan", "sektor", "bidang urusan", "bidang"),
    "priority": ("prioritas", "tingkat prioritas", "skala prioritas"),
}
METADATA_FIELDS: tuple[str, ...] = ()  # mapped like a field, stored in metadata under its name
_ID_CHARS = re.compile(r"[^a-z0-9]+")


def parse_map(entries: Iterable[str], source: str = "--map") -> dict[str, str]:
    """'Kolom Saya=title' entries (the last '=' splits) -> {column as written: field}; blank and '#' lines skipped."""
    known = set(INNOVATION_HEADERS) | set(GAP_HEADERS)
    out: dict[str, str] = {}
    for n, entry in enumerate(entries, start=1):
        line = entry.strip()
        if not line or line.startswith("#"):
            continue
        column, sep, target = line.replace("\t", "=").rpartition("=")
        where = f"{source} line {n}" if source != "--map" else "--map"
        if not sep or not column.strip() or not target.strip():
            raise ConfigError(f"{where}: {entry!r} is not 'Column=field'")
        target = target.strip().casefold()
        if target not in known:
            raise ConfigError(f"{where}: {target!r} is not a field; use one of {', '.join(sorted(known))}")
        out[column.strip()] = target
    return out


def read_map_file(path: Path) -> dict[str, str]:
    """A mapping file: one 'Column=field' (or 'Column<TAB>field') a line."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"mapping file {path} not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"mapping file {path} is not UTF-8 text") from None
    return parse_map(lines, source=str(path))


@dataclass
class ColumnNotes:
    """What a load did with the columns of a file, for ``matcher validate`` and warnings."""

    source: str = ""
    mapping: dict[str, str] = field(default_factory=dict)  # column as written -> field it was read as
    derived_ids: bool = False
    unused: list[str] = field(default_factory=list)  # --map columns not in this file
    kept: list[str] = field(default_factory=list)  # columns read as metadata, under their own names
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """'Nama Inovasi -> title, Kabupaten/Kota -> region_code, ...' (only columns not named as their field)."""
        renamed = [f"{c} -> {f}" for c, f in self.mapping.items() if words(c) != words(f)]
        text = ", ".join(renamed) or "every column is named as its field"
        return text + (f"; kept as metadata: {', '.join(self.kept)}" if self.kept else "")


def column_map(header: Sequence[str], kind: str, explicit: Mapping[str, str] | None = None) -> ColumnNotes:
    """The field of each column of ``header`` (columns not listed stay metadata under their own name)."""
    aliases = INNOVATION_HEADERS if kind == "innovations" else GAP_HEADERS
    notes = ColumnNotes()
    taken: set[str] = set()
    by_words = {words(h): h for h in reversed(header)}  # the first column wins when two read alike
    for column, target in (explicit or {}).items():
        found = by_words.get(words(column))
        if target not in aliases:
            continue  # a field of the other kind of file
        if found is None:
            notes.unused.append(column)
        elif target not in taken:
            notes.mapping[found] = target
            taken.add(target)
    for target in aliases:  # the field's own name ('Region Code' is region_code)
        found = by_words.get(words(target.replace("_", " ")))
        if target not in taken and found is not None and found not in notes.mapping:
            notes.mapping[found] = target
            taken.add(target)
    for target, names in aliases.items():
        if target in taken:
            continue
        for name in names:
            found = by_words.get(name)
            if found is not None and found not in notes.mapping:
                notes.mapping[found] = target
                taken.add(target)
                break
    notes.mapping = {h: notes.mapping[h] for h in header if h in notes.mapping}  # in file order
    fields = {words(f.replace("_", " ")) for f in aliases}
    notes.kept = [h for h in header if h not in notes.mapping and words(h) not in fields and h.strip()]
    return notes


def derived_id(kind: str, main: str, region: str | None) -> str:
    """A stable id from the title (or gap text) and the region: 'smart-kampung-18971cd8', '35.79-3ea43e1b'.

    Only letters, digits and '-', '.'; the same words in the same region give the same id in any export,
    whatever the case or spacing."""
    key = f"{' '.join(words(main).split())}\x1f{region or ''}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    if kind == "gaps":
        return f"{region or 'kesenjangan'}-{digest}"
    slug = _ID_CHARS.sub("-", words(main))[:40].strip("-")
    return f"{slug or 'inovasi'}-{digest}"
