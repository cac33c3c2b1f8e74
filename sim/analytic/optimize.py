"""Spares buy-in by marginal analysis (Sherbrooke, *Optimal Inventory Modeling of Systems*, ch. 2).

Expected backorders of each NSN are convex and decreasing in its stock, so buying one unit at a
time of whichever NSN cuts the objective most per dollar traces the efficient curve: every
point on it has the least objective any allocation of no greater cost can reach (it minimizes
objective + θ·cost for the last ratio θ taken). The default objective is total EBO, as in
Sherbrooke's marginal analysis; ``objective="availability"`` uses Σ_i -Z_i·log(1 - EBO_i/(N·Z_i))
= -log availability, equally separable and convex. Either way availability is reported alongside.

An NSN is either a ``SpareItem`` (stock at the point whose pipeline law is given) or a
``CurveItem`` (any convex decreasing EBO-versus-units function, e.g. a CLSSA customer's
backorders as FMSO I units are added to wholesale, seen through two-echelon METRIC).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from sim.analytic.metric import availability
from sim.analytic.pipeline import PipelineLaw, backorder_moments, pipeline_law

Objective = Literal["ebo", "availability"]

DEFAULT_CURVE_END = 0.9999
"""Availability at which a curve with neither target nor budget stops."""

_MIN_FACTOR = 1e-300
"""Floor on 1 - EBO/(N·Z) so that -log availability stays finite for hopeless NSNs."""


@dataclass(frozen=True, slots=True)
class SpareItem:
    """One NSN to stock: its pipeline at the stocking point, price, QPA and stock on hand."""

    nsn: str
    pipeline_mean: float
    unit_price: float
    qpa: float = 1.0
    pipeline_variance: float | None = None
    owned: int = 0


@dataclass(frozen=True, slots=True)
class CurveItem:
    """One NSN whose expected backorders are ``ebo(units bought)``, convex and decreasing
    (greedy optimality needs it); ``owned`` is always 0 for it."""

    nsn: str
    unit_price: float
    ebo: Callable[[int], float]
    qpa: float = 1.0

    @property
    def owned(self) -> int:
        return 0


Item = SpareItem | CurveItem


@dataclass(frozen=True, slots=True)
class CurveStep:
    """One point of the curve: the NSN bought last (None at the start) and the figures after."""

    step: int
    nsn: str | None
    cumulative_cost: float
    availability: float
    total_ebo: float


@dataclass(frozen=True, slots=True)
class Allocation:
    """A stock plan: total stock and units bought per NSN, with what it costs and achieves."""

    stock: dict[str, int]
    purchased: dict[str, int]
    cost: float
    availability: float
    total_ebo: float
    step: int | None = None
    """Position on the curve it was read from (None for brute force)."""


class _FunctionTable:
    """EBO of a ``CurveItem`` by units bought, each value computed once."""

    def __init__(self, fn: Callable[[int], float]) -> None:
        self.fn = fn
        self.values: list[float] = []

    def __call__(self, stock: int) -> float:
        while stock >= len(self.values):
            self.values.append(float(self.fn(len(self.values))))
        return self.values[stock]


class _EboTable:
    """EBO of one NSN by stock level, extended on demand, so the greedy never recomputes."""

    def __init__(self, law: PipelineLaw, owned: int) -> None:
        self.law = law
        self.owned = owned
        self.values: NDArray[np.float64] = np.empty(0)
        self._extend(max(16, int(law.mean + 6.0 * math.sqrt(law.variance)) + 2 - owned))

    def _extend(self, count: int) -> None:
        start = self.owned + self.values.size
        new, _ = backorder_moments(np.arange(start, start + count), self.law, with_variance=False)
        self.values = np.concatenate((self.values, new))

    def __call__(self, stock: int) -> float:
        k = stock - self.owned
        while k >= self.values.size:
            self._extend(self.values.size)
        return float(self.values[k])


@dataclass(frozen=True)
class AllocationCurve:
    """The marginal-analysis curve from the owned stock: one NSN bought per step."""

    items: tuple[Item, ...]
    aircraft: float
    choices: NDArray[np.int64]
    cumulative_cost: NDArray[np.float64]
    availability: NDArray[np.float64]
    total_ebo: NDArray[np.float64]
    units: NDArray[np.int64] | None = None
    """Units bought up to each step (None: one unit per step)."""

    def __len__(self) -> int:
        return int(self.cumulative_cost.size)

    def units_at(self, step: int) -> int:
        """Units bought in the first ``step`` steps."""
        return step if self.units is None else int(self.units[step])

    @property
    def steps(self) -> list[CurveStep]:
        """Every point, the start (step 0, nothing bought) first."""
        return [
            CurveStep(
                step=k,
                nsn=None if k == 0 else self.items[int(self.choices[self.units_at(k) - 1])].nsn,
                cumulative_cost=float(self.cumulative_cost[k]),
                availability=float(self.availability[k]),
                total_ebo=float(self.total_ebo[k]),
            )
            for k in range(len(self))
        ]

    def allocation(self, step: int) -> Allocation:
        """The stock plan after ``step`` purchases."""
        if not 0 <= step < len(self):
            raise IndexError(f"step {step} outside the curve (0..{len(self) - 1})")
        bought = np.bincount(self.choices[:self.units_at(step)], minlength=len(self.items))
        return Allocation(
            stock={it.nsn: it.owned + int(b) for it, b in zip(self.items, bought, strict=True)},
            purchased={it.nsn: int(b) for it, b in zip(self.items, bought, strict=True)},
            cost=float(self.cumulative_cost[step]),
            availability=float(self.availability[step]),
            total_ebo=float(self.total_ebo[step]),
            step=step,
        )

    def for_target_availability(self, target: float) -> Allocation:
        """The cheapest point on the curve with availability >= ``target``."""
        reached = np.nonzero(self.availability >= target)[0]
        if reached.size == 0:
            raise ValueError(
                f"availability {target} not reached on this curve "
                f"(best {float(self.availability[-1]):.6g}); build it further"
            )
        return self.allocation(int(reached[0]))

    def for_budget(self, budget: float) -> Allocation:
        """The last point on the curve that costs no more than ``budget``."""
        if budget < 0:
            raise ValueError(f"budget must be >= 0, got {budget}")
        k = int(np.searchsorted(self.cumulative_cost, budget, side="right")) - 1
        return self.allocation(k)


def _validate(items: Sequence[Item], aircraft: float) -> list[Callable[[int], float]]:
    """Refuse inputs for which marginal analysis means nothing; return each NSN's EBO by
    stock level."""
    if aircraft <= 0:
        raise ValueError(f"aircraft must be > 0, got {aircraft}")
    nsns = [it.nsn for it in items]
    if len(set(nsns)) != len(nsns):
        raise ValueError("NSNs must be unique")
    for it in items:
        if not (math.isfinite(it.unit_price) and it.unit_price > 0):
            raise ValueError(f"{it.nsn}: unit price must be > 0, got {it.unit_price}")
        if it.qpa <= 0:
            raise ValueError(f"{it.nsn}: quantity per aircraft must be > 0, got {it.qpa}")
        if it.owned < 0 or int(it.owned) != it.owned:
            raise ValueError(f"{it.nsn}: owned stock must be a whole number >= 0")
    return [_table(it) for it in items]


def _table(it: Item) -> Callable[[int], float]:
    if isinstance(it, CurveItem):
        return _FunctionTable(it.ebo)
    law: PipelineLaw = pipeline_law(it.pipeline_mean, it.pipeline_variance)
    return _EboTable(law, int(it.owned))


def _term(ebo_value: float, qpa: float, aircraft: float, objective: Objective) -> float:
    """One NSN's contribution to the objective."""
    if objective == "ebo":
        return ebo_value
    return -qpa * math.log(max(1.0 - ebo_value / (aircraft * qpa), _MIN_FACTOR))


