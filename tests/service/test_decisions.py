"""Confidence bands, the decision history with undo, who chose an innovation, and the action-plan download.

Library parts on a real SQLite store (``matcher.recommendations.confidence``, ``matcher.store.decisions``, the upgrade of a store
made before undo existed); the routes over real HTTP against a uvicorn server on a copy of the mini store.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3

import httpx
import pytest
from docx import Document
from helpers.live_server import assert_error, auth, running_service

from matcher.config import Settings
from matcher.recommendations.confidence import band_of, gap_fits
from matcher.store.database import Store
from matcher.store.decisions import UNDONE

pytestmark = pytest.mark.slow
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ---- bands ------------------------------------------------------------------------------------------------
def test_without_a_calibrated_band_the_two_settings_split_the_fused_score():
    s = Settings(good_match=4.5, fair_match=3.0)
    assert [band_of(None, x, s) for x in (9.0, 4.5, 4.49, 3.0, 2.99, -1.0)] == [
        "strong", "strong", "medium", "medium", "weak", "weak"]
    assert band_of(None, 2.0, Settings(good_match=2.5, fair_match=1.0)) == "medium"
    assert band_of("weak", 9.0, s) == "weak"  # a calibrated band wins whatever the score's scale


def test_gap_fits_leave_out_what_the_regency_replicated(mini_matcher):
    before = {f.gap_id: f for f in gap_fits(mini_matcher, "81.03")}
    assert set(before) == {"MG1"} and before["MG1"].confidence is not None
    mini_matcher.decisions.add("81.03", "M1", "replicated")
    after = {f.gap_id: f for f in gap_fits(mini_matcher, "81.03")}
    assert after["MG1"].score < before["MG1"].score  # the next one is weaker
    assert gap_fits(mini_matcher, "35.01") == []  # no gaps, nothing to say


# ---- the decision log -----------------------------------------------------------------------------------------
def test_undo_is_an_event_and_the_history_keeps_everything(tmp_path):
    store = Store(tmp_path)
    log = store.decisions
    store.decisions.add("81.03", "M1", "shortlisted", "studi tiru", "ani", account="ani")
    store.decisions.add("81.03", "M1", "rejected", "anggaran tidak cukup", "budi", account="budi")
    store.decisions.add("81.03", "M7", "shortlisted", account="ani")
    store.decisions.add("73.72", "M1", "replicated", account="cici")
    event = log.undo("81.03", "M1", who="ani", account="ani")
    assert event.decision == UNDONE and event.seq > 0 and event.account == "ani"
    assert [d.innovation_id for d in store.decisions.current("81.03")] == ["M7"]  # M1 has no current decision
    assert [e.decision for e in log.history("81.03", "M1")] == ["shortlisted", "rejected", UNDONE]
    assert len(log.history("81.03")) == 4
    with pytest.raises(Exception, match="no decision to undo"):
        log.undo("81.03", "M1")  # undone already
    with pytest.raises(Exception, match="no decision to undo"):
        log.undo("81.03", "M8")  # never decided
    assert [(d.region_code, d.decision) for d in log.by_innovation("M1")] == [("73.72", "replicated")]
    store.decisions.add("81.03", "M1", "shortlisted", account="ani")  # decided again after the undo
    assert {d.region_code for d in log.by_innovation("M1")} == {"73.72", "81.03"}


OLD_SHORTLIST = """CREATE TABLE shortlist (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL,
    innovation_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('shortlisted', 'rejected', 'replicated')),
    note TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
)"""


def test_a_store_made_before_undo_is_upgraded_once_with_its_rows(tmp_path):
    with contextlib.closing(sqlite3.connect(tmp_path / Store.DB_NAME)) as conn:
        conn.execute(OLD_SHORTLIST)
        conn.executemany("INSERT INTO shortlist(region_code, innovation_id, decision, note, who, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", [("81.03", "M1", "shortlisted", "a", "ani", 1.0),
                                                       ("81.03", "M7", "rejected", "b", "budi", 2.0)])
        conn.commit()
        with pytest.raises(sqlite3.IntegrityError):  # the old CHECK refuses an undo
            conn.execute("INSERT INTO shortlist(region_code, innovation_id, decision, created_at) "
                         f"VALUES ('81.03', 'M1', '{UNDONE}', 3.0)")
    store = Store(tmp_path)
    log = store.decisions
    assert [(e.seq, e.innovation_id, e.note, e.account) for e in log.history("81.03")] == [
        (1, "M1", "a", ""), (2, "M7", "b", "")]  # rows, sequence numbers and the added column kept
    assert log.undo("81.03", "M1").seq == 3
    assert [d.innovation_id for d in store.decisions.current("81.03")] == ["M7"]
    store.close()
    again = Store(tmp_path)  # opening it again changes nothing
    assert len(again.decisions.history("81.03")) == 3
    with contextlib.closing(sqlite3.connect(tmp_path / Store.DB_NAME)) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "shortlist_region" in names and "shortlist_undo" not in names


# ---- routes ------------------------------------------------------------------------------------------------
@pytest.fixture
def svc(_mini_home, tmp_path, e5_encoder, regions):
    with running_service(_mini_home, tmp_path / "home", e5_encoder, regions) as server:
        yield server


def decide(svc, region: str, innovation: str, decision: str, note: str = "") -> httpx.Response:
    return httpx.post(f"{svc.url}/regions/{region}/shortlist", headers=auth(svc),
                      json={"innovation_id": innovation, "decision": decision, "note": note})


def test_recommendations_and_matches_carry_a_band_and_each_gap_its_best_score(svc):
    body = httpx.get(f"{svc.url}/regions/81.03/recommendations?k=3").json()
    bands = {"strong", "medium", "weak"}
    assert {r["band"] for r in body["data"]} <= bands and all(0 <= r["confidence"] <= 1 for r in body["data"])
    top = body["data"][0]
    assert top["band"] == top["gaps"][0]["band"]  # a recommendation is as sure as the gap it answers best
    assert [c["gap_id"] for c in body["coverage"]] == ["MG1"] and body["coverage"][0]["band"] in bands
    assert body["coverage"][0]["best_score"] == pytest.approx(top["gaps"][0]["score"])
    filtered = httpx.get(f"{svc.url}/regions/81.03/recommendations?sector=pariwisata_budaya").json()
    assert filtered["data"] == [] and filtered["coverage"] == [
        {"gap_id": "MG1", "best_score": None, "band": None, "confidence": None}]
    matches = httpx.post(f"{svc.url}/match", json={"text": "bank sampah sekolah", "k": 2}).json()["data"]
    assert {m["band"] for m in matches} <= bands
    assert httpx.get(f"{svc.url}/confidence").json() == {"measure": "confidence", "strong_from": 0.7,
                                                         "medium_from": 0.45, "scale_max": 1.0}


def test_undo_history_and_who_chose_an_innovation_over_http(svc):
    assert decide(svc, "81.03", "M1", "shortlisted", "studi tiru").status_code == 201
    assert decide(svc, "81.03", "M7", "rejected").status_code == 201
    assert decide(svc, "73.72", "M1", "replicated", "sejak 2023").status_code == 201
    r = httpx.delete(f"{svc.url}/regions/81.03/shortlist/M7", headers=auth(svc))
    assert r.status_code == 200 and r.json()["decision"] == "undone" and r.json()["account"] == "mentor"
    assert_error(httpx.delete(f"{svc.url}/regions/81.03/shortlist/M7", headers=auth(svc)), 404, "not_found")
    assert_error(httpx.delete(f"{svc.url}/regions/81.03/shortlist/M7"), 401, "unauthorized")
    current = httpx.get(f"{svc.url}/regions/81.03/shortlist").json()["data"]
    assert [d["innovation_id"] for d in current] == ["M1"]
    history = httpx.get(f"{svc.url}/regions/81.03/shortlist/history").json()
    assert history["count"] == 3 and [e["decision"] for e in history["data"]] == ["undone", "rejected", "shortlisted"]
    only = httpx.get(f"{svc.url}/regions/81.03/shortlist/history?innovation_id=M1").json()["data"]
    assert [e["innovation_id"] for e in only] == ["M1"]
    chose = httpx.get(f"{svc.url}/innovations/M1/decisions").json()["data"]
    assert [(d["region_name"], d["decision"]) for d in chose] == [
        ("Kabupaten Kepulauan Tanimbar", "shortlisted"), ("Kota Parepare", "replicated")]
    replicated = httpx.get(f"{svc.url}/innovations/M1/decisions?decision=replicated").json()
    assert replicated["count"] == 1 and replicated["data"][0]["note"] == "sejak 2023"
    assert_error(httpx.get(f"{svc.url}/innovations/NOPE/decisions"), 404, "not_found")


def test_the_action_plan_of_a_shortlisted_pair_downloads_as_docx(svc):
    url = f"{svc.url}/regions/81.03/shortlist/M1/plan"
    assert_error(httpx.get(url), 404, "not_found")  # not shortlisted yet
    decide(svc, "81.03", "M1", "shortlisted")
    r = httpx.get(url, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"] == DOCX
    assert r.headers["content-disposition"] == 'attachment; filename="rencana-aksi-81.03-M1.docx"'
    doc = Document(io.BytesIO(r.content))
    assert "Perahu Siaga Bunda" in doc.paragraphs[0].text
    httpx.delete(f"{svc.url}/regions/81.03/shortlist/M1", headers=auth(svc))
    assert_error(httpx.get(url), 404, "not_found")  # undone: no longer on the shortlist


def test_an_export_carries_the_undo_events_and_an_import_restores_them(mini_matcher, tmp_path, e5_encoder, regions):
    from matcher import export_store, import_store

    m = mini_matcher
    m.decisions.add("81.03", "M1", "shortlisted", account="ani")
    m.decisions.undo("81.03", "M1", who="ani", account="ani")
    report = export_store(m.settings, tmp_path / "export")
    assert report.counts["shortlist"] == 2
    restored = Settings(home=tmp_path / "restored")
    import_store(report.path, restored, encoder=e5_encoder, regions=regions)
    store = Store(restored.home)
    assert [e.decision for e in store.decisions.history("81.03")] == ["shortlisted", UNDONE]
    assert store.decisions.current("81.03") == []
