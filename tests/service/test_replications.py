"""Replication progress over real HTTP (a uvicorn server on a copy of the mini store): recording steps with a
mentor key, the errors of a refused step, a regency's states and history, a province's counts, and that a step
that makes an innovation replicated takes it out of the (cached) recommendations at once."""

from __future__ import annotations

import httpx
import pytest
from helpers.live_server import assert_error, auth, running_service

pytestmark = pytest.mark.slow
TANIMBAR, MBD = "81.03", "81.08"


@pytest.fixture
def svc(_mini_home, tmp_path, e5_encoder, regions):
    with running_service(_mini_home, tmp_path / "home", e5_encoder, regions) as server:
        yield server


def step(svc, region: str, innovation: str, stage: str, key: str | None = "mentor", **fields) -> httpx.Response:
    headers = auth(svc, key) if key else {}
    return httpx.post(f"{svc.url}/regions/{region}/replications", headers=headers,
                      json={"innovation_id": innovation, "stage": stage, **fields})


def test_steps_need_a_mentor_key_and_refusals_name_the_field(svc):
    assert_error(step(svc, TANIMBAR, "M1", "dipilih", key=None), 401, "unauthorized")
    r = step(svc, TANIMBAR, "M1", "studi_tiru", date="2024-02-01", note="kunjungan ke Makassar", who="Ani")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["stage"], body["date"], body["who"], body["account"], body["seq"]) == (
        "studi_tiru", "2024-02-01", "Ani", "mentor", 1)
    error = assert_error(step(svc, TANIMBAR, "M1", "dipilih", date="2024-02-03"), 422, "validation_error")
    assert error["details"] == [{"field": "body.note",
                                 "reason": "going back from studi_tiru to dipilih needs a note saying why"}]
    error = assert_error(step(svc, TANIMBAR, "M1", "diterapkan", date="2024-01-01"), 422, "validation_error")
    assert error["details"][0]["field"] == "body.date" and "earlier than the previous step" in error["message"]
    error = assert_error(step(svc, TANIMBAR, "M1", "rencana_aksi"), 422, "validation_error")
    assert error["details"][0]["field"] == "body.document"
    assert_error(step(svc, TANIMBAR, "M1", "selesai"), 422, "validation_error")  # not a stage
    assert_error(step(svc, TANIMBAR, "M1", "studi_tiru", date="kemarin"), 422, "validation_error")
    assert_error(step(svc, TANIMBAR, "NOPE", "dipilih"), 404, "not_found")
    assert_error(step(svc, "99.99", "M1", "dipilih"), 404, "not_found")
    history = httpx.get(f"{svc.url}/regions/{TANIMBAR}/replications").json()["data"][0]["history"]
    assert [h["stage"] for h in history] == ["studi_tiru"]  # every refusal wrote nothing


def test_a_regency_reads_its_states_with_history_and_what_a_decision_implies(svc):
    httpx.post(f"{svc.url}/regions/{TANIMBAR}/shortlist", headers=auth(svc),
               json={"innovation_id": "M7", "decision": "shortlisted"})
    step(svc, TANIMBAR, "M1", "dipilih", date="2024-01-10")
    step(svc, TANIMBAR, "M1", "rencana_aksi", date="2024-03-01", document="https://contoh.go.id/ra.pdf")
    step(svc, TANIMBAR, "M1", "studi_tiru", date="2024-03-02", note="studi tiru ulang setelah mutasi OPD")
    body = httpx.get(f"{svc.url}/regions/Kab. Kepulauan Tanimbar/replications").json()
    assert (body["region_code"], body["count"]) == (TANIMBAR, 2)
    m1, m7 = body["data"]
    assert (m1["innovation_id"], m1["stage"], m1["furthest"], m1["implied"], m1["replicated"]) == (
        "M1", "studi_tiru", "rencana_aksi", False, False)
    assert m1["title"] == "Perahu Siaga Bunda" and [h["stage"] for h in m1["history"]] == [
        "dipilih", "rencana_aksi", "studi_tiru"]
    assert (m7["innovation_id"], m7["stage"], m7["implied"], m7["history"]) == ("M7", "dipilih", True, [])
    assert httpx.get(f"{svc.url}/regions/{MBD}/replications").json() == {
        "data": [], "count": 0, "region_code": MBD, "region_name": "Kabupaten Maluku Barat Daya"}


