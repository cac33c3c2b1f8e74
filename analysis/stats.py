"""Statistics over replications: means with Student-t confidence intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def mean_ci(values, level: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of the two-sided t confidence interval over replications.

    One replication gives no interval (half-width NaN): a single run says nothing about its
    own variability.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return float("nan"), float("nan")
    mean = float(x.mean())
    if n == 1:
        return mean, float("nan")
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, half


def compare(summary: pd.DataFrame, metrics: list[str], level: float = 0.95) -> pd.DataFrame:
    """Per (alternative, customer): mean and CI half-width of each metric, in file order."""
    rows = []
    groups = summary.groupby(["alternative", "customer"], sort=False)
    for (alt, cust), g in groups:
        row = {"alternative": alt, "customer": cust, "replications": len(g)}
        for m in metrics:
            row[m], row[f"{m}_ci"] = mean_ci(g[m].to_numpy(), level)
        rows.append(row)
    return pd.DataFrame(rows)
