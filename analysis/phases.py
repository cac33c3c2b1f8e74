"""Phases of the horizon: the stretches between timeline events, reported beside the whole.

An average over ten years hides the event a BCA is about — a nation on Direct Exchange at
95 % while the type is standard and 64 % after it leaves the DoD inventory averages 79 %. So
every timeline event that touches a customer (the end of its initial support period, its
system or one of its items leaving the DoD inventory, a tempo window, a depot's repair lines
changing) splits its measured window into phases, and the report shows each phase beside the
whole.

Phase figures come from the periodic table (``timeseries.parquet``): a period belongs to the
phase that holds its midpoint, periods that start before the end of warm-up are left out (as
the summary leaves them out), and a phase's availability and backorders are the means of its
periodic rows weighted by period length (all periods are equally long except perhaps the
last, so this is the plain mean of the rows); cost and flight hours are sums. Means and
confidence intervals are then taken over replications, as for every other figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from analysis import stats

EPS = 1e-9
LEVEL_COLUMNS = ("availability", "backorders_mean")  # time averages: length-weighted means
SUM_COLUMNS = ("cost_usd", "flight_hours")           # totals over the phase


@dataclass(frozen=True)
class Phase:
    name: str          # "TPA initial support", "Standard", "Non-standard", "Standard, tempo ×1.5"
    start_day: float   # clipped to the measured window
    end_day: float
    index: int = 0     # order within the customer's measured window, from 0

    @property
    def days(self) -> str:
        return f"days {self.start_day:,.0f}–{self.end_day:,.0f}"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.days})"


@dataclass(frozen=True)
class Boundary:
    day: float
    what: str  # "end of initial support", "F-16C leaves the DoD inventory", ...


def boundaries(scenario: dict[str, Any], customer: str) -> list[Boundary]:
    """Every timeline event that changes how ``customer`` is supported or flies, by day."""
    spec = next((c for c in scenario.get("customers") or [] if c.get("name") == customer), {})
    out: list[Boundary] = []
    if spec.get("initial_support_days") is not None:
        out.append(Boundary(float(spec["initial_support_days"]), "end of initial support"))
    for day, what in _exits(scenario, spec):
        out.append(Boundary(day, what))
    for e in scenario.get("events") or []:
        kind = e.get("event")
        if kind == "tempo" and e.get("customer") == customer:
            out.append(Boundary(float(e["start_day"]), f"tempo ×{float(e['factor']):g} starts"))
            out.append(Boundary(float(e["end_day"]), "tempo ends"))
        elif kind == "depot_lines" and e.get("day") is not None:
            out.append(Boundary(float(e["day"]),
                                f"{e.get('depot')} to {e.get('repair_lines')} repair lines"))
    return sorted(out, key=lambda b: b.day)


def _exits(scenario: dict[str, Any], spec: dict[str, Any]) -> list[tuple[float, str]]:
    """(day, text) for the customer's system and items leaving the DoD inventory."""
    system = (spec.get("fleet") or {}).get("system")
    parts: set[str] = set()
    for s in scenario.get("systems") or []:
        if s.get("name") == system:
            parts.update((s.get("parts") or {}).keys())
    days: dict[float, list[str]] = {}
    for s in scenario.get("systems") or []:
        if s.get("name") == system and s.get("leaves_dod_inventory_day") is not None:
            days.setdefault(float(s["leaves_dod_inventory_day"]), []).append(f"sys:{system}")
    for i in scenario.get("items") or []:
        if i.get("nsn") in parts and i.get("leaves_dod_inventory_day") is not None:
            days.setdefault(float(i["leaves_dod_inventory_day"]), []).append(f"nsn:{i['nsn']}")
    for e in scenario.get("events") or []:
        if e.get("event") != "leave_dod_inventory" or e.get("day") is None:
            continue
        if e.get("system") and e["system"] == system:
            days.setdefault(float(e["day"]), []).append(f"sys:{system}")
        if e.get("nsn") and e["nsn"] in parts:
            days.setdefault(float(e["day"]), []).append(f"nsn:{e['nsn']}")
    out = []
    for day, keys in sorted(days.items()):
        keys = list(dict.fromkeys(keys))
        if any(k.startswith("sys:") for k in keys):
            out.append((day, f"{system} leaves the DoD inventory"))
        else:
            n = len(keys)
            verb = "leaves" if n == 1 else "leave"
            out.append((day, f"{n} NSN{'s' if n != 1 else ''} {verb} the DoD inventory"))
    return out


