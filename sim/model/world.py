"""One SimPy world: one alternative of a scenario in one replication.

The world receives a validated ``Scenario``, never a file, and reports to a ``Recorder``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import simpy

from sim.model.acsa import AcsaAgreements
from sim.model.clock import Call
from sim.model.cost_elements import CostElements
from sim.model.customer import Customer
from sim.model.depot import Depot
from sim.model.fmso1 import Fmso1Account
from sim.model.item_manager import ItemManager
from sim.model.partnership import Partnerships
from sim.model.support import OPTIONS, SupportChain, UsWholesale
from sim.model.timeline import leave_days, schedule_timeline, standard_until
from sim.model.transport import Transport
from sim.recorder import DAYS_PER_YEAR, Recorder
from sim.rng import Streams
from sim.scenario.models import Alternative, Scenario, SupportChoice
from sim.scenario.money import Money


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a world is built and run.

    Building a world makes tens of thousands of long-lived objects at once, and running it
    allocates an event tuple per step; the collector's passes over them (and over everything
    else the process holds) cost about a tenth of a reference unit and find nothing, because
    what a run discards is freed by reference counting. The world's own reference cycles
    (world, customers, options) are collected after the run, once the collector is back, or
    at once by ``run_unit``."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class RunResult:
    summary: list[dict]
    items: list[dict]
    depots: list[dict]
    timeseries: list[dict]
    depot_timeseries: list[dict]
    events: list[tuple] | None
    sim_events: int
    conservation: list[str] = field(default_factory=list)   # violated rules (a model bug)
    bases: list[dict] = field(default_factory=list)          # per customer base
    costs: list[dict] = field(default_factory=list)          # per IPS element, fiscal year
    partnerships: list[dict] = field(default_factory=list)   # per partnership and member
    acsa: list[dict] = field(default_factory=list)           # per ACSA transfer


def run_unit(scenario: Scenario, alternative: Alternative, replication: int,
             record_events: bool = False) -> RunResult:
    """Build, run and discard one world: what a worker does for one unit.

    The cyclic collector stays paused throughout and, at the end, one collection of its
    youngest generation — the objects this unit made, the discarded world among them —
    frees the world's reference cycles. An unpaused collector passes over the world dozens
    of times while it lives and frees it in an older generation along with other units'
    worlds: twice the time (about 75 against 35 ms a reference unit) and more memory."""
    with cyclic_gc_paused():
        world = World(scenario, alternative, replication, record_events=record_events)
        result = world.run()
        del world
        gc.collect(0)
    return result


class World:
    """Builds the customers, depots, item manager and transport, and runs the clock."""

    def __init__(self, scenario: Scenario, alternative: Alternative, replication: int,
                 seed: int | None = None, record_events: bool = False) -> None:
        with cyclic_gc_paused():
            self._build(scenario, alternative, replication, seed, record_events)

    def _build(self, scenario: Scenario, alternative: Alternative, replication: int,
               seed: int | None, record_events: bool) -> None:
        self.scenario = scenario
        self.alternative = alternative
        self.env = simpy.Environment()
        self.streams = Streams(scenario.seed if seed is None else seed, replication)
        self.warmup = scenario.warmup_days
        self.surcharge_rate = scenario.fms_surcharge_rate
        self.money = Money(scenario)
        self.recorder = Recorder(scenario.warmup_days, scenario.horizon_days,
                                 scenario.period_days, scenario.discount_rate, self.money)
        if record_events:
            self.recorder.events = []
        self.items = {it.nsn: it for it in scenario.items}
        self.leave_day = leave_days(scenario)
        self.standard_day = standard_until(scenario, alternative)
        self.depots = {d.name: Depot(self, d) for d in scenario.depots}
        self.transport = Transport(self, scenario.transport)
        self.item_manager = ItemManager(self)
        self.customers = {c.name: Customer(self, c) for c in scenario.customers}
        self.fmso1: dict[tuple[str, str], Fmso1Account] = {}
        self.chains: dict[tuple[str, str], SupportChain] = {}
        self.partnerships = Partnerships(self)     # before the chains: members draw on them
        for cust in self.customers.values():
            for nsn in cust.system.parts:
                chain = self._chain(cust, nsn, self._choice(cust, nsn))
                self.chains[(cust.name, nsn)] = chain
                cust.shelves[nsn].entry = chain.entry
            if cust.spec.initial_support_days:
                initial = SupportChoice(option=scenario.initial_support)
                for nsn in cust.system.parts:
                    cust.shelves[nsn].entry = self._chain(cust, nsn, initial).entry
        self.acsa = AcsaAgreements(self)

    def _choice(self, cust: Customer, nsn: str) -> SupportChoice | None:
        if not cust.is_fms:
            return None
        choice = self.alternative.support[cust.name]
        return choice.items.get(nsn, choice)

    def _chain(self, cust: Customer, nsn: str, choice: SupportChoice | None) -> SupportChain:
        """The choice and its fallbacks, in order; a US unit's support is wholesale."""
        if choice is None:
            return SupportChain(cust, nsn, [UsWholesale(self, cust, nsn, None)])
        options = []
        while choice is not None:
            options.append(OPTIONS[choice.option](self, cust, nsn, choice))
            choice = choice.fallback if isinstance(choice.fallback, SupportChoice) else None
        return SupportChain(cust, nsn, options)

    def fmso1_account(self, customer: str, nsn: str) -> Fmso1Account:
        """The customer's CLSSA FMSO I account for ``nsn`` (level 0 until the timeline opens
        it: every requisition unprogrammed)."""
        acct = self.fmso1.get((customer, nsn))
        if acct is None:
            acct = self.fmso1[(customer, nsn)] = Fmso1Account()
        return acct

    def in_inventory(self, nsn: str) -> bool:
        """Standard (in the DoD inventory) now: wholesale, DX and CLSSA still serve it."""
        return self.env._now < self.leave_day[nsn]

    def standard_for(self, customer: str, nsn: str) -> bool:
        """Standard for this customer now: in the DoD inventory and, if the customer left the
        US software baseline, its configuration not yet diverged."""
        return self.env._now < self.standard_day[(customer, nsn)]

    def after(self, delay: float, fn: Callable, arg: object = None) -> None:
        """Call ``fn(arg)`` after ``delay`` days: one scheduled event, no process."""
        Call(self.env, delay, fn, arg)

    def _clock(self) -> None:
        rec = self.recorder
        horizon = self.scenario.horizon_days
        self.elements = CostElements(self)
        self.elements.schedule()          # first: at a shared instant, accruals book first
        if self.warmup > 0:
            self.after(self.warmup, rec.start_measuring, self.warmup)
        # Period boundaries; start_measuring is scheduled first, so at equal times it runs first.
        t = self.scenario.period_days
        while t < horizon - 1e-9:
            self.after(t, rec.close_period, t)
            t += self.scenario.period_days
        # Discount years: counted charges are booked by year (``Recorder.settle``). Scheduled
        # before any model event, these run first among the events of their instant.
        year = 1
        while year * DAYS_PER_YEAR < horizon:
            self.after(year * DAYS_PER_YEAR, rec.year_boundary, year * DAYS_PER_YEAR)
            year += 1
        for day in self.money.boundaries():          # fiscal years: counted charges too
            self.after(day, rec.year_boundary, day)

    def run(self) -> RunResult:
        with cyclic_gc_paused():
            return self._run()

    def _run(self) -> RunResult:
        self._clock()
        schedule_timeline(self)
        for cust in self.customers.values():
            for fleet in cust.fleets:
                fleet.start()
        horizon = self.scenario.horizon_days
        self.env.run(until=horizon)
        rec = self.recorder
        self.elements.accrue(horizon)
        self.acsa.finish(horizon)
        rec.finish(horizon, {c.name: c.open_waits() for c in self.customers.values()})
        for c in self.customers.values():
            for shelves in c.base_shelves:
                for shelf in shelves.values():
                    shelf.censor(horizon)
        errors = [e for c in self.customers.values() for e in c.conservation_errors()]
        self.partnerships.finish(horizon)
        errors += self.partnerships.conservation_errors()
        return RunResult(rec.summary_rows(), rec.item_rows(), rec.depot_rows(), rec.timeseries,
                         rec.depot_timeseries, rec.events, next(self.env._eid), errors,
                         rec.base_rows(), rec.cost_rows(),
                         partnerships=self.partnerships.rows(), acsa=self.acsa.rows())
