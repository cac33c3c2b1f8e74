"""Repair depots: repair lines (or ample capacity), FIFO queue, condemnation at induction."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Callable

from sim.model.distributions import Sampler, sampler
from sim.rng import Stream
from sim.scenario.models import Depot as DepotSpec

if TYPE_CHECKING:
    from sim.model.world import World


class RepairJob:
    """One carcass at a depot; ``done(job)`` or ``condemned(job)`` is called on its outcome."""

    __slots__ = ("nsn", "owner", "arrived", "done", "condemned", "context")

    def __init__(self, nsn: str, owner: str, done: Callable, condemned: Callable,
                 context: object = None) -> None:
        self.nsn = nsn
        self.owner = owner
        self.done = done
        self.condemned = condemned
        self.context = context
        self.arrived = 0.0


class Depot:
    """A repair facility. Lines are counted directly rather than as a SimPy Resource: a repair
    needs no process that waits, so a callback on the repair's timeout serves it with one event
    per repair (the queue discipline is first come, first served, as a Resource's would be)."""

    def __init__(self, world: "World", spec: DepotSpec) -> None:
        self.world = world
        self.spec = spec
        self.name = spec.name
        self.country = spec.country
        self.lines = spec.repair_lines
        self.busy = 0
        self.queue: deque[RepairJob] = deque()
        self.stats = world.recorder.depot(spec.name, spec.repair_lines)
        self._repair: dict[str, Sampler] = {}
        self._condemn: dict[tuple[str, str], Stream] = {}

    def repair_cost(self, nsn: str) -> float:
        return self.world.scenario.item(nsn).repair_cost_usd * self.spec.cost_factor

    def induct(self, job: RepairJob) -> None:
        """A carcass arrives: it is screened (condemned or not), then queued for a line."""
        world = self.world
        now = world.env.now
        if world.recorder.measuring:
            self.stats.inductions += 1
        key = (job.owner, job.nsn)
        draw = self._condemn.get(key)
        if draw is None:
            draw = world.streams.uniform("condemn", job.owner, job.nsn)
            self._condemn[key] = draw
        if draw() < world.items[job.nsn].condemnation_rate:
            job.condemned(job)
            return
        job.arrived = now
        self.stats.backlog.add(now, 1)
        if self.lines is None or self.busy < self.lines:
            self._start(job)
        else:
            self.queue.append(job)

    def _start(self, job: RepairJob) -> None:
        world = self.world
        now = world.env.now
        self.busy += 1
        self.stats.busy.add(now, 1)
        if now >= world.warmup:
            self.stats.started += 1
            self.stats.queue_sum += now - job.arrived
        draw = self._repair.get(job.nsn)
        if draw is None:
            draw = sampler(self.spec.repair_days,
                           world.streams.generator("repair", self.name, job.nsn))
            self._repair[job.nsn] = draw
        world.after(draw(), self._finish, job)

    def _finish(self, job: RepairJob) -> None:
        world = self.world
        now = world.env.now
        self.busy -= 1
        self.stats.busy.add(now, -1)
        self.stats.backlog.add(now, -1)
        if now >= world.warmup:
            self.stats.repairs += 1
            self.stats.turnaround_sum += now - job.arrived
        while self.queue and (self.lines is None or self.busy < self.lines):
            self._start(self.queue.popleft())
        job.done(job)

    def set_lines(self, lines: int) -> None:
        """A depot line change on the timeline; queued work starts if lines were added."""
        now = self.world.env.now
        self.stats.capacity.add(now, lines - (self.lines or 0))
        self.lines = lines
        while self.queue and self.busy < self.lines:
            self._start(self.queue.popleft())
