"""The whole HTTP API fuzzed from its own OpenAPI spec with schemathesis, over real HTTP against a live server.

Every operation in ``/openapi.json`` is fuzzed twice: once without a valid key (the X-API-Key header is absent
or generated junk, so writes must stop at 401), and once with a valid admin key, so the generated bodies and
parameters get past authentication into validation and the handlers. Each answer must be no 5xx, a documented
status code, with the documented content type and a body that matches the documented schema.

The admin run deletes and replaces innovations and gaps, so the module runs its own server over its own copy
of the store. Bounded and reproducible: a fixed seed, derandomized generation, no example database, and at most
``MAX_EXAMPLES`` fuzzed cases per operation on top of the examples and coverage phases.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from helpers.live_server import LiveServer, service_app, service_home
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from matcher.config import Settings
from service.app import create_app

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 200  # fuzzing-phase cases per operation and run; the coverage phase adds its own, bounded, cases
SEED = 20240607
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
KEYED = {"POST /regions/{code}/gaps", "PUT /gaps/{gap_id}", "DELETE /gaps/{gap_id}", "PUT /innovations/{innovation_id}",
          "DELETE /innovations/{innovation_id}", "POST /regions/{code}/shortlist", "POST /batch", "DELETE /batch/{job_id}",
          "GET /me", "DELETE /regions/{code}/shortlist/{innovation_id}", "POST /regions/{code}/replications"}
# Ids that exist in the mini store, so that half the generated ids and codes reach past the 404 into the handlers.
KNOWN = {
    "regions": ["81.03", "73.72", "35.08", "Kota Malang", "Malang", "kab. maluku tengah"],
    "provinces": ["81", "Maluku", "jawa timur"],
    "innovations": ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8"],
    "gaps": ["MG1", "MG2", "MG3"],
    "jobs": ["finished-job"],  # stands for the id of ``finished_job``, known only at run time
    "files": [f"file-{i}" for i in range(10)],  # stand for the names in its ``files``
}
BINDINGS = {"path.code": "regions", "body.region": "regions", "body.region_code": "regions",
            "body.regions[*]": "regions", "query.province": "provinces", "body.provinces[*]": "provinces",
            "body.filters.province[*]": "provinces", "path.province": "provinces", "path.innovation_id": "innovations",
            "body.innovation_id": "innovations", "path.gap_id": "gaps", "path.job_id": "jobs", "path.name": "files"}
CASES: Counter[tuple[str, str, int]] = Counter()  # (run, operation, status) -> cases sent


def fuzz_config(with_key_header: bool) -> schemathesis.Config:
    """``with_key_header``: let schemathesis generate the X-API-Key header (junk or absent) itself."""
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                       "with-security-parameters": with_key_header},
        "dictionaries": {name: {"values": values} for name, values in KNOWN.items()},
        "parameters": {key: {"dictionary": name, "probability": 0.5} for key, name in BINDINGS.items()},
    })


@pytest.fixture(scope="module")
def fuzz_svc(_mini_home, tmp_path_factory, e5_encoder, regions) -> Iterator[LiveServer]:
    """A private server: the fuzzer sends hundreds of requests a minute from one address, which the default
    rate limit (600 a minute) would answer with 429 before the handlers ever ran."""
    home, keys = service_home(_mini_home, tmp_path_factory.mktemp("fuzz-svc") / "home")
    # limits that answer 503 busy by design (tested in test_hardening.py) are lifted: this is about the spec
    with LiveServer(service_app(home, e5_encoder, regions, rate_limit_per_minute=1_000_000, batch_max_jobs=1000,
                                work_queue_size=1000)) as server:
        server.keys, server.home = keys, home  # type: ignore[attr-defined]
        for code in ("81.03", "73.72", "35.08", "35.73"):  # shortlisted pairs: the plan and undo routes get past 404
            for innovation in KNOWN["innovations"]:
                r = requests.post(f"{server.url}/regions/{code}/shortlist", headers={"X-API-Key": keys["admin"]},
                                  json={"innovation_id": innovation, "decision": "shortlisted"}, timeout=60)
                assert r.status_code == 201, r.text
        yield server


@pytest.fixture(scope="module")
def finished_job(fuzz_svc) -> dict:
    """A batch job run to the end before the fuzzing, so that its status and files can be fuzzed too."""
    headers = {"X-API-Key": fuzz_svc.keys["admin"]}
    job = requests.post(f"{fuzz_svc.url}/batch", json={"regions": ["81.03", "73.72"], "k": 3}, headers=headers,
                        timeout=60).json()
    deadline = time.monotonic() + 120
    while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = requests.get(f"{fuzz_svc.url}/batch/{job['id']}", timeout=60).json()
    assert job["status"] == "done", job
    return job


def with_job(case, job: dict) -> None:
    """Put the finished job's id and file names where the generator drew their stand-ins."""
    params = case.path_parameters or {}
    if params.get("job_id") == "finished-job":
        params["job_id"] = job["id"]
    name = params.get("name")
    if isinstance(name, str) and name.startswith("file-") and name[5:].isdigit():
        params["name"] = job["files"][int(name[5:]) % len(job["files"])]


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def openapi_spec() -> dict:
    """The spec as the app builds it. Built at collection time, because schemathesis parametrizes the tests
    then; ``test_the_live_server_serves_this_spec`` checks that the server under test serves the same one.
    (``schemathesis.pytest.from_fixture``, which would fetch it from the live server, fails under pytest 9.2:
    it rewrites ``Function._nodeid``, which pytest no longer has.)"""
    return create_app(Settings(home=Path("unused"))).openapi()  # the lifespan, which opens the store, never runs


