"""The mentor page in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), against a
real uvicorn server: pick a regency, see recommendations, shortlist one with a note, reload, see it kept.

A screenshot of the page is kept in tests/artifacts/ (git-ignored) to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.live_server import LiveServer, service_app, service_home

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


@pytest.fixture(scope="module")
def server(_mini_home, tmp_path_factory, e5_encoder, regions):
    home, keys = service_home(_mini_home, tmp_path_factory.mktemp("web") / "home")
    with LiveServer(service_app(home, e5_encoder, regions)) as live:
        live.keys = keys
        yield live


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("dialog", lambda d: page.problems.append(f"dialog: {d.message}") or d.dismiss())
    yield page
    context.close()


def sign_in(page, key: str) -> None:
    page.fill("#api-key", key)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector(".key-status.ok")


def open_tanimbar(page) -> None:
    page.select_option("#province", "81")  # Maluku, a hub province
    page.wait_for_selector(".region-item")
    page.fill("#region-search", "tanimbar")
    assert page.locator(".region-item").count() == 1
    page.click(".region-item")
    page.wait_for_selector(".rec")


def test_pick_regency_shortlist_with_note_and_reload(server, page):
    page.goto(server.url)
    hub = page.locator("#province optgroup").first
    assert hub.get_attribute("label").startswith("Provinsi hub")
    assert hub.locator("option").first.get_attribute("value") == "35"  # Jawa Timur leads the hub provinces
    sign_in(page, server.keys["mentor"])
    assert "mentor" in page.text_content("#key-status")
    open_tanimbar(page)
    assert page.text_content("#region-name") == "Kabupaten Kepulauan Tanimbar"

    first = page.locator(".rec").first
    assert first.get_attribute("data-id") == "M1"
    assert "Bumil di pulau kecil" in first.locator(".gap-quote").text_content()  # the gap it answers
    assert first.locator(".gap-quote mark").count() >= 3  # matched words highlighted
    assert first.locator(".seg").count() >= 2 and "Top 45 KIPP" in first.text_content()
    assert "Kabupaten Maluku Tengah" in first.locator(".origin").text_content()

    first.locator(".note").fill("Studi tiru bulan Juni; hubungi Dinkes")
    first.get_by_role("button", name="Masukkan daftar pendek").click()
    page.wait_for_selector("#shortlist-body tr[data-id='M1']")

    page.reload()
    page.wait_for_selector("#shortlist-body tr[data-id='M1']")  # the hash (#81.03) reopens the regency
    row = page.locator("#shortlist-body tr[data-id='M1']")
    assert "Studi tiru bulan Juni; hubungi Dinkes" in row.text_content() and "Daftar pendek" in row.text_content()
    assert "mentor" in row.text_content()
    page.wait_for_selector(".rec[data-id='M1'] .decision-shortlisted")
    assert page.locator("#n-shortlist").text_content() == "1"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "web-top.png"))
    assert page.problems == []


def test_add_gap_filter_and_export_csv(server, page):
    page.goto(server.url + "/#81.03")
    sign_in(page, server.keys["mentor2"])
    page.wait_for_selector(".rec")
    page.click("#gap-add")
    hostile = 'Sampah plastik sekolah menumpuk <img src=x onerror="window.__xss=1"> TPA penuh'
    page.fill("#gap-text", hostile)
    page.select_option("#gap-sector", "lingkungan_persampahan")
    page.select_option("#gap-priority", "1")
    page.click("#gap-form button[type=submit]")
    sync_api.expect(page.locator("#gap-list li")).to_have_count(2)  # (wait_for_function needs eval: the CSP says no)
    assert hostile in page.locator("#gap-list").text_content()  # shown as text, never parsed as HTML
    assert page.locator("#gap-list img").count() == 0 and page.evaluate("window.__xss") is None
    page.wait_for_selector(".rec[data-id='M4']")  # the new gap's answer is recommended at once

    with page.expect_response(lambda r: "digital=true" in r.url):
        page.select_option("#f-digital", "true")
    sync_api.expect(page.locator(".rec[data-id='M4']")).to_have_count(0)  # M4 is not digital
    assert all("Digital" in text for text in page.locator(".rec .badges").all_text_contents())
    with page.expect_response(lambda r: "recommendations" in r.url and "digital" not in r.url):
        page.select_option("#f-digital", "")

    page.locator(".rec[data-id='M4'] .note").fill("=1+1 bukan rumus")
    page.locator(".rec[data-id='M4']").get_by_role("button", name="Tolak").click()
    page.wait_for_selector("#shortlist-body tr[data-id='M4']")
    with page.expect_download() as download:
        page.click("#export-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert download.value.suggested_filename == "daftar-pendek-81.03.csv"
    assert "M4" in text and "'=1+1 bukan rumus" in text and "rejected" in text
    assert page.problems == []


def test_without_a_key_the_page_reads_but_asks_before_writing(server, page):
    page.goto(server.url)
    page.fill("#api-key", "mk_000000000000_" + "A" * 43)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector(".key-status.bad")
    page.click("#key-clear")
    open_tanimbar(page)
    before = page.locator("#shortlist-body tr").count()
    page.locator(".rec").first.get_by_role("button", name="Tolak").click()
    page.wait_for_selector(".toast-warn")
    assert "kunci API" in page.text_content("#toast")
    assert page.locator("#shortlist-body tr").count() == before
    assert [p for p in page.problems if "401" not in p] == []  # the bad key's /me answer is expected
