"""Replication progress on the mentor page, in a real headless Chromium against a real uvicorn server over a copy
of the mini store: the regency's "Progres replikasi" section (stages, history on demand, the mentor's form, the
Indonesian message of a refused step, an implemented innovation leaving the recommendations), and the province
view for the hub coordinator (the funnel as text and bars, stage times, the table per regency), what similar
regencies did with a recommended innovation on its card, with axe checks at desktop and phone widths. Screenshots go to artifacts/screenshots/ (git-ignored; CI keeps them)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from helpers.browser import axe_problems, watch
from helpers.live_server import running_service

from matcher.config import Settings
from matcher.facade import Matcher
from matcher.recommendations.peers import peers_of

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TANIMBAR = "81.03"


@pytest.fixture
def server(_mini_home, tmp_path, e5_encoder, regions):
    with running_service(_mini_home, tmp_path / "home", e5_encoder, regions) as live:
        yield live


def new_page(browser, width: int, height: int, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID", **options)
    return watch(context.new_page())


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, key: str) -> None:
    page.fill("#api-key", key)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector(".key-status.ok")


def record(page, stage: str, date: str, note: str = "") -> None:
    page.select_option("#p-stage", stage)
    page.fill("#p-date", date)
    page.fill("#p-note", note)
    page.click("#progress-form button[type=submit]")


def test_a_regency_records_its_progress_and_the_province_view_shows_the_funnel(server, browser):
    r = httpx.post(f"{server.url}/regions/{TANIMBAR}/shortlist", headers={"X-API-Key": server.keys["mentor"]},
                   json={"innovation_id": "M1", "decision": "shortlisted"})
    assert r.status_code == 201
    page = new_page(browser, 1400, 900)
    page.goto(f"{server.url}/#{TANIMBAR}")
    row = page.locator("#progress-body tr[data-id='M1']")
    expect(row).to_have_attribute("data-stage", "dipilih")  # implied by the shortlist, no step yet
    expect(row).to_contain_text("Dari keputusan daftar pendek")
    expect(page.locator("#progress-form")).to_be_hidden()  # not signed in: no form, a hint instead
    expect(page.locator("#progress-signin")).to_be_visible()

    sign_in(page, server.keys["mentor"])
    expect(page.locator("#progress-form")).to_be_visible()
    expect(page.locator("#p-innovation option[value='M1']")).to_have_count(1)
    expect(page.locator(".rec[data-id='M1']")).to_have_count(1)
    record(page, "studi_tiru", "2024-02-01", "kunjungan ke Makassar")
    expect(row).to_have_attribute("data-stage", "studi_tiru")
    record(page, "dipilih", "2024-02-02")  # a step back without a note: refused, said in Indonesian
    expect(page.locator("#toast")).to_have_text("Langkah ini kembali ke tahap sebelumnya: tulis catatan alasannya.")
    expect(row).to_have_attribute("data-stage", "studi_tiru")
    page.select_option("#p-stage", "rencana_aksi")
    expect(page.locator("#p-document")).to_be_visible()
    page.fill("#p-document", "https://contoh.go.id/rencana-aksi-m1.pdf")
    record(page, "rencana_aksi", "2024-03-01")
    record(page, "diterapkan", "2024-05-01")
    expect(row).to_have_attribute("data-stage", "diterapkan")
    expect(row).to_contain_text("Tidak lagi direkomendasikan")
    expect(page.locator(".rec[data-id='M1']")).to_have_count(0)  # implemented: out of the recommendations
    row.locator("summary").click()  # the history on demand
    expect(row.locator(".history-list li")).to_have_count(3)
    expect(row.locator(".history-list li").first).to_contain_text("kunjungan ke Makassar")
    assert axe_problems(page) == []
    shot(page, "progress-regency")

    page.click("#progress-province-link")
    expect(page.locator("#province-view")).to_be_visible()
    expect(page.locator("#province-title")).to_have_text("Progres replikasi Provinsi Maluku")
    expect(page.locator("#tab-province")).to_have_attribute("aria-current", "page")
    items = page.locator("#pv-funnel .funnel-item")
    assert [items.nth(i).inner_text().split("\n") for i in range(items.count())] == [
        ["Kesenjangan", "1"], ["Dipilih", "1"], ["Studi tiru", "1"], ["Rencana aksi", "1"], ["Diterapkan", "1"],
        ["Berlanjut", "0"]]
    widths = [items.nth(i).locator(".fill").evaluate("e => e.getBoundingClientRect().width") for i in range(6)]
    assert widths[0] == pytest.approx(widths[1]) and widths[0] > 0 and widths[5] == 0
    tanimbar = page.locator(f"#pv-regencies tr[data-code='{TANIMBAR}'] td")
    assert [tanimbar.nth(i).inner_text() for i in range(9)] == [
        "Kabupaten Kepulauan Tanimbar", "1", "0", "0", "0", "1", "0", "0", "—"]  # dipilih implied: no date
    times = page.locator("#pv-times tr").nth(1).locator("td")
    assert [times.nth(i).inner_text() for i in range(4)] == ["Studi tiru", "Rencana aksi", "29", "1"]
    assert axe_problems(page) == []
    shot(page, "progress-province")
    page.locator(f"#pv-regencies tr[data-code='{TANIMBAR}'] a").click()  # back to the regency
    expect(page.locator("#region-name")).to_have_text("Kabupaten Kepulauan Tanimbar")
    assert len(page.problems) == 1 and "422" in page.problems[0], page.problems  # the refused step, and only it


def test_the_province_view_on_a_phone_from_the_navigation(server, browser):
    page = new_page(browser, 390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(server.url)
    page.wait_for_selector("#province optgroup", state="attached")
    page.click("#tab-province")
    expect(page.locator("#pv-status")).to_have_text("Pilih provinsi untuk melihat progres replikasinya.")
    assert page.get_attribute("#pv-map-link", "href") == "#peta"  # no province yet: the national map
    page.select_option("#pv-province", "81")
    expect(page.locator("#pv-funnel .funnel-item")).to_have_count(6)
    assert page.get_attribute("#pv-map-link", "href") == "#peta/81"
    assert page.url.endswith("#provinsi/81")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_problems(page) == []
    shot(page, "progress-province-phone")
    page.goto(f"{server.url}/#provinsi/99")
    expect(page.locator("#page-error")).to_have_text("Provinsi dengan kode “99” tidak ditemukan.")
    assert len(page.problems) == 1 and "404" in page.problems[0], page.problems  # the unknown province, only


def test_the_card_says_what_similar_regencies_did_with_the_innovation(server, browser, e5_encoder, regions):
    """Steps recorded over the API in two of Tanimbar's peers: one implemented and kept an innovation on
    Tanimbar's list, the other dropped it with a reason. Tanimbar's card shows both, as the mentor reads them."""
    m = Matcher(Settings(home=server.home), encoder=e5_encoder, regions=regions)
    kept, dropped = peers_of(m, TANIMBAR)[:2]  # its two most similar regencies
    listed = httpx.get(f"{server.url}/regions/{TANIMBAR}/recommendations").json()["data"]
    innovation = listed[0]["innovation"]["id"]
    assert listed[0]["peers"] is None  # no history among the peers yet: no line
    mentor = {"X-API-Key": server.keys["mentor"]}
    for code, stage, date, reason in ((kept.code, "diterapkan", "2024-05-01", ""),
                                      (kept.code, "berlanjut", "2025-05-02", ""),
                                      (dropped.code, "berhenti", "2025-03-01", "anggaran daerah dipotong")):
        r = httpx.post(f"{server.url}/regions/{code}/replications", headers=mentor,
                       json={"innovation_id": innovation, "stage": stage, "date": date, "reason": reason})
        assert r.status_code == 201, r.text

    page = new_page(browser, 1400, 900)
    page.goto(f"{server.url}/#{TANIMBAR}")
    page.check("#f-show-weak")  # the mini corpus answers Tanimbar's gap weakly: its list is behind the switch
    card = page.locator(f".rec[data-id='{innovation}']")
    expect(card.locator(".peers-line")).to_have_text(
        f"Daerah serupa: diterapkan dan berlanjut di 1 daerah serupa: {regions.get(kept.code).name}")
    expect(card.locator(".caution", has_text="daerah serupa")).to_have_text(
        f"Perhatian: dihentikan di 1 daerah serupa: {regions.get(dropped.code).name} (anggaran daerah dipotong)")
    expect(page.locator(".peers-line")).to_have_count(1)  # only the innovation the peers have a history with
    assert axe_problems(page) == []
    card.scroll_into_view_if_needed()
    shot(page, "recommendation-peers")
    assert page.problems == []
