"""The main risks of a customer's choice, from the results and the resolved scenario.

Four kinds a product support manager asks about first:

- **capacity** — a depot the alternative loads runs at or above 90 % utilization, or work
  queues for a repair line (mean queue of a day or more): capacity is binding, so any growth
  in demand lengthens the queue quickly and customers sharing the depot slow each other down;
- **no_source** — the choice relies on PROS or SNAP (as its option, an item's option or a
  fallback), whose searches may find no source (the scenario's probability; the run's count);
- **waiver** — an FMFP-funded customer's choice needs a DSCA waiver (third-country repair) or
  a DCS waiver: without it the choice is not available;
- **exit** — the system or its items leave the DoD inventory within the horizon: availability
  before and after, paired within each replication.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis import phases as ph
from analysis import stats

UTILIZATION_LIMIT = 0.90
QUEUE_DAYS_LIMIT = 1.0


@dataclass(frozen=True)
class Risk:
    kind: str    # "capacity", "no_source", "waiver", "exit"
    text: str    # one sentence for this customer
    data: dict = field(default_factory=dict, compare=False)  # the figures, for summaries


def choice_tree(choice: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """Every (role, choice) in a support choice: the choice, its items' overrides and every
    fallback down the chain; role is 'primary', 'item NSN', 'fallback of …'."""
    out: list[tuple[str, dict[str, Any]]] = []

    def walk(c: Any, role: str, depth: int) -> None:
        if not isinstance(c, dict) or depth > 8:
            return
        out.append((role, c))
        for nsn, sub in (c.get("items") or {}).items():
            walk(sub, f"item {nsn}", depth + 1)
        fb = c.get("fallback")
        if isinstance(fb, str):
            fb = {"option": fb}
        walk(fb, "fallback", depth + 1)

    walk(choice, "primary", 0)
    return out


def support_choice(scenario: dict[str, Any], alternative: str,
                   customer: str) -> dict[str, Any] | None:
    for a in scenario.get("alternatives") or []:
        if a.get("name") == alternative:
            return (a.get("support") or {}).get(customer)
    return None


def options_used(scenario: dict[str, Any], alternative: str, customer: str) -> set[str]:
    return {str(c.get("option")) for _, c in choice_tree(
        support_choice(scenario, alternative, customer)) if c.get("option")}


def depots_named(scenario: dict[str, Any], alternative: str, customer: str) -> set[str]:
    return {str(c["depot"]) for _, c in choice_tree(
        support_choice(scenario, alternative, customer)) if c.get("depot")}


def phase_utilization(depot_ts: pd.DataFrame, plan: list, alternative: str, depot: str,
                      warmup_days: float, horizon_days: float) -> list[tuple[Any, float]]:
    """(phase, mean utilization) of one depot under one alternative, from the periodic depot
    table: means over replications of each phase's periods (by midpoint, after warm-up)."""
    if depot_ts is None or depot_ts.empty or "utilization" not in depot_ts.columns \
            or len(plan) < 2:
        return []
    t = depot_ts[(depot_ts["alternative"] == alternative) & (depot_ts["depot"] == depot)]
    if t.empty:
        return []
    start = t["period_start_day"].to_numpy(dtype=float)
    lengths = ph.period_lengths(depot_ts["period_start_day"].to_numpy(dtype=float),
                                horizon_days)
    length = pd.Series(start).map(lengths).to_numpy(dtype=float)
    idx = ph.phase_index(start, length, plan, warmup_days)
    f = pd.DataFrame({"replication": t["replication"].to_numpy(), "phase": idx,
                      "u": t["utilization"].to_numpy(dtype=float) * length, "w": length})
    f = f[(f["phase"] >= 0) & ~np.isnan(f["u"])]
    if f.empty:
        return []
    g = f.groupby(["phase", "replication"])[["u", "w"]].sum()
    per = (g["u"] / g["w"]).groupby(level="phase").mean()
    return [(p, float(per[p.index])) for p in plan if p.index in per.index]


def capacity(depots: pd.DataFrame, scenario: dict[str, Any], alternative: str,
             customer: str, customers: list[str], depot_ts: pd.DataFrame | None = None,
             plan: list | None = None, warmup_days: float = 0.0,
             horizon_days: float = 0.0) -> list[Risk]:
    """Binding depots under the alternative (``depots``: the per-depot CI table), over the
    whole window or in one of the customer's phases (``depot_ts``: the periodic depot
    table, ``plan``: the customer's phases)."""
    if depots.empty or "utilization" not in depots.columns:
        return []
    d = depots[depots["alternative"] == alternative]
    if "inductions" in d.columns:
        d = d[d["inductions"].fillna(0) > 0]
    out = []
    mine = depots_named(scenario, alternative, customer)
    for _, r in d.iterrows():
        util = float(r["utilization"])
        queue = float(r.get("queue_days_mean", math.nan))
        by_phase = phase_utilization(depot_ts, plan or [], alternative, str(r["depot"]),
                                     warmup_days, horizon_days)
        peak = max(by_phase, key=lambda pu: pu[1], default=None)
        if not (util >= UTILIZATION_LIMIT or (not math.isnan(queue) and
                                             queue >= QUEUE_DAYS_LIMIT)
                or (peak is not None and peak[1] >= UTILIZATION_LIMIT)):
            continue
        depot = str(r["depot"])
        sharing = [c for c in customers if c != customer
                   and depot in depots_named(scenario, alternative, c)]
        whose = ("its carcasses go there" if depot in mine
                 else "the alternative's wholesale repairs go there")
        if sharing:
            whose += f", shared with {_join(sharing)}"
        queue_text = "" if math.isnan(queue) else f", a {queue:.1f}-day mean queue for a line"
        phase_text = ""
        if peak is not None and abs(peak[1] - util) >= 0.05:
            phase_text = (f" ({100 * peak[1]:.1f} % in the {peak[0].name.lower()} phase, "
                          f"{peak[0].days})")
        out.append(Risk("capacity", (
            f"Binding depot capacity: {depot} runs at {100 * util:.1f} % utilization"
            f"{phase_text}{queue_text} under {alternative} ({whose}); more demand — a surge, "
            "another user — lengthens the queue quickly."), {
                "depot": depot, "alternative": alternative, "utilization": util,
                "queue_days": queue, "sharing": sharing, "named": depot in mine,
                "phase_text": phase_text}))
    return out


