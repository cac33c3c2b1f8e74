"""Fuzzing the scenario file: hypothesis mutates a valid scenario document — wrong types,
missing keys, zero, negative, NaN, infinity, 1e308, over-long integers, unknown keys, unicode,
long strings, deep nesting, alias bombs, keys that are lists — and ``validate`` and ``run``
must each succeed or exit 2 with every problem located (its line or its place in the file):
never exit 1, never a traceback, never a result directory after exit 2.

Derandomized (the same examples every run) and sized to run in well under 30 s."""

from __future__ import annotations

import copy
import io
import math
import re
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import estimate
from sim.cli import main
from sim.scenario import Scenario
from tests.helpers import base_scenario

EXAMPLES = 120


def _base() -> dict:
    data = base_scenario(replications=2, horizon_days=300, warmup_days=30)
    data["customers"][0]["fleet"]["aircraft"] = 20
    data["alternatives"].append({"name": "DX", "support": {
        "Nation A": {"option": "direct_exchange"}}})
    data["depots"][0]["repair_days"] = {"lognormal": {"mean": 10, "cv": 0.5}}
    data["items"][0]["failure"] = {"weibull": {"shape": 1.5}}
    data["items"][0]["awaiting_parts"] = {"probability": 0.1, "days": {"uniform": {
        "low": 1, "high": 5}}}
    data["alternatives"].append({"name": "CLSSA", "support": {"Nation A": {
        "option": "clssa", "fmso1": {"months_of_demand": 6},
        "fallback": {"option": "repair_and_return", "depot": "Home"}}}})
    data["events"] = [{"event": "tempo", "customer": "Nation A", "start_day": 50,
                       "end_day": 100, "factor": 1.5},
                      {"event": "depot_lines", "depot": "Home", "day": 60, "repair_lines": 3}]
    data["sweep"] = {"method": "grid", "parameters": {"depots[Home].repair_lines": [2, 4]}}
    return data


BASE = _base()
TOP_KEYS = set(Scenario.model_fields) | {"sweep"}

DEEP, BOMB, UNHASHABLE = "__deep_nesting__", "__alias_bomb__", "__unhashable_key__"


def _paths(node: Any, here: tuple = ()) -> list[tuple]:
    """Every place in the document: mapping keys and list positions, at every depth."""
    out = [here] if here else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, here + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, here + (i,))
    return out


PATHS = _paths(BASE)

VALUES = st.one_of(
    st.sampled_from([0, -1, -0.5, 1, 1e308, -1e308, math.nan, math.inf, -math.inf, 10**30,
                     10**60, 2**63, True, None, "", "x", "12", [], {}, [1, 2], {"a": 1},
                     "Ñaçãø 🚀 \u202e", "x" * 5000, "[/] [bold red]", DEEP, BOMB,
                     {UNHASHABLE: 1}]),
    st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)

MUTATION = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(PATHS), VALUES),
    st.tuples(st.just("delete"), st.sampled_from(PATHS), st.none()),
    st.tuples(st.just("add"), st.sampled_from([()] + PATHS),
              st.tuples(st.text(min_size=1, max_size=12), VALUES)),
)


def _apply(doc: dict, mutation: tuple) -> None:
    kind, path, value = mutation
    parent: Any = doc
    for step in path[:-1] if path else ():
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return
    if kind == "add":
        target = parent[path[-1]] if path and _has(parent, path[-1]) else parent
        if isinstance(target, dict):
            key, val = value
            target[key] = val
        return
    if not path or not _has(parent, path[-1]):
        return
    if kind == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _has(container: Any, key: Any) -> bool:
    if isinstance(container, dict):
        return key in container
    return isinstance(container, list) and isinstance(key, int) and key < len(container)


def _text(doc: dict) -> str:
    """The document as YAML, with the markers turned into what PyYAML cannot write itself."""
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    text = text.replace(DEEP, "[" * 300 + "]" * 300)
    bomb = "&b0 [" + ", ".join(["1"] * 10) + "]"
    text = text.replace(BOMB, bomb, 1).replace(BOMB, "*b0")
    text = text.replace(UNHASHABLE, "[1, 2]")
    if "&b0" in text:   # an alias bomb: nine levels of ten aliases each, ~10^10 values
        levels = ["x0: &x0 [" + ", ".join(["1"] * 10) + "]"]
        levels += [f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 10) + "]" for i in range(1, 10)]
        text += "\n".join(levels) + "\n"
    return text


_LOCATED = re.compile(r"^  (line \d+: .+|(\[|sweep|" + "|".join(map(re.escape, TOP_KEYS))
                      + r")\S*: .+)$")


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def _check_refusal(code: int, err: str, what: str) -> None:
    assert "Traceback" not in err, f"{what}: traceback\n{err}"
    assert code in (0, 2), f"{what}: exit {code}\n{err}"
    if code == 2 and "problem" in err.splitlines()[0]:
        for line in err.splitlines()[1:]:
            if line.startswith("  ... and "):
                continue
            assert _LOCATED.match(line), f"{what}: problem without a place: {line!r}\n{err}"


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_scenarios_succeed_or_exit_2_located_with_nothing_written(mutations):
    doc = copy.deepcopy(BASE)
    for m in mutations:
        _apply(doc, m)
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(estimate, "LIMIT_SECONDS", 5.0)   # a mutation may ask for a long run
        scen = Path(tmp) / "s.yaml"
        scen.write_text(_text(doc), encoding="utf-8")
        valid, err = _run(["validate", str(scen)])
        _check_refusal(valid, err, "validate")
        out = Path(tmp) / "out"
        ran, err = _run(["run", str(scen), "--out", str(out), "--workers", "1",
                         "--replications", "1"])
        _check_refusal(ran, err, "run")
        if ran == 2:
            assert not out.exists(), f"exit 2 but {out} was written\n{err}"
            assert valid == 2 or "limit" in err, err
        else:
            assert valid == 0 and (out / "summary.parquet").exists()


def test_the_base_document_is_valid_and_runs(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text(_text(copy.deepcopy(BASE)))
    assert _run(["validate", str(scen)])[0] == 0
    assert _run(["run", str(scen), "--out", str(tmp_path / "o"), "--workers", "1"])[0] == 0
