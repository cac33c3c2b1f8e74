"""Direct Exchange: a like serviceable from DoD wholesale at once; the carcass goes to DoD.

The serviceable is requisitioned at removal (not when the carcass arrives), at the customer's
priority and, for an FMS customer without CLSSA, only from stock above the protection level;
what asset release cannot fill is procured for the customer (one procurement lead time:
``ItemManager.requisition``). The customer pays the exchange price (the item's repair cost)
when the carcass is accepted, or the full standard price if it is condemned, plus transport
and the FMS surcharge (DoD FMR Vol. 15 ch. 7, exchange pricing).
"""

from __future__ import annotations

from sim.model.support.base import CarcassToWholesale


class DirectExchange(CarcassToWholesale):
    key = "direct_exchange"

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        # The exchange price when the carcass is accepted, the standard price if condemned.
        self.repaired_bill = self.bill("exchange", self.item.repair_cost_usd)
        self.condemned_bill = self.bill("exchange", self.item.unit_price_usd)

    def on_removal(self, urgent: bool) -> None:
        from_stock = self.requisition(urgent, self.customer.is_fms, self.on_issued)
        self.return_carcass(from_stock)

    def replace(self, urgent: bool) -> bool:
        """No carcass to exchange: an outright FMS buy at standard price; a sale from stock is
        reordered at once."""
        if self.requisition(urgent, self.customer.is_fms, self._bought):
            self.world.item_manager.procure(self.nsn)
        return True

    def _bought(self, _arg=None) -> None:
        self.charge("purchase", self.item.unit_price_usd)
        self._issued()

