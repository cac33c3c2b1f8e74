"""Closed-form models: Palm, METRIC/VARI-METRIC, Erlang, spares optimization.

The names below are imported on first use (PEP 562): the simulator imports
``sim.analytic.clssa`` for the FMSO I arithmetic it shares with the closed forms, and must
not pay for scipy, which the other modules import, at every start of a run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> the module of this package that defines it
_WHERE = {
    "Allocation": "optimize",
    "AllocationCurve": "optimize",
    "CurveItem": "optimize",
    "CurveStep": "optimize",
    "DepotResult": "metric",
    "PipelineLaw": "pipeline",
    "SiteResult": "metric",
    "SpareItem": "optimize",
    "TwoEchelonResult": "metric",
    "availability": "metric",
    "brute_force": "optimize",
    "build_curve": "optimize",
    "cdf": "pipeline",
    "deterministic_survival": "pipeline",
    "ebo": "pipeline",
    "ebo_variance": "pipeline",
    "erlang_b": "erlang",
    "erlang_c": "erlang",
    "exponential_survival": "pipeline",
    "fill_rate": "pipeline",
    "mgc_mean_wait": "erlang",
    "mmc_mean_in_system": "erlang",
    "mmc_mean_queue_length": "erlang",
    "mmc_mean_time_in_system": "erlang",
    "mmc_mean_wait": "erlang",
    "mmc_utilization": "erlang",
    "mmc_wait_probability": "erlang",
    "nonstationary_palm_mean": "pipeline",
    "piecewise_palm_mean": "pipeline",
    "pipeline_law": "pipeline",
    "recommend_for_budget": "optimize",
    "recommend_for_target": "optimize",
    "single_site": "metric",
    "tail_probability": "pipeline",
    "two_echelon": "metric",
}

if TYPE_CHECKING:
    from sim.analytic.erlang import (
        erlang_b,
        erlang_c,
        mgc_mean_wait,
        mmc_mean_in_system,
        mmc_mean_queue_length,
        mmc_mean_time_in_system,
        mmc_mean_wait,
        mmc_utilization,
        mmc_wait_probability,
    )
    from sim.analytic.metric import (
        DepotResult,
        SiteResult,
        TwoEchelonResult,
        availability,
        single_site,
        two_echelon,
    )
    from sim.analytic.optimize import (
        Allocation,
        AllocationCurve,
        CurveItem,
        CurveStep,
        SpareItem,
        brute_force,
        build_curve,
        recommend_for_budget,
        recommend_for_target,
    )
    from sim.analytic.pipeline import (
        PipelineLaw,
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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "Allocation",
    "AllocationCurve",
    "CurveItem",
    "CurveStep",
    "DepotResult",
    "PipelineLaw",
    "SiteResult",
    "SpareItem",
    "TwoEchelonResult",
    "availability",
    "brute_force",
    "build_curve",
    "cdf",
    "deterministic_survival",
    "ebo",
    "ebo_variance",
    "erlang_b",
    "erlang_c",
    "exponential_survival",
    "fill_rate",
    "mgc_mean_wait",
    "mmc_mean_in_system",
    "mmc_mean_queue_length",
    "mmc_mean_time_in_system",
    "mmc_mean_wait",
    "mmc_utilization",
    "mmc_wait_probability",
    "nonstationary_palm_mean",
    "piecewise_palm_mean",
    "pipeline_law",
    "recommend_for_budget",
    "recommend_for_target",
    "single_site",
    "tail_probability",
    "two_echelon",
]
