"""Direct Commercial Sales: the nation contracts a US company to repair its units.

The carcass ships to the US, the contractor turns it around in the contract's lead time
(``dcs.lead_time_days``) and ships it back; a unit the contractor finds beyond repair (the
item's condemnation rate) is replaced with a new one in the same lead time at the unit price
x the contract's price factor. The contract price is the item's repair cost x price factor.
No FMS case, so no surcharge; an FMFP-funded customer needs a DCS waiver (validated).
"""

from __future__ import annotations

from sim.model.clock import Call
from sim.model.distributions import sampler
from sim.model.support.base import WHOLESALE_COUNTRY, SupportOption
from sim.scenario.models import DcsTerms


class DirectCommercialSale(SupportOption):
    key = "dcs"
    surcharged = False

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        terms = choice.dcs or DcsTerms()
        name = customer.name
        self.terms = terms
        self.lead = sampler(terms.lead_time_days, world.streams.key("dcs", "lead", name, nsn))
        self.condemn = world.streams.uniform("condemn", name, nsn)
        self.out_route = self.route(customer.country, WHOLESALE_COUNTRY, "dcs_out")
        self.back_route = self.route(WHOLESALE_COUNTRY, customer.country, "dcs_back")

    def on_removal(self, urgent: bool) -> None:
        self.ship(self.out_route, self._at_contractor, urgent)

    def replace(self, urgent: bool) -> bool:
        Call(self.env, self.lead(), self._done, True)
        return True

    def _at_contractor(self, _urgent: bool) -> None:
        condemned = self.condemn() < self.item.condemnation_rate
        if condemned:
            self.recorder.condemned(self.item_stats)
        Call(self.env, self.lead(), self._done, condemned)

    def _done(self, new_unit: bool) -> None:
        if new_unit:
            self.charge("purchase", self.item.unit_price_usd * self.terms.price_factor)
        else:
            self.charge("repair", self.item.repair_cost_usd * self.terms.price_factor)
        self.ship_to_shelf(self.back_route)
