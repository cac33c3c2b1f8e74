"""``sustain optimize``: a fair comparison — every alternative at its own best spares.

Run with one shelf for all, alternatives are ranked by how well that shelf suits each; a BCA
compares them at equal readiness (or equal budget) instead. For every alternative and FMS
customer this module chooses the customer's in-country spares per NSN and place (central
store or single shelf, and bases) — and, where the alternative puts an NSN on CLSSA, jointly
its FMSO I buy-in — by marginal analysis on the closed form (VARI-METRIC; availability gained
per dollar of NPV: ``sim.analytic.spares``), keeps the efficient (convex-hull) points of the
cost-versus-availability curve, and takes the cheapest point that meets the target (or the
best within the budget).

Costs are NPVs in constant dollars by the simulator's own rules, so prediction and simulation
count money alike: a purchased spare costs its standard price plus the FMS surcharge at day 0
less ``residual_value_fraction`` of its price credited in the horizon's year (none for units
the Total Package Approach already delivered); an FMSO I unit costs its deposit (30 % of its
price when DoD earmarks stock above its protection level, plus the 5 % SSA surcharge; 70 %
when it must be procured) at day 0. The running costs (repairs, exchanges, transport) do not
depend on the shelf when the fleet flies its program, so they come from simulation:
``--verify`` simulates every alternative at its own optimum with common random numbers and
reports availability and total cost with confidence intervals, the paired differences, and
why simulation and prediction differ.

Writes to ``results/<scenario>/optimize/`` (or ``--out``): ``optimum.csv|parquet`` (per
alternative and customer), ``stock.csv|parquet`` (units per NSN and place, ``fmso1`` for the
buy-in), ``curves.csv|parquet`` (every step, ``on_hull`` marking the efficient points),
``optimum.yaml`` (the scenario with each alternative's optimum filled in), and with
``--verify`` the simulation's result directory ``verify/`` and ``verify.csv|parquet``.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analytic.clssa import ON_HAND_RATE, ON_ORDER_RATE, SSA_SURCHARGE_RATE
from sim.analytic.fair_args import add_parser
from sim.analytic.spares import CENTRAL, FMSO1, Placement, placement_problem
from sim.errors import InvalidInput
from sim.recorder import DAYS_PER_YEAR
from sim.scenario.models import Alternative, Quantities, Scenario

EXIT_OK = 0
CURVE_END = 0.999
"""The availability each alternative's curve is drawn to (or as far as spares help)."""
MAX_UNITS = 20_000
MAX_MODEL_TARGET = 0.995  # the most a simulated round asks the closed form for
MIN_CORRECTION = 0.005    # the least it raises the closed form's aim in a round
MAX_ROUNDS = 3           # passes over the customers of an alternative
MAX_REEVALUATIONS = 40    # whole-scenario evaluations when stepping up the curve
CREDIT_DAY_BEFORE_HORIZON = 1e-6     # as sim.model.initial_spares


# -- money: the simulator's discounting ----------------------------------------------------------
def discount(scenario: Scenario, day: float) -> float:
    """End-of-year factor of a cost paid on ``day`` (``sim.recorder.Recorder.discount_factor``)."""
    return 1.0 / (1.0 + scenario.discount_rate) ** (int(day / DAYS_PER_YEAR) + 1)


def shelf_unit_npv(scenario: Scenario, price: float) -> float:
    """NPV of buying one in-country spare at day 0 (surcharged) less its residual value."""
    credit_day = scenario.horizon_days - CREDIT_DAY_BEFORE_HORIZON
    return (price * (1.0 + scenario.fms_surcharge_rate) * discount(scenario, 0.0)
            - scenario.residual_value_fraction * price * discount(scenario, credit_day))


def fmso1_cost(scenario: Scenario, price: float, free: int):
    """Cost of adding FMSO I units: the deposit, on-hand units first (``free`` of them)."""
    df = discount(scenario, 0.0)
    on_hand = price * (ON_HAND_RATE + SSA_SURCHARGE_RATE) * df
    on_order = price * ON_ORDER_RATE * df

    def cost(have: int, j: int) -> float:
        first = max(0, min(j, free - have))
        return first * on_hand + (j - first) * on_order
    return cost


