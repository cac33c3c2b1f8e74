"""Depot backlog and turnaround per alternative (the result tables hold depot figures as
time averages over the measured window, DESIGN §4 ``depots.parquet``)."""

from __future__ import annotations

import math

import pandas as pd

from analysis.charts.common import alt_legend, wrap
from analysis.charts.timelines import mark_events, year_axis
from analysis.risks import QUEUE_DAYS_LIMIT, UTILIZATION_LIMIT
from analysis.style import Chart, Style, new_figure, subplots
from analysis.timeline import Marker


def depot_capacity(style: Style, table: pd.DataFrame,
                   recommended: dict[str, str] | None = None) -> Chart | None:
    """Utilization, queue for a repair line and backlog per depot and alternative, the 90 %
    line marking binding capacity. ``table``: per (alternative, depot) mean and ``_ci`` of
    ``utilization``, ``queue_days_mean`` and ``backlog_mean``; ``recommended``: customer ->
    recommended alternative (the title names the binding depot among those first)."""
    if table.empty or "utilization" not in table.columns:
        return None
    alts = [a for a in style.alternatives if a in set(table["alternative"])]
    depots = list(dict.fromkeys(table["depot"]))
    used = table
    if "inductions" in table.columns:
        used = table[table["inductions"].fillna(0) > 0]
    if used.empty:
        return None
    chosen = set((recommended or {}).values())
    if used["utilization"].isna().all() and "backlog_mean" not in used.columns:
        return None
    binding = used[(used["utilization"].fillna(0) >= UTILIZATION_LIMIT) | (
        used.get("queue_days_mean", pd.Series(0.0, index=used.index)).fillna(0)
        >= QUEUE_DAYS_LIMIT)]
    pick = binding[binding["alternative"].isin(chosen)]
    pick = pick if not pick.empty else binding
    if not pick.empty:
        top = pick.loc[pick["utilization"].idxmax()]
        who = [c for c, a in (recommended or {}).items() if a == top["alternative"]]
        title = (f"{top['depot']} binds under {top['alternative']}: "
                 f"{100 * top['utilization']:.1f} % utilization"
                 + (f", a {top['queue_days_mean']:.1f}-day queue for a line"
                    if top.get("queue_days_mean", float("nan")) == top.get("queue_days_mean")
                    else ""))
        if who:
            title += f" — recommended for {_join(who)}"
    elif used["utilization"].notna().any():
        top = used.loc[used["utilization"].idxmax()]
        title = (f"No depot binds: the busiest, {top['depot']} under {top['alternative']}, "
                 f"runs at {100 * top['utilization']:.1f} % utilization")
    else:
        top = used.loc[used["backlog_mean"].fillna(0).idxmax()]
        title = (f"Every depot has ample repair lines; {top['depot']} holds the most units "
                 f"under {top['alternative']}: {top['backlog_mean']:.1f} on average")
    caption = ("Per depot and alternative that sends it work, over the measured window: share "
               "of repair-line time in use, mean wait for a line, and units at the depot "
               "(queued, awaiting parts or in repair); mean and 95 % CI over replications; "
               "every customer's and US units' carcasses count. Dashed: 90 % utilization, "
               "where capacity binds.")
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
    fig = new_figure(title, caption, style)  # 16:9, for a slide
    panels = [("utilization", "Utilization (%)", 100.0),
              ("queue_days_mean", "Queue for a line (days)", 1.0),
              ("backlog_mean", "Backlog (units)", 1.0)]
    panels = [p for p in panels if p[0] in table.columns and used[p[0]].notna().any()]
    axes = subplots(fig, 1, len(panels), sharey=True)
    colors = [style.color(r["alternative"]) for r in rows]
    for ax, (col, xlabel, scale) in zip(axes, panels, strict=True):
        values = [0.0 if math.isnan(float(r[col])) else scale * float(r[col]) for r in rows]
        errors = [0.0 if math.isnan(float(r[f"{col}_ci"])) else scale * float(r[f"{col}_ci"])
                  for r in rows]
        ax.barh(ys, values, height=0.8, color=colors, xerr=errors,
                error_kw={"elinewidth": 0.9, "capsize": 2, "ecolor": "#404040"})
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        if col == "utilization":
            ax.axvline(100 * UTILIZATION_LIMIT, color="#1A1A1A", linestyle="--",
                       linewidth=1.1)
            ax.set_xlim(0, 125)
            ax.set_xticks([0, 25, 50, 75, 100])
            for yv, v, e in zip(ys, values, errors, strict=True):
                ax.text(v + e + 2, yv, f"{v:.0f} %", va="center", fontsize=8,
                        fontweight="bold" if v >= 100 * UTILIZATION_LIMIT else "normal")
        else:
            ax.set_xlim(left=0)
    axes[0].set_yticks([c for c, _ in centers], [wrap(d, 18) for _, d in centers])
    alt_legend(axes[-1], style, [a for a in alts if a in {r["alternative"] for r in rows}],
               kind="patch")
    return Chart("depot_capacity", title, caption, fig)


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def depot_backlog_over_time(style: Style, band: pd.DataFrame, busy: pd.DataFrame,
                            markers: list[Marker], horizon_days: float,
                            period_days: float, scenario: dict | None = None) -> Chart | None:
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
    from analysis import money

    year = int(money.year_of([top["period_start_day"]], scenario or {})[0])
    title = (f"{top['depot']} backlog peaks under {top['alternative']} at "
             f"{top['backlog_mean']:.0f} units (period mean) in "
             f"{money.year_label(year, scenario or {})}")
    caption = (f"Units at each depot (queued or in repair), mean per {period_days:g}-day period "
               "over replications, band: 95 % CI; whole horizon from day 0; every customer's "
               "and US units' carcasses count.")
    fig = new_figure(title, caption, style, height_in=5.625 if len(depots) <= 3 else
                     min(9.0, 2.4 + 1.5 * len(depots)))
    axes = subplots(fig, len(depots), 1, sharex=True)
    shown: list[str] = []
    for ax, depot in zip(axes, depots, strict=True):
        for alt in alts:
            if (alt, depot) not in pairs:
                continue
            t = band[(band["depot"] == depot) & (band["alternative"] == alt)]
            t = t.sort_values("period_start_day")
            x = t["period_start_day"].to_numpy() + period_days / 2
            y = t["backlog_mean"].to_numpy()
            h = t["backlog_mean_ci"].fillna(0).to_numpy()
            c = style.color(alt)
            ax.fill_between(x, y - h, y + h, color=c, alpha=0.18, linewidth=0)
            ax.plot(x, y, color=c, linestyle=style.linestyle(alt), linewidth=1.6)
            if alt not in shown:
                shown.append(alt)
        ax.set_ylabel(f"{wrap(depot, 18)}\n(units)")
        ax.set_ylim(bottom=0)
        ax.set_xlim(0, horizon_days)
        ax.grid(axis="x", visible=False)
        for m in markers if ax is not axes[0] else []:
            ax.axvline(m.day, color="#4D4D4D", linestyle=":", linewidth=1.0, zorder=1)
    for ax in axes:
        year_axis(ax, scenario or {}, horizon_days)
        if ax is not axes[-1]:
            ax.set_xlabel("")
    events = mark_events(axes[0], markers, horizon_days)
    alt_legend(axes[0], style, [a for a in alts if a in shown], extra=events, markers=False)
    return Chart("depot_backlog_over_time", title, caption, fig)
