"""The opportunity map's endpoints on a real server over the mini store: per-province opportunities and the map
SVG, the national view of the hub provinces, measures, errors, and reads served from the fits cache.

The mini corpus is small, so its fused scores are too: the server bands them with thresholds scaled to it
(strong from 1.5, medium from 1.2), which makes the Tanimbar gap (M1, 1.99) strong and a bridge gap (its best
candidate below 1.2) weak: one open gap in Maluku.
"""

from __future__ import annotations

import re

import httpx
import pytest
from helpers.live_server import assert_error, auth, running_service

from matcher.data.regions import HUB_PROVINCES

pytestmark = pytest.mark.slow
BANDS = {"good_match": 1.5, "fair_match": 1.2, "ranker": "fusion"}
BRIDGE = "Jembatan gantung antardusun putus diterjang banjir bandang, anak sekolah menyeberang sungai"


@pytest.fixture(scope="module")
def svc(_mini_home, tmp_path_factory, e5_encoder, regions):
    with running_service(_mini_home, tmp_path_factory.mktemp("opp") / "home", e5_encoder, regions, **BANDS) as server:
        r = httpx.post(f"{server.url}/regions/81.03/gaps", headers=auth(server), timeout=60,
                       json={"id": "MG-bridge", "text": BRIDGE, "sector": "infrastruktur_transportasi", "priority": 1})
        assert r.status_code == 201, r.text
        yield server


@pytest.fixture(scope="module")
def client(svc):
    with httpx.Client(base_url=svc.url, timeout=60) as c:
        yield c


def test_a_province_lists_every_regency_its_open_gaps_and_sectors(client, regions):
    r = client.get("/provinces/81/opportunities")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["code"], body["name"], body["gaps"], body["open_gaps"]) == ("81", "Maluku", 2, 1)
    assert [a["code"] for a in body["areas"]] == [x.code for x in regions.in_province("81")]
    tanimbar = next(a for a in body["areas"] if a["code"] == "81.03")
    assert (tanimbar["gaps"], tanimbar["open_gaps"]) == (2, 1)
    assert tanimbar["metrics"] == {"open_gaps": 1, "coverage": 0.5, "progress": None}  # nothing chosen yet
    assert all(a["metrics"] == {"open_gaps": None, "coverage": None, "progress": None}
               for a in body["areas"] if a["code"] != "81.03")
    (gap,) = body["open"]
    assert (gap["gap_id"], gap["region_code"], gap["band"]) == ("MG-bridge", "81.03", "weak")
    assert gap["best_innovation_id"] and gap["best_innovation_title"] and gap["best_score"] < 1.2
    assert gap["text"] == BRIDGE and gap["text_truncated"] is False
    assert {(s["sector"], s["gaps"], s["open_gaps"]) for s in body["sectors"]} == {
        ("infrastruktur_transportasi", 1, 1), ("kesehatan", 1, 0)}
    assert body["sectors"][0]["label"] == "Infrastruktur & transportasi"
    assert [m["name"] for m in body["measures"]] == ["open_gaps", "coverage", "progress"]
    assert client.get("/provinces/Maluku/opportunities").json() == body  # a name works as well as the code


def test_the_map_is_an_svg_with_one_linked_shape_per_regency_and_a_legend(client, regions):
    r = client.get("/provinces/81/map.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    svg = r.text
    codes = [x.code for x in regions.in_province("81")]
    assert re.findall(r'data-code="([\d.]+)"', svg) == codes
    assert sorted(re.findall(r'href="#([\d.]+)"', svg)) == codes
    assert 'aria-label="Kabupaten Kepulauan Tanimbar: 1 dari 2 kesenjangan belum ada inovasi yang cocok"' in svg
    assert "belum ada kesenjangan tercatat (10 daerah)" in svg and 'data-measure="open_gaps"' in svg
    coverage = client.get("/provinces/81/map.svg", params={"measure": "coverage"}).text
    assert 'data-measure="coverage"' in coverage and "cakupan 50%" in coverage
    err = assert_error(client.get("/provinces/81/map.svg", params={"measure": "popularity"}), 422, "validation_error")
    assert err["details"][0]["field"] == "measure" and "open_gaps, coverage, progress" in err["message"]
    assert_error(client.get("/provinces/99/map.svg"), 404, "not_found")
    assert_error(client.get("/provinces/81/map.svg", params={"measure": "<x>"}), 422, "validation_error")


def test_the_national_view_has_the_twelve_hub_provinces(client):
    body = client.get("/opportunities").json()
    assert [a["code"] for a in body["areas"]] == list(HUB_PROVINCES)
    maluku = next(a for a in body["areas"] if a["code"] == "81")
    assert (maluku["gaps"], maluku["open_gaps"]) == (2, 1)
    assert body["gaps"] == sum(a["gaps"] for a in body["areas"]) == 4  # Maluku's 2, Sulsel's and Jateng's 1
    svg = client.get("/opportunities/map.svg").text
    assert svg.count("<path") == 12 and sorted(re.findall(r'href="#peta/(\d+)"', svg)) == sorted(HUB_PROVINCES)
    assert "belum ada kesenjangan tercatat (9 provinsi)" in svg


def test_seen_regencies_are_served_from_the_cache_and_a_new_gap_is_seen_at_once(svc, client):
    fits = svc.app.state.engine.fits
    client.get("/provinces/81/opportunities")
    hits, misses = fits.hits, fits.misses
    for path in ("/provinces/81/opportunities", "/provinces/81/map.svg"):
        assert client.get(path).status_code == 200
    assert fits.misses == misses and fits.hits == hits + 2  # Tanimbar from the cache, the engine not asked
    r = client.post("/regions/81.01/gaps", headers=auth(svc),
                    json={"text": "Pencatatan hasil tangkapan nelayan tradisional belum ada, harga ikan dipermainkan "
                                  "tengkulak", "sector": "kelautan_perikanan"})
    assert r.status_code == 201, r.text
    after = client.get("/provinces/81/opportunities").json()
    assert fits.misses == misses + 1  # only the regency whose gaps changed was ranked again
    assert after["gaps"] == 3 and next(a for a in after["areas"] if a["code"] == "81.01")["gaps"] == 1
    assert client.delete(f"/gaps/{r.json()['id']}", headers=auth(svc)).status_code == 204
    assert client.get("/provinces/81/opportunities").json()["gaps"] == 2
