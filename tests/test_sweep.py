"""Sweeps: the points a file asks for, refusals before anything runs, resume after SIGKILL,
common random numbers across points, the estimate's refusal, and the Dask cluster path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from sim.cli import main
from sim.runner import simulate_point_unit
from sim.scenario import Scenario, ScenarioError
from sim.scenario.sweep import SweepPlan, expand
from tests.helpers import NSN_A, NSN_B, base_scenario

NATION = "Nation A"

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["summary", "items", "depots", "timeseries", "depot_timeseries"]


def _two_items(**overrides) -> dict:
    """The base scenario with a second NSN, a finite home depot and deep own stock."""
    data = base_scenario(**overrides)
    data["items"].append({"nsn": NSN_B, "name": "Valve", "unit_price_usd": 5000,
                          "repair_cost_usd": 900, "mtbr_fh": 1500})
    data["systems"][0]["parts"][NSN_B] = 2
    data["wholesale"]["stock"][NSN_B] = 1000
    data["depots"][0]["repair_lines"] = 3
    return data


def _plan(data: dict, sweep: dict):
    return expand(Scenario.model_validate({**data, "sweep": sweep}))


def _write(tmp_path: Path, data: dict, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _tables(path: Path, names=TABLES) -> dict[str, pd.DataFrame]:
    return {t: pq.read_table(path / f"{t}.parquet").to_pandas() for t in names}


# -- the points the file asks for ------------------------------------------------------------

def test_grid_is_the_cartesian_product_in_order():
    plan = _plan(_two_items(), {"method": "grid", "parameters": {
        "depots[Home].repair_lines": [1, 2, 4],
        "customers[Nation A].fleet.fh_per_aircraft_month": [10.0, 20.0]}})
    got = [(p.values["depots[Home].repair_lines"],
            p.values["customers[Nation A].fleet.fh_per_aircraft_month"]) for p in plan.points]
    assert got == [(1, 10.0), (1, 20.0), (2, 10.0), (2, 20.0), (4, 10.0), (4, 20.0)]
    for p in plan.points:
        assert p.scenario.depot("Home").repair_lines == p.values["depots[Home].repair_lines"]
        assert p.scenario.customers[0].fleet.fh_per_aircraft_month == p.values[
            "customers[Nation A].fleet.fh_per_aircraft_month"]
        assert p.scenario.seed == 12345 and p.scenario.sweep is None


def test_latin_hypercube_has_one_value_per_stratum_and_is_seeded():
    sweep = {"method": "latin_hypercube", "samples": 12, "parameters": {
        "customers[Nation A].fleet.fh_per_aircraft_month": {"low": 10, "high": 40},
        "items[*].mtbr_fh": {"scale": {"low": 0.5, "high": 1.5}}}}
    plan = _plan(_two_items(), sweep)
    assert len(plan.points) == 12
    for name, (lo, hi) in (("customers[Nation A].fleet.fh_per_aircraft_month", (10, 40)),
                           ("items[*].mtbr_fh", (0.5, 1.5))):
        v = np.array([p.values[name] for p in plan.points])
        strata = np.floor((v - lo) / (hi - lo) * 12).astype(int)
        assert sorted(strata) == list(range(12)), name
    again = _plan(_two_items(), sweep)
    assert [p.values for p in again.points] == [p.values for p in plan.points]
    other = _plan(_two_items(seed=99), sweep)
    assert [p.values for p in other.points] != [p.values for p in plan.points]


def test_grid_records_the_rounded_value_of_a_whole_number_field():
    plan = _plan(_two_items(), {"method": "grid", "parameters": {
        "depots[Home].repair_lines": [2.5, 3.4]}})
    assert [p.values["depots[Home].repair_lines"] for p in plan.points] == [3.0, 3.0]
    assert [p.scenario.depot("Home").repair_lines for p in plan.points] == [3, 3]


def test_latin_hypercube_rounds_integer_fields():
    plan = _plan(_two_items(), {"method": "latin_hypercube", "samples": 6, "parameters": {
        "depots[Home].repair_lines": {"low": 1, "high": 9}}})
    for p in plan.points:
        v = p.values["depots[Home].repair_lines"]
        assert v == int(v) and p.scenario.depot("Home").repair_lines == int(v)


def test_one_at_a_time_is_base_then_low_and_high_of_each_alone():
    plan = _plan(_two_items(), {"method": "one_at_a_time", "parameters": {
        "depots[Home].repair_lines": {"low": 1, "high": 6},
        "items[*].mtbr_fh": {"scale": [0.8, 1.0, 1.2]},
        f"wholesale.stock[{NSN_A}]": [500, 2000]}})
    lines, mtbr, stock = plan.names
    got = [(p.values[lines], p.values[mtbr], p.values[stock]) for p in plan.points]
    assert got == [(3, 1.0, 1e6), (1, 1.0, 1e6), (6, 1.0, 1e6), (3, 0.8, 1e6), (3, 1.2, 1e6),
                   (3, 1.0, 500), (3, 1.0, 2000)]
    assert plan.points[0].scenario.model_dump() == Scenario.model_validate(
        _two_items()).model_dump()


def test_scale_form_multiplies_every_matched_value_and_rounds_integers():
    plan = _plan(_two_items(), {"method": "grid", "parameters": {
        "items[*].mtbr_fh": {"scale": [0.5, 2.0]},
        "wholesale.stock[*]": {"scale": [1.25]}}})
    half, double = plan.points
    assert half.scenario.item(NSN_A).mtbr_fh == 500 and half.scenario.item(NSN_B).mtbr_fh == 750
    assert double.scenario.item(NSN_A).mtbr_fh == 2000
    assert double.scenario.item(NSN_B).mtbr_fh == 3000
    assert half.scenario.wholesale.stock == {NSN_A: 1_250_000, NSN_B: 1250}
    assert all(isinstance(v, int) for v in half.scenario.wholesale.stock.values())


def test_list_form_of_parameters_reads_like_the_mapping():
    listed = _plan(_two_items(), {"method": "one_at_a_time", "parameters": [
        {"path": "items[*].mtbr_fh", "scale": {"low": 0.8, "high": 1.2}},
        {"path": "depots[Home].repair_lines", "values": [2, 4]}]})
    mapped = _plan(_two_items(), {"method": "one_at_a_time", "parameters": {
        "items[*].mtbr_fh": {"scale": {"low": 0.8, "high": 1.2}},
        "depots[Home].repair_lines": [2, 4]}})
    assert [p.values for p in listed.points] == [p.values for p in mapped.points]


def test_points_do_not_share_yaml_anchored_choices(tmp_path):
    """An alias repeats one nation's choice; sweeping one nation must not move the other."""
    text = (ROOT / "scenarios" / "fms_follow_on.yaml").read_text() + (
        "\nsweep:\n  method: grid\n  parameters:\n"
        "    alternatives[CLSSA].support[Nation A].fmso1.months_of_demand: [9]\n")
    from sim.scenario import parse_text

    plan = expand(parse_text(text))
    clssa = next(a for a in plan.points[0].scenario.alternatives if a.name == "CLSSA")
    assert clssa.support["Nation A"].fmso1.months_of_demand == 9
    assert clssa.support["Nation B"].fmso1.months_of_demand == 6


