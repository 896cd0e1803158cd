"""Batch runs started from the service: a queue of jobs and one background thread that runs them in turn.

Each job writes into ``MATCHER_HOME/jobs/<id>/`` through ``matcher.batch.run.run_batch``. The thread has its own
``Matcher`` (own SQLite connection, own encoder instance), so a running batch never touches the engine the
requests share and never holds their lock. Job state lives in memory: a restart forgets the jobs, while
their folders stay on disk.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from matcher import Matcher, run_batch
from matcher.errors import MatcherError, NotFoundError

log = logging.getLogger("matcher.service")
Status = Literal["queued", "running", "done", "failed"]


class _Stopped(Exception):
    """Raised from the progress callback when the service shuts down; the run's parts stay on disk."""


@dataclass
class Job:
    id: str
    region_codes: list[str]
    k: int
    max_visits: int | None
    status: Status = "queued"
    done: int = 0
    files: list[str] = field(default_factory=list)
    error: str | None = None
    created_at: float = field(default_factory=time.time)

    @property
    def total(self) -> int:
        return len(self.region_codes)


class BatchJobs:
    """``submit`` queues a job; one daemon thread, started on the first submit, runs the jobs in order."""

    def __init__(self, root: Path, make_matcher: Callable[[], Matcher]):
        self.root = root
        self._make_matcher = make_matcher
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, region_codes: list[str], k: int, max_visits: int | None) -> Job:
        job = Job(secrets.token_hex(8), sorted(set(region_codes)), k, max_visits)
        with self._lock:
            self._jobs[job.id] = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="batch-jobs", daemon=True)
                self._thread.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"batch job '{job_id}' not found")
        return job

    def file(self, job_id: str, name: str) -> Path:
        """A file the job produced; only names in its list, so no path can leave the job's folder."""
        job = self.get(job_id)
        if job.status != "done" or name not in job.files:
            raise NotFoundError(f"batch job '{job_id}' has no file '{name}'")
        return self.root / job.id / name

    def close(self, timeout: float = 30) -> None:
        """Stop after the current regency (its part is kept) and let the thread end."""
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _work(self) -> None:
        matcher: Matcher | None = None
        while (job := self._queue.get()) is not None and not self._stop.is_set():
            job.status = "running"
            try:
                matcher = matcher or self._make_matcher()
                summary = run_batch(matcher, job.region_codes, job.k, self.root / job.id,
                                    max_visits=job.max_visits, progress_callback=self._progress(job))
                job.files, job.status = list(summary.files), "done"
            except _Stopped:
                job.status, job.error = "failed", "the service stopped during the run"
            except MatcherError as exc:
                job.status, job.error = "failed", str(exc)
            except Exception:  # a bug: the traceback goes to the log, the job says only that it failed
                log.exception("batch job %s failed", job.id)
                job.status, job.error = "failed", "internal error; the server log has the details"

    def _progress(self, job: Job) -> Callable[[int, int, str], None]:
        def report(done: int, total: int, code: str) -> None:
            job.done = done
            if self._stop.is_set():
                raise _Stopped

        return report
