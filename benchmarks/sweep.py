"""Sweep screening speed: a 200-point Latin hypercube of the case study
(scenarios/fms_follow_on.yaml) answered by the closed form only — the whole command,
``sustain sweep FILE --analytic --no-simulate``, timed as a user would time it (issue 16's
target: under 10 s on the 2-core development machine).

    python benchmarks/sweep.py [--samples 200] [--workers N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent

SWEEP = """
sweep:
  method: latin_hypercube
  samples: {samples}
  parameters:
    customers[Nation A].fleet.fh_per_aircraft_month: {{low: 12, high: 24}}
    items[*].mtbr_fh: {{scale: {{low: 0.85, high: 1.15}}}}
    depots[Ogden ALC].repair_lines: {{low: 150, high: 220}}
    depots[Regional MRO].repair_lines: {{low: 60, high: 110}}
    alternatives[CLSSA].support[Nation A].fmso1.months_of_demand: {{low: 3, high: 12}}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--workers", type=int)
    args = ap.parse_args()
    text = (ROOT / "scenarios" / "fms_follow_on.yaml").read_text()
    with tempfile.TemporaryDirectory() as tmp:
        scen = Path(tmp) / "lhs.yaml"
        scen.write_text(text + SWEEP.format(samples=args.samples))
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "sim", "sweep", str(scen), "--analytic", "--no-simulate",
               "--out", str(out)] + (["--workers", str(args.workers)] if args.workers else [])
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"sweep failed ({done.returncode}):\n{done.stderr}")
        table = pq.read_table(out / "analytic.parquet").to_pandas()
    answered = table["availability"].notna().mean()
    print(f"{args.samples}-point LHS of fms_follow_on, --analytic --no-simulate: "
          f"{wall:.1f} s wall, whole command (target < 10 s)")
    print(f"  {len(table)} rows (point x alternative x customer); {100 * answered:.0f} % "
          f"answered by the closed form, {table['point'].nunique()} points; "
          f"{wall / args.samples * 1000:.0f} ms per point")


if __name__ == "__main__":
    main()
