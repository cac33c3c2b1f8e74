"""The bundled scenarios, run as a user runs them, against their checked-in key figures.

A change that moves the numbers fails here; if the move is intended, regenerate the
expectations with ``python -m tests.test_quickstart_golden`` and say why in the commit.
The case study runs with fewer replications to keep the suite fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from analysis.load import read_table
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SCENARIOS = {"quickstart": [], "fms_follow_on": ["--replications", "3"]}
FIGURES = ["availability", "nmcs_aircraft_mean", "fill_rate", "cwt_days_mean", "cwt_days_p95",
           "demands", "flight_hours", "cost_usd", "npv_cost_usd"]


def key_figures(result_dir: Path) -> dict:
    summary = read_table(result_dir, "summary")
    means = summary.groupby(["alternative", "customer"], sort=False)[FIGURES].mean()
    return {f"{alt} / {cust}": {k: float(v) for k, v in row.items()}
            for (alt, cust), row in means.iterrows()}


def _run(name: str, out: Path) -> dict:
    args = ["run", str(ROOT / "scenarios" / f"{name}.yaml"), "--out", str(out), "--workers", "2"]
    assert main(args + SCENARIOS[name]) == 0
    return key_figures(out)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_bundled_scenario_matches_golden_figures(tmp_path, name):
    got = _run(name, tmp_path / name)
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert list(got) == list(expected)
    for unit, figures in expected.items():
        for figure, value in figures.items():
            assert got[unit][figure] == pytest.approx(value, rel=1e-9), f"{unit} {figure}"


def test_quickstart_shows_direct_exchange_beats_repair_and_return():
    got = json.loads((GOLDEN / "quickstart.json").read_text())
    rr, dx = got["Repair and Return / Nation A"], got["Direct Exchange / Nation A"]
    assert dx["availability"] > rr["availability"] and dx["cwt_days_mean"] < rr["cwt_days_mean"]


if __name__ == "__main__":
    import tempfile

    for scenario in SCENARIOS:
        with tempfile.TemporaryDirectory() as tmp:
            figures = _run(scenario, Path(tmp) / scenario)
        (GOLDEN / f"{scenario}.json").write_text(json.dumps(figures, indent=2) + "\n")
        print(f"wrote {GOLDEN / f'{scenario}.json'}", file=sys.stderr)
