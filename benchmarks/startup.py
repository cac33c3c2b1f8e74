"""Startup: a one-replication run of a small scenario as a whole process, against the same
Palm logic written by hand in SimPy as a whole process. Target (issue 16): at most 1.2x.

    sustain:  python -m sim run benchmarks/startup_palm.yaml --workers 1 --out TMP
    by hand:  python benchmarks/palm_by_hand.py

Both runs simulate about 25,000 removals. Beside the ratio, the fixed costs of the sustain
process are broken down, each as a whole process of its own: the imports a run needs
(``sim.runner``: the model, the scenario format, pyarrow), the imports of the summary table
it prints (``sim.comparison``, numpy only since issue 11 — it was ``analysis.stats``, which
imports pandas and scipy.stats — and rich), and the simulation itself measured inside a
process. Each figure is the best of ``--repeat``
interleaved runs (noise only adds time).

    python benchmarks/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "benchmarks" / "startup_palm.yaml"
BY_HAND = ROOT / "benchmarks" / "palm_by_hand.py"

_SIMULATE = """
import sys, time
from sim.runner import simulate_unit
from sim.scenario import load_scenario
t0 = time.perf_counter()
s = load_scenario(sys.argv[1])
t1 = time.perf_counter()
simulate_unit(s, 0, 0, False)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    with tempfile.TemporaryDirectory(prefix="sustain-startup-") as tmp:
        for i in range(args.repeat):
            keep("by hand", wall([py, str(BY_HAND)]))
            keep("sustain run", wall([py, "-m", "sim", "run", str(SCENARIO), "--workers", "1",
                                      "--out", str(Path(tmp) / f"run{i}")]))
            keep("python alone", wall([py, "-c", "pass"]))
            keep("import simpy", wall([py, "-c", "import simpy"]))
            keep("import sim.runner", wall([py, "-c", "import sim.runner"]))
            keep("import sim.model.world", wall([py, "-c", "import sim.model.world"]))
            keep("import sim.comparison, rich", wall(
                [py, "-c", "import sim.comparison, rich.console, rich.table"]))
            out = subprocess.run([py, "-c", _SIMULATE, str(SCENARIO)], check=True, cwd=ROOT,
                                 capture_output=True, text=True).stdout.split()
            keep("load scenario (in process)", float(out[0]))
            keep("simulate one unit (in process)", float(out[1]))
    print(f"scenario: {SCENARIO.name}, 1 replication")
    for name, seconds in best.items():
        print(f"  {name:32s} {seconds:6.3f} s")
    ratio = best["sustain run"] / best["by hand"]
    print(f"sustain run / by hand: {ratio:.2f} (target <= 1.2)")
    probe = "import sys, sim.model.world; print('yes' if 'scipy' in sys.modules else 'no')"
    scipy = subprocess.run([py, "-c", probe], check=True, cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    print(f"scipy imported by the model: {scipy}")


if __name__ == "__main__":
    main()
