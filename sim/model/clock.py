"""The one kind of event the model schedules: call ``fn(arg)`` after a delay.

Most of what happens to a spare needs no process that waits — a shipment arrives, a repair
finishes — so a callback on a scheduled event serves, without a generator, a closure or a
process switch. ``Call`` is a SimPy ``Event``, processed by ``Environment.step`` like any
other. It pushes itself onto the environment's queue exactly as ``Environment.schedule``
does (same (time, priority, id, event) entry, so ties stay first-come first-served against
SimPy's own events); doing it inline saves a call on the model's hottest path, and hot paths read the clock as ``env._now`` for
the same reason. That relies on
SimPy 4's queue layout, which ``pyproject.toml`` pins and ``tests/test_clock.py`` checks.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

from simpy.core import Environment
from simpy.events import NORMAL, Event


def _fire(event: Call) -> None:
    event.fn(event._value)


class Call(Event):
    """A timeout that calls ``fn(arg)`` when it is processed."""

    def __init__(self, env: Environment, delay: float, fn: Callable[[Any], None],
                 arg: Any = None) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        self.env = env
        self.callbacks = [_fire]
        self._value = arg
        self._ok = True
        self.fn = fn
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))
