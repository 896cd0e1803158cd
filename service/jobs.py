"""Batch runs started from the service: a queue of jobs and one background thread that runs them in turn.

Each job writes into ``MATCHER_HOME/jobs/<id>/`` through ``matcher.batch.run.run_batch``. The thread has its own
``Matcher`` (own SQLite connection, own encoder instance), so a running batch never touches the engine the
requests share and never holds their lock. Job state lives in memory: a restart forgets the jobs, while
their folders stay on disk until the retention time has passed.

Limits: at most ``max_jobs`` queued or running (one more is 503 with Retry-After); a job identical to a queued
or running one (same regencies, k, visit cap and progress option) is that job, not a second run; a job can be cancelled (it stops
after the current regency and its folder is removed); finished jobs and their folders are removed
``retention_hours`` after they finished, and folders older than that which no job owns (left by a restart) too.
"""

from __future__ import annotations

import logging
import queue
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from matcher import Matcher, run_batch
from matcher.errors import BusyError, GoneError, MatcherError, NotFoundError

log = logging.getLogger("matcher.service")
Status = Literal["queued", "running", "done", "failed", "cancelled"]
ACTIVE = ("queued", "running")


class _Stopped(Exception):
    """Raised from the progress callback when the service shuts down or the job is cancelled."""


@dataclass
class Job:
    id: str
    region_codes: list[str]
    k: int
    max_visits: int | None
    progress: bool = False  # add the replication progress (run_batch's replication_progress)
    all_variants: bool = False  # every variant listed, not one innovation per near-duplicate group
    status: Status = "queued"
    done: int = 0
    files: list[str] = field(default_factory=list)
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    finished_at: float | None = None

    @property
    def total(self) -> int:
        return len(self.region_codes)

    def same_run(self, region_codes: list[str], k: int, max_visits: int | None, progress: bool = False,
                 all_variants: bool = False) -> bool:
        return ((self.region_codes, self.k, self.max_visits, self.progress, self.all_variants)
                == (region_codes, k, max_visits, progress, all_variants))


class BatchJobs:
    """``submit`` queues a job; one daemon thread, started on the first submit, runs the jobs in order."""

    def __init__(self, root: Path, make_matcher: Callable[[], Matcher], max_jobs: int = 4,
                 retention_hours: float = 24.0):
        self.root = root
        self.max_jobs, self.retention = max_jobs, retention_hours * 3600
        self._make_matcher = make_matcher
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.cleanup()

    def submit(self, region_codes: list[str], k: int, max_visits: int | None,
               progress: bool = False, all_variants: bool = False) -> tuple[Job, bool]:
        """(the job, True when it is new); an identical queued or running job is returned instead of a new one.
        ``progress`` adds the replication progress (progress.csv, a sheet and a report section);
        ``all_variants`` lists every variant instead of one innovation per near-duplicate group.

        BusyError when ``max_jobs`` jobs are queued or running already."""
        self.cleanup()
        codes = sorted(set(region_codes))
        with self._lock:
            active = [j for j in self._jobs.values() if j.status in ACTIVE]
            same = next((j for j in active if j.same_run(codes, k, max_visits, progress, all_variants)), None)
            if same is not None:
                return same, False
            if len(active) >= self.max_jobs:
                raise BusyError(f"{len(active)} batch jobs are queued or running; the limit is {self.max_jobs}. "
                                "Wait for one to finish, or cancel one with DELETE /batch/{id}", 30)
            job = Job(secrets.token_hex(8), codes, k, max_visits, progress, all_variants)
            self._jobs[job.id] = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="batch-jobs", daemon=True)
                self._thread.start()
        self._queue.put(job)
        return job, True

    def get(self, job_id: str) -> Job:
        """The job; NotFoundError when unknown (or removed), GoneError when it finished but its folder is gone."""
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"batch job '{job_id}' not found")
        if job.status == "done" and not (self.root / job.id).is_dir():
            with self._lock:
                self._jobs.pop(job.id, None)
            raise GoneError(f"the files of batch job '{job_id}' were removed; start the run again")
        return job

    def file(self, job_id: str, name: str) -> Path:
        """A file the job produced; only names in its list, so no path can leave the job's folder."""
        job = self.get(job_id)
        if job.status != "done" or name not in job.files:
            raise NotFoundError(f"batch job '{job_id}' has no file '{name}'")
        path = self.root / job.id / name
        if not path.is_file():
            raise GoneError(f"file '{name}' of batch job '{job_id}' was removed; start the run again")
        return path

    def cancel(self, job_id: str) -> None:
        """Forget a job and remove its folder; a running one stops after its current regency."""
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"batch job '{job_id}' not found")
        with self._lock:
            self._jobs.pop(job.id, None)
            running = job.status == "running"
            if job.status in ACTIVE:
                job.status, job.error = "cancelled", "cancelled"
        if not running:  # the thread removes a running job's folder when it stops
            shutil.rmtree(self.root / job.id, ignore_errors=True)

    def cleanup(self, now: float | None = None) -> None:
        """Remove finished jobs, and folders no job owns, older than the retention time."""
        now = time.time() if now is None else now
        with self._lock:
            old = [j for j in self._jobs.values() if j.finished_at is not None and now - j.finished_at > self.retention]
            for job in old:
                del self._jobs[job.id]
            owned = set(self._jobs)
        for job in old:
            shutil.rmtree(self.root / job.id, ignore_errors=True)
        if self.root.is_dir():
            for folder in self.root.iterdir():
                if folder.name not in owned and folder.is_dir() and now - folder.stat().st_mtime > self.retention:
                    shutil.rmtree(folder, ignore_errors=True)

    def close(self, timeout: float = 30) -> None:
        """Stop after the current regency (its part is kept) and let the thread end."""
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _work(self) -> None:
        matcher: Matcher | None = None
        while (job := self._queue.get()) is not None and not self._stop.is_set():
            with self._lock:
                if job.status != "queued":  # cancelled while it waited
                    continue
                job.status = "running"
            try:
                matcher = matcher or self._make_matcher()
                summary = run_batch(matcher, job.region_codes, job.k, self.root / job.id,
                                    max_visits=job.max_visits, replication_progress=job.progress,
                                    all_variants=job.all_variants,
                                    progress_callback=self._progress(job))
                with self._lock:
                    if job.status != "cancelled":
                        job.files, job.status = list(summary.files), "done"
            except _Stopped:
                if job.status != "cancelled":
                    job.status, job.error = "failed", "the service stopped during the run"
            except MatcherError as exc:
                job.status, job.error = "failed", str(exc)
            except Exception:  # a bug: the traceback goes to the log, the job says only that it failed
                log.exception("batch job %s failed", job.id)
                job.status, job.error = "failed", "internal error; the server log has the details"
            finally:
                job.finished_at = time.time()
            if job.status == "cancelled":  # cancelled just as it finished
                shutil.rmtree(self.root / job.id, ignore_errors=True)

    def _progress(self, job: Job) -> Callable[[int, int, str], None]:
        def report(done: int, total: int, code: str) -> None:
            job.done = done
            if self._stop.is_set() or job.status == "cancelled":
                raise _Stopped

        return report
