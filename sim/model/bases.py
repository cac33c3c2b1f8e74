"""A nation with several bases: base shelves, a national central store, base-level repair and
lateral resupply (issue 9).

Where stock sits decides availability as much as how much there is (Sherbrooke, *Optimal
Inventory Modeling of Systems*, ch. 5; the multi-echelon models of SIMLOX and OPUS10):

- A removal at a base takes a serviceable from the **base shelf** or leaves a hole there (its
  aircraft NMCS; cannibalization stays within the base).
- With the item's ``base_repair.probability`` the base repairs the carcass itself (its
  ``days``) and the unit returns to the base shelf. Otherwise it is *not repairable this
  station* (NRTS): the carcass travels to the **central store** (the customer's
  ``initial_stock``) and on to the support option exactly as a customer without bases sends
  it, and the base requisitions a replacement from the central store at once (one-for-one).
- The central store fills its bases' requisitions first-come first-served, urgent (an NMCS
  aircraft waiting) before routine, shipping over the in-country leg ``[base, country]`` (the
  order-and-ship time; none stated: no time), and requisitions from the support option as a
  customer without bases does.
- With ``lateral`` set, a base left with a hole takes a serviceable from the sister base with
  the most on its shelf (one above its own backorders — a base with stock has none), after
  ``lateral.days`` (one lateral a hole not already covered by one on its way), and the donor
  takes over a due-in of the borrower: its newest requisition still waiting at the central
  store, re-addressed (routine), or else the first unit to reach the borrower with no hole of
  its own to fill, shipped back over the lateral leg (its days and cost again). A unit
  reaching a base fills a hole first, whoever it is owed to. Each base keeps its stock level,
  as one-for-one (S-1, S) supply requires and as the lateral resupply models of METRIC
  assume (Lee, "A multi-echelon inventory model for repairable items with emergency lateral
  transshipments", Management Science 33(10), 1987; Slay, "Lateral resupply in a
  multi-echelon inventory system", LMI, 1986, DTIC ADA168845). Until 2026-12 the donor
  requisitioned a second unit and kept the requester's: every lateral left the requester one
  unit above its level and the store one requisition it could never fill (86 of them for one
  NSN after ten years of ``scenarios/bases.yaml`` with 2-day laterals), so the placement being
  compared decayed into one shaped by where laterals had happened.

Stream keys: a customer's first base draws from the streams a customer without bases uses,
so one base holding all stock gives exactly the single-stock-point answer.
"""

from __future__ import annotations

from collections import deque
from heapq import heappush
from typing import TYPE_CHECKING

from simpy.events import NORMAL

from sim.model.clock import Call
from sim.model.customer import Shelf
from sim.model.distributions import sampler
from sim.model.transport import Route

if TYPE_CHECKING:
    from sim.model.customer import Customer
    from sim.model.fleet import Fleet
    from sim.recorder import BaseStats
    from sim.scenario.models import Base


