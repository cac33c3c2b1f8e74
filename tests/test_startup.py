"""What keeps ``sustain run`` quick to start (issue 16): a run imports neither pandas, the
Parquet dataset layer, pyarrow.compute, multiprocessing nor ``sustain optimize``; ``--help`` and
``--version`` import no numerical library. The shortcuts that make this possible build and read
exactly what the slow way does."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.results import numbers, parquet_bytes, read_parquet, schema, to_table

ROOT = Path(__file__).resolve().parent.parent


def _modules(code: str) -> set[str]:
    """The top-level names of the modules ``code`` leaves imported, in a fresh interpreter."""
    probe = code + "\nimport sys; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split("\n")[-2].split())


def test_a_run_imports_only_what_it_needs(tmp_path):
    out = tmp_path / "o"
    loaded = _modules("from sim.cli import main\n"
                      f"assert main(['run', 'benchmarks/startup_palm.yaml', '--workers', '1', "
                      f"'--out', {str(out)!r}]) == 0")
    for heavy in ("pandas", "scipy", "pyarrow.dataset", "pyarrow.compute", "multiprocessing",
                  "sim.analytic.fair", "analysis"):
        assert heavy not in loaded, heavy
    # the model shares the FMSO I arithmetic of the closed forms, nothing else of them (the
    # command line knows optimize's arguments, in a module of their own)
    assert {m for m in loaded if m.startswith("sim.analytic.")} <= {"sim.analytic.clssa",
                                                                     "sim.analytic.fair_args"}
    assert (out / "summary.parquet").exists()


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_no_numerical_library(flag):
    loaded = _modules("from sim.cli import main\n"
                      f"try:\n    main([{flag!r}])\nexcept SystemExit:\n    pass")
    for heavy in ("numpy", "pyarrow", "pydantic", "yaml", "simpy", "rich", "sim.analytic.fair",
                  "sim.analytic.predict"):
        assert heavy not in loaded, heavy


def test_the_command_line_does_not_import_optimize_until_it_is_typed():
    """``sustain optimize``'s arguments live in ``sim.analytic.fair_args``; ``fair`` itself
    (pandas, the spares machinery) loads only when the command runs."""
    loaded = _modules("from sim.cli import build_parser\n"
                      "build_parser().parse_args(['run', 's.yaml'])")
    for heavy in ("sim.analytic.fair", "sim.analytic.predict", "pandas"):
        assert heavy not in loaded, heavy


ROWS = [
    {"alternative": "A", "replication": 0, "customer": "Nation A", "period_start_day": 0,
     "availability": 0.5, "backorders_mean": math.nan, "cost_usd": math.inf,
     "flight_hours": -0.0},
    {"alternative": "Ünïcode ✈", "replication": 2**62, "customer": None,
     "period_start_day": 2**53, "availability": None, "cost_usd": -1e308,
     "flight_hours": 1e-320},
    {"alternative": "", "replication": None, "customer": "x" * 1000, "period_start_day": 1.5,
     "availability": 1, "backorders_mean": 3, "cost_usd": 0.0, "flight_hours": 5.0,
     "not in the schema": object()},
]


@pytest.mark.parametrize("rows", [
    ROWS, [], ROWS[:1],
    [{**ROWS[0], "availability": np.float64(0.25)}],     # numpy scalars: the fallback
    [{**ROWS[0], "replication": True}],                  # bools likewise
    [{**ROWS[0], "period_start_day": 2**53 + 1}],        # not exact as a float: pyarrow refuses
])
def test_to_table_is_from_pylist(rows):
    try:
        want = pa.Table.from_pylist(rows, schema=schema("timeseries"))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        with pytest.raises(type(exc)):
            to_table("timeseries", rows)
        return
    got = to_table("timeseries", rows)
    assert got.schema.equals(want.schema, check_metadata=True)
    assert parquet_bytes(got) == parquet_bytes(want)
    got.validate(full=True)


def test_to_table_with_sweep_parameters():
    rows = [{**ROWS[0], "point": 3, "items[*].mtbr_fh": 1.2}]
    want = pa.Table.from_pylist(rows, schema=schema("timeseries", ["items[*].mtbr_fh"]))
    assert parquet_bytes(to_table("timeseries", rows, ["items[*].mtbr_fh"])) == \
        parquet_bytes(want)


@pytest.mark.parametrize("column", [
    pa.chunked_array([[1.0, None, math.nan, -2.5], [], [7.0]], pa.float64()),
    pa.chunked_array([[1, None, 3], [2**60]], pa.int64()),
    pa.chunked_array([[1, 2]], pa.int32()),
    pa.chunked_array([[1, 2]], pa.uint16()),
    pa.chunked_array([], pa.float64()),
    pa.array([0.5, None, 1.5, 2.5, None], pa.float64()).slice(1, 3),
    pa.chunked_array([pa.array([9, None, 8, 7], pa.int64()).slice(1)]),
])
def test_numbers_is_to_numpy_as_float(column):
    want = column.to_numpy(zero_copy_only=False).astype(float)
    np.testing.assert_array_equal(numbers(column), want)
    assert numbers(column).dtype == np.float64


def test_read_parquet_is_read_table(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(to_table("timeseries", ROWS), path)
    want = pq.read_table(path)
    got = read_parquet(path)
    assert got.schema.equals(want.schema, check_metadata=True)
    assert parquet_bytes(got) == parquet_bytes(want)
    assert read_parquet(path, ["customer"]).equals(pq.read_table(path, columns=["customer"]))


@pytest.mark.parametrize("given, expected", [(None, "1"), ("3", "3")])
def test_the_command_starts_one_blas_thread_unless_told(given, expected):
    """sustain's parallelism is processes; OpenBLAS's threads only cost their start-up."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    probe = ("import os\nfrom sim.cli import main\n"
             "main(['validate', 'scenarios/quickstart.yaml'])\n"
             "print(os.environ.get('OPENBLAS_NUM_THREADS'))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True)
    assert done.stdout.split()[-1] == expected
