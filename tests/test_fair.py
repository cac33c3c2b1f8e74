"""Issue 13's model: the in-country shelf as a priced decision, and a fleet flying program
(the same programmed hours under every alternative, with the shortfall reported)."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.scenario.models import DAYS_PER_MONTH
from tests.helpers import NSN_A, NSN_B, assert_close_to_theory, base_scenario, simulate

CENT = 0.005
YEAR = 365.25


def _shelf_scenario(source: str, **overrides) -> dict:
    data = base_scenario(warmup_days=200, horizon_days=3 * YEAR, replications=2,
                         discount_rate=0.05, fms_surcharge_rate=0.032, **overrides)
    data["items"].append({"nsn": NSN_B, "name": "Valve", "unit_price_usd": 3000,
                          "repair_cost_usd": 400, "mtbr_fh": 2000})
    data["systems"][0]["parts"][NSN_B] = 2
    data["wholesale"]["stock"][NSN_B] = 1000
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 5, NSN_B: 4}}
    data["customers"][0]["initial_stock_source"] = source
    return data


# -- the priced shelf --------------------------------------------------------------------------
def test_a_purchased_shelf_bills_its_price_at_day_zero_and_credits_its_residual_value():
    """5 pumps at $10,000 and 4 valves at $3,000 bought at day 0 (surcharged 3.2 %), half
    their price credited in the horizon's year (year 3): against the same shelf carried over
    from the TPA (free), the cost differs by exactly that, and so does the NPV at 5 %."""
    bought = simulate(_shelf_scenario("purchased"))
    free = simulate(_shelf_scenario("tpa"))
    value = 5 * 10_000 + 4 * 3_000
    s_b, s_f = bought["summary"], free["summary"]
    assert (s_b.availability.to_numpy() == s_f.availability.to_numpy()).all()   # same runs
    assert (s_b.cost_spares_usd.to_numpy() == pytest.approx([value * 0.5] * 2, abs=CENT))
    assert (s_f.cost_spares_usd == 0).all()
    diff = (s_b.cost_usd - s_f.cost_usd).to_numpy()
    assert diff == pytest.approx([value * 1.032 - 0.5 * value] * 2, abs=CENT)
    npv = (s_b.npv_cost_usd - s_f.npv_cost_usd).to_numpy()
    assert npv == pytest.approx([value * 1.032 / 1.05 - 0.5 * value / 1.05 ** 3] * 2, abs=CENT)
    # The credit sits in the horizon's fiscal year (year 3), the purchase in year 1.
    c_b, c_f = bought["costs"], free["costs"]
    keys = ["replication", "ips_element", "fiscal_year"]
    both = c_b.set_index(keys).constant_usd.sub(c_f.set_index(keys).constant_usd, fill_value=0)
    supply = both.xs("supply support", level="ips_element")
    assert supply.xs(1, level="fiscal_year").to_numpy() == pytest.approx([value] * 2, abs=CENT)
    assert supply.xs(3, level="fiscal_year").to_numpy() == pytest.approx([-0.5 * value] * 2,
                                                                          abs=CENT)


def test_tpa_carry_over_charges_only_what_an_alternative_adds():
    """The TPA package holds 5 pumps and 4 valves; an alternative holding 8 pumps and 2 valves
    buys 3 pumps (moving or dropping units costs nothing)."""
    data = _shelf_scenario("tpa")
    data["alternatives"][0]["support"]["Nation A"]["initial_stock"] = {
        "quantities": {NSN_A: 8, NSN_B: 2}}
    s = simulate(data)["summary"]
    assert s.cost_spares_usd.to_numpy() == pytest.approx([0.5 * 3 * 10_000] * 2, abs=CENT)


def test_us_units_spares_are_not_priced():
    data = _shelf_scenario("purchased")
    data["customers"].append({"name": "US Wing", "kind": "us", "country": "US", "fad": "II",
                              "fleet": {"system": "Jet", "aircraft": 10,
                                        "fh_per_aircraft_month": 20},
                              "initial_stock": {"quantities": {NSN_A: 9}}})
    s = simulate(data)["summary"]
    assert (s[s.customer == "US Wing"].cost_spares_usd == 0).all()


# -- the fleet flying program -------------------------------------------------------------------
def _program_scenario(program: str, **overrides) -> dict:
    data = base_scenario(**{"warmup_days": 100, "horizon_days": 1100, "replications": 3,
                            **overrides})
    cust = data["customers"][0]
    cust["fleet"].update(aircraft=10, fh_per_aircraft_month=30)
    cust["flying_program"] = program
    return data


def _programmed(data: dict) -> float:
    cust = data["customers"][0]
    window = data["horizon_days"] - data["warmup_days"]
    return cust["fleet"]["aircraft"] * cust["fleet"]["fh_per_aircraft_month"] / DAYS_PER_MONTH \
        * window


def test_a_fleet_program_flies_exactly_its_hours_when_aircraft_are_down_for_inspections():
    """No failures; each aircraft is down 10 days in every 100 for inspections. Per aircraft,
    10 % of the hours are lost; as a fleet program (cap 1.5 x) the others fly them."""
    fleet = _program_scenario("fleet")
    fleet["items"][0]["mtbr_fh"] = 1e9
    fleet["customers"][0]["scheduled_maintenance"] = {"every_days": 100, "days": 10}
    per = _program_scenario("per_aircraft")
    per["items"][0]["mtbr_fh"] = 1e9
    per["customers"][0]["scheduled_maintenance"] = {"every_days": 100, "days": 10}
    program = _programmed(fleet)
    s_f, s_p = simulate(fleet)["summary"], simulate(per)["summary"]
    assert s_f.flight_hours.to_numpy() == pytest.approx([program] * 3, rel=1e-9)
    assert s_f.flight_hours_shortfall.to_numpy() == pytest.approx([0] * 3, abs=1e-6)
    assert s_p.flight_hours.to_numpy() == pytest.approx([0.9 * program] * 3, rel=1e-9)
    assert s_p.flight_hours_shortfall.to_numpy() == pytest.approx([0.1 * program] * 3,
                                                                  rel=1e-9)
    assert s_f.cost_per_programmed_fh_usd.notna().all()


@pytest.mark.parametrize("weibull", [False, True])
def test_with_failures_shortfall_plus_flown_hours_equal_the_program(weibull):
    """No spares and a 60-day repair ground many aircraft; with a cap of 35 FH a month the rest
    cannot make up all hours: flown + shortfall = program exactly, the shortfall positive."""
    data = _program_scenario("fleet")
    data["customers"][0]["max_fh_per_aircraft_month"] = 35
    data["depots"][0]["repair_days"] = 60
    data["items"][0]["mtbr_fh"] = 300
    if weibull:
        data["items"][0]["failure"] = {"weibull": {"shape": 2.0}}
        data["customers"][0]["cannibalization"] = True
    s = simulate(data)["summary"]
    program = _programmed(data)
    assert (s.flight_hours + s.flight_hours_shortfall).to_numpy() == pytest.approx(
        [program] * 3, rel=1e-9)
    assert (s.flight_hours_shortfall > 0.01 * program).all()
    assert (s.cost_per_programmed_fh_usd < s.cost_per_fh_usd).all()


def test_a_fleet_program_removes_units_at_the_rate_of_the_hours_flown():
    """Palm: removals are Poisson in the flight hours flown, whatever the spread over
    aircraft; demands / (hours / MTBR) has mean 1 over replications."""
    data = _program_scenario("fleet", replications=12)
    data["depots"][0]["repair_days"] = 20
    data["items"][0]["mtbr_fh"] = 200
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 2}}
    s = simulate(data)["summary"]
    ratio = s.demands / (s.flight_hours / 200)
    assert_close_to_theory(ratio, 1.0, "demands per expected removal", rel=0.0)
    assert (s.availability < 0.999).all()           # aircraft were down, yet the hours flew
    # The hours of grounded aircraft are flown by the others (short only when four or more
    # of ten are down at once and the 1.5 x cap binds).
    assert (s.flight_hours_shortfall < 0.01 * _programmed(data)).all()


def test_per_aircraft_program_reports_the_hours_grounded_aircraft_lose():
    data = _program_scenario("per_aircraft")
    data["depots"][0]["repair_days"] = 60
    data["items"][0]["mtbr_fh"] = 300
    s = simulate(data)["summary"]
    program = _programmed(data)
    lost = pd.Series(program * s.nmcs_aircraft_mean / 10)
    assert s.flight_hours_shortfall.to_numpy() == pytest.approx(lost.to_numpy(), rel=1e-9)


def test_a_flying_cap_is_checked_with_its_place(tmp_path, capsys):
    import yaml

    from sim.cli import main

    data = _program_scenario("per_aircraft")
    data["customers"][0]["max_fh_per_aircraft_month"] = 40
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["validate", str(path)]) == 2
    assert "customers[0].max_fh_per_aircraft_month: applies only with flying_program: fleet" \
        in capsys.readouterr().err
    data["customers"][0]["flying_program"] = "fleet"
    data["customers"][0]["max_fh_per_aircraft_month"] = 20       # below the 30 programmed
    path.write_text(yaml.safe_dump(data))
    assert main(["validate", str(path)]) == 2
    assert "below the programmed 30 flight hours" in capsys.readouterr().err
