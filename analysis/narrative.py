"""The words of the report: the question it answers and the bottom line, from the numbers.

Generated sentences quote the same means and intervals as the tables, so the text can never
drift from the figures.
"""

from __future__ import annotations

import math

from analysis.bca import Bca
from analysis.metrics import fmt_half, fmt_value, metric
from analysis.stats import DAYS_PER_YEAR

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
                          f"({fleet.get('fh_per_aircraft_month'):g} FH per aircraft-month)")
        else:
            fleets.append(name)
    n = len(bca.alternatives)
    alts = f" — {_join(bca.alternatives)} —" if n <= 4 else ""
    years = float(sc.get("horizon_days") or bca.result.horizon_days) / DAYS_PER_YEAR
    which = f"Which of the {n} support alternatives{alts}" if n > 1 else "What does the support"
    return (f"{which} should support {_join(fleets)} over the next {years:.0f} years, and what "
            "does each do to readiness (supply availability and mission-capable rate), "
            "customer wait time and total ownership cost?")


def method(bca: Bca) -> str:
    r = bca.result
    phases = ""
    if any(len(bca.plan(c)) > 1 for c in r.decision_customers):
        phases = (" Timeline events (the end of initial support, the type or its items leaving "
                  "the DoD inventory, tempo windows) split the measured window into phases; "
                  "each phase is reported beside the whole, from the periodic results.")
    return (f"Each alternative was simulated in {r.replications} independent replications with "
            "common random numbers (the same removals, transit times and condemnations wherever "
            f"the same thing happens). Statistics cover the {bca.measured_years:.1f} years after "
            f"a {r.warmup_days:g}-day warm-up; investments paid during warm-up (a CLSSA FMSO I "
            "deposit) count in the costs. Figures are means with 95 % Student-t confidence "
            "intervals over replications. Every difference in titles, bullets and paired tables "
            "is taken against the nation's recommended alternative, replication by "
            f"replication. Money is in {bca.dollars}; NPV discounts at "
            f"{100 * r.discount_rate:g} % real, end-of-year.{phases}")


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
            f"alternative): supply availability {span} across the alternatives while it flies"
            f"{until}; "
            "it competes with the FMS customers for wholesale stock and US depot lines.")


def bottom_line(bca: Bca, customer: str) -> list[str]:
    """The decision for one customer in a few sentences: the choice and its rule, its
    figures by phase, the runner-up and what separates them, the frontier's price."""
    rec = bca.recommendations.get(customer)
    t = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    if rec is None or t.empty:
        return []
    r = t.loc[rec.alternative]
    out = [f"Recommended: {rec.alternative} — {rec.reason}."]
    figures = (f"{rec.alternative}: supply availability {_mean_ci(r, 'availability')}"
               f"{phase_text(bca, customer, rec.alternative)}")
    if "npv_cost_usd" in t.columns:
        figures += f"; NPV cost {_mean_ci(r, 'npv_cost_usd')}"
    if "cwt_days_mean" in t.columns:
        figures += f"; mean customer wait {r['cwt_days_mean']:.1f} days"
    out.append(figures + ".")
    if rec.runner_up:
        out.append(runner_up_text(bca, customer))
    out += rec.notes
    return out


def phase_text(bca: Bca, customer: str, alternative: str) -> str:
    """' (standard 95.1 %, non-standard 64.1 %)' — each phase's mean, or '' with one phase."""
    p = bca.phases
    if p.empty:
        return ""
    p = p[(p["customer"] == customer) & (p["alternative"] == alternative)]
    if len(p) < 2:
        return ""
    parts = [f"{row['phase'].lower()} {100 * row['availability']:.1f} %"
             for _, row in p.sort_values("phase_index").iterrows()]
    return " (" + ", ".join(parts) + ")"


def runner_up_text(bca: Bca, customer: str) -> str:
    """What separates the runner-up from the recommendation, paired by replication."""
    rec = bca.recommendations[customer]
    sep = rec.separation
    a, c = sep.get("availability"), sep.get("npv_cost_usd")
    text = f"Runner-up {rec.runner_up}"
    if a is None or c is None:
        return text + "."
    flying = rec.aircraft * a.mean if not math.isnan(rec.aircraft) else math.nan
    text += (f": {fmt_diff('availability', a.mean)} (± {_half('availability', a.ci)}"
             f"{'' if a.significant else ', not significant'})")
    if not math.isnan(flying):
        text += f", {'+' if flying >= 0 else '−'}{abs(flying):.1f} aircraft flying,"
    text += (f" for {fmt_diff('npv_cost_usd', c.mean)} NPV (± {_half('npv_cost_usd', c.ci)}"
             f"{'' if c.significant else ', not significant'})")
    if a.mean < 0 < c.mean:
        text += f": {rec.runner_up} costs more and gives less (dominated)"
    elif c.mean < 0 < a.mean:
        text += f": {rec.runner_up} costs less and gives more"
    elif a.mean != 0 and abs(a.mean) > 1e-9:
        per_point = c.mean / (100 * a.mean)
        text += f": ${abs(per_point) / 1e6:,.2f} M per point"
        if not math.isnan(flying) and abs(flying) > 1e-9:
            text += f", ${abs(c.mean / flying) / 1e6:,.2f} M per aircraft"
        text += " kept flying" if a.mean > 0 and c.mean > 0 else (
            " saved" if a.mean < 0 and c.mean < 0 else "")
    pa = sep.get("npv_per_aircraft_usd")
    if pa is not None and not pa.significant and rec.rule == "frontier":
        text += ("; their NPV costs per aircraft flying are not separated by this run "
                 f"({usd(pa.mean, signed=True)} ± {usd(pa.ci)} per aircraft): a close call")
    if same_choice(bca, customer, rec.alternative, rec.runner_up):
        text += (f"; {customer}'s own support choice is the same under both, so the "
                 "difference comes from the other nations' load on the depots and wholesale "
                 "stock they share")
    return text + "."


