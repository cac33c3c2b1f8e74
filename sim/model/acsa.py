"""Acquisition and Cross-Servicing Agreements: lateral support between two forces during
declared windows (issue 10).

An ACSA (10 U.S.C. 2341-2350) lets US forces and a qualifying nation's forces give each
other logistic support — spare parts included — in combined exercises, deployments,
contingencies and exigencies, reimbursed by cash, replacement in kind or equal-value
exchange (Joint Publication 4-08: agreements "used for contingencies, peacekeeping
operations, unforeseen emergencies, or exercises to correct logistic deficiencies that
cannot be adequately corrected by national means"; W. M. Stephens, "The Acquisition and
Cross-Servicing Agreement: An Old Tool for the Modern Military", Joint Force Quarterly 93,
2019). Weapon systems and major end items are not "logistic support" under the statute, so
``major_end_item`` items are never transferred. An agreement between two FMS nations is not
a US ACSA; the model treats it as a bilateral agreement of the same form.

During a window either side, left with a backorder (a removal its shelf could not fill, or
one still uncovered when the window opens), draws a serviceable from the other side's shelf
if that shelf holds more than the agreement's ``reserve`` of the NSN; it arrives after
``days`` and fills the oldest backorder. The provider is owed a unit for it:

- **cash**: the requester pays the standard price, the provider is credited it and replaces
  the unit by a routine buy from DoD wholesale (an FMS buy for an FMS provider: stock above
  protection, else procured for it), billed at standard price (plus the surcharge for FMS);
- **replacement in kind**: the requester's next serviceable to arrive goes to the provider
  instead of its own shelf (``days`` again), so each unit given comes back;
- **equal-value exchange**: no unit comes back; the value is owed, netted between the two
  sides and settled in money at the window's end (or the horizon); the provider replaces
  the unit as for cash.

The requester pays ``cost_usd`` per shipment (each transfer and each return in kind). A
provider that gives up stock is short until the unit comes back, which shows in its own
availability — US units included. Each transfer made in the measured window is a row of
``acsa.parquet``.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappush
from typing import TYPE_CHECKING

from simpy.events import NORMAL

from sim.model.clock import Call
from sim.model.distributions import sampler
from sim.model.item_manager import priority_designator

if TYPE_CHECKING:
    from sim.model.customer import Customer, Shelf
    from sim.model.world import World
    from sim.scenario.models import Acsa as AcsaSpec

WHOLESALE_COUNTRY = "US"
NOT_LOGISTIC_SUPPORT = ("major_end_item",)


class AcsaLink:
    """What a shelf that is a side of one or more agreements carries (``Shelf.acsa``)."""

    __slots__ = ("arriving", "debts", "incoming", "pairs")

    def __init__(self) -> None:
        self.pairs: list[tuple[Agreement, Shelf]] = []   # (agreement, the partner's shelf)
        self.incoming = 0          # units drawn from partners, not yet arrived
        self.debts: deque = deque()   # units owed back in kind: (agreement, provider, row)
        self.arriving = False      # a drawn unit is being received (never sent back)

    def hole(self, shelf: Shelf) -> None:
        """The shelf just backordered a demand: draw one unit from a partner if it can."""
        if len(shelf.waiting) <= self.incoming:
            return
        for agreement, partner in self.pairs:
            if agreement.window is not None and agreement.transfer(partner, shelf):
                return

    def repay(self, shelf: Shelf) -> None:
        """The shelf's next serviceable arrived while it owes a unit in kind: it goes to the
        provider."""
        agreement, provider, row = self.debts.popleft()
        agreement.send_back(shelf, provider, row)


class Agreement:
    """One agreement in one world: its windows, its two sides' shelves and its transfers."""

    def __init__(self, world: World, spec: AcsaSpec, index: int) -> None:
        self.world = world
        self.spec = spec
        self.index = index
        self.label = spec.label
        self.env = world.env
        self.recorder = world.recorder
        self.reserve = spec.reserve
        self.window: int | None = None
        self.rows: list[dict] = []
        a, b = (world.customers[n] for n in spec.between)
        self.sides = (a, b)
        self.balance = {a.name: 0.0, b.name: 0.0}   # equal-value exchange: value owed
        self._draws: dict[tuple[str, str, str], object] = {}
        self._replenish: dict[tuple[str, str], object] = {}
        common = [n for n in a.system.parts if n in b.system.parts
                  and world.items[n].category not in NOT_LOGISTIC_SUPPORT]
        for nsn in common:
            sa, sb = a.shelves[nsn], b.shelves[nsn]
            for shelf, partner in ((sa, sb), (sb, sa)):
                if shelf.acsa is None:
                    shelf.acsa = AcsaLink()
                shelf.acsa.pairs.append((self, partner))
        self.pairs = [(a.shelves[n], b.shelves[n]) for n in common]
        horizon = world.scenario.horizon_days
        for k, w in enumerate(spec.windows):
            if w.start_day < horizon:
                world.after(w.start_day, self.open, k)
            if w.end_day < horizon:
                world.after(w.end_day, self.close, k)

    # -- windows ---------------------------------------------------------------------------
    def open(self, k: int) -> None:
        """A window opens: backorders left uncovered on either side draw at once."""
        self.window = k
        for sa, sb in self.pairs:
            for requester, provider in ((sa, sb), (sb, sa)):
                link = requester.acsa
                while len(requester.waiting) > link.incoming and self.transfer(provider,
                                                                               requester):
                    pass

    def close(self, k: int) -> None:
        self.window = None
        if self.spec.reimbursement == "equal_value_exchange":
            self.settle(self.env._now)

    def settle(self, when: float) -> None:
        """Equal-value exchange: the two sides' values owed are netted and the debtor pays
        the difference."""
        a, b = self.sides
        net = self.balance[a.name] - self.balance[b.name]
        self.balance = {a.name: 0.0, b.name: 0.0}
        if net == 0:
            return
        payer, payee = (a, b) if net > 0 else (b, a)
        amount = abs(net)
        self.recorder.charge(payer.stats, None, "purchase", amount, 0.0, when)
        self.recorder.charge(payee.stats, None, "purchase", -amount, 0.0, when)

    def finish(self, horizon: float) -> None:
        """At the horizon an open window's equal-value balance is settled, at the run's last
        instant (so it is booked in the run's last year)."""
        if self.window is not None and self.spec.reimbursement == "equal_value_exchange":
            self.settle(math.nextafter(horizon, 0.0))

    # -- transfers -------------------------------------------------------------------------
    def _draw(self, purpose: str, requester: Customer, nsn: str):
        key = (purpose, requester.name, nsn)
        draw = self._draws.get(key)
        if draw is None:
            draw = self._draws[key] = sampler(self.spec.days, self.world.streams.key(
                purpose, self.label, requester.name, nsn))
        return draw

    def transfer(self, provider: Shelf, requester: Shelf) -> bool:
        """One serviceable from ``provider`` to ``requester`` if the provider holds more than
        its reserve; reimbursement as the agreement says."""
        nsn = provider.nsn
        if provider.on_hand <= self.reserve.get(nsn, 0):
            return False
        now = self.env._now
        warmup = provider.warmup
        provider.on_hand -= 1
        provider.item.pipe_net += 1                      # the provider is owed a unit
        provider.item.pipe_sum += max(warmup, now)
        requester.acsa.incoming += 1
        giver, taker = provider.customer, requester.customer
        price = self.world.items[nsn].unit_price_usd
        cost = self.spec.cost_usd
        row = None
        if now >= warmup:
            row = {"agreement": self.label, "window": self.window, "day": now, "nsn": nsn,
                   "provider": giver.name, "requester": taker.name,
                   "reimbursement": self.spec.reimbursement, "arrival_day": float("nan"),
                   "returned_day": float("nan"), "value_usd": price, "cost_usd": cost}
            self.rows.append(row)
        rec = self.recorder
        if cost:
            rec.charge(taker.stats, nsn, "transport", cost, 0.0, now)
        how = self.spec.reimbursement
        if how == "cash":
            rec.charge(taker.stats, nsn, "purchase", price, 0.0, now)
            rec.charge(giver.stats, nsn, "purchase", -price, 0.0, now)
            self._buy_replacement(provider)
        elif how == "replacement_in_kind":
            requester.acsa.debts.append((self, provider, row))
        else:
            self.balance[taker.name] += price
            self._buy_replacement(provider)
        Call(self.env, self._draw("acsa", taker, nsn)(), self._arrives, (requester, row))
        return True

    def _arrives(self, arg: tuple[Shelf, dict | None]) -> None:
        """The drawn unit reaches the requester: never owed to it, it fills a backorder or
        the shelf."""
        shelf, row = arg
        link = shelf.acsa
        link.incoming -= 1
        now = self.env._now
        shelf.added += 1
        shelf.item.pipe_net += 1
        shelf.item.pipe_sum += max(shelf.warmup, now)
        link.arriving = True
        try:
            shelf.receive()
        finally:
            link.arriving = False
        if row is not None:
            row["arrival_day"] = now

    def send_back(self, shelf: Shelf, provider: Shelf, row: dict | None) -> None:
        """Replacement in kind: a unit that arrived for ``shelf`` goes to the provider."""
        now = self.env._now
        shelf.item.pipe_net -= 1                       # it was owed to the shelf, and came
        shelf.item.pipe_sum -= max(shelf.warmup, now)
        shelf.added -= 1                               # and leaves it for good
        taker = shelf.customer
        if self.spec.cost_usd:
            self.recorder.charge(taker.stats, shelf.nsn, "transport", self.spec.cost_usd, 0.0,
                                 now)
            if row is not None:
                row["cost_usd"] += self.spec.cost_usd
        Call(self.env, self._draw("acsa_return", taker, shelf.nsn)(), self._returned,
             (provider, row))

    def _returned(self, arg: tuple[Shelf, dict | None]) -> None:
        provider, row = arg
        provider.receive()
        if row is not None:
            row["returned_day"] = self.env._now

    def _buy_replacement(self, provider: Shelf) -> None:
        """Cash or equal-value exchange: the provider replaces the unit by a routine buy from
        wholesale, shipped to its shelf."""
        cust = provider.customer
        world = self.world
        nsn = provider.nsn
        if world.item_manager.requisition(
                nsn, priority_designator(cust.fad, "C"), cust.is_fms, self._replaced,
                provider, cust.name, self.env._now):
            world.item_manager.procure(nsn)          # a sale from stock is reordered

    def _replaced(self, provider: Shelf) -> None:
        cust = provider.customer
        nsn = provider.nsn
        rate = self.world.surcharge_rate if cust.is_fms else 0.0
        now = self.env._now
        self.recorder.charge(cust.stats, nsn, "purchase", self.world.items[nsn].unit_price_usd,
                             rate, now)
        key = (cust.name, nsn)
        route = self._replenish.get(key)
        if route is None:
            route = self.world.transport.route(WHOLESALE_COUNTRY, cust.country,
                                               (cust.name, nsn, "acsa_replenish"))
            self._replenish[key] = route
        if route.cost:
            self.recorder.charge(cust.stats, nsn, "transport", route.cost, rate, now)
        if route.draw is None:
            provider.receive()
        else:
            heappush(self.env._queue, (now + route.draw(), NORMAL, next(self.env._eid),
                                       provider))


class AcsaAgreements:
    """The agreements in force under this world's alternative."""

    def __init__(self, world: World) -> None:
        alt = world.alternative.name
        self.agreements = [Agreement(world, spec, i) for i, spec in enumerate(world.scenario.acsa)
                           if spec.alternatives == "all" or alt in spec.alternatives]

    def finish(self, horizon: float) -> None:
        for a in self.agreements:
            a.finish(horizon)

    def rows(self) -> list[dict]:
        return [r for a in self.agreements for r in a.rows]
