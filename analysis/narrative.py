"""The words of the report: the question it answers and the bottom line, from the numbers.

Generated sentences quote the same means and intervals as the tables, so the text can never
drift from the figures.
"""

from __future__ import annotations

import math

from analysis.bca import Bca
from analysis.metrics import fmt_half, fmt_value, metric
from analysis.stats import DAYS_PER_YEAR, efficient

SHORT = {"availability": "availability", "npv_cost_usd": "NPV cost",
         "cwt_days_mean": "mean customer wait"}


def question(bca: Bca) -> str:
    sc = bca.result.scenario
    fleets = []
    for name in bca.result.decision_customers:
        c = bca.result.customer_spec(name)
        fleet = c.get("fleet") or {}
        if fleet:
            fleets.append(f"{name}'s {fleet.get('aircraft')} {fleet.get('system')} aircraft "
                          f"({fleet.get('fh_per_aircraft_month'):g} flight hours per aircraft "
                          "per month)")
        else:
            fleets.append(name)
    alts = _join(bca.alternatives)
    years = float(sc.get("horizon_days") or bca.result.horizon_days) / DAYS_PER_YEAR
    return (f"Which of the {len(bca.alternatives)} support alternatives — {alts} — should "
            f"support {_join(fleets)} over the next {years:.0f} years, and what does each do "
            "to availability, customer wait time and cost?")


def method(bca: Bca) -> str:
    r = bca.result
    return (f"Each alternative was simulated in {r.replications} independent replications with "
            "common random numbers (the same removals, transit times and condemnations wherever "
            f"the same thing happens). Statistics cover the {bca.measured_years:.1f} years after "
            f"a {r.warmup_days:g}-day warm-up. Figures are means with 95 % Student-t confidence "
            "intervals over replications; differences are taken replication by replication "
            f"against the baseline, {bca.baseline}. Money is in constant-year US dollars; NPV "
            f"discounts at {100 * r.discount_rate:g} % real, end-of-year.")


def us_context(bca: Bca, customer: str) -> str:
    """One line for a US unit: its availability while it flies, as context — its support is
    wholesale, not one of the alternatives, and a grounded-for-good (retired) unit is not
    "available"."""
    ts = bca.result.timeseries
    rows = ts[(ts["customer"] == customer) & (ts["flight_hours"] > 0)
              & (ts["period_start_day"] >= bca.result.warmup_days)] if not ts.empty else ts
    if rows.empty:
        return (f"{customer} (US unit, context): does not fly in the measured window; its "
                "support is DoD wholesale in every alternative.")
    last = float(rows["period_start_day"].max()) + float(
        bca.result.scenario.get("period_days") or 30.4375)
    stops = last < bca.result.horizon_days - 1e-6
    per_alt = rows.groupby("alternative")["availability"].mean()
    lo, hi = float(per_alt.min()), float(per_alt.max())
    span = f"{100 * lo:.1f} %" if abs(hi - lo) < 5e-4 else f"{100 * lo:.1f}–{100 * hi:.1f} %"
    until = f" until it stops flying (about day {last:,.0f})" if stops else ""
    return (f"{customer} (US unit, context — its support is DoD wholesale in every "
            f"alternative): availability {span} across the alternatives while it flies{until}; "
            "it competes with the FMS customers for wholesale stock and US depot lines.")


def bottom_line(bca: Bca, customer: str) -> list[str]:
    t = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    t = t.reindex([a for a in bca.alternatives if a in t.index])
    if t.empty:
        return []
    out = []
    best = t["availability"].idxmax()
    out.append(f"Highest availability: {best}, {_mean_ci(t.loc[best], 'availability')}.")
    if "npv_cost_usd" in t.columns:
        cheap = t["npv_cost_usd"].idxmin()
        out.append(f"Lowest NPV cost: {cheap}, {_mean_ci(t.loc[cheap], 'npv_cost_usd')}.")
        if len(t) > 1:
            on = efficient(t["npv_cost_usd"], t["availability"])
            front = [a for a, o in zip(t.index, on, strict=True) if o]
            dominated = [a for a, o in zip(t.index, on, strict=True) if not o]
            line = f"Efficient frontier: {_join(front)}"
            line += f"; dominated: {_join(dominated)}." if dominated else "; none is dominated."
            out.append(line)
    p = bca.paired[bca.paired["customer"] == customer]
    for alt in bca.alternatives:
        if alt == bca.baseline:
            continue
        parts = []
        for m in ("availability", "npv_cost_usd", "cwt_days_mean"):
            row = p[(p["alternative"] == alt) & (p["metric"] == m)]
            if row.empty:
                continue
            r = row.iloc[0]
            label = SHORT.get(m, metric(m).label)
            text = f"{label} {fmt_diff(m, r['difference'])} (± {_half(m, r['ci'])})"
            parts.append(text if r["significant"] else f"{text}, not significant")
        if parts:
            out.append(f"{alt} against {bca.baseline}: " + "; ".join(parts) + ".")
    return out


def fmt_diff(column: str, value: float, bare: bool = False) -> str:
    """A signed difference in the metric's display unit: '+8.4 points', '−$1.18 M'; ``bare``:
    the signed number alone."""
    if math.isnan(value):
        return "–"
    m = metric(column)
    v = value / m.scale
    sign = "+" if v >= 0 else "−"
    a = abs(v)
    if bare:
        return f"{sign}{fmt_value(column, a * m.scale, bare=True)}"
    if m.unit == "%":
        return f"{sign}{a:.1f} points"
    if m.unit == "$M":
        return f"{sign}${a:,.2f} M"
    if m.unit == "$/FH":
        return f"{sign}${a:,.0f}/FH"
    if m.unit == "days":
        return f"{sign}{a:.2f} days"
    return f"{sign}{a:,.2f}"


def _half(column: str, half: float) -> str:
    m = metric(column)
    if math.isnan(half):
        return "–"
    v = half / m.scale
    return {"%": f"{v:.1f}", "$M": f"${v:,.2f} M", "days": f"{v:.2f}"}.get(m.unit, f"{v:,.2f}")


def _mean_ci(row, column: str) -> str:
    return f"{fmt_value(column, row[column])} ± {fmt_half(column, row[f'{column}_ci'])}"


def _join(names: list[str]) -> str:
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
