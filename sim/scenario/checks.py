"""Rules that relate one part of the scenario file to another.

They run on the raw mapping loaded from YAML, tolerating parts that failed field validation,
so that ``sustain validate`` lists every problem in one pass instead of one per edit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from sim.scenario.money import fiscal_years_of

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
        self.out_at_zero: dict[str, bool] = {}
        self._us_depots: dict[str, list[dict]] = {}
        self.legs: set[frozenset[str]] = set()
        for _, leg in _entries(data, "transport"):
            between = leg.get("between")
            if isinstance(between, list) and len(between) == 2:
                self.legs.add(frozenset(str(c) for c in between))

    def has_leg(self, a: str, b: str) -> bool:
        return a == b or frozenset((a, b)) in self.legs

    def leg_problem(self, place: str, a: str, b: str, why: str) -> list[tuple[str, str]]:
        """The problem, if any, of a unit having to travel between ``a`` and ``b``."""
        if self.has_leg(a, b):
            return []
        return [(place, f"no transport leg between {a!r} and {b!r} ({why})")]

    def system_nsns(self, customer: dict) -> list[str]:
        fleet = customer.get("fleet")
        system = self.systems.get(str(fleet.get("system"))) if isinstance(fleet, dict) else None
        return _keys(system.get("parts")) if system else []

    def us_depots_for(self, nsn: str) -> list[dict]:
        """The US depots that repair ``nsn`` (asked per alternative, customer and NSN:
        remembered, as a sweep validates the file once a point)."""
        found = self._us_depots.get(nsn)
        if found is None:
            found = self._us_depots[nsn] = [
                d for d in self.depots.values()
                if d.get("country") == US and d.get("kind") in US_DEPOT_KINDS
                and _repairs(d, nsn)]
        return found


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
    problems += _initial_support(ctx)
    problems += _eda(ctx)
    problems += _cost_elements(ctx)
    problems += _escalation(data)
    problems += _partnerships(ctx)
    problems += _acsa(ctx)
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


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(
        value)


def _horizon(data: dict) -> list[tuple[str, str]]:
    """(The period count needs no rule: a horizon of at most a century in periods of at
    least a day is at most 36,525 rows per unit.)"""
    h, w = data.get("horizon_days"), data.get("warmup_days", 0)
    if _number(h) and _number(w) and w >= h:
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
        out += _bases(ctx, i, cust)
        out += _program(i, cust)
    return out


def _program(i: int, cust: dict) -> list[tuple[str, str]]:
    """A flying cap belongs to a fleet program and must allow the programmed rate."""
    cap = cust.get("max_fh_per_aircraft_month")
    if cap is None:
        return []
    place = f"customers[{i}].max_fh_per_aircraft_month"
    if cust.get("flying_program", "per_aircraft") != "fleet":
        return [(place, "applies only with flying_program: fleet")]
    fleet = cust.get("fleet")
    rates = [fleet.get("fh_per_aircraft_month")] if isinstance(fleet, dict) else []
    rates += [b.get("fh_per_aircraft_month") for _, b in _entries(cust, "bases")]
    low = [r for r in rates if _number(r) and _number(cap) and cap < r]
    if low:
        return [(place, (f"{cap} is below the programmed {max(low)} flight hours per aircraft "
                         "per month: the program could not be flown even with every aircraft "
                         "up"))]
    return []


def _bases(ctx: _Context, i: int, cust: dict) -> list[tuple[str, str]]:
    """A customer's bases share its fleet out exactly and have distinct names."""
    bases = [b for _, b in _entries(cust, "bases")]
    place = f"customers[{i}]"
    out = []
    if not bases:
        if cust.get("lateral") is not None:
            out.append((f"{place}.lateral", "lateral resupply needs bases (at least two)"))
        return out
    fleet = cust.get("fleet")
    total = fleet.get("aircraft") if isinstance(fleet, dict) else None
    counts = [b.get("aircraft") for b in bases]
    if isinstance(total, int) and all(isinstance(n, int) for n in counts) and sum(counts) != total:
        out.append((f"{place}.bases", (f"the bases' aircraft add up to {sum(counts)}, not the "
                                       f"fleet's {total}")))
    seen = Counter(str(b.get("name")) for b in bases)
    for j, base in _entries(cust, "bases"):
        name = str(base.get("name"))
        if seen[name] > 1:
            out.append((f"{place}.bases[{j}].name", f"duplicate base name {name!r}"))
        if name == str(cust.get("country")):
            out.append((f"{place}.bases[{j}].name", (f"a base may not be named like its "
                                                      f"country {name!r} (the central store "
                                                      "is there)")))
        stock = base.get("initial_stock")
        if isinstance(stock, dict):
            for nsn in _keys(stock.get("quantities")):
                if nsn not in ctx.nsns:
                    out.append((f"{place}.bases[{j}].initial_stock.quantities.{nsn}",
                                f"unknown NSN {nsn!r} (not in items)"))
    if cust.get("lateral") is not None and len(bases) < 2:
        out.append((f"{place}.lateral", "lateral resupply needs at least two bases"))
    return out


