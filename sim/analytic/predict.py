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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from sim.analytic import pooled
from sim.analytic.clssa import fmso1_quantities
from sim.analytic.erlang import erlang_b, mgc_mean_wait
from sim.analytic.metric import availability as metric_availability
from sim.analytic.vector import backorders as backorders_vec
from sim.analytic.vector import cdf_at, loss_release_plan, thinned_moments
from sim.analytic.vector import erlang_b as erlang_b_vec
from sim.analytic.vector import loss_release as loss_release_vec
from sim.analytic.vector import reorder_holding as reorder_holding_vec
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
from sim.scenario.stocking import base_fh, in_country_stock, removals_per_day

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
    retro_days: float = 0.0  # bases: NRTS carcass to the central store (rate-weighted)


@dataclass(frozen=True, slots=True)
class BaseItemPrediction:
    """One base's figures for one NSN (a customer with bases): its shelf against its
    pipeline — base repair, order-and-ship and its share of the central store's
    backorders."""

    base: str
    aircraft: int
    stock: int
    demand_per_day: float
    pipeline_mean: float
    pipeline_variance: float
    ebo: float
    fill_rate: float


@dataclass(frozen=True, slots=True)
class ItemPrediction:
    """Closed-form figures for one NSN of one customer. For a customer with bases the stock
    is the central store's plus the bases', the pipeline is the units owed to the bases, the
    backorders and fill rate those of the bases' aircraft; ``central_*`` and ``bases`` give
    the parts."""

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
    central_stock: int | None = None
    central_backorders: float | None = None
    bases: tuple[BaseItemPrediction, ...] = ()

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
    bases: dict[str, float] = field(default_factory=dict)   # base -> METRIC availability

    @property
    def answered(self) -> bool:
        return not self.reasons


@dataclass
class AlternativePrediction:
    name: str
    customers: list[CustomerPrediction]