def no_source(scenario: dict[str, Any], items: pd.DataFrame, alternative: str,
              customer: str) -> list[Risk]:
    used = options_used(scenario, alternative, customer) & {"pros", "snap"}
    if not used:
        return []
    services = scenario.get("buying_services") or {}
    parts = []
    for key in sorted(used):
        svc = services.get(key) or {}
        p = svc.get("no_source_probability")
        q = svc.get("no_repair_source_probability")
        text = f"{key.upper()}: {100 * float(p or 0):.0f} % of searches find no source"
        if q:
            text += f", {100 * float(q):.0f} % find no repair source (new unit bought)"
        parts.append(text)
    primary = str((support_choice(scenario, alternative, customer) or {}).get("option"))
    role = "its option" if primary in used else "a fallback"
    observed = ""
    mean = half = math.nan
    if not items.empty and "no_source" in items.columns:
        i = items[(items["alternative"] == alternative) & (items["customer"] == customer)]
        if not i.empty:
            per = i.groupby("replication")["no_source"].sum()
            mean, half = stats.mean_ci(per.to_numpy(dtype=float))
            ci = "" if math.isnan(half) else f" ± {half:.1f}"
            observed = (f"; in this run {mean:.1f}{ci} requisitions per replication found no "
                        "source")
    names = _join(sorted(u.upper() for u in used))
    return [Risk("no_source", f"No-source risk ({role} uses {names}): {'; '.join(parts)} "
                              f"(scenario inputs){observed}.",
                 {"services": names, "inputs": "; ".join(parts), "role": role,
                  "per_replication": mean, "ci": half})]


def waivers(scenario: dict[str, Any], alternative: str, customer: str) -> list[Risk]:
    spec = next((c for c in scenario.get("customers") or [] if c.get("name") == customer), {})
    if spec.get("funding") != "fmfp":
        return []
    used = options_used(scenario, alternative, customer)
    held = set(spec.get("waivers") or [])
    out = []
    for option, waiver, what in (("third_country", "dsca_waiver", "third-country repair"),
                                 ("dcs", "dcs_waiver", "Direct Commercial Sales")):
        if option in used:
            status = "held" if waiver in held else "NOT held"
            name = waiver.split("_")[0].upper() + " waiver"
            out.append(Risk("waiver", (
                f"Waiver needed: {customer} is FMFP-funded, so {what} under {alternative} "
                f"needs a {name} ({status}); without it this choice is not available."),
                {"waiver": name, "what": what, "held": waiver in held}))
    return out


def exit_effect(rows: pd.DataFrame, scenario: dict[str, Any], customer: str,
                alternative: str, alternatives: list[str], warmup_days: float,
                horizon_days: float) -> list[Risk]:
    """The inventory exit: availability before and after under the alternative, and the
    alternative hit hardest, each change paired within replications."""
    plan = ph.phases(scenario, customer, warmup_days, horizon_days)
    exits = [b for b in ph.boundaries(scenario, customer)
             if "DoD inventory" in b.what and warmup_days < b.day < horizon_days]
    if not exits or rows.empty:
        return []
    b = exits[0]
    before = next((p for p in plan if p.end_day <= b.day + 1e-9 and p.end_day >= b.day - 1e-9),
                  None)
    after = next((p for p in plan if abs(p.start_day - b.day) < 1e-9), None)
    if before is None or after is None:
        return []
    r = rows[rows["customer"] == customer]

    def change(alt: str) -> tuple[float, float, float, float]:
        lo = r[(r["alternative"] == alt) & (r["phase_index"] == before.index)]["availability"]
        hi = r[(r["alternative"] == alt) & (r["phase_index"] == after.index)]["availability"]
        d, h = ph.change_between(rows, customer, alt, "availability", before.index,
                                 after.index)
        return float(lo.mean()), float(hi.mean()), d, h

    a0, a1, d, h = change(alternative)
    sig = "" if math.isnan(h) or abs(d) > h else " — not a significant change"
    text = (f"Inventory exit: {b.what} on day {b.day:,.0f}. Under {alternative} "
            f"supply availability goes from {100 * a0:.1f} % to {100 * a1:.1f} % "
            f"({_signed(100 * d)} ± {100 * h:.1f} points{sig})")
    data = {"what": b.what, "day": b.day, "before": a0, "after": a1, "change": d, "ci": h,
            "alternative": alternative}
    others = [a for a in alternatives if a != alternative and
              not r[r["alternative"] == a].empty]
    if others:
        worst = min(others, key=lambda a: change(a)[2])
        w0, w1, wd, wh = change(worst)
        if wd < d:
            text += (f"; hardest hit is {worst}, {100 * w0:.1f} % to {100 * w1:.1f} % "
                     f"({_signed(100 * wd)} ± {100 * wh:.1f} points)")
            data.update(worst=worst, worst_before=w0, worst_after=w1, worst_change=wd,
                        worst_ci=wh)
    return [Risk("exit", text + ".", data)]


def _signed(v: float) -> str:
    return f"{'+' if v >= 0 else '−'}{abs(v):.1f}"


def _join(names: list[str]) -> str:
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
