"""Typed models of the whole scenario file (DESIGN §4).

Only field-level rules live here; rules that relate one part of the file to another (an NSN
named in a parts list must exist, a depot needs a transport leg...) are in ``checks.py`` so
that every problem in a file can be reported at once.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from sim.scenario.distributions import Distribution

NSN_PATTERN = r"^\d{4}-\d{2}-\d{3}-\d{4}$"
DAYS_PER_MONTH = 30.4375

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

# Bounds where a number sizes memory or time, or where a value past them can only be a typo:
# each is a located exit-2 message, never a run that hangs or a table of inf and NaN.
MAX_DAYS = 36525.0          # a century
MAX_COUNT = 10_000_000      # units of stock, quantities
MAX_USD = 1e12              # a trillion dollars: no price or cost in a scenario is larger
MAX_AIRCRAFT = 100_000
MAX_REPLICATIONS = 100_000
MAX_NAME = 200              # characters
MAX_SEED = 2**63 - 1


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
"""C0 controls, DEL and C1 controls."""


def _printable(value: str) -> str:
    """Names reach terminals, file names and reports: no control characters in them. (A
    regular expression: a sweep validates every point, and a character-by-character loop was
    a fifth of validating the case study.)"""
    bad = _CONTROL.search(value)
    if bad is not None:
        raise ValueError(f"must not contain control characters (found {bad.group()!r})")
    return value


Nsn = Annotated[str, Field(pattern=NSN_PATTERN, description="National Stock Number, 4-2-3-4")]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(_printable)]
NonNegInt = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PosInt = Annotated[int, Field(gt=0, le=MAX_COUNT)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Day = Annotated[float, Field(ge=0, le=MAX_DAYS)]
Usd = Annotated[float, Field(ge=0, le=MAX_USD)]

OPTION_KEYS = (
    "repair_and_return",
    "direct_exchange",
    "clssa",
    "pros",
    "snap",
    "third_country",
    "dcs",
    "national_depot",
    "partnership",
)
OptionKey = Literal[
    "repair_and_return",
    "direct_exchange",
    "clssa",
    "pros",
    "snap",
    "third_country",
    "dcs",
    "national_depot",
    "partnership",
]
Fad = Literal["I", "II", "III", "IV", "V"]


class WeibullFailure(BaseModel):
    model_config = _STRICT
    shape: float = Field(ge=0.05, le=50, description="Weibull shape; 1 is exponential, >1 wear-out")


class Failure(BaseModel):
    model_config = _STRICT
    weibull: WeibullFailure


class AwaitingParts(BaseModel):
    """A carcass inducted for repair may first wait for a bit-piece part (AWP): with
    ``probability`` it waits ``days``, holding no repair line meanwhile. The guidance on
    Repair and Return warns it "can be a lengthy process if the repair facility has a backlog
    or needs to order special repair parts" (DSCA, SAMM C6; issue 12)."""

    model_config = _STRICT
    probability: Fraction
    days: Distribution


class BaseRepair(BaseModel):
    """Intermediate-level repair on base: the share of removals the base repairs itself
    (1 - NRTS, "not repairable this station") and its repair time."""

    model_config = _STRICT
    probability: Fraction
    days: Distribution


