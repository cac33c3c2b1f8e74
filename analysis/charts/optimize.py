"""The cost to reach the target, one chart per FMS nation (``sustain optimize``'s tables).

Each alternative's marginal-analysis curve — availability against the NPV cost of the spares
it buys, its efficient upper hull drawn as a line — with the target as a vertical line, each
alternative's optimum marked on its curve and, when verified, the simulated point with its
95 % CIs in both directions. Verified, the cost is the total NPV (the curve's spares and
FMSO I NPV plus the simulated running cost); otherwise the spares and FMSO I NPV alone.

Plotted artists carry a ``gid`` ("optimum:ALT", "simulated:ALT", "curve:ALT") so a test (or
an SVG reader) can find the coordinates of each mark.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis.charts.common import alt_legend, money_axis
from analysis.load import OptimizeTables
from analysis.optimize import NationOptimum, finding, goal_text
from analysis.style import EVENT_COLOR, Chart, Style, new_figure, subplots

SHELF_MARKER = "X"  # an alternative simulated at its own shelf: no closed form, no curve


def cost_to_target(style: Style, tables: OptimizeTables | None, n: NationOptimum | None,
                   dollars: str = "constant-year $M",
                   discount_rate: float = 0.02) -> Chart | None:
    """``n``: ``analysis.optimize.nation`` for the chart's nation; None when nothing to show."""
    if tables is None or n is None:
        return None
    curves = tables.curves if tables.curves is not None else pd.DataFrame()
    if not curves.empty:
        curves = curves[curves["customer"] == n.customer]
    drawn = [r for r in n.reaches if r.answered or r.verified]
    if not drawn:
        return None
    use_total = n.verified and "total_npv_usd" in curves.columns
    cost_col = "total_npv_usd" if use_total else "cost_npv_usd"
    what = ("total NPV cost: spares and FMSO I plus the simulated running cost" if n.verified
            else "NPV of the spares and FMSO I bought, running cost not included")
    title = finding(n)
    caption = (f"{n.customer}: each alternative at its own best spares by marginal analysis; "
               f"lines: the efficient upper hull of each curve ({what}); filled markers: the "
               "optimum, availability predicted by the closed form for the whole scenario; "
               f"NPV at {100 * discount_rate:g} % real")
    if n.verified:
        caption += ("; hollow markers: simulated mean with 95 % CIs in both directions "
                    f"({_reps(tables)} replications)")
    if any(r.own_shelf and r.verified for r in n.reaches):
        caption += ("; crosses: no closed form, simulated at the scenario's own shelf "
                    "(no curve)")
    caption += "."
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    xs: list[float] = []
    ys: list[float] = []
    for r in n.reaches:
        c = style.color(r.alternative)
        if r.answered and not curves.empty:
            hull = curves[(curves["alternative"] == r.alternative) & curves["on_hull"]
                          .fillna(False).astype(bool)].sort_values("availability")
            hull = hull[hull[cost_col].notna()]
            if len(hull):
                ax.plot(hull["availability"], hull[cost_col] / 1e6, color=c, linewidth=1.8,
                        linestyle=style.linestyle(r.alternative), zorder=2,
                        gid=f"curve:{r.alternative}")
        if r.answered and not math.isnan(r.predicted) and not math.isnan(r.spares_npv_usd):
            y = r.spares_npv_usd + (r.running_npv_usd if use_total and not math.isnan(
                r.running_npv_usd) else 0.0)
            ax.plot([r.predicted], [y / 1e6], marker=style.marker(r.alternative), color=c,
                    markersize=10, markeredgecolor="#1A1A1A", markeredgewidth=1.0,
                    linestyle="", zorder=4, gid=f"optimum:{r.alternative}")
            xs.append(r.predicted)
            ys.append(y / 1e6)
        if r.verified and not math.isnan(r.simulated) and not math.isnan(r.total_npv_usd):
            x, y = r.simulated, r.total_npv_usd / 1e6
            xe = 0.0 if math.isnan(r.simulated_ci) else r.simulated_ci
            ye = 0.0 if math.isnan(r.total_npv_ci) else r.total_npv_ci / 1e6
            shelf = r.own_shelf
            bars = ax.errorbar([x], [y], xerr=[xe], yerr=[ye],
                               fmt=SHELF_MARKER if shelf else style.marker(r.alternative),
                               color=c, markersize=11 if shelf else 9,
                               markerfacecolor=c if shelf else "white", markeredgewidth=1.8,
                               elinewidth=1.3, capsize=4, zorder=5)
            bars.lines[0].set_gid(f"simulated:{r.alternative}")
            if shelf:
                for line in bars.lines[2]:
                    line.set_linestyle("--")
            xs += [x - xe, x + xe]
            ys += [y - ye, y + ye]
    target = n.target
    if target is not None:
        ax.axvline(target, color=EVENT_COLOR, linestyle="--", linewidth=1.2, zorder=1,
                   gid="target")
        ax.annotate(f"target {goal_text(n)}", (target, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(4, -4), textcoords="offset points", ha="left", va="top",
                    fontsize=9, color=EVENT_COLOR)
        xs.append(target)
    _limits(ax, curves, cost_col, xs, ys, [r.alternative for r in n.reaches if r.answered])
    ax.set_xlabel("Supply availability (not NMCS)" + (": filled predicted, hollow simulated"
                                                       if n.verified else ", predicted"))
    ax.set_ylabel(("Total NPV cost" if n.verified else "Spares and FMSO I NPV")
                  + f" ({dollars})")
    money_axis(ax, "y")
    extra = [Line2D([], [], color="#404040", marker="o", linestyle="", markersize=8,
                    markeredgecolor="#1A1A1A", label="optimum (predicted)")]
    if n.verified:
        extra.append(Line2D([], [], color="#404040", marker="o", linestyle="-", markersize=8,
                            markerfacecolor="white", label="simulated, 95 % CI"))
    if any(r.own_shelf and r.verified for r in n.reaches):
        extra.append(Line2D([], [], color="#404040", marker=SHELF_MARKER, linestyle="--",
                            markersize=9, label="own shelf (no closed form)"))
    if target is not None:
        extra.append(Line2D([], [], color=EVENT_COLOR, linestyle="--", label="target"))
    alt_legend(ax, style, [r.alternative for r in drawn], extra=extra)
    return Chart("cost_to_target", title, caption, fig)


def _reps(tables: OptimizeTables) -> str:
    v = tables.verify
    if v is None or "replications" not in v.columns or v["replications"].isna().all():
        return "?"
    return f"{int(v['replications'].max())}"


def _limits(ax, curves: pd.DataFrame, cost_col: str, xs: list[float], ys: list[float],
            answered: list[str]) -> None:
    """A view around the optima, the simulated points and the target: the curve's long tail
    at low availability (no spares at all) is cut off, its costs in view set the height."""
    if not xs:
        return
    lo, hi = min(xs), max(xs)
    span = max(hi - lo, 0.02)
    x0 = max(0.0, lo - 0.25 * span)          # an availability is never below 0
    x1 = min(1.0 + 0.002, hi + 0.6 * span)
    ax.set_xlim(x0, x1)
    y_in = list(ys)
    if not curves.empty:
        seen = curves[curves["alternative"].isin(answered) & curves["on_hull"].fillna(False)
                      .astype(bool) & curves["availability"].between(x0, x1)][cost_col]
        y_in += list((seen.dropna() / 1e6).to_numpy())
    y = np.asarray(y_in, dtype=float)
    y = y[np.isfinite(y)]
    if y.size:
        pad = max(float(y.max() - y.min()), 0.05 * max(abs(float(y.max())), 1e-3))
        ax.set_ylim(float(y.min()) - 0.12 * pad, float(y.max()) + 0.15 * pad)