def _wholesale_path(ctx: _Context, place: str, cust: dict, nsns: list[str]) -> list[tuple[str, str]]:
    """A customer supplied from US wholesale needs a US depot per NSN and a leg to the US."""
    out = []
    country = str(cust.get("country"))
    out += ctx.leg_problem(place, country, US, "wholesale issues and carcasses travel it")
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
        for cname, cust in ctx.customers.items():
            if cust.get("kind") == "fms" and cname not in support:
                out.append((f"alternatives[{i}].support",
                            f"no support choice for FMS customer {cname!r}"))
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
            out += _stock_overrides(ctx, place, cust, choice)
            out += _software(place, choice)
    return out


def _software(place: str, choice: Any) -> list[tuple[str, str]]:
    """Software support is the customer's, per alternative: stated on its choice, with the
    day its configuration diverges when national."""
    if not isinstance(choice, dict):
        return []
    out = []
    national = choice.get("software_support") == "national"
    if national and choice.get("divergence_days") is None:
        out.append((f"{place}.software_support",
                    ("national software support needs divergence_days (the day the "
                     "customer's configuration departs from the US baseline)")))
    if not national and choice.get("divergence_days") is not None:
        out.append((f"{place}.divergence_days",
                    "applies only with software_support: national"))
    nested = [(f"{place}.items.{n}", sub) for n, sub in choice["items"].items()] if isinstance(
        choice.get("items"), dict) else []
    fallback = choice.get("fallback")
    while isinstance(fallback, dict):
        nested.append((f"{place}.fallback", fallback))
        fallback = fallback.get("fallback")
    for where, sub in nested:
        if not isinstance(sub, dict):
            continue
        stated = {"software_support": sub.get("software_support", "us_baseline") != "us_baseline",
                  "divergence_days": sub.get("divergence_days") is not None}
        for key, said in stated.items():
            if said:
                out.append((f"{where}.{key}", ("software support is chosen once per "
                                                "customer and alternative, on its support "
                                                "choice")))
    return out


