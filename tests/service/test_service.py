"""The HTTP service over real HTTP: a uvicorn server on a loopback port, a real store in a temporary folder.

Every endpoint, the API keys and roles, the limits, and the one error shape.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from helpers.clock import FakeClock, with_clock
from helpers.live_server import LiveServer, assert_error, auth, free_port, running_service, service_app

from matcher.config import Settings
from matcher.data.loaders import Innovation
from matcher.data.regions import HUB_PROVINCES
from matcher.facade import Matcher
from matcher.store.accounts import Accounts
from matcher.store.database import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def svc(_mini_home, tmp_path_factory, e5_encoder, regions):
    with running_service(_mini_home, tmp_path_factory.mktemp("svc") / "home", e5_encoder, regions) as server:
        yield server


@pytest.fixture(scope="module")
def client(svc):
    with httpx.Client(base_url=svc.url, timeout=60) as c:
        yield c


# ---- reads ------------------------------------------------------------------------------------------------
def test_health_reports_the_index(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["innovations"] >= 8 and r.json()["model"]


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    wanted = {("get", "/health"), ("get", "/regions"), ("get", "/regions/{code}"), ("get", "/regions/{code}/gaps"),
              ("post", "/regions/{code}/gaps"), ("put", "/gaps/{gap_id}"), ("delete", "/gaps/{gap_id}"),
              ("get", "/regions/{code}/recommendations"), ("post", "/match"), ("get", "/innovations"),
              ("get", "/innovations/{innovation_id}"), ("get", "/innovations/{innovation_id}/similar"),
              ("put", "/innovations/{innovation_id}"), ("delete", "/innovations/{innovation_id}"),
              ("post", "/regions/{code}/shortlist"), ("get", "/regions/{code}/shortlist"), ("get", "/provinces")}
    assert wanted <= {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert "ErrorPublic" in spec["components"]["schemas"] and "RecommendationsPublic" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert client.get("/docs").status_code == 404  # Swagger UI needs a CDN and inline script


def test_provinces_hub_first(client):
    data = client.get("/provinces").json()["data"]
    assert [p["code"] for p in data[:12]] == list(HUB_PROVINCES) and all(p["hub"] for p in data[:12])
    assert not any(p["hub"] for p in data[12:]) and len(data) == 38


def test_regions_by_province_and_name_with_paging(client):
    r = client.get("/regions", params={"province": "Jawa Timur", "q": "malang"}).json()
    assert {x["code"] for x in r["data"]} == {"35.07", "35.73"} and r["count"] == 2
    page2 = client.get("/regions", params={"province": "35", "per_page": 5, "page": 2}).json()
    assert page2["count"] == 38 and [x["code"] for x in page2["data"]] == ["35.06", "35.07", "35.08", "35.09", "35.10"]
    assert client.get("/regions", params={"province": "35", "page": 99}).json()["data"] == []
    assert_error(client.get("/regions", params={"province": "Atlantis"}), 404, "not_found")


def test_region_by_code_or_name(client):
    assert client.get("/regions/81.03").json()["gaps"] >= 1
    assert client.get("/regions/Kota Malang").json()["code"] == "35.73"
    assert "35.07" in assert_error(client.get("/regions/Malang"), 400, "ambiguous")["message"]
    assert_error(client.get("/regions/99.99"), 404, "not_found")


def test_innovations_list_search_filters_and_paging(client):
    everything = client.get("/innovations").json()
    assert everything["count"] >= 8 and [i["id"] for i in everything["data"][:2]] == ["M1", "M2"]
    assert [i["id"] for i in client.get("/innovations", params={"q": "SAMPAH sekolah"}).json()["data"]] == ["M4"]
    health = client.get("/innovations", params={"sector": "kesehatan", "province": "Maluku"}).json()
    assert [i["id"] for i in health["data"]] == ["M1"] and health["data"][0]["origin_name"] == "Kabupaten Maluku Tengah"
    page = client.get("/innovations", params={"per_page": 3, "page": 2}).json()
    assert [i["id"] for i in page["data"]] == ["M4", "M5", "M6"]
    assert_error(client.get("/innovations", params={"sector": "astrologi"}), 422, "validation_error")


def test_innovation_detail_and_similar(client):
    m8 = client.get("/innovations/M8").json()
    assert m8["origin_name"] == "nasional" and m8["region_code"] is None
    assert_error(client.get("/innovations/NOPE"), 404, "not_found")
    similar = client.get("/innovations/M1/similar", params={"k": 3}).json()
    ids, scores = [s["innovation"]["id"] for s in similar["data"]], [s["score"] for s in similar["data"]]
    assert "M1" not in ids and len(ids) == 3 and scores == sorted(scores, reverse=True)
    assert ids[0] in {"M7", "M2"}  # the other maternal-health innovations
    assert_error(client.get("/innovations/NOPE/similar"), 404, "not_found")


def test_match_free_text_with_region_and_filters(client):
    text = "bumil di pulau kecil susah dirujuk, tidak ada perahu"
    top = client.post("/match", json={"text": text, "k": 3}).json()
    assert top["count"] == 3 and top["data"][0]["innovation"]["id"] == "M1"
    assert "perahu" in top["data"][0]["matched_terms"] and top["data"][0]["best_sentence"]
    own = client.post("/match", json={"text": text, "region": "81.01"}).json()["data"]
    assert "M1" not in [m["innovation"]["id"] for m in own]
    digital = client.post("/match", json={"text": text, "filters": {"digital": True, "sector": ["kesehatan"]}}).json()
    assert [m["innovation"]["id"] for m in digital["data"]] == ["M2"]
    assert_error(client.post("/match", json={"text": text, "region": "Atlantis"}), 404, "not_found")
    assert_error(client.post("/match", json={"text": "   "}), 422, "validation_error")
    assert_error(client.post("/match", json={}), 422, "validation_error")


def test_recommendations_with_filters_and_k(client):
    recs = client.get("/regions/81.03/recommendations", params={"k": 3}).json()
    assert 1 <= recs["count"] <= 3 and recs["data"][0]["innovation"]["id"] == "M1"
    first = recs["data"][0]
    assert first["gaps"][0]["gap_id"] == "MG1" and first["gaps"][0]["matched_terms"]
    assert set(first["parts"]) == {"relevance", "maturity", "recognition", "proximity", "similarity", "peers"}
    assert abs(sum(first["parts"].values()) - first["score"]) < 1e-3
    digital = client.get("/regions/81.03/recommendations", params={"digital": "true", "stage": "penerapan"}).json()
    assert digital["data"] and all(r["innovation"]["digital"] and r["innovation"]["stage"] == "penerapan"
                                   for r in digital["data"])
    awards = client.get("/regions/81.03/recommendations", params=[("award", "iga"), ("award", "top_45")]).json()
    assert {r["innovation"]["award"] for r in awards["data"]} <= {"iga", "top_45"}
    assert client.get("/regions/35.01/recommendations").json() == {"data": [], "count": 0, "coverage": []}  # no gaps


def test_recommendation_lists_are_cached_but_never_stale(client, svc):
    cache = svc.app.state.engine.cache
    first = client.get("/regions/81.03/recommendations", params={"k": 4}).json()
    hits = cache.hits
    assert client.get("/regions/81.03/recommendations", params={"k": 4}).json() == first and cache.hits == hits + 1
    client.get("/regions/81.03/recommendations", params={"k": 4, "sector": "kesehatan"})
    assert cache.hits == hits + 1  # other filters: another list
    # edits, decisions and new index generations change the key: see the write tests below


# ---- writes -----------------------------------------------------------------------------------------------
def test_gap_crud_takes_effect_in_the_next_recommendation_call(client, svc):
    url = "/regions/35.08/recommendations"
    assert client.get(url).json()["count"] == 0
    created = client.post("/regions/35.08/gaps", headers=auth(svc),
                          json={"text": "Sampah plastik sekolah menumpuk, TPA hampir penuh", "priority": 1})
    assert created.status_code == 201, created.text
    gap = created.json()
    assert gap["region_code"] == "35.08" and gap["metadata"]["created_by"] == "mentor"
    assert client.get(url).json()["data"][0]["innovation"]["id"] == "M4"
    assert client.get("/regions/35.08/gaps").json()["data"] == [gap]
    edited = client.put(f"/gaps/{gap['id']}", headers=auth(svc, "mentor2"),
                        json={"text": "Bayi baru lahir belum punya akta kelahiran", "sector": "administrasi_kependudukan"})
    assert edited.status_code == 200 and edited.json()["metadata"]["updated_by"] == "mentor2"
    assert client.get(url).json()["data"][0]["innovation"]["id"] in {"M3", "M5"}
    assert client.delete(f"/gaps/{gap['id']}", headers=auth(svc)).status_code == 204
    assert client.get(url).json()["count"] == 0
    assert_error(client.delete(f"/gaps/{gap['id']}", headers=auth(svc)), 404, "not_found")
    assert_error(client.put("/gaps/NOPE", headers=auth(svc), json={"text": "x"}), 404, "not_found")


def test_gap_input_is_validated(client, svc):
    post = lambda body: client.post("/regions/35.08/gaps", headers=auth(svc), json=body)  # noqa: E731
    assert_error(post({"text": "x", "id": "MG1"}), 409, "conflict")
    assert_error(post({"text": "x", "sector": "astrologi"}), 422, "validation_error")
    assert_error(post({"text": "x", "priority": 9}), 422, "validation_error")
    assert_error(post({"text": "x", "region_code": "35.07"}), 422, "validation_error")  # no unknown fields
    too_long = assert_error(post({"text": "a" * 5001}), 422, "validation_error")
    assert too_long["details"] == [{"field": "text", "reason": "too long: 5001 characters, the limit is 5000"}]
    assert_error(post({"text": "  "}), 422, "validation_error")
    assert_error(client.post("/regions/99.99/gaps", headers=auth(svc), json={"text": "x"}), 404, "not_found")


def test_admin_edits_the_catalogue_without_rebuild(client, svc):
    body = {"title": "Posyandu Terapung", "description": "Perahu posyandu keliling menimbang balita di desa-desa "
            "pesisir yang terpencil setiap bulan.", "region_code": "Kabupaten Maluku Tengah", "sector": "kesehatan",
            "stage": "penerapan", "digital": False, "award": "top_99", "contact": "dinkes@example.id"}
    generation = client.get("/health").json()["generation"]
    assert_error(client.put("/innovations/T-NEW", json=body), 401, "unauthorized")
    assert_error(client.put("/innovations/T-NEW", headers=auth(svc), json=body), 403, "forbidden")
    created = client.put("/innovations/T-NEW", headers=auth(svc, "admin"), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["region_code"] == "81.01" and created.json()["metadata"] == {"contact": "dinkes@example.id"}
    assert client.get("/health").json()["generation"] != generation
    found = client.post("/match", json={"text": "posyandu terapung balita pesisir", "k": 1}).json()["data"]
    assert found[0]["innovation"]["id"] == "T-NEW"
    updated = client.put("/innovations/T-NEW", headers=auth(svc, "admin"), json={**body, "title": "Posyandu Apung"})
    assert updated.status_code == 200 and client.get("/innovations/T-NEW").json()["title"] == "Posyandu Apung"
    assert_error(client.put("/innovations/T-BAD", headers=auth(svc, "admin"), json={**body, "stage": "ide"}),
                 422, "validation_error")
    assert client.delete("/innovations/T-NEW", headers=auth(svc, "admin")).status_code == 204
    assert_error(client.get("/innovations/T-NEW"), 404, "not_found")
    assert_error(client.delete("/innovations/T-NEW", headers=auth(svc, "admin")), 404, "not_found")


def test_another_writer_is_seen_without_restart(client, svc, e5_encoder, regions):
    """A second process (another worker, the CLI) commits a new index generation; the server reloads it."""
    other = Matcher(Settings(home=svc.home), encoder=e5_encoder, regions=regions)
    other.index([Innovation("T-OTHER", "Pasar Apung", "Pasar terapung untuk nelayan.", sector="ekonomi_umkm")],
                replace=False)
    assert client.get("/innovations/T-OTHER").json()["title"] == "Pasar Apung"
    other.index(None, replace=False, delete_innovations=["T-OTHER"])
    assert_error(client.get("/innovations/T-OTHER"), 404, "not_found")


def test_shortlist_records_the_account_and_exports_csv(client, svc):
    url = "/regions/73.72/shortlist"
    first = client.post(url, headers=auth(svc), json={"innovation_id": "M5", "decision": "shortlisted",
                                                      "note": "=HYPERLINK(\"x\")", "who": "Dr. Ani"})
    assert first.status_code == 201, first.text
    assert first.json()["who"] == "Dr. Ani" and first.json()["account"] == "mentor"
    client.post(url, headers=auth(svc, "mentor2"), json={"innovation_id": "M4", "decision": "rejected"})
    listed = client.get(url).json()
    assert listed["count"] == 2 and [e["innovation_id"] for e in listed["data"]] == ["M5", "M4"]
    assert listed["data"][1]["who"] == listed["data"][1]["account"] == "mentor2"
    assert [e["innovation_id"] for e in client.get(url, params={"decision": "rejected"}).json()["data"]] == ["M4"]
    recs = client.get("/regions/73.72/recommendations").json()["data"]
    assert {r["innovation"]["id"]: (r["decision"] or {}).get("decision") for r in recs}["M5"] == "shortlisted"
    hidden = client.get("/regions/73.72/recommendations", params={"hide_rejected": "true"}).json()["data"]
    assert "M4" not in [r["innovation"]["id"] for r in hidden]

    csv = client.get(url, params={"format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert 'filename="daftar-pendek-73.72.csv"' in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("region_code,region_name,innovation_id,title") and len(lines) == 3
    assert "'=HYPERLINK" in lines[1] and "Dr. Ani" in lines[1] and ",mentor," in lines[1]

    client.post(url, headers=auth(svc), json={"innovation_id": "M5", "decision": "replicated"})
    assert "M5" not in [r["innovation"]["id"] for r in client.get("/regions/73.72/recommendations").json()["data"]]
    post = lambda body: client.post(url, headers=auth(svc), json=body)  # noqa: E731
    assert_error(post({"innovation_id": "NOPE", "decision": "shortlisted"}), 404, "not_found")
    assert_error(post({"innovation_id": "M1", "decision": "maybe"}), 422, "validation_error")
    assert_error(post({"innovation_id": "M1", "decision": "rejected", "note": "x" * 2001}), 422, "validation_error")


# ---- auth, limits, errors, headers --------------------------------------------------------------------------
WRITES = [("post", "/regions/35.08/gaps", {"text": "x"}), ("put", "/gaps/MG1", {"text": "x"}),
          ("delete", "/gaps/MG1", None), ("post", "/regions/81.03/shortlist", {"innovation_id": "M1", "decision": "rejected"}),
          ("put", "/innovations/M1", {"title": "x", "description": "y"}), ("delete", "/innovations/M1", None)]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_need_a_valid_key(client, svc, method, path, body):
    send = lambda **kw: client.request(method, path, json=body, **kw)  # noqa: E731
    missing = send()
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"].startswith("ApiKey")
    key = svc.keys["mentor"]
    wrong_secret = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for bad in (wrong_secret, "mk_000000000000_" + "A" * 43, "not-a-key", ""):
        assert_error(send(headers={"X-API-Key": bad}), 401, "unauthorized")
    if "innovations" in path:
        assert_error(send(headers=auth(svc)), 403, "forbidden")


def test_a_removed_account_stops_at_once(client, svc):
    accounts = Accounts(Store(svc.home))
    _, key = accounts.add("temp", "mentor")
    assert client.get("/me", headers={"X-API-Key": key}).json() == {"name": "temp", "role": "mentor"}
    accounts.remove("temp")
    assert_error(client.get("/me", headers={"X-API-Key": key}), 401, "unauthorized")


def test_request_limits_give_clear_4xx(client):
    big = b'{"text": "' + b"a" * 2_000_000 + b'"}'
    assert "limit" in assert_error(client.post("/match", content=big, headers={"Content-Type": "application/json"}),
                                   413, "too_large")["message"]
    streamed = client.post("/match", content=iter([big[:600_000], big[600_000:]]),
                           headers={"Content-Type": "application/json"})  # chunked: no Content-Length
    assert_error(streamed, 413, "too_large")
    message = assert_error(client.post("/match", json={"text": "a" * 5001}), 422, "validation_error")["message"]
    assert "5001 characters, the limit is 5000" in message
    for k in (0, 101):
        assert_error(client.get("/regions/81.03/recommendations", params={"k": k}), 422, "validation_error")
        assert_error(client.post("/match", json={"text": "x", "k": k}), 422, "validation_error")
    assert_error(client.get("/innovations", params={"per_page": 10_000}), 422, "validation_error")


def test_every_error_has_the_same_shape(client):
    assert_error(client.get("/no/such/route"), 404, "not_found")
    assert_error(client.delete("/health"), 405, "method_not_allowed")
    bad_json = client.post("/match", content=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(bad_json, 422, "validation_error")
    assert_error(client.get("/regions/81.03/recommendations", params={"digital": "perhaps"}), 422, "validation_error")


def test_security_headers_and_no_cors_by_default(client):
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert client.get("/regions").headers["cache-control"] == "no-store"
    preflight = client.options("/regions", headers={"Origin": "https://evil.example",
                                                    "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in client.get("/regions", headers={"Origin": "https://evil.example"}).headers


def test_page_has_no_inline_script_style_or_outside_asset(client):
    html = client.get("/").text
    assert "Kesenjangan dan kebutuhan" in html and 'lang="id"' in html
    assert all(re.search(r'\bsrc="/static/', tag) for tag in re.findall(r"<script[^>]*>", html))
    assert all(not body.strip() for body in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S))
    assert not re.search(r"\s(on\w+|style)=", html) and "<style" not in html
    for path in ("/static/app.js", "/static/lib.js", "/static/cards.js", "/static/style.css", "/static/favicon.svg"):
        asset = client.get(path)
        assert asset.status_code == 200 and asset.headers["content-security-policy"]
        assert not re.search(r"(https?:)?//(?!www\.w3\.org)[\w.-]+\.\w+/", asset.text)
    for name in ("app", "lib", "cards"):
        js = client.get(f"/static/{name}.js").text
        assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "document.write" not in js


# ---- servers with other settings ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def other_server(svc, e5_encoder, regions):
    def start(**settings):
        return LiveServer(service_app(svc.home, e5_encoder, regions, **settings))
    return start


def test_reads_can_require_a_key(svc, other_server):
    with other_server(read_requires_key=True) as server, httpx.Client(base_url=server.url) as c:
        assert_error(c.get("/regions"), 401, "unauthorized")
        assert_error(c.get("/regions", headers={"X-API-Key": "mk_000000000000_" + "A" * 43}), 401, "unauthorized")
        assert c.get("/regions", headers=auth(svc)).status_code == 200
        assert c.post("/match", headers=auth(svc, "admin"), json={"text": "sampah"}).status_code == 200
        assert c.get("/health").status_code == 200 and c.get("/").status_code == 200


def test_rate_limit_answers_429(svc, e5_encoder, regions):
    """The production middleware stack on loopback, its rate limit on a clock 5 s into a minute."""
    clock = FakeClock(60 * 1_000 + 5)
    app = with_clock(service_app(svc.home, e5_encoder, regions, rate_limit_per_minute=3), clock)
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as c:
        assert [c.get("/provinces").status_code for _ in range(3)] == [200] * 3
        limited = c.get("/provinces")
        assert_error(limited, 429, "rate_limited")
        assert limited.headers["retry-after"] == "55"
        assert c.get("/health").status_code == 200  # health checks are not limited
        clock.advance(55)
        assert c.get("/provinces").status_code == 200  # a new minute, a new budget


def test_cors_only_for_configured_origins(other_server):
    with other_server(cors_origins=["https://mentor.example"]) as server, httpx.Client(base_url=server.url) as c:
        ok = c.get("/regions", headers={"Origin": "https://mentor.example"})
        assert ok.headers["access-control-allow-origin"] == "https://mentor.example"
        assert "access-control-allow-origin" not in c.get("/regions", headers={"Origin": "https://evil.example"}).headers


def test_unexpected_errors_are_500_without_details(svc, e5_encoder, regions):
    app = service_app(svc.home, e5_encoder, regions)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    with LiveServer(app) as server, httpx.Client(base_url=server.url) as c:
        r = c.get("/boom")
        error = assert_error(r, 500, "internal_error")
        assert "secret" not in r.text and "passwd" not in r.text and "RuntimeError" not in error["message"]


def test_health_without_an_index_is_503(tmp_path, e5_encoder, regions):
    with LiveServer(service_app(tmp_path / "empty", e5_encoder, regions)) as server:
        error = assert_error(httpx.get(server.url + "/health"), 503, "store_unavailable")
        assert "matcher index" in error["message"]


def test_matcher_serve_runs_the_service(svc):
    """The CLI entry point: `matcher serve` in its own process, settings from the environment."""
    port = free_port()
    env = {**os.environ, "MATCHER_HOME": str(svc.home)}
    proc = subprocess.Popen([sys.executable, "-m", "matcher.cli", "serve", "--port", str(port), "--log-level",
                             "warning"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health.status_code == 200 and "server" not in health.headers
        assert httpx.get(f"http://127.0.0.1:{port}/").headers["content-type"].startswith("text/html")
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    bad = subprocess.run([sys.executable, "-m", "matcher.cli", "serve", "--port", "0"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "--port" in bad.stderr