def build_curve(
    items: Sequence[Item],
    aircraft: float,
    *,
    target_availability: float | None = None,
    budget: float | None = None,
    max_units: int = 100_000,
    objective: Objective = "ebo",
    lookahead: int = 1,
) -> AllocationCurve:
    """Greedy marginal analysis: add one unit at a time where Δobjective/price is largest.

    Stops at the first point reaching ``target_availability``, before the first purchase that
    would exceed ``budget``, after ``max_units`` units, or when no unit helps any more; with
    neither target nor budget it runs to availability ``DEFAULT_CURVE_END``. With
    ``lookahead`` > 1 a step may buy up to that many units of one NSN at once, when their
    average ratio is the best: for objectives that are not convex at the start (a CLSSA
    buy-in whose first units only earmark stock DoD already has), where one unit alone may
    gain nothing.
    """
    if objective not in ("ebo", "availability"):
        raise ValueError(f"objective must be 'ebo' or 'availability', got {objective!r}")
    tables = _validate(items, aircraft)
    if target_availability is None and budget is None:
        target_availability = DEFAULT_CURVE_END
    stock = [int(it.owned) for it in items]
    ebos = np.array([tab(s) for tab, s in zip(tables, stock, strict=True)], dtype=float)
    qpa = np.array([it.qpa for it in items], dtype=float)

    def ratio(i: int) -> tuple[float, int]:
        it, tab, s = items[i], tables[i], stock[i]
        now = _term(tab(s), it.qpa, aircraft, objective)
        best, units = -math.inf, 1
        for j in range(1, lookahead + 1):
            r = (now - _term(tab(s + j), it.qpa, aircraft, objective)) / (j * it.unit_price)
            if r > best * (1 + 1e-12):
                best, units = r, j
        return best, units

    def entry(i: int) -> tuple[float, int, int]:
        r, j = ratio(i)
        return (-r, i, j)

    heap = [entry(i) for i in range(len(items))]
    heapq.heapify(heap)
    choices: list[int] = []
    units = [0]
    costs = [0.0]
    avails = [availability(ebos, aircraft, qpa) if items else 1.0]
    totals = [float(ebos.sum())]
    while heap and len(choices) < max_units:
        if target_availability is not None and avails[-1] >= target_availability:
            break
        neg_ratio, i, j = heap[0]
        if -neg_ratio <= 0.0:
            break
        new_cost = costs[-1] + j * items[i].unit_price
        if budget is not None and new_cost > budget:
            if j == 1:
                break
            heapq.heapreplace(heap, (neg_ratio, i, 1))   # try the single unit instead
            continue
        stock[i] += j
        ebos[i] = tables[i](stock[i])
        heapq.heapreplace(heap, entry(i))
        choices.extend([i] * j)
        units.append(len(choices))
        costs.append(new_cost)
        avails.append(availability(ebos, aircraft, qpa))
        totals.append(float(ebos.sum()))
    return AllocationCurve(
        items=tuple(items),
        aircraft=float(aircraft),
        choices=np.array(choices, dtype=np.int64),
        cumulative_cost=np.array(costs, dtype=float),
        availability=np.array(avails, dtype=float),
        total_ebo=np.array(totals, dtype=float),
        units=None if lookahead == 1 else np.array(units, dtype=np.int64),
    )