def _stock_overrides(ctx: _Context, place: str, cust: dict, choice: Any) -> list[tuple[str, str]]:
    """An alternative's own stock for a customer names its NSNs and bases correctly."""
    if not isinstance(choice, dict):
        return []
    out = []
    stock = choice.get("initial_stock")
    if isinstance(stock, dict):
        for nsn in _keys(stock.get("quantities")):
            if nsn not in ctx.nsns:
                out.append((f"{place}.initial_stock.quantities.{nsn}",
                            f"unknown NSN {nsn!r} (not in items)"))
    bases = {str(b.get("name")) for _, b in _entries(cust, "bases")}
    base_stock = choice.get("base_stock")
    if isinstance(base_stock, dict):
        for name, spec in base_stock.items():
            if str(name) not in bases:
                out.append((f"{place}.base_stock.{name}",
                            f"unknown base {name!r} of {cust.get('name')!r}"))
            elif isinstance(spec, dict):
                for nsn in _keys(spec.get("quantities")):
                    if nsn not in ctx.nsns:
                        out.append((f"{place}.base_stock.{name}.quantities.{nsn}",
                                    f"unknown NSN {nsn!r} (not in items)"))
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
            out += ctx.leg_problem(f"{place}.depot", country, dcountry, "the depot's country")
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
    # Condemned repair-and-return units (any depot) are replaced by an FMS buy from the US.
    condemnable = any(_rate(ctx.items.get(n)) > 0 for n in own_nsns)
    needs_us_leg = option in WHOLESALE_OPTIONS or (
        option in ("repair_and_return", "national_depot", "third_country") and condemnable)
    if needs_us_leg:
        out += ctx.leg_problem(place, country, US, "wholesale issues travel it")
    if option in WHOLESALE_OPTIONS:
        for nsn in own_nsns:
            if nsn in ctx.nsns and not ctx.us_depots_for(nsn):
                out.append((place, f"no organic or contractor depot in {US!r} repairs NSN {nsn!r}"))
    out += _eligibility(ctx, place, cust, option, depot_name, own_nsns)
    out += _partnership_choice(ctx, place, cust, choice, own_nsns)
    fallback = choice.get("fallback")
    if isinstance(fallback, dict):
        out += _choice(ctx, f"{place}.fallback", cust, fallback, own_nsns)
    elif isinstance(fallback, str):
        out += _choice(ctx, f"{place}.fallback", cust, {"option": fallback}, own_nsns)
    return out


INELIGIBLE_FOR_CLSSA = ("commercial", "munition", "major_end_item")
APPROVALS = ("third_party_transfer_approved", "security_assistance_relationship",
             "prime_contractor_approved")


def _out_at_day_zero(ctx: _Context, nsn: str) -> bool:
    """Is the item non-standard from the start (it, a system holding it, or an event at 0)?"""
    if nsn not in ctx.out_at_zero:  # asked once per (customer, option, NSN): remember
        ctx.out_at_zero[nsn] = _leaves_at_zero(ctx, nsn)
    return ctx.out_at_zero[nsn]


def _leaves_at_zero(ctx: _Context, nsn: str) -> bool:
    item = ctx.items.get(nsn, {})
    if item.get("leaves_dod_inventory_day") == 0:
        return True
    systems = [name for name, sysm in ctx.systems.items() if nsn in _keys(sysm.get("parts"))]
    if any(ctx.systems[name].get("leaves_dod_inventory_day") == 0 for name in systems):
        return True
    for _, ev in _entries(ctx.data, "events"):
        if ev.get("event") == "leave_dod_inventory" and ev.get("day") == 0 and (
                ev.get("nsn") == nsn or ev.get("system") in systems):
            return True
    return False


def _eligibility(ctx: _Context, place: str, cust: dict, option: Any, depot_name: Any,
                 nsns: list[str]) -> list[tuple[str, str]]:
    """The rules of each support option that decide whether the choice may be made at all."""
    out = []
    fmfp = cust.get("funding") == "fmfp"
    waivers = cust.get("waivers") if isinstance(cust.get("waivers"), list) else []
    if option in ("clssa", "direct_exchange"):
        for nsn in nsns:
            item = ctx.items.get(nsn, {})
            if option == "clssa" and item.get("category") in INELIGIBLE_FOR_CLSSA:
                out.append((f"{place}.option", (f"NSN {nsn!r} is a {item.get('category')} item; "
                            "CLSSA does not support commercial, munition or major end items")))
            if _out_at_day_zero(ctx, nsn):
                out.append((f"{place}.option", (f"NSN {nsn!r} is out of the DoD inventory at day "
                            f"0; {option} needs a standard item")))
    if option in ("pros", "snap"):
        services = ctx.data.get("buying_services")
        if not isinstance(services, dict) or not isinstance(services.get(option), dict):
            out.append((f"{place}.option", (f"{option} needs buying_services.{option} (lead "
                        "time, price factor, fee rate, no-source probability)")))
    if option == "third_country" and depot_name in ctx.depots:
        depot = ctx.depots[depot_name]
        if depot.get("kind") != "third_country":
            out.append((f"{place}.depot", f"depot {depot_name!r} is not of kind 'third_country'"))
        for approval in APPROVALS:
            if depot.get(approval) is not True:
                out.append((f"{place}.depot", (f"third-country depot {depot_name!r} lacks "
                            f"{approval}")))
        if fmfp and "dsca_waiver" not in waivers:
            out.append((place, (f"{cust.get('name')!r} is FMFP-funded and holds no dsca_waiver "
                        "for third-country repair")))
    if option == "dcs":
        if fmfp and "dcs_waiver" not in waivers:
            out.append((place, (f"{cust.get('name')!r} is FMFP-funded and holds no dcs_waiver "
                        "for Direct Commercial Sales")))
        country = str(cust.get("country"))
        out += ctx.leg_problem(place, country, US, "DCS repairs are done in the US")
    if option in ("pros", "snap"):
        country = str(cust.get("country"))
        out += ctx.leg_problem(place, country, US, f"{option} buys ship from the US")
    return out


