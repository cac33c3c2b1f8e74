"""How long a run or sweep will take, said before it starts.

Work is counted in removals, the model's unit of work: for each customer, aircraft x flight
hours per aircraft per day x sum of QPA / MTBR over its system's parts x horizon days, for every
unit (points x alternatives x replications). Time is removals over this machine's rate plus the
time to build each unit's world, both measured on the scenario itself (a few short runs, a
fraction of a second) when the run is long enough for the estimate to matter, else taken as
``CONSERVATIVE_RATE`` alone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sim.scenario import DAYS_PER_MONTH, Scenario

CONSERVATIVE_RATE = 25_000.0
"""Removals per second per worker when not measured. Issue 16 profiled the reference scenario
(3 nations + a US wing, 200 NSNs) at about 37 us of CPU per removal (27,000 a second); the
case study ``scenarios/fms_follow_on.yaml`` runs at 43,000-91,000 a second on the 2-core
development machine depending on the alternative. The lower figure, rounded down, is used."""
LIMIT_SECONDS = 2 * 3600.0
"""Above this a run needs ``--force``."""
PROBE_ABOVE_SECONDS = 30.0
"""Measure the rate only when the estimate at the conservative rate is at least this long..."""
PROBE_BELOW_FACTOR = 20.0
"""...and at most this many times the limit (past that the answer is the same either way)."""
PROBE_REMOVALS = 5_000.0


def removals_per_unit(scenario: Scenario) -> float:
    """Expected removals in one replication of one alternative, every aircraft flying."""
    total = 0.0
    for c in scenario.customers:
        parts = scenario.system(c.fleet.system).parts
        per_fh = sum(q / scenario.item(nsn).mtbr_fh for nsn, q in parts.items())
        total += c.fleet.aircraft * c.fleet.fh_per_aircraft_month / DAYS_PER_MONTH * per_fh
    return total * scenario.horizon_days


@dataclass(frozen=True)
class Estimate:
    removals: float
    units: int
    workers: int
    rate: float  # removals per second per worker, once a unit's world is built
    measured: bool
    setup: float = 0.0  # seconds to build one unit's world (measured with the rate)

    @property
    def seconds(self) -> float:
        work = self.removals / self.rate + self.units * self.setup
        return work / max(self.workers, 1)

    @property
    def too_long(self) -> bool:
        return self.seconds > LIMIT_SECONDS

    def text(self) -> str:
        how = ("measured on this scenario just now" if self.measured
               else "a conservative figure for this machine, not measured")
        setup = f" + {self.setup:.2f} s to build each unit's world" if self.setup else ""
        return (f"estimate: {_count(self.removals)} removals in {self.units:,} units; about "
                f"{duration(self.seconds)} on {self.workers} worker"
                f"{'s' if self.workers != 1 else ''} at {_count(self.rate)} removals/s per "
                f"worker{setup} ({how})")

    def refusal(self) -> str:
        return (f"{self.text()}.\nThat is more than the {duration(LIMIT_SECONDS)} limit, so "
                "nothing was run: rerun with --force to run it anyway, or cut replications, "
                "sweep points, the horizon or the fleet (or add workers with --cluster).")


def estimate(scenarios: Sequence[Scenario], replications: int, alternatives: int,
             workers: int, probe: bool = True) -> Estimate:
    """The work of running every scenario (a sweep's points, or one) x alternatives x
    replications on ``workers`` workers."""
    units = len(scenarios) * alternatives * replications
    removals = sum(removals_per_unit(s) for s in scenarios) * alternatives * replications
    rough = Estimate(removals, units, workers, CONSERVATIVE_RATE, measured=False)
    if not probe or not (PROBE_ABOVE_SECONDS <= rough.seconds
                         <= PROBE_BELOW_FACTOR * LIMIT_SECONDS):
        return rough
    measured = measure_rate(scenarios[0])
    if measured is None:
        return rough
    rate, setup = measured
    return Estimate(removals, units, workers, rate, measured=True, setup=setup)


def measure_rate(scenario: Scenario) -> tuple[float, float] | None:
    """(removals per second, seconds to build a world) on this scenario: its first
    alternative built and run for no time (the set-up), then run over a horizon cut to about
    ``PROBE_REMOVALS`` removals (the rate is what that adds)."""
    from sim.model.world import World

    per_unit = removals_per_unit(scenario)
    if per_unit <= 0:
        return None
    horizon = min(scenario.horizon_days, scenario.horizon_days * PROBE_REMOVALS / per_unit)
    short = scenario.model_copy(update={"horizon_days": horizon, "warmup_days": 0.0,
                                        "events": [], "eda": None})
    empty = short.model_copy(update={"horizon_days": 1e-6})
    alt = scenario.alternatives[0]
    World(empty, alt, 0).run()  # first use: imports and caches, not part of any unit
    start = time.perf_counter()
    World(empty, alt, 0).run()
    setup = time.perf_counter() - start
    start = time.perf_counter()
    World(short, alt, 0).run()
    running = time.perf_counter() - start - setup
    if running <= 0:
        return None
    return per_unit * horizon / scenario.horizon_days / running, setup


def duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "forever"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds < 365.25 * 86400:
        return f"{seconds / 86400:.1f} days"
    return f"{seconds / (365.25 * 86400):,.0f} years"


def _count(x: float) -> str:
    for div, suffix in ((1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")):
        if x >= div:
            return f"{x / div:,.1f}{suffix}"
    return f"{x:,.0f}"


def batch_units(est: Estimate, pending: int, workers: int, target_seconds: float = 1.0) -> int:
    """Units per task so that a task runs about ``target_seconds`` (short units are batched),
    yet every worker still gets several tasks."""
    if est.units <= 0 or pending <= 0:
        return 1
    per_unit = est.removals / est.units / est.rate + est.setup
    want = math.ceil(target_seconds / per_unit) if per_unit > 0 else pending
    spread = math.ceil(pending / (4 * max(workers, 1)))
    return max(1, min(want, spread))
