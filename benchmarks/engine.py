"""Engine speed: removals simulated per second, and the cost of one removal in units of a bare
SimPy timeout event measured in the same process.

Two cases: the benchmark fleet (the quickstart at ten times the size: one FMS nation, ten
NSNs) and the reference scenario of issue 16 (three FMS nations and a US wing, 300 aircraft,
200 NSNs, five alternatives), whose removals take longer paths and whose worlds have many
more random streams. A removal's cost is given two ways: the run alone, and the whole unit
as a worker does it (``sim.runner.simulate_unit``: building the world — customers, options,
streams — running it, freeing it with one collection of the cyclic garbage, checking
conservation and making its table rows), which is what a replication costs a worker. Until
2026-12-04 the unit figure stopped at the end of the run, leaving out the collection and the
rows (6-13 % of a reference unit in two measurements).

Times are the process's CPU time (``--wall`` for wall time). Machines here are noisy and
noise only ever adds time, so each figure is the best of several
interleaved runs (baseline right before each pass over the alternatives; each alternative's
best run counts, so a disturbance spoils one unit, not a pass); the ratio of the two bests
is the headline, and the spread of per-pass ratios is printed beside it. Targets: the engine
case <= 15 bare timeouts per removal (run), the reference <= 25 (whole unit).

The memory a run of one alternative holds is measured in a fresh process: peak resident set
while building and running one unit, less the resident set once the scenario is loaded.

    python benchmarks/engine.py [--repeat 5] [--scenario FILE ...] [--no-memory]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

import simpy

from sim.model.world import World
from sim.runner import simulate_unit
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
#: CPU time of this process: on a machine shared with other work, time spent descheduled is
#: not the model's (wall time is used with ``--wall``).
CLOCK = time.process_time
CASES = [ROOT / "benchmarks" / "engine_fleet.yaml", ROOT / "scenarios" / "reference.yaml"]
TARGETS = {"engine_fleet.yaml": ("run", 15), "reference.yaml": ("unit", 25)}

_MEMORY_PROBE = """
import resource, sys
from sim.runner import simulate_unit
from sim.scenario import load_scenario
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()
s = load_scenario(sys.argv[1])
before = rss()
simulate_unit(s, int(sys.argv[2]), 0, False)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(peak - before)
"""


def bare_timeout_seconds(n: int = 100_000, depth: int = 1) -> float:
    """Seconds per bare timeout: ``depth`` chains of ``env.timeout`` events, each created by
    the previous one's callback — the least any event-driven step can cost in SimPy with
    ``depth`` events pending (heap operations grow with the log of the queue's length)."""
    env = simpy.Environment()
    left = [n]

    def step(_event) -> None:
        left[0] -= 1
        if left[0] > 0:
            env.timeout(float(depth)).callbacks.append(step)

    for i in range(depth):
        env.timeout(1.0 + i).callbacks.append(step)
    t0 = CLOCK()
    env.run()
    return (CLOCK() - t0) / (n + depth - 1)


def mean_queue_depth(scenario) -> int:
    """Mean number of pending events in the model's queue, sampled every ten days."""
    samples: list[int] = []
    world = World(scenario, scenario.alternatives[0], 0)

    def sample(_arg=None) -> None:
        samples.append(len(world.env._queue))
        if world.env.now + 10 < scenario.horizon_days:
            world.after(10.0, sample)

    world.after(10.0, sample)
    world.run()
    return max(1, round(statistics.mean(samples)))


def unit_seconds(scenario) -> tuple[list[float], list[float], int, int]:
    """Seconds of each alternative of one replication of a scenario: the runs alone, and the
    whole units as a worker does them (``simulate_unit``: the world built, run and freed, its
    conservation checked, its rows made); and the removals and events of them all."""
    removals = events = 0
    runs, units = [], []
    for a, alt in enumerate(scenario.alternatives):
        gc.collect()
        world = World(scenario, alt, 0)
        t1 = CLOCK()
        result = world.run()
        t2 = CLOCK()
        runs.append(t2 - t1)
        removals += sum(c.removals for c in world.customers.values())
        events += result.sim_events
        del world, result
        gc.collect()
        t3 = CLOCK()
        simulate_unit(scenario, a, 0, False)
        units.append(CLOCK() - t3)
    return runs, units, removals, events


def unit_memory_mib(path: Path, alternatives: int) -> list[float]:
    """Peak resident memory (MiB) of one unit of each alternative, each in a fresh process."""
    out = []
    for a in range(alternatives):
        done = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(path), str(a)],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        out.append(int(done.stdout.strip()) / 2**20)
    return out


def bench(path: Path, repeat: int, memory: bool) -> None:
    scenario = load_scenario(path)
    unit_seconds(scenario)               # warm caches and imports
    depth = mean_queue_depth(scenario)
    bares, deep, run_ratios, unit_ratios = [], [], [], []
    best_runs = best_units = None
    for _ in range(repeat):
        gc.collect()
        bare = min(bare_timeout_seconds() for _ in range(3))
        deep.append(min(bare_timeout_seconds(depth=depth) for _ in range(3)))
        run_s, unit_s, removals, events = unit_seconds(scenario)
        bares.append(bare)
        run_ratios.append(sum(run_s) / removals / bare)
        unit_ratios.append(sum(unit_s) / removals / bare)
        best_runs = run_s if best_runs is None else list(map(min, best_runs, run_s))
        best_units = unit_s if best_units is None else list(map(min, best_units, unit_s))
    bare = min(bares)
    runs = [sum(best_runs) / removals]
    units = [sum(best_units) / removals]
    kind, target = TARGETS.get(path.name, ("unit", None))
    aim = f" (target <= {target})" if target is not None else ""
    print(f"scenario:                      {path.name} ({len(scenario.alternatives)} "
          f"alternatives, replication 0)")
    print(f"removals per replication:      {removals}")
    print(f"SimPy events per removal:      {events / removals:.2f}")
    print(f"bare timeout (best):           {bare * 1e6:.2f} us with an empty queue, "
          f"{min(deep) * 1e6:.2f} us with {depth} events pending (the model's mean)")
    print(f"one removal, run (best):       {min(runs) * 1e6:.2f} us = "
          f"{min(runs) / bare:.1f} bare timeouts{aim if kind == 'run' else ''}; per-pass "
          f"median {statistics.median(run_ratios):.1f}, range {min(run_ratios):.1f}-"
          f"{max(run_ratios):.1f} over {repeat} runs")
    print(f"one removal, unit (best):      {min(units) * 1e6:.2f} us = "
          f"{min(units) / bare:.1f} bare timeouts{aim if kind == 'unit' else ''}; per-pass "
          f"median {statistics.median(unit_ratios):.1f}, range {min(unit_ratios):.1f}-"
          f"{max(unit_ratios):.1f}")
    print(f"removals simulated / second:   {1 / min(units):,.0f} (whole units)")
    print(f"  ... run in bare timeouts at the model's queue depth: {min(runs) / min(deep):.1f}")
    if memory:
        mib = unit_memory_mib(path, len(scenario.alternatives))
        print("memory per run of one alternative (peak RSS above the loaded scenario): "
              + ", ".join(f"{m:.0f}" for m in mib) + " MiB")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scenario", nargs="+", default=[str(p) for p in CASES])
    parser.add_argument("--no-memory", dest="memory", action="store_false")
    parser.add_argument("--wall", action="store_true", help="time by wall clock, not CPU")
    args = parser.parse_args()
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter
    for path in args.scenario:
        bench(Path(path), args.repeat, args.memory)


if __name__ == "__main__":
    main()
