"""Pipeline laws and backorder moments against published values and brute-force sums."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.analytic.pipeline import (
    backorder_moments,
    cdf,
    deterministic_survival,
    ebo,
    ebo_variance,
    exponential_survival,
    fill_rate,
    nonstationary_palm_mean,
    piecewise_palm_mean,
    pipeline_law,
    tail_probability,
)

S = np.arange(5)


def _brute(mean: float, variance: float | None, stock: np.ndarray) -> tuple[np.ndarray, ...]:
    """E and Var of (X-s)+ by summing the pmf far into the tail."""
    law = pipeline_law(mean, variance)
    x = np.arange(0, 20_000)
    p = law.pmf(x)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    b = np.maximum(x[None, :] - stock[:, None], 0).astype(float)
    e = (b * p).sum(axis=1)
    return e, (b * b * p).sum(axis=1) - e * e


def test_poisson_ebo_sherbrooke_table() -> None:
    """Sherbrooke's Poisson table for mean 1.25, s = 0..4."""
    expected = [1.25000, 0.53650, 0.18114, 0.04961, 0.01134]
    np.testing.assert_allclose(ebo(S, 1.25), expected, atol=5e-5)
    for s, e in zip(S, expected, strict=True):
        assert ebo(int(s), 1.25) == pytest.approx(e, abs=5e-5)


def test_poisson_cdf_and_fill_rate() -> None:
    expected = [0.286505, 0.644636, 0.868468, 0.961731, 0.990876]
    np.testing.assert_allclose(cdf(S, 1.25), expected, atol=1e-6)
    assert fill_rate(0, 1.25) == 0.0
    for s in range(1, 8):
        assert fill_rate(s, 1.25) == pytest.approx(cdf(s - 1, 1.25), abs=1e-15)
        assert fill_rate(s, 2.0, 5.0) == pytest.approx(cdf(s - 1, 2.0, 5.0), abs=1e-15)
    np.testing.assert_allclose(fill_rate(S, 1.25), cdf(S - 1, 1.25), atol=1e-15)


def test_scalar_in_scalar_out() -> None:
    assert isinstance(ebo(2, 1.25), float)
    assert isinstance(ebo_variance(2, 1.25, 2.0), float)
    assert isinstance(cdf(2, 1.25), float)
    assert isinstance(ebo(S, 1.25), np.ndarray)


def test_nb_reproduces_mean_and_variance() -> None:
    for mean, var in [(1.25, 3.0), (7.3, 20.0), (0.4, 0.9), (50.0, 60.0)]:
        law = pipeline_law(mean, var)
        assert not law.is_poisson
        m, v = stats.nbinom.stats(law.size, law.prob, moments="mv")
        assert float(m) == pytest.approx(mean, rel=1e-12)
        assert float(v) == pytest.approx(var, rel=1e-12)
        # s = 0: backorders are the whole pipeline
        assert ebo(0, mean, var) == pytest.approx(mean, rel=1e-12)
        assert ebo_variance(0, mean, var) == pytest.approx(var, rel=1e-12)


def test_poisson_selected_when_variance_equals_mean() -> None:
    assert pipeline_law(2.0).is_poisson
    assert pipeline_law(2.0, 2.0).is_poisson
    assert pipeline_law(0.0, 0.0).is_poisson
    with pytest.raises(ValueError):
        pipeline_law(2.0, 1.5)
    with pytest.raises(ValueError):
        pipeline_law(-1.0)
    with pytest.raises(ValueError):
        ebo(-1, 2.0)
    with pytest.raises(ValueError):
        ebo(1.5, 2.0)


def test_nb_tends_to_poisson() -> None:
    stock = np.arange(10)
    poisson = ebo(stock, 3.0)
    gaps = [np.abs(ebo(stock, 3.0, 3.0 * (1 + eps)) - poisson).max() for eps in (1e-1, 1e-3, 1e-6)]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-6
    np.testing.assert_allclose(
        ebo_variance(stock, 3.0, 3.0 * (1 + 1e-7)), ebo_variance(stock, 3.0), atol=1e-6
    )


