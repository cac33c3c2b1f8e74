"""Tornado chart from a one-at-a-time sweep: how far each parameter, moved from its lowest
to its highest swept value, moves availability and NPV cost — with the replications' 95 %
confidence interval at each bar end, so a reader sees which swings are more than noise."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis.charts.common import wrap
from analysis.style import Chart, Style, new_figure, subplots

PANELS = (("availability", "Availability (%)", 100.0), ("npv_cost_usd", "NPV cost ($M)", 1e-6))


def tornado(style: Style, tables: dict[str, pd.DataFrame], customer: str,
            analytic: pd.DataFrame | None = None) -> Chart | None:
    """``tables``: metric -> ``sweep.tornado_table`` output (availability, npv_cost_usd);
    ``analytic``: ``sweep.analytic_swings`` (the closed form's change at each end), drawn as
    hollow diamonds from the simulated base on the availability row."""
    avail = tables.get("availability", pd.DataFrame())
    avail = avail[avail["customer"] == customer] if not avail.empty else avail
    if avail.empty:
        return None
    alts = [a for a in style.alternatives if a in set(avail["alternative"])]
    top = avail.loc[avail["swing"].idxmax()]
    title = (f"{_label(top['parameter'])} moves {customer}'s supply availability the most: "
             f"{100 * top['swing']:.1f} points under {top['alternative']} "
             f"(from {top['low_value']:g} to {top['high_value']:g})")
    title = title[:1].upper() + title[1:]
    caption = ("One-at-a-time sweep: each bar spans the result with one parameter at its "
               "lowest (light bar) and at its highest (dark bar) swept value, the others as in "
               "the scenario; the black line is the scenario as written. Whiskers: 95 % CI of the change "
               "from the scenario as written, paired by replication (every point reuses the "
               "same random numbers).")
    ana = analytic[analytic["customer"] == customer] if analytic is not None and \
        not analytic.empty else pd.DataFrame()
    if not ana.empty:
        caption += (" Diamonds: the closed form's change (finite-fleet METRIC) at the lowest "
                    "(white) and highest (grey) value, drawn from the simulated base.")
    for path, owner in others_moving(avail, customer, set(tables["availability"]["customer"])):
        caption += (f" {_label(path)} is another nation's parameter: it moves {customer} "
                    f"only through what {customer} shares with {owner} (DoD wholesale stock, "
                    "depots, transport), by more than the paired CI.")
    params = list(avail.groupby("parameter")["swing"].max().sort_values().index)
    panels = [p for p in PANELS if p[0] in tables and not tables[p[0]].empty]
    rows, cols = len(panels), len(alts)
    height = 5.625 if len(params) <= 6 else min(9.5, 2.4 + rows * (0.25 * len(params) + 0.8))
    fig = new_figure(title, caption, style, height_in=height)
    axes = subplots(fig, rows, cols, sharey=True)
    for r, (metric, label, scale) in enumerate(panels):
        for c, alt in enumerate(alts):
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
                                elinewidth=0.9, capsize=2.5)
            if metric == "availability" and not ana.empty:
                a = ana[ana["alternative"] == alt].set_index("parameter").reindex(params)
                for col, fill in (("delta_low", "white"), ("delta_high", "#8C8C8C")):
                    d = a[col].to_numpy(dtype=float) * scale
                    ok = ~np.isnan(d)
                    ax.scatter(base + d[ok], ys[ok], marker="D", s=22, facecolors=fill,
                               edgecolors="#1A1A1A", linewidths=0.9, zorder=3)
            ax.axvline(base, color="#1A1A1A", linewidth=1.2)
            ax.grid(axis="y", visible=False)
            ax.margins(x=0.12)
            ax.xaxis.set_major_locator(MaxNLocator(4))
            unit = "%" if metric == "availability" else " $M"
            ax.set_xlabel(f"{label.split(' (')[0]} (base {base:,.1f}{unit})", fontsize=8.5)
            ax.tick_params(axis="x", labelsize=8.5)
            if r == 0:
                ax.set_title(wrap(alt, 18), fontsize=9.5)
    for r in range(rows):
        axes[r * cols].set_yticks(np.arange(len(params)),
                                  [wrap(_short_label(p), 40) for p in params], fontsize=8.5)
    return Chart("tornado", title, caption, fig)


def owner(path: str, customers: set[str]) -> str | None:
    """The customer a swept path belongs to (``customers[Nation A]...``,
    ``alternatives[CLSSA].support[Nation A]...``), None for a shared one (items, depots)."""
    from sim.scenario.sweep import PathError, parse_path

    try:
        steps = parse_path(path)
    except PathError:
        return None
    for before, step in pairwise(steps):
        if step.kind == "key" and before.name in ("customers", "support") \
                and step.name in customers:
            return step.name
    return None


def others_moving(avail: pd.DataFrame, customer: str, customers: set[str]
                  ) -> list[tuple[str, str]]:
    """(path, owner) of another customer's parameters that move this customer's
    availability by more than the paired 95 % CI at either end, under any alternative: such
    a bar is real (Nation A's FMSO I is DoD stock the other CLSSA nations draw too) but
    surprises a reader, so the caption says why."""
    out = []
    for path, rows in avail.groupby("parameter", sort=False):
        who = owner(str(path), customers)
        if who is None or who == customer:
            continue
        moved = ((rows["at_low"] - rows["base"]).abs() > rows["at_low_ci"]) | (
            (rows["at_high"] - rows["base"]).abs() > rows["at_high_ci"])
        if moved.any():
            out.append((str(path), who))
    return out


FIELD_NAMES = {
    "fh_per_aircraft_month": "flying hours per aircraft-month",
}
SHORT_NAMES = {
    "flying hours per aircraft-month": "FH per aircraft-month",
    "FMSO I months of demand": "FMSO I months",
    "procurement lead time": "procurement lead time",
}
FIELD_NAMES |= {
    "mtbr_fh": "MTBR",
    "repair_lines": "repair lines",
    "procurement_lead_time_days": "procurement lead time",
    "aircraft": "aircraft",
    "stock": "wholesale stock",
    "protection_level": "protection level",
    "condemnation_rate": "condemnation rate",
    "unit_price_usd": "unit price",
    "repair_cost_usd": "repair cost",
    "repair_days": "repair time",
    "days": "transit time",
    "cost_usd": "cost per shipment",
    "cost_factor": "cost factor",
}
DISTRIBUTION_FIELDS = {"mean", "cv", "low", "mode", "high", "shape", "exponential", "gamma",
                       "lognormal", "triangular", "uniform", "weibull"}


def _short_label(path: str) -> str:
    """``_label`` with the long field names shortened, for tick labels."""
    text = _label(path)
    for long, short_name in SHORT_NAMES.items():
        text = text.replace(long, short_name)
    return text


def _label(path: str) -> str:
    """A swept path as a reader says it: 'Nation A flying hours per aircraft-month', 'all MTBRs
    (factor)', 'Ogden ALC repair lines', 'procurement lead time (mean)', 'Nation A FMSO I
    months (CLSSA)'."""
    from sim.scenario.sweep import PathError, parse_path

    try:
        steps = parse_path(path)
    except PathError:
        return path
    fields = [s.name for s in steps if s.kind == "field"]
    keys = [s.name for s in steps if s.kind == "key"]
    tail = [f for f in fields if f in DISTRIBUTION_FIELDS]
    core = [f for f in fields if f not in DISTRIBUTION_FIELDS]
    name = core[-1] if core else fields[-1]
    human = FIELD_NAMES.get(name, name.replace("_", " "))
    if name == "months_of_demand" and "fmso1" in fields:
        human = "FMSO I months of demand"
    if steps[-1].kind == "key" and name in ("stock", "protection_level"):
        return f"{human} {keys[-1]}"
    if "*" in keys:
        return f"all {human}s (factor)" if human.isupper() else f"all {human} (factor)"
    owner = [f"{fields[0]} {int(k) + 1}" if k.isdigit() else k for k in keys if k != "*"]
    if fields[0] == "alternatives" and owner:
        text = f"{' '.join(owner[1:])} {human} ({owner[0]})"
    else:
        text = f"{' '.join(owner)} {human}"
    if tail:
        text += f" ({tail[-1]}{', days' if name.endswith('_days') else ''})"
    return text.strip()
