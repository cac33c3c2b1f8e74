"""Money as the report states it: the dollars named, years as the model's fiscal years, and
every total reconciled with the comparison table.

**Fiscal years** are the model's (``sim.scenario.money.fiscal_year_of``, imported, never
re-derived): day 0 lies in FY ``base_year`` (FY 1 without one), a new fiscal year starts on
``fiscal_year_start_day`` and every 365.25 days after. A label is "FY2028" when the scenario
names its base year, "FY 2" when it sets only a fiscal-year start, else "Year 2".

**Cost by year from ``costs.parquet``** (results written since issue 14): every cost the
comparison table's ``cost_usd`` counts, by fiscal year, in constant dollars of the base year
and in then-year dollars, exactly as the model booked it — so a nation's years sum to
``cost_usd`` to the cent for every alternative and replication. NPV discounts by the year
from day 0 (OMB Circular A-94), not by fiscal year, so it is stated for the whole window only.

**The older path** (a result without ``costs.parquet``): the periodic table records every
period's cost without saying which part was an investment, so the cost by year is rebuilt to
agree with the summary replication by replication: a year's counted cost is the cost of its
periods after warm-up, and what the summary counts beyond those periods (the investments paid
in warm-up) is added to the year it was paid in, found from its present value (the simulator
discounts it by that year's factor). Summed over the years, the counted cost and its NPV
equal ``cost_usd`` and ``npv_cost_usd`` of the same replication to the cent.

Either way the comparison table's ``cost_usd`` counts what is paid after warm-up *plus
investments paid during warm-up* (a CLSSA FMSO I deposit at day 0, an EDA purchase, a one-time
cost element): the price of choosing an alternative is part of its cost whenever it is paid.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis import stats
from analysis.stats import DAYS_PER_YEAR
from sim.scenario.money import fiscal_year_of

EPS = 1e-9
CENT = 0.005
YEAR_COLUMNS = ["alternative", "customer", "year", "year_label", "n", "cost_usd",
                "cost_usd_ci", "then_year_usd", "then_year_usd_ci", "npv_cost_usd",
                "npv_cost_usd_ci", "warmup_cost_usd", "investment_usd", "warmup_share"]


def base_year(scenario: dict[str, Any]) -> int | None:
    base = scenario.get("base_year")
    return int(base) if base is not None else None


def dollars(scenario: dict[str, Any]) -> str:
    """The dollars every figure is in: 'constant FY2027 US dollars' when the scenario names
    its base year, else 'constant-year US dollars of the scenario'."""
    base = base_year(scenario)
    if base is not None:
        return f"constant FY{base} US dollars"
    return "constant-year US dollars of the scenario"


def dollars_short(scenario: dict[str, Any]) -> str:
    """For axis labels and headings: 'constant FY2027 $M' or 'constant-year $M'."""
    base = base_year(scenario)
    return f"constant FY{base} $M" if base is not None else "constant-year $M"


THEN_YEAR_SHORT = "then-year $M"


def escalation_text(scenario: dict[str, Any]) -> str:
    """How then-year dollars are made, in a few words: 'escalated 2.1 % a year from
    FY2027'."""
    esc = scenario.get("escalation")
    base = base_year(scenario)
    frm = f" from FY{base}" if base is not None else ""
    if isinstance(esc, dict):
        return "the scenario's escalation index of each fiscal year"
    rate = float(esc or 0.0)
    if rate == 0:
        return "no escalation stated, so equal to constant dollars"
    return f"escalated {100 * rate:g} % a year{frm}"


def then_year(scenario: dict[str, Any]) -> str:
    """What then-year dollars are in this scenario, in words."""
    return f"then-year US dollars ({escalation_text(scenario)})"


def fiscal_start(scenario: dict[str, Any]) -> float | None:
    """The simulation day on which a fiscal year begins (``fiscal_year_start_day`` modulo a
    year), or None when the scenario sets none (or day 0: years are then plain years from
    day 0, as the model counts them)."""
    v = scenario.get("fiscal_year_start_day")
    if v is None or float(v) % DAYS_PER_YEAR == 0:
        return None
    return float(v) % DAYS_PER_YEAR


def _first_and_start(scenario: dict[str, Any]) -> tuple[int, float]:
    base = base_year(scenario)
    return (base if base is not None else 1), float(scenario.get("fiscal_year_start_day")
                                                    or 0.0)


def year_of(days, scenario: dict[str, Any]) -> np.ndarray:
    """The fiscal year of each day, exactly as the model numbers it."""
    first, start = _first_and_start(scenario)
    d = np.atleast_1d(np.asarray(days, dtype=float))
    uniq, inv = np.unique(d, return_inverse=True)
    years = np.array([fiscal_year_of(float(x), first, start) for x in uniq], dtype=int)
    return years[inv].reshape(d.shape)


def year_bounds(year: int, scenario: dict[str, Any]) -> tuple[float, float]:
    """The days [first, end) of a fiscal year (the first one starts at day 0, or before)."""
    first, start = _first_and_start(scenario)
    start %= DAYS_PER_YEAR
    if start > 0:
        lo = start + (year - first - 1) * DAYS_PER_YEAR
        hi = start + (year - first) * DAYS_PER_YEAR
    else:
        lo = (year - first) * DAYS_PER_YEAR
        hi = lo + DAYS_PER_YEAR
    return max(lo, 0.0), hi


