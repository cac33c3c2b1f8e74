"""Shared test helpers: build scenarios in code, run replications in-process, compare."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd

from sim.runner import simulate_unit
from sim.scenario import Scenario

NSN_A = "1111-01-000-0001"
NSN_B = "2222-01-000-0002"
NSN_C = "3333-01-000-0003"


def base_scenario(**overrides) -> dict:
    """A minimal valid scenario as the YAML mapping a user would write."""
    data = {
        "scenario": "test",
        "horizon_days": 2000,
        "warmup_days": 200,
        "replications": 10,
        "seed": 12345,
        "items": [{"nsn": NSN_A, "name": "Pump", "unit_price_usd": 10000,
                   "repair_cost_usd": 2000, "mtbr_fh": 1000}],
        "systems": [{"name": "Jet", "parts": {NSN_A: 1}}],
        "depots": [{"name": "Home", "kind": "national", "country": "Nation A",
                    "repair_days": 10},
                   {"name": "Ogden", "kind": "organic", "country": "US", "repair_days": 10}],
        "transport": [{"between": ["US", "Nation A"], "days": 10, "cost_usd": 100}],
        "wholesale": {"stock": {NSN_A: 1_000_000}, "procurement_lead_time_days": 0},
        "customers": [{"name": "Nation A", "kind": "fms", "country": "Nation A", "fad": "III",
                       "fleet": {"system": "Jet", "aircraft": 100,
                                 "fh_per_aircraft_month": 30.4375},
                       "initial_stock": {"quantities": {NSN_A: 0}}}],
        "alternatives": [{"name": "R&R", "support": {
            "Nation A": {"option": "repair_and_return", "depot": "Home"}}}],
    }
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


def simulate(data: dict, replications: int | None = None,
             alternative: int = 0, events: bool = False) -> dict[str, pd.DataFrame]:
    """Run replications of one alternative in this process; one DataFrame per table."""
    scenario = Scenario.model_validate(data)
    reps = replications or scenario.replications
    tables: dict[str, list] = {}
    for r in range(reps):
        for name, rows in simulate_unit(scenario, alternative, r, events).items():
            tables.setdefault(name, []).extend(rows)
    return {k: pd.DataFrame(v) for k, v in tables.items()}


def mean_se(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def assert_close_to_theory(values, expected: float, what: str, k: float = 4.0,
                           rel: float = 0.01) -> None:
    """Replication mean within k standard errors (plus a small relative margin for the
    model's known, documented biases) of a closed-form value."""
    mean, se = mean_se(values)
    tol = k * se + rel * abs(expected)
    assert abs(mean - expected) <= tol, (
        f"{what}: simulated {mean:.5f} ± {se:.5f} (SE), closed form {expected:.5f}, "
        f"allowed {tol:.5f}")