# -- refused before anything runs ------------------------------------------------------------

def test_bad_path_is_exit_2_naming_it_with_nothing_written(tmp_path, capsys):
    data = _two_items(sweep={"method": "grid", "parameters": {
        "customers[Nation Z].fleet.aircraft": [10, 20]}})
    out = tmp_path / "out"
    assert main(["sweep", str(_write(tmp_path, data)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "sweep.parameters[customers[Nation Z].fleet.aircraft]" in err
    assert "no entry named 'Nation Z'" in err and "Nation A" in err
    assert "Traceback" not in err and not out.exists()


def test_point_that_invalidates_the_scenario_is_exit_2_naming_point_and_parameter(
        tmp_path, capsys):
    data = _two_items(sweep={"method": "grid", "parameters": {
        "depots[Home].repair_lines": [2, 0],
        "customers[Nation A].fleet.fh_per_aircraft_month": [30]}})
    out = tmp_path / "out"
    assert main(["sweep", str(_write(tmp_path, data)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "sweep point 1 (depots[Home].repair_lines = 0" in err
    assert "depots[0].repair_lines: must be greater than 0" in err
    assert "parameters depots[Home].repair_lines" in err
    assert "sweep point 0" not in err and not out.exists()


def test_screen_alone_checks_points_while_workers_answer_and_writes_nothing_if_one_is_bad(
        tmp_path, capsys):
    """``--analytic --no-simulate`` checks the points as two workers answer the first ones
    (sweep.validated feeds the screen): a bad point late in the sweep is still exit 2 naming
    it, the workers are stopped, and nothing is written. With every point valid the screen
    equals the one that checked every point first (one worker)."""
    lines = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0]          # the last point is not valid
    data = _two_items(sweep={"method": "grid", "parameters": {
        "depots[Home].repair_lines": lines}})
    out = tmp_path / "out"
    assert main(["sweep", str(_write(tmp_path, data)), "--analytic", "--no-simulate",
                 "--workers", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "sweep point 11 (depots[Home].repair_lines = 0)" in err
    assert "must be greater than 0" in err and "Traceback" not in err
    assert not out.exists()
    data["sweep"]["parameters"]["depots[Home].repair_lines"] = lines[:-1]
    scen = _write(tmp_path, data, "ok.yaml")
    tables = {}
    for workers in ("1", "2"):
        dest = tmp_path / f"w{workers}"
        assert main(["sweep", str(scen), "--analytic", "--no-simulate", "--workers", workers,
                     "--out", str(dest)]) == 0
        tables[workers] = pq.read_table(dest / "analytic.parquet")
        assert pq.read_table(dest / "points.parquet").num_rows == len(lines) - 1
    assert tables["1"].equals(tables["2"]) and tables["1"].num_rows > 0


def test_sweep_without_a_sweep_block_and_bad_options_are_exit_2(tmp_path, capsys):
    plain = _write(tmp_path, _two_items())
    assert main(["sweep", str(plain), "--out", str(tmp_path / "o")]) == 2
    assert "no sweep block" in capsys.readouterr().err
    swept = _write(tmp_path, _two_items(sweep={"method": "grid", "parameters": {
        "depots[Home].repair_lines": [2]}}), "t.yaml")
    assert main(["sweep", str(swept), "--no-simulate", "--out", str(tmp_path / "o")]) == 2
    assert main(["sweep", str(swept), "--cluster", "not-an-address",
                 "--out", str(tmp_path / "o")]) == 2
    assert "tcp://host:8786" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_estimate_refuses_an_absurd_run_without_force(tmp_path, capsys):
    """100,000 aircraft x 1,000 replications: about 10 G removals, days of work."""
    data = _two_items(replications=1000)
    data["customers"][0]["fleet"]["aircraft"] = 100_000
    data["items"][0]["mtbr_fh"] = 20
    out = tmp_path / "out"
    assert main(["run", str(_write(tmp_path, data)), "--out", str(out), "--workers", "1"]) == 2
    io = capsys.readouterr()
    assert "--force" in io.err and "limit" in io.err and "removals" in io.err
    assert not out.exists()
    data["sweep"] = {"method": "grid", "parameters": {"depots[Home].repair_lines": [2, 3]}}
    assert main(["sweep", str(_write(tmp_path, data, "t.yaml")), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and not out.exists()


# -- results ---------------------------------------------------------------------------------

def _small_sweep(tmp_path: Path, **sweep_kw) -> Path:
    data = _two_items(replications=2, horizon_days=700, warmup_days=100,
                      sweep={"method": "one_at_a_time", "parameters": {
                          "depots[Home].repair_lines": {"low": 1, "high": 5},
                          "items[*].mtbr_fh": {"scale": {"low": 0.8, "high": 1.2}}}})
    data["alternatives"].append({"name": "DX", "support": {
        "Nation A": {"option": "direct_exchange"}}})
    return _write(tmp_path, data)


def test_sweep_tables_carry_point_and_parameters(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(_small_sweep(tmp_path)), "--out", str(out), "--workers", "1",
                 "--analytic"]) == 0
    printed = capsys.readouterr().out
    assert "estimate:" in printed and "mean availability at each sweep point" in printed
    assert "P1 = depots[Home].repair_lines; P2 = items[*].mtbr_fh" in printed
    points = pq.read_table(out / "points.parquet").to_pandas()
    assert list(points.columns) == ["point", "depots[Home].repair_lines", "items[*].mtbr_fh"]
    assert len(points) == 5
    for t, data in _tables(out).items():
        assert list(data.columns[:3]) == ["point", "depots[Home].repair_lines",
                                          "items[*].mtbr_fh"], t
        assert sorted(data["point"].unique()) == [0, 1, 2, 3, 4]
        merged = data.merge(points, on="point", suffixes=("", "_p"))
        assert (merged["items[*].mtbr_fh"] == merged["items[*].mtbr_fh_p"]).all()
    summary = _tables(out)["summary"]
    assert len(summary) == 5 * 2 * 2
    analytic = pq.read_table(out / "analytic.parquet").to_pandas()
    assert set(analytic.columns) >= {"point", "alternative", "customer", "availability",
                                     "availability_finite_fleet", "backorders", "reason"}
    assert len(analytic) == 5 * 2
    answered = analytic["reason"].isna()
    assert analytic.loc[answered, "availability"].between(0, 1).all()
    # One line at the home depot is overloaded: no steady state, and the screen says why.
    unanswered = analytic[~answered]
    assert list(unanswered["point"]) == [1] and unanswered["availability"].isna().all()
    assert "overloaded" in unanswered["reason"].iloc[0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and len(manifest["completed_units"]) == 20
    assert manifest["scenario"]["sweep"]["method"] == "one_at_a_time"
    assert not (out / "parts").exists() and not (out / "progress.log").exists()


def test_analytic_no_simulate_writes_only_the_screen(tmp_path):
    out = tmp_path / "out"
    assert main(["sweep", str(_small_sweep(tmp_path)), "--out", str(out), "--analytic",
                 "--no-simulate", "--workers", "1"]) == 0
    assert (out / "analytic.parquet").exists() and (out / "points.parquet").exists()
    assert not (out / "summary.parquet").exists()


def test_a_screen_says_what_the_closed_form_leaves_out(tmp_path, capsys):
    """A timeline event and lateral resupply are simulation-only: the screen's answers have
    neither, and the command says so once (nothing is said of a scenario with neither)."""
    plain = _write(tmp_path, _two_items(sweep={"method": "grid", "parameters": {
        "depots[Home].repair_lines": [4, 5]}}), "plain.yaml")
    assert main(["sweep", str(plain), "--out", str(tmp_path / "p"), "--analytic",
                 "--no-simulate", "--workers", "1"]) == 0
    assert "note (closed form)" not in capsys.readouterr().out
    data = _two_items(sweep={"method": "grid", "parameters": {
        "depots[Home].repair_lines": [4, 5]}})
    cust = data["customers"][0]
    cust["bases"] = [{"name": "North", "aircraft": 6},
                     {"name": "South", "aircraft": cust["fleet"]["aircraft"] - 6}]
    cust["lateral"] = {"days": 2}
    data["events"] = [{"event": "depot_lines", "depot": "Home", "day": 400, "repair_lines": 6}]
    swept = _write(tmp_path, data, "limits.yaml")
    assert main(["sweep", str(swept), "--out", str(tmp_path / "l"), "--analytic",
                 "--no-simulate", "--workers", "1"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith("note (closed form)")]
    assert len(notes) == 2
    assert "timeline events are ignored" in notes[0]
    assert "Nation A: lateral resupply" in notes[1]


def test_run_of_a_scenario_with_a_sweep_block_runs_only_the_base(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(_small_sweep(tmp_path)), "--out", str(out), "--workers", "1"]) == 0
    assert "runs only the scenario as written" in capsys.readouterr().out
    summary = _tables(out)["summary"]
    assert "point" not in summary.columns and len(summary) == 2 * 2


def test_points_differing_only_in_depot_lines_see_the_same_removal_times():
    """Common random numbers across points: same seed, same replication streams. The shelf is
    deep, so no aircraft is ever grounded and the flying (hence removals) cannot differ."""
    data = _two_items(replications=1, horizon_days=1500)
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 60, NSN_B: 60}}
    plan = _plan(data, {"method": "grid", "parameters": {"depots[Home].repair_lines": [3, 6]}})
    three, six = (simulate_point_unit(p.scenario, p.index, p.values, 0, 0, record_events=True)
                for p in plan.points)
    ev1, ev6 = (t["events"].to_pandas() for t in (three, six))
    rem1, rem6 = (e[e["event"] == "removal"][["day", "nsn", "aircraft"]].reset_index(drop=True)
                  for e in (ev1, ev6))
    assert len(rem1) > 100
    pd.testing.assert_frame_equal(rem1, rem6)
    q1, q6 = (t["depots"].to_pandas().set_index("depot").loc["Home", "queue_days_mean"]
              for t in (three, six))
    assert q1 > q6  # the lines did matter to the depot


@pytest.mark.parametrize("command", ["sweep", "run"])
def test_killed_mid_way_and_rerun_equals_an_uninterrupted_run(tmp_path, command):
    """SIGKILL (nothing can be cleaned up) mid-way, then the same command again: the tables
    equal an uninterrupted run's. 12 units either way: 4 points x 3 replications, or 12
    replications of the scenario as written."""
    data = _two_items(replications=3 if command == "sweep" else 12, horizon_days=3000,
                      warmup_days=100, sweep={"method": "grid", "parameters": {
                          "depots[Home].repair_lines": [2, 3, 4, 6]}})
    data["customers"][0]["fleet"]["aircraft"] = 300
    data["items"][0]["mtbr_fh"] = 100
    scen = _write(tmp_path, data)
    cut, full = tmp_path / "cut", tmp_path / "full"
    cmd = [sys.executable, "-m", "sim", command, str(scen), "--workers", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd + ["--out", str(cut)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = cut / "progress.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= 3:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    logged = len(log.read_text().splitlines())
    assert 3 <= logged < 12, "the run was not killed mid-way"
    assert not (cut / "summary.parquet").exists()
    rerun = subprocess.run(cmd + ["--out", str(cut)], cwd=ROOT, env=env, check=False,
                           capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"resuming: {logged} finished units of 12" in rerun.stdout
    assert main([command, str(scen), "--out", str(full), "--workers", "2"]) == 0
    a, b = _tables(cut), _tables(full)
    for t in TABLES:
        pd.testing.assert_frame_equal(a[t], b[t], check_exact=True)
    manifest = json.loads((cut / "manifest.json").read_text())
    assert len(manifest["completed_units"]) == 12 and manifest["finished_at"]


def test_dask_local_cluster_sweep_equals_the_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    scen = _small_sweep(tmp_path)
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert main(["sweep", str(scen), "--out", str(local), "--workers", "2"]) == 0
    assert main(["run", str(scen), "--out", str(tmp_path / "run_local"), "--workers", "1"]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert main(["sweep", str(scen), "--out", str(remote), "--cluster",
                     cluster.scheduler_address]) == 0
        assert main(["run", str(scen), "--out", str(tmp_path / "run_remote"), "--cluster",
                     cluster.scheduler_address]) == 0
        # the screen alone on the cluster: points checked while the cluster answers them
        assert main(["sweep", str(scen), "--out", str(tmp_path / "screen_remote"), "--cluster",
                     cluster.scheduler_address, "--analytic", "--no-simulate"]) == 0
    assert main(["sweep", str(scen), "--out", str(tmp_path / "screen_local"), "--workers", "2",
                 "--analytic", "--no-simulate"]) == 0
    a, b = _tables(local), _tables(remote)
    c, d = _tables(tmp_path / "run_local"), _tables(tmp_path / "run_remote")
    for t in TABLES:
        pd.testing.assert_frame_equal(a[t], b[t], check_exact=True)
        pd.testing.assert_frame_equal(c[t], d[t], check_exact=True)
    screens = [pq.read_table(tmp_path / f"screen_{w}" / "analytic.parquet")
               for w in ("local", "remote")]
    assert screens[0].num_rows > 0 and screens[0].equals(screens[1])


def test_missing_scenario_error_is_scenario_error():
    with pytest.raises(ScenarioError):
        expand(Scenario.model_validate(_two_items()))


def test_cluster_without_distributed_is_exit_2_with_the_install_hint(tmp_path, capsys,
                                                                      monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    out = tmp_path / "out"
    assert main(["run", str(_write(tmp_path, _two_items())), "--out", str(out),
                 "--cluster", "tcp://127.0.0.1:8786"]) == 2
    assert 'pip install "sustain[cluster]"' in capsys.readouterr().err and not out.exists()


# -- stock stated in months of demand --------------------------------------------------------

def _months_plan(parameters: dict) -> SweepPlan:
    """The two-item scenario with its shelf stated as 3 months of demand, and the sweep."""
    data = _two_items()
    data["customers"][0]["initial_stock"] = {"months_of_demand": 3}
    data["sweep"] = {"method": "one_at_a_time", "parameters": parameters}
    return expand(Scenario.model_validate(data))


def test_a_sweep_that_resizes_a_shelf_in_months_of_demand_says_so(tmp_path, capsys):
    from sim.scenario.stocking import initial_quantities
    from sim.scenario.sweep import resized_stock

    plan = _months_plan({"items[*].mtbr_fh": {"scale": {"low": 0.5, "high": 2.0}}})
    shelves = [sum(initial_quantities(p.scenario.customers[0],
                                      dict(p.scenario.systems[0].parts),
                                      {i.nsn: i.mtbr_fh for i in p.scenario.items}).values())
               for p in plan.points]
    assert len(set(shelves)) == 3                      # the MTBR resizes the shelf
    [line] = resized_stock(plan)
    assert line.startswith("Nation A: its in-country stock is stated in months of demand")
    assert f"({min(shelves)}-{max(shelves)} units across the points, {shelves[0]} as " \
           "written)" in line
    # Sweeping what no shelf depends on, or a shelf given as quantities, says nothing.
    assert resized_stock(_months_plan({"depots[Home].repair_lines": {"low": 3, "high": 5}})) == []
    data = _two_items()
    data["sweep"] = {"method": "one_at_a_time",
                     "parameters": {"items[*].mtbr_fh": {"scale": {"low": 0.5, "high": 2.0}}}}
    assert resized_stock(expand(Scenario.model_validate(data))) == []
    # The command says it before it runs anything.
    scen = tmp_path / "s.yaml"
    months = _two_items()
    months["customers"][0]["initial_stock"] = {"months_of_demand": 3}
    months["sweep"] = data["sweep"]
    scen.write_text(yaml.safe_dump(months))
    assert main(["sweep", str(scen), "--analytic", "--no-simulate", "--out",
                 str(tmp_path / "out")]) == 0
    assert "warning: Nation A: its in-country stock is stated in months of demand" in \
        capsys.readouterr().out


def _held_data(parameters: dict) -> dict:
    """The two-item scenario, 100 aircraft at two bases, every shelf in months of demand —
    the customer's central store, each base, and an alternative's own central store and base
    shelf — swept with ``hold_stock``."""
    data = _two_items()
    cust = data["customers"][0]
    cust["initial_stock"] = {"months_of_demand": 3}
    cust["bases"] = [{"name": "North", "aircraft": 60, "initial_stock": {"months_of_demand": 2}},
                     {"name": "South", "aircraft": 40, "initial_stock": {"months_of_demand": 2}}]
    data["transport"] += [{"between": ["North", NATION], "days": 4},
                          {"between": ["South", NATION], "days": 8}]
    data["alternatives"].append({"name": "Own shelves", "support": {NATION: {
        **data["alternatives"][0]["support"][NATION],
        "initial_stock": {"months_of_demand": 5},
        "base_stock": {"North": {"months_of_demand": 1}}}}})
    data["sweep"] = {"method": "one_at_a_time", "hold_stock": True, "parameters": parameters}
    return data


def test_hold_stock_keeps_every_shelf_in_months_as_bought_at_the_scenario_as_written():
    from sim.scenario.models import MonthsOfDemand, Quantities
    from sim.scenario.stocking import in_country_stock
    from sim.scenario.sweep import resized_stock

    data = _held_data({"items[*].mtbr_fh": {"scale": {"low": 0.5, "high": 2.0}},
                       "customers[Nation A].fleet.fh_per_aircraft_month": {"low": 10,
                                                                           "high": 40}})
    written = Scenario.model_validate({k: v for k, v in data.items() if k != "sweep"})
    plan = expand(Scenario.model_validate(data))
    mtbr = {i.nsn: i.mtbr_fh for i in written.items}
    parts = dict(written.systems[0].parts)
    bought = [in_country_stock(written.customers[0], alt.support.get(NATION), parts, mtbr)
              for alt in written.alternatives]
    assert sum(bought[1][0].values()) > sum(bought[0][0].values()) > 0   # 5 months > 3
    for point in plan.points:
        sc = point.scenario
        cust = sc.customers[0]
        assert isinstance(cust.initial_stock, Quantities)
        assert all(isinstance(b.initial_stock, Quantities) for b in cust.bases)
        own = sc.alternatives[1].support[NATION]
        assert isinstance(own.initial_stock, Quantities)
        assert isinstance(own.base_stock["North"], Quantities)
        point_mtbr = {i.nsn: i.mtbr_fh for i in sc.items}
        for alt, as_bought in zip(sc.alternatives, bought, strict=True):
            assert in_country_stock(cust, alt.support.get(NATION), parts,
                                    point_mtbr) == as_bought
    # The sweep did move the demand, and the shelves would have followed it without the hold.
    assert len({p.scenario.items[0].mtbr_fh for p in plan.points}) == 3
    assert resized_stock(plan) == []
    loose = expand(Scenario.model_validate({**data, "sweep": {**data["sweep"],
                                                              "hold_stock": False}}))
    assert isinstance(loose.points[1].scenario.customers[0].initial_stock, MonthsOfDemand)
    assert len(resized_stock(loose)) == 1


def test_hold_stock_leaves_a_swept_shelf_in_months():
    from sim.scenario.models import MonthsOfDemand, Quantities

    plan = expand(Scenario.model_validate(_held_data({
        "customers[Nation A].initial_stock.months_of_demand": {"low": 1, "high": 6},
        "items[*].mtbr_fh": {"scale": {"low": 0.5, "high": 2.0}}})))
    shelves = [p.scenario.customers[0].initial_stock for p in plan.points]
    assert all(isinstance(s, MonthsOfDemand) for s in shelves)
    assert sorted({s.months_of_demand for s in shelves}) == [1, 3, 6]
    # ...while the shelves the sweep does not name are held.
    assert all(isinstance(p.scenario.customers[0].bases[0].initial_stock, Quantities)
               for p in plan.points)


def test_hold_stock_sweep_runs(tmp_path):
    data = _held_data({"items[*].mtbr_fh": {"scale": {"low": 0.8, "high": 1.25}}})
    data["replications"] = 2
    out = tmp_path / "out"
    assert main(["sweep", str(_write(tmp_path, data)), "--workers", "1", "--analytic",
                 "--out", str(out)]) == 0
    assert len(pq.read_table(out / "summary.parquet")) == 3 * 2 * 2 * 1   # points x alts x reps
