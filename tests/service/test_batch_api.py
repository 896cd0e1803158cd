"""Batch runs as background jobs of the service, over real HTTP against a uvicorn server."""

from __future__ import annotations

import csv
import io
import threading
import time

import httpx
import pytest
from helpers.live_server import assert_error, auth, running_service

from matcher.errors import ConfigError, NotFoundError
from service.jobs import BatchJobs

pytestmark = pytest.mark.slow
REGIONS = ["81.03", "73.72", "Kota Malang"]  # two with gap statements, one without


@pytest.fixture(scope="module")
def svc(_mini_home, tmp_path_factory, e5_encoder, regions):
    with running_service(_mini_home, tmp_path_factory.mktemp("batch-svc") / "home", e5_encoder, regions) as server:
        yield server


@pytest.fixture(scope="module")
def client(svc):
    with httpx.Client(base_url=svc.url, timeout=60) as c:
        yield c


def wait_for(client: httpx.Client, job_id: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/batch/{job_id}").json()
        assert job["status"] in {"queued", "running", "done", "failed"}
        if job["status"] in {"done", "failed"}:
            return job
        time.sleep(0.1)
    raise AssertionError(f"batch job {job_id} did not finish in {seconds} s")


@pytest.fixture(scope="module")
def finished(client, svc):
    r = client.post("/batch", headers=auth(svc), json={"regions": REGIONS, "k": 3})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in {"queued", "running", "done"} and job["total"] == 3
    assert r.headers["location"] == f"/batch/{job['id']}"
    return wait_for(client, job["id"])


def test_job_runs_to_the_end_and_lists_its_files(finished, svc):
    assert finished["status"] == "done", finished
    assert finished["done"] == finished["total"] == 3 and finished["error"] is None
    assert finished["region_codes"] == ["35.73", "73.72", "81.03"]
    assert {"recommendations.csv", "recommendations.xlsx", "summary.json"} <= set(finished["files"])
    assert (svc.home / "jobs" / finished["id"] / "recommendations.csv").is_file()


def test_recommendations_csv_downloads_and_parses(finished, client):
    r = client.get(f"/batch/{finished['id']}/files/recommendations.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))  # Indonesian Excel
    by_region = {code: [row for row in rows if row["Kode kabupaten/kota"] == code] for code in ("81.03", "73.72")}
    assert all(1 <= len(found) <= 3 for found in by_region.values()), by_region
    assert by_region["81.03"][0]["ID inovasi"] == "M1"
    assert not [row for row in rows if row["Kode kabupaten/kota"] == "35.73"]  # no gaps, no recommendations


def test_a_province_job_and_the_visit_cap(client, svc):
    r = client.post("/batch", headers=auth(svc, "admin"),
                    json={"provinces": ["Maluku"], "k": 2, "max_visits_per_innovation": 1})
    assert r.status_code == 202, r.text
    job = wait_for(client, r.json()["id"])
    assert job["status"] == "done" and job["total"] == job["done"] >= 10 and "81.03" in job["region_codes"]
    assert job["max_visits_per_innovation"] == 1


def test_a_job_with_progress_adds_the_replication_progress(finished, client, svc):
    for stage, date in (("dipilih", None), ("studi_tiru", "2024-02-01")):  # before diterapkan: the lists stay
        r = client.post("/regions/73.72/replications", headers=auth(svc),
                        json={"innovation_id": "M3", "stage": stage, "date": date, "note": "dari rapat"})
        assert r.status_code == 201, r.text
    r = client.post("/batch", headers=auth(svc), json={"regions": REGIONS, "k": 3, "progress": True})
    assert r.status_code == 202, r.text  # not the finished job's run: the progress option is part of the key
    assert r.json()["progress"] is True and r.json()["id"] != finished["id"]
    job = wait_for(client, r.json()["id"])
    assert job["status"] == "done" and job["progress"] is True, job
    assert "progress.csv" in job["files"] and "progress.csv" not in finished["files"] and not finished["progress"]
    text = client.get(f"/batch/{job['id']}/files/progress.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [(row["Kode kabupaten/kota"], row["ID inovasi"], row["Tahap replikasi"]) for row in rows] == [
        ("73.72", "M3", "Dipilih"), ("73.72", "M3", "Studi tiru")]
    assert client.get(f"/batch/{job['id']}/files/summary.json").json()["replication_steps"] == 2
    report = next(name for name in job["files"] if name.startswith("report-73"))
    assert "Progres replikasi" in client.get(f"/batch/{job['id']}/files/{report}").text
    assert "Progres replikasi" not in client.get(f"/batch/{finished['id']}/files/{report}").text


def test_an_identical_run_is_the_same_job_and_progress_makes_it_another(tmp_path):
    started, release = threading.Event(), threading.Event()

    def held():  # the worker holds the first job as running until the test lets it go
        started.set()
        release.wait(10)
        raise ConfigError("released")

    jobs = BatchJobs(tmp_path / "jobs", held)
    try:
        first, _ = jobs.submit(["81.03"], 3, None)
        assert started.wait(10) and first.status == "running"
        job, new = jobs.submit(["81.03"], 3, None, progress=True)
        assert new and job.id != first.id and job.progress
        assert jobs.submit(["81.03"], 3, None, progress=True) == (job, False)
        assert jobs.submit(["81.03"], 3, None) == (first, False)
        every, new = jobs.submit(["81.03"], 3, None, all_variants=True)  # another list: another run
        assert new and every.id not in (first.id, job.id) and every.all_variants
    finally:
        release.set()
        jobs.close()


def test_starting_a_job_needs_a_key(client, svc):
    body = {"regions": ["81.03"]}
    assert_error(client.post("/batch", json=body), 401, "unauthorized")
    assert_error(client.post("/batch", headers={"X-API-Key": "mk_nope_nope"}, json=body), 401, "unauthorized")
    assert_error(client.post("/batch", headers={"X-API-Key": "garbage"}, json=body), 401, "unauthorized")


def test_unknown_jobs_and_files_are_404(finished, client):
    assert_error(client.get("/batch/0123456789abcdef"), 404, "not_found")
    assert_error(client.get("/batch/0123456789abcdef/files/recommendations.csv"), 404, "not_found")
    for name in ("nope.csv", "parts", "..%2F..%2Fstore.sqlite", "%2E%2E", "summary.json.bak"):
        assert_error(client.get(f"/batch/{finished['id']}/files/{name}"), 404, "not_found")
    assert client.get(f"/batch/{finished['id']}/files/summary.json").json()["k"] == 3


@pytest.mark.parametrize("body", [
    {}, {"regions": []}, {"regions": ["81.03"], "provinces": ["81"]}, {"regions": ["81.03"], "k": 0},
    {"regions": ["81.03"], "k": 101}, {"regions": ["81.03"], "max_visits_per_innovation": 0},
    {"regions": "81.03"}, {"regions": ["81.03"], "out": "/tmp"},
])
def test_bad_bodies_are_422(client, svc, body):
    assert_error(client.post("/batch", headers=auth(svc), json=body), 422, "validation_error")


def test_unknown_regions_are_refused_before_queueing(client, svc):
    assert_error(client.post("/batch", headers=auth(svc), json={"regions": ["99.99"]}), 404, "not_found")
    assert_error(client.post("/batch", headers=auth(svc), json={"provinces": ["Atlantis"]}), 404, "not_found")


def test_openapi_documents_the_batch_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"post"} <= set(paths["/batch"]) and "get" in paths["/batch/{job_id}/files/{name}"]


@pytest.mark.parametrize(("error", "message"), [
    (ConfigError("no usable settings"), "no usable settings"),
    (RuntimeError("/secret/path exploded"), "internal error; the server log has the details"),
])
def test_a_failing_job_reports_failed_with_a_message(tmp_path, error, message):
    def broken():
        raise error

    jobs = BatchJobs(tmp_path / "jobs", broken)
    try:
        (first, _), (second, _) = jobs.submit(["81.03"], 3, None), jobs.submit(["81.03"], 4, None)  # second waits
        deadline = time.monotonic() + 10
        while second.status in {"queued", "running"} and time.monotonic() < deadline:
            time.sleep(0.01)
        for job in (first, second):
            assert job.status == "failed" and job.error == message and job.files == []
        with pytest.raises(NotFoundError):
            jobs.file(first.id, "recommendations.csv")
    finally:
        jobs.close()
