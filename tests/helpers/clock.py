"""A clock the tests move by hand, and a way to give it to the rate limit of an app built by create_app."""

from __future__ import annotations

from fastapi import FastAPI

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
    """The same app and middleware stack, its rate-limit budget reading ``clock``."""
    [limit] = [m for m in app.user_middleware if m.cls is RateLimit]
    limit.kwargs["budget"].clock = clock
    return app
