"""Named random streams: common random numbers across alternatives.

Every draw comes from a stream keyed by what it is for, e.g. ``("removal", "Nation A",
"2840-01-100-0001")``. A stream's numbers depend only on the scenario seed, the replication
and that key, so two alternatives of one replication see the same removal times, transit
times and condemnations wherever the same thing happens, and changing one alternative cannot
shift another's numbers.

A world has thousands of streams (the reference scenario about 4,400), most of which draw a
few dozen numbers, so making one must be cheap:

- The key is hashed once (BLAKE2b of the seed, replication and key parts) into the 256 bits
  numpy's PCG64 takes as its seed — 128 bits of state and 128 of stream increment — through
  numpy's own ``ISeedSequence`` interface, which skips building a ``SeedSequence`` (about
  13 us a key; the hash and the PCG64 cost about 3 us). Measured here: a counter-based
  ``Philox`` seeded the same way costs three times a PCG64, and setting one shared bit
  generator's state before every block costs as much as a PCG64 per block.
- The generator is made on a stream's first draw, not when the stream is made: many streams
  (a condemnation replacement's route, a depot's awaiting-parts draws) never draw at all.
- Draws are taken from numpy in blocks, because one scalar draw from a Generator costs about
  a microsecond of Python overhead, which would dominate an event-driven model. Blocks start
  small and double (16, 32, ... 1,024), so a stream holds about as many numbers as it uses:
  full blocks of 512 for every stream were 119 of the 126 MiB a reference world held.
- A block is kept as an ``array.array`` of machine numbers, not a list of Python objects:
  each number becomes a Python float (or int) only when it is drawn, and the cyclic
  collector, freeing a world, has nothing to traverse in its streams (lists of floats were
  about 227,000 objects of a reference world at its end). The numbers are the same.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from hashlib import blake2b
from itertools import chain

import numpy as np
from numpy.random import PCG64, Generator
from numpy.random.bit_generator import ISeedSequence

FIRST_BLOCK = 16
MAX_BLOCK = 1024
#: The first block of a stream drawing from its own key's generator (see ``_blocks``).
KEY_FIRST_BLOCK = 128

_PCG64_BYTES = 32                     # PCG64's seed: 128 bits of state, 128 of increment
_NATIVE_U64 = np.dtype("<u8")
_SALT0 = bytes(16)                    # the first hash's salt: counter 0 as 16 bytes

Stream = Callable[[], float]
#: Draws ``n`` numbers of one law from a Generator: ``draw(gen, n)``.
BlockDraw = Callable[[Generator, int], np.ndarray]


class StreamKey(ISeedSequence):
    """The seed of one stream: (scenario seed, replication, key parts), hashed on demand.

    numpy's bit generators accept any ``ISeedSequence`` and ask it for their initial state
    words; this one derives them with BLAKE2b, so equal keys give equal streams in every
    process and different keys unrelated ones."""

    __slots__ = ("parts",)

    def __init__(self, seed: int, replication: int, *key: object) -> None:
        self.parts = (seed, replication, *key)

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        dt = np.dtype(dtype)
        size = n_words * dt.itemsize
        # Parts as text, joined by the unit separator; the type tag keeps the integer 1 apart
        # from the name "1".
        text = "\x1f".join([f"i{p}" if isinstance(p, int) else f"s{p}"
                             for p in self.parts]).encode()
        if size == _PCG64_BYTES and dt == _NATIVE_U64:
            # What PCG64 asks for (four 64-bit words): one hash, read in place, the same
            # words the general loop below gives.
            return np.frombuffer(blake2b(text, digest_size=_PCG64_BYTES,
                                         salt=_SALT0).digest(), dtype=_NATIVE_U64)
        out = b""
        counter = 0
        while len(out) < size:                     # 64 bytes a hash; PCG64 needs 32
            out += blake2b(text, digest_size=min(64, size - len(out)),
                           salt=counter.to_bytes(16, "little")).digest()
            counter += 1
        return np.frombuffer(out, dtype=dt.newbyteorder("<")).astype(dt)

    def generator(self) -> Generator:
        return Generator(PCG64(self))


Source = StreamKey | Generator


def _blocks(draw: BlockDraw, source: Source) -> Iterator[array]:
    # A generator function's body runs at the first ``next``: the Generator is made then.
    # Each block is copied into an ``array.array`` (a memcpy): its items become Python
    # floats (or ints) only as they are drawn, and, unlike a list, it holds no objects for
    # the cyclic collector to traverse when the world is freed.
    #
    # A key's generator is the stream's own, so how its sequence is cut into blocks cannot
    # change a number: its first block is 128 (four blocks fewer for a stream drawing a
    # hundred numbers, 1 KiB). A Generator passed in may be drawn on by its owner after the
    # first block (EDA deliveries), so its blocks are exactly 16, 32, ... as ever.
    if isinstance(source, StreamKey):
        gen = source.generator()
        n = KEY_FIRST_BLOCK
    else:
        gen = source
        n = FIRST_BLOCK
    while True:
        values = draw(gen, n)
        yield array(values.dtype.char, values.tobytes())
        if n < MAX_BLOCK:
            n += n


def stream(draw: BlockDraw, source: Source) -> Stream:
    """A zero-argument callable returning successive draws of ``draw`` from ``source``.

    The bound ``__next__`` of a ``chain`` over the blocks runs in C between blocks: about
    a third of a Python method call per draw."""
    return chain.from_iterable(_blocks(draw, source)).__next__


def _uniform(gen: Generator, n: int) -> np.ndarray:
    return gen.random(n)


def _exponential(gen: Generator, n: int) -> np.ndarray:
    return gen.standard_exponential(n)


class Streams:
    """Factory of named streams for one (seed, replication)."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def key(self, *key: object) -> StreamKey:
        """The seed of the stream for ``key`` (nothing is drawn or built until it is used)."""
        return StreamKey(self.seed, self.replication, *key)

    def generator(self, *key: object) -> Generator:
        """A numpy Generator for ``key``, for the few draws that need one directly."""
        return self.key(*key).generator()

    def uniform(self, *key: object) -> Stream:
        return stream(_uniform, self.key(*key))

    def integers(self, high: int, *key: object) -> Stream:
        """Uniform integers in [0, high)."""
        return stream(lambda gen, n: gen.integers(0, high, n), self.key(*key))

    def exponential(self, *key: object) -> Stream:
        """Standard exponentials (mean 1); scale by the current mean at use."""
        return stream(_exponential, self.key(*key))