class Item(BaseModel):
    """A stock-numbered reparable."""

    model_config = _STRICT
    nsn: Nsn
    name: Name
    category: Literal["secondary", "commercial", "munition", "major_end_item"] = "secondary"
    unit_price_usd: float = Field(gt=0, le=MAX_USD, description="standard unit price")
    repair_cost_usd: Usd
    mtbr_fh: float = Field(ge=0.01, le=1e9,
                           description="mean flight hours between removals per installed unit")
    failure: Literal["exponential"] | Failure = "exponential"
    condemnation_rate: Fraction = 0.0
    leaves_dod_inventory_day: float | None = Field(default=None, ge=0, le=MAX_DAYS)
    awaiting_parts: AwaitingParts | None = Field(
        default=None, description="bit-piece wait at induction; overrides the depot's")
    base_repair: BaseRepair | None = Field(
        default=None, description="share repaired on base (customers with bases); none: NRTS")
    essential: bool = Field(
        default=True, description=("a failure grounds the aircraft (not mission capable); "
                                   "false: it flies on partially mission capable"))
    maintenance_hours: float = Field(
        default=0.0, ge=0, le=24 * 365, description=(
            "elapsed hours to remove and replace the unit: the aircraft is not mission "
            "capable for maintenance (NMCM) meanwhile"))
    configuration_dependent: bool = Field(
        default=False, description=("tied to the software/configuration baseline: non-standard "
                                    "for a nation that leaves the US baseline"))

    @property
    def weibull_shape(self) -> float | None:
        return None if self.failure == "exponential" else self.failure.weibull.shape


class System(BaseModel):
    model_config = _STRICT
    name: Name
    parts: dict[str, PosInt] = Field(min_length=1, description="NSN -> quantity per aircraft")
    leaves_dod_inventory_day: float | None = Field(default=None, ge=0, le=MAX_DAYS)


class Depot(BaseModel):
    model_config = _STRICT
    name: Name
    kind: Literal["organic", "contractor", "third_country", "national"]
    country: Name
    repair_lines: PosInt | None = Field(default=None, description="omitted = ample capacity")
    repair_days: Distribution
    cost_factor: float = Field(default=1.0, gt=0, le=1000,
                               description="multiplies each item's repair cost")
    repairs: Literal["all"] | list[str] = "all"
    third_party_transfer_approved: bool = False
    security_assistance_relationship: bool = False
    prime_contractor_approved: bool = False
    awaiting_parts: AwaitingParts | None = Field(
        default=None, description="bit-piece wait at induction for items that state none")

    def repairs_item(self, nsn: str) -> bool:
        return self.repairs == "all" or nsn in self.repairs


class TransportLeg(BaseModel):
    model_config = _STRICT
    between: tuple[Name, Name]
    days: Distribution
    cost_usd: float = Field(default=0.0, ge=0, le=MAX_USD, description="per shipment")


class Wholesale(BaseModel):
    model_config = _STRICT
    stock: dict[str, NonNegInt] = Field(default_factory=dict)
    protection_level: dict[str, NonNegInt] = Field(default_factory=dict)
    procurement_lead_time_days: Distribution = 0.0


class Fleet(BaseModel):
    model_config = _STRICT
    system: Name
    aircraft: int = Field(gt=0, le=MAX_AIRCRAFT)
    fh_per_aircraft_month: float = Field(gt=0, le=744, description="at most 24 h x 31 days")


class MonthsOfDemand(BaseModel):
    model_config = _STRICT
    months_of_demand: float = Field(ge=0, le=1200)


class Quantities(BaseModel):
    model_config = _STRICT
    quantities: dict[str, NonNegInt]


