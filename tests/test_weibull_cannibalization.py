"""Cannibalization with Weibull (aged) units: units move between aircraft with the flight
hours they have left, and the fleet's state stays consistent."""

from __future__ import annotations

from sim.model.clock import Call
from sim.model.world import World
from sim.scenario import Scenario
from tests.helpers import NSN_A, NSN_B, base_scenario, simulate


def _scenario(cannibalization: bool) -> dict:
    data = base_scenario(horizon_days=3000, warmup_days=500, replications=6)
    data["items"] = [
        {"nsn": NSN_A, "name": "Pump", "unit_price_usd": 1000, "repair_cost_usd": 100,
         "mtbr_fh": 150, "failure": {"weibull": {"shape": 2.0}}},
        {"nsn": NSN_B, "name": "Valve", "unit_price_usd": 1000, "repair_cost_usd": 100,
         "mtbr_fh": 200},
    ]
    data["systems"][0]["parts"] = {NSN_A: 2, NSN_B: 1}
    data["wholesale"]["stock"] = {}
    data["depots"][0]["repair_days"] = {"lognormal": {"mean": 30, "cv": 0.5}}
    cust = data["customers"][0]
    cust["fleet"]["aircraft"] = 20
    cust["cannibalization"] = cannibalization
    cust["initial_stock"] = {"quantities": {NSN_A: 2, NSN_B: 1}}
    return data


def _check(world: World) -> None:
    """Flying aircraft carry every aged unit; grounded ones are exactly the aircraft needed."""
    fleet = world.customers["Nation A"].fleet
    for a in range(fleet.n):
        if fleet.flying[a]:
            assert len(fleet.clock.due[a][NSN_A]) == fleet.qpa[NSN_A], (a, world.env.now)
    assert len(fleet.grounded) == fleet._needed()
    holes = sum(fleet.qpa[NSN_A] - len(fleet.clock.due[b][NSN_A]) for b in fleet.grounded)
    assert holes == fleet.bo[NSN_A]


def test_invariants_hold_throughout_a_run():
    scenario = Scenario.model_validate(_scenario(True))
    world = World(scenario, scenario.alternatives[0], 0)
    checks = []

    def check(_arg=None) -> None:
        _check(world)
        checks.append(world.env.now)
        if world.env.now + 5 < scenario.horizon_days:
            Call(world.env, 5.0, check)

    Call(world.env, 5.0, check)
    world.run()
    assert len(checks) > 500
    assert world.customers["Nation A"].stats.nmcs.area > 0     # the fleet was stressed


def test_cannibalization_with_aged_units_raises_availability():
    plain = simulate(_scenario(False))["summary"]
    cann = simulate(_scenario(True))["summary"]
    gain = cann.availability.to_numpy() - plain.availability.to_numpy()
    assert (gain > 0).all(), gain