# -- one alternative, one customer ----------------------------------------------------------------
@dataclass
class Optimum:
    """The cheapest allocation of one customer's spares under one alternative that meets the
    goal, its curve, and the scenario's own allocation beside it."""

    alternative: str
    customer: str
    answered: bool
    target: float | None = None
    reasons: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    stock: dict[str, dict[str, int]] = field(default_factory=dict)    # nsn -> place -> units
    availability: float = math.nan
    met: bool = False
    spares_npv_usd: float = math.nan        # shelf and bases
    fmso1_npv_usd: float = math.nan
    spares_value_usd: float = math.nan      # at standard price, for the record
    baseline_availability: float = math.nan
    baseline_npv_usd: float = math.nan
    curve: list[dict] = field(default_factory=list)
    availability_finite_fleet: float = math.nan
    availability_curve: float = math.nan    # the placement curve's figure at the chosen step
    model_target: float | None = None       # what the closed form was asked to reach
    round: int = 1                          # the --verify round that chose this optimum
    chosen_step: int = -1

    @property
    def npv_usd(self) -> float:
        return self.spares_npv_usd + self.fmso1_npv_usd


def _without_buy_in(alternative: Alternative, customer: str) -> Alternative:
    """The alternative with the customer's FMSO I emptied: the optimizer chooses it."""
    choice = alternative.support.get(customer)
    if choice is None or choice.option != "clssa":
        return alternative
    support = {**alternative.support,
               customer: choice.model_copy(update={"fmso1": Quantities(quantities={})})}
    return alternative.model_copy(update={"support": support})


def _clssa_nsns(alternative: Alternative, customer: str, parts) -> set[str]:
    from sim.analytic.predict import resolved_choice

    return {n for n in parts if (c := resolved_choice(alternative, customer, n)) is not None
            and c.option == "clssa"}


def optimize_one(scenario: Scenario, alternative: Alternative, customer: str, *,
                 target: float | None, budget: float | None,
                 stated: Scenario | None = None) -> Optimum:
    """Marginal analysis for one customer under one alternative (``scenario`` may hold the
    other customers at their optimum; ``stated`` is the scenario as written, the baseline)."""
    from sim.analytic.predict import AlternativeModel, CannotAnswer

    spec = next(c for c in scenario.customers if c.name == customer)
    out = Optimum(alternative.name, customer, False, target)
    variant = _without_buy_in(alternative, customer)
    try:
        model = AlternativeModel(scenario, variant)
    except CannotAnswer as exc:
        out.reasons = [str(exc)]
        return out
    if model.problems[customer]:
        out.reasons = model.reasons(customer)
        return out
    prices = {n: scenario.item(n).unit_price_usd for n in model.parts[customer]}
    tpa = spec.initial_stock_source == "tpa"
    problem = build_problem(scenario, variant, customer, model)
    out.places = [CENTRAL] + [b.name for b in spec.bases] if spec.bases else [CENTRAL]
    own = _own_stock(model, customer, spec, problem)
    start = own if tpa else None
    goal_end = CURVE_END if target is None else max(CURVE_END, target)
    curve = problem.curve(target=goal_end, max_units=MAX_UNITS, start=start)
    points = [(s[2], s[3]) for s in curve.steps]
    hull = set(efficient(points))
    out.curve = [{"step": k, "nsn": s[0], "place": s[1], "cost_npv_usd": s[2],
                  "availability": s[3], "on_hull": k in hull}
                 for k, s in enumerate(curve.steps)]
    chosen = _choose(points, target, budget)

    def at(k: int) -> float:
        """Step k's availability in the whole scenario (the other customers' demand on DoD
        stock, the FMSO I level's effect on it): the figure the optimum is judged by."""
        out.stock = {net.nsn: {p: int(q) for p, q in alloc.items() if q}
                     for net, alloc in zip(problem.networks, curve.allocations[k], strict=True)}
        value = _whole(scenario, alternative, out)
        return points[k][1] if math.isnan(value) else value

    out.answered = True                     # the stock below is this customer's answer
    full = at(chosen)
    if target is not None and full < target:
        chosen, full = _step_forward(points, chosen, full, target, at)
    out.met = target is None or full >= target
    if not out.met:
        best = max(p[1] for p in points)
        out.reasons = [(f"the target {target:g} is beyond what spares can buy under this "
                        f"alternative (at most {best:.4f} on the placement curve, {full:.4f} "
                        "in the whole scenario at its last step): the support option's "
                        "pipeline sets the limit")]
    allocation = curve.allocations[chosen]
    at(chosen)
    out.availability = full
    out.availability_curve = points[chosen][1]
    out.chosen_step = chosen
    out.spares_npv_usd, out.fmso1_npv_usd = _split_cost(problem, allocation, start)
    out.spares_value_usd = sum(prices[n] * sum(q for p, q in st.items() if p != FMSO1)
                               for n, st in out.stock.items())
    # The baseline is the alternative as the scenario states it: its shelf and its FMSO I.
    stated = stated or scenario
    base = AlternativeModel(stated, next(a for a in stated.alternatives
                                         if a.name == alternative.name)
                            ).customer_availability(customer)
    out.baseline_availability = problem.availability(own) if base is None else base
    out.baseline_npv_usd = 0.0 if tpa else sum(
        net.cost(p, 0, q) for net, st in zip(problem.networks, own, strict=True)
        for p, q in st.items())
    out.answered = True
    return out


