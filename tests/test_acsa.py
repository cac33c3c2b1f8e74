"""ACSA lateral support (issue 10), each rule by constructing the situation: a World whose
fleets stay parked, removals made by hand on chosen days."""

from __future__ import annotations

import math

import pytest
import yaml

from sim.cli import main
from sim.model.timeline import schedule_timeline
from sim.model.world import World, run_unit
from sim.scenario import Scenario, ScenarioError, parse_text
from tests.helpers import NSN_A, base_scenario, simulate

NATION, US_WING = "Nation A", "US Wing"
PRICE = 10_000


def _scenario(reimbursement: str, us_stock: int = 3, reserve: int = 0,
              windows: tuple = ((10, 20),), nation_repair: float = 36_000,
              nation_stock: int = 0) -> dict:
    """Nation A (repair and return at Ogden, no transit, free) and a US wing on one jet; nothing
    in wholesale (a buy arrives after the 100-day procurement lead time). Transfers take 2
    days and cost $500 a shipment."""
    d = base_scenario(warmup_days=0, horizon_days=400)
    d["transport"][0].update(days=0, cost_usd=0)
    d["depots"][1]["repair_days"] = nation_repair
    d["wholesale"] = {"stock": {NSN_A: 0}, "procurement_lead_time_days": 100}
    d["customers"][0]["initial_stock"] = {"quantities": {NSN_A: nation_stock}}
    d["customers"].append({"name": US_WING, "kind": "us", "country": "US", "fad": "II",
                           "fleet": {"system": "Jet", "aircraft": 10,
                                     "fh_per_aircraft_month": 30.4375},
                           "initial_stock": {"quantities": {NSN_A: us_stock}}})
    d["alternatives"][0]["support"][NATION] = {"option": "repair_and_return", "depot": "Ogden"}
    d["acsa"] = [{"between": [US_WING, NATION],
                  "windows": [{"start_day": s, "end_day": e} for s, e in windows],
                  "reserve": {NSN_A: reserve}, "reimbursement": reimbursement, "days": 2,
                  "cost_usd": 500}]
    return d


def _world(data: dict) -> World:
    scenario = Scenario.model_validate(data)
    world = World(scenario, scenario.alternatives[0], 0)
    world._clock()
    schedule_timeline(world)
    return world


def _remove(world: World, customer: str = NATION, n: int = 1, first: int = 0) -> None:
    for a in range(first, first + n):
        world.customers[customer].removal(a, NSN_A)


def _shelf(world: World, customer: str):
    return world.customers[customer].shelves[NSN_A]


def _costs(world: World, customer: str) -> dict[str, float]:
    world.recorder.settle(world.env.now)
    return world.customers[customer].stats.costs


def test_no_transfer_outside_a_window_or_below_the_reserve():
    """US stock 3, reserve 2, window days 10-20. A hole on day 5 waits; the window opens on
    day 10 and the uncovered backorder draws one unit; a hole on day 13 finds the US at its
    reserve; one on day 25 is after the window."""
    world = _world(_scenario("cash", us_stock=3, reserve=2))
    world.env.run(until=5)
    _remove(world)
    world.env.run(until=9.9)
    assert _shelf(world, US_WING).on_hand == 3 and len(_shelf(world, NATION).waiting) == 1
    world.env.run(until=10.1)
    assert _shelf(world, US_WING).on_hand == 2
    world.env.run(until=12.1)                          # 2 days later it fills the hole
    assert len(_shelf(world, NATION).waiting) == 0
    world.env.run(until=13)
    _remove(world, first=1)
    world.env.run(until=25)
    _remove(world, first=2)
    world.env.run(until=30)
    assert _shelf(world, US_WING).on_hand == 2
    assert len(_shelf(world, NATION).waiting) == 2
    [row] = world.acsa.rows()
    assert (row["day"], row["window"], row["arrival_day"]) == (10, 0, 12)
    assert (row["provider"], row["requester"]) == (US_WING, NATION)


