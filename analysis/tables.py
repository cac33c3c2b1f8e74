"""The report's tables as rows of display strings (the HTML template only lays them out)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.bca import Bca
from analysis.metrics import fmt_half, fmt_value, metric
from analysis.narrative import fmt_diff


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""
    left: int = 1  # leading columns that hold names (left-aligned)
    marks: list[bool] = field(default_factory=list)  # rows to emphasise


def cell(column: str, mean: float, half: float) -> str:
    """'90.7 ± 0.5': the number in the heading's unit and its CI half-width."""
    if math.isnan(half):
        return fmt_value(column, mean, bare=True)
    return f"{fmt_value(column, mean, bare=True)} ± {fmt_half(column, half)}"


def comparison(bca: Bca, customer: str | None = None) -> Table:
    """Headline metrics per alternative (and customer), mean ± 95 % CI half-width."""
    t = bca.comparison if customer is None else bca.comparison[
        bca.comparison["customer"] == customer]
    t = _by_customer(bca, t)
    cols = bca.key_metrics
    rows = []
    for _, r in t.iterrows():
        lead = [r["alternative"]] + ([r["customer"]] if customer is None else [])
        rows.append(lead + [str(int(r["replications"]))]
                    + [cell(c, r[c], r[f"{c}_ci"]) for c in cols])
    heads = ["Alternative"] + (["Customer"] if customer is None else []) + ["Reps"]
    return Table(heads + [metric(c).heading for c in cols], rows,
                 caption="Mean ± 95 % CI half-width over replications (percentage points for %).",
                 left=2 if customer is None else 1)


def _by_customer(bca: Bca, t: pd.DataFrame) -> pd.DataFrame:
    """Rows grouped by customer (scenario order), alternatives in scenario order within."""
    cust = {c: i for i, c in enumerate(bca.customers)}
    alt = {a: i for i, a in enumerate(bca.alternatives)}
    key = t["customer"].map(cust).fillna(len(cust)) * (len(alt) + 1) + t["alternative"].map(
        alt).fillna(len(alt))
    return t.iloc[np.argsort(key.to_numpy(), kind="stable")]


def every_metric(bca: Bca, customer: str) -> Table:
    """Every summary metric (rows) by alternative (columns)."""
    t = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    alts = [a for a in bca.alternatives if a in t.index]
    rows = [[metric(m).heading] + [cell(m, t.loc[a, m], t.loc[a, f"{m}_ci"]) for a in alts]
            for m in bca.metrics]
    return Table(["Metric"] + alts, rows,
                 caption="Every summary metric: mean ± 95 % CI half-width over replications.")


def paired(bca: Bca, customer: str | None = None, metrics: list[str] | None = None) -> Table:
    """Differences against the baseline with the paired and the unpaired interval side by side:
    the ratio is how much narrower common random numbers make the interval."""
    p = bca.paired if customer is None else bca.paired[bca.paired["customer"] == customer]
    want = metrics or bca.key_metrics
    p = _by_customer(bca, p[p["metric"].isin(want)])
    order = {m: i for i, m in enumerate(want)}
    p = p.sort_values("metric", key=lambda s: s.map(order), kind="stable")
    rows = []
    for _, r in p.iterrows():
        m = r["metric"]
        ratio = "–" if r["width_ratio"] != r["width_ratio"] else f"{r['width_ratio']:.1f}×"
        rows.append([metric(m).heading, r["alternative"]]
                    + ([r["customer"]] if customer is None else [])
                    + [fmt_diff(m, r["difference"], bare=True), f"± {fmt_half(m, r['ci'])}",
                       f"± {fmt_half(m, r['unpaired_ci'])}", ratio,
                       "yes" if r["significant"] else "no"])
    heads = (["Metric", "Alternative"] + (["Customer"] if customer is None else [])
             + ["Difference", "Paired 95 % CI", "Unpaired 95 % CI", "Paired CI narrower by",
                "Significant"])
    return Table(heads, rows, left=3 if customer is None else 2, caption=(
        "Mean of the replication-by-replication differences. The unpaired interval is what the "
        "same runs would give without common random numbers; their ratio is the gain from "
        "pairing."))


def years(bca: Bca, customer: str) -> Table:
    """Cost and NPV per year and alternative."""
    y = bca.years[bca.years["customer"] == customer]
    alts = [a for a in bca.alternatives if a in set(y["alternative"])]
    rows = []
    for year, g in y.groupby("year", sort=True):
        g = g.set_index("alternative")
        factor = float(g["discount_factor"].iloc[0])
        row = [f"Year {int(year)}", "measured" if bool(g["measured"].iloc[0]) else "warm-up",
               f"{factor:.4f}"]
        for a in alts:
            row.append(cell("cost_usd", g.loc[a, "cost_usd"], g.loc[a, "cost_usd_ci"])
                       if a in g.index else "–")
            row.append(fmt_value("npv_cost_usd", g.loc[a, "npv_cost_usd"], bare=True)
                       if a in g.index else "–")
        rows.append(row)
    measured = y[y["measured"]].groupby("alternative")[["cost_usd", "npv_cost_usd"]].sum()
    total = ["Measured years", "total", ""]
    for a in alts:
        total += [fmt_value("cost_usd", measured["cost_usd"].get(a, float("nan")), bare=True),
                  fmt_value("npv_cost_usd", measured["npv_cost_usd"].get(a, float("nan")),
                            bare=True)]
    rows.append(total)
    heads = ["Year", "Window", "Discount factor"]
    for a in alts:
        heads += [f"{a}: cost ($M)", f"{a}: NPV ($M)"]
    return Table(heads, rows, left=2, marks=[False] * (len(rows) - 1) + [True], caption=(
        "Undiscounted cost per year (mean ± 95 % CI) and its present value; year y covers days "
        "365.25 (y−1) to 365.25 y and is discounted by 1/(1+r)^y."))


