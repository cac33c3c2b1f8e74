"""Sweep expansion: the scenario's ``sweep`` block turned into validated points.

A parameter is a dotted path into the scenario's mapping (``customers[Nation A].fleet
.fh_per_aircraft_month``, ``items[NSN].mtbr_fh``, ``wholesale.stock[NSN]``,
``alternatives[CLSSA].support[Nation A].fmso1.months_of_demand``): ``field`` steps into a
mapping, ``[key]`` picks a list entry by its ``name`` or ``nsn`` (or a mapping's key), ``[*]``
picks them all. Each point is the scenario with its parameters applied, validated exactly as
``sustain validate`` validates a file, so a bad path or a point that makes the scenario invalid
is refused before anything runs. Integer fields (repair lines, stock, aircraft) are rounded.

Points keep the scenario's seed: every point sees the same replication streams (common random
numbers across points as across alternatives).
"""

from __future__ import annotations

import difflib
import inspect
import itertools
import math
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from sim.scenario.load import Problem, ScenarioError, validate_mapping
from sim.scenario.models import Scenario, SweepRange, SweepScale

ID_KEYS = ("name", "nsn")
"""The fields that name a list entry in a path's brackets."""
MAX_PROBLEMS = 25


@dataclass(frozen=True)
class Step:
    """One step of a path: a mapping field, or a bracketed key (``*``: every entry)."""

    kind: str  # "field" | "key"
    name: str


@dataclass(frozen=True)
class Parameter:
    """One swept parameter: its path, its form and the values the method draws from."""

    path: str
    steps: tuple[Step, ...]
    scale: bool  # the scale form: the value is a factor on every matched value
    integer: bool  # the matched field holds whole numbers: applied values are rounded
    values: tuple[float, ...] | None  # a list of values (or factors)
    low: float | None
    high: float | None
    base: float  # the value in the scenario as written (1.0 for a scale)

    @property
    def bounds(self) -> tuple[float, float]:
        """Lowest and highest value this parameter takes."""
        if self.values is not None:
            return min(self.values), max(self.values)
        assert self.low is not None and self.high is not None
        return self.low, self.high


@dataclass(frozen=True)
class Point:
    """One point of a sweep: parameter values (factors for the scale form) and the scenario."""

    index: int
    values: dict[str, float]
    scenario: Scenario


@dataclass(frozen=True)
class SweepPlan:
    """Every point of the scenario's sweep, validated."""

    scenario: Scenario  # as written, with its sweep block
    method: str
    parameters: list[Parameter]
    points: list[Point]

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.parameters]


class PathError(Exception):
    """A path that does not lead to a value of the scenario."""


# -- paths -----------------------------------------------------------------------------------

def parse_path(path: str) -> tuple[Step, ...]:
    """``a.b[k].c`` -> field a, field b, key k, field c (dots inside brackets are kept)."""
    steps: list[Step] = []
    buf, i = "", 0
    while i < len(path):
        ch = path[i]
        if ch == "[":
            if buf:
                steps.append(Step("field", buf))
                buf = ""
            end = path.find("]", i)
            if end < 0:
                raise PathError("unclosed '['")
            key = path[i + 1:end].strip()
            if not key:
                raise PathError("empty '[]'")
            steps.append(Step("key", key))
            i = end + 1
            if i < len(path) and path[i] not in ".[":
                raise PathError(f"expected '.' or '[' after ']' at {path[:i + 1]!r}")
            if i < len(path) and path[i] == ".":
                i += 1
            continue
        if ch == "]":
            raise PathError("unmatched ']'")
        if ch == ".":
            if not buf:
                raise PathError(f"empty field name at {path[:i + 1]!r}")
            steps.append(Step("field", buf))
            buf = ""
        else:
            buf += ch
        i += 1
    if buf:
        steps.append(Step("field", buf))
    if not steps or steps[0].kind != "field":
        raise PathError("must start with a field name, e.g. items[NSN].mtbr_fh")
    if path.endswith("."):
        raise PathError("ends with '.'")
    return tuple(steps)


def _where(steps: tuple[Step, ...], upto: int) -> str:
    out = ""
    for s in steps[:upto]:
        out += f"[{s.name}]" if s.kind == "key" else (f".{s.name}" if out else s.name)
    return out


def _entry_name(entry: Any) -> str | None:
    if isinstance(entry, dict):
        for k in ID_KEYS:
            if k in entry:
                return str(entry[k])
    return None