SPEC = openapi_spec()
anonymous = schemathesis.openapi.from_dict(SPEC, config=fuzz_config(with_key_header=True))
as_admin = schemathesis.openapi.from_dict(SPEC, config=fuzz_config(with_key_header=False))


def test_the_live_server_serves_this_spec(fuzz_svc, http):
    assert http.get(f"{fuzz_svc.url}/openapi.json", timeout=60).json() == SPEC


@anonymous.parametrize()
def test_fuzz_without_a_key(case, http, fuzz_svc, finished_job):
    with_job(case, finished_job)
    response = case.call(base_url=fuzz_svc.url, session=http, timeout=60)
    CASES["anonymous", case.operation.label, response.status_code] += 1
    case.validate_response(response, checks=CHECKS)
    if case.operation.label in KEYED:  # the writes, and /me: refused, for want of a key or as malformed
        assert response.status_code >= 400, response.text


def admin_case(case, http, fuzz_svc, job: dict) -> None:
    with_job(case, job)
    response = case.call(base_url=fuzz_svc.url, session=http, headers={"X-API-Key": fuzz_svc.keys["admin"]},
                         timeout=60)
    CASES["admin", case.operation.label, response.status_code] += 1
    case.validate_response(response, checks=CHECKS)
    assert response.status_code != 401, response.text


@as_admin.exclude(method="DELETE").parametrize()
def test_fuzz_with_an_admin_key(case, http, fuzz_svc, finished_job):
    admin_case(case, http, fuzz_svc, finished_job)


@as_admin.include(method="DELETE").parametrize()
def test_fuzz_deletes_with_an_admin_key(case, http, fuzz_svc, finished_job):
    """Last, so that the other operations run on a store that still has the known gaps and innovations."""
    admin_case(case, http, fuzz_svc, finished_job)


def test_every_operation_was_fuzzed_past_the_refusals():
    """Every operation got cases in each run that ran, and answered 2xx at least once: with the admin key all
    of them, without a key all but the keyed ones. Prints the answers by status, and the number of cases."""
    operations = {result.ok().label for result in anonymous.get_all_operations()}
    runs = sorted({run for run, _, _ in CASES})
    if not runs:
        pytest.skip("the fuzz tests of this module did not run")
    for run in runs:
        assert {op for r, op, _ in CASES if r == run} == operations, run
        succeeded = {op for r, op, status in CASES if r == run and 200 <= status < 300}
        assert succeeded == (operations if run == "admin" else operations - KEYED), (run, operations - succeeded)
    print(f"\n{sum(CASES.values())} cases over {len(operations)} operations: "
          + ", ".join(f"{run} {sum(n for (r, _, _), n in CASES.items() if r == run)}" for run in runs))
    for run, op in sorted({(r, op) for r, op, _ in CASES}):
        statuses = sorted((status, n) for (r, o, status), n in CASES.items() if (r, o) == (run, op))
        print(f"  {run:9} {op:45} " + " ".join(f"{status}x{n}" for status, n in statuses))