def test_replacement_in_kind_gives_back_one_unit_for_each_given():
    """US stock 2, window from day 0. Two holes on day 1 draw both US units (reserve 0);
    Nation A's own carcasses come back repaired on day 31 and go straight on to the US
    (2 days): the US has both back on day 33, Nation A is even, every shelf balances."""
    world = _world(_scenario("replacement_in_kind", us_stock=2, windows=((0, 100),),
                             nation_repair=30))
    world.env.run(until=1)
    _remove(world, n=2)
    world.env.run(until=3.1)
    assert _shelf(world, US_WING).on_hand == 0 and len(_shelf(world, NATION).waiting) == 0
    world.env.run(until=32)
    assert _shelf(world, US_WING).on_hand == 0 and _shelf(world, NATION).on_hand == 0
    world.env.run(until=33.1)
    assert _shelf(world, US_WING).on_hand == 2 and _shelf(world, NATION).on_hand == 0
    rows = world.acsa.rows()
    assert [r["returned_day"] for r in rows] == [33, 33]
    assert _shelf(world, NATION).added == 0
    for c in world.customers.values():
        assert all(s.conservation_error() is None for s in c.all_shelves())
    assert _costs(world, NATION)["transport"] == 4 * 500   # two transfers, two returns
    assert _costs(world, NATION)["purchase"] == 0


def test_replacement_in_kind_conserves_units_in_a_whole_run():
    """A starved nation drawing on the US wing all year round: every shelf balances, and
    every unit given whose return had time to arrive came back."""
    d = _scenario("replacement_in_kind", us_stock=4, windows=((0, 300),), nation_repair=20)
    d["items"][0]["mtbr_fh"] = 300
    scenario = Scenario.model_validate(d)
    result = run_unit(scenario, scenario.alternatives[0], 0)
    assert result.conservation == []
    rows = result.acsa
    assert len(rows) > 5
    done = [r for r in rows if r["day"] < 300]
    assert all(not math.isnan(r["returned_day"]) for r in done[:-3])


def test_cash_reimbursement_bills_the_standard_price_exactly():
    """Two units drawn on day 1, paid in cash: Nation A is billed the standard price and
    the shipment for each, the US is credited the price and buys each unit back from
    wholesale (a 100-day procurement, billed at standard price on issue): net zero."""
    world = _world(_scenario("cash", us_stock=2, windows=((0, 50),)))
    world.env.run(until=1)
    _remove(world, n=2)
    world.env.run(until=50)
    nation = dict(_costs(world, NATION))
    assert nation["purchase"] == 2 * PRICE and nation["transport"] == 2 * 500
    assert nation["surcharge"] == 0
    assert _costs(world, US_WING)["purchase"] == -2 * PRICE
    assert _shelf(world, US_WING).on_hand == 0
    world.env.run(until=102)
    assert _shelf(world, US_WING).on_hand == 2
    assert _costs(world, US_WING)["purchase"] == 0
    assert all(s.conservation_error() is None for c in world.customers.values()
               for s in c.all_shelves())


def test_equal_value_exchange_is_settled_net_at_the_windows_end():
    """Nation A draws two units (day 1), the US one (day 10); at the window's end (day 50)
    Nation A pays the difference, one standard price, and nothing before."""
    world = _world(_scenario("equal_value_exchange", us_stock=2, windows=((0, 50),),
                             nation_repair=5))
    world.env.run(until=1)
    _remove(world, n=2)
    world.env.run(until=10)                 # A's own units are back on its shelf by now
    assert _shelf(world, NATION).on_hand == 2 and _shelf(world, US_WING).on_hand == 0
    _remove(world, US_WING)
    world.env.run(until=49)
    assert _costs(world, NATION)["purchase"] == 0 and _costs(world, US_WING)["purchase"] == 0
    world.env.run(until=51)
    assert _costs(world, NATION)["purchase"] == PRICE
    assert _costs(world, US_WING)["purchase"] == -PRICE