def _initial_support(ctx: _Context) -> list[tuple[str, str]]:
    out = []
    option = ctx.data.get("initial_support", "direct_exchange")
    if option not in ("direct_exchange", "clssa", "pros", "snap", "dcs"):
        out.append(("initial_support", (f"{option!r} needs a depot; initial support must be "
                    "direct_exchange, clssa, pros, snap or dcs")))
        return out
    for i, cust in _entries(ctx.data, "customers"):
        if cust.get("initial_support_days") and cust.get("kind") == "fms":
            place = f"customers[{i}].initial_support_days"
            nsns = ctx.system_nsns(cust)
            out += [(place, f"initial support ({option}): {msg}")
                    for _, msg in _choice(ctx, place, cust, {"option": option}, nsns)]
    return out


def _eda(ctx: _Context) -> list[tuple[str, str]]:
    out = []
    eda = ctx.data.get("eda")
    if not isinstance(eda, dict):
        return out
    for i, purchase in _entries(eda, "purchases"):
        cust = ctx.customers.get(str(purchase.get("customer")))
        if cust is None:
            out.append((f"eda.purchases[{i}].customer",
                        f"unknown customer {purchase.get('customer')!r}"))
            continue
        nsns = ctx.system_nsns(cust)
        for nsn in _keys(purchase.get("part_yield")):
            if nsn not in nsns:
                out.append((f"eda.purchases[{i}].part_yield.{nsn}",
                            (f"NSN {nsn!r} is not in the parts list of {cust.get('name')!r}'s "
                            "system")))
    return out


def _cost_elements(ctx: _Context) -> list[tuple[str, str]]:
    """Cost elements name known customers and alternatives and fall inside the run."""
    out = []
    alternatives = {str(a.get("name")) for _, a in _entries(ctx.data, "alternatives")}
    horizon = ctx.data.get("horizon_days")
    for i, el in _entries(ctx.data, "cost_elements"):
        place = f"cost_elements[{i}]"
        for key, known, what in (("customers", ctx.customers, "customer"),
                                 ("alternatives", alternatives, "alternative")):
            names = el.get(key)
            if isinstance(names, list):
                for j, name in enumerate(names):
                    if str(name) not in known:
                        out.append((f"{place}.{key}[{j}]", f"unknown {what} {name!r}"))
        once, rec = el.get("one_time"), el.get("recurring")
        if isinstance(once, dict) and _number(horizon) and _number(once.get("day")) \
                and once["day"] >= horizon:
            out.append((f"{place}.one_time.day",
                        f"must be before horizon_days ({horizon}), got {once['day']}"))
        if isinstance(rec, dict):
            start, end = rec.get("start_day", 0), rec.get("end_day")
            if _number(start) and _number(end) and end <= start:
                out.append((f"{place}.recurring.end_day", "must be after start_day"))
            if _number(start) and _number(horizon) and start >= horizon:
                out.append((f"{place}.recurring.start_day",
                            f"must be before horizon_days ({horizon}), got {start}"))
    return out


