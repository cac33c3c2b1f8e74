"""A nation with several bases (issue 9): the model against the single stock point it must
reduce to, against Graves' exact two-level answer, against Little's law with base repair, and
lateral resupply's effect — each with tolerances of four standard errors over replications
plus 1 % for the finite-fleet effect (fleets of 1,000 aircraft with a few backorders)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analytic.echelons import BaseDemand, base_pipeline_pmf, ebo_from_pmf, fill_from_pmf
from sim.scenario import Scenario
from tests.helpers import NSN_A, assert_close_to_theory, base_scenario, simulate

NATION = "Nation A"


def _two_bases(central: int, north: int, south: int, **customer) -> dict:
    """1,000 aircraft at 1 FH a day (MTBR 2,000: 0.3 removals a day at North's 600 aircraft,
    0.2 at South's 400), repaired at the national depot in 20 days (lognormal), central store
    ``central`` units; North 4 days and South 8 days from the central store (deterministic)."""
    data = base_scenario(horizon_days=6000, warmup_days=600, replications=12)
    data["items"][0]["mtbr_fh"] = 2000
    data["depots"][0]["repair_days"] = {"lognormal": {"mean": 20, "cv": 0.5}}
    cust = data["customers"][0]
    cust["fleet"]["aircraft"] = 1000
    cust["initial_stock"] = {"quantities": {NSN_A: central}}
    cust["bases"] = [
        {"name": "North", "aircraft": 600, "initial_stock": {"quantities": {NSN_A: north}}},
        {"name": "South", "aircraft": 400, "initial_stock": {"quantities": {NSN_A: south}}}]
    cust.update(customer)
    data["transport"] += [{"between": ["North", NATION], "days": 4},
                          {"between": ["South", NATION], "days": 8}]
    data["alternatives"][0]["support"][NATION] = {"option": "national_depot", "depot": "Home"}
    data["depots"][0]["kind"] = "national"
    return data


def test_one_base_with_all_the_stock_is_the_single_stock_point():
    data = base_scenario(replications=3)
    data["items"][0]["condemnation_rate"] = 0.05
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 5}}
    data["alternatives"].append({"name": "DX", "support": {NATION: {
        "option": "direct_exchange"}}})
    one = copy.deepcopy(data)
    one["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 0}}
    one["customers"][0]["bases"] = [{"name": "Main", "aircraft": 100,
                                     "initial_stock": {"quantities": {NSN_A: 5}}}]
    for alt in (0, 1):
        plain, based = simulate(data, alternative=alt), simulate(one, alternative=alt)
        for table in ("summary", "items", "timeseries", "depots"):
            pd.testing.assert_frame_equal(plain[table], based[table])
        assert "bases" in based and len(based["bases"]) == 3
        assert based["bases"].availability.to_numpy() == pytest.approx(
            plain["summary"].availability.to_numpy())


@pytest.fixture(scope="module")
def graves_run():
    data = _two_bases(central=8, north=2, south=1, central_issue="fcfs")
    return data, simulate(data)


def test_two_bases_against_graves_exact_two_level_answer(graves_run):
    """The central store is owed a unit from each base requisition until the carcass has come
    back (retrograde over the base's leg) and been repaired: its pipeline is Poisson(0.3 x
    (4 + 20) + 0.2 x (8 + 20) = 12.8) by Palm, against 8 units. Each base's orders are its
    Poisson demand over the deterministic order-and-ship time plus a binomial share (0.6,
    0.4) of the central backorders (Graves 1985): its backorders and fill rate, exactly."""
    _, out = graves_run
    bases = out["bases"]
    for name, lam, days, share, stock in (("North", 0.3, 4, 0.6, 2), ("South", 0.2, 8, 0.4, 1)):
        pmf = base_pipeline_pmf(BaseDemand(lam, 0.0, 0.0, days), share, central_mean=12.8,
                                central_stock=8)
        rows = bases[bases.base == name]
        assert_close_to_theory(rows.backorders_mean, ebo_from_pmf(pmf, stock),
                               f"{name} backorders")
        assert_close_to_theory(rows.fill_rate, fill_from_pmf(pmf, stock), f"{name} fill rate")


def test_the_closed_form_for_bases_is_graves_mean_with_vari_metric_variance(graves_run):
    from sim.analytic.predict import predict_alternative
    from sim.scenario import Scenario

    data, out = graves_run
    scenario = Scenario.model_validate(data)
    cust = predict_alternative(scenario, scenario.alternatives[0]).customers[0]
    item = cust.items[0]
    assert [b.base for b in item.bases] == ["North", "South"]
    e0 = sum((k - 8) * stats.poisson.pmf(k, 12.8) for k in range(9, 80))
    assert item.central_backorders == pytest.approx(e0, rel=1e-9)
    assert item.bases[0].pipeline_mean == pytest.approx(0.3 * 4 + 0.6 * e0, rel=1e-9)
    bases = out["bases"]
    for b in item.bases:
        rows = bases[bases.base == b.base]
        # VARI-METRIC's negative binomial is an approximation of the exact law: 4 SE + 3 %
        assert_close_to_theory(rows.backorders_mean, b.ebo, f"{b.base} backorders", rel=0.03)


def test_base_repair_pipeline_is_littles_law():
    """40 % repaired on base in 6 days: units owed to the bases = Σ λ_b (0.4 x 6 + 0.6 x
    order-and-ship) + the central store's backorders (every base requisition waits for them,
    whatever the issue priority), the central pipeline Poisson(0.6 x (0.3 x 24 + 0.2 x 28)
    = 7.68): NRTS carcasses' retrograde and repair."""
    data = _two_bases(central=5, north=1, south=1)
    data["items"][0]["base_repair"] = {"probability": 0.4, "days": 6}
    items = simulate(data)["items"]
    e0 = sum((k - 5) * stats.poisson.pmf(k, 7.68) for k in range(6, 80))
    expected = 0.3 * (0.4 * 6 + 0.6 * 4) + 0.2 * (0.4 * 6 + 0.6 * 8) + e0
    assert_close_to_theory(items.pipeline_mean, expected, "units owed to the bases")


