"""Availability in each phase beside the whole, every alternative, one panel per nation:
what an inventory exit or the end of initial support does to each choice."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis.charts.common import NBSP, pct_axis, wrap
from analysis.phases import Phase
from analysis.style import Chart, Style, new_figure, subplots

PHASE_MARKERS = ("o", "^", "s", "D", "v", "P")


def by_phase(style: Style, table: pd.DataFrame, comparison: pd.DataFrame,
             plans: dict[str, list[Phase]], recommended: dict[str, str],
             exits: dict[str, dict] | None = None) -> Chart | None:
    """``table``: ``phases.phase_table``; ``plans``: customer -> its phases (customers with
    a single phase are left out); ``exits``: customer -> the exit risk's figures."""
    customers = [c for c, p in plans.items() if len(p) > 1]
    if table.empty or not customers:
        return None
    alts = [a for a in style.alternatives if a in set(table["alternative"])]
    exits = exits or {}
    title = _finding(table, customers, recommended, exits)
    caption = ("Mean supply availability (not NMCS) in each phase (markers, 95 % CI whiskers) and over the whole "
               "measured window (grey bar), per alternative and nation; the line joins one "
               "alternative's phases. Shaded: the nation's recommended alternative.")
    ncols = len(customers)
    fig = new_figure(title, caption, style)  # 16:9, for a slide
    axes = subplots(fig, 1, ncols, sharey=True, sharex=True)
    ypos = np.arange(len(alts))[::-1].astype(float)
    names_all: list[str] = []
    for ax, customer in zip(axes, customers, strict=True):
        plan = plans[customer]
        t = table[table["customer"] == customer]
        comp = comparison[comparison["customer"] == customer].set_index("alternative")
        for yp, alt in zip(ypos, alts, strict=True):
            rows = t[t["alternative"] == alt].sort_values("phase_index")
            if rows.empty:
                continue
            c = style.color(alt)
            xs = 100 * rows["availability"].to_numpy()
            ax.plot(xs, [yp] * len(xs), color=c, linewidth=1.2, alpha=0.7, zorder=2)
            for k, (_, r) in enumerate(rows.iterrows()):
                h = r["availability_ci"]
                ax.errorbar(100 * r["availability"], yp,
                            xerr=0 if math.isnan(h) else 100 * h,
                            fmt=PHASE_MARKERS[int(r["phase_index"]) % len(PHASE_MARKERS)],
                            color=c, markersize=7, markeredgecolor="#1A1A1A",
                            markeredgewidth=0.6, elinewidth=0.8, capsize=0, zorder=3)
            if alt in comp.index:
                ax.plot(100 * comp.loc[alt, "availability"], yp, marker="|", color="#8C8C8C",
                        markersize=18, markeredgewidth=3.0, zorder=1)
        for p in plan:
            names_all.append(p.name)
        ax.set_title(customer, fontsize=11)
        ax.grid(axis="y", visible=False)
        pct_axis(ax, "x")
        ax.set_xlabel("Supply availability (%)")
    axes[0].set_yticks(ypos, [wrap(a, 20) for a in alts])
    for ax, customer in zip(axes, customers, strict=True):
        ref = recommended.get(customer)
        for yp, alt in zip(ypos, alts, strict=True):
            if alt == ref:
                ax.axhspan(yp - 0.45, yp + 0.45, color="#FFF2CC", zorder=0, linewidth=0)
    for lab in axes[0].get_yticklabels():
        if lab.get_text().replace("\n", " ") in set(recommended.values()):
            lab.set_fontweight("bold")
    order = list(dict.fromkeys(names_all))
    handles = []
    for name in order:
        idx = next(p.index for c in customers for p in plans[c] if p.name == name)
        days = {p.days for c in customers for p in plans[c] if p.name == name}
        label = wrap(name, 22) + (f"\n({days.pop()})" if len(days) == 1 else "")
        handles.append(Line2D([], [], color="#7F7F7F", marker=PHASE_MARKERS[idx % 6],
                              markeredgecolor="#1A1A1A", linestyle="", markersize=7,
                              label=label))
    handles.append(Line2D([], [], color="#8C8C8C", marker="|", linestyle="", markersize=14,
                          markeredgewidth=3.0, label="whole measured window"))
    handles.append(Line2D([], [], color="#FFF2CC", marker="s", linestyle="", markersize=10,
                          label="recommended"))
    axes[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                    frameon=False, fontsize=9, alignment="left")
    return Chart("availability_by_phase", title, caption, fig)


def _finding(table: pd.DataFrame, customers: list[str], recommended: dict[str, str],
             exits: dict[str, dict]) -> str:
    found = [exits[c] for c in customers if c in exits]
    if found:
        d0 = found[0]
        worst = [d for d in found if "worst" in d]
        held = all(abs(d["change"]) <= max(d["ci"] if d["ci"] == d["ci"] else 0, 0.02)
                   for d in found)
        text = f"After the exit on day {d0['day']:,.0f}"
        if worst:
            drops = [abs(100 * d["worst_change"]) for d in worst]
            names = sorted({d["worst"] for d in worst})
            text += (f", {' and '.join(names)} lose{'s' if len(names) == 1 else ''} "
                     f"{min(drops):.0f}–{max(drops):.0f}{NBSP}points" if len(drops) > 1 else
                     f", {names[0]} loses {drops[0]:.0f}{NBSP}points")
        recs = sorted({recommended[c] for c in customers if c in recommended})
        if recs:
            verb = "holds" if held else "changes less"
            text += f"; the recommended {' and '.join(recs)} {verb}"
            if not held:
                changes = [100 * d["change"] for d in found]
                text += f" ({min(changes):+.1f} to {max(changes):+.1f}{NBSP}points)"
        return text
    t = table[table["customer"].isin(customers)]
    spread = t.groupby(["customer", "alternative"])["availability"].agg(lambda s: s.max() - s.min())
    (c, a) = spread.idxmax()
    return (f"Supply availability moves most between phases under {a} for {c}: "
            f"{100 * spread.max():.1f}{NBSP}points")
