"""Multi-echelon pieces of the closed form: a base's share of central backorders is a
binomial thinning, and Graves' exact base pipeline has VARI-METRIC's mean and variance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analytic.echelons import (
    BaseDemand,
    base_pipeline_moments,
    base_pipeline_pmf,
    central_backorders,
    ebo_from_pmf,
    thinned_pmf,
)


def test_thinning_a_poisson_gives_a_poisson():
    pmf = stats.poisson.pmf(np.arange(80), 6.0)
    assert thinned_pmf(pmf, 0.3) == pytest.approx(stats.poisson.pmf(np.arange(80), 1.8),
                                                  abs=1e-12)


def test_exact_base_pipeline_has_the_vari_metric_moments():
    """Central pipeline Poisson(4) against 3 units; a base with 40 % of the NRTS demand,
    a quarter repaired on base in 5 days, 2 days order-and-ship."""
    base = BaseDemand(rate=0.5, repair_probability=0.25, repair_days=5.0, order_ship_days=2.0)
    pmf = base_pipeline_pmf(base, 0.4, central_mean=4.0, central_stock=3)
    k = np.arange(pmf.size)
    e0, v0 = central_backorders(4.0, 4.0, 3)
    mean, var = base_pipeline_moments(base, 0.4, e0, v0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.dot(k, pmf) == pytest.approx(mean, rel=1e-10)
    assert np.dot(k * k, pmf) - mean**2 == pytest.approx(var, rel=1e-9)


def test_with_no_central_stock_shortfall_the_base_sees_only_its_own_pipeline():
    base = BaseDemand(rate=0.2, repair_probability=0.0, repair_days=0.0, order_ship_days=3.0)
    pmf = base_pipeline_pmf(base, 0.5, central_mean=0.5, central_stock=40)
    assert ebo_from_pmf(pmf, 1) == pytest.approx(
        sum((k - 1) * stats.poisson.pmf(k, 0.6) for k in range(2, 60)), rel=1e-9)