def recommend_for_target(
    items: Sequence[Item],
    aircraft: float,
    target_availability: float,
    *,
    objective: Objective = "ebo",
) -> Allocation:
    """Cheapest marginal-analysis buy that reaches ``target_availability``."""
    curve = build_curve(
        items, aircraft, target_availability=target_availability, objective=objective
    )
    return curve.for_target_availability(target_availability)


def recommend_for_budget(
    items: Sequence[Item],
    aircraft: float,
    budget: float,
    *,
    objective: Objective = "ebo",
) -> Allocation:
    """Best marginal-analysis buy that costs no more than ``budget``."""
    return build_curve(items, aircraft, budget=budget, objective=objective).for_budget(budget)


def brute_force(
    items: Sequence[Item],
    aircraft: float,
    budget: float,
    *,
    objective: Objective = "ebo",
    max_combinations: int = 2_000_000,
) -> Allocation:
    """Exhaustive search over every purchase within ``budget``: the reference for tests.

    Ties on the objective go to the cheaper plan.
    """
    fns = _validate(items, aircraft)
    if budget < 0:
        raise ValueError(f"budget must be >= 0, got {budget}")
    limits = [int(budget // it.unit_price) for it in items]
    if math.prod(n + 1 for n in limits) > max_combinations:
        raise ValueError("too many combinations for brute force")
    tables = [
        np.array([fn(it.owned + b) for b in range(n + 1)], dtype=float)
        for it, fn, n in zip(items, fns, limits, strict=True)
    ]
    prices = np.array([it.unit_price for it in items], dtype=float)
    qpa = np.array([it.qpa for it in items], dtype=float)
    best: tuple[float, float, tuple[int, ...]] | None = None
    for buy in itertools.product(*(range(n + 1) for n in limits)):
        cost = float(np.dot(buy, prices))
        if cost > budget:
            continue
        value = sum(
            _term(float(tab[b]), it.qpa, aircraft, objective)
            for tab, b, it in zip(tables, buy, items, strict=True)
        )
        if best is None or (value, cost) < (best[0], best[1]):
            best = (value, cost, buy)
    assert best is not None  # buying nothing always fits
    _, cost, buy = best
    ebos = np.array([tab[b] for tab, b in zip(tables, buy, strict=True)], dtype=float)
    return Allocation(
        stock={it.nsn: it.owned + b for it, b in zip(items, buy, strict=True)},
        purchased={it.nsn: b for it, b in zip(items, buy, strict=True)},
        cost=cost,
        availability=availability(ebos, aircraft, qpa) if items else 1.0,
        total_ebo=float(ebos.sum()),
    )