def slots(data: Any, steps: tuple[Step, ...], create: bool) -> list[tuple[Any, Any]]:
    """Every (container, key) the path leads to. ``create``: the last field or mapping key
    may be missing (it is set); otherwise every step must exist."""
    nodes: list[Any] = [data]
    for n, step in enumerate(steps):
        last = n == len(steps) - 1
        here = _where(steps, n) or "the scenario"
        out: list[tuple[Any, Any]] = []
        for node in nodes:
            if step.kind == "field":
                if not isinstance(node, dict):
                    raise PathError(f"{here} is not a mapping, so it has no field {step.name!r}")
                if step.name not in node and not (last and create):
                    known = ", ".join(sorted(map(str, node))) or "none"
                    guess = difflib.get_close_matches(step.name, list(map(str, node)), n=1,
                                                      cutoff=0.75)
                    raise PathError(f"{here} has no field {step.name!r}"
                                    + (f" — did you mean {guess[0]!r}?" if guess else "")
                                    + f" (fields: {known})")
                out.append((node, step.name))
            elif isinstance(node, list):
                if step.name == "*":
                    out += [(node, i) for i in range(len(node))]
                    continue
                hits = [i for i, e in enumerate(node) if _entry_name(e) == step.name]
                if not hits and step.name.isdigit() and int(step.name) < len(node):
                    hits = [int(step.name)]
                if not hits:
                    names = [x for x in (_entry_name(e) for e in node) if x is not None]
                    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
                    guess = difflib.get_close_matches(step.name, names, n=1, cutoff=0.75)
                    raise PathError(f"{here} has no entry named {step.name!r}"
                                    + (f" — did you mean {guess[0]!r}?" if guess else "")
                                    + (f" (entries: {shown})" if names else ""))
                out += [(node, i) for i in hits]
            elif isinstance(node, dict):
                if step.name == "*":
                    out += [(node, k) for k in node]
                elif step.name in node or (last and create):
                    out.append((node, step.name))
                else:
                    shown = ", ".join(list(map(str, node))[:8]) or "none"
                    raise PathError(f"{here} has no key {step.name!r} (keys: {shown})")
            else:
                raise PathError(f"{here} is not a list or mapping, so [{step.name}] picks "
                                "nothing")
        if not out:
            raise PathError(f"{_where(steps, n + 1)} matches nothing")
        if last:
            return out
        nodes = []
        for container, key in out:
            child = container[key]
            if child is None:
                raise PathError(f"{_where(steps, n + 1)} is not set in the scenario")
            nodes.append(child)
    return []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


# -- integer fields --------------------------------------------------------------------------

@cache
def _schema() -> dict:
    return Scenario.model_json_schema()


def _leaf_types(node: dict, steps: tuple[Step, ...], defs: dict) -> set[str]:
    """JSON Schema types a path ends on (every union member that has the path)."""
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    members = node.get("anyOf") or node.get("oneOf")
    if members:
        return set().union(*(_leaf_types(m, steps, defs) for m in members))
    if not steps:
        t = node.get("type")
        return {t} if isinstance(t, str) else set(t or [])
    step, rest = steps[0], steps[1:]
    if step.kind == "field":
        sub = (node.get("properties") or {}).get(step.name)
        return _leaf_types(sub, rest, defs) if sub is not None else set()
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        return _leaf_types(node["items"], rest, defs)
    if isinstance(node.get("additionalProperties"), dict):
        return _leaf_types(node["additionalProperties"], rest, defs)
    return set()


def integer_field(steps: tuple[Step, ...]) -> bool:
    """Whether the path ends on a whole-number field (lines, stock, aircraft...)."""
    schema = _schema()
    types = _leaf_types(schema, steps, schema.get("$defs", {}))
    return "integer" in types and "number" not in types


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


# -- parameters and points -------------------------------------------------------------------

def _parameter(path: str, spec: Any, data: dict) -> Parameter:
    steps = parse_path(path)
    scale = isinstance(spec, SweepScale)
    inner = spec.scale if scale else spec
    values = tuple(float(v) for v in inner) if isinstance(inner, list) else None
    low = inner.low if isinstance(inner, SweepRange) else None
    high = inner.high if isinstance(inner, SweepRange) else None
    found = slots(data, steps, create=not scale)
    current = [_number(_current(c, k)) for c, k in found]
    if scale:
        if any(v is None for v in current):
            raise PathError("the scale form needs a number at every value it matches")
        base = 1.0
    else:
        nums = set(current)
        base = nums.pop() if len(nums) == 1 and None not in nums else math.nan
    return Parameter(path=path, steps=steps, scale=scale, integer=integer_field(steps),
                     values=values, low=low, high=high, base=base)


def _current(container: Any, key: Any) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    return container[key]


def apply(data: dict, param: Parameter, value: float) -> None:
    """Set (or scale) every value the parameter's path matches, in place."""
    for container, key in slots(data, param.steps, create=not param.scale):
        if param.scale:
            new: float = float(_current(container, key)) * value
        else:
            new = value
        container[key] = round_half_up(new) if param.integer else new


