"""Replication progress on a real SQLite store: the append-only history, validated transitions, what counts as
replicated (one definition for every exclusion), the states a decision implies, and a province's summary."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest

from matcher.errors import NotFoundError, ValidationError
from matcher.recommendations.progress import province_progress
from matcher.store.database import Store
from matcher.store.replications import ReplicationRepository

TANIMBAR, MBD = "81.03", "81.08"  # two kabupaten of Maluku (81)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path)
    yield s
    s.close()


@pytest.fixture
def log(store, regions):
    """The repository with the facade's checks: the regions, and a catalogue of M1..M8."""
    return ReplicationRepository(store, regions, lambda: {f"M{n}" for n in range(1, 9)})


def test_steps_are_appended_and_the_table_refuses_update_and_delete(store, log):
    log.record(TANIMBAR, "M1", "dipilih", "2024-01-10", note="rapat hub", who="Ani", account="ani")
    log.record(TANIMBAR, "M1", "studi_tiru", "2024-02-01")
    steps = log.history(TANIMBAR, "M1")
    assert [(s.seq, s.stage, s.date, s.who, s.account) for s in steps] == [
        (1, "dipilih", "2024-01-10", "Ani", "ani"), (2, "studi_tiru", "2024-02-01", "cli", "cli")]
    assert steps[0].recorded_at > 0
    conn = store.connection
    for sql in ("UPDATE replications SET stage = 'berhenti'", "DELETE FROM replications",
                "DELETE FROM replications WHERE seq = 2"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(sql)
    assert log.history(TANIMBAR, "M1") == steps  # nothing changed
    public = {n for n in dir(ReplicationRepository) if not n.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("update", "delete", "remove", "undo", "edit"))}


def test_forward_may_skip_stages_but_dates_never_go_back(log):
    log.record(TANIMBAR, "M1", "dipilih", "2024-01-10")
    assert log.record(TANIMBAR, "M1", "diterapkan", "2024-06-01").stage == "diterapkan"  # history lacked steps
    with pytest.raises(ValidationError) as caught:
        log.record(TANIMBAR, "M1", "berlanjut", "2024-05-01")
    assert caught.value.problems[0].field == "date" and "earlier than the previous step" in str(caught.value)
    log.record(TANIMBAR, "M1", "berlanjut", "2025-06-01", note="setahun berjalan")
    log.record(TANIMBAR, "M1", "berhenti", "2025-09-01", reason="anggaran dipotong")  # one level: forward


def test_going_back_needs_a_note_and_is_recorded_as_a_new_step(log):
    log.record(TANIMBAR, "M2", "rencana_aksi", "2024-03-01", document="https://contoh.go.id/ra.pdf")
    with pytest.raises(ValidationError) as caught:
        log.record(TANIMBAR, "M2", "studi_tiru", "2024-03-05")
    problem = caught.value.problems[0]
    assert problem.field == "note" and "going back from rencana_aksi to studi_tiru needs a note" in problem.reason
    assert len(log.history(TANIMBAR, "M2")) == 1  # refused: nothing written
    back = log.record(TANIMBAR, "M2", "studi_tiru", "2024-01-05", note="kunjungan diulang, OPD berganti")
    assert back.stage == "studi_tiru"  # a step back with a note may carry an earlier date (a correction)
    assert [s.stage for s in log.history(TANIMBAR, "M2")] == ["rencana_aksi", "studi_tiru"]


@pytest.mark.parametrize(("stage", "kwargs", "field", "words"), [
    ("studi_tiru", {}, "date", "needs the date"),
    ("diterapkan", {}, "date", "needs the date"),
    ("rencana_aksi", {"date": "2024-01-01"}, "document", "link (URL) or the file's name"),
    ("berhenti", {"date": "2024-01-01"}, "reason", "reason"),
    ("diterapkan", {"date": "2999-01-01"}, "date", "in the future"),
    ("selesai", {}, "stage", "is not a stage"),
])
def test_a_step_missing_what_its_stage_needs_is_refused_with_the_field(log, stage, kwargs, field, words):
    with pytest.raises(ValidationError) as caught:
        log.record(TANIMBAR, "M1", stage, **kwargs)
    assert caught.value.problems[0].field == field and words in str(caught.value)
    assert log.history() == []


def test_unknown_region_innovation_or_date_is_a_clear_error(log):
    with pytest.raises(NotFoundError, match="no kabupaten/kota with code '99.99'"):
        log.record("99.99", "M1", "dipilih")
    with pytest.raises(NotFoundError, match="innovation 'NOPE' not found"):
        log.record(TANIMBAR, "NOPE", "dipilih")
    with pytest.raises(ValidationError, match="field 'date': not a date"):
        log.record(TANIMBAR, "M1", "studi_tiru", "1 Februari 2024")


def test_replicated_is_one_definition_for_decisions_and_progress(store, log):
    store.decisions.add(TANIMBAR, "M5", "replicated")
    log.record(TANIMBAR, "M1", "diterapkan", "2024-06-01")
    log.record(TANIMBAR, "M2", "rencana_aksi", "2024-06-01", document="ra-m2.docx")
    log.record(TANIMBAR, "M3", "berhenti", "2024-06-01", reason="tidak ada operator")
    assert log.replicated(TANIMBAR) == {"M1", "M3", "M5"}
    assert store.decisions.replicated(TANIMBAR) == {"M1", "M3", "M5"}  # the decisions' view is the same set
    log.record(TANIMBAR, "M1", "rencana_aksi", "2024-06-02", document="ra-m1.docx", note="salah catat")
    assert store.decisions.replicated(TANIMBAR) == {"M3", "M5"}  # back before diterapkan: no longer replicated