def _stock_form(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return "months_of_demand" if isinstance(value, MonthsOfDemand) else "quantities"
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if key in ("months_of_demand", "quantities") else None
    return None


StockSpec = Annotated[
    Annotated[MonthsOfDemand, Tag("months_of_demand")] | Annotated[Quantities, Tag("quantities")],
    Discriminator(_stock_form, custom_error_type="stock",
                  custom_error_message="must be {months_of_demand: M} or {quantities: {NSN: n}}"),
]


class Base(BaseModel):
    """A main operating base: its aircraft fly from it and draw on its own shelf, which the
    customer's central store (its ``initial_stock``) resupplies one-for-one."""

    model_config = _STRICT
    name: Name
    aircraft: int = Field(gt=0, le=MAX_AIRCRAFT)
    fh_per_aircraft_month: float | None = Field(
        default=None, gt=0, le=744, description="default: the fleet's")
    initial_stock: StockSpec = Field(
        default_factory=lambda: Quantities(quantities={}),
        description="the base shelf: {months_of_demand: M} of its own demand or quantities")


class Lateral(BaseModel):
    """Lateral resupply between a customer's bases: a base out of stock takes a serviceable
    from another base that has one above its own backorders."""

    model_config = _STRICT
    days: Distribution
    cost_usd: Usd = 0.0


class ScheduledMaintenance(BaseModel):
    """Periodic inspections: each aircraft is down for maintenance ``days`` every
    ``every_days`` (the fleet's inspections staggered evenly)."""

    model_config = _STRICT
    every_days: float = Field(gt=0, le=MAX_DAYS)
    days: Distribution


class Customer(BaseModel):
    """A US unit or an FMS nation."""

    model_config = _STRICT
    name: Name
    kind: Literal["us", "fms"]
    country: Name
    fad: Fad
    funding: Literal["national", "fmfp"] = "national"
    waivers: list[Literal["dsca_waiver", "dcs_waiver"]] = Field(default_factory=list)
    cannibalization: bool = False
    fleet: Fleet
    initial_stock: StockSpec = Field(description="{months_of_demand: M} or {quantities: {...}}")
    initial_support_days: float | None = Field(default=None, ge=0, le=MAX_DAYS)
    bases: list[Base] = Field(
        default_factory=list, description="main operating bases; none: one stock point")
    lateral: Lateral | None = None
    availability_target: Fraction | None = Field(
        default=None, description="the availability the customer needs: risk figures and the "
                                  "report's recommendation use it")
    scheduled_maintenance: ScheduledMaintenance | None = None
    flying_program: Literal["per_aircraft", "fleet"] = Field(
        default="per_aircraft", description=(
            "per_aircraft: each aircraft flies fh_per_aircraft_month while it is mission "
            "capable (a grounded aircraft's hours are lost); fleet: the fleet's programmed "
            "hours (aircraft x fh_per_aircraft_month) are spread over the aircraft that can "
            "fly, each up to max_fh_per_aircraft_month"))
    max_fh_per_aircraft_month: float | None = Field(
        default=None, gt=0, le=744, description=(
            "with flying_program: fleet, the most one aircraft flies in a month (default 1.5 x "
            "fh_per_aircraft_month, illustrative: surge utilization of about half as much "
            "again as planned)"))
    initial_stock_source: Literal["purchased", "tpa"] = Field(
        default="purchased", description=(
            "purchased: the in-country spares are bought at standard price at day 0 and "
            "their residual value is credited at the horizon; tpa: the customer's "
            "initial_stock was delivered with the Total Package Approach and costs nothing "
            "here (units an alternative holds beyond it are purchased)"))
    central_issue: Literal["priority", "fcfs"] = Field(
        default="priority", description=(
            "how the central store fills its bases' requisitions: an NMCS aircraft's first "
            "(priority), or strictly first come, first served (fcfs)"))


class DcsTerms(BaseModel):
    model_config = _STRICT
    price_factor: float = Field(default=1.0, gt=0, le=1000,
                                description="contract price / repair cost")
    lead_time_days: Distribution = 0.0


class SupportChoice(BaseModel):
    """How one customer's removals are supported under one alternative."""

    model_config = _STRICT
    option: OptionKey
    depot: Name | None = None
    fallback: OptionKey | SupportChoice | None = None
    items: dict[str, SupportChoice] = Field(default_factory=dict)
    fmso1: StockSpec | None = None
    dcs: DcsTerms | None = None
    initial_stock: StockSpec | None = Field(
        default=None, description=(
            "the customer's in-country stock under this alternative — its central store, or "
            "its one shelf — instead of the customer's own initial_stock"))
    base_stock: dict[str, StockSpec] = Field(
        default_factory=dict, description="per base name: its shelf under this alternative")
    software_support: Literal["us_baseline", "national"] = Field(
        default="us_baseline", description=(
            "who supports the customer's software and configuration: on the US baseline its "
            "configuration-dependent items stay standard; national: they become non-standard "
            "for it after divergence_days"))
    divergence_days: float | None = Field(
        default=None, ge=0, le=MAX_DAYS, description=(
            "with national software support: the day its configuration departs from the US "
            "baseline"))
    end_day: float | None = Field(
        default=None, gt=0, le=MAX_DAYS, description=(
            "the day the customer ends this arrangement (new removals go to the fallback; a "
            "CLSSA is terminated and its FMSO I assets drawn down)"))

    partnership: Name | None = Field(
        default=None, description=(
            "with option partnership: the name of the Weapon System Partnership (in "
            "partnerships) whose pooled store supplies this customer"))

    @model_validator(mode="before")
    @classmethod
    def _fallback_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("fallback"), str):
            data = {**data, "fallback": {"option": data["fallback"]}}
        return data


