"""Distribution forms of the scenario file (DESIGN §4).

A distribution is written as a plain number (deterministic) or as a one-key mapping such as
``{lognormal: {mean: 25, cv: 0.6}}``. Each form is parameterized by the figures an analyst
has (a mean and a coefficient of variation), not by the textbook shape parameters.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

MAX_DAYS = 36525.0
"""A century: no delay in a sustainment scenario is longer, and a bound keeps a typo (1e308)
from becoming a run that never ends."""
MAX_CV = 10.0
"""Coefficient of variation beyond which a lognormal or gamma law is numerically meaningless."""


class _MeanParams(BaseModel):
    model_config = _STRICT
    mean: float = Field(gt=0, le=MAX_DAYS, description="mean, days")


class _MeanCvParams(BaseModel):
    model_config = _STRICT
    mean: float = Field(gt=0, le=MAX_DAYS, description="mean, days")
    cv: float = Field(gt=0, le=MAX_CV, description="coefficient of variation (std / mean)")


class _TriangularParams(BaseModel):
    model_config = _STRICT
    low: float = Field(ge=0, le=MAX_DAYS)
    mode: float = Field(ge=0, le=MAX_DAYS)
    high: float = Field(ge=0, le=MAX_DAYS)

    @model_validator(mode="after")
    def _ordered(self) -> _TriangularParams:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError("needs low <= mode <= high and low < high")
        return self


class _UniformParams(BaseModel):
    model_config = _STRICT
    low: float = Field(ge=0, le=MAX_DAYS)
    high: float = Field(ge=0, le=MAX_DAYS)

    @model_validator(mode="after")
    def _ordered(self) -> _UniformParams:
        if not self.low < self.high:
            raise ValueError("needs low < high")
        return self


class _WeibullParams(BaseModel):
    model_config = _STRICT
    shape: float = Field(ge=0.05, le=50, description="Weibull shape (0.05-50)")
    mean: float = Field(gt=0, le=MAX_DAYS)


class Exponential(BaseModel):
    model_config = _STRICT
    exponential: _MeanParams


class Lognormal(BaseModel):
    model_config = _STRICT
    lognormal: _MeanCvParams


class Gamma(BaseModel):
    model_config = _STRICT
    gamma: _MeanCvParams


class Triangular(BaseModel):
    model_config = _STRICT
    triangular: _TriangularParams


class Uniform(BaseModel):
    model_config = _STRICT
    uniform: _UniformParams


class Weibull(BaseModel):
    model_config = _STRICT
    weibull: _WeibullParams


FORMS = ("exponential", "lognormal", "gamma", "triangular", "uniform", "weibull")


def _form_of(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "constant"
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key in FORMS:
            return key
    if isinstance(value, BaseModel):
        for form in FORMS:
            if hasattr(value, form):
                return form
    return None


Constant = Annotated[float, Field(ge=0, le=MAX_DAYS, allow_inf_nan=False)]

Distribution = Annotated[
    Annotated[Constant, Tag("constant")] | Annotated[Exponential, Tag("exponential")] | Annotated[Lognormal, Tag("lognormal")] | Annotated[Gamma, Tag("gamma")] | Annotated[Triangular, Tag("triangular")] | Annotated[Uniform, Tag("uniform")] | Annotated[Weibull, Tag("weibull")],
    Discriminator(
        _form_of,
        custom_error_type="distribution",
        custom_error_message=(
            "must be a number (deterministic) or one of exponential: {mean}, "
            "lognormal: {mean, cv}, gamma: {mean, cv}, triangular: {low, mode, high}, "
            "uniform: {low, high}, weibull: {shape, mean}"
        ),
    ),
]

DistributionSpec = float | Exponential | Lognormal | Gamma | Triangular | Uniform | Weibull


def mean_of(spec: DistributionSpec) -> float:
    """Mean of a distribution spec, for closed forms and for sizing stock by demand."""
    if isinstance(spec, (int, float)):
        return float(spec)
    if isinstance(spec, Exponential):
        return spec.exponential.mean
    if isinstance(spec, Lognormal):
        return spec.lognormal.mean
    if isinstance(spec, Gamma):
        return spec.gamma.mean
    if isinstance(spec, Triangular):
        p = spec.triangular
        return (p.low + p.mode + p.high) / 3.0
    if isinstance(spec, Uniform):
        return (spec.uniform.low + spec.uniform.high) / 2.0
    if isinstance(spec, Weibull):
        return spec.weibull.mean
    raise TypeError(f"not a distribution: {spec!r}")


Kind = Literal["constant", "exponential", "lognormal", "gamma", "triangular", "uniform", "weibull"]
