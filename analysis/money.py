"""Money as the report states it: the dollars named, years as fiscal years, and every total
reconciled with the comparison table.

The comparison table's ``cost_usd`` counts what is paid after warm-up *plus investments paid
during warm-up* (a CLSSA FMSO I deposit at day 0, an EDA purchase): the price of choosing an
alternative is part of its cost whenever it is paid (``sim/recorder.py``). The periodic table
records every period's cost without saying which part was an investment, so the cost by year
here is rebuilt to agree with the summary replication by replication: a year's counted cost
is the cost of its periods after warm-up, and what the summary counts beyond those periods
(the investments paid in warm-up) is added to the year it was paid in, found from its
present value (the simulator discounts it by that year's factor). Summed over the years, the
counted cost and its NPV equal ``cost_usd`` and ``npv_cost_usd`` of the same replication to
the cent.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis import stats
from analysis.stats import DAYS_PER_YEAR

EPS = 1e-9
CENT = 0.005


def dollars(scenario: dict[str, Any]) -> str:
    """The dollars every figure is in: 'constant 2026 US dollars' when the scenario names its
    base year, else 'constant-year US dollars of the scenario'."""
    base = scenario.get("base_year")
    if base is not None:
        return f"constant {int(base)} US dollars"
    return "constant-year US dollars of the scenario"


def dollars_short(scenario: dict[str, Any]) -> str:
    """For axis labels: '$M, constant 2026' or '$M, constant-year'."""
    base = scenario.get("base_year")
    return f"$M, constant {int(base)}" if base is not None else "$M, constant-year"


def fiscal_start(scenario: dict[str, Any]) -> float | None:
    """The simulation day on which a fiscal year begins (``fiscal_year_start_day``), or None.

    Fiscal years then begin every 365.25 days from it; the days before it belong to the
    fiscal year in progress on day 0 (FY 1). Without it, year 1 is days 0–365.25.
    """
    v = scenario.get("fiscal_year_start_day")
    if v is None:
        return None
    return float(v) % DAYS_PER_YEAR


def year_of(days, scenario: dict[str, Any]) -> np.ndarray:
    """The 1-based (fiscal) year of each day."""
    d = np.asarray(days, dtype=float)
    start = fiscal_start(scenario)
    if start is None or start < EPS:
        return np.floor(d / DAYS_PER_YEAR + EPS).astype(int) + 1
    return np.floor((d - start) / DAYS_PER_YEAR + EPS).astype(int) + 2


def year_label(year: int, scenario: dict[str, Any]) -> str:
    return f"FY {int(year)}" if fiscal_start(scenario) is not None else f"Year {int(year)}"


def year_axis(scenario: dict[str, Any]) -> str:
    """The words under a year axis, saying what a year is."""
    start = fiscal_start(scenario)
    if start is None:
        return f"Year (year 1 = days 0–{DAYS_PER_YEAR:g} of the simulation)"
    return (f"Fiscal year (FY 1 is in progress on day 0; fiscal years begin on day "
            f"{start:g} + 365.25 k)")


def sim_year(days) -> np.ndarray:
    """The simulator's NPV year (1-based, 365.25 days from day 0) of each day."""
    return np.floor(np.asarray(days, dtype=float) / DAYS_PER_YEAR + EPS).astype(int) + 1


