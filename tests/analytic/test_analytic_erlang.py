"""Erlang B/C and M/M/c against hand-computed cases."""

from __future__ import annotations

import math

import pytest

from sim.analytic.erlang import (
    erlang_b,
    erlang_c,
    mmc_mean_in_system,
    mmc_mean_queue_length,
    mmc_mean_time_in_system,
    mmc_mean_wait,
    mmc_utilization,
    mmc_wait_probability,
)


@pytest.mark.parametrize(("lam", "mu"), [(0.3, 1.0), (2.0, 2.5), (9.0, 10.0)])
def test_single_server_is_mm1(lam: float, mu: float) -> None:
    """c = 1: P(wait) = ρ, Wq = ρ/(μ-λ), L = ρ/(1-ρ)."""
    rho = lam / mu
    assert mmc_wait_probability(lam, mu, 1) == pytest.approx(rho)
    assert mmc_mean_wait(lam, mu, 1) == pytest.approx(rho / (mu - lam))
    assert mmc_mean_in_system(lam, mu, 1) == pytest.approx(rho / (1 - rho))
    assert mmc_mean_time_in_system(lam, mu, 1) == pytest.approx(1 / (mu - lam))
    assert mmc_utilization(lam, mu, 1) == pytest.approx(rho)


def test_two_servers_hand_computed() -> None:
    """M/M/2, λ = μ = 1 (a = 1, ρ = 1/2).

    Erlang B: (a²/2)/(1 + a + a²/2) = 0.5/2.5 = 1/5.
    Erlang C: 2·B/(2 - a(1 - B)) = 0.4/1.2 = 1/3 (= 2ρ²/(1+ρ)).
    Wq = C/(cμ - λ) = 1/3; Lq = 1/3; L = Lq + a = 4/3 (= 2ρ/(1-ρ²)).
    """
    assert erlang_b(2, 1.0) == pytest.approx(1 / 5)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert mmc_wait_probability(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert mmc_mean_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert mmc_mean_queue_length(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert mmc_mean_in_system(1.0, 1.0, 2) == pytest.approx(4 / 3)
    assert mmc_mean_time_in_system(1.0, 1.0, 2) == pytest.approx(4 / 3)


def test_three_servers_hand_computed() -> None:
    """M/M/3, λ = 2, μ = 1 (a = 2).

    P0 = [1 + 2 + 2 + (8/6)·3/(3-2)]⁻¹ = 1/9; C = (8/6)·3·P0 = 4/9.
    Erlang B = (8/6)/(1 + 2 + 2 + 8/6) = 4/19. Wq = C/(3 - 2) = 4/9; Lq = 8/9; L = 8/9 + 2.
    """
    assert erlang_b(3, 2.0) == pytest.approx(4 / 19)
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    assert mmc_mean_wait(2.0, 1.0, 3) == pytest.approx(4 / 9)
    assert mmc_mean_queue_length(2.0, 1.0, 3) == pytest.approx(8 / 9)
    assert mmc_mean_in_system(2.0, 1.0, 3) == pytest.approx(8 / 9 + 2)
    assert mmc_utilization(2.0, 1.0, 3) == pytest.approx(2 / 3)


def test_erlang_b_matches_direct_formula_and_is_stable() -> None:
    """Recursion equals (a^c/c!)/Σ a^k/k! where that is computable, and survives large c."""
    a, c = 7.5, 10
    direct = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
    assert erlang_b(c, a) == pytest.approx(direct, rel=1e-12)
    big = erlang_b(1000, 950.0)
    assert 0.0 < big < 1.0 and math.isfinite(big)
    assert 0.0 < erlang_c(1000, 950.0) < 1.0


def test_unstable_and_invalid_raise() -> None:
    with pytest.raises(ValueError):
        mmc_mean_wait(2.0, 1.0, 2)
    with pytest.raises(ValueError):
        mmc_wait_probability(3.0, 1.0, 2)
    with pytest.raises(ValueError):
        erlang_c(2, 2.0)
    with pytest.raises(ValueError):
        erlang_b(0, 1.0)
    with pytest.raises(ValueError):
        mmc_utilization(1.0, 0.0, 1)
