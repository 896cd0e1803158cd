"""Near-duplicate groups through a real server and a real Chromium: an admin adds a variant of M1 (the same idea
in another place), the index groups it incrementally, the API items carry the group and the card shows "Juga
diterapkan di ... daerah lain" with a link to the other member.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from helpers.browser import ARGS, CHROMIUM
from helpers.live_server import auth, running_service

pytestmark = pytest.mark.slow

VARIANT = {  # M1 again, written for another regency
    "title": "Speedboat Siaga Ibu Hamil",
    "description": "Ibu hamil di pulau-pulau kecil dirujuk ke puskesmas induk dengan perahu motor siaga yang dibiayai "
                   "Dana Desa. Kematian ibu turun dari 6 menjadi 1 kasus per tahun.",
    "region_code": "73.01", "institution": "Dinas Kesehatan Kabupaten Kepulauan Selayar", "sector": "kesehatan",
    "year": 2019, "stage": "uji_coba", "digital": False,
}


@pytest.fixture
def grouped(_mini_home, tmp_path, e5_encoder, regions):
    with running_service(_mini_home, tmp_path / "home", e5_encoder, regions, good_match="1.5", fair_match="0.5",
                         ranker="fusion", group_lists="true") as server:
        r = httpx.put(f"{server.url}/innovations/MV1", json=VARIANT, headers=auth(server, "admin"), timeout=60)
        assert r.status_code == 201, r.text
        yield server


def test_api_items_carry_the_group_and_lists_show_one_member(grouped):
    r = httpx.post(f"{grouped.url}/match", json={"text": "ibu hamil di pulau kecil dirujuk dengan perahu", "k": 8},
                   timeout=60)
    assert r.status_code == 200, r.text
    items = r.json()["data"]
    ids = [x["innovation"]["id"] for x in items]
    assert ("M1" in ids) != ("MV1" in ids)  # one of the two, never both
    shown = next(x for x in items if x["innovation"]["id"] in ("M1", "MV1"))
    assert shown["innovation"]["id"] == "M1"  # Top 45 and in use: the representative
    group = shown["group"]
    assert group["size"] == 2 and group["regions"] == 1 and group["id"] == "M1"
    assert group["others"] == [{"id": "MV1", "title": VARIANT["title"], "region_code": "73.01",
                                "origin_name": "Kabupaten Kepulauan Selayar", "status": "aktif"}]
    assert all(x["group"] is None for x in items if x is not shown)

    recs = httpx.get(f"{grouped.url}/regions/81.03/recommendations", timeout=60).json()["data"]
    rec_ids = [x["innovation"]["id"] for x in recs]
    assert "M1" in rec_ids and "MV1" not in rec_ids
    assert next(x for x in recs if x["innovation"]["id"] == "M1")["group"]["others"][0]["id"] == "MV1"


def test_the_card_shows_the_line_and_the_others_behind_a_disclosure(grouped):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="id-ID")
        page.goto(f"{grouped.url}/#81.03")
        card = page.locator("article.rec[data-id='M1']")
        sync_api.expect(card).to_be_visible(timeout=30_000)
        note = card.locator("details.group-note")
        sync_api.expect(note.locator("summary")).to_have_text("Juga diterapkan di 1 daerah lain")
        link = note.locator("a[href='#inovasi/MV1']")
        assert not link.is_visible()  # closed until asked for
        note.locator("summary").click()
        sync_api.expect(link).to_be_visible()
        sync_api.expect(note).to_contain_text("Kabupaten Kepulauan Selayar")
        assert page.locator("article.rec[data-id='MV1']").count() == 0
        link.click()
        sync_api.expect(page).to_have_url(f"{grouped.url}/#inovasi/MV1")
        browser.close()
