"""The rate limit's budget on an injected clock, without a model or a server (fast tier).

The same limit inside the production middleware stack, through a real server, is in test_service.py
(``test_rate_limit_answers_429``), test_access.py (budgets per key and per address) and test_hardening.py
(costs of expensive requests).
"""

from __future__ import annotations

import pytest
from helpers.clock import FakeClock

from matcher.errors import RateLimitError
from service.limits import Budget


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(60 * 1_000 + 15)  # 15 s into a clock minute


def _refused(budget: Budget, client: str, units: int = 1) -> int | None:
    """Seconds to wait when ``budget`` refuses the spend, else None."""
    try:
        budget.spend(client, units, "this address")
    except RateLimitError as exc:
        return exc.retry_after
    return None


def test_spending_counts_per_client_and_window(clock):
    budget = Budget(3, clock=clock)
    assert [_refused(budget, "a") for _ in range(3)] == [None] * 3
    assert _refused(budget, "a") == 45  # seconds to the next clock minute
    assert _refused(budget, "b") is None  # another client has its own budget
    clock.advance(44.5)
    assert _refused(budget, "a") == 1  # never less than one second
    clock.advance(0.5)  # the next minute: every count starts again
    assert [_refused(budget, "a") for _ in range(3)] == [None] * 3


def test_expensive_requests_cost_more(clock):
    budget = Budget(20, clock=clock)
    assert _refused(budget, "a", 10) is None and _refused(budget, "a", 10) is None
    assert _refused(budget, "a", 1) == 45  # two expensive requests used the minute's budget
