"""Weapon System Partnerships: pooled stock through an agency, costs shared by a formula
(issue 10).

NATO's support agency (NSPA) runs *support partnerships*: nations that operate the same
weapon system manage its support in common through the agency — one pooled stock of
spares, repairs placed with one contractor, buys made by the agency — and share the costs
by a formula agreed in the partnership's charter, paying the agency a fee for managing it
(NSPA, "Customers": nations form Support Partnerships "to support, through NSPA, equipment
owned by the participating nations"). The model:

- A member's removal of a pooled NSN takes a serviceable from its own shelf or leaves a
  hole, exactly as without the partnership, and its shelf requisitions a replacement from
  the **pooled store** (``PoolStore``) at once: shipped from stock over the issue leg
  (store country to the member), or queued — an NMCS aircraft's requisition first, then
  first come, first served.
- The carcass travels from the member to the partnership's **depot** (a contractor,
  possibly in a third country; the third-country approval rules apply), is screened,
  repaired and shipped to the store; a condemned one is replaced by the **agency's buy**:
  an FMS buy from DoD wholesale while the item is standard (stock above the protection
  level, else procured for it, as for Repair and Return), afterwards a commercial buy
  (``commercial_buy``) or none (counted as ``no_source``).
- Every cost — repairs, shipments, buys, the initial stock's price — is booked to the
  partnership's own account and **charged back** at every settlement of the ledger (each
  period, each year, the end of warm-up): the agency's ``management_fee_rate`` is added to
  it, and the total is split among the joining members by the formula (``fleet``: by
  aircraft; ``fixed``: by the agreed shares, renormalised over the members that join;
  ``flying_hours`` and ``demand``: by each member's flight hours, or requisitions on the
  pool, in the interval charged — with no usage in an interval, by fleet). The split is
  exact: the last member takes the remainder, so the shares add up to the pool's cost to
  the cent, and each share lands in the member's own cost categories, IPS elements, fiscal
  years and NPV.

Stream keys are the member's own (its carcass, return and buy legs, its condemnation and
procurement draws), so a partnership of one nation with its store at home is that nation on
a repair-and-return at the same depot, draw for draw.
"""

from __future__ import annotations

from collections import deque
from heapq import heappush
from typing import TYPE_CHECKING

from simpy.events import NORMAL

from sim.recorder import CATEGORY_IPS, CustomerStats, Level
from sim.scenario.models import MonthsOfDemand, SupportChoice

if TYPE_CHECKING:
    from sim.model.customer import Customer
    from sim.model.world import World
    from sim.scenario.models import Partnership as PartnershipSpec

FEE_CATEGORY = "fees"


class Member:
    """One joining member's figures at the pool and its usage for the cost formula."""

    __slots__ = ("aircraft", "backorders", "fh_mark", "filled", "interval_demands", "name",
                 "nsns", "requests", "share_usd", "stats")

    def __init__(self, customer: Customer) -> None:
        self.name = customer.name
        self.stats: CustomerStats = customer.stats
        self.aircraft = customer.spec.fleet.aircraft
        self.nsns = set(customer.system.parts)
        self.requests = 0               # requisitions on the pool, measured
        self.filled = 0                 # ... filled at once from its stock
        self.backorders = Level()       # its requisitions waiting at the pool
        self.interval_demands = 0       # requisitions since the last charge-back
        self.fh_mark = 0.0
        self.share_usd = 0.0            # measured cost charged to it