def counted_by_year(summary: pd.DataFrame, timeseries: pd.DataFrame,
                    scenario: dict[str, Any], warmup_days: float,
                    discount_rate: float) -> pd.DataFrame:
    """Per (alternative, replication, customer, year): ``cost_usd`` and ``npv_cost_usd`` counted
    in the summary's totals, ``warmup_cost_usd`` paid in warm-up and not counted, and
    ``investment_usd`` (the part of the counted cost paid in warm-up)."""
    keys = ["alternative", "replication", "customer"]
    cols = keys + ["year", "cost_usd", "npv_cost_usd", "warmup_cost_usd", "investment_usd"]
    if timeseries.empty or "cost_usd" not in timeseries.columns or "cost_usd" not in summary:
        return pd.DataFrame(columns=cols)
    ts = timeseries
    start = ts["period_start_day"].to_numpy(dtype=float)
    cost = ts["cost_usd"].to_numpy(dtype=float)
    measured = start >= warmup_days - EPS
    factor = 1.0 / (1.0 + discount_rate) ** sim_year(start)
    frame = pd.DataFrame({k: ts[k].to_numpy() for k in keys})
    frame["year"] = year_of(start, scenario)
    frame["cost_usd"] = np.where(measured, cost, 0.0)
    frame["npv_cost_usd"] = np.where(measured, cost * factor, 0.0)
    frame["warmup_cost_usd"] = np.where(measured, 0.0, cost)
    frame["investment_usd"] = 0.0
    per = frame.groupby(keys + ["year"], sort=False, as_index=False)[
        ["cost_usd", "npv_cost_usd", "warmup_cost_usd", "investment_usd"]].sum()
    # What the summary counts beyond the measured periods: investments paid in warm-up.
    tot = per.groupby(keys, sort=False)[["cost_usd", "npv_cost_usd"]].sum()
    s = summary.set_index(keys)[["cost_usd", "npv_cost_usd"]]
    s = s[~s.index.duplicated()]
    resid = s.join(tot.rename(columns=lambda c: f"{c}_ts"), how="inner")
    resid["r_cost"] = resid["cost_usd"] - resid["cost_usd_ts"]
    resid["r_npv"] = resid["npv_cost_usd"] - resid["npv_cost_usd_ts"]
    resid = resid[(resid["r_cost"].abs() > CENT) | (resid["r_npv"].abs() > CENT)]
    extra = []
    for key, r in resid.iterrows():
        year = _paid_in(r["r_cost"], r["r_npv"], discount_rate)
        fy = int(year_of([(year - 1) * DAYS_PER_YEAR], scenario)[0])
        extra.append({**dict(zip(keys, key, strict=True)), "year": fy,
                      "cost_usd": r["r_cost"], "npv_cost_usd": r["r_npv"],
                      "warmup_cost_usd": -r["r_cost"], "investment_usd": r["r_cost"]})
    if extra:
        per = pd.concat([per, pd.DataFrame(extra)], ignore_index=True)
        per = per.groupby(keys + ["year"], sort=False, as_index=False)[
            ["cost_usd", "npv_cost_usd", "warmup_cost_usd", "investment_usd"]].sum()
    per["warmup_cost_usd"] = per["warmup_cost_usd"].clip(lower=0.0)
    return per[cols]


def _paid_in(cost: float, npv: float, rate: float) -> int:
    """The NPV year whose discount factor turns ``cost`` into ``npv`` (1 when it cannot be
    told: no discounting, or payments spread over several years)."""
    if rate <= 0 or cost <= 0 or npv <= 0:
        return 1
    y = math.log(cost / npv) / math.log(1.0 + rate)
    return max(1, round(y))


def cost_by_year(summary: pd.DataFrame, timeseries: pd.DataFrame, scenario: dict[str, Any],
                 warmup_days: float, discount_rate: float, level: float = 0.95) -> pd.DataFrame:
    """Per (alternative, customer, year): mean and 95 % CI over replications of the counted
    cost and its NPV, the mean warm-up cost not counted, the mean investment paid in warm-up
    and counted, and ``year_label``. Summed over years, ``cost_usd`` and ``npv_cost_usd``
    equal the comparison table's."""
    rows = counted_by_year(summary, timeseries, scenario, warmup_days, discount_rate)
    cols = ["alternative", "customer", "year", "year_label", "n", "cost_usd", "cost_usd_ci",
            "npv_cost_usd", "npv_cost_usd_ci", "warmup_cost_usd", "investment_usd"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    t = stats.ci_table(rows, ["alternative", "customer", "year"],
                       ["cost_usd", "npv_cost_usd", "warmup_cost_usd", "investment_usd"], level)
    t["year_label"] = [year_label(y, scenario) for y in t["year"]]
    order_a = {a: i for i, a in enumerate(dict.fromkeys(summary["alternative"]))}
    order_c = {c: i for i, c in enumerate(dict.fromkeys(summary["customer"]))}
    t = t.assign(_a=t["alternative"].map(order_a), _c=t["customer"].map(order_c))
    t = t.sort_values(["_a", "_c", "year"], kind="stable")
    return t[cols].reset_index(drop=True)
