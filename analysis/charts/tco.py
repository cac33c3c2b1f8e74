"""Total ownership cost by Integrated Product Support element per alternative (stacked bars,
one chart per nation, a fixed colour per element) and readiness as the DoD defines it (supply
availability, mission-capable and full-mission-capable rates side by side).

The stacked bars' totals are the comparison table's ``cost_usd``: ``costs.parquet`` books
every cost the summary counts, so the elements add up to it to the cent.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis import money
from analysis.charts.common import NBSP, money_axis, pct, pct_axis, rows_for, wrap
from analysis.charts.common import money as money_text
from analysis.style import IPS_COLORS, OTHER_CATEGORY_COLOR, Chart, Style, new_figure, subplots
from analysis.tco import IPS_ORDER, IPS_SHORT

IPS_LEGEND = {**IPS_SHORT,   # a legend is narrower than a table row
              "maintenance planning and management": "Maintenance planning & mgmt"}


def ips_color(element: str) -> str:
    """An IPS element's colour: fixed, whatever else the run holds."""
    return IPS_COLORS.get(element, OTHER_CATEGORY_COLOR)


def tco_by_element(style: Style, tco: pd.DataFrame, comparison: pd.DataFrame, customer: str,
                   scenario: dict[str, Any], years: float,
                   ref: str | None = None) -> Chart | None:
    """``tco``: ``tco.tco_long`` output (means per element and fiscal year); ``years``: the
    length of the measured window."""
    t = tco[tco["customer"] == customer] if not tco.empty else tco
    if t.empty:
        return None
    per = t.groupby(["alternative", "ips_element"], sort=False)[
        ["constant_usd", "then_year_usd"]].sum().reset_index()
    comp = rows_for(comparison, customer, style.alternatives).set_index("alternative")
    alts = [a for a in style.alternatives if a in set(per["alternative"]) and a in comp.index]
    if not alts:
        return None
    present = [e for e in IPS_ORDER if e in set(per["ips_element"])] + sorted(
        set(per["ips_element"]) - set(IPS_ORDER))
    wide = per.pivot_table(index="alternative", columns="ips_element", values="constant_usd",
                           aggfunc="sum", fill_value=0.0).reindex(index=alts, columns=present,
                                                                  fill_value=0.0)
    then = per.groupby("alternative")["then_year_usd"].sum().reindex(alts)
    total = comp.loc[alts, "cost_usd"]
    ref = ref if ref in alts else total.idxmin()
    r = wide.loc[ref]
    largest = r.idxmax()
    share = r[largest] / total[ref] if total[ref] > 0 else math.nan
    dollars = money.dollars_short(scenario)
    base = money.base_year(scenario)
    title = (f"{ref}: TCO {money_text(total[ref])} "
             f"({'constant FY' + str(base) if base is not None else 'constant'} $), "
             f"{money_text(then[ref])} then-year; "
             f"{IPS_LEGEND.get(largest, largest).lower()} {100 * share:.0f}{NBSP}% of it")
    spread = total.max() - total.min()
    if len(alts) > 1:
        title += (f"; alternatives within {money_text(spread, 1)} "
                  f"({100 * spread / total[ref]:.0f}{NBSP}%)")
    caption = (f"{customer}: mean total ownership cost (TCO) by Integrated Product Support "
               f"element over the {years:.1f} measured years (investments paid in warm-up "
               f"included), undiscounted {money.dollars(scenario)}; bar end: the total, equal "
               f"to the comparison table's cost; TY: the then-year total "
               f"({money.escalation_text(scenario)}).")
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    ypos = np.arange(len(alts))[::-1].astype(float)
    left = np.zeros(len(alts))
    for e in present:
        vals = wide[e].to_numpy(dtype=float) / 1e6
        ax.barh(ypos, vals, left=left, height=0.62, color=ips_color(e), edgecolor="white",
                linewidth=0.5, label=IPS_LEGEND.get(e, e))
        left += vals
    tot = total.to_numpy(dtype=float) / 1e6
    top = float(tot.max()) if len(tot) else 1.0
    for yp, v, ty in zip(ypos, tot, then.to_numpy(dtype=float) / 1e6, strict=True):
        ax.text(v + 0.01 * top, yp, f"${v:,.1f}{NBSP}M (TY ${ty:,.1f}{NBSP}M)", va="center",
                fontsize=8, fontweight="bold")
    ax.set_yticks(ypos, [wrap(a, 24) for a in alts])
    for lab in ax.get_yticklabels():
        if lab.get_text().replace("\n", " ") == ref:
            lab.set_fontweight("bold")
    ax.set_xlim(0, 1.45 * top)
    ax.set_xlabel(f"Total ownership cost over the measured years ({dollars}, undiscounted)")
    ax.grid(axis="y", visible=False)
    money_axis(ax, "x")
    handles = [Patch(facecolor=ips_color(e), label=IPS_LEGEND.get(e, e)) for e in present]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              title="IPS element (left to right)",
              alignment="left", fontsize=8.5)
    return Chart("tco_by_ips_element", title, caption, fig)