def _whole(scenario: Scenario, alternative: Alternative, opt: Optimum) -> float:
    """The customer's availability with ``opt.stock`` written into the scenario (the other
    customers as stated), by the same closed form as ``sustain analytic``."""
    from sim.analytic.predict import AlternativeModel

    full = optimum_scenario(scenario, [opt])
    alt = next(a for a in full.alternatives if a.name == alternative.name)
    value = AlternativeModel(full, alt).customer_availability(opt.customer)
    return math.nan if value is None else value


def _step_forward(points, chosen: int, full: float, target: float, at) -> tuple[int, float]:
    """Walk up the curve from ``chosen`` until the whole-scenario availability meets the
    target: jump to the first step whose curve figure clears the target by the gap seen, then
    one step at a time (bounded; the last step evaluated when none meets it)."""
    k, tries = chosen, 0
    while full < target and k < len(points) - 1 and tries < MAX_REEVALUATIONS:
        gap = points[k][1] - full
        aim = min(target + gap, points[-1][1])
        nxt = next((j for j in range(k + 1, len(points)) if points[j][1] >= aim - 1e-12),
                   len(points) - 1)
        if tries >= 4:                     # the jumps overshoot nothing: walk one at a time
            nxt = k + 1
        k, full, tries = nxt, at(nxt), tries + 1
    return k, full


def build_problem(scenario: Scenario, alternative: Alternative, customer: str,
                  model=None) -> Placement:
    """The placement problem of one customer under an alternative whose buy-in for it is
    open: shelf units at their NPV, and FMSO I units for the NSNs the alternative puts on
    CLSSA (their pipeline as the level grows, their deposit)."""
    from sim.analytic.predict import AlternativeModel

    if model is None:
        model = AlternativeModel(scenario, alternative)
    prices = {n: scenario.item(n).unit_price_usd for n in model.parts[customer]}
    problem = placement_problem(model, customer,
                                unit_cost=lambda n: shelf_unit_npv(scenario, prices[n]))
    ws = scenario.wholesale
    clssa = _clssa_nsns(alternative, customer, model.parts[customer])
    for net in problem.networks:
        if net.nsn in clssa:
            net.law = _law(model, model._rows[(customer, net.nsn)])
            free = max(0, int(ws.stock.get(net.nsn, 0))
                       - int(ws.protection_level.get(net.nsn, 0)))
            net.fmso1_cost = fmso1_cost(scenario, prices[net.nsn], free)
    return problem


def _law(model, i: int):
    cache: dict[int, tuple[float, float]] = {}

    def law(f: int) -> tuple[float, float]:
        if f not in cache:
            fig = model._figures(np.array([i]), np.array([int(f)], dtype=np.int64))
            cache[f] = (float(fig["mean"][0]), float(fig["var"][0]))
        return cache[f]
    return law


def _own_stock(model, customer: str, spec, problem: Placement) -> list[dict[str, int]]:
    """The scenario's own in-country stock under the alternative, per NSN and place."""
    rows = []
    for net in problem.networks:
        row = {CENTRAL: int(model.shelf[customer][net.nsn])}
        for b in spec.bases:
            row[b.name] = int(model._base_units[customer][b.name][net.nsn])
        rows.append(row)
    return rows


def _split_cost(problem: Placement, allocation, start) -> tuple[float, float]:
    """NPV of the shelf units and of the FMSO I units an allocation adds to ``start``."""
    shelf = fmso = 0.0
    for i, (net, alloc) in enumerate(zip(problem.networks, allocation, strict=True)):
        base = start[i] if start is not None else {}
        for place, q in alloc.items():
            added = q - int(base.get(place, 0))
            if added > 0:
                c = net.cost(place, int(base.get(place, 0)), added)
                if place == FMSO1:
                    fmso += c
                else:
                    shelf += c
    return shelf, fmso


