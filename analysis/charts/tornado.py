"""Tornado chart from a one-at-a-time sweep: how far each parameter, moved from its lowest
to its highest swept value, moves availability and NPV cost — with the replications' 95 %
confidence interval at each bar end, so a reader sees which swings are more than noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
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
    title = (f"{customer}: {_label(top['parameter'])} moves availability the most — "
             f"{100 * top['swing']:.1f} points under {top['alternative']} "
             f"(from {top['low_value']:g} to {top['high_value']:g})")
    caption = ("One-at-a-time sweep: each bar spans the result with one parameter at its "
               "lowest (light) and highest (dark) swept value, the others as in the scenario; "
               "the vertical line is the scenario as written. Whiskers: 95 % CI over "
               "replications at each end (common random numbers across points).")
    params = list(avail.groupby("parameter")["swing"].max().sort_values().index)
    panels = [p for p in PANELS if p[0] in tables and not tables[p[0]].empty]
    rows, cols = len(alts), len(panels)
    height = min(9.5, 2.4 + rows * (0.45 * len(params) + 0.7))
    fig = new_figure(title, caption, style, height_in=height)
    axes = subplots(fig, rows, cols, sharey=True)
    for r, alt in enumerate(alts):
        for c, (metric, label, scale) in enumerate(panels):
            ax = axes[r * cols + c]
            t = tables[metric]
            t = t[(t["customer"] == customer) & (t["alternative"] == alt)].set_index("parameter")
            t = t.reindex(params)
            ys = np.arange(len(params))
            base = float(t["base"].dropna().iloc[0]) * scale if t["base"].notna().any() else 0.0
            lo, hi = t["at_low"].to_numpy() * scale, t["at_high"].to_numpy() * scale
            color = style.color(alt)
            ax.barh(ys, lo - base, left=base, height=0.6, color=color, alpha=0.35)
            ax.barh(ys, hi - base, left=base, height=0.6, color=color, alpha=0.9)
            for ends, col in ((lo, "at_low_ci"), (hi, "at_high_ci")):
                if col in t.columns:
                    err = t[col].to_numpy(dtype=float) * scale
                    ok = ~np.isnan(err) & ~np.isnan(ends)
                    ax.errorbar(ends[ok], ys[ok], xerr=err[ok], fmt="none", ecolor="#1A1A1A",
                                elinewidth=1.0, capsize=3)
            ax.axvline(base, color="#1A1A1A", linewidth=1.2)
            ax.grid(axis="y", visible=False)
            ax.margins(x=0.15)
            if r == rows - 1:
                ax.set_xlabel(label)
            ax.set_title(f"{short(alt, 30)} — {label.split(' (')[0]} (base {base:,.1f})",
                         fontsize=10)
    axes[0].set_yticks(np.arange(len(params)), [short(_label(p), 44) for p in params])
    axes[cols - 1].legend(handles=[
        Patch(facecolor="#404040", alpha=0.35, label="parameter at its lowest"),
        Patch(facecolor="#404040", alpha=0.9, label="parameter at its highest"),
        Line2D([], [], color="#1A1A1A", linewidth=1.2, label="scenario as written"),
        Line2D([], [], color="#1A1A1A", marker="|", linestyle="none", markersize=8,
               label="95 % CI")],
        loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return Chart("tornado", title, caption, fig)


def _label(path: str) -> str:
    """A dotted path as a reader says it: 'Nation A fh_per_aircraft_month', 'all mtbr_fh
    (scale)', 'Ogden ALC repair_lines'."""
    last = path.rsplit(".", 1)[-1]
    if "[*]" in path:
        return f"all {last} (factor)"
    keys = [path[i + 1: path.index("]", i)] for i, ch in enumerate(path) if ch == "["]
    if last.endswith("]"):  # a mapping entry: wholesale.stock[NSN]
        head = path[: path.rindex("[")].rsplit(".", 1)[-1]
        return f"{head} {keys[-1]}"
    owner = " ".join(keys)
    return f"{owner} {last}".strip()