RATES = (("availability", "Supply availability (not NMCS)", "o", "#1A1A1A"),
         ("mc_rate", "MC rate (also not NMCM)", "s", "#7F7F7F"),
         ("fmc_rate", "FMC rate (also not PMC)", "D", "#FFFFFF"))


def readiness(style: Style, comparison: pd.DataFrame, customer: str,
              target: float | None = None, ref: str | None = None) -> Chart | None:
    """Per alternative the three rates with their 95 % CIs on one line, the target marked."""
    t = rows_for(comparison, customer, style.alternatives)
    if t.empty or "mc_rate" not in t.columns or t["mc_rate"].isna().all():
        return None
    t = t.set_index("alternative")
    alts = list(t.index)
    ref = ref if ref in alts else t["availability"].idxmax()
    r = t.loc[ref]
    title = (f"{ref}: supply availability {pct(r['availability'])}, mission capable "
             f"{pct(r['mc_rate'])}, fully mission capable {pct(r['fmc_rate'])}")
    if target is not None:
        title += f" (target {pct(target)} supply availability)"
    caption = (f"{customer}: mean over replications with 95 % CI whiskers. Supply "
               "availability: aircraft-days not NMCS; mission-capable (MC) rate: not NMCS and "
               "not NMCM (remove-and-replace, scheduled inspections); full-mission-capable "
               "(FMC) rate: also not partially mission capable (a non-essential unit missing)."
               + (" Dashed: the nation's availability target, on supply availability."
                  if target is not None else " The nation states no availability target."))
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    ypos = np.arange(len(alts))[::-1].astype(float)
    for yp, alt in zip(ypos, alts, strict=True):
        row = t.loc[alt]
        xs = [100 * row[c] for c, *_ in RATES if c in t.columns]
        ax.plot([min(xs), max(xs)], [yp, yp], color="#BFBFBF", linewidth=2.5, zorder=1,
                solid_capstyle="round")
        for k, (c, _, marker, face) in enumerate(RATES):
            if c not in t.columns:
                continue
            h = row.get(f"{c}_ci", math.nan)
            off = (k - 1) * 0.16
            ax.errorbar(100 * row[c], yp + off, xerr=0 if math.isnan(h) else 100 * h, fmt=marker,
                        color="#1A1A1A", markerfacecolor=face, markeredgecolor="#1A1A1A",
                        markersize=6.5, elinewidth=0.9, capsize=2, zorder=3)
        if alt == ref:
            ax.axhspan(yp - 0.45, yp + 0.45, color="#FFF2CC", zorder=0, linewidth=0)
    if target is not None:
        ax.axvline(100 * target, color="#B00020", linestyle="--", linewidth=1.3, zorder=2)
    ax.set_yticks(ypos, [wrap(a, 24) for a in alts])
    for lab in ax.get_yticklabels():
        if lab.get_text().replace("\n", " ") == ref:
            lab.set_fontweight("bold")
    ax.set_ylim(ypos.min() - 0.6, ypos.max() + 0.6)
    ax.set_xlabel("Share of aircraft-days (%)")
    ax.grid(axis="y", visible=False)
    pct_axis(ax, "x")
    handles = [Line2D([], [], linestyle="none", marker=m, markersize=7, color="#1A1A1A",
                      markerfacecolor=face, label=label) for _, label, m, face in RATES]
    if target is not None:
        handles.append(Line2D([], [], color="#B00020", linestyle="--", linewidth=1.3,
                              label=f"Target {pct(target)}"))
    handles.append(Patch(facecolor="#FFF2CC", label="Recommended"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5)
    return Chart("readiness", title, caption, fig)
