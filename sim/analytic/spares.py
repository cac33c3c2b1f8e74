"""Where a nation's own spares should sit, and how many: marginal analysis over its central
store and its bases (the OPUS10 question; Sherbrooke, *Optimal Inventory Modeling of
Systems*, ch. 5 for multi-echelon VARI-METRIC, ch. 2 for marginal analysis).

For one customer under one alternative, each NSN's resupply pipeline to the customer (its
central store, or its one shelf) is fixed by the support option: ``AlternativeModel`` gives
its mean and variance. The customer's own stock decides the rest: the central store's
backorders against that pipeline, and each base's backorders against its own pipeline (base
repair, order-and-ship and its binomial share of the central backorders). Fleet availability
is METRIC's, Σ_b N_b Π_i (1 - EBO_bi / (N_b Z_i))^Z_i / N.

The allocation grows one unit at a time — an NSN at the central store or at a base —
wherever availability rises most per dollar; each step's figures are exact for its
allocation, and on small cases the curve matches exhaustive search (``brute_force``).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.analytic.vector import backorders as backorders_vec

CENTRAL = "central"
"""The location name of a customer's central store (or its single shelf)."""
FMSO1 = "fmso1"
"""The pseudo-location of a CLSSA customer's FMSO I units: bought into DoD wholesale, they
shorten the pipeline to its central store instead of standing on its shelf."""


@dataclass
class NsnNetwork:
    """One NSN of one customer: its resupply pipeline (mean, variance) to the central store
    or single shelf, and per base its demand, own pipeline and share of the central
    backorders. ``bases`` empty: a single stock point."""

    nsn: str
    qpa: int
    unit_cost: float
    mean: float
    var: float
    bases: list[tuple[str, int, float, float]] = field(default_factory=list)
    # (base name, aircraft, own pipeline mean (base repair + order-and-ship), share f)
    law: Callable[[int], tuple[float, float]] | None = None
    # With FMSO I in play: the central pipeline (mean, variance) given FMSO I units.
    fmso1_cost: Callable[[int, int], float] | None = None
    # (units held, units added) -> cost of adding them to the FMSO I level.

    def cost(self, place: str, have: int, j: int) -> float:
        """What ``j`` more units at ``place`` cost, ``have`` being there already."""
        if place == FMSO1 and self.fmso1_cost is not None:
            return self.fmso1_cost(have, j)
        return j * self.unit_cost

    def _central(self, s0: int, f: int = 0) -> tuple[float, float]:
        mean, var = (self.mean, self.var) if self.law is None else self.law(f)
        e, v, _ = backorders_vec(np.array([mean]), np.array([var]), np.array([s0]))
        return float(e[0]), float(v[0])

    def ebos(self, stock: Mapping[str, int], cache: dict | None = None) -> list[float]:
        """Backorders at each place aircraft draw from (the single shelf, or each base)."""
        s0 = int(stock.get(CENTRAL, 0))
        f = int(stock.get(FMSO1, 0)) if self.law is not None else 0
        if not self.bases:
            key = (s0, f)
            if cache is not None and key in cache:
                return cache[key]
            e, _ = self._central(s0, f)
            out = [e]
        else:
            key = (s0, f, *(int(stock.get(b[0], 0)) for b in self.bases))
            if cache is not None and key in cache:
                return cache[key]
            e0, v0 = self._central(s0, f)
            own = np.array([b[2] for b in self.bases])
            f = np.array([b[3] for b in self.bases])
            mean = own + f * e0
            var = np.maximum(mean, own + f * (1 - f) * e0 + f * f * v0)
            stocks = np.array(key[2:], dtype=np.int64)
            out = backorders_vec(mean, var, stocks)[0].tolist()
        if cache is not None:
            cache[key] = out
        return out


@dataclass
class Allocation:
    """A stock plan per NSN and place, with its cost and fleet availability."""

    stock: dict[str, dict[str, int]]
    cost: float
    availability: float


