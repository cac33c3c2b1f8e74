"""METRIC / VARI-METRIC against Sherbrooke's five-base example and hand computations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from sim.analytic.metric import availability, single_site, two_echelon
from sim.analytic.pipeline import ebo

# Sherbrooke, Optimal Inventory Modeling of Systems, five identical bases (times in years).
FIVE_BASES: dict[str, Any] = {
    "base_demand_rates": [23.2] * 5,
    "base_repair_probability": 0.2,
    "base_repair_time": 0.01,
    "order_ship_time": 0.01,
    "depot_turnaround": 0.02531,
}


def test_availability_hand_computed() -> None:
    """N = 10; EBO 0.5 on a QPA-1 item and 0.2 on a QPA-2 item: 0.95 · 0.99² = 0.931095."""
    assert availability([0.5, 0.2], 10, [1, 2]) == pytest.approx(0.931095, abs=1e-12)
    assert availability([0.0, 0.0], 10, 1) == 1.0
    # a factor clips at 0 once backorders exceed the installed positions
    assert availability([30.0, 0.1], 10, 1) == 0.0
    with pytest.raises(ValueError):
        availability([0.1], 0, 1)


def test_single_site_is_poisson_palm() -> None:
    """0.05 demands/day over a 25-day pipeline is Poisson(1.25)."""
    site = single_site(0.05, 25.0, 2)
    assert site.pipeline_mean == pytest.approx(1.25)
    assert site.pipeline_variance == pytest.approx(1.25)
    assert site.ebo == pytest.approx(0.18114, abs=5e-5)
    assert site.fill_rate == pytest.approx(0.644636, abs=1e-6)
    lumpy = single_site(0.05, 25.0, 2, variance_to_mean=3.0)
    assert lumpy.pipeline_variance == pytest.approx(3.75)
    assert lumpy.ebo > site.ebo


def test_depot_pipeline_five_bases() -> None:
    """Λ0 = 5 · 23.2 · 0.8 = 92.8 per year; 92.8 · 0.02531 = 2.3488."""
    result = two_echelon(**FIVE_BASES, depot_stock=0)
    assert result.depot.demand_rate == pytest.approx(92.8)
    assert result.depot.pipeline_mean == pytest.approx(2.3488, abs=1e-3)
    assert result.depot.ebo == pytest.approx(result.depot.pipeline_mean)
    assert result.depot.delay == pytest.approx(0.02531)


@pytest.mark.parametrize(
    ("depot_stock", "base_pipeline"), [(0, 0.7018), (1, 0.5209), (2, 0.3848), (3, 0.3014)]
)
def test_base_pipeline_five_bases(depot_stock: int, base_pipeline: float) -> None:
    """23.2 · [0.2 · 0.01 + 0.8 · (0.01 + EBO0(s0)/92.8)] for each depot stock."""
    result = two_echelon(**FIVE_BASES, depot_stock=depot_stock)
    for base in result.bases:
        assert base.pipeline_mean == pytest.approx(base_pipeline, abs=1e-3)
        assert base.pipeline_variance == pytest.approx(base.pipeline_mean)
        assert base.ebo == pytest.approx(base.pipeline_mean)  # no base stock


def test_metric_base_ebo_with_base_stock() -> None:
    result = two_echelon(**FIVE_BASES, depot_stock=1, base_stocks=[0, 1, 2, 3, 4])
    for base in result.bases:
        assert base.ebo == pytest.approx(ebo(base.stock, base.pipeline_mean), rel=1e-12)
    assert result.base_ebos == sorted(result.base_ebos, reverse=True)


@pytest.mark.parametrize("depot_stock", [0, 1, 2, 4])
def test_vari_metric_variance_is_binomial_split(depot_stock: int) -> None:
    """Base pipeline = Poisson(own part) + Binomial(B0, f): its exact variance, by summation."""
    result = two_echelon(**FIVE_BASES, depot_stock=depot_stock, method="vari-metric")
    depot = result.depot
    f = 0.2  # five identical bases share the depot demand equally
    # exact distribution of depot backorders B0 = (X0 - s0)+
    b = np.arange(0, 200)
    pmf_b0 = stats.poisson.pmf(b + depot_stock, depot.pipeline_mean)
    pmf_b0[0] = stats.poisson.cdf(depot_stock, depot.pipeline_mean)
    # exact distribution of the base's share Y
    y = np.arange(0, 200)
    pmf_y = (pmf_b0[:, None] * stats.binom.pmf(y[None, :], b[:, None], f)).sum(axis=0)
    mean_y = (y * pmf_y).sum()
    var_y = (y * y * pmf_y).sum() - mean_y**2
    own = 23.2 * (0.2 * 0.01 + 0.8 * 0.01)
    assert depot.ebo == pytest.approx((b * pmf_b0).sum(), rel=1e-10)
    for base in result.bases:
        assert base.pipeline_mean == pytest.approx(own + mean_y, rel=1e-10)
        assert base.pipeline_variance == pytest.approx(own + var_y, rel=1e-9)
        assert base.ebo == pytest.approx(
            ebo(base.stock, base.pipeline_mean, base.pipeline_variance), rel=1e-12
        )
    metric = two_echelon(**FIVE_BASES, depot_stock=depot_stock)
    assert [b.pipeline_mean for b in metric.bases] == pytest.approx(
        [b.pipeline_mean for b in result.bases]
    )


def test_vari_metric_backorders_exceed_metric_with_base_stock() -> None:
    """Extra pipeline variance can only add backorders when bases hold stock (convexity)."""
    kw = {**FIVE_BASES, "depot_stock": 1, "base_stocks": 2}
    metric = two_echelon(**kw)
    vari = two_echelon(**kw, method="vari-metric")
    for m, v in zip(metric.bases, vari.bases, strict=True):
        assert v.pipeline_variance > m.pipeline_variance
        assert v.ebo > m.ebo


def test_two_echelon_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        two_echelon(**{**FIVE_BASES, "base_repair_probability": 1.5}, depot_stock=0)
    with pytest.raises(ValueError):
        two_echelon(**FIVE_BASES, depot_stock=0, base_stocks=-1)
    with pytest.raises(ValueError):
        two_echelon(**FIVE_BASES, depot_stock=0, method="other")  # type: ignore[arg-type]


def test_reorder_holding_limits():
    """A reorder in flight for the lead time unless a surplus carcass stands in first: with
    no surplus it is the lead time; alone in the queue (reorders rare) it is
    E[min(lead, Exp(surplus))] = (1 - exp(-surplus x lead)) / surplus; it never exceeds the
    lead time and falls as surplus rises."""
    from sim.analytic.predict import reorder_holding

    assert reorder_holding(0.2, 0.0, 300.0) == 300.0
    sigma, lead = 0.05, 300.0
    assert reorder_holding(1e-9, sigma, lead) == pytest.approx(
        (1 - math.exp(-sigma * lead)) / sigma, rel=1e-6)
    values = [reorder_holding(0.05, s, lead) for s in (0.001, 0.01, 0.05, 0.2)]
    assert all(0 < v <= lead for v in values)
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("ratio", [1.0, 1.3, 20.0])
def test_pmf_tables_match_scipy_on_both_paths(ratio: float) -> None:
    """The vectorized pmf tables (a running product from p(0), or in logs for a row whose
    p(0) would underflow) are scipy's Poisson and negative binomial pmfs to 1e-12, for means
    on either side of the switch (p(0) = e^-700) and a mean of zero, in one table."""
    from sim.analytic.vector import pmf_matrix, poisson_matrix, width_for

    means = np.array([0.0, 1e-6, 0.3, 5.0, 80.0, 650.0, 750.0, 2000.0])
    var = means * ratio
    for rows in (slice(0, 6), slice(0, 8)):     # all on the product path; some in logs
        m, v = means[rows], var[rows]
        width = width_for(m, v, np.zeros(m.size))
        k = np.arange(width)
        got = pmf_matrix(m, v, width)
        for i, (mi, vi) in enumerate(zip(m, v, strict=True)):
            if mi == 0:
                want = (k == 0).astype(float)
            elif ratio == 1.0:
                want = stats.poisson.pmf(k, mi)
            else:
                want = stats.nbinom.pmf(k, mi * mi / (vi - mi), mi / vi)
            assert np.abs(got[i] - want).max() < 1e-12, (mi, ratio)
        if ratio == 1.0:
            assert np.abs(poisson_matrix(m, width) - got).max() < 1e-12


def test_reorder_holding_same_on_both_paths() -> None:
    """A reorder's time in flight from the birth-death queue of pending reorders: built as a
    running product below a load of 700 and in logs above; each agrees with the formula
    summed term by term in logs (lgamma), on both sides of the switch."""
    from sim.analytic.vector import reorder_holding

    lead = 500.0
    # loads 10, 690, 710, 1000; the last, with little surplus, would overflow a product
    for r, s in ((0.02, 0.3), (1.38, 0.3), (1.42, 0.01), (2.0, 0.01)):
        n_max = int(r * lead + 12.0 * math.sqrt(r * lead + 1.0) + 30.0)
        logs = [0.0]
        for n in range(1, n_max + 1):
            logs.append(logs[-1] + math.log(r) - math.log(s + n / lead))
        top = max(logs)
        w = [math.exp(x - top) for x in logs]
        mu = s * lead
        cdf, tail = 0.0, []
        for j in range(n_max + 1):
            cdf += math.exp(j * math.log(mu) - mu - math.lgamma(j + 1))
            tail.append(max(1.0 - cdf, 0.0))
        e_min = np.cumsum(tail)
        want = float(np.dot(w, e_min) / sum(w) / s)
        got = float(reorder_holding(np.array([r]), np.array([s]), lead)[0])
        assert got == pytest.approx(want, rel=1e-9), r
