"""The ``sustain`` command.

Exit codes (DESIGN §4): 0 success; 2 invalid input (bad file, bad option, a result directory
in use or of another run) with nothing written; 1 any other failure, with a one-line reason (a
traceback only with ``--debug``); 130 after Ctrl-C and 143 after SIGTERM, the finished units
kept and the way to resume said.

Everything printed that came from a file or an option (names, paths, messages quoting them)
goes through ``sim.terminal``: control characters are shown as escapes and rich markup is never
interpreted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import math
import os
import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim import __version__
from sim.errors import InvalidInput, Terminated
from sim.progress import ProgressBar
from sim.terminal import clean, plural

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2
EXIT_SIGINT, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGTERM
MAX_FORCED_WORKERS = 1024
"""Local processes even ``--force`` cannot go beyond (each is a copy of the interpreter)."""


def say(text: str = "", err: bool = False) -> None:
    """Print a line that may quote a name or a path: control characters made visible."""
    print(clean(text), file=sys.stderr if err else sys.stdout, flush=True)


def load_runnable(path: str):
    """A valid scenario, or InvalidInput listing every problem with its place."""
    from sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise InvalidInput(exc.report()) from None


def check_counts(args: argparse.Namespace) -> None:
    """``--replications`` and ``--workers``, where given, must be at least 1; ``--workers``
    at most this machine's cores unless ``--force`` (and never past ``MAX_FORCED_WORKERS``)."""
    for name in ("replications", "workers"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise InvalidInput(f"--{name} must be at least 1")
    workers = getattr(args, "workers", None)
    cores = os.cpu_count() or 1
    if workers is not None and workers > cores:
        if workers > MAX_FORCED_WORKERS:
            raise InvalidInput(f"--workers {workers:,}: at most {MAX_FORCED_WORKERS:,} local "
                               "processes (use --cluster for more)")
        if not getattr(args, "force", False):
            raise InvalidInput(f"--workers {workers:,} is more than this machine's "
                               f"{plural(cores, 'core')}: more processes than cores only "
                               "share them; pass --force to start that many anyway")


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.scenario.advisories import advisories

    scenario = load_runnable(args.scenario)
    say(f"{args.scenario}: valid — {plural(len(scenario.items), 'NSN')}, "
        f"{plural(len(scenario.customers), 'customer')}, "
        f"{plural(len(scenario.alternatives), 'alternative')}")
    for line in advisories(scenario):
        say(f"warning: {line}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from sim.scenario import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return EXIT_OK


def _planned(scenarios, replications: int, alternatives: int, workers: int, force: bool,
             pending: int | None = None):
    """Print the up-front estimate (of the units still to run, when resuming); refuse (exit 2,
    nothing written) past the limit."""
    from sim.estimate import estimate

    if pending == 0:
        return None
    est = estimate(scenarios, replications, alternatives, workers)
    if pending is not None and est.units and pending < est.units:
        est = dataclasses.replace(est, removals=est.removals * pending / est.units,
                                  units=pending)
    say(est.text())
    if est.too_long and not force:
        raise InvalidInput(est.refusal())
    return est


def _result_dir(args: argparse.Namespace, scenario_name: str, suffix: str = "") -> Path:
    """``--out`` as given, else ``results/<slug of the scenario name><suffix>/`` (saying so
    when the name had to change to become a path)."""
    from sim.paths import default_result_dir

    if args.out:
        return Path(args.out)
    path, note = default_result_dir(scenario_name, suffix)
    if note:
        say(note)
    return path


class Tracker:
    """What a run has found and done, for the progress bar, the resume message and the
    message after an interruption."""

    def __init__(self, out: Path, alternatives: list[str], label: str) -> None:
        self.out = out
        self.names = alternatives
        self.label = label
        self.total = 0
        self.reused = 0
        self.ran = 0
        self.left: dict[int, int] = {}
        self.bar: ProgressBar | None = None
        self.advance: Any = None

    def start(self, found: Any) -> None:
        """``runner.Resumed``: say what is reused, then show the bar."""
        self.total, self.reused = found.total, found.reused
        if found.stale_lock:
            say(found.stale_lock)
        if found.finished_before:
            say(f"nothing to run: {self.out} holds this run finished ({plural(found.total, 'unit')}"
                "); rerun with --fresh to compute it again")
            if found.other_build:
                say("note: another build of sustain computed it (see its manifest.json); "
                    "--fresh runs it with this one")
            return
        if found.reused:
            say(f"resuming: {plural(found.reused, 'finished unit')} of {found.total:,} in "
                f"{self.out} reused, {len(found.pending):,} to run")
        if found.rerun:
            say(f"note: {plural(found.rerun, 'unit')} listed as finished had damaged or missing "
                "parts; they run again")
        for u in found.pending:
            self.left[u.alternative] = self.left.get(u.alternative, 0) + 1
        self.bar = ProgressBar(found.total, self.label, done=found.reused, text=self._now())
        self.advance = self.bar.__enter__()

    def _now(self) -> str | None:
        running = next((a for a in sorted(self.left) if self.left[a] > 0), None)
        if running is None:
            return None
        return f"{self.names[running]} ({running + 1}/{len(self.names)})"

    def unit(self, alternative: int, replication: int) -> None:
        self.ran += 1
        if alternative in self.left:
            self.left[alternative] -= 1
        if self.advance is not None:
            self.advance(self._now())

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def stopped(self, how: str) -> str:
        if not self.total:
            return f"{how} before any unit ran; run the same command again to start"
        kept = self.reused + self.ran
        from sim.results import ResultDir, ResultDirError

        try:   # what the run recorded as it stopped is the truth
            kept = len((ResultDir(self.out).read_manifest() or {})["completed_units"])
        except (ResultDirError, KeyError):
            pass   # the count above is a fair fallback
        return (f"{how}: {kept:,} of {self.total:,} units are finished and kept in {self.out}; "
                "run the same command again to resume")


_STOP_SAID = False
"""Whether a run has said, after Ctrl-C or SIGTERM, what it kept (so main does not)."""


@contextmanager
def _stop_message(tracker: Tracker) -> Iterator[None]:
    """Ctrl-C or SIGTERM: close the bar, say what is kept and how to resume, re-raise (main
    turns it into exit 130 or 143)."""
    global _STOP_SAID
    try:
        yield
    except (KeyboardInterrupt, Terminated) as exc:
        tracker.close()
        how = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else \
            "stopped (SIGTERM)"
        say(tracker.stopped(how), err=True)
        _STOP_SAID = True
        raise
    finally:
        tracker.close()


def _workers(args: argparse.Namespace, units: int) -> int:
    """Local processes: as asked (default all cores), never more than there are units."""
    if args.cluster:
        return 0
    wanted = args.workers or os.cpu_count() or 1
    return max(1, min(wanted, units))


def cmd_run(args: argparse.Namespace) -> int:
    from sim import runner
    from sim.cluster import pool_for
    from sim.estimate import batch_units

    scenario = load_runnable(args.scenario)
    check_counts(args)
    scenario = runner.resolve(scenario, args.replications, args.seed)
    out = _result_dir(args, scenario.scenario)
    if scenario.sweep is not None:
        say(f"note: {args.scenario} has a sweep block; 'sustain run' runs only the scenario "
            f"as written (the base point). 'sustain sweep {args.scenario}' runs its "
            f"{scenario.sweep.method} points.")
    settings = runner.RunSettings(out=out, record_events=args.events, fresh=args.fresh)
    pending = runner.pending_units(scenario, settings)
    tracker = Tracker(out, [a.name for a in scenario.alternatives], "replications")
    with pool_for(_workers(args, max(pending, 1)), args.cluster) as pool:
        est = _planned([scenario], scenario.replications, len(scenario.alternatives),
                       pool.workers, args.force, pending)
        settings = dataclasses.replace(
            settings, workers=pool.workers,
            batch_units=batch_units(est, max(pending, 1), pool.workers) if est else 1)
        with _stop_message(tracker):
            result = runner.run(scenario, settings, on_unit=tracker.unit,
                                executor=pool.executor, on_start=tracker.start)
    _print_comparison(result.path)
    say(f"results: {result.path}")
    if args.report:
        _report(result.path)
    return EXIT_OK


def _report(result_dir: Path) -> None:
    from analysis.report import write_report

    with _status("building the report"):
        report = write_report(result_dir)
    say(f"report: {report}")


@contextmanager
def _status(text: str) -> Iterator[None]:
    """A spinner while a long step runs (on a terminal only)."""
    if not sys.stderr.isatty():
        yield
        return
    from sim.terminal import console

    with console(stderr=True).status(text):
        yield


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim import runner
    from sim.cluster import pool_for
    from sim.estimate import batch_units
    from sim.results import ResultDir, command_line
    from sim.scenario import ScenarioError
    from sim.scenario.sweep import prepare, resized_stock, validated

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
    simulate = not args.no_simulate
    try:
        prep = prepare(scenario, args.scenario)
        # A screen alone checks the points as the workers answer them (sweep.validated);
        # a simulation needs every point checked before its estimate and its first unit.
        plan = prep.plan(list(validated(prep))) if simulate else None
    except ScenarioError as exc:
        raise InvalidInput(exc.report()) from None
    out = _result_dir(args, scenario.scenario, "_sweep")
    n_alt, reps, n_points = len(scenario.alternatives), scenario.replications, len(prep.values)
    say(f"sweep: {prep.method}, {plural(len(prep.parameters), 'parameter')}, "
        f"{plural(n_points, 'point')}"
        + (f" x {plural(n_alt, 'alternative')} x {plural(reps, 'replication')}" if simulate
           else f" x {plural(n_alt, 'alternative')}, closed form only"))
    if plan is not None:
        for line in resized_stock(plan):
            say(f"warning: {line}")
    settings = runner.RunSettings(out=out, record_events=args.events, fresh=args.fresh)
    pending = runner.pending_units(scenario, settings, plan) if simulate else 0
    tracker = Tracker(out, [a.name for a in scenario.alternatives], "units")
    with pool_for(_workers(args, max(pending, n_points, 1)), args.cluster) as pool:
        est = None
        if simulate:
            est = _planned([p.scenario for p in plan.points], reps, n_alt, pool.workers,
                           args.force, pending)
        settings = dataclasses.replace(
            settings, workers=pool.workers,
            batch_units=batch_units(est, max(pending, 1), pool.workers) if est else 1)
        with ResultDir(out).lock(command_line()) as stale, _stop_message(tracker):
            if stale:
                say(stale)
            checked: list = []

            def opened() -> None:
                nonlocal plan
                if plan is None:        # a screen alone: every point is checked by now
                    plan = prep.plan(checked)
                    for line in resized_stock(plan):
                        say(f"warning: {line}")
                runner.open_result(scenario, settings, plan)

            if args.analytic:
                from sim.analytic.screen import (
                    CLUSTER_POINTS_PER_TASK,
                    POINTS_PER_TASK,
                    screen,
                )

                def points() -> Iterator:
                    for point in validated(prep):
                        checked.append(point)
                        yield point

                # The workers answer the first points while the rest are checked; the result
                # folder is opened (manifest, points) once every point is valid: nothing is
                # written to it before the folder and every point are checked.
                with ProgressBar(n_points, "points (closed form)") as advance:
                    try:
                        table = screen(plan.points if plan is not None else points(),
                                       prep.names, n_points, pool.executor, pool.workers,
                                       on_point=advance,
                                       per_task=CLUSTER_POINTS_PER_TASK if args.cluster
                                       else POINTS_PER_TASK, meanwhile=opened)
                    except ScenarioError as exc:
                        raise InvalidInput(exc.report()) from None
                ResultDir(out).write_table("analytic", table)
                say(f"analytic: {out / 'analytic.parquet'} ({plural(table.num_rows, 'row')})")
                from sim.analytic.predict import screen_notes

                for note in screen_notes(scenario):
                    say(f"note (closed form): {note}")
            else:
                opened()
            settings = dataclasses.replace(settings, fresh=False)   # opened: now resume
            if simulate:
                runner.run(scenario, settings, on_unit=tracker.unit, executor=pool.executor,
                           plan=plan, on_start=tracker.start)
    if simulate:
        _print_sweep(out, plan.names)
    say(f"results: {out}")
    if args.report:
        _report(out)
    return EXIT_OK


def _print_sweep(result_dir: Path, parameters: list[str]) -> None:
    """Mean availability per point and alternative, one table per customer."""
    from rich.table import Table

    from analysis.load import read_table
    from sim.terminal import console as safe_console

    summary = read_table(result_dir, "summary")
    alts = list(dict.fromkeys(summary["alternative"]))
    means = summary.groupby(["customer", "point", "alternative"], sort=False)[
        "availability"].mean()
    values = summary.groupby("point")[parameters].first()
    console = safe_console(min_width=120)
    shown = 30
    short = {p: f"P{i}" for i, p in enumerate(parameters, 1)}
    console.print("Parameters: " + "; ".join(f"{short[p]} = {p}" for p in parameters))
    for customer in dict.fromkeys(summary["customer"]):
        t = Table(title=f"{customer} — mean availability at each sweep point", min_width=72)
        t.add_column("Point", justify="right", no_wrap=True)
        for p in parameters:
            t.add_column(short[p], justify="right", no_wrap=True)
        for a in alts:
            t.add_column(a, justify="right", overflow="fold")
        for point in list(values.index)[:shown]:
            t.add_row(str(point), *(f"{values.loc[point, p]:g}" for p in parameters),
                      *(f"{means[(customer, point, a)]:.3f}" for a in alts))
        console.print(t)
        if len(values) > shown:
            console.print(f"  ... {plural(len(values) - shown, 'more point')} in "
                          "summary.parquet")


def _print_comparison(result_dir: Path) -> None:
    """The comparison table, fitted to the terminal: when one line per row is too wide, each
    half-width goes under its mean (numbers never wrap mid-figure)."""
    from rich.table import Table

    from sim.comparison import comparison
    from sim.terminal import console

    rows, n = comparison(result_dir)
    out = console(min_width=120)

    def table(stacked: bool, squeeze: bool = False) -> Table:
        t = Table(title=f"Alternatives compared — mean ± 95 % CI half-width over "
                        f"{plural(n, 'replication')} (after warm-up)")
        headers = (("Alternative", "Customer", "Avail.", "CWT d", "Cost $M", "NPV $M")
                   if squeeze else
                   ("Alternative", "Customer", "Availability", "CWT (days)", "Cost ($M)",
                    "NPV ($M)" if stacked else "NPV cost ($M)",
                    "$/prog FH" if stacked else "$ / programmed FH",
                    "FH short" if stacked else "FH not flown"))
        for col in headers:
            if col in ("Alternative", "Customer"):
                t.add_column(col, justify="left", overflow="fold",
                             min_width=None if squeeze else len(col))
            else:
                t.add_column(col, justify="right", no_wrap=True)

        def fmt(v: float, h: float, scale: float = 1.0, digits: int = 3) -> str:
            hw = "" if math.isnan(h) else f"{chr(10) if stacked else ' '}± {h / scale:.{digits}f}"
            return f"{v / scale:.{digits}f}{hw}"

        for r in rows:
            cells = [r["alternative"], r["customer"],
                     fmt(r["availability"], r["availability_ci"]),
                     fmt(r["cwt_days_mean"], r["cwt_days_mean_ci"], digits=2),
                     fmt(r["cost_usd"], r["cost_usd_ci"], 1e6, 2),
                     fmt(r["npv_cost_usd"], r["npv_cost_usd_ci"], 1e6, 2)]
            if not squeeze:         # a narrow terminal keeps the names (both in summary.parquet)
                cells += [fmt(r["cost_per_programmed_fh_usd"],
                              r["cost_per_programmed_fh_usd_ci"], digits=0),
                          fmt(r["flight_hours_shortfall"], r["flight_hours_shortfall_ci"],
                              digits=0)]
            t.add_row(*cells)
        return t

    from rich.measure import Measurement

    def width(t: Table) -> Measurement:
        return Measurement.get(out, out.options.update(width=10_000, max_width=10_000), t)

    chosen = table(stacked=False)
    if width(chosen).maximum > out.width:
        chosen = table(stacked=True)
        if width(chosen).minimum > out.width:
            chosen = table(stacked=True, squeeze=True)   # names fold to make room
    out.print(chosen)


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import cmd_report as run_report

    with _status("building the report"):
        return run_report(args)


def cmd_analytic(args: argparse.Namespace) -> int:
    from sim.analytic.commands import cmd_analytic as run_analytic

    return run_analytic(args)


def cmd_recommend(args: argparse.Namespace) -> int:
    from sim.analytic.commands import cmd_recommend as run_recommend

    return run_recommend(args)


class Parser(argparse.ArgumentParser):
    """argparse, with its error messages (which quote what was typed) made terminal-safe."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, clean(f"{self.prog}: error: {message}\n"))


class _Version(argparse.Action):
    """``--version``: the package version and the code hash a result directory records."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from sim.build import code_sha256

        print(f"sustain {__version__} (code {code_sha256()[:12]})")
        parser.exit()


def _sub(sub: Any, name: str, summary: str, description: str, examples: str) -> Parser:
    return sub.add_parser(name, help=summary, description=description,
                          epilog="examples:\n" + examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _run_options(p: argparse.ArgumentParser, default_out: str) -> None:
    p.add_argument("scenario", help="the scenario file (YAML)")
    p.add_argument("--out", help=f"result directory (default {default_out}; a directory that "
                                 "exists must be empty or a sustain result directory)")
    p.add_argument("--replications", type=int, help="replications (default: the scenario's)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int,
                       help="local processes (default: all cores; at most the cores without "
                            "--force)")
    where.add_argument("--cluster", help="Dask scheduler address, tcp://host:8786")
    p.add_argument("--events", action="store_true", help="also write events.parquet")
    p.add_argument("--report", action="store_true", help="also write the report (see report)")
    p.add_argument("--fresh", action="store_true",
                   help="start the result directory afresh: discard the units an earlier run "
                        "finished there (only sustain's own files are removed)")
    p.add_argument("--force", action="store_true",
                   help="run even when the estimate is above the two-hour limit, or with more "
                        "--workers than cores (finished units are still reused)")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="sustain", formatter_class=argparse.RawDescriptionHelpFormatter,
               description=(
                   "Sustainment simulator: compares follow-on support options (repair and "
                   "return, direct exchange, CLSSA, ...) for FMS fleets by Monte Carlo, with "
                   "availability, customer wait and cost per alternative and 95 % confidence "
                   "intervals."),
               epilog=("exit codes: 0 success; 2 invalid input, nothing written; 1 any other "
                       "failure (one line; --debug for the traceback); 130 Ctrl-C, 143 SIGTERM "
                       "(finished units kept: rerun to resume)\n\nexample:\n"
                       "  sustain run scenarios/quickstart.yaml"))
    p.add_argument("--version", action=_Version, help="print the version and code hash")
    p.add_argument("--debug", action="store_true", help="show tracebacks on failure")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = _sub(sub, "run", "run every alternative x replication",
             "Simulate every alternative of the scenario over its replications (a local "
             "process pool, or a Dask cluster), print the comparison with 95 % confidence "
             "intervals and write the Parquet tables. An interrupted run resumes when the same "
             "command is run again; only the same scenario, seed and build of sustain resume.",
             "  sustain run scenarios/quickstart.yaml\n"
             "  sustain run scenarios/quickstart.yaml --replications 5 --out results/qs5\n"
             "  sustain run scenarios/quickstart.yaml --fresh --report")
    _run_options(r, "results/<scenario>/")
    r.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    r.set_defaults(func=cmd_run)

    v = _sub(sub, "validate", "list every problem in a scenario file",
             "Check a scenario file and list every problem with its line and place in the "
             "file (with the key, option or name probably meant); run nothing.",
             "  sustain validate scenarios/quickstart.yaml")
    v.add_argument("scenario", help="the scenario file (YAML)")
    v.set_defaults(func=cmd_validate)

    s = _sub(sub, "schema", "print the scenario JSON Schema",
             "Print the JSON Schema of the scenario file format (for editors and scripts).",
             "  sustain schema > scenario.schema.json")
    s.set_defaults(func=cmd_schema)

    sw = _sub(sub, "sweep", "run the scenario's sweep: points x alternatives x replications",
              "Run the points of the scenario's sweep block (grid, Latin hypercube or one at a "
              "time), each point x alternatives x replications, with common random numbers "
              "across points; --analytic screens every point with the closed form first. "
              "Resumable like run.",
              "  sustain sweep scenarios/sensitivity.yaml\n"
              "  sustain sweep scenarios/sensitivity.yaml --analytic --no-simulate")
    _run_options(sw, "results/<scenario>_sweep/")
    sw.add_argument("--analytic", action="store_true",
                    help="screen every point with the closed form (analytic.parquet)")
    sw.add_argument("--no-simulate", action="store_true",
                    help="with --analytic: only the closed-form screen")
    sw.set_defaults(func=cmd_sweep)

    rp = _sub(sub, "report", "charts and report.html for a result directory",
              "Write the briefing charts, report.html and summary.xlsx into RESULT_DIR/report/.",
              "  sustain report results/quickstart\n"
              "  sustain report results/fms_follow_on --pptx --banner 'NOTIONAL DATA'")
    rp.add_argument("result_dir", help="a finished result directory")
    rp.add_argument("--pptx", action="store_true", help="also write report.pptx (slides)")
    rp.add_argument("--banner", default="",
                    help="a line on every chart, page and slide, e.g. 'NOTIONAL DATA — ILLUSTRATIVE'")
    rp.set_defaults(func=cmd_report)

    an = _sub(sub, "analytic", "closed-form METRIC answer for each alternative",
              "The closed-form (two-echelon METRIC, VARI-METRIC) answer for every alternative "
              "and customer where one exists, per NSN, with its assumptions; in under a second.",
              "  sustain analytic scenarios/quickstart.yaml\n"
              "  sustain analytic scenarios/quickstart.yaml --json")
    an.add_argument("scenario", help="the scenario file (YAML)")
    an.add_argument("--json", action="store_true", help="machine-readable output")
    an.add_argument("--nsns", type=int, default=20,
                    help="NSNs shown per alternative and customer, most expected backorders "
                         "first (default 20; 0: all; --json always has all)")
    an.set_defaults(func=cmd_analytic)

    rc = _sub(sub, "recommend", "CLSSA FMSO I buy-in by NSN and quantity",
              "Choose a customer's CLSSA FMSO I buy-in by marginal analysis, for a target "
              "availability or a budget; writes the buy-in list and the cost-versus-"
              "availability curve to results/<scenario>/recommend_<customer>/ (or --out).",
              "  sustain recommend scenarios/fms_follow_on.yaml --customer 'Nation A' "
              "--target-availability 0.9\n"
              "  sustain recommend scenarios/fms_follow_on.yaml --customer 'Nation A' "
              "--budget-usd 5e6 --verify")
    rc.add_argument("scenario", help="the scenario file (YAML)")
    rc.add_argument("--customer", required=True, help="the FMS customer's name")
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
    rc.add_argument("--force", action="store_true",
                    help="with --verify: allow more --workers than cores")
    rc.set_defaults(func=cmd_recommend)
    from sim.analytic.fair_args import add_parser as add_optimize  # sustain optimize

    add_optimize(sub)
    return p


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return clean(text)


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While a command runs, SIGTERM raises ``Terminated`` in the main thread (so the run stops
    like after Ctrl-C: workers stopped, finished units kept)."""
    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:   # not the main thread (an embedding program): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _PipeSafe:
    """Standard output that a reader closing the pipe (``sustain schema | head -1``) cannot
    turn into a failure: once the pipe is gone, output goes to the null device and the command
    carries on to its own exit code (a run still writes every table)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _gone(self) -> None:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())
        except (OSError, ValueError, AttributeError):
            self._stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()
            with contextlib.suppress(BrokenPipeError, OSError, ValueError):
                self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def _one_blas_thread() -> None:
    """sustain runs in parallel by processes and does no matrix algebra, so numpy's OpenBLAS
    threads would only cost their start-up: 40-60 ms of every command that imports numpy
    (more on a busy machine). One thread, unless the user chose a number (or numpy is already
    loaded, by a program that calls ``main``: then nothing changes)."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    global _STOP_SAID
    _STOP_SAID = False
    _one_blas_thread()
    stdout = sys.stdout
    sys.stdout = _PipeSafe(stdout)
    try:
        code = _main(argv)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        sys.stdout = stdout
    runner = sys.modules.get("sim.runner")
    if argv is None and runner is not None and runner.STUCK_POOL:
        # The program (not a caller of main) after stopping a pool whose manager thread
        # cannot finish: everything is written and closed, and a normal exit would wait
        # for that thread for ever.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
    return code


def _main(argv: list[str] | None) -> int:
    from sim.errors import InvariantViolation, ResultDirError, WorkerDied

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _sigterm_raises():
            return args.func(args)
    except (InvalidInput, ResultDirError) as exc:
        say(str(exc), err=True)
        return EXIT_INVALID
    except KeyboardInterrupt:
        if not _STOP_SAID:
            say("interrupted (Ctrl-C); nothing new was finished", err=True)
        return EXIT_SIGINT
    except Terminated:
        if not _STOP_SAID:
            say("stopped (SIGTERM); nothing new was finished", err=True)
        return EXIT_SIGTERM
    except InvariantViolation as exc:
        if args.debug:
            traceback.print_exc()
        say(f"sustain: error: {_one_line(exc)}", err=True)
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - the contract is a one-line reason, exit 1
        if isinstance(exc, WorkerDied) and not args.debug:
            say(f"sustain: error: {exc}", err=True)
            return EXIT_FAILURE
        if _pool_broken(exc) and not args.debug:       # the pool's own wording replaced
            from sim.runner import RESUME

            say(f"sustain: error: a worker process died (killed for want of memory?); {RESUME}",
                err=True)
            return EXIT_FAILURE
        if _disk_full(exc) and not args.debug:
            where = f" writing {exc.filename}" if getattr(exc, "filename", None) else ""
            say(f"sustain: error: No space left on device{where}. Every unit that "
                "finished is kept (temporaries are removed); free space and rerun the same "
                "command to resume.", err=True)
            return EXIT_FAILURE
        if args.debug:
            traceback.print_exc()
        else:
            say(f"sustain: error: {type(exc).__name__}: {_one_line(exc)} (rerun with --debug "
                "for the traceback)", err=True)
        return EXIT_FAILURE


def _pool_broken(exc: BaseException) -> bool:
    """A local worker process ended abruptly (concurrent.futures' BrokenProcessPool, checked
    without importing multiprocessing where no pool was made)."""
    process = sys.modules.get("concurrent.futures.process")
    return process is not None and isinstance(exc, process.BrokenProcessPool)


if __name__ == "__main__":
    raise SystemExit(main())
