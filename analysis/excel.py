"""``summary.xlsx`` for analysts: one sheet per table, numbers as numbers, every sheet
filterable, units in every header, one name per column across sheets.

Conventions: availability, fill rate and shares are fractions shown as percentages (Excel's
percent format, so 0.792 reads 79.2 %); money is in US dollars to the cent (the report shows
$M); a confidence interval is always "… 95 % CI half-width (unit)". The cost-by-year sheet's
total rows are the comparison sheet's cost and NPV, and its years sum to them.

Written cell by cell with openpyxl so that user text is always stored as text (a name that
begins with '=' must never become a formula).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis import bca_tables, cooperative, narrative, stats
from analysis.bca import Bca
from analysis.metrics import metric
from analysis.tables import assumptions

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FONT = Font(bold=True)

NAMES = {
    "alternative": "Alternative", "customer": "Customer", "replication": "Replication",
    "replications": "Replications", "nsn": "NSN", "name": "Item", "depot": "Depot",
    "period_start_day": "Period start (day)", "year": "Year (number)", "year_label": "Year",
    "phase": "Phase", "phase_index": "Phase (number)", "start_day": "Phase start (day)",
    "end_day": "Phase end (day)", "rank": "Rank", "n": "Replications", "point": "Sweep point",
    "metric": "Metric", "baseline": "Against", "pairs": "Pairs", "significant": "Significant",
    "difference": "Difference", "ci": "Difference 95 % CI half-width",
    "unpaired_ci": "Difference 95 % CI half-width, unpaired", "width_ratio":
    "Unpaired / paired CI width (ratio)", "share": "Share of backorders (%)",
    "nmcs_aircraft": "NMCS aircraft attributed (aircraft)", "inductions": "Inductions (count)",
    "turnaround_days_mean": "Turnaround, mean (days)", "queue_days_mean":
    "Queue for a line, mean (days)", "backlog_mean": "Backlog, time-average (units)",
    "utilization": "Utilization (%)", "awaiting_parts": "Awaiting parts (count)",
    "awaiting_parts_days_mean": "Awaiting parts, mean (days)", "pipeline_mean":
    "Pipeline, time-average (units)", "condemnations": "Condemnations (count)",
    "no_source": "No source found (count)", "warmup_cost_usd":
    "Warm-up cost, not counted (USD)", "investment_usd": "Investment paid in warm-up (USD)",
    "unit": "Unit", "days": "Days covered (days)",
    "counted_cost_usd": "Cost counted in the totals, constant dollars (USD)",
    "counted_cost_usd_ci": "Cost counted in the totals, constant dollars 95 % CI half-width "
                           "(USD)",
    "counted_npv_usd": "NPV of the cost counted (USD)",
    "counted_npv_usd_ci": "NPV of the cost counted 95 % CI half-width (USD)",
    "phase_cost_usd": "Cost in the phase (USD)",
    "phase_cost_usd_ci": "Cost in the phase 95 % CI half-width (USD)",
    "period_cost_usd": "Cost in the period (USD)",
    "period_cost_usd_ci": "Cost in the period 95 % CI half-width (USD)",
    # The whole BCA (issue 14): constant dollars are the scenario's base year (Assumptions).
    "counted_then_year_usd": "Cost counted in the totals, then-year dollars (USD)",
    "counted_then_year_usd_ci":
        "Cost counted in the totals, then-year dollars 95 % CI half-width (USD)",
    "warmup_share": "Share of the year in warm-up (%)",
    "ips_element": "IPS element", "fiscal_year": "Fiscal year (number)",
    "tco_constant_usd": "Total ownership cost, constant dollars (USD)",
    "tco_then_year_usd": "Total ownership cost, then-year dollars (USD)",
    "escalation_index": "Escalation index (ratio)",
    "availability_target": "Availability target, supply availability (%)",
    "p_below": "P(supply availability below target) (%)",
    "p_below_lo": "P(below target) 95 % Wilson CI low (%)",
    "p_below_hi": "P(below target) 95 % Wilson CI high (%)",
    "months_below_share": "Measured months below target (%)",
    "months_below_half": "Measured months below target 95 % CI half-width (%)",
    "cost_p10": "Cost, 10th percentile over replications (USD)",
    "cost_p50": "Cost, median over replications (USD)",
    "cost_p90": "Cost, 90th percentile over replications (USD)",
    "npv_p10": "NPV cost, 10th percentile over replications (USD)",
    "npv_p50": "NPV cost, median over replications (USD)",
    "npv_p90": "NPV cost, 90th percentile over replications (USD)",
}
# Columns whose meaning differs by table get their name from the table.
PERCENT_COLUMNS = {"availability", "fill_rate", "share", "utilization", "warmup_share",
                   "availability_target", "p_below", "p_below_lo", "p_below_hi",
                   "months_below_share", "months_below_half"}


def unit_of(column: str) -> str:
    """The spreadsheet unit of a column: fractions as %, money in USD."""
    base = column.removesuffix("_ci")
    if base in PERCENT_COLUMNS:
        return "%"
    named = re.search(r"\(([^()]+)\)$", NAMES.get(base, ""))
    if named:
        return named.group(1)
    m = metric(base)
    return {"$M": "USD", "$/FH": "USD/FH"}.get(m.unit, m.unit)


def header(column: str) -> str:
    """One header per column name, the same on every sheet, unit in brackets."""
    if column in NAMES:
        return NAMES[column]
    if column.endswith("_ci"):
        base = column[:-3]
        label = NAMES.get(base, "").split(" (")[0] or metric(base).label
        unit = unit_of(base)
        return f"{label} 95 % CI half-width ({unit})" if unit else f"{label} 95 % CI half-width"
    label = metric(column).label
    unit = unit_of(column)
    return f"{label} ({unit})" if unit else label


def number_format(column: str) -> str | None:
    unit = unit_of(column)
    return {"%": "0.0%", "USD": "#,##0.00", "USD/FH": "#,##0.00", "days": "0.00",
            "aircraft": "0.00", "units": "0.00", "count": "#,##0", "FH": "#,##0.0"}.get(unit)


def sheets(bca: Bca) -> dict[str, pd.DataFrame]:
    """The tables, by sheet name, in workbook order (raw column names; ``header`` names
    them)."""
    out: dict[str, pd.DataFrame] = {
        "Summary": _summary(bca),
        "Assumptions": pd.DataFrame(assumptions(bca), columns=["item", "value"]),
        "Comparison": _ordered(bca, bca.comparison),
        "Phases": bca.phases.drop(columns=["n"], errors="ignore").rename(columns={
            "cost_usd": "phase_cost_usd", "cost_usd_ci": "phase_cost_usd_ci"}),
        "Paired differences": _paired(bca),
        "Cost by year": _years(bca),
        **bca_tables.sheets(bca),
        "NMCS drivers": bca.drivers.drop(columns=["n"], errors="ignore"),
        "Depots": bca.depots.drop(columns=["n"], errors="ignore"),
        "Time series": _timeseries(bca),
        "Replications": bca.result.summary,
    }
    for metric_name, table in bca.tornado.items():
        out[f"Tornado {metric_name}"[:31]] = table
    for metric_name, table in bca.sensitivity.items():
        out[f"Sensitivity {metric_name}"[:31]] = table
    for metric_name, table in bca.break_even.items():
        out[f"Break-even {metric_name}"[:31]] = table
    out.update(cooperative.sheets(bca))          # partnerships and ACSA, when the result has them
    if bca.result.optimize is not None:          # sustain optimize wrote RESULT_DIR/optimize/
        out["Optimize"] = _optimize(bca)
    return out


# sustain optimize's columns, named here: "availability" means a prediction in optimum.parquet
# and a simulated mean in verify.parquet, so these never go through ``header``.
OPTIMIZE_NAMES = {
    "alternative": "Alternative", "customer": "Customer",
    "answered": "Closed form (optimized)", "goal": "Goal", "goal_value": "Goal value",
    "met": "Goal met, predicted", "availability": "Availability predicted, whole scenario",
    "availability_curve": "Availability predicted, on the curve",
    "availability_finite_fleet": "Availability predicted, finite fleet",
    "spares_units": "Spares bought (units)", "spares_value_usd": "Spares value (USD)",
    "spares_npv_usd": "Spares NPV (USD)", "fmso1_units": "FMSO I units (units)",
    "fmso1_npv_usd": "FMSO I NPV (USD)", "npv_usd": "Spares and FMSO I NPV (USD)",
    "baseline_availability": "Availability predicted at the scenario's shelf",
    "baseline_npv_usd": "Scenario's shelf NPV (USD)", "reasons": "Reasons",
    "v_at_optimum": "Simulated at the optimum (not the own shelf)",
    "v_reaches_target": "Simulated mean reaches the target", "v_replications": "Replications",
    "v_availability": "Simulated supply availability (%)",
    "v_availability_ci": "Simulated supply availability 95 % CI half-width (%)",
    "v_met_share": "Replications meeting the target (%)",
    "v_npv_cost_usd": "Total NPV cost, simulated (USD)",
    "v_npv_cost_ci": "Total NPV cost 95 % CI half-width (USD)",
    "v_cost_usd": "Cost over the measured window, simulated (USD)",
    "v_cost_ci": "Cost over the measured window 95 % CI half-width (USD)",
    "v_running_npv_usd": "Running cost NPV, simulated (USD)",
    "v_flight_hours_shortfall": "Programmed flight hours not flown (FH)",
    "v_cost_per_programmed_fh_usd": "O&S cost per programmed flight hour (USD/FH)",
    "v_against": "Against (reference)",
    "v_npv_diff_usd": "Total NPV minus the reference's, paired (USD)",
    "v_npv_diff_ci": "Total NPV difference 95 % CI half-width (USD)",
    "v_availability_diff": "Simulated availability minus the reference's (%)",
    "v_availability_diff_ci": "Availability difference 95 % CI half-width (%)",
    "v_why": "Simulated against predicted",
}


def _optimize(bca: Bca) -> pd.DataFrame:
    """sustain optimize's optimum per (alternative, customer) and, when verified, its
    simulated check beside it; availabilities predicted by the closed form stay fractions
    (as the command states them), simulated ones are percentages like every other sheet."""
    opt = bca.result.optimize
    o = opt.optimum.copy()
    if opt.verified:
        v = opt.verify.drop(columns=["target", "availability_predicted",
                                     "availability_finite_fleet", "spares_npv_usd"],
                            errors="ignore")
        v = v.rename(columns={c: f"v_{c}" for c in v.columns
                              if c not in ("alternative", "customer")})
        o = o.merge(v, on=["alternative", "customer"], how="left")
    o = _ordered(bca, o)
    return o.rename(columns={c: OPTIMIZE_NAMES.get(c, c) for c in o.columns})


def _ordered(bca: Bca, t: pd.DataFrame) -> pd.DataFrame:
    order_c = {c: i for i, c in enumerate(bca.customers)}
    order_a = {a: i for i, a in enumerate(bca.alternatives)}
    return t.assign(_c=t["customer"].map(order_c), _a=t["alternative"].map(order_a)).sort_values(
        ["_c", "_a"], kind="stable").drop(columns=["_c", "_a"]).reset_index(drop=True)


def _summary(bca: Bca) -> pd.DataFrame:
    rows = []
    for c in bca.result.decision_customers:
        rec = bca.recommendations.get(c)
        if rec is None:
            continue
        r = bca.comparison[(bca.comparison["customer"] == c)
                           & (bca.comparison["alternative"] == rec.alternative)].iloc[0]
        sep = rec.separation
        pa = rec.per_aircraft.get(rec.alternative)
        rows.append({
            "customer": c, "Recommended": rec.alternative, "Rule": narrative.rule_short(rec),
            "availability": r["availability"], "availability_ci": r["availability_ci"],
            "npv_cost_usd": r["npv_cost_usd"], "npv_cost_usd_ci": r["npv_cost_usd_ci"],
            "cost_usd": r["cost_usd"], "cost_usd_ci": r["cost_usd_ci"],
            "NPV cost per aircraft kept flying (USD)": pa.mean if pa else math.nan,
            "Runner-up": rec.runner_up or "",
            "Runner-up minus recommended: supply availability (%)":
                sep["availability"].mean if "availability" in sep else math.nan,
            "Runner-up minus recommended: supply availability 95 % CI half-width (%)":
                sep["availability"].ci if "availability" in sep else math.nan,
            "Runner-up minus recommended: NPV cost (USD)":
                sep["npv_cost_usd"].mean if "npv_cost_usd" in sep else math.nan,
            "Runner-up minus recommended: NPV cost 95 % CI half-width (USD)":
                sep["npv_cost_usd"].ci if "npv_cost_usd" in sep else math.nan,
        })
    return pd.DataFrame(rows)


def _paired(bca: Bca) -> pd.DataFrame:
    p = bca.paired.copy()
    if p.empty:
        return p
    p.insert(p.columns.get_loc("metric") + 1, "unit", [unit_of(m) for m in p["metric"]])
    p["metric"] = [metric(m).label for m in p["metric"]]
    return p


def _years(bca: Bca) -> pd.DataFrame:
    """Counted cost by (fiscal) year with a total row per (alternative, customer) equal to the
    comparison's cost and NPV. From ``costs.parquet`` the years are in constant and then-year
    dollars and the NPV is the total's only (it discounts by the year from day 0, not by
    fiscal year); an older result has the NPV by year and no then-year dollars."""
    y = bca.years
    if y.empty:
        return y
    comp = bca.comparison.set_index(["alternative", "customer"])
    frames = []
    for (alt, cust), g in y.groupby(["alternative", "customer"], sort=False):
        g = g.drop(columns=["n"], errors="ignore").copy()
        total = {"alternative": alt, "customer": cust, "year": np.nan, "year_label": "Total",
                 "cost_usd": float(comp.loc[(alt, cust), "cost_usd"]),
                 "cost_usd_ci": float(comp.loc[(alt, cust), "cost_usd_ci"]),
                 "then_year_usd": float(g["then_year_usd"].sum(min_count=1)),
                 "npv_cost_usd": float(comp.loc[(alt, cust), "npv_cost_usd"]),
                 "npv_cost_usd_ci": float(comp.loc[(alt, cust), "npv_cost_usd_ci"]),
                 "warmup_cost_usd": float(g["warmup_cost_usd"].sum(min_count=1)),
                 "investment_usd": float(g["investment_usd"].sum(min_count=1))}
        frames += [g, pd.DataFrame([total])]
    out = pd.concat(frames, ignore_index=True)
    empty = [c for c in ("then_year_usd", "then_year_usd_ci", "warmup_cost_usd")
             if c in out.columns and out[c].isna().all()]
    return out.drop(columns=empty).rename(columns={
        "cost_usd": "counted_cost_usd", "cost_usd_ci": "counted_cost_usd_ci",
        "then_year_usd": "counted_then_year_usd",
        "then_year_usd_ci": "counted_then_year_usd_ci",
        "npv_cost_usd": "counted_npv_usd", "npv_cost_usd_ci": "counted_npv_usd_ci"})


def _timeseries(bca: Bca) -> pd.DataFrame:
    """Per (alternative, customer, period): mean and CI over replications, and its phase."""
    ts = bca.result.timeseries
    if ts.empty:
        return ts
    cols = [c for c in ("availability", "backorders_mean", "cost_usd", "flight_hours")
            if c in ts.columns]
    t = stats.ci_table(ts, ["alternative", "customer", "period_start_day"], cols)
    t = t.drop(columns=["n"])
    phase = []
    r = bca.result
    plans = {c: bca.plan(c) for c in bca.customers}
    for c, day in zip(t["customer"], t["period_start_day"], strict=True):
        if day < r.warmup_days - 1e-9:
            phase.append("warm-up")
            continue
        p = next((p for p in plans.get(c, []) if p.start_day - 1e-9 <= day < p.end_day), None)
        phase.append(p.name if p else "")
    t.insert(3, "phase", phase)
    return t.rename(columns={"cost_usd": "period_cost_usd", "cost_usd_ci": "period_cost_usd_ci"})


def write_workbook(bca: Bca, path: Path, banner: str = "") -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets(bca).items():
        ws = wb.create_sheet(name[:31])
        top = 1
        if banner:
            ws.append([banner])
            ws.cell(1, 1).font = Font(bold=True, color="B00020")
            top = 2
        raw = [str(c) for c in df.columns]
        headers = [header(c) if c in NAMES or c in df.columns and _known(c) else c for c in raw]
        ws.append(headers)
        for row in df.itertuples(index=False):
            ws.append([_value(v) for v in row])
        for col in ws.iter_cols(min_row=top + 1):
            for c in col:
                if isinstance(c.value, str):
                    c.data_type = "s"  # text stays text, whatever it starts with
        for c in ws[top]:
            c.font = Font(bold=True)
            c.fill = HEADER_FILL
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(top + 1, 1).coordinate
        if len(df.columns):
            last = get_column_letter(len(df.columns))
            ws.auto_filter.ref = f"A{top}:{last}{top + max(len(df), 1)}"
        for i, (h, rawname) in enumerate(zip(headers, raw, strict=True), start=1):
            values = df.iloc[:200, i - 1] if len(df) else []
            width = max([min(len(h), 28)] + [len(_shown(v)) for v in values])
            ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 48)
            fmt = number_format(rawname) if _known(rawname) else _format_from_header(h)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=top + 1, min_col=i, max_col=i):
                    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                        cell.number_format = fmt
        if "year_label" in raw:
            k = raw.index("year_label") + 1
            for row in ws.iter_rows(min_row=top + 1):
                if row[k - 1].value == "Total":
                    for cell in row:
                        cell.font = TOTAL_FONT
    wb.save(path)
    return path


def _known(column: str) -> bool:
    base = column.removesuffix("_ci")
    return column in NAMES or base in NAMES or metric(base).unit != "" or base in PERCENT_COLUMNS


def _format_from_header(h: str) -> str | None:
    if h.endswith("(%)"):
        return "0.0%"
    if h.endswith("(USD)"):
        return "#,##0.00"
    return None


def _value(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
    return v


def _shown(v) -> str:
    return f"{v:,.2f}" if isinstance(v, float) else str(v)
