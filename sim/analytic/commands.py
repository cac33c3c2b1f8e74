"""``sustain analytic`` and ``sustain recommend``: closed forms at the command line.

``analytic`` prints, for each alternative and customer where a closed form applies, the
predicted availability, backorders and fill rate per NSN, with the assumptions behind them and
the alternatives it cannot answer. ``recommend`` chooses a CLSSA FMSO I buy-in by marginal
analysis, writes the buy-in list and the cost-versus-availability curve (CSV and Parquet), and
with ``--verify`` simulates it. Invalid input raises ``InvalidInput`` (exit 2) before anything
is written.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from sim.errors import InvalidInput
from sim.progress import ProgressBar

EXIT_OK = 0


def _load(path: str):
    """A validated scenario, or InvalidInput listing every problem (as ``sustain run``)."""
    from sim.cli import load_runnable

    return load_runnable(path)


def _console():
    """A console that prints names literally (no markup, control codes shown as escapes)."""
    from sim.terminal import console

    return console(min_width=136)


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


# -- analytic --------------------------------------------------------------------------------

OPTION_LABELS = {"repair_and_return": "R&R", "direct_exchange": "DX", "clssa": "CLSSA",
                 "national_depot": "national", "third_country": "3rd country",
                 "us_wholesale": "US unit"}


def analytic_json(scenario, predictions) -> dict:
    """The ``--json`` document: per alternative and customer, per NSN."""
    from sim.analytic.predict import ASSUMPTIONS, DEFAULT_METHOD, scenario_notes

    alts: dict[str, dict] = {}
    for ap in predictions:
        customers: dict[str, dict] = {}
        for cp in ap.customers:
            customers[cp.customer] = {
                "kind": cp.kind,
                "aircraft": cp.aircraft,
                "answered": cp.answered,
                "reasons": cp.reasons,
                "availability": cp.availability,
                "availability_finite_fleet": cp.availability_finite_fleet,
                "nmcs_aircraft": cp.nmcs_aircraft,
                "backorders": cp.backorders,
                "fill_rate": cp.fill_rate,
                "notes": cp.notes,
                "warnings": cp.warnings,
                "bases": cp.bases,
                "items": {
                    it.nsn: {
                        "name": it.name,
                        "option": it.option,
                        "qpa": it.qpa,
                        "stock": it.stock,
                        "demand_per_day": it.demand_per_day,
                        "pipeline_mean": it.pipeline_mean,
                        "pipeline_variance": it.pipeline_variance,
                        "pipeline_days": it.pipeline_days,
                        "ebo": it.ebo,
                        "fill_rate": it.fill_rate,
                        "depot": it.depot,
                        "depot_wait_days": it.depot_wait_days,
                        "wholesale_stock": it.wholesale_stock,
                        "wholesale_delay_days": it.wholesale_delay_days,
                        **({"central_stock": it.central_stock,
                            "central_backorders": it.central_backorders,
                            "bases": {b.base: {"stock": b.stock, "ebo": b.ebo,
                                               "fill_rate": b.fill_rate,
                                               "pipeline_mean": b.pipeline_mean,
                                               "demand_per_day": b.demand_per_day}
                                      for b in it.bases}} if it.bases else {}),
                    }
                    for it in cp.items
                },
            }
        alts[ap.name] = {"customers": customers}
    return {
        "scenario": scenario.scenario,
        "method": DEFAULT_METHOD,
        "assumptions": list(ASSUMPTIONS),
        "notes": scenario_notes(scenario),
        "alternatives": alts,
    }


def cmd_analytic(args: argparse.Namespace) -> int:
    from sim.analytic.predict import predict

    scenario = _load(args.scenario)
    predictions = predict(scenario)
    if args.json:
        print(json.dumps(analytic_json(scenario, predictions), indent=2))
        return EXIT_OK
    _print_analytic(scenario, predictions, getattr(args, "nsns", 20))
    return EXIT_OK


# (heading, left-justified, most characters) of the per-NSN tables
ITEM_COLUMNS: list[tuple[str, bool, int | None]] = [
    ("NSN", True, None), ("Item", True, 22), ("Option", True, None), ("Shelf", False, None),
    ("Demand/yr", False, None), ("Pipe days", False, None), ("Pipeline", False, None),
    ("WS wait", False, None), ("EBO", False, None), ("Fill rate", False, None)]


def _print_analytic(scenario, predictions, nsns: int = 20) -> None:
    """The summary, then per alternative and customer the ``nsns`` NSNs with the most
    expected backorders (0: every NSN). A scenario of hundreds of NSNs printed whole is
    thousands of rows that take rich seconds to lay out and nobody reads at a terminal;
    ``--json`` has every one."""
    from rich.table import Table

    from sim.analytic.predict import ASSUMPTIONS, scenario_notes
    from sim.terminal import fixed_table

    console = _console()
    summary = Table(title=f"Closed-form answer for {scenario.scenario!r} — steady state after "
                          "warm-up (two-echelon METRIC, VARI-METRIC variance)")
    for col in ("Alternative", "Customer", "Availability", "Finite fleet", "NMCS aircraft",
                "Backorders", "Fill rate"):
        summary.add_column(col, justify="left" if col in ("Alternative", "Customer") else "right")
    for ap in predictions:
        for cp in ap.customers:
            if cp.answered:
                summary.add_row(ap.name, cp.customer, _num(cp.availability, 4),
                                _num(cp.availability_finite_fleet, 4),
                                _num(cp.nmcs_aircraft, 2), _num(cp.backorders, 3),
                                _num(cp.fill_rate, 3))
            else:
                summary.add_row(ap.name, cp.customer, "cannot answer", "", "", "", "")
    console.print(summary)

    for ap in predictions:
        for cp in ap.customers:
            if not cp.answered:
                continue
            shown = cp.items if nsns <= 0 or len(cp.items) <= nsns else sorted(
                cp.items, key=lambda it: -it.ebo)[:nsns]
            rows = [[it.nsn, it.name, OPTION_LABELS.get(it.option, it.option), str(it.stock),
                     f"{it.demand_per_day * 365.25:.1f}", f"{it.pipeline_days:.1f}",
                     f"{it.pipeline_mean:.3f}", f"{it.wholesale_delay_days:.1f}",
                     f"{it.ebo:.4f}", f"{it.fill_rate:.3f}"] for it in shown]
            t = fixed_table(f"{ap.name} — {cp.customer} ({cp.aircraft} aircraft"
                            f"{', cannibalization' if cp.cannibalization else ''})",
                            ITEM_COLUMNS, rows, console.width)
            console.print(t)
            if len(shown) < len(cp.items):
                rest = sum(it.ebo for it in cp.items) - sum(it.ebo for it in shown)
                console.print(f"  ... {len(cp.items) - len(shown)} more NSNs with {rest:.4f} "
                              "expected backorders between them (the rows above have the most; "
                              "--nsns 0 prints every NSN, --json has them all)", highlight=False)
            if cp.bases:
                console.print("  by base (METRIC availability): " + ", ".join(
                    f"{b} {a:.4f}" for b, a in cp.bases.items()), highlight=False)

    unanswered = [(ap.name, cp) for ap in predictions for cp in ap.customers if not cp.answered]
    if unanswered:
        console.print("Cannot answer", style="bold", end="")
        console.print(" (simulate these with `sustain run`):")
        for alt, cp in unanswered:
            for why in cp.reasons:
                console.print(f"  {alt} — {cp.customer}: {why}", highlight=False)
    warnings = [(ap.name, cp.customer, w) for ap in predictions for cp in ap.customers
                for w in cp.warnings]
    if warnings:
        console.print("Warnings", style="bold", end="")
        console.print(" (the timeline inside the measured window; simulate to see its effect):")
        for alt, cust, w in warnings:
            console.print(f"  {alt} — {cust}: {w}", highlight=False)
    notes = list(scenario_notes(scenario))
    for ap in predictions:
        for cp in ap.customers:
            notes += [f"{ap.name} — {cp.customer}: {n}" for n in cp.notes]
    if notes:
        console.print("Notes:", style="bold")
        for n in dict.fromkeys(notes):
            console.print(f"  {n}", highlight=False)
    console.print("Shelf: customer's own stock; Pipe days: mean time a unit owed to the shelf "
                  "takes; WS wait: mean wholesale backorder delay per requisition (days).",
                  highlight=False)
    console.print("Assumptions:", style="bold")
    for i, a in enumerate(ASSUMPTIONS, 1):
        console.print(f"  {i}. {a}", highlight=False)


# -- recommend -------------------------------------------------------------------------------

BUYIN_COLUMNS = ["nsn", "name", "quantity", "unit_price_usd", "extended_value_usd",
                 "on_hand_qty", "on_order_qty", "deposit_usd", "ssa_surcharge_usd",
                 "deposit_total_usd", "ebo_without_buy", "ebo_with_buy"]
CURVE_COLUMNS = ["step", "nsn", "name", "unit_price_usd", "cumulative_cost_usd",
                 "deposit_total_usd", "availability", "total_ebo", "recommended"]


def default_out(scenario_name: str, customer: str, what: str = "recommend") -> Path:
    """results/<scenario>/<what>_<customer>/, both names made safe slugs (sim.paths), so
    the folder is always under results/."""
    import hashlib

    from sim.paths import slug, under_results

    safe = slug(customer, "customer")
    if safe != customer:        # two names that clean to one slug must not share a folder
        safe += "_" + hashlib.sha256(customer.encode("utf-8")).hexdigest()[:8]
    return under_results(slug(scenario_name), f"{what}_{safe}")


def buyin_frame(rec):
    import pandas as pd

    rows = [{c: getattr(line, c) for c in BUYIN_COLUMNS} for line in rec.lines]
    return pd.DataFrame(rows, columns=BUYIN_COLUMNS).astype(
        {"quantity": "int64", "on_hand_qty": "int64", "on_order_qty": "int64"})


def curve_frame(rec):
    import pandas as pd

    names = {it.nsn: rec.scenario.item(it.nsn).name for it in rec.curve.items}
    rows = []
    for st in rec.curve.steps:
        rows.append({
            "step": st.step,
            "nsn": st.nsn,
            "name": names.get(st.nsn) if st.nsn else None,
            "unit_price_usd": rec.scenario.item(st.nsn).unit_price_usd if st.nsn else 0.0,
            "cumulative_cost_usd": st.cumulative_cost,
            "deposit_total_usd": rec.curve_deposit[st.step],
            "availability": st.availability,
            "total_ebo": st.total_ebo,
            "recommended": st.step == rec.step,
        })
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def recommendation_json(rec, out: Path | None, verify=None) -> dict:
    return {
        "scenario": rec.scenario.scenario,
        "customer": rec.customer,
        "base_alternative": rec.base_alternative,
        "goal": {rec.goal: rec.goal_value},
        "method": rec.method,
        "availability_without_buy": rec.availability_start,
        "availability_limit": rec.availability_limit,
        "predicted_availability": rec.availability,
        "predicted_availability_finite_fleet": rec.availability_finite_fleet,
        "quantities": rec.quantities,
        "buy_in": [{c: getattr(line, c) for c in BUYIN_COLUMNS} for line in rec.lines],
        "totals": {
            "quantity": rec.totals["quantity"],
            "extended_value_usd": rec.totals["extended_value"],
            "on_hand_qty": rec.totals["on_hand_qty"],
            "on_order_qty": rec.totals["on_order_qty"],
            "deposit_usd": rec.totals["deposit"],
            "ssa_surcharge_usd": rec.totals["ssa_surcharge"],
            "deposit_total_usd": rec.totals["total"],
        },
        "excluded": rec.excluded,
        "curve_points": len(rec.curve),
        "out": None if out is None else str(out),
        "verify": None if verify is None else {
            "replications": verify.replications,
            "availability_mean": verify.mean,
            "availability_ci_half_width": verify.half_width,
            "availability": verify.availability,
            "backorders_mean": verify.backorders_mean,
            "backorders_ci_half_width": verify.backorders_half_width,
            "warmup_days": verify.warmup_days,
            "horizon_days": verify.horizon_days,
            "changes": verify.changes,
        },
    }


def _write(rec, out: Path, verify=None) -> None:
    """The five files, each written atomically, with the folder held (one writer at a time)."""
    from sim.results import ResultDir, command_line, write_atomic

    buyin, curve = buyin_frame(rec), curve_frame(rec)
    doc = json.dumps(recommendation_json(rec, out, verify), indent=2) + "\n"
    with ResultDir(out).lock(command_line()):
        write_atomic(out / "buyin.csv", lambda fh: buyin.to_csv(fh, index=False))
        write_atomic(out / "buyin.parquet", lambda fh: buyin.to_parquet(fh, index=False))
        write_atomic(out / "curve.csv", lambda fh: curve.to_csv(fh, index=False))
        write_atomic(out / "curve.parquet", lambda fh: curve.to_parquet(fh, index=False))
        write_atomic(out / "recommendation.json", lambda fh: fh.write(doc.encode("utf-8")))


def cmd_recommend(args: argparse.Namespace) -> int:
    from sim.analytic.recommend import recommend, run_verification, verification_plan
    from sim.cli import check_counts

    if getattr(args, "where", False):
        from sim.analytic.where import cmd_where

        return cmd_where(args)

    scenario = _load(args.scenario)
    check_counts(args)
    if args.budget_usd is not None and not math.isfinite(args.budget_usd):
        raise InvalidInput("--budget-usd must be a finite amount")
    _check_customer(scenario, args.customer)
    rec = recommend(scenario, args.customer, target_availability=args.target_availability,
                    budget_usd=args.budget_usd)
    plan = verification_plan(rec, args.replications) if args.verify else None
    out = Path(args.out) if args.out else default_out(scenario.scenario, args.customer)
    _write(rec, out)
    if not args.json:
        _print_recommendation(rec, out)
    result = None
    if plan is not None:
        with ProgressBar(plan.replications, "verifying") as advance:
            result = run_verification(plan, rec.customer, args.workers, on_unit=advance)
        _write(rec, out, result)
    if args.json:
        print(json.dumps(recommendation_json(rec, out, result), indent=2))
    elif result is not None:
        _print_verification(rec, result)
    return EXIT_OK


def _check_customer(scenario, customer: str) -> None:
    """An unknown ``--customer`` names the one probably meant (difflib)."""
    import difflib

    names = [c.name for c in scenario.customers]
    if customer in names:
        return
    guess = difflib.get_close_matches(customer, names, n=1, cutoff=0.6)
    hint = f"; did you mean {guess[0]!r}?" if guess else ""
    raise InvalidInput(f"--customer: no customer {customer!r} in the scenario "
                       f"({', '.join(map(repr, names))}){hint}")


def _print_recommendation(rec, out: Path) -> None:
    from rich.table import Table

    console = _console()
    goal = (f"target availability {rec.goal_value:g}" if rec.goal == "target_availability"
            else f"budget ${rec.goal_value:,.0f}")
    t = Table(title=f"CLSSA FMSO I buy-in for {rec.customer} — {goal} (marginal analysis; "
                    f"other customers as in {rec.base_alternative!r})")
    for col in ("NSN", "Item", "Qty", "Unit price", "Extended value", "On hand", "On order",
                "Deposit", "SSA 5 %", "Total due"):
        t.add_column(col, justify="left" if col in ("NSN", "Item") else "right")
    for ln in rec.lines:
        t.add_row(ln.nsn, ln.name, str(ln.quantity), f"${ln.unit_price_usd:,.0f}",
                  f"${ln.extended_value_usd:,.0f}", str(ln.on_hand_qty), str(ln.on_order_qty),
                  f"${ln.deposit_usd:,.0f}", f"${ln.ssa_surcharge_usd:,.0f}",
                  f"${ln.deposit_total_usd:,.0f}")
    tot = rec.totals
    t.add_row("Total", "", str(tot["quantity"]), "", f"${tot['extended_value']:,.0f}",
              str(tot["on_hand_qty"]), str(tot["on_order_qty"]), f"${tot['deposit']:,.0f}",
              f"${tot['ssa_surcharge']:,.0f}", f"${tot['total']:,.0f}", style="bold")
    console.print(t)
    if not rec.lines:
        console.print(f"No FMSO I is needed: on CLSSA without a buy-in {rec.customer} is "
                      f"predicted at {rec.availability_start:.4f}.", highlight=False)

    c = Table(title=f"Cost versus predicted availability ({len(rec.curve)} points; all in "
                    f"{out / 'curve.csv'})")
    for col in ("Step", "Last unit", "FMSO I value", "Deposit due", "Availability",
                "Backorders"):
        c.add_column(col, justify="left" if col == "Last unit" else "right")
    n = len(rec.curve)
    shown = sorted({0, n - 1, rec.step} | {round(k * (n - 1) / 10) for k in range(11)})
    steps = rec.curve.steps
    for k in shown:
        st = steps[k]
        mark = " ◀ recommended" if k == rec.step else ""
        c.add_row(str(k), (st.nsn or "(CLSSA, no buy-in)") + mark,
                  f"${st.cumulative_cost:,.0f}", f"${rec.curve_deposit[k]:,.0f}",
                  f"{st.availability:.4f}", f"{st.total_ebo:.3f}")
    console.print(c)
    lines = [
        (f"Predicted availability: {rec.availability:.4f} (METRIC), "
        f"{_num(rec.availability_finite_fleet, 4)} with the finite-fleet correction; "
        f"{rec.availability_start:.4f} on CLSSA without a buy-in, at most "
        f"{rec.availability_limit:.4f} with unlimited FMSO I (the customer's shelf must still "
        "cover the shipping pipeline)."),
        (f"Gain over CLSSA without a buy-in: {rec.availability - rec.availability_start:+.4f} "
         f"availability ({(rec.availability - rec.availability_start) * rec.curve.aircraft:+.2f} "
         f"aircraft), {rec.allocation.total_ebo - rec.curve.total_ebo[0]:+.3f} backorders."),
        "Prediction is after FMSO I maturity (one procurement lead time from the start).",
    ]
    if rec.excluded:
        by_reason: dict[str, list[str]] = {}
        for nsn, why in rec.excluded.items():
            by_reason.setdefault(why, []).append(nsn)
        for why, nsns in by_reason.items():
            lines.append(f"Not on CLSSA ({why}), kept on their option in "
                         f"{rec.base_alternative!r}: {', '.join(nsns)}")
    for ln in lines:
        console.print(ln, highlight=False)
    console.print(f"written: {out / 'buyin.csv'}, buyin.parquet, curve.csv, curve.parquet, "
                  "recommendation.json", highlight=False)


def _print_verification(rec, result) -> None:
    from rich.table import Table

    from sim.analytic.recommend import explain

    console = _console()
    t = Table(title=f"Verification by simulation — {rec.customer} on CLSSA with the recommended "
                    f"FMSO I ({result.replications} replications)")
    for col in ("", "Availability", "95 % CI", "Backorders"):
        t.add_column(col, justify="left" if not col else "right")
    lo, hi = result.mean - result.half_width, result.mean + result.half_width
    t.add_row("Simulated", f"{result.mean:.4f}", f"[{lo:.4f}, {hi:.4f}]",
              f"{result.backorders_mean:.3f} ± {result.backorders_half_width:.3f}")
    t.add_row("Predicted (METRIC)", f"{rec.availability:.4f}", "",
              f"{sum(it.ebo for it in rec.items):.3f}")
    if rec.availability_finite_fleet is not None:
        t.add_row("Predicted (finite fleet)", f"{rec.availability_finite_fleet:.4f}", "", "")
    if rec.goal == "target_availability":
        t.add_row("Target", f"{rec.goal_value:g}", "", "")
    console.print(t)
    for change in result.changes:
        console.print(f"verification run: {change}", highlight=False)
    for line in explain(rec, result):
        console.print(line, highlight=False)
