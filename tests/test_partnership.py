"""Weapon System Partnerships (issue 10): the pooled store against Palm's theorem for the
members' summed demand, the cost-sharing formulas to the cent, a partnership of one against
that nation alone, and the third-country rules on the partnership's depot."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from sim.analytic import pooled
from sim.analytic.pipeline import ebo, fill_rate
from sim.analytic.predict import AlternativeModel, predict
from sim.model.world import run_unit
from sim.scenario import Scenario, ScenarioError, parse_text
from tests.helpers import NSN_A, assert_close_to_theory, base_scenario, simulate

MEMBERS = ("Nation A", "Nation B", "Nation C")


def _three_nations(aircraft=(1000, 600, 400), legs=(4, 6, 8), **data) -> dict:
    """Three FMS nations flying 1 FH a day per aircraft, a contractor depot in Belgium, the
    pooled store in Luxembourg (3 days from the depot, 2 days to each member)."""
    d = base_scenario(**data)
    d["depots"].append({"name": "Sabca", "kind": "contractor", "country": "Belgium",
                        "repair_days": {"lognormal": {"mean": 20, "cv": 0.6}}})
    nation = d["customers"][0]
    d["customers"] = []
    d["transport"] = [{"between": ["Belgium", "Luxembourg"], "days": 3, "cost_usd": 150},
                      {"between": ["US", "Luxembourg"], "days": 12, "cost_usd": 400}]
    for name, n, leg in zip(MEMBERS, aircraft, legs, strict=True):
        c = copy.deepcopy(nation)
        c.update(name=name, country=name)
        c["fleet"]["aircraft"] = n
        d["customers"].append(c)
        d["transport"] += [{"between": [name, "Belgium"], "days": leg, "cost_usd": 200},
                           {"between": ["Luxembourg", name], "days": 2, "cost_usd": 50},
                           {"between": ["US", name], "days": 10, "cost_usd": 100}]
    d["partnerships"] = [{"name": "WSP", "members": list(MEMBERS),
                          "store_country": "Luxembourg", "depot": "Sabca",
                          "initial_stock": {"quantities": {NSN_A: 10}},
                          "cost_sharing": {"method": "fleet"}, "management_fee_rate": 0.05}]
    d["alternatives"] = [
        {"name": "Pool", "support": {m: {"option": "partnership", "partnership": "WSP"}
                                     for m in MEMBERS}},
        {"name": "Alone", "support": {m: {"option": "repair_and_return", "depot": "Ogden"}
                                      for m in MEMBERS}}]
    return d


@pytest.fixture(scope="module")
def palm_run():
    """MTBR 5,000 FH: 0.2, 0.12 and 0.08 removals a day; 10 % condemned at induction and
    bought by the agency from ample wholesale stock (12 days to the store). Members hold no
    stock, so every removal waits at the pool first come, first served."""
    d = _three_nations(horizon_days=6000, warmup_days=600, replications=12)
    d["items"][0].update(mtbr_fh=5000, condemnation_rate=0.1)
    return d, simulate(d)


def _palm_mean(d: dict) -> tuple[float, list[float]]:
    """Units owed to the store: each member's rate x its loop (carcass leg, then repair and
    the leg to the store, or — condemned — the agency's buy from the US)."""
    c = d["items"][0]["condemnation_rate"]
    rates = [n / d["items"][0]["mtbr_fh"] for n in (1000, 600, 400)]
    loops = [leg + (1 - c) * (20 + 3) + c * 12 for leg in (4, 6, 8)]
    return sum(r * t for r, t in zip(rates, loops, strict=True)), rates


