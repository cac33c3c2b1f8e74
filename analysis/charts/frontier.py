"""Availability against NPV cost per alternative, CIs in both directions, frontier marked,
the recommended alternative ringed; far-away alternatives (PROS and SNAP at half the
availability, a CLSSA at twice the cost) go to an overview inset so the ones that matter
are not squeezed into a corner."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from analysis.charts.common import NBSP, money, money_axis, pct, pct_axis, rows_for
from analysis.stats import efficient
from analysis.style import Chart, Style, new_figure, subplots

GAP_SHARE = 0.35   # a gap wider than this share of the span separates outliers
INSET = (0.34, 0.42)  # inset width and height, axes fraction


def frontier_finding(t: pd.DataFrame, cost: str, ref: str | None = None,
                     runner: str | None = None) -> str:
    """The title: the recommendation and, against it, the runner-up."""
    t = t.set_index("alternative") if "alternative" in t.columns else t
    if ref is None or ref not in t.index:
        best, cheap = t["availability"].idxmax(), t[cost].idxmin()
        if best == cheap:
            return (f"{best} dominates: the highest supply availability "
                    f"({pct(t.loc[best, 'availability'])}) at the lowest NPV cost "
                    f"({money(t.loc[best, cost])})")
        ref = cheap
    r = t.loc[ref]
    text = (f"{ref}: {pct(r['availability'])} supply availability for {money(r[cost])} NPV, the "
            "lowest cost per aircraft kept flying" if runner else
            f"{ref}: {pct(r['availability'])} supply availability for {money(r[cost])} NPV")
    if runner and runner in t.index:
        o = t.loc[runner]
        gain = 100 * (o["availability"] - r["availability"])
        extra = o[cost] - r[cost]
        text += (f"; {runner} {'+' if gain >= 0 else '−'}{abs(gain):.1f}{NBSP}points for "
                 f"{'+' if extra >= 0 else '−'}{money(abs(extra))}")
    return text


def split_outliers(x: np.ndarray, y: np.ndarray, keep: set[int]) -> np.ndarray:
    """Which points stay in the main view: a group at either end of either axis that is
    separated from the rest by more than ``GAP_SHARE`` of the span goes to the inset, unless
    it holds a point in ``keep`` or would leave fewer than three points."""
    main = np.ones(x.size, dtype=bool)
    for _ in range(4):
        changed = False
        for v in (x, y):
            idx = np.flatnonzero(main)
            if idx.size < 4:
                break
            vals = v[idx]
            order = np.argsort(vals)
            s = vals[order]
            span = s[-1] - s[0]
            if span <= 0:
                continue
            gaps = np.diff(s)
            k = int(np.argmax(gaps))
            if gaps[k] <= GAP_SHARE * span:
                continue
            low, high = idx[order[: k + 1]], idx[order[k + 1:]]
            far = low if low.size <= high.size else high
            if far.size > 0.4 * idx.size or keep & set(far.tolist()) \
                    or idx.size - far.size < 3:
                continue
            main[far] = False
            changed = True
        if not changed:
            break
    return main


def frontier(style: Style, table: pd.DataFrame, customer: str, discount_rate: float,
             cost: str = "npv_cost_usd", ref: str | None = None, runner: str | None = None,
             dollars: str = "constant-year $M") -> Chart | None:
    """``table``: ``stats.summarize`` output; ``ref``: the recommended alternative (ringed);
    ``runner``: the runner-up (the title compares it against ``ref``)."""
    t = rows_for(table, customer, style.alternatives).reset_index(drop=True)
    if t.empty:
        return None
    names = list(t["alternative"])
    x, y = (t[cost] / 1e6).to_numpy(), (100 * t["availability"]).to_numpy()
    xe = (t[f"{cost}_ci"] / 1e6).fillna(0).to_numpy()
    ye = (100 * t["availability_ci"]).fillna(0).to_numpy()
    on = efficient(x, y)
    keep = {names.index(a) for a in (ref, runner) if a in names}
    main = split_outliers(x, y, keep) if len(t) > 3 else np.ones(len(t), dtype=bool)
    title = frontier_finding(t, cost, ref, runner)
    caption = (f"{customer}: mean and 95 % CI over replications; filled markers lie on the "
               "efficient frontier (no other alternative is both cheaper and more available)")
    caption += "; ringed: recommended." if ref in names else "."
    if not main.all():
        caption += (" Far-away alternatives are drawn in the overview inset, where the grey "
                    "box is the main view.")
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    eff = sorted((xi, yi) for xi, yi, o in zip(x, y, on, strict=True) if o)
    if len(eff) > 1:
        ax.plot([p[0] for p in eff], [p[1] for p in eff], color="#7F7F7F", linestyle="--",
                linewidth=1.3, zorder=1)
    for i in np.flatnonzero(main):
        alt = names[i]
        c = style.color(alt)
        ax.errorbar(x[i], y[i], xerr=xe[i], yerr=ye[i], fmt=style.marker(alt), color=c,
                    markersize=10, markerfacecolor=c if on[i] else "white",
                    markeredgewidth=1.8, elinewidth=1.4, capsize=4, zorder=3)
        if alt == ref:
            ax.plot(x[i], y[i], marker="o", markersize=24, markerfacecolor="none",
                    markeredgecolor="#1A1A1A", markeredgewidth=2.0, zorder=4)
    _limits(ax, x[main], y[main], xe[main], ye[main])
    ax.set_xlabel(f"NPV cost of support ({dollars}, {100 * discount_rate:g} % real discount "
                  "rate)")
    ax.set_ylabel("Supply availability (% not NMCS)")
    pct_axis(ax, "y")
    money_axis(ax, "x")
    handles = [Line2D([], [], color="#7F7F7F", linestyle="--", label="efficient frontier"),
               Line2D([], [], color="#404040", marker="o", linestyle="", markersize=8,
                      label="on the frontier"),
               Line2D([], [], color="#404040", marker="o", linestyle="", markersize=8,
                      markerfacecolor="white", label="dominated")]
    if ref in names:
        handles.append(Line2D([], [], color="#1A1A1A", marker="o", linestyle="",
                              markersize=14, markerfacecolor="none", markeredgewidth=2,
                              label="recommended"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=len(handles), frameon=False)
    inset = None
    if not main.all():
        inset, box = _inset(ax, style, names, x, y, on, main, ref)

    def obstacles() -> list[Bbox]:
        out = _whiskers(ax, x[main], y[main], xe[main], ye[main],
                        [names[i] == ref for i in np.flatnonzero(main)])
        if inset is not None:
            out.append(inset.get_tightbbox(fig.canvas.get_renderer()))
        return out

    place_labels(ax, [names[i] for i in np.flatnonzero(main)], list(x[main]), list(y[main]),
                 obstacles=obstacles, bold={ref} if ref else set(), y_range=(0.0, 100.0))
    if inset is not None:  # the labels may have widened the view: show it as it is
        xl, yl = ax.get_xlim(), ax.get_ylim()
        box.set_bounds(xl[0], yl[0], xl[1] - xl[0], yl[1] - yl[0])
    return Chart("frontier", title, caption, fig)


def _whiskers(ax, x, y, xe, ye, ringed) -> list[Bbox]:
    """Boxes a label must not cover: each CI whisker (a thin box along it) and the ring."""
    fig = ax.figure
    to = ax.transData.transform
    px = 2.5 * fig.dpi / 72  # half the thickness kept clear, in pixels
    out = []
    for xi, yi, dx, dy, ring in zip(x, y, xe, ye, ringed, strict=True):
        (x0, yc), (x1, _) = to((xi - dx, yi)), to((xi + dx, yi))
        (xc, y0), (_, y1) = to((xi, yi - dy)), to((xi, yi + dy))
        out.append(Bbox([[x0 - px, yc - px], [x1 + px, yc + px]]))
        out.append(Bbox([[xc - px, y0 - px], [xc + px, y1 + px]]))
        if ring:
            r = 13 * fig.dpi / 72
            cx, cy = to((xi, yi))
            out.append(Bbox([[cx - r, cy - r], [cx + r, cy + r]]))
    return out


def _limits(ax, x, y, xe, ye) -> None:
    lo_x, hi_x = float(np.min(x - xe)), float(np.max(x + xe))
    lo_y, hi_y = float(np.min(y - ye)), float(np.max(y + ye))
    dx = max(hi_x - lo_x, 1e-9 + 0.05 * max(abs(hi_x), 1.0))
    dy = max(hi_y - lo_y, 1.0)
    ax.set_xlim(lo_x - 0.22 * dx, hi_x + 0.22 * dx)
    ax.set_ylim(lo_y - 0.25 * dy, hi_y + 0.30 * dy)


def _inset(ax, style: Style, names, x, y, on, main, ref):
    """An overview of every alternative in the emptiest corner of the main view."""
    fig = ax.figure
    fig.draw_without_rendering()  # positions only: nothing rasterized
    pts = ax.transAxes.inverted().transform(ax.transData.transform(
        np.column_stack([x[main], y[main]])))
    w, h = INSET
    corners = [(0.02, 1 - h - 0.02), (1 - w - 0.02, 0.04), (1 - w - 0.02, 1 - h - 0.02),
               (0.02, 0.04)]

    def crowding(c):
        x0, y0 = c
        pad = 0.08
        inside = ((pts[:, 0] > x0 - pad) & (pts[:, 0] < x0 + w + pad)
                  & (pts[:, 1] > y0 - pad) & (pts[:, 1] < y0 + h + pad))
        return int(inside.sum())

    x0, y0 = min(corners, key=crowding)
    ins = ax.inset_axes([x0, y0, w, h])
    for i, alt in enumerate(names):
        c = style.color(alt)
        ins.plot(x[i], y[i], marker=style.marker(alt), color=c, markersize=6,
                 markerfacecolor=c if on[i] else "white", markeredgewidth=1.2, linestyle="")
    xl, yl = ax.get_xlim(), ax.get_ylim()
    box = ins.add_patch(Rectangle((xl[0], yl[0]), xl[1] - xl[0], yl[1] - yl[0], fill=True,
                                  facecolor="#EDEDED", edgecolor="#7F7F7F", linewidth=0.8,
                                  zorder=0))
    span_x = max(x.max(), xl[1]) - min(x.min(), xl[0])
    span_y = max(y.max(), yl[1]) - min(y.min(), yl[0])
    ins.set_xlim(min(x.min(), xl[0]) - 0.12 * span_x, max(x.max(), xl[1]) + 0.12 * span_x)
    ins.set_ylim(min(y.min(), yl[0]) - 0.3 * span_y, max(y.max(), yl[1]) + 0.3 * span_y)
    ins.tick_params(labelsize=7, length=2, pad=1)
    ins.grid(False)
    ins.set_title("All alternatives", fontsize=8, loc="left", pad=2, fontweight="normal")
    for side in ("top", "right"):
        ins.spines[side].set_visible(True)
    pct_axis(ins, "y")
    money_axis(ins, "x")
    ins.set_facecolor("white")
    ins.set_zorder(5)
    far = [i for i in range(len(names)) if not main[i]]
    place_labels(ins, [names[i] for i in far], list(x[far]), list(y[far]), fontsize=7.5,
                 all_xy=(list(x), list(y)))
    return ins, box


# Offsets in points from the marker, tried in order, and the text alignment for each; the
# far ones (drawn with a leader line) are for points so close that no near spot is free.
_NEAR = ((10, 8, "left", "bottom"), (10, -8, "left", "top"), (-10, 8, "right", "bottom"),
         (-10, -8, "right", "top"), (0, 14, "center", "bottom"), (0, -14, "center", "top"),
         (10, 22, "left", "bottom"), (-10, 22, "right", "bottom"),
         (10, -22, "left", "top"), (-10, -22, "right", "top"))
_FAR = tuple((dx, dy, "left" if dx > 0 else "right", "bottom" if dy > 0 else "top")
             for r in (36, 52, 70, 90, 115, 145, 180)
             for dx, dy in ((r, r // 2), (r, -r // 2), (-r, r // 2), (-r, -r // 2),
                            (r // 3, r), (-r // 3, -r), (r, 0), (-r, 0)))
_CANDIDATES = _NEAR + _FAR
_LEADER = 30   # points: beyond this offset a thin line joins the label to its marker


def place_labels(ax, names: list[str], xs: list[float], ys: list[float],
                 obstacles=None, fontsize: float = 10,
                 bold: set[str] | None = None,
                 all_xy: tuple[list[float], list[float]] | None = None,
                 y_range: tuple[float, float] | None = None) -> None:
    """Name each point where its label overlaps no other label, marker, obstacle or the axes
    edge (first free spot from a list of offsets, nearest first). When no spot is free the
    view is widened and the labels are placed again; the last resort is the least crowded
    spot. ``obstacles``: boxes in display coordinates, or a function that returns them
    (called again whenever the view changes). ``y_range``: the values the y axis can mean
    (0-100 % availability): widening does not take the view past them."""
    fig = ax.figure
    for attempt in range(5):
        fig.draw_without_rendering()  # settle the layout (positions only, no pixels)
        boxes = obstacles() if callable(obstacles) else list(obstacles or [])
        done = _try_place(ax, names, xs, ys, boxes, fontsize, bold or set(),
                          all_xy, last=attempt == 4)
        if done:
            return
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        ax.set_xlim(x0 - 0.08 * (x1 - x0), x1 + 0.08 * (x1 - x0))
        lo, hi = y0 - 0.08 * (y1 - y0), y1 + 0.08 * (y1 - y0)
        if y_range is not None:
            lo, hi = max(lo, min(y0, y_range[0])), min(hi, max(y1, y_range[1]))
        ax.set_ylim(lo, hi)


def _try_place(ax, names, xs, ys, obstacles, fontsize, bold, all_xy, last: bool) -> bool:
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    pad = 6
    mx, my = all_xy if all_xy is not None else (xs, ys)
    markers = [ax.transData.transform((xv, yv)) for xv, yv in zip(mx, my, strict=True)]
    placed: list[Bbox] = list(obstacles)
    made = []
    k = min(1.0, fontsize / 10)  # small labels sit closer to their markers
    candidates = [(dx * k, dy * k, ha, va) for dx, dy, ha, va in _CANDIDATES]
    # The most crowded markers choose first: a lone marker has free spots left whatever the
    # others took, a marker in a cluster may have one.
    own = [ax.transData.transform((xv, yv)) for xv, yv in zip(xs, ys, strict=True)]
    near = [sum(abs(a[0] - b[0]) < 90 and abs(a[1] - b[1]) < 40 for b in markers) for a in own]
    order = sorted(range(len(names)), key=lambda i: -near[i])
    for name, xv, yv in ((names[i], xs[i], ys[i]) for i in order):
        chosen = None
        best = None
        for dx, dy, ha, va in candidates:
            far = max(abs(dx), abs(dy)) > _LEADER * k
            text = ax.annotate(name, (xv, yv), xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=fontsize,
                               fontweight="bold" if name in bold or fontsize >= 10 else "normal",
                               color="#1A1A1A", zorder=6,
                               arrowprops={"arrowstyle": "-", "color": "#8C8C8C", "lw": 0.8,
                                           "shrinkA": 2, "shrinkB": 5} if far else None)
            box = text.get_window_extent(renderer)
            inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                      and box.y1 <= frame.y1)
            hits = sum(box.overlaps(b) for b in placed) + sum(
                box.x0 - pad <= px <= box.x1 + pad and box.y0 - pad <= py <= box.y1 + pad
                for px, py in markers)
            if inside and hits == 0:
                chosen = (text, box)
                break
            if inside and (best is None or hits < best[0]):
                best = (hits, dx, dy, ha, va)
            text.remove()
        if chosen is None:
            if not last:
                for t in made:
                    t.remove()
                return False
            _, dx, dy, ha, va = best or (0, *candidates[0])
            text = ax.annotate(name, (xv, yv), xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=fontsize, fontweight="bold",
                               color="#1A1A1A", zorder=6)
            chosen = (text, text.get_window_extent(renderer))
        made.append(chosen[0])
        placed.append(chosen[1])
    return True
