"""Rules that relate one part of the scenario file to another.

They run on the raw mapping loaded from YAML, tolerating parts that failed field validation,
so that ``sustain validate`` lists every problem in one pass instead of one per edit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

US = "US"
# Support options whose replacement comes from DoD wholesale stock in the US.
WHOLESALE_OPTIONS = {"direct_exchange", "clssa"}
US_DEPOT_KINDS = {"organic", "contractor"}


def _entries(data: Any, key: str) -> Iterator[tuple[int, dict]]:
    seq = data.get(key) if isinstance(data, dict) else None
    if isinstance(seq, list):
        for i, entry in enumerate(seq):
            if isinstance(entry, dict):
                yield i, entry


def _keys(mapping: Any) -> list[str]:
    return [str(k) for k in mapping] if isinstance(mapping, dict) else []


class _Context:
    """Indexes of the raw file's named things, for lookups by the checks."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.nsns = {str(e.get("nsn")) for _, e in _entries(data, "items")}
        self.items = {str(e.get("nsn")): e for _, e in _entries(data, "items")}
        self.systems = {str(e.get("name")): e for _, e in _entries(data, "systems")}
        self.depots = {str(e.get("name")): e for _, e in _entries(data, "depots")}
        self.customers = {str(e.get("name")): e for _, e in _entries(data, "customers")}
        self.legs: set[frozenset[str]] = set()
        for _, leg in _entries(data, "transport"):
            between = leg.get("between")
            if isinstance(between, list) and len(between) == 2:
                self.legs.add(frozenset(str(c) for c in between))

    def has_leg(self, a: str, b: str) -> bool:
        return a == b or frozenset((a, b)) in self.legs

    def system_nsns(self, customer: dict) -> list[str]:
        fleet = customer.get("fleet")
        system = self.systems.get(str(fleet.get("system"))) if isinstance(fleet, dict) else None
        return _keys(system.get("parts")) if system else []

    def us_depots_for(self, nsn: str) -> list[dict]:
        return [
            d for d in self.depots.values()
            if d.get("country") == US and d.get("kind") in US_DEPOT_KINDS and _repairs(d, nsn)
        ]


def _rate(item: dict | None) -> float:
    rate = item.get("condemnation_rate", 0) if isinstance(item, dict) else 0
    return rate if isinstance(rate, (int, float)) else 0


def _repairs(depot: dict, nsn: str) -> bool:
    repairs = depot.get("repairs", "all")
    return repairs == "all" or (isinstance(repairs, list) and nsn in repairs)


def cross_reference_problems(data: Any) -> list[tuple[str, str]]:
    """Every cross-reference problem as (place in the file, message)."""
    if not isinstance(data, dict):
        return []
    ctx = _Context(data)
    problems: list[tuple[str, str]] = []
    problems += _duplicates(data)
    problems += _horizon(data)
    problems += _nsn_tables(ctx)
    problems += _customers(ctx)
    problems += _alternatives(ctx)
    problems += _events(ctx)
    return problems


def _duplicates(data: dict) -> list[tuple[str, str]]:
    out = []
    for key, field in (("items", "nsn"), ("systems", "name"), ("depots", "name"),
                       ("customers", "name"), ("alternatives", "name")):
        seen = Counter(e.get(field) for _, e in _entries(data, key))
        for i, entry in _entries(data, key):
            value = entry.get(field)
            if value is not None and seen[value] > 1:
                out.append((f"{key}[{i}].{field}", f"duplicate {field} {value!r}"))
    return out


def _horizon(data: dict) -> list[tuple[str, str]]:
    h, w = data.get("horizon_days"), data.get("warmup_days", 0)
    if isinstance(h, (int, float)) and isinstance(w, (int, float)) and w >= h:
        return [("warmup_days", f"must be less than horizon_days ({h}), got {w}")]
    return []


def _nsn_tables(ctx: _Context) -> list[tuple[str, str]]:
    out = []
    for i, system in _entries(ctx.data, "systems"):
        for nsn in _keys(system.get("parts")):
            if nsn not in ctx.nsns:
                out.append((f"systems[{i}].parts.{nsn}", f"unknown NSN {nsn!r} (not in items)"))
    wholesale = ctx.data.get("wholesale")
    if isinstance(wholesale, dict):
        for table in ("stock", "protection_level"):
            for nsn in _keys(wholesale.get(table)):
                if nsn not in ctx.nsns:
                    out.append((f"wholesale.{table}.{nsn}", f"unknown NSN {nsn!r} (not in items)"))
    for i, depot in _entries(ctx.data, "depots"):
        repairs = depot.get("repairs")
        if isinstance(repairs, list):
            for j, nsn in enumerate(repairs):
                if nsn not in ctx.nsns:
                    out.append((f"depots[{i}].repairs[{j}]", f"unknown NSN {nsn!r} (not in items)"))
    return out


def _customers(ctx: _Context) -> list[tuple[str, str]]:
    out = []
    for i, cust in _entries(ctx.data, "customers"):
        fleet = cust.get("fleet")
        if isinstance(fleet, dict) and "system" in fleet and str(fleet["system"]) not in ctx.systems:
            out.append((f"customers[{i}].fleet.system", f"unknown system {fleet['system']!r}"))
        stock = cust.get("initial_stock")
        if isinstance(stock, dict):
            for nsn in _keys(stock.get("quantities")):
                if nsn not in ctx.nsns:
                    out.append((f"customers[{i}].initial_stock.quantities.{nsn}",
                                f"unknown NSN {nsn!r} (not in items)"))
        if cust.get("kind") == "us":
            out += _wholesale_path(ctx, f"customers[{i}]", cust, ctx.system_nsns(cust))
    return out


