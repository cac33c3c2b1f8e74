"""Cooperative logistics in a result (issue 10): Weapon System Partnerships and ACSA.

For a partnership: each member's availability and NPV cost alone against in the pool, paired
by replication, and the cost-share table. "Alone" is every alternative of the scenario in
which the member's choice is not the partnership, "in the pool" every alternative in which
it is; the scenario's alternatives are paired as the scenario states them (common random
numbers), never re-run.

For an ACSA agreement: the transfers per window, each way, and the agreement's effect on
both sides — the alternative it is in force under against a *control*: an alternative with
the same support choices in which it is not (``acsa[].alternatives`` leaves it out). The
effect is the paired difference in availability, in points and in aircraft-days over the
measured window, and per window from its start to the next window's (a unit given up is
short until it comes back, after the window). Without a control the transfers are shown and
the report says how to get one.

Everything here reads the result directory only (``ResultSet``), never the model.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis import stats
from analysis.tables import Table

if TYPE_CHECKING:
    from pathlib import Path

    from analysis.bca import Bca

POOL_METRICS = ("availability", "npv_cost_usd")


# -- what the scenario says ------------------------------------------------------------------
def membership(scenario: dict) -> dict[str, dict[str, str | None]]:
    """alternative -> FMS customer -> the partnership its choice joins (None: alone)."""
    out: dict[str, dict[str, str | None]] = {}
    for alt in scenario.get("alternatives") or []:
        support = alt.get("support") or {}
        out[str(alt.get("name"))] = {
            str(c): (str(ch.get("partnership")) if isinstance(ch, dict)
                     and ch.get("option") == "partnership" else None)
            for c, ch in support.items()}
    return out


def acsa_label(spec: dict) -> str:
    """The agreement's name in acsa.parquet (``Acsa.label``)."""
    between = spec.get("between") or ["?", "?"]
    return str(spec.get("name") or f"{between[0]} / {between[1]}")


def in_force(spec: dict, alternative: str) -> bool:
    alts = spec.get("alternatives", "all")
    return alts == "all" or alternative in (alts or [])


def control_for(scenario: dict, spec: dict, alternative: str) -> str | None:
    """The alternative with the same support choices as ``alternative`` in which the
    agreement is not in force, if the scenario has one."""
    alts = {str(a.get("name")): a for a in scenario.get("alternatives") or []}
    mine = json.dumps(alts.get(alternative, {}).get("support"), sort_keys=True)
    for name, alt in alts.items():
        if name != alternative and not in_force(spec, name) and json.dumps(
                alt.get("support"), sort_keys=True) == mine:
            return name
    return None


def _base(bca: Bca, df: pd.DataFrame) -> pd.DataFrame:
    """A table at the base point of a sweep (as the rest of the report), as is otherwise."""
    if df.empty or "point" not in df.columns or "point" not in bca.result.summary.columns:
        return df
    point = int(bca.result.summary["point"].iloc[0])
    return df[df["point"] == point].reset_index(drop=True)


def _paired(summary: pd.DataFrame, customer: str, alt: str, base: str,
            column: str) -> tuple[float, float]:
    keys = ["replication"] + (["point"] if "point" in summary.columns else [])
    mine = summary[(summary["customer"] == customer) & (summary["alternative"] == alt)]
    other = summary[(summary["customer"] == customer) & (summary["alternative"] == base)]
    j = mine.merge(other, on=keys, suffixes=("", "__b"))
    if j.empty:
        return float("nan"), float("nan")
    return stats.mean_ci(j[column].to_numpy(float) - j[f"{column}__b"].to_numpy(float))


