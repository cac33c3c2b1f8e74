"""The closed forms of ``predict`` for many stock points at once, as numpy arrays.

A sweep screens hundreds of scenario points and the finite-fleet fixed point solves each
alternative several times, so the per-item figures are computed row-wise over arrays (one row
per flow or per NSN) rather than one Python call per item. Each function is the array form of
a scalar closed form documented where it is used: Poisson or negative-binomial pipelines
(Palm, VARI-METRIC), backorder moments and fill rates from the pmf, Erlang B, the loss system
of asset release, and the time a wholesale reorder stays in flight.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

_POISSON_RTOL = 1e-9
"""Relative excess of variance over mean below which a row is taken as Poisson
(as ``sim.analytic.pipeline``)."""


_LGK = np.zeros(1)


def _log_factorials(width: int) -> Array:
    """log k! for k = 0 … width-1, kept between calls (every table uses a prefix)."""
    global _LGK
    if _LGK.size < width:
        _LGK = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, max(width, 64))))])
    return _LGK[:width]


_PRODUCT_LOG_FLOOR = -700.0
"""Below this log p(0), p(0) is near the smallest normal double (e^-708): such a row's pmf is
built in logs instead of as a running product from p(0)."""


def _running_product(first: Array, ratios: Array) -> Array:
    """Row-wise p(0), p(0) r1, p(0) r1 r2, …: a pmf from its first term and its term ratios
    with one multiplication a cell, where exp(cumsum(log)) costs a logarithm and an
    exponential a cell (about 6 ns each here, most of a screen's table time). Every partial
    product is a probability, so none overflows."""
    out = np.empty((first.size, ratios.shape[1] + 1))
    out[:, 0] = first
    out[:, 1:] = ratios
    return np.cumprod(out, axis=1, out=out)


def poisson_matrix(mean: Array, width: int) -> Array:
    """P(X = k), k = 0 … width-1, per row of Poisson means (the common case, made cheap)."""
    mean = np.asarray(mean, dtype=float)
    if width > 1 and mean.size and mean.min() >= 0.0 and mean.max() < -_PRODUCT_LOG_FLOOR:
        return _running_product(np.exp(-mean), mean[:, None] / _columns(width)[:, 1:])
    k = _columns(width)
    zero = mean <= 0
    if not zero.any():          # no log(0): no floating-point state to switch (it is slow)
        return np.exp(k * np.log(mean)[:, None] - mean[:, None] - _log_factorials(width))
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = k * np.log(mean)[:, None] - mean[:, None] - _log_factorials(width)[None, :]
    out = np.exp(logs)
    out[zero] = 0.0
    out[zero, 0] = 1.0
    return out


_COLUMNS: dict[int, Array] = {}


def _columns(width: int) -> Array:
    """0 … width-1 as a float row, kept between calls."""
    k = _COLUMNS.get(width)
    if k is None:
        k = _COLUMNS[width] = np.arange(width, dtype=float)[None, :]
    return k


def pmf_matrix(mean: Array, var: Array, width: int) -> Array:
    """P(X = k), k = 0 … width-1, per row: Poisson where var = mean, else the negative binomial
    with that mean and variance (size m²/(v-m), success probability m/v). Built from p(0) and
    each law's term ratio (Poisson m/k, negative binomial (k-1+size)(1-p)/k) as a running
    product, or, for a row whose p(0) would underflow (a large mean), accumulated in logs. No
    special function per cell. Each family's ratios are computed on its own rows only."""
    mean = np.asarray(mean, dtype=float)
    var = np.maximum(np.asarray(var, dtype=float), mean)
    poisson = (var - mean) <= _POISSON_RTOL * np.maximum(mean, 1e-300)
    k = _columns(width)[:, 1:]
    ratio = np.empty((mean.size, width - 1))
    log0 = np.empty(mean.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        if poisson.all():
            np.divide(mean[:, None], k, out=ratio)
            np.negative(mean, out=log0)
        else:
            nb = ~poisson
            pr = np.flatnonzero(poisson)
            if pr.size:
                ratio[pr] = mean[pr][:, None] / k
                log0[pr] = -mean[pr]
            m, v = mean[nb], var[nb]
            excess = v - m
            size = (m * m / excess)[:, None]
            q = (excess / np.where(v > 0, v, 1.0))[:, None]   # 1 - p
            ratio[nb] = (k - 1.0 + size) * q / k
            log0[nb] = size[:, 0] * np.log1p(-q[:, 0])
        if width == 1 or not mean.size or log0.min() > _PRODUCT_LOG_FLOOR:
            out = _running_product(np.exp(log0), ratio)
        else:
            logs = np.empty((mean.size, width))
            logs[:, 0] = log0
            np.log(ratio).cumsum(axis=1, out=logs[:, 1:])
            logs[:, 1:] += log0[:, None]
            out = np.exp(logs)
    zero = mean <= 0
    if zero.any():
        out[zero] = 0.0
        out[zero, 0] = 1.0
    return np.where(np.isfinite(out), out, 0.0)


def width_for(mean: Array, var: Array, stock: NDArray[np.int64] | Array) -> int:
    """Columns enough for every row's law to the far tail (mean + 14 sd) and its stock."""
    if np.size(mean) == 0:
        return 1
    sd = np.sqrt(np.maximum(var, mean))
    return int(np.maximum(mean + 14.0 * sd + 25.0, np.asarray(stock) + 2.0).max()) + 1


def backorders(mean: Array, var: Array, stock: NDArray[np.int64]
               ) -> tuple[Array, Array, Array]:
    """(EBO, VBO, fill rate) per row against one-for-one stock: E[(X-s)^+], Var[(X-s)^+] and
    P(X < s) (a demand finds a unit on the shelf when fewer than s are in the pipeline).
    Summed over the pmf, so no figure is the difference of two large ones; a negative stock
    (held below a protection level) owes every unit in the pipeline and -s more."""
    mean = np.asarray(mean, dtype=float)
    var = np.maximum(np.asarray(var, dtype=float), mean)
    stock = np.asarray(stock, dtype=np.int64)
    if mean.size == 0:
        return mean.copy(), mean.copy(), mean.copy()
    s = np.maximum(stock, 0)
    width = width_for(mean, var, s)
    pmf = pmf_matrix(mean, var, width)
    k = np.arange(width)[None, :]
    over = np.maximum(k - s[:, None], 0).astype(float)
    weighted = pmf * over
    ebo = weighted.sum(axis=1)
    e2 = (weighted * over).sum(axis=1)
    fill = np.where(k < s[:, None], pmf, 0.0).sum(axis=1)
    neg = stock < 0
    ebo = np.where(neg, mean - stock, ebo)
    vbo = np.where(neg, var, np.maximum(e2 - ebo * ebo, 0.0))
    return ebo, vbo, np.where(neg, 0.0, fill)


def cdf_at(mean: Array, var: Array, points: NDArray[np.int64]) -> Array:
    """P(X <= points[i, j]) for row i's law (points may be a 2-D array per row)."""
    points = np.asarray(points, dtype=np.int64)
    width = max(width_for(mean, var, points.max(axis=-1) if points.ndim > 1 else points), 2)
    cum = pmf_matrix(mean, var, width).cumsum(axis=1)
    idx = np.minimum(np.maximum(points, -1), width - 1)
    rows = np.arange(cum.shape[0])[:, None] if points.ndim > 1 else np.arange(cum.shape[0])
    out = cum[rows, np.maximum(idx, 0)]
    return np.where(idx < 0, 0.0, np.minimum(out, 1.0))


def _erlang_b_table(load: Array, top: int) -> Array:
    """B(n, a) for n = 0 … top per row: Erlang B is the Poisson(a) pmf at n over its cdf at n
    (truncated Poisson), computed from one pmf table instead of a recursion per n."""
    pmf = poisson_matrix(load, top + 1)
    cdf = pmf.cumsum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        table = np.where(cdf > 0, pmf / cdf, 0.0)
    table[:, 0] = 1.0
    # For a row so loaded that its pmf underflows below n, take B = 1 (every server busy).
    return np.where((cdf > 0) | (np.arange(top + 1)[None, :] == 0), table, 1.0)


def erlang_b(servers: NDArray[np.int64], load: Array) -> Array:
    """Erlang B blocking probability per row (B(0, a) = 1)."""
    servers = np.asarray(servers, dtype=np.int64)
    load = np.asarray(load, dtype=float)
    if servers.size == 0:
        return np.ones(0)
    top = int(max(servers.max(), 0))
    table = _erlang_b_table(load, top)
    return table[np.arange(servers.size), np.minimum(np.maximum(servers, 0), top)]


def loss_release(above: NDArray[np.int64], unrestricted: Array, restricted: Array) -> Array:
    """P(a restricted requisition finds stock above the protection level), per row.

    The ``above`` units above protection serve restricted requisitions as an Erlang loss
    system with offered load ``restricted`` (units a day x days out of stock): exact with no
    unrestricted draws, whatever the holding-time law. Unrestricted draws, Poisson with mean
    ``unrestricted`` out at a time and independent to first order, take servers away:
    P = E_k[1 - B(above - k, restricted)]."""
    return loss_release_plan(above)(unrestricted, restricted)


def loss_release_plan(above: NDArray[np.int64]) -> Callable[[Array, Array], Array]:
    """``loss_release`` for fixed ``above`` as a function of the two loads: the index work
    done once, for a fixed point that calls it every iteration with new loads."""
    above = np.asarray(above, dtype=np.int64)
    act = above > 0
    if not act.any():
        return lambda unrestricted, restricted: np.zeros(above.shape)
    everywhere = bool(act.all())
    top = int(above[act].max())
    servers = above[act][:, None] - np.arange(top)[None, :]   # units left for restricted
    rows = np.arange(servers.shape[0])[:, None]
    cols = np.minimum(np.maximum(servers, 0), top)
    held = servers > 0

    def release(unrestricted: Array, restricted: Array) -> Array:
        unrestricted = np.asarray(unrestricted, dtype=float)
        restricted = np.asarray(restricted, dtype=float)
        if not everywhere:
            unrestricted, restricted = unrestricted[act], restricted[act]
        b = _erlang_b_table(restricted, top)                 # B(n, restricted), n = 0 … top
        pk = poisson_matrix(unrestricted, top)              # P(k unrestricted out)
        got = np.where(held, pk * (1.0 - b[rows, cols]), 0.0).sum(axis=1)
        if everywhere:
            return got
        out = np.zeros(above.shape)
        out[act] = got
        return out

    return release


def reorder_holding(reorders: Array, surplus: Array, lead_days: float) -> Array:
    """Mean days a wholesale reorder is in flight, per row: it arrives after ``lead_days``
    unless a surplus carcass (Poisson, ``surplus`` a day) stands in for the oldest pending one
    first. A reorder placed behind n pending ones is stood in for by the (n+1)-th surplus
    arrival if that comes first: mean min(lead, Gamma(n+1, surplus)) = E[min(N, n+1)]/surplus,
    N ~ Poisson(surplus x lead); n from a birth-death model of pending reorders (born at
    ``reorders``, each leaving at 1/lead, the oldest at ``surplus``), which ignores that some
    ahead arrive on their own first. With no surplus the answer is exactly the lead time."""
    reorders = np.asarray(reorders, dtype=float)
    surplus = np.asarray(surplus, dtype=float)
    out = np.full(reorders.shape, float(lead_days))
    act = (reorders > 0) & (surplus > 0) & (lead_days > 0)
    if not act.any():
        return out
    r, s = reorders[act], surplus[act]
    load = r * lead_days
    n_max = int((load + 12.0 * np.sqrt(load + 1.0) + 30.0).max())
    n = _columns(n_max + 1)[:, 1:]
    if load.max() < -_PRODUCT_LOG_FLOOR:
        # P(n pending) up to a constant, from its term ratios r / (s + n / lead): the largest
        # running product is at most e^load, which stays finite below the floor
        pending = _running_product(np.ones(r.size), r[:, None] / (s[:, None] + n / lead_days))
    else:
        steps = np.log(r)[:, None] - np.log(s[:, None] + n / lead_days)
        logs = np.concatenate([np.zeros((r.size, 1)), steps.cumsum(axis=1)], axis=1)
        pending = np.exp(logs - logs.max(axis=1, keepdims=True))
    pending /= pending.sum(axis=1, keepdims=True)
    tail = 1.0 - poisson_matrix(s * lead_days, n_max + 1).cumsum(axis=1)  # P(N >= j+1)
    e_min = np.maximum(tail, 0.0).cumsum(axis=1)     # E[min(N, n + 1)], n = 0 … n_max
    out[act] = (pending * e_min).sum(axis=1) / s
    return out


def thinned_moments(own: np.ndarray, share: np.ndarray, e0: np.ndarray | float,
                    v0: np.ndarray | float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of a lower echelon's pipeline: its own part (Poisson, Palm) plus its
    binomial ``share`` of the upper echelon's backorders (mean ``e0``, variance ``v0``) —
    VARI-METRIC (Sherbrooke ch. 5), never below the mean; METRIC takes variance = mean."""
    mean = own + share * e0
    if method == "metric":
        return mean, mean
    return mean, np.maximum(mean, own + share * (1.0 - share) * e0 + share * share * v0)
