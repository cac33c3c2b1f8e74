"""The command line, result directory contract, determinism and resume."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from sim import runner
from sim.cli import main
from sim.results import COLUMNS, KEYS
from sim.scenario import load_scenario
from tests.helpers import base_scenario

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "scenarios" / "quickstart.yaml"
TABLES = ["summary", "items", "depots", "timeseries", "depot_timeseries"]


def _write(tmp_path: Path, data: dict, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    return {t: pq.read_table(path / f"{t}.parquet").to_pandas() for t in TABLES}


def test_run_writes_every_table_with_contract_columns(tmp_path, capsys):
    scen = _write(tmp_path, base_scenario(replications=3, horizon_days=900, warmup_days=100))
    out = tmp_path / "out"
    assert main(["run", str(scen), "--out", str(out), "--workers", "1", "--events"]) == 0
    printed = capsys.readouterr().out
    assert "R&R" in printed and "Availability" in printed
    for table in TABLES + ["events"]:
        data = pq.read_table(out / f"{table}.parquet")
        assert data.column_names == KEYS[table] + COLUMNS[table]
        assert data.schema.metadata[b"sustain_schema_version"] == b"1"
        assert data.num_rows > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["completed_units"]) == 3
    assert manifest["scenario"]["replications"] == 3
    assert len(manifest["scenario_sha256"]) == 64
    assert manifest["finished_at"] is not None
    assert not (out / "parts").exists()
    ts = pq.read_table(out / "timeseries.parquet").to_pandas()
    assert ts.period_start_day.min() == 0 and ts.flight_hours.gt(0).all()


def test_same_seed_identical_tables_across_worker_counts(tmp_path):
    """Same scenario + seed: identical tables, whether run in-process or in a process pool."""
    scen = _write(tmp_path, base_scenario(replications=4, horizon_days=1500))
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(scen), "--out", str(a), "--workers", "1"]) == 0
    assert main(["run", str(scen), "--out", str(b), "--workers", "2"]) == 0
    ta, tb = _tables(a), _tables(b)
    for t in TABLES:
        pd.testing.assert_frame_equal(ta[t], tb[t], check_exact=True)
    c = tmp_path / "c"
    assert main(["run", str(scen), "--out", str(c), "--workers", "1", "--seed", "99"]) == 0
    assert not ta["summary"].equals(_tables(c)["summary"])


def test_bad_file_lists_every_problem_exit_2_nothing_written(tmp_path, capsys):
    data = base_scenario(warmup_days=5000)
    data["customers"][0]["fleet"]["aircraft"] = 0
    data["items"][0]["mtbr_fh"] = "often"
    data["systems"][0]["parts"]["9999-01-000-0009"] = 1
    data["alternatives"][0]["support"]["Nation A"]["depot"] = "Nowhere"
    data["transport"] = []
    data["items"][0]["condemnation_rate"] = 0.05   # condemned units are bought from the US
    scen = _write(tmp_path, data)
    out = tmp_path / "never"
    assert main(["run", str(scen), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert not out.exists()
    assert "Traceback" not in err
    for expected in ("customers[0].fleet.aircraft: must be greater than 0",
                     "warmup_days: must be less than horizon_days",
                     "items[0].mtbr_fh:",
                     "systems[0].parts.9999-01-000-0009: unknown NSN",
                     "alternatives[0].support.Nation A.depot: unknown depot 'Nowhere'",
                     "no transport leg between 'Nation A' and 'US'"):
        assert expected in err, f"missing {expected!r} in:\n{err}"
    assert "line " in err
    assert main(["validate", str(scen)]) == 2


def test_option_without_its_scenario_block_is_refused_by_name(tmp_path, capsys):
    data = base_scenario()
    data["alternatives"][0]["support"]["Nation A"] = {"option": "pros"}
    out = tmp_path / "out"
    assert main(["run", str(_write(tmp_path, data)), "--out", str(out)]) == 2
    assert "pros needs buying_services.pros" in capsys.readouterr().err
    assert not out.exists()



def test_alternative_must_cover_every_fms_customer(tmp_path, capsys):
    data = base_scenario()
    data["alternatives"].append({"name": "Empty", "support": {}})
    assert main(["validate", str(_write(tmp_path, data))]) == 2
    assert "no support choice for FMS customer 'Nation A'" in capsys.readouterr().err


def test_schema_command_prints_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "customers" in schema["properties"]


def test_interrupted_run_keeps_finished_units_and_resumes(tmp_path):
    scenario = runner.resolve(load_scenario(_write(tmp_path, base_scenario(replications=5))),
                              None, None)
    full = runner.run(scenario, runner.RunSettings(out=tmp_path / "full"))
    seen: list[tuple[int, int]] = []

    def stop_after_two(a: int, r: int) -> None:
        seen.append((a, r))
        if len(seen) == 2:
            raise KeyboardInterrupt

    settings = runner.RunSettings(out=tmp_path / "cut")
    with pytest.raises(KeyboardInterrupt):
        runner.run(scenario, settings, on_unit=stop_after_two)
    manifest = json.loads((tmp_path / "cut" / "manifest.json").read_text())
    assert len(manifest["completed_units"]) == 2
    assert len(list((tmp_path / "cut" / "parts" / "summary").glob("*.parquet"))) == 2
    resumed: list[tuple[int, int]] = []
    runner.run(scenario, settings, on_unit=lambda a, r: resumed.append((a, r)))
    assert sorted(resumed) == [(0, 2), (0, 3), (0, 4)]
    for t in TABLES:
        pd.testing.assert_frame_equal(_tables(full.path)[t], _tables(tmp_path / "cut")[t])


def test_result_dir_of_another_scenario_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    first = _write(tmp_path, base_scenario(replications=2, horizon_days=800), "a.yaml")
    second = _write(tmp_path, base_scenario(replications=2, horizon_days=900), "b.yaml")
    assert main(["run", str(first), "--out", str(out), "--workers", "1"]) == 0
    before = (out / "summary.parquet").read_bytes()
    assert main(["run", str(second), "--out", str(out), "--workers", "1"]) == 2
    assert "different scenario" in capsys.readouterr().err
    assert (out / "summary.parquet").read_bytes() == before
