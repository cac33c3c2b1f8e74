"""Customer wait time per alternative: the share of demands filled within N days, and the
spread of the mean wait over replications."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd

from analysis.charts.common import alt_legend, pct_axis, rows_for, wrap
from analysis.style import Chart, Style, new_figure, subplots

QUANTILES = (("cwt_days_p50", 0.50), ("cwt_days_p85", 0.85), ("cwt_days_p95", 0.95))


def curve(row: pd.Series) -> tuple[list[float], list[float]]:
    """Points of the wait-time distribution known from the summary: the fill rate at zero
    days (the shelf filled it) and the recorded percentiles above it."""
    fill = 0.0 if math.isnan(float(row["fill_rate"])) else float(row["fill_rate"])
    xs, ys = [0.0], [fill]
    for col, q in QUANTILES:
        v = float(row[col])
        if q > fill and not math.isnan(v):
            xs.append(max(v, xs[-1]))
            ys.append(q)
    return xs, ys


def waits(style: Style, summary: pd.DataFrame, table: pd.DataFrame,
          customer: str) -> Chart | None:
    """``summary``: one row per replication; ``table``: ``stats.summarize`` output."""
    t = rows_for(table, customer, style.alternatives).reset_index(drop=True)
    needed = {"cwt_days_mean", "fill_rate"} | {c for c, _ in QUANTILES}
    if t.empty or not needed <= set(t.columns):
        return None
    best = t.loc[t["cwt_days_mean"].idxmin()]
    worst = t.loc[t["cwt_days_mean"].idxmax()]
    title = (f"{best['alternative']}: mean wait {best['cwt_days_mean']:.1f} days, 95 % of demands "
             f"met within {best['cwt_days_p95']:.0f} days")
    if worst["alternative"] != best["alternative"]:
        title += (f"; {worst['alternative']}: {worst['cwt_days_mean']:.1f} and "
                  f"{worst['cwt_days_p95']:.0f} days")
    caption = (f"{customer}: left, share of demands met within N days (at 0 days: filled from "
               "the customer's own shelf; then the 50th, 85th and 95th percentiles, means over "
               "replications, joined by straight lines); right, mean wait per replication.")
    fig = new_figure(title, caption, style)
    ax, box = subplots(fig, 1, 2, width_ratios=[1.35, 1])
    alts = list(t["alternative"])
    for _, r in t.iterrows():
        xs, ys = curve(r)
        alt = r["alternative"]
        ax.plot(xs, 100 * np.asarray(ys), color=style.color(alt), marker=style.marker(alt),
                linestyle=style.linestyle(alt), linewidth=2, markersize=6)
    ax.set_ylim(0, 101)
    ax.set_xlim(left=0)
    ax.set_xlabel("Customer wait time (days, demand to serviceable in hand)")
    ax.set_ylabel("Demands met within that time (%)")
    ax.set_title("Share of demands met within N days")
    pct_axis(ax, "y")
    s = summary[summary["customer"] == customer]
    data = [s.loc[s["alternative"] == a, "cwt_days_mean"].dropna().to_numpy() for a in alts]
    ypos = np.arange(len(alts))[::-1]
    parts = box.boxplot(data, positions=ypos, widths=0.55, **_horizontal(),
                        patch_artist=True, showfliers=True,
                        medianprops={"color": "#1A1A1A", "linewidth": 1.5},
                        flierprops={"markersize": 4, "markeredgecolor": "#595959"})
    for patch, a in zip(parts["boxes"], alts, strict=True):
        patch.set_facecolor(style.color(a))
        patch.set_alpha(0.75)
    box.set_yticks(ypos, [wrap(a, 20) for a in alts])
    box.set_xlabel("Mean wait per replication (days)")
    box.set_title("Spread over replications")
    box.grid(axis="y", visible=False)
    box.set_xlim(left=0)
    alt_legend(ax, style, alts, outside=False)
    return Chart("wait_times", title, caption, fig)


def _horizontal() -> dict:
    """Horizontal boxes: ``orientation`` since matplotlib 3.10, ``vert`` before."""
    major, minor = (int(p) for p in matplotlib.__version__.split(".")[:2])
    return {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}
