"""The NSNs that drive NMCS, at most the top 15: each NSN's share of backorders times the
NMCS aircraft, as a table of shaded cells (NSN by alternative) that stays legible on a slide
whatever the number of alternatives."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from analysis.charts.common import short, wrap
from analysis.style import Chart, Style, new_figure, subplots

TOP = 15


def drivers(style: Style, table: pd.DataFrame, customer: str, top: int = TOP,
            ref: str | None = None) -> Chart | None:
    """``table``: ``stats.nmcs_drivers`` output; rows ranked by ``ref`` (the recommended
    alternative), or by the largest value under any alternative."""
    top = min(top, TOP)
    t = table[table["customer"] == customer]
    if t.empty or not (t["nmcs_aircraft"] > 0).any():
        return None
    alts = [a for a in style.alternatives if a in set(t["alternative"])]
    wide = t.pivot_table(index="nsn", columns="alternative", values="nmcs_aircraft",
                         aggfunc="first").reindex(columns=alts)
    rank_by = wide[ref] if ref in wide.columns else wide.max(axis=1)
    order = rank_by.sort_values(ascending=False, kind="stable")
    nsns = list(order.index[:top])
    names = t.drop_duplicates("nsn").set_index("nsn")["name"]
    lead = nsns[0]
    lead_name = names.get(lead) or lead
    if ref in wide.columns:
        total = float(wide[ref].sum())
        share = float(wide.loc[nsns, ref].sum()) / total if total > 0 else float("nan")
        title = (f"Under {ref}, the {lead_name} drives the most NMCS "
                 f"({wide.loc[lead, ref]:.2f} aircraft); the top {len(nsns)} NSNs account for "
                 f"{100 * share:.0f} % of its NMCS aircraft")
    else:
        where = wide.loc[lead].idxmax()
        title = (f"The {lead_name} drives the most NMCS: {wide.loc[lead].max():.2f} aircraft "
                 f"under {where}")
    caption = (f"{customer}: the top {len(nsns)} NSNs"
               f"{' under ' + ref if ref in wide.columns else ''} by mean NMCS aircraft "
               "attributed to them (the NSN's share of time-averaged backorders × mean NMCS "
               "aircraft), over replications; darker = more. CIs in the report's table and "
               "summary.xlsx.")
    fig = new_figure(title, caption, style)
    (ax,) = subplots(fig)
    data = wide.loc[nsns].to_numpy(dtype=float)
    vmax = np.nanmax(data) if np.isfinite(data).any() else 1.0
    # Cells as a mesh, not an image: an image is resampled to the full 300 dpi pixel grid in
    # floating point (about 80 MB for this chart), and the SVG keeps vector cells.
    rows, cols = data.shape
    ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, np.nan_to_num(data),
                  cmap="Greys", vmin=0, vmax=vmax * 1.6 if vmax > 0 else 1)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)  # first row at the top, as a table reads
    fs = 8.5 if len(nsns) <= 12 else 7.5
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = data[i, j]
            if np.isnan(v):
                continue
            dark = vmax > 0 and v / (vmax * 1.6) > 0.45
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=fs,
                    color="white" if dark else "#1A1A1A")
    ax.set_xticks(range(len(alts)), [wrap(a, 13, lines=3) for a in alts], fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(nsns)), [f"{short(names.get(s) or s, 26)}  {s}" for s in nsns],
                  fontsize=fs)
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if ref in alts:
        j = alts.index(ref)
        ax.add_patch(Rectangle((j - 0.5, -0.5), 1, len(nsns), fill=False, edgecolor="#1A1A1A",
                               linewidth=2.0, clip_on=False))
        for lab in ax.get_xticklabels():
            if lab.get_text().replace("\n", " ") == ref:
                lab.set_fontweight("bold")
    return Chart("nmcs_drivers", title, caption, fig)
