"""Action-plan drafts: the DOCX opens in python-docx and says what the meeting needs, in Bahasa Indonesia."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from helpers.cli import run as _cli

from matcher.batch.plan import PHASES, answered_gaps, draft_plan, write_plan
from matcher.batch.run import run_batch
from matcher.errors import ConfigError, NotFoundError

PHASE_NAMES = ["Persiapan", "Perencanaan dan adaptasi", "Replikasi", "Evaluasi"]


def docx_text(path: Path) -> tuple[str, list[list[list[str]]]]:
    doc = Document(str(path))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return "\n".join(p.text for p in doc.paragraphs), tables


@pytest.fixture
def shortlisted(batch_matcher):
    batch_matcher.decisions.add("75.03", "M3", "shortlisted", note="studi tiru 2025")
    return batch_matcher


def test_docx_opens_and_holds_gap_innovation_contact_and_phases(shortlisted, tmp_path):
    path = write_plan(draft_plan(shortlisted, "Kabupaten Bone Bolango", "M3"), tmp_path / "rencana.docx")
    text, tables = docx_text(path)
    inv = shortlisted.innovation("M3")
    gap = shortlisted.gaps("75.03")[0]
    assert inv.title in text and inv.description in text
    cells = "\n".join(c for t in tables for row in t for c in row)
    assert gap.id in cells and gap.text in cells and "akta" in cells  # the gap and the words that matched
    assert inv.institution in cells and "Kota Makassar" in cells  # whom to contact for the study visit
    assert "masuk daftar pendek" in cells
    assert [h for h in PHASE_NAMES if f" {h}" in text] == PHASE_NAMES
    phase_tables = [t for t in tables if t[0] == ["Kegiatan", "OPD penanggung jawab", "Anggaran (Rp)", "Jadwal"]]
    assert len(phase_tables) == 4
    assert [len(t) - 1 for t in phase_tables] == [len(p.activities) for p in PHASES]
    assert all(row[1:] == ["", "", ""] for t in phase_tables for row in t[1:])  # fields left to fill in


def test_plans_are_a4(shortlisted, tmp_path):
    """Indonesian offices print on A4, not US Letter: every DOCX section, and the HTML's @page."""
    from docx.shared import Cm

    doc = Document(str(write_plan(draft_plan(shortlisted, "75.03", "M3"), tmp_path / "a.docx")))
    sizes = [(s.page_width, s.page_height) for s in doc.sections]  # stored in twips: equal to a tenth of a mm
    assert sizes and all(abs(w - Cm(21.0)) < Cm(0.01) and abs(h - Cm(29.7)) < Cm(0.01) for w, h in sizes), sizes
    html = write_plan(draft_plan(shortlisted, "75.03", "M3"), tmp_path / "a.html").read_text(encoding="utf-8")
    assert "@page{size:A4" in html.replace(" ", "")


def test_docx_bytes_are_stable(shortlisted, tmp_path):
    draft = draft_plan(shortlisted, "75.03", "M3")
    assert write_plan(draft, tmp_path / "a.docx").read_bytes() == write_plan(draft, tmp_path / "b.docx").read_bytes()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_plan_by_suffix_escapes_everything(batch_matcher, tmp_path):
    batch_matcher.decisions.add("75.02", "EVIL-1", "shortlisted")
    path = write_plan(draft_plan(batch_matcher, "75.02", "EVIL-1"), tmp_path / "rencana.html")
    page = _Tags()
    page.feed(path.read_text(encoding="utf-8"))
    text = "".join(page.text)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert "<script>alert('x')</script>" in text and "@SUM(1+1) Dinas Perpustakaan <b>Selayar</b>" in text
    assert "BG3" in text and all(name in text for name in PHASE_NAMES)


def test_only_shortlisted_pairs_unless_forced(batch_matcher):
    with pytest.raises(NotFoundError, match="never shortlisted"):
        draft_plan(batch_matcher, "75.03", "M3")
    batch_matcher.decisions.add("75.03", "M3", "shortlisted")
    batch_matcher.decisions.add("75.03", "M3", "rejected")
    with pytest.raises(NotFoundError, match="'rejected'"):
        draft_plan(batch_matcher, "75.03", "M3")
    forced = draft_plan(batch_matcher, "75.03", "M3", require_shortlisted=False)
    assert forced.decision == "rejected" and forced.gaps[0].gap_id == "BG4"


def test_refusals(batch_matcher, tmp_path):
    with pytest.raises(NotFoundError):
        draft_plan(batch_matcher, "75.03", "NOPE", require_shortlisted=False)
    with pytest.raises(ConfigError, match="itself"):
        draft_plan(batch_matcher, "Kota Makassar", "M3", require_shortlisted=False)
    draft = draft_plan(batch_matcher, "75.03", "M3", require_shortlisted=False)
    with pytest.raises(ConfigError, match=".pdf"):
        write_plan(draft, tmp_path / "rencana.pdf")


def test_answered_gaps_keep_good_matches_or_the_best(batch_matcher):
    good = answered_gaps(batch_matcher, "75.01", "M1")
    assert [g.gap_id for g in good] == ["BG1"] and "Bumil" in good[0].matched_terms
    weak = answered_gaps(batch_matcher, "75.01", "M8")  # a fish market answers neither gap well
    assert len(weak) == 1
    assert answered_gaps(batch_matcher, "81.03", "M1") == []  # no gaps recorded there


def test_batch_writes_one_plan_per_shortlisted_pair(batch_matcher, tmp_path):
    batch_matcher.decisions.add("75.03", "M3", "shortlisted")
    batch_matcher.decisions.add("75.01", "M1", "shortlisted")
    batch_matcher.decisions.add("75.01", "M7", "rejected")
    summary = run_batch(batch_matcher, ["75.01", "75.03"], 3, tmp_path / "out", plans=True)
    assert summary.plans == ["plans/75.01_M1.docx", "plans/75.03_M3.docx"]
    text, _ = docx_text(tmp_path / "out" / "plans" / "75.01_M1.docx")
    assert "Perahu Siaga Bunda" in text
    batch_matcher.decisions.add("75.01", "M1", "rejected")
    again = run_batch(batch_matcher, ["75.01", "75.03"], 3, tmp_path / "out", plans=True)
    assert again.plans == ["plans/75.03_M3.docx"] and not (tmp_path / "out/plans/75.01_M1.docx").exists()


def test_cli_plan(shortlisted, tmp_path):
    home = shortlisted.settings.home
    out = tmp_path / "rencana.docx"
    done = _cli(["plan", "--region", "75.03", "--innovation", "M3", "--out", str(out)], home)
    assert done.returncode == 0, done.stderr
    assert "gaps answered: BG4" in done.stdout and Document(str(out)).tables
    refused = _cli(["plan", "--region", "75.01", "--innovation", "M1", "--out", str(tmp_path / "x.docx")], home)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "--force" in refused.stderr and not (tmp_path / "x.docx").exists()
    forced = _cli(["plan", "--region", "75.01", "--innovation", "M1", "--out", str(tmp_path / "x.html"),
                   "--force"], home)
    assert forced.returncode == 0 and (tmp_path / "x.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    suffix = _cli(["plan", "--region", "75.03", "--innovation", "M3", "--out", str(tmp_path / "x.txt")], home)
    assert suffix.returncode == 2 and ".docx or .html" in suffix.stderr
