"""Statistics of the analysis layer against values computed by hand on the synthetic result
directory of conftest.py (three replications, so t(0.975, 2) = 4.302653)."""

from __future__ import annotations

import math

import pytest
from conftest import FH, LINES, NSN_1, NSN_2

from analysis import stats
from analysis.bca import analyse
from analysis.load import load_result
from analysis.sweep import sweep_info, tornado_table
from analysis.timeline import markers
from sim.errors import InvalidInput

T2 = 4.302652729749462  # Student t, 97.5 % quantile, 2 degrees of freedom


def test_mean_ci_by_hand():
    # mean 0.8, s = 0.1, half-width = t * s / sqrt(3)
    mean, half = stats.mean_ci([0.9, 0.8, 0.7])
    assert mean == pytest.approx(0.8)
    assert half == pytest.approx(T2 * 0.1 / math.sqrt(3)) and half == pytest.approx(0.2484138)
    assert math.isnan(stats.mean_ci([1.0])[1])


def test_summarize_every_metric_with_ci(result_dir):
    res = load_result(result_dir)
    table = stats.summarize(res.summary).set_index("alternative")
    # Alt availability 0.95, 0.86, 0.74: mean 0.85, s^2 = (0.01 + 0.0001 + 0.0121) / 2 = 0.0111
    assert table.loc["Alt", "availability"] == pytest.approx(0.85)
    assert table.loc["Alt", "availability_ci"] == pytest.approx(
        T2 * math.sqrt(0.0111) / math.sqrt(3))
    assert table.loc["Base", "availability_ci"] == pytest.approx(0.2484138)
    assert table.loc["Base", "replications"] == 3
    for col in ("npv_cost_usd", "cwt_days_p95", "cost_per_fh_usd", "fill_rate"):
        assert f"{col}_ci" in table.columns
    # cwt_days_mean 5, 6, 7 in both alternatives: mean 6, s = 1
    assert table.loc["Base", "cwt_days_mean_ci"] == pytest.approx(T2 / math.sqrt(3))


def test_paired_differences_are_tight_and_unpaired_are_not(result_dir):
    res = load_result(result_dir)
    p = stats.paired_differences(res.summary, "Base").set_index("metric")
    a = p.loc["availability"]
    # differences 0.05, 0.06, 0.04: mean 0.05, s = 0.01
    assert a["difference"] == pytest.approx(0.05)
    assert a["ci"] == pytest.approx(T2 * 0.01 / math.sqrt(3))  # 0.0248
    # Welch: v = 0.01/3 + 0.0111/3, dof 3.989, t = 2.779: half-width 0.2331
    assert a["unpaired_ci"] == pytest.approx(0.2330963, rel=1e-5)
    assert a["width_ratio"] == pytest.approx(0.2330963 / 0.0248414, rel=1e-4)
    assert a["significant"] and a["pairs"] == 3
    n = p.loc["npv_cost_usd"]
    # 1.0, 1.5, 1.0 $M: mean 1.1667 $M, s = 0.288675 $M
    assert n["difference"] == pytest.approx(1166666.6667)
    assert n["ci"] == pytest.approx(717108.788, rel=1e-6)


def test_cost_and_npv_by_year(result_dir):
    res = load_result(result_dir)
    y = stats.cost_by_year(res.timeseries, 0.02, res.warmup_days)
    base = y[y["alternative"] == "Base"].set_index("year")
    # 12 periods a year at 1000, 2000, 3000 per period: 12k, 24k, 36k a year
    assert list(base.index) == [1, 2]
    assert base.loc[1, "cost_usd"] == pytest.approx(24000)
    assert base.loc[1, "cost_usd_ci"] == pytest.approx(T2 * 12000 / math.sqrt(3))
    assert base.loc[1, "npv_cost_usd"] == pytest.approx(24000 / 1.02)
    assert base.loc[2, "npv_cost_usd"] == pytest.approx(24000 / 1.02**2)
    assert base.loc[2, "discount_factor"] == pytest.approx(1 / 1.0404)
    assert not base.loc[1, "measured"] and base.loc[2, "measured"]


def test_nmcs_drivers_backorders_times_share(result_dir):
    res = load_result(result_dir)
    d = stats.nmcs_drivers(res.items, res.summary, res.item_names())
    base = d[d["alternative"] == "Base"].set_index("nsn")
    # Base: backorders (1,3),(2,2),(0,4) with NMCS 2, 4, 6 -> NSN 2 drives 1.5, 2, 6
    assert base.loc[NSN_2, "rank"] == 1 and base.loc[NSN_1, "rank"] == 2
    assert base.loc[NSN_2, "nmcs_aircraft"] == pytest.approx(9.5 / 3)
    assert base.loc[NSN_1, "nmcs_aircraft"] == pytest.approx(2.5 / 3)
    assert base.loc[NSN_1, "share"] == pytest.approx(0.25)
    assert base.loc[NSN_2, "name"] == "Radar"
    alt = d[d["alternative"] == "Alt"].set_index("nsn")
    assert alt.loc[NSN_2, "nmcs_aircraft"] == pytest.approx(3.5 / 3)


def test_efficient_frontier():
    assert stats.efficient([1, 2, 3], [1, 3, 2]) == [True, True, False]
    assert stats.efficient([1, 1], [2, 2]) == [True, True]


def test_one_at_a_time_sweep_and_tornado(sweep_dir):
    res = load_result(sweep_dir)
    info = sweep_info(res)
    assert info.parameters == [FH, LINES] and info.base_point == 0 and info.one_at_a_time
    t = tornado_table(res.summary, info, "availability")
    base = t[t["alternative"] == "Base"].set_index("parameter")
    # base 0.8; flight hours 10 -> +0.02, 30 -> -0.02; lines 4 -> -0.01, 8 -> +0.01
    assert base.loc[FH, "base"] == pytest.approx(0.8)
    assert base.loc[FH, "at_low"] == pytest.approx(0.82)
    assert base.loc[FH, "at_high"] == pytest.approx(0.78)
    assert base.loc[FH, "swing"] == pytest.approx(0.04)
    assert base.loc[LINES, "swing"] == pytest.approx(0.02)
    assert (base.loc[LINES, "low_value"], base.loc[LINES, "high_value"]) == (4.0, 8.0)
    bca = analyse(res)  # the base case is the base point only
    assert len(bca.result.summary) == 6 and set(bca.tornado) == {"availability", "npv_cost_usd"}


def test_grid_sweep_gets_no_tornado(tmp_path):
    from conftest import OAT_POINTS, build

    res = load_result(build(tmp_path / "grid", points=OAT_POINTS, sweep_method="grid"))
    bca = analyse(res)
    assert not bca.tornado and any("not one-at-a-time" in n for n in bca.notes)


def test_timeline_markers_from_the_manifest(result_dir):
    res = load_result(result_dir)
    got = [(m.day, m.kind) for m in markers(res.scenario, "Nation A")]
    assert got == [(365.25, "warmup"), (400.0, "initial_support"),
                   (500.0, "leave_dod_inventory"), (600.0, "leave_dod_inventory")]


@pytest.mark.parametrize("layout", ["missing", "empty", "no_summary", "bad_manifest"])
def test_not_a_result_directory(tmp_path, layout):
    path = tmp_path / "res"
    if layout != "missing":
        path.mkdir()
    if layout == "no_summary":
        (path / "manifest.json").write_text("{}")
    if layout == "bad_manifest":
        (path / "manifest.json").write_text("{not json")
    with pytest.raises(InvalidInput):
        load_result(path)
