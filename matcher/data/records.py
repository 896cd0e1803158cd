"""The records matcher works on (innovations, gaps, relevance judgments) and their fixed vocabularies.

Records are plain frozen dataclasses that have already passed validation (``matcher.data.loaders``);
``to_dict``/``from_dict`` are the storage round trip and trust their input.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

# Government affairs (urusan) as the catalogues group them; fixed so filters and reports agree across corpora.
SECTORS: tuple[str, ...] = (
    "kesehatan",
    "pendidikan",
    "administrasi_kependudukan",
    "perizinan_investasi",
    "sosial_kemiskinan",
    "pertanian_pangan",
    "kelautan_perikanan",
    "lingkungan_persampahan",
    "kebencanaan",
    "ekonomi_umkm",
    "pariwisata_budaya",
    "infrastruktur_transportasi",
    "ketenagakerjaan",
    "tata_kelola_pengaduan",
    "keuangan_daerah_pajak",
    "perlindungan_perempuan_anak",
    "air_bersih_sanitasi",
    "digitalisasi_pemerintahan",
)
# IID stages worth replicating: an idea not yet tried (inisiatif) has nothing to copy.
STAGES: tuple[str, ...] = ("uji_coba", "penerapan")
# Proof tiers: KIPP Top 45 > Top 99 > Innovative Government Award (IGA) > known to have none.
AWARDS: tuple[str, ...] = ("top_45", "top_99", "iga", "none")
SPLITS: tuple[str, ...] = ("dev", "test")

STATUSES: tuple[str, ...] = ("aktif", "berhenti")
# How sources write the status: the programme runs ("berjalan") or it stopped ("dihentikan", "tidak aktif").
STATUS_WORDS = {"aktif": "aktif", "berjalan": "aktif", "jalan": "aktif", "masih berjalan": "aktif",
                "berhenti": "berhenti", "dihentikan": "berhenti", "tidak aktif": "berhenti",
                "nonaktif": "berhenti", "tidak berjalan": "berhenti", "tidak lagi berjalan": "berhenti"}
YEAR_RANGE = (1990, 2100)
PRIORITY_RANGE = (1, 3)
RELEVANCE_RANGE = (0, 3)
DEFAULT_PRIORITY = 2
MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class Innovation:
    """A proven public-service innovation; ``region_code`` is "PP.RR", a province "PP", or None if unknown.

    ``award`` None means not recorded, "none" means known to have no award. ``metadata`` keeps every
    column of the source that is not a field here (status, contact, links ...).
    """

    id: str
    title: str
    description: str
    region_code: str | None = None
    institution: str | None = None
    sector: str | None = None
    year: int | None = None
    stage: str | None = None
    digital: bool | None = None
    award: str | None = None
    status: str = "aktif"  # "berhenti": stopped; never recommended unless a filter asks for stopped ones
    status_reason: str | None = None  # why it stopped, as the source says
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def stopped(self) -> bool:
        return self.status == "berhenti"

    @property
    def text(self) -> str:
        """What gets embedded and indexed: the title carries the name people search for, the description the substance."""
        return f"{self.title}. {self.description}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready copy of every field (metadata included)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Innovation:
        """Inverse of ``to_dict``; unknown keys are ignored so older stores still load."""
        return cls(**{k: data[k] for k in _FIELDS[cls] if k in data})


@dataclass(frozen=True)
class Gap:
    """A gap or need a mentor found in one kabupaten/kota; ``priority`` 1 is high, 3 low."""

    id: str
    region_code: str
    text: str
    sector: str | None = None
    priority: int = DEFAULT_PRIORITY
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready copy of every field (metadata included)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Gap:
        """Inverse of ``to_dict``; unknown keys are ignored."""
        return cls(**{k: data[k] for k in _FIELDS[cls] if k in data})


@dataclass(frozen=True)
class Judgment:
    """How well an innovation answers a gap: 0 not relevant, 1 related, 2 useful, 3 a direct answer."""

    gap_id: str
    innovation_id: str
    relevance: int


_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(cls.__dataclass_fields__) for cls in (Innovation, Gap, Judgment)
}


def text_hash(text: str) -> str:
    """Stable key of a text for the embedding cache and change detection."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
