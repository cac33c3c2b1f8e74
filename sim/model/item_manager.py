"""The DoD wholesale item manager: stock per NSN, UMMIPS priority, protection level, buys.

UMMIPS priority designators (DoD 4140.01 / DLM 4000.25 Vol 2, ch. 4 matrix): FAD I-V by
urgency of need A (NMCS), B, C (stock replenishment). Lower is served first; ties first come,
first served.

Asset release: a *restricted* requisition (an FMS customer without CLSSA, or a CLSSA
requisition beyond its FMSO I stock level) may take only stock above the protection level;
what that cannot fill is put on procurement for the customer at once, one procurement lead
time, because DoD does not enlarge its inventories for FMS customers that have not funded a
CLSSA (DoD policy as summarized in LMI report ML309, "Foreign Military Sales Secondary Item
Requirements", 1983; DSCA SAMM C6, asset release). Unrestricted requisitions (US units,
programmed CLSSA requisitions) wait in priority order for stock returning from repair or
procurement.
"""

from __future__ import annotations

import bisect
import itertools
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.model.distributions import Sampler, sampler

if TYPE_CHECKING:
    from sim.model.world import World

PRIORITY = {
    "I": {"A": 1, "B": 4, "C": 11},
    "II": {"A": 2, "B": 5, "C": 12},
    "III": {"A": 3, "B": 6, "C": 13},
    "IV": {"A": 7, "B": 9, "C": 14},
    "V": {"A": 8, "B": 10, "C": 15},
}


def priority_designator(fad: str, urgency: str) -> int:
    return PRIORITY[fad][urgency]


class Requisition:
    """A backordered demand on wholesale; ``fill(arg)`` runs when a unit is issued to it."""

    __slots__ = ("arg", "customer", "day", "fill", "nsn", "priority")

    def __init__(self, nsn: str, priority: int, fill: Callable, arg: object,
                 customer: str, day: float) -> None:
        self.nsn = nsn
        self.priority = priority
        self.fill = fill
        self.arg = arg
        self.customer = customer
        self.day = day


class Reorder:
    """A replenishment buy in flight; ``then(nsn)`` runs when it (or a unit standing in for
    it) arrives."""

    __slots__ = ("cancelled", "nsn", "then")

    def __init__(self, nsn: str, then: Callable | None) -> None:
        self.nsn = nsn
        self.then = then
        self.cancelled = False


class ItemManager:
    """Wholesale stock per NSN, run as a base-stock (one-for-one) point: a unit lost to
    wholesale (condemned, or sold outright) is reordered at once.

    DoD does not stock for non-CLSSA FMS: the repaired carcass of an exchange whose
    serviceable was procured for the customer (not issued from stock) is a unit wholesale
    never gave. It stands in for the oldest reorder still in flight (which is cancelled);
    with none in flight it is excess to DoD's stock level and leaves the inventory
    (``excess``), so FMS exchanges never build DoD stock above its level.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        spec = world.scenario.wholesale
        self.on_hand = {nsn: spec.stock.get(nsn, 0) for nsn in world.items}
        self.protection = {nsn: spec.protection_level.get(nsn, 0) for nsn in world.items}
        self.backorders: dict[str, list[tuple[int, int, Requisition]]] = {
            nsn: [] for nsn in world.items}
        self.in_flight: dict[str, deque[Reorder]] = {nsn: deque() for nsn in world.items}
        self.excess = dict.fromkeys(world.items, 0)
        self._seq = itertools.count()
        self._lead: dict[str, Sampler] = {}
        self._customer_lead: dict[tuple[str, str], Sampler] = {}

    def issuable(self, nsn: str, restricted: bool) -> bool:
        """The protection rule: a restricted requisition may take only stock above the
        protection level, any other any stock on hand."""
        return self.on_hand[nsn] > (self.protection[nsn] if restricted else 0)

    def requisition(self, nsn: str, priority: int, restricted: bool, fill: Callable,
                    arg: object, customer: str, day: float) -> bool:
        """Issue at once (``fill(arg)``) if the rule allows; else an unrestricted requisition
        is backordered in priority order and a restricted one procured for the customer.
        Returns whether the unit comes (now or later) from wholesale stock."""
        on_hand = self.on_hand
        if on_hand[nsn] > (self.protection[nsn] if restricted else 0):   # ``issuable``
            on_hand[nsn] -= 1
            fill(arg)
            return True
        if restricted:
            self.world.after(self._customer_lead_time(customer, nsn), fill, arg)
            return False
        req = Requisition(nsn, priority, fill, arg, customer, day)
        bisect.insort(self.backorders[nsn], (priority, next(self._seq), req))
        return True

    def receive(self, nsn: str) -> None:
        """A serviceable enters wholesale stock (repair or procurement) and goes to the first
        backorder in priority order."""
        queue = self.backorders[nsn]
        if queue:
            req = queue.pop(0)[2]
            req.fill(req.arg)
        else:
            self.on_hand[nsn] += 1

    def receive_surplus(self, nsn: str) -> None:
        """A unit wholesale never issued (see the class): it replaces the oldest reorder in
        flight, or leaves the inventory as excess."""
        flight = self.in_flight[nsn]
        if not flight:
            self.excess[nsn] += 1
            return
        reorder = flight.popleft()
        reorder.cancelled = True
        self.receive(nsn)
        if reorder.then is not None:
            reorder.then(nsn)

    def procure(self, nsn: str, then: Callable | None = None) -> None:
        """Replace a unit lost to wholesale (condemned, or sold) after a procurement lead time
        (``then(nsn)`` runs when it arrives). Nothing is bought for an item that has left the
        DoD inventory (orders already placed still arrive)."""
        if not self.world.in_inventory(nsn):
            return
        draw = self._lead.get(nsn)
        if draw is None:
            draw = sampler(self.world.scenario.wholesale.procurement_lead_time_days,
                           self.world.streams.key("procurement", nsn))
            self._lead[nsn] = draw
        reorder = Reorder(nsn, then)
        self.in_flight[nsn].append(reorder)
        self.world.after(draw(), self._arrive, reorder)

    def _arrive(self, reorder: Reorder) -> None:
        if reorder.cancelled:
            return
        self.in_flight[reorder.nsn].remove(reorder)
        self.receive(reorder.nsn)
        if reorder.then is not None:
            reorder.then(reorder.nsn)

    def _customer_lead_time(self, customer: str, nsn: str) -> float:
        """Procurement lead time of a buy for one FMS customer, from its own stream."""
        key = (customer, nsn)
        draw = self._customer_lead.get(key)
        if draw is None:
            draw = sampler(self.world.scenario.wholesale.procurement_lead_time_days,
                           self.world.streams.key("fms_procurement", customer, nsn))
            self._customer_lead[key] = draw
        return draw()
