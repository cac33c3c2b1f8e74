"""How a US unit is supported: requisitions on wholesale at its FAD, carcasses to a US depot.

Not an alternative's option (US support is fixed); US units compete with FMS customers for
wholesale stock and US depot lines. Their costs are recorded as DoD costs (repair at the
exchange price, standard price for condemnations, transport), without FMS surcharge.
"""

from __future__ import annotations

from sim.model.support.base import WHOLESALE_COUNTRY, CarcassToWholesale


class UsWholesale(CarcassToWholesale):
    key = "us_wholesale"
    surcharged = False

    def on_removal(self, urgent: bool) -> None:
        self.requisition(urgent, restricted=False, fill=self._issued)
        self.return_carcass(self._carcass_condemned, self._carcass_repaired)

    def _issued(self, _arg=None) -> None:
        self.deliver_from(WHOLESALE_COUNTRY, "issue")

    def _carcass_repaired(self) -> None:
        self.charge("repair", self.item.repair_cost_usd)

    def _carcass_condemned(self) -> None:
        self.charge("purchase", self.item.unit_price_usd)
