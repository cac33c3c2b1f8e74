"""Risk of each alternative for each nation: how likely it misses the nation's availability
target, how much of the time it is below it, and how widely its cost spreads.

- ``p_below``: the share of replications whose measured availability is below the customer's
  ``availability_target``, with a Wilson score interval (a proportion over independent
  replications; the Wilson interval keeps its coverage at 0 or 1, where the Wald one
  collapses).
- ``months_below_share``: per replication, the share of measured periods (a month unless the
  scenario's ``period_days`` says otherwise) whose availability is below the target; the
  mean over replications with a t interval.
- ``cost_p10/p50/p90`` and ``npv_p10/p50/p90``: percentiles over replications of the measured
  cost and its NPV (constant dollars of the base year).

A customer without a target gets the cost percentiles only (the target columns are NaN).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import ndtri

from analysis import stats
from analysis.load import ResultSet

COLUMNS = ["alternative", "customer", "target", "replications", "p_below", "p_below_lo",
           "p_below_hi", "months_below_share", "months_below_half", "cost_p10", "cost_p50",
           "cost_p90", "npv_p10", "npv_p50", "npv_p90"]


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n (two-sided, no continuity correction):
    ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`` step for step, without
    importing ``scipy.stats`` (45 MB and a second of every report's start)."""
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    z = ndtri(0.5 + 0.5 * level)
    denom = 2 * (n + z**2)  # Newcombe (1998), as scipy writes it
    center = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    lo = 0.0 if k == 0 else center - delta
    hi = 1.0 if k == n else center + delta
    return float(lo), float(hi)


def target_risk(rs: ResultSet, level: float = 0.95) -> pd.DataFrame:
    """One row per (alternative, customer), in the result's order."""
    s = rs.summary
    ts = rs.timeseries
    if not ts.empty:
        ts = ts[ts["period_start_day"] >= rs.warmup_days]
    rows = []
    for alt in rs.alternatives:
        for cust in rs.customers:
            part = s[(s["alternative"] == alt) & (s["customer"] == cust)]
            if part.empty:
                continue
            n = len(part)
            target = rs.availability_target(cust)
            cost = part["cost_usd"].to_numpy(dtype=float)
            npv = part["npv_cost_usd"].to_numpy(dtype=float)
            row = {"alternative": alt, "customer": cust, "replications": n,
                   "target": float("nan") if target is None else target,
                   **_percentiles("cost", cost), **_percentiles("npv", npv)}
            if target is None:
                row.update(p_below=np.nan, p_below_lo=np.nan, p_below_hi=np.nan,
                           months_below_share=np.nan, months_below_half=np.nan)
            else:
                k = int((part["availability"] < target).sum())
                lo, hi = wilson(k, n, level)
                row.update(p_below=k / n, p_below_lo=lo, p_below_hi=hi)
                share = _months_below(ts, alt, cust, target)
                row["months_below_share"], row["months_below_half"] = stats.mean_ci(
                    share, level)
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _percentiles(prefix: str, x: np.ndarray) -> dict[str, float]:
    q = np.percentile(x, [10, 50, 90]) if x.size else [np.nan] * 3
    return {f"{prefix}_p10": float(q[0]), f"{prefix}_p50": float(q[1]),
            f"{prefix}_p90": float(q[2])}


def _months_below(ts: pd.DataFrame, alt: str, cust: str, target: float) -> np.ndarray:
    """Per replication: the share of its measured periods below the target."""
    if ts.empty:
        return np.array([])
    part = ts[(ts["alternative"] == alt) & (ts["customer"] == cust)]
    if part.empty:
        return np.array([])
    below = (part["availability"] < target).groupby(part["replication"]).mean()
    return below.to_numpy(dtype=float)