# -- partnerships ----------------------------------------------------------------------------
def verdict(d_avail: float, d_avail_ci: float, d_cost: float, d_cost_ci: float) -> str:
    """The pool against one alone alternative, from paired differences (pool - alone)."""
    def sig(d: float, h: float) -> bool:
        return not math.isnan(d) and (math.isnan(h) or abs(d) > h)

    more, less = d_avail > 0 and sig(d_avail, d_avail_ci), d_avail < 0 and sig(d_avail,
                                                                              d_avail_ci)
    cheaper, dearer = d_cost < 0 and sig(d_cost, d_cost_ci), d_cost > 0 and sig(d_cost,
                                                                               d_cost_ci)
    if (more and not dearer) or (cheaper and not less):
        return "pool better"
    if (less and not cheaper) or (dearer and not more):
        return "alone better"
    if more and dearer:
        return "pool more available, dearer"
    if less and cheaper:
        return "pool cheaper, less available"
    return "no significant difference"


def alone_vs_pool(bca: Bca) -> pd.DataFrame:
    """Per (partnership, member, pool alternative, alone alternative): each side's
    availability and NPV cost (mean, CI), their paired differences (pool - alone) and the
    verdict; ``npv_per_aircraft_usd``: extra NPV per extra aircraft flying when the pool is
    both more available and dearer."""
    cols = ["partnership", "customer", "pool_alternative", "alone_alternative",
            "availability_pool", "availability_pool_ci", "availability_alone",
            "availability_alone_ci", "npv_pool", "npv_pool_ci", "npv_alone", "npv_alone_ci",
            "d_availability", "d_availability_ci", "d_npv", "d_npv_ci",
            "npv_per_aircraft_usd", "verdict"]
    r = bca.result
    member_of = membership(r.scenario)
    comp = bca.comparison.set_index(["alternative", "customer"])
    rows = []
    for spec in r.scenario.get("partnerships") or []:
        name = str(spec.get("name"))
        for c in spec.get("members") or []:
            c = str(c)
            pool = [a for a in bca.alternatives if member_of.get(a, {}).get(c) == name]
            alone = [a for a in bca.alternatives if a in member_of and c in member_of[a]
                     and member_of[a][c] is None]
            aircraft = float(r.customer_spec(c).get("fleet", {}).get("aircraft") or 0)
            for p in pool:
                for a in alone:
                    if (p, c) not in comp.index or (a, c) not in comp.index:
                        continue
                    dA, hA = _paired(r.summary, c, p, a, "availability")
                    dC, hC = _paired(r.summary, c, p, a, "npv_cost_usd")
                    per = (dC / (dA * aircraft) if dA > 0 and dC > 0 and aircraft
                           else float("nan"))
                    rows.append({
                        "partnership": name, "customer": c, "pool_alternative": p,
                        "alone_alternative": a,
                        "availability_pool": comp.loc[(p, c), "availability"],
                        "availability_pool_ci": comp.loc[(p, c), "availability_ci"],
                        "availability_alone": comp.loc[(a, c), "availability"],
                        "availability_alone_ci": comp.loc[(a, c), "availability_ci"],
                        "npv_pool": comp.loc[(p, c), "npv_cost_usd"],
                        "npv_pool_ci": comp.loc[(p, c), "npv_cost_usd_ci"],
                        "npv_alone": comp.loc[(a, c), "npv_cost_usd"],
                        "npv_alone_ci": comp.loc[(a, c), "npv_cost_usd_ci"],
                        "d_availability": dA, "d_availability_ci": hA, "d_npv": dC,
                        "d_npv_ci": hC, "npv_per_aircraft_usd": per,
                        "verdict": verdict(dA, hA, dC, hC)})
    return pd.DataFrame(rows, columns=cols)


def cost_shares(bca: Bca) -> pd.DataFrame:
    """Per (partnership, alternative, member): its share of the pool's cost and the dollars
    charged, its requisitions on the pool and their fill rate, and the pool's own figures —
    means and CIs over replications."""
    t = _base(bca, bca.full.partnerships)
    if t.empty:
        return pd.DataFrame()
    cols = ["share", "share_usd", "demands", "fill_rate", "backorders_mean", "pool_cost_usd",
            "pool_fee_usd", "pool_stock_mean", "pool_backorders_mean", "pool_fill_rate",
            "pool_initial_stock"]
    table = stats.ci_table(t, ["partnership", "alternative", "customer"],
                           [c for c in cols if c in t.columns])
    order = {a: i for i, a in enumerate(bca.alternatives)}
    return table.sort_values(["partnership", "alternative"], key=lambda s: s.map(order)
                             if s.name == "alternative" else s, kind="stable"
                             ).reset_index(drop=True)


