"""Issue 14: the whole BCA — cost elements by IPS element, fiscal years and then-year dollars,
software support and configuration divergence, readiness as the DoD defines it (NMCM, PMC,
MC and FMC rates), and costs.parquet reconciling to the summary to the cent."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.model.timeline import schedule_timeline
from sim.model.world import World
from sim.scenario import Scenario
from tests.helpers import NSN_A, NSN_B, base_scenario, simulate

NATION = "Nation A"
OTHER = "Nation B"
CENT = 0.005          # "to the cent": within half a cent
YEAR = 365.25


def _world(data: dict, alternative: int = 0) -> World:
    scenario = Scenario.model_validate(data)
    world = World(scenario, scenario.alternatives[alternative], 0)
    world._clock()
    schedule_timeline(world)
    return world


def _elements_scenario(**overrides) -> dict:
    data = base_scenario(warmup_days=200, horizon_days=2000, replications=2, **overrides)
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 5}}
    return data


# -- recurring and one-time charges --------------------------------------------------------------
def test_each_recurring_kind_charges_exactly_within_its_days_and_the_measured_window():
    """Per year $365,250 from day 500 to day 1500.5 (inside the 200-2000 measured window):
    exactly $1,000 a day for 1,000.5 days. Per aircraft-year $5,000 for 100 aircraft from day
    0 (warm-up excluded): 1,800 days pro rata. Per flight hour $10 on the hours flown. A
    one-time $2M in warm-up (day 100) is an investment: counted. An element of another
    alternative or customer is not."""
    data = _elements_scenario()
    data["cost_elements"] = [
        {"name": "Training", "ips_element": "training and training support",
         "recurring": {"per": "year", "amount_usd": 365_250, "start_day": 500,
                       "end_day": 1500.5}},
        {"name": "Support equipment", "ips_element": "support equipment",
         "recurring": {"per": "aircraft_year", "amount_usd": 5_000}},
        {"name": "Software", "ips_element": "IT systems continuous support",
         "recurring": {"per": "flight_hour", "amount_usd": 10}},
        {"name": "Tech data buy", "ips_element": "technical data",
         "one_time": {"day": 100, "amount_usd": 2_000_000}},
        {"name": "Elsewhere", "ips_element": "facilities and infrastructure",
         "alternatives": ["Another"], "one_time": {"day": 300, "amount_usd": 1e9}},
        {"name": "Not ours", "ips_element": "design interface", "customers": [],
         "one_time": {"day": 300, "amount_usd": 1e9}},
    ]
    tables = simulate(data)
    summary, costs = tables["summary"], tables["costs"]
    for rep, row in summary.set_index("replication").iterrows():
        mine = costs[costs.replication == rep].groupby("ips_element").constant_usd.sum()
        assert mine["training and training support"] == pytest.approx(1_000_500, abs=CENT)
        assert mine["support equipment"] == pytest.approx(5_000 * 100 * 1800 / YEAR, abs=CENT)
        assert mine["IT systems continuous support"] == pytest.approx(10 * row.flight_hours,
                                                                      abs=CENT)
        assert mine["technical data"] == pytest.approx(2_000_000, abs=CENT)
        assert "facilities and infrastructure" not in mine and "design interface" not in mine
        other = (1_000_500 + 5_000 * 100 * 1800 / YEAR + 10 * row.flight_hours + 2_000_000)
        assert row.cost_other_usd == pytest.approx(other, abs=CENT)


def test_recurring_per_year_npv_equals_the_hand_value():
    """$1M a year for three whole years from day 0 (no warm-up) and $2M once on day 400, at a
    7 % real rate, end-of-year: 1/1.07 + 1/1.07^2 + 1/1.07^3 million plus 2/1.07^2 million.
    The supply chain's own NPV is the same with or without the elements (common random
    numbers), so the difference is the elements' NPV alone."""
    data = base_scenario(warmup_days=0, horizon_days=3 * YEAR, replications=2,
                         discount_rate=0.07)
    plain = simulate(data)["summary"]
    data["cost_elements"] = [
        {"name": "Licences", "ips_element": "IT systems continuous support",
         "recurring": {"per": "year", "amount_usd": 1_000_000}},
        {"name": "Sim upgrade", "ips_element": "training and training support",
         "one_time": {"day": 400, "amount_usd": 2_000_000}}]
    priced = simulate(data)["summary"]
    hand = sum(1e6 / 1.07 ** y for y in (1, 2, 3)) + 2e6 / 1.07 ** 2
    diff = priced.npv_cost_usd.to_numpy() - plain.npv_cost_usd.to_numpy()
    assert diff == pytest.approx([hand, hand], abs=CENT)
    assert (priced.cost_usd - plain.cost_usd).to_numpy() == pytest.approx([5e6, 5e6], abs=CENT)


