"""Rules of the model, each tested by constructing the situation and asserting the outcome."""

from __future__ import annotations

import pytest

from sim.model.item_manager import priority_designator
from sim.model.world import World
from sim.scenario import Scenario
from tests.helpers import NSN_A, base_scenario, simulate


def _world(data: dict) -> World:
    scenario = Scenario.model_validate(data)
    return World(scenario, scenario.alternatives[0], 0)


def _req(world: World, fad: str, urgency: str, restricted: bool, log: list, tag: str) -> tuple:
    return (NSN_A, priority_designator(fad, urgency), restricted, log.append, tag, tag,
            world.env.now)


def test_ummips_priority_table():
    assert [priority_designator(f, "A") for f in ("I", "II", "III", "IV", "V")] == [1, 2, 3, 7, 8]
    assert [priority_designator(f, "C") for f in ("I", "II", "III", "IV", "V")] == [
        11, 12, 13, 14, 15]


def test_fad_ii_backorder_served_before_earlier_fad_iii():
    data = base_scenario()
    data["wholesale"]["stock"] = {NSN_A: 0}
    world = _world(data)
    im, log = world.item_manager, []
    im.requisition(*_req(world, "III", "A", False, log, "FAD III first"))
    im.requisition(*_req(world, "II", "A", False, log, "FAD II later"))
    im.receive(NSN_A)
    assert log == ["FAD II later"]
    im.receive(NSN_A)
    assert log == ["FAD II later", "FAD III first"]


def test_non_clssa_fms_may_not_draw_below_protection_level_and_is_procured():
    """Asset release: a restricted requisition takes only stock above protection; what it
    cannot take is procured for the customer (50-day lead time), never waiting for stock."""
    data = base_scenario()
    data["wholesale"].update(stock={NSN_A: 3}, protection_level={NSN_A: 3},
                             procurement_lead_time_days=50)
    world = _world(data)
    im, log = world.item_manager, []
    assert im.requisition(*_req(world, "III", "A", True, log, "FMS")) is False
    assert log == [] and im.on_hand[NSN_A] == 3 and not im.backorders[NSN_A]
    assert im.requisition(*_req(world, "II", "C", False, log, "US")) is True
    assert log == ["US"] and im.on_hand[NSN_A] == 2
    world.env.run(until=49.9)
    assert log == ["US"]
    world.env.run(until=50.1)
    assert log == ["US", "FMS"] and im.on_hand[NSN_A] == 2   # wholesale stock untouched


def test_restricted_requisition_above_protection_is_issued_at_once():
    data = base_scenario()
    data["wholesale"].update(stock={NSN_A: 4}, protection_level={NSN_A: 3})
    world = _world(data)
    im, log = world.item_manager, []
    assert im.requisition(*_req(world, "IV", "A", True, log, "FMS")) is True
    assert log == ["FMS"] and im.on_hand[NSN_A] == 3


def test_unrestricted_backorder_is_filled_in_priority_order_restricted_never_waits():
    data = base_scenario()
    data["wholesale"].update(stock={NSN_A: 0}, protection_level={NSN_A: 1},
                             procurement_lead_time_days=500)
    world = _world(data)
    im, log = world.item_manager, []
    im.requisition(*_req(world, "I", "A", True, log, "FMS FAD I"))
    im.requisition(*_req(world, "IV", "C", False, log, "US FAD IV"))
    assert len(im.backorders[NSN_A]) == 1
    im.receive(NSN_A)
    assert log == ["US FAD IV"]


def _cost_scenario(option: dict, condemnation: float) -> dict:
    data = base_scenario(replications=3, horizon_days=3000, warmup_days=300)
    data["items"][0]["condemnation_rate"] = condemnation
    data["depots"][1]["cost_factor"] = 1.25
    data["alternatives"][0]["support"]["Nation A"] = option
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 20}}
    data["customers"][0]["initial_stock_source"] = "tpa"   # the option's bills, not the shelf's
    return data


def test_repair_and_return_costs_add_up_exactly():
    """Every repair is billed at repair cost x depot factor, every shipment at the leg's cost,
    condemnations at standard price, and the 3.2 % surcharge on all of it."""
    data = _cost_scenario({"option": "repair_and_return", "depot": "Ogden"}, 0.1)
    out = simulate(data)
    s, items, depots = out["summary"], out["items"], out["depots"]
    assert (items.condemnations > 0).all()
    parts = ["cost_repair_usd", "cost_purchase_usd", "cost_exchange_usd", "cost_clssa_usd",
             "cost_transport_usd", "cost_surcharge_usd", "cost_fees_usd"]
    assert s.cost_usd.to_numpy() == pytest.approx(s[parts].sum(axis=1).to_numpy(), rel=1e-12)
    assert s.cost_usd.to_numpy() == pytest.approx(items.cost_usd.to_numpy(), rel=1e-12)
    base = s.cost_repair_usd + s.cost_purchase_usd + s.cost_transport_usd
    assert s.cost_surcharge_usd.to_numpy() == pytest.approx(0.032 * base.to_numpy(), rel=1e-12)
    assert s.cost_exchange_usd.eq(0).all()
    assert (s.cost_purchase_usd / 10_000 == items.condemnations).all()
    repairs = s.cost_repair_usd / (2000 * 1.25)
    assert (repairs == repairs.round()).all() and (repairs > 0).all()
    assert (s.cost_transport_usd / 100 == s.cost_transport_usd // 100).all()
    assert s.cost_per_fh_usd.to_numpy() == pytest.approx((s.cost_usd / s.flight_hours).to_numpy())
    assert depots.inductions.sum() > 0


def test_direct_exchange_bills_exchange_price_or_standard_price_if_condemned():
    every = simulate(_cost_scenario({"option": "direct_exchange"}, 1.0), replications=1)
    never = simulate(_cost_scenario({"option": "direct_exchange"}, 0.0), replications=1)
    for out, price in ((every, 10_000), (never, 2000)):
        s = out["summary"]
        exchanges = s.cost_exchange_usd / price
        assert (exchanges == exchanges.round()).all() and (exchanges > 50).all()
        assert s.cost_repair_usd.eq(0).all() and s.cost_purchase_usd.eq(0).all()
    assert (every["items"].condemnations > 0).all() and never["items"].condemnations.eq(0).all()


def test_national_depot_carries_no_surcharge_and_no_transport():
    data = _cost_scenario({"option": "national_depot", "depot": "Home"}, 0.0)
    s = simulate(data, replications=1)["summary"]
    assert s.cost_surcharge_usd.eq(0).all() and s.cost_transport_usd.eq(0).all()
    assert (s.cost_repair_usd > 0).all()


def test_no_hidden_delay_same_country_depot_with_zero_repair_time_never_backorders():
    data = base_scenario(replications=1)
    data["depots"][0]["repair_days"] = 0
    s = simulate(data)["summary"]
    assert s.backorders_mean.eq(0).all() and s.availability.eq(1).all()
    assert s.fill_rate.eq(0).all()       # no stock: every demand backordered, for zero days
    assert s.cwt_days_mean.eq(0).all()


def test_months_of_demand_sizes_initial_stock():
    data = base_scenario()
    data["customers"][0]["initial_stock"] = {"months_of_demand": 3}
    world = _world(data)
    # 100 aircraft x 30.4375 FH a month x 1 per aircraft / 1000 FH MTBR x 3 months = 9.13
    assert world.customers["Nation A"].on_hand[NSN_A] == 9