class PoolStore:
    """The partnership's serviceables of one NSN at its store: what the depot and the
    agency's buys deliver to, and where members' shelves requisition. It is the event of a
    unit arriving for it (``sim.model.clock``'s protocol), pending once per unit in transit."""

    __slots__ = ("_arrival", "added", "callbacks", "env", "initial", "nsn", "on_hand", "owed",
                 "partnership", "recorder", "routine", "urgent")
    _ok = True

    def __init__(self, partnership: Partnership, nsn: str, units: int) -> None:
        self.partnership = partnership
        self.nsn = nsn
        self.on_hand = units
        self.initial = units
        self.added = 0
        self.owed = 0                   # units coming to the store: repairs and buys
        self.urgent: deque = deque()
        self.routine: deque = deque()
        self.env = partnership.world.env
        self.recorder = partnership.world.recorder
        self._arrival = [self._arrived]
        self.callbacks = self._arrival

    def request(self, opt, urgent: bool) -> None:
        """A member's shelf requisitions a serviceable (``opt`` is its support option): one
        unit is owed to the store for the carcass, and one is shipped or queued."""
        member = opt.member
        member.interval_demands += 1
        now = self.env._now
        measuring = self.recorder.measuring
        if measuring:
            member.requests += 1
        self.owed += 1
        if self.on_hand > 0:
            self.on_hand -= 1
            self.partnership.stock.add(now, -1)
            if measuring:
                member.filled += 1
            self._ship(opt, now)
        else:
            (self.urgent if urgent else self.routine).append(opt)
            self.partnership.backorders.add(now, 1)
            member.backorders.add(now, 1)

    def _ship(self, opt, now: float) -> None:
        route = opt.issue_route
        if route.bill is not None:
            route.bill.n += 1
        if route.draw is None:
            opt.shelf.receive()
        else:
            heappush(self.env._queue, (now + route.draw(), NORMAL, next(self.env._eid),
                                       opt.shelf))

    def _arrived(self, _event: PoolStore) -> None:
        self.callbacks = self._arrival     # SimPy cleared them; other units may be pending
        self.receive()

    def receive(self) -> None:
        """A unit owed to the store arrives: to the first waiting requisition, NMCS first,
        or onto the shelf."""
        self.owed -= 1
        now = self.env._now
        queue = self.urgent or self.routine
        if queue:
            opt = queue.popleft()
            self.partnership.backorders.add(now, -1)
            opt.member.backorders.add(now, -1)
            self._ship(opt, now)
        else:
            self.on_hand += 1
            self.partnership.stock.add(now, 1)

    def conservation_error(self) -> str | None:
        waiting = len(self.urgent) + len(self.routine)
        position = self.on_hand + self.owed - waiting
        if position != self.initial + self.added:
            return (f"partnership {self.partnership.name} store {self.nsn}: on hand "
                    f"{self.on_hand} + owed {self.owed} - requisitions waiting {waiting} = "
                    f"{position}, not initial {self.initial} + added {self.added}")
        return None


def _split(amount: float, shares: list[tuple[Member, float]]) -> list[tuple[Member, float]]:
    """``amount`` by shares, the last member taking the remainder: the parts add up to it."""
    out = []
    given = 0.0
    for member, share in shares[:-1]:
        part = amount * share
        out.append((member, part))
        given += part
    out.append((shares[-1][0], amount - given))
    return out


