"""``Call`` events interleave with SimPy's own events exactly as ``env.timeout`` would."""

from __future__ import annotations

import pytest
import simpy

from sim.model.clock import Call


def test_calls_and_timeouts_run_in_time_then_fifo_order():
    env = simpy.Environment()
    log: list[tuple[float, str]] = []
    Call(env, 2.0, lambda a: log.append((env.now, a)), "call at 2")
    env.timeout(1.0).callbacks.append(lambda e: log.append((env.now, "timeout at 1")))
    env.timeout(2.0).callbacks.append(lambda e: log.append((env.now, "timeout at 2")))
    Call(env, 2.0, lambda a: log.append((env.now, a)), "second call at 2")
    Call(env, 0.0, lambda a: log.append((env.now, a)), "call now")

    def proc(env):
        yield env.timeout(1.5)
        log.append((env.now, "process at 1.5"))

    env.process(proc(env))
    env.run()
    assert log == [(0.0, "call now"), (1.0, "timeout at 1"), (1.5, "process at 1.5"),
                   (2.0, "call at 2"), (2.0, "timeout at 2"), (2.0, "second call at 2")]


def test_negative_delay_is_refused():
    with pytest.raises(ValueError):
        Call(simpy.Environment(), -1.0, print)


def test_run_until_stops_before_later_calls():
    env = simpy.Environment()
    fired: list[float] = []
    for t in (1.0, 5.0, 10.0):
        Call(env, t, fired.append, t)
    env.run(until=6.0)
    assert fired == [1.0, 5.0] and env.now == 6.0