def _escalation(data: dict) -> list[tuple[str, str]]:
    """A table of escalation indices names the base year and covers every fiscal year."""
    esc = data.get("escalation")
    if not isinstance(esc, dict) or not isinstance(esc.get("indices"), dict):
        return []
    base = data.get("base_year")
    if not isinstance(base, int) or isinstance(base, bool):
        return [("base_year", ("an escalation table needs base_year (the constant-dollar "
                               "year, whose index is 1)"))]
    horizon, start = data.get("horizon_days"), data.get("fiscal_year_start_day", 0)
    if not (_number(horizon) and _number(start)) or horizon <= 0:
        return []
    have = {k for k in esc["indices"] if isinstance(k, int)}
    missing = [fy for fy in fiscal_years_of(horizon, base, start) if fy not in have]
    if missing:
        return [("escalation.indices", "no index for fiscal year(s) " + ", ".join(
            map(str, missing)) + " of the run")]
    return []


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


# -- cooperative logistics: partnerships and ACSA (issue 10) ---------------------------------
PARTNERSHIP_DEPOT_KINDS = ("contractor", "third_country")
ACSA_EXCLUDED = ("major_end_item",)   # 10 U.S.C. 2350(1): not "logistic support"


def _walk_choices(choice: Any) -> Iterator[dict]:
    """A choice, its item overrides and its fallbacks, depth first."""
    if not isinstance(choice, dict):
        return
    yield choice
    items = choice.get("items")
    if isinstance(items, dict):
        for sub in items.values():
            yield from _walk_choices(sub)
    fallback = choice.get("fallback")
    if isinstance(fallback, dict):
        yield from _walk_choices(fallback)


def _joining(ctx: _Context, name: str) -> set[str]:
    """Customers that some alternative puts in partnership ``name``."""
    out = set()
    for _, alt in _entries(ctx.data, "alternatives"):
        support = alt.get("support")
        if isinstance(support, dict):
            for cname, choice in support.items():
                if any(c.get("option") == "partnership" and c.get("partnership") == name
                       for c in _walk_choices(choice)):
                    out.add(str(cname))
    return out


def _pooled_nsns(ctx: _Context, spec: dict) -> set[str]:
    items = spec.get("items", "all")
    if isinstance(items, list):
        return {str(n) for n in items}
    out: set[str] = set()
    for member in spec.get("members") or []:
        cust = ctx.customers.get(str(member))
        if cust is not None:
            out.update(ctx.system_nsns(cust))
    return out


def _partnership_choice(ctx: _Context, place: str, cust: dict, choice: dict,
                        nsns: list[str]) -> list[tuple[str, str]]:
    """A customer's choice of a partnership: it names one it is a member of, which pools
    every NSN the choice covers; its depot is the partnership's."""
    name = choice.get("partnership")
    option = choice.get("option")
    if option != "partnership":
        if name is not None:
            return [(f"{place}.partnership", "applies only with option: partnership")]
        return []
    if name is None:
        return [(f"{place}.partnership", "option partnership needs the partnership's name")]
    spec = next((p for _, p in _entries(ctx.data, "partnerships") if p.get("name") == name),
                None)
    if spec is None:
        return [(f"{place}.partnership", f"unknown partnership {name!r} (not in partnerships)")]
    out = []
    cname = cust.get("name")
    members = spec.get("members") if isinstance(spec.get("members"), list) else []
    if cname not in members:
        out.append((f"{place}.partnership", f"{cname!r} is not a member of {name!r}"))
    if choice.get("depot") is not None:
        out.append((f"{place}.depot", (f"a partnership repairs at its own depot "
                                       f"({spec.get('depot')!r}); leave depot out")))
    pooled = _pooled_nsns(ctx, spec)
    for nsn in nsns:
        if nsn not in pooled:
            out.append((place, (f"NSN {nsn!r} is not pooled by {name!r}: give it an items "
                        "override with another option")))
    depot = ctx.depots.get(str(spec.get("depot")))
    waivers = cust.get("waivers") if isinstance(cust.get("waivers"), list) else []
    if isinstance(depot, dict) and depot.get("kind") == "third_country" and \
            cust.get("funding") == "fmfp" and "dsca_waiver" not in waivers:
        out.append((place, (f"{cname!r} is FMFP-funded and holds no dsca_waiver for repair at "
                    f"third-country depot {spec.get('depot')!r} of partnership {name!r}")))
    return out