@pytest.mark.parametrize(
    ("mean", "variance"),
    [(1.25, None), (1.25, 3.0), (7.3, 20.0), (0.4, 0.9), (50.0, 60.0), (2.0, 40.0)],
)
def test_moments_match_brute_force(mean: float, variance: float | None) -> None:
    stock = np.arange(0, int(3 * mean) + 12)
    e_ref, v_ref = _brute(mean, variance, stock)
    e, v = backorder_moments(stock, pipeline_law(mean, variance))
    np.testing.assert_allclose(e, e_ref, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(v, v_ref, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ebo_variance(stock, mean, variance), v_ref, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize(("mean", "variance"), [(1.25, None), (4.0, 9.0), (30.0, None)])
def test_ebo_difference_is_tail_probability(mean: float, variance: float | None) -> None:
    """EBO(s) - EBO(s+1) = 1 - F(s): the marginal value of one more spare."""
    stock = np.arange(0, 60)
    e = ebo(stock, mean, variance)
    np.testing.assert_allclose(e[:-1] - e[1:], 1.0 - cdf(stock[:-1], mean, variance), atol=1e-12)
    np.testing.assert_allclose(
        e[:-1] - e[1:], tail_probability(stock[:-1], mean, variance), atol=1e-12
    )


def test_far_tail_is_accurate_not_cancelled() -> None:
    """Deep in the tail EBO is tiny; it must match the direct sum to relative precision."""
    stock = np.array([15, 20, 25])
    e_ref, _ = _brute(1.25, None, stock)
    np.testing.assert_allclose(ebo(stock, 1.25), e_ref, rtol=1e-10)
    assert np.all(ebo(stock, 1.25) > 0)


def test_zero_mean_pipeline() -> None:
    assert ebo(0, 0.0) == 0.0
    assert ebo(3, 0.0) == 0.0
    assert cdf(0, 0.0) == 1.0
    assert fill_rate(1, 0.0) == 1.0


# --- non-stationary Palm -----------------------------------------------------------------------


def test_palm_constant_rate_gives_rate_times_mean_time() -> None:
    rate, mean_t = 3.0, 2.0
    steady = nonstationary_palm_mean(
        lambda u: rate, exponential_survival(mean_t), 5.0, start=-math.inf
    )
    assert steady == pytest.approx(rate * mean_t, rel=1e-8)
    # started empty at 0: λ·E[T]·(1 - e^{-t/E[T]}), tending to λ·E[T]
    ts = np.array([0.5, 2.0, 10.0, 60.0])
    filling = nonstationary_palm_mean(lambda u: rate, exponential_survival(mean_t), ts)
    np.testing.assert_allclose(filling, rate * mean_t * (1 - np.exp(-ts / mean_t)), rtol=1e-8)
    # deterministic T: exactly λ·T once t >= T
    det = nonstationary_palm_mean(
        lambda u: rate, deterministic_survival(1.5), 4.0, survival_breaks=(1.5,)
    )
    assert det == pytest.approx(rate * 1.5, rel=1e-10)


def test_palm_step_change_deterministic_repair() -> None:
    """λ1 before t0, λ2 after, T fixed: the pipeline moves linearly to λ2·T over [t0, t0+T]."""
    lam1, lam2, t0, repair = 2.0, 5.0, 10.0, 3.0
    surv = deterministic_survival(repair)

    def mean_at(t: float) -> float:
        return piecewise_palm_mean(
            t, [t0], [lam1, lam2], surv, start=-math.inf, survival_breaks=(repair,)
        )

    assert mean_at(t0 - 1.0) == pytest.approx(lam1 * repair, rel=1e-10)
    assert mean_at(t0) == pytest.approx(lam1 * repair, rel=1e-10)
    for dt in (0.5, 1.0, 2.9):
        expected = lam1 * (repair - dt) + lam2 * dt
        assert mean_at(t0 + dt) == pytest.approx(expected, rel=1e-10)
    for t in (t0 + repair, t0 + repair + 0.1, t0 + 50.0):
        assert mean_at(t) == pytest.approx(lam2 * repair, rel=1e-10)
    # vector t and a generic callable agree with the convenience form
    ts = np.array([t0 + 1.0, t0 + 4.0])
    generic = nonstationary_palm_mean(
        lambda u: lam1 if u < t0 else lam2,
        surv,
        ts,
        start=-math.inf,
        rate_breaks=(t0,),
        survival_breaks=(repair,),
    )
    np.testing.assert_allclose(generic, [lam1 * 2 + lam2 * 1, lam2 * repair], rtol=1e-10)


def test_palm_step_change_exponential_repair() -> None:
    """Closed form for exponential T: λ2·E[T] + (λ1-λ2)·E[T]·e^{-(t-t0)/E[T]}."""
    lam1, lam2, t0, mt = 4.0, 1.0, 3.0, 2.0
    for t in (3.5, 5.0, 12.0):
        got = piecewise_palm_mean(t, [t0], [lam1, lam2], exponential_survival(mt), start=-math.inf)
        assert got == pytest.approx(lam2 * mt + (lam1 - lam2) * mt * math.exp(-(t - t0) / mt))


def test_piecewise_palm_rejects_bad_input() -> None:
    surv = exponential_survival(1.0)
    with pytest.raises(ValueError):
        piecewise_palm_mean(1.0, [1.0], [1.0], surv)
    with pytest.raises(ValueError):
        piecewise_palm_mean(1.0, [2.0, 1.0], [1.0, 2.0, 3.0], surv)