# -- fiscal years and then-year dollars -------------------------------------------------------
@pytest.mark.parametrize("escalation", [0.03, {"indices": {2027: 1.0, 2028: 1.021, 2029: 1.0466,
                                                            2030: 1.07, 2031: 1.1, 2032: 1.13}}])
def test_then_year_is_constant_times_the_fiscal_years_index_to_the_cent(escalation):
    """Base year 2027, fiscal years starting on day 273 (1 October when day 0 is 1 January):
    a one-time cost on day 100 is FY2027, on day 300 FY2028; every row's then-year dollars are
    its constant dollars times the index of its fiscal year."""
    data = _elements_scenario(base_year=2027, fiscal_year_start_day=273, escalation=escalation)
    data["cost_elements"] = [
        {"name": "A", "ips_element": "technical data",
         "one_time": {"day": 100, "amount_usd": 1_000_000}},
        {"name": "B", "ips_element": "design interface",
         "one_time": {"day": 300, "amount_usd": 3_000_000}},
        {"name": "Help desk", "ips_element": "IT systems continuous support",
         "recurring": {"per": "year", "amount_usd": 250_000}}]
    costs = simulate(data)["costs"]

    def index(fy: int) -> float:
        if isinstance(escalation, dict):
            return escalation["indices"][fy]
        return 1.03 ** (fy - 2027)

    expected = costs.constant_usd * costs.fiscal_year.map(index)
    assert (costs.then_year_usd - expected).abs().max() < CENT
    one = costs[costs.ips_element.isin(["technical data", "design interface"])]
    assert dict(zip(one.ips_element, one.fiscal_year, strict=True)) == {
        "technical data": 2027, "design interface": 2028}
    assert set(costs.fiscal_year) == {2027, 2028, 2029, 2030, 2031, 2032}
    # Help desk in FY2028 (days 273 to 638.25): a whole year.
    desk = costs[(costs.ips_element == "IT systems continuous support")
                 & (costs.fiscal_year == 2028)].constant_usd
    assert desk.to_numpy() == pytest.approx([250_000, 250_000], abs=CENT)


def test_fiscal_year_without_a_start_day_is_the_year_from_day_zero():
    from sim.scenario.money import fiscal_year_of

    assert [fiscal_year_of(d, 2030, 0) for d in (0, 365.2, 365.25, 800)] == [
        2030, 2030, 2031, 2032]
    assert [fiscal_year_of(d, 2030, 273) for d in (0, 272.9, 273, 638.2, 638.25)] == [
        2030, 2030, 2031, 2031, 2032]


# -- software support and configuration divergence -------------------------------------------
def _divergence_scenario(option: str = "direct_exchange") -> dict:
    data = base_scenario()
    data["transport"][0]["days"] = 0
    data["transport"].append({"between": ["US", OTHER], "days": 0, "cost_usd": 100})
    data["depots"][1]["repair_days"] = 36_000       # carcasses never come back in a test
    data["items"][0]["configuration_dependent"] = True
    data["items"].append({"nsn": NSN_B, "name": "Valve", "unit_price_usd": 500,
                          "repair_cost_usd": 100, "mtbr_fh": 500})
    data["systems"][0]["parts"][NSN_B] = 1
    data["wholesale"] = {"stock": {NSN_A: 100, NSN_B: 100}, "procurement_lead_time_days": 100}
    data["buying_services"] = {"pros": {
        "lead_time_days": 30, "price_factor": 1.5, "repair_lead_time_days": 20,
        "repair_price_factor": 1.4, "no_repair_source_probability": 0.0, "fee_rate": 0.1,
        "no_source_probability": 0.0, "search_days": 5}}
    other = {**data["customers"][0], "name": OTHER, "country": OTHER}
    data["customers"].append(other)
    for c in data["customers"]:
        c["fleet"]["fh_per_aircraft_month"] = 1e-9      # parked: removals by hand
        c["initial_stock"] = {"quantities": {NSN_A: 0, NSN_B: 0}}
    choice = {"option": option, "fallback": "pros"}
    if option == "clssa":
        choice["fmso1"] = {"quantities": {NSN_A: 1}}
    data["alternatives"][0] = {"name": "National software", "support": {
        NATION: {**choice, "software_support": "national", "divergence_days": 50},
        OTHER: dict(choice)}}
    return data


