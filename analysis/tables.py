"""The report's tables as rows of display strings (the HTML template only lays them out)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis import narrative
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
    """Headline metrics per alternative (and customer), mean ± 95 % CI half-width, with each
    phase's availability beside the whole."""
    t = bca.comparison if customer is None else bca.comparison[
        bca.comparison["customer"] == customer]
    t = _by_customer(bca, t)
    cols = bca.key_metrics
    names = phase_names(bca, [customer] if customer else bca.result.decision_customers)
    p = bca.phases
    rows, marks = [], []
    for _, r in t.iterrows():
        lead = [r["alternative"]] + ([r["customer"]] if customer is None else [])
        cells = [cell(c, r[c], r[f"{c}_ci"]) for c in cols]
        if names:
            mine = p[(p["customer"] == r["customer"]) & (p["alternative"] == r["alternative"])]
            by_name = {row["phase"]: row for _, row in mine.iterrows()}
            extra = [cell("availability", by_name[n]["availability"],
                          by_name[n]["availability_ci"]) if n in by_name else "–"
                     for n in names]
            cells = cells[:1] + extra + cells[1:]
        rows.append(lead + [str(int(r["replications"]))] + cells)
        rec = bca.recommendations.get(r["customer"])
        marks.append(rec is not None and rec.alternative == r["alternative"])
    heads = ["Alternative"] + (["Customer"] if customer is None else []) + ["Reps"]
    metric_heads = [metric(c).heading for c in cols]
    if names:
        metric_heads = (metric_heads[:1] + [f"Supply availability: {n.lower()} (%)" for n in names]
                        + metric_heads[1:])
    caption = ("Mean ± 95 % CI half-width over replications (percentage points for %); bold: "
               "the nation's recommended alternative.")
    if names:
        caption += (" Supply availability by phase: means of the periodic results within each phase "
                    "after warm-up (phase days in the phase tables).")
    return Table(heads + metric_heads, rows, caption=caption,
                 left=2 if customer is None else 1, marks=marks)


def phase_names(bca: Bca, customers: list[str]) -> list[str]:
    """Phase names in order of first appearance, when some customer has more than one."""
    names: list[str] = []
    for c in customers:
        plan = bca.plan(c)
        if len(plan) > 1:
            names += [p.name for p in plan]
    return list(dict.fromkeys(names))


def phases(bca: Bca, customer: str) -> Table | None:
    """Availability, backorders and cost in each phase beside the whole window."""
    plan = bca.plan(customer)
    p = bca.phases
    if len(plan) < 2 or p.empty:
        return None
    p = p[p["customer"] == customer]
    comp = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    rows, marks = [], []
    rec = bca.recommendations.get(customer)
    for alt in [a for a in bca.alternatives if a in comp.index]:
        mine = p[p["alternative"] == alt].set_index("phase_index")
        row = [alt]
        for ph in plan:
            if ph.index in mine.index:
                r = mine.loc[ph.index]
                row += [cell("availability", r["availability"], r["availability_ci"]),
                        cell("backorders_mean", r["backorders_mean"], r["backorders_mean_ci"]),
                        fmt_value("cost_usd", r["cost_usd"], bare=True)]
            else:
                row += ["–", "–", "–"]
        w = comp.loc[alt]
        row += [cell("availability", w["availability"], w["availability_ci"]),
                cell("backorders_mean", w["backorders_mean"], w["backorders_mean_ci"])
                if "backorders_mean" in comp.columns else "–",
                fmt_value("cost_usd", w["cost_usd"], bare=True)]
        rows.append(row)
        marks.append(rec is not None and rec.alternative == alt)
    heads = ["Alternative"]
    for ph in plan:
        heads += [f"{ph.name}, {ph.days}: supply availability (%)", "backorders (units)",
                  "cost ($M)"]
    heads += ["Whole window: supply availability (%)", "backorders (units)", "cost ($M)"]
    return Table(heads, rows, marks=marks, caption=(
        "Each phase: means over replications of the length-weighted mean of its periodic "
        "rows after warm-up (a period belongs to the phase holding its midpoint), ± 95 % CI; "
        "cost: sum of the periods' cost. Whole window: the comparison table's figures; its "
        "cost also counts investments paid in warm-up (the CLSSA FMSO I deposit)."))


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
                    + [r["baseline"], fmt_diff(m, r["difference"], bare=True),
                       f"± {fmt_half(m, r['ci'])}",
                       f"± {fmt_half(m, r['unpaired_ci'])}", ratio,
                       "yes" if r["significant"] else "no"])
    heads = (["Metric", "Alternative"] + (["Customer"] if customer is None else [])
             + ["Against", "Difference", "Paired 95 % CI", "Unpaired 95 % CI",
                "Paired CI narrower by", "Significant"])
    return Table(heads, rows, left=4 if customer is None else 3, caption=(
        "Alternative minus the nation's recommended alternative ('Against'): mean of the "
        "replication-by-replication differences. The unpaired interval is what the same runs "
        "would give without common random numbers; their ratio is the gain from pairing."))