def year_label(year: int, scenario: dict[str, Any]) -> str:
    """'FY2028' (a base year named), 'FY 2' (a fiscal-year start only) or 'Year 2'."""
    if base_year(scenario) is not None:
        return f"FY{int(year)}"
    return f"FY {int(year)}" if fiscal_start(scenario) is not None else f"Year {int(year)}"


def year_axis(scenario: dict[str, Any]) -> str:
    """The words under a year axis, saying what a year is."""
    base, start = base_year(scenario), fiscal_start(scenario)
    if base is not None:
        if start:
            return (f"Fiscal year (day 0 lies in FY{base}; a fiscal year begins on day "
                    f"{start:g} + 365.25 k)")
        return f"Fiscal year (FY{base} = days 0–{DAYS_PER_YEAR:g} of the simulation)"
    if start is None:
        return f"Year (year 1 = days 0–{DAYS_PER_YEAR:g} of the simulation)"
    return (f"Fiscal year (FY 1 is in progress on day 0; fiscal years begin on day "
            f"{start:g} + 365.25 k)")


def is_fiscal(scenario: dict[str, Any]) -> bool:
    """Whether years are fiscal years (a base year or a fiscal-year start is named)."""
    return base_year(scenario) is not None or fiscal_start(scenario) is not None


def fiscal_text(scenario: dict[str, Any]) -> str:
    """The fiscal years in words, for a caption."""
    base, start = base_year(scenario), fiscal_start(scenario)
    first = f"FY{base}" if base is not None else "FY 1"
    if start:
        return (f"day 0 lies in {first}; a new fiscal year begins on day {start:g} and every "
                "365.25 days after")
    if base is not None:
        return f"{first} is days 0–365.25 of the simulation, and so on"
    return f"year 1 = days 0–{DAYS_PER_YEAR:g} of the simulation"


def sim_year(days) -> np.ndarray:
    """The simulator's NPV year (1-based, 365.25 days from day 0) of each day."""
    return np.floor(np.asarray(days, dtype=float) / DAYS_PER_YEAR + EPS).astype(int) + 1


def warmup_share(year: int, scenario: dict[str, Any], warmup_days: float,
                 horizon_days: float) -> float:
    """The share of a fiscal year's simulated days that lie in warm-up."""
    lo, hi = year_bounds(year, scenario)
    hi = min(hi, horizon_days) if horizon_days > 0 else hi
    if hi <= lo:
        return 0.0
    return max(0.0, min(hi, warmup_days) - lo) / (hi - lo)


def counted_by_year(summary: pd.DataFrame, timeseries: pd.DataFrame,
                    scenario: dict[str, Any], warmup_days: float,
                    discount_rate: float) -> pd.DataFrame:
    """Older results (no ``costs.parquet``): per (alternative, replication, customer, year)
    ``cost_usd`` and ``npv_cost_usd`` counted in the summary's totals, ``warmup_cost_usd``
    paid in warm-up and not counted, and ``investment_usd`` (the part of the counted cost
    paid in warm-up), rebuilt from the periodic table."""
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
    resid = _beyond_periods(summary, per.rename(columns={"cost_usd": "counted"}), "counted")
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