@dataclass
class Curve:
    """Each step of the marginal analysis: what was added where, the running cost and the
    fleet availability after it."""

    steps: list[tuple[str | None, str | None, float, float]]   # (nsn, place, cost, avail)
    allocations: list[dict[str, dict[str, int]]]

    def for_target(self, target: float) -> int | None:
        return next((k for k, s in enumerate(self.steps) if s[3] >= target), None)

    def for_budget(self, budget: float) -> int:
        k = 0
        for j, s in enumerate(self.steps):
            if s[2] <= budget + 1e-9:
                k = j
        return k


class Placement:
    """The stock-placement problem of one customer: availability of any allocation, and the
    greedy curve."""

    def __init__(self, networks: Sequence[NsnNetwork], places: Sequence[tuple[str, int]],
                 ) -> None:
        self.networks = list(networks)
        self.places = list(places)        # (place aircraft draw from, its aircraft)
        self.aircraft = sum(n for _, n in self.places)
        self._cache: list[dict] = [{} for _ in self.networks]

    def locations(self, net: NsnNetwork) -> list[str]:
        return [CENTRAL] + [b[0] for b in net.bases] + ([FMSO1] if net.law is not None else [])

    def _terms(self, i: int, stock: Mapping[str, int]) -> list[float]:
        """(1 - EBO/(N Z))^Z per place for NSN ``i``."""
        net = self.networks[i]
        ebos = net.ebos(stock, self._cache[i])
        return [max(1e-300, max(0.0, 1.0 - e / (n * net.qpa)) ** net.qpa)
                for e, (_, n) in zip(ebos, self.places, strict=True)]

    def availability(self, stock: Sequence[Mapping[str, int]]) -> float:
        prod = [1.0] * len(self.places)
        for i in range(len(self.networks)):
            for k, t in enumerate(self._terms(i, stock[i])):
                prod[k] *= t
        return sum(n * p for (_, n), p in zip(self.places, prod, strict=True)) / self.aircraft

    def curve(self, *, target: float | None = None, budget: float | None = None,
              start: Sequence[Mapping[str, int]] | None = None, max_units: int = 100_000,
              lookahead: int = 3) -> Curve:
        """Greedy marginal analysis from ``start`` (default nothing): each step adds up to
        ``lookahead`` units of one NSN at one place, whichever raises availability most per
        dollar (more than one only when a single unit alone gains nothing, e.g. a central
        store behind base stock that covers its pipeline), until ``target`` or ``budget``."""
        stock = [dict(s) for s in (start or [{} for _ in self.networks])]
        terms = [self._terms(i, stock[i]) for i in range(len(self.networks))]
        prod = [math.prod(t[k] for t in terms) for k in range(len(self.places))]
        avail = self._avail(prod)
        cost = 0.0
        steps: list[tuple[str | None, str | None, float, float]] = [(None, None, 0.0, avail)]
        allocations = [_copy(stock)]
        version = [0] * len(self.networks)

        def best_move(i: int) -> tuple[float, str, int, list[float]]:
            net = self.networks[i]
            best = (-math.inf, CENTRAL, 1, terms[i])
            for place in self.locations(net):
                for j in range(1, lookahead + 1):
                    trial = dict(stock[i])
                    trial[place] = trial.get(place, 0) + j
                    new = self._terms(i, trial)
                    new_prod = [p / t * u for p, t, u in zip(prod, terms[i], new,
                                                             strict=True)]
                    gain = self._avail(new_prod) - avail
                    price = net.cost(place, stock[i].get(place, 0), j)
                    ratio = gain / price if price > 0 else (math.inf if gain > 0 else 0.0)
                    if ratio > best[0] * (1 + 1e-12) + 1e-18:
                        best = (ratio, place, j, new)
            return best

        heap = []
        for i in range(len(self.networks)):
            r, place, j, _ = best_move(i)
            heapq.heappush(heap, (-r, i, version[i], place, j))
        units = 0
        while heap and units < max_units:
            if target is not None and avail >= target:
                break
            neg, i, ver, place, j = heapq.heappop(heap)
            if ver != version[i]:
                continue
            if -neg <= 0:
                break
            net = self.networks[i]
            price = net.cost(place, stock[i].get(place, 0), j)
            if budget is not None and cost + price > budget + 1e-9:
                if j > 1:
                    heapq.heappush(heap, (neg, i, ver, place, 1))
                continue
            stock[i][place] = stock[i].get(place, 0) + j
            new = self._terms(i, stock[i])
            terms[i] = new
            prod = [math.prod(t[k] for t in terms) for k in range(len(self.places))]
            avail = self._avail(prod)
            cost += price
            units += j
            steps.append((net.nsn, place, cost, avail))
            allocations.append(_copy(stock))
            version[i] += 1
            r, place2, j2, _ = best_move(i)
            heapq.heappush(heap, (-r, i, version[i], place2, j2))
        return Curve(steps, allocations)

    def _avail(self, prod: Sequence[float]) -> float:
        return sum(n * p for (_, n), p in zip(self.places, prod, strict=True)) / self.aircraft

    def brute_force(self, budget: float, limit: int = 6) -> Allocation:
        """Exhaustive search over allocations costing at most ``budget``, at most ``limit``
        units per NSN and place: the reference the tests hold the curve to."""
        axes = [(i, place) for i, net in enumerate(self.networks)
                for place in self.locations(net)]
        best: Allocation | None = None
        for counts in itertools.product(range(limit + 1), repeat=len(axes)):
            cost = sum(self.networks[i].cost(place, 0, c)
                       for c, (i, place) in zip(counts, axes, strict=True))
            if cost > budget + 1e-9:
                continue
            stock: list[dict[str, int]] = [{} for _ in self.networks]
            for c, (i, place) in zip(counts, axes, strict=True):
                if c:
                    stock[i][place] = c
            a = self.availability(stock)
            if best is None or a > best.availability + 1e-15 or (
                    abs(a - best.availability) <= 1e-15 and cost < best.cost):
                best = Allocation({n.nsn: s for n, s in zip(self.networks, stock, strict=True)},
                                  cost, a)
        assert best is not None
        return best