def test_a_us_unit_that_gives_up_stock_shows_it_in_its_availability():
    """The US wing's only unit goes to Nation A; its own next removal grounds an aircraft."""
    world = _world(_scenario("replacement_in_kind", us_stock=1, windows=((0, 50),)))
    world.env.run(until=1)
    _remove(world)
    world.env.run(until=5)
    _remove(world, US_WING)
    assert len(_shelf(world, US_WING).waiting) == 1
    assert world.customers[US_WING].fleet.holes[0] == 1


def test_the_exercise_costs_the_us_wing_availability_in_a_run():
    """The same scenario with the agreement in force and without (an alternative it does
    not apply to): with common random numbers the nation gains and the US wing loses."""
    d = _scenario("replacement_in_kind", us_stock=2, windows=((50, 300),), nation_repair=40)
    d["items"][0]["mtbr_fh"] = 400
    d["replications"] = 4
    d["alternatives"].append({"name": "No ACSA", "support": d["alternatives"][0]["support"]})
    d["acsa"][0]["alternatives"] = ["R&R"]
    with_acsa, without = simulate(d, alternative=0), simulate(d, alternative=1)
    assert "acsa" in with_acsa and len(with_acsa["acsa"]) > 0
    assert without["acsa"].empty

    def avail(out, who):
        s = out["summary"]
        return s[s.customer == who].availability.mean()

    assert avail(with_acsa, NATION) > avail(without, NATION)
    assert avail(with_acsa, US_WING) < avail(without, US_WING)


def _problems(d: dict) -> list[str]:
    try:
        parse_text(yaml.safe_dump(d))
    except ScenarioError as exc:
        return [f"{p.place}: {p.message}" for p in exc.problems]
    return []


def test_acsa_mistakes_are_located_and_two_nations_get_an_advisory(tmp_path, capsys):
    d = _scenario("cash", windows=((10, 20), (15, 30)))
    d["acsa"][0]["reserve"] = {"9999-01-000-0009": 1}
    d["acsa"][0]["alternatives"] = ["Nope"]
    problems = _problems(d)
    assert "acsa[0].windows[1]: overlaps another window" in problems
    assert "acsa[0].reserve.9999-01-000-0009: unknown NSN '9999-01-000-0009' (not in " \
           "items)" in problems
    assert "acsa[0].alternatives[0]: unknown alternative 'Nope'" in problems
    d = _scenario("cash")
    d["customers"][0]["kind"] = "us"
    d["alternatives"][0]["support"] = {}
    assert "acsa[0].between: two US units: an ACSA is between US forces and another " \
           "nation" in _problems(d)
    d = _scenario("replacement_in_kind")
    d["customers"][1].update(kind="fms", country="Nation B")
    d["transport"].append({"between": ["US", "Nation B"], "days": 3})
    d["alternatives"][0]["support"][US_WING] = {"option": "repair_and_return",
                                                "depot": "Ogden"}
    assert _problems(d) == []
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(d))
    assert main(["validate", str(path)]) == 0
    assert "neither side is a US unit" in capsys.readouterr().out


def test_major_end_items_are_never_transferred():
    """10 U.S.C. 2350: major end items are not logistic support."""
    d = _scenario("cash", us_stock=2, windows=((0, 50),))
    d["items"][0]["category"] = "major_end_item"
    world = _world(d)
    world.env.run(until=1)
    _remove(world)
    world.env.run(until=10)
    assert world.acsa.rows() == [] and _shelf(world, US_WING).on_hand == 2


@pytest.mark.parametrize("how", ["cash", "equal_value_exchange"])
def test_costs_still_reconcile_with_acsa_in_a_run(how):
    d = _scenario(how, us_stock=3, windows=((30, 200), (250, 390)), nation_repair=20)
    d["items"][0]["mtbr_fh"] = 300
    d["replications"] = 2
    out = simulate(d)
    costs = out["costs"].groupby(["replication", "customer"]).constant_usd.sum()
    total = out["summary"].set_index(["replication", "customer"]).cost_usd
    assert (costs.loc[total.index] - total).abs().max() < 0.005
    assert len(out["acsa"]) > 0