def _unaliased(obj: Any) -> Any:
    """A deep copy in which no two places share one object (YAML anchors share them)."""
    if isinstance(obj, dict):
        return {k: _unaliased(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unaliased(v) for v in obj]
    return obj


def _lhs(n: int, lows: list[float], highs: list[float], seed: int) -> np.ndarray:
    """``n`` Latin hypercube points scaled to [low, high], seeded from the scenario seed."""
    from scipy.stats import qmc

    d = len(lows)
    kw = {"rng": np.random.default_rng(seed)} if "rng" in inspect.signature(
        qmc.LatinHypercube).parameters else {"seed": seed}
    unit = qmc.LatinHypercube(d=d, **kw).random(n)
    return qmc.scale(unit, lows, highs)


def point_values(method: str, params: list[Parameter], samples: int | None,
                 seed: int) -> list[dict[str, float]]:
    """The parameter values at each point, in point order; a whole-number field's values as
    they are applied (rounded), so the tables record what was run."""
    whole = {p.path for p in params if p.integer and not p.scale}
    return [{k: float(round_half_up(v)) if k in whole else float(v) for k, v in point.items()}
            for point in _raw_values(method, params, samples, seed)]


def _raw_values(method: str, params: list[Parameter], samples: int | None,
                seed: int) -> list[dict[str, float]]:
    if method == "grid":
        axes = [p.values if p.values is not None else (p.low, p.high) for p in params]
        return [dict(zip([p.path for p in params], combo, strict=True))
                for combo in itertools.product(*axes)]
    if method == "latin_hypercube":
        assert samples is not None
        lows = [p.bounds[0] for p in params]
        highs = [p.bounds[1] for p in params]
        table = _lhs(samples, lows, highs, seed)
        return [{p.path: float(v) for p, v in zip(params, row, strict=True)} for row in table]
    base = {p.path: p.base for p in params}
    out = [dict(base)]
    for p in params:
        lo, hi = p.bounds
        out += [{**base, p.path: lo}, {**base, p.path: hi}]
    return out


@dataclass(frozen=True)
class Prepared:
    """A sweep's parameters checked and its points' values drawn, before any point is
    validated (``expand`` validates them all; ``validated`` one at a time)."""

    scenario: Scenario
    source: str
    method: str
    parameters: list[Parameter]
    data: dict                      # the scenario as written, as a mapping, sweep block out
    values: list[dict[str, float]]  # each point's values, in point order

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.parameters]

    def plan(self, points: list[Point]) -> SweepPlan:
        return SweepPlan(scenario=self.scenario, method=self.method,
                         parameters=self.parameters, points=points)


def prepare(scenario: Scenario, source: str = "<scenario>") -> Prepared:
    """The sweep's parameters, each path checked (ScenarioError names every bad one), and
    every point's values."""
    sweep = scenario.sweep
    if sweep is None:
        raise ScenarioError(source, [Problem("sweep", "the scenario has no sweep block")])
    data = _unaliased(scenario.model_dump(mode="json"))
    data.pop("sweep", None)
    problems: list[Problem] = []
    params: list[Parameter] = []
    for path, spec in sweep.parameters.items():
        try:
            params.append(_parameter(path, spec, data))
        except PathError as exc:
            problems.append(Problem(f"sweep.parameters[{path}]", str(exc)))
    if problems:
        raise ScenarioError(source, problems)
    if sweep.hold_stock:
        held_stock(scenario, data, params)
    if sweep.method == "one_at_a_time":
        for p in params:
            if math.isnan(p.base):
                problems.append(Problem(
                    f"sweep.parameters[{p.path}]",
                    "a one-at-a-time sweep needs the value as written for its base point, and "
                    "this path matches no single value (use the scale form for a group)"))
        if problems:
            raise ScenarioError(source, problems)
    return Prepared(scenario, source, sweep.method, params, data,
                    point_values(sweep.method, params, sweep.samples, scenario.seed))


def validated(prep: Prepared) -> Iterator[Point]:
    """Each point as a validated scenario, in point order, as soon as it is checked (a screen
    answers the first points while the rest are checked). A point that is not valid is not
    yielded; once every point has been checked, ScenarioError names each bad one — so a
    caller writes nothing until this iterator is exhausted."""
    problems: list[Problem] = []
    params = prep.parameters
    written = pickle.dumps(prep.data, protocol=pickle.HIGHEST_PROTOCOL)  # a fresh copy a point
    for index, values in enumerate(prep.values):
        mapping = pickle.loads(written)
        for p in params:
            apply(mapping, p, values[p.path])
        try:
            point = Point(index, values, validate_mapping(mapping, prep.source))
        except ScenarioError as exc:
            shown = ", ".join(f"{k} = {v:g}" for k, v in values.items())
            moved = _moved(params, values)
            for prob in exc.problems:
                problems.append(Problem(
                    f"sweep point {index} ({shown})",
                    f"{prob}{moved}"))
        else:
            if not problems:
                yield point
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem("sweep", "more points not checked (too many problems)"))
            break
    if problems:
        raise ScenarioError(prep.source, problems)


