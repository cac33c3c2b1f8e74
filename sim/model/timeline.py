"""The scenario's timeline: things that change on a given day.

Leaving the DoD inventory (an item, or every item of a system), tempo changes, depot line
changes, the purchase of the in-country spares at day 0 and their residual value at the
horizon (``sim.model.initial_spares``), the end of a customer's initial support period, the CLSSA FMSO I accounts (deposit
at day 0, on-order stock at maturity, drawdown at termination: ``sim.model.fmso1``) and Excess
Defense Articles purchases.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model import fmso1
from sim.model.distributions import sampler
from sim.model.initial_spares import price_initial_spares
from sim.scenario.models import (
    Alternative,
    DepotLinesEvent,
    LeaveInventoryEvent,
    Scenario,
    TempoEvent,
)

if TYPE_CHECKING:
    from sim.model.customer import Customer
    from sim.model.world import World

#: Default share of each installed unit an EDA airframe yields, by its condition
#: (illustrative; a scenario's ``part_yield`` overrides it per NSN).
EDA_YIELD = {"good": 0.8, "fair": 0.6, "poor": 0.35}


def system_leave_days(scenario: Scenario) -> dict[str, float]:
    """The day each system leaves the DoD inventory: its own day or a ``leave_dod_inventory``
    event naming it, whichever comes first (inf: it stays)."""
    day = {s.name: s.leaves_dod_inventory_day or math.inf for s in scenario.systems}
    for event in scenario.events:
        if isinstance(event, LeaveInventoryEvent) and event.system is not None:
            day[event.system] = min(day[event.system], event.day)
    return day


def leave_days(scenario: Scenario) -> dict[str, float]:
    """The day each NSN becomes non-standard: its own day, an event naming it, or the day any
    system that holds it leaves, whichever comes first."""
    day = {it.nsn: it.leaves_dod_inventory_day or math.inf for it in scenario.items}
    for event in scenario.events:
        if isinstance(event, LeaveInventoryEvent) and event.nsn is not None:
            day[event.nsn] = min(day[event.nsn], event.day)
    for name, when in system_leave_days(scenario).items():
        for nsn in scenario.system(name).parts:
            day[nsn] = min(day[nsn], when)
    return day


def divergence_days(scenario: Scenario, alternative: Alternative) -> dict[tuple[str, str], float]:
    """(customer, NSN) -> the day the customer's configuration of a configuration-dependent
    item departs from the US baseline, for customers whose software the alternative leaves to
    national support: from then on the item is non-standard *for that customer* (no Direct
    Exchange or CLSSA; the fallback applies), as if it had left the DoD inventory."""
    out = {}
    dependent = [it.nsn for it in scenario.items if it.configuration_dependent]
    if not dependent:
        return out
    for cust in scenario.customers:
        choice = alternative.support.get(cust.name)
        if choice is None or choice.software_support != "national":
            continue
        parts = scenario.system(cust.fleet.system).parts
        day = choice.divergence_days if choice.divergence_days is not None else 0.0
        for nsn in dependent:
            if nsn in parts:
                out[(cust.name, nsn)] = day
    return out


def standard_until(scenario: Scenario, alternative: Alternative) -> dict[tuple[str, str], float]:
    """(customer, NSN) -> the day the NSN stops being standard for that customer: it leaves
    the DoD inventory, or the customer's configuration diverges, whichever comes first."""
    leave = leave_days(scenario)
    diverge = divergence_days(scenario, alternative)
    return {(c.name, nsn): min(leave[nsn], diverge.get((c.name, nsn), math.inf))
            for c in scenario.customers for nsn in scenario.system(c.fleet.system).parts}


def schedule_timeline(world: World) -> None:
    scenario = world.scenario
    for event in scenario.events:
        if isinstance(event, TempoEvent):
            for fleet in world.customers[event.customer].fleets:
                world.after(event.start_day, fleet.set_tempo, event.factor)
                if event.end_day < scenario.horizon_days:
                    world.after(event.end_day, fleet.set_tempo, 1.0)
        elif isinstance(event, DepotLinesEvent):
            world.after(event.day, world.depots[event.depot].set_lines, event.repair_lines)
    for cust in world.customers.values():
        price_initial_spares(world, cust)
        days = cust.spec.initial_support_days
        if days:
            world.after(days, _end_initial_support, (world, cust))
        if not cust.is_fms:
            _retire_with_system(world, cust)
    fmso1.start(world)
    if scenario.eda is not None:
        for i, purchase in enumerate(scenario.eda.purchases):
            world.after(purchase.day, _eda_purchase, (world, i))


def _end_initial_support(arg: tuple[World, Customer]) -> None:
    world, cust = arg
    for nsn in cust.system.parts:
        cust.shelves[nsn].entry = world.chains[(cust.name, nsn)].entry


def _retire_with_system(world: World, cust: Customer) -> None:
    """US units stop flying a system the day it leaves the DoD inventory."""
    day = system_leave_days(world.scenario)[cust.system.name]
    if day < math.inf:
        for fleet in cust.fleets:
            world.after(day, fleet.set_tempo, 0.0)


def _eda_purchase(arg: tuple[World, int]) -> None:
    """Buy EDA airframes at a fraction of acquisition value and strip them for spares."""
    world, index = arg
    purchase = world.scenario.eda.purchases[index]
    cust = world.customers[purchase.customer]
    price = purchase.airframes * purchase.acquisition_value_usd * purchase.price_fraction
    world.recorder.charge(cust.stats, None, "purchase", price, world.surcharge_rate,
                          world.env.now, investment=True)
    gen = world.streams.generator("eda", cust.name, index)
    delay = sampler(purchase.delivery_days, gen)()
    default = EDA_YIELD[purchase.condition]
    for nsn, qpa in cust.system.parts.items():
        p = purchase.part_yield.get(nsn, default)
        units = int(gen.binomial(qpa * purchase.airframes, p))
        for _ in range(units):
            world.after(delay, cust.add_stock, nsn)
