"""Marginal analysis against exhaustive search on small problems."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analytic.metric import availability
from sim.analytic.optimize import (
    SpareItem,
    brute_force,
    build_curve,
    recommend_for_budget,
    recommend_for_target,
)
from sim.analytic.pipeline import ebo

THREE = [
    SpareItem("1650-01-000-0001", pipeline_mean=1.25, unit_price=1000.0),
    SpareItem("1650-01-000-0002", pipeline_mean=0.4, unit_price=250.0, qpa=2),
    SpareItem("1650-01-000-0003", pipeline_mean=2.0, unit_price=3000.0, pipeline_variance=5.0),
]


def _random_problems(count: int) -> list[list[SpareItem]]:
    rng = np.random.default_rng(20240611)
    problems = []
    for k in range(count):
        n = 2 + k % 2
        problems.append(
            [
                SpareItem(
                    f"N{i}",
                    pipeline_mean=float(rng.uniform(0.2, 3.0)),
                    unit_price=float(rng.choice([100.0, 250.0, 400.0, 700.0, 1000.0])),
                    qpa=int(rng.integers(1, 4)),
                    pipeline_variance=None if rng.random() < 0.5 else float(rng.uniform(3.1, 8.0)),
                    owned=int(rng.integers(0, 2)),
                )
                for i in range(n)
            ]
        )
    return problems


def _assert_frontier(items: list[SpareItem], aircraft: float, budget: float, objective: str) -> int:
    """Every greedy point is optimal for its own cost; returns how many points were checked."""
    curve = build_curve(items, aircraft, budget=budget, objective=objective)  # type: ignore[arg-type]
    assert len(curve) > 3
    for step in curve.steps:
        best = brute_force(items, aircraft, step.cumulative_cost, objective=objective)  # type: ignore[arg-type]
        if objective == "ebo":
            assert step.total_ebo == pytest.approx(best.total_ebo, rel=1e-9, abs=1e-12)
        else:
            assert step.availability == pytest.approx(best.availability, rel=1e-9, abs=1e-12)
    return len(curve)


def test_greedy_matches_brute_force_fixed_problem() -> None:
    assert _assert_frontier(THREE, 20, 20_000.0, "ebo") > 10


@pytest.mark.parametrize("objective", ["ebo", "availability"])
def test_greedy_matches_brute_force_random_problems(objective: str) -> None:
    for items in _random_problems(12):
        _assert_frontier(items, 8, 2_500.0, objective)


def test_curve_is_monotone_and_consistent() -> None:
    curve = build_curve(THREE, 20, target_availability=0.999)
    assert curve.cumulative_cost[0] == 0.0
    assert np.all(np.diff(curve.cumulative_cost) > 0)
    assert np.all(np.diff(curve.total_ebo) < 0)
    assert np.all(np.diff(curve.availability) > 0)
    assert curve.availability[-1] >= 0.999 > curve.availability[-2]
    steps = curve.steps
    assert steps[0].nsn is None and steps[0].step == 0
    for k in (0, 3, len(curve) - 1):
        plan = curve.allocation(k)
        assert sum(plan.purchased[it.nsn] * it.unit_price for it in THREE) == pytest.approx(
            plan.cost
        )
        ebos = [ebo(plan.stock[it.nsn], it.pipeline_mean, it.pipeline_variance) for it in THREE]
        assert plan.total_ebo == pytest.approx(sum(ebos), rel=1e-12)
        assert plan.availability == pytest.approx(
            availability(ebos, 20, [it.qpa for it in THREE]), rel=1e-12
        )


def test_cuts_of_the_curve() -> None:
    curve = build_curve(THREE, 20)
    plan = curve.for_target_availability(0.99)
    assert plan.availability >= 0.99
    k = next(i for i, s in enumerate(curve.steps) if s.availability >= 0.99)
    assert curve.steps[k - 1].availability < 0.99
    assert plan.cost == curve.steps[k].cumulative_cost
    budget = float(curve.cumulative_cost[7]) + 1.0
    by_budget = curve.for_budget(budget)
    assert by_budget.cost == curve.cumulative_cost[7]
    assert curve.for_budget(0.0).cost == 0.0
    assert recommend_for_target(THREE, 20, 0.99) == plan
    assert recommend_for_budget(THREE, 20, budget) == by_budget
    with pytest.raises(ValueError):
        build_curve(THREE, 20, target_availability=0.5).for_target_availability(0.999)


def test_owned_stock_is_the_starting_point() -> None:
    owned = [
        SpareItem(it.nsn, it.pipeline_mean, it.unit_price, it.qpa, it.pipeline_variance, owned=2)
        for it in THREE
    ]
    curve = build_curve(owned, 20, budget=5_000.0)
    start = curve.allocation(0)
    assert start.stock == {it.nsn: 2 for it in THREE}
    assert start.purchased == {it.nsn: 0 for it in THREE}
    end = curve.for_budget(5_000.0)
    assert all(end.stock[n] == 2 + end.purchased[n] for n in end.stock)
    best = brute_force(owned, 20, end.cost)
    assert end.total_ebo == pytest.approx(best.total_ebo, rel=1e-9)


def test_equal_prices_buy_by_tail_probability() -> None:
    """With equal prices the first unit goes where P(X > 0) is largest: the largest pipeline."""
    items = [SpareItem("A", 0.5, 10.0), SpareItem("B", 3.0, 10.0), SpareItem("C", 1.0, 10.0)]
    curve = build_curve(items, 10, budget=10.0)
    assert [s.nsn for s in curve.steps] == [None, "B"]


def test_invalid_items_raise() -> None:
    with pytest.raises(ValueError):
        build_curve([SpareItem("A", 1.0, 0.0)], 10)
    with pytest.raises(ValueError):
        build_curve([SpareItem("A", 1.0, 5.0), SpareItem("A", 2.0, 5.0)], 10)
    with pytest.raises(ValueError):
        build_curve([SpareItem("A", 1.0, 5.0)], 0)
    assert len(build_curve([], 10)) == 1
