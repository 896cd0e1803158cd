"""The visit-cap assignment against brute force on small instances, and its guarantees on larger ones."""

from __future__ import annotations

import itertools
import random

import pytest

from matcher.errors import ConfigError
from matcher.recommendations.assign import assign_visits


def brute_force(cands: dict[str, list[tuple[str, float]]], k: int, cap: int) -> tuple[int, float]:
    """(most pairs, best total fit among those) over every feasible choice."""
    regions = sorted(cands)
    choices = [[c for n in range(min(k, len(cands[r])) + 1) for c in itertools.combinations(dict(cands[r]), n)]
               for r in regions]
    best = (-1, float("-inf"))
    for combo in itertools.product(*choices):
        load: dict[str, int] = {}
        for picked in combo:
            for i in picked:
                load[i] = load.get(i, 0) + 1
        if any(v > cap for v in load.values()):
            continue
        fit = sum(dict(cands[r])[i] for r, picked in zip(regions, combo, strict=True) for i in picked)
        size = sum(len(p) for p in combo)
        if (size, round(fit, 9)) > (best[0], round(best[1], 9)):
            best = (size, fit)
    return best


def random_instance(rng: random.Random, regions: int, innovations: int) -> dict[str, list[tuple[str, float]]]:
    return {f"R{r}": [(f"I{i}", round(rng.uniform(-1, 3), 3))
                      for i in rng.sample(range(innovations), rng.randint(0, innovations))]
            for r in range(regions)}


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force(seed):
    rng = random.Random(seed)
    cands = random_instance(rng, rng.randint(1, 4), rng.randint(1, 5))
    k, cap = rng.randint(1, 3), rng.randint(1, 2)
    got = assign_visits(cands, k, cap)
    size, fit = brute_force(cands, k, cap)
    assert sum(len(v) for v in got.chosen.values()) == size
    assert got.fit_capped == pytest.approx(fit, abs=1e-6)


def test_guarantees_on_a_province_sized_instance():
    rng = random.Random(7)
    cands = random_instance(rng, 38, 60)
    k, cap = 10, 3
    got = assign_visits(cands, k, cap, n_alternates=3)
    assert max(got.load.values()) <= cap
    for r, ids in got.chosen.items():
        assert len(ids) == len(set(ids)) <= k and set(ids) <= set(dict(cands[r]))
        fits = [dict(cands[r])[i] for i in ids]
        assert fits == sorted(fits, reverse=True)
        assert not set(got.alternates[r]) & set(ids)
        assert all(got.load.get(i, 0) < cap for i in got.alternates[r])
    assert got.cost >= 0 and got.fit_capped <= got.fit_uncapped
    assert got.cost_share == pytest.approx(got.cost / got.fit_uncapped)


def test_without_a_cap_each_region_keeps_its_best():
    cands = {"A": [("x", 3.0), ("y", 2.0), ("z", 1.0)], "B": [("x", 1.0), ("y", 5.0)]}
    got = assign_visits(cands, 2, None, n_alternates=1)
    assert got.chosen == {"A": ["x", "y"], "B": ["y", "x"]} and got.cost == 0
    assert got.alternates == {"A": ["z"], "B": []}


def test_the_cap_moves_the_visit_to_whoever_loses_least():
    # Both want x most; A loses 0.1 by taking y instead, B would lose 2.9: x goes to B.
    cands = {"A": [("x", 3.0), ("y", 2.9)], "B": [("x", 3.0), ("y", 0.1)]}
    got = assign_visits(cands, 1, 1)
    assert got.chosen == {"A": ["y"], "B": ["x"]}
    assert got.fit_uncapped == 6.0 and got.fit_capped == pytest.approx(5.9) and got.cost == pytest.approx(0.1)


def test_a_slot_is_never_left_empty_to_gain_fit():
    cands = {"A": [("x", 5.0), ("y", -2.0)], "B": [("x", 1.0)]}
    got = assign_visits(cands, 1, 1)
    assert got.chosen == {"A": ["y"], "B": ["x"]} and got.shortfall == {}
    short = assign_visits({"A": [("x", 1.0)], "B": [("x", 2.0)]}, 1, 1)
    assert short.chosen == {"A": [], "B": ["x"]} and short.shortfall == {"A": 1}


def test_bad_parameters():
    with pytest.raises(ConfigError):
        assign_visits({"A": [("x", 1.0)]}, 0, 1)
    with pytest.raises(ConfigError):
        assign_visits({"A": [("x", 1.0)]}, 1, 0)