# -- ACSA ------------------------------------------------------------------------------------
def acsa_transfers(bca: Bca) -> pd.DataFrame:
    """Per (agreement, alternative in force, window, provider): transfers per replication
    (mean, CI; a replication with none counts as zero), their value and the share returned
    in kind by the end."""
    r = bca.result
    t = _base(bca, bca.full.acsa)
    reps = {a: sorted(set(r.summary[r.summary["alternative"] == a]["replication"]))
            for a in bca.alternatives}
    rows = []
    for spec in r.scenario.get("acsa") or []:
        label = acsa_label(spec)
        sides = [str(s) for s in spec.get("between") or []]
        for alt in bca.alternatives:
            if not in_force(spec, alt):
                continue
            mine = t[(t["agreement"] == label) & (t["alternative"] == alt)] if not t.empty \
                else t
            for k, w in enumerate(spec.get("windows") or []):
                for giver, taker in (sides, sides[::-1]):
                    sel = mine[(mine["window"] == k) & (mine["provider"] == giver)] \
                        if not mine.empty else mine
                    counts = (sel.groupby("replication").size() if not sel.empty
                              else pd.Series(dtype=float))
                    per_rep = [float(counts.get(rep, 0)) for rep in reps[alt]]
                    n, n_ci = stats.mean_ci(per_rep)
                    value = float(sel["value_usd"].sum()) / max(len(reps[alt]), 1) \
                        if not sel.empty else 0.0
                    returned = (float(sel["returned_day"].notna().mean())
                                if not sel.empty and spec.get("reimbursement")
                                == "replacement_in_kind" else float("nan"))
                    rows.append({"agreement": label, "alternative": alt, "window": k,
                                 "start_day": float(w.get("start_day")),
                                 "end_day": float(w.get("end_day")), "provider": giver,
                                 "requester": taker, "transfers": n, "transfers_ci": n_ci,
                                 "value_usd": value, "returned": returned})
    return pd.DataFrame(rows)


def acsa_effects(bca: Bca) -> pd.DataFrame:
    """Per (agreement, alternative in force with a control, side): availability with and
    without the agreement and the paired difference, in points and in aircraft-days over
    the measured window."""
    r = bca.result
    span = r.horizon_days - r.warmup_days
    rows = []
    for spec in r.scenario.get("acsa") or []:
        label = acsa_label(spec)
        for alt in bca.alternatives:
            if not in_force(spec, alt):
                continue
            control = control_for(r.scenario, spec, alt)
            if control is None or control not in bca.alternatives:
                continue
            for side in [str(s) for s in spec.get("between") or []]:
                aircraft = float(r.customer_spec(side).get("fleet", {}).get("aircraft") or 0)
                d, h = _paired(r.summary, side, alt, control, "availability")
                s = r.summary[r.summary["customer"] == side]
                rows.append({
                    "agreement": label, "alternative": alt, "control": control,
                    "customer": side, "aircraft": aircraft,
                    "availability_with": float(s[s["alternative"] == alt].availability.mean()),
                    "availability_without": float(
                        s[s["alternative"] == control].availability.mean()),
                    "d_availability": d, "d_availability_ci": h,
                    "aircraft_days": d * aircraft * span,
                    "aircraft_days_ci": h * aircraft * span})
    return pd.DataFrame(rows)


def _period_lengths(ts: pd.DataFrame, horizon: float) -> dict[float, float]:
    starts = sorted(set(ts["period_start_day"].astype(float)))
    ends = starts[1:] + [horizon]
    return {s: e - s for s, e in zip(starts, ends, strict=True)}