def test_the_province_progress_counts_stages_regencies_and_days(svc):
    step(svc, TANIMBAR, "M1", "dipilih", date="2024-01-01")
    step(svc, TANIMBAR, "M1", "studi_tiru", date="2024-01-21")
    step(svc, TANIMBAR, "M1", "diterapkan", date="2024-04-30")
    step(svc, TANIMBAR, "M7", "dipilih", date="2024-01-01")
    step(svc, TANIMBAR, "M7", "studi_tiru", date="2024-01-11")
    step(svc, MBD, "M5", "diterapkan", date="2024-02-01")
    step(svc, MBD, "M5", "berhenti", date="2025-02-01", reason="aplikasi tidak dirawat")
    body = httpx.get(f"{svc.url}/provinces/Maluku/progress").json()
    assert (body["province_code"], body["gaps"]) == ("81", 1)  # the mini store's one gap in Maluku
    assert body["funnel"] == {"gaps": 1, "dipilih": 3, "studi_tiru": 3, "rencana_aksi": 2, "diterapkan": 2,
                              "berlanjut": 0}
    assert body["dropped"] == 1
    assert body["stages"] == {"dipilih": 0, "studi_tiru": 1, "rencana_aksi": 0, "diterapkan": 1, "berlanjut": 0,
                              "berhenti": 1}
    times = {(t["start"], t["end"]): (t["median_days"], t["pairs"]) for t in body["times"]}
    assert times[("dipilih", "studi_tiru")] == (15.0, 2) and times[("dipilih", "diterapkan")] == (120.0, 1)
    assert times[("rencana_aksi", "diterapkan")] == (None, 0)
    rows = {r["region_code"]: r for r in body["regencies"]}
    assert len(rows) == 11 and rows[TANIMBAR]["pairs"] == 2 and rows[TANIMBAR]["gaps"] == 1
    assert rows[MBD]["stages"]["berhenti"] == 1 and rows["81.71"]["pairs"] == 0
    assert_error(httpx.get(f"{svc.url}/provinces/99/progress"), 404, "not_found")


def test_an_implemented_innovation_leaves_the_cached_recommendations_at_once(svc):
    url = f"{svc.url}/regions/{TANIMBAR}/recommendations?k=3"
    first = [r["innovation"]["id"] for r in httpx.get(url).json()["data"]]
    assert first[0] == "M1" and [r["innovation"]["id"] for r in httpx.get(url).json()["data"]] == first  # cached
    step(svc, TANIMBAR, "M1", "studi_tiru", date="2024-01-21")
    assert [r["innovation"]["id"] for r in httpx.get(url).json()["data"]][0] == "M1"  # not replicated yet
    step(svc, TANIMBAR, "M1", "diterapkan", date="2024-04-30")
    after = [r["innovation"]["id"] for r in httpx.get(url).json()["data"]]
    assert "M1" not in after and after
    step(svc, TANIMBAR, "M1", "rencana_aksi", date="2024-05-01", document="ra.docx", note="belum jalan, salah catat")
    assert [r["innovation"]["id"] for r in httpx.get(url).json()["data"]][0] == "M1"  # back: recommended again


def test_the_opportunity_map_colours_by_the_share_of_chosen_innovations_implemented(svc):
    assert step(svc, TANIMBAR, "M1", "diterapkan", date="2024-05-01").status_code == 201
    assert step(svc, TANIMBAR, "M2", "studi_tiru", date="2024-06-01").status_code == 201
    areas = httpx.get(f"{svc.url}/provinces/81/opportunities", timeout=60).json()["areas"]
    progress = {a["code"]: a["metrics"]["progress"] for a in areas}
    assert progress[TANIMBAR] == 0.5 and progress[MBD] is None  # one of two chosen is implemented; none chosen
    svg = httpx.get(f"{svc.url}/provinces/81/map.svg", params={"measure": "progress"}, timeout=60)
    assert svg.status_code == 200 and "50" in svg.text