def years(bca: Bca, customer: str) -> Table:
    """Counted cost per (fiscal) year and alternative, the total (and, from
    ``costs.parquet``, the then-year total) and the NPV — the totals are the comparison
    table's figures exactly."""
    from analysis import money

    y = bca.years[bca.years["customer"] == customer]
    comp = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    alts = [a for a in bca.alternatives if a in set(y["alternative"])]
    order = y.drop_duplicates("year").sort_values("year")
    labels = list(order["year_label"])
    whole_warm = set(order.loc[order["warmup_share"] >= 1 - 1e-9, "year_label"])
    then = y["then_year_usd"].notna().any()
    rows, marks = [], []
    rec = bca.recommendations.get(customer)
    for a in alts:
        g = y[y["alternative"] == a].set_index("year_label")
        row = [a]
        for lab in labels:
            if lab not in g.index:
                row.append("warm-up" if lab in whole_warm else "–")
            elif abs(g.loc[lab, "cost_usd"]) < 0.005 and (
                    lab in whole_warm or g.loc[lab, "warmup_cost_usd"] > 0):
                row.append("warm-up")   # nothing counted: all of it is warm-up operations
            else:
                row.append(fmt_value("cost_usd", g.loc[lab, "cost_usd"], bare=True))
        row.append(fmt_value("cost_usd", comp.loc[a, "cost_usd"], bare=True))
        if then:
            row.append(fmt_value("cost_usd", float(g["then_year_usd"].sum()), bare=True))
        row.append(fmt_value("npv_cost_usd", comp.loc[a, "npv_cost_usd"], bare=True))
        inv = float(g["investment_usd"].sum())
        row.append(fmt_value("cost_usd", inv, bare=True) if abs(inv) >= 0.005 else "–")
        rows.append(row)
        marks.append(rec is not None and rec.alternative == a)
    sc = bca.result.scenario
    dollars = money.dollars_short(sc)
    heads = ([f"Alternative ({dollars})"] + list(labels) + [f"Total ({dollars})"]
             + ([f"Total ({money.THEN_YEAR_SHORT})"] if then else [])
             + [f"NPV ({dollars})", f"of which investments paid in warm-up ({dollars})"])
    if then:
        partial = list(order.loc[(order["warmup_share"] > 1e-9)
                                 & (order["warmup_share"] < 1 - 1e-9), "year_label"])
        warmup = bca.result.warmup_days
        warm_text = ""
        if warmup > 0:
            where = ", ".join([lab for lab in labels if lab in whole_warm]
                              + [f"part of {p}" for p in partial])
            warm_text = (f" Warm-up (days 0–{warmup:,.0f}{', ' + where if where else ''}) "
                         "is outside the totals except investments paid then (a CLSSA FMSO I "
                         "deposit at day 0, a one-time cost element), counted in the fiscal "
                         "year paid.")
        return Table(heads, rows, left=1, marks=marks, caption=(
            f"Cost counted in the totals, by {'fiscal ' if money.is_fiscal(sc) else ''}year "
            f"({money.fiscal_text(sc)}), mean over "
            f"replications, undiscounted {bca.dollars} ($M), exactly as the model booked it "
            f"(costs.parquet).{warm_text} Total and NPV are the comparison table's figures; "
            "the years sum to the total; then-year dollars: "
            f"{money.escalation_text(sc)}. NPV discounts by the year from day 0 (OMB A-94), "
            "not by fiscal year, so it is given for the whole window only (95 % CIs per year "
            "in summary.xlsx)."))
    warm = y[y["warmup_cost_usd"] > 0.005]["year_label"].unique()
    warm_text = (f" Warm-up operating costs ({', '.join(warm)}) are outside the totals;"
                 if len(warm) else "")
    return Table(heads, rows, left=1, marks=marks, caption=(
        f"Cost counted in the totals, by year, mean over replications, undiscounted "
        f"{bca.dollars} ($M); {money_year_text(bca)}.{warm_text} investments paid in warm-up "
        "(a CLSSA FMSO I deposit at day 0) are counted, in the year paid. Total and NPV are "
        "the comparison table's figures; the years sum to the total before rounding "
        "(95 % CIs per year in summary.xlsx)."))


