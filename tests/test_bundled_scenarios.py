"""Every bundled scenario is one a user can run as its comments say.

A scenario file under ``scenarios/`` is documentation as much as data: README and the files'
own headers tell users to run them. When the schema grows a required key, a file nobody runs
in a test silently stops validating (``sensitivity.yaml`` did: it lacked the buying
services' repair keys added for issue 12). So each one must validate, a sweep's every point
must validate and get a closed-form answer, and the sensitivity study must stay the case
study it says it is, with only the changes its header lists.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from analysis.load import read_table
from sim.cli import main
from sim.scenario import load_scenario
from sim.scenario.models import Quantities
from sim.scenario.stocking import initial_quantities
from sim.scenario.sweep import expand, resized_stock

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_the_bundled_scenarios_are_found():
    names = {p.stem for p in BUNDLED}
    assert {"quickstart", "fms_follow_on", "sensitivity", "reference"} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenario_validates(path, capsys):
    assert main(["validate", str(path)]) == 0, capsys.readouterr().out


def test_every_point_of_the_sensitivity_sweep_has_a_closed_form_answer(tmp_path):
    path = ROOT / "scenarios" / "sensitivity.yaml"
    scenario = load_scenario(path)
    out = tmp_path / "screen"
    assert main(["sweep", str(path), "--analytic", "--no-simulate", "--out", str(out)]) == 0
    screen = read_table(out, "analytic")
    points = 1 + 2 * len(scenario.sweep.parameters)          # base, then low and high of each
    assert sorted(screen["point"].unique()) == list(range(points))
    assert len(screen) == points * len(scenario.alternatives) * len(scenario.customers)
    assert all(math.isfinite(a) and 0.0 < a <= 1.0 for a in screen["availability"])


def test_the_sensitivity_study_is_the_case_study_with_the_changes_its_header_lists():
    case = load_scenario(ROOT / "scenarios" / "fms_follow_on.yaml")
    study = load_scenario(ROOT / "scenarios" / "sensitivity.yaml")
    changed = {"scenario", "replications", "sweep", "alternatives", "cost_elements"}
    for field in type(case).model_fields:
        if field not in changed:
            assert getattr(study, field) == getattr(case, field), field
    assert study.replications == 8
    # The shelves, in months of demand as in the case study, are held at every point: each
    # point's are the quantities the case study's months give at its planned flying hours and
    # MTBRs (so a swept MTBR or flying rate does not resize them).
    assert study.sweep is not None and study.sweep.hold_stock
    parts = {s.name: dict(s.parts) for s in case.systems}
    mtbr = {i.nsn: i.mtbr_fh for i in case.items}
    plan = expand(study)
    for point in plan.points:
        for mine, theirs in zip(point.scenario.customers, case.customers, strict=True):
            assert isinstance(mine.initial_stock, Quantities), mine.name
            assert mine.initial_stock.quantities == initial_quantities(
                theirs, parts[theirs.fleet.system], mtbr), mine.name
    assert resized_stock(plan) == []
    # Alternatives: four of the case study's, exactly as it states them.
    kept = {a.name: a for a in case.alternatives}
    assert [a.name for a in study.alternatives] == [
        "Repair and Return", "Direct Exchange", "CLSSA", "Third-country depot"]
    for alt in study.alternatives:
        assert alt == kept[alt.name]
    # Cost elements: the case study's, less those of the alternatives left out.
    names = {a.name for a in study.alternatives}
    expected = [e for e in case.cost_elements
                if e.alternatives == "all" or set(e.alternatives) & names]
    assert [e.name for e in study.cost_elements] == [e.name for e in expected]


# The golden test runs the quickstart and the case study in full; the others run here for one
# replication, so that a file which validates but no longer runs (a key that the model reads
# differently now, an option whose rules changed) fails the suite rather than a user.
RUN_ONCE = ["bases", "partnership", "reference"]


@pytest.mark.parametrize("name", RUN_ONCE)
def test_bundled_scenario_runs_one_replication(tmp_path, name, capsys):
    out = tmp_path / name
    args = ["run", str(ROOT / "scenarios" / f"{name}.yaml"), "--replications", "1",
            "--workers", "1", "--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    summary = read_table(out, "summary")
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    assert len(summary) == len(scenario.alternatives) * len(scenario.customers)
    assert summary["availability"].between(0.0, 1.0).all()


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenario_gets_a_closed_form_answer(path, capsys):
    assert main(["analytic", str(path), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    customers = [c for alt in answer["alternatives"].values()
                 for c in alt["customers"].values()]
    answered = [c for c in customers if c["answered"]]
    assert answered, "the closed form answers no alternative of a bundled scenario"
    assert all(0.0 < c["availability"] <= 1.0 for c in answered)
    assert all(c["reasons"] for c in customers if not c["answered"])   # a reason, not silence
