"""Customer wait time per alternative.

The result tables hold each replication's mean and its 50th, 85th and 95th percentiles, not
each demand's wait, so the distribution is shown as what it is: markers at the recorded
percentiles and the mean, each with its 95 % CI over replications — nothing drawn between
them (a line between percentiles would invent the distribution in between). The fill rate
from the customer's own shelf (the share of demands that wait zero days) is beside it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis.charts.common import pct_axis, rows_for, wrap
from analysis.style import Chart, Style, new_figure, subplots

QUANTILES = (("cwt_days_p50", 0.50, "|", "50th percentile"),
             ("cwt_days_p85", 0.85, "s", "85th percentile"),
             ("cwt_days_p95", 0.95, "^", "95th percentile"))


def waits(style: Style, summary: pd.DataFrame, table: pd.DataFrame, customer: str,
          ref: str | None = None, runner: str | None = None) -> Chart | None:
    """``summary``: one row per replication; ``table``: ``stats.summarize`` output."""
    t = rows_for(table, customer, style.alternatives).reset_index(drop=True)
    needed = {"cwt_days_mean", "fill_rate"} | {c for c, *_ in QUANTILES}
    if t.empty or not needed <= set(t.columns):
        return None
    by = t.set_index("alternative")
    ref = ref if ref in by.index else by["cwt_days_mean"].idxmin()
    r = by.loc[ref]
    title = (f"{ref}: {customer}'s demands wait {r['cwt_days_mean']:.1f} days on average, "
             f"95 % are met within {r['cwt_days_p95']:.0f} days")
    if runner in by.index and runner != ref:
        o = by.loc[runner]
        title += (f"; {runner}: {o['cwt_days_mean']:.1f} and {o['cwt_days_p95']:.0f} days")
    caption = (f"{customer}: customer wait time (demand to serviceable in hand, zero when the "
               "shelf fills it), mean and recorded percentiles per alternative, each with its "
               "95 % CI over replications; per-demand waits are not recorded, so nothing is "
               "drawn between the percentiles. Right: share of demands filled from own stock.")
    fig = new_figure(title, caption, style)
    ax, fill = subplots(fig, 1, 2, width_ratios=[2.6, 1], sharey=True)
    alts = list(t["alternative"])
    ypos = np.arange(len(alts))[::-1].astype(float)
    for yp, (_, row) in zip(ypos, t.iterrows(), strict=True):
        alt = row["alternative"]
        c = style.color(alt)
        for col, _, mk, _ in QUANTILES:
            v, h = float(row[col]), float(row[f"{col}_ci"])
            if math.isnan(v):
                continue
            ax.errorbar(v, yp, xerr=0 if math.isnan(h) else h, fmt=mk, color=c,
                        markersize=9 if mk == "|" else 6.5, markeredgewidth=2.2 if mk == "|"
                        else 1.0, elinewidth=0.9, capsize=2, zorder=3)
        m, h = float(row["cwt_days_mean"]), float(row["cwt_days_mean_ci"])
        ax.errorbar(m, yp, xerr=0 if math.isnan(h) else h, fmt="D", color=c,
                    markerfacecolor="white", markeredgewidth=1.6, markersize=6.5,
                    elinewidth=0.9, capsize=2, zorder=4)
        f, fh = 100 * float(row["fill_rate"]), 100 * float(row["fill_rate_ci"])
        fill.barh(yp, f, height=0.6, color=c, xerr=0 if math.isnan(fh) else fh,
                  error_kw={"elinewidth": 0.9, "capsize": 2, "ecolor": "#404040"})
        fill.text(f + (0 if math.isnan(fh) else fh) + 3, yp, f"{f:.0f} %", va="center",
                  fontsize=8.5)
    ax.set_xscale("symlog", linthresh=1.0, linscale=0.4)
    hi = float(np.nanmax(t["cwt_days_p95"] + t["cwt_days_p95_ci"].fillna(0)))
    ax.set_xlim(0, max(2.0, hi * 1.3))
    ticks = [v for v in (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if v <= hi * 1.3]
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.set_xlabel("Customer wait time (days; scale logarithmic above 1 day)")
    ax.set_yticks(ypos, [wrap(a, 22) for a in alts])
    for lab in ax.get_yticklabels():
        if lab.get_text().replace("\n", " ") == ref:
            lab.set_fontweight("bold")
    ax.grid(axis="y", visible=False)
    ax.set_title("Mean and percentiles of the wait")
    fill.set_xlim(0, 125)
    fill.set_xticks([0, 25, 50, 75, 100])
    fill.set_xlabel("Filled from own stock (%)")
    fill.set_title("Fill rate")
    fill.grid(axis="y", visible=False)
    pct_axis(fill, "x")
    handles = [Line2D([], [], color="#404040", marker="D", markerfacecolor="white",
                      linestyle="", markersize=6.5, label="mean")]
    handles += [Line2D([], [], color="#404040", marker=mk, linestyle="",
                       markersize=9 if mk == "|" else 6.5, markeredgewidth=2.2 if mk == "|"
                       else 1.0, label=label) for _, _, mk, label in QUANTILES]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=len(handles), frameon=False)
    return Chart("wait_times", title, caption, fig)
