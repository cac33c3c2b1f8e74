"""How a US unit is supported: requisitions on wholesale at its FAD, carcasses to a US depot.

Not an alternative's option (US support is fixed); US units compete with FMS customers for
wholesale stock and US depot lines. Their costs are recorded as DoD costs (repair at the
item's repair cost, standard price for condemnations, transport), without FMS surcharge.
"""

from __future__ import annotations

from heapq import heappush

from simpy.events import NORMAL

from sim.model.depot import RepairJob
from sim.model.support.base import CarcassToWholesale


class UsWholesale(CarcassToWholesale):
    key = "us_wholesale"
    surcharged = False

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        self.repaired_bill = self.bill("repair", self.item.repair_cost_usd)
        self.condemned_bill = self.bill("purchase", self.item.unit_price_usd)

    def on_removal(self, urgent: bool) -> None:
        # ``requisition(urgent, False, self.on_issued)`` then ``return_carcass(True)``, with
        # ``ship_carcass`` inlined: most removals of a reference run are a US unit's.
        now = self.env._now
        self._requisition(self.nsn, self.pd_urgent if urgent else self.pd_routine, False,
                          self.on_issued, None, self.customer_name, now)
        job = RepairJob(self.port, self.on_repaired, self.on_condemned, True)
        route = self.carcass_route
        if route.draw is None:
            self.depot.induct(job)
        else:
            job.callbacks = self.depot.induct_cbs
            heappush(self.heap, (self.env._now + route.draw(), NORMAL, next(self.eid), job))
        if route.bill is not None:
            route.bill.n += 1
