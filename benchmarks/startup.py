"""Startup: a one-replication run of a small scenario as a whole process, against the same
Palm logic written by hand in SimPy as a whole process. Target (issue 16): at most 1.2x.

    sustain:  python -m sim run benchmarks/startup_palm.yaml --workers 1 --out TMP
    by hand:  python benchmarks/palm_by_hand.py

Both runs simulate about 25,000 removals. Beside the ratio, the fixed costs of the sustain
process are broken down, each as a whole process of its own: the floor (importing only the
libraries a run cannot do without: numpy, SimPy, pyarrow.parquet, pydantic, PyYAML — the
hand-written model needs SimPy alone), the imports a run needs (``sim.runner``: the model, the
scenario format, pyarrow), those of the summary table it prints (``sim.comparison`` and rich),
``--help`` (no numerical library), and inside a process loading the scenario and simulating the
unit. Whole processes show wall and CPU time (user + system: what other work on a shared
machine adds less to). Each figure is the best of ``--repeat`` interleaved runs (noise only
adds time). Where Python may not write bytecode (``PYTHONDONTWRITEBYTECODE``) and the package
has no bytecode cache, every run compiles the sources it imports: the time that takes is shown.

    python benchmarks/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
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


_COMPILE = """
import io, contextlib, sys, time
from sim.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["run", sys.argv[1], "--workers", "1", "--out", sys.argv[2]])
sources = [m.__file__ for n, m in list(sys.modules.items())
           if (n == "sim" or n.startswith("sim.")) and getattr(m, "__file__", None)]
texts = [(f, open(f, encoding="utf-8").read()) for f in sources]
t0 = time.perf_counter()
for f, text in texts:
    compile(text, f, "exec")
print(len(texts), time.perf_counter() - t0)
"""


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bytecode_cached() -> bool:
    """Whether the ``sim`` package's imports read bytecode instead of compiling its sources."""
    cache = ROOT / "sim" / "__pycache__"
    writable = not (sys.flags.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE"))
    return writable or (cache.is_dir() and any(cache.glob("cli.*.pyc")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    inside: dict[str, float] = {}

    def keep(name: str, cmd: list[str]) -> None:
        w, c = timed(cmd)
        wall[name] = min(wall.get(name, float("inf")), w)
        cpu[name] = min(cpu.get(name, float("inf")), c)

    def keep_inside(name: str, seconds: float) -> None:
        inside[name] = min(inside.get(name, float("inf")), seconds)

    with tempfile.TemporaryDirectory(prefix="sustain-startup-") as tmp:
        for i in range(args.repeat):
            keep("by hand", [py, str(BY_HAND)])
            keep("sustain run", [py, "-m", "sim", "run", str(SCENARIO), "--workers", "1",
                                 "--out", str(Path(tmp) / f"run{i}")])
            keep("python alone", [py, "-c", "pass"])
            keep("import simpy", [py, "-c", "import simpy"])
            keep("floor: numpy simpy pyarrow pydantic yaml",
                 [py, "-c", "import numpy, simpy, pyarrow.parquet, pydantic, yaml"])
            keep("import sim.runner", [py, "-c", "import sim.runner"])
            keep("import sim.model.world", [py, "-c", "import sim.model.world"])
            keep("import sim.comparison, rich",
                 [py, "-c", "import sim.comparison, rich.console, rich.table"])
            keep("sustain --help", [py, "-m", "sim", "--help"])
            out = subprocess.run([py, "-c", _SIMULATE, str(SCENARIO)], check=True, cwd=ROOT,
                                 capture_output=True, text=True).stdout.split()
            keep_inside("load scenario (in process)", float(out[0]))
            keep_inside("simulate one unit (in process)", float(out[1]))
        cached = bytecode_cached()
        if not cached:
            for i in range(min(args.repeat, 3)):
                out = subprocess.run([py, "-c", _COMPILE, str(SCENARIO),
                                      str(Path(tmp) / f"compile{i}")], check=True, cwd=ROOT,
                                     capture_output=True, text=True).stdout.split()
                modules = int(out[0])
                keep_inside(f"compile sim's {modules} modules (in process)", float(out[1]))
    print(f"scenario: {SCENARIO.name}, 1 replication")
    print(f"  {'whole process':42s} {'wall':>7s} {'CPU':>7s}")
    for name, seconds in wall.items():
        print(f"  {name:42s} {seconds:6.3f}s {cpu[name]:6.3f}s")
    for name, seconds in inside.items():
        print(f"  {name:42s} {seconds:6.3f}s")
    floor = "floor: numpy simpy pyarrow pydantic yaml"
    print(f"sustain run / by hand: {wall['sustain run'] / wall['by hand']:.2f} wall, "
          f"{cpu['sustain run'] / cpu['by hand']:.2f} CPU (target <= 1.2)")
    print(f"floor / by hand (imports alone, nothing simulated): "
          f"{wall[floor] / wall['by hand']:.2f} wall, {cpu[floor] / cpu['by hand']:.2f} CPU")
    if not cached:
        print("note: no bytecode cache for sim (PYTHONDONTWRITEBYTECODE): every run compiles "
              "the sources it imports (line above); an installed package does not")
    probe = "import sys, sim.model.world; print('yes' if 'scipy' in sys.modules else 'no')"
    scipy = subprocess.run([py, "-c", probe], check=True, cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    print(f"scipy imported by the model: {scipy}")


if __name__ == "__main__":
    main()
