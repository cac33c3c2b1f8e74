"""Total ownership cost tables and target risk, on result sets built by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.load import ResultSet
from analysis.target_risk import target_risk, wilson
from analysis.tco import tco_long, tco_table, tco_totals


def _rs(summary: pd.DataFrame, *, costs=None, timeseries=None, target=None) -> ResultSet:
    spec = {"name": "N", "kind": "fms"}
    if target is not None:
        spec["availability_target"] = target
    manifest = {"scenario": {"scenario": "t", "warmup_days": 100, "horizon_days": 400,
                             "customers": [spec], "alternatives": [{"name": "A"}]}}
    return ResultSet(path=Path("."), manifest=manifest, summary=summary,
                     costs=costs if costs is not None else pd.DataFrame(),
                     timeseries=timeseries if timeseries is not None else pd.DataFrame())


def _summary(avail: list[float]) -> pd.DataFrame:
    n = len(avail)
    return pd.DataFrame({"alternative": "A", "replication": range(n), "customer": "N",
                         "availability": avail, "cost_usd": np.arange(n) * 10.0 + 100,
                         "npv_cost_usd": np.arange(n) * 5.0 + 50})


def test_wilson_interval_matches_its_formula():
    k, n, z = 3, 20, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson(k, n) == pytest.approx((centre - half, centre + half), rel=1e-9)
    lo, hi = wilson(0, 10)
    assert lo == 0 and hi > 0.2          # at zero the interval still says something


def test_target_risk_counts_replications_and_months_below():
    avail = [0.80, 0.92, 0.95, 0.85, 0.91]
    periods = [0.0, 100.0, 200.0, 300.0]               # the first is warm-up
    ts = pd.DataFrame([{"alternative": "A", "replication": r, "customer": "N",
                        "period_start_day": d, "availability": a}
                       for r, a in enumerate(avail)
                       for d, a in zip(periods, [0.0, a - 0.05, a, a + 0.05], strict=True)])
    rs = _rs(_summary(avail), timeseries=ts, target=0.9)
    row = target_risk(rs).iloc[0]
    assert row.p_below == pytest.approx(2 / 5)
    assert (row.p_below_lo, row.p_below_hi) == pytest.approx(wilson(2, 5))
    # Per replication, measured periods below 0.9 among (a-0.05, a, a+0.05):
    shares = [np.mean([v < 0.9 for v in (a - 0.05, a, a + 0.05)]) for a in avail]
    assert row.months_below_share == pytest.approx(np.mean(shares))
    assert row.cost_p50 == pytest.approx(np.percentile([100, 110, 120, 130, 140], 50))
    assert row.cost_p10 == pytest.approx(104) and row.npv_p90 == pytest.approx(68)


def test_no_target_gives_cost_spread_only():
    row = target_risk(_rs(_summary([0.9, 0.95]))).iloc[0]
    assert math.isnan(row.p_below) and math.isnan(row.target)
    assert row.cost_p90 == pytest.approx(109)


def test_tco_means_count_a_replication_without_a_charge_as_zero():
    costs = pd.DataFrame([
        {"alternative": "A", "replication": 0, "customer": "N", "ips_element": "technical data",
         "fiscal_year": 2027, "constant_usd": 300.0, "then_year_usd": 309.0},
        {"alternative": "A", "replication": 1, "customer": "N", "ips_element": "supply support",
         "fiscal_year": 2028, "constant_usd": 100.0, "then_year_usd": 110.0},
        {"alternative": "A", "replication": 2, "customer": "N", "ips_element": "supply support",
         "fiscal_year": 2028, "constant_usd": 200.0, "then_year_usd": 220.0}])
    rs = _rs(_summary([0.9, 0.9, 0.9]), costs=costs)
    long = tco_long(rs).set_index(["ips_element", "fiscal_year"])
    assert long.loc[("technical data", 2027), "constant_usd"] == pytest.approx(100.0)
    assert long.loc[("supply support", 2028), "then_year_usd"] == pytest.approx(110.0)
    assert list(long.index.get_level_values(0)) == ["supply support", "technical data"]
    table = tco_table(rs, "N", "A", "then_year")
    assert table.loc["Total", "Total"] == pytest.approx((309 + 110 + 220) / 3)
    assert tco_totals(rs).constant_usd.iloc[0] == pytest.approx(200.0)
