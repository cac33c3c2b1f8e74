"""Costs outside the simulated supply chain: the scenario's ``cost_elements``, each tagged with
one of the twelve Integrated Product Support elements (DoD Product Support Business Case
Analysis Guidebook), charged to customers under the alternatives they name.

A one-time cost is paid on its day and, like the FMSO I deposit, is the price of choosing the
alternative: it counts in the measured costs even when paid during warm-up. A recurring cost
accrues continuously over [start_day, end_day] within the measured window: per year (pro
rata), per flight hour flown, or per aircraft-year of the customer's fleet. Accruals are
booked at every boundary that splits money — warm-up, period, discount year, fiscal year,
and each element's own start and end — so every booked amount falls in one period, one
discount year and one fiscal year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.recorder import DAYS_PER_YEAR
from sim.scenario.models import CostElement

if TYPE_CHECKING:
    from sim.model.customer import Customer
    from sim.model.world import World


def applies(element: CostElement, customer: Customer, alternative: str) -> bool:
    """Whether ``element`` is charged to ``customer`` under ``alternative`` ("all" customers
    means the FMS nations: US units are context, their costs are DoD's)."""
    if element.alternatives != "all" and alternative not in element.alternatives:
        return False
    if element.customers == "all":
        return customer.is_fms
    return customer.name in element.customers


class CostElements:
    """Schedules and books the scenario's cost elements for one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.recorder = world.recorder
        alt = world.alternative.name
        self.charges = [(e, c) for e in world.scenario.cost_elements
                        for c in world.customers.values() if applies(e, c, alt)]
        self.recurring = [(e, c) for e, c in self.charges if e.recurring is not None]
        self.last = 0.0
        self.fh_mark = {c.name: 0.0 for c in world.customers.values()}

    def ticks(self) -> list[float]:
        """Every instant an accrual must be booked up to (the horizon is booked by
        ``finish``)."""
        world = self.world
        sc = world.scenario
        horizon = sc.horizon_days
        days = {sc.warmup_days}
        t = sc.period_days
        while t < horizon - 1e-9:
            days.add(t)
            t += sc.period_days
        y = DAYS_PER_YEAR
        while y < horizon:
            days.add(y)
            y += DAYS_PER_YEAR
        days.update(world.money.boundaries())
        for e, _ in self.recurring:
            days.add(e.recurring.start_day)
            if e.recurring.end_day is not None:
                days.add(e.recurring.end_day)
        return sorted(d for d in days if 0 < d < horizon - 1e-9)

    def schedule(self) -> None:
        """Book recurring accruals at every tick (scheduled before anything else of the
        world, so at a shared instant they are booked before the period or year closes) and
        one-time costs on their days."""
        if not self.charges:
            return
        for day in self.ticks() if self.recurring else []:
            self.world.after(day, self.accrue, day)
        for e, c in self.charges:
            if e.one_time is not None and e.one_time.day < self.world.scenario.horizon_days:
                self.world.after(e.one_time.day, self._once, (e, c))

    def _once(self, arg: tuple[CostElement, Customer]) -> None:
        e, c = arg
        self.recorder.element(c.stats, e.ips_element, e.one_time.amount_usd,
                              self.world.env._now, investment=True)

    def accrue(self, now: float) -> None:
        """Book what each recurring element accrued since the last tick."""
        prev = self.last
        self.last = now
        if not self.recurring:
            return
        span = now - prev
        measured = prev >= self.world.warmup - 1e-9
        fh = {}
        for c in self.world.customers.values():
            level = c.stats.fh_rate
            level.flush(now)
            fh[c.name] = level.area - self.fh_mark[c.name]
            self.fh_mark[c.name] = level.area
        if not measured or span <= 0:
            return
        for e, c in self.recurring:
            r = e.recurring
            end = r.end_day if r.end_day is not None else float("inf")
            if prev < r.start_day - 1e-9 or now > end + 1e-9:
                continue
            if r.per == "year":
                amount = r.amount_usd * span / DAYS_PER_YEAR
            elif r.per == "aircraft_year":
                amount = r.amount_usd * c.spec.fleet.aircraft * span / DAYS_PER_YEAR
            else:
                amount = r.amount_usd * fh[c.name]
            self.recorder.element(c.stats, e.ips_element, amount, prev, investment=False)