def test_pooled_store_backorders_are_palms_for_the_summed_demand(palm_run):
    """Independent Poisson demands superpose: the store's pipeline is Poisson(sum of rate x
    loop) whatever the repair law, so its backorders against 10 units are E[(X - 10)+]
    exactly (fleets of 400 to 1,000 aircraft: a negligible finite-fleet effect). Each
    member, holding nothing, waits for its demand share of them, and its shelf's
    backorders add the 2-day issue leg."""
    d, out = palm_run
    m0, rates = _palm_mean(d)
    rows = out["partnerships"]
    pool = rows.groupby("replication").first()
    e0 = float(ebo(10, m0))
    assert_close_to_theory(pool.pool_backorders_mean, e0, "pool backorders")
    assert_close_to_theory(pool.pool_fill_rate, float(fill_rate(10, m0)), "pool fill rate")
    assert_close_to_theory(pool.pool_stock_mean, 10 - m0 + e0, "pool stock on hand")
    total = sum(rates)
    items = out["items"]
    for name, rate in zip(MEMBERS, rates, strict=True):
        share = rate / total
        at_pool = rows[rows.customer == name].backorders_mean
        assert_close_to_theory(at_pool, share * e0, f"{name} waiting at the pool")
        shelf = items[items.customer == name].backorders_mean
        assert_close_to_theory(shelf, rate * 2 + share * e0, f"{name} shelf backorders")


def test_the_analytic_twin_is_that_closed_form(palm_run):
    """``sustain analytic``'s pooled store is the same Palm figure, and each member's shelf
    the issue leg plus its share (zero stock: exact, not an approximation)."""
    d, _ = palm_run
    scenario = Scenario.model_validate(d)
    model = AlternativeModel(scenario, scenario.alternatives[0])
    [store] = pooled.pool_predictions(model)
    m0, rates = _palm_mean(d)
    assert store.stock == 10
    assert store.pipeline_mean == pytest.approx(m0, rel=1e-12)
    assert store.ebo == pytest.approx(float(ebo(10, m0)), rel=1e-9)
    for name, rate in zip(MEMBERS, rates, strict=True):
        item = model.item(name, NSN_A)
        assert item.option == "partnership"
        assert item.ebo == pytest.approx(rate * 2 + rate / sum(rates) * store.ebo, rel=1e-9)
    answers = {cp.customer: cp for cp in predict(scenario)[0].customers}
    assert all(answers[m].answered and answers[m].availability_finite_fleet > 0.99
               for m in MEMBERS)


def _sharing(method: str) -> dict:
    d = _three_nations(aircraft=(24, 12, 8), horizon_days=900, warmup_days=100,
                       replications=2, period_days=45)
    d["items"][0].update(mtbr_fh=300, condemnation_rate=0.1)
    d["customers"][1]["fleet"]["fh_per_aircraft_month"] = 60     # B flies twice as much
    d["partnerships"][0].update(initial_stock={"months_of_demand": 2},
                                cost_sharing={"method": method})
    if method == "fixed":
        d["partnerships"][0]["cost_sharing"]["shares"] = {"Nation A": 0.5, "Nation B": 0.3,
                                                          "Nation C": 0.2}
    return d


@pytest.mark.parametrize("method", ["flying_hours", "fleet", "demand", "fixed"])
def test_members_shares_add_up_to_the_pools_cost_exactly(method):
    """The pool's every cost — its initial stock bought at day 0, repairs, shipments, the
    agency's FMS buys with their surcharge, the 5 % fee — is charged back in full: the
    members' shares add up to the pool's cost to the cent, each member's summary cost is
    its share (it has no other cost), and costs.parquet still sums to summary.cost_usd."""
    d = _sharing(method)
    out = simulate(d)
    rows = out["partnerships"]
    for _, rep in rows.groupby("replication"):
        pool_cost = rep.pool_cost_usd.iloc[0]
        assert pool_cost > 0
        assert rep.share_usd.sum() == pytest.approx(pool_cost, abs=0.005)
        assert rep.share.sum() == pytest.approx(1.0, abs=1e-12)
        assert rep.pool_fee_usd.iloc[0] == pytest.approx(pool_cost * 0.05 / 1.05, rel=1e-9)
    summary = out["summary"].merge(rows, on=["alternative", "replication", "customer"])
    assert np.allclose(summary.cost_usd, summary.share_usd, rtol=0, atol=0.005)
    costs = out["costs"].groupby(["replication", "customer"]).constant_usd.sum()
    total = out["summary"].set_index(["replication", "customer"]).cost_usd
    assert np.allclose(costs.loc[total.index], total, rtol=0, atol=0.005)
    shares = rows.groupby("customer").share.mean()
    if method == "fleet":
        assert shares.to_dict() == pytest.approx({"Nation A": 24 / 44, "Nation B": 12 / 44,
                                                  "Nation C": 8 / 44}, abs=1e-12)
    elif method == "fixed":
        assert shares.to_dict() == pytest.approx({"Nation A": 0.5, "Nation B": 0.3,
                                                  "Nation C": 0.2}, abs=1e-12)
    elif method == "flying_hours":            # B's 12 aircraft fly like A's 24
        assert shares["Nation A"] == pytest.approx(shares["Nation B"], rel=0.05)
    else:                                     # by demand on the pool
        demand = rows.groupby("customer").demands.sum()
        assert shares.to_dict() == pytest.approx((demand / demand.sum()).to_dict(), abs=0.03)


