"""A customer (US unit or FMS nation): its shelves of serviceables and its backorders."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.model.fleet import Fleet
from sim.scenario.models import Customer as CustomerSpec
from sim.scenario.stocking import in_country_stock

if TYPE_CHECKING:
    from sim.model.world import World
    from sim.recorder import ItemStats


class Shelf:
    """One customer's serviceables of one NSN: on the shelf, owed to aircraft (backorders,
    oldest first), and where a removal goes (its support chain's ``entry``).

    Everything a removal touches is an attribute here, resolved once, rather than a lookup
    by NSN in the customer's dictionaries. The shelf is also the event of a serviceable
    arriving for it: it can be pending in the event queue once per unit in transit, with no
    object made per shipment (``SupportOption.ship_to_shelf``); the SimPy protocol is that
    of ``sim.model.clock``.
    """

    __slots__ = ("_arrival", "acsa", "added", "callbacks", "customer", "entry", "env", "fleet",
                 "initial", "item", "maint_days", "nsn", "on_hand", "recorder", "removals",
                 "stats", "waiting", "warmup")
    _ok = True

    def __init__(self, customer: Customer, nsn: str, on_hand: int) -> None:
        world = customer.world
        self.customer = customer
        self.nsn = nsn
        self.on_hand = on_hand
        self.initial = on_hand
        self.added = 0
        self.waiting: deque[tuple[float, int]] = deque()
        self.entry: Callable[[bool], None] = _unsupported
        self.stats = customer.stats
        self.item: ItemStats = customer.stats.items[nsn]
        self.recorder = world.recorder
        self.fleet = getattr(customer, "fleet", None)   # a base shelf sets its base's
        self.env = world.env
        self.warmup = world.warmup
        self.removals = 0
        self.maint_days = world.items[nsn].maintenance_hours / 24.0
        self._arrival = [self._arrived]
        self.callbacks = self._arrival
        self.acsa = None                   # its ACSA agreements (``sim.model.acsa``), if any

    def removal(self, a: int) -> None:
        """Aircraft ``a`` removed a failed unit: take a serviceable or leave a hole, and send
        the removal to the support chain."""
        now = self.env._now
        item = self.item
        self.removals += 1
        if self.on_hand > 0:
            self.on_hand -= 1
            urgent = False
            clock = self.fleet.clock
            if clock is not None:
                clock.install(a, self.nsn)     # a Weibull unit starts a fresh life
            if self.maint_days:                # removed and replaced now: NMCM meanwhile
                self.fleet.start_maintenance(a, self.maint_days)
        else:
            self.waiting.append((now, a))
            self.stats.backorders.add(now, 1)
            item.backorders.add(now, 1)
            urgent = True
            self.fleet.open_hole(a, self.nsn)
        rec = self.recorder
        if rec.measuring:
            item.demands += 1
            if not urgent:
                item.filled += 1
        if rec.events is not None:
            rec.log(now, "removal", self.customer.name, self.nsn, a)
        item.pipe_net += 1
        item.pipe_sum += now if now > self.warmup else self.warmup  # noqa: FURB136 (no call)
        self.entry(urgent)
        if urgent and self.acsa is not None:
            self.acsa.hole(self)           # a backorder: draw on an ACSA partner's stock

    def _arrived(self, _event: Shelf) -> None:
        self.callbacks = self._arrival     # SimPy cleared them; other units may be pending
        self.receive()

    def receive(self) -> None:
        """A serviceable owed to this shelf arrives: it fills the oldest backorder, if any
        (or, owed back to an ACSA partner in kind, goes there)."""
        acsa = self.acsa
        if acsa is not None and acsa.debts and not acsa.arriving:
            acsa.repay(self)
            return
        now = self.env._now
        item = self.item
        item.pipe_net -= 1
        item.pipe_sum -= now if now > self.warmup else self.warmup  # noqa: FURB136 (no call)
        if self.waiting:
            day, a = self.waiting.popleft()
            self.stats.backorders.add(now, -1)
            item.backorders.add(now, -1)
            self.recorder.wait(self.stats, item, day, now)
            if self.maint_days:                # the unit is installed: NMCM, not NMCS, now
                self.fleet.start_maintenance(a, self.maint_days)
            self.fleet.close_hole(a, self.nsn)
        else:
            self.on_hand += 1

    def add_stock(self, _arg: object = None) -> None:
        """A unit from outside the one-for-one loop (EDA parts) joins the shelf for good: it
        fills a backorder or the shelf like an arrival, but was never owed (not pipeline)."""
        item = self.item
        now = self.env._now
        self.added += 1
        item.pipe_net += 1
        item.pipe_sum += now if now > self.warmup else self.warmup  # noqa: FURB136 (no call)
        self.receive()

    def conservation_error(self) -> str | None:
        """Units are conserved: every unit this shelf started with or was given is on it, owed
        to it (in transit, in repair, on requisition — or never coming, for want of a source)
        or in an aircraft in place of a unit it owes: on hand + owed - backorders = initial +
        added. A violation is a bug in the model, named here."""
        position = self.on_hand + self.item.pipe_net - len(self.waiting)
        if position != self.initial + self.added:
            return (f"{self.customer.name} {self.nsn}: on hand {self.on_hand} + owed "
                    f"{self.item.pipe_net} - backorders {len(self.waiting)} = {position}, not "
                    f"initial {self.initial} + added {self.added}")
        return None


def _unsupported(urgent: bool) -> None:
    raise RuntimeError("a removal reached a shelf with no support chain")


class Customer:
    """Holds serviceables, one ``Shelf`` per NSN; a removal takes one or leaves a hole, owed
    first come, first served. Units owed to a shelf (in transit, in repair, on requisition)
    are its pipeline."""

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
        choice = world.alternative.support.get(spec.name)
        stock, base_stock = in_country_stock(spec, choice, dict(self.system.parts), mtbr)
        self.warmup = world.warmup
        self.base_shelves: list[dict[str, Shelf]] = []
        if not spec.bases:
            self.shelves = {}
            self.fleet = Fleet(self)
            self.fleets = [self.fleet]
            self.shelves.update({nsn: Shelf(self, nsn, stock[nsn]) for nsn in nsns})
            return
        # Bases: the customer's shelves are its central store's; aircraft fly at the bases.
        from sim.model.bases import BaseShelf, CentralStore

        self.shelves = {nsn: CentralStore(self, nsn, stock[nsn]) for nsn in nsns}
        self.fleets = []
        for index, base in enumerate(spec.bases):
            stats = world.recorder.base(spec.name, base.name, base.aircraft)
            fleet = Fleet(self, base, index, stats)
            units = base_stock[base.name]
            fleet.shelves = {nsn: BaseShelf(self, nsn, units[nsn], fleet, base, stats)
                             for nsn in nsns}
            self.fleets.append(fleet)
            self.base_shelves.append(fleet.shelves)
        self.fleet = self.fleets[0]
        for nsn in nsns:
            shelves = [b[nsn] for b in self.base_shelves]
            for shelf in shelves:
                shelf.central = self.shelves[nsn]
                shelf.sisters = [s for s in shelves if s is not shelf]

    @property
    def on_hand(self) -> dict[str, int]:
        """Serviceables on the shelf per NSN (a snapshot)."""
        return {nsn: s.on_hand for nsn, s in self.shelves.items()}

    @property
    def backorders(self) -> dict[str, deque[tuple[float, int]]]:
        """Demands owed per NSN, oldest first: (day, aircraft)."""
        return {nsn: s.waiting for nsn, s in self.shelves.items()}

    @property
    def removals(self) -> int:
        return sum(s.removals for s in self.shelves.values())

    def removal(self, a: int, nsn: str) -> None:
        """Aircraft ``a`` removed a failed unit of ``nsn``."""
        self.shelves[nsn].removal(a)

    def receive(self, nsn: str) -> None:
        """A serviceable owed to the shelf of ``nsn`` arrives."""
        self.shelves[nsn].receive()

    def add_stock(self, nsn: str) -> None:
        self.shelves[nsn].add_stock()

    def open_waits(self) -> list[tuple[str, float]]:
        """Demands still owed to aircraft (at the bases, for a customer with bases)."""
        places = self.base_shelves or [self.shelves]
        return [(nsn, day) for shelves in places for nsn, s in shelves.items()
                for day, _ in s.waiting]

    def conservation_errors(self) -> list[str]:
        """Each stock point's conservation rule; a customer's base shelves of one NSN share
        one pipeline count (the customer's, owed to all its bases), so they are checked
        together: the sum over bases of on hand - backorders + that pipeline = the sum of
        their initial stock + added."""
        errors = [e for s in self.shelves.values() if (e := s.conservation_error()) is not None]
        by_item: dict[int, list[Shelf]] = {}
        for b in self.base_shelves:
            for shelf in b.values():
                by_item.setdefault(id(shelf.item), []).append(shelf)
        for group in by_item.values():
            net = group[0].item.pipe_net
            position = sum(s.on_hand - len(s.waiting) for s in group) + net
            start = sum(s.initial + s.added for s in group)
            if position != start:
                errors.append(
                    f"{self.name} {group[0].nsn} at {len(group)} bases: on hand - backorders "
                    f"{position - net} + owed {net} = {position}, not initial + added {start}")
        return errors

    def all_shelves(self) -> list[Shelf]:
        """Every stock point: the shelves, and the bases' shelves when it has bases."""
        return list(self.shelves.values()) + [s for b in self.base_shelves for s in b.values()]


__all__ = ["Customer", "Shelf"]
