"""The recommendation per FMS customer, and the rule that chose it.

A recommendation is only as good as the rule behind it, so the rule is named beside every
choice. Rules are tried in order and the first that can decide does:

1. ``TargetRule`` — the customer states an ``availability_target`` in the scenario: the
   cheapest alternative (mean NPV cost) whose availability meets the target in at least 90 %
   of replications.
2. ``FrontierRule`` — no target (or none meets it): the efficient frontier (no other
   alternative both cheaper and more available), climbed from its cheapest point while a step
   buys aircraft kept flying for less than the nation already pays per aircraft flying; that
   is the frontier point with the lowest NPV cost per aircraft kept flying. Each step up the
   frontier is priced: marginal NPV cost per point of availability and per extra aircraft.
3. ``OnlyRule`` — a single alternative.

A later source of answers (the fair comparison's ``optimize`` results: each alternative at
its own best spares, cost to reach the target) plugs in as one more ``Rule`` placed first in
``RULES``: it reads its table from the ``Bca`` and returns ``None`` when the table is absent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Protocol

import numpy as np
import pandas as pd

from analysis import stats

PROBABILITY = 0.90  # the target must be met in at least this share of replications


@dataclass(frozen=True)
class Estimate:
    mean: float
    ci: float  # 95 % half-width; NaN with one replication

    @property
    def significant(self) -> bool:
        return not math.isnan(self.ci) and abs(self.mean) > self.ci


@dataclass(frozen=True)
class Step:
    """One step up the efficient frontier, from a cheaper to a more available alternative."""

    lower: str
    upper: str
    points: float          # availability gained, percentage points
    npv_usd: float         # NPV cost added
    aircraft: float        # aircraft kept flying added (fleet x availability gained)

    @property
    def per_point_usd(self) -> float:
        return self.npv_usd / self.points if self.points > 0 else math.nan

    @property
    def per_aircraft_usd(self) -> float:
        return self.npv_usd / self.aircraft if self.aircraft > 0 else math.nan


@dataclass
class Recommendation:
    customer: str
    alternative: str
    rule: str               # "target", "frontier", "only"
    rule_text: str          # the rule in words, for the reader
    reason: str             # why this alternative under the rule
    runner_up: str | None = None
    # runner-up minus recommended, paired by replication: metric -> Estimate
    separation: dict[str, Estimate] = field(default_factory=dict)
    frontier: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    target: float | None = None
    meets: dict[str, float] = field(default_factory=dict)   # alternative -> share meeting
    per_aircraft: dict[str, Estimate] = field(default_factory=dict)  # NPV per aircraft flying
    aircraft: float = math.nan
    notes: list[str] = field(default_factory=list)


class Context(Protocol):
    """What a rule reads (a ``Bca`` provides it)."""

    alternatives: list[str]
    comparison: pd.DataFrame

    @property
    def result(self): ...


class Rule(Protocol):
    name: str

    def choose(self, ctx: Context, customer: str) -> Recommendation | None: ...


def fleet_size(ctx: Context, customer: str) -> float:
    """Aircraft in the customer's fleet (its bases' aircraft when it has bases), or the
    summary's NMCS aircraft over the NMCS fraction when the scenario does not say."""
    spec = ctx.result.customer_spec(customer)
    fleet = spec.get("fleet") or {}
    if fleet.get("aircraft"):
        return float(fleet["aircraft"])
    bases = spec.get("bases") or []
    if bases and all(b.get("aircraft") for b in bases):
        return float(sum(b["aircraft"] for b in bases))
    s = ctx.result.summary
    s = s[(s["customer"] == customer) & (s["availability"] < 1)]
    if not s.empty and "nmcs_aircraft_mean" in s.columns:
        return float((s["nmcs_aircraft_mean"] / (1 - s["availability"])).median())
    return math.nan


def _rows(ctx: Context, customer: str) -> pd.DataFrame:
    t = ctx.comparison[ctx.comparison["customer"] == customer].set_index("alternative")
    return t.reindex([a for a in ctx.alternatives if a in t.index])


def _per_rep(ctx: Context, customer: str) -> pd.DataFrame:
    s = ctx.result.summary
    return s[s["customer"] == customer]


