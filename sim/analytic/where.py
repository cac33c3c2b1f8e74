"""``sustain recommend --where``: how many of its own spares a customer should hold per NSN
and where — central store or bases — for a target availability or a budget (the OPUS10
question), by marginal analysis on the closed form (``sim.analytic.spares``).

Writes ``placement.csv|parquet`` (nsn, name, unit_price_usd, one column per place, total,
value_usd), ``curve.csv|parquet`` (each step: the unit added and where, cumulative cost,
predicted availability) and ``placement.json``, beside a comparison with the scenario's own
placement of the same NSNs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from sim.analytic.recommend import check_goal
from sim.errors import InvalidInput

EXIT_OK = 0


def _alternative(scenario, name: str | None):
    if name is None:
        return scenario.alternatives[0]
    for alt in scenario.alternatives:
        if alt.name == name:
            return alt
    names = ", ".join(repr(a.name) for a in scenario.alternatives)
    raise InvalidInput(f"--alternative: no alternative {name!r} in the scenario ({names})")


LATERAL_NOTE = ("lateral resupply between the bases is not in the closed form: the placement "
                "is made as if no base could borrow from another, and the availabilities "
                "above understate what a simulation with laterals gives")


def placement(scenario, customer: str, *, target: float | None, budget: float | None,
              alternative: str | None = None) -> dict:
    """The recommended placement and its curve, as plain data."""
    from sim.analytic.predict import AlternativeModel
    from sim.analytic.spares import CENTRAL, placement_problem

    spec = next((c for c in scenario.customers if c.name == customer), None)
    if spec is None:
        names = ", ".join(repr(c.name) for c in scenario.customers)
        raise InvalidInput(f"--customer: no customer {customer!r} in the scenario ({names})")
    check_goal(target, budget)
    alt = _alternative(scenario, alternative)
    model = AlternativeModel(scenario, alt)
    if model.problems[customer]:
        raise InvalidInput(f"{customer!r} under {alt.name!r} has no closed form: "
                           + "; ".join(model.reasons(customer)))
    problem = placement_problem(model, customer)
    curve = problem.curve(target=target, budget=budget)
    if target is not None:
        k = curve.for_target(target)
        if k is None:
            raise InvalidInput(
                f"--target-availability {target:g} not reached by {customer!r}'s own spares "
                f"under {alt.name!r} (best {curve.steps[-1][3]:.4f} before units stopped "
                "helping): the support option's pipeline sets the limit")
    else:
        k = curve.for_budget(budget)
    places = [CENTRAL] + [b.name for b in spec.bases] if spec.bases else [CENTRAL]
    chosen = curve.allocations[k]
    current = []
    for net in problem.networks:
        shelf = model.shelf[customer][net.nsn]
        row = {CENTRAL: shelf}
        for b in spec.bases:
            row[b.name] = model._base_units[customer][b.name][net.nsn]
        current.append(row)
    lines = []
    for net, stock in zip(problem.networks, chosen, strict=True):
        row = {"nsn": net.nsn, "name": scenario.item(net.nsn).name,
               "unit_price_usd": net.unit_cost}
        for place in places:
            row[place] = int(stock.get(place, 0))
        row["total"] = sum(int(stock.get(p, 0)) for p in places)
        row["value_usd"] = row["total"] * net.unit_cost
        lines.append(row)
    current_cost = sum(sum(r.values()) * n.unit_cost for r, n in zip(current,
                                                                       problem.networks,
                                                                       strict=True))
    return {
        "customer": customer, "alternative": alt.name, "places": places,
        "goal": "target_availability" if target is not None else "budget_usd",
        "goal_value": target if target is not None else budget,
        "lines": lines, "cost_usd": curve.steps[k][2],
        "availability": curve.steps[k][3],
        "current_cost_usd": current_cost,
        "current_availability": problem.availability(current),
        "curve": [{"step": j, "nsn": s[0], "place": s[1], "cumulative_cost_usd": s[2],
                   "availability": s[3], "recommended": j == k}
                  for j, s in enumerate(curve.steps)],
        "notes": [LATERAL_NOTE] if spec.lateral is not None else [],
    }


def cmd_where(args: argparse.Namespace) -> int:
    from sim.analytic.commands import _console, _load, default_out

    scenario = _load(args.scenario)
    result = placement(scenario, args.customer, target=args.target_availability,
                       budget=args.budget_usd, alternative=getattr(args, "alternative", None))
    out = Path(args.out) if args.out else default_out(scenario.scenario, args.customer, "where")
    out.mkdir(parents=True, exist_ok=True)
    lines = pd.DataFrame(result["lines"])
    curve = pd.DataFrame(result["curve"])
    for name, frame in (("placement", lines), ("curve", curve)):
        frame.to_csv(out / f"{name}.csv", index=False)
        frame.to_parquet(out / f"{name}.parquet", index=False)
    (out / "placement.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
        return EXIT_OK
    from rich.table import Table

    console = _console()
    goal = (f"target availability {result['goal_value']:g}"
            if result["goal"] == "target_availability" else
            f"budget ${result['goal_value']:,.0f}")
    t = Table(title=f"Own spares for {result['customer']} under {result['alternative']!r} — "
                    f"{goal} (marginal analysis, central store and bases)")
    t.add_column("NSN")
    t.add_column("Item")
    for place in result["places"]:
        t.add_column(place, justify="right")
    t.add_column("Total", justify="right")
    t.add_column("Value", justify="right")
    for row in result["lines"]:
        t.add_row(row["nsn"], row["name"], *(str(row[p]) for p in result["places"]),
                  str(row["total"]), f"${row['value_usd']:,.0f}")
    console.print(t)
    console.print(
        f"Predicted availability {result['availability']:.4f} for ${result['cost_usd']:,.0f} "
        f"of spares; the scenario's own placement: {result['current_availability']:.4f} for "
        f"${result['current_cost_usd']:,.0f}.", highlight=False)
    for note in result["notes"]:
        console.print(f"Note: {note}", highlight=False)
    console.print(f"written: {out / 'placement.csv'}, placement.parquet, curve.csv, "
                  "curve.parquet, placement.json", highlight=False)
    return EXIT_OK
