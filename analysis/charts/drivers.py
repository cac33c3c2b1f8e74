"""The NSNs that drive NMCS: each NSN's share of backorders times the NMCS aircraft."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.charts.common import alt_legend, short
from analysis.style import Chart, Style, new_figure, subplots


def drivers(style: Style, table: pd.DataFrame, customer: str, top: int = 8) -> Chart | None:
    """``table``: ``stats.nmcs_drivers`` output."""
    t = table[table["customer"] == customer]
    if t.empty or not (t["nmcs_aircraft"] > 0).any():
        return None
    alts = [a for a in style.alternatives if a in set(t["alternative"])]
    worst = t.groupby("nsn")["nmcs_aircraft"].max().sort_values(ascending=False)
    nsns = list(worst.index[:top])
    lead = nsns[0]
    name = t.loc[t["nsn"] == lead, "name"].iloc[0] or lead
    firsts = t[t["rank"] == 1]
    under = t[(t["nsn"] == lead)].set_index("alternative")["nmcs_aircraft"]
    where = under.idxmax()
    if len(alts) > 1 and (firsts["nsn"] == lead).all():
        title = (f"{name} ({lead}) drives the most NMCS under every alternative: up to "
                 f"{under.max():.2f} aircraft ({where})")
    else:
        title = f"{name} ({lead}) drives the most NMCS: {under.max():.2f} aircraft under {where}"
    caption = (f"{customer}: top {len(nsns)} NSNs by mean NMCS aircraft attributed to them "
               "(the NSN's share of time-averaged backorders × mean NMCS aircraft); "
               "95 % CI over replications.")
    height = min(9.5, 2.6 + len(nsns) * (0.3 + 0.12 * len(alts)))
    fig = new_figure(title, caption, style, height_in=max(height, 4.2))
    (ax,) = subplots(fig)
    n = len(alts)
    h = 0.8 / n
    base = np.arange(len(nsns))[::-1].astype(float)
    for k, alt in enumerate(alts):
        a = t[t["alternative"] == alt].set_index("nsn").reindex(nsns)
        ys = base + ((n - 1) / 2 - k) * h
        ax.barh(ys, a["nmcs_aircraft"].fillna(0), height=h * 0.9, color=style.color(alt),
                xerr=a["nmcs_aircraft_ci"].fillna(0), error_kw={"elinewidth": 0.8, "capsize": 2,
                                                               "ecolor": "#404040"})
    names = t.drop_duplicates("nsn").set_index("nsn")["name"]
    ax.set_yticks(base, [f"{short(names.get(s) or s, 30)}\n{s}" for s in nsns], fontsize=9)
    ax.set_xlabel("NMCS aircraft attributed to the NSN (time-average)")
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    alt_legend(ax, style, alts, kind="patch")
    return Chart("nmcs_drivers", title, caption, fig)
