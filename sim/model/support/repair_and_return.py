"""Repair and Return: the customer's own unit is repaired at a named depot and shipped back.

A unit condemned at induction is replaced by an FMS buy from wholesale: stock above the
protection level (a sale the item manager reorders), else procured for the customer (one
procurement lead time). The customer pays the depot's repair cost, both shipments, standard
price for a replacement buy, and the surcharge.
"""

from __future__ import annotations

from sim.model.depot import RepairJob
from sim.model.support.base import WHOLESALE_COUNTRY, SupportOption


class RepairAndReturn(SupportOption):
    key = "repair_and_return"

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        depot = world.depots[choice.depot]
        self.depot = depot
        self.port = depot.port(customer.name, nsn)
        self.repair_cost = depot.repair_cost(nsn)
        self.repair_bill = self.bill("repair", self.repair_cost)
        self.out_route = self.route(customer.country, depot.country, "carcass")
        self.back_route = self.route(depot.country, customer.country, "return")
        self.on_repaired = self._repaired
        self.on_condemned = self._condemned
        self.buy_route = None   # made at the first condemnation: most units never need it

    def on_removal(self, urgent: bool) -> None:
        job = RepairJob(self.port, self.on_repaired, self.on_condemned, urgent)
        self.ship_carcass(self.out_route, job)

    def _repaired(self, job: RepairJob) -> None:
        self.repair_bill.n += 1
        self.ship_to_shelf(self.back_route)

    def _condemned(self, job: RepairJob) -> None:
        """A replacement is bought from wholesale while the item is standard; afterwards the
        chain's later options are asked for a new unit (e.g. PROS)."""
        self.recorder.condemned(self.item_stats)
        if self.world.standard_for(self.customer_name, self.nsn):
            if self.requisition(job.context, restricted=self.customer.is_fms, fill=self._bought):
                self.world.item_manager.procure(self.nsn)   # a sale from stock is reordered
        else:
            self.fallback_replace(job.context)

    def _bought(self, _arg=None) -> None:
        """The replacement is an FMS sale: surcharged even when the repair itself is not."""
        self.charge("purchase", self.item.unit_price_usd, self.fms_rate)
        if self.buy_route is None:
            self.buy_route = self.route(WHOLESALE_COUNTRY, self.customer.country, "buy",
                                        self.fms_rate)
        self.ship_to_shelf(self.buy_route)
