"""The cost to reach the target, per FMS nation, from ``sustain optimize``'s tables.

Each alternative is judged at its own best spares (marginal analysis), not at the shelf the
scenario happened to state. One ``Reach`` per alternative and nation holds the figures that
the chart, the executive summary, the appendix table and the spreadsheet quote, so they can
never disagree. Verified (``--verify``): the cost is the simulated total NPV (spares, FMSO I
and running cost) and the availability the simulated mean; otherwise the cost is the spares
and FMSO I NPV and the availability the closed form's prediction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from analysis.load import OptimizeTables, ResultSet


@dataclass
class Reach:
    """One alternative for one nation at its optimum (or, without a closed form, at the
    scenario's own shelf)."""

    alternative: str
    answered: bool                   # a closed form existed: the spares were optimized
    met: bool                        # the closed form predicts the goal is met
    predicted: float                 # predicted availability, whole scenario
    spares_npv_usd: float            # spares + FMSO I NPV at the optimum
    reasons: str = ""
    verified: bool = False
    simulated: float = math.nan      # simulated availability (mean) and its 95 % half-width
    simulated_ci: float = math.nan
    total_npv_usd: float = math.nan  # simulated total NPV cost and its 95 % half-width
    total_npv_ci: float = math.nan
    running_npv_usd: float = math.nan
    reaches: bool | None = None      # the simulated mean reaches the target
    npv_diff_usd: float = math.nan   # total NPV minus the reference's, paired by replication
    npv_diff_ci: float = math.nan

    @property
    def own_shelf(self) -> bool:
        """Simulated at the scenario's shelf: no closed form to optimize with."""
        return not self.answered

    @property
    def cost_usd(self) -> float:
        """The cost quoted: simulated total NPV when verified, else spares + FMSO I NPV."""
        return self.total_npv_usd if self.verified else self.spares_npv_usd

    @property
    def availability(self) -> float:
        """The availability quoted: simulated when verified, else predicted."""
        return self.simulated if self.verified else self.predicted

    @property
    def ok(self) -> bool:
        """Reaches the goal: simulated when verified, predicted otherwise."""
        return bool(self.reaches) if self.verified else (self.answered and self.met)


@dataclass
class NationOptimum:
    customer: str
    goal: str                      # "target_availability" or "budget_usd"
    goal_value: float
    verified: bool
    reaches: list[Reach] = field(default_factory=list)  # scenario order of alternatives
    reference: str | None = None   # cheapest at its optimum that reaches the goal

    @property
    def target(self) -> float | None:
        return self.goal_value if self.goal == "target_availability" else None

    def get(self, alternative: str) -> Reach | None:
        return next((r for r in self.reaches if r.alternative == alternative), None)


def money_m(value: float) -> str:
    """'$16.04 M' (two decimals, the report's $M)."""
    return "–" if math.isnan(value) else f"${value / 1e6:,.2f} M"


def half_m(value: float) -> str:
    return "–" if math.isnan(value) else f"{value / 1e6:,.2f} M"


def avail(value: float) -> str:
    """Availability as ``sustain optimize`` states it: a fraction, three decimals."""
    return "–" if math.isnan(value) else f"{value:.3f}"


def goal_text(n: NationOptimum) -> str:
    return (f"{n.goal_value:g}" if n.goal == "target_availability"
            else money_m(n.goal_value))


def nation(result: ResultSet, customer: str) -> NationOptimum | None:
    """The nation's optimize figures, or None when the result has none for it."""
    opt: OptimizeTables | None = result.optimize
    if opt is None:
        return None
    o = opt.optimum[opt.optimum["customer"] == customer]
    if o.empty:
        return None
    order = {a: i for i, a in enumerate(result.alternatives)}
    o = o.sort_values("alternative", key=lambda s: s.map(order).fillna(len(order)),
                      kind="stable")
    v = None
    if opt.verified:
        v = opt.verify[opt.verify["customer"] == customer].set_index("alternative")
    first = o.iloc[0]
    out = NationOptimum(customer, str(first["goal"]), float(first["goal_value"]),
                        verified=v is not None and not v.empty)
    for _, r in o.iterrows():
        alt = str(r["alternative"])
        reach = Reach(alt, bool(r["answered"]), bool(r["met"]), _f(r, "availability"),
                      _f(r, "npv_usd"), reasons=str(r.get("reasons") or ""))
        if out.verified and alt in v.index:
            s = v.loc[alt]
            reach.verified = True
            reach.simulated, reach.simulated_ci = _f(s, "availability"), _f(s, "availability_ci")
            reach.total_npv_usd, reach.total_npv_ci = _f(s, "npv_cost_usd"), _f(s, "npv_cost_ci")
            reach.running_npv_usd = _f(s, "running_npv_usd")
            reach.npv_diff_usd, reach.npv_diff_ci = _f(s, "npv_diff_usd"), _f(s, "npv_diff_ci")
            rt = s.get("reaches_target")
            reach.reaches = None if rt is None or pd.isna(rt) else bool(rt)
        out.reaches.append(reach)
    if out.verified:
        against = v["against"].dropna()
        out.reference = str(against.iloc[0]) if len(against) else None
    else:
        ok = [r for r in out.reaches if r.ok and not math.isnan(r.cost_usd)]
        if out.goal == "budget_usd":
            ok = [r for r in out.reaches if r.answered and not math.isnan(r.predicted)]
            out.reference = max(ok, key=lambda r: r.predicted).alternative if ok else None
        else:
            out.reference = min(ok, key=lambda r: r.cost_usd).alternative if ok else None
    return out


def _f(row, column: str) -> float:
    v = row.get(column) if hasattr(row, "get") else None
    try:
        return float(v) if v is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def finding(n: NationOptimum) -> str:
    """The chart's title: who reaches the goal cheapest, and by how much (an amount never
    broken across lines)."""
    return _finding(n).replace(" M", "\u00a0M").replace("± ", "±\u00a0")


def _finding(n: NationOptimum) -> str:
    what = "total NPV" if n.verified else "spares and FMSO I NPV"
    ref = n.get(n.reference) if n.reference else None
    if n.goal == "budget_usd":
        if ref is None:
            return f"{n.customer}: no alternative has a closed form for a {goal_text(n)} budget"
        return (f"{n.customer}: for {goal_text(n)} of spares, {ref.alternative} reaches the "
                f"highest availability, {avail(ref.availability)}")
    if ref is None:
        return (f"{n.customer}: no alternative reaches {goal_text(n)} at its own best spares"
                + (" in simulation" if n.verified else ""))
    text = (f"{n.customer}: {ref.alternative} reaches {goal_text(n)} for "
            f"{money_m(ref.cost_usd)} {what}")
    others = [r for r in n.reaches if r.alternative != ref.alternative and r.ok
              and not math.isnan(r.cost_usd)]
    if others:
        nxt = min(others, key=lambda r: r.cost_usd)
        gap = nxt.cost_usd - ref.cost_usd
        paired = ""
        if n.verified and not math.isnan(nxt.npv_diff_usd) and not math.isnan(nxt.npv_diff_ci):
            gap = nxt.npv_diff_usd       # the same, paired by replication, with its CI
            paired = f" ± {half_m(nxt.npv_diff_ci)}"
        text += (f", {money_m(abs(gap))}{paired} {'less' if gap >= 0 else 'more'} than "
                 f"{nxt.alternative}")
    else:
        short = [r for r in n.reaches if r.alternative != ref.alternative]
        if short:
            text += "; " + ", ".join(r.alternative for r in short) + (
                " falls short" if len(short) == 1 else " fall short")
    return text


def entry(n: NationOptimum, r: Reach) -> str:
    """One alternative's figures as the executive summary quotes them."""
    shelf = " at its own shelf (no closed form)" if r.own_shelf else ""
    if r.verified:
        below = "" if r.reaches or n.target is None else ": below target"
        return (f"{r.alternative}{shelf} {money_m(r.total_npv_usd)} ± {half_m(r.total_npv_ci)}"
                f" (simulated {avail(r.simulated)} ± {avail(r.simulated_ci)}{below})")
    if not r.answered:
        return f"{r.alternative}: no closed form, not optimized"
    if not r.met and n.target is not None:
        why = f"; {r.reasons}" if r.reasons else ""
        return (f"{r.alternative} cannot reach it (predicted {avail(r.predicted)} for "
                f"{money_m(r.spares_npv_usd)}{why})")
    return f"{r.alternative} {money_m(r.spares_npv_usd)} (predicted {avail(r.predicted)})"


def sentence(n: NationOptimum) -> str:
    """'Cost to reach 0.95 (each alternative at its own best spares; …): A …; B ….'"""
    if n.verified:
        basis = "total NPV cost, simulated, mean ± 95 % CI"
    else:
        basis = "spares and FMSO I NPV, predicted by the closed form, not simulated"
    head = (f"Cost to reach {goal_text(n)}" if n.goal == "target_availability"
            else f"Availability for {goal_text(n)} of spares")
    text = f"{head} (each alternative at its own best spares; {basis}): " + "; ".join(
        entry(n, r) for r in n.reaches) + "."
    if n.reference:
        text += (f" Cheapest that reaches it: {n.reference}." if n.goal == "target_availability"
                 else f" Highest availability: {n.reference}.")
    return text
