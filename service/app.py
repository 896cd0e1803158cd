"""The FastAPI application: ``create_app()`` builds it, its lifespan loads the engine once per process.

Run it with ``matcher serve`` (uvicorn). The API is documented at ``/openapi.json``; the Swagger and ReDoc
pages are off because they load scripts from a CDN and inline, which the CSP forbids and offline use rules out.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from matcher import Accounts, Matcher, Store
from matcher.config import Settings, get_settings
from matcher.errors import MatcherError, StoreError
from service.cache import RecommendationCache
from service.deps import Engine, reader
from service.errors import handle_error
from service.jobs import BatchJobs
from service.limits import Budget, WorkQueue
from service.middleware import AllowedHosts, BodyLimit, RateLimit, SecurityHeaders
from service.opportunities import fits_bytes
from service.reads import Reads
from service.routes import (
    accounts,
    batch,
    gaps,
    health,
    innovations,
    match,
    opportunities,
    plans,
    recommendations,
    regions,
    replications,
    shortlist,
    web,
)
from service.schemas import ErrorPublic

log = logging.getLogger("matcher.service")
API_ROUTERS = (accounts.router, regions.router, gaps.router, recommendations.router, match.router, innovations.router,
               shortlist.router, plans.router, batch.router, replications.router, opportunities.router)
ERROR_TEXTS = {400: "Bad request", 401: "Missing or invalid API key", 403: "The key's role may not do this",
               404: "Not found", 409: "Conflict, or a limit on stored data reached", 410: "Removed",
               413: "Too large", 422: "Invalid input", 429: "Rate limited",
               503: "No usable index, or the work queue is full (with Retry-After)"}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorPublic, "description": text} for status, text in ERROR_TEXTS.items()}


def _version() -> str:
    try:
        return version("matcher")
    except PackageNotFoundError:
        return "0"


class App(FastAPI):
    """FastAPI with the security headers outside everything, even the error middleware that answers a 500."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def _middleware(settings: Settings, budget: Budget) -> list[Middleware]:
    """Outermost first (inside the security headers): the Host check, CORS when configured, then the limits."""
    stack = [Middleware(AllowedHosts, hosts=settings.allowed_hosts)]
    if settings.cors_origins:
        stack.append(Middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                                allow_methods=["GET", "POST", "PUT", "DELETE"],
                                allow_headers=["X-API-Key", "Content-Type"]))
    stack += [Middleware(RateLimit, budget=budget),
              Middleware(BodyLimit, max_bytes=settings.max_body_bytes)]
    return stack


def create_app(settings: Settings | None = None, matcher: Matcher | None = None) -> FastAPI:
    """The service over the store in ``settings.home`` (default: settings from the environment).

    ``matcher`` lets tests share an already loaded encoder; the app otherwise builds its own in the lifespan.
    """
    settings = settings or get_settings()
    budget = Budget(settings.rate_limit_per_minute)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The engine's Python parts (ranking, explaining) hold the interpreter lock in turns with the event loop:
        # hand it over every 1 ms instead of 5, so /health and the listings wait less behind a long /match.
        sys.setswitchinterval(0.001)
        m = matcher or Matcher(settings)
        try:
            m.encoder  # noqa: B018 - load the model now, not on the first request
            m.catalog  # noqa: B018 - and the index
        except StoreError as exc:  # served anyway: /health says what is wrong until an index exists
            log.warning("%s", exc)
        jobs = BatchJobs(settings.home / "jobs", lambda: Matcher(settings, regions=m.regions),
                         max_jobs=settings.batch_max_jobs, retention_hours=settings.batch_retention_hours)
        work = WorkQueue(settings.work_queue_size)
        app.state.engine = Engine(settings, m, Accounts(Store(settings.home), settings.key_check_concurrency),
                                  RecommendationCache(settings.recommendation_cache_size,
                                                      settings.recommendation_cache_bytes),
                                  jobs, budget, work, Reads(settings, m, work),
                                  fits=RecommendationCache(settings.recommendation_cache_size,
                                                           settings.recommendation_cache_bytes, fits_bytes))
        yield
        jobs.close()

    app = App(
        title="matcher", version=_version(), lifespan=lifespan, middleware=_middleware(settings, budget),
        description="Recommends proven public-service innovations for Indonesian kabupaten/kota to replicate. "
                    "Writes need an X-API-Key (roles mentor and admin).",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.settings = settings
    # No automatic slash redirects: they build an absolute URL from the Host header. A trailing slash is a 404.
    app.router.redirect_slashes = False
    for exc_class in (MatcherError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(exc_class, handle_error)
    app.include_router(health.router, responses={503: ERRORS[503]})
    for router in API_ROUTERS:
        app.include_router(router, dependencies=[Depends(reader)], responses=ERRORS)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.WEB), name="static")
    return app
