"""The CLSSA FMSO I recommendation: which stock numbers, how many, what the deposit is.

The decision is the FMSO I units per NSN that a CLSSA customer adds to DoD wholesale. Through
two-echelon METRIC each unit lowers wholesale backorders, hence the wait of the customer's
requisitions, hence its own backorders; that chain is convex, so marginal analysis (the next
unit where -log availability falls most per dollar of unit price) traces the efficient
cost-versus-availability curve, and the recommendation is a point on it. The customer's own
shelf stock stays as in the scenario; other customers are as in the scenario's first
alternative. ``verify`` simulates the recommended buy-in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sim.analytic.clssa import fmso1_deposit
from sim.analytic.optimize import (
    DEFAULT_CURVE_END,
    Allocation,
    AllocationCurve,
    CurveItem,
    build_curve,
)
from sim.analytic.predict import (
    DEFAULT_METHOD,
    AlternativeModel,
    CannotAnswer,
    ItemPrediction,
    Method,
    finite_fleet_availability,
    resolved_choice,
)
from sim.errors import InvalidInput
from sim.scenario.models import Alternative, Quantities, Scenario, SupportChoice

CLSSA_CATEGORIES = frozenset({"secondary"})
"""Item categories CLSSA may support (never commercial, munition or major end items)."""
MAX_UNITS = 20_000
"""Most FMSO I units the curve will consider: beyond it a target is called unreachable."""
VERIFY_ALTERNATIVE = "CLSSA buy-in (recommended)"
LOOKAHEAD = 6
"""Units of one NSN a curve step may buy at once: FMSO I units that only earmark stock DoD
already has above its protection level gain little alone (``optimize.build_curve``)."""


@dataclass(frozen=True, slots=True)
class BuyLine:
    """One line of the buy-in list."""

    nsn: str
    name: str
    quantity: int
    unit_price_usd: float
    extended_value_usd: float
    on_hand_qty: int
    on_order_qty: int
    deposit_usd: float
    ssa_surcharge_usd: float
    deposit_total_usd: float
    ebo_without_buy: float
    ebo_with_buy: float


@dataclass
class Recommendation:
    """A marginal-analysis FMSO I buy-in for one customer, with its curve and predictions."""

    scenario: Scenario
    customer: str
    base_alternative: str
    goal: Literal["target_availability", "budget_usd"]
    goal_value: float
    method: Method
    curve: AllocationCurve
    step: int
    allocation: Allocation
    quantities: dict[str, int]
    availability_start: float
    availability_limit: float
    availability: float
    availability_finite_fleet: float | None
    items: list[ItemPrediction]
    lines: list[BuyLine]
    totals: dict[str, float]
    curve_deposit: list[float]
    excluded: dict[str, str] = field(default_factory=dict)

    @property
    def alternative(self) -> Alternative:
        """The base alternative with this customer on CLSSA and this buy-in."""
        return clssa_alternative(self.scenario, self.customer, self.quantities,
                                 VERIFY_ALTERNATIVE)


def _eligible(scenario: Scenario, nsn: str) -> str | None:
    """Why CLSSA cannot support ``nsn`` (None if it can)."""
    item = scenario.item(nsn)
    if item.category not in CLSSA_CATEGORIES:
        return f"category {item.category!r} is not supported by CLSSA"
    return None


def base_alternative(scenario: Scenario, customer: str) -> Alternative:
    """Where the other customers' support (and this customer's non-CLSSA items) come from:
    the first alternative that already puts ``customer`` on CLSSA — the analyst's own CLSSA
    design — or else the scenario's first alternative."""
    for alt in scenario.alternatives:
        choice = alt.support.get(customer)
        if choice is not None and choice.option == "clssa":
            return alt
    return scenario.alternatives[0]


