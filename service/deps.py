"""Dependencies of the routes, as ``Annotated`` types: the engine, the matcher under its lock, the caller.

One ``Matcher`` per process serves every request. Its SQLite connection and loaded index are not meant for
two threads at once, so requests take turns on an ``asyncio.Lock``: waiting requests hold no worker thread
(a thread lock taken in a dependency could starve the thread pool the route itself needs). Use more uvicorn
workers for more throughput; they share the store on disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from matcher.accounts import Account, Accounts
from matcher.config import Settings
from matcher.pipeline import Matcher
from service.cache import RecommendationCache
from service.jobs import BatchJobs

T = TypeVar("T")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="Key from `matcher users add NAME --role mentor|admin`.")


@dataclass
class Engine:
    """What the lifespan builds once per process and every request shares."""

    settings: Settings
    matcher: Matcher
    accounts: Accounts
    cache: RecommendationCache
    jobs: BatchJobs
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


async def get_engine(request: Request) -> Engine:
    """Async so it runs on the event loop: a thread-pool hop per request would cost more than it does."""
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(get_engine)]
ApiKey = Annotated[str | None, Depends(api_key_header)]


async def locked_matcher(engine: EngineDep) -> AsyncIterator[Matcher]:
    """The shared matcher, held for the whole request."""
    async with engine.lock:
        yield engine.matcher


async def reader(engine: EngineDep, key: ApiKey) -> Account | None:
    """Reads are open unless MATCHER_READ_REQUIRES_KEY; then any valid key (mentor or admin) may read.

    Async so an open read costs no thread-pool hop; a key check (scrypt) still runs in a thread."""
    if not engine.settings.read_requires_key:
        return None
    return await run_in_threadpool(engine.accounts.verify, key)


def mentor(engine: EngineDep, key: ApiKey) -> Account:
    """Gaps and shortlists: a mentor or admin key."""
    return engine.accounts.authorize(key, "mentor")


def admin(engine: EngineDep, key: ApiKey) -> Account:
    """The innovation catalogue: an admin key."""
    return engine.accounts.authorize(key, "admin")


MatcherDep = Annotated[Matcher, Depends(locked_matcher)]
Mentor = Annotated[Account, Depends(mentor)]
Admin = Annotated[Account, Depends(admin)]

PageNo = Annotated[int, Query(ge=1, le=100_000, description="1-based page number.")]
PerPage = Annotated[int, Query(ge=1, le=500, description="Records per page.")]


def paginate(items: Sequence[T], page: int, per_page: int) -> list[T]:
    """One page of ``items`` (1-based); past the end it is empty."""
    start = (page - 1) * per_page
    return list(items[start : start + per_page])
