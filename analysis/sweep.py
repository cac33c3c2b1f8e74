"""Sweeps in a result directory: which parameters were swept, the base point, the
one-at-a-time swings behind a tornado chart, the rank correlation of each metric with each
parameter (grid and Latin hypercube), and where two alternatives swap rank (a one- or
two-parameter grid).

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
from analysis.stats import mean_ci, metric_columns

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
                     depot_timeseries=pick(result.depot_timeseries),
                     analytic=pick(result.analytic), costs=pick(result.costs),
                     bases=pick(result.bases), optimize=result.optimize,
                     notes=list(result.notes))


def tornado_table(summary: pd.DataFrame, info: SweepInfo, metric: str) -> pd.DataFrame:
    """Per (alternative, customer, parameter): the metric at the parameter's lowest and
    highest swept values (others at base), the base-point value and the swing.

    Columns: ``alternative``, ``customer``, ``parameter``, ``base_value``, ``low_value``,
    ``high_value``, ``metric``, ``base``, ``at_low``, ``at_high``, ``swing`` (|high - low|),
    ``base_ci`` (95 % CI half-width of the base mean), ``at_low_ci`` and ``at_high_ci``: 95 %
    CI half-widths of the change from the base point, paired by replication — every point
    runs the same replications' random numbers, so the pairing shows whether a swing is more
    than noise. Means over replications at each point.
    """
    cols = ["alternative", "customer", "parameter", "base_value", "low_value", "high_value",
            "metric", "base", "at_low", "at_high", "swing", "base_ci", "at_low_ci",
            "at_high_ci"]
    if not info.one_at_a_time:
        return pd.DataFrame(columns=cols)
    grouped = summary.groupby(["alternative", "customer", "point"], sort=False)[metric]
    means = grouped.mean()
    by_rep = summary.pivot_table(index=["alternative", "customer", "replication"],
                                 columns="point", values=metric, aggfunc="mean")
    points = summary.groupby("point")[info.parameters].first()
    rows = []
    for (alt, cust), per_point in means.groupby(level=[0, 1], sort=False):
        per_point = per_point.droplevel([0, 1])
        reps = by_rep.loc[(alt, cust)]

        def paired_half(pt: int, base_pt: int | None, reps: pd.DataFrame = reps) -> float:
            if base_pt is None or pt not in reps.columns or base_pt not in reps.columns:
                return float("nan")
            return mean_ci(reps[pt] - reps[base_pt])[1]

        if info.base_point is not None and info.base_point in per_point.index:
            base = float(per_point[info.base_point])
            base_ci = mean_ci(reps[info.base_point])[1]
        else:
            base, base_ci = float(per_point.median()), float("nan")
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
                         "swing": abs(at_high - at_low), "base_ci": base_ci,
                         "at_low_ci": paired_half(lo_pt, info.base_point),
                         "at_high_ci": paired_half(hi_pt, info.base_point)})
    return pd.DataFrame(rows, columns=cols)


def point_means(summary: pd.DataFrame, info: SweepInfo, metric: str) -> pd.DataFrame:
    """Per (alternative, customer, point): the parameter values, the metric's mean over
    replications and its 95 % CI half-width."""
    keys = ["alternative", "customer", "point"]
    g = summary.groupby(keys, sort=False)
    out = g[info.parameters].first() if info.parameters else g[[]].first()
    out["mean"] = g[metric].mean()
    out["ci"] = g[metric].agg(lambda x: mean_ci(x)[1])
    return out.reset_index()


def spearman_ci(x: np.ndarray, y: np.ndarray, level: float = 0.95
                ) -> tuple[float, float, float, float]:
    """Spearman's rank correlation, its p-value and a CI by Fisher's z with the
    Fieller-Hartley-Pearson variance 1.06 / (n - 3) for rank correlations."""
    from scipy import stats as st

    n = len(x)
    if n < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan"), float("nan"), float("nan")
    res = st.spearmanr(x, y)
    rho, p = float(res.statistic), float(res.pvalue)
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    half = st.norm.ppf(0.5 + level / 2) * np.sqrt(1.06 / (n - 3)) if n > 3 else np.inf
    lo, hi = float(np.tanh(z - half)), float(np.tanh(z + half))
    return rho, min(lo, rho), max(hi, rho), p


def sensitivity_table(summary: pd.DataFrame, info: SweepInfo, metric: str) -> pd.DataFrame:
    """Per (alternative, customer, parameter) over the sweep's points: Spearman's rho of the
    point means with the parameter, with its 95 % CI, and the least-squares slope (the trend
    line drawn through the points)."""
    cols = ["alternative", "customer", "parameter", "metric", "points", "rho", "rho_low",
            "rho_high", "p_value", "slope", "intercept"]
    if not info.parameters or info.points < 4:
        return pd.DataFrame(columns=cols)
    means = point_means(summary, info, metric)
    rows = []
    for (alt, cust), d in means.groupby(["alternative", "customer"], sort=False):
        y = d["mean"].to_numpy(dtype=float)
        for p in info.parameters:
            x = d[p].to_numpy(dtype=float)
            ok = ~(np.isnan(x) | np.isnan(y))
            rho, lo, hi, pv = spearman_ci(x[ok], y[ok])
            slope = intercept = float("nan")
            if ok.sum() >= 2 and np.ptp(x[ok]) > 0:
                slope, intercept = (float(v) for v in np.polyfit(x[ok], y[ok], 1))
            rows.append({"alternative": alt, "customer": cust, "parameter": p,
                         "metric": metric, "points": int(ok.sum()), "rho": rho,
                         "rho_low": lo, "rho_high": hi, "p_value": pv, "slope": slope,
                         "intercept": intercept})
    return pd.DataFrame(rows, columns=cols)


def break_even(summary: pd.DataFrame, info: SweepInfo, metric: str) -> pd.DataFrame:
    """Where two alternatives swap rank along the first parameter of a one- or two-parameter
    grid (for each value of the second): the parameter value where their mean lines cross,
    by linear interpolation between the grid values either side."""
    cols = ["customer", "metric", "parameter", "other_parameter", "other_value",
            "alternative_a", "alternative_b", "value", "a_higher_below"]
    if info.method not in (None, "grid") or not 1 <= len(info.parameters) <= 2:
        return pd.DataFrame(columns=cols)
    x_name = info.parameters[0]
    other = info.parameters[1] if len(info.parameters) == 2 else None
    means = point_means(summary, info, metric)
    rows = []
    for cust, d in means.groupby("customer", sort=False):
        slices = [(None, d)] if other is None else list(d.groupby(other, sort=True))
        for ov, sl in slices:
            table = sl.pivot_table(index=x_name, columns="alternative", values="mean")
            alts = list(table.columns)
            x = table.index.to_numpy(dtype=float)
            for i, a in enumerate(alts):
                for b in alts[i + 1:]:
                    diff = (table[a] - table[b]).to_numpy(dtype=float)
                    for k in range(len(x) - 1):
                        d0, d1 = diff[k], diff[k + 1]
                        if np.isnan(d0) or np.isnan(d1) or d0 == 0 or np.sign(d0) == np.sign(d1):
                            continue
                        xv = x[k] + (x[k + 1] - x[k]) * d0 / (d0 - d1)
                        rows.append({"customer": cust, "metric": metric, "parameter": x_name,
                                     "other_parameter": other,
                                     "other_value": None if ov is None else float(ov),
                                     "alternative_a": a, "alternative_b": b,
                                     "value": float(xv), "a_higher_below": bool(d0 > 0)})
    return pd.DataFrame(rows, columns=cols)


def analytic_swings(analytic: pd.DataFrame, info: SweepInfo,
                    column: str = "availability_finite_fleet") -> pd.DataFrame:
    """The closed form's change from the base point at each one-at-a-time end: per
    (alternative, customer, parameter) ``delta_low`` and ``delta_high`` (NaN where the closed
    form cannot answer), to set beside the simulated swings."""
    cols = ["alternative", "customer", "parameter", "delta_low", "delta_high"]
    if analytic.empty or not info.one_at_a_time or info.base_point is None or \
            column not in analytic.columns:
        return pd.DataFrame(columns=cols)
    points = analytic.groupby("point")[info.parameters].first()
    values = analytic.set_index(["alternative", "customer", "point"])[column]
    rows = []
    for (alt, cust), _ in analytic.groupby(["alternative", "customer"], sort=False):
        base = values.get((alt, cust, info.base_point), np.nan)
        for p in info.parameters:
            mask = np.ones(len(points), dtype=bool)
            for q in info.parameters:
                if q != p:
                    mask &= np.isclose(points[q].astype(float), info.base_values[q])
            sel = points[mask]
            if sel.empty:
                continue
            lo, hi = sel[p].astype(float).idxmin(), sel[p].astype(float).idxmax()
            rows.append({"alternative": alt, "customer": cust, "parameter": p,
                         "delta_low": values.get((alt, cust, lo), np.nan) - base,
                         "delta_high": values.get((alt, cust, hi), np.nan) - base})
    return pd.DataFrame(rows, columns=cols)