def clssa_alternative(scenario: Scenario, customer: str, quantities: dict[str, int],
                      name: str) -> Alternative:
    """The base alternative with ``customer`` on CLSSA for every eligible NSN (the others keep
    the base alternative's choice for them) and an FMSO I of ``quantities``; the customer's
    fallback in the base alternative, if any, stays its fallback."""
    base = base_alternative(scenario, customer)
    spec = next(c for c in scenario.customers if c.name == customer)
    overrides: dict[str, SupportChoice] = {}
    for nsn in scenario.system(spec.fleet.system).parts:
        if _eligible(scenario, nsn) is not None:
            choice = resolved_choice(base, customer, nsn)
            if choice is None:
                raise InvalidInput(f"{nsn}: CLSSA cannot support it and alternative "
                                   f"{base.name!r} has no choice for {customer!r}")
            overrides[nsn] = choice.model_copy(update={"items": {}})
    bought = {n: int(q) for n, q in quantities.items() if q > 0}
    current = base.support.get(customer)
    choice = SupportChoice(option="clssa", fmso1=Quantities(quantities=bought), items=overrides,
                           fallback=None if current is None else current.fallback)
    support = {**base.support, customer: choice}
    return Alternative(name=name, support=support)


def curve_items(model: AlternativeModel, customer: str,
                excluded: Mapping[str, str] | None = None) -> list[CurveItem]:
    """One marginal-analysis item per NSN of the customer: its EBO as FMSO I units are added
    to wholesale (constant for NSNs CLSSA cannot support, so none is ever bought)."""
    scenario = model.scenario
    spec = model.customers[customer]
    parts = scenario.system(spec.fleet.system).parts
    skip = excluded or {}

    def ebo_fn(nsn: str) -> Callable[[int], float]:
        if nsn in skip:
            fixed = model.item(customer, nsn).ebo
            return lambda q: fixed
        return lambda q: model.item(customer, nsn, q).ebo

    return [CurveItem(n, scenario.item(n).unit_price_usd, ebo_fn(n), qpa=parts[n])
            for n in parts]


def check_goal(target: float | None, budget: float | None, required: bool = True) -> None:
    """``--target-availability`` strictly between 0 and 1, ``--budget-usd`` finite and >= 0,
    one of them (exactly one when ``required``, else at most one) — exit 2 otherwise."""
    if required and (target is None) == (budget is None):
        raise InvalidInput("give exactly one of --target-availability and --budget-usd")
    if target is not None and budget is not None:
        raise InvalidInput("give at most one of --target-availability and --budget-usd")
    if target is not None and not 0.0 < target < 1.0:
        raise InvalidInput(f"--target-availability must lie strictly between 0 and 1, "
                           f"got {target}")
    if budget is not None and not (math.isfinite(budget) and budget >= 0):
        raise InvalidInput(f"--budget-usd must be a finite amount >= 0, got {budget}")