def paired(ctx: Context, customer: str, a: str, b: str, column: str) -> Estimate:
    """``a`` minus ``b`` on ``column``, paired by replication."""
    s = _per_rep(ctx, customer)
    x = s[s["alternative"] == a].set_index("replication")[column]
    y = s[s["alternative"] == b].set_index("replication")[column]
    j = pd.concat([x.rename("x"), y.rename("y")], axis=1).dropna()
    return Estimate(*stats.mean_ci(j["x"] - j["y"])) if not j.empty else Estimate(math.nan,
                                                                                  math.nan)


def per_aircraft(ctx: Context, customer: str) -> dict[str, Estimate]:
    """NPV cost per aircraft kept flying (fleet x availability), mean and CI over
    replications, per alternative."""
    n = fleet_size(ctx, customer)
    s = _per_rep(ctx, customer)
    out = {}
    for alt in ctx.alternatives:
        a = s[s["alternative"] == alt]
        if a.empty or "npv_cost_usd" not in a.columns or not n > 0:
            continue
        flying = n * a["availability"].to_numpy(dtype=float)
        ratio = np.where(flying > 0, a["npv_cost_usd"].to_numpy(dtype=float) /
                         np.where(flying > 0, flying, 1.0), np.nan)
        out[alt] = Estimate(*stats.mean_ci(ratio))
    return out


def separation(ctx: Context, customer: str, chosen: str, other: str) -> dict[str, Estimate]:
    """What separates the runner-up from the choice: runner-up minus choice, paired."""
    cols = [c for c in ("availability", "npv_cost_usd", "cwt_days_mean") if c in
            ctx.result.summary.columns]
    out = {c: paired(ctx, customer, other, chosen, c) for c in cols}
    n = fleet_size(ctx, customer)
    if n > 0 and "npv_cost_usd" in ctx.result.summary.columns:
        s = _per_rep(ctx, customer).copy()
        s["_per_aircraft"] = s["npv_cost_usd"] / (n * s["availability"]).where(
            s["availability"] > 0)
        x = s[s["alternative"] == other].set_index("replication")["_per_aircraft"]
        y = s[s["alternative"] == chosen].set_index("replication")["_per_aircraft"]
        j = pd.concat([x.rename("x"), y.rename("y")], axis=1).dropna()
        if not j.empty:
            out["npv_per_aircraft_usd"] = Estimate(*stats.mean_ci(j["x"] - j["y"]))
    return out


def frontier_steps(t: pd.DataFrame, aircraft: float) -> tuple[list[str], list[Step]]:
    """The efficient alternatives from cheapest to most available, and each step's price."""
    on = stats.efficient(t["npv_cost_usd"], t["availability"])
    front = [a for a, o in zip(t.index, on, strict=True) if o]
    front.sort(key=lambda a: (t.loc[a, "npv_cost_usd"], -t.loc[a, "availability"]))
    steps = []
    for lo, hi in pairwise(front):
        gain = float(t.loc[hi, "availability"] - t.loc[lo, "availability"])
        steps.append(Step(lo, hi, 100 * gain,
                          float(t.loc[hi, "npv_cost_usd"] - t.loc[lo, "npv_cost_usd"]),
                          aircraft * gain if aircraft > 0 else math.nan))
    return front, steps


def below_text(s: pd.DataFrame, alternative: str, target: float) -> str:
    """'P(below target) 0 %, 95 % CI 0–56 %': the risk table's figure (``target_risk``)."""
    from analysis.target_risk import wilson

    a = s.loc[s["alternative"] == alternative, "availability"]
    k, n = int((a < target).sum()), int(a.count())
    lo, hi = wilson(k, n)
    return f"P(below target) {100 * k / n:.0f} %, 95 % CI {100 * lo:.0f}–{100 * hi:.0f} %"


