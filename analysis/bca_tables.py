"""The whole BCA's tables (issue 14) as rows of display strings: total ownership cost by
Integrated Product Support element and fiscal year, readiness as the DoD defines it, the
sustainment KPP and KSAs, and the risk against each nation's availability target.

Every figure comes from the one ``Bca``: TCO from ``costs.parquet`` (``analysis.tco``), rates
and KPP/KSAs from the comparison table, risk from ``analysis.target_risk``. A TCO total is
the comparison table's ``cost_usd``: the model books every cost in ``costs.parquet`` and in
``summary.cost_usd`` alike, so the element totals add up to it to the cent.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis import money
from analysis.bca import Bca
from analysis.metrics import fmt_value, metric
from analysis.tables import Table, cell
from analysis.tco import IPS_ORDER, IPS_SHORT, escalation_index

READINESS = ("availability", "mc_rate", "fmc_rate", "nmcm_aircraft_mean")
SUSTAINMENT = ("materiel_availability", "mean_down_time_days", "mfhbr_fh", "cost_per_fh_usd")


def ips_name(element: str) -> str:
    """An IPS element as a table row or legend names it."""
    return IPS_SHORT.get(element, element[:1].upper() + element[1:])


def _m(v: float) -> str:
    """Dollars as $M to the ten-thousand (the heading names the dollars)."""
    return fmt_value("cost_usd", v, bare=True)


def _alts(bca: Bca, customer: str) -> list[str]:
    t = bca.comparison[bca.comparison["customer"] == customer]
    present = set(t["alternative"])
    return [a for a in bca.alternatives if a in present]


def _rec(bca: Bca, customer: str) -> str | None:
    rec = bca.recommendations.get(customer)
    return rec.alternative if rec is not None else None


def elements(bca: Bca, customer: str) -> pd.DataFrame:
    """Per (alternative, IPS element): mean total constant and then-year dollars."""
    t = bca.tco
    if t.empty:
        return pd.DataFrame(columns=["alternative", "ips_element", "constant_usd",
                                     "then_year_usd"])
    t = t[t["customer"] == customer]
    return t.groupby(["alternative", "ips_element"], as_index=False, sort=False)[
        ["constant_usd", "then_year_usd"]].sum()


def tco_elements(bca: Bca, customer: str, dollars: str = "constant") -> Table | None:
    """IPS elements down, alternatives across, each cell the total over the measured window
    (``dollars``: "constant" or "then_year"); the constant-dollar Total row is the comparison
    table's cost."""
    e = elements(bca, customer)
    if e.empty:
        return None
    sc = bca.result.scenario
    column = f"{dollars}_usd"
    alts = [a for a in _alts(bca, customer) if a in set(e["alternative"])]
    rec = _rec(bca, customer)
    present = [x for x in IPS_ORDER if x in set(e["ips_element"])] + sorted(
        set(e["ips_element"]) - set(IPS_ORDER))
    wide = e.pivot_table(index="ips_element", columns="alternative", values=column,
                         aggfunc="sum", fill_value=0.0).reindex(index=present, columns=alts,
                                                                fill_value=0.0)
    comp = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    rows = [[ips_name(x)] + [_m(wide.loc[x, a]) for a in alts] for x in present]
    if dollars == "constant":
        rows.append(["Total (= the comparison table's cost)"]
                    + [_m(comp.loc[a, "cost_usd"]) for a in alts])
        unit, words = money.dollars_short(sc), money.dollars(sc)
    else:
        rows.append(["Total"] + [_m(wide[a].sum()) for a in alts])
        unit, words = money.THEN_YEAR_SHORT, money.then_year(sc)
    marks = [False] * len(present) + [True]
    heads = [f"IPS element ({unit})"] + [f"{a} (recommended)" if a == rec else a
                                         for a in alts]
    return Table(heads, rows, marks=marks, caption=(
        f"{customer}: total ownership cost by Integrated Product Support element over the "
        f"{bca.measured_years:.1f} measured years, investments paid in warm-up included; "
        f"mean over replications, undiscounted {words}, $M. "
        + ("The Total row is the comparison table's cost (the elements sum to it to the "
           "cent). Supply support, maintenance, PHS&T and product support management include "
           "the simulated supply chain (purchases, exchanges, CLSSA and fees; repairs; "
           "transport; the FMS surcharge)." if dollars == "constant" else
           "Each fiscal year's constant dollars × its escalation index, summed.")))


