"""Issue 12's edges: awaiting parts at the depot, scenarios that validate but once broke
``run`` or ``analytic``, implicit zero-time legs, and files that are not text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.model.world import World
from sim.scenario import Scenario
from tests.helpers import NSN_A, assert_close_to_theory, base_scenario, simulate

NATION = "Nation A"


def _write(tmp_path: Path, data: dict, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


# -- awaiting parts ---------------------------------------------------------------------------
def test_awaiting_parts_delays_the_repair_without_holding_a_line():
    """One line, 10-day repair, every carcass waits 30 days for a part first: two carcasses
    inducted at day 0 both wait (the line stays free), then are repaired one after the other
    (days 30-40 and 40-50)."""
    data = base_scenario(warmup_days=0, horizon_days=100)
    data["depots"][0].update(repair_lines=1, repair_days=10,
                             awaiting_parts={"probability": 1.0, "days": 30})
    data["customers"][0]["fleet"]["fh_per_aircraft_month"] = 1e-9   # parked: removals by hand
    scenario = Scenario.model_validate(data)
    world = World(scenario, scenario.alternatives[0], 0)
    depot, cust = world.depots["Home"], world.customers[NATION]
    cust.removal(0, NSN_A)
    cust.removal(1, NSN_A)
    world.env.run(until=29.9)
    assert depot.busy == 0 and not depot.queue and depot.stats.awp.value == 2
    world.env.run(until=30.1)
    assert depot.busy == 1 and len(depot.queue) == 1 and depot.stats.awp.value == 0
    world.env.run(until=40.1)
    assert len(cust.backorders[NSN_A]) == 1
    world.env.run(until=50.1)
    assert len(cust.backorders[NSN_A]) == 0
    world.recorder.finish(100, {})
    row = world.recorder.depot_rows()[0]
    assert row["awaiting_parts"] == 2 and row["awaiting_parts_days_mean"] == 30
    assert row["turnaround_days_mean"] == pytest.approx((40 + 50) / 2)
    assert row["queue_days_mean"] == pytest.approx((30 + 40) / 2)   # arrival to repair start


def test_awaiting_parts_obeys_littles_law_at_the_depot():
    """Random AWP (p = 0.4, exponential 25 days) before a lognormal 10-day repair at an ample
    depot: units at the depot (waiting for parts or in repair) = arrival rate x turnaround,
    and the turnaround is 10 + 0.4 x 25 on average."""
    data = base_scenario(horizon_days=5000, warmup_days=500, replications=10)
    data["depots"][0]["repair_days"] = {"lognormal": {"mean": 10, "cv": 0.5}}
    data["items"][0]["awaiting_parts"] = {"probability": 0.4,
                                          "days": {"exponential": {"mean": 25}}}
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 30}}
    depots = simulate(data)["depots"]
    home = depots[depots.depot == "Home"]
    span = 5000 - 500
    assert_close_to_theory(home.turnaround_days_mean, 10 + 0.4 * 25, "turnaround")
    little = home.inductions / span * home.turnaround_days_mean
    assert_close_to_theory(home.backlog_mean - little, 0.0, "backlog - λW", rel=0.0)
    assert_close_to_theory(home.awaiting_parts / home.inductions, 0.4, "AWP share")


def test_analytic_adds_the_expected_awaiting_parts_wait_to_the_turnaround():
    from sim.analytic.predict import predict_alternative

    data = base_scenario()
    data["depots"][0]["awaiting_parts"] = {"probability": 0.5, "days": 20}
    scenario = Scenario.model_validate(data)
    cust = predict_alternative(scenario, scenario.alternatives[0]).customers[0]
    # 100 aircraft x 1 FH a day / 1000 FH = 0.1 a day, at home: 10-day repair + 0.5 x 20
    assert cust.items[0].pipeline_mean == pytest.approx(0.1 * (10 + 10))


# -- scenarios that validate must run ---------------------------------------------------------
def _third_country(condemnation: float) -> dict:
    data = base_scenario(replications=1, horizon_days=400, warmup_days=0)
    data["items"][0]["condemnation_rate"] = condemnation
    data["depots"].append({"name": "Regional", "kind": "third_country", "country": "Nation T",
                           "repair_days": 20, "third_party_transfer_approved": True,
                           "security_assistance_relationship": True,
                           "prime_contractor_approved": True})
    data["transport"] = [{"between": [NATION, "Nation T"], "days": 5}]
    data["alternatives"][0]["support"][NATION] = {"option": "third_country",
                                                  "depot": "Regional"}
    return data


def test_third_country_with_condemnations_and_no_us_leg_is_refused_by_validate(tmp_path,
                                                                                capsys):
    out = tmp_path / "out"
    path = _write(tmp_path, _third_country(0.1))
    assert main(["validate", path]) == 2
    assert "no transport leg between 'Nation A' and 'US'" in capsys.readouterr().err
    assert main(["run", path, "--out", str(out)]) == 2 and not out.exists()


def test_third_country_without_condemnations_needs_no_us_leg_and_runs(tmp_path, capsys):
    path = _write(tmp_path, _third_country(0.0))
    assert main(["validate", path]) == 0
    assert main(["run", path, "--out", str(tmp_path / "out"), "--workers", "1"]) == 0


@pytest.mark.parametrize("option", ["national_depot", "repair_and_return"])
def test_analytic_answers_a_home_depot_scenario_with_no_us_leg(tmp_path, capsys, option):
    data = base_scenario()
    data["transport"] = []
    data["depots"][0]["kind"] = "national"
    data["alternatives"][0]["support"][NATION] = {"option": option, "depot": "Home"}
    path = _write(tmp_path, data)
    assert main(["validate", path]) == 0
    capsys.readouterr()
    assert main(["analytic", path, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    cust = doc["alternatives"]["R&R"]["customers"][NATION]
    assert cust["answered"] and cust["availability"] > 0


def test_analytic_warns_when_the_timeline_makes_the_steady_state_inapplicable(tmp_path,
                                                                              capsys):
    data = base_scenario()
    data["alternatives"].append({"name": "DX", "support": {NATION: {
        "option": "direct_exchange", "fallback": {"option": "repair_and_return",
                                                  "depot": "Home"}}}})
    data["systems"][0]["leaves_dod_inventory_day"] = 1000
    assert main(["analytic", _write(tmp_path, data), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    dx = doc["alternatives"]["DX"]["customers"][NATION]["warnings"]
    rr = doc["alternatives"]["R&R"]["customers"][NATION]["warnings"]
    assert any("leave the DoD inventory from day 1000" in w for w in dx)
    assert "56 % of the measured window" in dx[0]         # (2000 - 1000) / (2000 - 200)
    assert rr == []                                       # R&R at home: the exit changes nothing


# -- implicit zero legs, non-text files -------------------------------------------------------
def test_validate_lists_implicit_zero_time_legs(tmp_path, capsys):
    data = base_scenario()
    data["customers"].append({"name": "US Wing", "kind": "us", "country": "US", "fad": "II",
                              "fleet": {"system": "Jet", "aircraft": 10,
                                        "fh_per_aircraft_month": 20},
                              "initial_stock": {"months_of_demand": 1}})
    path = _write(tmp_path, data)
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert "movements within 'Nation A'" in out and "carcasses to Home and back" in out
    assert "movements within 'US'" in out and "US Wing" in out
    data["transport"] += [{"between": ["US", "US"], "days": 3},
                          {"between": [NATION, NATION], "days": 1}]
    assert main(["validate", _write(tmp_path, data)]) == 0
    assert "warning" not in capsys.readouterr().out


def test_a_binary_file_is_exit_2_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"scenario: x\n\xff\xfe\x00\x01 binary")
    assert main(["validate", str(path)]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()