def acsa_difference_band(bca: Bca, alternative: str, control: str,
                         customers: list[str]) -> pd.DataFrame:
    """Per (customer, period): availability with minus without the agreement, mean and CI
    over replications (paired)."""
    ts = bca.result.timeseries
    if ts.empty:
        return pd.DataFrame()
    keys = ["replication", "customer", "period_start_day"]
    a = ts[(ts["alternative"] == alternative) & ts["customer"].isin(customers)]
    b = ts[(ts["alternative"] == control) & ts["customer"].isin(customers)]
    j = a.merge(b, on=keys, suffixes=("", "__c"))
    j["d_availability"] = j["availability"] - j["availability__c"]
    return stats.ci_table(j, ["customer", "period_start_day"], ["d_availability"])


def acsa_window_effects(bca: Bca) -> pd.DataFrame:
    """Per (agreement, alternative with a control, window, side): aircraft-days of
    availability gained (+) or given up (-) from the period the window starts in to the
    period the next window starts in (or the horizon), measured periods only."""
    r = bca.result
    ts = r.timeseries
    if ts.empty:
        return pd.DataFrame()
    lengths = _period_lengths(ts, r.horizon_days)
    rows = []
    for spec in r.scenario.get("acsa") or []:
        label = acsa_label(spec)
        windows = sorted(float(w.get("start_day")) for w in spec.get("windows") or [])
        for alt in bca.alternatives:
            control = control_for(r.scenario, spec, alt) if in_force(spec, alt) else None
            if control is None or control not in bca.alternatives:
                continue
            keys = ["replication", "customer", "period_start_day"]
            for side in [str(s) for s in spec.get("between") or []]:
                aircraft = float(r.customer_spec(side).get("fleet", {}).get("aircraft") or 0)
                a = ts[(ts["alternative"] == alt) & (ts["customer"] == side)]
                b = ts[(ts["alternative"] == control) & (ts["customer"] == side)]
                j = a.merge(b, on=keys, suffixes=("", "__c"))
                j = j[j["period_start_day"] >= r.warmup_days - 1e-9]
                days = j["period_start_day"].map(lengths).to_numpy(float)
                j = j.assign(ad=(j["availability"] - j["availability__c"]) * aircraft * days)
                for k, start in enumerate(windows):
                    stop = windows[k + 1] if k + 1 < len(windows) else float("inf")
                    lo = max((p for p in lengths if p <= start + 1e-9), default=0.0)
                    hi = max((p for p in lengths if p <= stop + 1e-9), default=0.0) \
                        if math.isfinite(stop) else float("inf")
                    sel = j[(j["period_start_day"] >= lo) & (j["period_start_day"] < hi)]
                    per_rep = sel.groupby("replication")["ad"].sum()
                    m, h = stats.mean_ci(per_rep.to_numpy(float)) if len(per_rep) else (
                        float("nan"), float("nan"))
                    rows.append({"agreement": label, "alternative": alt, "control": control,
                                 "window": k, "customer": side, "aircraft_days": m,
                                 "aircraft_days_ci": h})
    return pd.DataFrame(rows)


# -- the report's section --------------------------------------------------------------------
def _pct(v: float, h: float | None = None) -> str:
    if math.isnan(v):
        return "–"
    return f"{100 * v:.1f}" + ("" if h is None or math.isnan(h) else f" ± {100 * h:.1f}")


def _m(v: float, h: float | None = None) -> str:
    if math.isnan(v):
        return "–"
    return f"{v / 1e6:,.2f}" + ("" if h is None or math.isnan(h) else f" ± {h / 1e6:,.2f}")


def _signed_pts(v: float, h: float, digits: int = 1) -> str:
    if math.isnan(v):
        return "–"
    return f"{100 * v:+.{digits}f}" + ("" if math.isnan(h) else f" ± {100 * h:.{digits}f}")


