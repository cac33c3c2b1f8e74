"""Pipeline distributions and the backorder moments that METRIC is built from.

Palm's theorem makes a repair pipeline fed by Poisson demand Poisson with mean λ·E[T] whatever
the repair-time law. Where the pipeline is more variable than that (VARI-METRIC, bursty demand)
Sherbrooke uses a negative binomial with the same mean and variance; this module does the same,
so every function takes a mean and an optional variance (``None`` or equal to the mean means
Poisson, larger means negative binomial).

Backorder moments are computed from closed forms chosen so that no figure is the small difference
of two large ones: below the mean from finite sums of positive terms, above the mean from shifted
tail probabilities (``x·p(x)`` of a Poisson or NB is a multiple of a shifted pmf of the same family).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

FloatOrArray = float | NDArray[np.float64]

_POISSON_RTOL = 1e-9
"""Relative excess of variance over mean below which the law is taken as Poisson."""


@dataclass(frozen=True, slots=True)
class PipelineLaw:
    """Poisson (``size`` infinite) or negative binomial NB(size, prob) with given mean, variance.

    Kept as one small object so that callers can validate a (mean, variance) pair once.
    """

    mean: float
    variance: float
    size: float
    prob: float

    @property
    def is_poisson(self) -> bool:
        """True when the variance equals the mean (Palm's theorem)."""
        return math.isinf(self.size)

    def sf(self, k: ArrayLike, shift: int = 0) -> NDArray[np.float64]:
        """P(Y > k) for Y the law with ``size + shift`` (a Poisson ignores ``shift``).

        The shifted laws give E[X·1{X>s}] and E[X(X-1)·1{X>s}] without cancellation.
        """
        if type(k) is float or type(k) is int:
            return np.asarray(self._sf1(float(k), shift))
        kf = np.floor(np.asarray(k, dtype=float))
        neg = kf < 0
        kk = np.where(neg, 0.0, kf)
        if self.is_poisson:
            out = special.pdtrc(kk, self.mean)
        else:
            out = special.betaincc(self.size + shift, kk + 1.0, self.prob)
        return np.asarray(np.where(neg, 1.0, out), dtype=float)

    def _sf1(self, k: float, shift: int = 0) -> float:
        """``sf`` of one point, without array overhead (the same special functions)."""
        kf = math.floor(k)
        if kf < 0:
            return 1.0
        if self.is_poisson:
            return float(special.pdtrc(float(kf), self.mean))
        return float(special.betaincc(self.size + shift, kf + 1.0, self.prob))

    def _cdf1(self, k: float) -> float:
        """``cdf`` of one point, without array overhead (the same special functions)."""
        kf = math.floor(k)
        if kf < 0:
            return 0.0
        if self.is_poisson:
            return float(special.pdtr(float(kf), self.mean))
        return float(special.betainc(self.size, kf + 1.0, self.prob))

    def cdf(self, k: ArrayLike) -> NDArray[np.float64]:
        """P(X <= k)."""
        if type(k) is float or type(k) is int:
            return np.asarray(self._cdf1(float(k)))
        kf = np.floor(np.asarray(k, dtype=float))
        neg = kf < 0
        kk = np.where(neg, 0.0, kf)
        if self.is_poisson:
            out = special.pdtr(kk, self.mean)
        else:
            out = special.betainc(self.size, kk + 1.0, self.prob)
        return np.asarray(np.where(neg, 0.0, out), dtype=float)

    def pmf(self, k: ArrayLike) -> NDArray[np.float64]:
        """P(X = k)."""
        kf = np.asarray(k, dtype=float)
        bad = (kf < 0) | (kf != np.floor(kf))
        kk = np.where(bad, 0.0, kf)
        if self.is_poisson:
            logp = special.xlogy(kk, self.mean) - special.gammaln(kk + 1.0) - self.mean
        else:
            n, p = self.size, self.prob
            logp = (special.gammaln(n + kk) - special.gammaln(kk + 1.0) - special.gammaln(n)
                    + n * math.log(p) + special.xlog1py(kk, -p))
        return np.asarray(np.where(bad, 0.0, np.exp(logp)), dtype=float)


def pipeline_law(mean: float, variance: float | None = None) -> PipelineLaw:
    """Validate a pipeline (mean, variance) and pick Poisson or negative binomial.

    A variance below the mean (binomial-like pipelines) is refused rather than silently
    approximated; callers such as VARI-METRIC decide themselves whether to fall back to Poisson.
    """
    mean = float(mean)
    if not math.isfinite(mean) or mean < 0.0:
        raise ValueError(f"pipeline mean must be finite and >= 0, got {mean}")
    if variance is None:
        return PipelineLaw(mean, mean, math.inf, 1.0)
    variance = float(variance)
    if not math.isfinite(variance) or variance < 0.0:
        raise ValueError(f"pipeline variance must be finite and >= 0, got {variance}")
    excess = variance - mean
    if abs(excess) <= _POISSON_RTOL * max(mean, 1e-300) or (mean == 0.0 and variance == 0.0):
        return PipelineLaw(mean, mean, math.inf, 1.0)
    if mean == 0.0:
        raise ValueError("a pipeline with zero mean must have zero variance")
    if excess < 0.0:
        raise ValueError(
            f"variance-to-mean ratio {variance / mean:.6g} < 1 is not supported "
            "(only Poisson or negative binomial pipelines)"
        )
    return PipelineLaw(mean, variance, mean * mean / excess, mean / variance)


def _as_stock(s: ArrayLike, *, allow_negative: bool) -> NDArray[np.int64]:
    """Stock levels as an integer array; refuse fractions (and negatives where meaningless)."""
    arr = np.asarray(s)
    if arr.dtype.kind not in "iu":
        as_float = arr.astype(float)
        if not np.all(np.isfinite(as_float)) or np.any(as_float != np.floor(as_float)):
            raise ValueError(f"stock levels must be whole numbers, got {s!r}")
        arr = as_float
    out = arr.astype(np.int64)
    if not allow_negative and np.any(out < 0):
        raise ValueError(f"stock levels must be >= 0, got {s!r}")
    return out


def _shaped(values: NDArray[np.float64], like: ArrayLike) -> FloatOrArray:
    """Return a Python float for scalar input, an array otherwise."""
    if np.ndim(like) == 0:
        return float(values.reshape(()))
    return values


def backorder_moments(
    s: ArrayLike, law: PipelineLaw, *, with_variance: bool = True
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """E[(X-s)+] and Var[(X-s)+] for integer arrays ``s``, computed without cancellation.

    With D = (s-X)+ (stock on hand), B = X - s + D. For s <= mean: G(s) = E[D] and H(s) = E[D²]
    follow the positive recursions G(s+1) = G(s) + F(s), H(s+1) = H(s) + 2G(s) + F(s), so
    EBO = m - s + G and VBO = v - H - G² - 2(m-s)G. For s > mean the tail identities
    E[X·1{X>s}] = m·P(X' >= s), E[X(X-1)·1{X>s}] = E[X(X-1)]·P(X'' >= s-1) apply, where X', X''
    are the same family with size + 1, + 2 (a Poisson is its own shift).
    """
    if type(s) is int or type(s) is np.int64:
        if s < 0:
            raise ValueError(f"stock levels must be >= 0, got {s!r}")
        e1, v1 = _moments1(int(s), law, with_variance)
        return np.asarray(e1), np.asarray(v1)
    st = _as_stock(s, allow_negative=False).reshape(-1)
    m, v = law.mean, law.variance
    ebo = np.zeros(st.shape, dtype=float)
    vbo = np.zeros(st.shape, dtype=float)
    low = st <= m
    if np.any(low):
        sl = st[low]
        top = int(sl.max())
        f = law.cdf(np.arange(top, dtype=float))
        g = np.concatenate(([0.0], np.cumsum(f)))
        ebo[low] = m - sl + g[sl]
        if with_variance:
            h = np.concatenate(([0.0], np.cumsum(2.0 * g[:-1] + f)))
            gl = g[sl]
            vbo[low] = v - h[sl] - gl * gl - 2.0 * (m - sl) * gl
    high = ~low
    if np.any(high):
        sh = st[high].astype(float)
        tail0 = law.sf(sh)
        tail1 = law.sf(sh - 1.0, shift=1)
        e = m * tail1 - sh * tail0
        ebo[high] = e
        if with_variance:
            tail2 = law.sf(sh - 2.0, shift=2)
            second = (v + m * m - m) * tail2 + (1.0 - 2.0 * sh) * m * tail1 + sh * sh * tail0
            vbo[high] = second - e * e
    shape = np.shape(s)
    return np.maximum(ebo, 0.0).reshape(shape), np.maximum(vbo, 0.0).reshape(shape)


def _moments1(s: int, law: PipelineLaw, with_variance: bool) -> tuple[float, float]:
    """``backorder_moments`` for one stock level: the same formulas and special-function
    calls as the array path (so the same figures), without its array overhead — the closed
    form evaluates this tens of thousands of times per scenario."""
    m, v = law.mean, law.variance
    if s <= m:
        g = h = 0.0
        if s > 0:
            f = law.cdf(np.arange(s, dtype=float))
            gs = np.concatenate(([0.0], np.cumsum(f)))
            g = float(gs[s])
            if with_variance:
                h = float(np.concatenate(([0.0], np.cumsum(2.0 * gs[:-1] + f)))[s])
        e = m - s + g
        vb = v - h - g * g - 2.0 * (m - s) * g if with_variance else 0.0
    else:
        sh = float(s)
        tail0 = law._sf1(sh)
        tail1 = law._sf1(sh - 1.0, shift=1)
        e = m * tail1 - sh * tail0
        vb = 0.0
        if with_variance:
            tail2 = law._sf1(sh - 2.0, shift=2)
            second = (v + m * m - m) * tail2 + (1.0 - 2.0 * sh) * m * tail1 + sh * sh * tail0
            vb = second - e * e
    return max(e, 0.0), max(vb, 0.0)


def ebo(s: ArrayLike, mean: float, variance: float | None = None) -> FloatOrArray:
    """Expected backorders E[(X-s)+] with stock ``s`` against a pipeline of the given law.

    The quantity METRIC minimizes and availability is computed from.
    """
    e, _ = backorder_moments(s, pipeline_law(mean, variance), with_variance=False)
    return _shaped(e, s)


def ebo_variance(s: ArrayLike, mean: float, variance: float | None = None) -> FloatOrArray:
    """Var[(X-s)+], the variance of backorders; VARI-METRIC passes it down to the bases."""
    _, vb = backorder_moments(s, pipeline_law(mean, variance), with_variance=True)
    return _shaped(vb, s)


def cdf(s: ArrayLike, mean: float, variance: float | None = None) -> FloatOrArray:
    """P(X <= s): the probability that stock ``s`` covers the pipeline (no backorder)."""
    st = _as_stock(s, allow_negative=True)
    return _shaped(pipeline_law(mean, variance).cdf(st.astype(float)), s)


def tail_probability(s: ArrayLike, mean: float, variance: float | None = None) -> FloatOrArray:
    """P(X > s) = EBO(s) - EBO(s+1): the marginal EBO value of the (s+1)-th spare."""
    st = _as_stock(s, allow_negative=True)
    return _shaped(pipeline_law(mean, variance).sf(st.astype(float)), s)


def fill_rate(s: ArrayLike, mean: float, variance: float | None = None) -> FloatOrArray:
    """Immediate fill rate P(X <= s-1) with one-for-one stock ``s`` (a demand finds a unit on the
    shelf exactly when fewer than ``s`` units are already in the pipeline); 0 for s = 0."""
    if type(s) is int or type(s) is np.int64:
        if s < 0:
            raise ValueError(f"stock levels must be >= 0, got {s!r}")
        return pipeline_law(mean, variance)._cdf1(float(s - 1))
    st = _as_stock(s, allow_negative=False)
    return _shaped(pipeline_law(mean, variance).cdf((st - 1).astype(float)), s)


# --- non-stationary Palm ----------------------------------------------------------------------


def exponential_survival(mean: float) -> Callable[[float], float]:
    """P(T > v) for an exponential repair time with the given mean."""
    if mean <= 0.0:
        raise ValueError(f"mean repair time must be > 0, got {mean}")
    return lambda v: math.exp(-v / mean) if v > 0.0 else 1.0


def deterministic_survival(duration: float) -> Callable[[float], float]:
    """P(T > v) for a fixed repair time; pass ``survival_breaks=(duration,)`` alongside it."""
    if duration < 0.0:
        raise ValueError(f"repair time must be >= 0, got {duration}")
    return lambda v: 1.0 if v < duration else 0.0


def _palm_scalar(
    rate_fn: Callable[[float], float],
    survival_fn: Callable[[float], float],
    t: float,
    start: float,
    rate_breaks: Sequence[float],
    survival_breaks: Sequence[float],
) -> float:
    """∫_0^{t-start} λ(t-v)·S(v) dv, integrated piece by piece between known jumps."""
    from scipy import integrate  # only here: importing it costs ~0.3 s on every CLI call

    if t <= start:
        return 0.0
    horizon = t - start  # may be inf
    breaks = {0.0}
    breaks.update(t - float(u) for u in rate_breaks)
    breaks.update(float(v) for v in survival_breaks)
    cuts = sorted(b for b in breaks if 0.0 <= b < horizon)
    if math.isfinite(horizon):
        cuts.append(horizon)

    def integrand(v: float) -> float:
        return float(rate_fn(t - v)) * float(survival_fn(v))

    total = 0.0
    for lo, hi in itertools.pairwise(cuts):
        if hi > lo:
            total += integrate.quad(integrand, lo, hi, limit=200, epsabs=1e-12, epsrel=1e-10)[0]
    if not math.isfinite(horizon):
        total += integrate.quad(integrand, cuts[-1], math.inf, limit=200, epsabs=1e-12)[0]
    return total


def nonstationary_palm_mean(
    rate_fn: Callable[[float], float],
    survival_fn: Callable[[float], float],
    t: ArrayLike,
    *,
    start: float = 0.0,
    rate_breaks: Sequence[float] = (),
    survival_breaks: Sequence[float] = (),
) -> FloatOrArray:
    """Pipeline mean at time ``t`` when the demand rate changes over time (a tempo change).

    Non-stationary Palm: with Poisson demand of rate λ(u) from ``start`` on (``-inf`` for a system
    already in steady state) and i.i.d. repair times T, the pipeline at t is Poisson with mean
    ∫_start^t λ(u)·P(T > t-u) du. Jumps of λ (``rate_breaks``, as times) and of the survival
    function (``survival_breaks``, as ages) are integrated across exactly, not smoothed over.
    """
    ts = np.asarray(t, dtype=float)
    out = np.array(
        [
            _palm_scalar(rate_fn, survival_fn, float(x), start, rate_breaks, survival_breaks)
            for x in ts.reshape(-1)
        ],
        dtype=float,
    ).reshape(ts.shape)
    return _shaped(out, t)


def piecewise_palm_mean(
    t: ArrayLike,
    change_times: Sequence[float],
    rates: Sequence[float],
    survival_fn: Callable[[float], float],
    *,
    start: float = 0.0,
    survival_breaks: Sequence[float] = (),
) -> FloatOrArray:
    """Non-stationary Palm mean for a piecewise-constant demand rate.

    ``rates[0]`` applies from ``start`` to ``change_times[0]``, ``rates[k]`` from
    ``change_times[k-1]`` to ``change_times[k]`` and the last rate thereafter — the shape of a
    surge or a drawdown in flying tempo.
    """
    times = [float(x) for x in change_times]
    levels = [float(x) for x in rates]
    if len(levels) != len(times) + 1:
        raise ValueError("need exactly one more rate than change times")
    if any(b <= a for a, b in itertools.pairwise(times)):
        raise ValueError("change times must be strictly increasing")
    if any(r < 0.0 for r in levels):
        raise ValueError("demand rates must be >= 0")

    def rate_fn(u: float) -> float:
        return levels[int(np.searchsorted(times, u, side="right"))]

    return nonstationary_palm_mean(
        rate_fn,
        survival_fn,
        t,
        start=start,
        rate_breaks=times,
        survival_breaks=survival_breaks,
    )