class Alternative(BaseModel):
    model_config = _STRICT
    name: Name
    support: dict[str, SupportChoice] = Field(description="customer name -> support choice")


class BuyingService(BaseModel):
    """A commercial buying service (PROS or SNAP) that finds a source for a non-standard or
    out-of-stock reparable: a repair of the customer's carcass, or a new unit when the carcass
    is condemned or no repair source exists."""

    model_config = _STRICT
    lead_time_days: Distribution = Field(description="order to delivery of a new unit")
    price_factor: float = Field(default=1.0, gt=0, le=1000,
                                description="vendor price / unit price")
    repair_lead_time_days: Distribution = Field(
        description="carcass at the repair source to repaired unit shipped")
    repair_price_factor: float = Field(
        default=1.0, gt=0, description="vendor repair price / the item's repair cost")
    no_repair_source_probability: Fraction = Field(
        default=0.0, description="chance a found source can only sell a new unit")
    fee_rate: float = Field(default=0.0, ge=0, le=10)
    no_source_probability: Fraction = 0.0
    search_days: Distribution = 0.0


class BuyingServices(BaseModel):
    model_config = _STRICT
    pros: BuyingService | None = None
    snap: BuyingService | None = None


class LeaveInventoryEvent(BaseModel):
    model_config = _STRICT
    event: Literal["leave_dod_inventory"]
    day: Day
    nsn: str | None = None
    system: str | None = None


class TempoEvent(BaseModel):
    model_config = _STRICT
    event: Literal["tempo"]
    customer: Name
    start_day: Day
    end_day: float = Field(gt=0, le=MAX_DAYS)
    factor: float = Field(ge=0, le=100, description="multiplies fh_per_aircraft_month")


class DepotLinesEvent(BaseModel):
    model_config = _STRICT
    event: Literal["depot_lines"]
    depot: Name
    day: Day
    repair_lines: PosInt


TimelineEvent = Annotated[
    LeaveInventoryEvent | TempoEvent | DepotLinesEvent, Field(discriminator="event")
]


class EdaPurchase(BaseModel):
    model_config = _STRICT
    customer: Name
    day: Day
    airframes: PosInt
    condition: Literal["good", "fair", "poor"]
    acquisition_value_usd: float = Field(gt=0, le=MAX_USD, description="per airframe")
    price_fraction: float = Field(ge=0.05, le=0.5, description="of acquisition value")
    part_yield: dict[str, Fraction] = Field(
        default_factory=dict, description="NSN -> probability each installed unit is usable")
    delivery_days: Distribution = Field(
        default=0.0, description="purchase to parts on the shelf (regeneration, shipping)")


class Eda(BaseModel):
    model_config = _STRICT
    purchases: list[EdaPurchase] = Field(default_factory=list)


class SweepRange(BaseModel):
    """A parameter's range: the interval a Latin hypercube samples, or the low and high of a
    one-at-a-time sweep."""

    model_config = _STRICT
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> SweepRange:
        if not self.low < self.high:
            raise ValueError("needs low < high")
        return self