def _signed_m(v: float, h: float) -> str:
    if math.isnan(v):
        return "–"
    return f"{v / 1e6:+,.2f}" + ("" if math.isnan(h) else f" ± {h / 1e6:,.2f}")


def _days(v: float, h: float) -> str:
    if math.isnan(v):
        return "–"
    return f"{v:+,.1f}" + ("" if math.isnan(h) else f" ± {h:,.1f}")


def pool_lines(pairs: pd.DataFrame, partnership: str) -> list[str]:
    """One sentence per member: does pooling pay, against each alone alternative (the first
    alternative that puts it in the pool; the table has every one)."""
    out = []
    t = pairs[pairs["partnership"] == partnership]
    for c in dict.fromkeys(t["customer"]):
        mine = t[t["customer"] == c]
        mine = mine[mine["pool_alternative"] == mine["pool_alternative"].iloc[0]]
        parts = []
        for _, r in mine.iterrows():
            text = (f"against {r['alone_alternative']} {_signed_pts(r['d_availability'], r['d_availability_ci'])} "
                    f"points of availability and {_signed_m(r['d_npv'], r['d_npv_ci'])} $M of "
                    f"NPV cost ({r['verdict']}")
            if not math.isnan(r["npv_per_aircraft_usd"]):
                text += f"; ${r['npv_per_aircraft_usd'] / 1e6:,.2f} M per extra aircraft flying"
            parts.append(text + ")")
        pays = all(mine["verdict"] == "pool better")
        head = "pooling pays" if pays else ("pooling does not pay" if all(
            mine["verdict"] == "alone better") else "pooling is a trade-off")
        pool_alt = mine["pool_alternative"].iloc[0]
        out.append(f"{c} — {head}: in the pool ({pool_alt}) "
                   f"{_pct(mine['availability_pool'].iloc[0])} % availability for "
                   f"${mine['npv_pool'].iloc[0] / 1e6:,.2f} M NPV; " + "; ".join(parts) + ".")
    return out


def pairs_table(pairs: pd.DataFrame, partnership: str) -> Table:
    t = pairs[pairs["partnership"] == partnership]
    rows = [[r["customer"], r["pool_alternative"], r["alone_alternative"],
             _pct(r["availability_pool"], r["availability_pool_ci"]),
             _pct(r["availability_alone"], r["availability_alone_ci"]),
             _signed_pts(r["d_availability"], r["d_availability_ci"]),
             _m(r["npv_pool"], r["npv_pool_ci"]), _m(r["npv_alone"], r["npv_alone_ci"]),
             _signed_m(r["d_npv"], r["d_npv_ci"]), r["verdict"]] for _, r in t.iterrows()]
    return Table(["Member", "In the pool", "Alone", "Availability in the pool (%)",
                  "Availability alone (%)", "Difference (points)", "NPV cost in the pool ($M)",
                  "NPV cost alone ($M)", "Difference ($M)", "Verdict"], rows,
                 caption=("Each member in the pool against each alternative in which it is "
                          "not, mean ± 95 % CI over replications; differences paired by "
                          "replication (pool − alone)."), left=3)


def shares_table(shares: pd.DataFrame, partnership: str, method: str, fee: float) -> Table:
    t = shares[shares["partnership"] == partnership]
    rows = []
    for _, r in t.iterrows():
        rows.append([r["alternative"], r["customer"], _pct(r["share"], r["share_ci"]),
                     _m(r["share_usd"], r["share_usd_ci"]),
                     f"{r['demands']:,.0f}", _pct(r["fill_rate"], r["fill_rate_ci"]),
                     f"{r['backorders_mean']:.2f}", _m(r["pool_cost_usd"], r["pool_cost_usd_ci"]),
                     _m(r["pool_fee_usd"]), _pct(r["pool_fill_rate"]),
                     f"{r['pool_backorders_mean']:.2f}", f"{r['pool_stock_mean']:.1f}"])
    return Table(["Alternative", "Member", "Share of the pool's cost (%)", "Charged ($M)",
                  "Requisitions on the pool", "Filled at once (%)",
                  "Waiting at the pool (units)", "Pool cost ($M)", "Agency fee ($M)",
                  "Pool fill rate (%)", "Pool backorders (units)", "Pool stock (units)"],
                 rows, caption=(f"Cost sharing by {method.replace('_', ' ')}, agency fee "
                                f"{100 * fee:.1f} % of every pooled cost; the measured "
                                "window, mean (± 95 % CI) over replications. The shares "
                                "add up to the pool's cost."), left=2)


