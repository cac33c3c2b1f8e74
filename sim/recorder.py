"""Time-weighted statistics, counts and costs of one simulation run.

The recorder decides nothing: the model tells it what happened and when, and it accumulates.
Levels keep two running integrals (since warm-up, and since the current period began) so
memory stays flat however long the horizon is; a period boundary or the end of warm-up
flushes every level once.

Charges of a fixed price (a shipment over one leg, a depot repair, an exchange) are counted
on a ``Bill`` and booked as count x price when the ledger is settled, rather than posted one
by one: the ledger is settled at every period boundary, at the end of warm-up and at every
year boundary, so all charges counted between two settlements share their measured flag and
their discount year, and the booked figures are those of posting each charge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.scenario.money import Money

DAYS_PER_YEAR = 365.25
COST_CATEGORIES = ("repair", "purchase", "exchange", "clssa", "transport", "surcharge", "fees",
                   "spares", "other")
CATEGORY_IPS = {
    # The simulated supply chain's costs by Integrated Product Support element; "other" is
    # the scenario's own cost elements, each tagged with its element.
    "repair": "maintenance planning and management",
    "purchase": "supply support",
    "exchange": "supply support",
    "clssa": "supply support",
    "fees": "supply support",
    "spares": "supply support",                     # in-country spares, net of residual value
    "transport": "packaging, handling, storage and transportation",
    "surcharge": "product support management",     # the FMS administrative surcharge
}


class Level:
    """A piecewise-constant quantity and its running time integral.

    ``add`` is the model's hottest call, so it keeps one cumulative integral; the integral
    since warm-up and per period are differences of marks taken at those instants.
    """

    __slots__ = ("area", "period_mark", "t_last", "value", "warm_mark")

    def __init__(self, value: float = 0.0) -> None:
        self.value = value
        self.t_last = 0.0
        self.area = 0.0
        self.warm_mark = 0.0
        self.period_mark = 0.0

    def add(self, now: float, delta: float) -> None:
        self.area += self.value * (now - self.t_last)
        self.t_last = now
        self.value += delta

    def flush(self, now: float) -> None:
        self.area += self.value * (now - self.t_last)
        self.t_last = now

    @property
    def measured(self) -> float:
        """Integral since the end of warm-up (valid after the final flush)."""
        return self.area - self.warm_mark

    @property
    def period_area(self) -> float:
        return self.area - self.period_mark


class ItemStats:
    """One customer's figures for one NSN, updated in place on the model's hottest paths."""

    __slots__ = ("backorders", "condemned", "cost", "demands", "filled", "no_source",
                 "nsn", "pipe_net", "pipe_sum", "wait_sum")

    def __init__(self, nsn: str) -> None:
        self.nsn = nsn
        self.demands = 0
        self.filled = 0
        self.wait_sum = 0.0
        self.condemned = 0
        self.no_source = 0
        self.cost = 0.0
        self.backorders = Level()
        self.pipe_net = 0
        self.pipe_sum = 0.0

    def pipeline_area(self, horizon: float) -> float:
        """Units owed to the shelf, integrated over the measured window [W, H] without a level
        update per removal: for a counting process, the integral is the sum over units of
        (H - max(t_in, W)) less the same over departures, so each removal adds max(t, W) to
        ``pipe_sum`` and one to ``pipe_net``, each arrival subtracts them."""
        return horizon * self.pipe_net - self.pipe_sum


@dataclass
class CustomerStats:
    name: str
    aircraft: int
    nsns: list[str]
    nmcs: Level = field(default_factory=Level)
    backorders: Level = field(default_factory=Level)
    fh_rate: Level = field(default_factory=Level)
    fh_program: Level = field(default_factory=Level)   # the hours the program asks for
    nmcm: Level = field(default_factory=Level)      # down for maintenance, not for parts
    pmc: Level = field(default_factory=Level)       # flying with a non-essential unit missing
    nmcs_episodes: int = 0
    nmcs_episode_days: float = 0.0
    fy_costs: dict[tuple[str, int], float] = field(default_factory=dict)   # (IPS, FY) -> $
    waits: list[float] = field(default_factory=list)
    costs: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COST_CATEGORIES, 0.0))
    npv: float = 0.0
    period_cost: float = 0.0
    items: dict[str, ItemStats] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for nsn in self.nsns:
            self.items[nsn] = ItemStats(nsn)

    @property
    def demands(self) -> int:
        """Demands since warm-up (each removal counts once, on its NSN)."""
        return sum(it.demands for it in self.items.values())

    @property
    def filled(self) -> int:
        return sum(it.filled for it in self.items.values())


@dataclass
class DepotStats:
    name: str
    lines: int | None
    queue: Level = field(default_factory=Level)
    busy: Level = field(default_factory=Level)
    inductions: int = 0
    repairs: int = 0
    turnaround_sum: float = 0.0
    queue_sum: float = 0.0
    started: int = 0
    capacity: Level = field(default_factory=Level)
    awp: Level = field(default_factory=Level)       # units awaiting parts (holding no line)
    awp_count: int = 0
    awp_sum: float = 0.0

    def __post_init__(self) -> None:
        self.capacity.value = float(self.lines or 0)


@dataclass
class BaseStats:
    """One base of a customer with bases: its aircraft's NMCS time, its shelf's backorders,
    fills and waits, and the lateral transfers it received."""

    customer: str
    name: str
    aircraft: int
    nmcs: Level = field(default_factory=Level)
    backorders: Level = field(default_factory=Level)
    demands: int = 0
    filled: int = 0
    wait_sum: float = 0.0
    lateral_issues: int = 0


class Bill:
    """Charges of one fixed price to one customer's NSN in one category: the model counts
    them (``bill.n += 1``) and the recorder books count x price when it settles."""

    __slots__ = ("amount", "category", "customer", "item", "n", "rate")

    def __init__(self, customer: CustomerStats, item: ItemStats | None, category: str,
                 amount: float, rate: float) -> None:
        self.customer = customer
        self.item = item
        self.category = category
        self.amount = amount
        self.rate = rate
        self.n = 0


class Recorder:
    """Accumulates one run's observations and renders them as result rows."""

    def __init__(self, warmup_days: float, horizon_days: float, period_days: float,
                 discount_rate: float, money: Money | None = None) -> None:
        self.money = money
        self.warmup = warmup_days
        self.horizon = horizon_days
        self.period_days = period_days
        self.discount_rate = discount_rate
        self.measuring = warmup_days <= 0.0
        self.customers: dict[str, CustomerStats] = {}
        self.depots: dict[str, DepotStats] = {}
        self.bases: list[BaseStats] = []
        self.period_start = 0.0
        self.timeseries: list[dict] = []
        self.depot_timeseries: list[dict] = []
        self.events: list[tuple] | None = None
        self._factors: dict[int, float] = {}
        # ``post((now, stats, nsn, category, amount, surcharge_rate, investment))`` bills: the
        # model's charges go to this ledger (a list append, no Python call on the hot path),
        # settled in posting order at every period boundary, so memory stays flat.
        self.ledger: list[tuple] = []
        self.post = self.ledger.append
        self.bills: dict[tuple, Bill] = {}
        self.settled_to = 0.0       # the ledger and the bills are booked up to this day
        # Weapon System Partnerships (``sim.model.partnership``): their own accounts are
        # charged back to their members at the end of every settlement.
        self.pools: list = []

    # -- registration -------------------------------------------------------------------
    def customer(self, name: str, aircraft: int, nsns: list[str]) -> CustomerStats:
        stats = CustomerStats(name, aircraft, nsns)
        self.customers[name] = stats
        return stats

    def base(self, customer: str, name: str, aircraft: int) -> BaseStats:
        stats = BaseStats(customer, name, aircraft)
        self.bases.append(stats)
        return stats

    def depot(self, name: str, lines: int | None) -> DepotStats:
        stats = DepotStats(name, lines)
        self.depots[name] = stats
        return stats

    def bill(self, c: CustomerStats, nsn: str | None, category: str, amount: float,
             surcharge_rate: float) -> Bill:
        """The bill counting charges of ``amount`` (plus ``surcharge_rate`` of it as FMS
        surcharge) in ``category``; one per distinct charge, shared by whoever makes it."""
        key = (c.name, nsn, category, amount, surcharge_rate)
        bill = self.bills.get(key)
        if bill is None:
            item = None if nsn is None else c.items[nsn]
            bill = self.bills[key] = Bill(c, item, category, amount, surcharge_rate)
        return bill

    def _levels(self):
        """The levels reported per period (per-NSN backorders are reported for the whole
        measured window only, so they are flushed at warm-up and at the end)."""
        for c in self.customers.values():
            yield c.nmcs
            yield c.backorders
            yield c.fh_rate
            yield c.fh_program
            yield c.nmcm
            yield c.pmc
        for d in self.depots.values():
            yield d.queue
            yield d.busy
            yield d.capacity
            yield d.awp

    def _item_levels(self):
        """Levels reported for the measured window only: per NSN and per base."""
        for b in self.bases:
            yield b.nmcs
            yield b.backorders
        for c in self.customers.values():
            for it in c.items.values():
                yield it.backorders

    # -- observations ------------------------------------------------------------------
    def wait(self, c: CustomerStats, item: ItemStats, demand_day: float, now: float) -> None:
        if demand_day >= self.warmup:
            w = now - demand_day
            c.waits.append(w)
            item.wait_sum += w

    def condemned(self, item: ItemStats) -> None:
        if self.measuring:
            item.condemned += 1

    def no_source(self, item: ItemStats) -> None:
        if self.measuring:
            item.no_source += 1

    def charge(self, c: CustomerStats, nsn: str | None, category: str, amount: float,
               surcharge_rate: float, now: float, investment: bool = False) -> None:
        """Bill ``amount`` in ``category`` plus ``surcharge_rate`` of it as FMS surcharge.

        An ``investment`` (a CLSSA deposit, an EDA purchase) is the price of choosing the
        alternative, so it counts in the measured costs even when paid during warm-up.
        """
        self.post((now, c, nsn, category, amount, surcharge_rate, investment))

    def settle(self, now: float) -> None:
        """Book every ledger entry in posting order (one loop, no call per entry), then every
        bill's count since the last settlement. Settlements fall on every boundary of warm-up,
        period and year, so the counted charges all belong to the interval's start."""
        warmup = self.warmup
        factors = self._factors
        fiscal = self._fiscal_year
        for when, c, nsn, category, amount, rate, investment in self.ledger:
            surcharge = amount * rate
            total = amount + surcharge
            c.period_cost += total
            if when >= warmup or investment:
                costs = c.costs
                costs[category] += amount
                fy = fiscal(when)
                _add(c.fy_costs, (CATEGORY_IPS[category], fy), amount)
                if surcharge:
                    costs["surcharge"] += surcharge
                    _add(c.fy_costs, (CATEGORY_IPS["surcharge"], fy), surcharge)
                year = int(when / DAYS_PER_YEAR) + 1
                factor = factors.get(year)
                if factor is None:
                    factor = self.discount_factor(when)
                c.npv += total * factor
                if nsn is not None:
                    c.items[nsn].cost += total
        self.ledger.clear()
        start = self.settled_to
        measured = start >= warmup
        factor = self.discount_factor(start)
        fy = fiscal(start)                 # every counted charge belongs to the interval's start
        surcharge_key = (CATEGORY_IPS["surcharge"], fy)
        for bill in [b for b in self.bills.values() if b.n]:
            n = bill.n
            bill.n = 0
            c = bill.customer
            amount = n * bill.amount
            surcharge = amount * bill.rate
            total = amount + surcharge
            c.period_cost += total
            if measured:
                costs = c.costs
                costs[bill.category] += amount
                _add(c.fy_costs, (CATEGORY_IPS[bill.category], fy), amount)
                if surcharge:
                    costs["surcharge"] += surcharge
                    _add(c.fy_costs, surcharge_key, surcharge)
                c.npv += total * factor
                if bill.item is not None:
                    bill.item.cost += total
        self.settled_to = now
        for pool in self.pools:
            pool.charge_back(now)

    def _fiscal_year(self, day: float) -> int:
        return self.money.fiscal_year(day) if self.money is not None else int(
            day / DAYS_PER_YEAR) + 1

    def element(self, c: CustomerStats, ips: str, amount: float, when: float,
                investment: bool) -> None:
        """Book a cost element's amount at once (they are few): in ``other``, its IPS element
        and fiscal year, the NPV and the period's cost."""
        c.period_cost += amount
        if when >= self.warmup or investment:
            c.costs["other"] += amount
            c.npv += amount * self.discount_factor(when)
            _add(c.fy_costs, (ips, self._fiscal_year(when)), amount)

    def cost_rows(self) -> list[dict]:
        """costs.parquet: per customer, IPS element and fiscal year, constant and then-year
        dollars of the measured costs (investments paid in warm-up included, as in
        ``summary.cost_usd``)."""
        rows = []
        for c in self.customers.values():
            for (ips, fy), amount in sorted(c.fy_costs.items(), key=lambda kv: (kv[0][1],
                                                                                  kv[0][0])):
                index = self.money.index(fy) if self.money is not None else 1.0
                rows.append({"customer": c.name, "ips_element": ips, "fiscal_year": fy,
                             "constant_usd": amount, "then_year_usd": amount * index})
        return rows

    def discount_factor(self, now: float) -> float:
        """End-of-year discounting: a cost in year y (1-based, 365.25 days) counts
        1 / (1 + r)^y in the NPV."""
        year = int(now / DAYS_PER_YEAR) + 1
        factor = self._factors.get(year)
        if factor is None:
            factor = self._factors[year] = 1.0 / (1.0 + self.discount_rate) ** year
        return factor

    def log(self, now: float, kind: str, customer: str, nsn: str, aircraft: int = -1) -> None:
        if self.events is not None:
            self.events.append((now, kind, customer, nsn, aircraft))

    # -- clock -------------------------------------------------------------------------
    def start_measuring(self, now: float) -> None:
        """End of warm-up: book the warm-up's charges, discard what the levels integrated so
        far."""
        self.settle(now)
        for level in self._levels():
            level.flush(now)
            level.warm_mark = level.area
        for level in self._item_levels():
            level.flush(now)
            level.warm_mark = level.area
        self.measuring = True

    def year_boundary(self, now: float) -> None:
        """A new discount year begins: book the charges counted in the last one."""
        self.settle(now)

    def close_period(self, now: float) -> None:
        self.settle(now)
        length = now - self.period_start
        if length <= 0:
            return
        for level in self._levels():
            level.flush(now)
        for c in self.customers.values():
            self.timeseries.append({
                "customer": c.name,
                "period_start_day": self.period_start,
                "availability": 1.0 - c.nmcs.period_area / (c.aircraft * length),
                "backorders_mean": c.backorders.period_area / length,
                "cost_usd": c.period_cost,
                "flight_hours": c.fh_rate.period_area,
            })
            c.period_cost = 0.0
        for d in self.depots.values():
            capacity = d.capacity.period_area
            self.depot_timeseries.append({
                "depot": d.name,
                "period_start_day": self.period_start,
                "backlog_mean": (d.queue.period_area + d.busy.period_area
                                 + d.awp.period_area) / length,
                "utilization": d.busy.period_area / capacity if capacity else float("nan"),
            })
        for level in self._levels():
            level.period_mark = level.area
        self.period_start = now

    # -- results -----------------------------------------------------------------------
    def finish(self, now: float, open_waits: dict[str, list[tuple[str, float]]]) -> None:
        """Close the last period and censor waits still open at the horizon."""
        self.close_period(now)
        for level in self._item_levels():
            level.flush(now)
        for cname, waits in open_waits.items():
            c = self.customers[cname]
            for nsn, day in waits:
                self.wait(c, c.items[nsn], day, now)

    def summary_rows(self) -> list[dict]:
        span = self.horizon - self.warmup
        rows = []
        for c in self.customers.values():
            nmcs_mean = c.nmcs.measured / span
            waits = np.asarray(c.waits, dtype=float)
            zeros = c.demands - len(waits)
            all_waits = np.concatenate([np.zeros(max(zeros, 0)), waits])
            if all_waits.size:
                p50, p85, p95 = np.percentile(all_waits, [50, 85, 95])
                cwt_mean = float(all_waits.mean())
            else:
                p50 = p85 = p95 = cwt_mean = float("nan")
            fh = c.fh_rate.measured
            total = sum(c.costs.values())
            nmcm_mean = c.nmcm.measured / span
            pmc_mean = c.pmc.measured / span
            row = {
                "customer": c.name,
                "availability": 1.0 - nmcs_mean / c.aircraft,
                "nmcs_aircraft_mean": nmcs_mean,
                "backorders_mean": c.backorders.measured / span,
                "fill_rate": c.filled / c.demands if c.demands else float("nan"),
                "cwt_days_mean": cwt_mean,
                "cwt_days_p50": float(p50),
                "cwt_days_p85": float(p85),
                "cwt_days_p95": float(p95),
                "demands": c.demands,
                "flight_hours": fh,
                "cost_usd": total,
            }
            for cat in COST_CATEGORIES:
                row[f"cost_{cat}_usd"] = c.costs[cat]
            row["cost_per_fh_usd"] = total / fh if fh else float("nan")
            programmed = c.fh_program.measured
            row["flight_hours_shortfall"] = max(0.0, programmed - fh)
            row["cost_per_programmed_fh_usd"] = total / programmed if programmed else float(
                "nan")
            row["npv_cost_usd"] = c.npv
            row["mc_rate"] = 1.0 - (nmcs_mean + nmcm_mean) / c.aircraft
            row["fmc_rate"] = row["mc_rate"] - pmc_mean / c.aircraft
            row["nmcm_aircraft_mean"] = nmcm_mean
            row["materiel_availability"] = row["availability"]
            row["mean_down_time_days"] = (c.nmcs_episode_days / c.nmcs_episodes
                                          if c.nmcs_episodes else float("nan"))
            row["mfhbr_fh"] = fh / c.demands if c.demands else float("nan")
            rows.append(row)
        return rows

    def item_rows(self) -> list[dict]:
        span = self.horizon - self.warmup
        rows = []
        for c in self.customers.values():
            for nsn in c.nsns:
                it = c.items[nsn]
                d = it.demands
                rows.append({
                    "customer": c.name,
                    "nsn": nsn,
                    "demands": d,
                    "fill_rate": it.filled / d if d else float("nan"),
                    "backorders_mean": it.backorders.measured / span,
                    "pipeline_mean": it.pipeline_area(self.horizon) / span,
                    "cwt_days_mean": it.wait_sum / d if d else float("nan"),
                    "condemnations": it.condemned,
                    "no_source": it.no_source,
                    "cost_usd": it.cost,
                })
        return rows

    def base_rows(self) -> list[dict]:
        """bases.parquet: per customer base over the measured window."""
        span = self.horizon - self.warmup
        return [{
            "customer": b.customer,
            "base": b.name,
            "availability": 1.0 - b.nmcs.measured / span / b.aircraft,
            "backorders_mean": b.backorders.measured / span,
            "fill_rate": b.filled / b.demands if b.demands else float("nan"),
            "cwt_days_mean": b.wait_sum / b.demands if b.demands else float("nan"),
            "lateral_issues": b.lateral_issues,
        } for b in self.bases]

    def depot_rows(self) -> list[dict]:
        span = self.horizon - self.warmup
        rows = []
        for d in self.depots.values():
            capacity = d.capacity.measured
            rows.append({
                "depot": d.name,
                "inductions": d.inductions,
                "turnaround_days_mean": d.turnaround_sum / d.repairs if d.repairs else float("nan"),
                "queue_days_mean": d.queue_sum / d.started if d.started else float("nan"),
                "backlog_mean": (d.queue.measured + d.busy.measured + d.awp.measured) / span,
                "utilization": d.busy.measured / capacity if capacity else float("nan"),
                "awaiting_parts": d.awp_count,
                "awaiting_parts_days_mean": (d.awp_sum / d.awp_count if d.awp_count
                                             else float("nan")),
            })
        return rows


def _add(bucket: dict, key: tuple, amount: float) -> None:
    bucket[key] = bucket.get(key, 0.0) + amount
