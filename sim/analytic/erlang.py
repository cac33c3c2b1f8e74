"""Erlang B and C and the M/M/c queue: closed forms for capacity-limited repair shops.

Used to validate the depot when its repair stations, not its stock, set the turnaround: with
Poisson arrivals and exponential repairs a c-station shop is an M/M/c queue. Erlang B uses the
usual recursion B(k) = a·B(k-1) / (k + a·B(k-1)), which never forms a^c or c! and so stays
stable for hundreds of servers.
"""

from __future__ import annotations

import math


def _check_load(servers: int, offered_load: float) -> None:
    """Servers must be a positive whole number and the load finite and non-negative."""
    if int(servers) != servers or servers < 1:
        raise ValueError(f"servers must be a whole number >= 1, got {servers}")
    if not math.isfinite(offered_load) or offered_load < 0:
        raise ValueError(f"offered load must be finite and >= 0, got {offered_load}")


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of an M/G/c/c loss system with offered load a = λ/μ (Erlang B)."""
    _check_load(servers, offered_load)
    b = 1.0
    for k in range(1, int(servers) + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C); needs a < c.

    From Erlang B: C = c·B / (c - a·(1 - B)).
    """
    _check_load(servers, offered_load)
    if offered_load >= servers:
        raise ValueError(f"unstable queue: offered load {offered_load} >= servers {servers}")
    b = erlang_b(servers, offered_load)
    return servers * b / (servers - offered_load * (1.0 - b))


def _check_rates(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Validate an M/M/c and return its offered load; refuse unstable queues."""
    if not (math.isfinite(arrival_rate) and arrival_rate >= 0):
        raise ValueError(f"arrival rate must be finite and >= 0, got {arrival_rate}")
    if not (math.isfinite(service_rate) and service_rate > 0):
        raise ValueError(f"service rate must be finite and > 0, got {service_rate}")
    load = arrival_rate / service_rate
    _check_load(servers, load)
    if arrival_rate >= servers * service_rate:
        raise ValueError(
            f"unstable queue: arrival rate {arrival_rate} >= capacity {servers * service_rate}"
        )
    return load


def mmc_utilization(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Fraction of time a server is busy, ρ = λ/(cμ); below 1 for a stable queue."""
    load = _check_rates(arrival_rate, service_rate, servers)
    return load / servers


def mmc_wait_probability(arrival_rate: float, service_rate: float, servers: int) -> float:
    """P(an arriving job waits) in M/M/c, i.e. Erlang C at load λ/μ."""
    return erlang_c(servers, _check_rates(arrival_rate, service_rate, servers))


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue Wq = C / (cμ - λ), before repair starts."""
    load = _check_rates(arrival_rate, service_rate, servers)
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)


def mmc_mean_queue_length(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean number waiting Lq = λ·Wq (Little's law)."""
    return arrival_rate * mmc_mean_wait(arrival_rate, service_rate, servers)


def mmc_mean_time_in_system(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean turnaround W = Wq + 1/μ: what a depot pipeline uses as its repair time."""
    return mmc_mean_wait(arrival_rate, service_rate, servers) + 1.0 / service_rate


def mmc_mean_in_system(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean number in the shop (waiting or in repair) L = Lq + λ/μ."""
    return mmc_mean_queue_length(arrival_rate, service_rate, servers) + arrival_rate / service_rate


def mgc_mean_wait(arrival_rate: float, mean_service: float, servers: int,
                  service_cv: float) -> float:
    """Approximate mean wait in queue of an M/G/c shop (Allen-Cunneen / Lee-Longton):
    Wq(M/G/c) ≈ Wq(M/M/c)·(1 + cv²)/2, with cv the repair time's coefficient of variation.

    Exact for c = 1 (Pollaczek-Khinchine) and for exponential repair; within a few per cent
    for lognormal or gamma repair at the loads depots run at. Refuses unstable queues.
    """
    if not (math.isfinite(mean_service) and mean_service > 0):
        raise ValueError(f"mean service time must be finite and > 0, got {mean_service}")
    if not (math.isfinite(service_cv) and service_cv >= 0):
        raise ValueError(f"service cv must be finite and >= 0, got {service_cv}")
    wq = mmc_mean_wait(arrival_rate, 1.0 / mean_service, servers)
    return wq * (1.0 + service_cv * service_cv) / 2.0