def recommend(
    scenario: Scenario,
    customer: str,
    *,
    target_availability: float | None = None,
    budget_usd: float | None = None,
    method: Method = DEFAULT_METHOD,
) -> Recommendation:
    """Choose FMSO I quantities by marginal analysis; InvalidInput when it cannot be done."""
    spec = next((c for c in scenario.customers if c.name == customer), None)
    if spec is None:
        names = ", ".join(repr(c.name) for c in scenario.customers)
        raise InvalidInput(f"--customer: no customer {customer!r} in the scenario ({names})")
    if spec.kind != "fms":
        raise InvalidInput(f"--customer: {customer!r} is a US unit; CLSSA is for FMS customers")
    check_goal(target_availability, budget_usd)

    parts = scenario.system(spec.fleet.system).parts
    excluded = {n: why for n in parts if (why := _eligible(scenario, n)) is not None}
    if len(excluded) == len(parts):
        raise InvalidInput(f"{customer!r}: no NSN of its system can be supported by CLSSA")
    alt = clssa_alternative(scenario, customer, {}, VERIFY_ALTERNATIVE)
    model = AlternativeModel(scenario, alt, method=method)
    if model.problems[customer]:
        raise InvalidInput(f"{customer!r} on CLSSA has no closed form: "
                           + "; ".join(model.reasons(customer)))
    try:
        start = [model.item(customer, n) for n in parts]
        limit = [model.item(customer, n, 0 if n in excluded else math.inf) for n in parts]
    except CannotAnswer as exc:
        raise InvalidInput(f"{customer!r} on CLSSA has no closed form: {exc}") from None
    a_start = model.availabilities(spec, start)[0]
    a_limit = model.availabilities(spec, limit)[0]

    items = curve_items(model, customer, excluded)
    n_aircraft = spec.fleet.aircraft
    end = min(DEFAULT_CURVE_END, a_start + 0.995 * (a_limit - a_start))
    if target_availability is not None:
        if target_availability >= a_limit:
            raise InvalidInput(
                f"--target-availability {target_availability:g} is unreachable for "
                f"{customer!r}: even unlimited FMSO I gives at most {a_limit:.4f}, because its "
                "own shelf stock must still cover the US-to-customer shipping pipeline (raise "
                "its initial stock or shorten that leg)")
        curve = build_curve(items, n_aircraft, target_availability=max(end, target_availability),
                            max_units=MAX_UNITS, objective="availability", lookahead=LOOKAHEAD)
        if curve.availability[-1] < target_availability:
            raise InvalidInput(f"--target-availability {target_availability:g} not reached "
                               f"within {MAX_UNITS} FMSO I units "
                               f"(best {curve.availability[-1]:.4f})")
        chosen = curve.for_target_availability(target_availability)
        goal: Literal["target_availability", "budget_usd"] = "target_availability"
        goal_value = float(target_availability)
    else:
        assert budget_usd is not None
        curve = build_curve(items, n_aircraft, target_availability=end, max_units=MAX_UNITS,
                            objective="availability", lookahead=LOOKAHEAD)
        chosen = curve.for_budget(budget_usd)
        goal, goal_value = "budget_usd", float(budget_usd)

    assert chosen.step is not None
    step = chosen.step
    quantities = {n: q for n, q in chosen.purchased.items() if q > 0}
    final = [model.item(customer, n, quantities.get(n, 0)) for n in parts]
    availability = model.availabilities(spec, final)[0]
    bought_alt = clssa_alternative(scenario, customer, quantities, VERIFY_ALTERNATIVE)
    finite = finite_fleet_availability(scenario, bought_alt, method=method).get(customer)

    ws = scenario.wholesale
    prices = {n: scenario.item(n).unit_price_usd for n in parts}
    deposit = fmso1_deposit(quantities, prices, ws.stock, ws.protection_level)
    before = {it.nsn: it.ebo for it in start}
    after = {it.nsn: it.ebo for it in final}
    lines = [
        BuyLine(nsn=n, name=scenario.item(n).name, quantity=row["quantity"],
                unit_price_usd=row["unit_price_usd"], extended_value_usd=row["extended_value"],
                on_hand_qty=row["on_hand_qty"], on_order_qty=row["on_order_qty"],
                deposit_usd=row["deposit"], ssa_surcharge_usd=row["ssa_surcharge"],
                deposit_total_usd=row["total"], ebo_without_buy=before[n],
                ebo_with_buy=after[n])
        for n, row in deposit["items"].items()
    ]
    return Recommendation(
        scenario=scenario, customer=customer,
        base_alternative=base_alternative(scenario, customer).name,
        goal=goal, goal_value=goal_value, method=method, curve=curve, step=step,
        allocation=chosen, quantities=quantities, availability_start=a_start,
        availability_limit=a_limit, availability=availability,
        availability_finite_fleet=finite, items=final, lines=lines,
        totals=deposit["totals"], curve_deposit=_curve_deposits(scenario, curve),
        excluded=excluded)


