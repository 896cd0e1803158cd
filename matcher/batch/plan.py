"""Draft action plan (rencana aksi) for replicating one shortlisted innovation in one regency.

After the study visit the adopting unit writes an action plan as its commitment, and budgets follow it the next
year. The draft gives it a start: the gap the innovation answers (with the words that matched), the
innovation's summary, the originating institution to contact for the study visit, and the four replication
phases (persiapan, perencanaan dan adaptasi, replikasi, evaluasi) with suggested activities and empty fields
for the responsible OPD, budget and timeline. Written in Bahasa Indonesia, as DOCX (to edit in Word) or
HTML, by the file suffix.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.batch.files import atomic_write_bytes, atomic_write_text, office_text, stable_ooxml
from matcher.batch.reports import AWARD_LABELS, STAGE_LABELS, render
from matcher.batch.templates import PLAN
from matcher.data.labels import label
from matcher.data.loaders import Innovation
from matcher.data.regions import Region
from matcher.engine.catalog import Filters
from matcher.errors import ConfigError, NotFoundError
from matcher.recommendations.regency import GapEvidence, is_good

if TYPE_CHECKING:
    from matcher.facade import Matcher

BLANK = "…………………………"
SIGNATURES = ("Kepala OPD pelaksana", "Kepala Bappeda", "Pendamping perguruan tinggi")
CONTACT_KEYS = ("kontak", "contact", "narahubung", "email", "surel", "telepon", "phone", "website", "url")


@dataclass(frozen=True)
class Phase:
    """One replication phase: its name, what it is for, and suggested activities (each a row to fill in)."""

    name: str
    purpose: str
    activities: tuple[str, ...]


PHASES: tuple[Phase, ...] = (
    Phase("Persiapan", "Menegaskan masalah yang hendak dijawab, memeriksa kecocokan inovasi dengan kondisi daerah, "
          "dan menghitung sumber daya yang dibutuhkan.", (
              "Menetapkan masalah dan sasaran replikasi berdasarkan kesenjangan di atas",
              "Menilai kecocokan: kewenangan (urusan), SDM, sarana, jaringan, anggaran dan regulasi",
              "Menghubungi instansi asal dan menyepakati jadwal studi tiru",
              "Melaksanakan studi tiru dan mencatat pembelajarannya")),
    Phase("Perencanaan dan adaptasi", "Menyusun rencana aksi sebagai komitmen daerah, membentuk tim, meningkatkan "
          "kapasitas, dan menyesuaikan model inovasi dengan kondisi setempat.", (
              "Membentuk tim replikasi dengan SK kepala daerah atau kepala OPD",
              "Menyesuaikan desain inovasi dengan kondisi lokal (wilayah, SDM, teknologi, budaya)",
              "Menyiapkan dasar hukum dan SOP (Perbup/Perwali, SK, SOP layanan)",
              "Pelatihan dan pendampingan petugas pelaksana",
              "Mengusulkan anggaran dalam APBD tahun berikutnya")),
    Phase("Replikasi", "Melaksanakan inovasi dan memantau pelaksanaannya.", (
        "Uji coba terbatas di lokasi percontohan",
        "Sosialisasi kepada masyarakat dan pemangku kepentingan",
        "Penerapan penuh",
        "Pemantauan berkala dan pencatatan data layanan")),
    Phase("Evaluasi", "Mengukur manfaat dan dampak replikasi, lalu memutuskan keberlanjutannya.", (
        "Mengukur indikator layanan sebelum dan sesudah replikasi",
        "Survei kepuasan masyarakat",
        "Menyusun laporan evaluasi dan rekomendasi keberlanjutan",
        "Melaporkan inovasi dalam Indeks Inovasi Daerah (IID)")),
)


@dataclass(frozen=True)
class PlanDraft:
    """Everything the draft shows; ``gaps`` are the regency's gaps this innovation answers, best first."""

    region: Region
    innovation: Innovation
    origin_name: str
    distance_km: float | None
    gaps: list[GapEvidence]
    decision: str | None  # latest shortlist decision for the pair, None when there is none


def answered_gaps(matcher: Matcher, region_code: str, innovation_id: str, most: int = 3) -> list[GapEvidence]:
    """The region's gaps scored against this one innovation: those with a good match, else the best one.

    Every other innovation is filtered out, so each gap is ranked against this innovation alone with the
    rules of ``match`` (same fused score, same matched words and best sentence).
    """
    gaps = matcher.gaps(region_code)
    if not gaps:
        return []
    others = tuple(i.id for i in matcher.catalog.innovations if i.id != innovation_id)
    found = matcher.match_gaps(gaps, k=1, filters=Filters(exclude_ids=others))
    evidence = sorted(
        (GapEvidence(g.id, g.text, g.priority, m[0].score, m[0].dense, m[0].lexical, m[0].matched_terms,
                     m[0].best_sentence, m[0].confidence, m[0].band, m[0].matched_pairs, m[0].caution)
         for g, m in zip(gaps, found, strict=True) if m),
        key=lambda e: (-e.score, e.gap_id),
    )
    good = [e for e in evidence if is_good(e, matcher.settings.good_match)]
    return (good or evidence[:1])[:most]


