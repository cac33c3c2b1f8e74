"""The report of a real sweep: the tornado chart from a one-at-a-time sweep of a small
scenario, sensitivity for a grid, and the break-even of two alternatives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.bca import analyse
from analysis.load import load_result
from analysis.sweep import SweepInfo, break_even, sensitivity_table, spearman_ci, sweep_info
from sim.cli import main
from tests.helpers import base_scenario


def _scenario(sweep: dict) -> dict:
    data = base_scenario(replications=3, horizon_days=800, warmup_days=100, sweep=sweep)
    data["depots"][0]["repair_lines"] = 3
    data["alternatives"].append({"name": "DX", "support": {
        "Nation A": {"option": "direct_exchange"}}})
    return data


def test_tornado_is_drawn_from_a_real_one_at_a_time_sweep(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text(yaml.safe_dump(_scenario({"method": "one_at_a_time", "parameters": {
        "depots[Home].repair_lines": {"low": 2, "high": 6},
        "items[*].mtbr_fh": {"scale": {"low": 0.8, "high": 1.25}}}}), sort_keys=False))
    out = tmp_path / "out"
    assert main(["sweep", str(scen), "--out", str(out), "--workers", "1", "--analytic",
                 "--report"]) == 0
    charts = sorted(p.name for p in (out / "report").glob("*tornado*.png"))
    assert charts, "no tornado chart in the report"
    res = load_result(out)
    info = sweep_info(res)
    assert info.one_at_a_time and info.base_point == 0 and info.points == 5
    bca = analyse(res)
    t = bca.tornado["availability"]
    rr = t[t["alternative"] == "R&R"].set_index("parameter")
    assert set(rr.index) == {"depots[Home].repair_lines", "items[*].mtbr_fh"}
    # More MTBR (fewer removals) and more lines both help Repair and Return.
    assert rr.loc["items[*].mtbr_fh", "at_high"] > rr.loc["items[*].mtbr_fh", "at_low"]
    assert rr.loc["depots[Home].repair_lines", "at_high"] >= rr.loc[
        "depots[Home].repair_lines", "at_low"]
    cis = t[["at_low_ci", "at_high_ci", "base_ci"]]
    assert (cis >= 0).all().all() and (t["base_ci"] > 0).all()
    # Paired by replication: the depot lines cannot move Direct Exchange at all.
    dx = t[(t["alternative"] == "DX") & (t["parameter"] == "depots[Home].repair_lines")]
    assert (dx["at_low_ci"] == 0).all() and (dx["at_low"] == dx["base"]).all()
    assert (out / "report" / "report.html").read_text().count("tornado") >= 1
    # The closed form's swings beside the simulated ones (the sweep ran with --analytic).
    ana = bca.analytic_tornado.set_index(["alternative", "parameter"])
    assert ana.loc[("R&R", "items[*].mtbr_fh"), "delta_high"] > 0
    assert ana.loc[("DX", "depots[Home].repair_lines"), "delta_low"] == pytest.approx(0.0)


def test_grid_sweep_gets_sensitivity_charts(tmp_path):
    scen = tmp_path / "g.yaml"
    scen.write_text(yaml.safe_dump(_scenario({"method": "grid", "parameters": {
        "items[*].mtbr_fh": {"scale": [0.7, 0.85, 1.0, 1.2, 1.4]}}}), sort_keys=False))
    out = tmp_path / "out"
    assert main(["sweep", str(scen), "--out", str(out), "--workers", "1", "--analytic"]) == 0
    bca = analyse(load_result(out))
    s = bca.sensitivity["availability"]
    rr = s[s["alternative"] == "R&R"].iloc[0]
    assert rr["points"] == 5 and rr["rho"] > 0.5 and rr["rho_low"] < rr["rho"] <= rr["rho_high"]
    from analysis.report import write_report

    write_report(out)
    names = [p.name for p in (out / "report").glob("*.png")]
    assert any("sensitivity" in n for n in names) and any("break_even" in n for n in names)


def test_break_even_is_where_the_mean_lines_cross():
    rows = []
    for point, x in enumerate([1.0, 2.0, 3.0, 4.0]):
        for r in range(3):
            rows.append({"point": point, "p": x, "alternative": "A", "customer": "N",
                         "replication": r, "availability": 0.5 + 0.1 * x + 0.001 * r})
            rows.append({"point": point, "p": x, "alternative": "B", "customer": "N",
                         "replication": r, "availability": 0.75 + 0.001 * r})
    summary = pd.DataFrame(rows)
    info = SweepInfo(parameters=["p"], method="grid", base_values={"p": 1.0}, base_point=0,
                     one_at_a_time=False, points=4)
    got = break_even(summary, info, "availability")
    assert len(got) == 1
    assert got["value"].iloc[0] == pytest.approx(2.5)
    assert not got["a_higher_below"].iloc[0]  # A is below B before the crossing
    sens = sensitivity_table(summary, info, "availability")
    assert sens.set_index("alternative").loc["A", "rho"] == pytest.approx(1.0)


def test_spearman_interval_contains_rho():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=40)
    rho, lo, hi, p = spearman_ci(x, x + rng.normal(scale=0.3, size=40))
    assert lo < rho < hi and p < 0.01


def _bars(moves_c: float, ci: float) -> pd.DataFrame:
    """A tornado table for Nation C with one shared parameter and one of Nation A's that
    moves Nation C's availability by ``moves_c`` at its high end (paired CI ``ci``)."""
    rows = []
    for path, delta in (("items[*].mtbr_fh", 0.05),
                        ("alternatives[CLSSA].support[Nation A].fmso1.months_of_demand",
                         moves_c)):
        rows.append({"alternative": "CLSSA", "customer": "Nation C", "parameter": path,
                     "base_value": 1.0, "low_value": 0.9, "high_value": 1.1,
                     "metric": "availability", "base": 0.8, "at_low": 0.8 - delta / 2,
                     "at_high": 0.8 + delta, "swing": 1.5 * abs(delta), "base_ci": 0.01,
                     "at_low_ci": ci, "at_high_ci": ci})
    rows.append({**rows[0], "customer": "Nation A"})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("moves, ci, said", [(0.035, 0.004, True), (0.003, 0.004, False)])
def test_tornado_caption_says_why_another_nations_parameter_moves_this_one(moves, ci, said):
    from analysis.charts.tornado import others_moving, owner, tornado
    from analysis.style import Footer, Style, briefing

    nations = {"Nation A", "Nation C"}
    assert owner("customers[Nation A].fleet.fh_per_aircraft_month", nations) == "Nation A"
    assert owner("alternatives[CLSSA].support[Nation C].fmso1.months_of_demand",
                 nations) == "Nation C"
    assert owner("depots[Nation A].repair_lines", nations) is None   # a depot, not a nation
    assert owner("items[*].mtbr_fh", nations) is None
    bars = _bars(moves, ci)
    fmso = "alternatives[CLSSA].support[Nation A].fmso1.months_of_demand"
    assert others_moving(bars[bars["customer"] == "Nation C"], "Nation C", nations) == (
        [(fmso, "Nation A")] if said else [])
    # Nation A's own parameter never gets the note on Nation A's chart.
    assert others_moving(bars[bars["customer"] == "Nation A"], "Nation A", nations) == []
    style = Style(footer=Footer("s", "ab" * 32, "2026-01-01", "0", 3), alternatives=["CLSSA"])
    with briefing():
        chart = tornado(style, {"availability": bars}, "Nation C")
    assert ("another nation's parameter: it moves Nation C only through what Nation C shares "
            "with Nation A" in chart.caption) is said
