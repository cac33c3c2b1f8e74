"""Sweeps in a result directory: which parameters were swept, the base point, and the
one-at-a-time swings behind a tornado chart.

A sweep adds ``point`` and one column per swept parameter to every table (DESIGN §4). A
one-at-a-time sweep moves one parameter away from its base value at each point, so the base
value of a parameter is the one it holds at most points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.load import ResultSet
from analysis.metrics import SUMMARY_METRICS
from analysis.stats import metric_columns

# Result columns of DESIGN §4 other than keys: never a swept parameter.
CONTRACT_COLUMNS = {m.column for m in SUMMARY_METRICS} | {
    "pipeline_mean", "condemnations", "inductions", "turnaround_days_mean", "queue_days_mean",
    "backlog_mean", "utilization"}


@dataclass(frozen=True)
class SweepInfo:
    parameters: list[str]
    method: str | None  # from the manifest's scenario, when it says
    base_values: dict[str, float]
    base_point: int | None  # the point with every parameter at its base value
    one_at_a_time: bool
    points: int


def sweep_parameters(df: pd.DataFrame, scenario: dict[str, Any] | None = None) -> list[str]:
    """The swept-parameter columns of a table with a ``point`` column."""
    if "point" not in df.columns:
        return []
    declared = list(((scenario or {}).get("sweep") or {}).get("parameters") or {})
    found = [p for p in declared if p in df.columns]
    if found:
        return found
    # Not declared in the manifest: a column the contract does not know that is constant at
    # each point is a swept parameter.
    candidates = [c for c in metric_columns(df.iloc[:0]) if c not in CONTRACT_COLUMNS]
    per_point = df.groupby("point")[candidates].nunique() if candidates else pd.DataFrame()
    return [c for c in candidates if (per_point[c] <= 1).all()]


def sweep_info(result: ResultSet) -> SweepInfo | None:
    """What the sweep in this result looks like; None for a plain run."""
    summary = result.summary
    params = sweep_parameters(summary, result.scenario)
    if "point" not in summary.columns:
        return None
    points = summary.groupby("point", sort=True)[params].first() if params else pd.DataFrame(
        index=sorted(summary["point"].unique()))
    base = {p: float(points[p].mode().sort_values().iloc[0]) for p in params}
    off = pd.DataFrame({p: ~np.isclose(points[p].astype(float), base[p]) for p in params},
                       index=points.index) if params else pd.DataFrame(index=points.index)
    moved = off.sum(axis=1) if params else pd.Series(0, index=points.index)
    at_base = list(moved.index[moved == 0])
    method = ((result.scenario.get("sweep") or {}).get("method"))
    oat = bool(params) and bool((moved <= 1).all()) and method in (None, "one_at_a_time")
    return SweepInfo(parameters=params, method=method, base_values=base,
                     base_point=int(at_base[0]) if at_base else None,
                     one_at_a_time=oat, points=len(points))


def at_point(result: ResultSet, point: int) -> ResultSet:
    """The result restricted to one sweep point, as if it were a plain run."""
    def pick(df: pd.DataFrame) -> pd.DataFrame:
        if df.empty or "point" not in df.columns:
            return df
        return df[df["point"] == point].reset_index(drop=True)
    return ResultSet(path=result.path, manifest=result.manifest, summary=pick(result.summary),
                     items=pick(result.items), depots=pick(result.depots),
                     timeseries=pick(result.timeseries),
                     depot_timeseries=pick(result.depot_timeseries))


def tornado_table(summary: pd.DataFrame, info: SweepInfo, metric: str) -> pd.DataFrame:
    """Per (alternative, customer, parameter): the metric at the parameter's lowest and
    highest swept values (others at base), the base-point value and the swing.

    Columns: ``alternative``, ``customer``, ``parameter``, ``base_value``, ``low_value``,
    ``high_value``, ``metric``, ``base``, ``at_low``, ``at_high``, ``swing`` (|high - low|).
    Means over replications at each point.
    """
    cols = ["alternative", "customer", "parameter", "base_value", "low_value", "high_value",
            "metric", "base", "at_low", "at_high", "swing"]
    if not info.one_at_a_time:
        return pd.DataFrame(columns=cols)
    means = summary.groupby(["alternative", "customer", "point"], sort=False)[metric].mean()
    points = summary.groupby("point")[info.parameters].first()
    rows = []
    for (alt, cust), per_point in means.groupby(level=[0, 1], sort=False):
        per_point = per_point.droplevel([0, 1])
        if info.base_point is not None and info.base_point in per_point.index:
            base = float(per_point[info.base_point])
        else:
            base = float(per_point.median())
        for p in info.parameters:
            others = [q for q in info.parameters if q != p]
            mask = np.ones(len(points), dtype=bool)
            for q in others:
                mask &= np.isclose(points[q].astype(float), info.base_values[q])
            sel = points[mask]
            sel = sel[sel.index.isin(per_point.index)]
            if sel.empty:
                continue
            lo_pt = sel[p].astype(float).idxmin()
            hi_pt = sel[p].astype(float).idxmax()
            at_low, at_high = float(per_point[lo_pt]), float(per_point[hi_pt])
            rows.append({"alternative": alt, "customer": cust, "parameter": p,
                         "base_value": info.base_values[p],
                         "low_value": float(sel.loc[lo_pt, p]),
                         "high_value": float(sel.loc[hi_pt, p]), "metric": metric,
                         "base": base, "at_low": at_low, "at_high": at_high,
                         "swing": abs(at_high - at_low)})
    return pd.DataFrame(rows, columns=cols)
