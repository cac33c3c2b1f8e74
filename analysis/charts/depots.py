"""Depot backlog and turnaround per alternative (the result tables hold depot figures as
time averages over the measured window, DESIGN §4 ``depots.parquet``)."""

from __future__ import annotations

import math

import pandas as pd

from analysis.charts.common import alt_legend, wrap
from analysis.charts.timelines import mark_events
from analysis.stats import DAYS_PER_YEAR
from analysis.style import Chart, Style, new_figure, subplots
from analysis.timeline import Marker


def depot_backlog(style: Style, table: pd.DataFrame) -> Chart | None:
    """``table``: per (alternative, depot) mean and ``_ci`` of ``backlog_mean`` and
    ``turnaround_days_mean``."""
    if table.empty or "backlog_mean" not in table.columns:
        return None
    alts = [a for a in style.alternatives if a in set(table["alternative"])]
    depots = list(dict.fromkeys(table["depot"]))
    top = table.loc[table["backlog_mean"].idxmax()]
    title = (f"{top['depot']} carries the largest depot backlog under {top['alternative']}: "
             f"{top['backlog_mean']:.1f} units on average")
    if "queue_days_mean" in table.columns and top["queue_days_mean"] == top["queue_days_mean"]:
        title += f", {top['queue_days_mean']:.1f} days waiting for a repair line"
    caption = ("Time-averaged units at each depot (queued or in repair) and turnaround from "
               "arrival to repair complete, over the measured window; mean and 95 % CI over "
               "replications; every customer's and US units' carcasses count.")
    used = table
    if "inductions" in table.columns:
        used = table[table["inductions"].fillna(0) > 0]
    # Bars only where an alternative sends work to the depot, grouped by depot.
    ys, rows, centers, y = [], [], [], 0.0
    for depot in depots:
        group = [a for a in alts
                 if not used[(used["depot"] == depot) & (used["alternative"] == a)].empty]
        if not group:
            continue
        start = y
        for alt in group:
            rows.append(used[(used["depot"] == depot) & (used["alternative"] == alt)].iloc[0])
            ys.append(-y)
            y += 1.0
        centers.append((-(start + y - 1) / 2, depot))
        y += 0.6
    height = min(9.0, max(3.8, 2.6 + 0.32 * len(rows)))
    fig = new_figure(title, caption, style, height_in=height)
    panels = [("backlog_mean", "Backlog (units, time-average)", "Depot backlog"),
              ("turnaround_days_mean", "Turnaround (days)", "Turnaround, arrival to repair done")]
    panels = [p for p in panels if p[0] in table.columns]
    axes = subplots(fig, 1, len(panels), sharey=True)
    colors = [style.color(r["alternative"]) for r in rows]
    for ax, (col, xlabel, heading) in zip(axes, panels, strict=True):
        values = [float(r[col]) if not math.isnan(float(r[col])) else 0.0 for r in rows]
        errors = [0.0 if math.isnan(float(r[f"{col}_ci"])) else float(r[f"{col}_ci"])
                  for r in rows]
        ax.barh(ys, values, height=0.8, color=colors, xerr=errors,
                error_kw={"elinewidth": 0.9, "capsize": 2, "ecolor": "#404040"})
        ax.set_xlabel(xlabel)
        ax.set_title(heading)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(left=0)
    axes[0].set_yticks([c for c, _ in centers], [wrap(d, 20) for _, d in centers])
    alt_legend(axes[-1], style, [a for a in alts if a in {r["alternative"] for r in rows}],
               kind="patch")
    return Chart("depot_backlog", title, caption, fig)


def depot_backlog_over_time(style: Style, band: pd.DataFrame, busy: pd.DataFrame,
                            markers: list[Marker], horizon_days: float,
                            period_days: float) -> Chart | None:
    """Backlog at each depot per period, one line per alternative that sends it work, with
    its 95 % CI band. ``band``: per (alternative, depot, period_start_day) ``backlog_mean``
    and ``backlog_mean_ci``; ``busy``: the depots table (alternatives with no inductions at a
    depot are left out of its panel)."""
    if band.empty:
        return None
    alts = [a for a in style.alternatives if a in set(band["alternative"])]
    if not busy.empty and "inductions" in busy.columns:
        used = busy[busy["inductions"].fillna(0) > 0]
        pairs = set(zip(used["alternative"], used["depot"], strict=True))
    else:
        pairs = set(zip(band["alternative"], band["depot"], strict=True))
    depots = [d for d in dict.fromkeys(band["depot"]) if any((a, d) in pairs for a in alts)]
    if not depots:
        return None
    peak = band[[(a, d) in pairs for a, d in zip(band["alternative"], band["depot"],
                                                    strict=True)]]
    top = peak.loc[peak["backlog_mean"].idxmax()]
    title = (f"{top['depot']} backlog peaks under {top['alternative']} at "
             f"{top['backlog_mean']:.0f} units (period mean) in year "
             f"{int(top['period_start_day'] // DAYS_PER_YEAR) + 1}")
    caption = (f"Units at each depot (queued or in repair), mean per {period_days:g}-day period "
               "over replications, band: 95 % CI; whole horizon from day 0; every customer's "
               "and US units' carcasses count.")
    fig = new_figure(title, caption, style, height_in=min(9.0, 2.4 + 2.3 * len(depots)))
    axes = subplots(fig, len(depots), 1, sharex=True)
    shown: list[str] = []
    for ax, depot in zip(axes, depots, strict=True):
        for alt in alts:
            if (alt, depot) not in pairs:
                continue
            t = band[(band["depot"] == depot) & (band["alternative"] == alt)]
            t = t.sort_values("period_start_day")
            x = (t["period_start_day"].to_numpy() + period_days / 2) / DAYS_PER_YEAR
            y = t["backlog_mean"].to_numpy()
            h = t["backlog_mean_ci"].fillna(0).to_numpy()
            c = style.color(alt)
            ax.fill_between(x, y - h, y + h, color=c, alpha=0.18, linewidth=0)
            ax.plot(x, y, color=c, linestyle=style.linestyle(alt), linewidth=1.6)
            if alt not in shown:
                shown.append(alt)
        ax.set_ylabel(f"{wrap(depot, 18)}\n(units)")
        ax.set_ylim(bottom=0)
        ax.set_xlim(0, horizon_days / DAYS_PER_YEAR)
    events = mark_events(axes[0], markers, horizon_days)
    axes[-1].set_xlabel("Years from day 0 of the simulation")
    alt_legend(axes[0], style, [a for a in alts if a in shown], extra=events, markers=False)
    return Chart("depot_backlog_over_time", title, caption, fig)
