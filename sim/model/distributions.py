"""Samplers for the scenario's distribution specs, drawing from named streams."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim.rng import BlockDraw, Source, stream
from sim.scenario.distributions import (
    DistributionSpec,
    Exponential,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
    Weibull,
)

Sampler = Callable[[], float]


def block_drawer(spec: DistributionSpec) -> BlockDraw:
    """A function drawing n samples of ``spec`` from a Generator at once, parameterized by
    mean and cv."""
    if isinstance(spec, (int, float)):
        value = float(spec)
        return lambda gen, n: np.full(n, value)
    if isinstance(spec, Exponential):
        m = spec.exponential.mean
        return lambda gen, n: gen.exponential(m, n)
    if isinstance(spec, Lognormal):
        m, cv = spec.lognormal.mean, spec.lognormal.cv
        sigma2 = math.log1p(cv * cv)
        mu, sigma = math.log(m) - sigma2 / 2.0, math.sqrt(sigma2)
        return lambda gen, n: gen.lognormal(mu, sigma, n)
    if isinstance(spec, Gamma):
        m, cv = spec.gamma.mean, spec.gamma.cv
        shape = 1.0 / (cv * cv)
        scale = m / shape
        return lambda gen, n: gen.gamma(shape, scale, n)
    if isinstance(spec, Triangular):
        p = spec.triangular
        return lambda gen, n: gen.triangular(p.low, p.mode, p.high, n)
    if isinstance(spec, Uniform):
        p = spec.uniform
        return lambda gen, n: gen.uniform(p.low, p.high, n)
    if isinstance(spec, Weibull):
        k, m = spec.weibull.shape, spec.weibull.mean
        scale = m / math.gamma(1.0 + 1.0 / k)
        return lambda gen, n: scale * gen.weibull(k, n)
    raise TypeError(f"not a distribution: {spec!r}")


def sampler(spec: DistributionSpec, source: Source) -> Sampler:
    """A zero-argument sampler drawing from a stream's key (its generator is made at the first
    draw) or from a Generator; a constant costs no random numbers at all."""
    if isinstance(spec, (int, float)):
        value = float(spec)
        return lambda: value
    return stream(block_drawer(spec), source)