def _partnerships(ctx: _Context) -> list[tuple[str, str]]:
    out = []
    names = Counter(str(p.get("name")) for _, p in _entries(ctx.data, "partnerships"))
    for i, spec in _entries(ctx.data, "partnerships"):
        place = f"partnerships[{i}]"
        name = str(spec.get("name"))
        if names[name] > 1:
            out.append((f"{place}.name", f"duplicate partnership name {name!r}"))
        if name in ctx.customers:
            out.append((f"{place}.name",
                        f"a partnership may not be named like customer {name!r}"))
        members = spec.get("members") if isinstance(spec.get("members"), list) else []
        seen = Counter(str(m) for m in members)
        for j, member in enumerate(members):
            cust = ctx.customers.get(str(member))
            if cust is None:
                out.append((f"{place}.members[{j}]", f"unknown customer {member!r}"))
            elif cust.get("kind") != "fms":
                out.append((f"{place}.members[{j}]", (f"{member!r} is a US unit; partnership "
                            "members are FMS nations")))
            if seen[str(member)] > 1:
                out.append((f"{place}.members[{j}]", f"{member!r} is listed twice"))
        pooled = _pooled_nsns(ctx, spec)
        items = spec.get("items")
        if isinstance(items, list):
            member_nsns = {n for m in members if str(m) in ctx.customers
                           for n in ctx.system_nsns(ctx.customers[str(m)])}
            for j, nsn in enumerate(items):
                if nsn not in ctx.nsns:
                    out.append((f"{place}.items[{j}]", f"unknown NSN {nsn!r} (not in items)"))
                elif nsn not in member_nsns:
                    out.append((f"{place}.items[{j}]",
                                f"NSN {nsn!r} is in no member's parts list"))
        stock = spec.get("initial_stock")
        if isinstance(stock, dict):
            for nsn in _keys(stock.get("quantities")):
                if nsn not in pooled:
                    out.append((f"{place}.initial_stock.quantities.{nsn}",
                                f"NSN {nsn!r} is not pooled by {name!r}"))
        sharing = spec.get("cost_sharing")
        if isinstance(sharing, dict) and isinstance(sharing.get("shares"), dict):
            shares = sharing["shares"]
            for m in shares:
                if m not in members:
                    out.append((f"{place}.cost_sharing.shares.{m}",
                                f"{m!r} is not a member of {name!r}"))
            for m in members:
                if m not in shares:
                    out.append((f"{place}.cost_sharing.shares",
                                f"no share for member {m!r}"))
            values = [v for v in shares.values() if _number(v)]
            if len(values) == len(shares) and abs(sum(values) - 1.0) > 1e-9:
                out.append((f"{place}.cost_sharing.shares",
                            f"shares must add up to 1, got {sum(values):g}"))
        out += _partnership_depot(ctx, place, spec, pooled)
    return out


def _partnership_depot(ctx: _Context, place: str, spec: dict,
                       pooled: set[str]) -> list[tuple[str, str]]:
    """The depot exists, is a contractor (third-country rules apply to a third-country one)
    and repairs the pooled NSNs; every leg a joining member's units travel exists."""
    out = []
    name = str(spec.get("name"))
    depot_name = spec.get("depot")
    depot = ctx.depots.get(str(depot_name))
    if depot is None:
        if depot_name is not None:
            out.append((f"{place}.depot", f"unknown depot {depot_name!r}"))
        return out
    if depot.get("kind") not in PARTNERSHIP_DEPOT_KINDS:
        out.append((f"{place}.depot", (f"depot {depot_name!r} is of kind {depot.get('kind')!r}; "
                    "a partnership's repair contractor is of kind contractor or "
                    "third_country")))
    if depot.get("kind") == "third_country":
        for approval in APPROVALS:
            if depot.get(approval) is not True:
                out.append((f"{place}.depot", (f"third-country depot {depot_name!r} lacks "
                            f"{approval}")))
    for nsn in sorted(pooled):
        if nsn in ctx.nsns and not _repairs(depot, nsn):
            out.append((f"{place}.depot", f"depot {depot_name!r} does not repair NSN {nsn!r}"))
    joining = _joining(ctx, name)
    if not joining:
        return out
    store = str(spec.get("store_country"))
    dcountry = str(depot.get("country"))
    out += ctx.leg_problem(f"{place}.store_country", dcountry, store,
                           "repaired units travel from the depot to the store")
    if any(_rate(ctx.items.get(n)) > 0 for n in pooled):
        out += ctx.leg_problem(f"{place}.store_country", US, store,
                               "the agency's buys for condemned units travel it")
    for member in sorted(joining):
        cust = ctx.customers.get(member)
        if cust is None:
            continue
        country = str(cust.get("country"))
        out += ctx.leg_problem(place, country, dcountry,
                               f"{member}'s carcasses travel to the depot")
        out += ctx.leg_problem(place, store, country, f"issues from the store to {member}")
    return out


