"""The one interface every support option implements, and the helpers they share.

An option is built per (customer, NSN) and answers a single question: a unit was removed —
where does the carcass go, where does the replacement come from, and what does it cost?
Adding an option is one new file with one subclass registered in ``support/__init__.py``.
Routes and depot ports are resolved once, at construction, to keep each removal cheap.

Options of one (customer, NSN) form a ``SupportChain``: the alternative's choice, then its
``fallback``, and so on. A removal goes to the first option that is ``available()`` (Direct
Exchange and CLSSA stop when the item leaves the DoD inventory, or for one customer when its
configuration departs from the US baseline); an option that fails later
(no commercial source) hands the removal on with ``fallback_removal``, and one that needs a
new unit without a carcass to work on (a condemnation after the item left the inventory)
asks the chain with ``fallback_replace``.
"""

from __future__ import annotations

from heapq import heappush
from typing import TYPE_CHECKING, ClassVar

from simpy.events import NORMAL

from sim.model.clock import Call
from sim.model.depot import RepairJob
from sim.model.item_manager import priority_designator
from sim.model.transport import Route
from sim.recorder import Bill
from sim.scenario.models import SupportChoice

if TYPE_CHECKING:
    from sim.model.customer import Customer
    from sim.model.depot import Depot
    from sim.model.world import World

WHOLESALE_COUNTRY = "US"


class SupportOption:
    """Base of all support options for one customer's one NSN."""

    key: ClassVar[str]
    #: whether the FMS administrative surcharge applies to this option's own case charges
    surcharged: ClassVar[bool] = True

    def __init__(self, world: World, customer: Customer, nsn: str,
                 choice: SupportChoice | None) -> None:
        self.world = world
        self.customer = customer
        self.nsn = nsn
        self.choice = choice
        self.item = world.items[nsn]
        self.stats = customer.stats
        self.shelf = customer.shelves[nsn]
        self.item_stats = self.shelf.item
        self.recorder = world.recorder
        self.env = world.env
        self.heap = world.env._queue
        self.eid = world.env._eid
        self._post = world.recorder.post
        self.fms_rate = world.surcharge_rate if customer.is_fms else 0.0
        self.rate = self.fms_rate if self.surcharged else 0.0
        self.customer_name = customer.name
        self._requisition = world.item_manager.requisition
        self.pd_urgent = priority_designator(customer.fad, "A")
        self.pd_routine = priority_designator(customer.fad, "C")
        end = choice.end_day if choice is not None else None
        self.end_day = float("inf") if end is None else end

    chain: SupportChain

    def on_removal(self, urgent: bool) -> None:
        """A unit of this NSN was removed; ``urgent`` if it left an aircraft NMCS."""
        raise NotImplementedError

    def available(self) -> bool:
        """Whether this option can take a removal now (the customer has not ended it)."""
        return self.env._now < self.end_day

    def always_available(self) -> bool:
        """Whether ``available()`` is True for the whole run (lets the chain be bypassed)."""
        return self.end_day == float("inf")

    def replace(self, urgent: bool) -> bool:
        """Obtain a serviceable for the shelf with no carcass to exchange or repair; False if
        this option cannot (repair options need the carcass)."""
        return False

    def fallback_removal(self, urgent: bool) -> None:
        self.chain.removal_after(self, urgent)

    def fallback_replace(self, urgent: bool) -> None:
        self.chain.replace_after(self, urgent)

    # -- shared helpers -------------------------------------------------------------------
    def charge(self, category: str, amount: float, rate: float | None = None) -> None:
        """Bill the customer; ``rate`` is the surcharge rate (default: this option's)."""
        self._post((self.env._now, self.stats, self.nsn, category, amount,
                    self.rate if rate is None else rate, False))

    def bill(self, category: str, amount: float, rate: float | None = None) -> Bill:
        """A charge of a fixed price, counted (``bill.n += 1``) each time it is made."""
        return self.recorder.bill(self.stats, self.nsn, category, amount,
                                  self.rate if rate is None else rate)

    def route(self, src: str, dst: str, leg_key: str, rate: float | None = None) -> Route:
        """The way this customer's units of this NSN travel for one purpose; its shipments
        are billed at ``rate`` of surcharge (default: this option's)."""
        route = self.world.transport.route(src, dst, (self.customer.name, self.nsn, leg_key))
        if route.cost:
            route.bill = self.bill("transport", route.cost, rate)
        return route

    def ship(self, route: Route, fn, arg) -> None:
        """Ship a unit over ``route`` (``fn(arg)`` on arrival) and bill the shipment."""
        if route.draw is None:
            fn(arg)
        else:
            Call(self.env, route.draw(), fn, arg)
        if route.bill is not None:
            route.bill.n += 1

    def ship_to_shelf(self, route: Route) -> None:
        """Ship a serviceable over ``route`` to this customer's shelf and bill the shipment;
        the shelf is the arrival's event (no object per shipment)."""
        if route.draw is None:
            self.shelf.receive()
        else:
            heappush(self.heap, (self.env._now + route.draw(), NORMAL, next(self.eid),
                                 self.shelf))
        if route.bill is not None:
            route.bill.n += 1

    def ship_carcass(self, route: Route, job: RepairJob) -> None:
        """Ship a carcass to this option's depot (``self.depot``) and bill the shipment; the
        job itself is the shipment's event (no wrapper)."""
        if route.draw is None:
            self.depot.induct(job)
        else:
            job.callbacks = self.depot.induct_cbs
            heappush(self.heap, (self.env._now + route.draw(), NORMAL, next(self.eid), job))
        if route.bill is not None:
            route.bill.n += 1

    def requisition(self, urgent: bool, restricted: bool, fill, arg=None) -> bool:
        """Requisition a serviceable from wholesale; ``fill(arg)`` runs when one is issued.
        Returns whether it comes from wholesale stock (False: procured for the customer, the
        asset-release rule of ``ItemManager``)."""
        return self._requisition(self.nsn, self.pd_urgent if urgent else self.pd_routine,
                                 restricted, fill, arg, self.customer_name, self.env._now)

    def us_depot(self) -> Depot:
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