def _wholesale_path(ctx: _Context, place: str, cust: dict, nsns: list[str]) -> list[tuple[str, str]]:
    """A customer supplied from US wholesale needs a US depot per NSN and a leg to the US."""
    out = []
    country = str(cust.get("country"))
    if not ctx.has_leg(country, US):
        out.append((place, (f"no transport leg between {country!r} and {US!r} "
                            "(wholesale issues and carcasses travel it)")))
    for nsn in nsns:
        if nsn in ctx.nsns and not ctx.us_depots_for(nsn):
            out.append((place, f"no organic or contractor depot in {US!r} repairs NSN {nsn!r}"))
    return out


def _alternatives(ctx: _Context) -> list[tuple[str, str]]:
    out = []
    for i, alt in _entries(ctx.data, "alternatives"):
        support = alt.get("support")
        if not isinstance(support, dict):
            continue
        for cname, choice in support.items():
            place = f"alternatives[{i}].support.{cname}"
            cust = ctx.customers.get(str(cname))
            if cust is None:
                out.append((place, f"unknown customer {cname!r}"))
                continue
            if cust.get("kind") == "us":
                out.append((place, (f"{cname!r} is a US unit; its support is wholesale, "
                                    "not an alternative's choice")))
                continue
            out += _choice(ctx, place, cust, choice, ctx.system_nsns(cust))
    return out


def _choice(ctx: _Context, place: str, cust: dict, choice: Any,
            nsns: list[str]) -> list[tuple[str, str]]:
    if not isinstance(choice, dict):
        return []
    out = []
    option = choice.get("option")
    country = str(cust.get("country"))
    overrides = choice.get("items") if isinstance(choice.get("items"), dict) else {}
    own_nsns = [n for n in nsns if n not in overrides]
    for nsn, sub in overrides.items():
        if nsn not in ctx.nsns:
            out.append((f"{place}.items.{nsn}", f"unknown NSN {nsn!r} (not in items)"))
        elif nsn not in nsns:
            out.append((f"{place}.items.{nsn}",
                        f"NSN {nsn!r} is not in the parts list of {cust.get('name')!r}'s system"))
        else:
            out += _choice(ctx, f"{place}.items.{nsn}", cust, sub, [nsn])
    depot_name = choice.get("depot")
    if depot_name is not None:
        depot = ctx.depots.get(str(depot_name))
        if depot is None:
            out.append((f"{place}.depot", f"unknown depot {depot_name!r}"))
        else:
            dcountry = str(depot.get("country"))
            if not ctx.has_leg(country, dcountry):
                out.append((f"{place}.depot", (f"no transport leg between {country!r} and "
                                               f"{dcountry!r} (the depot's country)")))
            for nsn in own_nsns:
                if not _repairs(depot, nsn):
                    out.append((f"{place}.depot", f"depot {depot_name!r} does not repair NSN {nsn!r}"))
    if option in ("repair_and_return", "third_country") and depot_name is None:
        out.append((f"{place}.depot", f"{option} needs a depot"))
    if option == "national_depot":
        if depot_name is None:
            out.append((f"{place}.depot", "national_depot needs a depot"))
        elif depot_name in ctx.depots and ctx.depots[depot_name].get("kind") != "national":
            out.append((f"{place}.depot", f"depot {depot_name!r} is not of kind 'national'"))
    # Condemned repair-and-return units are replaced by an FMS buy shipped from the US.
    condemnable = any(_rate(ctx.items.get(n)) > 0 for n in own_nsns)
    needs_us_leg = option in WHOLESALE_OPTIONS or (
        option in ("repair_and_return", "national_depot") and condemnable)
    if needs_us_leg and not ctx.has_leg(country, US):
        out.append((place, (f"no transport leg between {country!r} and {US!r} "
                            "(wholesale issues travel it)")))
    if option in WHOLESALE_OPTIONS:
        for nsn in own_nsns:
            if nsn in ctx.nsns and not ctx.us_depots_for(nsn):
                out.append((place, f"no organic or contractor depot in {US!r} repairs NSN {nsn!r}"))
    fallback = choice.get("fallback")
    if isinstance(fallback, dict):
        out += _choice(ctx, f"{place}.fallback", cust, fallback, own_nsns)
    elif isinstance(fallback, str):
        out += _choice(ctx, f"{place}.fallback", cust, {"option": fallback}, own_nsns)
    return out


def _events(ctx: _Context) -> list[tuple[str, str]]:
    out = []
    for i, ev in _entries(ctx.data, "events"):
        kind = ev.get("event")
        if kind == "leave_dod_inventory":
            if (ev.get("nsn") is None) == (ev.get("system") is None):
                out.append((f"events[{i}]", "name exactly one of nsn or system"))
            if ev.get("nsn") is not None and ev["nsn"] not in ctx.nsns:
                out.append((f"events[{i}].nsn", f"unknown NSN {ev['nsn']!r}"))
            if ev.get("system") is not None and ev["system"] not in ctx.systems:
                out.append((f"events[{i}].system", f"unknown system {ev['system']!r}"))
        elif kind == "tempo":
            if ev.get("customer") not in ctx.customers:
                out.append((f"events[{i}].customer", f"unknown customer {ev.get('customer')!r}"))
            s, e = ev.get("start_day"), ev.get("end_day")
            if isinstance(s, (int, float)) and isinstance(e, (int, float)) and s >= e:
                out.append((f"events[{i}].end_day", "must be after start_day"))
        elif kind == "depot_lines" and ev.get("depot") not in ctx.depots:
            out.append((f"events[{i}].depot", f"unknown depot {ev.get('depot')!r}"))
    return out
