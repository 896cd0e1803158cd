"""Near-duplicate groups through a real server and a real Chromium: an admin adds a variant of M1 (the same idea
in another place), the index groups it incrementally, the API items carry the group and the card shows "Juga
diterapkan di ... daerah lain" with a link to the other member. Collapsing is a choice per request (``groups``):
the API's default follows MATCHER_GROUP_LISTS, the page asks for one card per group and offers every variant.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from helpers.browser import ARGS, CHROMIUM, axe_problems, watch
from helpers.live_server import assert_error, auth, running_service

pytestmark = pytest.mark.slow
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

VARIANT = {  # M1 again, written for another regency
    "title": "Speedboat Siaga Ibu Hamil",
    "description": "Ibu hamil di pulau-pulau kecil dirujuk ke puskesmas induk dengan perahu motor siaga yang dibiayai "
                   "Dana Desa. Kematian ibu turun dari 6 menjadi 1 kasus per tahun.",
    "region_code": "73.01", "institution": "Dinas Kesehatan Kabupaten Kepulauan Selayar", "sector": "kesehatan",
    "year": 2019, "stage": "uji_coba", "digital": False,
}


def _with_variant(server):
    r = httpx.put(f"{server.url}/innovations/MV1", json=VARIANT, headers=auth(server, "admin"), timeout=60)
    assert r.status_code == 201, r.text
    return server


@pytest.fixture
def grouped(_mini_home, tmp_path, e5_encoder, regions):
    with running_service(_mini_home, tmp_path / "home", e5_encoder, regions, good_match="1.5", fair_match="0.5",
                         ranker="fusion", group_lists="true") as server:
        yield _with_variant(server)


@pytest.fixture
def variants(_mini_home, tmp_path, e5_encoder, regions):
    """The same store and variant under the default settings: MATCHER_GROUP_LISTS off."""
    with running_service(_mini_home, tmp_path / "home", e5_encoder, regions, good_match="1.5", fair_match="0.5",
                         ranker="fusion") as server:
        yield _with_variant(server)


PERAHU = "ibu hamil di pulau kecil dirujuk dengan perahu"


def _ids(items):
    return [x["innovation"]["id"] for x in items]


def test_the_api_collapses_per_request_and_by_default_follows_the_setting(variants):
    def match(**extra):
        r = httpx.post(f"{variants.url}/match", json={"text": PERAHU, "k": 8, **extra}, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    assert {"M1", "MV1"} <= set(_ids(match())) and _ids(match()) == _ids(match(groups="all"))
    collapsed = match(groups="collapse")
    assert "M1" in _ids(collapsed) and "MV1" not in _ids(collapsed)
    assert next(x for x in collapsed if x["innovation"]["id"] == "M1")["group"]["others"][0]["id"] == "MV1"
    assert_error(httpx.post(f"{variants.url}/match", json={"text": PERAHU, "groups": "satu"}, timeout=60),
                 422, "validation_error")

    url = f"{variants.url}/regions/81.03/recommendations"
    every = _ids(httpx.get(url, timeout=60).json()["data"])
    assert {"M1", "MV1"} <= set(every)
    assert _ids(httpx.get(url, params={"groups": "all"}, timeout=60).json()["data"]) == every
    one = _ids(httpx.get(url, params={"groups": "collapse"}, timeout=60).json()["data"])  # not the cached "all" list
    assert "M1" in one and "MV1" not in one
    assert _ids(httpx.get(url, timeout=60).json()["data"]) == every  # nor the other way round
    assert_error(httpx.get(url, params={"groups": "satu"}, timeout=60), 422, "validation_error")
    schema = httpx.get(f"{variants.url}/openapi.json", timeout=60).json()
    params = schema["paths"]["/regions/{code}/recommendations"]["get"]["parameters"]
    assert "collapse" in next(p for p in params if p["name"] == "groups")["description"]


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
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        card.screenshot(path=str(SCREENSHOTS / "group-card.png"))  # for the README; CI keeps artifacts/
        link.click()
        sync_api.expect(page).to_have_url(f"{grouped.url}/#inovasi/MV1")
        browser.close()


def _page(p, sync_api):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    return browser, watch(browser.new_page(viewport={"width": 1400, "height": 900}, locale="id-ID"))


def test_the_page_shows_one_card_per_group_and_every_variant_on_request(variants):
    """MATCHER_GROUP_LISTS is off, yet the mentor page shows M1 once with its variant behind the disclosure;
    "Tampilkan semua varian" brings MV1's own card back, on a regency and in the free-text search."""
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    with sync_api.sync_playwright() as p:
        browser, page = _page(p, sync_api)
        page.goto(f"{variants.url}/#81.03")
        card = page.locator("#rec-list article.rec[data-id='M1']")
        expect(card).to_be_visible(timeout=30_000)
        page.check("#f-show-weak")  # every card, weak ones included: what is missing is missing by group
        expect(page.locator("#recs-status")).to_contain_text("digabung dalam satu kartu")
        assert page.locator("#rec-list article.rec[data-id='MV1']").count() == 0
        note = card.locator("details.group-note")
        expect(note.locator("summary")).to_have_text("Juga diterapkan di 1 daerah lain")
        note.locator("summary").click()
        expect(note).to_contain_text("Speedboat Siaga Ibu Hamil")
        expect(note).to_contain_text("Kabupaten Kepulauan Selayar")
        assert axe_problems(page) == []

        toggle = page.get_by_label("Tampilkan semua varian").first
        expect(toggle).to_be_visible()
        toggle.check()
        expect(page.locator("#rec-list article.rec[data-id='MV1']")).to_be_visible(timeout=30_000)
        expect(page.locator("#rec-list article.rec[data-id='M1']")).to_be_visible()
        expect(page.locator("#recs-status")).not_to_contain_text("digabung")
        toggle.uncheck()
        expect(page.locator("#rec-list article.rec[data-id='MV1']")).to_have_count(0, timeout=30_000)

        page.goto(f"{variants.url}/#cari")
        page.fill("#s-text", PERAHU)
        page.click("#search-form button[type=submit]")
        page.check("#s-show-weak")
        expect(page.locator("#search-list article.rec[data-id='M1']")).to_be_visible(timeout=30_000)
        assert page.locator("#search-list article.rec[data-id='MV1']").count() == 0
        page.check("#s-all-variants")
        expect(page.locator("#search-list article.rec[data-id='MV1']")).to_be_visible(timeout=30_000)
        assert axe_problems(page) == []
        assert page.problems == []
        browser.close()
