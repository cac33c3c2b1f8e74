"""S-curves: the cumulative distribution over replications of NPV cost and availability."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.charts.common import alt_legend, money_axis, pct_axis
from analysis.style import Chart, Style, new_figure, subplots


def _wins(s: pd.DataFrame, column: str, highest: bool) -> pd.Series:
    """In how many replications each alternative is best on ``column`` (ties to the first)."""
    wide = s.pivot_table(index="replication", columns="alternative", values=column)
    best = wide.idxmax(axis=1) if highest else wide.idxmin(axis=1)
    return best.value_counts()


def scurves(style: Style, summary: pd.DataFrame, customer: str,
            ref: str | None = None) -> Chart | None:
    s = summary[summary["customer"] == customer]
    alts = [a for a in style.alternatives if a in set(s["alternative"])]
    if s.empty:
        return None
    n = int(s.groupby("alternative")["replication"].nunique().min())
    if len(alts) > 1 and ref in alts:
        wide_c = s.pivot_table(index="replication", columns="alternative", values="npv_cost_usd")
        cheaper = int((wide_c[ref].to_numpy()[:, None] <= wide_c.drop(columns=ref).to_numpy())
                      .all(axis=1).sum())
        av = _wins(s, "availability", True)
        title = f"{ref} has the lowest NPV cost in {cheaper} of {n} replications"
        if av.idxmax() == ref:
            title += f" and the highest supply availability in {av.max()} of {n}"
        else:
            title += f"; {av.idxmax()} the highest supply availability in {av.max()} of {n}"
    elif len(alts) > 1:
        av, co = _wins(s, "availability", True), _wins(s, "npv_cost_usd", False)
        title = (f"{av.idxmax()} has the highest supply availability in {av.max()} of {n} "
                 f"replications; {co.idxmax()} the lowest NPV cost in {co.max()} of {n}")
    else:
        title = f"{alts[0]}: spread of NPV cost and supply availability over {n} replications"
    caption = (f"{customer}: cumulative share of replications at or below each value "
               "(S-curve). The spread is replication noise with the scenario's inputs fixed — "
               "random removals, repair and transit times — not the uncertainty in prices, "
               "MTBRs or lead times (a sweep shows that): the 80 % line reads '80 % of runs "
               "with these inputs', not an 80 % confidence cost.")
    fig = new_figure(title, caption, style)
    ax_cost, ax_av = subplots(fig, 1, 2)
    for alt in alts:
        a = s[s["alternative"] == alt]
        for ax, values in ((ax_cost, a["npv_cost_usd"] / 1e6), (ax_av, 100 * a["availability"])):
            x = np.sort(values.dropna().to_numpy())
            y = 100 * np.arange(1, x.size + 1) / x.size
            ax.step(np.r_[x[:1], x], np.r_[0, y], where="post", color=style.color(alt),
                    linestyle=style.linestyle(alt), linewidth=1.9)
    for ax in (ax_cost, ax_av):
        ax.set_ylim(0, 102)
        ax.axhline(80, color="#7F7F7F", linewidth=0.8, linestyle=":")
        pct_axis(ax, "y")
        ax.set_ylabel("Replications at or below (%)")
    ax_cost.set_xlabel("NPV cost ($M, constant-year)")
    ax_cost.set_title("NPV cost")
    money_axis(ax_cost, "x")
    ax_av.set_xlabel("Supply availability (% not NMCS)")
    ax_av.set_title("Supply availability")
    pct_axis(ax_av, "x")
    alt_legend(ax_av, style, alts, markers=False)
    return Chart("s_curves", title, caption, fig)
