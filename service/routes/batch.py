"""Batch runs as background jobs: a mentor starts one, anyone who may read polls it and downloads its files.

``service.jobs`` runs the jobs one at a time in a thread, through the same ``run_batch`` as ``matcher batch``,
with a limit on queued and running jobs, deduplication of identical runs, cancelling and retention.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from service.deps import EngineDep, Mentor
from service.jobs import Job
from service.schemas import BatchIn, BatchJobPublic

router = APIRouter(tags=["batch"])
# What run_batch writes (CSV, XLSX, HTML, JSON), as FileResponse names them from the file's extension.
FILE_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/html",
              "application/json")


def _public(job: Job) -> BatchJobPublic:
    return BatchJobPublic(id=job.id, status=job.status, done=job.done, total=job.total, k=job.k,
                          max_visits_per_innovation=job.max_visits, progress=job.progress,
                          all_variants=job.all_variants,
                          region_codes=job.region_codes,
                          files=job.files, error=job.error, created_at=job.created_at)


@router.post("/batch", response_model=BatchJobPublic, status_code=202, summary="Start a batch run (mentor)",
             responses={200: {"model": BatchJobPublic, "description": "The same run is queued or running already"}})
def start_batch(body: BatchIn, account: Mentor, engine: EngineDep, response: Response) -> BatchJobPublic:
    """Regions and provinces are resolved now (404/400 for unknown or ambiguous names); the run is queued (202).
    An identical queued or running run is answered with that job (200); too many jobs is 503 with Retry-After."""
    regions = engine.matcher.regions
    if body.provinces is not None:
        codes = [r.code for p in body.provinces for r in regions.in_province(regions.resolve_province(p).code)]
    else:
        codes = [regions.resolve(r).code for r in body.regions or ()]
    job, new = engine.jobs.submit(codes, body.k, body.max_visits_per_innovation, body.progress, body.all_variants)
    response.status_code = 202 if new else 200
    response.headers["Location"] = f"/batch/{job.id}"
    return _public(job)


@router.get("/batch/{job_id}", response_model=BatchJobPublic, summary="A batch job's status and files")
def get_batch(job_id: str, engine: EngineDep) -> BatchJobPublic:
    """404 for an unknown, cancelled or expired job; 410 when a finished job's folder was removed."""
    return _public(engine.jobs.get(job_id))


@router.delete("/batch/{job_id}", status_code=204, summary="Cancel a batch job, or remove a finished one (mentor)")
def cancel_batch(job_id: str, account: Mentor, engine: EngineDep) -> Response:
    """A queued job never runs; a running one stops after its current regency. Its folder is removed."""
    engine.jobs.cancel(job_id)
    return Response(status_code=204)


@router.get("/batch/{job_id}/files/{name}", summary="Download one file of a finished batch job",
            responses={200: {"content": {media_type: {} for media_type in FILE_TYPES},
                             "description": "The file: CSV, XLSX, an HTML report or summary.json"}})
def get_batch_file(job_id: str, name: str, engine: EngineDep) -> FileResponse:
    """Only the names in the job's ``files``; 404 for anything else."""
    return FileResponse(engine.jobs.file(job_id, name), filename=name)