def efficient(points: list[tuple[float, float]]) -> list[int]:
    """Indices of the points on the upper concave hull of (cost, availability): more
    availability for more money at a falling rate — each dominates what lies below the
    chord of its neighbours."""
    order = sorted(range(len(points)), key=lambda k: (points[k][0], -points[k][1]))
    hull: list[int] = []
    for k in order:
        x, y = points[k]
        if hull and y <= points[hull[-1]][1]:
            continue                                  # costs more, gives no more
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = points[hull[-2]], points[hull[-1]]
            if (y2 - y1) * (x - x1) <= (y - y1) * (x2 - x1):   # the middle point sags
                hull.pop()
            else:
                break
        hull.append(k)
    return hull


def _choose(points, target: float | None, budget: float | None) -> int:
    """The cheapest step meeting the target, or the best within the budget (each step is an
    allocation with exact figures; the hull is for reading the curve)."""
    steps = range(len(points))
    if target is not None:
        meets = [k for k in steps if points[k][1] >= target]
        if meets:
            return min(meets, key=lambda k: points[k][0])
        return max(steps, key=lambda k: points[k][1])
    within = [k for k in steps if points[k][0] <= budget + 1e-9]
    return max(within, key=lambda k: (points[k][1], -points[k][0])) if within else 0


# -- the whole scenario ---------------------------------------------------------------------------
def targets_for(scenario: Scenario, customers: list[str], target: float | None,
                budget: float | None) -> dict[str, float | None]:
    """The availability goal per customer: the flag's, or each nation's own target."""
    if target is not None or budget is not None:
        return dict.fromkeys(customers, target)
    missing = [c.name for c in scenario.customers
               if c.name in customers and c.availability_target is None]
    if missing:
        raise InvalidInput("give --target-availability or --budget-usd (no availability_target "
                           f"in the scenario for {', '.join(missing)})")
    return {c.name: c.availability_target for c in scenario.customers if c.name in customers}


def optimize(scenario: Scenario, *, target: float | None = None, budget: float | None = None,
             customer: str | None = None, alternatives: list[str] | None = None,
             model_targets: Mapping[tuple[str, str], float] | None = None) -> list[Optimum]:
    """Every alternative (or those named) and FMS customer (or one) at its own best spares.
    ``model_targets``: per (alternative, customer), a higher availability for the closed form
    to aim at than the target (the correction a simulated round found); ``target`` stays
    what the optimum is judged against."""
    fms = [c.name for c in scenario.customers if c.kind == "fms"]
    if customer is not None:
        if customer not in {c.name for c in scenario.customers}:
            raise InvalidInput(f"--customer: no customer {customer!r} in the scenario "
                               f"({', '.join(repr(c.name) for c in scenario.customers)})")
        if customer not in fms:
            raise InvalidInput(f"--customer: {customer!r} is a US unit; its spares are DoD's")
        fms = [customer]
    from sim.analytic.recommend import check_goal

    check_goal(target, budget, required=False)
    goals = targets_for(scenario, fms, target, budget)
    results: list[Optimum] = []
    for alt in scenario.alternatives:
        if alternatives is not None and alt.name not in alternatives:
            continue
        aim = {c: (model_targets or {}).get((alt.name, c), goals[c]) for c in fms}
        for o in _optimize_alternative(scenario, alt, fms, aim, budget):
            o.model_target, o.target = o.target, goals[o.customer]
            results.append(o)
    _finite_fleet(scenario, results)
    return results


def _optimize_alternative(scenario: Scenario, alt: Alternative, fms: list[str],
                          goals: Mapping[str, float | None], budget: float | None
                          ) -> list[Optimum]:
    """Every customer of one alternative, each with the others at their optimum (rounds until
    no stock changes: one nation's FMSO I is DoD stock the others' requisitions meet too),
    then judged all together."""
    from sim.analytic.predict import AlternativeModel, CannotAnswer

    latest: dict[str, Optimum] = {}
    for _ in range(MAX_ROUNDS):
        changed = False
        for name in fms:
            others = [o for c, o in latest.items() if c != name and o.answered]
            current = optimum_scenario(scenario, others) if others else scenario
            here = next(a for a in current.alternatives if a.name == alt.name)
            opt = optimize_one(current, here, name, target=goals[name], budget=budget,
                               stated=scenario)
            changed |= name not in latest or latest[name].stock != opt.stock
            latest[name] = opt
        if not changed:
            break
    answered = [o for o in latest.values() if o.answered]
    if len(answered) > 1:
        full = optimum_scenario(scenario, answered)
        try:
            model = AlternativeModel(full, next(a for a in full.alternatives
                                                if a.name == alt.name))
        except CannotAnswer:
            model = None
        for o in answered:
            value = None if model is None else model.customer_availability(o.customer)
            if value is None:
                continue
            o.availability = value
            if o.target is not None and value < o.target - 1e-9:
                o.met = False
                o.reasons.append(f"with every customer at its optimum together the closed "
                                 f"form gives {value:.4f}, below the target {o.target:g}")
    return [latest[name] for name in fms]