@dataclass
class Twin:
    """A solved model's figures, shared by the alternatives of one scenario that have the
    same flows: ``state`` as the first one's ``solve`` left it, ``finite`` its finite-fleet
    availabilities once computed."""

    state: dict
    finite: dict[str, float] | None = None


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
    from sim.scenario.stocking import initial_quantities

    parts = dict(scenario.system(spec.fleet.system).parts)
    mtbr = {it.nsn: it.mtbr_fh for it in scenario.items}    # (Scenario.item scans the list)
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
        shelf: Mapping[str, Mapping[str, int]] | None = None,
        twins: dict[tuple, Twin] | None = None,
        flow_cache: dict[tuple, Flow] | None = None,
    ) -> None:
        if method not in ("metric", "vari-metric"):
            raise ValueError(f"method must be 'metric' or 'vari-metric', got {method!r}")
        self.scenario = scenario
        self.alternative = alternative
        self.method = method
        self.items = {it.nsn: it for it in scenario.items}
        self.customers = {c.name: c for c in scenario.customers}
        systems = {sy.name: sy for sy in scenario.systems}
        self.parts = {c.name: systems[c.fleet.system].parts for c in scenario.customers}
        self.factor = dict(fleet_factor or {})
        self.legs = {frozenset(leg.between): leg for leg in scenario.transport}
        self._leg_days = {k: mean_of(leg.days) for k, leg in self.legs.items()}
        self._us_depots: dict[tuple[str | None, str], str] = {}
        self.depots = {d.name: d for d in scenario.depots}
        self.plt = mean_of(scenario.wholesale.procurement_lead_time_days)
        self.shelf: dict[str, Mapping[str, int]] = {}
        self._base_units: dict[str, dict[str, dict[str, int]]] = {}
        for c in scenario.customers:
            choice = alternative.support.get(c.name)
            if shelf is not None and c.name in shelf and not c.bases and (
                    choice is None or choice.initial_stock is None):
                self.shelf[c.name] = shelf[c.name]     # shared across alternatives
                continue
            parts = self.parts[c.name]
            mtbr = {n: self.items[n].mtbr_fh for n in parts}
            self.shelf[c.name], self._base_units[c.name] = in_country_stock(
                c, choice, dict(parts), mtbr)
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
        self._flow_cache = {} if flow_cache is None else flow_cache
        for c in scenario.customers:
            self._customer_flows(c)
        self.flows_list = list(self.flows.values())
        self._shared_nsns: set[str] | None = None
        self._release: tuple[np.ndarray, Callable] | None = None
        self._arrays()
        self.twin: Twin | None = None
        key = self._signature(reorder_days) if twins is not None else None
        if twins is not None and key in twins:
            self.twin = twins[key]
            vars(self).update(self.twin.state)
        else:
            before = set(vars(self))
            self.solve(self.factor, reorder_days)
            if twins is not None:
                state = {k: v for k, v in vars(self).items() if k not in before}
                state["factor"] = self.factor
                if getattr(self, "_pooled", None):
                    state["_pooled"] = {**self._pooled}
                self.twin = twins[key] = Twin(state)
        self._problems()

    def _signature(self, reorder_days: Mapping[str, float] | None) -> tuple:
        """Everything ``solve`` reads that differs between alternatives of one scenario:
        two alternatives with equal signatures (say PROS and DCS, where only the US unit has
        a closed form) have the same figures, so ``predict`` solves one of them."""
        pooled_state = getattr(self, "_pooled", None) or {}
        members = tuple(sorted((k, (m.partnership, m.issue_days, m.retro_days))
                               for k, m in pooled_state.get("members", {}).items()))
        stores = tuple(sorted((k, tuple(sorted(v.items())))
                              for k, v in pooled_state.get("stock", {}).items()))
        return (self.method, tuple(self.flows_list), tuple(sorted(self.factor.items())),
                tuple(sorted((reorder_days or {}).items())),
                tuple(bool(p) for p in self.problems.values()),
                self._f_stock.tobytes(), self._sp_stock.tobytes(), self._ws_stock.tobytes(),
                self._free_before_row.tobytes(), members, stores)

    # -- building --------------------------------------------------------------------------
    def _transit(self, src: str, dst: str) -> float:
        """Mean transit days; a move within one country with no leg stated takes no time."""
        days = self._leg_days.get(frozenset((src, dst)))
        if days is None:
            if src == dst:
                return 0.0
            raise CannotAnswer(f"no transport leg between {src!r} and {dst!r}")
        return days

    def _us_depot(self, choice: SupportChoice | None, nsn: str) -> str:
        """The US depot that repairs ``nsn`` into wholesale, chosen as the simulator does."""
        name = choice.depot if choice is not None else None
        if name is not None and name in self.depots and \
                self.depots[name].country == WHOLESALE_COUNTRY:
            return name
        hit = self._us_depots.get((None, nsn))
        if hit is None:
            hit = next((d.name for d in self.scenario.depots
                        if d.country == WHOLESALE_COUNTRY and d.kind in ("organic", "contractor")
                        and d.repairs_item(nsn)), "")
            self._us_depots[(None, nsn)] = hit
        if not hit:
            raise CannotAnswer("no US depot repairs it")
        return hit

    def _central_rate(self, spec: CustomerSpec, nsn: str, qpa: int) -> tuple[float, float]:
        """(removals a day that reach the support option, mean retrograde days): the whole
        fleet's for a customer without bases; with bases, the NRTS share of each base's
        removals, and their carcasses' rate-weighted time to the central store."""
        item = self.items[nsn]
        if not spec.bases:
            return removal_rate(spec, qpa, item.mtbr_fh), 0.0
        r = item.base_repair.probability if item.base_repair is not None else 0.0
        total = retro = 0.0
        for base in spec.bases:
            lam = removals_per_day(base.aircraft, base_fh(spec, base), qpa, item.mtbr_fh)
            nrts = lam * (1.0 - r)
            total += nrts
            retro += nrts * self._in_country(base.name, spec.country)
        return total, retro / total if total > 0 else 0.0

    def _in_country(self, base: str, country: str) -> float:
        """Mean days between a base and its country's central store (none stated: none)."""
        return self._leg_days.get(frozenset((base, country)), 0.0)

    def _customer_flows(self, spec: CustomerSpec) -> None:
        parts = self.parts[spec.name]
        factor = self.factor.get(spec.name, 1.0)
        top = self.alternative.support.get(spec.name)
        problems = self.problems[spec.name]
        if spec.kind == "fms" and top is None:
            problems["no support choice in this alternative"] = []
            return
        if has_laterals(spec):
            self.notes[spec.name].append(LATERAL_NOTE)
        weibull = [n for n in parts if self.items[n].weibull_shape is not None]
        if weibull:
            self.notes[spec.name].append(
                f"{len(weibull)} NSN(s) with Weibull removals taken as Poisson at the renewal rate")
        if top is not None and (top.fallback is not None
                                or any(c.fallback is not None for c in top.items.values())):
            self.notes[spec.name].append("fallback options ignored (steady state, item in "
                                         "the DoD inventory)")
        for nsn, qpa in parts.items():
            choice = None if spec.kind == "us" else resolved_choice(self.alternative,
                                                                     spec.name, nsn)
            option = US_UNIT if choice is None else choice.option
            # A flow outside CLSSA and partnerships is the same in every alternative that
            # gives its NSN the same option and depot: built once for all of them.
            key = (spec.name, nsn, option, choice.depot if choice is not None else None, factor)
            flow = self._flow_cache.get(key)
            if flow is not None:
                self.flows[(spec.name, nsn)] = flow
                continue
            item = self.items[nsn]
            rate, retro = self._central_rate(spec, nsn, qpa)
            rate *= factor
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
                                issue_days=issue, retro_days=retro)
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
                                level=level, retro_days=retro)
                elif option == "partnership":
                    flow = pooled.member_flow(self, spec, nsn, choice, rate, retro)
                else:
                    raise CannotAnswer(
                        f"option {option!r} has no closed form here (a commercial source's "
                        "lead time and failures to source, or contract terms)")
            except CannotAnswer as exc:
                problems.setdefault(str(exc), []).append(nsn)
                continue
            self.flows[(spec.name, nsn)] = flow
            if option not in ("clssa", "partnership"):
                self._flow_cache[key] = flow

    def _arrays(self) -> None:
        """The flows as arrays (one row each), fixed for this model; ``solve`` fills the
        figures that depend on demand."""
        flows = list(self.flows.values())
        self._rows = {(f.customer, f.nsn): i for i, f in enumerate(flows)}
        nsns = list(self.items)
        self._nsn_index = {n: i for i, n in enumerate(nsns)}
        self._nsns = nsns
        self._depot_names = list(self.depots)
        depot_index = {d: i for i, d in enumerate(self._depot_names)}
        cust_names = [c.name for c in self.scenario.customers]
        self._cust_index = {c: i for i, c in enumerate(cust_names)}
        a = np.asarray
        self._base_rate = a([f.rate for f in flows], dtype=float)
        self._f_cust = a([self._cust_index[f.customer] for f in flows], dtype=np.int64)
        self._f_nsn = a([self._nsn_index[f.nsn] for f in flows], dtype=np.int64)
        self._f_depot = a([depot_index[f.depot] for f in flows], dtype=np.int64)
        self._f_c = a([f.condemnation for f in flows], dtype=float)
        self._f_repair = a([f.kind == "repair" for f in flows], dtype=bool)
        self._f_clssa = a([f.option == "clssa" for f in flows], dtype=bool)
        self._f_restricted = a([f.restricted for f in flows], dtype=bool)
        self._f_to = a([f.to_depot_days for f in flows], dtype=float)
        self._f_back = a([f.back_days for f in flows], dtype=float)
        self._f_issue = a([f.issue_days for f in flows], dtype=float)
        self._f_level = a([f.level for f in flows], dtype=np.int64)
        self._f_awp = a([self._awp_days(f.depot, f.nsn) for f in flows], dtype=float)
        self._f_retro = a([f.retro_days for f in flows], dtype=float)
        self._base_arrays(flows)
        self._f_stock = a([self.shelf[f.customer][f.nsn] for f in flows], dtype=np.int64)
        ws = self.scenario.wholesale
        self._ws_stock = a([ws.stock.get(n, 0) + self.fmso1[n] for n in nsns], dtype=np.int64)
        self._protection = a([ws.protection_level.get(n, 0) for n in nsns], dtype=np.int64)
        self._repair_mean = a([mean_of(self.depots[d].repair_days) for d in self._depot_names],
                              dtype=float)
        self._free_before_row = a([self._free_before.get((f.customer, f.nsn), 0)
                                   for f in flows], dtype=np.int64)

    def _base_arrays(self, flows: list[Flow]) -> None:
        """One row per (base, NSN) of each customer with bases: its demand at full fleet, the
        share repaired on base and its time, order-and-ship days, shelf stock and aircraft."""
        rows = []
        for i, f in enumerate(flows):
            spec = self.customers[f.customer]
            if not spec.bases:
                continue
            item = self.items[f.nsn]
            qpa = self.parts[f.customer][f.nsn]
            repair = item.base_repair
            r = repair.probability if repair is not None else 0.0
            t = mean_of(repair.days) if repair is not None else 0.0
            units = self._base_units[f.customer]
            for base in spec.bases:
                lam = removals_per_day(base.aircraft, base_fh(spec, base), qpa, item.mtbr_fh)
                rows.append((i, lam, r, t, self._in_country(base.name, spec.country),
                             units[base.name][f.nsn], base.aircraft, qpa, base.name))
        a = np.asarray
        self._sp_flow = a([r[0] for r in rows], dtype=np.int64)
        self._sp_rate0 = a([r[1] for r in rows], dtype=float)
        self._sp_r = a([r[2] for r in rows], dtype=float)
        self._sp_t = a([r[3] for r in rows], dtype=float)
        self._sp_o = a([r[4] for r in rows], dtype=float)
        self._sp_stock = a([r[5] for r in rows], dtype=np.int64)
        self._sp_aircraft = a([r[6] for r in rows], dtype=np.int64)
        self._sp_qpa = a([r[7] for r in rows], dtype=np.int64)
        self._sp_base = [r[8] for r in rows]

    def _base_figures(self) -> None:
        """Each base's pipeline — base repair and order-and-ship (Poisson), plus its share
        f = its NRTS demand / the store's of the central store's backorders, a binomial
        thinning: mean f·E[B0], variance f(1-f)·E[B0] + f²·Var[B0] (VARI-METRIC; Graves
        1985 for the exact law) — and its backorders at its own stock."""
        if self._sp_flow.size == 0:
            self._bfig = {}
            return
        sp = np.arange(self._sp_flow.size)
        fig = self._bases_at(sp, self._fig["ebo"][self._sp_flow], self._fig["vbo"][self._sp_flow])
        fig["ebo"] = np.where(self._broken_row[self._sp_flow], np.nan, fig["ebo"])
        self._bfig = fig

    def _bases_at(self, sp: np.ndarray, e0: np.ndarray, v0: np.ndarray,
                  stock: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Base rows ``sp`` against central backorders with mean ``e0`` and variance ``v0``
        (per row), at their own stock or ``stock``. A row whose central figures are NaN (its
        depot has no steady state) gets NaN figures, not a crash."""
        broken = ~(np.isfinite(e0) & np.isfinite(v0))
        e0, v0 = np.where(broken, 0.0, e0), np.where(broken, 0.0, v0)
        fac = np.array([self.factor.get(c, 1.0) for c in self._cust_index], dtype=float)
        flow = self._sp_flow[sp]
        lam = self._sp_rate0[sp] * fac[self._f_cust[flow]]
        nrts = lam * (1.0 - self._sp_r[sp])
        central = self._rate[flow]
        share = np.where(central > 0, nrts / np.where(central > 0, central, 1.0), 0.0)
        own = lam * self._sp_r[sp] * self._sp_t[sp] + nrts * self._sp_o[sp]
        mean, var = thinned_moments(own, share, e0, v0, self.method)
        stock = self._sp_stock[sp] if stock is None else stock
        ebo, _, fill = backorders_vec(mean, var, stock)
        if broken.any():
            ebo, fill = np.where(broken, np.nan, ebo), np.where(broken, np.nan, fill)
        return {"rate": lam, "mean": mean, "var": var, "ebo": ebo, "fill": fill,
                "stock": stock}

    def _sp_rows(self, customer: str, nsn: str | None = None) -> np.ndarray:
        """Base rows of a customer (of one NSN)."""
        if self._sp_flow.size == 0:
            return np.zeros(0, dtype=np.int64)
        rows = self._customer_rows(customer) if nsn is None else np.array(
            [self._rows[(customer, nsn)]])
        return np.flatnonzero(np.isin(self._sp_flow, rows))

    def _awp_days(self, depot: str, nsn: str) -> float:
        """Expected wait for bit-piece parts at induction (it holds no line)."""
        awp = self.items[nsn].awaiting_parts or self.depots[depot].awaiting_parts
        return 0.0 if awp is None else awp.probability * mean_of(awp.days)

    def _depots(self, rates: np.ndarray) -> None:
        """Queue wait at each depot from the carcasses of every flow it repairs."""
        arrivals = np.bincount(self._f_depot, rates * (1.0 - self._f_c),
                               minlength=len(self._depot_names))
        self.depot_arrivals = dict(zip(self._depot_names, arrivals.tolist(), strict=True))
        self.depot_wait: dict[str, float | None] = {}
        self.depot_utilization: dict[str, float | None] = {}
        for name, lam in self.depot_arrivals.items():
            d = self.depots[name]
            mean = mean_of(d.repair_days)
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
        t = wait + mean_of(self.depots[depot].repair_days)
        return t + (self._awp_days(depot, nsn) if nsn is not None else 0.0)

    def solve(self, factors: Mapping[str, float] | None = None,
              reorder_days: Mapping[str, float] | None = None,
              reorder_iterations: int = 200) -> None:
        """Every figure that depends on demand, for each customer's demand scaled by its
        factor (the finite-fleet correction): depot waits, the wholesale pool per NSN and its
        reorder fixed point, and each flow's pipeline, backorders and fill rate."""
        self.factor = dict(factors or {})
        fac = np.array([self.factor.get(c, 1.0) for c in self._cust_index], dtype=float)
        rates = self._base_rate * fac[self._f_cust] if self._base_rate.size else self._base_rate
        self._rate = rates
        self._depots(rates)
        wait = np.array([np.inf if w is None else w for w in self.depot_wait.values()],
                        dtype=float) if self._depot_names else np.zeros(0)
        self._turn = (wait[self._f_depot] + self._repair_mean[self._f_depot] + self._f_awp
                      if rates.size else np.zeros(0))
        self._broken_row = ~np.isfinite(self._turn)
        self._reorder_fixed_point(reorder_days, reorder_iterations)
        self._flow_figures()

    # -- the wholesale pool --------------------------------------------------------------------
    def _loops(self, reorder: np.ndarray) -> np.ndarray:
        """Per flow: days from requisition to the unit's return to wholesale stock (carcass
        transit, then repair or — condemned — the reorder that replaces it); for a repair flow
        the reorder of a condemnation's replacement sale."""
        c = self._f_c
        turn = np.where(self._broken_row, 0.0, self._turn)
        loop = self._f_to + (1.0 - c) * turn + c * reorder[self._f_nsn]
        return np.where(self._f_repair, reorder[self._f_nsn], loop)

    def _draws(self, loops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(unrestricted, restricted) requisition rates per flow on wholesale stock: a repair
        flow's condemnation buys are restricted; a CLSSA flow's programmed share (1 - Erlang
        B(level, rate x restore time)) is unrestricted, the rest restricted. Only the CLSSA
        rows with a level depend on ``loops``: the rest is worked out once per ``solve``."""
        w_u, w_r = self._fixed_draws
        held = self._held
        if not held.size:
            return w_u, w_r
        rate = self._rate[held]
        prog = 1.0 - erlang_b_vec(self._f_level[held], rate * loops[held])
        ok = ~self._broken_row[held]
        w_u, w_r = w_u.copy(), w_r.copy()
        w_u[held] = np.where(ok, rate * prog, 0.0)
        w_r[held] = np.where(ok, rate * (1.0 - prog), 0.0)
        return w_u, w_r

    def _set_fixed_draws(self) -> None:
        """``_draws`` for rows that do not depend on the restore time (as if no CLSSA flow
        held a level)."""
        rate = self._rate
        self._held = np.flatnonzero(self._f_clssa & (self._f_level > 0))
        w_u = np.where(self._f_clssa, rate * 0.0,
                       np.where(self._f_restricted | self._f_repair, 0.0, rate))
        w_r = np.where(self._f_repair, rate * self._f_c,
                       np.where(self._f_clssa, rate * 1.0,
                                np.where(self._f_restricted, rate, 0.0)))
        ok = ~self._broken_row
        self._fixed_draws = (np.where(ok, w_u, 0.0), np.where(ok, w_r, 0.0))

    def _reorder_fixed_point(self, start: Mapping[str, float] | None,
                             iterations: int = 200) -> None:
        """Per NSN, how long a wholesale reorder is in flight: the procurement lead time
        unless the repaired carcass of an exchange procured for a customer stands in for it
        first (the simulator's rule, ``ItemManager.receive_surplus``). Those carcasses come
        faster the less stock is released, and release depends on how long reorders fly: a
        fixed point, iterated with damping. When it stops on convergence, the last
        iterate's figures are kept rather than worked out again."""
        n = len(self._nsns)
        reorder = np.full(n, self.plt)
        if start:
            for nsn, v in start.items():
                if nsn in self._nsn_index:
                    reorder[self._nsn_index[nsn]] = v
        self._set_fixed_draws()
        above = self._ws_stock - self._protection
        if self._release is None or not np.array_equal(above, self._release[0]):
            # the same every solve of a finite-fleet iteration: the index work done once
            self._release = (above, loss_release_plan(above))
        release = self._release[1]
        f_nsn = self._f_nsn
        wholesale = ~self._f_repair
        keep = (1.0 - self._f_c)
        prev_x = prev_g = None
        current = None
        for _ in range(iterations):
            loops = self._loops(reorder)
            w_u, w_r = self._draws(loops)
            m_u = np.bincount(f_nsn, w_u * loops, minlength=n)
            m_r = np.bincount(f_nsn, w_r * loops, minlength=n)
            p = release(m_u, m_r)
            p_row = p[f_nsn]
            surplus = np.bincount(f_nsn, np.where(
                wholesale, w_r * (1.0 - p_row) * keep, 0.0), minlength=n)
            reorders = np.bincount(f_nsn, np.where(
                wholesale, (w_u + p_row * w_r) * self._f_c, p_row * w_r), minlength=n)
            target = reorder_holding_vec(reorders, surplus, self.plt)
            delta = float(np.abs(target - reorder).max()) if n else 0.0
            if delta < 1e-3:
                current = (loops, w_u, w_r, m_u, m_r, p)
                break
            # x <- g(x) falls as x rises (longer reorders, less release, more surplus): step
            # by 1/(1 - slope) with the slope a secant of the last two iterates, else halfway.
            step = np.full(n, 0.5)
            if prev_x is not None:
                dx = reorder - prev_x
                ok = np.abs(dx) > 1e-9
                slope = np.where(ok, (target - prev_g) / np.where(ok, dx, 1.0), 0.0)
                step = np.where(ok & (slope < 0.9), 1.0 / (1.0 - np.minimum(slope, 0.9)), 0.5)
            prev_x, prev_g = reorder, target
            reorder = np.minimum(np.maximum(reorder + step * (target - reorder), 0.0), self.plt)
        if current is None:
            loops = self._loops(reorder)
            w_u, w_r = self._draws(loops)
            m_u = np.bincount(f_nsn, w_u * loops, minlength=n)
            m_r = np.bincount(f_nsn, w_r * loops, minlength=n)
            current = (loops, w_u, w_r, m_u, m_r, release(m_u, m_r))
        self._reorder = reorder
        self.reorder_days = dict(zip(self._nsns, reorder.tolist(), strict=True))
        self._loop, self._w_u, self._w_r, self._m_u, self._m_r, self._p = current
        self._rate_u = np.bincount(f_nsn, self._w_u, minlength=n)
        pool = self._m_u + self._p * self._m_r
        self._e0, self._v0, _ = backorders_vec(pool, pool, self._ws_stock)
        self.wh_rate_u = dict(zip(self._nsns, self._rate_u.tolist(), strict=True))
        self.wh_mean_u = dict(zip(self._nsns, self._m_u.tolist(), strict=True))
        self.wh_mean_r = dict(zip(self._nsns, self._m_r.tolist(), strict=True))
        self.wh_broken = {self.flows_list[i].nsn: self.flows_list[i].depot
                          for i in np.flatnonzero(self._broken_row & ~self._f_repair)}

    def _figures(self, rows: np.ndarray, extra: np.ndarray) -> dict[str, np.ndarray]:
        """Pipeline, backorders and fill rate of the given flows, each with ``extra`` more FMSO
        I units of its customer (0: as the scenario says): the flow's own pipeline (transit,
        repair or issue), the share of wholesale backorders its unrestricted draws wait for,
        and the procurement lead time of its restricted requisitions that asset release
        cannot fill."""
        f_nsn = self._f_nsn[rows]
        rate = self._rate[rows]
        c = self._f_c[rows]
        repair = self._f_repair[rows]
        turn = np.where(self._broken_row[rows], 0.0, self._turn[rows])
        loop = self._loop[rows]
        levels = self._f_level[rows] + extra
        clssa = self._f_clssa[rows]
        prog = np.zeros(rate.shape)
        held = np.flatnonzero(clssa & (levels > 0))
        if held.size:
            prog[held] = 1.0 - erlang_b_vec(levels[held], rate[held] * loop[held])
        w_u = np.where(clssa, rate * prog, self._w_u[rows])
        w_r = np.where(clssa, rate * (1.0 - prog), self._w_r[rows])
        shift = w_u - self._w_u[rows]
        on_order = self._on_order(rows, levels) - self._on_order(rows, self._f_level[rows])
        stock0 = self._ws_stock[f_nsn] + on_order
        m_u = self._m_u[f_nsn] + shift * loop
        m_r = np.maximum(self._m_r[f_nsn] - shift * loop, 0.0)
        protection = self._protection[f_nsn]
        if not (shift.any() or on_order.any()):
            p_pool, e0, v0 = self._p[f_nsn], self._e0[f_nsn], self._v0[f_nsn]
        else:
            p_pool = loss_release_vec(stock0 - protection, m_u, m_r)
            e0, v0, _ = backorders_vec(m_u + p_pool * m_r, m_u + p_pool * m_r, stock0)
        # Beyond its level, a CLSSA requisition comes while the customer's programmed draws
        # hold ``level`` units out of stock: fewer units above protection are left for it,
        # and only the others' unrestricted draws compete.
        p = p_pool
        mixed = np.flatnonzero(clssa & (w_u > 0) & (w_r > 0))
        if mixed.size:
            p = p.copy()
            p[mixed] = loss_release_vec((stock0 - levels - protection)[mixed],
                                        np.maximum(m_u - w_u * loop, 0.0)[mixed], m_r[mixed])
        own = np.where(repair,
                       rate * ((1 - c) * (self._f_to[rows] + turn + self._f_back[rows])
                               + c * (self._f_to[rows] + self._f_issue[rows])),
                       rate * self._f_issue[rows]) + rate * self._f_retro[rows]
        procured = w_r * (1.0 - p) * self.plt
        own = own + procured
        rate_u = self._rate_u[f_nsn] + shift
        share = np.where((w_u > 0) & (rate_u > 0), np.minimum(1.0, w_u / np.where(
            rate_u > 0, rate_u, 1.0)), 0.0)
        mean, var = thinned_moments(own, share, e0, v0, self.method)
        stock = self._f_stock[rows]
        ebo, vbo, fill = backorders_vec(mean, var, stock)
        delay = np.where(rate > 0, (share * e0 + procured) / np.where(rate > 0, rate, 1.0), 0.0)
        return pooled.adjust(self, rows, {
            "mean": mean, "var": var, "ebo": ebo, "vbo": vbo, "fill": fill,
            "delay": delay, "stock0": stock0, "drawn": (w_u > 0) | (w_r > 0)})

    def _on_order(self, rows: np.ndarray, levels: np.ndarray) -> np.ndarray:
        """On-order FMSO I units of a CLSSA flow at a level: the part free stock above
        protection cannot earmark (0 for other flows)."""
        free = self._free_before_row[rows]
        return np.where(self._f_clssa[rows], levels - np.minimum(levels, free), 0)

    def _flow_figures(self) -> None:
        rows = np.arange(self._base_rate.size)
        fig = self._figures(rows, np.zeros(rows.size, dtype=np.int64))
        fig["ebo"] = np.where(self._broken_row, np.nan, fig["ebo"])
        self._fig = fig
        self._base_figures()

    # -- answering -------------------------------------------------------------------------
    def wholesale_stock(self, nsn: str, extra: int = 0) -> int:
        """Wholesale base stock of ``nsn``: DoD's own, the FMSO I on-order units and
        ``extra`` more."""
        return int(self._ws_stock[self._nsn_index[nsn]]) + extra

    def programmed_fraction(self, f: Flow, level: float) -> float:
        """Share of a CLSSA flow's requisitions coded programmed: the level is a loss system
        of ``level`` servers held for the restore time (Erlang B, insensitive to its law)."""
        if level <= 0:
            return 0.0
        if math.isinf(level):
            return 1.0
        i = self._rows[(f.customer, f.nsn)]
        load = float(self._rate[i] * self._loop[i])
        return 1.0 - erlang_b(int(level), load) if load > 0 else 1.0

    def item(self, customer: str, nsn: str, extra: float = 0) -> ItemPrediction:
        """One NSN of one customer; ``extra`` FMSO I units for this customer on top of its
        level (a ``sustain recommend`` trial; ``math.inf``: the limit of any buy-in, every
        requisition programmed and wholesale never short)."""
        f = self.flows[(customer, nsn)]
        i = self._rows[(customer, nsn)]
        if self._broken_row[i]:
            raise CannotAnswer(f"{nsn}: depot {f.depot!r} is overloaded")
        if math.isinf(extra):
            mean = float(self._rate[i] * (self._f_issue[i] + self._f_retro[i])) \
                if not self._f_repair[i] else None
            if mean is None:
                fig = {k: v[i] for k, v in self._fig.items()}
            else:
                ebo, vbo, fill = backorders_vec(np.array([mean]), np.array([mean]),
                                                self._f_stock[[i]])
                fig = {"mean": mean, "var": mean, "ebo": ebo[0], "vbo": vbo[0],
                       "fill": fill[0], "delay": 0.0, "stock0": None, "drawn": False}
        elif extra:
            out = self._figures(np.array([i]), np.array([int(extra)], dtype=np.int64))
            fig = {k: v[0] for k, v in out.items()}
        else:
            fig = {k: v[i] for k, v in self._fig.items()}
        item = self.items[nsn]
        qpa = self.parts[customer][nsn]
        stock0 = fig["stock0"]
        common = {
            "nsn": nsn, "name": item.name, "option": f.option, "qpa": qpa, "depot": f.depot,
            "depot_wait_days": float(self.depot_wait[f.depot] or 0.0),
            "wholesale_stock": int(stock0) if (stock0 is not None and fig["drawn"]) else None,
            "wholesale_delay_days": float(fig["delay"])}
        sp = self._sp_rows(customer, nsn)
        if sp.size == 0:
            return ItemPrediction(
                stock=int(self._f_stock[i]), demand_per_day=float(self._rate[i]),
                pipeline_mean=float(fig["mean"]), pipeline_variance=float(fig["var"]),
                ebo=float(fig["ebo"]), fill_rate=float(fig["fill"]), **common)
        vbo = fig.get("vbo")
        if vbo is None:                       # no central shortage in the limit of any buy-in
            vbo = 0.0
        b = self._bases_at(sp, np.full(sp.size, float(fig["ebo"])), np.full(sp.size, vbo))
        bases = tuple(BaseItemPrediction(
            base=self._sp_base[k], aircraft=int(self._sp_aircraft[k]),
            stock=int(b["stock"][j]), demand_per_day=float(b["rate"][j]),
            pipeline_mean=float(b["mean"][j]), pipeline_variance=float(b["var"][j]),
            ebo=float(b["ebo"][j]), fill_rate=float(b["fill"][j])) for j, k in enumerate(sp))
        rate = float(b["rate"].sum())
        return ItemPrediction(
            stock=int(self._f_stock[i] + b["stock"].sum()), demand_per_day=rate,
            pipeline_mean=float(b["mean"].sum()), pipeline_variance=float(b["var"].sum()),
            ebo=float(b["ebo"].sum()),
            fill_rate=float(np.dot(b["rate"], b["fill"]) / rate) if rate > 0 else 1.0,
            central_stock=int(self._f_stock[i]), central_backorders=float(fig["ebo"]),
            bases=bases, **common)

    def customer_availability(self, name: str, extra: Mapping[str, int] | None = None
                              ) -> float | None:
        """What the simulator's rule gives for this customer's backorders (NMCS aircraft =
        backorders, or consolidated with cannibalization) — the finite-fleet iteration's
        figure — with ``extra`` FMSO I units per NSN; None when it has no closed form."""
        if self.problems[name]:
            return None
        spec = self.customers[name]
        rows = self._customer_rows(name)
        if rows.size == 0 or self._broken_row[rows].any():
            return None
        n = spec.fleet.aircraft
        fig = self._fig
        if extra:
            more = np.array([int(extra.get(self.flows_list[i].nsn, 0)) for i in rows],
                            dtype=np.int64)
            part = self._figures(rows, more)
            fig = {k: np.zeros(self._base_rate.size) for k in ("mean", "var", "ebo", "vbo")}
            for k in fig:
                fig[k][rows] = part[k]
        if spec.bases:
            sp = self._sp_rows(name)
            b = self._bases_at(sp, fig["ebo"][self._sp_flow[sp]], fig["vbo"][self._sp_flow[sp]])
            if spec.cannibalization:
                nmcs = 0.0
                for base in spec.bases:
                    at = np.array([self._sp_base[k] == base.name for k in sp])
                    nmcs += consolidated_nmcs(b["mean"][at], b["var"][at], b["stock"][at],
                                              self._sp_qpa[sp][at], base.aircraft)
                return 1.0 - nmcs / n
            return max(0.0, 1.0 - float(b["ebo"].sum()) / n)
        if spec.cannibalization:
            return 1.0 - consolidated_nmcs(fig["mean"][rows], fig["var"][rows],
                                           self._f_stock[rows], self._qpa(rows), n) / n
        return max(0.0, 1.0 - float(fig["ebo"][rows].sum()) / n)

    def _customer_rows(self, name: str) -> np.ndarray:
        return np.flatnonzero(self._f_cust == self._cust_index[name])

    def _qpa(self, rows: np.ndarray) -> np.ndarray:
        flows = self.flows_list
        return np.array([self.parts[flows[i].customer][flows[i].nsn] for i in rows],
                        dtype=np.int64)

    def availabilities(self, spec: CustomerSpec, items: list[ItemPrediction],
                       ) -> tuple[float, float]:
        """(METRIC availability, availability if NMCS aircraft = backorders or consolidated).

        The first is Sherbrooke's product (aircraft keep generating demand, holes fall at
        random); the second is what the simulator's rule gives for the same backorders."""
        n = spec.fleet.aircraft
        ebos = [it.ebo for it in items]
        qpa = [it.qpa for it in items]
        if spec.bases:
            metric = sim_rule = 0.0
            for k, base in enumerate(spec.bases):
                rows = [(it.bases[k], it.qpa) for it in items]
                metric += base.aircraft * metric_availability(
                    [r.ebo for r, _ in rows], base.aircraft, [z for _, z in rows])
                if spec.cannibalization:
                    sim_rule += consolidated_nmcs(
                        np.array([r.pipeline_mean for r, _ in rows]),
                        np.array([r.pipeline_variance for r, _ in rows]),
                        np.array([r.stock for r, _ in rows], dtype=np.int64),
                        np.array([z for _, z in rows], dtype=np.int64), base.aircraft)
                else:
                    sim_rule += sum(r.ebo for r, _ in rows)
            return metric / n, max(0.0, 1.0 - sim_rule / n)
        if spec.cannibalization:
            a = 1.0 - consolidated_nmcs(
                np.array([it.pipeline_mean for it in items]),
                np.array([it.pipeline_variance for it in items]),
                np.array([it.stock for it in items], dtype=np.int64),
                np.array(qpa, dtype=np.int64), n) / n
            return a, a
        return metric_availability(ebos, n, qpa), max(0.0, 1.0 - sum(ebos) / n)

    def customer(self, name: str, detail: bool = True) -> CustomerPrediction:
        """Every NSN of one customer and its fleet-level figures (or the reasons it has none);
        with ``detail`` False only the fleet-level figures (a sweep's screen needs no more)."""
        spec = self.customers[name]
        out = CustomerPrediction(self.alternative.name, name, spec.kind, spec.fleet.aircraft,
                                 spec.cannibalization, reasons=self.reasons(name),
                                 notes=list(self.notes[name]),
                                 warnings=timeline_warnings(self.scenario, self.alternative,
                                                            name))
        if out.reasons:
            return out
        if not detail:
            return self._fleet_figures(out)
        try:
            out.items = [self.item(name, nsn) for nsn in self.parts[name]]
        except CannotAnswer as exc:
            out.reasons.append(str(exc))
            return out
        a, _ = self.availabilities(spec, out.items)
        out.availability = a
        out.nmcs_aircraft = spec.fleet.aircraft * (1.0 - a)
        for k, base in enumerate(spec.bases):
            out.bases[base.name] = metric_availability(
                [it.bases[k].ebo for it in out.items], base.aircraft,
                [it.qpa for it in out.items])
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

    def _fleet_figures(self, out: CustomerPrediction) -> CustomerPrediction:
        """Availability, NMCS aircraft, backorders and fill rate from the arrays alone."""
        spec = self.customers[out.customer]
        rows = self._customer_rows(out.customer)
        if self._broken_row[rows].any():
            out.reasons.append("a depot it uses is overloaded")
            return out
        fig = self._fig
        n = spec.fleet.aircraft
        qpa = self._qpa(rows)
        if spec.bases:
            return self._fleet_figures_bases(out)
        if spec.cannibalization:
            a = 1.0 - consolidated_nmcs(fig["mean"][rows], fig["var"][rows],
                                        self._f_stock[rows], qpa, n) / n
        else:
            a = metric_availability(fig["ebo"][rows], n, qpa)
        out.availability = float(a)
        out.nmcs_aircraft = n * (1.0 - float(a))
        out.backorders = float(fig["ebo"][rows].sum())
        rate = self._rate[rows]
        out.fill_rate = (float(np.dot(rate, fig["fill"][rows]) / rate.sum())
                         if rate.sum() > 0 else 1.0)
        return out

    def _fleet_figures_bases(self, out: CustomerPrediction) -> CustomerPrediction:
        spec = self.customers[out.customer]
        sp = self._sp_rows(out.customer)
        b = self._bfig
        a = 0.0
        for base in spec.bases:
            at = sp[[self._sp_base[k] == base.name for k in sp]]
            out.bases[base.name] = metric_availability(b["ebo"][at], base.aircraft,
                                                       self._sp_qpa[at])
            a += base.aircraft * out.bases[base.name]
        n = spec.fleet.aircraft
        out.availability = a / n
        out.nmcs_aircraft = n - a
        out.backorders = float(b["ebo"][sp].sum())
        rate = b["rate"][sp]
        out.fill_rate = (float(np.dot(rate, b["fill"][sp]) / rate.sum())
                         if rate.sum() > 0 else 1.0)
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
        if self._shared_nsns is None:
            self._shared_nsns = {f.nsn for f in self.flows_list if f.kind == "wholesale"
                                 and f.option in (US_UNIT, "clssa")}
        return nsn in self._shared_nsns

    def _problems(self) -> None:
        """Flows with no steady state (an overloaded depot, or wholesale fed by one) make
        their customer unanswerable."""
        for (cust, nsn), f in self.flows.items():
            i = self._rows[(cust, nsn)]
            if self._broken_row[i]:
                why = (f"depot {f.depot!r} is overloaded (offered load "
                       f"{self.depot_utilization[f.depot]:.2f} of its lines): no steady state")
            elif nsn in self.wh_broken and (f.kind == "wholesale" or f.condemnation > 0):
                why = f"wholesale is fed by overloaded depot {self.wh_broken[nsn]!r}"
            else:
                continue
            self.problems[cust].setdefault(why, []).append(nsn)


def consolidated_nmcs(mean: np.ndarray, var: np.ndarray, stock: np.ndarray, qpa: np.ndarray,
                      aircraft: int) -> float:
    """E[min(N, max_i ceil(B_i / Z_i))]: NMCS aircraft when holes are cannibalized onto the
    fewest aircraft, pipelines independent. P(max <= k) = Π_i P(X_i <= s_i + k·Z_i)."""
    k = np.arange(aircraft)
    points = stock[:, None] + k[None, :] * qpa[:, None]
    p_le = np.prod(cdf_at(mean, var, points), axis=0)
    return float(np.sum(1.0 - p_le))


def reorder_holding(reorders: float, surplus: float, lead_days: float) -> float:
    """Mean days a wholesale reorder is in flight (``vector.reorder_holding`` for one NSN)."""
    return float(reorder_holding_vec(np.array([reorders]), np.array([surplus]), lead_days)[0])


def loss_release(above: int, unrestricted: float, restricted: float) -> float:
    """P(a restricted requisition is released) (``vector.loss_release`` for one NSN)."""
    return float(loss_release_vec(np.array([above]), np.array([unrestricted]),
                                  np.array([restricted]))[0])


def timeline_warnings(scenario: Scenario, alternative: Alternative, customer: str) -> list[str]:
    """Why the steady-state answer may not describe what a simulation of this customer under
    this alternative measures: things on the timeline inside the measured window."""
    from sim.model.timeline import divergence_days, leave_days, system_leave_days

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
    choices = {n: resolved_choice(alternative, customer, n) for n in parts}
    on_wholesale = [n for n, c in choices.items()
                    if c is not None and c.option in WHOLESALE_OPTIONS]
    wholesale = [n for n in on_wholesale if leave[n] < end]
    if wholesale:
        day = min(leave[n] for n in wholesale)
        out.append(f"{len(wholesale)} NSN(s) on Direct Exchange or CLSSA leave the DoD inventory "
                   f"from day {day:g} ({share(day)} after it): the fallback supports them then, "
                   "and the answer describes only the time before")
    diverge = divergence_days(scenario, alternative)
    diverged = [n for n in on_wholesale if diverge.get((customer, n), end) < min(end, leave[n])]
    if diverged:
        day = min(diverge[(customer, n)] for n in diverged)
        out.append(f"under national software support {len(diverged)} configuration-dependent "
                   f"NSN(s) on Direct Exchange or CLSSA become non-standard for {customer} from "
                   f"day {day:g} ({share(day)} after it): the fallback supports them then, and "
                   "the answer describes only the time before")
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
                c is not None and c.depot == ev.depot for c in choices.values()):
            out.append(f"depot {ev.depot!r} changes to {ev.repair_lines} lines at day "
                       f"{ev.day:g}; the answer uses its lines at day 0")
    if scenario.eda is not None and any(p.customer == customer for p in scenario.eda.purchases):
        out.append("EDA purchases add spares the answer does not count")
    return out


def program_scale(spec) -> float:
    """Flying hours a flying aircraft can fly over those it is programmed for: the cap ratio
    under a fleet flying program (demand = program x min(1, A x ratio)), 1 per aircraft."""
    if spec.flying_program != "fleet":
        return 1.0
    fh = spec.fleet.fh_per_aircraft_month
    cap = spec.max_fh_per_aircraft_month or 1.5 * fh
    return cap / fh


def finite_fleet_availability(
    scenario: Scenario,
    alternative: Alternative,
    *,
    method: Method = DEFAULT_METHOD,
    extra_stock: Mapping[str, Mapping[str, int]] | None = None,
    tol: float = 1e-6,
    max_iter: int = 200,
    model: AlternativeModel | None = None,
) -> dict[str, float]:
    """Availability per answered customer when NMCS aircraft do not fly.

    Fixed point A_c = 1 - E[NMCS_c](demand x A_c)/N_c over all customers at once (they share
    depots and wholesale), iterated with damping. ``extra_stock`` maps a customer to the
    wholesale units its NSNs get on top (``sustain recommend``'s FMSO I).
    """
    extra = extra_stock or {}
    if model is None:
        model = AlternativeModel(scenario, alternative, method=method)
    x = {c.name: 1.0 for c in scenario.customers}
    scale = {c.name: program_scale(c) for c in scenario.customers}
    previous: dict[str, tuple[float, float]] = {}
    result: dict[str, float] = {}
    for _ in range(max_iter):
        g: dict[str, float] = {}
        for c in scenario.customers:
            a = model.customer_availability(c.name, extra.get(c.name))
            if a is not None:
                g[c.name] = a
        result = g
        if max((abs(g[k] - x[k]) for k in g), default=0.0) < tol:
            break
        # Each customer's x <- g(x) has a slope near zero or negative (more flying, more
        # demand, less availability): step by 1/(1 - slope), the slope taken as a secant of
        # the last two iterates — a diagonal secant (Steffensen-like) step, kept in (0, 1].
        for k, gk in g.items():
            if k not in previous:
                # At x = 1 every aircraft flies. Under a fleet flying program demand is flat
                # in x above the cap's kink 1/scale (the aircraft that fly make up the
                # grounded ones' hours), so g at the kink is this g: the first secant point
                # is the kink's, free, and the first step is to g itself (the first-order
                # correction). Half a step from 1 mostly landed on the flat part and was
                # wasted: 8 % fewer solves over the bundled scenarios and 40 points of a
                # case-study screen (2026-12-05).
                previous[k] = (min(1.0, 1.0 / scale[k]), gk)
                x[k] = min(1.0, max(1e-6, gk))
                continue
            step = 0.5
            x0, g0 = previous[k]
            if abs(x[k] - x0) > 1e-12:
                slope = (gk - g0) / (x[k] - x0)
                if slope < 0.9:
                    step = 1.0 / (1.0 - slope)
            previous[k] = (x[k], gk)
            x[k] = min(1.0, max(1e-6, x[k] + step * (gk - x[k])))
        # One step of the reorder fixed point per step of this one: both converge together.
        # Under a fleet flying program the aircraft that fly make up the grounded ones' hours
        # up to their cap: demand falls only once N x A x cap < the program.
        model.solve({k: min(1.0, v * scale[k]) for k, v in x.items()}, model.reorder_days,
                    reorder_iterations=2)
    return result


def predict_alternative(scenario: Scenario, alternative: Alternative, *,
                        method: Method = DEFAULT_METHOD, detail: bool = True,
                        shelf: Mapping[str, Mapping[str, int]] | None = None,
                        twins: dict[tuple, Twin] | None = None,
                        flow_cache: dict[tuple, Flow] | None = None,
                        ) -> AlternativePrediction:
    """Every customer of one alternative: METRIC figures and the finite-fleet availability
    (per NSN too, unless ``detail`` is False). ``twins``: solved models of the scenario's
    other alternatives, reused where this one has the same flows; ``flow_cache``: their
    flows, reused where this one supports an NSN the same way."""
    model = AlternativeModel(scenario, alternative, method=method, shelf=shelf, twins=twins,
                             flow_cache=flow_cache)
    customers = [model.customer(c.name, detail) for c in scenario.customers]
    twin = model.twin
    if twin is not None and twin.finite is not None:
        finite = twin.finite
    else:
        finite = finite_fleet_availability(scenario, alternative, method=method, model=model)
        if twin is not None:
            twin.finite = finite
    for cp in customers:
        if cp.answered:
            cp.availability_finite_fleet = finite.get(cp.customer)
    return AlternativePrediction(alternative.name, customers)


def predict(scenario: Scenario, *, method: Method = DEFAULT_METHOD,
            detail: bool = True) -> list[AlternativePrediction]:
    """The closed-form answer for every alternative of the scenario."""
    shelf = {c.name: shelf_stock(c, scenario) for c in scenario.customers}
    twins: dict[tuple, Twin] = {}
    flows: dict[tuple, Flow] = {}
    return [predict_alternative(scenario, alt, method=method, detail=detail, shelf=shelf,
                                twins=twins, flow_cache=flows)
            for alt in scenario.alternatives]


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
    notes += pooled.scenario_notes(scenario)
    return notes


LATERAL_NOTE = ("lateral resupply between its bases is simulation-only: the closed form has "
                "none, so it understates availability where stock sits at the wrong base "
                "(simulate to see what the laterals forgive)")
"""scenarios/bases.yaml with `lateral: {days: 2}`, 20 replications: "Pushed to the bases"
simulates 0.933 against 0.891 without laterals; the closed form answers 0.877."""


def has_laterals(spec: CustomerSpec) -> bool:
    return spec.lateral is not None and bool(spec.bases)


def screen_notes(scenario: Scenario) -> list[str]:
    """What a sweep's closed-form screen leaves out, said once for all its points: the
    scenario-wide notes and each customer's lateral resupply (``analytic`` says the latter
    per alternative)."""
    return scenario_notes(scenario) + [f"{c.name}: {LATERAL_NOTE}" for c in scenario.customers
                                       if has_laterals(c)]