def tco_years(bca: Bca, customer: str, alternative: str | None = None) -> Table | None:
    """One alternative (the recommended one by default): IPS elements down, fiscal years
    across, constant dollars; then the total, each year's escalation index and the then-year
    total."""
    alternative = alternative or _rec(bca, customer)
    t = bca.tco
    if t.empty or alternative is None:
        return None
    t = t[(t["customer"] == customer) & (t["alternative"] == alternative)]
    if t.empty:
        return None
    sc = bca.result.scenario
    years = sorted(int(y) for y in t["fiscal_year"].unique())
    present = [x for x in IPS_ORDER if x in set(t["ips_element"])] + sorted(
        set(t["ips_element"]) - set(IPS_ORDER))
    wide = t.pivot_table(index="ips_element", columns="fiscal_year", values="constant_usd",
                         aggfunc="sum", fill_value=0.0).reindex(index=present, columns=years,
                                                                fill_value=0.0)
    then = t.groupby("fiscal_year")["then_year_usd"].sum().reindex(years, fill_value=0.0)
    rows = [[ips_name(x)] + [_m(wide.loc[x, y]) for y in years] + [_m(wide.loc[x].sum())]
            for x in present]
    marks = [False] * len(rows)
    total = wide.sum(axis=0)
    rows.append([f"Total, {money.dollars_short(sc)}"] + [_m(total[y]) for y in years]
                + [_m(total.sum())])
    rows.append(["Escalation index (then-year / constant)"]
                + [f"{escalation_index(sc, y):.4f}" for y in years] + [""])
    rows.append([f"Total, {money.THEN_YEAR_SHORT}"] + [_m(then[y]) for y in years]
                + [_m(then.sum())])
    marks += [True, False, True]
    warm = [money.year_label(y, sc) for y in years
            if money.warmup_share(y, sc, bca.result.warmup_days, bca.result.horizon_days)
            >= 1.0 - 1e-9]
    warm_text = (f" {', '.join(warm)} lie{'s' if len(warm) == 1 else ''} wholly in warm-up: "
                 "only investments paid then are counted there." if warm else "")
    heads = [f"{alternative}: IPS element ($M)"] + [money.year_label(y, sc) for y in years] + [
        "Total"]
    return Table(heads, rows, marks=marks, caption=(
        f"{customer} under {alternative} (the recommended alternative): cost by IPS element "
        f"and fiscal year ({money.fiscal_text(sc)}), mean over replications, "
        f"{money.dollars(sc)} ($M); then-year dollars are each fiscal year's constant dollars "
        f"× its escalation index ({money.escalation_text(sc)}).{warm_text} A partial first or "
        "last fiscal year holds only its measured days."))


def readiness(bca: Bca, customer: str) -> Table | None:
    """Supply availability, mission-capable and full-mission-capable rates side by side."""
    cols = [c for c in READINESS if c in bca.comparison.columns]
    if "mc_rate" not in cols:
        return None
    t = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    rec = _rec(bca, customer)
    target = bca.result.availability_target(customer)
    rows, marks = [], []
    for a in _alts(bca, customer):
        r = t.loc[a]
        rows.append([a] + [cell(c, r[c], r[f"{c}_ci"]) for c in cols])
        marks.append(a == rec)
    target_text = (f" {customer}'s availability target ({100 * target:.1f} %) applies to "
                   "supply availability." if target is not None else
                   f" {customer} states no availability target.")
    return Table(["Alternative"] + [metric(c).heading for c in cols], rows, marks=marks,
                 caption=(
        "Readiness as the DoD defines it, mean ± 95 % CI half-width over replications "
        "(percentage points): supply availability = share of aircraft-days not NMCS (not "
        "mission capable, supply); mission-capable rate = not NMCS and not NMCM (down for "
        "maintenance: remove-and-replace and scheduled inspections); full-mission-capable "
        "rate = also not partially mission capable (a non-essential unit missing). Bold: the "
        f"recommended alternative.{target_text}"))