def optimum_scenario(scenario: Scenario, results: list[Optimum]) -> Scenario:
    """The scenario with every alternative's optimum filled in (each customer answered; the
    others keep what the scenario says), validated like any scenario file."""
    import yaml

    from sim.scenario import ScenarioError, parse_text

    data = scenario.model_dump(mode="json", exclude_none=True)
    data.pop("sweep", None)
    data["scenario"] = f"{scenario.scenario}_optimum"
    by = {(o.alternative, o.customer): o for o in results if o.answered}
    for alt in data["alternatives"]:
        for name, choice in alt["support"].items():
            opt = by.get((alt["name"], name))
            if opt is None:
                continue
            choice.update(_choice_patch(scenario, opt))
    try:
        return parse_text(yaml.safe_dump(data, sort_keys=False), data["scenario"])
    except ScenarioError as exc:              # a bug: the optimum must be a valid scenario
        raise RuntimeError(f"the optimum scenario does not validate: {exc}") from exc


def _choice_patch(scenario: Scenario, opt: Optimum) -> dict:
    spec = next(c for c in scenario.customers if c.name == opt.customer)
    nsns = list(scenario.system(spec.fleet.system).parts)
    patch: dict = {"initial_stock": {"quantities": {
        n: opt.stock.get(n, {}).get(CENTRAL, 0) for n in nsns}}}
    if spec.bases:
        patch["base_stock"] = {b.name: {"quantities": {n: opt.stock.get(n, {}).get(b.name, 0)
                                                       for n in nsns}} for b in spec.bases}
    fmso = {n: st[FMSO1] for n, st in opt.stock.items() if st.get(FMSO1)}
    alt = next(a for a in scenario.alternatives if a.name == opt.alternative)
    choice = alt.support.get(opt.customer)
    if choice is not None and choice.option == "clssa":
        patch["fmso1"] = {"quantities": fmso}
    return patch


def _finite_fleet(scenario: Scenario, results: list[Optimum]) -> None:
    """Each optimum's finite-fleet availability (NMCS aircraft do not fly, or under a fleet
    program fly others' hours), all customers of an alternative at their optimum together."""
    from sim.analytic.predict import CannotAnswer, finite_fleet_availability

    try:
        full = optimum_scenario(scenario, results)
    except RuntimeError:
        return
    for alt in full.alternatives:
        try:
            finite = finite_fleet_availability(full, alt)
        except CannotAnswer:
            continue
        for o in results:
            if o.alternative == alt.name and o.customer in finite:
                o.availability_finite_fleet = finite[o.customer]


# -- tables ---------------------------------------------------------------------------------------
def tables(results: list[Optimum], goal: str, goal_value: Mapping[str, float | None]
           ) -> dict[str, pd.DataFrame]:
    rows, stock, curves = [], [], []
    for o in results:
        rows.append({
            "alternative": o.alternative, "customer": o.customer, "answered": o.answered,
            "goal": goal, "goal_value": goal_value.get(o.customer),
            "met": o.met if o.answered else False,
            "availability": o.availability,
            "availability_curve": o.availability_curve,
            "availability_finite_fleet": o.availability_finite_fleet,
            "spares_units": sum(q for st in o.stock.values() for p, q in st.items()
                                if p != FMSO1),
            "spares_value_usd": o.spares_value_usd, "spares_npv_usd": o.spares_npv_usd,
            "fmso1_units": sum(st.get(FMSO1, 0) for st in o.stock.values()),
            "fmso1_npv_usd": o.fmso1_npv_usd,
            "npv_usd": o.npv_usd if o.answered else math.nan,
            "baseline_availability": o.baseline_availability,
            "baseline_npv_usd": o.baseline_npv_usd,
            "reasons": "; ".join(o.reasons)})
        for nsn, st in o.stock.items():
            for place, q in st.items():
                stock.append({"alternative": o.alternative, "customer": o.customer,
                              "nsn": nsn, "place": place, "units": int(q)})
        for c in o.curve:
            curves.append({"alternative": o.alternative, "customer": o.customer, **c})
    return {"optimum": pd.DataFrame(rows), "stock": pd.DataFrame(stock),
            "curves": pd.DataFrame(curves)}