def _side_days(eff: pd.DataFrame, customer: str) -> str:
    e = eff[eff["customer"] == customer] if not eff.empty else eff
    if not len(e):
        return "no control"
    return _days(e["aircraft_days"].iloc[0], e["aircraft_days_ci"].iloc[0])


def transfers_table(t: pd.DataFrame, effects: pd.DataFrame, label: str) -> Table:
    mine = t[t["agreement"] == label] if not t.empty else t
    rows = []
    for _, r in mine.iterrows():
        eff = effects[(effects["agreement"] == label)
                      & (effects["alternative"] == r["alternative"])
                      & (effects["window"] == r["window"])] if not effects.empty else effects
        window = f"{r['window'] + 1}: days {r['start_day']:g}–{r['end_day']:g}"
        per_rep = f"{r['transfers']:.2f}" + (
            "" if math.isnan(r["transfers_ci"]) else f" ± {r['transfers_ci']:.2f}")
        rows.append([r["alternative"], window, f"{r['provider']} → {r['requester']}", per_rep,
                     _m(r["value_usd"]),
                     "–" if math.isnan(r["returned"]) else f"{100 * r['returned']:.0f}",
                     _side_days(eff, r["provider"]), _side_days(eff, r["requester"])])
    return Table(["Alternative", "Window", "Transfers", "Per replication", "Value ($M)",
                  "Returned in kind (%)", "Provider's aircraft-days", "Requester's aircraft-days"],
                 rows, caption=("Transfers made in the measured window, mean ± 95 % CI per "
                                "replication; each side's availability gained (+) or given "
                                "up (−) in aircraft-days from the window's start to the next "
                                "window's, against the control alternative (paired)."), left=3)


def effects_table(effects: pd.DataFrame, label: str) -> Table | None:
    t = effects[effects["agreement"] == label] if not effects.empty else effects
    if t.empty:
        return None
    rows = [[r["alternative"], r["control"], r["customer"], _pct(r["availability_with"]),
             _pct(r["availability_without"]),
             _signed_pts(r["d_availability"], r["d_availability_ci"], 3),
             _days(r["aircraft_days"], r["aircraft_days_ci"])] for _, r in t.iterrows()]
    return Table(["In force under", "Control", "Side", "Availability with (%)",
                  "Availability without (%)", "Difference (points)",
                  "Aircraft-days over the measured window"], rows,
                 caption="The agreement's whole effect on each side, paired by replication.",
                 left=3)


@dataclass
class Section:
    """The report section's content: figures (``FigureView``), tables and sentences."""

    partnerships: list[dict[str, Any]] = field(default_factory=list)
    acsa: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def has_cooperative(bca: Bca) -> bool:
    return not (bca.full.partnerships.empty and bca.full.acsa.empty) or bool(
        bca.result.scenario.get("partnerships") or bca.result.scenario.get("acsa"))