def _acsa(ctx: _Context) -> list[tuple[str, str]]:
    out = []
    alternatives = {str(a.get("name")) for _, a in _entries(ctx.data, "alternatives")}
    horizon = ctx.data.get("horizon_days")
    for i, spec in _entries(ctx.data, "acsa"):
        place = f"acsa[{i}]"
        between = spec.get("between")
        sides: list[dict] = []
        if isinstance(between, list) and len(between) == 2:
            if between[0] == between[1]:
                out.append((f"{place}.between", "needs two different customers"))
            for j, name in enumerate(between):
                cust = ctx.customers.get(str(name))
                if cust is None:
                    out.append((f"{place}.between[{j}]", f"unknown customer {name!r}"))
                    continue
                sides.append(cust)
                if any(True for _ in _entries(cust, "bases")):
                    out.append((f"{place}.between[{j}]", (f"{name!r} has bases; ACSA draws on "
                                "a customer's single stock point (not modelled with bases)")))
            if len(sides) == 2 and all(c.get("kind") == "us" for c in sides):
                out.append((f"{place}.between", ("two US units: an ACSA is between US "
                                                 "forces and another nation")))
        common: set[str] = set()
        if len(sides) == 2:
            common = set(ctx.system_nsns(sides[0])) & set(ctx.system_nsns(sides[1]))
            if not common:
                out.append((f"{place}.between", "the two sides' systems share no NSN"))
            if spec.get("reimbursement") in ("cash", "equal_value_exchange"):
                for cust in sides:
                    out += ctx.leg_problem(place, str(cust.get("country")), US, (
                        f"{cust.get('name')} replaces a unit it provides by a buy from "
                        "wholesale"))
        for nsn in _keys(spec.get("reserve")):
            if nsn not in ctx.nsns:
                out.append((f"{place}.reserve.{nsn}", f"unknown NSN {nsn!r} (not in items)"))
            elif common and nsn not in common:
                out.append((f"{place}.reserve.{nsn}",
                            f"NSN {nsn!r} is not on both sides' systems"))
        windows = [w for _, w in _entries(spec, "windows")]
        for j, w in _entries(spec, "windows"):
            s, e = w.get("start_day"), w.get("end_day")
            if _number(s) and _number(e) and e <= s:
                out.append((f"{place}.windows[{j}].end_day", "must be after start_day"))
            if _number(s) and _number(horizon) and s >= horizon:
                out.append((f"{place}.windows[{j}].start_day",
                            f"must be before horizon_days ({horizon}), got {s}"))
        spans = sorted((w["start_day"], w["end_day"], j) for j, w in enumerate(windows)
                       if _number(w.get("start_day")) and _number(w.get("end_day")))
        for (_, e0, _), (s1, _, j1) in pairwise(spans):
            if s1 < e0:
                out.append((f"{place}.windows[{j1}]", "overlaps another window"))
        alts = spec.get("alternatives")
        if isinstance(alts, list):
            for j, name in enumerate(alts):
                if str(name) not in alternatives:
                    out.append((f"{place}.alternatives[{j}]", f"unknown alternative {name!r}"))
    return out
