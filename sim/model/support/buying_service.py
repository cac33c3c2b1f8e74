"""PROS and SNAP: buying a replacement through a commercial buying service.

PROS (Parts and Repair Ordering System) and SNAP (Simplified Nonstandard Acquisition Process)
buy non-standard or out-of-stock parts from industry for FMS customers. A requisition searches
for a source (``search_days``); with ``no_source_probability`` none is found and the removal
goes to the fallback option (or, with none, stays a hole, counted ``no_source``). Otherwise a
new unit arrives after the service's lead time and ships over the US leg; the carcass is not
repaired. Billed: vendor price (unit price x price factor) in ``cost_purchase_usd``, the
service fee in ``cost_fees_usd``, transport, and the FMS surcharge (both are FMS cases).
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
                              streams.generator(self.key, "search", name, nsn))
        self.lead = sampler(service.lead_time_days, streams.generator(self.key, "lead", name, nsn))
        self.source = streams.uniform(self.key, "source", name, nsn)
        self.price = self.item.unit_price_usd * service.price_factor
        self.delivery = self.route(WHOLESALE_COUNTRY, customer.country, self.key)

    def on_removal(self, urgent: bool) -> None:
        self._buy(urgent, self.fallback_removal)

    def replace(self, urgent: bool) -> bool:
        self._buy(urgent, self.fallback_replace)
        return True

    def _buy(self, urgent: bool, on_fail) -> None:
        if self.source() < self.service.no_source_probability:
            Call(self.env, self.search(), on_fail, urgent)
        else:
            Call(self.env, self.search() + self.lead(), self._delivered)

    def _delivered(self, _arg=None) -> None:
        self.charge("purchase", self.price)
        self.charge("fees", self.price * self.service.fee_rate)
        self.ship(self.delivery, self.customer.receive, self.nsn)


class Pros(BuyingService):
    key = "pros"


class Snap(BuyingService):
    key = "snap"
