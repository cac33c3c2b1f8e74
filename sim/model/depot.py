"""Repair depots: repair lines (or ample capacity), FIFO queue, condemnation at induction, and
the wait for bit-piece parts (awaiting parts, AWP) that holds no line."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heappush
from typing import TYPE_CHECKING

from simpy.events import NORMAL

from sim.model.clock import Traveller
from sim.model.distributions import Sampler, sampler
from sim.scenario.models import Depot as DepotSpec

if TYPE_CHECKING:
    from sim.model.world import World


class Port:
    """Where one owner's carcasses of one NSN enter a depot: the draws that decide their
    condemnation and repair time come from streams of their own (common random numbers)."""

    __slots__ = ("awp_days", "awp_draw", "awp_probability", "condemn", "condemnation_rate",
                 "depot", "nsn", "repair_time")

    def __init__(self, depot: Depot, owner: str, nsn: str) -> None:
        world = depot.world
        self.depot = depot
        self.nsn = nsn
        self.condemn = world.streams.uniform("condemn", owner, nsn)
        self.condemnation_rate = world.items[nsn].condemnation_rate
        self.repair_time: Sampler = depot.repair_sampler(nsn)
        awp = world.items[nsn].awaiting_parts or depot.spec.awaiting_parts
        self.awp_probability = 0.0 if awp is None else awp.probability
        if self.awp_probability > 0:
            self.awp_draw = world.streams.uniform("awaiting_parts", owner, nsn)
            self.awp_days = sampler(awp.days, world.streams.key(
                "awaiting_parts_days", depot.name, owner, nsn))


class RepairJob(Traveller):
    """One carcass on its way to and through a depot; ``done(job)`` or ``condemned(job)`` is
    called on its outcome. The job itself is the event of its shipment and of its repair."""

    __slots__ = ("arrived", "condemned", "context", "done", "port")

    def __init__(self, port: Port, done: Callable, condemned: Callable,
                 context: object = None) -> None:
        self.port = port
        self.done = done
        self.condemned = condemned
        self.context = context
        self.arrived = 0.0


class Depot:
    """A repair facility. Lines are counted directly rather than held as a SimPy Resource: a
    repair needs no process that waits, so a callback on the repair's event serves it with one
    event per repair; the queue is first come, first served, as a Resource's would be."""

    def __init__(self, world: World, spec: DepotSpec) -> None:
        self.world = world
        self.spec = spec
        self.name = spec.name
        self.country = spec.country
        self.lines = spec.repair_lines
        self.capacity = float("inf") if spec.repair_lines is None else spec.repair_lines
        self.busy = 0
        self.env = world.env
        self.heap = world.env._queue
        self.eid = world.env._eid
        self.recorder = world.recorder
        self.warmup = world.warmup
        self.queue: deque[RepairJob] = deque()
        self.stats = world.recorder.depot(spec.name, spec.repair_lines)
        self._repair: dict[str, Sampler] = {}
        self._ports: dict[tuple[str, str], Port] = {}
        self.finish_cbs = [self._finish]   # made once, shared: every repair's event has it
        self.induct_cbs = [self.induct]    # the same for carcasses shipped to the depot
        self.parts_cb = self._parts_arrived

    def repair_cost(self, nsn: str) -> float:
        return self.world.items[nsn].repair_cost_usd * self.spec.cost_factor

    def repair_sampler(self, nsn: str) -> Sampler:
        draw = self._repair.get(nsn)
        if draw is None:
            draw = sampler(self.spec.repair_days,
                           self.world.streams.key("repair", self.name, nsn))
            self._repair[nsn] = draw
        return draw

    def port(self, owner: str, nsn: str) -> Port:
        port = self._ports.get((owner, nsn))
        if port is None:
            port = self._ports[(owner, nsn)] = Port(self, owner, nsn)
        return port

    def induct(self, job: RepairJob) -> None:
        """A carcass arrives: it is screened (condemned or not), then queued for a line."""
        now = self.env._now
        stats = self.stats
        if self.recorder.measuring:
            stats.inductions += 1
        port = job.port
        if port.condemn() < port.condemnation_rate:
            job.condemned(job)
            return
        job.arrived = now
        if port.awp_probability and port.awp_draw() < port.awp_probability:
            # Waits for a bit-piece part first, holding no line.
            delay = port.awp_days()
            stats.awp.add(now, 1)
            if now >= self.warmup:
                stats.awp_count += 1
                stats.awp_sum += delay
            job.arrive_after(self.env, delay, self.parts_cb)
        elif self.busy < self.capacity:
            # A free line starts at once (``_ready`` and ``busy.add`` inlined: this is every
            # repair's path).
            self.busy += 1
            busy = stats.busy
            busy.area += busy.value * (now - busy.t_last)
            busy.t_last = now
            busy.value += 1
            if now >= self.warmup:
                stats.started += 1              # queue_sum += 0: it waited for nothing
            job.callbacks = self.finish_cbs
            heappush(self.heap, (now + port.repair_time(), NORMAL, next(self.eid), job))
        else:
            self.queue.append(job)
            stats.queue.add(now, 1)

    def _parts_arrived(self, job: RepairJob) -> None:
        now = self.env._now
        self.stats.awp.add(now, -1)
        self._ready(job, now)

    def _ready(self, job: RepairJob, now: float) -> None:
        """A carcass ready for repair takes a free line or joins the queue."""
        stats = self.stats
        if self.busy < self.capacity:
            self.busy += 1
            stats.busy.add(now, 1)
            self._start(job, now)
        else:
            self.queue.append(job)
            stats.queue.add(now, 1)

    def _start(self, job: RepairJob, now: float) -> None:
        """A line (already counted busy) takes up ``job``."""
        stats = self.stats
        if now >= self.warmup:
            stats.started += 1
            stats.queue_sum += now - job.arrived
        job.callbacks = self.finish_cbs
        heappush(self.heap, (now + job.port.repair_time(), NORMAL, next(self.eid), job))

    def _finish(self, job: RepairJob) -> None:
        now = self.env._now
        stats = self.stats
        if now >= self.warmup:
            stats.repairs += 1
            stats.turnaround_sum += now - job.arrived
        queue = self.queue
        if queue and self.busy <= self.capacity:
            stats.queue.add(now, -1)          # the freed line goes straight to the next job
            self._start(queue.popleft(), now)
        else:
            self.busy -= 1
            busy = stats.busy                  # ``busy.add(now, -1)`` inlined
            busy.area += busy.value * (now - busy.t_last)
            busy.t_last = now
            busy.value -= 1
        job.done(job)

    def set_lines(self, lines: int) -> None:
        """A depot line change on the timeline; queued work starts if lines were added."""
        now = self.world.env.now
        stats = self.stats
        stats.capacity.add(now, lines - (self.lines or 0))
        self.lines = lines
        self.capacity = lines
        while self.queue and self.busy < self.lines:
            self.busy += 1
            stats.busy.add(now, 1)
            stats.queue.add(now, -1)
            self._start(self.queue.popleft(), now)
