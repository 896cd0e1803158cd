"""Confidence bands, the decision history with undo, who chose an innovation, and the action-plan download.

Library parts on a real SQLite store (``matcher.confidence``, ``matcher.decision_log``, the upgrade of a store
made before undo existed); the routes over real HTTP against a uvicorn server on a copy of the mini store.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3

import httpx
import pytest
from docx import Document
from live_server import assert_error, auth, running_service

from matcher.confidence import band, best_per_gap
from matcher.config import Settings
from matcher.decision_log import UNDONE, DecisionLog
from matcher.store import Store

pytestmark = pytest.mark.slow
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ---- bands ------------------------------------------------------------------------------------------------
def test_band_thresholds_are_the_two_settings():
    s = Settings(good_match=4.5, fair_match=3.0)
    assert [band(x, s) for x in (9.0, 4.5, 4.49, 3.0, 2.99, -1.0)] == [
        "strong", "strong", "medium", "medium", "weak", "weak"]
    assert band(2.0, Settings(good_match=2.5, fair_match=1.0)) == "medium"


def test_best_per_gap_leaves_out_what_the_regency_replicated(mini_matcher):
    before = best_per_gap(mini_matcher, "81.03")
    assert set(before) == {"MG1"} and before["MG1"] == pytest.approx(1.99, abs=0.02)  # M1, the right answer
    mini_matcher.store.add_decision("81.03", "M1", "replicated")
    assert best_per_gap(mini_matcher, "81.03")["MG1"] < before["MG1"] - 0.5  # the next one is much weaker
    assert best_per_gap(mini_matcher, "35.01") == {}  # no gaps, nothing to say


# ---- the decision log -----------------------------------------------------------------------------------------
def test_undo_is_an_event_and_the_history_keeps_everything(tmp_path):
    store = Store(tmp_path)
    log = DecisionLog(store)
    store.add_decision("81.03", "M1", "shortlisted", "studi tiru", "ani", account="ani")
    store.add_decision("81.03", "M1", "rejected", "anggaran tidak cukup", "budi", account="budi")
    store.add_decision("81.03", "M7", "shortlisted", account="ani")
    store.add_decision("73.72", "M1", "replicated", account="cici")
    event = log.undo("81.03", "M1", who="ani", account="ani")
    assert event["decision"] == UNDONE and event["seq"] > 0 and event["account"] == "ani"
    assert [d["innovation_id"] for d in store.decisions("81.03")] == ["M7"]  # M1 has no current decision
    assert [e["decision"] for e in log.history("81.03", "M1")] == ["shortlisted", "rejected", UNDONE]
    assert len(log.history("81.03")) == 4
    with pytest.raises(Exception, match="no decision to undo"):
        log.undo("81.03", "M1")  # undone already
    with pytest.raises(Exception, match="no decision to undo"):
        log.undo("81.03", "M8")  # never decided
    assert [(d["region_code"], d["decision"]) for d in log.by_innovation("M1")] == [("73.72", "replicated")]
    store.add_decision("81.03", "M1", "shortlisted", account="ani")  # decided again after the undo
    assert {d["region_code"] for d in log.by_innovation("M1")} == {"73.72", "81.03"}


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
    log = DecisionLog(store)
    assert [(e["seq"], e["innovation_id"], e["note"], e["account"]) for e in log.history("81.03")] == [
        (1, "M1", "a", ""), (2, "M7", "b", "")]  # rows, sequence numbers and the added column kept
    assert log.undo("81.03", "M1")["seq"] == 3
    assert [d["innovation_id"] for d in store.decisions("81.03")] == ["M7"]
    store.close()
    again = Store(tmp_path)  # opening it again changes nothing
    assert len(DecisionLog(again).history("81.03")) == 3
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
    assert [r["band"] for r in body["data"]] == ["weak"] * 3  # default thresholds (4.5, 3.0): a tiny corpus is weak
    assert all(g["band"] == "weak" for r in body["data"] for g in r["gaps"])
    assert [(c["gap_id"], c["band"]) for c in body["coverage"]] == [("MG1", "weak")]
    assert body["coverage"][0]["best_score"] == pytest.approx(body["data"][0]["gaps"][0]["score"])
    filtered = httpx.get(f"{svc.url}/regions/81.03/recommendations?sector=pariwisata_budaya").json()
    assert filtered["data"] == [] and filtered["coverage"] == [{"gap_id": "MG1", "best_score": None, "band": None}]
    matches = httpx.post(f"{svc.url}/match", json={"text": "bank sampah sekolah", "k": 2}).json()["data"]
    assert {m["band"] for m in matches} <= {"strong", "medium", "weak"}
    assert httpx.get(f"{svc.url}/confidence").json() == {"strong_from": 4.5, "medium_from": 3.0, "scale_max": 9.0}


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
    from matcher.backup import export_store, import_store

    m = mini_matcher
    m.store.add_decision("81.03", "M1", "shortlisted", account="ani")
    DecisionLog(m.store).undo("81.03", "M1", who="ani", account="ani")
    report = export_store(m.settings, tmp_path / "export")
    assert report.counts["shortlist"] == 2
    restored = Settings(home=tmp_path / "restored")
    import_store(report.path, restored, encoder=e5_encoder, regions=regions)
    store = Store(restored.home)
    assert [e["decision"] for e in DecisionLog(store).history("81.03")] == ["shortlisted", UNDONE]
    assert store.decisions("81.03") == []
