"""What each result column means: label, unit and which direction is better.

One table of metadata so that every table, chart and spreadsheet names a metric the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    column: str
    label: str
    unit: str  # "%", "days", "$M", "$/FH", "aircraft", "units", "count", "FH"
    better: str | None = None  # "higher", "lower" or None (neither)
    short: str = ""  # for chart axes, legends and slide cells; the label when empty
    digits: int | None = None  # decimals shown, when the unit's default does not suit

    @property
    def scale(self) -> float:
        """Divide raw values by this to display them in ``unit``."""
        return {"%": 0.01, "$M": 1e6}.get(self.unit, 1.0)

    @property
    def heading(self) -> str:
        return f"{self.label} ({self.unit})"

    @property
    def name(self) -> str:
        """The short name (charts, slides): 'Supply availability', 'MC rate'."""
        return self.short or self.label


SUMMARY_METRICS: tuple[Metric, ...] = (
    # Supply availability: the share of aircraft-days not NMCS (not the mission-capable rate).
    Metric("availability", "Supply availability (not NMCS)", "%", "higher",
           "Supply availability"),
    Metric("nmcs_aircraft_mean", "NMCS aircraft, mean", "aircraft", "lower"),
    Metric("backorders_mean", "Backorders, time-average", "units", "lower"),
    Metric("fill_rate", "Fill rate from own stock", "%", "higher"),
    Metric("cwt_days_mean", "Customer wait time, mean", "days", "lower"),
    Metric("cwt_days_p50", "Customer wait time, 50th percentile", "days", "lower"),
    Metric("cwt_days_p85", "Customer wait time, 85th percentile", "days", "lower"),
    Metric("cwt_days_p95", "Customer wait time, 95th percentile", "days", "lower"),
    Metric("demands", "Demands", "count"),
    Metric("flight_hours", "Flight hours", "FH"),
    Metric("cost_usd", "Cost over the measured window", "$M", "lower"),
    Metric("cost_repair_usd", "Cost: repair", "$M", "lower"),
    Metric("cost_purchase_usd", "Cost: purchase", "$M", "lower"),
    Metric("cost_exchange_usd", "Cost: exchange", "$M", "lower"),
    Metric("cost_clssa_usd", "Cost: CLSSA", "$M", "lower"),
    Metric("cost_transport_usd", "Cost: transport", "$M", "lower"),
    Metric("cost_surcharge_usd", "Cost: FMS surcharge", "$M", "lower"),
    Metric("cost_fees_usd", "Cost: fees", "$M", "lower"),
    Metric("cost_other_usd", "Cost: other IPS elements", "$M", "lower"),
    Metric("cost_per_fh_usd", "O&S cost per flight hour", "$/FH", "lower"),
    # Issue 13: every alternative is asked to fly the same programme; what it could not fly
    # is reported, and its cost is also spread over the hours programmed (not only flown).
    Metric("flight_hours_shortfall", "Programmed flight hours not flown", "FH", "lower",
           "FH shortfall"),
    Metric("cost_per_programmed_fh_usd", "O&S cost per programmed flight hour", "$/FH",
           "lower", "Cost per programmed FH"),
    Metric("npv_cost_usd", "NPV cost", "$M", "lower"),
    # Readiness as the DoD defines it, each labelled as what it is.
    Metric("mc_rate", "Mission-capable rate (not NMCS, not NMCM)", "%", "higher", "MC rate"),
    Metric("fmc_rate", "Full-mission-capable rate (also not PMC)", "%", "higher",
           "FMC rate"),
    Metric("nmcm_aircraft_mean", "NMCM aircraft, mean", "aircraft", "lower"),
    Metric("materiel_availability", "Materiel availability (KPP)", "%", "higher",
           "Materiel availability"),
    Metric("mean_down_time_days", "Mean down time (NMCS episode)", "days", "lower",
           "Mean down time"),
    Metric("mfhbr_fh", "Mean flight hours between removals, observed", "FH", "higher",
           "Observed MFHBR", 1),
)

COST_CATEGORIES: tuple[str, ...] = (
    "cost_repair_usd", "cost_purchase_usd", "cost_exchange_usd", "cost_clssa_usd",
    "cost_transport_usd", "cost_surcharge_usd", "cost_fees_usd", "cost_other_usd",
)

# The headline columns of the comparison table, in reading order.
KEY_METRICS: tuple[str, ...] = (
    "availability", "nmcs_aircraft_mean", "fill_rate", "cwt_days_mean", "cwt_days_p95",
    "cost_usd", "npv_cost_usd", "cost_per_fh_usd", "flight_hours_shortfall",
    "cost_per_programmed_fh_usd",
)

KEY_COLUMNS = {"alternative", "replication", "customer", "nsn", "depot", "period_start_day",
               "point"}

_BY_COLUMN = {m.column: m for m in SUMMARY_METRICS}


def metric(column: str) -> Metric:
    """Metadata for a column; a column this version does not know gets a neutral entry."""
    known = _BY_COLUMN.get(column)
    if known is not None:
        return known
    unit = "$M" if column.endswith("_usd") else ("days" if "days" in column else "")
    return Metric(column, column.replace("_", " ").capitalize(), unit)


def fmt_value(column: str, value: float, digits: int | None = None, bare: bool = False) -> str:
    """A value in its display unit, e.g. 0.9071 -> '90.7 %', 1.5e7 -> '$15.00 M'; ``bare``:
    the number alone (for a table whose heading names the unit)."""
    m = metric(column)
    if math.isnan(value):
        return "–"
    v = value / m.scale
    d = _digits(m) if digits is None else digits
    if bare:
        return f"{v:,.{d}f}"
    if m.unit == "%":
        return f"{v:.{d}f} %"
    if m.unit == "$M":
        return f"${v:,.{d}f} M"
    if m.unit == "$/FH":
        return f"${v:,.{d}f}"
    return f"{v:,.{d}f}"


def fmt_half(column: str, half: float, digits: int | None = None) -> str:
    """A CI half-width in the metric's display unit (percentage points for %)."""
    m = metric(column)
    if math.isnan(half):
        return "–"
    d = _digits(m) if digits is None else digits
    return f"{half / m.scale:,.{d}f}"


def _digits(m: Metric) -> int:
    if m.digits is not None:
        return m.digits
    return {"%": 1, "$M": 2, "$/FH": 0, "days": 2, "aircraft": 2, "units": 2, "count": 0,
            "FH": 0}.get(m.unit, 3)
