"""A metric over time: the recommended alternative and its runner-up with CI bands and their
phase means, the others as thin lines; phases shaded, timeline events numbered."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, NullFormatter

from analysis import money
from analysis.charts.common import NBSP, pct, pct_axis, rows_for, short
from analysis.phases import Phase
from analysis.stats import DAYS_PER_YEAR
from analysis.style import EVENT_COLOR, PHASE_SHADES, Chart, Style, new_figure, subplots
from analysis.timeline import Marker

EVENT_LINES = {"warmup": ":", "initial_support": "--", "leave_dod_inventory": "-.",
               "tempo": (0, (5, 2, 1, 2)), "depot_lines": (0, (1, 1))}
STAGGER = 0.035  # axes fraction: numbers closer than this go up a row


def year_axis(ax: Axes, scenario: dict[str, Any], horizon_days: float) -> None:
    """An x axis in days labelled by (fiscal) year: a tick at each year's start, its label
    in the middle of the year."""
    start = money.fiscal_start(scenario) or 0.0
    edges = [start + k * DAYS_PER_YEAR for k in range(-1, int(horizon_days / DAYS_PER_YEAR) + 2)]
    edges = sorted({min(max(e, 0.0), horizon_days) for e in edges})
    mids = [(a + b) / 2 for a, b in pairwise(edges) if b - a > 30]
    labels = [money.year_label(int(money.year_of([m], scenario)[0]), scenario) for m in mids]
    step = 1 if len(mids) <= 12 else 2
    ax.xaxis.set_major_locator(FixedLocator(edges))
    ax.xaxis.set_major_formatter(NullFormatter())
    ax.set_xticks([m for m in mids[::step]], [lab for lab in labels[::step]], minor=True)
    ax.tick_params(axis="x", which="minor", length=0, labelsize=9)
    ax.set_xlim(0, horizon_days)
    ax.set_xlabel(money.year_axis(scenario))


def shade_phases(ax: Axes, plan: list[Phase], warmup_days: float) -> None:
    """Warm-up greyed, then each phase on an alternating background, named at the top."""
    if warmup_days > 0:
        ax.axvspan(0, warmup_days, color="#E4E4E4", zorder=0, linewidth=0)
        ax.text(warmup_days / 2, 0.985, "warm-up", transform=ax.get_xaxis_transform(),
                ha="center", va="top", fontsize=8.5, color="#404040", zorder=5)
    if len(plan) < 2:
        return
    width = ax.get_xlim()[1] - ax.get_xlim()[0]
    for k, p in enumerate(plan):
        ax.axvspan(p.start_day, p.end_day, color=PHASE_SHADES[k % 2], zorder=0, linewidth=0)
        if (p.end_day - p.start_day) / width > 0.08:
            ax.text((p.start_day + p.end_day) / 2, 0.985, short(p.name, 30),
                    transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=8.5,
                    color="#262626", fontweight="bold", zorder=5)


def mark_events(ax: Axes, markers: list[Marker], horizon_days: float) -> list[Line2D]:
    """A grey line per event, numbered above the axes (numbers that would touch go up a
    row); returns legend entries that spell them out."""
    shown = [m for m in markers if 0 <= m.day <= horizon_days]
    handles = []
    x0, x1 = ax.get_xlim()
    last: list[float] = []  # x of the latest number in each row
    for n, m in enumerate(shown, start=1):
        ls = EVENT_LINES.get(m.kind, "--")
        ax.axvline(m.day, color=EVENT_COLOR, linestyle=ls, linewidth=1.3, zorder=2)
        handles.append(Line2D([], [], color=EVENT_COLOR, linestyle=ls, linewidth=1.3,
                              label=f"{n}  {m.label}, day {m.day:,.0f}"))
        frac = (m.day - x0) / (x1 - x0)
        row = next((r for r, x in enumerate(last) if frac - x >= STAGGER), len(last))
        if row == len(last):
            last.append(frac)
        else:
            last[row] = frac
        ax.text(m.day, 1.012 + 0.055 * row, str(n), transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=9, fontweight="bold", color=EVENT_COLOR,
                gid="event-number")
    return handles


def focus(alts: list[str], ref: str | None, runner: str | None) -> list[str]:
    """The alternatives drawn with bands: the recommendation and its runner-up."""
    out = [a for a in (ref, runner) if a in alts]
    return out or alts[:2]


def over_time(style: Style, band: pd.DataFrame, customer: str, column: str,
              markers: list[Marker], warmup_days: float, horizon_days: float,
              period_days: float, headline: pd.Series | None = None,
              scenario: dict[str, Any] | None = None, plan: list[Phase] | None = None,
              phase_means: pd.DataFrame | None = None, ref: str | None = None,
              runner: str | None = None, exit_risk: dict | None = None) -> Chart | None:
    """``band``: ``stats.timeseries_band`` output for ``column``; ``headline``: the summary's
    mean per alternative (the title quotes the table's figure); ``phase_means``: the phase
    table (``phases.phase_table``); ``exit_risk``: the inventory exit's figures for the
    title (``risks.exit_effect`` data)."""
    t = rows_for(band, customer, style.alternatives)
    if t.empty:
        return None
    scenario = scenario or {}
    plan = plan or []
    alts = [a for a in style.alternatives if a in set(t["alternative"])]
    overall = t[t["period_start_day"] >= warmup_days - 1e-9].groupby("alternative")[column].mean()
    if headline is not None:
        overall = headline.reindex(overall.index).fillna(overall)
    bold = focus(alts, ref, runner)
    scale = 100.0 if column == "availability" else 1.0
    pm = pd.DataFrame()
    if phase_means is not None and not phase_means.empty and len(plan) > 1:
        pm = phase_means[phase_means["customer"] == customer]
    if column == "availability":
        title = _availability_finding(overall, alts, ref, runner, exit_risk)
        ylabel, key = "Supply availability (% not NMCS)", "availability_over_time"
    else:
        title = _backorder_finding(overall, ref)
        ylabel, key = "Backorders (units owed to the shelf, period average)", "backorders_over_time"
    caption = (f"{customer}: mean per {period_days:g}-day period over replications; bands "
               f"(95 % CI) and dashed phase means for {' and '.join(bold)}, the other "
               "alternatives as thin lines. The whole horizon from day 0, so the warm-up "
               "transient shows; shaded: the phases between timeline events.")
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    ax.set_xlim(0, horizon_days)
    shade_phases(ax, plan, warmup_days)
    handles = []
    for alt in [a for a in alts if a not in bold] + bold[::-1]:
        a = t[t["alternative"] == alt]
        x = a["period_start_day"].to_numpy() + period_days / 2
        y = scale * a[column].to_numpy()
        c = style.color(alt)
        strong = alt in bold
        if strong:
            h = scale * a[f"{column}_ci"].fillna(0).to_numpy()
            ax.fill_between(x, y - h, y + h, color=c, alpha=0.22, linewidth=0, zorder=3)
        ax.plot(x, y, color=c, linestyle=style.linestyle(alt), zorder=4 if strong else 3,
                linewidth=2.2 if strong else 0.9, alpha=1.0 if strong else 0.7)
        if strong and not pm.empty:
            for _, r in pm[pm["alternative"] == alt].iterrows():
                ax.hlines(scale * r[column], r["start_day"], r["end_day"], colors=c,
                          linestyles=(0, (4, 2)), linewidth=1.4, zorder=5)
    for alt in bold + [a for a in alts if a not in bold]:
        strong = alt in bold
        label = alt + (" (recommended)" if alt == ref else "")
        if strong:
            parts = []
            if not pm.empty:
                mine = pm[pm["alternative"] == alt].sort_values("phase_index")
                parts = [_fmt(column, v) for v in mine[column]]
            whole = _fmt(column, overall.get(alt, np.nan))
            label += ("\n" + " · ".join(parts) + f" by phase; {whole} whole" if parts
                      else f"\n{whole} after warm-up")
        handles.append(Line2D([], [], color=style.color(alt), linestyle=style.linestyle(alt),
                              linewidth=2.2 if strong else 1.0, label=label))
    if column == "availability":
        lo = float((t[column] - t[f"{column}_ci"].fillna(0)).min())
        bottom = max(0.0, 100 * lo - 2)
        ax.set_ylim(bottom, 100 + 0.12 * (100 - bottom))
        ax.set_yticks([v for v in ax.get_yticks() if bottom <= v <= 100])
        pct_axis(ax, "y")
    else:
        top = float((t[column] + t[f"{column}_ci"].fillna(0)).max())
        ax.set_ylim(0, top * 1.15 if top > 0 else 1)
    year_axis(ax, scenario, horizon_days)
    ax.grid(axis="x", visible=False)
    events = mark_events(ax, markers, horizon_days)
    ax.set_ylabel(ylabel)
    ax.legend(handles=handles + events, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize=8.5, alignment="left")
    return Chart(key, title, caption, fig)


def _fmt(column: str, v: float) -> str:
    if math.isnan(v):
        return "–"
    return f"{100 * v:.1f}{NBSP}%" if column == "availability" else f"{v:.1f}"


def _availability_finding(overall: pd.Series, alts: list[str], ref: str | None,
                          runner: str | None, exit_risk: dict | None) -> str:
    if ref not in overall.index:
        ref = overall.idxmax()
    if exit_risk:
        d = exit_risk
        change = 100 * d["change"]
        verb = "holds" if d["ci"] == d["ci"] and abs(d["change"]) <= max(d["ci"], 0.01) \
            else ("rises" if change > 0 else "falls")
        text = (f"{ref} {verb} through the exit on day {d['day']:,.0f} "
                f"({pct(d['before'])} → {pct(d['after'])})")
        if "worst" in d:
            text += (f"; {d['worst']} falls {abs(100 * d['worst_change']):.1f}{NBSP}points "
                     f"({pct(d['worst_before'])} → {pct(d['worst_after'])})")
        return text
    if len(alts) == 1 or runner not in overall.index:
        return f"{ref} averages {pct(overall[ref])} supply availability after warm-up"
    gap = 100 * (overall[runner] - overall[ref])
    return (f"{ref} averages {pct(overall[ref])} supply availability after warm-up; {runner} "
            f"{'+' if gap >= 0 else '−'}{abs(gap):.1f}{NBSP}points")


def _backorder_finding(overall: pd.Series, ref: str | None) -> str:
    worst = overall.idxmax()
    if ref not in overall.index:
        return f"{worst} carries the most backorders after warm-up ({overall[worst]:.1f} units)"
    text = f"{ref}: {overall[ref]:.1f} backorders on average after warm-up"
    if worst != ref:
        text += f"; {worst} carries the most ({overall[worst]:.1f})"
    return text