def money_year_text(bca: Bca) -> str:
    from analysis.money import fiscal_text

    return fiscal_text(bca.result.scenario)


def money_then_year(bca: Bca) -> str:
    from analysis.money import then_year

    return then_year(bca.result.scenario)


def frontier(bca: Bca, customer: str) -> Table | None:
    """Each step up the efficient frontier and its price."""
    rec = bca.recommendations.get(customer)
    if rec is None or not rec.steps:
        return None
    rows = []
    for st in rec.steps:
        rows.append([st.lower, st.upper, f"+{st.points:.1f}",
                     "–" if st.aircraft != st.aircraft else f"+{st.aircraft:.1f}",
                     fmt_value("npv_cost_usd", st.npv_usd, bare=True),
                     fmt_value("npv_cost_usd", st.per_point_usd, bare=True),
                     fmt_value("npv_cost_usd", st.per_aircraft_usd, bare=True)])
    return Table(["From", "To", "Supply availability gained (points)", "Aircraft kept flying gained",
                  "NPV cost added ($M)", "$M per point", "$M per aircraft kept flying"],
                 rows, left=2, caption=(
                     "Steps up the efficient frontier, cheapest first: the marginal NPV cost of "
                     "each point of availability and of each extra aircraft kept flying "
                     f"(fleet of {rec.aircraft:g} aircraft × availability gained); means."))


def summary(bca: Bca) -> Table:
    """The executive summary: one row per FMS nation."""
    rows = []
    for c in bca.result.decision_customers:
        rec = bca.recommendations.get(c)
        if rec is None:
            continue
        t = bca.comparison[bca.comparison["customer"] == c].set_index("alternative")
        r = t.loc[rec.alternative]
        pa = rec.per_aircraft.get(rec.alternative)
        sep = rec.separation
        if rec.runner_up and "availability" in sep and "npv_cost_usd" in sep:
            a, m = sep["availability"], sep["npv_cost_usd"]
            runner = (f"{rec.runner_up}: {fmt_diff('availability', a.mean)} ± "
                      f"{fmt_half('availability', a.ci)}, "
                      f"{narrative.usd(m.mean, signed=True)} ± {narrative.usd(m.ci)} NPV")
        else:
            runner = rec.runner_up or "–"
        rows.append([c, rec.alternative, narrative.rule_short(rec),
                     cell("availability", r["availability"], r["availability_ci"])
                     + narrative.phase_text(bca, c, rec.alternative),
                     cell("npv_cost_usd", r["npv_cost_usd"], r["npv_cost_usd_ci"]),
                     "–" if pa is None else f"{pa.mean / 1e6:,.2f} ± {pa.ci / 1e6:,.2f}",
                     runner])
    return Table(["Nation", "Recommended", "Rule", "Supply availability (%)", "NPV cost ($M)",
                  "NPV per aircraft kept flying ($M)", "Runner-up: difference (paired)"],
                 rows, left=3, caption=(
                      "Mean ± 95 % CI half-width over replications; supply availability (not NMCS) "
                      "by phase in "
                      "brackets; runner-up minus recommended, replication by replication."))