class TargetRule:
    name = "target"

    def choose(self, ctx: Context, customer: str) -> Recommendation | None:
        spec = ctx.result.customer_spec(customer)
        target = spec.get("availability_target")
        if target is None:
            return None
        target = float(target) / (100.0 if float(target) > 1 else 1.0)
        t = _rows(ctx, customer)
        s = _per_rep(ctx, customer)
        meets = {a: float((s.loc[s["alternative"] == a, "availability"] >= target).mean())
                 for a in t.index}
        ok = sorted((a for a in t.index if meets[a] >= PROBABILITY - 1e-12),
                    key=lambda a: t.loc[a, "npv_cost_usd"])
        rule_text = (f"{customer}'s target is {100 * target:.1f} % supply availability (not "
                     f"NMCS): the cheapest alternative (mean NPV cost) whose supply availability "
                     f"meets it in at least {100 * PROBABILITY:.0f} % of replications, i.e. "
                     f"with a probability of falling below it (P(below target) in the risk "
                     f"table) of at most {100 * (1 - PROBABILITY):.0f} %.")
        if not ok:
            best = max(meets, key=lambda a: (meets[a], t.loc[a, "availability"]))
            rec = FrontierRule().choose(ctx, customer)
            if rec is not None:
                rec.target, rec.meets = target, meets
                rec.notes.append(
                    f"No alternative meets {customer}'s target of {100 * target:.1f} % in "
                    f"{100 * PROBABILITY:.0f} % of replications (closest: {best}, "
                    f"{100 * meets[best]:.0f} %), so the frontier rule decides.")
            return rec
        chosen = ok[0]
        runner = ok[1] if len(ok) > 1 else max(
            (a for a in t.index if a != chosen), key=lambda a: (meets[a],
                                                                -t.loc[a, "npv_cost_usd"]),
            default=None)
        n = fleet_size(ctx, customer)
        front, steps = frontier_steps(t, n)
        why = (f"meets the target in {100 * meets[chosen]:.0f} % of replications "
               f"({below_text(s, chosen, target)}) at the lowest NPV cost of those that do")
        if len(ok) == 1:
            why = (f"the only alternative that meets the target in at least "
                   f"{100 * PROBABILITY:.0f} % of replications ({100 * meets[chosen]:.0f} %; "
                   f"{below_text(s, chosen, target)})")
        return Recommendation(
            customer, chosen, "target", rule_text, why, runner,
            separation(ctx, customer, chosen, runner) if runner else {}, front, steps,
            target, meets, per_aircraft(ctx, customer), n)


class FrontierRule:
    name = "frontier"

    def choose(self, ctx: Context, customer: str) -> Recommendation | None:
        t = _rows(ctx, customer)
        if len(t) < 2 or "npv_cost_usd" not in t.columns:
            return None
        n = fleet_size(ctx, customer)
        front, steps = frontier_steps(t, n)
        pa = per_aircraft(ctx, customer)
        chosen = min(front, key=lambda a: pa[a].mean if a in pa else math.inf)
        # Runner-up: the neighbour on the frontier nearest in cost per aircraft flying.
        i = front.index(chosen)
        neighbours = [front[j] for j in (i - 1, i + 1) if 0 <= j < len(front)]
        runner = min(neighbours, key=lambda a: pa[a].mean) if neighbours else None
        if runner is None:
            others = [a for a in t.index if a != chosen]
            runner = min(others, key=lambda a: pa[a].mean) if others else None
        rule_text = ("No availability target is set: of the alternatives on the efficient "
                     "frontier (none is both cheaper and more available), the one with the "
                     "lowest NPV cost per aircraft kept flying — the frontier is climbed while "
                     "a step buys extra aircraft flying for less than the average already "
                     "paid per aircraft.")
        m = pa[chosen]
        why = (f"lowest NPV cost per aircraft kept flying on the frontier: "
               f"${m.mean / 1e6:,.2f} M per aircraft (± {m.ci / 1e6:,.2f})")
        if len(front) == 1:
            why = ("dominates: the highest availability and the lowest NPV cost of all "
                   "alternatives")
        return Recommendation(customer, chosen, "frontier", rule_text, why, runner,
                              separation(ctx, customer, chosen, runner) if runner else {},
                              front, steps, None, {}, pa, n)


class OnlyRule:
    name = "only"

    def choose(self, ctx: Context, customer: str) -> Recommendation | None:
        t = _rows(ctx, customer)
        if t.empty:
            return None
        alt = t.index[0]
        return Recommendation(customer, alt, "only", "One alternative was simulated.",
                              "the only alternative", None, {}, [alt], [], None, {},
                              per_aircraft(ctx, customer), fleet_size(ctx, customer))


RULES: list[Rule] = [TargetRule(), FrontierRule(), OnlyRule()]


def recommend(ctx: Context, customer: str, rules: list[Rule] | None = None
              ) -> Recommendation | None:
    """The first rule that decides."""
    for rule in rules or RULES:
        rec = rule.choose(ctx, customer)
        if rec is not None:
            return rec
    return None
