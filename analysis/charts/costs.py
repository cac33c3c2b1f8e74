"""Cost by category per alternative (stacked) and counted cost by (fiscal) year.

Both reconcile with the comparison table: the stacked bars' totals are its ``cost_usd`` and
the years sum to it (``money.cost_by_year``, investments paid in warm-up included)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis import money
from analysis.charts.common import money as money_text
from analysis.charts.common import money_axis, rows_for, wrap
from analysis.metrics import COST_CATEGORIES
from analysis.style import (
    CATEGORY_COLORS,
    OTHER_CATEGORY_COLOR,
    Chart,
    Style,
    new_figure,
    subplots,
)

CATEGORY_LABELS = {
    "cost_repair_usd": "Repair", "cost_purchase_usd": "Purchase (replacements)",
    "cost_exchange_usd": "Exchange", "cost_clssa_usd": "CLSSA", "cost_transport_usd": "Transport",
    "cost_surcharge_usd": "FMS surcharge", "cost_fees_usd": "Fees",
    "cost_other_usd": "Other IPS elements",
}


def category_color(column: str) -> str:
    """A category's colour: fixed, whatever else the run holds."""
    return CATEGORY_COLORS.get(column, OTHER_CATEGORY_COLOR)


def breakdown(style: Style, table: pd.DataFrame, customer: str, years: float,
              ref: str | None = None, dollars: str = "constant-year $M") -> Chart | None:
    """``table``: ``stats.summarize`` output; ``years``: length of the measured window."""
    t = rows_for(table, customer, style.alternatives).reset_index(drop=True)
    known = list(COST_CATEGORIES) + [c for c in CATEGORY_LABELS if c not in COST_CATEGORIES]
    cats = [c for c in known if c in t.columns and (t[c].fillna(0) > 0).any()]
    if t.empty or not cats:
        return None
    by_alt = t.set_index("alternative")
    ref = ref if ref in by_alt.index else by_alt["cost_usd"].idxmin()
    r = by_alt.loc[ref]
    largest = max(cats, key=lambda c: r[c])
    dear = by_alt["cost_usd"].idxmax()
    title = (f"{ref}: {money_text(r['cost_usd'])} over the measured years, "
             f"{CATEGORY_LABELS[largest].lower()} the largest element")
    if dear != ref:
        title += f"; {dear} costs most ({money_text(by_alt.loc[dear, 'cost_usd'])})"
    caption = (f"{customer}: mean cost by category over the {years:.1f} measured years "
               "(investments paid in warm-up included), undiscounted, "
               f"{dollars.replace(' $M', '')} dollars; whisker: 95 % CI of the total, which "
               "is the comparison table's cost.")
    fig = new_figure(title, caption, style)  # 16:9 whatever the number of alternatives
    (ax,) = subplots(fig)
    ypos = np.arange(len(t))[::-1]
    left = np.zeros(len(t))
    for c in cats:
        vals = t[c].fillna(0).to_numpy() / 1e6
        ax.barh(ypos, vals, left=left, height=0.62, color=category_color(c),
                edgecolor="white", linewidth=0.6, label=CATEGORY_LABELS.get(c, c))
        left += vals
    tot, err = t["cost_usd"].to_numpy() / 1e6, t["cost_usd_ci"].fillna(0).to_numpy() / 1e6
    ax.errorbar(tot, ypos, xerr=err, fmt="none", ecolor="#1A1A1A", elinewidth=1.2, capsize=4)
    for yp, v, e in zip(ypos, tot, err, strict=True):
        ax.text(v + e + 0.01 * tot.max(), yp, f"${v:,.2f} M", va="center", fontsize=9.5,
                fontweight="bold")
    ax.set_yticks(ypos, [wrap(a, 24) for a in t["alternative"]])
    for lab in ax.get_yticklabels():
        if lab.get_text().replace("\n", " ") == ref:
            lab.set_fontweight("bold")
    ax.set_xlim(0, 1.18 * (tot + err).max())
    ax.set_xlabel(f"Cost over the measured years ({dollars}, undiscounted)")
    ax.grid(axis="y", visible=False)
    money_axis(ax, "x")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Cost category",
              alignment="left")
    return Chart("cost_breakdown", title, caption, fig)


