"""The events the model schedules: call ``fn(arg)`` after a delay, or hand an object that
travels (a carcass) to a callback on arrival.

Most of what happens to a spare needs no process that waits — a shipment arrives, a repair
finishes — so a callback on a scheduled event serves, without a generator, a closure or a
process switch. Both kinds below are processed by SimPy's ``Environment.step`` exactly like
its own events: it pops ``(time, priority, id, event)`` from the environment's queue, calls
each of ``event.callbacks`` with the event and checks ``event._ok``. They push themselves onto
that queue as ``Environment.schedule`` does (ties stay first-come first-served against SimPy's
own events), and hot paths read the clock as ``env._now``; both save calls on the model's
hottest path. That relies on SimPy 4's queue layout, which ``pyproject.toml`` pins and
``tests/test_clock.py`` checks.

Objects that are themselves events follow the same protocol: a ``_ok = True`` class
attribute, a ``callbacks`` list of callables taking the event, and an entry pushed onto the
queue. An object whose arrivals carry nothing of their own (a customer's shelf: "one unit
arrived") may be pending any number of times at once; SimPy clears ``callbacks`` when it
processes an entry, so its callback sets them back first.

The hottest paths (a carcass shipped or put on a line, a serviceable shipped to a shelf) push
their entries inline, with a ``callbacks`` list made once and shared (SimPy only iterates
it); their delays are drawn from the scenario's distributions, non-negative by validation.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

from simpy.core import Environment
from simpy.events import NORMAL


def _fire(event: Call) -> None:
    event.fn(event._value)


class Call:
    """A timeout that calls ``fn(arg)`` when it is processed. Slotted and not a subclass of
    ``simpy.Event`` (which has a ``__dict__``), because one is made for every delay."""

    __slots__ = ("_value", "callbacks", "fn")
    _ok = True

    def __init__(self, env: Environment, delay: float, fn: Callable[[Any], None],
                 arg: Any = None) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        self.callbacks = [_fire]
        self._value = arg
        self.fn = fn
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))


class Traveller:
    """Base of objects that are themselves scheduled (a carcass in transit or in repair):
    ``arrive_after`` hands the object to ``callback(obj)`` after ``delay`` with no wrapper."""

    __slots__ = ("callbacks",)
    _ok = True

    def arrive_after(self, env: Environment, delay: float,
                     callback: Callable[[Any], None]) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        self.callbacks = [callback]
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))
