"""The ``sustain`` command.

Exit codes (DESIGN §4): 0 success; 2 invalid input (bad file, bad option) with nothing
written; 1 any other failure, with a one-line reason (a traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import traceback
from pathlib import Path

from sim.errors import InvalidInput
from sim.progress import ProgressBar

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2


def load_runnable(path: str):
    """A valid scenario, or InvalidInput listing every problem with its place."""
    from sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise InvalidInput(exc.report()) from None


def check_counts(args: argparse.Namespace) -> None:
    """``--replications`` and ``--workers``, where given, must be at least 1."""
    for name in ("replications", "workers"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise InvalidInput(f"--{name} must be at least 1")


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.scenario.advisories import advisories

    scenario = load_runnable(args.scenario)
    print(f"{args.scenario}: valid — {len(scenario.items)} NSNs, {len(scenario.customers)} "
          f"customers, {len(scenario.alternatives)} alternatives")
    for line in advisories(scenario):
        print(f"warning: {line}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from sim.scenario import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return EXIT_OK


def _planned(scenarios, replications: int, alternatives: int, workers: int, force: bool):
    """Print the up-front estimate; refuse (exit 2, nothing written) past the limit."""
    from sim.estimate import estimate

    est = estimate(scenarios, replications, alternatives, workers)
    print(est.text(), flush=True)
    if est.too_long and not force:
        raise InvalidInput(est.refusal())
    return est


def cmd_run(args: argparse.Namespace) -> int:
    from sim import runner
    from sim.cluster import pool_for
    from sim.estimate import batch_units

    scenario = load_runnable(args.scenario)
    check_counts(args)
    scenario = runner.resolve(scenario, args.replications, args.seed)
    out = Path(args.out) if args.out else Path("results") / scenario.scenario
    if scenario.sweep is not None:
        print(f"note: {args.scenario} has a sweep block; 'sustain run' runs only the scenario "
              f"as written (the base point). 'sustain sweep {args.scenario}' runs its "
              f"{scenario.sweep.method} points.")
    total = len(scenario.alternatives) * scenario.replications
    try:
        with pool_for(args.workers or 0, args.cluster) as pool:
            est = _planned([scenario], scenario.replications, len(scenario.alternatives),
                           pool.workers, args.force)
            settings = runner.RunSettings(out=out, workers=pool.workers,
                                          record_events=args.events,
                                          batch_units=batch_units(est, total, pool.workers))
            with ProgressBar(total) as advance:
                result = runner.run(scenario, settings, on_unit=lambda a, r: advance(),
                                    executor=pool.executor)
    except runner.ResultDirConflict as exc:
        raise InvalidInput(str(exc)) from None
    except KeyboardInterrupt:
        print(f"interrupted: finished replications are kept in {out}; run the same command "
              "again to resume", file=sys.stderr)
        return EXIT_FAILURE
    _print_comparison(result.path)
    print(f"results: {result.path}")
    if args.report:
        from analysis.report import write_report

        report = write_report(result.path)
        print(f"report: {report}")
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim import runner
    from sim.cluster import pool_for
    from sim.estimate import batch_units
    from sim.results import ResultDir
    from sim.scenario import ScenarioError
    from sim.scenario.sweep import expand

    if args.no_simulate and not args.analytic:
        raise InvalidInput("--no-simulate only makes sense with --analytic")
    if args.report and args.no_simulate:
        raise InvalidInput("--report needs simulated results: drop --no-simulate")
    scenario = load_runnable(args.scenario)
    check_counts(args)
    if scenario.sweep is None:
        raise InvalidInput(f"{args.scenario}: no sweep block, nothing to sweep (add one, see "
                           "README 'Sweeps'; 'sustain run' runs the scenario as written)")
    scenario = runner.resolve(scenario, args.replications, None)
    try:
        plan = expand(scenario, args.scenario)
    except ScenarioError as exc:
        raise InvalidInput(exc.report()) from None
    simulate = not args.no_simulate
    out = Path(args.out) if args.out else Path("results") / f"{scenario.scenario}_sweep"
    n_alt, reps = len(scenario.alternatives), scenario.replications
    total = len(plan.points) * n_alt * reps
    print(f"sweep: {plan.method}, {len(plan.parameters)} parameter"
          f"{'s' if len(plan.parameters) != 1 else ''}, {len(plan.points)} points"
          + (f" x {n_alt} alternatives x {reps} replications" if simulate else
             f" x {n_alt} alternatives, closed form only"), flush=True)
    try:
        with pool_for(args.workers or 0, args.cluster) as pool:
            est = None
            if simulate:
                est = _planned([p.scenario for p in plan.points], reps, n_alt, pool.workers,
                               args.force)
            settings = runner.RunSettings(
                out=out, workers=pool.workers, record_events=args.events,
                batch_units=batch_units(est, total, pool.workers) if est else 1)
            runner.open_result(scenario, settings, plan)
            if args.analytic:
                from sim.analytic.screen import screen

                with ProgressBar(len(plan.points), "points (closed form)") as advance:
                    table = screen(plan, pool.executor, pool.workers, on_point=advance)
                ResultDir(out).write_table("analytic", table)
                print(f"analytic: {out / 'analytic.parquet'} ({table.num_rows} rows)")
            if simulate:
                with ProgressBar(total, "units") as advance:
                    runner.run(scenario, settings, on_unit=lambda a, r: advance(),
                               executor=pool.executor, plan=plan)
    except runner.ResultDirConflict as exc:
        raise InvalidInput(str(exc)) from None
    except KeyboardInterrupt:
        print(f"interrupted: finished units are kept in {out}; run the same command again to "
              "resume", file=sys.stderr)
        return EXIT_FAILURE
    if simulate:
        _print_sweep(out, plan.names)
    print(f"results: {out}")
    if args.report:
        from analysis.report import write_report

        print(f"report: {write_report(out)}")
    return EXIT_OK


def _print_sweep(result_dir: Path, parameters: list[str]) -> None:
    """Mean availability per point and alternative, one table per customer."""
    from rich.console import Console
    from rich.table import Table

    from analysis.load import read_table

    summary = read_table(result_dir, "summary")
    alts = list(dict.fromkeys(summary["alternative"]))
    means = summary.groupby(["customer", "point", "alternative"], sort=False)[
        "availability"].mean()
    values = summary.groupby("point")[parameters].first()
    console = Console(width=max(120, Console().width))
    shown = 30
    short = {p: f"P{i}" for i, p in enumerate(parameters, 1)}
    console.print("Parameters: " + "; ".join(f"{short[p]} = {p}" for p in parameters),
                  highlight=False)
    for customer in dict.fromkeys(summary["customer"]):
        t = Table(title=f"{customer} — mean availability at each sweep point", min_width=72)
        t.add_column("Point", justify="right")
        for p in parameters:
            t.add_column(short[p], justify="right")
        for a in alts:
            t.add_column(a, justify="right")
        for point in list(values.index)[:shown]:
            t.add_row(str(point), *(f"{values.loc[point, p]:g}" for p in parameters),
                      *(f"{means[(customer, point, a)]:.3f}" for a in alts))
        console.print(t)
        if len(values) > shown:
            console.print(f"  ... {len(values) - shown} more points in summary.parquet")


def _print_comparison(result_dir: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from analysis.load import read_table
    from analysis.stats import summarize

    summary = read_table(result_dir, "summary")
    metrics = ["availability", "cwt_days_mean", "cost_usd", "npv_cost_usd"]
    table = summarize(summary, metrics)
    n = int(table["replications"].max()) if len(table) else 0
    out = Table(title=f"Alternatives compared — mean ± 95 % CI half-width over {n} replications "
                      "(after warm-up)")
    for col in ("Alternative", "Customer", "Availability", "CWT (days)", "Cost ($M)",
                "NPV cost ($M)"):
        out.add_column(col, justify="left" if col in ("Alternative", "Customer") else "right")

    def fmt(v: float, h: float, scale: float = 1.0, digits: int = 3) -> str:
        hw = "" if math.isnan(h) else f" ± {h / scale:.{digits}f}"
        return f"{v / scale:.{digits}f}{hw}"

    for _, r in table.iterrows():
        out.add_row(r["alternative"], r["customer"],
                    fmt(r["availability"], r["availability_ci"]),
                    fmt(r["cwt_days_mean"], r["cwt_days_mean_ci"], digits=2),
                    fmt(r["cost_usd"], r["cost_usd_ci"], 1e6, 2),
                    fmt(r["npv_cost_usd"], r["npv_cost_usd_ci"], 1e6, 2))
    Console(width=max(120, Console().width)).print(out)


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import cmd_report as run_report

    return run_report(args)


def cmd_analytic(args: argparse.Namespace) -> int:
    from sim.analytic.commands import cmd_analytic as run_analytic

    return run_analytic(args)


def cmd_recommend(args: argparse.Namespace) -> int:
    from sim.analytic.commands import cmd_recommend as run_recommend

    return run_recommend(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sustain", description=(
        "Sustainment simulator: compares follow-on support options for FMS fleets."))
    p.add_argument("--debug", action="store_true", help="show tracebacks on failure")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run every alternative x replication")
    r.add_argument("scenario")
    r.add_argument("--out", help="result directory (default results/<scenario>/)")
    r.add_argument("--replications", type=int)
    r.add_argument("--seed", type=int)
    rwhere = r.add_mutually_exclusive_group()
    rwhere.add_argument("--workers", type=int, help="processes (default: all cores)")
    rwhere.add_argument("--cluster", help="Dask scheduler address, tcp://host:8786")
    r.add_argument("--events", action="store_true", help="also write events.parquet")
    r.add_argument("--report", action="store_true", help="also write the report (see report)")
    r.add_argument("--force", action="store_true",
                   help="run even when the estimate is above the two-hour limit")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="list every problem in a scenario file")
    v.add_argument("scenario")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("schema", help="print the scenario JSON Schema")
    s.set_defaults(func=cmd_schema)

    sw = sub.add_parser("sweep", help="run the scenario's sweep: points x alternatives x "
                                      "replications, common random numbers across points")
    sw.add_argument("scenario")
    sw.add_argument("--out", help="result directory (default results/<scenario>_sweep/)")
    sw.add_argument("--replications", type=int)
    where = sw.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="processes (default: all cores)")
    where.add_argument("--cluster", help="Dask scheduler address, tcp://host:8786")
    sw.add_argument("--analytic", action="store_true",
                    help="screen every point with the closed form (analytic.parquet)")
    sw.add_argument("--no-simulate", action="store_true",
                    help="with --analytic: only the closed-form screen")
    sw.add_argument("--events", action="store_true", help="also write events.parquet")
    sw.add_argument("--report", action="store_true", help="also write the report (see report)")
    sw.add_argument("--force", action="store_true",
                    help="run even when the estimate is above the two-hour limit")
    sw.set_defaults(func=cmd_sweep)

    rp = sub.add_parser("report", help="charts and report.html for a result directory")
    rp.add_argument("result_dir")
    rp.add_argument("--pptx", action="store_true", help="also write report.pptx (slides)")
    rp.add_argument("--banner", default="", help="a line on every chart, page and slide, e.g. 'NOTIONAL DATA — ILLUSTRATIVE'")
    rp.set_defaults(func=cmd_report)

    an = sub.add_parser("analytic", help="closed-form METRIC answer for each alternative")
    an.add_argument("scenario")
    an.add_argument("--json", action="store_true", help="machine-readable output")
    an.set_defaults(func=cmd_analytic)

    rc = sub.add_parser("recommend", help="CLSSA FMSO I buy-in by NSN and quantity")
    rc.add_argument("scenario")
    rc.add_argument("--customer", required=True)
    goal = rc.add_mutually_exclusive_group(required=True)
    goal.add_argument("--target-availability", type=float)
    goal.add_argument("--budget-usd", type=float)
    rc.add_argument("--json", action="store_true", help="machine-readable output")
    rc.add_argument("--out", help="directory for the buy-in list (CSV and Parquet)")
    rc.add_argument("--verify", action="store_true",
                    help="simulate the recommended buy-in and show its availability")
    rc.add_argument("--where", action="store_true",
                    help="the customer's own spares per NSN and place (central store, bases) "
                         "instead of a CLSSA buy-in")
    rc.add_argument("--alternative", help="with --where: the alternative (default the first)")
    rc.add_argument("--replications", type=int)
    rc.add_argument("--workers", type=int)
    rc.set_defaults(func=cmd_recommend)
    from sim.analytic.fair import add_parser as add_optimize   # sustain optimize

    add_optimize(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InvalidInput as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - the contract is a one-line reason, exit 1
        if args.debug:
            traceback.print_exc()
        else:
            print(f"sustain: error: {type(exc).__name__}: {exc} (rerun with --debug for the "
                  "traceback)", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
