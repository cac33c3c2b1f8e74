"""Common random numbers: alternatives of one replication share the draws of shared events."""

from __future__ import annotations

import copy

import pandas as pd

from tests.helpers import NSN_A, base_scenario, simulate


def _two_alternatives() -> dict:
    data = base_scenario(replications=2, horizon_days=1500)
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 1000}}   # never NMCS
    data["alternatives"] = [
        {"name": "R&R", "support": {"Nation A": {"option": "repair_and_return", "depot": "Ogden"}}},
        {"name": "DX", "support": {"Nation A": {"option": "direct_exchange"}}},
    ]
    return data


def _removals(data: dict, alternative: int) -> pd.DataFrame:
    events = simulate(data, alternative=alternative, events=True)["events"]
    return events[events.event == "removal"][["replication", "day", "aircraft"]].reset_index(
        drop=True)


def test_alternatives_share_removal_times():
    """Where no aircraft is grounded, both alternatives see the very same removals."""
    data = _two_alternatives()
    rr, dx = _removals(data, 0), _removals(data, 1)
    assert len(rr) > 100
    pd.testing.assert_frame_equal(rr, dx)


def test_changing_one_alternative_leaves_the_other_untouched():
    data = _two_alternatives()
    changed = copy.deepcopy(data)
    changed["alternatives"][1]["support"]["Nation A"] = {"option": "repair_and_return",
                                                          "depot": "Home"}
    changed["depots"][0]["repair_days"] = {"exponential": {"mean": 40}}  # only alt 1 uses Home
    a = simulate(data, alternative=0, events=True)
    b = simulate(changed, alternative=0, events=True)
    for table in ("summary", "items", "events"):
        pd.testing.assert_frame_equal(a[table], b[table])
