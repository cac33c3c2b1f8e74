"""METRIC and VARI-METRIC: expected backorders and availability for one- and two-echelon supply.

Follows Sherbrooke, *Optimal Inventory Modeling of Systems* (2nd ed., 2004), ch. 2-5: Poisson
pipelines by Palm's theorem; a depot whose backorders delay the bases' resupply by
EBO_depot/Λ_depot on average (Little's law); and, in VARI-METRIC (Graves 1985, Sherbrooke 1986),
the depot backorders split among the bases binomially so that each base pipeline is a negative
binomial with the variance that split implies. All times share one unit (days, years...) and
rates are per that unit.

``sim.analytic.pipeline`` (scipy) is imported by the functions that need it: ``sustain
analytic`` uses only ``availability`` from here and must not pay for scipy at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike


def availability(ebos: ArrayLike, aircraft: float, qpa: ArrayLike = 1) -> float:
    """Expected fraction of aircraft not down for parts: Π_i (1 - EBO_i/(N·Z_i))^{Z_i}.

    Sherbrooke's availability assumes backorders spread over the N aircraft at random, at most
    Z_i per aircraft for an NSN installed Z_i times; a factor is clipped at 0 once EBO_i > N·Z_i.
    """
    e = np.asarray(ebos, dtype=float)
    z = np.broadcast_to(np.asarray(qpa, dtype=float), e.shape)
    if aircraft <= 0:
        raise ValueError(f"aircraft must be > 0, got {aircraft}")
    if np.any(z <= 0):
        raise ValueError("quantity per aircraft must be > 0")
    if np.any(e < 0):
        raise ValueError("expected backorders must be >= 0")
    factors = np.clip(1.0 - e / (aircraft * z), 0.0, 1.0)
    return float(np.prod(factors**z))


@dataclass(frozen=True, slots=True)
class SiteResult:
    """One stocking point: its pipeline, stock and the backorder figures they give."""

    demand_rate: float
    pipeline_mean: float
    pipeline_variance: float
    stock: int
    ebo: float
    vbo: float
    fill_rate: float


@dataclass(frozen=True, slots=True)
class DepotResult:
    """The depot of a two-echelon system; ``delay`` is the mean wait its backorders add."""

    demand_rate: float
    pipeline_mean: float
    stock: int
    ebo: float
    vbo: float
    delay: float
    fill_rate: float


@dataclass(frozen=True, slots=True)
class TwoEchelonResult:
    """Depot and bases for one NSN, as METRIC or VARI-METRIC sees them."""

    method: Literal["metric", "vari-metric"]
    depot: DepotResult
    bases: tuple[SiteResult, ...]

    @property
    def base_ebos(self) -> list[float]:
        """Expected backorders per base, the input to availability."""
        return [b.ebo for b in self.bases]


def _site(demand_rate: float, mean: float, variance: float, stock: int) -> SiteResult:
    """Backorder figures for one stocking point."""
    from sim.analytic.pipeline import backorder_moments, fill_rate, pipeline_law

    law = pipeline_law(mean, variance)
    e, vb = backorder_moments(stock, law)
    return SiteResult(
        demand_rate=demand_rate,
        pipeline_mean=law.mean,
        pipeline_variance=law.variance,
        stock=int(stock),
        ebo=float(e),
        vbo=float(vb),
        fill_rate=float(fill_rate(stock, law.mean, None if law.is_poisson else law.variance)),
    )


def single_site(
    demand_rate_per_day: float,
    pipeline_days: float,
    stock: int,
    *,
    variance_to_mean: float = 1.0,
) -> SiteResult:
    """Single-site METRIC: pipeline mean λ·T (Palm), backorders against one-for-one stock.

    ``variance_to_mean`` > 1 turns the pipeline negative binomial for lumpy demand.
    """
    if demand_rate_per_day < 0 or pipeline_days < 0:
        raise ValueError("demand rate and pipeline time must be >= 0")
    if variance_to_mean < 1.0:
        raise ValueError(f"variance-to-mean ratio must be >= 1, got {variance_to_mean}")
    mean = demand_rate_per_day * pipeline_days
    return _site(demand_rate_per_day, mean, mean * variance_to_mean, stock)


def two_echelon(
    base_demand_rates: ArrayLike,
    *,
    base_repair_probability: ArrayLike,
    base_repair_time: ArrayLike,
    order_ship_time: ArrayLike,
    depot_turnaround: float,
    depot_stock: int,
    base_stocks: ArrayLike | None = None,
    method: Literal["metric", "vari-metric"] = "metric",
) -> TwoEchelonResult:
    """Two-echelon METRIC or VARI-METRIC for one NSN (Sherbrooke ch. 2 and 5).

    Base j sees demand λ_j and repairs a fraction r_j itself in T_j; the rest go to the depot
    (demand Λ0 = Σ λ_j(1-r_j), Poisson pipeline Λ0·T0) and are replaced after order-and-ship O_j
    plus the depot's mean delay EBO0(s0)/Λ0. Base pipeline mean
    λ_j[r_j T_j + (1-r_j)(O_j + EBO0/Λ0)]. METRIC takes it as Poisson; VARI-METRIC gives it
    variance λ_j(r_j T_j + (1-r_j)O_j) + f_j(1-f_j)EBO0 + f_j²VBO0 with f_j = λ_j(1-r_j)/Λ0,
    the binomial split of depot backorders, and uses a negative binomial. (Poisson depot
    backorders have VBO0 >= EBO0, so that ratio is never below 1; the clip only absorbs rounding.)
    Parameters broadcast over the bases.
    """
    from sim.analytic.pipeline import backorder_moments, fill_rate, pipeline_law

    if method not in ("metric", "vari-metric"):
        raise ValueError(f"method must be 'metric' or 'vari-metric', got {method!r}")
    lam = np.atleast_1d(np.asarray(base_demand_rates, dtype=float))
    n = lam.shape[0]
    r = np.broadcast_to(np.asarray(base_repair_probability, dtype=float), (n,))
    t_rep = np.broadcast_to(np.asarray(base_repair_time, dtype=float), (n,))
    o_ship = np.broadcast_to(np.asarray(order_ship_time, dtype=float), (n,))
    raw = np.zeros(n) if base_stocks is None else np.asarray(base_stocks, dtype=float)
    if np.any(raw < 0) or np.any(raw != np.floor(raw)) or depot_stock != int(depot_stock):
        raise ValueError("stock levels must be whole numbers >= 0")
    stocks = np.broadcast_to(raw.astype(int), (n,))
    if np.any(lam < 0) or np.any(t_rep < 0) or np.any(o_ship < 0) or depot_turnaround < 0:
        raise ValueError("rates and times must be >= 0")
    if np.any((r < 0) | (r > 1)):
        raise ValueError("base repair probabilities must lie in [0, 1]")

    depot_rate = float(np.sum(lam * (1.0 - r)))
    depot_law = pipeline_law(depot_rate * depot_turnaround)
    e0, v0 = backorder_moments(depot_stock, depot_law)
    ebo0, vbo0 = float(e0), float(v0)
    delay = ebo0 / depot_rate if depot_rate > 0 else 0.0
    depot = DepotResult(
        demand_rate=depot_rate,
        pipeline_mean=depot_law.mean,
        stock=int(depot_stock),
        ebo=ebo0,
        vbo=vbo0,
        delay=delay,
        fill_rate=float(fill_rate(depot_stock, depot_law.mean)),
    )

    own = lam * (r * t_rep + (1.0 - r) * o_ship)
    share = lam * (1.0 - r) / depot_rate if depot_rate > 0 else np.zeros(n)
    means = own + share * ebo0
    if method == "metric":
        variances = means
    else:
        variances = own + share * (1.0 - share) * ebo0 + share**2 * vbo0
        variances = np.maximum(variances, means)
    bases = tuple(
        _site(float(lam[j]), float(means[j]), float(variances[j]), int(stocks[j])) for j in range(n)
    )
    return TwoEchelonResult(method=method, depot=depot, bases=bases)