def sustainment(bca: Bca, customer: str) -> Table | None:
    """The sustainment KPP and KSAs per alternative."""
    cols = [c for c in SUSTAINMENT if c in bca.comparison.columns]
    if "materiel_availability" not in cols:
        return None
    t = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    rec = _rec(bca, customer)
    rows, marks = [], []
    for a in _alts(bca, customer):
        r = t.loc[a]
        rows.append([a] + [cell(c, r[c], r[f"{c}_ci"]) for c in cols])
        marks.append(a == rec)
    heads = ["Alternative", "Materiel availability, KPP (%)", "Mean down time, KSA (days)",
             "Observed MFHBR (FH)", "O&S cost per flight hour, KSA ($/FH)"]
    names = {"materiel_availability": heads[1], "mean_down_time_days": heads[2],
             "mfhbr_fh": heads[3], "cost_per_fh_usd": heads[4]}
    dollars = money.dollars(bca.result.scenario)
    return Table(["Alternative"] + [names[c] for c in cols], rows, marks=marks, caption=(
        "DoD sustainment KPP and KSAs, mean ± 95 % CI half-width over replications. Materiel "
        "availability: aircraft not NMCS over the total inventory (every aircraft is in the "
        "fleet here, so it equals supply availability); mean down time: the mean length of "
        "an NMCS episode; observed MFHBR: flight hours flown per removal; O&S cost per "
        f"flight hour: the whole measured cost (every IPS element, {dollars}) over the flight "
        "hours flown."))


def risk(bca: Bca, customer: str) -> Table | None:
    """Per alternative: the target, P(below target) with its Wilson interval, the share of
    measured months below it, and P10/P50/P90 of cost and NPV."""
    t = bca.target_risk
    if t.empty:
        return None
    t = t[t["customer"] == customer].set_index("alternative")
    if t.empty:
        return None
    sc = bca.result.scenario
    rec = _rec(bca, customer)
    target = bca.result.availability_target(customer)
    rows, marks = [], []
    for a in [x for x in _alts(bca, customer) if x in t.index]:
        r = t.loc[a]
        row = [a]
        if target is not None:
            below = (f"{100 * r['p_below']:.0f} ({100 * r['p_below_lo']:.0f}–"
                     f"{100 * r['p_below_hi']:.0f})")
            row += [below, _pct_ci(r["months_below_share"], r["months_below_half"])]
        row += [" / ".join(_m(r[f"cost_p{q}"]) for q in (10, 50, 90)),
                " / ".join(_m(r[f"npv_p{q}"]) for q in (10, 50, 90))]
        rows.append(row)
        marks.append(a == rec)
    n = int(t["replications"].max())
    dollars = money.dollars_short(sc)
    heads = ["Alternative"]
    if target is not None:
        heads += [f"P(supply availability < {100 * target:.1f} % target) (%, 95 % CI)",
                  "Measured months below target (%)"]
    heads += [f"Cost P10 / P50 / P90 ({dollars})", f"NPV cost P10 / P50 / P90 ({dollars})"]
    if target is not None:
        what = (f"{customer}'s target is {100 * target:.1f} % supply availability (not NMCS). "
                f"P(below): the share of the {n} replications whose supply availability over "
                "the measured window is below it, with its Wilson score interval; the "
                "recommendation rule takes the cheapest alternative with P(below) at most "
                "10 % (meeting the target in at least 90 % of replications). Months below: "
                "per replication, the share of measured months whose supply availability is "
                "below the target; mean ± 95 % CI over replications. ")
    else:
        what = (f"{customer} states no availability target: no probability of missing one is "
                "computed, and the efficient-frontier rule decides. ")
    return Table(heads, rows, marks=marks, caption=(
        what + f"Cost and NPV percentiles over the {n} replications (the measured cost, every "
        f"IPS element, undiscounted and discounted; {money.dollars(sc)}) show the spread from "
        "replication noise with the inputs fixed, not the uncertainty of the inputs. Bold: "
        "the recommended alternative."))


def _pct_ci(mean: float, half: float) -> str:
    if math.isnan(mean):
        return "–"
    if math.isnan(half):
        return f"{100 * mean:.1f}"
    return f"{100 * mean:.1f} ± {100 * half:.1f}"