class SupportChain:
    """The options of one customer's NSN, in order of preference."""

    def __init__(self, customer: Customer, nsn: str, options: list[SupportOption]) -> None:
        self.customer = customer
        self.nsn = nsn
        self.options = options
        for opt in options:
            opt.chain = self

    @property
    def entry(self):
        """What a removal calls: the first option directly when it can never be unavailable
        (saving a dispatch on the hottest path), else the chain."""
        first = self.options[0]
        return first.on_removal if first.always_available() else self.on_removal

    def on_removal(self, urgent: bool) -> None:
        for opt in self.options:
            if opt.available():
                opt.on_removal(urgent)
                return
        self.unsupported()

    def removal_after(self, failed: SupportOption, urgent: bool) -> None:
        for opt in self.options[self.options.index(failed) + 1:]:
            if opt.available():
                opt.on_removal(urgent)
                return
        self.unsupported()

    def replace_after(self, failed: SupportOption, urgent: bool) -> None:
        for opt in self.options[self.options.index(failed) + 1:]:
            if opt.available() and opt.replace(urgent):
                return
        self.unsupported()

    def unsupported(self) -> None:
        """No option can supply this unit: what is owed to the shelf never arrives."""
        self.customer.world.recorder.no_source(self.customer.shelves[self.nsn].item)


class CarcassToWholesale(SupportOption):
    """Shared by options whose carcass is repaired into DoD stock (DX, CLSSA, US units): a
    serviceable is requisitioned from wholesale at removal and the carcass goes to a US depot.

    The carcass's job carries whether the serviceable came from wholesale stock: if it did,
    the repaired carcass restocks it and a condemned one is reordered; if it was procured for
    the customer, the repaired carcass is a unit wholesale never gave (it offsets a reorder)
    and a condemned one costs wholesale nothing."""

    def __init__(self, world, customer, nsn, choice) -> None:
        super().__init__(world, customer, nsn, choice)
        depot = self.us_depot()
        self.depot = depot
        self.port = depot.port(customer.name, nsn)
        self.carcass_route = self.route(customer.country, depot.country, "carcass")
        self.issue_route = self.route(WHOLESALE_COUNTRY, customer.country, "issue")
        self.manager = world.item_manager
        self.on_repaired = self._repaired
        self.on_condemned = self._condemned
        self.on_issued = self._issued
        # Standard for this customer until it leaves the DoD inventory or the customer's
        # configuration diverges from the US baseline.
        self.standard_day = world.standard_day[(customer.name, nsn)]
        self.repaired_bill: Bill | None = None      # what a subclass bills per carcass
        self.condemned_bill: Bill | None = None

    def _issued(self, _arg=None) -> None:
        """A serviceable leaves wholesale for the shelf."""
        self.ship_to_shelf(self.issue_route)

    def return_carcass(self, from_stock: bool) -> None:
        """Ship the carcass to the US depot."""
        self.ship_carcass(self.carcass_route,
                          RepairJob(self.port, self.on_repaired, self.on_condemned, from_stock))

    def _repaired(self, job: RepairJob) -> None:
        if job.context:
            self.manager.receive(self.nsn)
        else:
            self.manager.receive_surplus(self.nsn)
        if self.repaired_bill is not None:          # ``carcass_repaired`` inlined
            self.repaired_bill.n += 1

    def _condemned(self, job: RepairJob) -> None:
        self.recorder.condemned(self.item_stats)
        if job.context:
            self.manager.procure(self.nsn)
        self.carcass_condemned()

    def available(self) -> bool:
        return self.env._now < self.standard_day and self.env._now < self.end_day

    def always_available(self) -> bool:
        return self.standard_day == float("inf") and super().always_available()

    def carcass_repaired(self) -> None:
        """Bill for a carcass repaired into wholesale."""
        if self.repaired_bill is not None:
            self.repaired_bill.n += 1

    def carcass_condemned(self) -> None:
        """Bill for a carcass condemned at the depot."""
        if self.condemned_bill is not None:
            self.condemned_bill.n += 1