def _state_name(scenario: dict[str, Any], spec: dict[str, Any], t: float) -> str:
    """What support looks like for the customer at day ``t``, in words."""
    system = (spec.get("fleet") or {}).get("system")
    parts: set[str] = set()
    for s in scenario.get("systems") or []:
        if s.get("name") == system:
            parts.update((s.get("parts") or {}).keys())
    system_out = False
    nsns_out: set[str] = set()
    for s in scenario.get("systems") or []:
        d = s.get("leaves_dod_inventory_day")
        if s.get("name") == system and d is not None and float(d) <= t:
            system_out = True
    for i in scenario.get("items") or []:
        d = i.get("leaves_dod_inventory_day")
        if i.get("nsn") in parts and d is not None and float(d) <= t:
            nsns_out.add(i["nsn"])
    for e in scenario.get("events") or []:
        if e.get("event") == "leave_dod_inventory" and e.get("day") is not None \
                and float(e["day"]) <= t:
            if e.get("system") == system and system:
                system_out = True
            if e.get("nsn") in parts:
                nsns_out.add(e["nsn"])
    if system_out or (parts and nsns_out >= parts):
        support = "Non-standard"
    elif nsns_out:
        support = f"Partly non-standard ({len(nsns_out)} NSN{'s' if len(nsns_out) != 1 else ''})"
    else:
        support = "Standard"
    isd = spec.get("initial_support_days")
    if isd is not None and t < float(isd):
        name = "TPA initial support" + ("" if support == "Standard" else f", {support.lower()}")
    else:
        name = support
    for e in scenario.get("events") or []:
        if e.get("event") == "tempo" and e.get("customer") == spec.get("name") \
                and float(e["start_day"]) <= t < float(e["end_day"]):
            name += f", tempo ×{float(e['factor']):g}"
    lines: dict[str, Any] = {}
    for e in sorted((e for e in scenario.get("events") or []
                     if e.get("event") == "depot_lines" and e.get("day") is not None),
                    key=lambda e: float(e["day"])):
        if float(e["day"]) <= t:
            lines[str(e.get("depot"))] = e.get("repair_lines")
    for depot, n in lines.items():
        name += f", {depot} {n} lines"
    return name


def phases(scenario: dict[str, Any], customer: str, warmup_days: float,
           horizon_days: float) -> list[Phase]:
    """The customer's measured window split at every timeline event; neighbours with the
    same name are merged, so an event that changes nothing for the customer adds no phase."""
    spec = next((c for c in scenario.get("customers") or [] if c.get("name") == customer),
                {"name": customer})
    cuts = sorted({b.day for b in boundaries(scenario, customer)
                   if warmup_days + EPS < b.day < horizon_days - EPS})
    edges = [warmup_days, *cuts, horizon_days]
    out: list[Phase] = []
    for a, b in pairwise(edges):
        if b - a <= EPS:
            continue
        name = _state_name(scenario, spec, (a + b) / 2)
        if out and out[-1].name == name:
            out[-1] = Phase(name, out[-1].start_day, b, out[-1].index)
        else:
            out.append(Phase(name, a, b, len(out)))
    return out


def period_lengths(starts: np.ndarray, horizon_days: float) -> dict[float, float]:
    """Each distinct period start and its length (to the next start, the last to the horizon)."""
    days = np.unique(starts)
    ends = np.r_[days[1:], horizon_days]
    return dict(zip(days.tolist(), (ends - days).tolist(), strict=True))


def phase_index(starts: np.ndarray, lengths: np.ndarray, plan: list[Phase],
                warmup_days: float) -> np.ndarray:
    """Which phase each period belongs to (by its midpoint); -1 in warm-up or outside."""
    mid = starts + lengths / 2
    out = np.full(starts.shape, -1, dtype=int)
    for p in plan:
        out[(mid >= p.start_day - EPS) & (mid < p.end_day - EPS)] = p.index
    out[starts < warmup_days - EPS] = -1
    return out


