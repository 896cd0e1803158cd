"""Study-visit capacity: which regency visits which innovation when every host can receive only N visits.

A famous innovator cannot host every regency of a province in one round. Given each regency's candidates and
their fit, we choose up to k innovations per regency so that no innovation goes to more than N regencies and
the total fit over the whole round is as large as possible; then each regency gets alternates from hosts that
still have room.

This is a transportation problem (regency supply k, innovation demand N, every pair at most once), solved
exactly as an integer programme with HiGHS (``scipy.optimize.milp``): first the largest number of pairs the
cap allows, then the largest total fit among solutions of that size, so the cap never leaves a slot empty to
gain fit. Expanding slots for ``linear_sum_assignment`` would not do: it can give one regency two copies of
the same innovation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from matcher.errors import ConfigError


@dataclass(frozen=True)
class Assignment:
    """The capped lists of a round, keyed by region code; fits are the caller's units (recommendation scores)."""

    chosen: dict[str, list[str]]  # region -> innovation ids assigned, best fit first
    alternates: dict[str, list[str]]  # region -> fallback ids from hosts with room left, best fit first
    fit_uncapped: float  # sum over regions of the fit of their k best candidates
    fit_capped: float  # sum of the fit of the chosen pairs
    shortfall: dict[str, int]  # region -> slots the cap left empty (only regions with any)
    load: dict[str, int]  # innovation -> regions assigned to it

    @property
    def cost(self) -> float:
        """Total fit given up to respect the cap (0 when the cap does not bind)."""
        return self.fit_uncapped - self.fit_capped

    @property
    def cost_share(self) -> float:
        """``cost`` as a share of the uncapped total fit."""
        return self.cost / abs(self.fit_uncapped) if self.fit_uncapped else 0.0


def _top(cands: Sequence[tuple[str, float]], k: int) -> list[tuple[str, float]]:
    """The k best candidates, ties kept in the given order."""
    order = sorted(range(len(cands)), key=lambda j: (-cands[j][1], j))
    return [cands[j] for j in order[:k]]


def _solve(
    edges: list[tuple[int, int, float]], n_regions: int, n_innovations: int, k: int, cap: int
) -> np.ndarray:
    """Boolean mask over ``edges`` (region index, innovation index, fit) of the chosen pairs."""
    n = len(edges)
    if n == 0:
        return np.zeros(0, dtype=bool)
    cols = np.arange(n)
    by_region = csr_array((np.ones(n), ([e[0] for e in edges], cols)), shape=(n_regions, n))
    by_innovation = csr_array((np.ones(n), ([e[1] for e in edges], cols)), shape=(n_innovations, n))
    limits = [LinearConstraint(by_region, 0, k), LinearConstraint(by_innovation, 0, cap)]
    integral, bounds = np.ones(n), Bounds(0, 1)
    options = {"mip_rel_gap": 0.0, "disp": False}
    most = milp(-np.ones(n), constraints=limits, integrality=integral, bounds=bounds, options=options)
    if not most.success:  # pragma: no cover - a bounded 0/1 programme with x = 0 feasible always solves
        raise ConfigError(f"capacity assignment failed: {most.message}")
    size = round(-most.fun)
    fits = np.array([e[2] for e in edges], dtype=np.float64)
    exact = LinearConstraint(np.ones((1, n)), size, size)
    best = milp(-fits, constraints=[*limits, exact], integrality=integral, bounds=bounds, options=options)
    if not best.success:  # pragma: no cover
        raise ConfigError(f"capacity assignment failed: {best.message}")
    return best.x > 0.5


def assign_visits(
    candidates: Mapping[str, Sequence[tuple[str, float]]],
    k: int,
    cap: int | None,
    n_alternates: int = 3,
) -> Assignment:
    """Assign up to ``k`` innovations to each region, no innovation to more than ``cap`` regions.

    ``candidates[region]`` is that region's ``(innovation_id, fit)`` pairs (ids unique per region), in the
    region's preference order for ties. ``cap=None`` means no limit: each region keeps its k best. The uncapped
    total is the same optimisation without the cap, so ``cost`` is never negative.
    """
    if k < 1:
        raise ConfigError("k must be at least 1")
    if cap is not None and cap < 1:
        raise ConfigError("the number of visits per innovation must be at least 1")
    regions = sorted(candidates)
    tops = {r: _top(candidates[r], k) for r in regions}
    fit_uncapped = float(sum(f for r in regions for _, f in tops[r]))
    if cap is None:
        chosen = {r: [i for i, _ in tops[r]] for r in regions}
    else:
        ids = sorted({i for r in regions for i, _ in candidates[r]})
        index = {i: n for n, i in enumerate(ids)}
        edges = [(ri, index[i], float(f)) for ri, r in enumerate(regions) for i, f in candidates[r]]
        mask = _solve(edges, len(regions), len(ids), k, cap)
        picked: dict[str, set[str]] = {r: set() for r in regions}
        for (ri, ii, _), keep in zip(edges, mask, strict=True):
            if keep:
                picked[regions[ri]].add(ids[ii])
        chosen = {r: [i for i, _ in _top([c for c in candidates[r] if c[0] in picked[r]], k)] for r in regions}
    load: dict[str, int] = {}
    for r in regions:
        for i in chosen[r]:
            load[i] = load.get(i, 0) + 1
    fit_of = {r: dict(candidates[r]) for r in regions}
    fit_capped = float(sum(fit_of[r][i] for r in regions for i in chosen[r]))
    alternates = {}
    for r in regions:
        spare = [c for c in candidates[r] if c[0] not in chosen[r] and (cap is None or load.get(c[0], 0) < cap)]
        alternates[r] = [i for i, _ in _top(spare, n_alternates)] if n_alternates > 0 else []
    shortfall = {r: min(k, len(candidates[r])) - len(chosen[r]) for r in regions}
    return Assignment(
        chosen=chosen, alternates=alternates, fit_uncapped=fit_uncapped, fit_capped=fit_capped,
        shortfall={r: s for r, s in shortfall.items() if s > 0}, load=dict(sorted(load.items())),
    )