def test_latest_states_with_what_decisions_imply(store, log):
    store.decisions.add(TANIMBAR, "M1", "shortlisted", who="ani")  # implies dipilih while no step exists
    store.decisions.add(TANIMBAR, "M5", "replicated")  # implies diterapkan (undated)
    store.decisions.add(TANIMBAR, "M6", "rejected")  # implies nothing
    store.decisions.add(MBD, "M2", "shortlisted")
    log.record(MBD, "M2", "studi_tiru", "2024-02-01")
    log.record(MBD, "M2", "dipilih", "2024-02-02", note="ulang dari awal")
    states = {(s.region_code, s.innovation_id): s for s in log.latest([TANIMBAR, MBD])}
    assert sorted(states) == [(TANIMBAR, "M1"), (TANIMBAR, "M5"), (MBD, "M2")]
    m1 = states[(TANIMBAR, "M1")]
    assert (m1.stage, m1.implied, m1.who, m1.replicated) == ("dipilih", True, "ani", False) and m1.date
    assert (states[(TANIMBAR, "M5")].stage, states[(TANIMBAR, "M5")].replicated) == ("diterapkan", True)
    m2 = states[(MBD, "M2")]  # steps win over the decision
    assert (m2.stage, m2.furthest, m2.implied, m2.steps) == ("dipilih", "studi_tiru", False, 2)
    assert m2.reached == {"studi_tiru": "2024-02-01", "dipilih": "2024-02-02"}
    assert log.latest(["35.07"]) == []


def _reads_of(store, action):
    """What ``action()`` returns, and the SELECT statements it ran on the store's connection."""
    seen: list[str] = []
    store.connection.set_trace_callback(seen.append)
    try:
        result = action()
    finally:
        store.connection.set_trace_callback(None)
    return result, [s for s in seen if s.lstrip().upper().startswith("SELECT")]


def test_latest_reads_a_bounded_number_of_times_whatever_the_number_of_regions(store, log, regions):
    codes = [r.code for r in regions][:40]
    for i, code in enumerate(codes):  # every kind of state: implied, undone, steps with and without decisions
        store.decisions.add(code, f"M{1 + i % 8}", ("shortlisted", "replicated", "rejected")[i % 3], who=f"w{i}")
        if i % 4 == 0:
            store.decisions.undo(code, f"M{1 + i % 8}")
        if i % 5 == 0:
            log.record(code, f"M{1 + (i + 3) % 8}", "diterapkan", "2024-06-01")
        if i % 6 == 0:
            log.record(code, f"M{1 + i % 8}", "studi_tiru", "2024-03-01")
    per_region = sorted((s for c in codes for s in log.latest([c])), key=lambda s: (s.region_code, s.innovation_id))
    together, reads = _reads_of(store, lambda: log.latest(codes))
    assert together == per_region and any(s.implied for s in together) and any(s.steps for s in together)
    assert len(reads) == 2  # one read of the steps and one of the decisions, not one per region
    assert len(_reads_of(store, lambda: log.latest(codes[:1]))[1]) == 2
    many = [f"99.{n:04d}" for n in range(1000)]  # more codes than one statement may hold (900 a time)
    assert len(_reads_of(store, lambda: log.latest(many))[1]) == 4
    assert store.decisions.current_many(codes) == {c: store.decisions.current(c) for c in codes}


def test_province_progress_counts_stages_a_funnel_and_median_days(store, log, regions):
    log.record(TANIMBAR, "M1", "dipilih", "2024-01-01")
    log.record(TANIMBAR, "M1", "studi_tiru", "2024-01-11")
    log.record(TANIMBAR, "M1", "rencana_aksi", "2024-02-10", document="ra.pdf")
    log.record(TANIMBAR, "M1", "diterapkan", "2024-05-10")
    log.record(TANIMBAR, "M1", "berlanjut", "2025-05-10")
    log.record(TANIMBAR, "M2", "dipilih", "2024-01-01")
    log.record(TANIMBAR, "M2", "studi_tiru", "2024-01-31")
    log.record(MBD, "M3", "diterapkan", "2024-03-01")  # skipped the earlier stages
    log.record(MBD, "M3", "berhenti", "2025-03-01", reason="anggaran")
    store.decisions.add(MBD, "M4", "shortlisted")
    source = SimpleNamespace(regions=regions, gap_counts=lambda: {TANIMBAR: 3, MBD: 2, "35.07": 9},
                             replications=log)
    p = province_progress(source, "Maluku")
    assert (p.province_code, p.gaps) == ("81", 5)
    assert p.funnel == {"gaps": 5, "dipilih": 4, "studi_tiru": 3, "rencana_aksi": 2, "diterapkan": 2, "berlanjut": 1}
    assert p.dropped == 1
    assert p.stages == {"dipilih": 1, "studi_tiru": 1, "rencana_aksi": 0, "diterapkan": 0, "berlanjut": 1,
                        "berhenti": 1}
    times = {(t.start, t.end): (t.median_days, t.pairs) for t in p.times}
    assert times[("dipilih", "studi_tiru")] == (20.0, 2)  # 10 and 30 days
    assert times[("diterapkan", "berhenti")] == (365.0, 1)
    assert times[("dipilih", "diterapkan")] == (130.0, 1)
    assert times[("studi_tiru", "rencana_aksi")] == (30.0, 1)
    rows = {r.region_code: r for r in p.regencies}
    assert len(rows) == len(regions.in_province("81"))
    assert (rows[TANIMBAR].gaps, rows[TANIMBAR].pairs, rows[TANIMBAR].stages["berlanjut"]) == (3, 2, 1)
    assert (rows[MBD].pairs, rows[MBD].stages["dipilih"], rows[MBD].stages["berhenti"]) == (2, 1, 1)
