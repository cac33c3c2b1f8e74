"""Repair and Return: the customer's own unit is repaired at a named depot and shipped back.

A unit condemned at induction is replaced by an FMS buy from wholesale (stock above the
protection level only), which the item manager replaces by procurement. The customer pays the
depot's repair cost, both shipments, standard price for a replacement buy, and the surcharge.
"""

from __future__ import annotations

from sim.model.depot import RepairJob
from sim.model.support.base import WHOLESALE_COUNTRY, SupportOption


class RepairAndReturn(SupportOption):
    key = "repair_and_return"

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        self.depot = world.depots[choice.depot]

    def on_removal(self, urgent: bool) -> None:
        job = RepairJob(self.nsn, self.customer.name, self._repaired, self._condemned, urgent)
        self.ship(self.customer.country, self.depot.country, "carcass", self.depot.induct, job)

    def _repaired(self, job: RepairJob) -> None:
        self.charge("repair", self.depot.repair_cost(self.nsn))
        self.deliver_from(self.depot.country, "return")

    def _condemned(self, job: RepairJob) -> None:
        self.world.recorder.condemned(self.customer.stats, self.nsn)
        self.requisition(job.context, restricted=self.customer.is_fms, fill=self._bought)

    def _bought(self, _arg=None) -> None:
        self.charge("purchase", self.item.unit_price_usd, surcharge=self.customer.is_fms)
        self.world.item_manager.procure(self.nsn)
        self.deliver_from(WHOLESALE_COUNTRY, "buy")
