"""PROS and SNAP: a commercial buying service finds a source for a non-standard or
out-of-stock reparable.

PROS is the Parts *and Repair* Ordering System: it buys non-standard parts and non-standard
repair services from industry for FMS customers (SNAP, the Simplified Nonstandard
Acquisition Process, likewise). For a removed reparable the service searches for a source
(``search_days``):

- with ``no_source_probability`` it finds none and the removal goes to the fallback option
  (or, with none, stays a hole, counted ``no_source``);
- with ``no_repair_source_probability`` the source it finds can only sell a new unit, which
  arrives after ``lead_time_days``;
- otherwise the carcass ships to the commercial repair source (the US leg), which repairs it
  in ``repair_lead_time_days`` and ships it back — unless its inspection finds the unit beyond
  repair (the item's condemnation rate), when a new unit is bought instead (its lead time
  after the inspection).

Billed: vendor repair price (repair cost x ``repair_price_factor``) in ``cost_repair_usd`` or
vendor price (unit price x ``price_factor``) in ``cost_purchase_usd``, the service fee on
either in ``cost_fees_usd``, transport, and the FMS surcharge (both services are FMS cases).
"""

from __future__ import annotations

from sim.model.clock import Call
from sim.model.distributions import sampler
from sim.model.support.base import WHOLESALE_COUNTRY, SupportOption


class BuyingService(SupportOption):
    key = "pros"

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        service = getattr(world.scenario.buying_services, self.key)
        name = customer.name
        streams = world.streams
        self.service = service
        self.search = sampler(service.search_days,
                              streams.key(self.key, "search", name, nsn))
        self.lead = sampler(service.lead_time_days, streams.key(self.key, "lead", name, nsn))
        self.repair_lead = sampler(service.repair_lead_time_days,
                                   streams.key(self.key, "repair_lead", name, nsn))
        self.source = streams.uniform(self.key, "source", name, nsn)
        self.repair_source = streams.uniform(self.key, "repair_source", name, nsn)
        self.condemn = streams.uniform("condemn", name, nsn)
        self.price = self.item.unit_price_usd * service.price_factor
        self.repair_price = self.item.repair_cost_usd * service.repair_price_factor
        self.delivery = self.route(WHOLESALE_COUNTRY, customer.country, self.key)
        self.carcass_route = self.route(customer.country, WHOLESALE_COUNTRY,
                                        f"{self.key}_carcass")

    def on_removal(self, urgent: bool) -> None:
        if self.source() < self.service.no_source_probability:
            Call(self.env, self.search(), self.fallback_removal, urgent)
        elif self.repair_source() < self.service.no_repair_source_probability:
            Call(self.env, self.search() + self.lead(), self._new_delivered)
        else:
            Call(self.env, self.search(), self._ship_carcass)

    def replace(self, urgent: bool) -> bool:
        """A new unit with no carcass to repair (condemned elsewhere in the chain)."""
        if self.source() < self.service.no_source_probability:
            Call(self.env, self.search(), self.fallback_replace, urgent)
        else:
            Call(self.env, self.search() + self.lead(), self._new_delivered)
        return True

    def _ship_carcass(self, _arg=None) -> None:
        self.ship(self.carcass_route, self._at_repair_source, None)

    def _at_repair_source(self, _arg=None) -> None:
        if self.condemn() < self.item.condemnation_rate:
            self.recorder.condemned(self.item_stats)
            Call(self.env, self.lead(), self._new_delivered)
        else:
            Call(self.env, self.repair_lead(), self._repair_delivered)

    def _new_delivered(self, _arg=None) -> None:
        self._deliver("purchase", self.price)

    def _repair_delivered(self, _arg=None) -> None:
        self._deliver("repair", self.repair_price)

    def _deliver(self, category: str, price: float) -> None:
        self.charge(category, price)
        self.charge("fees", price * self.service.fee_rate)
        self.ship_to_shelf(self.delivery)


class Pros(BuyingService):
    key = "pros"


class Snap(BuyingService):
    key = "snap"
