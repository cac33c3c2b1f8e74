"""A nation's own echelons: bases that draw on a national central store (issue 9).

A base's pipeline of units owed to its shelf has three independent parts when demand is
Poisson (Sherbrooke, *Optimal Inventory Modeling of Systems*, ch. 5; Graves, "A multi-echelon
inventory model for a repairable item with one-for-one replenishment", Management Science
31(10), 1985):

1. units in base repair — a fraction ``r`` of removals, Poisson(λ r T_repair) by Palm;
2. the base's NRTS orders in order-and-ship from the central store, Poisson(λ (1 - r) O);
3. the base's share of the central store's backorders. The central store fills its bases
   first-come first-served, so each central backorder belongs to base b with probability
   f_b = λ_b(1 - r)/Λ_0, independently: the base's part is a *binomial thinning* of the
   central backorders B_0 = (X_0 - s_0)^+.

With a deterministic order-and-ship time Graves shows (2)+(3) is exact, (2) counting the
demands in (t - O, t] and (3) the central backorders at t - O: ``base_pipeline_pmf`` gives
that exact law. VARI-METRIC keeps its mean and variance and fits a negative binomial
(``base_pipeline_moments``), which is what the closed form and the optimizer use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from sim.analytic.pipeline import backorder_moments, pipeline_law


@dataclass(frozen=True, slots=True)
class BaseDemand:
    """One base's figures for one NSN (rates per day, times in days)."""

    rate: float                 # removals per day at the base
    repair_probability: float   # share repaired on base (1 - NRTS)
    repair_days: float          # mean base repair time
    order_ship_days: float      # central store to base shelf


def central_backorders(mean: float, variance: float, stock: int) -> tuple[float, float]:
    """E and Var of the central store's backorders against its resupply pipeline."""
    e, v = backorder_moments(stock, pipeline_law(mean, variance))
    return float(e), float(v)


def base_pipeline_moments(base: BaseDemand, share: float, central_ebo: float,
                          central_vbo: float) -> tuple[float, float]:
    """(mean, variance) of a base's pipeline: base repair and order-and-ship are Poisson;
    the base's binomially thinned share of central backorders has mean f·E[B0] and
    variance f(1-f)·E[B0] + f²·Var[B0]."""
    own = base.rate * (base.repair_probability * base.repair_days
                       + (1.0 - base.repair_probability) * base.order_ship_days)
    mean = own + share * central_ebo
    var = own + share * (1.0 - share) * central_ebo + share * share * central_vbo
    return mean, max(var, mean)


def _poisson_pmf(mean: float, n: int) -> NDArray[np.float64]:
    k = np.arange(n)
    return stats.poisson.pmf(k, mean) if mean > 0 else (k == 0).astype(float)


def thinned_pmf(pmf: NDArray[np.float64], share: float) -> NDArray[np.float64]:
    """Law of a binomial thinning: each of N (law ``pmf``) kept with probability ``share``."""
    n = pmf.size
    out = np.zeros(n)
    for total in range(n):
        if pmf[total] == 0.0:
            continue
        kept = np.arange(total + 1)
        out[: total + 1] += pmf[total] * stats.binom.pmf(kept, total, share)
    return out


def base_pipeline_pmf(base: BaseDemand, share: float, central_mean: float,
                      central_stock: int, size: int | None = None) -> NDArray[np.float64]:
    """Graves' exact law of a base's pipeline when the central store's resupply pipeline is
    Poisson(``central_mean``) and order-and-ship is deterministic: Poisson(base repair +
    order-and-ship) convolved with the thinned central backorders."""
    if size is None:
        spread = central_mean + 10.0 * math.sqrt(central_mean + 1.0)
        own = base.rate * (base.repair_days + base.order_ship_days)
        size = int(spread + own + 10.0 * math.sqrt(own + 1.0) + 30)
    x0 = _poisson_pmf(central_mean, size + central_stock)
    b0 = np.zeros(size)
    b0[0] = x0[: central_stock + 1].sum()
    b0[1:] = x0[central_stock + 1: central_stock + size]
    own = base.rate * (base.repair_probability * base.repair_days
                       + (1.0 - base.repair_probability) * base.order_ship_days)
    return np.convolve(_poisson_pmf(own, size), thinned_pmf(b0, share))[:size]


def ebo_from_pmf(pmf: NDArray[np.float64], stock: int) -> float:
    """E[(X - s)^+] of a law given by its pmf on 0, 1, 2, …"""
    k = np.arange(pmf.size)
    return float(np.dot(np.maximum(k - stock, 0), pmf))


def fill_from_pmf(pmf: NDArray[np.float64], stock: int) -> float:
    """P(X < s): the chance a demand finds a unit on the shelf."""
    return float(pmf[:stock].sum())


def base_availability(ebos: Sequence[float], qpa: Sequence[float], aircraft: int) -> float:
    """METRIC availability of one base's aircraft: Π_i (1 - EBO_i / (N Z_i))^{Z_i}."""
    a = 1.0
    for e, z in zip(ebos, qpa, strict=True):
        a *= max(0.0, 1.0 - e / (aircraft * z)) ** z
    return a
