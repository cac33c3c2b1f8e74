"""Report: ``sustain report`` on the reference result (``scenarios/reference.yaml``: 5
alternatives x 20 replications, three FMS nations and a US wing; 32 charts) as a user runs
it, a fresh process. Target (issue 16): under 500 MB peak RSS.

    python benchmarks/report.py [RESULT_DIR] [--repeat 3] [--pptx]

RESULT_DIR defaults to ``results/benchmark-reference/``; when it holds no finished result the
benchmark first makes one with ``python -m sim run scenarios/reference.yaml --workers 1``
(about 3.5 minutes on the 2-core development machine), and later runs reuse it. Each report
is its own process; its peak RSS comes from ``os.wait4`` (that child alone, not the run that
made the result) and is the same from run to run within a few MB. Wall and CPU time are the
best of ``--repeat`` (noise only adds time).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "reference.yaml"
DEFAULT = ROOT / "results" / "benchmark-reference"
TARGET_MB = 500.0


def make_result(out: Path) -> None:
    """The reference result, on one worker (two would compete with the report's own core)."""
    print(f"making the reference result in {out} (about 3.5 minutes) ...", flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "run", str(SCENARIO), "--out", str(out),
                    "--workers", "1"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)


def report_once(result: Path, pptx: bool) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one ``sim report`` process."""
    cmd = [sys.executable, "-m", "sim", "report", str(result)] + (["--pptx"] if pptx else [])
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"sim report exited {proc.returncode}")
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return wall, usage.ru_utime + usage.ru_stime, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result", nargs="?", type=Path, default=DEFAULT,
                        help="a finished result directory of the reference scenario")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pptx", action="store_true", help="also write the slide deck")
    args = parser.parse_args()
    result = args.result.resolve()
    if not (result / "summary.parquet").is_file():
        make_result(result)
    walls, cpus, peaks = [], [], []
    for _ in range(args.repeat):
        wall, cpu, peak = report_once(result, args.pptx)
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    what = "sustain report --pptx" if args.pptx else "sustain report"
    print(f"{what} on {result}, {args.repeat} run(s)")
    print(f"  wall  {min(walls):6.1f} s  (best; all {', '.join(f'{w:.1f}' for w in walls)})")
    print(f"  CPU   {min(cpus):6.1f} s  (best)")
    print(f"  peak RSS {max(peaks):5.0f} MB  (highest; all "
          f"{', '.join(f'{p:.0f}' for p in peaks)})")
    verdict = "met" if max(peaks) < TARGET_MB else "NOT met"
    print(f"target: under {TARGET_MB:.0f} MB peak — {verdict}")


if __name__ == "__main__":
    main()