def _beyond_periods(summary: pd.DataFrame, per: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per (alternative, replication, customer): what the summary's cost and NPV count beyond
    the measured periods' ``column`` (and ``npv_cost_usd`` when there), where it is more
    than a cent: ``r_cost``, ``r_npv``."""
    keys = ["alternative", "replication", "customer"]
    cols = [c for c in (column, "npv_cost_usd") if c in per.columns]
    tot = per.groupby(keys, sort=False)[cols].sum()
    s = summary.set_index(keys)[["cost_usd", "npv_cost_usd"]]
    s = s[~s.index.duplicated()]
    resid = s.join(tot.rename(columns=lambda c: f"{c}_ts"), how="inner")
    resid["r_cost"] = resid["cost_usd"] - resid[f"{column}_ts"]
    resid["r_npv"] = (resid["npv_cost_usd"] - resid["npv_cost_usd_ts"]
                      if "npv_cost_usd" in cols else np.nan)
    keep = resid["r_cost"].abs() > CENT
    if "npv_cost_usd" in cols:
        keep |= resid["r_npv"].abs() > CENT
    return resid[keep]


def _paid_in(cost: float, npv: float, rate: float) -> int:
    """The NPV year whose discount factor turns ``cost`` into ``npv`` (1 when it cannot be
    told: no discounting, or payments spread over several years)."""
    if rate <= 0 or cost <= 0 or npv <= 0:
        return 1
    y = math.log(cost / npv) / math.log(1.0 + rate)
    return max(1, round(y))


def counted_from_costs(summary: pd.DataFrame, costs: pd.DataFrame, timeseries: pd.DataFrame,
                       scenario: dict[str, Any], warmup_days: float,
                       horizon_days: float) -> pd.DataFrame:
    """Per (alternative, replication, customer, fiscal year) from ``costs.parquet``:
    ``cost_usd`` (constant dollars) and ``then_year_usd`` exactly as the model booked them —
    every replication of the summary, zero in a year it was charged nothing — and
    ``investment_usd``, the part paid in warm-up.

    Every cost of a fiscal year wholly in warm-up is an investment (nothing else is counted
    there); in the one fiscal year that straddles the end of warm-up the investments are what
    the summary counts beyond the measured periods of the periodic table, less the wholly
    warm-up years' (NaN without a periodic table).
    """
    keys = ["alternative", "replication", "customer"]
    cols = keys + ["year", "cost_usd", "then_year_usd", "investment_usd"]
    if costs.empty:
        return pd.DataFrame(columns=cols)
    c = costs.groupby(keys + ["fiscal_year"], sort=False, as_index=False)[
        ["constant_usd", "then_year_usd"]].sum()
    reps = summary[keys].drop_duplicates()
    years = c[["alternative", "customer", "fiscal_year"]].drop_duplicates()
    per = reps.merge(years, on=["alternative", "customer"]).merge(
        c, on=keys + ["fiscal_year"], how="left")
    per = per.fillna({"constant_usd": 0.0, "then_year_usd": 0.0}).rename(
        columns={"fiscal_year": "year", "constant_usd": "cost_usd"})
    per["year"] = per["year"].astype(int)
    share = {int(y): warmup_share(int(y), scenario, warmup_days, horizon_days)
             for y in per["year"].unique()}
    s = per["year"].map(share).to_numpy(dtype=float)
    whole = s >= 1.0 - EPS
    per["investment_usd"] = np.where(whole, per["cost_usd"], 0.0)
    part = (s > EPS) & ~whole
    if part.any():
        inv = pd.Series(np.nan, index=per.index)
        if not timeseries.empty and "cost_usd" in timeseries.columns:
            ts = timeseries[timeseries["period_start_day"] >= warmup_days - EPS]
            measured = ts.groupby(keys, sort=False)["cost_usd"].sum()
            paid = per[whole].groupby(keys, sort=False)["cost_usd"].sum()
            s_cost = summary.drop_duplicates(keys).set_index(keys)["cost_usd"]
            beyond = (s_cost - measured.reindex(s_cost.index).fillna(0.0)
                      - paid.reindex(s_cost.index).fillna(0.0))
            idx = pd.MultiIndex.from_frame(per.loc[part, keys])
            got = beyond.reindex(idx).to_numpy(dtype=float)
            got = np.where(np.abs(got) <= CENT, 0.0, got)
            inv[part] = np.clip(got, 0.0, per.loc[part, "cost_usd"].to_numpy(dtype=float))
        per["investment_usd"] = np.where(part, inv, per["investment_usd"])
    return per[cols]


def cost_by_year(summary: pd.DataFrame, timeseries: pd.DataFrame, scenario: dict[str, Any],
                 warmup_days: float, discount_rate: float, level: float = 0.95,
                 costs: pd.DataFrame | None = None,
                 horizon_days: float | None = None) -> pd.DataFrame:
    """Per (alternative, customer, fiscal year): mean and 95 % CI over replications of the
    counted cost (constant dollars) and, from ``costs.parquet``, of the then-year dollars
    (NaN for an older result), or of the NPV (older results only: NPV is by the year from
    day 0, not by fiscal year); the mean warm-up cost not counted (older results), the mean
    investment paid in warm-up, the share of the year in warm-up, and ``year_label``. Summed
    over years, ``cost_usd`` equals the comparison table's."""
    horizon = float(horizon_days if horizon_days is not None
                    else scenario.get("horizon_days") or 0.0)
    if costs is not None and not costs.empty:
        rows = counted_from_costs(summary, costs, timeseries, scenario, warmup_days, horizon)
        values = ["cost_usd", "then_year_usd", "investment_usd"]
    else:
        rows = counted_by_year(summary, timeseries, scenario, warmup_days, discount_rate)
        values = ["cost_usd", "npv_cost_usd", "warmup_cost_usd", "investment_usd"]
    if rows.empty:
        return pd.DataFrame(columns=YEAR_COLUMNS)
    t = stats.ci_table(rows, ["alternative", "customer", "year"], values, level)
    for col in ("then_year_usd", "npv_cost_usd", "warmup_cost_usd"):
        if col not in t.columns:
            t[col] = np.nan
            t[f"{col}_ci"] = np.nan
    t["year"] = t["year"].astype(int)
    t["year_label"] = [year_label(y, scenario) for y in t["year"]]
    t["warmup_share"] = [warmup_share(y, scenario, warmup_days, horizon) for y in t["year"]]
    order_a = {a: i for i, a in enumerate(dict.fromkeys(summary["alternative"]))}
    order_c = {c: i for i, c in enumerate(dict.fromkeys(summary["customer"]))}
    t = t.assign(_a=t["alternative"].map(order_a), _c=t["customer"].map(order_c))
    t = t.sort_values(["_a", "_c", "year"], kind="stable")
    return t[YEAR_COLUMNS].reset_index(drop=True)