def test_national_software_makes_a_configuration_dependent_item_non_standard_for_that_nation_only():
    """Divergence at day 50: Nation A's configuration-dependent pump is issued from wholesale
    at day 49.9 but at day 50 goes to the fallback (PROS: 35 days); Nation B on the US
    baseline and Nation A's valve (not configuration-dependent) are still exchanged."""
    world = _world(_divergence_scenario())
    wholesale = world.item_manager.on_hand
    a, b = world.customers[NATION], world.customers[OTHER]
    world.env.run(until=49.9)
    a.removal(0, NSN_A)
    world.env.run(until=49.95)
    assert wholesale[NSN_A] == 99 and not a.backorders[NSN_A]
    world.env.run(until=50)
    a.removal(1, NSN_A)
    b.removal(0, NSN_A)
    a.removal(2, NSN_B)
    world.env.run(until=50.01)
    assert wholesale[NSN_A] == 98                       # Nation B's exchange only
    assert len(a.backorders[NSN_A]) == 1 and not b.backorders[NSN_A]
    assert wholesale[NSN_B] == 99 and not a.backorders[NSN_B]
    world.env.run(until=85.01)                          # PROS: 5-day search + 30-day lead
    assert not a.backorders[NSN_A]
    opts = {(c, n): type(world.chains[(c, n)].options[0]).__name__ for c in (NATION, OTHER)
            for n in (NSN_A, NSN_B)}
    assert set(opts.values()) == {"DirectExchange"}


def test_national_software_ends_clssa_and_draws_fmso1_down_at_divergence():
    """Under CLSSA the buy-in ends when the nation's configuration diverges: its one FMSO I
    unit is drawn down to its shelf on day 50; Nation B's account stays open."""
    world = _world(_divergence_scenario("clssa"))
    a, b = world.customers[NATION], world.customers[OTHER]
    world.env.run(until=49.9)
    assert a.shelves[NSN_A].on_hand == 0
    world.env.run(until=50.01)
    assert a.shelves[NSN_A].on_hand == 1 and b.shelves[NSN_A].on_hand == 0
    assert world.fmso1_account(NATION, NSN_A).terminated
    assert not world.fmso1_account(OTHER, NSN_A).terminated


# -- readiness: NMCS, NMCM, PMC ---------------------------------------------------------------
def _readiness_scenario(**item) -> dict:
    data = base_scenario(warmup_days=0, horizon_days=1000, replications=3)
    data["items"][0].update(item)
    data["depots"][0]["repair_days"] = 60
    data["customers"][0]["fleet"]["aircraft"] = 10
    data["customers"][0]["fleet"]["fh_per_aircraft_month"] = 300
    return data


@pytest.mark.parametrize("cannibalization", [False, True])
def test_a_non_essential_failure_never_grounds_an_aircraft(cannibalization):
    """No spares and a 60-day repair: every removal leaves a hole. The pump is non-essential:
    no aircraft is ever NMCS (supply availability and MC rate exactly 1), yet aircraft fly
    with holes (FMC rate below 1)."""
    data = _readiness_scenario(essential=False)
    data["customers"][0]["cannibalization"] = cannibalization
    summary = simulate(data)["summary"]
    assert (summary.availability == 1.0).all() and (summary.mc_rate == 1.0).all()
    assert (summary.nmcs_aircraft_mean == 0).all() and (summary.backorders_mean > 1).all()
    assert (summary.fmc_rate < 0.9).all()
    assert summary.mean_down_time_days.isna().all()     # no NMCS episode at all


