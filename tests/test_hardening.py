"""Hardening (issue 11): result directories that cannot lose, mix or misplace results, and
input that cannot hurt. In-process tests; the ones that need real processes and signals are in
``test_signals.py``, the fuzzing in ``test_fuzz_scenarios.py``."""

from __future__ import annotations

import concurrent.futures
import errno
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from sim import __version__, results, runner
from sim.cli import main
from sim.errors import InvariantViolation
from sim.invariants import check_unit
from sim.results import LOCK_NAME, ResultDir, ResultDirError
from sim.scenario import load_scenario
from tests.helpers import NSN_A, base_scenario

TABLES = ["summary", "items", "depots", "timeseries", "depot_timeseries"]


def _small(**kw) -> dict:
    data = base_scenario(**{"replications": 4, "horizon_days": 400, "warmup_days": 50, **kw})
    data["alternatives"].append({"name": "DX", "support": {
        "Nation A": {"option": "direct_exchange"}}})
    return data


def _write(tmp_path: Path, data: dict, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    return {t: pq.read_table(path / f"{t}.parquet").to_pandas() for t in TABLES}


def _same_tables(a: Path, b: Path) -> None:
    ta, tb = _tables(a), _tables(b)
    for t in TABLES:
        pd.testing.assert_frame_equal(ta[t], tb[t], check_exact=True)


def _scenario(tmp_path: Path, data: dict | None = None):
    return runner.resolve(load_scenario(_write(tmp_path, data or _small())), None, None)


def _interrupted(scenario, out: Path, after: int) -> None:
    """Run until ``after`` units have finished, then stop as Ctrl-C would."""
    seen = []

    def stop(a: int, r: int) -> None:
        seen.append((a, r))
        if len(seen) == after:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run(scenario, runner.RunSettings(out=out), on_unit=stop)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory) -> Path:
    """The small scenario run uninterrupted: the reference every recovered run must equal."""
    tmp = tmp_path_factory.mktemp("full")
    out = tmp / "full"
    runner.run(_scenario(tmp), runner.RunSettings(out=out))
    return out


# -- one writer ----------------------------------------------------------------------------

_PROBE = ("import sys; from sim.results import ResultDir, ResultDirError\n"
          "try:\n    ResultDir(sys.argv[1]).lock().__enter__()\n"
          "except ResultDirError as e:\n    print(e); sys.exit(3)\n")


def test_lock_names_a_live_holder_and_is_released(tmp_path):
    out = ResultDir(tmp_path / "out")
    with out.lock("sustain run a.yaml"):
        for _ in range(2):
            # Another process cannot take it; the error names this process. The second time
            # this process has read the lock file, which drops a POSIX record lock: the pid,
            # boot and start time recorded in the file still refuse the other process.
            held = subprocess.run([sys.executable, "-c", _PROBE, str(out.path)],
                                  capture_output=True, text=True, check=False,
                                  cwd=Path(__file__).parent.parent)
            assert held.returncode == 3, held.stderr
            assert f"pid {os.getpid()} on host {socket.gethostname()}" in held.stdout
            assert "in use by another sustain process" in held.stdout
            assert "sustain run a.yaml" in held.stdout
            info = json.loads((out.path / LOCK_NAME).read_text())
            assert info["pid"] == os.getpid() and info["started_at"]
    assert not (out.path / LOCK_NAME).exists()
    assert not out.path.exists()   # created for the lock and left empty: removed again


