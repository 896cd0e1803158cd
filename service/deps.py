"""Dependencies of the routes, as ``Annotated`` types: the engine, the matcher through the work queue, the caller.

One ``Matcher`` per process does the expensive work (embedding, ranking, writing). Its SQLite connection and
loaded index are not meant for two threads at once, so that work takes turns in ``service.limits.WorkQueue``:
an ``asyncio.Lock`` with a bounded queue, where waiting requests hold no worker thread (a thread lock taken in a
dependency could starve the thread pool the route itself needs), and a full queue answers 503 at once.
``/health`` and the listings read through ``service.reads`` instead and never wait for that work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader
from starlette.types import Scope

from matcher import Account, Accounts, Matcher
from matcher.config import Settings
from matcher.errors import AuthError
from service.cache import RecommendationCache
from service.jobs import BatchJobs
from service.limits import Budget, WorkQueue
from service.reads import Reads, Snapshot

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
    budget: Budget
    work: WorkQueue
    reads: Reads
    fits: RecommendationCache = field(default_factory=lambda: RecommendationCache(0))  # service.opportunities


async def get_engine(request: Request) -> Engine:
    """Async so it runs on the event loop: a thread-pool hop per request would cost more than it does."""
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(get_engine)]
ApiKey = Annotated[str | None, Depends(api_key_header)]

# The rate limit (service.middleware) leaves here, in the request's state, whom it charged: (client, how the
# message names it). Work that enters the queue charges the rest of its cost to the same client.
CHARGED = "matcher_charged"


@asynccontextmanager
async def expensive(request: Request, engine: Engine) -> AsyncIterator[Matcher]:
    """The shared matcher for one expensive task: charged ``expensive_request_cost`` in all, then queued
    (BusyError when the queue is full), and pinned to one index generation while held."""
    charged = getattr(request.state, CHARGED, None)
    if charged is not None:
        engine.budget.spend(charged[0], engine.settings.expensive_request_cost - 1, charged[1])
    async with engine.work.slot():
        with engine.matcher.pinned():  # one request reads one index generation, whatever commits meanwhile
            yield engine.matcher


async def locked_matcher(request: Request, engine: EngineDep) -> AsyncIterator[Matcher]:
    """The shared matcher, held for the whole request (an expensive one: see :func:`expensive`)."""
    async with expensive(request, engine) as m:
        yield m


async def snapshot(engine: EngineDep) -> Snapshot:
    """Records and the loaded catalogue for a listing, without the work queue (``service.reads``)."""
    return await engine.reads.snapshot()


# The rate limit (service.middleware) checks a request's key before any route runs and leaves the outcome
# here, in the request's state: the route's own check reuses it, so a wrong key costs one scrypt, not two.
KEY_CHECK = "matcher_key_check"


def _accounts_of(scope: Scope) -> Accounts | None:
    engine = getattr(getattr(scope.get("app"), "state", None), "engine", None)
    return engine.accounts if isinstance(engine, Engine) else None


def _keep(scope: Scope, key: str, account: Account | None) -> None:
    scope.setdefault("state", {})[KEY_CHECK] = (key, account)


def known_account(scope: Scope, key: str | None) -> Account | None:
    """The account of a key this worker has verified before (one row read, no scrypt), else None.

    For the rate limit, which runs before the routes: a request whose key is known counts against its account."""
    accounts = _accounts_of(scope)
    account = accounts.known(key) if accounts is not None and key else None
    if account is not None and key:
        _keep(scope, key, account)
    return account


async def check_new_key(scope: Scope, key: str) -> Account | None:
    """Verify a key not known yet (one scrypt, in a thread) and keep the outcome for the route; None when wrong.

    The rate limit calls this only after counting the request against the client address, so made-up keys
    cost at most one scrypt per allowed request of that address."""
    accounts = _accounts_of(scope)
    if accounts is None:
        return None
    try:
        account: Account | None = await run_in_threadpool(accounts.verify, key)
    except AuthError:
        account = None
    _keep(scope, key, account)
    return account


def _verified(request: Request, engine: Engine, key: str | None) -> Account:
    """The key's account, from the rate limit's check of this very key when there was one; AuthError otherwise."""
    checked = getattr(request.state, KEY_CHECK, None)
    if key and checked is not None and checked[0] == key:
        if checked[1] is None:
            raise AuthError("invalid API key")
        return checked[1]
    return engine.accounts.verify(key)


async def reader(request: Request, engine: EngineDep, key: ApiKey) -> Account | None:
    """Reads are open unless MATCHER_READ_REQUIRES_KEY; then any valid key (mentor or admin) may read.

    Async so an open read costs no thread-pool hop; a key the rate limit did not check (scrypt) runs in a thread."""
    if not engine.settings.read_requires_key:
        return None
    checked = getattr(request.state, KEY_CHECK, None)
    if key and checked is not None and checked[0] == key:
        return _verified(request, engine, key)
    return await run_in_threadpool(engine.accounts.verify, key)


def any_key(request: Request, engine: EngineDep, key: ApiKey) -> Account:
    """Any valid key, whatever its role."""
    return _verified(request, engine, key)


def mentor(request: Request, engine: EngineDep, key: ApiKey) -> Account:
    """Gaps, shortlists and batch runs: a mentor or admin key."""
    return _verified(request, engine, key).require("mentor")


def admin(request: Request, engine: EngineDep, key: ApiKey) -> Account:
    """The innovation catalogue: an admin key."""
    return _verified(request, engine, key).require("admin")


MatcherDep = Annotated[Matcher, Depends(locked_matcher)]
ReadsDep = Annotated[Snapshot, Depends(snapshot)]
AnyKey = Annotated[Account, Depends(any_key)]
Mentor = Annotated[Account, Depends(mentor)]
Admin = Annotated[Account, Depends(admin)]

PageNo = Annotated[int, Query(ge=1, le=100_000, description="1-based page number.")]
PerPage = Annotated[int, Query(ge=1, le=500, description="Records per page.")]


def paginate(items: Sequence[T], page: int, per_page: int) -> list[T]:
    """One page of ``items`` (1-based); past the end it is empty."""
    start = (page - 1) * per_page
    return list(items[start : start + per_page])