def section(bca: Bca, out: Path, banner: str = "") -> Section | None:
    """Draw the charts into ``out`` and assemble the section; None when the result has no
    partnership or ACSA."""
    if not has_cooperative(bca):
        return None
    from analysis.charts import cooperative as charts
    from analysis.report import FigureView
    from analysis.style import Style, briefing, render

    style = Style(footer=bca.footer(banner), alternatives=bca.alternatives)
    sec = Section()
    sc = bca.result.scenario
    pairs = alone_vs_pool(bca)
    shares = cost_shares(bca)
    n = 0

    def view(chart) -> FigureView | None:
        nonlocal n
        if chart is None:
            return None
        n += 1
        png_path, svg_path, png = render(chart, out, f"coop_{n:02d}_{chart.key}")
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        return FigureView(chart.title, chart.caption, png_path.name, svg_path.name, uri)

    with briefing():
        for spec in sc.get("partnerships") or []:
            name = str(spec.get("name"))
            sharing = spec.get("cost_sharing") or {}
            fig = view(charts.alone_vs_pool(style, bca.comparison, pairs, membership(sc),
                                            name, [str(m) for m in spec.get("members") or []]))
            sec.partnerships.append({
                "name": name, "members": ", ".join(str(m) for m in spec.get("members") or []),
                "figure": fig, "lines": pool_lines(pairs, name),
                "pairs": pairs_table(pairs, name) if not pairs.empty else None,
                "shares": shares_table(shares, name, str(sharing.get("method", "")),
                                       float(spec.get("management_fee_rate") or 0.0))
                if not shares.empty else None})
            if pairs[pairs["partnership"] == name].empty if not pairs.empty else True:
                sec.notes.append(f"{name}: no alternative puts a member alone beside one "
                                 "that puts it in the pool, so nothing is compared.")
        transfers = acsa_transfers(bca) if sc.get("acsa") else pd.DataFrame()
        effects = acsa_effects(bca) if sc.get("acsa") else pd.DataFrame()
        windows = acsa_window_effects(bca) if sc.get("acsa") else pd.DataFrame()
        for spec in sc.get("acsa") or []:
            label = acsa_label(spec)
            mine = effects[effects["agreement"] == label] if not effects.empty else effects
            fig = None
            lines = []
            if not mine.empty:
                alt, control = mine["alternative"].iloc[0], mine["control"].iloc[0]
                band = acsa_difference_band(bca, alt, control,
                                            [str(s) for s in spec.get("between")])
                fig = view(charts.acsa_effect(style, band, mine[mine["alternative"] == alt],
                                              spec, label, bca.result.warmup_days,
                                              bca.result.horizon_days))
                for _, r in mine.iterrows():
                    gave = "gives up" if r["aircraft_days"] < 0 else "gains"
                    lines.append(f"{r['customer']} {gave} "
                                 f"{abs(r['aircraft_days']):,.1f} ± "
                                 f"{r['aircraft_days_ci']:,.1f} aircraft-days of availability "
                                 f"under {r['alternative']} "
                                 f"({_signed_pts(r['d_availability'], r['d_availability_ci'], 3)} "
                                 f"points over the measured window, against {r['control']}).")
            else:
                sec.notes.append(
                    f"ACSA {label}: no control alternative (the same support choices with the "
                    "agreement not in force — leave it out of acsa[].alternatives), so its "
                    "effect on each side is not measured; the transfers are shown.")
            sec.acsa.append({
                "label": label, "between": " and ".join(str(s) for s in spec.get("between")),
                "reimbursement": str(spec.get("reimbursement", "")).replace("_", " "),
                "figure": fig, "lines": lines,
                "transfers": transfers_table(transfers, windows, label)
                if not transfers.empty else None,
                "effects": effects_table(effects, label)})
    return sec