def replication_rows(timeseries: pd.DataFrame, scenario: dict[str, Any],
                     customers: list[str], warmup_days: float,
                     horizon_days: float) -> pd.DataFrame:
    """Per (alternative, replication, customer, phase): ``phase`` (name), ``phase_index``,
    ``start_day``, ``end_day``, ``days`` covered by its periods, the length-weighted mean of
    each level column and the sum of each total column."""
    cols = ["alternative", "replication", "customer", "phase_index", "phase", "start_day",
            "end_day", "days"]
    if timeseries.empty:
        return pd.DataFrame(columns=cols)
    frames = []
    lengths = period_lengths(timeseries["period_start_day"].to_numpy(dtype=float),
                             horizon_days)
    levels = [c for c in LEVEL_COLUMNS if c in timeseries.columns]
    sums = [c for c in SUM_COLUMNS if c in timeseries.columns]
    for customer in customers:
        plan = phases(scenario, customer, warmup_days, horizon_days)
        ts = timeseries[timeseries["customer"] == customer]
        if ts.empty or not plan:
            continue
        start = ts["period_start_day"].to_numpy(dtype=float)
        length = np.array([lengths[s] for s in start])
        idx = phase_index(start, length, plan, warmup_days)
        keep = idx >= 0
        f = pd.DataFrame({"alternative": ts["alternative"].to_numpy()[keep],
                          "replication": ts["replication"].to_numpy()[keep],
                          "customer": customer, "phase_index": idx[keep],
                          "days": length[keep]})
        for c in levels:
            f[c] = ts[c].to_numpy(dtype=float)[keep] * length[keep]
        for c in sums:
            f[c] = ts[c].to_numpy(dtype=float)[keep]
        g = f.groupby(["alternative", "replication", "customer", "phase_index"],
                      sort=False, as_index=False)[["days", *levels, *sums]].sum()
        for c in levels:
            g[c] = g[c] / g["days"]
        g["phase"] = g["phase_index"].map({p.index: p.name for p in plan})
        g["start_day"] = g["phase_index"].map({p.index: p.start_day for p in plan})
        g["end_day"] = g["phase_index"].map({p.index: p.end_day for p in plan})
        frames.append(g)
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    return out[cols + [c for c in out.columns if c not in cols]]


def phase_table(rows: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per (alternative, customer, phase): mean and ``_ci`` half-width over replications."""
    keys = ["alternative", "customer", "phase_index", "phase", "start_day", "end_day"]
    values = [c for c in (*LEVEL_COLUMNS, *SUM_COLUMNS) if c in rows.columns]
    if rows.empty:
        return pd.DataFrame(columns=keys + ["n"] + [x for c in values for x in (c, f"{c}_ci")])
    return stats.ci_table(rows, keys, values, level)


def paired_phase(rows: pd.DataFrame, customer: str, a: str, b: str, column: str,
                 phase_index: int, level: float = 0.95) -> tuple[float, float]:
    """Mean and CI half-width of ``a`` minus ``b`` in one phase, paired by replication."""
    r = rows[(rows["customer"] == customer) & (rows["phase_index"] == phase_index)]
    x = r[r["alternative"] == a].set_index("replication")[column]
    y = r[r["alternative"] == b].set_index("replication")[column]
    joined = pd.concat([x.rename("x"), y.rename("y")], axis=1).dropna()
    if joined.empty:
        return math.nan, math.nan
    return stats.mean_ci(joined["x"] - joined["y"], level)


def change_between(rows: pd.DataFrame, customer: str, alternative: str, column: str,
                   before: int, after: int, level: float = 0.95) -> tuple[float, float]:
    """Mean and CI half-width of phase ``after`` minus phase ``before`` for one alternative,
    paired within each replication (the same run before and after the event)."""
    r = rows[(rows["customer"] == customer) & (rows["alternative"] == alternative)]
    x = r[r["phase_index"] == after].set_index("replication")[column]
    y = r[r["phase_index"] == before].set_index("replication")[column]
    joined = pd.concat([x.rename("x"), y.rename("y")], axis=1).dropna()
    if joined.empty:
        return math.nan, math.nan
    return stats.mean_ci(joined["x"] - joined["y"], level)
