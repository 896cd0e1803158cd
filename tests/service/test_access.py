"""Access control and web safety over real HTTP (uvicorn on a loopback port, a private copy of the mini store).

1. Who may call what: every write route of the app x every kind of caller, and every read route when
   ``read_requires_key`` is on. The routes come from the app itself, so a new route without a policy below
   fails here.
2. Keys: stored only as salted scrypt hashes; a wrong secret for a real key id is refused.
3. The rate limit counts valid keys per account and everything else per client address.
4. Hostile corpus and user text (HTML, script, spreadsheet formulas) in the mentor page (Chromium), the HTML
   report and plan, and the CSV/XLSX exports.

Unit-level checks of the hashing and of ``hmac.compare_digest`` are in test_accounts.py; the batch files'
escaping on the EVIL-1 fixture is in test_batch.py; the page's handling of a hostile gap typed in the form is
in test_web.py. This module adds what they do not cover.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import json
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts  # included routers are resolved lazily: reach them here
from helpers.clock import FakeClock, with_clock
from helpers.live_server import LiveServer, assert_error, service_app, service_home
from openpyxl import load_workbook
from starlette.routing import Mount, Route

from matcher.batch.files import FORMULA_STARTS, office_text, safe_cell, unsafe_cell
from matcher.batch.plan import draft_plan, write_plan
from matcher.config import Settings
from matcher.data.values import text as stored_text
from matcher.facade import Matcher
from matcher.store import accounts as accounts_module
from matcher.store.accounts import Accounts
from matcher.store.database import Store
from service.app import create_app

pytestmark = pytest.mark.slow

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
ROLES = ("none", "bad", "mentor", "admin", "removed")  # no key, wrong secret of a real id, two roles, removed account
MODES = ("open", "closed")  # read_requires_key off / on


def app_routes() -> tuple[list[tuple[str, str]], list[str]]:
    """(method, path) of every write route, and the path of every GET route, as the app declares them.

    The routes of included routers (FastAPI resolves them lazily) and the app's own routes (/openapi.json, the
    /static mount); ``test_the_route_list_agrees_with_openapi`` checks nothing documented is missed."""
    app = create_app(Settings(home=Path(tempfile.gettempdir()) / "matcher-routes-never-opened"))
    writes, reads = [], []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            reads.append(f"{route.path}/{{path}}")
        elif isinstance(route, Route):  # APIRoute, and the plain routes (/openapi.json)
            methods = set(context.methods or ())
            writes += [(m, str(context.path)) for m in sorted(methods & WRITE_METHODS)]
            if "GET" in methods:
                reads.append(str(context.path))
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return sorted(writes), sorted(reads)


WRITE_ROUTES, READ_ROUTES = app_routes()


# ---- servers -------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def serve(source: Path, home: Path, encoder, regions, clock: FakeClock | None = None,
          **settings) -> Iterator[LiveServer]:
    """A live server over a copy of ``source`` with keys for mentor, admin, mentor2 and a removed account
    (and its rate limit on ``clock``, when given)."""
    home, keys = service_home(source, home)
    accounts = Accounts(Store(home))
    keys["removed"] = accounts.add("gone", "mentor")[1]
    accounts.remove("gone")
    app = service_app(home, encoder, regions, **settings)
    with LiveServer(with_clock(app, clock) if clock else app) as server:
        server.keys, server.home, server.clock = keys, home, clock
        yield server


def headers(server: LiveServer, role: str) -> dict[str, str]:
    if role == "none":
        return {}
    if role == "bad":  # the admin's real key id with a wrong secret
        key = server.keys["admin"]
        return {"X-API-Key": key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")}
    return {"X-API-Key": server.keys[role]}


def made_up_key(n: int) -> dict[str, str]:
    return {"X-API-Key": f"mk_{n:012x}_" + "A" * 43}


@pytest.fixture(scope="module")
def servers(_mini_home, tmp_path_factory, e5_encoder, regions) -> Iterator[Callable[[str], LiveServer]]:
    """servers("open") / servers("closed"): started on first use, one each per module."""
    with contextlib.ExitStack() as stack:
        started: dict[str, LiveServer] = {}

        def get(mode: str) -> LiveServer:
            if mode not in started:
                home = tmp_path_factory.mktemp(f"access-{mode}") / "home"
                started[mode] = stack.enter_context(serve(_mini_home, home, e5_encoder, regions,
                                                          read_requires_key=mode == "closed",
                                                          rate_limit_per_minute=100_000))
            return started[mode]

        yield get


def call(server: LiveServer, method: str, url: str, role: str = "admin", body: Any = None) -> httpx.Response:
    return httpx.request(method, server.url + url, headers=headers(server, role), json=body, timeout=120)


def wait_for_job(server: LiveServer, job_id: str) -> dict:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = call(server, "GET", f"/batch/{job_id}").json()
        if job["status"] in {"done", "failed"}:
            assert job["status"] == "done", job
            return job
        time.sleep(0.1)
    raise AssertionError(f"batch job {job_id} did not finish")


# ---- 1. the route x role matrix ------------------------------------------------------------------------------
GAP_TEXT = "Antrean pasien di puskesmas sangat panjang setiap pagi"
INNOVATION = {"title": "Posyandu Terapung", "description": "Perahu posyandu keliling menimbang balita di desa-desa "
              "pesisir yang terpencil setiap bulan.", "region_code": "81.01", "sector": "kesehatan"}


def new_gap(server: LiveServer) -> str:
    r = call(server, "POST", "/regions/35.08/gaps", body={"text": GAP_TEXT})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def decided(server: LiveServer) -> str:
    """An innovation with a current decision in 73.72, for the undo route (refused or not, there is one to undo)."""
    r = call(server, "POST", "/regions/73.72/shortlist", body={"innovation_id": "M1", "decision": "rejected"})
    assert r.status_code == 201, r.text
    return "M1"


JOB_K = itertools.count(1)  # each batch run its own k: identical queued or running runs are one job


def new_job(server: LiveServer) -> str:
    r = call(server, "POST", "/batch", body={"regions": ["35.02"], "k": 1 + next(JOB_K) % 100})
    assert r.status_code == 202, r.text
    return r.json()["id"]


def new_innovation(server: LiveServer) -> str:
    innovation_id = f"T-ACC-{time.monotonic_ns()}"
    assert call(server, "PUT", f"/innovations/{innovation_id}", body=INNOVATION).status_code == 201
    return innovation_id


@dataclass(frozen=True)
class Policy:
    """Who may call a route (``read``: anyone while reads are open, any key otherwise; ``mentor``: a mentor or
    admin key; ``admin``: an admin key), its status on success, and a request for it. ``build(server, allowed)``
    gives (url, body): a fresh target when the call should succeed, an existing one (MG1, M8) when it must be
    refused, so a refused call that still wrote would show in the store."""

    who: str
    success: int
    build: Callable[[LiveServer, bool], tuple[str, Any]]


WRITES: dict[tuple[str, str], Policy] = {
    ("POST", "/match"): Policy("read", 200, lambda s, ok: ("/match", {"text": "sampah plastik sekolah", "k": 1})),
    ("POST", "/regions/{code}/gaps"): Policy("mentor", 201, lambda s, ok: ("/regions/35.08/gaps", {"text": GAP_TEXT})),
    ("PUT", "/gaps/{gap_id}"): Policy(
        "mentor", 200, lambda s, ok: (f"/gaps/{new_gap(s) if ok else 'MG1'}", {"text": "Akta kelahiran bayi terlambat"})),
    ("DELETE", "/gaps/{gap_id}"): Policy("mentor", 204, lambda s, ok: (f"/gaps/{new_gap(s) if ok else 'MG1'}", None)),
    ("POST", "/regions/{code}/shortlist"): Policy(
        "mentor", 201, lambda s, ok: ("/regions/73.72/shortlist", {"innovation_id": "M1", "decision": "shortlisted"})),
    ("DELETE", "/regions/{code}/shortlist/{innovation_id}"): Policy(
        "mentor", 200, lambda s, ok: (f"/regions/73.72/shortlist/{decided(s)}", None)),
    ("POST", "/regions/{code}/replications"): Policy(
        "mentor", 201, lambda s, ok: ("/regions/73.72/replications", {"innovation_id": "M1", "stage": "dipilih"})),
    ("POST", "/batch"): Policy("mentor", 202, lambda s, ok: ("/batch", {"regions": ["35.01"],
                                                                        "k": 1 + next(JOB_K) % 100})),
    ("DELETE", "/batch/{job_id}"): Policy("mentor", 204, lambda s, ok: (f"/batch/{new_job(s)}", None)),
    ("PUT", "/innovations/{innovation_id}"): Policy(
        "admin", 201, lambda s, ok: (f"/innovations/{f'T-ACC-{time.monotonic_ns()}' if ok else 'M8'}", INNOVATION)),
    ("DELETE", "/innovations/{innovation_id}"): Policy(
        "admin", 204, lambda s, ok: (f"/innovations/{new_innovation(s) if ok else 'M8'}", None)),
}


def expected_write(policy: Policy, role: str, mode: str) -> int:
    if policy.who == "read" and mode == "open":
        return policy.success  # open reads ignore the key, right or wrong
    if role in ("none", "bad", "removed"):
        return 401
    if policy.who == "admin" and role == "mentor":
        return 403
    return policy.success


def snapshot(server: LiveServer) -> tuple:
    """Everything a write could change: the records, the index generation, the batch jobs."""
    uri = f"file:{server.home / 'matcher.db'}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        tables = tuple(conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()  # noqa: S608 - fixed names
                       for t in ("innovations", "gaps", "shortlist", "replications", "meta"))
    return tables, len(server.app.state.engine.jobs._jobs)


def test_the_route_list_agrees_with_openapi():
    spec = create_app(Settings(home=Path(tempfile.gettempdir()) / "matcher-routes-never-opened")).openapi()
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert {op for op in documented if op[0] in WRITE_METHODS} <= set(WRITE_ROUTES)
    assert {p for m, p in documented if m == "GET"} <= set(READ_ROUTES)
    assert len(WRITE_ROUTES) >= 8 and len(READ_ROUTES) >= 16


def test_every_write_route_has_a_policy_and_no_policy_is_stale():
    assert set(WRITE_ROUTES) == set(WRITES), "add the new write route to WRITES (who may call it)"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", WRITE_ROUTES, ids=[f"{m} {p}" for m, p in WRITE_ROUTES])
def test_write_route_by_role(servers, route, role, mode):
    policy = WRITES.get(route)
    if policy is None:
        pytest.fail(f"{route} has no entry in WRITES: say who may call it")
    server = servers(mode)
    want = expected_write(policy, role, mode)
    url, body = policy.build(server, want == policy.success)
    before = snapshot(server) if want in (401, 403) else None
    r = call(server, route[0], url, role, body)
    if want == 401:
        assert_error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"].startswith("ApiKey")
    elif want == 403:
        assert_error(r, 403, "forbidden")
    else:
        assert r.status_code == want, r.text
    if before is not None:
        assert snapshot(server) == before, "a refused request changed the store"


@pytest.mark.parametrize("role", ["none", "bad", "removed"])
def test_auth_is_checked_before_the_body_and_the_target(servers, role):
    """A caller without a valid key learns nothing: not whether the body is valid, nor whether the target exists."""
    server = servers("open")
    for method, path in WRITE_ROUTES:
        if WRITES[(method, path)].who == "read":
            continue
        url = path.replace("{code}", "99.99").replace("{gap_id}", "NOPE").replace("{innovation_id}", "NOPE")
        assert_error(call(server, method, url, role, {"unexpected": True}), 401, "unauthorized")


READ_OPEN = {"/health", "/", "/openapi.json", "/static/{path}"}  # open whatever the settings; no data in them
READ_KEYED = {"/me"}  # any valid key, whatever the settings
SAMPLE = {"code": "81.03", "innovation_id": "M1", "name": "summary.json", "path": "app.js", "gap_id": "MG1",
          "province": "81"}


def read_url(server: LiveServer, path: str) -> str:
    if "{job_id}" in path and not hasattr(server, "job_id"):
        r = call(server, "POST", "/batch", body={"regions": ["35.01"], "k": 1})
        assert r.status_code == 202, r.text
        server.job_id = wait_for_job(server, r.json()["id"])["id"]
    if path.endswith("/plan"):  # an action plan exists for a shortlisted pair only
        r = call(server, "POST", f"/regions/{SAMPLE['code']}/shortlist", "admin",
                 {"innovation_id": SAMPLE["innovation_id"], "decision": "shortlisted"})
        assert r.status_code == 201, r.text
    values = {**SAMPLE, "job_id": getattr(server, "job_id", "")}
    url = path
    for name in (part[1:-1] for part in path.split("/") if part.startswith("{")):
        if name not in values:
            pytest.fail(f"GET {path}: add a sample value for {{{name}}} to SAMPLE")
        url = url.replace(f"{{{name}}}", values[name])
    return url


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READ_ROUTES)
def test_read_route_by_role(servers, path, role, mode):
    server = servers(mode)
    r = call(server, "GET", read_url(server, path), role)
    keyed = path in READ_KEYED or (mode == "closed" and path not in READ_OPEN)
    if keyed and role in ("none", "bad", "removed"):
        assert_error(r, 401, "unauthorized")
    else:
        assert r.status_code == 200, r.text


def test_the_read_policy_names_only_real_routes():
    assert set(READ_ROUTES) >= READ_OPEN | READ_KEYED


# ---- 2. keys ------------------------------------------------------------------------------------------------
def test_the_service_store_keeps_only_salted_scrypt_hashes(servers):
    server = servers("open")
    secrets_ = {name: key.split("_", 2)[2] for name, key in server.keys.items()}
    uri = f"file:{server.home / 'matcher.db'}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        rows = {r["name"]: dict(r) for r in conn.execute("SELECT * FROM accounts")}
    assert set(rows) == {"mentor", "admin", "mentor2"}  # the removed account is gone
    raw = b"".join(p.read_bytes() for p in server.home.glob("matcher.db*"))
    for name, row in rows.items():
        key, secret = server.keys[name], secrets_[name]
        assert key.encode() not in raw and secret.encode() not in raw
        assert not any(secret in str(v) for v in row.values())
        params = json.loads(row["params"])
        assert params["n"] >= 2**14 and len(row["salt"]) == 16
        assert row["key_hash"] == hashlib.scrypt(secret.encode(), salt=row["salt"], maxmem=64 * 1024 * 1024, **params)
    assert len({r["salt"] for r in rows.values()}) == len(rows)  # a salt per account


def test_a_wrong_secret_for_a_real_key_id_is_refused_in_constant_time(servers, monkeypatch):
    server = servers("open")
    assert call(server, "GET", "/me", "admin").json()["role"] == "admin"  # the right key is cached now
    compared: list[tuple[int, int]] = []
    real = accounts_module.hmac.compare_digest
    monkeypatch.setattr(accounts_module.hmac, "compare_digest",
                        lambda a, b: compared.append((len(a), len(b))) or real(a, b))
    assert_error(call(server, "GET", "/me", "bad"), 401, "unauthorized")
    assert compared and all(n == (32, 32) for n in compared)  # scrypt hash against stored hash, never ==


# ---- 3. the rate limit ---------------------------------------------------------------------------------------
@pytest.fixture
def limited(_mini_home, tmp_path, e5_encoder, regions) -> Iterator[LiveServer]:
    """Limited to 3 a minute, on a clock standing 5 s into a minute (the requests of a test share one window)."""
    with serve(_mini_home, tmp_path / "home", e5_encoder, regions, clock=FakeClock(60 * 1_000 + 5),
               rate_limit_per_minute=3) as server:
        yield server


def assert_limited(r: httpx.Response, who: str) -> None:
    message = assert_error(r, 429, "rate_limited")["message"]
    assert who in message and 1 <= int(r.headers["retry-after"]) <= 60


def test_each_valid_key_has_its_own_budget(limited):
    get = lambda role: call(limited, "GET", "/provinces", role)  # noqa: E731
    for role in ("mentor", "mentor2"):  # two mentors behind one address
        statuses = [get(role).status_code for _ in range(4)]  # the first, not yet known, counts on the address
        assert statuses == [200] * 4
        assert_limited(get(role), "this API key")
    assert get("none").status_code == 200  # the address has spent 2 of 3
    assert_limited(get("none"), "this address")
    assert_limited(httpx.get(limited.url + "/provinces", headers=made_up_key(1)), "this address")
    assert call(limited, "GET", "/regions/81.03", "admin").status_code == 429  # a new key starts on the address
    assert get("mentor").status_code == 429  # still over its own budget
    assert httpx.get(limited.url + "/health").status_code == 200  # health checks are never limited
    limited.clock.advance(55)  # the next minute: every budget is whole again
    assert get("mentor").status_code == 200 and get("none").status_code == 200


def test_made_up_keys_share_the_address_budget_and_cost_no_scrypt(limited, monkeypatch):
    hashed: list[int] = []
    real = accounts_module._hash
    monkeypatch.setattr(accounts_module, "_hash", lambda *a: hashed.append(1) or real(*a))
    write = httpx.post(limited.url + "/regions/35.08/gaps", headers=made_up_key(1), json={"text": GAP_TEXT})
    assert_error(write, 401, "unauthorized")
    assert hashed == []  # a key id that does not exist costs no scrypt at all
    assert [httpx.get(limited.url + "/provinces", headers=made_up_key(n)).status_code for n in (2, 3)] == [200, 200]
    for n in range(4, 10):  # every new id still counts on the address: no fresh budget, no more scrypt
        assert_limited(httpx.get(limited.url + "/provinces", headers=made_up_key(n)), "this address")
    assert_limited(httpx.get(limited.url + "/provinces"), "this address")
    assert hashed == []
    bad = httpx.post(limited.url + "/match", headers=headers(limited, "bad"), json={"text": GAP_TEXT})
    assert bad.status_code == 429 and len(hashed) == 0  # over budget: not even a real key id is hashed


def test_a_wrong_secret_of_a_real_key_id_costs_one_scrypt(servers, monkeypatch):
    server = servers("open")
    hashed: list[int] = []
    real = accounts_module._hash
    monkeypatch.setattr(accounts_module, "_hash", lambda *a: hashed.append(1) or real(*a))
    assert_error(call(server, "POST", "/regions/35.08/gaps", "bad", {"text": GAP_TEXT}), 401, "unauthorized")
    assert len(hashed) == 1  # the rate limit's check is reused by the route: one scrypt, not two


# ---- 4. hostile text -----------------------------------------------------------------------------------------
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
HOSTILE = [
    {"id": "H1", "title": f'=HYPERLINK("http://evil","x") {SCRIPT}', "institution": f"@SUM(A1) {IMG}",
     "description": f"{IMG} Perahu perpustakaan keliling membawa buku bacaan ke anak-anak di pulau kecil setiap "
                    f"pekan. {SCRIPT}"},
    {"id": "H2", "title": f"+cmd|' /C calc'!A0 {IMG}", "institution": "-1+1 Dinas Perpustakaan",
     "description": '=HYPERLINK("http://evil","x") Taman bacaan anak di balai desa pulau kecil dengan relawan '
                    "yang membacakan buku."},
    # ids hold only letters, digits and -_.: (values.identifier), so "-" is the formula start an id can have
    {"id": "-1-1", "title": "-1+1 Pojok Baca Pelabuhan", "institution": "+cmd",
     "description": "@SUM(A1) Pojok baca di pelabuhan dan kapal penyeberangan agar anak-anak pulau kecil membaca "
                    "buku selama menunggu."},
    {"id": "-SUM:A1", "title": "@SUM(A1) Buku Masuk Pulau", "institution": "=1+1",
     "description": "+cmd Pengiriman buku bacaan anak ke sekolah di pulau kecil dengan kapal perintis setiap bulan."},
    # control characters (a terminal escape, BEL, NUL): no XLSX or DOCX file can hold them, yet exports must not fail
    {"id": "H5", "title": "Baca\x1b[31m Pulau\x07 Kecil", "institution": "Dinas\x00 Perpustakaan\x0b Daerah",
     "description": "Perahu baca\x1b keliling membawa buku bacaan anak ke pulau kecil\x0c setiap pekan."},
]
HOSTILE_GAP = {"id": "-HYPERLINK.g",
               "text": f"-1+1 anak-anak di pulau kecil jarang membaca buku {IMG}, perpustakaan daerah terlalu jauh"}
HOSTILE_DECISIONS = [{"innovation_id": "H1", "decision": "shortlisted", "note": f"@SUM(A1) {SCRIPT}", "who": "-1+1"},
                     {"innovation_id": "H5", "decision": "shortlisted", "note": "bel\x07"},
                     {"innovation_id": "-1-1", "decision": "rejected", "note": "+cmd", "who": IMG}]
REGION = "35.09"


@pytest.fixture(scope="module")
def hostile(_mini_home, tmp_path_factory, e5_encoder, regions) -> Iterator[LiveServer]:
    """A server whose catalogue holds HOSTILE, with a hostile gap and decisions for REGION, and a finished batch."""
    with serve(_mini_home, tmp_path_factory.mktemp("hostile") / "home", e5_encoder, regions) as server:
        for record in HOSTILE:
            body = {k: v for k, v in record.items() if k != "id"} | {"region_code": "73.01", "sector": "pendidikan",
                                                                     "contact": SCRIPT}
            r = call(server, "PUT", f"/innovations/{record['id']}", body=body)
            assert r.status_code == 201, r.text
        assert call(server, "POST", f"/regions/{REGION}/gaps", "mentor", HOSTILE_GAP).status_code == 201
        for decision in HOSTILE_DECISIONS:
            assert call(server, "POST", f"/regions/{REGION}/shortlist", "mentor", decision).status_code == 201
        recs = call(server, "GET", f"/regions/{REGION}/recommendations").json()["data"]
        assert {h["id"] for h in HOSTILE} <= {r["innovation"]["id"] for r in recs}
        # every variant its own row: the hostile records are one near-duplicate group, and each must show as text
        r = call(server, "POST", "/batch", "mentor", {"regions": [REGION], "k": 10, "all_variants": True})
        server.job = wait_for_job(server, r.json()["id"])
        yield server


def test_safe_cell_covers_every_formula_start():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert start in FORMULA_STARTS
        assert safe_cell(f"{start}1+1") == f"'{start}1+1" and unsafe_cell(f"'{start}1+1") == f"{start}1+1"
    assert safe_cell("1+1") == "1+1" and safe_cell(-1) == -1


def is_number(value: str) -> bool:
    """A number as our CSV writes it, with a decimal comma (the default dialect) or a point."""
    try:
        float(value.replace(",", ".", 1) if value.count(",") == 1 and "." not in value else value)
    except ValueError:
        return False
    return True


def assert_no_live_formula(values: list[str], where: str) -> None:
    """No text cell starts like a formula; a negative number (a score part) is a number, not a formula."""
    live = [v for v in values if v.startswith(FORMULA_STARTS) and not is_number(v)]
    assert not live, f"{where}: cells a spreadsheet would run: {live}"


def test_batch_csv_files_neutralise_every_formula(hostile):
    for name in (n for n in hostile.job["files"] if n.endswith(".csv")):
        r = call(hostile, "GET", f"/batch/{hostile.job['id']}/files/{name}")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
        assert_no_live_formula([cell for row in rows for cell in row], name)
    r = call(hostile, "GET", f"/batch/{hostile.job['id']}/files/recommendations.csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    by_id = {row["ID inovasi"]: row for row in rows}
    for record in HOSTILE:
        row = by_id[safe_cell(record["id"])]
        # as stored: control and bidi-override characters are removed on the way in (values.text)
        assert row["Judul inovasi"] == safe_cell(stored_text(record["title"]))
        assert row["Instansi asal"] == safe_cell(stored_text(record["institution"]))
    assert {row["ID kesenjangan"] for row in rows} == {"'" + HOSTILE_GAP["id"]}
    assert {row["Kesenjangan"] for row in rows} == {"'" + HOSTILE_GAP["text"]}


def test_batch_xlsx_has_no_formula_cell(hostile):
    r = call(hostile, "GET", f"/batch/{hostile.job['id']}/files/recommendations.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert_no_live_formula([c.value for c in cells if isinstance(c.value, str)], "recommendations.xlsx")
    titles = {c.value for c in cells}
    assert {safe_cell(office_text(h["title"])) for h in HOSTILE} <= titles
    assert "Baca[31m Pulau Kecil" in titles  # what XML cannot hold is dropped, the rest kept


def test_shortlist_csv_neutralises_titles_notes_and_names(hostile):
    r = call(hostile, "GET", f"/regions/{REGION}/shortlist?format=csv", "none")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert_no_live_formula([v for row in rows for v in row.values()], "shortlist csv")
    h1 = next(row for row in rows if row["innovation_id"] == "H1")
    assert h1["title"] == "'" + HOSTILE[0]["title"] and h1["note"] == f"'@SUM(A1) {SCRIPT}" and h1["who"] == "'-1+1"
    assert h1["institution"] == "'" + HOSTILE[0]["institution"]
    other = next(row for row in rows if row["innovation_id"] == "'-1-1")
    assert other["note"] == "'+cmd" and other["who"] == IMG  # HTML is harmless in a CSV cell: kept as typed


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_inert(html: str, texts: list[str], where: str) -> None:
    """No script, no event handler, no image but inline data, and each hostile text shown as written."""
    page = Page(html)
    assert "script" not in [t for t, _ in page.tags], where
    assert not [(t, a) for t, a in page.tags for name in a if name.startswith("on")], where
    assert all((a.get("src") or "").startswith("data:") for t, a in page.tags if t == "img"), where
    shown = " ".join("".join(page.text).split())
    for text in texts:
        assert " ".join(text.split()) in shown, f"{where}: {text!r} not shown as text"


def test_html_report_shows_hostile_text_as_text(hostile):
    name = next(n for n in hostile.job["files"] if n.startswith("report-"))
    r = call(hostile, "GET", f"/batch/{hostile.job['id']}/files/{name}", "none")
    assert r.headers["content-disposition"].startswith("attachment")  # downloaded, not rendered on the API's origin
    assert "script-src 'self'" in r.headers["content-security-policy"]
    texts = [stored_text(h[f]) for f in ("title", "institution") for h in HOSTILE] + [HOSTILE_GAP["text"]]
    assert_inert(r.text, texts, name)
    assert not CONTROL.search(r.text)  # none reached the report raw


def test_html_plan_shows_hostile_text_as_text(hostile, tmp_path, e5_encoder, regions):
    matcher = Matcher(Settings(home=hostile.home), encoder=e5_encoder, regions=regions)
    path = write_plan(draft_plan(matcher, REGION, "H1"), tmp_path / "plan.html")
    h1 = HOSTILE[0]
    assert_inert(path.read_text(encoding="utf-8"), [h1["title"], h1["institution"], SCRIPT], "plan.html")


def test_docx_plan_survives_control_characters(hostile, tmp_path, e5_encoder, regions):
    from docx import Document

    matcher = Matcher(Settings(home=hostile.home), encoder=e5_encoder, regions=regions)
    path = write_plan(draft_plan(matcher, REGION, "H5"), tmp_path / "plan.docx")
    doc = Document(str(path))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "Baca[31m Pulau Kecil" in text and "Dinas Perpustakaan Daerah" in text and "\x1b" not in text


def test_mentor_page_shows_hostile_text_literally(hostile):
    sync_api = pytest.importorskip("playwright.sync_api")
    from helpers.browser import ARGS, CHROMIUM  # the same Chromium and flags as the page tests

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="id-ID")
            problems: list[str] = []
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("dialog", lambda d: problems.append(f"dialog: {d.message}") or d.dismiss())
            page.goto(f"{hostile.url}/#{REGION}")
            page.wait_for_selector("#recs-status:has-text('inovasi')")
            page.check("#f-show-weak")  # a tiny catalogue under the default thresholds: every match is weak
            # the hostile records are variants of one idea: one card, the others named in its group note, as text
            notes = " ".join(page.locator(".rec .group-note").all_text_contents())
            carded = [r for r in HOSTILE if page.locator(f".rec[data-id='{r['id']}']").count()]
            assert carded and all(stored_text(r["title"]) in notes for r in HOSTILE if r not in carded)
            page.check("#f-all-variants")  # then every variant on its own card
            for record in HOSTILE:
                card = page.locator(f".rec[data-id='{record['id']}']")
                sync_api.expect(card).to_have_count(1, timeout=30_000)
                assert card.locator("h4").text_content() == stored_text(record["title"])
                assert stored_text(record["institution"]) in card.locator(".origin").text_content()
            page.wait_for_selector("#shortlist-body tr[data-id='H1']")
            assert f"@SUM(A1) {SCRIPT}" in page.locator("#shortlist-body").text_content()
            assert HOSTILE_GAP["text"] in page.locator("#gap-list").text_content()
            more = page.locator(".rec .more:visible")
            if more.count():
                more.first.click()  # expanded evidence: still text
            page.goto(f"{hostile.url}/#inovasi/H1")  # the innovation view, its contact field included
            sync_api.expect(page.locator("#inv-title")).to_have_text(HOSTILE[0]["title"])
            assert SCRIPT in page.locator("#inv-contact").text_content()
            assert HOSTILE[0]["description"] in page.locator("#inv-description").text_content()
            assert page.locator("img:not([src^='/static/'])").count() == 0  # only the page's own logo
            assert page.locator("script:not([src])").count() == 0
            assert page.locator("[onerror], [onclick], [onload]").count() == 0
            assert page.evaluate("document.querySelectorAll('script').length") == len(
                page.locator("script[src^='/static/']").all())
            assert problems == []
        finally:
            browser.close()