def test_nmcm_is_charged_exactly_per_removal():
    """Ample spares (no NMCS): each removal takes its aircraft down for 12 hours. Total NMCM
    aircraft-days equal, per aircraft, the length of the union of [removal, removal + 0.5 d]
    (clipped at the horizon), from the event log."""
    data = _readiness_scenario(maintenance_hours=12)
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 1000}}
    tables = simulate(data, events=True)
    events, summary = tables["events"], tables["summary"]
    for rep, row in summary.set_index("replication").iterrows():
        removals = events[(events.replication == rep) & (events.event == "removal")]
        down = 0.0
        for _, days in removals.groupby("aircraft").day:
            end = -math.inf
            for t in sorted(days):
                stop = min(t + 0.5, 1000.0)
                down += stop - max(t, end)
                end = stop
        assert row.nmcm_aircraft_mean * 1000 == pytest.approx(down, rel=1e-9)
        assert row.nmcm_aircraft_mean * 1000 <= len(removals) * 0.5 + 1e-9
        assert row.availability == 1.0
        assert row.mc_rate == pytest.approx(1 - row.nmcm_aircraft_mean / 10, rel=1e-12)


def test_nmcm_follows_the_wait_for_the_part():
    """No spares: the aircraft is NMCS until the serviceable arrives (60-day repair) and then
    NMCM for the 24-hour remove-and-replace."""
    data = _readiness_scenario(maintenance_hours=24)
    data["transport"][0]["days"] = 0
    data["customers"][0]["fleet"]["fh_per_aircraft_month"] = 1e-9
    world = _world(data)
    cust, fleet = world.customers[NATION], world.customers[NATION].fleets[0]
    cust.removal(3, NSN_A)
    world.env.run(until=59.9)
    assert not fleet.flying[3] and cust.stats.nmcs.value == 1 and cust.stats.nmcm.value == 0
    world.env.run(until=60.5)
    assert not fleet.flying[3] and cust.stats.nmcs.value == 0 and cust.stats.nmcm.value == 1
    world.env.run(until=61.01)
    assert fleet.flying[3] and cust.stats.nmcm.value == 0


def test_scheduled_inspections_take_each_aircraft_down_for_their_days():
    """Two aircraft, an inspection every 100 days lasting 10, no failures (MTBR far beyond
    reach): inspections start at days 25 and 75, then every 100; over 1,000 days each aircraft
    is down 100 days, so the MC rate is 0.9 and supply availability 1."""
    data = _readiness_scenario(mtbr_fh=1e9)
    data["customers"][0]["fleet"]["aircraft"] = 2
    data["customers"][0]["scheduled_maintenance"] = {"every_days": 100, "days": 10}
    summary = simulate(data)["summary"]
    assert summary.mc_rate.to_numpy() == pytest.approx([0.9] * 3, abs=1e-12)
    assert (summary.availability == 1.0).all()
    fh = 2 * 300 * 12 / YEAR * 1000 * 0.9            # hours flown only when not down
    assert summary.flight_hours.to_numpy() == pytest.approx([fh] * 3, rel=1e-9)


