"""Availability against NPV cost per alternative, CIs in both directions, frontier marked."""

from __future__ import annotations

import pandas as pd
from matplotlib.lines import Line2D

from analysis.charts.common import NBSP, money, money_axis, pct, pct_axis, rows_for
from analysis.stats import efficient
from analysis.style import Chart, Style, new_figure, subplots


def frontier_finding(t: pd.DataFrame, cost: str) -> str:
    best = t.loc[t["availability"].idxmax()]
    cheap = t.loc[t[cost].idxmin()]
    if len(t) == 1:
        return (f"{best['alternative']}: {pct(best['availability'])} availability for "
                f"{money(best[cost])} NPV cost")
    if best["alternative"] == cheap["alternative"]:
        return (f"{best['alternative']} dominates: the highest availability "
                f"({pct(best['availability'])}) at the lowest NPV cost ({money(best[cost])})")
    gain = 100 * (best["availability"] - cheap["availability"])
    extra = best[cost] - cheap[cost]
    return (f"{best['alternative']} gives the highest availability ({pct(best['availability'])}, "
            f"+{gain:.1f}{NBSP}points) for {money(extra)} more NPV cost than "
            f"{cheap['alternative']}")


def frontier(style: Style, table: pd.DataFrame, customer: str, discount_rate: float,
             cost: str = "npv_cost_usd") -> Chart | None:
    """``table``: ``stats.summarize`` output."""
    t = rows_for(table, customer, style.alternatives).reset_index(drop=True)
    if t.empty:
        return None
    x, y = t[cost] / 1e6, 100 * t["availability"]
    xe, ye = (t[f"{cost}_ci"] / 1e6).fillna(0), (100 * t["availability_ci"]).fillna(0)
    on = efficient(x, y)
    title = frontier_finding(t, cost)
    caption = (f"{customer}: mean and 95 % CI of each alternative over replications; "
               "filled markers lie on the efficient frontier (no other alternative is both "
               "cheaper and more available).")
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    eff = sorted((xi, yi) for xi, yi, o in zip(x, y, on, strict=True) if o)
    if len(eff) > 1:
        ax.plot([p[0] for p in eff], [p[1] for p in eff], color="#7F7F7F", linestyle="--",
                linewidth=1.3, zorder=1)
    for i, r in t.iterrows():
        alt = r["alternative"]
        c = style.color(alt)
        ax.errorbar(x[i], y[i], xerr=xe[i], yerr=ye[i], fmt=style.marker(alt), color=c,
                    markersize=9, markerfacecolor=c if on[i] else "white", markeredgewidth=1.8,
                    elinewidth=1.4, capsize=4, zorder=3)
    ax.margins(x=0.18, y=0.25)
    place_labels(ax, list(t["alternative"]), list(x), list(y))
    ax.set_xlabel(f"NPV cost of support ($M, constant-year, {100 * discount_rate:g} % real "
                  "discount rate)")
    ax.set_ylabel("Availability (% of aircraft-days not NMCS)")
    pct_axis(ax, "y")
    money_axis(ax, "x")
    handles = [Line2D([], [], color="#7F7F7F", linestyle="--", label="efficient frontier"),
               Line2D([], [], color="#404040", marker="o", linestyle="", markersize=8,
                      label="on the frontier"),
               Line2D([], [], color="#404040", marker="o", linestyle="", markersize=8,
                      markerfacecolor="white", label="dominated")]
    ax.legend(handles=handles, loc="lower right")
    return Chart("frontier", title, caption, fig)


# Offsets in points from the marker, tried in order, and the text alignment for each; the
# far ones (drawn with a leader line) are for points so close that no near spot is free.
_NEAR = ((10, 8, "left", "bottom"), (10, -8, "left", "top"), (-10, 8, "right", "bottom"),
         (-10, -8, "right", "top"), (0, 14, "center", "bottom"), (0, -14, "center", "top"),
         (10, 22, "left", "bottom"), (-10, 22, "right", "bottom"),
         (10, -22, "left", "top"), (-10, -22, "right", "top"))
_FAR = tuple((dx, dy, "left" if dx > 0 else "right", "bottom" if dy > 0 else "top")
             for r in (36, 52, 70)
             for dx, dy in ((r, r // 2), (r, -r // 2), (-r, r // 2), (-r, -r // 2),
                            (r // 3, r), (-r // 3, -r)))
_CANDIDATES = _NEAR + _FAR
_LEADER = 30   # points: beyond this offset a thin line joins the label to its marker


def place_labels(ax, names: list[str], xs: list[float], ys: list[float]) -> None:
    """Name each point where its label overlaps no other label, marker or the axes edge
    (first free spot from a short list; the first spot when none is free)."""
    fig = ax.figure
    fig.canvas.draw()  # settle the layout so data-to-pixel positions are final
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    pad = 6
    markers = [ax.transData.transform((xv, yv)) for xv, yv in zip(xs, ys, strict=True)]
    placed = []
    for name, xv, yv in zip(names, xs, ys, strict=True):
        chosen = None
        for dx, dy, ha, va in _CANDIDATES:
            far = max(abs(dx), abs(dy)) > _LEADER
            text = ax.annotate(name, (xv, yv), xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=10, fontweight="bold", color="#1A1A1A",
                               arrowprops={"arrowstyle": "-", "color": "#8C8C8C", "lw": 0.8,
                                           "shrinkA": 2, "shrinkB": 5} if far else None)
            box = text.get_window_extent(renderer)
            inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                      and box.y1 <= frame.y1)
            clear = not any(box.overlaps(b) for b in placed) and not any(
                box.x0 - pad <= mx <= box.x1 + pad and box.y0 - pad <= my <= box.y1 + pad
                for mx, my in markers)
            if inside and clear:
                chosen = (text, box)
                break
            text.remove()
        if chosen is None:
            dx, dy, ha, va = _CANDIDATES[0]
            text = ax.annotate(name, (xv, yv), xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=10, fontweight="bold", color="#1A1A1A")
            chosen = (text, text.get_window_extent(renderer))
        placed.append(chosen[1])
