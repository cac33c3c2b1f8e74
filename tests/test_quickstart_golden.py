"""The bundled quickstart, run as a user runs it, against its checked-in key figures.

A change that moves the quickstart's numbers fails here; if the move is intended, regenerate
the expectation with ``python -m tests.test_quickstart_golden`` and say why in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from analysis.load import read_table
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "scenarios" / "quickstart.yaml"
GOLDEN = ROOT / "tests" / "golden" / "quickstart.json"
FIGURES = ["availability", "nmcs_aircraft_mean", "fill_rate", "cwt_days_mean", "cwt_days_p95",
           "demands", "flight_hours", "cost_usd", "npv_cost_usd"]


def key_figures(result_dir: Path) -> dict:
    summary = read_table(result_dir, "summary")
    means = summary.groupby(["alternative", "customer"], sort=False)[FIGURES].mean()
    return {f"{alt} / {cust}": {k: float(v) for k, v in row.items()}
            for (alt, cust), row in means.iterrows()}


def test_quickstart_matches_golden_figures(tmp_path):
    out = tmp_path / "quickstart"
    assert main(["run", str(QUICKSTART), "--out", str(out), "--workers", "2"]) == 0
    got = key_figures(out)
    expected = json.loads(GOLDEN.read_text())
    assert list(got) == list(expected)
    for unit, figures in expected.items():
        for name, value in figures.items():
            assert got[unit][name] == pytest.approx(value, rel=1e-9), f"{unit} {name}"
    # And the finding the quickstart exists to show: DX beats R&R on availability.
    rr, dx = got["Repair and Return / Nation A"], got["Direct Exchange / Nation A"]
    assert dx["availability"] > rr["availability"] and dx["cwt_days_mean"] < rr["cwt_days_mean"]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        assert main(["run", str(QUICKSTART), "--out", f"{tmp}/q", "--workers", "2"]) == 0
        GOLDEN.write_text(json.dumps(key_figures(Path(tmp) / "q"), indent=2) + "\n")
    print(f"wrote {GOLDEN}", file=sys.stderr)