def _copy(stock: Sequence[Mapping[str, int]]) -> list[dict[str, int]]:
    return [dict(s) for s in stock]


def placement_problem(model, customer: str,
                      unit_cost: Callable[[str], float] | None = None) -> Placement:
    """The placement problem of ``customer`` under ``model``'s alternative (an
    ``sim.analytic.predict.AlternativeModel`` already solved), costed by ``unit_cost`` per
    NSN (default: the standard unit price)."""
    spec = model.customers[customer]
    parts = model.parts[customer]
    networks = []
    for nsn, qpa in parts.items():
        it = model.item(customer, nsn)
        cost = unit_cost(nsn) if unit_cost else model.items[nsn].unit_price_usd
        if not spec.bases:
            networks.append(NsnNetwork(nsn, qpa, cost, it.pipeline_mean,
                                       it.pipeline_variance))
            continue
        i = model._rows[(customer, nsn)]
        central_mean, central_var = float(model._fig["mean"][i]), float(model._fig["var"][i])
        sp = model._sp_rows(customer, nsn)
        flow_rate = float(model._rate[i])
        rows = []
        for k in sp:
            lam = float(model._sp_rate0[k]) * model.factor.get(customer, 1.0)
            r = float(model._sp_r[k])
            own = lam * r * float(model._sp_t[k]) + lam * (1 - r) * float(model._sp_o[k])
            share = lam * (1 - r) / flow_rate if flow_rate > 0 else 0.0
            rows.append((model._sp_base[k], int(model._sp_aircraft[k]), own, share))
        networks.append(NsnNetwork(nsn, qpa, cost, central_mean, central_var, rows))
    places = ([(CENTRAL, spec.fleet.aircraft)] if not spec.bases
              else [(b.name, b.aircraft) for b in spec.bases])
    return Placement(networks, places)
