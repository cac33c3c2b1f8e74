"""Named random streams: the same key gives the same numbers in every world and process, and
different keys give numbers that look independent (common random numbers rest on both)."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from sim.model.world import World
from sim.rng import FIRST_BLOCK, MAX_BLOCK, StreamKey, Streams, stream
from sim.scenario import Scenario
from tests.helpers import NSN_A, base_scenario

N = 20_000     # crosses every block size, 16 to 1,024


def _draws(stream, n: int = N) -> np.ndarray:
    return np.fromiter((stream() for _ in range(n)), dtype=float, count=n)


def test_same_key_same_sequence_whatever_else_is_drawn():
    a, b = Streams(7, 3), Streams(7, 3)
    first = a.uniform("condemn", "Nation A", NSN_A)
    other = a.uniform("condemn", "Nation B", NSN_A)
    second = b.uniform("condemn", "Nation A", NSN_A)
    mixed = []
    for _ in range(N):              # interleaved with another stream in one world only
        mixed.append(first())
        other()
    np.testing.assert_array_equal(np.array(mixed), _draws(second))


def test_blocks_grow_and_concatenate_to_one_generator_sequence():
    """Blocks of 16, 32, ... 1,024 draws give the key's generator's own sequence of uniforms,
    so block sizes are an implementation detail, not part of a stream's identity."""
    got = _draws(Streams(7, 3).uniform("x", 1))
    np.testing.assert_array_equal(got, StreamKey(7, 3, "x", 1).generator().random(N))
    assert FIRST_BLOCK < MAX_BLOCK


def test_same_key_same_sequence_across_worlds_and_alternatives():
    data = base_scenario()
    data["alternatives"].append({"name": "DX", "support": {
        "Nation A": {"option": "direct_exchange"}}})
    scenario = Scenario.model_validate(data)
    rr, dx = (World(scenario, alt, 2) for alt in scenario.alternatives)
    for key in (("removal", "Nation A", NSN_A), ("condemn", "Nation A", NSN_A)):
        np.testing.assert_array_equal(_draws(rr.streams.exponential(*key), 2000),
                                      _draws(dx.streams.exponential(*key), 2000))
    gaps = [w.customers["Nation A"].fleet for w in (rr, dx)]
    for fleet in gaps:
        fleet.start()
    a, b = (f.generators[0] for f in gaps)
    np.testing.assert_array_equal(_draws(a.gap, 2000), _draws(b.gap, 2000))
    np.testing.assert_array_equal(_draws(a.pick, 2000), _draws(b.pick, 2000))


def test_same_key_same_sequence_in_another_process():
    code = ("import json; from sim.rng import Streams; s = Streams(20261122, 4).uniform("
            "'transit', 'Nation A', '1111-01-000-0001', 'carcass'); "
            "print(json.dumps([s() for _ in range(40)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    here = Streams(20261122, 4).uniform("transit", "Nation A", NSN_A, "carcass")
    assert json.loads(out) == [here() for _ in range(40)]


KEYS = [
    (7, 3, ("condemn", "Nation A", NSN_A)),
    (7, 3, ("condemn", "Nation B", NSN_A)),      # another customer
    (7, 3, ("condemn", "Nation A", "2222-01-000-0002")),   # another NSN
    (7, 3, ("repair", "Nation A", NSN_A)),       # another purpose
    (7, 4, ("condemn", "Nation A", NSN_A)),      # another replication
    (8, 3, ("condemn", "Nation A", NSN_A)),      # another seed
    (7, 3, ("eda", "Nation A", 1)),
    (7, 3, ("eda", "Nation A", "1")),           # the name "1" is not the index 1
    (7, 3, ("condemn", "Nation A", NSN_A, "")),  # one more (empty) part
]


@pytest.fixture(scope="module")
def samples() -> list[np.ndarray]:
    return [_draws(Streams(seed, rep).uniform(*key)) for seed, rep, key in KEYS]


def test_different_keys_look_independent(samples):
    """Pairwise correlations within 4.5 standard errors of zero (1/sqrt(n)), for the values
    and for successive pairs shifted by one; no two streams share a value."""
    bound = 4.5 / math.sqrt(N)
    for (i, x), (j, y) in itertools.combinations(enumerate(samples), 2):
        assert abs(np.corrcoef(x, y)[0, 1]) < bound, (KEYS[i], KEYS[j])
        assert abs(np.corrcoef(x[1:], y[:-1])[0, 1]) < bound, (KEYS[i], KEYS[j])
        assert not np.intersect1d(x, y).size, (KEYS[i], KEYS[j])


def test_each_stream_is_uniform_and_serially_uncorrelated(samples):
    for key, x in zip(KEYS, samples, strict=True):
        assert stats.kstest(x, "uniform").pvalue > 1e-4, key
        assert abs(np.corrcoef(x[1:], x[:-1])[0, 1]) < 4.5 / math.sqrt(N), key


def test_integer_and_exponential_streams_have_their_laws():
    s = Streams(11, 0)
    picks = _draws(s.integers(7, "removal_aircraft", "Nation A", NSN_A)).astype(int)
    assert picks.min() == 0 and picks.max() == 6
    counts = np.bincount(picks, minlength=7)
    assert stats.chisquare(counts).pvalue > 1e-4
    gaps = _draws(s.exponential("removal", "Nation A", NSN_A))
    assert stats.kstest(gaps, "expon").pvalue > 1e-4


def test_a_generator_passed_in_is_drawn_in_blocks_of_16_then_32():
    """A stream over a Generator its owner draws on too (EDA deliveries, then yields) takes
    exactly 16 numbers at its first draw and 32 at its 17th, whatever a key's stream takes."""
    gen = StreamKey(7, 3, "eda").generator()
    twin = StreamKey(7, 3, "eda").generator()
    draw = stream(lambda g, n: g.random(n), gen)
    assert draw() == twin.random(FIRST_BLOCK)[0]
    assert gen.random() == twin.random()            # the owner's next draw: the 17th number
    for _ in range(FIRST_BLOCK - 1):
        draw()
    draw()                                          # the second block: 32 numbers
    twin.random(2 * FIRST_BLOCK)
    assert gen.random() == twin.random()


def test_a_keys_stream_values_are_python_numbers():
    s = Streams(7, 3)
    assert type(s.uniform("u")()) is float
    assert type(s.exponential("e")()) is float
    assert type(s.integers(5, "i")()) is int
