"""Sensitivity charts for grid and Latin hypercube sweeps: each metric against each parameter
over all points (mean over replications, trend line, Spearman's rho with its CI), the closed
form beside the simulated points where the sweep was screened with ``--analytic``, and — for a
one- or two-parameter grid — where two alternatives swap rank."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from analysis.charts.common import alt_legend, short, wrap
from analysis.charts.tornado import _label, _short_label
from analysis.style import Chart, Style, new_figure, subplots
from analysis.sweep import SweepInfo, point_means

METRICS = (("availability", "Availability (%)", 100.0), ("npv_cost_usd", "NPV cost ($M)", 1e-6))
MAX_PARAMETERS = 4


def _analytic(full_analytic: pd.DataFrame, customer: str) -> pd.DataFrame:
    if full_analytic.empty:
        return full_analytic
    a = full_analytic[full_analytic["customer"] == customer]
    col = "availability_finite_fleet"
    return a[a[col].notna()] if col in a.columns else a.iloc[:0]


def sensitivity(style: Style, summary: pd.DataFrame, info: SweepInfo,
                tables: dict[str, pd.DataFrame], customer: str,
                analytic: pd.DataFrame, metric: str = "availability") -> Chart | None:
    """One metric against each parameter (up to four, the most correlated first)."""
    spec = next((m for m in METRICS if m[0] == metric), None)
    tab = tables.get(metric, pd.DataFrame())
    tab = tab[tab["customer"] == customer] if not tab.empty else tab
    if spec is None or tab.empty or tab["rho"].isna().all():
        return None
    _, label, scale = spec
    what = "availability" if metric == "availability" else "NPV cost"
    order = tab.assign(a=tab["rho"].abs()).groupby("parameter")["a"].max()
    params = list(order.sort_values(ascending=False).index[:MAX_PARAMETERS])
    top = tab.loc[tab["rho"].abs().idxmax()]
    title = (f"{customer}'s {what} follows {_label(top['parameter'])} most closely: "
             f"Spearman ρ = {top['rho']:+.2f} [{top['rho_low']:+.2f}, {top['rho_high']:+.2f}] "
             f"under {top['alternative']}")
    ana = _analytic(analytic, customer) if metric == "availability" else pd.DataFrame()
    caption = (f"{info.method or 'sweep'} over {info.points} points: each dot is one point's "
               "mean over replications, lines are least-squares trends; ρ (in each panel, per "
               "alternative) is Spearman's rank correlation over the points, 95 % CI by "
               "Fisher's z in the title."
               + (" Hollow diamonds: the closed form (finite-fleet METRIC) at the same points."
                  if not ana.empty else ""))
    fig = new_figure(title, caption, style)
    axes = subplots(fig, 1, len(params), sharey=True)
    alts = [a for a in style.alternatives if a in set(tab["alternative"])]
    means = point_means(summary[summary["customer"] == customer], info, metric)
    for c, p in enumerate(params):
        ax = axes[c]
        notes = []
        for alt in alts:
            d = means[means["alternative"] == alt]
            x, y = d[p].to_numpy(dtype=float), d["mean"].to_numpy(dtype=float) * scale
            ax.scatter(x, y, s=14, color=style.color(alt), marker=style.marker(alt),
                       alpha=0.75, linewidths=0)
            row = tab[(tab["alternative"] == alt) & (tab["parameter"] == p)]
            if not row.empty and not np.isnan(row["slope"].iloc[0]):
                xs = np.linspace(np.nanmin(x), np.nanmax(x), 2)
                ax.plot(xs, (row["intercept"].iloc[0] + row["slope"].iloc[0] * xs) * scale,
                        color=style.color(alt), linewidth=1.6)
                notes.append((alt, row["rho"].iloc[0]))
            if not ana.empty and p in ana.columns:
                a = ana[ana["alternative"] == alt]
                ax.scatter(a[p], a["availability_finite_fleet"] * 100.0, s=16,
                           facecolors="none", edgecolors=style.color(alt), marker="D",
                           linewidths=0.8)
        for k, (alt, rho) in enumerate(notes):
            ax.text(0.02 + 0.245 * k, 1.02, f"{rho:+.2f}", transform=ax.transAxes,
                    color=style.color(alt), fontsize=8.5, fontweight="bold", ha="left",
                    va="bottom")
        ax.set_xlabel(wrap(_short_label(p), 24), fontsize=9)
        ax.tick_params(axis="x", labelsize=8.5)
        ax.xaxis.set_major_locator(MaxNLocator(4))
    axes[0].set_ylabel(label)
    extra = [Line2D([], [], color="#404040", marker="D", markerfacecolor="none",
                    linestyle="none", label="closed form")] if not ana.empty else []
    extra.append(Line2D([], [], color="none", label="ρ above each panel,\nin legend order"))
    alt_legend(axes[-1], style, alts, extra=extra)
    return Chart(f"sensitivity_{'availability' if metric == 'availability' else 'npv'}",
                 title, caption, fig)


def breakeven(style: Style, summary: pd.DataFrame, info: SweepInfo,
              crossings: dict[str, pd.DataFrame], customer: str,
              analytic: pd.DataFrame) -> Chart | None:
    """Mean metric against the first parameter of a one- or two-parameter grid, per
    alternative with its CI band; each crossing of two alternatives marked and stated."""
    if not info.parameters or len(info.parameters) > 2:
        return None
    x_name = info.parameters[0]
    other = info.parameters[1] if len(info.parameters) == 2 else None
    panels = [m for m in METRICS if m[0] in summary.columns]
    found = pd.concat([c[c["customer"] == customer] for c in crossings.values()
                       if not c.empty]) if any(not c.empty for c in crossings.values()) \
        else pd.DataFrame()
    if not found.empty:
        first = found.iloc[0]
        label = "availability" if first["metric"] == "availability" else "NPV cost"
        where = "" if first["other_parameter"] is None or pd.isna(first["other_value"]) else (
            f" (at {_label(first['other_parameter'])} {first['other_value']:g})")
        title = (f"{customer}: {first['alternative_a']} and {first['alternative_b']} swap rank "
                 f"on {label} at {_label(x_name)} ≈ {first['value']:.3g}{where}")
    else:
        title = (f"{customer}: no two alternatives swap rank on availability or NPV cost over "
                 f"the swept {_label(x_name)}")
    caption = ("Grid sweep: mean over replications at each grid value with its 95 % CI band; "
               "dotted vertical lines mark where two alternatives' mean lines cross (linear "
               "interpolation between grid values)."
               + (f" One column per value of {_label(other)}." if other else "")
               + (" Dashed: the closed form's availability (finite fleet)."
                  if not _analytic(analytic, customer).empty else ""))
    others = [None] if other is None else sorted(summary[other].dropna().unique())[:4]
    fig = new_figure(title, caption, style)
    axes = subplots(fig, len(panels), len(others), sharey="row", sharex=True)
    sub = summary[summary["customer"] == customer]
    alts = [a for a in style.alternatives if a in set(sub["alternative"])]
    ana = _analytic(analytic, customer)
    for r, (metric, label, scale) in enumerate(panels):
        means = point_means(sub, info, metric)
        cross = crossings.get(metric, pd.DataFrame())
        cross = cross[cross["customer"] == customer] if not cross.empty else cross
        for c, ov in enumerate(others):
            ax = axes[r * len(others) + c]
            m = means if ov is None else means[np.isclose(means[other], ov)]
            for alt in alts:
                d = m[m["alternative"] == alt].sort_values(x_name)
                x = d[x_name].to_numpy(dtype=float)
                y, h = d["mean"].to_numpy() * scale, d["ci"].fillna(0).to_numpy() * scale
                ax.plot(x, y, color=style.color(alt), marker=style.marker(alt),
                        linestyle=style.linestyle(alt), linewidth=1.8, markersize=4)
                ax.fill_between(x, y - h, y + h, color=style.color(alt), alpha=0.15,
                                linewidth=0)
                if metric == "availability" and not ana.empty:
                    a = ana[ana["alternative"] == alt]
                    if ov is not None and other in a.columns:
                        a = a[np.isclose(a[other], ov)]
                    a = a.sort_values(x_name)
                    ax.plot(a[x_name], a["availability_finite_fleet"] * 100.0,
                            color=style.color(alt), linestyle="--", linewidth=1.0)
            here = cross if ov is None or cross.empty else cross[np.isclose(
                cross["other_value"].astype(float), ov)]
            for _, row in here.iterrows():
                ax.axvline(row["value"], color="#404040", linestyle=":", linewidth=1.2)
                ax.annotate(f" {row['value']:.3g}", (row["value"], 0.97),
                            xycoords=("data", "axes fraction"), ha="left", va="top",
                            fontsize=8.5, color="#262626",
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
            if r == len(panels) - 1:
                ax.set_xlabel(short(_label(x_name), 40))
            if c == 0:
                ax.set_ylabel(label)
            if ov is not None:
                ax.set_title(f"{short(_label(other), 30)} = {ov:g}", fontsize=9.5)
    alt_legend(axes[len(others) - 1], style, alts)
    return Chart("break_even", title, caption, fig)