def same_choice(bca: Bca, customer: str, a: str, b: str | None) -> bool:
    """Whether the customer's support choice is identical under two alternatives."""
    from analysis.risks import support_choice

    if b is None:
        return False
    sc = bca.result.scenario
    x, y = support_choice(sc, a, customer), support_choice(sc, b, customer)
    return x is not None and x == y


def usd(value: float, signed: bool = False) -> str:
    """Dollars at a readable scale: '$26.23 M', '$2.4 k', '$850'."""
    if math.isnan(value):
        return "–"
    sign = ("+" if value >= 0 else "−") if signed else ("−" if value < 0 else "")
    a = abs(value)
    if a >= 1e5:
        return f"{sign}${a / 1e6:,.2f} M"
    if a >= 1e3:
        return f"{sign}${a / 1e3:,.1f} k"
    return f"{sign}${a:,.0f}"


def rule_short(rec) -> str:
    """The rule in a table cell."""
    if rec.rule == "target":
        below = 1 - rec.meets.get(rec.alternative, float("nan"))
        return (f"Target {100 * rec.target:.1f} % supply availability: cheapest with "
                f"P(below) ≤ 10 % (here {100 * below:.0f} %)")
    if rec.rule == "frontier":
        if rec.target is not None:
            return (f"Efficient frontier (no alternative meets the {100 * rec.target:.1f} % "
                    "target in ≥ 90 % of replications): lowest NPV cost per aircraft flying")
        return "Efficient frontier: lowest NPV cost per aircraft kept flying"
    return "Only alternative"


def summary_risks(bca: Bca) -> list[str]:
    """The main risks of the recommendations, one sentence per risk across the nations."""
    by_kind: dict[str, list[tuple[str, object]]] = {}
    for customer in bca.result.decision_customers:
        for risk in bca.risks.get(customer, []):
            by_kind.setdefault(risk.kind, []).append((customer, risk))
    out = []
    caps: dict[tuple[str, str], list] = {}
    for customer, risk in by_kind.get("capacity", []):
        caps.setdefault((risk.data["depot"], risk.data["alternative"]), []).append(
            (customer, risk))
    for (depot, alt), found in caps.items():
        d = found[0][1].data
        q = d["queue_days"]
        who = _join([c for c, _ in found])
        queue = "" if math.isnan(q) else f" with a {q:.1f}-day mean queue for a repair line"
        out.append(f"Binding depot capacity: {depot} runs at {100 * d['utilization']:.1f} % "
                   f"utilization{d.get('phase_text', '')}{queue} under {alt} (recommended for "
                   f"{who}); a surge or "
                   "another user lengthens the queue quickly, and nations sharing it slow "
                   "each other down.")
    exits = by_kind.get("exit", [])
    if exits:
        d0 = exits[0][1].data
        parts = []
        for customer, risk in exits:
            d = risk.data
            sig = "" if d["ci"] != d["ci"] or abs(d["change"]) > d["ci"] else ", n.s."
            parts.append(f"{customer} {100 * d['before']:.1f} → {100 * d['after']:.1f} % "
                         f"({d['alternative']}{sig})")
        text = (f"Inventory exit ({d0['what']}, day {d0['day']:,.0f}): supply availability under the "
                f"recommendation before → after: {'; '.join(parts)}.")
        worst = [(c, r.data) for c, r in exits if "worst" in r.data]
        if worst:
            text += " Hardest hit: " + "; ".join(
                f"{c} on {d['worst']} {fmt_diff('availability', d['worst_change'])}"
                for c, d in worst) + "."
        out.append(text)
    ns = by_kind.get("no_source", [])
    if ns:
        d0 = ns[0][1].data
        counts = [f"{c} {r.data['per_replication']:.1f}" for c, r in ns
                  if r.data["per_replication"] == r.data["per_replication"]]
        text = (f"No-source risk: the recommended choices use {d0['services']} "
                f"({d0['role']}); {d0['inputs']} (scenario inputs).")
        if counts:
            text += (" Requisitions that found no source, per replication: "
                     + ", ".join(counts) + ".")
        out.append(text)
    for customer, risk in by_kind.get("waiver", []):
        d = risk.data
        out.append(f"Waiver: {customer} is FMFP-funded; {d['what']} needs its {d['waiver']} "
                   f"({'held' if d['held'] else 'NOT held'}).")
    return out


def summary_notes(bca: Bca) -> list[str]:
    """The rules used, and what the per-nation choices assume about each other."""
    recs = [bca.recommendations[c] for c in bca.result.decision_customers
            if c in bca.recommendations]
    out = list(dict.fromkeys(r.rule_text for r in recs))
    no_target = [c for c in bca.result.decision_customers
                 if c in bca.recommendations and bca.result.availability_target(c) is None]
    if no_target:
        out.append(f"{_join(no_target)} {'states' if len(no_target) == 1 else 'state'} no "
                   "availability target, so no probability of missing one is computed (the "
                   "risk table gives the cost spread only) and the efficient-frontier rule "
                   "decides.")
    chosen = {r.alternative for r in recs}
    if len(chosen) > 1:
        out.append("The nations' recommended alternatives differ. Each nation's figures come "
                   "from its alternative as simulated, with the other nations on that same "
                   "alternative; the nations share wholesale stock and depots, so simulate "
                   "the recommended combination as one alternative before committing to it.")
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