def summary(bca: Bca) -> Table | None:
    """The executive summary's second table: each recommendation's whole cost, readiness and
    risk in one row per nation."""
    if not bca.recommendations:
        return None
    sc = bca.result.scenario
    comp = bca.comparison.set_index(["alternative", "customer"])
    tco = bca.tco
    risk_t = (bca.target_risk.set_index(["alternative", "customer"])
              if not bca.target_risk.empty else pd.DataFrame())
    has_mc = "mc_rate" in bca.comparison.columns
    rows = []
    for c in bca.result.decision_customers:
        rec = bca.recommendations.get(c)
        if rec is None:
            continue
        a = rec.alternative
        r = comp.loc[(a, c)]
        row = [c, a, _m(r["cost_usd"])]
        if not tco.empty:
            ty = tco[(tco["customer"] == c) & (tco["alternative"] == a)]["then_year_usd"].sum()
            row.append(_m(ty))
        rates = [f"{100 * r['availability']:.1f}"]
        if has_mc:
            rates += [f"{100 * r['mc_rate']:.1f}", f"{100 * r['fmc_rate']:.1f}"]
        row.append(" / ".join(rates))
        target = bca.result.availability_target(c)
        if target is None:
            row.append("none stated")
        elif (a, c) in risk_t.index:
            k = risk_t.loc[(a, c)]
            row.append(f"{100 * target:.1f} %: {100 * k['p_below']:.0f} % "
                       f"({100 * k['p_below_lo']:.0f}–{100 * k['p_below_hi']:.0f} %)")
        else:
            row.append(f"{100 * target:.1f} %")
        if (a, c) in risk_t.index:
            k = risk_t.loc[(a, c)]
            row.append(f"{_m(k['cost_p10'])} – {_m(k['cost_p90'])}")
        else:
            row.append("–")
        rows.append(row)
    dollars = money.dollars_short(sc)
    heads = ["Nation", "Recommended", f"Total ownership cost ({dollars})"]
    if not tco.empty:
        heads.append(f"TCO ({money.THEN_YEAR_SHORT})")
    heads += ["Supply availability / MC / FMC rate (%)" if has_mc else
              "Supply availability (%)",
              "Target: P(below) (95 % CI)", f"Cost P10 – P90 ({dollars})"]
    return Table(heads, rows, left=2, caption=(
        f"The recommendation's whole cost over the {bca.measured_years:.1f} measured years "
        "(every IPS element, investments paid in warm-up included; the constant-dollar total is "
        "the comparison table's cost), its readiness (supply availability = not NMCS; MC = "
        "also not NMCM; FMC = also not PMC) and its risk: the probability over replications "
        "that supply availability falls below the nation's target, and the cost's 10th–90th "
        "percentiles over replications. Means over replications."))


def sheets(bca: Bca) -> dict[str, pd.DataFrame]:
    """The spreadsheet's whole-BCA sheets (raw column names; ``excel.header`` names them)."""
    out: dict[str, pd.DataFrame] = {}
    if not bca.tco.empty:
        out["TCO by IPS element"] = _tco_sheet(bca)
        long = bca.tco.copy()
        sc = bca.result.scenario
        long.insert(long.columns.get_loc("fiscal_year") + 1, "year_label",
                    [money.year_label(int(y), sc) for y in long["fiscal_year"]])
        long["escalation_index"] = [escalation_index(sc, int(y)) for y in long["fiscal_year"]]
        out["TCO by fiscal year"] = _order(bca, long).rename(columns={
            "constant_usd": "tco_constant_usd", "then_year_usd": "tco_then_year_usd"})
    if not bca.target_risk.empty:
        out["Target risk"] = bca.target_risk.rename(columns={"target": "availability_target"})
    return out


def _order(bca: Bca, t: pd.DataFrame) -> pd.DataFrame:
    oc = {c: i for i, c in enumerate(bca.customers)}
    oa = {a: i for i, a in enumerate(bca.alternatives)}
    oe = {e: i for i, e in enumerate(IPS_ORDER)}
    keys = {"_c": t["customer"].map(oc), "_a": t["alternative"].map(oa)}
    if "ips_element" in t.columns:
        keys["_e"] = t["ips_element"].map(oe)
    cols = list(keys) + [c for c in ("fiscal_year",) if c in t.columns]
    return t.assign(**keys).sort_values(cols, kind="stable").drop(
        columns=list(keys)).reset_index(drop=True)


def _tco_sheet(bca: Bca) -> pd.DataFrame:
    """Per (alternative, customer, IPS element) the totals, then a Total row equal to the
    comparison's cost."""
    t = bca.tco.groupby(["alternative", "customer", "ips_element"], as_index=False,
                        sort=False)[["constant_usd", "then_year_usd"]].sum()
    t = _order(bca, t)
    comp = bca.comparison.set_index(["alternative", "customer"])
    frames = []
    for (alt, cust), g in t.groupby(["alternative", "customer"], sort=False):
        total = {"alternative": alt, "customer": cust, "ips_element": "Total",
                 "constant_usd": float(comp.loc[(alt, cust), "cost_usd"]),
                 "then_year_usd": float(g["then_year_usd"].sum())}
        frames += [g, pd.DataFrame([total])]
    out = pd.concat(frames, ignore_index=True)
    return out.rename(columns={"constant_usd": "tco_constant_usd",
                               "then_year_usd": "tco_then_year_usd"})