def draft_plan(matcher: Matcher, region: str, innovation_id: str, require_shortlisted: bool = True) -> PlanDraft:
    """Gather the draft for a pair; by default the innovation must be on the regency's shortlist."""
    target = matcher.regions.resolve(region)
    inv = matcher.innovation(innovation_id)
    if inv.region_code == target.code:
        raise ConfigError(f"innovation '{inv.id}' comes from {target.name} itself: there is nothing to replicate")
    latest = {d.innovation_id: d.decision for d in matcher.decisions.current(target.code)}
    decision = latest.get(inv.id)
    if require_shortlisted and decision != "shortlisted":
        state = f"its latest decision is '{decision}'" if decision else "it was never shortlisted"
        raise NotFoundError(f"innovation '{inv.id}' is not on the shortlist of {target.name} ({target.code}): "
                            f"{state}; shortlist it first, or ask for the draft anyway (--force)")
    distance = matcher.regions.distance_km(target.code, inv.region_code) if inv.region_code else None
    return PlanDraft(target, inv, matcher.regions.origin_name(inv.region_code),
                     None if distance is None else round(distance, 1), answered_gaps(matcher, target.code, inv.id),
                     decision)


def _contact_values(inv: Innovation) -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in sorted(inv.metadata.items()) if any(c in k.lower() for c in CONTACT_KEYS)]


def sections(d: PlanDraft) -> dict[str, Any]:
    """The draft's content, shared by the DOCX and HTML writers so both say the same thing."""
    inv = d.innovation
    status = {"shortlisted": "masuk daftar pendek", "rejected": "ditolak", "replicated": "sudah direplikasi"}
    running = inv.metadata.get("status")
    identity = [
        ("Daerah pereplikasi", f"{d.region.name} ({d.region.code}), Provinsi {d.region.province_name}"),
        ("Inovasi", f"{inv.title} ({inv.id})"),
        ("Urusan / sektor", label(inv.sector)),
        ("Tahap", STAGE_LABELS.get(inv.stage or "", inv.stage or "-") + (f", {running}" if running else "")),
        ("Penghargaan", AWARD_LABELS.get(inv.award or "", "-")),
        ("Tahun mulai", str(inv.year or "-")),
        ("Inovasi digital", {True: "ya", False: "tidak", None: "-"}[inv.digital]),
        ("Status usulan", status.get(d.decision or "", "belum diputuskan")),
        ("Tim pendamping perguruan tinggi", BLANK),
    ]
    distance = f", ± {d.distance_km:.0f} km dari {d.region.name}" if d.distance_km is not None else ""
    contact = [("Instansi asal", inv.institution or BLANK), ("Daerah asal", f"{d.origin_name}{distance}"),
               *_contact_values(inv),
               ("Narahubung", BLANK), ("Telepon / surel", BLANK), ("Rencana jadwal studi tiru", BLANK),
               ("Yang dipelajari", "desain layanan, SOP, regulasi pendukung, pembiayaan, teknologi, pengelolaan SDM")]
    return {
        "title": f"Rancangan Rencana Aksi Replikasi: {inv.title}",
        "status": "Rancangan awal yang disusun otomatis oleh matcher dari katalog inovasi dan catatan "
                  "kesenjangan; lengkapi dan sesuaikan bersama OPD pelaksana.",
        "identity": identity, "contact": contact, "phases": PHASES, "signatures": SIGNATURES,
    }


def _table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = office_text(text)


def _a4(doc: Any) -> None:
    """Every section on A4 with 2 cm margins: python-docx's default template is US Letter, which Indonesian
    offices do not print on."""
    from docx.shared import Cm

    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.0)


def _docx(d: PlanDraft) -> bytes:
    from docx import Document

    s = sections(d)
    title = office_text(s["title"])  # corpus text: drop what XML cannot hold (python-docx refuses it)
    doc = Document()
    _a4(doc)
    doc.core_properties.title = title
    doc.core_properties.author = "matcher"
    doc.add_heading(title, level=0)
    doc.add_paragraph().add_run(s["status"]).italic = True
    _table(doc, ["Uraian", "Isi"], [list(r) for r in s["identity"]])
    doc.add_heading("1. Kesenjangan yang dijawab", level=1)
    if d.gaps:
        _table(doc, ["Kode", "Prioritas", "Uraian", "Kata yang cocok"],
               [[g.gap_id, str(g.priority), g.gap_text, ", ".join(g.matched_terms)] for g in d.gaps])
    else:
        doc.add_paragraph("Belum ada kesenjangan tercatat untuk daerah ini; uraikan masalah yang hendak dijawab.")
    doc.add_heading("2. Ringkasan inovasi", level=1)
    doc.add_paragraph(office_text(d.innovation.description))
    if d.gaps:
        quote = f"Bagian yang paling menjawab kesenjangan: “{d.gaps[0].best_sentence}”"
        doc.add_paragraph().add_run(office_text(quote)).italic = True
    doc.add_heading("3. Instansi asal untuk studi tiru", level=1)
    _table(doc, ["Uraian", "Isi"], [list(r) for r in s["contact"]])
    doc.add_heading("4. Tahapan replikasi", level=1)
    for n, phase in enumerate(PHASES, start=1):
        doc.add_heading(f"4.{n} {phase.name}", level=2)
        doc.add_paragraph(phase.purpose)
        _table(doc, ["Kegiatan", "OPD penanggung jawab", "Anggaran (Rp)", "Jadwal"],
               [[a, "", "", ""] for a in phase.activities])
    doc.add_heading("5. Pengesahan", level=1)
    _table(doc, ["Pihak", "Nama, tanda tangan, tanggal"], [[w, ""] for w in SIGNATURES])
    buf = io.BytesIO()
    doc.save(buf)
    return stable_ooxml(buf.getvalue())


def write_plan(draft: PlanDraft, path: Path) -> Path:
    """Write the draft as DOCX or HTML, chosen by the suffix of ``path``; written atomically."""
    suffix = Path(path).suffix.lower()
    if suffix == ".docx":
        return atomic_write_bytes(Path(path), _docx(draft))
    if suffix in (".html", ".htm"):
        return atomic_write_text(Path(path), render(PLAN, d=draft, **sections(draft)))
    raise ConfigError(f"cannot write a plan as {suffix or 'a file without suffix'!r}: use .docx or .html")
