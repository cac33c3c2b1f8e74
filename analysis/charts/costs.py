"""Cost by category per alternative (stacked) and cost by year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.charts.common import alt_legend, money, money_axis, rows_for, wrap
from analysis.metrics import COST_CATEGORIES
from analysis.stats import DAYS_PER_YEAR
from analysis.style import PALETTE, Chart, Style, new_figure, subplots

CATEGORY_LABELS = {
    "cost_repair_usd": "Repair", "cost_purchase_usd": "Purchase (replacements)",
    "cost_exchange_usd": "Exchange", "cost_clssa_usd": "CLSSA", "cost_transport_usd": "Transport",
    "cost_surcharge_usd": "FMS surcharge", "cost_fees_usd": "Fees",
}


def breakdown(style: Style, table: pd.DataFrame, customer: str, years: float) -> Chart | None:
    """``table``: ``stats.summarize`` output; ``years``: length of the measured window."""
    t = rows_for(table, customer, style.alternatives).reset_index(drop=True)
    cats = [c for c in COST_CATEGORIES if c in t.columns and (t[c].fillna(0) > 0).any()]
    if t.empty or not cats:
        return None
    cheap = t.loc[t["cost_usd"].idxmin()]
    dear = t.loc[t["cost_usd"].idxmax()]
    largest = {r["alternative"]: max(cats, key=lambda c: r[c]) for _, r in t.iterrows()}
    if len(t) == 1:
        title = f"{cheap['alternative']} costs {money(cheap['cost_usd'])} over the measured years"
    else:
        title = (f"{cheap['alternative']} costs least over the measured years "
                 f"({money(cheap['cost_usd'])}); {dear['alternative']} most "
                 f"({money(dear['cost_usd'])})")
    top = set(largest.values())
    if len(top) == 1:
        title += f"; {CATEGORY_LABELS[top.pop()].lower()} is the largest element"
    caption = (f"{customer}: mean cost by category over the {years:.1f} measured years "
               "(after warm-up), undiscounted constant-year $M; whisker: 95 % CI of the total.")
    height = max(3.6, 2.2 + 0.55 * len(t))
    fig = new_figure(title, caption, style, height_in=height)
    (ax,) = subplots(fig)
    ypos = np.arange(len(t))[::-1]
    left = np.zeros(len(t))
    for k, c in enumerate(cats):
        vals = t[c].fillna(0).to_numpy() / 1e6
        ax.barh(ypos, vals, left=left, height=0.62, color=PALETTE[k % len(PALETTE)],
                edgecolor="white", linewidth=0.6, label=CATEGORY_LABELS.get(c, c))
        left += vals
    tot, err = t["cost_usd"].to_numpy() / 1e6, t["cost_usd_ci"].fillna(0).to_numpy() / 1e6
    ax.errorbar(tot, ypos, xerr=err, fmt="none", ecolor="#1A1A1A", elinewidth=1.2, capsize=4)
    for yp, v, e in zip(ypos, tot, err, strict=True):
        ax.text(v + e + 0.01 * tot.max(), yp, f"${v:,.2f} M", va="center", fontsize=9.5,
                fontweight="bold")
    ax.set_yticks(ypos, [wrap(a, 24) for a in t["alternative"]])
    ax.set_xlim(0, 1.16 * (tot + err).max())
    ax.set_xlabel("Cost over the measured years ($M, constant-year, undiscounted)")
    ax.grid(axis="y", visible=False)
    money_axis(ax, "x")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Cost category",
              alignment="left")
    return Chart("cost_breakdown", title, caption, fig)


def by_year(style: Style, years: pd.DataFrame, customer: str) -> Chart | None:
    """``years``: ``stats.cost_by_year`` output."""
    t = rows_for(years, customer, style.alternatives)
    if t.empty:
        return None
    measured = t[t["measured"]]
    alts = [a for a in style.alternatives if a in set(t["alternative"])]
    pivot = measured.pivot_table(index="year", columns="alternative", values="cost_usd")
    if len(alts) > 1 and not pivot.empty:
        cheapest = pivot[alts].idxmin(axis=1)
        counts = cheapest.value_counts()
        leader = counts.idxmax()
        title = (f"{leader} costs least in {counts.max()} of {len(pivot)} measured years"
                 if counts.max() < len(pivot) else f"{leader} costs least in every measured year")
        npv = measured.groupby("alternative")["npv_cost_usd"].sum()
        title += f" (NPV {money(npv[leader])})"
    else:
        total = measured["cost_usd"].sum()
        title = f"{alts[0]}: {money(total)} over {len(pivot)} measured years"
    caption = (f"{customer}: cost per year in undiscounted constant-year $M, mean and 95 % CI "
               f"over replications; year 1 = days 0–{DAYS_PER_YEAR:g}. Shaded: warm-up years, "
               "outside the measured totals.")
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    n = len(alts)
    width = 0.8 / max(n, 1)
    for k, alt in enumerate(alts):
        a = t[t["alternative"] == alt]
        xs = a["year"].to_numpy() + (k - (n - 1) / 2) * width
        ax.bar(xs, a["cost_usd"] / 1e6, width=width * 0.92, color=style.color(alt),
               yerr=a["cost_usd_ci"].fillna(0) / 1e6, error_kw={"elinewidth": 0.9,
                                                              "capsize": 2, "ecolor": "#404040"})
    warm_years = t.loc[~t["measured"], "year"].unique()
    for y in warm_years:
        ax.axvspan(y - 0.5, y + 0.5, color="#F2F2F2", zorder=0)
    if len(warm_years):
        ax.text(max(warm_years) + 0.45, ax.get_ylim()[1] * 0.97, "warm-up", ha="right",
                va="top", fontsize=8.5, color="#595959")
    ax.set_xticks(sorted(t["year"].unique()))
    ax.set_xlabel("Year of the simulation (365.25 days each)")
    ax.set_ylabel("Cost per year ($M, constant-year)")
    ax.grid(axis="x", visible=False)
    money_axis(ax, "y")
    alt_legend(ax, style, alts, kind="patch")
    return Chart("cost_by_year", title, caption, fig)