def test_fixed_shares_are_renormalised_over_the_members_that_join():
    d = _sharing("fixed")
    d["alternatives"][0]["support"]["Nation C"] = {"option": "repair_and_return",
                                                   "depot": "Ogden"}
    rows = simulate(d, replications=1)["partnerships"]
    assert set(rows.customer) == {"Nation A", "Nation B"}
    assert rows.set_index("customer").share.to_dict() == pytest.approx(
        {"Nation A": 0.625, "Nation B": 0.375}, abs=1e-12)


def _alone_and_in_a_partnership_of_one(pool_stock: int, shelf: int) -> dict:
    """Nation A on third-country repair at Regional (2 lines, awaiting parts, 10 %
    condemned and bought from thin wholesale stock), against a partnership of Nation A
    alone with its store at home, the same depot and no fee."""
    d = base_scenario(replications=3)
    d["items"][0].update(condemnation_rate=0.1, awaiting_parts={
        "probability": 0.2, "days": {"exponential": {"mean": 5}}})
    d["depots"].append({"name": "Regional", "kind": "third_country", "country": "Nation T",
                        "repair_lines": 2, "repair_days": {"lognormal": {"mean": 20, "cv": 0.5}},
                        "third_party_transfer_approved": True,
                        "security_assistance_relationship": True,
                        "prime_contractor_approved": True})
    d["transport"].append({"between": ["Nation A", "Nation T"],
                           "days": {"gamma": {"mean": 6, "cv": 0.3}}, "cost_usd": 200})
    d["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 4}}
    d["wholesale"] = {"stock": {NSN_A: 3}, "protection_level": {NSN_A: 1},
                      "procurement_lead_time_days": 300}
    d["partnerships"] = [{"name": "WSP", "members": ["Nation A"], "store_country": "Nation A",
                          "depot": "Regional", "cost_sharing": {"method": "demand"},
                          "initial_stock": {"quantities": {NSN_A: pool_stock}},
                          "initial_stock_price_factor": 0.0}]
    d["alternatives"] = [
        {"name": "Alone", "support": {"Nation A": {"option": "third_country",
                                                   "depot": "Regional"}}},
        {"name": "Pool", "support": {"Nation A": {"option": "partnership",
                                                  "partnership": "WSP",
                                                  "initial_stock": {"quantities": {
                                                      NSN_A: shelf}}}}}]
    return d


def test_a_partnership_of_one_nation_is_that_nation_alone():
    """Same seed, same streams (the member's own carcass, return and buy legs, condemnation
    and procurement draws): every table is identical, costs included."""
    d = _alone_and_in_a_partnership_of_one(pool_stock=0, shelf=4)
    alone, pool = simulate(d, alternative=0), simulate(d, alternative=1)
    for table in ("summary", "items", "timeseries", "depots", "costs"):
        pd.testing.assert_frame_equal(alone[table].drop(columns="alternative"),
                                      pool[table].drop(columns="alternative"))
    rows = pool["partnerships"]
    assert (rows.share == 1.0).all() and (rows.pool_fee_usd == 0).all()


def test_stock_at_a_store_with_no_issue_time_is_stock_on_the_shelf():
    """Two of the four units moved to the store (contributed: price factor 0), no leg to
    it: the fleet sees the same four units, so availability, waits and costs are the same;
    only the units owed to the shelf (pipeline) differ."""
    d = _alone_and_in_a_partnership_of_one(pool_stock=2, shelf=2)
    for c in d["customers"]:          # the shelf carried over from the TPA: not priced, so
        c["initial_stock_source"] = "tpa"   # four units alone cost what two + two pooled do
    alone, pool = simulate(d, alternative=0), simulate(d, alternative=1)
    for table in ("summary", "timeseries", "costs"):
        pd.testing.assert_frame_equal(alone[table].drop(columns="alternative"),
                                      pool[table].drop(columns="alternative"))


def test_units_are_conserved_at_the_store_and_every_shelf():
    d = _sharing("demand")
    d["items"][0]["leaves_dod_inventory_day"] = 500          # buys stop: no source after
    scenario = Scenario.model_validate(d)
    result = run_unit(scenario, scenario.alternatives[0], 0)
    assert result.conservation == []
    d["partnerships"][0]["commercial_buy"] = {"lead_time_days": 200, "price_factor": 1.5}
    scenario = Scenario.model_validate(d)
    assert run_unit(scenario, scenario.alternatives[0], 0).conservation == []


def _problems(d: dict) -> list[str]:
    import yaml

    try:
        parse_text(yaml.safe_dump(d))
    except ScenarioError as exc:
        return [f"{p.place}: {p.message}" for p in exc.problems]
    return []


def test_third_country_rules_apply_to_the_partnerships_depot():
    """A third-country repair contractor needs third-party transfer approval, a Security
    Assistance relationship and the prime contractor's approval, and an FMFP-funded member
    a DSCA waiver — as for the third_country option."""
    d = _three_nations()
    d["depots"][-1]["kind"] = "third_country"
    problems = _problems(d)
    for approval in ("third_party_transfer_approved", "security_assistance_relationship",
                     "prime_contractor_approved"):
        assert any(p.startswith("partnerships[0].depot") and approval in p
                   for p in problems), problems
    d["depots"][-1].update(third_party_transfer_approved=True,
                           security_assistance_relationship=True,
                           prime_contractor_approved=True)
    assert _problems(d) == []
    d["customers"][1]["funding"] = "fmfp"
    assert _problems(d) == [(
        "alternatives[0].support.Nation B: 'Nation B' is FMFP-funded and holds no dsca_waiver "
        "for repair at third-country depot 'Sabca' of partnership 'WSP'")]
    d["customers"][1]["waivers"] = ["dsca_waiver"]
    assert _problems(d) == []
    d["depots"][-1]["kind"] = "national"
    assert any("of kind 'national'" in p for p in _problems(d))


def test_partnership_mistakes_are_located():
    d = _three_nations()
    d["partnerships"][0]["members"] = ["Nation A", "Nation B"]
    d["partnerships"][0]["cost_sharing"] = {"method": "fixed",
                                            "shares": {"Nation A": 0.5, "Nation B": 0.4}}
    d["alternatives"][1]["support"]["Nation A"] = {"option": "partnership",
                                                   "partnership": "Nope"}
    problems = _problems(d)
    assert "alternatives[0].support.Nation C.partnership: 'Nation C' is not a member of " \
           "'WSP'" in problems
    assert "partnerships[0].cost_sharing.shares: shares must add up to 1, got 0.9" in problems
    assert "alternatives[1].support.Nation A.partnership: unknown partnership 'Nope' (not " \
           "in partnerships)" in problems
    d = _three_nations()
    del d["transport"][0]                                    # Belgium - Luxembourg
    assert any(p.startswith("partnerships[0].store_country: no transport leg between "
                            "'Belgium' and 'Luxembourg'") for p in _problems(d))