def _curve_deposits(scenario: Scenario, curve: AllocationCurve) -> list[float]:
    """FMSO I deposit (with SSA surcharge) at every point of the curve, built up unit by unit:
    a unit is on hand while the NSN still has stock above its protection level."""
    ws = scenario.wholesale
    bought: dict[str, int] = {}
    total = 0.0
    out = [0.0]
    for k in curve.choices:
        nsn = curve.items[int(k)].nsn
        price = scenario.item(nsn).unit_price_usd
        free = max(0, ws.stock.get(nsn, 0) - ws.protection_level.get(nsn, 0))
        one = fmso1_deposit({nsn: 1}, {nsn: price}, {nsn: free - bought.get(nsn, 0)}, {})
        total += one["totals"]["total"]
        bought[nsn] = bought.get(nsn, 0) + 1
        out.append(total)
    return [out[curve.units_at(k)] for k in range(len(curve))]


# -- verification by simulation ------------------------------------------------------------

MATURITY_QUANTILE = 0.99
"""Warm-up of the verification run covers this quantile of the procurement lead time, so that
almost every NSN's FMSO I has matured (the simulator draws each NSN's maturity) before
statistics start."""


@dataclass
class VerifyPlan:
    """The scenario copy that simulates the recommendation, and what was changed to make it."""

    scenario: Scenario
    alternative_index: int
    replications: int
    changes: list[str]


@dataclass
class VerifyResult:
    """Simulated availability of the recommended buy-in beside the prediction."""

    replications: int
    availability: list[float]
    mean: float
    half_width: float
    backorders_mean: float
    backorders_half_width: float
    warmup_days: float
    horizon_days: float
    changes: list[str]


def _lead_time_quantile(scenario: Scenario, q: float) -> float:
    """A high quantile of the procurement lead time, by sampling the simulator's own law."""
    import numpy as np

    from sim.model.distributions import sampler

    draw = sampler(scenario.wholesale.procurement_lead_time_days, np.random.default_rng(12345))
    return float(np.quantile([draw() for _ in range(4000)], q))


def verification_plan(rec: Recommendation, replications: int | None) -> VerifyPlan:
    """A copy of the scenario with one more alternative — the first alternative with this
    customer on CLSSA and the recommended FMSO I — validated like any scenario file.

    If any FMSO I is in play, warm-up is raised to cover its maturity (and the horizon moved
    by as much, so the measured window keeps its length): before maturity the customer draws
    on wholesale stock alone, which is not what the closed form predicts."""
    import yaml

    from sim.scenario import ScenarioError, parse_text

    scenario = rec.scenario
    data = scenario.model_dump(mode="json", exclude_none=True)
    alt = rec.alternative.model_dump(mode="json", exclude_none=True)
    names = {a.name for a in scenario.alternatives}
    while alt["name"] in names:
        alt["name"] += "'"
    data["alternatives"].append(alt)
    changes = [(f"alternative {alt['name']!r}: {rec.base_alternative!r} with "
               f"{rec.customer} on CLSSA and the recommended FMSO I")]
    model = AlternativeModel(scenario, rec.alternative)
    if any(model.fmso1.values()):
        maturity = _lead_time_quantile(scenario, MATURITY_QUANTILE)
        if maturity > scenario.warmup_days:
            window = scenario.horizon_days - scenario.warmup_days
            data["warmup_days"] = round(maturity, 2)
            data["horizon_days"] = round(maturity + window, 2)
            changes.append(
                f"warm-up raised from {scenario.warmup_days:g} to {data['warmup_days']:g} days "
                f"(the {MATURITY_QUANTILE:.0%} quantile of the procurement lead time, when FMSO I "
                f"matures) and the horizon to {data['horizon_days']:g} days, keeping the "
                f"{window:g}-day measured window")
    from sim.analytic.predict import scenario_notes
    from sim.model.timeline import standard_until

    parts = scenario.system(next(c for c in scenario.customers
                                 if c.name == rec.customer).fleet.system).parts
    standard = standard_until(scenario, rec.alternative)
    leaves = min(standard[(rec.customer, n)] for n in parts)
    cut = data["warmup_days"] + 30.0 < leaves < data["horizon_days"]
    if cut:
        changes.append(f"horizon cut to day {leaves:g}, when the customer's items become "
                       "non-standard "
                       "for it and CLSSA (and the buy-in) stops applying")
        data["horizon_days"] = leaves
    changes += [f"caution: {n}" for n in scenario_notes(scenario)
                if not n.startswith("warm-up is shorter")
                and not (cut and n.startswith("items leaving"))]
    if replications is not None:
        data["replications"] = replications
    try:
        copy = parse_text(yaml.safe_dump(data, sort_keys=False), f"{scenario.scenario} (verify)")
    except ScenarioError as exc:
        raise InvalidInput("--verify: the verification scenario is not valid:\n"
                           + exc.report()) from None
    return VerifyPlan(copy, len(copy.alternatives) - 1, copy.replications, changes)