def drivers(bca: Bca, customer: str, top: int = 15) -> Table:
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
        ("Alternatives", f"{len(bca.alternatives)}: {', '.join(bca.alternatives)}"),
        ("Differences against", "each nation's recommended alternative"),
        ("Money", f"{bca.dollars}; {money_year_text(bca)}"),
        *([("Then-year dollars", money_then_year(bca))] if bca.has_costs else []),
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


def optimize(bca: Bca, customer: str) -> Table | None:
    """``sustain optimize``'s answer for one nation: each alternative at its own best spares,
    predicted and, when verified, simulated (None: the result has no optimize tables)."""
    from analysis import optimize as opt

    n = opt.nation(bca.result, customer)
    if n is None:
        return None
    o = bca.result.optimize.optimum
    o = o[o["customer"] == customer].set_index("alternative")
    rows, marks = [], []
    for r in n.reaches:
        row_o = o.loc[r.alternative]

        def m(col: str, row=row_o) -> str:
            v = row.get(col)
            return "–" if v is None or pd.isna(v) else fmt_value("npv_cost_usd", float(v),
                                                                bare=True)

        def a(col: str, row=row_o) -> str:
            v = row.get(col)
            return "–" if v is None or pd.isna(v) else opt.avail(float(v))

        row = [r.alternative, "yes" if r.answered else "no (own shelf)",
               "yes" if r.answered and r.met else "no",
               m("spares_npv_usd"), m("fmso1_npv_usd"), a("availability"),
               a("availability_finite_fleet"), a("baseline_availability")]
        if n.verified:
            v = bca.result.optimize.verify
            s = v[(v["customer"] == customer) & (v["alternative"] == r.alternative)]
            if s.empty:
                row += ["–"] * 6
            else:
                s = s.iloc[0]
                diff = ("reference" if r.alternative == n.reference else
                        f"{narrative.usd(float(s['npv_diff_usd']), signed=True)} ± "
                        f"{narrative.usd(float(s['npv_diff_ci']))}"
                        if "npv_diff_usd" in s and not pd.isna(s["npv_diff_usd"]) else "–")
                total = (f"{fmt_value('npv_cost_usd', r.total_npv_usd, bare=True)} ± "
                         f"{fmt_half('npv_cost_usd', r.total_npv_ci)}")
                row += [f"{opt.avail(r.simulated)} ± {opt.avail(r.simulated_ci)}",
                        "–" if pd.isna(s.get("met_share")) else f"{100 * s['met_share']:.0f} %",
                        total, diff,
                        _opt_value(s, "flight_hours_shortfall"),
                        _opt_value(s, "cost_per_programmed_fh_usd")]
        row.append(str(row_o.get("reasons") or "") or "–")
        rows.append(row)
        marks.append(r.alternative == n.reference)
    heads = ["Alternative", "Closed form", "Goal met (predicted)", "Spares NPV ($M)",
             "FMSO I NPV ($M)", "Predicted availability", "Finite fleet",
             "Scenario's shelf"]
    if n.verified:
        heads += ["Simulated availability", "Replications meeting the target",
                  "Total NPV cost ($M)", "Against the reference (paired)",
                  "Programmed FH not flown (FH)", "Cost per programmed FH ($/FH)"]
    heads.append("Reasons")
    goal = (f"the target availability {opt.goal_text(n)}" if n.goal == "target_availability"
            else f"a budget of {opt.goal_text(n)}")
    caption = (f"sustain optimize for {goal}: each alternative's own in-country spares (and "
               "FMSO I for CLSSA) by marginal analysis; availability as a fraction, predicted "
               "by the closed form for the whole scenario (finite fleet: with the fleet's "
               "own limit), beside the scenario's own shelf. No closed form: not optimized.")
    if n.verified:
        caption += (" Simulated: mean ± 95 % CI at the optimum (an alternative without a closed "
                    "form at its own shelf); total NPV cost = spares + FMSO I NPV + the "
                    "simulated running cost; against the reference (bold, the cheapest at its "
                    "optimum that reaches the target), paired by replication.")
    else:
        caption += " Bold: the cheapest that meets the goal (not simulated: run with --verify)."
    return Table(heads, rows, caption=caption, marks=marks)


def _opt_value(row, column: str) -> str:
    v = row.get(column)
    return "–" if v is None or pd.isna(v) else fmt_value(column, float(v))
