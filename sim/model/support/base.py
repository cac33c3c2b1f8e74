"""The one interface every support option implements, and the helpers they share.

An option is built per (customer, NSN) and answers a single question: a unit was removed —
where does the carcass go, where does the replacement come from, and what does it cost?
Adding an option is one new file with one subclass registered in ``support/__init__.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from sim.model.item_manager import Requisition, priority_designator
from sim.scenario.models import SupportChoice

if TYPE_CHECKING:
    from sim.model.customer import Customer
    from sim.model.depot import Depot
    from sim.model.world import World

WHOLESALE_COUNTRY = "US"


class SupportOption:
    """Base of all support options for one customer's one NSN."""

    key: ClassVar[str]
    #: whether the FMS administrative surcharge applies to this option's case charges
    surcharged: ClassVar[bool] = True

    def __init__(self, world: "World", customer: "Customer", nsn: str,
                 choice: SupportChoice | None) -> None:
        self.world = world
        self.customer = customer
        self.nsn = nsn
        self.choice = choice
        self.item = world.items[nsn]

    def on_removal(self, urgent: bool) -> None:
        """A unit of this NSN was removed; ``urgent`` if it left an aircraft NMCS."""
        raise NotImplementedError

    # -- shared helpers -------------------------------------------------------------------
    def charge(self, category: str, amount: float, surcharge: bool | None = None) -> None:
        """Bill the customer; FMS case charges carry the administrative surcharge."""
        now = self.world.env.now
        rec = self.world.recorder
        stats = self.customer.stats
        rec.cost(stats, self.nsn, category, amount, now)
        if surcharge is None:
            surcharge = self.surcharged
        if surcharge and self.customer.is_fms:
            rec.cost(stats, self.nsn, "surcharge", amount * self.world.surcharge_rate, now)

    def ship(self, src: str, dst: str, leg_key: str, fn, arg) -> None:
        """Ship a unit and bill the leg's cost to this customer."""
        key = (self.customer.name, self.nsn, leg_key)
        cost = self.world.transport.ship(src, dst, key, fn, arg)
        self.charge("transport", cost)

    def deliver_from(self, country: str, leg_key: str) -> None:
        """Ship a serviceable from ``country`` into the customer's stock."""
        self.ship(country, self.customer.country, leg_key, self.customer.receive, self.nsn)

    def requisition(self, urgent: bool, restricted: bool, fill, arg=None) -> None:
        pd = priority_designator(self.customer.fad, "A" if urgent else "C")
        req = Requisition(self.nsn, pd, restricted, fill, arg, self.customer.name,
                          self.world.env.now)
        self.world.item_manager.requisition(req)

    def us_depot(self) -> "Depot":
        """The depot that repairs this NSN into wholesale: the choice's depot if it is in the
        US, else the first organic or contractor depot in the US that repairs it."""
        name = self.choice.depot if self.choice is not None else None
        if name is not None and self.world.depots[name].country == WHOLESALE_COUNTRY:
            return self.world.depots[name]
        for depot in self.world.depots.values():
            spec = depot.spec
            if (spec.country == WHOLESALE_COUNTRY and spec.kind in ("organic", "contractor")
                    and spec.repairs_item(self.nsn)):
                return depot
        raise RuntimeError(f"no US depot repairs {self.nsn}")


class CarcassToWholesale(SupportOption):
    """Shared by options whose carcass is repaired into DoD stock (DX, CLSSA, US units)."""

    def return_carcass(self, on_condemned, on_repaired) -> None:
        from sim.model.depot import RepairJob

        depot = self.us_depot()
        job = RepairJob(self.nsn, self.customer.name, self._repaired, self._condemned,
                        (on_condemned, on_repaired))
        self.ship(self.customer.country, depot.country, "carcass", depot.induct, job)

    def _repaired(self, job) -> None:
        self.world.item_manager.receive(self.nsn)
        job.context[1]()

    def _condemned(self, job) -> None:
        self.world.recorder.condemned(self.customer.stats, self.nsn)
        self.world.item_manager.procure(self.nsn)
        job.context[0]()
