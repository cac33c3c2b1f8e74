"""Dates worth marking on a time axis, read from the resolved scenario in the manifest.

The report marks them whether or not this version of the simulator acts on them, so that a
reader sees where the scenario says support changes (end of warm-up, end of a customer's
initial support, an item or system leaving the DoD inventory).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Marker:
    day: float
    label: str
    kind: str  # "warmup", "initial_support", "leave_dod_inventory", "tempo", "depot_lines"


def markers(scenario: dict[str, Any], customer: str | None = None) -> list[Marker]:
    """Markers for one customer's charts (or every customer's when ``customer`` is None),
    ordered by day; NSN exits on the same day are merged into one label."""
    out: list[Marker] = []
    warmup = float(scenario.get("warmup_days") or 0.0)
    if warmup > 0:
        out.append(Marker(warmup, "end of warm-up", "warmup"))
    customers = [c for c in scenario.get("customers") or []
                 if customer is None or c.get("name") == customer]
    for c in customers:
        if c.get("initial_support_days") is not None:
            who = "" if customer is not None else f" ({c.get('name')})"
            out.append(Marker(float(c["initial_support_days"]),
                              f"end of initial support{who}", "initial_support"))
    systems_used = {(c.get("fleet") or {}).get("system") for c in customers}
    parts_used: set[str] = set()
    for s in scenario.get("systems") or []:
        if s.get("name") in systems_used:
            parts_used.update((s.get("parts") or {}).keys())

    leave_sys: dict[float, list[str]] = {}
    leave_nsn: dict[float, list[str]] = {}
    for s in scenario.get("systems") or []:
        if s.get("leaves_dod_inventory_day") is not None and s.get("name") in systems_used:
            leave_sys.setdefault(float(s["leaves_dod_inventory_day"]), []).append(s["name"])
    for i in scenario.get("items") or []:
        if i.get("leaves_dod_inventory_day") is not None and i.get("nsn") in parts_used:
            leave_nsn.setdefault(float(i["leaves_dod_inventory_day"]), []).append(i["nsn"])
    for e in scenario.get("events") or []:
        if e.get("event") != "leave_dod_inventory" or e.get("day") is None:
            continue
        if e.get("system") and e["system"] in systems_used:
            leave_sys.setdefault(float(e["day"]), []).append(e["system"])
        if e.get("nsn") and e["nsn"] in parts_used:
            leave_nsn.setdefault(float(e["day"]), []).append(e["nsn"])
    for day, names in leave_sys.items():
        out.append(Marker(day, f"{', '.join(dict.fromkeys(names))} leaves DoD inventory",
                          "leave_dod_inventory"))
    for e in scenario.get("events") or []:
        if e.get("event") == "tempo" and (customer is None or e.get("customer") == customer):
            who = "" if customer is not None else f" ({e.get('customer')})"
            out.append(Marker(float(e["start_day"]),
                              f"tempo ×{float(e['factor']):g} starts{who}", "tempo"))
            out.append(Marker(float(e["end_day"]), f"tempo ends{who}", "tempo"))
        elif e.get("event") == "depot_lines" and e.get("day") is not None:
            out.append(Marker(float(e["day"]),
                              f"{e.get('depot')} to {e.get('repair_lines')} lines",
                              "depot_lines"))
    names = {i.get("nsn"): i.get("name") for i in scenario.get("items") or []}
    for day, nsns in leave_nsn.items():
        nsns = list(dict.fromkeys(nsns))
        what = (names.get(nsns[0]) or f"NSN {nsns[0]}") if len(nsns) == 1 else f"{len(nsns)} NSNs"
        out.append(Marker(day, f"{what} leave{'s' if len(nsns) == 1 else ''} DoD inventory",
                          "leave_dod_inventory"))
    return merge(sorted(out, key=lambda m: (m.day, m.kind)))


PRIORITY = ("leave_dod_inventory", "initial_support", "tempo", "depot_lines", "warmup")


def merge(marks: list[Marker], tolerance_days: float = 1e-6) -> list[Marker]:
    """One marker per day: events on the same day share a line and a number (two lines on
    top of each other hide one), their labels joined; the kind is the weightiest."""
    out: list[Marker] = []
    for m in marks:
        if out and abs(out[-1].day - m.day) <= tolerance_days:
            prev = out[-1]
            kinds = [prev.kind, m.kind]
            kind = min(kinds, key=lambda k: PRIORITY.index(k) if k in PRIORITY else 99)
            out[-1] = Marker(prev.day, f"{prev.label}; {m.label}", kind)
        else:
            out.append(m)
    return out
