"""The Jawa Timur meeting report as a person sees it: printed by Debian's headless Chromium on A4, and a
screenshot kept in artifacts/ at the repository root (git-ignored; CI keeps it as an artefact) to look at.

The bundled corpus has gaps for 11 of the 38 regencies of Jawa Timur. Before the report named regencies
without gaps once, it printed as 61 pages, one or more for every regency.
"""

from __future__ import annotations

import csv
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from matcher.batch.run import run_batch
from matcher.config import CORPUS_DIR, Settings
from matcher.data.loaders import load_gaps, load_innovations
from matcher.facade import Matcher

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
A4_POINTS = (595, 842)


@pytest.fixture(scope="module")
def jatim(tmp_path_factory, e5_encoder, regions) -> Path:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    home = tmp_path_factory.mktemp("jatim") / "home"
    matcher = Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)
    matcher.index(load_innovations(CORPUS_DIR / "innovations.jsonl", regions),
                  load_gaps(CORPUS_DIR / "gaps.jsonl", regions))
    codes = [r.code for r in regions.in_province("35")]
    first = run_batch(matcher, codes, 5, tmp_path_factory.mktemp("first"))
    with (first.out_dir / "recommendations.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    top: dict[str, str] = {}
    for row in rows:  # rank order within each regency: the first row is its rank 1
        top.setdefault(row["Kode kabupaten/kota"], row["ID inovasi"])
    listed = sorted(top)
    matcher.decisions.add(listed[0], top[listed[0]], "shortlisted", note="Studi tiru April", who="Dr. Siti")
    matcher.decisions.add(listed[1], top[listed[1]], "rejected", note="Bukan kewenangan kabupaten", who="Budi")
    summary = run_batch(matcher, codes, 5, tmp_path_factory.mktemp("out") / "rapat", max_visits=2)
    assert summary.regions_with_recommendations == 11 and len(summary.region_codes) == 38
    return summary.out_dir / "report-35-jawa-timur.html"


def _chromium(*args: str) -> None:
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--no-first-run", "--disable-background-networking", *args], check=True, timeout=180,
                   capture_output=True)


def test_report_prints_on_a4_without_a_page_per_empty_regency(jatim, tmp_path):
    pdf = tmp_path / "report.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", jatim.as_uri())
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    boxes = {tuple(round(float(v)) for v in m.split()[2:]) for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
    assert boxes == {A4_POINTS}
    assert 11 < pages < 38, pages  # a page or more per regency with gaps, none for the 27 without
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(pdf, ARTIFACTS / "report-jawa-timur.pdf")


def test_report_screenshot_is_kept(jatim):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-jawa-timur.png"
    shot.unlink(missing_ok=True)
    _chromium(f"--screenshot={shot}", "--window-size=1280,2400", jatim.as_uri())
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1280, 2400)
    text = jatim.read_text(encoding="utf-8")
    assert "dipilih" in text and "ditolak" in text and "berkurang" in text
