"""Labels and number formats as people in an Indonesian selection meeting read them.

One table for the library's files (CSV, XLSX, HTML report, action plan), worded as the mentor page shows them
(``service/web/lib.js``), so a sector or award reads the same on the page and in the meeting pack. Numbers are
written the Indonesian way, decimal comma and dot thousands: ``1.499`` would read as nearly fifteen hundred.
"""

from __future__ import annotations

import datetime as dt
import math

SECTOR_LABELS: dict[str, str] = {
    "kesehatan": "Kesehatan", "pendidikan": "Pendidikan", "administrasi_kependudukan": "Administrasi kependudukan",
    "perizinan_investasi": "Perizinan & investasi", "sosial_kemiskinan": "Sosial & kemiskinan",
    "pertanian_pangan": "Pertanian & pangan", "kelautan_perikanan": "Kelautan & perikanan",
    "lingkungan_persampahan": "Lingkungan & persampahan", "kebencanaan": "Kebencanaan",
    "ekonomi_umkm": "Ekonomi & UMKM", "pariwisata_budaya": "Pariwisata & budaya",
    "infrastruktur_transportasi": "Infrastruktur & transportasi", "ketenagakerjaan": "Ketenagakerjaan",
    "tata_kelola_pengaduan": "Tata kelola & pengaduan", "keuangan_daerah_pajak": "Keuangan daerah & pajak",
    "perlindungan_perempuan_anak": "Perlindungan perempuan & anak", "air_bersih_sanitasi": "Air bersih & sanitasi",
    "digitalisasi_pemerintahan": "Digitalisasi pemerintahan",
}
STAGE_LABELS: dict[str, str] = {"penerapan": "Penerapan", "uji_coba": "Uji coba"}
AWARD_LABELS: dict[str, str] = {"top_45": "Top 45 KIPP", "top_99": "Top 99 KIPP", "iga": "IGA",
                                "none": "Tanpa penghargaan"}
# The meeting pack's status column: what the mentors decided about a recommended innovation.
DECISION_LABELS: dict[str, str] = {"shortlisted": "dipilih", "rejected": "ditolak", "replicated": "sudah direplikasi"}
# Replication progress after the shortlist (matcher.store.replications), as the page and the files name it.
REPLICATION_STAGE_LABELS: dict[str, str] = {
    "dipilih": "Dipilih", "studi_tiru": "Studi tiru", "rencana_aksi": "Rencana aksi", "diterapkan": "Diterapkan",
    "berlanjut": "Berlanjut", "berhenti": "Berhenti"}
PART_LABELS: dict[str, str] = {"relevance": "relevansi", "maturity": "kematangan", "recognition": "penghargaan",
                               "proximity": "kedekatan", "similarity": "kemiripan daerah",
                               "peers": "daerah serupa"}
CHANGE_LABELS: dict[str, str] = {"new": "baru", "dropped": "keluar", "moved": "bergeser"}
# How strong a gap's best candidate is (``matcher.recommendations.confidence``), as the page's badges say it.
BAND_LABELS: dict[str, str] = {"strong": "kuat", "medium": "sedang", "weak": "lemah"}
NO_SECTOR = "Tanpa sektor"
_SWAP = str.maketrans(",.", ".,")  # 1,499.5 -> 1.499,5


def sector_label(code: str | None) -> str:
    """'air_bersih_sanitasi' -> 'Air bersih & sanitasi'; an unknown code is shown as written."""
    return SECTOR_LABELS.get(code or "", code or NO_SECTOR)


def stage_label(code: str | None) -> str:
    return STAGE_LABELS.get(code or "", code or "-")


def award_label(code: str | None) -> str:
    """Missing means not recorded ('-'), which is not the same as 'none' (known to have no award)."""
    return AWARD_LABELS.get(code or "", code or "-")


def band_label(band: str | None) -> str:
    """'weak' -> 'lemah'; no candidate at all -> 'tidak ada'."""
    return BAND_LABELS.get(band or "", band or "tidak ada")


def decision_label(code: str | None) -> str:
    return DECISION_LABELS.get(code or "", code or "")


def number(value: float | int | None, digits: int = 1) -> str:
    """Indonesian number format: ``number(1499.5, 1)`` is '1.499,5', ``number(0.007, 1)`` is '0,0'; '-' for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{digits}f}"
    if text.lstrip("-").strip("0.,") == "":  # -0,0 reads oddly
        text = text.lstrip("-")
    return text.translate(_SWAP)


def percent(share: float, digits: int = 1) -> str:
    """A share as an Indonesian percentage: 0.0071 -> '0,7%'."""
    return number(100 * share, digits) + "%"


def when(seconds: float | None) -> str:
    """A decision time (Unix seconds) as 'YYYY-MM-DD HH:MM UTC': the same text on every machine."""
    if seconds is None:
        return ""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def shortened(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters at a word boundary, with an ellipsis; (text, whether it was cut).

    For gap texts in lists: the page's recommendation lists, the opportunity table, opportunities.csv."""
    if len(text) <= limit:
        return text, False
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut) + "…", True


def label(sector: str | None) -> str:
    """A sector code as people read it, for charts: 'air_bersih_sanitasi' -> 'Air bersih & sanitasi'."""
    return sector_label(sector)
