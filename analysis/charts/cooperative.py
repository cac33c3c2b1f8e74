"""Cooperative logistics charts (issue 10): each partnership member alone against in the
pool, and what an ACSA agreement does to each side's availability over time."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from analysis.charts.common import alt_legend, pct_axis, wrap
from analysis.style import GREY, Chart, Style, new_figure, subplots

SIDES = (("#1A1A1A", "-"), (GREY, "--"))   # the two sides of an agreement: not alternatives
WINDOW_COLOR = "#F2C14E"                    # an agreement's windows, behind the lines


def _title(pairs: pd.DataFrame, members: list[str]) -> str:
    """The finding: for whom pooling pays outright, and the pattern against each alone
    alternative where every member shows the same one."""
    if pairs.empty:
        return "No alternative compares a member alone with the pool"
    pays = [m for m in members
            if not pairs[pairs["customer"] == m].empty
            and (pairs[pairs["customer"] == m]["verdict"] == "pool better").all()]
    if len(pays) == len(members):
        lead = "Pooling pays for every member: more available for less than alone"
    elif pays:
        lead = f"Pooling pays outright for {_join(pays)}"
    else:
        lead = "Pooling is a trade-off for every member"
    phrases = []
    for alone in dict.fromkeys(pairs["alone_alternative"]):
        v = set(pairs[pairs["alone_alternative"] == alone]["verdict"])
        if v == {"pool more available, dearer"}:
            phrases.append(f"more available than {alone}, at a higher cost")
        elif v == {"pool cheaper, less available"}:
            phrases.append(f"cheaper than {alone}, less available")
        elif v == {"pool better"} and len(pays) != len(members):
            phrases.append(f"better than {alone}")
        elif v == {"alone better"}:
            phrases.append(f"worse than {alone}")
    return lead + (": " + "; ".join(phrases) if phrases and len(pays) != len(members) else "")


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def alone_vs_pool(style: Style, comparison: pd.DataFrame, pairs: pd.DataFrame,
                  member_of: dict[str, dict[str, str | None]], partnership: str,
                  members: list[str]) -> Chart | None:
    """Each member's availability and NPV cost under every alternative, the bars of the
    alternatives that put it in the pool hatched; mean and 95 % CI over replications."""
    mine = pairs[pairs["partnership"] == partnership] if not pairs.empty else pairs
    alts = [a for a in style.alternatives if a in member_of]
    rows, ys, centers, y = [], [], [], 0.0
    for m in members:
        start = y
        for a in alts:
            r = comparison[(comparison["customer"] == m) & (comparison["alternative"] == a)]
            if r.empty:
                continue
            rows.append((m, a, r.iloc[0], member_of[a].get(m) == partnership))
            ys.append(-y)
            y += 1.0
        if y > start:
            centers.append((-(start + y - 1) / 2, m))
            y += 0.7
    if not rows:
        return None
    title = f"{partnership}: " + _title(mine, members)
    caption = ("Each member's availability and NPV cost under every alternative — hatched: "
               "the member is in the pool, plain: it is alone (its own support option); mean "
               "and 95 % CI over replications, paired differences in the report's table. "
               "The pool's costs are charged to each member by the partnership's formula.")
    fig = new_figure(title, caption, style)
    axes = subplots(fig, 1, 2, sharey=True)
    colors = [style.color(a) for _, a, _, _ in rows]
    hatches = ["////" if pooled else "" for *_, pooled in rows]
    for ax, (col, label, scale) in zip(axes, (("availability", "Availability (%)", 100.0),
                                              ("npv_cost_usd", "NPV cost ($M)", 1e-6)),
                                       strict=True):
        values = [scale * float(r[col]) for _, _, r, _ in rows]
        errors = [0.0 if math.isnan(float(r[f"{col}_ci"])) else scale * float(r[f"{col}_ci"])
                  for _, _, r, _ in rows]
        bars = ax.barh(ys, values, height=0.8, color=colors, xerr=errors,
                       error_kw={"elinewidth": 0.9, "capsize": 2, "ecolor": "#404040"},
                       edgecolor="white", linewidth=0.5)
        for bar, hatch in zip(bars, hatches, strict=True):
            bar.set_hatch(hatch)
        ax.set_xlabel(label)
        ax.grid(axis="y", visible=False)
        if col == "availability":
            low = min(v - e for v, e in zip(values, errors, strict=True))
            ax.set_xlim(max(0.0, math.floor(low / 5) * 5 - 5), 100.0)
            pct_axis(ax, "x")
    axes[0].set_yticks([c for c, _ in centers])
    axes[0].set_yticklabels([wrap(m, 16) for _, m in centers])
    alt_legend(axes[-1], style, alts, kind="patch",
               extra=[Patch(facecolor="white", edgecolor=GREY, hatch="////",
                            label="in the pool")])
    return Chart("pool_vs_alone", title, caption, fig)


def acsa_effect(style: Style, band: pd.DataFrame, effects: pd.DataFrame, spec: dict,
                label: str, warmup: float, horizon: float) -> Chart | None:
    """Each side's availability with the agreement minus without, per period (paired mean
    and 95 % CI band), the windows shaded."""
    if band.empty or effects.empty:
        return None
    alt, control = effects["alternative"].iloc[0], effects["control"].iloc[0]
    parts = []
    for _, r in effects.iterrows():
        verb = "gives up" if r["aircraft_days"] < 0 else "gains"
        parts.append(f"{r['customer']} {verb} {abs(r['aircraft_days']):,.0f} aircraft-days")
    title = f"{label}: " + "; ".join(parts) + f" ({alt})"
    caption = (f"Availability under {alt} minus under {control} (the same support choices "
               "without the agreement), per period, paired by replication: mean and 95 % CI "
               "band; shaded: the agreement's windows. Aircraft-days over the measured "
               "window; a unit given up stays short until it comes back, after the window.")
    fig = new_figure(title, caption, style)
    [ax] = subplots(fig, 1, 1)
    sides = [str(s) for s in spec.get("between") or []]
    for k, side in enumerate(sides):
        b = band[(band["customer"] == side) & (band["period_start_day"] >= warmup - 1e-9)]
        if b.empty:
            continue
        x = b["period_start_day"].to_numpy(float) / 365.25
        m = 100 * b["d_availability"].to_numpy(float)
        h = 100 * np.nan_to_num(b["d_availability_ci"].to_numpy(float))
        color, line = SIDES[k % len(SIDES)]
        ax.step(x, m, where="post", color=color, linestyle=line, linewidth=1.6, label=side)
        ax.fill_between(x, m - h, m + h, step="post", color=color, alpha=0.18, linewidth=0)
    for w in spec.get("windows") or []:
        ax.axvspan(float(w["start_day"]) / 365.25, float(w["end_day"]) / 365.25,
                   color=WINDOW_COLOR, alpha=0.35, linewidth=0)
    ax.axhline(0.0, color=GREY, linewidth=0.8)
    ax.set_xlim(warmup / 365.25, horizon / 365.25)
    ax.set_xlabel("Years from day 0")
    ax.set_ylabel("Availability with − without (points)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), alignment="left",
              handles=[*ax.get_legend_handles_labels()[0],
                       Patch(facecolor=WINDOW_COLOR, alpha=0.35, label="ACSA window")])
    return Chart("acsa_effect", title, caption, fig)
