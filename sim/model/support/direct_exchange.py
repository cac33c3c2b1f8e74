"""Direct Exchange: a like serviceable from DoD wholesale at once; the carcass goes to DoD.

The serviceable is requisitioned at removal (not when the carcass arrives), at the customer's
priority and, for an FMS customer without CLSSA, only from stock above the protection level.
The customer pays the exchange price (the item's repair cost) when the carcass is accepted,
or the full standard price if it is condemned, plus transport and the FMS surcharge.
"""

from __future__ import annotations

from sim.model.support.base import WHOLESALE_COUNTRY, CarcassToWholesale


class DirectExchange(CarcassToWholesale):
    key = "direct_exchange"

    def on_removal(self, urgent: bool) -> None:
        self.requisition(urgent, restricted=self.customer.is_fms, fill=self._issued)
        self.return_carcass(self._carcass_condemned, self._carcass_repaired)

    def _issued(self, _arg=None) -> None:
        self.deliver_from(WHOLESALE_COUNTRY, "issue")

    def _carcass_repaired(self) -> None:
        self.charge("exchange", self.item.repair_cost_usd)

    def _carcass_condemned(self) -> None:
        self.charge("exchange", self.item.unit_price_usd)
