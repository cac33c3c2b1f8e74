"""Tornado chart from a one-at-a-time sweep: how far each parameter, moved from its lowest
to its highest swept value, moves availability and NPV cost."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from analysis.charts.common import short
from analysis.style import Chart, Style, new_figure, subplots

PANELS = (("availability", "Availability (%)", 100.0), ("npv_cost_usd", "NPV cost ($M)", 1e-6))


def tornado(style: Style, tables: dict[str, pd.DataFrame], customer: str) -> Chart | None:
    """``tables``: metric -> ``sweep.tornado_table`` output (availability, npv_cost_usd)."""
    avail = tables.get("availability", pd.DataFrame())
    avail = avail[avail["customer"] == customer] if not avail.empty else avail
    if avail.empty:
        return None
    alts = [a for a in style.alternatives if a in set(avail["alternative"])]
    top = avail.loc[avail["swing"].idxmax()]
    title = (f"{_label(top['parameter'])} moves availability the most: "
             f"{100 * top['swing']:.1f} points under {top['alternative']} "
             f"(from {top['low_value']:g} to {top['high_value']:g})")
    caption = (f"{customer}: one-at-a-time sweep; each bar spans the result at the parameter's "
               "lowest (light) and highest (dark) swept value, others at base; the line is the "
               "base point. Means over replications.")
    params = list(avail.groupby("parameter")["swing"].max().sort_values().index)
    rows, cols = len(alts), len([p for p in PANELS if p[0] in tables])
    height = min(9.5, 2.2 + rows * (0.42 * len(params) + 0.6))
    fig = new_figure(title, caption, style, height_in=height)
    axes = subplots(fig, rows, cols, sharey=True)
    for r, alt in enumerate(alts):
        for c, (metric, label, scale) in enumerate(p for p in PANELS if p[0] in tables):
            ax = axes[r * cols + c]
            t = tables[metric]
            t = t[(t["customer"] == customer) & (t["alternative"] == alt)].set_index("parameter")
            t = t.reindex(params)
            ys = np.arange(len(params))
            base = float(t["base"].dropna().iloc[0]) * scale if t["base"].notna().any() else 0.0
            lo, hi = t["at_low"].to_numpy() * scale, t["at_high"].to_numpy() * scale
            color = style.color(alt)
            ax.barh(ys, lo - base, left=base, height=0.6, color=color, alpha=0.4,
                    label="lowest value")
            ax.barh(ys, hi - base, left=base, height=0.6, color=color, alpha=0.95,
                    label="highest value")
            ax.axvline(base, color="#1A1A1A", linewidth=1)
            ax.grid(axis="y", visible=False)
            if r == rows - 1:
                ax.set_xlabel(label)
            ax.set_title(f"{short(alt, 30)} — {label.split(' (')[0]}", fontsize=10)
    axes[0].set_yticks(np.arange(len(params)), [short(_label(p), 40) for p in params])
    axes[cols - 1].legend(handles=[Patch(facecolor="#404040", alpha=0.4, label="lowest value"),
                                   Patch(facecolor="#404040", alpha=0.95,
                                         label="highest value")],
                          loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return Chart("tornado", title, caption, fig)


def _label(path: str) -> str:
    """The last part of a dotted path, with its owner: 'Nation A fh_per_aircraft_month'."""
    owner = ""
    if "[" in path and "]" in path:
        owner = path[path.index("[") + 1: path.index("]")] + " "
    return owner + path.rsplit(".", 1)[-1]
