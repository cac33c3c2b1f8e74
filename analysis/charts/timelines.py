"""A metric over time, one line per alternative with its CI band, timeline events marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from analysis.charts.common import NBSP, alt_legend, pct, pct_axis, rows_for
from analysis.stats import DAYS_PER_YEAR
from analysis.style import GREY, Chart, Style, new_figure, subplots
from analysis.timeline import Marker

MARKER_STYLE = {"warmup": ("#7F7F7F", ":"), "initial_support": ("#1A1A1A", "--"),
                "leave_dod_inventory": ("#D55E00", "-.")}


def _annual_means(band: pd.DataFrame, column: str, start_day: float) -> pd.DataFrame:
    after = band[band["period_start_day"] >= start_day - 1e-9].copy()
    after["year"] = np.floor(after["period_start_day"] / DAYS_PER_YEAR + 1e-9).astype(int)
    return after.pivot_table(index="year", columns="alternative", values=column)


def mark_events(ax: Axes, markers: list[Marker], horizon_days: float) -> list[Line2D]:
    """Vertical lines numbered along the top; returns legend entries that spell them out
    (numbers never collide where long labels would)."""
    shown = [m for m in markers if 0 <= m.day <= horizon_days]
    handles = []
    for n, m in enumerate(shown, start=1):
        color, ls = MARKER_STYLE.get(m.kind, (GREY, "--"))
        ax.axvline(m.day / DAYS_PER_YEAR, color=color, linestyle=ls, linewidth=1.3, zorder=1)
        handles.append(Line2D([], [], color=color, linestyle=ls, linewidth=1.3,
                              label=f"{n}  {m.label}, day {m.day:g}"))
    if shown:
        top = ax.secondary_xaxis("top")
        top.set_xticks([m.day / DAYS_PER_YEAR for m in shown],
                       [str(n) for n in range(1, len(shown) + 1)])
        for label, m in zip(top.get_xticklabels(), shown, strict=True):
            label.set_color(MARKER_STYLE.get(m.kind, (GREY, "--"))[0])
            label.set_fontweight("bold")
        top.tick_params(length=3, labelsize=9)
        top.spines["top"].set_visible(False)
    return handles


def over_time(style: Style, band: pd.DataFrame, customer: str, column: str,
              markers: list[Marker], warmup_days: float, horizon_days: float,
              period_days: float, headline: pd.Series | None = None) -> Chart | None:
    """``band``: ``stats.timeseries_band`` output for ``column`` (availability or backorders);
    ``headline``: the summary's mean per alternative, so the title quotes the table's figure."""
    t = rows_for(band, customer, style.alternatives)
    if t.empty:
        return None
    alts = [a for a in style.alternatives if a in set(t["alternative"])]
    annual = _annual_means(t, column, warmup_days)
    overall = t[t["period_start_day"] >= warmup_days - 1e-9].groupby("alternative")[column].mean()
    if headline is not None:
        overall = headline.reindex(overall.index).fillna(overall)
    if column == "availability":
        title = _availability_finding(annual, overall, alts)
        ylabel, key = "Availability (% of aircraft-days not NMCS)", "availability_over_time"
        scale = 100.0
    else:
        worst, best = overall.idxmax(), overall.idxmin()
        title = (f"{worst} carries the most backorders after warm-up ({overall[worst]:.1f} "
                 f"units on average)")
        if best != worst:
            title += f"; {best} the fewest ({overall[best]:.1f})"
        ylabel, key = "Backorders (units owed to the shelf, period average)", "backorders_over_time"
        scale = 1.0
    caption = (f"{customer}: mean per {period_days:g}-day period over replications, band: "
               "95 % CI; the whole horizon from day 0, so the warm-up transient shows.")
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    for alt in alts:
        a = t[t["alternative"] == alt]
        x = (a["period_start_day"].to_numpy() + period_days / 2) / DAYS_PER_YEAR
        y = scale * a[column].to_numpy()
        h = scale * a[f"{column}_ci"].fillna(0).to_numpy()
        c = style.color(alt)
        ax.fill_between(x, y - h, y + h, color=c, alpha=0.18, linewidth=0)
        ax.plot(x, y, color=c, linestyle=style.linestyle(alt), linewidth=1.8)
    ax.set_xlim(0, horizon_days / DAYS_PER_YEAR)
    if column == "availability":
        lo = float((t[column] - t[f"{column}_ci"].fillna(0)).min())
        ax.set_ylim(max(0.0, 100 * lo - 2), 100.5)
        pct_axis(ax, "y")
    else:
        ax.set_ylim(bottom=0)
    events = mark_events(ax, markers, horizon_days)
    ax.set_xlabel("Years from day 0 of the simulation")
    ax.set_ylabel(ylabel)
    alt_legend(ax, style, alts, extra=events, markers=False)
    return Chart(key, title, caption, fig)


def _availability_finding(annual: pd.DataFrame, overall: pd.Series, alts: list[str]) -> str:
    best = overall.idxmax()
    if len(alts) == 1:
        return f"{best} averages {pct(overall[best])} availability after warm-up"
    if not annual.empty and (annual[alts].idxmax(axis=1) == best).all():
        second = overall.drop(best).idxmax()
        gap = 100 * (overall[best] - overall[second])
        return (f"{best} keeps the highest availability in every year after warm-up "
                f"({pct(overall[best])}, {gap:.1f}{NBSP}points above {second})")
    return (f"{best} has the highest mean availability after warm-up "
            f"({pct(overall[best])}), but not in every year")