# -- verification by simulation ---------------------------------------------------------------------
def simulate_optima(scenario: Scenario, results: list[Optimum], out: Path, *,
                    replications: int | None, workers: int | None,
                    only: set[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The simulated figures of each optimum (of the alternatives in ``only``, or all) and
    the run's summary rows. Streams depend only on seed, replication and what they draw for,
    so rows of alternatives simulated in different runs pair by replication."""
    from analysis.stats import mean_ci
    from sim import runner
    from sim.analytic.predict import timeline_warnings
    from sim.cluster import pool_for

    full = optimum_scenario(scenario, results)
    if only is not None:
        full = full.model_copy(update={"alternatives": [a for a in full.alternatives
                                                        if a.name in only]})
    full = runner.resolve(full, replications, None)
    with pool_for(workers or 0, None) as pool:
        settings = runner.RunSettings(out=out, workers=pool.workers)
        result = runner.run(full, settings, executor=pool.executor)
    summary = pd.read_parquet(Path(result.path) / "summary.parquet")
    rows = []
    alts = {a.name: a for a in full.alternatives}
    for o in results:
        if only is not None and o.alternative not in only:
            continue
        part = summary[(summary.alternative == o.alternative)
                       & (summary.customer == o.customer)].sort_values("replication")
        if part.empty:
            continue
        a, ah = mean_ci(part.availability)
        c, ch = mean_ci(part.npv_cost_usd)
        t, th = mean_ci(part.cost_usd)
        if o.answered:
            why = _why(o, a, ah, timeline_warnings(full, alts[o.alternative], o.customer))
        else:
            why = (f"simulated {a:.4f} ± {ah:.4f} at the scenario's own spares, not at an "
                   f"optimum: no closed form to optimize with ({'; '.join(o.reasons)})")
        rows.append({
            "alternative": o.alternative, "customer": o.customer, "round": o.round,
            "at_optimum": bool(o.answered), "target": o.target,
            "model_target": o.model_target,
            "reaches_target": (bool(a >= o.target) if o.target is not None else None),
            "replications": len(part),
            "availability_predicted": o.availability,
            "availability_finite_fleet": o.availability_finite_fleet,
            "availability": a, "availability_ci": ah,
            "met_share": (float((part.availability >= o.target).mean())
                          if o.target is not None else math.nan),
            "npv_cost_usd": c, "npv_cost_ci": ch, "cost_usd": t, "cost_ci": th,
            "spares_npv_usd": o.npv_usd,
            "running_npv_usd": c - o.npv_usd,
            "flight_hours_shortfall": float(part.flight_hours_shortfall.mean()),
            "cost_per_programmed_fh_usd": float(part.cost_per_programmed_fh_usd.mean()),
            "why": why})
    return pd.DataFrame(rows), summary


def verify_rounds(scenario: Scenario, results: list[Optimum], out: Path, *, rounds: int,
                  replications: int | None, workers: int | None, target: float | None,
                  customer: str | None) -> tuple[list[Optimum], pd.DataFrame]:
    """Simulate the optima; where an optimum's simulated availability misses the target
    although the closed form met it (a timeline event, a depot queue the steady state does
    not see), ask the closed form for more and simulate the new optimum — up to ``rounds``
    simulations. The aim: the first time, the target plus the gap (prediction − simulation,
    at least half a point); then the secant through the last two (aim, simulated) pairs, with
    the last simulation's CI half-width as margin. Only the alternatives with a miss are
    simulated again; round k's runs are in ``verify/`` (k = 1) or ``verify_k/``."""
    kw = {"replications": replications, "workers": workers}
    table, summary = simulate_optima(scenario, results, out / "verify", **kw)
    order = {(o.alternative, o.customer): i for i, o in enumerate(results)}
    seen: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for k in range(2, rounds + 1):
        by = {(o.alternative, o.customer): o for o in results}
        aims: dict[tuple[str, str], float] = {}
        for r in table.itertuples():
            key = (r.alternative, r.customer)
            o = by[key]
            if not (r.at_optimum and o.met and o.target is not None
                    and o.model_target is not None):
                continue
            history = seen.setdefault(key, [])
            if not history or history[-1][0] != o.model_target:
                history.append((o.model_target, r.availability))
            if r.reaches_target is not False:
                continue
            aim = _next_aim(history, o.target, o.availability, r.availability_ci)
            if aim > o.model_target + 1e-9:
                aims[key] = aim
        if not aims:
            break
        alts = {a for a, _ in aims}
        model = {key: o.model_target for key, o in by.items()
                 if key[0] in alts and o.model_target is not None} | aims
        new = optimize(scenario, target=target, customer=customer, alternatives=sorted(alts),
                       model_targets=model)
        for o in new:
            o.round = k if (o.alternative, o.customer) in aims else by[
                (o.alternative, o.customer)].round
        results = sorted([o for o in results if o.alternative not in alts] + new,
                         key=lambda o: order[(o.alternative, o.customer)])
        t2, s2 = simulate_optima(scenario, results, out / f"verify_{k}", only=alts, **kw)
        table = pd.concat([table[~table.alternative.isin(alts)], t2], ignore_index=True)
        summary = pd.concat([summary[~summary.alternative.isin(alts)], s2], ignore_index=True)
    table["_o"] = [order[(a, c)] for a, c in zip(table.alternative, table.customer, strict=True)]
    table = table.sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return results, _paired(table, summary)


def _next_aim(history: list[tuple[float, float]], target: float, predicted: float,
              half: float) -> float:
    """The closed form's next aim from the (aim, simulated) pairs so far: the gap once, then
    the secant to the target (plus the CI half-width), never less than half a point more."""
    aim, sim = history[-1]
    step = max(predicted - sim, MIN_CORRECTION)
    if len(history) >= 2:
        (a0, s0), (a1, s1) = history[-2], history[-1]
        if s1 - s0 > 1e-6 and a1 > a0:
            step = (target - s1 + (0.0 if math.isnan(half) else half)) * (a1 - a0) / (s1 - s0)
    return min(MAX_MODEL_TARGET, aim + max(step, MIN_CORRECTION))


def _why(o: Optimum, mean: float, half: float, warnings: list[str]) -> str:
    lines = []
    if o.round > 1 and o.model_target is not None:
        lines.append(f"round {o.round}: the closed form aimed at {o.model_target:.4f} (the "
                     "target plus the gap earlier simulations showed)")
    diff = mean - o.availability
    lines.append(f"simulated {mean:.4f} ± {half:.4f} against {o.availability:.4f} predicted "
                 f"({diff * 100:+.2f} points)")
    if not math.isnan(o.availability_finite_fleet):
        lines.append(f"the finite fleet accounts for "
                     f"{(o.availability_finite_fleet - o.availability) * 100:+.2f} of them")
    lines += warnings
    return "; ".join(lines)


def _paired(table: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Per customer, each alternative's NPV cost and availability minus the reference's,
    paired by replication (common random numbers), with 95 % CIs. The reference is the
    cheapest alternative simulated at its optimum that reaches the target (an alternative
    that misses it is not an answer to "what does the target cost"); failing that, the
    cheapest at its optimum; failing that, the cheapest."""
    from analysis.stats import mean_ci

    table = table.copy()
    for col in ("npv_diff_usd", "npv_diff_ci", "availability_diff", "availability_diff_ci"):
        table[col] = math.nan
    table["against"] = ""
    for cust, part in table.groupby("customer"):
        pool = part[part.at_optimum & part.reaches_target.fillna(True).astype(bool)]
        if pool.empty:
            pool = part[part.at_optimum] if part.at_optimum.any() else part
        best = pool.loc[pool.npv_cost_usd.idxmin(), "alternative"]
        ref = summary[(summary.alternative == best) & (summary.customer == cust)].set_index(
            "replication")
        for idx, row in part.iterrows():
            mine = summary[(summary.alternative == row.alternative)
                           & (summary.customer == cust)].set_index("replication")
            common = mine.index.intersection(ref.index)
            d, dh = mean_ci(mine.loc[common, "npv_cost_usd"] - ref.loc[common, "npv_cost_usd"])
            v, vh = mean_ci(mine.loc[common, "availability"] - ref.loc[common, "availability"])
            table.loc[idx, ["npv_diff_usd", "npv_diff_ci", "availability_diff",
                            "availability_diff_ci"]] = [d, dh, v, vh]
            table.loc[idx, "against"] = best
    return table


# -- the command ------------------------------------------------------------------------------------
def cmd_optimize(args: argparse.Namespace) -> int:
    from sim.analytic.commands import _console, _load
    from sim.cli import check_counts
    from sim.paths import slug, under_results

    check_counts(args)
    scenario = _load(args.scenario)
    if args.rounds < 1:
        raise InvalidInput(f"--rounds must be at least 1, got {args.rounds}")
    results = optimize(scenario, target=args.target_availability, budget=args.budget_usd,
                       customer=args.customer)
    fms = sorted({o.customer for o in results})
    goals = targets_for(scenario, fms, args.target_availability, args.budget_usd)
    goal = "budget_usd" if args.budget_usd is not None else "target_availability"
    values = {c: (args.budget_usd if args.budget_usd is not None else goals[c]) for c in fms}
    out = Path(args.out) if args.out else under_results(slug(scenario.scenario), "optimize")
    out.mkdir(parents=True, exist_ok=True)
    frames = _write_optimum(out, scenario, results, goal, values, "sustain optimize")
    verified = None
    if args.verify:
        results, verified = verify_rounds(
            scenario, results, out, rounds=args.rounds, replications=args.replications,
            workers=args.workers, target=args.target_availability, customer=args.customer)
        frames = _write_optimum(out, scenario, results, goal, values,
                                "sustain optimize --verify")
        verified.to_csv(out / "verify.csv", index=False)
        verified.to_parquet(out / "verify.parquet", index=False)
        curves = frames["curves"].merge(
            verified[["alternative", "customer", "running_npv_usd"]],
            on=["alternative", "customer"], how="left")
        curves["total_npv_usd"] = curves["cost_npv_usd"] + curves["running_npv_usd"]
        curves.drop(columns="running_npv_usd").to_parquet(out / "curves.parquet", index=False)
        curves.drop(columns="running_npv_usd").to_csv(out / "curves.csv", index=False)
    if args.json:
        print(json.dumps({"optimum": frames["optimum"].to_dict(orient="records"),
                          "verify": None if verified is None
                          else verified.to_dict(orient="records")}, indent=2, default=str))
        return EXIT_OK
    _print(_console(), frames["optimum"], verified, goal)
    print(f"written: {out}/optimum.csv|parquet, stock, curves, optimum.yaml"
          + (", verify/ and verify.csv|parquet" if verified is not None else ""))
    return EXIT_OK


def _write_optimum(out: Path, scenario: Scenario, results: list[Optimum], goal: str,
                   values: Mapping[str, float | None], how: str) -> dict[str, pd.DataFrame]:
    """optimum, stock and curves (CSV and Parquet) and optimum.yaml, the scenario with each
    optimum filled in; written again after ``--verify`` has re-optimized any misses."""
    import yaml

    frames = tables(results, goal, values)
    for name, frame in frames.items():
        frame.to_csv(out / f"{name}.csv", index=False)
        frame.to_parquet(out / f"{name}.parquet", index=False)
    full = optimum_scenario(scenario, results)
    (out / "optimum.yaml").write_text(
        f"# {scenario.scenario} with each alternative at its own best spares ({how})\n"
        + yaml.safe_dump(full.model_dump(mode="json", exclude_none=True), sort_keys=False),
        encoding="utf-8")
    return frames


def _print(console, optimum: pd.DataFrame, verified: pd.DataFrame | None, goal: str) -> None:
    from rich.table import Table

    for cust, part in optimum.groupby("customer", sort=False):
        what = ("target availability" if goal == "target_availability" else "budget")
        value = part.goal_value.iloc[0]
        shown = f"{value:g}" if goal == "target_availability" else f"${value:,.0f}"
        t = Table(title=f"{cust}: each alternative at its own best spares — {what} {shown} "
                        "(NPV, constant dollars)")
        for col in ("Alternative", "Spares NPV", "FMSO I NPV", "Predicted availability",
                    "Finite fleet", "Scenario's shelf"):
            t.add_column(col, justify="left" if col == "Alternative" else "right")
        if verified is not None:
            for col in ("Simulated availability", "Total NPV cost", "vs reference"):
                t.add_column(col, justify="right")
        for _, r in part.iterrows():
            if r.answered:
                cells = [r.alternative, f"${r.spares_npv_usd / 1e6:,.2f}M",
                         f"${r.fmso1_npv_usd / 1e6:,.2f}M",
                         f"{r.availability:.4f}" + ("" if r.met else " (max)"),
                         f"{r.availability_finite_fleet:.4f}",
                         f"{r.baseline_availability:.4f}"]
            else:
                cells = [r.alternative, "—", "—", "no closed form", "", ""]
            if verified is not None:
                v = verified[(verified.alternative == r.alternative)
                             & (verified.customer == cust)]
                if v.empty:
                    cells += ["", "", ""]
                else:
                    v = v.iloc[0]
                    mark = ("" if v.reaches_target is None or bool(v.reaches_target)
                            else " below")
                    mark += "" if r.answered else " (own shelf)"
                    cells += [f"{v.availability:.4f} ± {v.availability_ci:.4f}{mark}",
                              f"${v.npv_cost_usd / 1e6:,.2f}M ± {v.npv_cost_ci / 1e6:,.2f}",
                              "reference" if v.against == r.alternative else
                              f"{v.npv_diff_usd / 1e6:+,.2f}M ± {v.npv_diff_ci / 1e6:,.2f}"]
            t.add_row(*cells)
        console.print(t)


__all__ = ["Optimum", "add_parser", "cmd_optimize", "efficient", "optimize",
           "optimum_scenario"]
