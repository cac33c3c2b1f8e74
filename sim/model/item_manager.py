"""The DoD wholesale item manager: stock per NSN, UMMIPS priority, protection level, buys.

UMMIPS priority designators (DoD 4140.01 / DLM 4000.25 Vol 2, ch. 4 matrix): FAD I-V by
urgency of need A (NMCS), B, C (stock replenishment). Lower is served first; ties first come,
first served.
"""

from __future__ import annotations

import bisect
import itertools
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
    """A demand on wholesale; ``fill(arg)`` runs when a unit is issued against it."""

    __slots__ = ("arg", "customer", "day", "fill", "nsn", "priority", "restricted")

    def __init__(self, nsn: str, priority: int, restricted: bool, fill: Callable, arg: object,
                 customer: str, day: float) -> None:
        self.nsn = nsn
        self.priority = priority
        self.restricted = restricted
        self.fill = fill
        self.arg = arg
        self.customer = customer
        self.day = day


class ItemManager:
    """Wholesale stock. A restricted requisition (non-CLSSA FMS) may take only stock above the
    protection level; backorders are filled in priority order as stock returns."""

    def __init__(self, world: World) -> None:
        self.world = world
        spec = world.scenario.wholesale
        self.on_hand = {nsn: spec.stock.get(nsn, 0) for nsn in world.items}
        self.protection = {nsn: spec.protection_level.get(nsn, 0) for nsn in world.items}
        self.backorders: dict[str, list[tuple[int, int, Requisition]]] = {
            nsn: [] for nsn in world.items}
        self._seq = itertools.count()
        self._lead: dict[str, Sampler] = {}

    def issuable(self, nsn: str, restricted: bool) -> bool:
        """The protection rule: a restricted requisition (non-CLSSA FMS) may take only stock
        above the protection level, any other any stock on hand."""
        return self.on_hand[nsn] > (self.protection[nsn] if restricted else 0)

    def requisition(self, nsn: str, priority: int, restricted: bool, fill: Callable,
                    arg: object, customer: str, day: float) -> None:
        """Issue at once (``fill(arg)``) if the rule allows, else backorder in priority order.
        The Requisition record is made only for a backorder, the less common case."""
        if self.issuable(nsn, restricted):
            self.on_hand[nsn] -= 1
            fill(arg)
        else:
            req = Requisition(nsn, priority, restricted, fill, arg, customer, day)
            bisect.insort(self.backorders[nsn], (priority, next(self._seq), req))

    def receive(self, nsn: str) -> None:
        """A serviceable enters wholesale stock (repair or procurement) and goes to the first
        eligible backorder in priority order."""
        self.on_hand[nsn] += 1
        queue = self.backorders[nsn]
        if not queue:
            return
        for i, (_, _, req) in enumerate(queue):
            if self.issuable(nsn, req.restricted):
                del queue[i]
                self.on_hand[nsn] -= 1
                req.fill(req.arg)
                return

    def procure(self, nsn: str) -> None:
        """Replace a unit lost to wholesale (condemned, or sold) after a procurement lead time;
        nothing is bought for an item that has left the DoD inventory (orders already placed
        still arrive)."""
        if not self.world.in_inventory(nsn):
            return
        draw = self._lead.get(nsn)
        if draw is None:
            draw = sampler(self.world.scenario.wholesale.procurement_lead_time_days,
                           self.world.streams.generator("procurement", nsn))
            self._lead[nsn] = draw
        self.world.after(draw(), self.receive, nsn)
