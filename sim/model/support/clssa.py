"""Cooperative Logistics Supply Support Arrangement (CLSSA).

The nation buys into DoD's supply system (FMSO I) and requisitions against it (FMSO II).
A requisition within its FMSO I stock level is coded *programmed* and served from all
wholesale stock at the customer's equivalent FAD, exactly like a US unit of that FAD; beyond
the level it is *unprogrammed* and the non-CLSSA asset-release rule applies (stock above the
protection level, else procured for the customer). CLSSA without FMSO I is therefore Direct
Exchange. The level's bookkeeping, deposit and drawdown are ``sim.model.fmso1``'s.

Reparables come through the Repair and Replace (exchange) program: the carcass is turned in
to a US depot and the customer pays the exchange price; the standard price only when the
carcass is condemned or none comes back — never both (AFLCMC/WFALA, "CLSSA and Repair and
Replace Country Brochure", Aug 2020, ch. 6; DoD FMR Vol. 15 ch. 7). Plus transport and the
FMS surcharge. Only items in the DoD inventory, never commercial, munition or major-end items
(DESIGN §2).
"""

from __future__ import annotations

from sim.model.depot import RepairJob
from sim.model.support.direct_exchange import DirectExchange


class Clssa(DirectExchange):
    key = "clssa"

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        self.account = world.fmso1_account(customer.name, nsn)
        self.on_programmed_repaired = self._programmed_repaired
        self.on_programmed_condemned = self._programmed_condemned

    def on_removal(self, urgent: bool) -> None:
        if not self.account.try_program():
            super().on_removal(urgent)        # unprogrammed: the non-CLSSA rule
            return
        self.requisition(urgent, False, self.on_issued)
        job = RepairJob(self.port, self.on_programmed_repaired, self.on_programmed_condemned)
        self.ship_carcass(self.carcass_route, job)

    def _programmed_repaired(self, job: RepairJob) -> None:
        self.manager.receive(self.nsn)
        self.account.restore()
        self.carcass_repaired()

    def _programmed_condemned(self, job: RepairJob) -> None:
        """The level is restored when the replacement procurement arrives."""
        self.recorder.condemned(self.item_stats)
        self.manager.procure(self.nsn, self.account.restore)
        self.carcass_condemned()

    def replace(self, urgent: bool) -> bool:
        """No carcass (condemned elsewhere in the chain): a buy at standard price; programmed
        if within the level (the sale is reordered and restores it on arrival)."""
        if not self.account.try_program():
            return super().replace(urgent)
        self.requisition(urgent, False, self._bought)
        self.world.item_manager.procure(self.nsn, self.account.restore)
        return True
