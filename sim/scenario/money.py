"""Money over time: fiscal years, then-year dollars and discounting — one rule for the
simulator, the closed form and the report.

Costs are in constant dollars of the scenario's ``base_year``. Day 0 lies in fiscal year
``base_year`` (or year 1 when the scenario names none); a new fiscal year starts on
``fiscal_year_start_day`` and every 365.25 days after it (day 0 itself when 0). Then-year
dollars multiply a fiscal year's constant dollars by its escalation index: (1 + rate)^(FY -
base year), or the scenario's table. NPV discounts constant dollars at the real rate by the
year from day 0, end-of-year (OMB Circular A-94), independently of fiscal years.
"""

from __future__ import annotations

import math

from sim.scenario.models import IndexTable, Scenario

DAYS_PER_YEAR = 365.25


def fiscal_year_of(day: float, first: int, start_day: float) -> int:
    """The fiscal year ``day`` falls in, when day 0 lies in fiscal year ``first`` and a new
    one starts on ``start_day`` (mod a year) and every year after it."""
    start = start_day % DAYS_PER_YEAR
    shift = 1 if start > 0 else 0
    return first + math.floor((day - start) / DAYS_PER_YEAR) + shift


def fiscal_years_of(horizon: float, first: int, start_day: float) -> list[int]:
    """Every fiscal year the run's days [0, horizon) touch."""
    return list(range(fiscal_year_of(0.0, first, start_day),
                      fiscal_year_of(horizon - 1e-9, first, start_day) + 1))


class Money:
    """Fiscal-year and escalation arithmetic of one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.first = scenario.base_year if scenario.base_year is not None else 1
        self.start = scenario.fiscal_year_start_day % DAYS_PER_YEAR
        self.escalation = scenario.escalation
        self.horizon = scenario.horizon_days

    def fiscal_year(self, day: float) -> int:
        """The fiscal year a day falls in."""
        return fiscal_year_of(day, self.first, self.start)

    def boundaries(self) -> list[float]:
        """Days inside the horizon on which a new fiscal year starts."""
        out = []
        t = self.start if self.start > 0 else DAYS_PER_YEAR
        while t < self.horizon - 1e-9:
            out.append(t)
            t += DAYS_PER_YEAR
        return out

    def fiscal_years(self) -> list[int]:
        return fiscal_years_of(self.horizon, self.first, self.start)

    def index(self, fy: int) -> float:
        """Then-year dollars per constant dollar in a fiscal year."""
        esc = self.escalation
        if isinstance(esc, IndexTable):
            return esc.indices[fy]
        return (1.0 + esc) ** (fy - self.first)