def test_lateral_resupply_lowers_backorders_and_is_idle_when_bases_never_run_dry():
    """Bases far from the central store (20 and 30 days order-and-ship) holding 6 units each,
    the store 16: a base that runs dry borrows from its sister in a day."""
    plain = _two_bases(central=16, north=6, south=6)
    plain["transport"][-2]["days"] = 20
    plain["transport"][-1]["days"] = 30
    lateral = copy.deepcopy(plain)
    lateral["customers"][0]["lateral"] = {"days": 1, "cost_usd": 200}
    a, b = simulate(plain), simulate(lateral)
    diff = b["summary"].backorders_mean.to_numpy() - a["summary"].backorders_mean.to_numpy()
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    assert diff.mean() < 0 and diff.mean() + 4 * se < 0.0           # paired, same seeds
    assert (b["bases"].lateral_issues > 0).all()
    assert (b["summary"].cost_transport_usd > a["summary"].cost_transport_usd).all()

    deep = copy.deepcopy(lateral)
    deep["customers"][0]["bases"][0]["initial_stock"] = {"quantities": {NSN_A: 60}}
    deep["customers"][0]["bases"][1]["initial_stock"] = {"quantities": {NSN_A: 60}}
    undeep = copy.deepcopy(deep)
    del undeep["customers"][0]["lateral"]
    c, d = simulate(deep, replications=2), simulate(undeep, replications=2)
    assert (c["bases"].lateral_issues == 0).all()
    pd.testing.assert_frame_equal(c["summary"], d["summary"])


