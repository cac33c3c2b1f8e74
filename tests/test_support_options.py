"""The rules of each support option and of the timeline, each by constructing the situation.

Most tests build a World, leave its fleet parked (no random removals) and make removals by
hand, so the outcome of each rule can be asserted exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.model.world import World
from sim.scenario import Scenario
from tests.helpers import NSN_A, base_scenario, simulate

NATION = "Nation A"


def _world(data: dict, alternative: int = 0) -> World:
    scenario = Scenario.model_validate(data)
    world = World(scenario, scenario.alternatives[alternative], 0)
    world._clock()
    from sim.model.timeline import schedule_timeline

    schedule_timeline(world)
    return world


def _remove(world: World, n: int = 1, customer: str = NATION, nsn: str = NSN_A) -> None:
    cust = world.customers[customer]
    for a in range(n):
        cust.removal(a, nsn)


def _owed(world: World, customer: str = NATION, nsn: str = NSN_A) -> int:
    return len(world.customers[customer].backorders[nsn])


def _scenario(option: dict, **wholesale) -> dict:
    data = base_scenario()
    data["transport"][0]["days"] = 0
    data["depots"][1]["repair_days"] = 36_000          # carcasses never come back in a test
    data["wholesale"] = {"stock": {NSN_A: 3}, "protection_level": {NSN_A: 3},
                         "procurement_lead_time_days": 100, **wholesale}
    data["alternatives"][0]["support"][NATION] = option
    return data


# -- CLSSA ------------------------------------------------------------------------------
def test_clssa_programmed_draws_below_protection_unprogrammed_and_dx_are_procured():
    """Stock 4, protection 3, FMSO I level 1 (earmarked from the one free unit): the first
    CLSSA requisition is programmed and issued; the second is beyond the level, so the
    non-CLSSA rule applies: nothing above protection, procured for the customer in the
    100-day lead time. Direct Exchange gets the free unit, then procures."""
    clssa = _world(_scenario({"option": "clssa", "fmso1": {"quantities": {NSN_A: 1}}},
                             stock={NSN_A: 4}))
    dx = _world(_scenario({"option": "direct_exchange"}, stock={NSN_A: 4}))
    for world in (clssa, dx):
        _remove(world, 2)
        world.env.run(until=1)
        assert _owed(world) == 1 and world.item_manager.on_hand[NSN_A] == 3
    acct = clssa.fmso1[(NATION, NSN_A)]
    assert (acct.programmed, acct.unprogrammed, acct.drawn) == (1, 1, 1)
    _remove(clssa, 1)                              # still drawn: unprogrammed again
    clssa.env.run(until=99.9)
    assert _owed(clssa) == 2
    assert clssa.item_manager.on_hand[NSN_A] == 3  # nothing below protection was released
    clssa.env.run(until=100.1)
    assert _owed(clssa) == 1                       # the first procurement arrived at day 100


def test_clssa_without_fmso1_is_direct_exchange():
    clssa = _world(_scenario({"option": "clssa"}, stock={NSN_A: 5}))
    dx = _world(_scenario({"option": "direct_exchange"}, stock={NSN_A: 5}))
    for world in (clssa, dx):
        _remove(world, 4)
        world.env.run(until=1)
    assert _owed(clssa) == _owed(dx) == 2
    assert clssa.item_manager.on_hand[NSN_A] == dx.item_manager.on_hand[NSN_A] == 3


def test_programmed_clssa_queues_at_its_equivalent_fad_behind_a_us_fad_i_unit():
    """Level 1 with nothing free (on order, matures at day 100): the programmed FMS FAD III
    requisition backorders first, a US FAD I one later; the next unit goes to the US."""
    data = _scenario({"option": "clssa", "fmso1": {"quantities": {NSN_A: 1}}},
                     stock={NSN_A: 0}, protection_level={})
    data["customers"].append({"name": "US Wing", "kind": "us", "country": "US", "fad": "I",
                              "fleet": {"system": "Jet", "aircraft": 10,
                                        "fh_per_aircraft_month": 30.4375},
                              "initial_stock": {"quantities": {NSN_A: 0}}})
    world = _world(data)
    _remove(world, 1)                              # FMS first (programmed: backordered)
    _remove(world, 1, customer="US Wing")          # US FAD I later
    world.item_manager.receive(NSN_A)
    world.env.run(until=1)
    assert _owed(world, "US Wing") == 0 and _owed(world) == 1


def test_fmso1_on_hand_is_there_at_once_and_only_on_order_arrives_at_maturity():
    """Level 3 with one unit above protection: one unit earmarked (already DoD stock, not
    added again), two on order, delivered to wholesale after the 100-day lead time."""
    data = _scenario({"option": "clssa", "fmso1": {"quantities": {NSN_A: 3}}},
                     stock={NSN_A: 4}, protection_level={NSN_A: 3})
    world = _world(data)
    assert world.item_manager.on_hand[NSN_A] == 4
    _remove(world, 3)                              # all programmed: all stock may be drawn
    world.env.run(until=99.9)
    assert _owed(world) == 0 and world.item_manager.on_hand[NSN_A] == 1
    world.env.run(until=100.1)
    assert world.item_manager.on_hand[NSN_A] == 3


def _clssa_billing(condemnation_rate: float) -> dict:
    """Level 2 at $10,000, one unit above protection: on hand 1, on order 1. Three removals
    repaired in 10 days at Ogden (or condemned there)."""
    data = _scenario({"option": "clssa", "fmso1": {"quantities": {NSN_A: 2}}},
                     stock={NSN_A: 4}, protection_level={NSN_A: 3})
    data.update(warmup_days=0, horizon_days=200)
    data["transport"][0]["cost_usd"] = 100
    data["depots"][1]["repair_days"] = 10
    data["items"][0]["condemnation_rate"] = condemnation_rate
    world = _world(data)
    _remove(world, 3)
    world.env.run(until=200)
    world.recorder.finish(200, {})
    return world.recorder.summary_rows()[0]


def test_clssa_exchange_billing_to_the_cent_for_accepted_carcasses():
    row = _clssa_billing(0.0)
    deposit = 0.3 * 10_000 + 0.7 * 10_000 + 0.05 * 10_000
    assert row["cost_clssa_usd"] == pytest.approx(deposit, abs=0.005)
    assert row["cost_exchange_usd"] == pytest.approx(3 * 2_000, abs=0.005)   # exchange price
    assert row["cost_purchase_usd"] == 0                                  # never standard
    assert row["cost_transport_usd"] == pytest.approx(6 * 100, abs=0.005)
    assert row["cost_surcharge_usd"] == pytest.approx(0.032 * (6_000 + 600), abs=0.005)
    assert row["cost_usd"] == pytest.approx(deposit + 6_600 * 1.032, abs=0.005)


def test_clssa_condemned_carcass_bills_the_standard_price_not_both():
    row = _clssa_billing(1.0)
    assert row["cost_exchange_usd"] == pytest.approx(3 * 10_000, abs=0.005)  # standard price
    assert row["cost_purchase_usd"] == 0
    assert row["cost_usd"] == pytest.approx(10_500 + (30_000 + 600) * 1.032, abs=0.005)


@pytest.mark.parametrize("how", ["inventory_exit", "end_day"])
def test_clssa_drawdown_delivers_the_remaining_assets_and_bills_the_balance(how):
    """Level 3, all earmarked (deposit 0.3 x $30,000 + SSA 0.05 x $30,000). One programmed
    draw is still out (its carcass never comes back) when the arrangement ends at day 50:
    the other 2 units of the level are drawn down to the shelf and billed at standard price
    less the deposit: 2 x 10,000 - 9,000."""
    choice = {"option": "clssa", "fmso1": {"quantities": {NSN_A: 3}}}
    if how == "end_day":
        choice.update(end_day=50, fallback="direct_exchange")
    data = _scenario(choice, stock={NSN_A: 10}, protection_level={NSN_A: 3})
    data.update(warmup_days=0, horizon_days=100)
    if how == "inventory_exit":
        data["systems"][0]["leaves_dod_inventory_day"] = 50
    world = _world(data)
    cust = world.customers[NATION]
    _remove(world, 1)
    world.env.run(until=49.9)
    assert cust.on_hand[NSN_A] == 0 and world.item_manager.on_hand[NSN_A] == 9
    world.env.run(until=50.1)
    assert cust.on_hand[NSN_A] == 2 and world.item_manager.on_hand[NSN_A] == 7
    world.recorder.finish(100, {})
    row = world.recorder.summary_rows()[0]
    assert row["cost_clssa_usd"] == pytest.approx(9_000 + 1_500 + (20_000 - 9_000), abs=0.005)
    # the issue and the carcass of the removal, and one shipment per drawn-down unit
    assert row["cost_transport_usd"] == pytest.approx(4 * 100, abs=0.005)
    assert world.recorder.item_rows()[0]["cost_usd"] == pytest.approx(row["cost_usd"])


def test_asset_release_that_cannot_fill_procures_for_the_customer():
    """Repair and Return condemns every unit; the replacement buy finds stock at the
    protection level: it is procured for the customer (100 days), and wholesale, which
    issued nothing, reorders nothing."""
    data = _scenario({"option": "repair_and_return", "depot": "Home"})
    data["depots"][0]["repair_days"] = 1
    data["items"][0]["condemnation_rate"] = 1.0
    world = _world(data)
    _remove(world, 2)
    world.env.run(until=99.9)
    assert _owed(world) == 2 and world.item_manager.on_hand[NSN_A] == 3
    world.env.run(until=100.1)
    assert _owed(world) == 0 and world.item_manager.on_hand[NSN_A] == 3


def test_carcass_of_an_exchange_procured_for_the_customer_never_builds_dod_stock():
    """DX at the protection level: procured for the customer. Its repaired carcass (day 10)
    is a unit wholesale never issued: with no reorder in flight it is excess to DoD's level;
    with one in flight (a condemnation reordered at day 0, due at day 100) it stands in for
    it — in stock at day 10, and nothing more arrives at day 100."""
    data = _scenario({"option": "direct_exchange"})
    data["depots"][1]["repair_days"] = 10
    world = _world(data)
    im = world.item_manager
    _remove(world, 1)
    world.env.run(until=11)
    assert im.on_hand[NSN_A] == 3 and im.excess[NSN_A] == 1

    world = _world(data)
    im = world.item_manager
    im.on_hand[NSN_A] -= 1                        # a unit condemned elsewhere, reordered
    im.procure(NSN_A)
    _remove(world, 1)
    world.env.run(until=11)
    assert im.on_hand[NSN_A] == 3 and im.excess[NSN_A] == 0 and not im.in_flight[NSN_A]
    world.env.run(until=200)
    assert im.on_hand[NSN_A] == 3 and _owed(world) == 0


@pytest.mark.parametrize("category", ["commercial", "munition", "major_end_item"])
def test_clssa_refuses_ineligible_categories(tmp_path, capsys, category):
    data = _scenario({"option": "clssa"})
    data["items"][0]["category"] = category
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["validate", str(path)]) == 2
    assert f"is a {category} item; CLSSA does not support" in capsys.readouterr().err


# -- UMMIPS priority across customers ---------------------------------------------------------
def test_us_fad_i_unit_is_served_before_an_earlier_fms_clssa_fad_iii():
    data = _scenario({"option": "clssa"}, stock={NSN_A: 0}, protection_level={})
    data["customers"].append({"name": "US Wing", "kind": "us", "country": "US", "fad": "I",
                              "fleet": {"system": "Jet", "aircraft": 10,
                                        "fh_per_aircraft_month": 30.4375},
                              "initial_stock": {"quantities": {NSN_A: 0}}})
    world = _world(data)
    _remove(world, 1)                              # FMS first
    _remove(world, 1, customer="US Wing")          # US FAD I later
    world.item_manager.receive(NSN_A)
    world.env.run(until=1)
    assert _owed(world, "US Wing") == 0 and _owed(world) == 1


# -- PROS / SNAP ----------------------------------------------------------------------------
def _pros(no_source: float, fallback: str | None, no_repair_source: float = 0.0) -> dict:
    option = {"option": "pros"}
    if fallback:
        option["fallback"] = fallback
    data = _scenario(option, stock={NSN_A: 100}, protection_level={})
    data["buying_services"] = {"pros": {"lead_time_days": 30, "price_factor": 1.5,
                                        "repair_lead_time_days": 20, "repair_price_factor": 1.4,
                                        "no_repair_source_probability": no_repair_source,
                                        "fee_rate": 0.1, "no_source_probability": no_source,
                                        "search_days": 5}}
    data.update(warmup_days=0, horizon_days=100)
    return data


def test_pros_no_source_sends_every_requisition_to_the_fallback():
    world = _world(_pros(1.0, "direct_exchange"))
    _remove(world, 5)
    world.env.run(until=4.9)
    assert _owed(world) == 5 and world.item_manager.on_hand[NSN_A] == 100
    world.env.run(until=5.1)                      # search fails at day 5: DX issues at once
    assert _owed(world) == 0 and world.item_manager.on_hand[NSN_A] == 95
    world.recorder.finish(100, {})
    item = world.recorder.item_rows()[0]
    assert item["no_source"] == 0


def test_pros_no_source_without_fallback_leaves_the_hole():
    world = _world(_pros(1.0, None))
    _remove(world, 4)
    world.env.run(until=100)
    world.recorder.finish(100, {})
    assert _owed(world) == 4
    assert world.recorder.item_rows()[0]["no_source"] == 4


def test_pros_repairs_a_repairable_carcass_at_the_vendor_repair_price():
    """Search 5 days, carcass to the vendor (transit 0 here), repair 20 days: back at day
    25, billed repair cost x 1.4 plus the 10 % fee, the carcass shipment and the return."""
    data = _pros(0.0, None)
    data["transport"][0]["cost_usd"] = 100
    world = _world(data)
    _remove(world, 2)
    world.env.run(until=24.9)
    assert _owed(world) == 2
    world.env.run(until=25.1)
    assert _owed(world) == 0
    world.recorder.finish(100, {})
    row = world.recorder.summary_rows()[0]
    assert row["cost_repair_usd"] == pytest.approx(2 * 2_000 * 1.4, abs=0.005)
    assert row["cost_purchase_usd"] == 0
    assert row["cost_fees_usd"] == pytest.approx(2 * 280, abs=0.005)
    assert row["cost_transport_usd"] == pytest.approx(4 * 100, abs=0.005)
    assert row["cost_surcharge_usd"] == pytest.approx(0.032 * (5_600 + 560 + 400), abs=0.005)


@pytest.mark.parametrize("why", ["condemned", "no_repair_source"])
def test_pros_buys_new_only_when_condemned_or_no_repair_source(why):
    data = _pros(0.0, None, no_repair_source=1.0 if why == "no_repair_source" else 0.0)
    if why == "condemned":
        data["items"][0]["condemnation_rate"] = 1.0
    world = _world(data)
    _remove(world, 2)
    world.env.run(until=34.9)                     # search 5 + lead 30
    assert _owed(world) == 2
    world.env.run(until=35.1)
    assert _owed(world) == 0
    world.recorder.finish(100, {})
    row = world.recorder.summary_rows()[0]
    assert row["cost_purchase_usd"] == pytest.approx(2 * 15_000, abs=0.005)
    assert row["cost_repair_usd"] == 0
    assert row["cost_fees_usd"] == pytest.approx(2 * 1_500, abs=0.005)
    assert world.recorder.item_rows()[0]["condemnations"] == (2 if why == "condemned" else 0)


# -- third-country, DCS --------------------------------------------------------------------
def _third_country(**depot) -> dict:
    data = _scenario({"option": "third_country", "depot": "Regional"})
    data["depots"].append({"name": "Regional", "kind": "third_country", "country": "Nation C",
                           "repair_days": 20, "cost_factor": 0.8, **depot})
    data["transport"].append({"between": [NATION, "Nation C"], "days": 5, "cost_usd": 50})
    return data


def _validate(tmp_path: Path, data: dict, capsys) -> tuple[int, str]:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    rc = main(["validate", str(path)])
    return rc, capsys.readouterr().err


def test_third_country_depot_missing_approvals_is_exit_2_naming_each(tmp_path, capsys):
    rc, err = _validate(tmp_path, _third_country(third_party_transfer_approved=True), capsys)
    assert rc == 2
    assert "lacks security_assistance_relationship" in err
    assert "lacks prime_contractor_approved" in err
    assert "lacks third_party_transfer_approved" not in err


def test_third_country_fmfp_customer_needs_dsca_waiver(tmp_path, capsys):
    approved = {"third_party_transfer_approved": True, "security_assistance_relationship": True,
                "prime_contractor_approved": True}
    data = _third_country(**approved)
    data["customers"][0]["funding"] = "fmfp"
    rc, err = _validate(tmp_path, data, capsys)
    assert rc == 2 and "holds no dsca_waiver" in err
    data["customers"][0]["waivers"] = ["dsca_waiver"]
    assert _validate(tmp_path, data, capsys)[0] == 0


def test_third_country_repair_bills_the_depot_price_without_surcharge():
    approved = {"third_party_transfer_approved": True, "security_assistance_relationship": True,
                "prime_contractor_approved": True}
    data = _third_country(**approved)
    data.update(warmup_days=0, horizon_days=100)
    world = _world(data)
    _remove(world, 3)
    world.env.run(until=29.9)
    assert _owed(world) == 3
    world.env.run(until=30.1)                     # 5 out + 20 repair + 5 back
    assert _owed(world) == 0
    world.recorder.finish(100, {})
    row = world.recorder.summary_rows()[0]
    assert row["cost_repair_usd"] == pytest.approx(3 * 2000 * 0.8)
    assert row["cost_transport_usd"] == pytest.approx(6 * 50)
    assert row["cost_surcharge_usd"] == 0


def test_dcs_fmfp_customer_needs_dcs_waiver(tmp_path, capsys):
    data = _scenario({"option": "dcs", "dcs": {"price_factor": 1.2, "lead_time_days": 45}})
    data["customers"][0]["funding"] = "fmfp"
    rc, err = _validate(tmp_path, data, capsys)
    assert rc == 2 and "holds no dcs_waiver" in err


def test_dcs_repair_turns_around_in_the_contract_lead_time_at_the_contract_price():
    data = _scenario({"option": "dcs", "dcs": {"price_factor": 1.2, "lead_time_days": 45}})
    data.update(warmup_days=0, horizon_days=100)
    world = _world(data)
    _remove(world, 2)
    world.env.run(until=44.9)
    assert _owed(world) == 2
    world.env.run(until=45.1)
    assert _owed(world) == 0
    world.recorder.finish(100, {})
    row = world.recorder.summary_rows()[0]
    assert row["cost_repair_usd"] == pytest.approx(2 * 2000 * 1.2)
    assert row["cost_surcharge_usd"] == 0


# -- leaving the DoD inventory, fallback chains ---------------------------------------------
def test_dx_after_the_system_leaves_the_dod_inventory_uses_the_fallback():
    data = _pros(0.0, None)
    data["alternatives"][0]["support"][NATION] = {"option": "direct_exchange",
                                                  "fallback": "pros"}
    data["systems"][0]["leaves_dod_inventory_day"] = 50
    world = _world(data)
    _remove(world, 2)                              # day 0: DX issues from wholesale
    world.env.run(until=60)
    assert _owed(world) == 0 and world.item_manager.on_hand[NSN_A] == 98
    cust = world.customers[NATION]
    cust.removal(0, NSN_A)                         # day 60: the item is non-standard
    world.env.run(until=60.1)
    assert world.item_manager.on_hand[NSN_A] == 98 and _owed(world) == 1
    world.env.run(until=95.1)                      # PROS: 5 days search + 30 lead time
    assert _owed(world) == 0


def test_dx_refused_at_day_zero_for_an_item_already_non_standard(tmp_path, capsys):
    data = _scenario({"option": "direct_exchange"})
    data["events"] = [{"event": "leave_dod_inventory", "day": 0, "nsn": NSN_A}]
    rc, err = _validate(tmp_path, data, capsys)
    assert rc == 2 and "out of the DoD inventory at day 0" in err


def test_per_item_override_takes_precedence():
    data = _pros(0.0, None)
    data["items"].append({"nsn": "2222-01-000-0002", "name": "Valve", "unit_price_usd": 500,
                          "repair_cost_usd": 100, "mtbr_fh": 500})
    data["systems"][0]["parts"]["2222-01-000-0002"] = 1
    data["alternatives"][0]["support"][NATION] = {
        "option": "direct_exchange", "items": {"2222-01-000-0002": {"option": "pros"}}}
    world = _world(data)
    chains = {nsn: [type(o).__name__ for o in world.chains[(NATION, nsn)].options]
              for nsn in (NSN_A, "2222-01-000-0002")}
    assert chains == {NSN_A: ["DirectExchange"], "2222-01-000-0002": ["Pros"]}


# -- timeline: initial support, tempo, depot lines, EDA -------------------------------------
def test_initial_support_period_uses_the_initial_option_then_the_alternative():
    data = _scenario({"option": "repair_and_return", "depot": "Home"},
                     stock={NSN_A: 100}, protection_level={})
    data["customers"][0]["initial_support_days"] = 50
    world = _world(data)
    _remove(world, 1)
    world.env.run(until=0.1)
    assert _owed(world) == 0                       # DX (the default initial support)
    world.env.run(until=51)
    _remove(world, 1)
    world.env.run(until=52)
    assert _owed(world) == 1 and world.depots["Home"].busy == 1   # R&R after day 50


def test_tempo_event_changes_flight_hours_in_its_window():
    data = base_scenario(horizon_days=300, warmup_days=0, replications=1, period_days=100)
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 1000}}
    data["events"] = [{"event": "tempo", "customer": NATION, "start_day": 100, "end_day": 200,
                       "factor": 2.0}]
    ts = simulate(data)["timeseries"]
    fh = ts.sort_values("period_start_day").flight_hours.to_numpy()
    assert fh == pytest.approx([100 * 100, 200 * 100, 100 * 100])


def test_depot_line_change_frees_the_queue():
    data = _scenario({"option": "repair_and_return", "depot": "Home"})
    data["depots"][0].update(repair_lines=1, repair_days=10)
    data["events"] = [{"event": "depot_lines", "depot": "Home", "day": 5, "repair_lines": 3}]
    world = _world(data)
    _remove(world, 3)
    world.env.run(until=4)
    assert world.depots["Home"].busy == 1 and len(world.depots["Home"].queue) == 2
    world.env.run(until=6)
    assert world.depots["Home"].busy == 3 and not world.depots["Home"].queue


def test_eda_purchase_adds_parts_and_bills_the_airframes():
    data = _scenario({"option": "repair_and_return", "depot": "Home"})
    data.update(warmup_days=0, horizon_days=100)
    data["depots"][0]["repair_days"] = 36_000
    data["eda"] = {"purchases": [{"customer": NATION, "day": 10, "airframes": 3,
                                  "condition": "fair", "acquisition_value_usd": 1_000_000,
                                  "price_fraction": 0.2, "part_yield": {NSN_A: 1.0},
                                  "delivery_days": 20}]}
    world = _world(data)
    _remove(world, 1)
    world.env.run(until=29.9)
    cust = world.customers[NATION]
    assert cust.on_hand[NSN_A] == 0 and _owed(world) == 1
    world.env.run(until=30.1)
    assert _owed(world) == 0 and cust.on_hand[NSN_A] == 2       # 3 parts, one fills the hole
    world.recorder.finish(100, {})
    row = world.recorder.summary_rows()[0]
    assert row["cost_purchase_usd"] == pytest.approx(3 * 1_000_000 * 0.2)