def drivers(bca: Bca, customer: str, top: int = 10) -> Table:
    d = bca.drivers[bca.drivers["customer"] == customer]
    alts = [a for a in bca.alternatives if a in set(d["alternative"])]
    order = d.groupby("nsn")["nmcs_aircraft"].max().sort_values(ascending=False).index[:top]
    rows = []
    for nsn in order:
        g = d[d["nsn"] == nsn].set_index("alternative")
        row = [nsn, str(g["name"].iloc[0])]
        for a in alts:
            if a in g.index:
                r = g.loc[a]
                row.append(f"{r['nmcs_aircraft']:.2f} ± {r['nmcs_aircraft_ci']:.2f} "
                           f"(#{int(r['rank'])}, {100 * r['share']:.0f} %)")
            else:
                row.append("–")
        rows.append(row)
    return Table(["NSN", "Item"] + [f"{a}: NMCS aircraft" for a in alts], rows, left=2,
                 caption=("NMCS aircraft attributed to each NSN (its share of backorders × mean "
                          "NMCS aircraft), ± 95 % CI; in brackets its rank and its share of "
                          "backorders under that alternative."))


def depots(bca: Bca) -> Table:
    d = bca.depots
    cols = [c for c in ("backlog_mean", "turnaround_days_mean", "queue_days_mean",
                        "utilization", "inductions") if c in d.columns]
    labels = {"backlog_mean": "Backlog (units)", "turnaround_days_mean": "Turnaround (days)",
              "queue_days_mean": "Queue (days)", "utilization": "Utilization (%)",
              "inductions": "Inductions"}
    if "inductions" in d.columns:
        d = d[d["inductions"].fillna(0) > 0]  # a depot the alternative sends nothing to
    rows = []
    for _, r in d.iterrows():
        row = [r["depot"], r["alternative"]]
        for c in cols:
            scale, digits = (100.0, 1) if c == "utilization" else (1.0, 0 if c == "inductions"
                                                                    else 2)
            mean, half = r[c] * scale, r[f"{c}_ci"] * scale
            row.append("–" if math.isnan(mean) else (
                f"{mean:,.{digits}f}" + ("" if math.isnan(half) else f" ± {half:,.{digits}f}")))
        rows.append(row)
    return Table(["Depot", "Alternative"] + [labels[c] for c in cols], rows, left=2,
                 caption="Per depot over the measured window, mean ± 95 % CI over replications.")


def tornado(bca: Bca, customer: str) -> Table | None:
    if not bca.tornado:
        return None
    frames = [t[t["customer"] == customer] for t in bca.tornado.values()]
    t = pd.concat(frames) if frames else pd.DataFrame()
    if t.empty:
        return None
    rows = []
    for _, r in t.sort_values(["alternative", "metric", "swing"],
                              ascending=[True, True, False]).iterrows():
        m = r["metric"]
        rows.append([r["alternative"], metric(m).label, r["parameter"],
                     f"{r['low_value']:g} → {r['high_value']:g} (base {r['base_value']:g})",
                     fmt_value(m, r["at_low"]), fmt_value(m, r["base"]),
                     fmt_value(m, r["at_high"]), fmt_half(m, r["swing"])])
    return Table(["Alternative", "Metric", "Parameter", "Swept values", "At lowest", "Base",
                  "At highest", "Swing"], rows, left=3,
                 caption="One-at-a-time sweep: means over replications at each point.")


def assumptions(bca: Bca) -> list[tuple[str, Any]]:
    """Configuration status accounting: what exactly was run."""
    m, r = bca.result.manifest, bca.result
    sc = r.scenario
    units = m.get("completed_units")
    rows: list[tuple[str, Any]] = [
        ("Scenario", r.name),
        ("Scenario SHA-256", m.get("scenario_sha256", "unknown")),
        ("Seed", m.get("seed", sc.get("seed", "unknown"))),
        ("Replications", f"{r.replications} per alternative"),
        ("Alternatives", f"{len(bca.alternatives)}; baseline: {bca.baseline}"),
        ("Horizon", f"{r.horizon_days:g} days; warm-up {r.warmup_days:g} days (excluded)"),
        ("Discount rate", f"{100 * r.discount_rate:g} % real, end-of-year"),
        ("FMS surcharge", f"{100 * float(sc.get('fms_surcharge_rate', 0.032)):g} %"),
        ("Package version", f"sustain {m.get('package_version', 'unknown')}"),
        ("Result schema version", m.get("schema_version", "unknown")),
        ("Run started / finished", f"{m.get('started_at', '?')} / {m.get('finished_at', '?')}"),
        ("Completed units", len(units) if isinstance(units, list) else "unknown"),
        ("Result directory", str(r.path)),
    ]
    if bca.sweep is not None:
        swept = ", ".join(bca.sweep.parameters) or "unknown parameters"
        rows.append(("Sweep", f"{bca.sweep.points} points over {swept}"))
    return rows
