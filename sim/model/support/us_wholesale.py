"""How a US unit is supported: requisitions on wholesale at its FAD, carcasses to a US depot.

Not an alternative's option (US support is fixed); US units compete with FMS customers for
wholesale stock and US depot lines. Their costs are recorded as DoD costs (repair at the
item's repair cost, standard price for condemnations, transport), without FMS surcharge.
"""

from __future__ import annotations

from sim.model.support.base import CarcassToWholesale


class UsWholesale(CarcassToWholesale):
    key = "us_wholesale"
    surcharged = False

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        self.repaired_bill = self.bill("repair", self.item.repair_cost_usd)
        self.condemned_bill = self.bill("purchase", self.item.unit_price_usd)

    def on_removal(self, urgent: bool) -> None:
        self.requisition(urgent, False, self.on_issued)
        self.return_carcass(True)
