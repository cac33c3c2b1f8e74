"""Every table a Business Case Analysis needs, computed once from a result directory.

The report, the spreadsheet and the charts all read from one ``Bca`` so that a figure in a
chart title, in the HTML table and in the spreadsheet is the same number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from analysis import money, stats
from analysis import phases as ph
from analysis.load import ResultSet
from analysis.metrics import KEY_METRICS
from analysis.style import Footer
from analysis.sweep import (
    SweepInfo,
    analytic_swings,
    at_point,
    break_even,
    sensitivity_table,
    sweep_info,
    tornado_table,
)
from analysis.target_risk import target_risk
from analysis.tco import tco_long


@dataclass
class Bca:
    result: ResultSet  # the base-case rows (a sweep's base point)
    full: ResultSet  # every row, sweep points included
    sweep: SweepInfo | None
    baseline: str  # the scenario's first alternative; differences use ``reference(customer)``
    alternatives: list[str]
    customers: list[str]
    metrics: list[str]
    comparison: pd.DataFrame  # stats.summarize
    paired: pd.DataFrame  # stats.paired_differences, each customer against its reference
    years: pd.DataFrame  # money.cost_by_year: reconciled with the comparison table
    drivers: pd.DataFrame  # stats.nmcs_drivers
    depots: pd.DataFrame  # per (alternative, depot): means and CIs
    depot_band: pd.DataFrame  # per (alternative, depot, period): backlog mean and CI
    bands: dict[str, pd.DataFrame] = field(default_factory=dict)  # column -> timeseries_band
    tornado: dict[str, pd.DataFrame] = field(default_factory=dict)  # metric -> tornado_table
    sensitivity: dict[str, pd.DataFrame] = field(default_factory=dict)  # metric -> table
    break_even: dict[str, pd.DataFrame] = field(default_factory=dict)  # metric -> table
    analytic_tornado: pd.DataFrame = field(default_factory=pd.DataFrame)  # closed-form swings
    notes: list[str] = field(default_factory=list)  # what the report could not show, and why
    phase_rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # phases.replication_rows
    phases: pd.DataFrame = field(default_factory=pd.DataFrame)  # phases.phase_table
    recommendations: dict = field(default_factory=dict)  # customer -> recommend.Recommendation
    risks: dict = field(default_factory=dict)  # customer -> list[risks.Risk]
    # The whole BCA (issue 14): costs.parquet's means by IPS element and fiscal year
    # (tco.tco_long; empty for older results) and the risk against each nation's target.
    tco: pd.DataFrame = field(default_factory=pd.DataFrame)
    target_risk: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def key_metrics(self) -> list[str]:
        return [m for m in KEY_METRICS if m in self.metrics]

    @property
    def measured_years(self) -> float:
        return (self.result.horizon_days - self.result.warmup_days) / stats.DAYS_PER_YEAR

    @property
    def has_costs(self) -> bool:
        """Whether the result has costs.parquet (by IPS element and fiscal year)."""
        return not self.tco.empty

    @property
    def dollars(self) -> str:
        """'constant 2026 US dollars' or 'constant-year US dollars of the scenario'."""
        return money.dollars(self.result.scenario)

    def plan(self, customer: str) -> list[ph.Phase]:
        """The customer's phases (the measured window split at its timeline events)."""
        r = self.result
        return ph.phases(r.scenario, customer, r.warmup_days, r.horizon_days)

    def reference(self, customer: str) -> str:
        """What a customer's differences are taken against, in every title, bullet and
        paired table: its recommended alternative (a US unit's: the first alternative)."""
        rec = self.recommendations.get(customer)
        return rec.alternative if rec is not None else self.baseline

    def footer(self, banner: str = "") -> Footer:
        m = self.result.manifest
        when = str(m.get("finished_at") or m.get("started_at") or "")[:10]
        return Footer(scenario=self.result.name, sha256=str(m.get("scenario_sha256") or ""),
                      run_date=when or datetime.now(UTC).date().isoformat(),
                      version=str(m.get("package_version") or "?"),
                      replications=self.result.replications, banner=banner)


