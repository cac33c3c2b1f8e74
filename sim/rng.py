"""Named random streams: common random numbers across alternatives.

Every draw comes from a stream keyed by what it is for, e.g. ``("removal", "Nation A",
"2840-01-100-0001")``. A stream's numbers depend only on the scenario seed, the replication
and that key, so two alternatives of one replication see the same removal times, transit
times and condemnations wherever the same thing happens, and changing one alternative cannot
shift another's numbers.

Draws are taken from numpy in blocks, because one scalar draw from a Generator costs about a
microsecond of Python overhead, which would dominate an event-driven model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import numpy as np

BLOCK = 512


def key_to_int(part: object) -> int:
    """A stable 32-bit integer for a key part (Python's hash() is salted per process)."""
    if isinstance(part, int) and part >= 0:
        return part
    return int.from_bytes(hashlib.blake2b(str(part).encode(), digest_size=4).digest(), "little")


def generator(seed: int, replication: int, *key: object) -> np.random.Generator:
    """The numpy Generator for one purpose in one replication."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(replication, *map(key_to_int, key)))
    return np.random.Generator(np.random.PCG64(ss))


Stream = Callable[[], float]


def _blocks(draw_block: Callable[[int], np.ndarray]) -> Iterator[float]:
    while True:
        yield from draw_block(BLOCK).tolist()


def stream(draw_block: Callable[[int], np.ndarray]) -> Stream:
    """A zero-argument callable returning successive draws, made ``BLOCK`` at a time.

    The bound ``__next__`` of a generator costs less than half a Python method call.
    """
    return _blocks(draw_block).__next__


class Streams:
    """Factory of named streams for one (seed, replication)."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def generator(self, *key: object) -> np.random.Generator:
        return generator(self.seed, self.replication, *key)

    def uniform(self, *key: object) -> Stream:
        gen = self.generator(*key)
        return stream(gen.random)

    def integers(self, high: int, *key: object) -> Stream:
        """Uniform integers in [0, high)."""
        gen = self.generator(*key)
        return stream(lambda n: gen.integers(0, high, n))

    def exponential(self, *key: object) -> Stream:
        """Standard exponentials (mean 1); scale by the current mean at use."""
        gen = self.generator(*key)
        return stream(gen.standard_exponential)
