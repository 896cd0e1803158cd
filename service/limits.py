"""What keeps one client from stalling the service: a cost budget per client and a bounded queue for the engine.

The engine (one ``Matcher`` per worker) does one expensive thing at a time: embedding a new text, computing an
uncached recommendation list, writing gaps or the index. Requests that need it wait in a queue of at most
``work_queue_size``; one more is answered 503 with ``Retry-After`` at once, so a burst never turns into an
ever-longer wait. Cheap requests (``/health``, listings, cached lists) never enter the queue.

The rate limit counts cost, not requests: every request spends 1 unit of its client's budget per clock minute,
and one that enters the queue spends ``expensive_request_cost`` in all.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from matcher.errors import BusyError, RateLimitError


class Budget:
    """Cost units per client (an API account or an address) and clock minute; counts live in this process."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.time):  # tests inject a clock
        self.per_minute, self.clock = per_minute, clock
        self._window = 0
        self._spent: dict[str, int] = {}
        self._lock = threading.Lock()

    def spend(self, client: str, units: int, what: str) -> None:
        """Charge ``units`` to ``client``; RateLimitError (with seconds to the next minute) when over budget.

        ``what`` names the client in the message ("this address", "this API key")."""
        now = self.clock()
        window = int(now // 60)
        with self._lock:
            if window != self._window:
                self._window, self._spent = window, {}
            self._spent[client] = self._spent.get(client, 0) + units
            over = self._spent[client] > self.per_minute
        if over:
            retry = max(1, int((window + 1) * 60 - now))
            raise RateLimitError(f"more than {self.per_minute} requests (cost units) in a minute from {what}; "
                                 f"try again in {retry} s", retry)


class WorkQueue:
    """One expensive task at a time on the engine, at most ``waiting`` more queued; BusyError beyond that.

    Waiting requests hold no thread (an ``asyncio.Lock``). ``Retry-After`` is the queue's length times the
    recent average time a task held the engine, rounded up, between 1 and 60 seconds."""

    def __init__(self, waiting: int):
        self.capacity = waiting + 1
        self.pending = 0  # running + waiting
        self.lock = asyncio.Lock()
        self._seconds = 0.5  # moving average of a task's time on the engine

    def retry_after(self) -> int:
        return min(60, max(1, math.ceil(self.pending * self._seconds)))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold the engine for one task; BusyError at once when the queue is full."""
        if self.pending >= self.capacity:
            raise BusyError(f"the service is busy: {self.pending - 1} expensive requests are waiting already; "
                            f"try again in {self.retry_after()} s", self.retry_after())
        self.pending += 1
        try:
            async with self.lock:
                started = time.perf_counter()
                try:
                    yield
                finally:
                    self._seconds = 0.8 * self._seconds + 0.2 * (time.perf_counter() - started)
        finally:
            self.pending -= 1