def sheets(bca: Bca) -> dict[str, pd.DataFrame]:
    """Spreadsheet sheets for ``summary.xlsx`` (empty when the result has neither block)."""
    if not has_cooperative(bca):
        return {}
    out: dict[str, pd.DataFrame] = {}
    pairs = alone_vs_pool(bca)
    if not pairs.empty:
        out["Pool vs alone"] = pairs.rename(columns={
            "partnership": "Partnership", "customer": "Customer",
            "pool_alternative": "In the pool", "alone_alternative": "Alone",
            "availability_pool": "Availability in the pool (%)",
            "availability_pool_ci": "Availability in the pool 95 % CI half-width (%)",
            "availability_alone": "Availability alone (%)",
            "availability_alone_ci": "Availability alone 95 % CI half-width (%)",
            "npv_pool": "NPV cost in the pool (USD)",
            "npv_pool_ci": "NPV cost in the pool 95 % CI half-width (USD)",
            "npv_alone": "NPV cost alone (USD)",
            "npv_alone_ci": "NPV cost alone 95 % CI half-width (USD)",
            "d_availability": "Availability difference (%)",
            "d_availability_ci": "Availability difference 95 % CI half-width (%)",
            "d_npv": "NPV cost difference (USD)",
            "d_npv_ci": "NPV cost difference 95 % CI half-width (USD)",
            "npv_per_aircraft_usd": "Extra NPV per extra aircraft flying (USD)",
            "verdict": "Verdict"})
    shares = cost_shares(bca)
    if not shares.empty:
        out["Cost shares"] = shares.rename(columns={
            "partnership": "Partnership", "alternative": "Alternative",
            "customer": "Customer", "n": "Replications",
            "share": "Share of the pool's cost (%)",
            "share_ci": "Share of the pool's cost 95 % CI half-width (%)",
            "share_usd": "Charged (USD)", "share_usd_ci": "Charged 95 % CI half-width (USD)",
            "demands": "Requisitions on the pool", "demands_ci":
            "Requisitions on the pool 95 % CI half-width",
            "fill_rate": "Filled at once by the pool (%)",
            "fill_rate_ci": "Filled at once by the pool 95 % CI half-width (%)",
            "backorders_mean": "Waiting at the pool (units)",
            "backorders_mean_ci": "Waiting at the pool 95 % CI half-width (units)",
            "pool_cost_usd": "Pool cost (USD)",
            "pool_cost_usd_ci": "Pool cost 95 % CI half-width (USD)",
            "pool_fee_usd": "Agency fee (USD)",
            "pool_fee_usd_ci": "Agency fee 95 % CI half-width (USD)",
            "pool_stock_mean": "Pool stock (units)",
            "pool_stock_mean_ci": "Pool stock 95 % CI half-width (units)",
            "pool_backorders_mean": "Pool backorders (units)",
            "pool_backorders_mean_ci": "Pool backorders 95 % CI half-width (units)",
            "pool_fill_rate": "Pool fill rate (%)",
            "pool_fill_rate_ci": "Pool fill rate 95 % CI half-width (%)",
            "pool_initial_stock": "Pool initial stock (units)",
            "pool_initial_stock_ci": "Pool initial stock 95 % CI half-width (units)"})
    if bca.result.scenario.get("acsa"):
        t = acsa_transfers(bca)
        if not t.empty:
            out["ACSA transfers"] = t.rename(columns={
                "agreement": "Agreement", "alternative": "Alternative", "window": "Window",
                "start_day": "Window start (day)", "end_day": "Window end (day)",
                "provider": "Provider", "requester": "Requester",
                "transfers": "Transfers per replication",
                "transfers_ci": "Transfers per replication 95 % CI half-width",
                "value_usd": "Value per replication (USD)",
                "returned": "Returned in kind (%)"})
        e = acsa_effects(bca)
        if not e.empty:
            out["ACSA effect"] = e.rename(columns={
                "agreement": "Agreement", "alternative": "In force under",
                "control": "Control", "customer": "Customer", "aircraft": "Aircraft",
                "availability_with": "Availability with (%)",
                "availability_without": "Availability without (%)",
                "d_availability": "Availability difference (%)",
                "d_availability_ci": "Availability difference 95 % CI half-width (%)",
                "aircraft_days": "Aircraft-days gained (+) or given up (-)",
                "aircraft_days_ci": "Aircraft-days 95 % CI half-width"})
    return out


__all__ = ["acsa_effects", "acsa_transfers", "acsa_window_effects", "alone_vs_pool",
           "cost_shares", "membership", "section", "sheets", "verdict"]