def by_year(style: Style, years: pd.DataFrame, customer: str, scenario: dict[str, Any],
            comparison: pd.DataFrame | None = None, ref: str | None = None,
            runner: str | None = None, horizon_days: float | None = None,
            warmup_days: float | None = None) -> Chart | None:
    """``years``: ``money.cost_by_year`` output; the legend quotes each alternative's total,
    the comparison table's ``cost_usd``. With then-year dollars (``costs.parquet``) the
    recommended alternative's then-year stream is drawn dashed beside its constant one."""
    t = rows_for(years, customer, style.alternatives)
    if t.empty:
        return None
    alts = [a for a in style.alternatives if a in set(t["alternative"])]
    totals = t.groupby("alternative")["cost_usd"].sum()
    share = t.drop_duplicates("year").set_index("year")["warmup_share"].fillna(0.0)
    warm = sorted(set(share[share > 1e-9].index)
                  | set(t.loc[t["warmup_cost_usd"].fillna(0) > 0.005, "year"].unique()))
    # A warm-up year with nothing counted is not a point at zero cost: leave it out.
    idle = (t["cost_usd"].abs() <= 0.005) & ((t["warmup_cost_usd"].fillna(0) > 0.005)
                                             | (t["year"].map(share) >= 1 - 1e-9))
    t = t[~idle]
    # Then-year dollars drawn only when they differ (no escalation: they are the constant).
    then = bool(t["then_year_usd"].notna().any()) and not np.allclose(
        t["then_year_usd"].fillna(t["cost_usd"]), t["cost_usd"], rtol=1e-12, atol=0.005)
    fy = "fiscal year" if money.is_fiscal(scenario) else "year"
    npv = t.groupby("alternative")["npv_cost_usd"].sum()
    then_tot = t.groupby("alternative")["then_year_usd"].sum()
    if comparison is not None and not comparison.empty:
        c = comparison[comparison["customer"] == customer].set_index("alternative")
        totals = c["cost_usd"].reindex(totals.index).fillna(totals)
        npv = c["npv_cost_usd"].reindex(npv.index).fillna(npv)
    ref = ref if ref in alts else totals.idxmin()
    bold = [a for a in (ref, runner) if a in alts]
    mine = t[t["alternative"] == ref].set_index("year")
    full = [y for y in mine.index if _whole_year(y, scenario, warmup_days, horizon_days)]
    measured = mine.loc[full] if full else mine[(mine["cost_usd"].abs() > 0.005)]
    lo, hi = measured["cost_usd"].min() / 1e6, measured["cost_usd"].max() / 1e6
    dollars = money.dollars_short(scenario)
    if then:
        title = (f"{ref}: {money_text(totals[ref])} constant, {money_text(then_tot[ref])} "
                 f"then-year over the measured years; ${lo:,.1f}–{hi:,.1f}{chr(0xA0)}M a "
                 f"full {fy}")
    else:
        title = (f"{ref}: {money_text(totals[ref])} over the measured years "
                 f"(NPV {money_text(npv[ref])}), ${lo:,.1f}–{hi:,.1f}{chr(0xA0)}M a year")
    peak = t.loc[t["cost_usd"].idxmax()]
    if peak["alternative"] != ref:
        title += (f"; {peak['alternative']} peaks at {money_text(peak['cost_usd'])} in "
                  f"{peak['year_label']}")
    if then:
        caption = (f"{customer}: cost counted in the totals per {fy}, mean over "
                   f"replications (band: 95 % CI for {' and '.join(bold)}), undiscounted "
                   f"{money.dollars(scenario)}; dashed: {ref} in then-year dollars "
                   f"({money.escalation_text(scenario)}). Warm-up (shaded) costs are outside "
                   "the totals except investments (a CLSSA FMSO I deposit). Legend: each "
                   "total, equal to the comparison table's cost.")
    else:
        caption = (f"{customer}: cost counted in the totals per {fy}, mean over replications "
                   f"(band: 95 % CI for {' and '.join(bold)}), undiscounted "
                   f"{money.dollars(scenario)}. Warm-up operating costs are outside the "
                   "totals; investments paid in warm-up (a CLSSA FMSO I deposit) are counted "
                   "in the year paid. Legend: each total, equal to the comparison table's "
                   "cost.")
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    for y in warm:
        frac = float(share.get(y, 1.0)) or 1.0
        ax.axvspan(y - 0.5, y - 0.5 + frac, color="#E4E4E4", zorder=0, linewidth=0)
    if warm:
        ax.text(min(warm) - 0.45, 0.98, "warm-up", transform=ax.get_xaxis_transform(),
                ha="left", va="top", fontsize=8.5, color="#404040")
    handles = []
    for alt in [a for a in alts if a not in bold] + bold[::-1]:
        a = t[t["alternative"] == alt].sort_values("year")
        strong = alt in bold
        x, yv = a["year"].to_numpy(), a["cost_usd"].to_numpy() / 1e6
        if strong:
            h = a["cost_usd_ci"].fillna(0).to_numpy() / 1e6
            ax.fill_between(x, yv - h, yv + h, color=style.color(alt), alpha=0.2, linewidth=0)
        ax.plot(x, yv, color=style.color(alt), marker=style.marker(alt),
                markersize=6 if strong else 3.5, linewidth=2.2 if strong else 0.9,
                linestyle=style.linestyle(alt), alpha=1.0 if strong else 0.75,
                zorder=4 if strong else 3)
        if then and alt == ref:
            ax.plot(x, a["then_year_usd"].to_numpy() / 1e6, color=style.color(alt),
                    linestyle=(0, (4, 2)), linewidth=1.6, zorder=4)
    for alt in alts:
        strong = alt in bold
        label = (f"{alt}{' (recommended)' if alt == ref else ''}: "
                 f"{money_text(totals[alt])}")
        handles.append(Line2D([], [], color=style.color(alt), marker=style.marker(alt),
                              linestyle=style.linestyle(alt), linewidth=2.2 if strong else 1,
                              markersize=6 if strong else 3.5, label=label))
        if then and alt == ref:
            handles.append(Line2D([], [], color=style.color(alt), linestyle=(0, (4, 2)),
                                  linewidth=1.6, label=f"{alt}, then-year: "
                                                       f"{money_text(then_tot[alt])}"))
    years_all = sorted(set(t["year"].unique()) | set(warm))
    labels = dict(zip(years["year"], years["year_label"], strict=False))
    labels.update({y: money.year_label(int(y), scenario) for y in years_all if y not in labels})
    ax.set_xticks(years_all, [labels[y].replace("Year ", "") if labels[y].startswith("Year")
                              else labels[y] for y in years_all])
    ax.set_xlim(min(years_all) - 0.5, max(years_all) + 0.5)
    ax.set_xlabel(money.year_axis(scenario))
    ax.set_ylabel(f"{dollars[:1].upper()}{dollars[1:]} a {fy}")
    ax.set_ylim(bottom=0)
    ax.grid(axis="x", visible=False)
    money_axis(ax, "y")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              title=f"Total over the measured years\n({money.dollars(scenario)})",
              alignment="left", fontsize=8.5)
    return Chart("cost_by_year", title, caption, fig)


def _whole_year(year: int, scenario: dict[str, Any], warmup_days: float | None,
                horizon_days: float | None) -> bool:
    """Whether a fiscal year lies wholly in the measured window."""
    lo, hi = money.year_bounds(int(year), scenario)
    start = warmup_days if warmup_days is not None else float(
        scenario.get("warmup_days") or 0.0)
    end = horizon_days if horizon_days is not None else float(
        scenario.get("horizon_days") or math.inf)
    return lo >= start - 1e-9 and hi <= end + 1e-9