def test_recommend_where_writes_the_placement_and_beats_the_scenario_s_own(tmp_path, capsys):
    import json
    from pathlib import Path

    from sim.cli import main

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "where"
    assert main(["recommend", str(root / "scenarios" / "bases.yaml"), "--customer",
                 "Nation A", "--where", "--budget-usd", "1755000", "--json",
                 "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["places"] == ["central", "Main", "North", "Island"]
    assert doc["cost_usd"] <= 1_755_000
    assert doc["availability"] > doc["current_availability"] + 0.02
    placed = pd.read_parquet(out / "placement.parquet")
    assert (placed[["central", "Main", "North", "Island"]].sum(axis=1) == placed.total).all()
    curve = pd.read_parquet(out / "curve.parquet")
    assert curve.availability.is_monotonic_increasing and curve.recommended.sum() == 1
    assert main(["recommend", str(root / "scenarios" / "bases.yaml"), "--customer",
                 "Nation A", "--where", "--target-availability", "0.97", "--json",
                 "--out", str(tmp_path / "target")]) == 0
    target = json.loads(capsys.readouterr().out)
    assert target["availability"] >= 0.97 > doc["availability"]
    assert main(["recommend", str(root / "scenarios" / "bases.yaml"), "--customer",
                 "Nobody", "--where", "--budget-usd", "1000",
                 "--out", str(tmp_path / "never")]) == 2
    assert not (tmp_path / "never").exists()


def test_the_bundled_bases_scenario_shows_placement_matters():
    """Same spares (or the same budget) placed three ways: the closed form ranks them as the
    simulation does (README, issue 9's bundled scenario)."""
    from pathlib import Path

    from sim.analytic.predict import predict
    from sim.scenario import load_scenario

    scenario = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "bases.yaml")
    central, pushed, placed = (a.customers[0].availability_finite_fleet
                               for a in predict(scenario))
    assert placed > central > pushed and placed - pushed > 0.04


def _parked_world(central: int, north: int, south: int, order_days: float | None = 4):
    """``_two_bases`` with its fleets parked (removals made by hand), laterals of 1 day and
    $200, the national depot 20 days in repair (deterministic), order-and-ship ``order_days``
    (None: no leg, the store's units reach a base at once)."""
    from sim.model.timeline import schedule_timeline
    from sim.model.world import World

    data = _two_bases(central=central, north=north, south=south,
                      lateral={"days": 1, "cost_usd": 200})
    data["depots"][0]["repair_days"] = 20
    data["warmup_days"] = 0                              # every charge is measured
    if order_days is None:
        del data["transport"][-2:]
    else:
        data["transport"][-2]["days"] = order_days
        data["transport"][-1]["days"] = order_days
    scenario = Scenario.model_validate(data)
    world = World(scenario, scenario.alternatives[0], 0)
    world._clock()
    schedule_timeline(world)
    cust = world.customers[NATION]
    north_shelf, south_shelf = (b[NSN_A] for b in cust.base_shelves)
    return world, cust.shelves[NSN_A], north_shelf, south_shelf


def test_a_lateral_passes_the_requesters_due_in_to_the_donor():
    """One-for-one supply keeps each base at its stock level (Lee 1987; Slay 1986): North (no
    stock) borrows South's unit and South takes over North's requisition at the empty central
    store — one requisition, not two — and the unit the depot returns goes to South."""
    world, central, north, south = _parked_world(central=0, north=0, south=2)
    world.env.run(until=5)
    north.removal(0)
    assert list(central.routine) == [south] and not central.urgent   # re-addressed, routine
    assert south.on_hand == 1 and len(north.waiting) == 1
    world.env.run(until=6.5)                               # the lateral: a day
    assert not north.waiting and north.on_hand == 0
    world.env.run(until=60)          # repaired (retrograde, depot, back), shipped to South
    assert south.on_hand == 2 and north.on_hand == 0 and not central.routine
    assert central.added == 0 and north.added == south.added == 0
    assert not [e for c in world.customers.values() for e in c.conservation_errors()]


def _transport_cost(world) -> float:
    """Nation A's transport charges so far (the legs of ``_two_bases`` are free: laterals)."""
    world.recorder.settle(world.env.now)
    return world.customers[NATION].stats.costs.get("transport", 0.0)


def test_a_lateral_after_the_store_shipped_is_repaid_from_the_next_spare_arrival():
    """The store had a unit and shipped it to North (4 days), but North's hole is filled in a
    day by South: the unit reaching North on day 9 finds no hole and goes back to South over
    the lateral leg (a day, $200 again), and each base ends at its level."""
    world, central, north, south = _parked_world(central=1, north=0, south=2)
    world.env.run(until=5)
    north.removal(0)
    assert central.on_hand == 0 and not central.routine and list(north.passed) == [south]
    world.env.run(until=6.5)
    assert not north.waiting and south.on_hand == 1
    world.env.run(until=9.5)                          # the store's unit reached North: on its
    assert south.on_hand == 1 and north.on_hand == 0 and not north.passed    # way to South
    world.env.run(until=10.5)
    assert south.on_hand == 2 and north.on_hand == 0
    assert _transport_cost(world) == pytest.approx(2 * 200)
    world.env.run(until=45)                     # the carcass repaired, back at the store
    assert central.on_hand == 1
    assert not [e for c in world.customers.values() for e in c.conservation_errors()]


def test_laterals_leave_the_central_store_no_requisition_it_cannot_fill():
    """Ten years of scenarios/bases.yaml's stock pushed to the bases with 2-day laterals: the
    store's queue at the horizon is a few live requisitions (it grew by one a lateral, to 86
    for one NSN, when the donor opened a second requisition)."""
    from sim.model.world import World
    from sim.scenario import load_scenario

    path = Path(__file__).resolve().parents[1] / "scenarios" / "bases.yaml"
    data = load_scenario(path).model_dump(mode="json", by_alias=True)
    data["customers"][0]["lateral"] = {"days": 2, "cost_usd": 400}
    scenario = Scenario.model_validate(data)
    alt = next(a for a in scenario.alternatives if a.name.startswith("Pushed"))
    world = World(scenario, alt, 0)
    result = world.run()
    assert not result.conservation
    assert sum(b["lateral_issues"] for b in result.bases) > 100
    stores = world.customers[NATION].shelves.values()
    assert max(len(s.urgent) + len(s.routine) for s in stores) <= 6
    assert all(s.added == 0 for s in stores)


def test_the_borrowers_own_unit_arriving_first_fills_its_hole_and_the_lateral_goes_back():
    """Order-and-ship (half a day) beats the lateral (a day): North's own unit fills its hole
    at 5.5 (the lateral does not keep it waiting), and South's unit, arriving at 6 to no hole,
    returns to South at 7."""
    world, _central, north, south = _parked_world(central=1, north=0, south=2, order_days=0.5)
    world.env.run(until=5)
    north.removal(0)
    world.env.run(until=5.6)
    assert not north.waiting and north.on_hand == 0 and south.on_hand == 1
    world.env.run(until=6.5)
    assert north.on_hand == 0 and south.on_hand == 1 and not north.passed
    world.env.run(until=7.5)
    assert south.on_hand == 2 and north.on_hand == 0 and north.inbound == 0


def test_no_lateral_for_a_hole_the_store_fills_at_once():
    """No order-and-ship leg: the store's unit fills North's hole the moment it opens, so no
    lateral is issued, charged or owed."""
    world, _central, north, south = _parked_world(central=1, north=0, south=2, order_days=None)
    world.env.run(until=5)
    north.removal(0)
    world.env.run(until=200)
    assert north.on_hand == 0 and not north.waiting and not north.passed
    assert south.on_hand == 2 and north.base_stats.lateral_issues == 0
    assert _transport_cost(world) == 0.0
