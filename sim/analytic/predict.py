"""The closed-form answer for each alternative of a scenario: the engine of ``sustain analytic``.

Each (customer, NSN) of an alternative becomes a *flow* in METRIC's terms: removals at the
rate of the whole fleet flying, a pipeline of units owed to the customer's shelf, and perhaps a
draw on DoD wholesale stock. Two shapes cover the options that have a closed form:

- **repair** (Repair and Return, national depot, third-country depot): the carcass travels to
  the depot, waits for a line, is repaired and travels back; a unit condemned at induction is
  replaced by a wholesale buy shipped from the US.
- **wholesale** (Direct Exchange, CLSSA, a US unit): a serviceable is requisitioned from
  wholesale at removal and shipped; the carcass is repaired at a US depot into wholesale stock,
  condemned carcasses are replaced by procurement.

Wholesale is METRIC's depot for each NSN: a base-stock point fed by every flow that draws on it,
whose backorders delay each requisition by EBO0/Λ0 on average (Sherbrooke ch. 2; VARI-METRIC
adds the variance of that delay, ch. 5). A finite depot adds its M/G/c queue wait (Erlang C with
the Allen-Cunneen correction) to every carcass it repairs. The assumptions are listed by
``ASSUMPTIONS`` and printed with every answer, because the numbers mean nothing without them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.special import gammaln, pdtrc, xlogy


def poisson_pmf(k: np.ndarray, mean: float) -> np.ndarray:
    """Poisson pmf by ufuncs (scipy.stats' per-call overhead dominates these small arrays)."""
    return np.exp(xlogy(k, mean) - mean - gammaln(k + 1.0))

from sim.analytic.clssa import fmso1_quantities
from sim.analytic.erlang import erlang_b, mgc_mean_wait
from sim.analytic.metric import availability as metric_availability
from sim.analytic.pipeline import backorder_moments, fill_rate, pipeline_law
from sim.scenario.distributions import (
    Exponential,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
    Weibull,
    mean_of,
)
from sim.scenario.models import DAYS_PER_MONTH, Alternative, Scenario, SupportChoice
from sim.scenario.models import Customer as CustomerSpec

Method = Literal["metric", "vari-metric"]
DEFAULT_METHOD: Method = "vari-metric"

WHOLESALE_COUNTRY = "US"
"""Where DoD wholesale stock and US depots are (as in ``sim.model.support.base``)."""
REPAIR_OPTIONS = frozenset({"repair_and_return", "national_depot", "third_country"})
WHOLESALE_OPTIONS = frozenset({"direct_exchange", "clssa"})
US_UNIT = "us_wholesale"
"""The option key a US unit's support is shown under (US support is fixed, not chosen)."""

ASSUMPTIONS = (
    ("Steady state after warm-up and, for CLSSA, after FMSO I maturity (one procurement lead "
     "time from day 0); timeline events, fallbacks and EDA are not modeled."),
    ("Demand is Poisson at the rate of the whole fleet flying (aircraft x QPA x FH per day / "
     "MTBR); Weibull removals are taken at their long-run renewal rate."),
    ("'availability' is METRIC's (Sherbrooke's product): every aircraft keeps generating "
     "demand. The simulator's NMCS aircraft stop flying, so its demand and backorders are lower "
     "by about the NMCS fraction; 'finite fleet' corrects for that to first order (demand x "
     "availability, solved as a fixed point)."),
    ("Pipelines are Poisson by Palm's theorem (any repair or transit law), exact with an ample "
     "depot; with finite repair lines the depot's mean M/G/c queue wait (Erlang C x "
     "(1 + cv^2)/2, all NSNs and customers sharing the lines) is added to the repair time."),
    ("Wholesale is a base-stock depot per NSN (two-echelon METRIC; VARI-METRIC variance), "
     "replenished by carcass transit + depot turnaround or, for condemnations and sales, the "
     "procurement lead time. Unrestricted requisitions (US units, CLSSA requisitions coded "
     "programmed) draw all stock and wait EBO0/demand on average (UMMIPS priorities ignored). "
     "Restricted ones (non-CLSSA FMS, unprogrammed CLSSA) are released only from stock above "
     "the protection level, with the probability P(pipeline0 < stock - protection) solved as "
     "a fixed point, and are otherwise procured for the customer (one procurement lead time). "
     "A CLSSA requisition is programmed with probability 1 - ErlangB(FMSO I level, offered "
     "load): the level is held by each programmed draw until its carcass restores it. The "
     "repaired carcass of an exchange procured for the customer, which the simulator lets "
     "stand in for a reorder in flight, is ignored (a small gain for wholesale)."),
    ("Without cannibalization NMCS aircraft = backorders; with it, NMCS = max over NSNs of "
     "ceil(backorders / QPA), pipelines independent."),
)


class CannotAnswer(Exception):
    """No closed form here for this customer under this alternative; the message says why."""


@dataclass(frozen=True, slots=True)
class Flow:
    """One customer's NSN as METRIC sees it (rates per day, times in days)."""

    customer: str
    nsn: str
    option: str
    kind: Literal["repair", "wholesale"]
    rate: float
    condemnation: float
    depot: str
    restricted: bool
    to_depot_days: float
    back_days: float
    issue_days: float
    level: int = 0          # CLSSA FMSO I stock level: requisitions within it are programmed


@dataclass(frozen=True, slots=True)
class ItemPrediction:
    """Closed-form figures for one NSN of one customer."""

    nsn: str
    name: str
    option: str
    qpa: int
    stock: int
    demand_per_day: float
    pipeline_mean: float
    pipeline_variance: float
    ebo: float
    fill_rate: float
    depot: str
    depot_wait_days: float
    wholesale_stock: int | None
    wholesale_delay_days: float

    @property
    def pipeline_days(self) -> float:
        """Mean time a unit owed to the shelf takes to arrive (Little's law)."""
        return self.pipeline_mean / self.demand_per_day if self.demand_per_day > 0 else 0.0


@dataclass
class CustomerPrediction:
    """A customer's answer under one alternative, or why there is none."""

    alternative: str
    customer: str
    kind: str
    aircraft: int
    cannibalization: bool
    reasons: list[str] = field(default_factory=list)
    items: list[ItemPrediction] = field(default_factory=list)
    availability: float | None = None
    availability_finite_fleet: float | None = None
    nmcs_aircraft: float | None = None
    backorders: float | None = None
    fill_rate: float | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return not self.reasons


@dataclass
class AlternativePrediction:
    name: str
    customers: list[CustomerPrediction]


def cv_of(spec: object) -> float:
    """Coefficient of variation of a scenario distribution (0 for a constant)."""
    if isinstance(spec, (int, float)):
        return 0.0
    if isinstance(spec, Exponential):
        return 1.0
    if isinstance(spec, (Lognormal, Gamma)):
        p = spec.lognormal if isinstance(spec, Lognormal) else spec.gamma
        return float(p.cv)
    if isinstance(spec, Triangular):
        a, c, b = spec.triangular.low, spec.triangular.mode, spec.triangular.high
        var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0
        return math.sqrt(var) / mean_of(spec) if mean_of(spec) > 0 else 0.0
    if isinstance(spec, Uniform):
        lo, hi = spec.uniform.low, spec.uniform.high
        return (hi - lo) / math.sqrt(12.0) / mean_of(spec)
    if isinstance(spec, Weibull):
        k = spec.weibull.shape
        g1, g2 = math.gamma(1.0 + 1.0 / k), math.gamma(1.0 + 2.0 / k)
        return math.sqrt(max(g2 / (g1 * g1) - 1.0, 0.0))
    raise TypeError(f"not a distribution: {spec!r}")


def shelf_stock(spec: CustomerSpec, scenario: Scenario) -> dict[str, int]:
    """The customer's own serviceables at day 0, by the simulator's own rule."""
    from sim.model.customer import initial_quantities

    parts = dict(scenario.system(spec.fleet.system).parts)
    mtbr = {nsn: scenario.item(nsn).mtbr_fh for nsn in parts}
    return initial_quantities(spec, parts, mtbr)


def removal_rate(spec: CustomerSpec, qpa: int, mtbr_fh: float) -> float:
    """Removals per day of one NSN with every aircraft flying."""
    return spec.fleet.aircraft * qpa * spec.fleet.fh_per_aircraft_month / DAYS_PER_MONTH / mtbr_fh


def resolved_choice(alternative: Alternative, customer: str, nsn: str) -> SupportChoice | None:
    """The support choice that applies to one NSN (an item override or the customer's choice)."""
    choice = alternative.support.get(customer)
    if choice is None:
        return None
    return choice.items.get(nsn, choice)


def _backorders(mean: float, stock: int) -> tuple[float, float]:
    """EBO and VBO of a Poisson pipeline against a base stock that may be negative (units
    held back below a protection level: every unit in the pipeline and -stock more are owed)."""
    if stock < 0:
        return mean - stock, mean
    e, v = backorder_moments(stock, pipeline_law(mean))
    return float(e), float(v)


def _consolidated_nmcs(laws: list, stocks: list[int], qpa: list[int], aircraft: int) -> float:
    """E[min(N, max_i ceil(B_i / Z_i))]: NMCS aircraft when holes are cannibalized onto the
    fewest aircraft, pipelines independent. P(max <= k) = Π_i P(X_i <= s_i + k·Z_i)."""
    total = 0.0
    for k in range(aircraft):
        p_le = 1.0
        for law, s, z in zip(laws, stocks, qpa, strict=True):
            p_le *= float(law.cdf(s + k * z))
        total += 1.0 - p_le
        if 1.0 - p_le < 1e-13:
            break
    return total


class AlternativeModel:
    """One alternative of a scenario in METRIC's terms.

    ``fleet_factor`` scales each customer's demand (the finite-fleet correction uses it);
    ``extra_stock`` adds wholesale units per NSN (``sustain recommend`` tries FMSO I buys).
    """

    def __init__(
        self,
        scenario: Scenario,
        alternative: Alternative,
        *,
        method: Method = DEFAULT_METHOD,
        fleet_factor: Mapping[str, float] | None = None,
        reorder_days: Mapping[str, float] | None = None,
    ) -> None:
        if method not in ("metric", "vari-metric"):
            raise ValueError(f"method must be 'metric' or 'vari-metric', got {method!r}")
        self.scenario = scenario
        self.alternative = alternative
        self.method = method
        self.items = {it.nsn: it for it in scenario.items}
        self.customers = {c.name: c for c in scenario.customers}
        self.factor = dict(fleet_factor or {})
        self.legs = {frozenset(leg.between): leg for leg in scenario.transport}
        self.depots = {d.name: d for d in scenario.depots}
        self.plt = mean_of(scenario.wholesale.procurement_lead_time_days)
        self.shelf = {c.name: shelf_stock(c, scenario) for c in scenario.customers}
        self.problems: dict[str, dict[str, list[str]]] = {c.name: {} for c in scenario.customers}
        self.notes: dict[str, list[str]] = {c.name: [] for c in scenario.customers}
        ws = scenario.wholesale
        # FMSO I: on-hand units are earmarked from free stock (above protection) in customer
        # order, as the simulator does; only on-order units add to wholesale stock.
        self._free = {n: max(0, ws.stock.get(n, 0) - ws.protection_level.get(n, 0))
                      for n in self.items}
        self._free_before: dict[tuple[str, str], int] = {}
        self.fmso1: dict[str, int] = dict.fromkeys(self.items, 0)   # on-order units per NSN
        self.flows: dict[tuple[str, str], Flow] = {}
        for c in scenario.customers:
            self._customer_flows(c)
        self._depots()
        self._bo_cache: dict[tuple[str, int, float], tuple[float, float, float]] = {}
        self._wholesale(reorder_days)
        self._problems()
        self._bo_cache: dict[tuple[str, int, float], tuple[float, float, float]] = {}

    # -- building --------------------------------------------------------------------------
    def _transit(self, src: str, dst: str) -> float:
        """Mean transit days; a move within one country with no leg stated takes no time."""
        leg = self.legs.get(frozenset((src, dst)))
        if leg is None:
            if src == dst:
                return 0.0
            raise CannotAnswer(f"no transport leg between {src!r} and {dst!r}")
        return mean_of(leg.days)

    def _us_depot(self, choice: SupportChoice | None, nsn: str) -> str:
        """The US depot that repairs ``nsn`` into wholesale, chosen as the simulator does."""
        name = choice.depot if choice is not None else None
        if name is not None and name in self.depots and \
                self.depots[name].country == WHOLESALE_COUNTRY:
            return name
        for d in self.scenario.depots:
            if d.country == WHOLESALE_COUNTRY and d.kind in ("organic", "contractor") \
                    and d.repairs_item(nsn):
                return d.name
        raise CannotAnswer("no US depot repairs it")

    def _customer_flows(self, spec: CustomerSpec) -> None:
        parts = self.scenario.system(spec.fleet.system).parts
        factor = self.factor.get(spec.name, 1.0)
        top = self.alternative.support.get(spec.name)
        problems = self.problems[spec.name]
        if spec.kind == "fms" and top is None:
            problems["no support choice in this alternative"] = []
            return
        weibull = [n for n in parts if self.items[n].weibull_shape is not None]
        if weibull:
            self.notes[spec.name].append(
                f"{len(weibull)} NSN(s) with Weibull removals taken as Poisson at the renewal rate")
        if top is not None and (top.fallback is not None
                                or any(c.fallback is not None for c in top.items.values())):
            self.notes[spec.name].append("fallback options ignored (steady state, item in "
                                         "the DoD inventory)")
        for nsn, qpa in parts.items():
            item = self.items[nsn]
            rate = removal_rate(spec, qpa, item.mtbr_fh) * factor
            choice = None if spec.kind == "us" else resolved_choice(self.alternative,
                                                                     spec.name, nsn)
            option = US_UNIT if choice is None else choice.option
            try:
                if option in REPAIR_OPTIONS:
                    if choice is None or choice.depot is None or choice.depot not in self.depots:
                        raise CannotAnswer(f"{option} names no known depot")
                    depot = self.depots[choice.depot]
                    # A condemned unit's replacement ships from the US: only then is that
                    # leg travelled (and required).
                    issue = (self._transit(WHOLESALE_COUNTRY, spec.country)
                             if item.condemnation_rate > 0 else 0.0)
                    flow = Flow(spec.name, nsn, option, "repair", rate, item.condemnation_rate,
                                depot.name, restricted=True,
                                to_depot_days=self._transit(spec.country, depot.country),
                                back_days=self._transit(depot.country, spec.country),
                                issue_days=issue)
                elif option in WHOLESALE_OPTIONS or option == US_UNIT:
                    depot_name = self._us_depot(choice, nsn)
                    depot = self.depots[depot_name]
                    level = 0
                    if option == "clssa":
                        assert choice is not None
                        own = choice.fmso1 or (top.fmso1 if top is not None else None)
                        level = fmso1_quantities(own, spec, {nsn: qpa},
                                                 {nsn: item.mtbr_fh})[nsn]
                        self._free_before[(spec.name, nsn)] = self._free[nsn]
                        on_hand = min(level, self._free[nsn])
                        self._free[nsn] -= on_hand
                        self.fmso1[nsn] += level - on_hand
                    flow = Flow(spec.name, nsn, option, "wholesale", rate,
                                item.condemnation_rate, depot_name,
                                restricted=spec.kind == "fms",
                                to_depot_days=self._transit(spec.country, depot.country),
                                back_days=0.0,
                                issue_days=self._transit(WHOLESALE_COUNTRY, spec.country),
                                level=level)
                else:
                    raise CannotAnswer(
                        f"option {option!r} has no closed form here (a commercial source's "
                        "lead time and failures to source, or contract terms)")
            except CannotAnswer as exc:
                problems.setdefault(str(exc), []).append(nsn)
                continue
            self.flows[(spec.name, nsn)] = flow

    def _depots(self) -> None:
        """Queue wait at each depot from the carcasses of every flow it repairs."""
        arrivals: dict[str, float] = dict.fromkeys(self.depots, 0.0)
        for f in self.flows.values():
            arrivals[f.depot] += f.rate * (1.0 - f.condemnation)
        self.depot_arrivals = arrivals
        self.depot_wait: dict[str, float | None] = {}
        self.depot_utilization: dict[str, float | None] = {}
        for name, d in self.depots.items():
            lam, mean = arrivals[name], mean_of(d.repair_days)
            if d.repair_lines is None:
                self.depot_wait[name] = 0.0
                self.depot_utilization[name] = None
                continue
            load = lam * mean
            self.depot_utilization[name] = load / d.repair_lines
            if lam <= 0 or mean <= 0:
                self.depot_wait[name] = 0.0
            elif load >= d.repair_lines:
                self.depot_wait[name] = None
            else:
                self.depot_wait[name] = mgc_mean_wait(lam, mean, d.repair_lines,
                                                      cv_of(d.repair_days))

    def turnaround(self, depot: str, nsn: str | None = None) -> float | None:
        """Mean days from induction to repair complete (None: the depot is overloaded),
        including ``nsn``'s expected wait for bit-piece parts, which holds no line."""
        wait = self.depot_wait[depot]
        if wait is None:
            return None
        spec = self.depots[depot]
        t = wait + mean_of(spec.repair_days)
        awp = (self.items[nsn].awaiting_parts if nsn is not None else None) or \
            spec.awaiting_parts
        if nsn is not None and awp is not None:
            t += awp.probability * mean_of(awp.days)
        return t

    def _loop_days(self, f: Flow) -> float | None:
        """Requisition to the unit's return to wholesale stock for a carcass-to-wholesale flow
        (what restores a programmed draw): carcass transit, then repair or, if condemned, the
        procurement that replaces it."""
        t = self.turnaround(f.depot, f.nsn)
        if t is None:
            return None
        c = f.condemnation
        return f.to_depot_days + (1.0 - c) * t + c * self.reorder_days.get(f.nsn, self.plt)

    def programmed_fraction(self, f: Flow, level: float) -> float:
        """Share of a CLSSA flow's requisitions coded programmed: the level is a loss system
        of ``level`` servers held for the restore time (Erlang B, insensitive to its law)."""
        if level <= 0:
            return 0.0
        if math.isinf(level):
            return 1.0
        loop = self._loop_days(f) or 0.0
        load = f.rate * loop
        if load <= 0:
            return 1.0
        return 1.0 - erlang_b(int(level), load)

    def _wholesale(self, start: Mapping[str, float] | None = None) -> None:
        """Per NSN: the draws on wholesale stock and their replenishment pipeline, split into
        unrestricted (all stock) and restricted (above protection, else procured) classes.

        A condemned unit's reorder stays in flight for the procurement lead time unless the
        repaired carcass of an exchange procured for a customer stands in for it first (the
        simulator's rule, ``ItemManager.receive_surplus``). Those carcasses come faster the
        less stock is released, and release depends on how long reorders are in flight: the
        mean time in flight per NSN (``reorder_days``) is solved as a fixed point, with the
        pending reorders a birth-death process (``reorder_holding``)."""
        self.reorder_days = dict.fromkeys(self.items, self.plt)
        if start:
            self.reorder_days.update(start)
        for _ in range(60):
            self._pool()
            delta = 0.0
            for nsn in self.items:
                if not (self.wh_rate_u[nsn] or self.wh_rate_r[nsn]):
                    continue
                above = self.wholesale_stock(nsn) - self.scenario.wholesale.protection_level.get(
                    nsn, 0)
                p = loss_release(above, self.wh_mean_u[nsn], self.wh_mean_r[nsn])
                surplus = reorders = 0.0
                for f in self._by_nsn.get(nsn, ()):
                    w_u, w_r = self._draws(f)
                    if f.kind == "repair":
                        reorders += p * w_r              # sales from stock are reordered
                    else:
                        surplus += w_r * (1.0 - p) * (1.0 - f.condemnation)
                        reorders += (w_u + p * w_r) * f.condemnation
                h = reorder_holding(reorders, surplus, self.plt)
                old = self.reorder_days[nsn]
                self.reorder_days[nsn] = 0.5 * (old + h)
                delta = max(delta, abs(h - old))
            if delta < 1e-4:
                break
        self._pool()

    def _draws(self, f: Flow) -> tuple[float, float]:
        """(unrestricted, restricted) requisition rates of a flow on wholesale stock."""
        if f.kind == "repair":
            return 0.0, f.rate * f.condemnation
        if f.option == "clssa":
            prog = self.programmed_fraction(f, f.level)
            return f.rate * prog, f.rate * (1.0 - prog)
        return (0.0, f.rate) if f.restricted else (f.rate, 0.0)

    def _pool(self) -> None:
        self.wh_rate_u: dict[str, float] = dict.fromkeys(self.items, 0.0)
        self.wh_mean_u: dict[str, float] = dict.fromkeys(self.items, 0.0)
        self.wh_rate_r: dict[str, float] = dict.fromkeys(self.items, 0.0)
        self.wh_mean_r: dict[str, float] = dict.fromkeys(self.items, 0.0)
        self.wh_broken: dict[str, str] = {}
        self._by_nsn: dict[str, list[Flow]] = {}
        for f in self.flows.values():
            if f.kind == "repair":
                repl = self.reorder_days[f.nsn]   # a sale from stock is reordered
            else:
                loop = self._loop_days(f)
                if loop is None:
                    self.wh_broken[f.nsn] = f.depot
                    continue
                repl = loop
            w_u, w_r = self._draws(f)
            self._by_nsn.setdefault(f.nsn, []).append(f)
            self.wh_rate_u[f.nsn] += w_u
            self.wh_mean_u[f.nsn] += w_u * repl
            self.wh_rate_r[f.nsn] += w_r
            self.wh_mean_r[f.nsn] += w_r * repl

    def _problems(self) -> None:
        for (cust, nsn), f in self.flows.items():
            t = self.turnaround(f.depot, nsn)
            if t is None:
                why = (f"depot {f.depot!r} is overloaded (offered load "
                       f"{self.depot_utilization[f.depot]:.2f} of its lines): no steady state")
            elif nsn in self.wh_broken and (f.kind == "wholesale" or f.condemnation > 0):
                why = f"wholesale is fed by overloaded depot {self.wh_broken[nsn]!r}"
            else:
                continue
            self.problems[cust].setdefault(why, []).append(nsn)

    # -- answering -------------------------------------------------------------------------
    def wholesale_stock(self, nsn: str, extra: int = 0) -> int:
        """Wholesale base stock of ``nsn``: DoD's own, the FMSO I on-order units and
        ``extra`` more."""
        return self.scenario.wholesale.stock.get(nsn, 0) + self.fmso1[nsn] + extra

    def release(self, nsn: str, stock: int, shift: float = 0.0,
                flow: Flow | None = None) -> tuple[float, float, float]:
        """(P(a restricted requisition is released from stock), EBO0, VBO0) at base stock
        ``stock``; ``shift`` moves that much of ``flow``'s requisition rate from restricted
        to unrestricted (a CLSSA flow whose FMSO I level is being tried).

        Restricted requisitions never wait: released while stock exceeds the protection level,
        else procured — a loss system whose servers are the units above protection that
        unrestricted draws leave (``loss_release``). EBO0 is the unrestricted draws'
        backorders against the pipeline of everything drawn from stock."""
        key = (nsn, stock, shift)
        hit = self._bo_cache.get(key)
        if hit is not None:
            return hit
        m_u, m_r = self.wh_mean_u[nsn], self.wh_mean_r[nsn]
        if shift and flow is not None:
            repl = self._loop_days(flow) or 0.0
            m_u, m_r = m_u + shift * repl, max(0.0, m_r - shift * repl)
        above = stock - self.scenario.wholesale.protection_level.get(nsn, 0)
        p = loss_release(above, m_u, m_r)
        e0, v0 = _backorders(m_u + p * m_r, stock)
        hit = self._bo_cache[key] = (p, e0, v0)
        return hit

    def item(self, customer: str, nsn: str, extra: float = 0) -> ItemPrediction:
        """One NSN of one customer; ``extra`` FMSO I units for this customer on top of its
        level (a ``sustain recommend`` trial; ``math.inf``: the limit of any buy-in, every
        requisition programmed and wholesale never short)."""
        f = self.flows[(customer, nsn)]
        t = self.turnaround(f.depot, nsn)
        if t is None:
            raise CannotAnswer(f"{nsn}: depot {f.depot!r} is overloaded")
        c = f.condemnation
        if f.kind == "repair":
            own = f.rate * ((1 - c) * (f.to_depot_days + t + f.back_days)
                            + c * (f.to_depot_days + f.issue_days))
            w_u, w_r = 0.0, f.rate * c
        else:
            own = f.rate * f.issue_days
            if f.option == "clssa":
                prog = self.programmed_fraction(f, f.level + extra)
                w_u, w_r = f.rate * prog, f.rate * (1.0 - prog)
            elif f.restricted:
                w_u, w_r = 0.0, f.rate
            else:
                w_u, w_r = f.rate, 0.0
        s0: int | None = None
        wait = 0.0          # this flow's wholesale backorders (unrestricted draws)
        e0 = v0 = share = 0.0
        if math.isfinite(extra) and (w_u > 0 or w_r > 0):
            s0 = self.wholesale_stock(nsn, self._extra_on_order(f, int(extra)))
            shift = w_u - self._base_w_u(f)
            p_rel, e0, v0 = self.release(nsn, s0, shift, f)
            if f.option == "clssa" and w_u > 0 and w_r > 0:
                p_rel = self._unprogrammed_release(f, f.level + int(extra), s0, p_rel, w_u)
            procured = w_r * (1.0 - p_rel) * self.plt
            own += procured
            rate_u = self.wh_rate_u[nsn] + shift
            if w_u > 0 and rate_u > 0:
                share = min(1.0, w_u / rate_u)
                wait = share * e0
            delay = (wait + procured) / f.rate if f.rate > 0 else 0.0
        else:
            delay = 0.0
        mean = own + wait
        if self.method == "metric":
            var = mean
        else:
            var = max(mean, own + share * (1.0 - share) * e0 + share * share * v0)
        law = pipeline_law(mean, var)
        stock = self.shelf[customer][nsn]
        e, _ = backorder_moments(stock, law, with_variance=False)
        item = self.items[nsn]
        qpa = self.scenario.system(self.customers[customer].fleet.system).parts[nsn]
        return ItemPrediction(
            nsn=nsn, name=item.name, option=f.option, qpa=qpa, stock=stock,
            demand_per_day=f.rate, pipeline_mean=law.mean, pipeline_variance=law.variance,
            ebo=float(e),
            fill_rate=float(fill_rate(stock, law.mean, None if law.is_poisson else law.variance)),
            depot=f.depot, depot_wait_days=float(self.depot_wait[f.depot] or 0.0),
            wholesale_stock=s0, wholesale_delay_days=delay)

    def _unprogrammed_release(self, f: Flow, level: int, stock: int, p: float,
                              w_u: float) -> float:
        """P(release) of a CLSSA requisition beyond its level. It happens only while the
        customer's own programmed draws fill the level, so ``level`` units are out of stock
        then: the units above protection left for restricted requisitions are fewer by it,
        and only the others' unrestricted draws (the pool's less this flow's) compete."""
        loop = self._loop_days(f) or 0.0
        others = max(0.0, self.wh_mean_u[f.nsn] - w_u * loop)
        above = stock - level - self.scenario.wholesale.protection_level.get(f.nsn, 0)
        return loss_release(above, others, self.wh_mean_r[f.nsn])

    def _base_w_u(self, f: Flow) -> float:
        """The unrestricted draw rate this flow put into the wholesale pool at its own level."""
        if f.kind == "repair":
            return 0.0
        if f.option == "clssa":
            return f.rate * self.programmed_fraction(f, f.level)
        return 0.0 if f.restricted else f.rate

    def _extra_on_order(self, f: Flow, extra: int) -> int:
        """Wholesale units ``extra`` more FMSO I units of this flow's customer add: only the
        part DoD must procure (on order); the rest is earmarked free stock."""
        if extra <= 0 or f.option != "clssa":
            return 0
        free = self._free_before.get((f.customer, f.nsn), 0)
        on_order = lambda q: q - min(q, free)
        return on_order(f.level + extra) - on_order(f.level)

    def availabilities(self, spec: CustomerSpec, items: list[ItemPrediction],
                       ) -> tuple[float, float]:
        """(METRIC availability, availability if NMCS aircraft = backorders or consolidated).

        The first is Sherbrooke's product (aircraft keep generating demand, holes fall at
        random); the second is what the simulator's rule gives for the same backorders."""
        n = spec.fleet.aircraft
        ebos = [it.ebo for it in items]
        qpa = [it.qpa for it in items]
        if spec.cannibalization:
            laws = [pipeline_law(it.pipeline_mean, it.pipeline_variance) for it in items]
            a = 1.0 - _consolidated_nmcs(laws, [it.stock for it in items], qpa, n) / n
            return a, a
        return metric_availability(ebos, n, qpa), max(0.0, 1.0 - sum(ebos) / n)

    def customer(self, name: str) -> CustomerPrediction:
        """Every NSN of one customer and its fleet-level figures (or the reasons it has none)."""
        spec = self.customers[name]
        out = CustomerPrediction(self.alternative.name, name, spec.kind, spec.fleet.aircraft,
                                 spec.cannibalization, reasons=self.reasons(name),
                                 notes=list(self.notes[name]),
                                 warnings=timeline_warnings(self.scenario, self.alternative,
                                                            name))
        if out.reasons:
            return out
        parts = self.scenario.system(spec.fleet.system).parts
        try:
            out.items = [self.item(name, nsn) for nsn in parts]
        except CannotAnswer as exc:
            out.reasons.append(str(exc))
            return out
        a, _ = self.availabilities(spec, out.items)
        out.availability = a
        out.nmcs_aircraft = spec.fleet.aircraft * (1.0 - a)
        out.backorders = float(sum(it.ebo for it in out.items))
        rates = np.array([it.demand_per_day for it in out.items])
        fills = np.array([it.fill_rate for it in out.items])
        out.fill_rate = float(np.dot(rates, fills) / rates.sum()) if rates.sum() > 0 else 1.0
        options = {it.option for it in out.items}
        if "clssa" in options and any(self.fmso1.values()):
            out.notes.append(f"CLSSA after FMSO I maturity (~{self.plt:.0f} days): before it, "
                             "wholesale lacks the on-order part of the stock levels")
        shared = [it.nsn for it in out.items if it.option in ("direct_exchange", "clssa")
                  and self._shared(it.nsn)]
        if shared:
            out.notes.append(f"{len(shared)} NSN(s) share wholesale with US/CLSSA customers: "
                             "stock above protection is an approximation there")
        finite = sorted({it.depot for it in out.items
                         if self.depots[it.depot].repair_lines is not None})
        for d in finite:
            out.notes.append(f"depot {d!r}: {self.depots[d].repair_lines} lines at utilization "
                             f"{self.depot_utilization[d]:.2f}, mean queue wait "
                             f"{self.depot_wait[d]:.1f} days (M/G/c approximation)")
        return out

    def reasons(self, customer: str) -> list[str]:
        """Why this customer has no closed form, one line per cause with the NSNs it hits."""
        out = []
        for why, nsns in self.problems[customer].items():
            if not nsns:
                out.append(why)
                continue
            shown = ", ".join(nsns[:3]) + (", ..." if len(nsns) > 3 else "")
            out.append(f"{why} — {len(nsns)} NSN{'s' if len(nsns) > 1 else ''} ({shown})")
        return out

    def _shared(self, nsn: str) -> bool:
        """Whether unrestricted requisitions (US units, CLSSA) also draw this NSN."""
        return any(f.nsn == nsn and f.kind == "wholesale"
                   and (f.option in (US_UNIT, "clssa")) for f in self.flows.values())


def reorder_holding(reorders: float, surplus: float, lead_days: float) -> float:
    """Mean days a wholesale reorder is in flight when it arrives after ``lead_days`` unless a
    surplus carcass (Poisson, ``surplus`` a day) stands in for the oldest pending one first.

    A reorder placed behind n pending ones is stood in for by the (n+1)-th surplus arrival,
    if that comes before its lead time: mean min(lead time, Gamma(n+1, surplus)) =
    E[min(N, n+1)] / surplus with N ~ Poisson(surplus x lead time). The count it finds is
    taken from a birth-death model of the pending reorders (born at ``reorders`` a day, each
    leaving at 1/lead time, the oldest at ``surplus``), which ignores that some ahead of it
    arrive on their own first — so it slightly overstates the wait, and understates the
    surplus's effect. With no surplus the answer is exactly the lead time."""
    if reorders <= 0 or lead_days <= 0 or surplus <= 0:
        return lead_days
    n_max = int(reorders * lead_days + 12.0 * math.sqrt(reorders * lead_days + 1.0) + 30)
    n = np.arange(1, n_max + 1)
    logs = np.concatenate(([0.0], np.cumsum(np.log(reorders) - np.log(surplus + n / lead_days))))
    pending = np.exp(logs - logs.max())
    pending /= pending.sum()
    mean_n = surplus * lead_days
    k = np.arange(n_max + 2)
    tail = pdtrc(k[:-1], mean_n)                   # P(N >= j) for j = 1 .. n_max + 1
    e_min = np.concatenate(([0.0], np.cumsum(tail)))[1:]   # E[min(N, n + 1)], n = 0 .. n_max
    return float(np.dot(pending, e_min)) / surplus


def loss_release(above: int, unrestricted: float, restricted: float) -> float:
    """P(a restricted requisition finds stock above the protection level).

    With ``above`` units above protection and no unrestricted draws, restricted requisitions
    form an Erlang loss system: ``above`` servers, each released unit held for its
    replenishment time, offered load ``restricted`` (units a day x days); an arrival finding
    them all out is procured instead — blocked with Erlang B probability, exactly, whatever
    the holding-time law. Unrestricted draws (Poisson(``unrestricted``) out at a time,
    independent to first order) take servers away: P = E_k[1 - B(above - k, restricted)].
    """
    if above <= 0:
        return 0.0
    b = [1.0]
    for n in range(1, above + 1):
        b.append(restricted * b[-1] / (n + restricted * b[-1]))
    if unrestricted <= 0:
        return 1.0 - b[above]
    k = np.arange(above)
    pk = poisson_pmf(k, unrestricted)
    return float(np.dot(pk, 1.0 - np.array(b[above:0:-1])))


def timeline_warnings(scenario: Scenario, alternative: Alternative, customer: str) -> list[str]:
    """Why the steady-state answer may not describe what a simulation of this customer under
    this alternative measures: things on the timeline inside the measured window."""
    from sim.model.timeline import leave_days, system_leave_days

    spec = next(c for c in scenario.customers if c.name == customer)
    start, end = scenario.warmup_days, scenario.horizon_days
    span = end - start
    parts = scenario.system(spec.fleet.system).parts
    out = []

    def share(day: float) -> str:
        return f"{100 * (end - max(day, start)) / span:.0f} % of the measured window"

    if spec.kind == "us":
        day = system_leave_days(scenario)[spec.fleet.system]
        if day < end:
            out.append(f"stops flying at day {day:g} when {spec.fleet.system} leaves the DoD "
                       f"inventory ({share(day)} after it)")
        return out
    leave = leave_days(scenario)
    wholesale = [n for n in parts if (c := resolved_choice(alternative, customer, n)) is not None
                 and c.option in WHOLESALE_OPTIONS and leave[n] < end]
    if wholesale:
        day = min(leave[n] for n in wholesale)
        out.append(f"{len(wholesale)} NSN(s) on Direct Exchange or CLSSA leave the DoD inventory "
                   f"from day {day:g} ({share(day)} after it): the fallback supports them then, "
                   "and the answer describes only the time before")
    top = alternative.support.get(customer)
    if top is not None and top.end_day is not None and top.end_day < end:
        out.append(f"the arrangement ends at day {top.end_day:g} ({share(top.end_day)} after "
                   "it); the answer describes the time before")
    if (spec.initial_support_days or 0.0) > start:
        out.append(f"initial support runs to day {spec.initial_support_days:g}, past the "
                   "warm-up: the simulation measures part of it, the answer does not")
    for ev in scenario.events:
        if getattr(ev, "customer", None) == customer and ev.start_day < end:
            out.append(f"tempo x{ev.factor:g} from day {ev.start_day:g} to {ev.end_day:g} is "
                       "not in the answer")
        if getattr(ev, "depot", None) is not None and ev.day < end and any(
                (c := resolved_choice(alternative, customer, n)) is not None
                and c.depot == ev.depot for n in parts):
            out.append(f"depot {ev.depot!r} changes to {ev.repair_lines} lines at day "
                       f"{ev.day:g}; the answer uses its lines at day 0")
    if scenario.eda is not None and any(p.customer == customer for p in scenario.eda.purchases):
        out.append("EDA purchases add spares the answer does not count")
    return out


def finite_fleet_availability(
    scenario: Scenario,
    alternative: Alternative,
    *,
    method: Method = DEFAULT_METHOD,
    extra_stock: Mapping[str, Mapping[str, int]] | None = None,
    tol: float = 1e-7,
    max_iter: int = 200,
) -> dict[str, float]:
    """Availability per answered customer when NMCS aircraft do not fly.

    Fixed point A_c = 1 - E[NMCS_c](demand x A_c)/N_c over all customers at once (they share
    depots and wholesale), iterated with damping. ``extra_stock`` maps a customer to the
    wholesale units its NSNs get on top (``sustain recommend``'s FMSO I).
    """
    extra = extra_stock or {}
    factors = {c.name: 1.0 for c in scenario.customers}
    result: dict[str, float] = {}
    reorder: dict[str, float] | None = None
    for _ in range(max_iter):
        model = AlternativeModel(scenario, alternative, method=method, fleet_factor=factors,
                                 reorder_days=reorder)
        reorder = model.reorder_days
        new: dict[str, float] = {}
        for c in scenario.customers:
            if model.problems[c.name]:
                continue
            parts = scenario.system(c.fleet.system).parts
            try:
                items = [model.item(c.name, n, extra.get(c.name, {}).get(n, 0)) for n in parts]
            except CannotAnswer:
                continue
            new[c.name] = model.availabilities(c, items)[1]
        delta = max((abs(new[k] - factors[k]) for k in new), default=0.0)
        result = new
        for k, v in new.items():
            factors[k] = 0.5 * (factors[k] + v)
        if delta < tol:
            break
    return result


def predict_alternative(scenario: Scenario, alternative: Alternative, *,
                        method: Method = DEFAULT_METHOD) -> AlternativePrediction:
    """Every customer of one alternative: METRIC figures and the finite-fleet availability."""
    model = AlternativeModel(scenario, alternative, method=method)
    customers = [model.customer(c.name) for c in scenario.customers]
    finite = finite_fleet_availability(scenario, alternative, method=method)
    for cp in customers:
        if cp.answered:
            cp.availability_finite_fleet = finite.get(cp.customer)
    return AlternativePrediction(alternative.name, customers)


def predict(scenario: Scenario, *, method: Method = DEFAULT_METHOD) -> list[AlternativePrediction]:
    """The closed-form answer for every alternative of the scenario."""
    return [predict_alternative(scenario, alt, method=method) for alt in scenario.alternatives]


def scenario_notes(scenario: Scenario) -> list[str]:
    """Scenario-wide features the closed form does not model."""
    notes = []
    if scenario.events:
        notes.append("timeline events are ignored: the answer is the steady state before any")
    if scenario.eda is not None and scenario.eda.purchases:
        notes.append("EDA purchases are ignored")
    if any(it.leaves_dod_inventory_day is not None for it in scenario.items) or any(
            s.leaves_dod_inventory_day is not None for s in scenario.systems):
        notes.append("items leaving the DoD inventory are ignored (answer while they are in it)")
    late = [c.name for c in scenario.customers
            if (c.initial_support_days or 0.0) > scenario.warmup_days]
    if late:
        notes.append(f"initial support periods outlast the warm-up ({', '.join(late)}): a "
                     "simulation measures part of them, the closed form does not")
    if scenario.warmup_days < mean_of(scenario.wholesale.procurement_lead_time_days) and any(
            c.option == "clssa" or any(i.option == "clssa" for i in c.items.values())
            for alt in scenario.alternatives for c in alt.support.values()):
        notes.append("warm-up is shorter than the procurement lead time: a simulation of a "
                     "CLSSA alternative measures partly before FMSO I maturity")
    return notes
