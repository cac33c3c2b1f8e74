"""Rules every finished unit's tables obey, checked before the unit is written.

A sound model cannot break them; a broken one (or a scenario at the edge of what the model
handles) must not put an availability of 1.2, a NaN cost or a negative backlog into a business
case. Each rule names its table and column; a violation names the row by its keys. NaN is
allowed only where the contract gives it a meaning: a fill rate or wait with no demands, a
cost per flight hour with no flying, an ample depot's utilization, a mean over no repairs.
A depot's utilization may exceed 1 (see ``UTILIZATION``).

Costs are never negative, but two credits may make them so: ``cost_clssa_usd`` (at an FMSO I
termination the customer is credited its deposit back against the assets drawn down to its
shelf, and when little is left the credit exceeds the deposit charged in the measured window)
and ``cost_spares_usd`` (in-country spares bought at day 0, in the warm-up, are credited their
residual value at the horizon). So ``cost_usd``, the NPV, a period's cost and an NSN's cost may
be negative only for a customer with such charges in the unit, and ``cost_usd`` is never below
the sum of the negative credits. The scenario names more credit holders (``credits``, from
``runner.credit_holders``): a party to an ACSA agreement in force may be paid — cash or
equal-value settlement for what it provided, booked as a negative purchase — in any period;
a buyer of in-country spares is credited their residual value in the last period even when
the summary nets it to zero. For them purchase and total costs need only be finite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from sim.errors import InvariantViolation
from sim.results import KEYS, numbers

TOL = 1e-9
COST_CATEGORIES_NONNEG = ("cost_repair_usd", "cost_exchange_usd",
                          "cost_transport_usd", "cost_surcharge_usd", "cost_fees_usd")

UTILIZATION = "must be >= 0 (NaN only for an ample depot)"
"""Not capped at 1: a ``depot_lines`` event that cuts lines lets the repairs under way finish,
so busy lines exceed the lines there are for a while (utilization 1.07 in a month is real)."""

Cols = dict[str, np.ndarray]
Rule = tuple[str, str, Callable[[Cols, Any], np.ndarray]]   # column, rule text, ok-mask


def _finite(x: np.ndarray) -> np.ndarray:
    return np.isfinite(x)


def _fraction(x: np.ndarray) -> np.ndarray:
    return np.isfinite(x) & (x >= -TOL) & (x <= 1 + TOL)


def _nonneg(x: np.ndarray) -> np.ndarray:
    return np.isfinite(x) & (x >= -TOL * np.maximum(1.0, np.abs(x)))


def _nan_or(test: Callable[[np.ndarray], np.ndarray]) -> Callable[[Cols, Any], np.ndarray]:
    return lambda c, x: np.isnan(x) | test(x)


def _nan_when_no(count: str, test: Callable[[np.ndarray], np.ndarray]):
    return lambda c, x: (np.isnan(x) & (c[count] == 0)) | test(x)


def _cost(c: Cols, x: np.ndarray, clssa: np.ndarray) -> np.ndarray:
    return np.isfinite(x) & ((x >= -1e-6) | clssa)


def _rules() -> dict[str, list[Rule]]:
    fr = "must be a fraction in [0, 1]"
    nn = "must be finite and >= 0"
    nan_nn = "must be >= 0 (NaN only with no demands)"
    credit = ("must be finite and >= 0 unless the customer has a CLSSA, residual-value or "
              "ACSA credit")
    summary: list[Rule] = [
        ("availability", fr, lambda c, x: _fraction(x)),
        ("nmcs_aircraft_mean", nn, lambda c, x: _nonneg(x)),
        ("backorders_mean", nn, lambda c, x: _nonneg(x)),
        ("fill_rate", f"{fr} (NaN only with no demands)", _nan_when_no("demands", _fraction)),
        *[(m, nan_nn, _nan_when_no("demands", _nonneg))
          for m in ("cwt_days_mean", "cwt_days_p50", "cwt_days_p85", "cwt_days_p95")],
        ("cwt_days_p85", "percentiles must be ordered: p50 <= p85 <= p95",
         lambda c, x: ~np.isfinite(x) | ((c["cwt_days_p50"] <= x + 1e-9)
                                          & (x <= c["cwt_days_p95"] + 1e-9))),
        ("demands", "must be >= 0", lambda c, x: x >= 0),
        ("flight_hours", nn, lambda c, x: _nonneg(x)),
        *[(m, "must be finite and >= 0 (a cost)", lambda c, x: _nonneg(x))
          for m in COST_CATEGORIES_NONNEG],
        ("cost_purchase_usd", ("must be finite and >= 0 unless the customer is party to an "
                               "ACSA agreement (a provider is reimbursed)"),
         lambda c, x: _cost(c, x, c["_acsa"])),
        ("cost_clssa_usd", "must be finite", lambda c, x: _finite(x)),
        ("cost_spares_usd", "must be finite", lambda c, x: _finite(x)),
        ("cost_usd", ("must be finite and not below its credits (only a CLSSA credit or the "
                      "residual value of purchased spares can make a cost negative)"),
         lambda c, x: np.isfinite(x) & (c["_acsa"] | (
             x >= np.minimum(0.0, c["cost_clssa_usd"])
             + np.minimum(0.0, c.get("cost_spares_usd", 0.0)) - 1e-6))),
        ("cost_per_fh_usd", "must be finite (NaN only with no flight hours)",
         lambda c, x: (np.isnan(x) & (c["flight_hours"] == 0)) | np.isfinite(x)),
        ("npv_cost_usd", credit,
         lambda c, x: _cost(c, x, c["_clssa"])),
    ]
    items: list[Rule] = [
        ("demands", "must be >= 0", lambda c, x: x >= 0),
        ("fill_rate", f"{fr} (NaN only with no demands)", _nan_when_no("demands", _fraction)),
        ("backorders_mean", nn, lambda c, x: _nonneg(x)),
        ("pipeline_mean", nn, lambda c, x: _nonneg(x)),
        ("cwt_days_mean", nan_nn, _nan_when_no("demands", _nonneg)),
        ("condemnations", "must be >= 0", lambda c, x: x >= 0),
        ("no_source", "must be >= 0", lambda c, x: x >= 0),
        ("cost_usd", credit,
         lambda c, x: _cost(c, x, c["_clssa"])),
    ]
    depots: list[Rule] = [
        ("inductions", "must be >= 0", lambda c, x: x >= 0),
        *[(m, "must be >= 0 (NaN only with none to average)", _nan_or(_nonneg))
          for m in ("turnaround_days_mean", "queue_days_mean", "awaiting_parts_days_mean")],
        ("backlog_mean", nn, lambda c, x: _nonneg(x)),
        ("utilization", UTILIZATION, _nan_or(_nonneg)),
        ("awaiting_parts", "must be >= 0", lambda c, x: x >= 0),
    ]
    timeseries: list[Rule] = [
        ("availability", fr, lambda c, x: _fraction(x)),
        ("backorders_mean", nn, lambda c, x: _nonneg(x)),
        ("flight_hours", nn, lambda c, x: _nonneg(x)),
        ("cost_usd", credit,
         lambda c, x: _cost(c, x, c["_clssa"])),
    ]
    depot_timeseries: list[Rule] = [
        ("backlog_mean", nn, lambda c, x: _nonneg(x)),
        ("utilization", UTILIZATION, _nan_or(_nonneg)),
    ]
    events: list[Rule] = [("day", nn, lambda c, x: _nonneg(x))]
    return {"summary": summary, "items": items, "depots": depots, "timeseries": timeseries,
            "depot_timeseries": depot_timeseries, "events": events}


RULES = _rules()


def check_unit(tables: dict[str, pa.Table], unit: str = "",
               credits: set[str] | frozenset[str] = frozenset()) -> None:
    """Raise InvariantViolation naming the first broken rule: table, row (by its keys) and
    rule. ``tables``: one finished unit's tables (rows of a sweep unit carry ``point``);
    ``credits``: customers the scenario lets receive money (``runner.credit_holders``)."""
    clssa: set[Any] = set(credits)
    summary = tables.get("summary")
    if summary is not None and summary.num_rows:
        names = summary.column("customer").to_pylist()
        for column in ("cost_clssa_usd", "cost_spares_usd"):
            if column in summary.column_names:
                credit = numbers(summary.column(column))
                clssa |= {n for n, v in zip(names, credit, strict=True) if v != 0}
    for table, data in tables.items():
        rules = RULES.get(table)
        if rules is None or data.num_rows == 0:
            continue
        cols: Cols = {}
        for name in data.column_names:
            col = data.column(name)
            if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
                cols[name] = numbers(col)
        if "customer" in data.column_names:
            names = data.column("customer").to_pylist()
            cols["_clssa"] = np.array([n in clssa for n in names], dtype=bool)
            cols["_acsa"] = np.array([n in credits for n in names], dtype=bool)
        else:
            cols["_clssa"] = np.zeros(data.num_rows, dtype=bool)
            cols["_acsa"] = np.zeros(data.num_rows, dtype=bool)
        for name in data.column_names:
            if name not in cols or name in KEYS.get(table, ()):
                continue
            if name.startswith("_") or any(name == r[0] for r in rules):
                continue
            if name == "point" or "[" in name or "." in name:   # a sweep's parameter values
                bad = ~np.isfinite(cols[name])
                if bad.any():
                    _fail(table, data, int(np.argmax(bad)), name, "must be finite", unit)
        for column, rule, ok in rules:
            if column not in cols:
                continue
            with np.errstate(invalid="ignore"):
                bad = ~ok(cols, cols[column])
            if bad.any():
                _fail(table, data, int(np.argmax(bad)), column, rule, unit)


def _fail(table: str, data: pa.Table, row: int, column: str, rule: str, unit: str) -> None:
    keys = [k for k in ("point", *KEYS[table]) if k in data.column_names]
    where = ", ".join(f"{k} {data.column(k)[row].as_py()!r}" for k in keys)
    value = data.column(column)[row].as_py()
    raise InvariantViolation(
        f"invariant broken in {table}.parquet, row ({where}): {column} = {value!r} {rule}"
        + (f" (unit {unit}; it was not written)" if unit else ""))


def check_conservation(violations: list[str], alternative: str, replication: int) -> None:
    """``RunResult.conservation``: units of stock conserved per customer and NSN."""
    if violations:
        shown = "; ".join(violations[:3]) + (f"; and {len(violations) - 3} more"
                                             if len(violations) > 3 else "")
        raise InvariantViolation(
            f"invariant broken in alternative {alternative!r}, replication {replication}: "
            f"units not conserved: {shown}")
