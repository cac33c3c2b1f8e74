"""Cooperative Logistics Supply Support Arrangement (CLSSA).

The nation buys into DoD's supply system: its FMSO II requisitions are filled from wholesale at
its equivalent FAD exactly like a US unit of that FAD — not held above the protection level —
and its FMSO I buy-in adds stock to wholesale once it matures, one procurement lead time after
the arrangement starts (until then requisitions get only what is on hand). Carcasses go to a
US depot as in Direct Exchange. Each requisition is billed at standard price plus the FMS
surcharge; the FMSO I deposit is billed at day 0 (``sim.analytic.clssa.fmso1_deposit``).
Only items in the DoD inventory, never commercial, munition or major-end items (DESIGN §2).
"""

from __future__ import annotations

from sim.model.support.base import CarcassToWholesale


class Clssa(CarcassToWholesale):
    key = "clssa"

    def on_removal(self, urgent: bool) -> None:
        self.requisition(urgent, False, self.on_issued)
        self.return_carcass()

    def _issued(self, _arg=None) -> None:
        self.charge("purchase", self.item.unit_price_usd)
        super()._issued()

    def replace(self, urgent: bool) -> bool:
        """A requisition with no carcass to return (the unit was condemned elsewhere); the
        item manager reorders the unit it sells."""
        self.world.item_manager.procure(self.nsn)
        self.requisition(urgent, False, self._issued)
        return True
