"""Engine speed: removals simulated per second, and the cost of one removal in units of a bare
SimPy timeout event measured in the same process.

Machines here are noisy and noise only ever adds time, so each figure is the best of several
interleaved runs (baseline right before each model run); the ratio of the two bests is the
headline, and the spread of per-pair ratios is printed beside it (target <= 15).

    python benchmarks/engine.py [--repeat 7] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

import simpy

from sim.model.world import World
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


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
    t0 = time.perf_counter()
    env.run()
    return (time.perf_counter() - t0) / (n + depth - 1)


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


def removal_seconds(scenario) -> tuple[float, int, int]:
    """Seconds per removal over every alternative of one replication of a scenario."""
    removals = events = 0
    elapsed = 0.0
    for alt in scenario.alternatives:
        world = World(scenario, alt, 0)
        t0 = time.perf_counter()
        result = world.run()
        elapsed += time.perf_counter() - t0
        removals += sum(c.removals for c in world.customers.values())
        events += result.sim_events
    return elapsed / removals, removals, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scenario", default=str(ROOT / "benchmarks" / "engine_fleet.yaml"))
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    removal_seconds(scenario)            # warm caches and imports
    depth = mean_queue_depth(scenario)
    ratios, bares, deep, removals_s = [], [], [], []
    for _ in range(args.repeat):
        gc.collect()
        bare = min(bare_timeout_seconds() for _ in range(3))
        deep.append(min(bare_timeout_seconds(depth=depth) for _ in range(3)))
        per_removal, removals, events = removal_seconds(scenario)
        bares.append(bare)
        removals_s.append(per_removal)
        ratios.append(per_removal / bare)
    print(f"scenario:                      {Path(args.scenario).name}")
    print(f"removals per run:              {removals}")
    print(f"SimPy events per removal:      {events / removals:.2f}")
    print(f"bare timeout (best):           {min(bares) * 1e6:.2f} us with an empty queue, "
          f"{min(deep) * 1e6:.2f} us with {depth} events pending (the model's mean)")
    print(f"one removal (best):            {min(removals_s) * 1e6:.2f} us")
    print(f"removals simulated / second:   {1 / min(removals_s):,.0f}")
    print(f"removal cost in bare timeouts: {min(removals_s) / min(bares):.1f} (target <= 15; "
          f"per-pair ratios median {statistics.median(ratios):.1f}, "
          f"range {min(ratios):.1f}-{max(ratios):.1f} over {args.repeat} runs)")
    print(f"  ... in bare timeouts at the model's queue depth: {min(removals_s) / min(deep):.1f}")


if __name__ == "__main__":
    main()
