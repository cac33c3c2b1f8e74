"""The comparison ``sustain run`` prints: per alternative and customer, the mean and 95 %
Student-t half-width over replications of availability, customer wait, cost, cost per
programmed flight hour and the programmed hours not flown.

Computed from ``summary.parquet`` with pyarrow and numpy only — the same figures as
``analysis.stats.summarize`` (NaN replications skipped; one replication gives no interval) —
so a run does not pay for importing pandas and scipy (over a second) to print four columns.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from sim.results import numbers, read_parquet

METRICS = ("availability", "cwt_days_mean", "cost_usd", "npv_cost_usd",
           "cost_per_programmed_fh_usd", "flight_hours_shortfall")
"""The last two (issue 13) are absent from results written before them: NaN then."""

_T975 = (12.7062047362, 4.3026527297, 3.1824463053, 2.7764451052, 2.5705818356, 2.4469118511,
         2.3646242516, 2.3060041352, 2.2621571628, 2.228138852, 2.2009851601, 2.1788128297,
         2.1603686565, 2.1447866879, 2.1314495456, 2.1199052992, 2.1098155778, 2.1009220402,
         2.0930240544, 2.0859634473, 2.0796138447, 2.0738730679, 2.0686576104, 2.0638985616,
         2.0595385528, 2.0555294386, 2.0518305165, 2.0484071418, 2.0452296421, 2.0422724563)
"""Student-t 0.975 quantiles for 1..30 degrees of freedom (scipy.stats.t.ppf, 10 decimals)."""
_Z975 = 1.959963984540054


def t975(df: int) -> float:
    """The two-sided 95 % Student-t quantile: the table above for up to 30 degrees of
    freedom, beyond it the Cornish-Fisher expansion in 1/df (Abramowitz and Stegun 26.7.5,
    relative error below 2e-8 from 31 on)."""
    if df < 1:
        return math.nan
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def mean_half_width(values: np.ndarray) -> tuple[float, float]:
    x = values[~np.isnan(values)]
    if x.size == 0:
        return math.nan, math.nan
    if x.size == 1:
        return float(x[0]), math.nan
    return float(x.mean()), float(t975(x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))


def comparison(result_dir: str | Path) -> tuple[list[dict], int]:
    """Rows of (alternative, customer, then each metric's mean and ``_ci`` half-width), in the
    order they first appear, and the largest number of replications behind a row."""
    path = Path(result_dir) / "summary.parquet"
    have = set(pq.ParquetFile(path).schema_arrow.names)
    table = read_parquet(path, columns=["alternative", "replication", "customer",
                                        *(m for m in METRICS if m in have)])
    alts = table.column("alternative").to_pylist()
    custs = table.column("customer").to_pylist()
    reps = table.column("replication").to_pylist()
    values = {m: numbers(table.column(m)) if m in have else np.full(table.num_rows, np.nan)
              for m in METRICS}
    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(alts, custs, strict=True)):
        groups.setdefault(key, []).append(i)
    rows, most = [], 0
    for (alt, cust), idx in groups.items():
        row: dict = {"alternative": alt, "customer": cust}
        for m in METRICS:
            row[m], row[f"{m}_ci"] = mean_half_width(values[m][idx])
        row["replications"] = len({reps[i] for i in idx})
        most = max(most, row["replications"])
        rows.append(row)
    return rows, most