class Partnership:
    """One partnership in one world: its stores, its account and its members."""

    def __init__(self, world: World, spec: PartnershipSpec, members: list[Customer]) -> None:
        self.world = world
        self.spec = spec
        self.name = spec.name
        self.members = {c.name: Member(c) for c in members}
        scenario = world.scenario
        parts: dict[str, int] = {}
        for c in members:
            for nsn in c.system.parts:
                if spec.pools(nsn):
                    parts.setdefault(nsn, 0)
        self.nsns = list(parts)
        self.account = CustomerStats(spec.name, 0, self.nsns)
        self.stock = Level()
        self.backorders = Level()
        units = self._initial_units(members)
        self.stores = {nsn: PoolStore(self, nsn, units[nsn]) for nsn in self.nsns}
        self.initial_units = sum(units.values())
        self.stock.value = float(self.initial_units)
        self.depot = world.depots[spec.depot]
        self.fee_rate = spec.management_fee_rate
        self.cost_usd = 0.0
        self.fee_usd = 0.0
        rec = world.recorder
        for nsn, n in units.items():
            price = n * world.items[nsn].unit_price_usd * spec.initial_stock_price_factor
            if price > 0:
                rec.charge(self.account, nsn, "purchase", price, 0.0, 0.0, investment=True)
        rec.pools.append(self)
        if scenario.warmup_days > 0:
            world.after(scenario.warmup_days, self.start_measuring, scenario.warmup_days)

    def _initial_units(self, members: list[Customer]) -> dict[str, int]:
        items = self.world.items
        return pool_units(self.spec, [c.spec for c in members],
                          {c.name: dict(c.system.parts) for c in members},
                          {nsn: items[nsn].mtbr_fh for nsn in self.nsns})

    # -- measuring -------------------------------------------------------------------------
    def _levels(self) -> list[Level]:
        return [self.stock, self.backorders] + [m.backorders for m in self.members.values()]

    def start_measuring(self, now: float) -> None:
        for level in self._levels():
            level.flush(now)
            level.warm_mark = level.area

    def finish(self, now: float) -> None:
        for level in self._levels():
            level.flush(now)

    # -- money -----------------------------------------------------------------------------
    def _shares(self, now: float) -> list[tuple[Member, float]]:
        """Each member's share of what is charged now, by the formula; usage marks move on
        at every call, so each interval is charged by its own usage."""
        members = list(self.members.values())
        sharing = self.spec.cost_sharing
        if sharing.method == "flying_hours":
            use = []
            for m in members:
                level = m.stats.fh_rate
                area = level.area + level.value * (now - level.t_last)
                use.append(area - m.fh_mark)
                m.fh_mark = area
        elif sharing.method == "demand":
            use = [float(m.interval_demands) for m in members]
            for m in members:
                m.interval_demands = 0
        elif sharing.method == "fixed":
            use = [float((sharing.shares or {}).get(m.name, 0.0)) for m in members]
        else:
            use = [float(m.aircraft) for m in members]
        total = sum(use)
        if total <= 0:                     # no usage in the interval: by fleet
            use = [float(m.aircraft) for m in members]
            total = sum(use)
        return [(m, u / total) for m, u in zip(members, use, strict=True)]

    def charge_back(self, now: float) -> None:
        """Add the agency's fee to what the account booked since the last settlement and
        charge it all to the members (``Recorder.settle`` calls this at its end)."""
        shares = self._shares(now)
        acct = self.account
        costs = acct.costs
        if not (any(costs.values()) or acct.period_cost or acct.npv or acct.fy_costs):
            return
        rate = self.fee_rate
        if rate:
            fee = sum(costs.values()) * rate
            costs[FEE_CATEGORY] += fee
            self.fee_usd += fee
            by_year: dict[int, float] = {}
            for (_, fy), amount in acct.fy_costs.items():
                by_year[fy] = by_year.get(fy, 0.0) + amount
            for fy, amount in by_year.items():
                key = (CATEGORY_IPS[FEE_CATEGORY], fy)
                acct.fy_costs[key] = acct.fy_costs.get(key, 0.0) + amount * rate
            acct.npv *= 1.0 + rate
            acct.period_cost *= 1.0 + rate
            for it in acct.items.values():
                it.cost *= 1.0 + rate
        for category, amount in costs.items():
            if amount:
                self.cost_usd += amount
                for m, part in _split(amount, shares):
                    m.stats.costs[category] += part
                    m.share_usd += part
                costs[category] = 0.0
        for key, amount in acct.fy_costs.items():
            for m, part in _split(amount, shares):
                m.stats.fy_costs[key] = m.stats.fy_costs.get(key, 0.0) + part
        acct.fy_costs.clear()
        for m, part in _split(acct.npv, shares):
            m.stats.npv += part
        for m, part in _split(acct.period_cost, shares):
            m.stats.period_cost += part
        acct.npv = acct.period_cost = 0.0
        for nsn, it in acct.items.items():
            if it.cost:
                for m, part in _split(it.cost, shares):
                    if nsn in m.nsns:
                        m.stats.items[nsn].cost += part
                it.cost = 0.0

    # -- results ---------------------------------------------------------------------------
    def rows(self, warmup: float, horizon: float) -> list[dict]:
        """partnerships.parquet: one row per joining member, the pool's figures beside."""
        span = horizon - warmup
        members = list(self.members.values())
        requests = sum(m.requests for m in members)
        pool = {
            "pool_stock_mean": self.stock.measured / span,
            "pool_backorders_mean": self.backorders.measured / span,
            "pool_fill_rate": (sum(m.filled for m in members) / requests if requests
                               else float("nan")),
            "pool_cost_usd": self.cost_usd,
            "pool_fee_usd": self.fee_usd,
            "pool_initial_stock": self.initial_units,
        }
        return [{
            "partnership": self.name,
            "customer": m.name,
            "demands": m.requests,
            "fill_rate": m.filled / m.requests if m.requests else float("nan"),
            "backorders_mean": m.backorders.measured / span,
            "share": m.share_usd / self.cost_usd if self.cost_usd else float("nan"),
            "share_usd": m.share_usd,
            **pool,
        } for m in members]

    def conservation_errors(self) -> list[str]:
        return [e for s in self.stores.values() if (e := s.conservation_error()) is not None]


