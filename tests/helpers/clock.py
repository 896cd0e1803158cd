"""A clock the tests move by hand, and a way to give it to the rate limit of an app built by create_app."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from service.middleware import RateLimit


class FakeClock:
    """``clock()`` returns ``now``; ``advance(seconds)`` moves it. Starts early in a clock minute by default."""

    def __init__(self, now: float = 1_000 * 60 + 5.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def with_clock(app: FastAPI, clock: FakeClock) -> FastAPI:
    """The same app and middleware stack, its RateLimit reading ``clock`` (call before the app first serves)."""
    stack = app.user_middleware
    [at] = [i for i, m in enumerate(stack) if m.cls is RateLimit]
    stack[at] = Middleware(RateLimit, *stack[at].args, **{**stack[at].kwargs, "clock": clock})
    return app