class SweepScale(BaseModel):
    """The scale form: every value the path matches is multiplied by the factor, so "all
    MTBRs -20 %" is one parameter (``{scale: {low: 0.8, high: 1.2}}`` or ``{scale: [f, ...]}``)."""

    model_config = _STRICT
    scale: SweepRange | Annotated[list[Annotated[float, Field(gt=0)]], Field(min_length=1)]

    @model_validator(mode="after")
    def _positive(self) -> SweepScale:
        if isinstance(self.scale, SweepRange) and self.scale.low <= 0:
            raise ValueError("scale factors must be greater than 0")
        return self


SweepValues = Annotated[list[float], Field(min_length=1)]
SweepParameter = SweepValues | SweepRange | SweepScale


class Sweep(BaseModel):
    """Points to run beside the scenario as written (DESIGN §4). ``parameters`` maps a dotted
    path (``customers[Nation A].fleet.fh_per_aircraft_month``, ``items[*].mtbr_fh``) to a list
    of values, a ``{low, high}`` range, or a ``{scale: ...}`` factor; the list form
    ``[{path: P, values | low, high | scale: ...}]`` is read into the same mapping."""

    model_config = _STRICT
    method: Literal["grid", "latin_hypercube", "one_at_a_time"]
    parameters: dict[str, SweepParameter] = Field(min_length=1)
    samples: PosInt | None = None
    hold_stock: bool = Field(default=False, description=(
        "in-country stock stated in months of demand (customers' shelves, bases, an "
        "alternative's own initial_stock or base_stock) is bought once, at the scenario as "
        "written, and held at every point; without it each point re-derives it from that "
        "point's demand. A stock the sweep itself names, FMSO I levels and a partnership's "
        "pooled store stay in months"))

    @model_validator(mode="before")
    @classmethod
    def _list_form(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("parameters"), list):
            return data
        params: dict[str, Any] = {}
        for entry in data["parameters"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                # pydantic reports ValueError as a validation problem; TypeError escapes it.
                raise ValueError("each entry of a parameters list needs a 'path'")  # noqa: TRY004
            rest = {k: v for k, v in entry.items() if k != "path"}
            if entry["path"] in params:
                raise ValueError(f"parameter {entry['path']!r} is listed twice")
            params[entry["path"]] = rest.get("values", rest) if set(rest) == {"values"} else rest
        return {**data, "parameters": params}

    @model_validator(mode="after")
    def _method_needs(self) -> Sweep:
        if self.method == "latin_hypercube":
            if self.samples is None:
                raise ValueError("latin_hypercube needs samples (the number of points)")
            lists = [p for p, v in self.parameters.items() if isinstance(v, list) or (
                isinstance(v, SweepScale) and isinstance(v.scale, list))]
            if lists:
                raise ValueError("latin_hypercube samples ranges: give {low, high} or "
                                 f"{{scale: {{low, high}}}}, not a list, for {', '.join(lists)}")
        elif self.samples is not None:
            raise ValueError(f"samples applies to latin_hypercube only, not {self.method}")
        return self


IPS_ELEMENTS = (
    "product support management", "design interface", "sustaining engineering",
    "supply support", "maintenance planning and management",
    "packaging, handling, storage and transportation", "technical data",
    "support equipment", "training and training support", "manpower and personnel",
    "facilities and infrastructure", "IT systems continuous support")
IpsElement = Literal[
    "product support management", "design interface", "sustaining engineering",
    "supply support", "maintenance planning and management",
    "packaging, handling, storage and transportation", "technical data",
    "support equipment", "training and training support", "manpower and personnel",
    "facilities and infrastructure", "IT systems continuous support"]


class OneTimeCost(BaseModel):
    model_config = _STRICT
    day: Day
    amount_usd: float = Field(ge=-MAX_USD, le=MAX_USD)


class RecurringCost(BaseModel):
    model_config = _STRICT
    per: Literal["year", "flight_hour", "aircraft_year"]
    amount_usd: float = Field(ge=-MAX_USD, le=MAX_USD)
    start_day: Day = 0.0
    end_day: float | None = Field(default=None, gt=0, le=MAX_DAYS)


class CostElement(BaseModel):
    """A cost outside the simulated supply chain (DoD Product Support BCA guidebook: the
    twelve Integrated Product Support elements), charged to customers under alternatives:
    once on a day, or recurring per year, per flight hour flown or per aircraft-year."""

    model_config = _STRICT
    name: Name
    ips_element: IpsElement
    customers: Literal["all"] | list[Name] = "all"
    alternatives: Literal["all"] | list[Name] = "all"
    one_time: OneTimeCost | None = None
    recurring: RecurringCost | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> CostElement:
        if (self.one_time is None) == (self.recurring is None):
            raise ValueError("give exactly one of one_time and recurring")
        return self


class IndexTable(BaseModel):
    model_config = _STRICT
    indices: dict[int, Annotated[float, Field(gt=0, le=1000)]] = Field(
        min_length=1, description="fiscal year -> index (1 in the base year)")


EscalationRate = Annotated[float, Field(ge=-0.5, le=1.0)]


class CostSharing(BaseModel):
    """How a partnership's pooled costs are charged back to its members: by flight hours
    flown, by fleet size (aircraft), by demand on the pool (removals it supplied), or by
    fixed agreed shares. Usage-based formulas use each charging interval's usage (periods,
    years and warm-up split intervals)."""

    model_config = _STRICT
    method: Literal["flying_hours", "fleet", "demand", "fixed"]
    shares: dict[str, Fraction] | None = Field(
        default=None, description="member -> share, adding up to 1 (method fixed only)")

    @model_validator(mode="after")
    def _shares_for_fixed(self) -> CostSharing:
        if self.method == "fixed" and not self.shares:
            raise ValueError("method fixed needs shares (member -> fraction, adding up to 1)")
        if self.method != "fixed" and self.shares is not None:
            raise ValueError(f"shares apply to method fixed only, not {self.method}")
        return self


class CommercialBuy(BaseModel):
    """How a partnership's agency buys a new unit when the item is no longer standard (out
    of the DoD inventory): from industry, after a lead time, at a factor of standard price."""

    model_config = _STRICT
    lead_time_days: Distribution
    price_factor: float = Field(default=1.0, gt=0, le=1000)


class Partnership(BaseModel):
    """A Weapon System Partnership (NSPA support partnership): members' removals of its NSNs
    are supplied from one pooled store, carcasses repaired at its depot, condemnations bought
    through the agency (an FMS buy while the item is standard), costs pooled and charged back
    by ``cost_sharing`` plus the agency's ``management_fee_rate``."""

    model_config = _STRICT
    name: Name
    members: list[Name] = Field(min_length=1, description="FMS customers that may join")
    store_country: Name = Field(description="where the pooled store is")
    initial_stock: StockSpec = Field(
        default_factory=lambda: Quantities(quantities={}),
        description=("the pooled store at day 0: {months_of_demand: M} of the joining "
                     "members' combined demand, or quantities"))
    initial_stock_price_factor: Fraction = Field(
        default=1.0, description=("share of standard price the partnership pays for its "
                                  "initial stock at day 0 (0: contributed by the members)"))
    depot: Name = Field(description="the repair contractor (kind contractor or third_country)")
    items: Literal["all"] | list[str] = Field(
        default="all", description="the pooled NSNs; all: every NSN of the members' systems")
    cost_sharing: CostSharing
    management_fee_rate: float = Field(
        default=0.0, ge=0, le=1, description="the agency's fee on every pooled cost")
    commercial_buy: CommercialBuy | None = Field(
        default=None, description="how a non-standard item's condemned unit is replaced")

    def pools(self, nsn: str) -> bool:
        return self.items == "all" or nsn in self.items


class AcsaWindow(BaseModel):
    model_config = _STRICT
    start_day: Day
    end_day: float = Field(gt=0, le=MAX_DAYS)


class Acsa(BaseModel):
    """An Acquisition and Cross-Servicing Agreement (10 U.S.C. 2341-2350) between two
    customers: during a window (an exercise, a deployment, a contingency) either side, left
    with a backorder, draws a serviceable from the other's shelf above its reserve, after
    ``days`` and at ``cost_usd`` a shipment, reimbursed by cash (standard price), replacement
    in kind (the requester's next serviceable goes back) or equal-value exchange (settled in
    money, net, at the window's end). Between two FMS nations it models a bilateral agreement
    of the same form."""

    model_config = _STRICT
    name: Name | None = Field(default=None, description="a label; default 'A / B'")
    between: tuple[Name, Name]
    windows: list[AcsaWindow] = Field(min_length=1)
    reserve: dict[str, NonNegInt] = Field(
        default_factory=dict, description="NSN -> units the provider always keeps")
    reimbursement: Literal["cash", "replacement_in_kind", "equal_value_exchange"]
    days: Distribution = Field(default=0.0, description="a transfer's (and a return's) time")
    cost_usd: Usd = Field(default=0.0, description="per shipment, paid by the requester")
    alternatives: Literal["all"] | list[Name] = Field(
        default="all", description="the alternatives it is in force under")

    @property
    def label(self) -> str:
        return self.name or f"{self.between[0]} / {self.between[1]}"


class Scenario(BaseModel):
    """The whole scenario file."""

    model_config = _STRICT
    scenario: Name
    horizon_days: float = Field(gt=0, le=MAX_DAYS)
    warmup_days: float = Field(default=0.0, ge=0, le=MAX_DAYS)
    replications: int = Field(default=20, gt=0, le=MAX_REPLICATIONS)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    discount_rate: float = Field(default=0.02, ge=0, lt=1)
    fms_surcharge_rate: float = Field(default=0.032, ge=0, lt=1)
    residual_value_fraction: float = Field(
        default=0.5, ge=0, le=1, description=(
            "the share of their standard price the purchased in-country spares are worth at "
            "the horizon, credited then (0.5 is illustrative: reparable spares of a type "
            "still flying keep much of their value; state your own)"))
    period_days: float = Field(default=DAYS_PER_MONTH, ge=1, le=MAX_DAYS,
                               description="at least one day")
    initial_support: OptionKey = "direct_exchange"
    items: list[Item] = Field(min_length=1)
    systems: list[System] = Field(min_length=1)
    depots: list[Depot] = Field(default_factory=list)
    transport: list[TransportLeg] = Field(default_factory=list)
    wholesale: Wholesale = Field(default_factory=Wholesale)
    customers: list[Customer] = Field(min_length=1)
    alternatives: list[Alternative] = Field(min_length=1)
    buying_services: BuyingServices | None = None
    events: list[TimelineEvent] = Field(default_factory=list)
    eda: Eda | None = None
    sweep: Sweep | None = None
    cost_elements: list[CostElement] = Field(default_factory=list)
    base_year: int | None = Field(
        default=None, ge=1900, le=2200, description=(
            "the constant-dollar year, and the fiscal year that contains day 0"))
    fiscal_year_start_day: Day = Field(
        default=0.0, description="the first day (after day 0) a new fiscal year starts; 0: "
                                 "day 0 starts one")
    escalation: EscalationRate | IndexTable = Field(
        default=0.0, description=("then-year dollars: an annual rate (then-year = constant x "
                                  "(1 + rate)^(fiscal year - base year)) or a table of "
                                  "indices by fiscal year"))
    partnerships: list[Partnership] = Field(
        default_factory=list, description=(
            "NSPA-style Weapon System Partnerships: pooled stock, one depot, costs shared by "
            "a formula; an alternative puts a member in one with option partnership"))
    acsa: list[Acsa] = Field(
        default_factory=list, description=(
            "Acquisition and Cross-Servicing Agreements: a customer with a backorder draws on "
            "a partner's stock above a reserve during declared windows"))

    def item(self, nsn: str) -> Item:
        return next(i for i in self.items if i.nsn == nsn)

    def system(self, name: str) -> System:
        return next(s for s in self.systems if s.name == name)

    def depot(self, name: str) -> Depot:
        return next(d for d in self.depots if d.name == name)
