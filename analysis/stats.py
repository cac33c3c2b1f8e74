"""Statistics over replications: means with Student-t confidence intervals, paired
differences, cost by year, and the NSNs that drive NMCS.

Every interval is over replications (the independent observations); within-run series are
never treated as independent samples.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from analysis.metrics import KEY_COLUMNS, SUMMARY_METRICS

DAYS_PER_YEAR = 365.25  # the simulator's NPV year (sim/recorder.py)


def t_quantile(p: float, dof):
    """Student-t quantile: the function ``scipy.stats.t.ppf`` evaluates (NaN where the
    degrees of freedom are not positive), without importing ``scipy.stats`` — 45 MB and a
    second of every report's start."""
    dof = np.asarray(dof, dtype=float)
    q = np.where(dof > 0, stdtrit(np.where(dof > 0, dof, 1.0), p), np.nan)
    return q[()] if q.ndim == 0 else q


def mean_ci(values, level: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of the two-sided t confidence interval over replications.

    One replication gives no interval (half-width NaN): a single run says nothing about its
    own variability.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return float("nan"), float("nan")
    mean = float(x.mean())
    if n == 1:
        return mean, float("nan")
    half = float(t_quantile(0.5 + level / 2.0, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, half


def welch_half(x, y, level: float = 0.95) -> float:
    """Half-width of the CI of mean(x) - mean(y) treating the samples as independent.

    This is what the interval would be without common random numbers; set beside the paired
    interval it shows how much the pairing buys.
    """
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size < 2 or b.size < 2:
        return float("nan")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se2 = va + vb
    if se2 == 0:
        return 0.0
    dof = se2**2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return float(t_quantile(0.5 + level / 2.0, dof) * math.sqrt(se2))


def metric_columns(df: pd.DataFrame, exclude: Iterable[str] = ()) -> list[str]:
    """The numeric result columns of a table, known metrics first in contract order."""
    skip = set(KEY_COLUMNS) | set(exclude)
    numeric = [c for c in df.columns
               if c not in skip and pd.api.types.is_numeric_dtype(df[c])
               and not pd.api.types.is_bool_dtype(df[c])]
    known = [m.column for m in SUMMARY_METRICS if m.column in numeric]
    return known + [c for c in numeric if c not in known]


def ci_table(df: pd.DataFrame, keys: Sequence[str], columns: Sequence[str],
             level: float = 0.95) -> pd.DataFrame:
    """Per group of ``keys``: ``col`` (mean), ``col_ci`` (t half-width), and ``n``.

    Vectorised equivalent of ``mean_ci`` per group; groups keep their first-seen order.
    """
    keys, columns = list(keys), list(columns)
    if df.empty:
        return pd.DataFrame(columns=keys + ["n"] + [x for c in columns for x in (c, f"{c}_ci")])
    g = df.groupby(keys, sort=False, dropna=False)[columns]
    mean, std, count = g.mean(), g.std(ddof=1), g.count()
    tq = t_quantile(0.5 + level / 2.0, (count - 1).where(count > 1).to_numpy(dtype=float))
    half = pd.DataFrame(tq * std.to_numpy(dtype=float) / np.sqrt(count.to_numpy(dtype=float)),
                        index=mean.index, columns=columns)
    out = pd.DataFrame(index=mean.index)
    out["n"] = count.max(axis=1).to_numpy() if columns else g.size()
    for c in columns:
        out[c] = mean[c]
        out[f"{c}_ci"] = half[c]
    return out.reset_index()


def summarize(summary: pd.DataFrame, metrics: Sequence[str] | None = None,
              level: float = 0.95) -> pd.DataFrame:
    """Per (alternative, customer): ``replications``, and mean and half-width of every metric."""
    cols = list(metrics) if metrics is not None else metric_columns(summary)
    table = ci_table(summary, ["alternative", "customer"], cols, level)
    reps = summary.groupby(["alternative", "customer"], sort=False)["replication"].nunique()
    table.insert(2, "replications", reps.to_numpy())
    return table.drop(columns="n")


def long_form(wide: pd.DataFrame, keys: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """One row per (keys, metric): mean, half-width and the interval's ends — for spreadsheets."""
    rows = []
    for _, r in wide.iterrows():
        for m in metrics:
            mean, half = float(r[m]), float(r[f"{m}_ci"])
            rows.append({**{k: r[k] for k in keys}, "metric": m, "mean": mean,
                         "ci_half_width": half, "ci_low": mean - half, "ci_high": mean + half})
    return pd.DataFrame(rows)


def paired_differences(summary: pd.DataFrame, baseline: str,
                       metrics: Sequence[str] | None = None,
                       level: float = 0.95) -> pd.DataFrame:
    """Each alternative minus the baseline, replication by replication (common random numbers).

    Columns: ``alternative``, ``baseline``, ``customer``, ``metric``, ``difference`` (mean of the
    paired differences), ``ci`` (paired t half-width), ``unpaired_ci`` (Welch half-width from the
    same runs, ignoring the pairing), ``width_ratio`` (unpaired / paired), ``pairs``,
    ``significant`` (the paired interval excludes zero).
    """
    cols = list(metrics) if metrics is not None else metric_columns(summary)
    pair_keys = ["replication", "customer"] + (["point"] if "point" in summary.columns else [])
    base = summary[summary["alternative"] == baseline]
    rows = []
    for alt in dict.fromkeys(summary["alternative"]):
        if alt == baseline:
            continue
        other = summary[summary["alternative"] == alt]
        joined = other.merge(base, on=pair_keys, suffixes=("", "__base"))
        for cust in dict.fromkeys(joined["customer"]):
            j = joined[joined["customer"] == cust]
            for m in cols:
                diff = j[m].to_numpy(dtype=float) - j[f"{m}__base"].to_numpy(dtype=float)
                mean, half = mean_ci(diff, level)
                unpaired = welch_half(j[m], j[f"{m}__base"], level)
                has_ci = not math.isnan(half) and half > 0
                ratio = unpaired / half if has_ci else float("nan")
                rows.append({"alternative": alt, "baseline": baseline, "customer": cust,
                             "metric": m, "difference": mean, "ci": half,
                             "unpaired_ci": unpaired, "width_ratio": ratio,
                             "pairs": int(np.sum(~np.isnan(diff))),
                             "significant": bool(not math.isnan(half) and abs(mean) > half)})
    return pd.DataFrame(rows, columns=["alternative", "baseline", "customer", "metric",
                                       "difference", "ci", "unpaired_ci", "width_ratio", "pairs",
                                       "significant"])


def cost_by_year(timeseries: pd.DataFrame, discount_rate: float, warmup_days: float = 0.0,
                 level: float = 0.95) -> pd.DataFrame:
    """Cost and discounted cost per (alternative, customer, year), mean and CI over replications.

    Year y (1-based) covers days [365.25 (y-1), 365.25 y) from day 0, the simulator's NPV
    convention; each period's cost counts in the year its period starts. The discount factor
    is the end-of-year 1 / (1 + r)^y. ``measured`` marks years wholly after warm-up, the ones
    the summary's ``cost_usd`` and ``npv_cost_usd`` cover.
    """
    cols = ["alternative", "customer", "year", "measured", "discount_factor", "n",
            "cost_usd", "cost_usd_ci", "npv_cost_usd", "npv_cost_usd_ci"]
    if timeseries.empty or "cost_usd" not in timeseries.columns:
        return pd.DataFrame(columns=cols)
    ts = timeseries
    year = np.floor(ts["period_start_day"].to_numpy(dtype=float) / DAYS_PER_YEAR + 1e-9)
    year = year.astype(int) + 1
    factor = 1.0 / (1.0 + discount_rate) ** year
    keys = ["alternative", "replication", "customer"]
    frame = pd.DataFrame({k: ts[k].to_numpy() for k in keys})
    frame["year"] = year
    frame["cost_usd"] = ts["cost_usd"].to_numpy(dtype=float)
    frame["npv_cost_usd"] = frame["cost_usd"] * factor
    per_rep = frame.groupby(keys + ["year"], sort=False, as_index=False)[
        ["cost_usd", "npv_cost_usd"]].sum()
    table = ci_table(per_rep, ["alternative", "customer", "year"],
                     ["cost_usd", "npv_cost_usd"], level)
    table["discount_factor"] = 1.0 / (1.0 + discount_rate) ** table["year"]
    table["measured"] = (table["year"] - 1) * DAYS_PER_YEAR >= warmup_days - 1e-9
    table = table.sort_values(["alternative", "customer", "year"], kind="stable",
                              key=_first_seen_key(table))
    return table[cols].reset_index(drop=True)


def _first_seen_key(table: pd.DataFrame):
    """A sort key that keeps alternatives and customers in first-seen order."""
    orders = {c: {v: i for i, v in enumerate(dict.fromkeys(table[c]))}
              for c in ("alternative", "customer")}

    def key(col: pd.Series) -> pd.Series:
        return col.map(orders[col.name]) if col.name in orders else col
    return key


def nmcs_drivers(items: pd.DataFrame, summary: pd.DataFrame,
                 item_names: dict[str, str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """NSNs ranked by the NMCS aircraft they account for, per (alternative, customer).

    In each replication an NSN's share of the customer's time-averaged backorders, times the
    customer's mean NMCS aircraft, is the NMCS it drives (backorders x share: with
    cannibalization several holes sit on one aircraft, so NMCS < backorders and each NSN is
    charged its share). Columns: ``rank`` (1 = drives most), ``nsn``, ``name``,
    ``backorders_mean``, ``share``, ``nmcs_aircraft`` with ``_ci`` half-widths.
    """
    cols = ["alternative", "customer", "rank", "nsn", "name", "n", "backorders_mean",
            "backorders_mean_ci", "share", "share_ci", "nmcs_aircraft", "nmcs_aircraft_ci"]
    if items.empty or "backorders_mean" not in items.columns:
        return pd.DataFrame(columns=cols)
    keys = ["alternative", "replication", "customer"] + (
        ["point"] if "point" in items.columns and "point" in summary.columns else [])
    frame = items[keys + ["nsn", "backorders_mean"]].copy()
    total = frame.groupby(keys, sort=False)["backorders_mean"].transform("sum")
    frame["share"] = np.where(total > 0, frame["backorders_mean"] / total.where(total > 0), 0.0)
    nmcs = summary[keys + ["nmcs_aircraft_mean"]]
    frame = frame.merge(nmcs, on=keys, how="left")
    frame["nmcs_aircraft"] = frame["share"] * frame["nmcs_aircraft_mean"]
    table = ci_table(frame, ["alternative", "customer", "nsn"],
                     ["backorders_mean", "share", "nmcs_aircraft"], level)
    names = item_names or {}
    table["name"] = table["nsn"].map(lambda n: names.get(n, ""))
    table = table.sort_values(["alternative", "customer", "nmcs_aircraft", "nsn"],
                              ascending=[True, True, False, True], kind="stable",
                              key=_first_seen_key(table))
    table["rank"] = table.groupby(["alternative", "customer"], sort=False).cumcount() + 1
    return table[cols].reset_index(drop=True)


def timeseries_band(timeseries: pd.DataFrame, column: str,
                    level: float = 0.95) -> pd.DataFrame:
    """Per (alternative, customer, period): mean of ``column`` and its CI half-width."""
    return ci_table(timeseries, ["alternative", "customer", "period_start_day"], [column], level)


def efficient(costs: Sequence[float], benefits: Sequence[float]) -> list[bool]:
    """Which points are on the efficient frontier: no other point costs no more and gives at
    least as much, one of the two strictly."""
    c = np.asarray(costs, dtype=float)
    b = np.asarray(benefits, dtype=float)
    out = []
    for i in range(c.size):
        dominated = np.any((c <= c[i]) & (b >= b[i]) & ((c < c[i]) | (b > b[i])))
        out.append(not bool(dominated))
    return out