def expand(scenario: Scenario, source: str = "<scenario>") -> SweepPlan:
    """Every point of the scenario's sweep, each validated; ScenarioError names every bad
    parameter or point (and nothing has been run or written)."""
    prep = prepare(scenario, source)
    return prep.plan(list(validated(prep)))


def held_stock(scenario: Scenario, data: dict, params: list[Parameter]) -> None:
    """The sweep's ``hold_stock``: in ``data`` (the scenario as written, as a mapping), every
    in-country stock stated in months of demand becomes the units those months give at the
    demand as written, so a point that moves MTBRs, QPAs, fleet sizes or flying hours keeps
    the shelves the nation bought. Left in months: a stock a swept parameter names (the
    analyst sweeps it), FMSO I levels (CLSSA levels follow demand) and a partnership's pooled
    store (its members, so its demand, differ by alternative)."""
    from sim.scenario.stocking import base_fh, base_units, stock_units

    swept = {id(container) for p in params
             for container, _ in slots(data, p.steps, create=not p.scale)}
    mtbr = {it.nsn: it.mtbr_fh for it in scenario.items}

    def hold(raw: Any, units: dict[str, int]) -> None:
        if isinstance(raw, dict) and "months_of_demand" in raw and id(raw) not in swept:
            raw.clear()
            raw["quantities"] = units

    customers = {}
    for c, raw in zip(scenario.customers, data["customers"], strict=True):
        parts = scenario.system(c.fleet.system).parts
        customers[c.name] = (c, parts)
        hold(raw.get("initial_stock"), stock_units(
            c.initial_stock, c.fleet.aircraft, c.fleet.fh_per_aircraft_month, parts, mtbr))
        for base, raw_base in zip(c.bases, raw.get("bases") or [], strict=True):
            hold(raw_base.get("initial_stock"), base_units(c, base, parts, mtbr))
    for alt, raw_alt in zip(scenario.alternatives, data["alternatives"], strict=True):
        for name, choice in alt.support.items():
            c, parts = customers[name]
            raw = raw_alt["support"][name]
            if choice.initial_stock is not None:
                hold(raw.get("initial_stock"), stock_units(
                    choice.initial_stock, c.fleet.aircraft, c.fleet.fh_per_aircraft_month,
                    parts, mtbr))
            bases = {b.name: b for b in c.bases}
            for base_name, spec in choice.base_stock.items():
                base = bases[base_name]
                hold(raw["base_stock"][base_name], stock_units(
                    spec, base.aircraft, base_fh(c, base), parts, mtbr))


def _moved(params: list[Parameter], values: dict[str, float]) -> str:
    """Which parameters this point moves from the scenario as written."""
    off = [p.path for p in params if p.base != values[p.path]]
    if not off:
        return ""
    return f" — parameter{'s' if len(off) > 1 else ''} {', '.join(off)}"


def resized_stock(plan: SweepPlan) -> list[str]:
    """One line per customer whose in-country stock, stated in months of demand, the sweep
    resizes (a swept MTBR, QPA, fleet size or flying rate changes the demand the months are
    of). Each point is the whole scenario with its values written in, so such a point's result
    includes restocking: a tornado bar for "MTBRs 10 % better than planned" would also shrink
    the shelf the nation bought at the planned MTBR. Said at the start, not silently."""
    from sim.scenario.models import MonthsOfDemand
    from sim.scenario.stocking import in_country_stock

    def units(scenario: Scenario) -> dict[str, int]:
        mtbr = {it.nsn: it.mtbr_fh for it in scenario.items}
        out = {}
        for c in scenario.customers:
            central, bases = in_country_stock(c, None, scenario.system(c.fleet.system).parts,
                                              mtbr)
            out[c.name] = sum(central.values()) + sum(sum(b.values()) for b in bases.values())
        return out

    months = {c.name for c in plan.scenario.customers
              if isinstance(c.initial_stock, MonthsOfDemand)
              or any(isinstance(b.initial_stock, MonthsOfDemand) for b in c.bases)}
    if not months:
        return []
    written = units(plan.scenario)
    seen = [units(p.scenario) for p in plan.points]
    lines = []
    for name in written:
        if name not in months:      # a swept quantity is the analyst's own change
            continue
        low, high = min(s[name] for s in seen), max(s[name] for s in seen)
        if low != high:
            lines.append(
                f"{name}: its in-country stock is stated in months of demand, so the sweep "
                f"resizes it with the demand ({low}-{high} units across the points, "
                f"{written[name]} as written) and each point's result includes that "
                "restocking; add 'hold_stock: true' to the sweep block to hold it as bought "
                "(README 'Sweeps')")
    return lines