def test_stale_lock_of_a_dead_process_is_recovered_with_a_message(tmp_path, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(json.dumps({
        "pid": dead.pid, "host": socket.gethostname(), "boot_id": results._boot_id(),
        "start_ticks": "1", "started_at": "2026-01-01T00:00:00+00:00",
        "command": "sustain run old.yaml"}))
    scen = _write(tmp_path, _small())
    assert main(["run", str(scen), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "recovered a stale lock" in printed and f"pid {dead.pid}" in printed
    assert not (out / LOCK_NAME).exists()


def test_lock_of_another_host_is_refused_naming_it(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(json.dumps({"pid": 4242, "host": "elsewhere.example",
                                             "started_at": "2026-01-01T00:00:00+00:00",
                                             "command": "sustain run x.yaml"}))
    assert main(["run", str(_write(tmp_path, _small())), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pid 4242 on host elsewhere.example" in err and "delete" in err
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]


# -- paths -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, folder", [
    ("../../etc", "etc"), ("/tmp/t/victim", "tmp_t_victim"), (".", "scenario"),
    ("..", "scenario"), ("a/b\\c", "a_b_c"), ("Nação Ü", "Nacao_U"), ("CON", "_CON"),
    ("quickstart", "quickstart")])
def test_scenario_name_becomes_a_slug_under_results(tmp_path, monkeypatch, capsys, name,
                                                    folder):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "parts").mkdir()   # a victim folder a name might point at
    (tmp_path / "parts" / "keep.txt").write_text("mine")
    data = _small(replications=1)
    data["scenario"] = name
    assert main(["run", str(_write(tmp_path, data)), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [folder]
    assert (tmp_path / "results" / folder / "summary.parquet").exists()
    assert (tmp_path / "parts" / "keep.txt").read_text() == "mine"
    assert (f"folder results/{folder}/" in out) == (name != folder)


def test_recommend_default_folder_stays_under_results():
    import hashlib

    from sim.analytic.commands import default_out

    def tag(name: str) -> str:
        return hashlib.sha256(name.encode()).hexdigest()[:8]

    assert default_out("../../x", "../Nation/A") == Path(
        f"results/x/recommend_Nation_A_{tag('../Nation/A')}")
    assert default_out("/etc", "..") == Path(f"results/etc/recommend_customer_{tag('..')}")
    assert default_out("s", "Nation_A") == Path("results/s/recommend_Nation_A")
    # Two customers whose names clean to one slug get two folders (one overwrote the other).
    assert default_out("s", "x") != default_out("s", "../x")


def test_fresh_leaves_a_foreign_manifest_alone(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "manifest.json").write_text('{"mine": true}')
    (out / "notes.txt").write_text("keep")
    scenario = _write(tmp_path, _small())
    assert main(["run", str(scenario), "--out", str(out), "--workers", "1"]) == 2
    assert "choose another --out" in capsys.readouterr().err
    assert main(["run", str(scenario), "--out", str(out), "--workers", "1", "--fresh"]) == 2
    assert "not a sustain manifest" in capsys.readouterr().err
    assert (out / "manifest.json").read_text() == '{"mine": true}'
    assert (out / "notes.txt").read_text() == "keep"


def test_out_that_is_someone_elses_folder_is_refused_and_untouched(tmp_path, capsys):
    victim = tmp_path / "victim"
    (victim / "parts").mkdir(parents=True)
    (victim / "parts" / "thesis.parquet").write_text("years of work")
    (victim / "notes.txt").write_text("notes")
    assert main(["run", str(_write(tmp_path, _small())), "--out", str(victim)]) == 2
    assert "not a sustain result directory" in capsys.readouterr().err
    assert sorted(p.name for p in victim.rglob("*")) == ["notes.txt", "parts", "thesis.parquet"]


def test_compaction_and_fresh_delete_only_sustains_own_files(tmp_path, full_run):
    scenario = _scenario(tmp_path)
    out = tmp_path / "out"
    _interrupted(scenario, out, 3)
    (out / "parts" / "summary" / "notes.txt").write_text("analyst's note")
    (out / "parts" / "mine").mkdir()
    (out / "parts" / "mine" / "a000_r00000.parquet").write_text("not sustain's")
    (out / "report").mkdir()
    (out / "report" / "draft.docx").write_text("draft")
    runner.run(scenario, runner.RunSettings(out=out))
    _same_tables(out, full_run)
    assert (out / "parts" / "summary" / "notes.txt").exists()
    assert (out / "parts" / "mine" / "a000_r00000.parquet").exists()
    assert not list((out / "parts").glob("summary/*.parquet"))
    assert not (out / "progress.log").exists()
    runner.run(scenario, runner.RunSettings(out=out, fresh=True))
    _same_tables(out, full_run)
    assert (out / "report" / "draft.docx").exists()
    assert (out / "parts" / "mine" / "a000_r00000.parquet").exists()


def test_files_are_written_with_the_umask_mode_not_0600(tmp_path, full_run):
    for name in ("manifest.json", "summary.parquet"):
        assert (full_run / name).stat().st_mode & 0o777 == results.FILE_MODE, name


# -- resume that cannot mix ------------------------------------------------------------------

def test_manifest_records_the_build_and_table_checksums(full_run):
    manifest = json.loads((full_run / "manifest.json").read_text())
    from sim.build import code_sha256

    assert manifest["package_version"] == __version__
    assert manifest["code_sha256"] == code_sha256() and len(code_sha256()) == 64
    for t in TABLES:
        assert manifest["tables"][t] == results.sha256_file(full_run / f"{t}.parquet")


def test_resume_with_other_code_is_refused_then_fresh_starts_afresh(tmp_path, monkeypatch,
                                                                     capsys, full_run):
    scen = _write(tmp_path, _small())
    out = tmp_path / "out"
    _interrupted(runner.resolve(load_scenario(scen), None, None), out, 3)
    monkeypatch.setattr(runner, "code_sha256", lambda: "f" * 64)
    before = sorted(p.name for p in out.rglob("*"))
    for extra in ([], ["--force"]):
        assert main(["run", str(scen), "--out", str(out), "--workers", "1", *extra]) == 2
        err = capsys.readouterr().err
        assert "another build of sustain" in err and "--fresh" in err and "never mixed" in err
    assert sorted(p.name for p in out.rglob("*")) == before
    assert main(["run", str(scen), "--out", str(out), "--workers", "1", "--fresh"]) == 0
    assert "resuming" not in capsys.readouterr().out
    _same_tables(out, full_run)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["code_sha256"] == "f" * 64
    assert manifest["tables"]["summary"] == results.sha256_file(out / "summary.parquet")


def test_resume_says_how_many_units_it_reuses_and_a_finished_run_says_so(tmp_path, capsys):
    scen = _write(tmp_path, _small())
    out = tmp_path / "out"
    _interrupted(runner.resolve(load_scenario(scen), None, None), out, 3)
    assert main(["run", str(scen), "--out", str(out), "--workers", "1"]) == 0
    assert "resuming: 3 finished units of 8 in" in capsys.readouterr().out
    assert main(["run", str(scen), "--out", str(out), "--workers", "1"]) == 0
    out_text = capsys.readouterr().out
    assert "nothing to run" in out_text and "--fresh" in out_text and "estimate" not in out_text


@pytest.mark.parametrize("damage", ["corrupt", "missing", "truncated log line"])
def test_a_bad_part_is_rerun_not_listed_as_done(tmp_path, damage, full_run):
    scenario = _scenario(tmp_path)
    out = tmp_path / "out"
    _interrupted(scenario, out, 3)
    part = out / "parts" / "items" / "a000_r00001.parquet"
    if damage == "corrupt":
        data = bytearray(part.read_bytes())
        data[len(data) // 2] ^= 0xFF
        part.write_bytes(bytes(data))
    elif damage == "missing":
        part.unlink()
    else:   # as after SIGKILL: no manifest list, the last unit's log line torn
        manifest = json.loads((out / "manifest.json").read_text())
        manifest["completed_units"] = []
        (out / "manifest.json").write_text(json.dumps(manifest))
        log = out / "progress.log"
        log.write_text(log.read_text()[:-20])
    found = []
    rerun: list[tuple[int, int]] = []
    runner.run(scenario, runner.RunSettings(out=out), on_start=found.append,
               on_unit=lambda a, r: rerun.append((a, r)))
    if damage == "truncated log line":
        assert found[0].reused == 2 and (0, 2) in rerun
    else:
        assert found[0].reused == 2 and found[0].rerun == 1 and (0, 1) in rerun
    _same_tables(out, full_run)


def test_a_part_damaged_during_the_run_is_caught_at_compaction_and_rerun(tmp_path, full_run):
    scenario = _scenario(tmp_path)
    out = tmp_path / "out"
    calls: list[tuple[int, int]] = []

    def damage_first(a: int, r: int) -> None:
        calls.append((a, r))
        if len(calls) == 8:   # the last unit: damage the first unit's part behind its back
            (out / "parts" / "summary" / "a000_r00000.parquet").write_bytes(b"garbage")

    runner.run(scenario, runner.RunSettings(out=out), on_unit=damage_first)
    assert calls.count((0, 0)) == 2   # run, found damaged at compaction, run again
    _same_tables(out, full_run)


def test_damaged_final_table_is_refused_not_silently_reused(tmp_path, capsys, full_run):
    scen = _write(tmp_path, _small())
    out = tmp_path / "out"
    assert main(["run", str(scen), "--out", str(out), "--workers", "1"]) == 0
    (out / "items.parquet").write_bytes(b"PAR1 damaged")
    assert main(["run", str(scen), "--out", str(out), "--workers", "1"]) == 2
    assert "items.parquet" in capsys.readouterr().err
    assert main(["run", str(scen), "--out", str(out), "--workers", "1", "--fresh"]) == 0
    _same_tables(out, full_run)


@pytest.mark.parametrize("text", ["{", "[]", '{"scenario": 1}', "\xff\xfe"])
def test_damaged_manifest_is_exit_2_naming_the_file(tmp_path, capsys, text):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_bytes(text.encode("latin-1"))
    assert main(["run", str(_write(tmp_path, _small())), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "Traceback" not in err
    # Damaged (not JSON): sustain's own, --fresh replaces it; whole JSON of another shape is
    # someone else's file, which --fresh must not remove.
    foreign = text in ("[]", '{"scenario": 1}')
    assert ("choose another --out" in err) if foreign else ("--fresh" in err)
    assert main(["run", str(_write(tmp_path, _small())), "--out", str(out), "--workers", "1",
                 "--fresh"]) == (2 if foreign else 0)
    assert ((out / "manifest.json").read_bytes() == text.encode("latin-1")) == foreign


# -- disk full --------------------------------------------------------------------------------

class _FullDisk:
    """A writer that fails like a full disk on the ``fail_at``-th file it writes."""

    def __init__(self, fail_at: int, match: str = "") -> None:
        self.fail_at, self.match, self.count = fail_at, match, 0
        self.real = results._open_for_write

    def __call__(self, fd: int):
        fh = self.real(fd)
        name = os.readlink(f"/proc/self/fd/{fd}")
        if self.match in name:
            self.count += 1
            if self.count == self.fail_at:
                real_write = fh.write

                def write(data):
                    real_write(bytes(data)[: len(data) // 2])
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

                fh.write = write
        return fh


@pytest.mark.parametrize("where, fail_at", [(".a000_r00002.parquet", 1), ("summary.parquet", 1),
                                            ("manifest.json", 2)])
def test_disk_full_leaves_no_temporaries_and_a_rerun_completes(tmp_path, monkeypatch, capsys,
                                                               where, fail_at, full_run):
    scen = _write(tmp_path, _small())
    out = tmp_path / "out"
    monkeypatch.setattr(results, "_open_for_write", _FullDisk(fail_at, where))
    assert main(["run", str(scen), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert ResultDir(out).temporaries() == []
    assert not (out / LOCK_NAME).exists()
    monkeypatch.undo()
    assert main(["run", str(scen), "--out", str(out), "--workers", "1"]) == 0
    _same_tables(out, full_run)
    assert ResultDir(out).temporaries() == []


# -- invariants -------------------------------------------------------------------------------

def _broken(field: str, value: float, table: str = "summary"):
    real = runner.run_unit

    def run_unit(scenario, alternative, replication, record_events=False):
        result = real(scenario, alternative, replication, record_events)
        if replication == 1:
            getattr(result, table)[0][field] = value
        return result

    return run_unit


@pytest.mark.parametrize("table, field, value, rule", [
    ("summary", "availability", 1.5, "must be a fraction in [0, 1]"),
    ("summary", "cost_repair_usd", -3.0, "must be finite and >= 0"),
    ("summary", "npv_cost_usd", float("inf"), "must be finite"),
    ("items", "fill_rate", float("nan"), "NaN only with no demands"),
    ("depots", "backlog_mean", -1.0, "must be finite and >= 0"),
])
def test_a_broken_invariant_is_exit_1_naming_table_row_and_rule(tmp_path, monkeypatch, capsys,
                                                                table, field, value, rule):
    monkeypatch.setattr(runner, "run_unit", _broken(field, value, table))
    out = tmp_path / "out"
    assert main(["run", str(_write(tmp_path, _small())), "--out", str(out), "--workers",
                 "1"]) == 1
    err = capsys.readouterr().err
    assert f"{table}.parquet" in err and field in err and rule in err
    assert "alternative 'R&R', replication 1" in err and len(err.strip().splitlines()) == 1
    assert not (out / "parts" / table / "a000_r00001.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [u["unit"] for u in manifest["completed_units"]] == ["a000_r00000"]


def test_units_not_conserved_is_exit_1_naming_customer_and_nsn(tmp_path, monkeypatch, capsys):
    real = runner.run_unit

    def leaky(scenario, alternative, replication, record_events=False):
        result = real(scenario, alternative, replication, record_events)
        result.conservation = [(f"Nation A {NSN_A}: on hand 3 + owed 1 - backorders 0 = 4, "
                                "not initial 5 + added 0")]
        return result

    monkeypatch.setattr(runner, "run_unit", leaky)
    assert main(["run", str(_write(tmp_path, _small())), "--out", str(tmp_path / "o"),
                 "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "units not conserved" in err and f"Nation A {NSN_A}" in err


def test_a_clssa_credit_may_be_negative_other_costs_not():
    import pyarrow as pa

    from sim.results import to_table

    row = {"alternative": "CLSSA", "replication": 0, "customer": "Nation A",
           "availability": 0.9, "nmcs_aircraft_mean": 1.0, "backorders_mean": 1.0,
           "fill_rate": 0.8, "cwt_days_mean": 2.0, "cwt_days_p50": 0.0, "cwt_days_p85": 3.0,
           "cwt_days_p95": 9.0, "demands": 10, "flight_hours": 100.0, "cost_repair_usd": 5.0,
           "cost_purchase_usd": 0.0, "cost_exchange_usd": 0.0, "cost_clssa_usd": -50.0,
           "cost_transport_usd": 0.0, "cost_surcharge_usd": 0.0, "cost_fees_usd": 0.0,
           "cost_spares_usd": 0.0, "cost_other_usd": 0.0,
           "cost_usd": -45.0, "cost_per_fh_usd": -0.45, "npv_cost_usd": -40.0}
    check_unit({"summary": to_table("summary", [row])})
    # The residual value of purchased spares, credited at the horizon, is the other credit.
    residual = {**row, "cost_clssa_usd": 0.0, "cost_spares_usd": -50.0}
    check_unit({"summary": to_table("summary", [residual])})
    with pytest.raises(InvariantViolation):
        check_unit({"summary": to_table("summary", [{**residual, "cost_usd": -60.0}])})
    for bad in ({"cost_usd": -60.0}, {"cost_fees_usd": -1.0}, {"cwt_days_p85": 10.0},
                {"cost_clssa_usd": 0.0, "npv_cost_usd": -1.0}, {"cost_spares_usd": None}):
        with pytest.raises(InvariantViolation):
            check_unit({"summary": to_table("summary", [{**row, **bad}])})
    assert pa is not None


# -- bad options -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--seed", "-5"], "--seed must be between 0"),
    (["--seed", str(2**63)], "--seed must be between 0"),
    (["--replications", "0"], "--replications must be at least 1"),
    (["--replications", "100001"], "--replications must be between 1 and 100,000"),
    (["--workers", "100000"], "at most 1,024 local processes"),
    (["--workers", str((os.cpu_count() or 1) + 1)], "pass --force"),
])
def test_bad_options_are_exit_2_with_nothing_written(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["run", str(_write(tmp_path, _small())), "--out", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_force_allows_more_workers_than_cores_but_not_more_than_units(tmp_path, monkeypatch):
    started = []
    real = concurrent.futures.ProcessPoolExecutor

    class Counting(real):
        def __init__(self, max_workers=None, **kw):
            started.append(max_workers)
            super().__init__(max_workers=max_workers, **kw)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counting)   # runner's pool
    cores = os.cpu_count() or 1
    assert main(["run", str(_write(tmp_path, _small(replications=2))), "--out",
                 str(tmp_path / "out"), "--workers", str(cores + 40), "--force"]) == 0
    assert started == [4]   # 2 alternatives x 2 replications


# -- what reaches the terminal ---------------------------------------------------------------

def test_markup_in_names_is_printed_literally_by_run_analytic_and_recommend(tmp_path, capsys):
    data = _small(replications=2)
    data["alternatives"][0]["name"] = "R&R [/] [bold red]loud[/bold red] :warning:"
    data["alternatives"].append({"name": "CLSSA [/]", "support": {
        "Nation A": {"option": "clssa", "fmso1": {"months_of_demand": 6}}}})
    scen = _write(tmp_path, data)
    assert main(["run", str(scen), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    assert main(["analytic", str(scen)]) == 0
    assert main(["recommend", str(scen), "--customer", "Nation A", "--target-availability",
                 "0.5", "--out", str(tmp_path / "rec")]) == 0
    printed = capsys.readouterr().out
    assert printed.count("[bold red]loud[/bold red] :warning:") >= 2
    assert "CLSSA [/]" in printed and "\x1b" not in printed


def test_control_codes_from_a_file_are_shown_as_escapes(tmp_path, capsys):
    scen = tmp_path / "s.yaml"
    text = yaml.safe_dump(_small(), sort_keys=False)
    scen.write_text(text + '"evil\\e]0;pwned\\a\\e[2J": 1\n')
    assert main(["validate", str(scen)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned\\x07" in err


def test_argparse_errors_are_terminal_safe(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", "x.yaml", "--seed", "1\x1b[2J"])
    assert stop.value.code == 2
    assert "\x1b" not in capsys.readouterr().err


# -- bounded input ---------------------------------------------------------------------------

def _bomb() -> str:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, message", [
    (_bomb(), "line 6: more than 1,000,000 values once its aliases are expanded"),
    ("scenario: x\nitems: " + "[" * 1000 + "]" * 1000 + "\n",
     "line 2: nested more than 64 levels deep"),
    ("seed: " + "7" * 5000 + "\n", "line 1: an integer of 5,000 characters"),
    ("scenario: x\n[1, 2]: y\n", "line 2: a key must be a single value"),
    ("{[1]: x}\n", "line 1: a key must be a single value"),
    ("a: &a [*a]\n", "line 1: an alias inside the value it names"),
])
def test_hostile_yaml_is_a_located_exit_2_and_fast(tmp_path, capsys, text, message):
    scen = tmp_path / "s.yaml"
    scen.write_text(text)
    start = time.perf_counter()
    assert main(["run", str(scen), "--out", str(tmp_path / "out")]) == 2
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_size_limit_and_its_environment_variable(tmp_path, monkeypatch, capsys):
    scen = _write(tmp_path, _small())
    monkeypatch.setenv("SUSTAIN_MAX_SCENARIO_MB", "0.0001")
    assert main(["validate", str(scen)]) == 2
    err = capsys.readouterr().err
    assert "larger than 0.0001 MB" in err and "SUSTAIN_MAX_SCENARIO_MB" in err
    monkeypatch.setenv("SUSTAIN_MAX_SCENARIO_MB", "lots")
    assert main(["validate", str(scen)]) == 2
    assert "must be a number of megabytes" in capsys.readouterr().err
    monkeypatch.delenv("SUSTAIN_MAX_SCENARIO_MB")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (4 * 1024 * 1024) + b"\n")
    assert main(["validate", str(big)]) == 2
    assert "larger than 4 MB" in capsys.readouterr().err
    assert main(["validate", str(scen)]) == 0


# -- did you mean, version, plurals ----------------------------------------------------------

def test_did_you_mean_an_option_value_a_key_and_a_name(tmp_path, capsys):
    data = _small()
    data["alternatives"][1]["support"]["Nation A"]["option"] = "direct_exchnage"
    data["horizon_dayz"] = data.pop("horizon_days")
    data["discount_rat"] = 0.02
    data["depots"][1]["name"] = "Ogden ALC"
    data["alternatives"][0]["support"]["Nation A"] = {"option": "repair_and_return",
                                                      "depot": "Ogden AL"}
    assert main(["validate", str(_write(tmp_path, data))]) == 2
    err = capsys.readouterr().err
    assert "option: must be" in err and "did you mean 'direct_exchange'?" in err
    assert "horizon_dayz: unknown key (not part of the scenario format) — did you mean " \
           "'horizon_days'? (horizon_days is required)" in err
    assert "horizon_days: is required" not in err          # one problem, not two
    assert "discount_rat: unknown key (not part of the scenario format) — did you mean " \
           "'discount_rate'?" in err
    assert "unknown depot 'Ogden AL' — did you mean 'Ogden ALC'?" in err
    assert err.splitlines()[0].endswith("4 problems found, nothing was run")


def test_did_you_mean_a_customer_on_the_command_line_and_a_name_in_a_sweep_path(tmp_path,
                                                                                capsys):
    data = _small()
    data["alternatives"].append({"name": "CLSSA", "support": {
        "Nation A": {"option": "clssa", "fmso1": {"months_of_demand": 6}}}})
    scen = _write(tmp_path, data)
    assert main(["recommend", str(scen), "--customer", "Nation a", "--target-availability",
                 "0.9", "--out", str(tmp_path / "rec")]) == 2
    assert "did you mean 'Nation A'?" in capsys.readouterr().err
    assert not (tmp_path / "rec").exists()
    data["sweep"] = {"method": "grid", "parameters": {
        "alternatives[CLSA].support[Nation A].fmso1.months_of_demand": [3, 6],
        "depots[Home].repair_line": [2, 3]}}
    assert main(["sweep", str(_write(tmp_path, data, "t.yaml")), "--out",
                 str(tmp_path / "o")]) == 2
    assert "no entry named 'CLSA' — did you mean 'CLSSA'?" in capsys.readouterr().err
    data["sweep"]["parameters"] = {"depots[Home].repair_line": [2, 3]}
    assert main(["sweep", str(_write(tmp_path, data, "t.yaml")), "--out",
                 str(tmp_path / "o")]) == 2
    assert "repair_line: unknown key (not part of the scenario format) — did you mean " \
           "'repair_lines'?" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_version_prints_the_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith(f"sustain {__version__} (code ")
    done = subprocess.run([sys.executable, "-m", "sim", "--version"], capture_output=True,
                          text=True, cwd=Path(__file__).parent.parent, check=False)
    assert done.returncode == 0 and __version__ in done.stdout


def test_every_command_has_a_description_and_an_example(capsys):
    from sim.cli import build_parser

    parser = build_parser()
    subs = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in subs.choices.items():
        assert sub.description and len(sub.description) > 40, name
        assert f"sustain {name}" in (sub.epilog or ""), name


@pytest.mark.parametrize("columns", ["60", "80", "100"])
def test_the_comparison_fits_the_terminal(tmp_path, monkeypatch, capsys, full_run, columns):
    from sim.cli import _print_comparison

    monkeypatch.setenv("COLUMNS", columns)
    _print_comparison(full_run)
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= int(columns)
    assert any("0." in line and "±" in line for line in lines)


def test_plurals(tmp_path, capsys):
    data = _small()
    assert main(["validate", str(_write(tmp_path, data))]) == 0
    assert "1 NSN, 1 customer, 2 alternatives" in capsys.readouterr().out
    data["items"][0]["mtbr_fh"] = -1
    assert main(["validate", str(_write(tmp_path, data))]) == 2
    assert "1 problem found" in capsys.readouterr().err


# -- the comparison without pandas and scipy -------------------------------------------------

def test_comparison_equals_analysis_stats(full_run):
    from scipy import stats

    from analysis.stats import summarize
    from sim.comparison import METRICS, comparison, t975

    for df in (1, 2, 5, 29, 30, 31, 45, 100, 1000, 99999):
        assert t975(df) == pytest.approx(float(stats.t.ppf(0.975, df)), rel=2e-8)
    rows, n = comparison(full_run)
    table = summarize(pq.read_table(full_run / "summary.parquet").to_pandas(), list(METRICS))
    assert n == 4 and len(rows) == len(table)
    for row, (_, ref) in zip(rows, table.iterrows(), strict=True):
        assert (row["alternative"], row["customer"]) == (ref["alternative"], ref["customer"])
        for m in METRICS:
            np.testing.assert_allclose([row[m], row[f"{m}_ci"]], [ref[m], ref[f"{m}_ci"]],
                                       rtol=1e-9)


def test_a_run_does_not_import_scipy_or_the_analysis_package(tmp_path):
    """The comparison a run prints needs neither (nor pandas: tests/test_startup.py)."""
    scen = _write(tmp_path, _small(replications=1))
    probe = ("import sys; from sim.cli import main\n"
             f"code = main(['run', {str(scen)!r}, '--out', {str(tmp_path / 'o')!r}, "
             "'--workers', '1'])\n"
             "print(code, 'scipy' in sys.modules, 'analysis' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent, check=False)
    assert done.stdout.split()[-3:] == ["0", "False", "False"], done.stderr


def test_result_dir_error_is_invalid_input():
    assert issubclass(runner.ResultDirConflict, ResultDirError)


def test_an_acsa_provider_may_be_paid_others_not():
    """A party to an ACSA agreement in force is reimbursed (a negative purchase) in any
    period; the same row for a customer outside the agreement is a violation."""
    from sim.results import to_table

    row = {"alternative": "A", "replication": 0, "customer": "US Wing", "period_start_day": 0.0,
           "availability": 1.0, "backorders_mean": 0.0, "flight_hours": 10.0,
           "cost_usd": -20_000.0}
    table = {"timeseries": to_table("timeseries", [row])}
    check_unit(table, credits={"US Wing", "Nation A"})
    with pytest.raises(InvariantViolation, match="timeseries.parquet"):
        check_unit(table, credits={"Nation A"})


def test_a_closed_stdout_pipe_is_not_a_failure(tmp_path):
    """`sustain schema | head -1` and `sustain run ... | head`: the reader is gone before the
    first line; the command still does its work and exits with its own code, no traceback."""
    import subprocess
    import sys

    scenario = _write(tmp_path, _small())
    for args, made in ((["schema"], None),
                       (["run", str(scenario), "--out", str(tmp_path / "r"), "--workers", "1"],
                        tmp_path / "r" / "summary.parquet")):
        read, write = os.pipe()
        os.close(read)                               # nobody will read: every write is EPIPE
        try:
            proc = subprocess.run([sys.executable, "-m", "sim", *args], stdout=write,
                                  stderr=subprocess.PIPE, cwd=tmp_path, timeout=300,
                                  check=False)
        finally:
            os.close(write)
        assert proc.returncode == 0, proc.stderr
        assert b"Error" not in proc.stderr and b"Traceback" not in proc.stderr
        if made is not None:
            assert made.exists()


def test_disk_full_says_what_is_kept_and_how_to_resume(monkeypatch, capsys):
    import errno

    import sim.cli

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", "results/x/manifest.json")

    monkeypatch.setattr(sim.cli, "cmd_validate", full)
    assert main(["validate", "whatever.yaml"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device writing results/x/manifest.json" in err
    assert "rerun the same command to resume" in err and "OSError" not in err