def _choices(choice: SupportChoice | None):
    while choice is not None:
        yield choice
        for sub in choice.items.values():
            yield from _choices(sub)
        choice = choice.fallback if isinstance(choice.fallback, SupportChoice) else None


def joining(scenario, alternative) -> dict[str, list]:
    """Partnership name -> the customers (specs, in scenario order) some choice of theirs
    under ``alternative`` puts in it — its top choice, an item override or a fallback."""
    out: dict[str, list] = {}
    for cust in scenario.customers:
        choice = alternative.support.get(cust.name) if cust.kind == "fms" else None
        names = {c.partnership for c in _choices(choice)
                 if c.option == "partnership" and c.partnership is not None}
        for name in sorted(names):
            out.setdefault(name, []).append(cust)
    return out


class Partnerships:
    """The partnerships some customer joins under this world's alternative."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.by_name: dict[str, Partnership] = {}
        scenario = world.scenario
        if not scenario.partnerships:
            return
        members = joining(scenario, world.alternative)
        for spec in scenario.partnerships:
            if spec.name in members:
                self.by_name[spec.name] = Partnership(
                    world, spec, [world.customers[c.name] for c in members[spec.name]])

    def __getitem__(self, name: str) -> Partnership:
        return self.by_name[name]

    def finish(self, now: float) -> None:
        for p in self.by_name.values():
            p.finish(now)

    def rows(self) -> list[dict]:
        sc = self.world.scenario
        return [r for p in self.by_name.values() for r in p.rows(sc.warmup_days,
                                                                  sc.horizon_days)]

    def conservation_errors(self) -> list[str]:
        return [e for p in self.by_name.values() for e in p.conservation_errors()]


def pool_units(spec: PartnershipSpec, members: list, parts: dict[str, dict[str, int]],
               mtbr: dict[str, float]) -> dict[str, int]:
    """The pooled store at day 0 per NSN, by the simulator's rule (for the closed form):
    quantities, or months of the joining members' combined demand, rounded half up."""
    nsns = {n for m in members for n in parts[m.name] if spec.pools(n)}
    stock = spec.initial_stock
    if not isinstance(stock, MonthsOfDemand):
        return {n: int(stock.quantities.get(n, 0)) for n in nsns}
    demand = dict.fromkeys(nsns, 0.0)
    for m in members:
        for n, qpa in parts[m.name].items():
            if n in demand:
                demand[n] += m.fleet.aircraft * m.fleet.fh_per_aircraft_month * qpa / mtbr[n]
    return {n: int(stock.months_of_demand * d + 0.5) for n, d in demand.items()}
