"""Which charts a report has, in reading order, built from one ``Bca``."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.bca import Bca
from analysis.charts.costs import breakdown, by_year
from analysis.charts.depots import depot_backlog, depot_backlog_over_time
from analysis.charts.drivers import drivers
from analysis.charts.frontier import frontier
from analysis.charts.scurves import scurves
from analysis.charts.sensitivity import breakeven, sensitivity
from analysis.charts.timelines import over_time
from analysis.charts.tornado import tornado
from analysis.charts.waits import waits
from analysis.style import Chart, Style
from analysis.timeline import markers


@dataclass
class Entry:
    customer: str | None  # None: a chart for the whole scenario
    chart: Chart


def build(bca: Bca, style: Style) -> list[Entry]:
    """Every chart; a chart with nothing to show is left out (the report says why)."""
    r = bca.result
    sc = r.scenario
    period = float(sc.get("period_days") or 30.4375)
    out: list[Entry] = []
    for customer in r.decision_customers:      # US units are context, not a choice
        marks = markers(sc, customer)
        comp = bca.comparison[bca.comparison["customer"] == customer].set_index("alternative")
        made = [
            frontier(style, bca.comparison, customer, r.discount_rate),
            breakdown(style, bca.comparison, customer, bca.measured_years),
        ]
        if "availability" in bca.bands:
            made.append(over_time(style, bca.bands["availability"], customer, "availability",
                                  marks, r.warmup_days, r.horizon_days, period,
                                  headline=comp.get("availability")))
        made += [waits(style, r.summary, bca.comparison, customer),
                 scurves(style, r.summary, customer),
                 drivers(style, bca.drivers, customer),
                 by_year(style, bca.years, customer)]
        if "backorders_mean" in bca.bands:
            made.append(over_time(style, bca.bands["backorders_mean"], customer,
                                  "backorders_mean", marks, r.warmup_days, r.horizon_days,
                                  period, headline=comp.get("backorders_mean")))
        if bca.tornado:
            made.append(tornado(style, bca.tornado, customer, bca.analytic_tornado))
        if bca.sensitivity and bca.sweep is not None:
            for metric in ("availability", "npv_cost_usd"):
                made.append(sensitivity(style, bca.full.summary, bca.sweep, bca.sensitivity,
                                        customer, bca.full.analytic, metric))
        if bca.break_even and bca.sweep is not None:
            made.append(breakeven(style, bca.full.summary, bca.sweep, bca.break_even,
                                  customer, bca.full.analytic))
        out += [Entry(customer, c) for c in made if c is not None]
    depot = depot_backlog(style, bca.depots)
    if depot is not None:
        out.append(Entry(None, depot))
    scenario_marks = [m for m in markers(sc, None) if m.kind != "initial_support"]
    depot_time = depot_backlog_over_time(style, bca.depot_band, bca.depots, scenario_marks,
                                         r.horizon_days, period)
    if depot_time is not None:
        out.append(Entry(None, depot_time))
    return out
