"""A customer (US unit or FMS nation): its shelf of serviceables and its backorders."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.model.fleet import Fleet
from sim.scenario.models import Customer as CustomerSpec
from sim.scenario.models import MonthsOfDemand

if TYPE_CHECKING:
    from sim.model.world import World


def initial_quantities(spec: CustomerSpec, parts: dict[str, int], mtbr: dict[str, float],
                       months: float | None = None) -> dict[str, int]:
    """Spares on the shelf at day 0: explicit quantities, or months of expected demand rounded
    to the nearest unit (demand per month = aircraft x QPA x flight hours per month / MTBR)."""
    stock = spec.initial_stock
    if isinstance(stock, MonthsOfDemand) or months is not None:
        m = stock.months_of_demand if months is None else months
        fh = spec.fleet.aircraft * spec.fleet.fh_per_aircraft_month
        return {nsn: int(m * fh * qpa / mtbr[nsn] + 0.5) for nsn, qpa in parts.items()}
    return {nsn: stock.quantities.get(nsn, 0) for nsn in parts}


class Customer:
    """Holds serviceables; a removal takes one or leaves a hole, owed first come, first served.

    Units owed to this shelf (in transit, in repair, on requisition) are its pipeline.
    """

    def __init__(self, world: World, spec: CustomerSpec) -> None:
        self.world = world
        self.spec = spec
        self.name = spec.name
        self.country = spec.country
        self.fad = spec.fad
        self.is_fms = spec.kind == "fms"
        self.system = world.scenario.system(spec.fleet.system)
        nsns = list(self.system.parts)
        self.stats = world.recorder.customer(spec.name, spec.fleet.aircraft, nsns)
        mtbr = {nsn: world.items[nsn].mtbr_fh for nsn in nsns}
        self.on_hand = initial_quantities(spec, dict(self.system.parts), mtbr)
        self.backorders: dict[str, deque[tuple[float, int]]] = {nsn: deque() for nsn in nsns}
        self.support: dict[str, Callable[[bool], None]] = {}   # NSN -> its chain's entry
        self.fleet = Fleet(self)
        self.removals = 0
        self.warmup = world.warmup

    def removal(self, a: int, nsn: str) -> None:
        """Aircraft ``a`` removed a failed unit of ``nsn``."""
        world = self.world
        now = world.env._now
        stats = self.stats
        rec = world.recorder
        self.removals += 1
        if self.on_hand[nsn] > 0:
            self.on_hand[nsn] -= 1
            urgent = False
            clock = self.fleet.clock
            if clock is not None:
                clock.install(a, nsn)          # a Weibull unit starts a fresh life
        else:
            self.backorders[nsn].append((now, a))
            stats.backorders.add(now, 1)
            stats.item_backorders[nsn].add(now, 1)
            urgent = True
            self.fleet.open_hole(a, nsn)
        if rec.measuring:
            stats.demands += 1
            stats.item_demands[nsn] += 1
            if not urgent:
                stats.filled += 1
                stats.item_filled[nsn] += 1
        if rec.events is not None:
            rec.log(now, "removal", self.name, nsn, a)
        stats.pipe_net[nsn] += 1
        stats.pipe_sum[nsn] += now if now > self.warmup else self.warmup  # noqa: FURB136 (no call)
        self.support[nsn](urgent)

    def receive(self, nsn: str) -> None:
        """A serviceable owed to this shelf arrives: it fills the oldest backorder, if any."""
        now = self.world.env._now
        stats = self.stats
        stats.pipe_net[nsn] -= 1
        stats.pipe_sum[nsn] -= now if now > self.warmup else self.warmup  # noqa: FURB136 (no call)
        queue = self.backorders[nsn]
        if queue:
            day, a = queue.popleft()
            stats.backorders.add(now, -1)
            stats.item_backorders[nsn].add(now, -1)
            self.world.recorder.wait(stats, nsn, day, now)
            self.fleet.close_hole(a, nsn)
        else:
            self.on_hand[nsn] += 1

    def add_stock(self, nsn: str) -> None:
        """A unit from outside the one-for-one loop (EDA parts) joins the shelf for good: it
        fills a backorder or the shelf like an arrival, but was never owed (not pipeline)."""
        stats = self.stats
        now = self.world.env._now
        stats.pipe_net[nsn] += 1
        stats.pipe_sum[nsn] += now if now > self.warmup else self.warmup  # noqa: FURB136 (no call)
        self.receive(nsn)

    def open_waits(self) -> list[tuple[str, float]]:
        return [(nsn, day) for nsn, q in self.backorders.items() for day, _ in q]


__all__ = ["Customer", "initial_quantities"]