def run_verification(plan: VerifyPlan, customer: str, workers: int | None = None,
                     on_unit=None) -> VerifyResult:
    """Simulate the plan's alternative over its replications (a local process pool)."""
    from concurrent.futures import as_completed

    from analysis.stats import mean_ci
    from sim.runner import local_executor, simulate_unit

    rows: dict[int, dict] = {}
    reps = range(plan.replications)
    with local_executor(workers or 0) as pool:
        if pool is None:
            for r in reps:
                rows[r] = _customer_row(simulate_unit(plan.scenario, plan.alternative_index, r,
                                                      False), customer)
                if on_unit:
                    on_unit()
        else:
            futures = {pool.submit(simulate_unit, plan.scenario, plan.alternative_index, r,
                                   False): r for r in reps}
            for fut in as_completed(futures):
                rows[futures[fut]] = _customer_row(fut.result(), customer)
                if on_unit:
                    on_unit()
    avail = [float(rows[r]["availability"]) for r in reps]
    backorders = [float(rows[r]["backorders_mean"]) for r in reps]
    m, h = mean_ci(avail)
    bm, bh = mean_ci(backorders)
    return VerifyResult(plan.replications, avail, m, h, bm, bh, plan.scenario.warmup_days,
                        plan.scenario.horizon_days, plan.changes)


def _customer_row(tables: dict[str, list[dict]], customer: str) -> dict:
    return next(r for r in tables["summary"] if r["customer"] == customer)


def explain(rec: Recommendation, result: VerifyResult) -> list[str]:
    """How far prediction and simulation differ, and why, in a few sentences."""
    pred, finite = rec.availability, rec.availability_finite_fleet
    lines = [(f"Simulated availability {result.mean:.4f} ± {result.half_width:.4f} (95 % CI, "
              f"{result.replications} replications) against {pred:.4f} predicted by METRIC: "
              f"{(result.mean - pred) * 100:+.2f} points.")]
    cautions = [c for c in result.changes if c.startswith("caution: ")]
    if cautions:
        lines.append("The simulation also includes what the closed form leaves out, so part of "
                     "the difference is that: " + "; ".join(c[9:] for c in cautions) + ".")
    if finite is not None:
        lines.append(
            f"Why: {(finite - pred) * 100:+.2f} points come from the finite fleet — NMCS "
            "aircraft do not fly, so demand runs at about availability x the full-fleet rate, "
            f"which METRIC ignores (finite-fleet prediction {finite:.4f}); the other "
            f"{(result.mean - finite) * 100:+.2f} points are sampling error (± "
            f"{result.half_width * 100:.2f}) and the closed form's approximations: wholesale "
            "delay as a mean wait (VARI-METRIC variance), depot queues as M/G/c, UMMIPS "
            "priorities ignored.")
    if rec.goal == "target_availability":
        lo = result.mean - result.half_width
        hi = result.mean + result.half_width
        verdict = ("exceeds" if lo >= rec.goal_value else
                   "covers" if hi >= rec.goal_value else "falls short of")
        lines.append(f"The simulated 95 % CI [{lo:.4f}, {hi:.4f}] {verdict} the target "
                     f"{rec.goal_value:g}.")
    return lines
