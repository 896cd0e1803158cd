"""The rate limit's windows on an injected clock, without a model or a server (fast tier).

The same limit inside the production middleware stack, through a real server, is in test_service.py
(``test_rate_limit_answers_429``) and test_access.py (budgets per key and per address).
"""

from __future__ import annotations

import pytest
from helpers.clock import FakeClock
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from service.middleware import RateLimit


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(60 * 1_000 + 15)  # 15 s into a clock minute


def limited_app(clock: FakeClock, per_minute: int = 3) -> RateLimit:
    async def ok(request):
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/provinces", ok), Route("/health", ok)])
    return RateLimit(app, per_minute=per_minute, clock=clock)


def test_hit_counts_per_client_and_window(clock):
    limit = limited_app(clock)
    assert [limit.hit("a", clock()) for _ in range(3)] == [None] * 3
    assert limit.hit("a", clock()) == 45  # seconds to the next clock minute
    assert limit.hit("b", clock()) is None  # another client has its own budget
    clock.advance(44.5)
    assert limit.hit("a", clock()) == 1  # never less than one second
    clock.advance(0.5)  # the next minute: every count starts again
    assert [limit.hit("a", clock()) for _ in range(3)] == [None] * 3


def test_over_the_limit_is_429_with_retry_after_until_the_minute_turns(clock):
    limit = limited_app(clock)
    with TestClient(limit, client=("10.0.0.7", 50000)) as c:
        assert [c.get("/provinces").status_code for _ in range(3)] == [200] * 3
        refused = c.get("/provinces")
        assert refused.status_code == 429 and refused.headers["retry-after"] == "45"
        body = refused.json()["error"]
        assert body["code"] == "rate_limited" and "this address" in body["message"] and "45 s" in body["message"]
        assert c.get("/health").status_code == 200  # health checks are never limited
        clock.advance(30)
        assert c.get("/provinces").headers["retry-after"] == "15"
        clock.advance(15)
        assert c.get("/provinces").status_code == 200
    with TestClient(limit, client=("10.0.0.8", 50000)) as c:  # another address, its own budget
        assert [c.get("/provinces").status_code for _ in range(4)] == [200, 200, 200, 429]
