"""Advisories: things a valid scenario says that an analyst may not have meant.

Not errors — the scenario runs — but printed by ``sustain validate`` so nothing surprising is
silent: movements within one country with no transport leg stated, which take no time and cost nothing ("no hidden delays": a delay the file does not
state is zero). US units' carcasses recycling instantly to a US depot, for example, understate
their competition with FMS customers for wholesale stock. And national software support that
changes nothing because the customer's system has no configuration-dependent item.
"""

from __future__ import annotations

from collections import defaultdict

from sim.scenario.models import Scenario, SupportChoice

US = "US"
REPAIR_OPTIONS = ("repair_and_return", "national_depot", "third_country")


def _chain(choice: SupportChoice | None):
    while choice is not None:
        yield choice
        for sub in choice.items.values():
            yield from _chain(sub)
        choice = choice.fallback if isinstance(choice.fallback, SupportChoice) else None


def _movements(scenario: Scenario, country: str, choice: SupportChoice | None,
               condemnable: bool) -> set[tuple[str, str, str]]:
    """(from, to, what) for each movement the choice makes a unit of this customer travel."""
    depots = {d.name: d for d in scenario.depots}
    out: set[tuple[str, str, str]] = set()
    if choice is None:                                   # a US unit: wholesale support
        out.add((country, US, "carcasses to a US depot"))
        out.add((US, country, "issues from wholesale"))
        return out
    option = choice.option
    if option in REPAIR_OPTIONS and choice.depot in depots:
        dc = depots[choice.depot].country
        out.add((country, dc, f"carcasses to {choice.depot} and back"))
        if condemnable:
            out.add((US, country, "replacement buys for condemned units"))
    elif option in ("direct_exchange", "clssa"):
        out.add((country, US, "carcasses to a US depot"))
        out.add((US, country, "issues from wholesale"))
    elif option in ("pros", "snap", "dcs"):
        out.add((country, US, f"{option} shipments"))
    elif option == "partnership":
        part = next((p for p in scenario.partnerships if p.name == choice.partnership), None)
        if part is not None and part.depot in depots:
            dc = depots[part.depot].country
            out.add((country, dc, f"carcasses to {part.depot} ({part.name})"))
            out.add((dc, part.store_country, f"repaired units to {part.name}'s store"))
            out.add((part.store_country, country, f"issues from {part.name}'s store"))
    return out


def implicit_zero_legs(scenario: Scenario) -> list[str]:
    """One line per country in which units move with no leg stated, naming who and what."""
    stated = {frozenset(leg.between) for leg in scenario.transport}
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    condemn = {it.nsn: it.condemnation_rate > 0 for it in scenario.items}
    for cust in scenario.customers:
        nsns = scenario.system(cust.fleet.system).parts
        condemnable = any(condemn[n] for n in nsns)
        if cust.kind == "us":
            choices: list[SupportChoice | None] = [None]
        else:
            choices = [c for alt in scenario.alternatives
                       for c in _chain(alt.support.get(cust.name))]
            if cust.initial_support_days:
                choices.append(SupportChoice(option=scenario.initial_support))
        for choice in choices:
            for src, dst, what in _movements(scenario, cust.country, choice, condemnable):
                if src == dst and frozenset((src,)) not in stated:
                    found[src][cust.name].add(what)
    lines = []
    for cust in scenario.customers:
        for base in cust.bases:
            if frozenset((base.name, cust.country)) not in stated:
                lines.append(
                    f"{cust.name}: base {base.name!r} has no transport leg to the central "
                    "store, so order-and-ship and NRTS carcasses take 0 days at no cost; "
                    f"state one with transport: [{{between: [{base.name}, {cust.country}], "
                    "days: ..., cost_usd: ...}] if they take time")
    for country, who in found.items():
        parts = "; ".join(f"{name}: {', '.join(sorted(whats))}" for name, whats in who.items())
        lines.append(
            f"movements within {country!r} have no transport leg and take 0 days at no cost "
            f"({parts}); state one with transport: [{{between: [{country}, {country}], "
            "days: ..., cost_usd: ...}] if they take time")
    return lines


def software_without_effect(scenario: Scenario) -> list[str]:
    """National software support where no item of the customer's system is
    configuration-dependent: its costs apply, its readiness effect cannot show."""
    dependent = {it.nsn for it in scenario.items if it.configuration_dependent}
    lines = []
    for alt in scenario.alternatives:
        for cust in scenario.customers:
            choice = alt.support.get(cust.name)
            if choice is not None and choice.software_support == "national" and not (
                    dependent & set(scenario.system(cust.fleet.system).parts)):
                lines.append(f"{alt.name}: {cust.name} takes national software support but no "
                             "item of its system is configuration_dependent: true, so its "
                             "configuration never diverges in the model")
    return lines


def acsa_without_us(scenario: Scenario) -> list[str]:
    """An ACSA between two FMS nations is not a US ACSA (10 U.S.C. 2341-2350 is between US
    forces and another nation): it runs as a bilateral agreement of the same form."""
    kinds = {c.name: c.kind for c in scenario.customers}
    return [f"acsa {a.label!r}: neither side is a US unit, so this is not a US ACSA; it is "
            "modelled as a bilateral agreement between the two nations of the same form"
            for a in scenario.acsa if all(kinds.get(n) == "fms" for n in a.between)]


def advisories(scenario: Scenario) -> list[str]:
    """Every advisory for a valid scenario."""
    return implicit_zero_legs(scenario) + software_without_effect(scenario) + acsa_without_us(
        scenario)
