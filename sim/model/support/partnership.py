"""A member of a Weapon System Partnership: its removals are supplied from the pooled store.

The shelf requisitions a serviceable from the partnership's store at removal (shipped over
the issue leg, or queued there); the carcass goes to the partnership's depot and, repaired,
to the store; a condemned one is replaced by the agency's buy — an FMS buy from wholesale
while the item is standard for the member, then the partnership's ``commercial_buy`` (none:
no source). Every charge is the partnership's (``sim.model.partnership``), charged back to
the members by its formula; the FMS surcharge applies to the agency's FMS buys and their
shipments only.
"""

from __future__ import annotations

from heapq import heappush

from simpy.events import NORMAL

from sim.model.clock import Call
from sim.model.depot import RepairJob
from sim.model.distributions import sampler
from sim.model.support.base import WHOLESALE_COUNTRY, SupportOption
from sim.model.transport import Route


class PartnershipOption(SupportOption):
    key = "partnership"
    surcharged = False

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        partnership = world.partnerships[choice.partnership]
        self.partnership = partnership
        self.member = partnership.members[customer.name]
        self.store = partnership.stores[nsn]
        spec = partnership.spec
        depot = partnership.depot
        self.depot = depot
        self.port = depot.port(customer.name, nsn)
        self.account = partnership.account
        self.repair_bill = self.recorder.bill(self.account, nsn, "repair",
                                              depot.repair_cost(nsn), 0.0)
        self.out_route = self._route(customer.country, depot.country, "carcass")
        self.back_route = self._route(depot.country, spec.store_country, "return")
        self.issue_route = self._route(spec.store_country, customer.country, "pool_issue")
        self.buy_route: Route | None = None     # made at the first condemnation
        self.commercial = None
        self.on_repaired = self._repaired
        self.on_condemned = self._condemned

    def _route(self, src: str, dst: str, leg_key: str, rate: float = 0.0) -> Route:
        """A route whose shipments the partnership pays (keyed by the member, as its own
        support option's would be)."""
        route = self.world.transport.route(src, dst, (self.customer_name, self.nsn, leg_key))
        if route.cost:
            route.bill = self.recorder.bill(self.account, self.nsn, "transport", route.cost,
                                            rate)
        return route

    def on_removal(self, urgent: bool) -> None:
        self.store.request(self, urgent)
        self.ship_carcass(self.out_route,
                          RepairJob(self.port, self.on_repaired, self.on_condemned, urgent))

    def _repaired(self, job: RepairJob) -> None:
        self.repair_bill.n += 1
        self._to_store(self.back_route)

    def _to_store(self, route: Route) -> None:
        """Ship a serviceable to the pooled store; the store is the arrival's event."""
        if route.draw is None:
            self.store.receive()
        else:
            heappush(self.heap, (self.env._now + route.draw(), NORMAL, next(self.eid),
                                 self.store))
        if route.bill is not None:
            route.bill.n += 1

    def _condemned(self, job: RepairJob) -> None:
        self.recorder.condemned(self.item_stats)
        if self.world.standard_for(self.customer_name, self.nsn):
            if self.requisition(job.context, restricted=True, fill=self._bought):
                self.world.item_manager.procure(self.nsn)   # a sale from stock is reordered
            return
        buy = self.partnership.spec.commercial_buy
        if buy is None:
            self.recorder.no_source(self.item_stats)        # the store is never repaid
            return
        if self.commercial is None:
            self.commercial = sampler(buy.lead_time_days, self.world.streams.key(
                "partnership_buy", self.partnership.name, self.customer_name, self.nsn))
        Call(self.env, self.commercial(), self._bought_commercial)

    def _bought(self, _arg=None) -> None:
        """The agency's FMS buy: standard price plus the surcharge, shipped to the store."""
        self.recorder.charge(self.account, self.nsn, "purchase", self.item.unit_price_usd,
                             self.fms_rate, self.env._now)
        if self.buy_route is None:
            self.buy_route = self._route(WHOLESALE_COUNTRY, self.partnership.spec.store_country,
                                         "buy", self.fms_rate)
        self._to_store(self.buy_route)

    def _bought_commercial(self, _arg=None) -> None:
        """A new unit from industry, delivered to the store (no FMS surcharge)."""
        factor = self.partnership.spec.commercial_buy.price_factor
        self.recorder.charge(self.account, self.nsn, "purchase",
                             self.item.unit_price_usd * factor, 0.0, self.env._now)
        self.store.receive()
