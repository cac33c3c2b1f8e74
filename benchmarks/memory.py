"""Runner bookkeeping and memory (the runner half of issue 16's memory benchmark):

1. bookkeeping time per unit in a 2,000-unit sweep of a trivial scenario — writing the unit's
   parts and its progress-log line — must stay flat: the last 200 units within 20 % of the
   first 200 (before, the whole manifest was rewritten after every unit: quadratic);
2. peak RSS of a whole ``sustain run`` at 10 versus 100 replications (in-process, one worker)
   must be flat: ratio at most 1.2; and the same for a sweep at 10 versus 100 points.

    python benchmarks/memory.py [--units 2000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import results, runner
from sim.scenario import Scenario
from sim.scenario.sweep import expand
from tests.helpers import base_scenario


def bookkeeping(units: int, tmp: Path) -> tuple[list[float], float]:
    """Median seconds of bookkeeping per unit in each block of 200 units (medians: the
    machine is shared and an fsync now and then waits for someone else's I/O), and the
    total wall time of the sweep."""
    reps = 10
    points = units // reps
    data = base_scenario(replications=reps, horizon_days=60, warmup_days=0, sweep={
        "method": "latin_hypercube", "samples": points, "parameters": {
            "customers[Nation A].fleet.fh_per_aircraft_month": {"low": 20, "high": 40}}})
    plan = expand(Scenario.model_validate(data))
    spent: list[float] = []
    write_unit, append = results.ResultDir.write_unit, results.ProgressLog.append
    current = [0.0]

    def timed_write(self, name, tables):
        t = time.perf_counter()
        sums = write_unit(self, name, tables)
        current[0] = time.perf_counter() - t
        return sums

    def timed_append(self, entry):
        t = time.perf_counter()
        append(self, entry)
        spent.append(current[0] + time.perf_counter() - t)

    results.ResultDir.write_unit, results.ProgressLog.append = timed_write, timed_append
    try:
        start = time.perf_counter()
        runner.run(plan.scenario, runner.RunSettings(out=tmp / "book", batch_units=50),
                   plan=plan)
        wall = time.perf_counter() - start
    finally:
        results.ResultDir.write_unit, results.ProgressLog.append = write_unit, append
    assert len(spent) == units, len(spent)
    return [statistics.median(spent[i:i + 200]) for i in range(0, units, 200)], wall


PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_rss_mib(args: list[str]) -> float:
    out = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "sim", *args],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        blocks, wall = bookkeeping(args.units, tmp)
        first, last = blocks[0], blocks[-1]
        print(f"bookkeeping per unit (parts + fsynced log line), {args.units}-unit sweep, median "
              f"per 200 units: first {first * 1e3:.2f} ms, last {last * 1e3:.2f} ms, ratio "
              f"{last / first:.2f} (target <= 1.2); every block: "
              + " ".join(f"{b * 1e3:.1f}" for b in blocks) + f" ms; whole sweep {wall:.1f} s")
        quick = ROOT / "scenarios" / "quickstart.yaml"
        rss = {}
        for reps in (10, 100):
            rss[reps] = peak_rss_mib(["run", str(quick), "--replications", str(reps),
                                      "--workers", "1", "--out", str(tmp / f"r{reps}")])
        print(f"peak RSS, quickstart run in one process: 10 replications {rss[10]:.0f} MiB, "
              f"100 replications {rss[100]:.0f} MiB, ratio {rss[100] / rss[10]:.2f} "
              "(target <= 1.2)")
        data = yaml.safe_load(quick.read_text())
        pts = {}
        for n in (10, 100):
            data["sweep"] = {"method": "latin_hypercube", "samples": n, "parameters": {
                "customers[Nation A].fleet.fh_per_aircraft_month": {"low": 15, "high": 40}}}
            scen = tmp / f"sweep{n}.yaml"
            scen.write_text(yaml.safe_dump(data, sort_keys=False))
            pts[n] = peak_rss_mib(["sweep", str(scen), "--replications", "2", "--workers", "1",
                                   "--out", str(tmp / f"s{n}")])
        print(f"peak RSS, quickstart sweep in one process (2 replications per point): "
              f"10 points {pts[10]:.0f} MiB, 100 points {pts[100]:.0f} MiB, ratio "
              f"{pts[100] / pts[10]:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
