"""Real processes and real signals: Ctrl-C (SIGINT to the process group) and SIGTERM stop the
workers and the main process cleanly, keep what finished and say how to resume; two runs into
one directory: the second is refused and the first completes. (SIGKILL mid-way, then a rerun:
``test_sweep.py::test_killed_mid_way_and_rerun_equals_an_uninterrupted_run``.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from sim.cli import main
from tests.helpers import base_scenario

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["summary", "items", "depots", "timeseries", "depot_timeseries"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="process sessions are read from /proc (Linux)")


@pytest.fixture(scope="module")
def slow(tmp_path_factory) -> tuple[Path, Path]:
    """A scenario of 24 units of about 0.1 s each, and its uninterrupted tables."""
    tmp = tmp_path_factory.mktemp("slow")
    data = base_scenario(replications=12, horizon_days=1500, warmup_days=100)
    data["customers"][0]["fleet"]["aircraft"] = 300
    data["items"][0]["mtbr_fh"] = 100
    data["alternatives"].append({"name": "DX", "support": {
        "Nation A": {"option": "direct_exchange"}}})
    scen = tmp / "slow.yaml"
    scen.write_text(yaml.safe_dump(data, sort_keys=False))
    full = tmp / "full"
    assert main(["run", str(scen), "--out", str(full), "--workers", "1"]) == 0
    return scen, full


def _start(scen: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", "run", str(scen), "--out", str(out),
                             "--workers", "2"], cwd=ROOT, env=ENV, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_units(out: Path, n: int, proc: subprocess.Popen) -> None:
    log = out / "progress.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= n:
            return
        time.sleep(0.01)
    raise AssertionError("the run did not get going")


def _session(sid: int) -> list[str]:
    """Processes still alive in a session (its leader's pid)."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            left.append(text[:80])
    return left


def _same(a: Path, b: Path) -> None:
    for t in TABLES:
        pd.testing.assert_frame_equal(pq.read_table(a / f"{t}.parquet").to_pandas(),
                                      pq.read_table(b / f"{t}.parquet").to_pandas(),
                                      check_exact=True)


@pytest.mark.parametrize("how, code, said", [
    ("ctrl-c", 130, "interrupted (Ctrl-C)"), ("sigterm", 143, "stopped (SIGTERM)")])
def test_signal_stops_workers_and_main_cleanly_and_the_rerun_resumes(tmp_path, slow, how, code,
                                                                     said):
    scen, full = slow
    out = tmp_path / "out"
    proc = _start(scen, out)
    _wait_for_units(out, 2, proc)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)    # the terminal signals the whole group
    else:
        os.kill(proc.pid, signal.SIGTERM)     # a service manager signals the main process
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert said in err and "run the same command again to resume" in err
    deadline = time.monotonic() + 5
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session(proc.pid) == [], "worker processes outlived the run"
    assert not (out / "sustain.lock").exists()
    kept = int(err.split(f"{said}: ")[1].split(" of ")[0])
    assert 2 <= kept < 24
    rerun = subprocess.run([sys.executable, "-m", "sim", "run", str(scen), "--out", str(out),
                            "--workers", "2"], cwd=ROOT, env=ENV, capture_output=True,
                           text=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"resuming: {kept} finished units of 24" in rerun.stdout
    _same(out, full)


def test_second_run_into_the_same_directory_is_refused_and_the_first_completes(tmp_path, slow,
                                                                                capsys):
    scen, full = slow
    out = tmp_path / "out"
    first = _start(scen, out)
    _wait_for_units(out, 1, first)
    assert main(["run", str(scen), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "in use by another sustain process" in err and f"pid {first.pid}" in err
    assert main(["sweep", str(scen), "--out", str(out)]) == 2   # (no sweep block: refused
    capsys.readouterr()                                         # before the directory)
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    _same(out, full)


def test_sigkill_leaves_no_orphan_workers_and_the_lock_is_recovered(tmp_path, slow):
    scen, full = slow
    out = tmp_path / "out"
    proc = _start(scen, out)
    _wait_for_units(out, 2, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 5
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session(proc.pid) == [], "workers outlived a killed run"
    assert (out / "sustain.lock").exists()   # nobody could remove it: the next run recovers it
    rerun = subprocess.run([sys.executable, "-m", "sim", "run", str(scen), "--out", str(out)],
                           cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120,
                           check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "recovered a stale lock" in rerun.stdout and f"pid {proc.pid}" in rerun.stdout
    _same(out, full)


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_a_worker_killed_mid_run_is_exit_1_saying_how_to_resume_and_the_rerun_resumes(
        tmp_path, slow):
    """kill -9 of one worker (the out-of-memory killer, say) during a run: exit 1 with one line
    that says a worker died and how to resume — not the pool's own wording or a traceback —
    and the same command then finishes the run with tables equal to an uninterrupted run's."""
    scen, full = slow
    out = tmp_path / "out"
    proc = _start(scen, out)
    _wait_for_units(out, 2, proc)
    workers = _children(proc.pid)
    assert workers, "no worker processes"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "sustain: error: a worker process died" in err and "Traceback" not in err
    assert "rerun the same command to resume" in err
    rerun = subprocess.run([sys.executable, "-m", "sim", "run", str(scen), "--out", str(out),
                            "--workers", "2"], cwd=ROOT, env=ENV, capture_output=True,
                           text=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming:" in rerun.stdout
    _same(out, full)


_CUT_SEND = r'''
import os, struct, sys, time
from sim import cli, runner

def cut_send():
    """In a worker: start a result message, send part of it, never finish (a worker
    terminated while it sends its rows)."""
    queue = sys._getframe(1).f_locals["result_queue"]
    os.write(queue._writer.fileno(), struct.pack("!i", 1 << 20) + b"part of a result")
    time.sleep(600)

def run_cut(args):
    with runner.local_executor(2) as pool:
        pool.submit(cut_send)
        time.sleep(1.0)          # the pool's manager thread now waits for the rest
        raise KeyboardInterrupt

cli.cmd_run = run_cut
sys.argv = ["sustain", "run", "unused.yaml"]
raise SystemExit(cli.main())
'''


def test_ctrl_c_while_a_worker_sends_a_result_still_exits():
    """A worker terminated part-way through sending a result leaves the pool's manager thread
    waiting for the rest of the message for ever, and a normal interpreter exit joins that
    thread: the program said "interrupted" and hung (seen once under load). Constructed here
    by a task that sends part of a message: the program must still exit 130 at once."""
    proc = subprocess.run([sys.executable, "-c", _CUT_SEND], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 130, proc.stderr
    assert "interrupted (Ctrl-C)" in proc.stderr and "Traceback" not in proc.stderr


_KILLED_SENDING = _CUT_SEND.replace('''        time.sleep(1.0)          # the pool's manager thread now waits for the rest
        raise KeyboardInterrupt''', '''        done = pool.submit(cut_send)
        time.sleep(1.0)          # the pool's manager thread now waits for the rest
        for p in list(pool._processes.values()):
            os.kill(p.pid, 9)    # the out-of-memory killer, say
        runner.wait_some([done], pool)''')


def test_a_worker_killed_while_sending_is_an_error_not_a_hang():
    """The same cut message, but the worker is killed (kill -9, the out-of-memory killer) while
    the run waits for its result: the pool never notices, so the run would wait for ever. The
    wait looks at the workers every few seconds: exit 1 naming the dead worker and how to
    resume."""
    assert "kill(p.pid, 9)" in _KILLED_SENDING
    proc = subprocess.run([sys.executable, "-c", _KILLED_SENDING], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "a worker process died" in proc.stderr and "signal 9" in proc.stderr
    assert "rerun the same command to resume" in proc.stderr