# -- costs.parquet reconciles to the summary ---------------------------------------------------
def test_costs_table_reconciles_to_summary_cost_to_the_cent(tmp_path: Path):
    """Through the CLI, every alternative, customer and replication: costs.parquet sums to
    summary.cost_usd; each supply-chain category lands in its IPS element; a one-time
    investment paid in warm-up is in both."""
    data = _divergence_scenario()
    for c in data["customers"]:
        c["fleet"]["fh_per_aircraft_month"] = 30
        c["initial_stock"] = {"quantities": {NSN_A: 3, NSN_B: 3}}
    data["alternatives"].append({"name": "US baseline", "support": {
        NATION: {"option": "direct_exchange", "fallback": "pros"},
        OTHER: {"option": "repair_and_return", "depot": "Home"}}})
    data["transport"].append({"between": ["Nation A", OTHER], "days": 5, "cost_usd": 50})
    data.update(warmup_days=200, horizon_days=1200, replications=2, base_year=2027,
                escalation=0.025)
    data["cost_elements"] = [
        {"name": "Mission software", "ips_element": "IT systems continuous support",
         "alternatives": ["National software"], "customers": [NATION],
         "recurring": {"per": "year", "amount_usd": 4_000_000}},
        {"name": "Depot tooling", "ips_element": "support equipment",
         "one_time": {"day": 50, "amount_usd": 1_500_000}}]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1"]) == 0
    summary = pd.read_parquet(out / "summary.parquet")
    costs = pd.read_parquet(out / "costs.parquet")
    keys = ["alternative", "replication", "customer"]
    total = costs.groupby(keys).constant_usd.sum()
    merged = summary.set_index(keys).join(total.rename("ips_total"))
    assert len(merged) == 8 and merged.ips_total.notna().all()
    assert (merged.cost_usd - merged.ips_total).abs().max() < CENT
    by = costs.pivot_table(index=keys, columns="ips_element", values="constant_usd",
                           aggfunc="sum", fill_value=0.0)
    s = summary.set_index(keys)
    supply = (s.cost_purchase_usd + s.cost_exchange_usd + s.cost_clssa_usd + s.cost_fees_usd
              + s.cost_spares_usd)          # the purchased shelf and its residual credit
    assert (s.cost_spares_usd != 0).all()
    assert (by["supply support"] - supply).abs().max() < CENT
    assert (by["maintenance planning and management"] - s.cost_repair_usd).abs().max() < CENT
    assert (by["packaging, handling, storage and transportation"]
            - s.cost_transport_usd).abs().max() < CENT
    assert (by["product support management"] - s.cost_surcharge_usd).abs().max() < CENT
    assert (by["support equipment"] - 1_500_000).abs().max() < CENT      # paid in warm-up
    it = by["IT systems continuous support"]
    national = it.xs(("National software", NATION), level=("alternative", "customer"))
    assert national.to_numpy() == pytest.approx([4e6 * 1000 / YEAR] * 2, abs=CENT)
    assert it.sum() == pytest.approx(national.sum(), abs=CENT)    # nobody else pays it
    assert (s.cost_usd - s[[c for c in s.columns if c.startswith("cost_") and c not in (
        "cost_usd", "cost_per_fh_usd", "cost_per_programmed_fh_usd")]].sum(axis=1)).abs().max() < CENT


# -- validation ---------------------------------------------------------------------------------
def _validate(tmp_path: Path, data: dict, capsys) -> tuple[int, str]:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    rc = main(["validate", str(path)])
    captured = capsys.readouterr()
    return rc, captured.err + captured.out


def test_bca_inputs_are_checked_with_their_places(tmp_path: Path, capsys):
    data = _divergence_scenario()
    data["alternatives"][0]["support"][NATION].pop("divergence_days")
    data["alternatives"][0]["support"][OTHER]["divergence_days"] = 10
    data["base_year"] = 2027
    data["escalation"] = {"indices": {2027: 1.0, 2028: 1.02}}
    data["cost_elements"] = [
        {"name": "X", "ips_element": "technical data", "customers": ["Nation Z"],
         "alternatives": ["Nope"], "one_time": {"day": 5000, "amount_usd": 1}},
        {"name": "Y", "ips_element": "logistics", "recurring": {"per": "year",
                                                                 "amount_usd": 1}},
        {"name": "Z", "ips_element": "training and training support",
         "recurring": {"per": "year", "amount_usd": 1, "start_day": 300, "end_day": 100}}]
    rc, err = _validate(tmp_path, data, capsys)
    assert rc == 2
    for place in ("alternatives[0].support.Nation A.software_support",
                  "alternatives[0].support.Nation B.divergence_days",
                  "cost_elements[0].customers[0]", "cost_elements[0].alternatives[0]",
                  "cost_elements[0].one_time.day", "cost_elements[1].ips_element",
                  "cost_elements[2].recurring.end_day", "escalation.indices"):
        assert place in err, place
    assert "no index for fiscal year(s) 2029, 2030, 2031, 2032" in err


def test_national_software_without_a_dependent_item_is_an_advisory(tmp_path: Path, capsys):
    data = _divergence_scenario()
    data["items"][0]["configuration_dependent"] = False
    rc, out = _validate(tmp_path, data, capsys)
    assert rc == 0 and "no item of its system is configuration_dependent" in out
