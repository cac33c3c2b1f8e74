"""The Palm scenario of ``benchmarks/startup_palm.yaml`` written by hand in SimPy, as an
analyst would without ``sustain``: the yardstick of ``benchmarks/startup.py``.

1,000 aircraft fly 1 FH a day; each carries one unit of one reparable removed after an
exponential life (MTBR 400 FH) while its aircraft flies. A removal takes a spare from the
shelf (30 at day 0) or grounds the aircraft until one comes back; the carcass is repaired in
10 days (ample depot, no transit) and returns to the shelf, filling the oldest hole first.
Prints availability, backorders and fill rate after a 500-day warm-up of 10,000 days.
"""

from __future__ import annotations

import random
from collections import deque

import simpy

AIRCRAFT, MTBR_FH, FH_PER_DAY = 1000, 400.0, 1.0
STOCK, REPAIR_DAYS = 30, 10.0
HORIZON, WARMUP = 10_000.0, 500.0


def main(seed: int = 1) -> None:
    env = simpy.Environment()
    rng = random.Random(seed)
    flying = [True] * AIRCRAFT
    shelf = [STOCK]
    holes: deque[int] = deque()
    stats = {"nmcs_area": 0.0, "bo_area": 0.0, "t": 0.0, "nmcs": 0, "demands": 0, "filled": 0}

    def level_change(d_nmcs: int) -> None:
        now = env.now
        lo = max(stats["t"], WARMUP)
        if now > lo:
            stats["nmcs_area"] += stats["nmcs"] * (now - lo)
            stats["bo_area"] += len(holes) * (now - lo)
        stats["t"] = now
        stats["nmcs"] += d_nmcs

    def repair():
        yield env.timeout(REPAIR_DAYS)
        if holes:
            level_change(-1)
            a = holes.popleft()
            flying[a] = True
        else:
            shelf[0] += 1

    def removals():
        rate = AIRCRAFT * FH_PER_DAY / MTBR_FH           # thinned by the grounded aircraft
        while True:
            yield env.timeout(rng.expovariate(rate))
            a = rng.randrange(AIRCRAFT)
            if not flying[a]:
                continue
            if env.now >= WARMUP:
                stats["demands"] += 1
            if shelf[0] > 0:
                shelf[0] -= 1
                if env.now >= WARMUP:
                    stats["filled"] += 1
            else:
                level_change(+1)
                flying[a] = False
                holes.append(a)
            env.process(repair())

    env.process(removals())
    env.run(until=HORIZON)
    level_change(0)
    span = HORIZON - WARMUP
    print(f"availability      {1 - stats['nmcs_area'] / span / AIRCRAFT:.4f}")
    print(f"backorders_mean   {stats['bo_area'] / span:.4f}")
    print(f"fill_rate         {stats['filled'] / max(stats['demands'], 1):.4f}")
    print(f"demands           {stats['demands']}")


if __name__ == "__main__":
    main()