def analyse(full: ResultSet) -> Bca:
    """All tables for the report; a sweep is reported at its base point plus a tornado."""
    notes: list[str] = list(full.notes)  # e.g. a damaged optimize/ folder, skipped
    info = sweep_info(full)
    result = full
    tornado: dict[str, pd.DataFrame] = {}
    sensitivity: dict[str, pd.DataFrame] = {}
    brk: dict[str, pd.DataFrame] = {}
    analytic_tornado = pd.DataFrame()
    if info is not None:
        point = info.base_point if info.base_point is not None else int(
            full.summary["point"].min())
        result = at_point(full, point)
        where = ("the base point" if info.base_point is not None
                 else "the first point (no point has every parameter at its base value)")
        notes.append(f"This result is a sweep over {info.points} points; tables and charts show "
                     f"{where}, point {point}.")
        if info.one_at_a_time:
            for metric in ("availability", "npv_cost_usd"):
                if metric in full.summary.columns:
                    tornado[metric] = tornado_table(full.summary, info, metric)
            analytic_tornado = analytic_swings(full.analytic, info)
        else:
            notes.append("Tornado chart not drawn: the sweep is not one-at-a-time "
                         f"(method {info.method or 'unknown'}), so no single parameter's "
                         "effect can be isolated; the sensitivity charts show each metric "
                         "against each parameter over all points instead.")
            for metric in ("availability", "npv_cost_usd"):
                if metric in full.summary.columns:
                    sensitivity[metric] = sensitivity_table(full.summary, info, metric)
                    crossings = break_even(full.summary, info, metric)
                    if info.method in (None, "grid") and len(info.parameters) <= 2:
                        brk[metric] = crossings
    else:
        notes.append("Tornado chart not drawn: this result has no sweep (no 'point' column); "
                     "run 'sustain sweep' with a one-at-a-time sweep to get one.")

    alternatives = result.alternatives
    baseline = alternatives[0]
    summary = result.summary
    exclude = info.parameters if info else []
    metrics = stats.metric_columns(summary, exclude=exclude)
    comparison = stats.summarize(summary, metrics)
    paired = stats.paired_differences(summary.iloc[:0], baseline)
    ts = result.timeseries
    years = money.cost_by_year(summary, ts, result.scenario, result.warmup_days,
                               result.discount_rate, costs=result.costs,
                               horizon_days=result.horizon_days)
    phase_rows = ph.replication_rows(ts, result.scenario, result.customers, result.warmup_days,
                                     result.horizon_days)
    phase_table = ph.phase_table(phase_rows)
    drivers = stats.nmcs_drivers(result.items, summary, result.item_names())
    depots = pd.DataFrame()
    if not result.depots.empty:
        cols = [c for c in ("backlog_mean", "turnaround_days_mean", "queue_days_mean",
                            "utilization", "inductions") if c in result.depots.columns]
        depots = stats.ci_table(result.depots, ["alternative", "depot"], cols)
    bands = {}
    if not ts.empty:
        for col in ("availability", "backorders_mean"):
            if col in ts.columns:
                bands[col] = stats.timeseries_band(ts, col)
    depot_band = pd.DataFrame()
    dts = result.depot_timeseries
    if not dts.empty and "backlog_mean" in dts.columns:
        depot_band = stats.ci_table(dts, ["alternative", "depot", "period_start_day"],
                                    ["backlog_mean"])
    else:
        notes.append("Depot backlog over time is not in this result directory (no "
                     "depot_timeseries.parquet: written by an older version); the depot chart "
                     "shows the measured-window average only.")
    bca = Bca(result=result, full=full, sweep=info, baseline=baseline,
              alternatives=alternatives, customers=result.customers, metrics=metrics,
              comparison=comparison, paired=paired, years=years, drivers=drivers,
              depots=depots, depot_band=depot_band, bands=bands, tornado=tornado,
              sensitivity=sensitivity, break_even=brk,
              analytic_tornado=analytic_tornado, notes=notes, phase_rows=phase_rows,
              phases=phase_table)
    bca.tco = tco_long(result)
    if "cost_usd" in summary.columns and "npv_cost_usd" in summary.columns:
        bca.target_risk = target_risk(result)
    _decide(bca)
    if len(alternatives) > 1:
        frames = [stats.paired_differences(summary[summary["customer"] == c],
                                           bca.reference(c), metrics)
                  for c in bca.customers]
        bca.paired = pd.concat([f for f in frames if not f.empty] or [paired],
                               ignore_index=True)
    return bca


def _decide(bca: Bca) -> None:
    """The recommendation and the main risks for each FMS customer."""
    from analysis import recommend, risks

    r = bca.result
    for customer in r.decision_customers:
        rec = recommend.recommend(bca, customer)
        if rec is None:
            continue
        bca.recommendations[customer] = rec
        found = []
        found += risks.capacity(bca.depots, r.scenario, rec.alternative, customer,
                                r.decision_customers, r.depot_timeseries, bca.plan(customer),
                                r.warmup_days, r.horizon_days)
        found += risks.no_source(r.scenario, r.items, rec.alternative, customer)
        found += risks.waivers(r.scenario, rec.alternative, customer)
        found += risks.exit_effect(bca.phase_rows, r.scenario, customer, rec.alternative,
                                   bca.alternatives, r.warmup_days, r.horizon_days)
        bca.risks[customer] = found