class BaseShelf(Shelf):
    """One base's serviceables of one NSN. A removal here goes to base repair or NRTS
    (``on_removal``) rather than straight to the support chain."""

    __slots__ = ("base", "base_stats", "central", "inbound", "lateral_draw", "order_route",
                 "passed", "repair_draw", "repair_p", "repair_time", "retro_route", "sisters")

    def __init__(self, customer: Customer, nsn: str, on_hand: int, fleet: Fleet,
                 base: Base, base_stats: BaseStats) -> None:
        super().__init__(customer, nsn, on_hand)
        self.fleet = fleet
        self.base = base
        self.base_stats = base_stats
        self.sisters: list[BaseShelf] = []
        self.central: CentralStore | None = None
        self.passed: deque[BaseShelf] = deque()   # sisters this base owes a unit
        self.inbound = 0                          # laterals on their way here
        self.entry = self.on_removal
        world = customer.world
        key = () if fleet.index == 0 else (base.name,)
        repair = world.items[nsn].base_repair
        self.repair_p = 0.0 if repair is None else repair.probability
        if self.repair_p > 0:
            self.repair_draw = world.streams.uniform("base_repair", customer.name, *key, nsn)
            self.repair_time = sampler(repair.days, world.streams.key(
                "base_repair_days", customer.name, *key, nsn))
        self.lateral_draw = None
        lateral = customer.spec.lateral
        if lateral is not None:
            self.lateral_draw = sampler(lateral.days, world.streams.key(
                "lateral", customer.name, base.name, nsn))
        transport = world.transport
        self.order_route = self._route(transport, "order_ship")
        self.retro_route = self._route(transport, "retrograde")

    def _route(self, transport, purpose: str) -> Route:
        cust = self.customer
        route = transport.route(self.base.name, cust.country,
                                (cust.name, self.base.name, self.nsn, purpose), in_country=True)
        if route.cost:
            route.bill = cust.world.recorder.bill(cust.stats, self.nsn, "transport",
                                                  route.cost, 0.0)
        return route

    def removal(self, a: int) -> None:
        b = self.base_stats
        had = self.on_hand > 0
        now = self.env._now
        if not had:
            b.backorders.add(now, 1)
        if self.recorder.measuring:
            b.demands += 1
            if had:
                b.filled += 1
        super().removal(a)
        if not had and self.lateral_draw is not None and len(self.waiting) > self.inbound:
            self._lateral()                    # a hole no lateral on its way will fill

    def receive(self) -> None:
        """A unit owed here arrives (from the central store, base repair, a lateral or a
        sister's repayment): it fills a hole if there is one; else, if this base owes a sister
        for a lateral, it goes back to her; else onto the shelf."""
        if self.passed and not self.waiting:
            self._repay(self.passed.popleft())
        else:
            self.deliver()

    def _repay(self, donor: BaseShelf) -> None:
        """Ship a unit back to a sister that lent one (still owed: in the pipeline)."""
        self._charge_lateral()
        Call(self.env, self.lateral_draw(), donor._repaid)

    def _repaid(self, _arg: object = None) -> None:
        self.receive()

    def deliver(self) -> None:
        """A unit owed to this base is on its shelf: it fills the oldest backorder, if any."""
        if self.waiting:
            now = self.env._now
            day = self.waiting[0][0]
            self.base_stats.backorders.add(now, -1)
            if day >= self.warmup:
                self.base_stats.wait_sum += now - day
        super().receive()

    def censor(self, now: float) -> None:
        """Waits still open at the horizon count as far as they went."""
        for day, _ in self.waiting:
            if day >= self.warmup:
                self.base_stats.wait_sum += now - day

    def on_removal(self, urgent: bool) -> None:
        """Base repair, or NRTS: carcass to the central store and the support option, and a
        replacement requisitioned from the central store."""
        if self.repair_p and self.repair_draw() < self.repair_p:
            heappush(self.customer.world.env._queue,
                     (self.env._now + self.repair_time(), NORMAL, next(self.env._eid), self))
            return
        central = self.central
        central.retro += 1
        central.request(self, urgent)
        route = self.retro_route
        if route.bill is not None:
            route.bill.n += 1
        if route.draw is None:
            central.forward(urgent)
        else:
            Call(self.env, route.draw(), central.forward, urgent)

    def _lateral(self) -> None:
        """Take a serviceable from the sister base with the most on its shelf, if any."""
        donor = max(self.sisters, key=lambda s: s.on_hand, default=None)
        if donor is None or donor.on_hand <= 0:
            return
        donor.on_hand -= 1
        self.item.pipe_net += 1               # the unit on its way here is owed here
        now = self.env._now
        self.item.pipe_sum += now if now > self.warmup else self.warmup  # noqa: FURB136
        self._pass_due_in(donor)
        self._charge_lateral()
        if self.recorder.measuring:
            self.base_stats.lateral_issues += 1
        self.inbound += 1
        Call(self.env, self.lateral_draw(), self._lateral_arrives)

    def _charge_lateral(self) -> None:
        cust = self.customer
        cost = cust.spec.lateral.cost_usd
        if cost:
            cust.world.recorder.charge(cust.stats, self.nsn, "transport", cost, 0.0,
                                       self.env._now)

    def _pass_due_in(self, donor: BaseShelf) -> None:
        """The donor of a lateral takes over a due-in of this base: its newest requisition
        still waiting at the central store (urgent ones searched first; re-addressed as
        routine: no aircraft of the donor waits for it), else a unit this base owes her
        (``receive`` repays it from the first arrival with no hole to fill)."""
        central = self.central
        for queue in (central.urgent, central.routine):
            for k in range(len(queue) - 1, -1, -1):
                if queue[k] is self:
                    del queue[k]
                    central.routine.append(donor)
                    return
        self.passed.append(donor)

    def _lateral_arrives(self, _arg: object = None) -> None:
        """The sister's unit arrives: owed here (the donor took a due-in of this base)."""
        self.inbound -= 1
        self.receive()


