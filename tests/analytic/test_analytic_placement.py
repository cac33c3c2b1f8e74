"""Where a nation's own spares go (``sustain recommend --where``): the marginal-analysis
curve against exhaustive search on small cases, and its figures against the closed form."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analytic.predict import AlternativeModel
from sim.analytic.spares import CENTRAL, placement_problem
from sim.scenario import Scenario
from tests.helpers import NSN_A, NSN_B, base_scenario

ROOT = Path(__file__).resolve().parents[2]


def _case(bases: bool) -> Scenario:
    """Two NSNs (the second dearer and less reliable); one base 6 days from the central
    store, or none; repair at home in 20 days."""
    data = base_scenario()
    data["items"].append({"nsn": NSN_B, "name": "Valve", "unit_price_usd": 25000,
                          "repair_cost_usd": 900, "mtbr_fh": 600})
    data["systems"][0]["parts"] = {NSN_A: 1, NSN_B: 1}
    data["depots"][0].update(kind="national", repair_days=20)
    data["alternatives"][0]["support"]["Nation A"] = {"option": "national_depot",
                                                      "depot": "Home"}
    cust = data["customers"][0]
    cust["fleet"]["aircraft"] = 20
    cust["initial_stock"] = {"quantities": {}}
    if bases:
        cust["bases"] = [{"name": "Base", "aircraft": 20}]
        data["transport"].append({"between": ["Base", "Nation A"], "days": 6})
        data["items"][0]["base_repair"] = {"probability": 0.3, "days": 3}
    return Scenario.model_validate(data)


@pytest.mark.parametrize("bases", [False, True])
def test_the_curve_matches_exhaustive_search_at_each_step(bases):
    scenario = _case(bases)
    model = AlternativeModel(scenario, scenario.alternatives[0])
    problem = placement_problem(model, "Nation A")
    curve = problem.curve(budget=130_000, lookahead=1)
    assert len(curve.steps) > 6
    for nsn, place, cost, avail in curve.steps[1:]:
        best = problem.brute_force(cost, limit=5)
        assert avail == pytest.approx(best.availability, abs=1e-9), (nsn, place, cost)
    avails = [s[3] for s in curve.steps]
    assert avails == sorted(avails)


def test_a_single_stock_point_allocation_is_the_closed_form_of_that_shelf():
    scenario = _case(False)
    model = AlternativeModel(scenario, scenario.alternatives[0])
    problem = placement_problem(model, "Nation A")
    stock = [{CENTRAL: 2}, {CENTRAL: 3}]
    data = scenario.model_dump(mode="json")
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 2, NSN_B: 3}}
    again = Scenario.model_validate(data)
    direct = AlternativeModel(again, again.alternatives[0]).customer("Nation A")
    assert problem.availability(stock) == pytest.approx(direct.availability, rel=1e-12)


def test_with_bases_an_allocation_is_the_closed_form_of_that_placement():
    scenario = _case(True)
    model = AlternativeModel(scenario, scenario.alternatives[0])
    problem = placement_problem(model, "Nation A")
    stock = [{CENTRAL: 1, "Base": 2}, {CENTRAL: 2, "Base": 1}]
    data = scenario.model_dump(mode="json")
    cust = data["customers"][0]
    cust["initial_stock"] = {"quantities": {NSN_A: 1, NSN_B: 2}}
    cust["bases"][0]["initial_stock"] = {"quantities": {NSN_A: 2, NSN_B: 1}}
    again = Scenario.model_validate(data)
    direct = AlternativeModel(again, again.alternatives[0]).customer("Nation A")
    assert problem.availability(stock) == pytest.approx(direct.availability, rel=1e-12)


@pytest.mark.parametrize("lateral", [False, True])
def test_lateral_resupply_is_named_as_outside_the_closed_form(lateral):
    """Laterals forgive misplaced stock (bases.yaml "Pushed to the bases": 0.891 simulated
    without, 0.933 with 2-day laterals) and the closed form has none: its answer and its
    placement must say so whenever the customer has them, and not otherwise."""
    from sim.analytic.predict import predict
    from sim.analytic.where import placement
    from sim.scenario import load_scenario

    data = load_scenario(ROOT / "scenarios" / "bases.yaml").model_dump(mode="json",
                                                                      by_alias=True)
    if lateral:
        data["customers"][0]["lateral"] = {"days": 2, "cost_usd": 400}
    scenario = Scenario.model_validate(data)
    for ap in predict(scenario):
        notes = [n for n in ap.customers[0].notes if "lateral" in n]
        assert len(notes) == (1 if lateral else 0), ap.name
    result = placement(scenario, "Nation A", target=None, budget=1_750_000)
    assert len([n for n in result["notes"] if "lateral" in n]) == (1 if lateral else 0)
