"""Which charts a report has, in reading order, built from one ``Bca``.

The key charts (``main``) follow the executive summary and go on the slides: each nation's
frontier with its recommendation, the cost to reach the target per alternative at its own
best spares (when ``sustain optimize`` wrote its tables), availability by phase, depot capacity, each nation's total
ownership cost by IPS element. Everything else is the appendix. Charts are made one at a time
(``build`` is a generator), so a report holds one figure in memory, never all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from analysis import money
from analysis import optimize as opt
from analysis.bca import Bca
from analysis.charts.costs import breakdown, by_year
from analysis.charts.depots import depot_backlog_over_time, depot_capacity
from analysis.charts.drivers import drivers
from analysis.charts.frontier import frontier
from analysis.charts.optimize import cost_to_target
from analysis.charts.phases import by_phase
from analysis.charts.scurves import scurves
from analysis.charts.sensitivity import breakeven, sensitivity
from analysis.charts.tco import readiness, tco_by_element
from analysis.charts.timelines import over_time
from analysis.charts.tornado import tornado
from analysis.charts.waits import waits
from analysis.style import Chart, Style
from analysis.timeline import markers


@dataclass
class Entry:
    customer: str | None  # None: a chart for the whole scenario
    chart: Chart
    main: bool = False    # a key chart: after the summary, and on a slide


def build(bca: Bca, style: Style) -> Iterator[Entry]:
    """Every chart, made when asked for; a chart with nothing to show is left out (the report
    says why)."""
    for customer, make, main in plan(bca, style):
        chart = make()
        if chart is not None:
            yield Entry(customer, chart, main)


def plan(bca: Bca, style: Style) -> list[tuple[str | None, Callable[[], Chart | None], bool]]:
    """(customer, how to make the chart, key chart?) in reading order."""
    r = bca.result
    sc = r.scenario
    period = float(sc.get("period_days") or 30.4375)
    dollars = money.dollars_short(sc)
    recs = {c: rec.alternative for c, rec in bca.recommendations.items()}
    runner = {c: rec.runner_up for c, rec in bca.recommendations.items()}
    exits = {c: next((k.data for k in bca.risks.get(c, []) if k.kind == "exit"), None)
             for c in r.decision_customers}
    out: list[tuple[str | None, Callable[[], Chart | None], bool]] = []
    for customer in r.decision_customers:      # US units are context, not a choice
        out.append((customer, lambda c=customer: frontier(
            style, bca.comparison, c, r.discount_rate, ref=recs.get(c), runner=runner.get(c),
            dollars=dollars), True))
    if r.optimize is not None:                 # sustain optimize wrote RESULT_DIR/optimize/
        for customer in r.decision_customers:
            out.append((customer, lambda c=customer: cost_to_target(
                style, r.optimize, opt.nation(r, c), dollars=dollars,
                discount_rate=r.discount_rate), True))
    out.append((None, lambda: by_phase(
        style, bca.phases, bca.comparison, {c: bca.plan(c) for c in r.decision_customers},
        recs, {c: d for c, d in exits.items() if d}), True))
    out.append((None, lambda: depot_capacity(style, bca.depots, recs), True))
    for customer in r.decision_customers:      # total ownership cost (costs.parquet)
        out.append((customer, lambda c=customer: tco_by_element(
            style, bca.tco, bca.comparison, c, sc, bca.measured_years, ref=recs.get(c)), True))
    for customer in r.decision_customers:
        out += [(customer, f, False) for f in _appendix(bca, style, customer, period, recs,
                                                         runner, exits)]
    scenario_marks = [m for m in markers(sc, None) if m.kind != "initial_support"]
    out.append((None, lambda: depot_backlog_over_time(
        style, bca.depot_band, bca.depots, scenario_marks, r.horizon_days, period, sc), False))
    return out


def _appendix(bca: Bca, style: Style, customer: str, period: float, recs: dict,
              runner: dict, exits: dict) -> list[Callable[[], Chart | None]]:
    r = bca.result
    sc = r.scenario
    ref, second = recs.get(customer), runner.get(customer)
    comp = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
    marks = markers(sc, customer)
    plan_ = bca.plan(customer)
    made: list[Callable[[], Chart | None]] = []
    if "availability" in bca.bands:
        made.append(lambda: over_time(
            style, bca.bands["availability"], customer, "availability", marks, r.warmup_days,
            r.horizon_days, period, headline=comp.get("availability"), scenario=sc,
            plan=plan_, phase_means=bca.phases, ref=ref, runner=second,
            exit_risk=exits.get(customer)))
    made.append(lambda: readiness(style, bca.comparison, customer,
                                  r.availability_target(customer), ref=ref))
    made += [
        lambda: breakdown(style, bca.comparison, customer, bca.measured_years, ref=ref,
                          dollars=money.dollars_short(sc)),
        lambda: by_year(style, bca.years, customer, sc, bca.comparison, ref=ref,
                        runner=second, horizon_days=r.horizon_days,
                        warmup_days=r.warmup_days),
        lambda: waits(style, r.summary, bca.comparison, customer, ref=ref, runner=second),
        lambda: scurves(style, r.summary, customer, ref=ref),
        lambda: drivers(style, bca.drivers, customer, ref=ref),
    ]
    if "backorders_mean" in bca.bands:
        made.append(lambda: over_time(
            style, bca.bands["backorders_mean"], customer, "backorders_mean", marks,
            r.warmup_days, r.horizon_days, period, headline=comp.get("backorders_mean"),
            scenario=sc, plan=plan_, phase_means=bca.phases, ref=ref, runner=second))
    if bca.tornado:
        made.append(lambda: tornado(style, bca.tornado, customer, bca.analytic_tornado))
    if bca.sensitivity and bca.sweep is not None:
        for metric in ("availability", "npv_cost_usd"):
            made.append(lambda m=metric: sensitivity(
                style, bca.full.summary, bca.sweep, bca.sensitivity, customer,
                bca.full.analytic, m))
    if bca.break_even and bca.sweep is not None:
        made.append(lambda: breakeven(style, bca.full.summary, bca.sweep, bca.break_even,
                                      customer, bca.full.analytic))
    return made
