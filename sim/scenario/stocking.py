"""How much each stock point holds at day 0 and how fast it is drawn: one rule for the
simulator and the closed form, so "three months of demand" means one number everywhere.

Demand per month of one NSN at a place = aircraft x QPA x flight hours per aircraft per month
/ MTBR. A customer without bases is one stock point (its ``initial_stock``); with bases, that
stock is its central store and each base holds its own ``initial_stock``, sized in months of
the base's own demand.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.scenario.models import DAYS_PER_MONTH, Base, MonthsOfDemand, Quantities, SupportChoice
from sim.scenario.models import Customer as CustomerSpec


def months_to_units(months: float, aircraft: int, fh_per_aircraft_month: float,
                    parts: Mapping[str, int], mtbr: Mapping[str, float]) -> dict[str, int]:
    """Months of expected demand per NSN, rounded half up to whole units."""
    fh = aircraft * fh_per_aircraft_month
    return {nsn: int(months * fh * qpa / mtbr[nsn] + 0.5) for nsn, qpa in parts.items()}


def initial_quantities(spec: CustomerSpec, parts: Mapping[str, int], mtbr: Mapping[str, float],
                       months: float | None = None) -> dict[str, int]:
    """Spares on a customer's shelf at day 0: explicit quantities, or months of expected
    demand rounded to the nearest unit (``months`` overrides the customer's own; CLSSA's FMSO
    I levels in months use it, so "M months" means one number everywhere)."""
    fleet = spec.fleet
    if months is not None:
        return months_to_units(months, fleet.aircraft, fleet.fh_per_aircraft_month, parts, mtbr)
    return stock_units(spec.initial_stock, fleet.aircraft, fleet.fh_per_aircraft_month, parts,
                       mtbr)


def stock_units(spec: MonthsOfDemand | Quantities, aircraft: int, fh_per_aircraft_month: float,
                parts: Mapping[str, int], mtbr: Mapping[str, float]) -> dict[str, int]:
    """A stock spec as units per NSN of the parts list."""
    if isinstance(spec, MonthsOfDemand):
        return months_to_units(spec.months_of_demand, aircraft, fh_per_aircraft_month, parts,
                               mtbr)
    return {nsn: int(spec.quantities.get(nsn, 0)) for nsn in parts}


def base_fh(customer: CustomerSpec, base: Base) -> float:
    """Flight hours per aircraft per month at a base (the fleet's unless it says)."""
    return (customer.fleet.fh_per_aircraft_month if base.fh_per_aircraft_month is None
            else base.fh_per_aircraft_month)


def base_units(customer: CustomerSpec, base: Base, parts: Mapping[str, int],
               mtbr: Mapping[str, float]) -> dict[str, int]:
    """A base shelf at day 0: months of the base's own demand, or explicit quantities."""
    return stock_units(base.initial_stock, base.aircraft, base_fh(customer, base), parts, mtbr)


def removals_per_day(aircraft: int, fh_per_aircraft_month: float, qpa: int,
                     mtbr_fh: float) -> float:
    """Removals a day of one NSN with every aircraft flying."""
    return aircraft * qpa * fh_per_aircraft_month / DAYS_PER_MONTH / mtbr_fh


def in_country_stock(customer: CustomerSpec, choice: SupportChoice | None,
                     parts: Mapping[str, int], mtbr: Mapping[str, float],
                     ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """(central store or single shelf, {base: shelf}) at day 0 under an alternative: the
    alternative's own ``initial_stock`` / ``base_stock`` where it states them, else the
    customer's. Months of demand are the whole fleet's for the central store, each base's
    own for a base."""
    spec = choice.initial_stock if choice is not None and choice.initial_stock is not None \
        else customer.initial_stock
    central = stock_units(spec, customer.fleet.aircraft, customer.fleet.fh_per_aircraft_month,
                          parts, mtbr)
    bases = {}
    for base in customer.bases:
        own = choice.base_stock.get(base.name) if choice is not None else None
        bases[base.name] = stock_units(own or base.initial_stock, base.aircraft,
                                       base_fh(customer, base), parts, mtbr)
    return central, bases


def purchased_units(customer: CustomerSpec, choice: SupportChoice | None,
                    parts: Mapping[str, int], mtbr: Mapping[str, float]) -> dict[str, int]:
    """In-country units per NSN (central store and bases together) the customer buys at day 0
    under an alternative: all of them when its ``initial_stock_source`` is ``purchased``;
    with ``tpa``, only those beyond the package it already holds (moving units between its
    stores is free, so the comparison is per NSN)."""
    central, bases = in_country_stock(customer, choice, parts, mtbr)
    total = {n: central[n] + sum(b[n] for b in bases.values()) for n in parts}
    if customer.initial_stock_source == "purchased":
        return total
    own_central, own_bases = in_country_stock(customer, None, parts, mtbr)
    return {n: max(0, total[n] - own_central[n] - sum(b[n] for b in own_bases.values()))
            for n in parts}
