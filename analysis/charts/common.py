"""Small helpers shared by the chart modules: phrasing numbers in titles, legends, ordering."""

from __future__ import annotations

import textwrap
from itertools import pairwise

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import Formatter, PercentFormatter, ScalarFormatter

from analysis.style import Style


def rows_for(table: pd.DataFrame, customer: str | None, alternatives: list[str]) -> pd.DataFrame:
    """One customer's rows in alternative order (alternatives missing from the table skipped)."""
    t = table if customer is None else table[table["customer"] == customer]
    order = {a: i for i, a in enumerate(alternatives)}
    t = t[t["alternative"].isin(order)]
    return t.sort_values("alternative", key=lambda s: s.map(order), kind="stable")


NBSP = "\u00a0"  # keeps "99.1 %" and "$4.75 M" on one line when a title wraps


def pct(v: float, digits: int = 1) -> str:
    return f"{100 * v:.{digits}f}{NBSP}%"


def money(v: float, digits: int = 2) -> str:
    return f"${v / 1e6:,.{digits}f}{NBSP}M"


class _Percent(Formatter):
    """Values already in percent, with as few decimals as the visible range allows."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        ticks = sorted(self.axis.get_majorticklocs())
        step = min((b - a for a, b in pairwise(ticks)), default=1.0)
        digits = next((d for d in range(4) if abs(step * 10**d - round(step * 10**d)) < 1e-6),
                      3)
        return f"{x:.{digits}f}%"


def pct_axis(ax: Axes, axis: str = "y", decimals: int | None = None) -> None:
    """Tick labels in percent (data already multiplied by 100)."""
    fmt = PercentFormatter(xmax=100, decimals=decimals) if decimals is not None else _Percent()
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def money_axis(ax: Axes, axis: str = "x") -> None:
    """Plain numbers in $M (the label carries the unit): no offset, no scientific notation."""
    fmt = ScalarFormatter(useOffset=False)
    fmt.set_scientific(False)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def alt_legend(ax: Axes, style: Style, alternatives: list[str], kind: str = "line",
               outside: bool = True, title: str | None = None, extra: list | None = None,
               markers: bool = True) -> None:
    """A legend keyed by alternative (then any ``extra`` handles), outside the plot on the
    right unless told otherwise."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if kind == "patch":
        handles = [Patch(facecolor=style.color(a), label=a) for a in alternatives]
    else:
        handles = [Line2D([], [], color=style.color(a), linewidth=2,
                          marker=style.marker(a) if markers else None,
                          linestyle=style.linestyle(a), label=a) for a in alternatives]
    handles += extra or []
    if outside:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=title,
                  alignment="left")
    else:
        ax.legend(handles=handles, loc="best", title=title)


def short(name: str, limit: int = 28) -> str:
    """A name short enough for a tick label."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def wrap(name: str, width: int = 20, lines: int = 2) -> str:
    """A tick label on at most ``lines`` lines (shortened only past that)."""
    parts = textwrap.wrap(name, width) or [name]
    if len(parts) > lines:
        parts = parts[: lines - 1] + [short(" ".join(parts[lines - 1:]), width)]
    return "\n".join(parts)