class CentralStore(Shelf):
    """A customer's national central store of one NSN: what its support option delivers to,
    and where its bases requisition. Units owed to it are not a base's pipeline, so it keeps
    its own count (``owed``) for the conservation check."""

    __slots__ = ("fcfs", "owed", "retro", "routine", "urgent")

    def __init__(self, customer: Customer, nsn: str, on_hand: int) -> None:
        super().__init__(customer, nsn, on_hand)
        self.urgent: deque[BaseShelf] = deque()
        self.routine: deque[BaseShelf] = deque()
        self.owed = 0
        self.retro = 0        # NRTS carcasses on their way from a base (their request is in)
        self.fcfs = customer.spec.central_issue == "fcfs"

    def request(self, shelf: BaseShelf, urgent: bool) -> None:
        """A base requisitions a serviceable: shipped at once from stock, or queued (an NMCS
        aircraft's first, unless the customer issues strictly first come, first served)."""
        if self.on_hand > 0:
            self.on_hand -= 1
            self._ship(shelf)
        else:
            (self.urgent if urgent and not self.fcfs else self.routine).append(shelf)

    def _ship(self, shelf: BaseShelf) -> None:
        route = shelf.order_route
        if route.bill is not None:
            route.bill.n += 1
        if route.draw is None:
            shelf.receive()
        else:
            heappush(self.env._queue, (self.env._now + route.draw(), NORMAL,
                                       next(self.env._eid), shelf))

    def removal(self, a: int) -> None:            # pragma: no cover - aircraft fly at bases
        raise RuntimeError("no aircraft draws on a central store")

    def receive(self) -> None:
        """A unit owed by the support option arrives: to the first waiting base, urgent
        first, or onto the shelf."""
        self.owed -= 1
        queue = self.urgent or self.routine
        if queue:
            self._ship(queue.popleft())
        else:
            self.on_hand += 1

    def add_stock(self, _arg: object = None) -> None:
        """A unit from outside the loop (EDA parts, an FMSO I drawdown) joins the store."""
        self.added += 1
        self.owed += 1
        self.receive()

    def forward(self, urgent: bool) -> None:
        """An NRTS carcass reaches the store: on to the support option, which owes the store
        a serviceable for it."""
        self.retro -= 1
        self.owed += 1
        self.entry(urgent)

    def conservation_error(self) -> str | None:
        """On hand + owed by the support option + NRTS carcasses still travelling to it (each
        stands for a unit the store owes a base) - bases' requisitions waiting = initial +
        added."""
        waiting = len(self.urgent) + len(self.routine)
        position = self.on_hand + self.owed + self.retro - waiting
        if position != self.initial + self.added:
            return (f"{self.customer.name} central store {self.nsn}: on hand {self.on_hand} + "
                    f"owed {self.owed} + carcasses on the way {self.retro} - requisitions "
                    f"waiting {waiting} = {position}, not initial {self.initial} + added "
                    f"{self.added}")
        return None
