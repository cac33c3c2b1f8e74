"""The property behind "a scenario that validates always runs": scenarios built from valid
pieces — every option and fallback chain, timeline events, legs present or absent,
condemnation rates zero or not, customers of every kind, bases, cost elements, fiscal years and
escalation, software support, non-essential items, maintenance times and inspections, fleet flying
programs and priced shelves, partnerships and ACSA agreements — either fail ``validate`` with exit
2 and nothing written, or pass it, and then ``run`` (one replication, short horizon) exits 0
and ``analytic`` answers or names a reason for every customer. Never exit 1.

Hypothesis draws the scenarios from a fixed seed (``derandomize``), so CI runs the same
examples every time; ``SUSTAIN_PROPERTY_EXAMPLES`` raises the count for a deeper search.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from sim.cli import main

NSNS = ["1111-01-000-0001", "2222-01-000-0002", "3333-01-000-0003"]
OPTIONS = ["repair_and_return", "direct_exchange", "clssa", "pros", "snap", "third_country",
           "dcs", "national_depot"]
DEPOT_FOR = {"repair_and_return": "Ogden", "third_country": "Regional",
             "national_depot": "the customer's own"}
EXAMPLES = int(os.environ.get("SUSTAIN_PROPERTY_EXAMPLES", "60"))


def _dist(draw) -> object:
    return draw(st.sampled_from([
        5, 0, {"exponential": {"mean": 8}}, {"lognormal": {"mean": 10, "cv": 0.5}},
        {"gamma": {"mean": 12, "cv": 0.4}}, {"triangular": {"low": 2, "mode": 5, "high": 15}},
        {"uniform": {"low": 3, "high": 9}}, {"weibull": {"shape": 1.5, "mean": 7}}]))


@st.composite
def choices(draw, home: str, depth: int = 0, overrides: bool = True) -> dict:
    option = draw(st.sampled_from(OPTIONS))
    choice: dict = {"option": option}
    if option in DEPOT_FOR:
        choice["depot"] = home if option == "national_depot" else DEPOT_FOR[option]
    if option == "clssa" and draw(st.booleans()):
        choice["fmso1"] = draw(st.sampled_from([{"months_of_demand": 3},
                                                {"quantities": {NSNS[0]: 2}}]))
    if option == "dcs" and draw(st.booleans()):
        choice["dcs"] = {"price_factor": 1.3, "lead_time_days": _dist(draw)}
    if draw(st.integers(0, 4)) == 0:
        choice["end_day"] = draw(st.sampled_from([50, 250, 1000]))
    if depth < 2 and draw(st.booleans()):
        choice["fallback"] = draw(choices(home, depth + 1, overrides))
    if depth == 0 and overrides and draw(st.integers(0, 3)) == 0:
        choice["items"] = {NSNS[1]: draw(choices(home, 2))}
    return choice


@st.composite
def scenarios(draw) -> dict:
    n_items = draw(st.integers(1, 3))
    items = []
    for nsn in NSNS[:n_items]:
        item = {"nsn": nsn, "name": f"Item {nsn[-1]}", "unit_price_usd": 20_000,
                "repair_cost_usd": 3_000, "mtbr_fh": draw(st.sampled_from([150, 400, 900])),
                "condemnation_rate": draw(st.sampled_from([0.0, 0.0, 0.05, 0.3])),
                "category": draw(st.sampled_from(["secondary"] * 9 + ["commercial"]))}
        if draw(st.integers(0, 4)) == 0:
            item["failure"] = {"weibull": {"shape": 2.0}}
        if draw(st.integers(0, 4)) == 0:
            item["awaiting_parts"] = {"probability": 0.3, "days": _dist(draw)}
        if draw(st.integers(0, 3)) == 0:
            item["base_repair"] = {"probability": draw(st.sampled_from([0.0, 0.4, 1.0])),
                                   "days": _dist(draw)}
        if draw(st.integers(0, 6)) == 0:
            item["leaves_dod_inventory_day"] = draw(st.sampled_from([0] + [150] * 6))
        if draw(st.integers(0, 3)) == 0:
            item["essential"] = False
        if draw(st.integers(0, 2)) == 0:
            item["maintenance_hours"] = draw(st.sampled_from([0.5, 6, 48]))
        if draw(st.integers(0, 2)) == 0:
            item["configuration_dependent"] = True
        items.append(item)
    nsns = [i["nsn"] for i in items]
    approved = draw(st.integers(0, 5)) > 0
    depots = [
        {"name": "Ogden", "kind": "organic", "country": "US", "repair_days": _dist(draw),
         **({"repair_lines": draw(st.integers(1, 4))} if draw(st.booleans()) else {})},
        {"name": "Home A", "kind": "national", "country": "Nation A",
         "repair_days": _dist(draw)},
        {"name": "Home B", "kind": "national", "country": "Nation B", "repair_days": 8},
        {"name": "Regional", "kind": "third_country", "country": "Nation T",
         "repair_days": _dist(draw), "third_party_transfer_approved": approved,
         "security_assistance_relationship": approved, "prime_contractor_approved": approved},
    ]
    legs = [pair for pair in (["US", "Nation A"], ["US", "Nation B"], ["Nation A", "Nation T"],
                              ["Nation B", "Nation T"], ["US", "US"], ["Nation A", "Nation A"],
                              ["Base 0", "Nation A"], ["Base 1", "Nation A"])
            if draw(st.integers(0, 11)) > 0]
    transport = [{"between": pair, "days": _dist(draw), "cost_usd": 100} for pair in legs]
    customers = []
    for name, country in (("Nation A", "Nation A"), ("Nation B", "Nation B")):
        if name == "Nation B" and not draw(st.booleans()):
            continue
        funding = draw(st.sampled_from(["national", "national", "fmfp"]))
        cust = {"name": name, "kind": "fms", "country": country,
                "fad": draw(st.sampled_from(["I", "II", "III", "IV", "V"])),
                "funding": funding,
                "waivers": draw(st.sampled_from([[], ["dsca_waiver", "dcs_waiver"],
                                                 ["dsca_waiver", "dcs_waiver"]])),
                "cannibalization": draw(st.booleans()),
                "fleet": {"system": "Jet", "aircraft": draw(st.integers(1, 12)),
                          "fh_per_aircraft_month": 25},
                "initial_stock": draw(st.sampled_from([
                    {"months_of_demand": 2}, {"quantities": {nsns[0]: 1}}]))}
        if draw(st.booleans()):
            cust["initial_support_days"] = draw(st.sampled_from([30, 200]))
        if draw(st.integers(0, 3)) == 0:
            cust["scheduled_maintenance"] = {"every_days": draw(st.sampled_from([20, 90])),
                                             "days": _dist(draw)}
        if draw(st.integers(0, 3)) == 0:
            cust["availability_target"] = 0.8
        if draw(st.booleans()):
            cust["flying_program"] = "fleet"
            if draw(st.booleans()):
                cust["max_fh_per_aircraft_month"] = draw(st.sampled_from([30, 40, 60]))
        cust["initial_stock_source"] = draw(st.sampled_from(["purchased", "tpa"]))
        if name == "Nation A" and draw(st.integers(0, 2)) == 0:
            n = cust["fleet"]["aircraft"]
            split = draw(st.sampled_from([[n], [max(1, n // 2), n - max(1, n // 2)]]))
            split = [k for k in split if k > 0]
            cust["fleet"]["aircraft"] = sum(split)
            cust["bases"] = [{"name": f"Base {k}", "aircraft": a,
                              **({"initial_stock": {"months_of_demand": 1}}
                                 if draw(st.booleans()) else {})}
                             for k, a in enumerate(split)]
            cust["central_issue"] = draw(st.sampled_from(["priority", "fcfs"]))
            if len(split) > 1 and draw(st.booleans()):
                cust["lateral"] = {"days": _dist(draw), "cost_usd": 100}
        customers.append(cust)
    if draw(st.booleans()):
        customers.append({"name": "US Wing", "kind": "us", "country": "US", "fad": "II",
                          "fleet": {"system": "Jet", "aircraft": 6,
                                    "fh_per_aircraft_month": 20},
                          "initial_stock": {"months_of_demand": 1}})
    fms = [c["name"] for c in customers if c["kind"] == "fms"]
    alternatives = [{"name": f"Alt {k}",
                     "support": {c: draw(choices(f"Home {c[-1]}", overrides=n_items > 1))
                                 for c in fms}}
                    for k in range(draw(st.integers(1, 2)))]
    for alt in alternatives:
        for choice in alt["support"].values():
            if draw(st.integers(0, 3)) == 0:
                choice["software_support"] = "national"
                choice["divergence_days"] = draw(st.sampled_from([0, 100, 1000]))
        for c in customers:
            if c["name"] in alt["support"] and c.get("bases") and draw(st.booleans()):
                alt["support"][c["name"]]["initial_stock"] = {"quantities": {nsns[0]: 1}}
                alt["support"][c["name"]]["base_stock"] = {
                    c["bases"][0]["name"]: {"months_of_demand": 2}}
    data = {"scenario": "property", "horizon_days": 400, "warmup_days": 40, "replications": 1,
            "seed": draw(st.integers(0, 1000)), "period_days": 60,
            "initial_support": draw(st.sampled_from(["direct_exchange", "pros", "dcs"])),
            "items": items, "systems": [{"name": "Jet", "parts": dict.fromkeys(nsns, 1)}],
            "depots": depots, "transport": transport,
            "wholesale": {"stock": dict.fromkeys(nsns, draw(st.integers(0, 6))),
                          "protection_level": dict.fromkeys(nsns, draw(st.integers(0, 3))),
                          "procurement_lead_time_days": _dist(draw)},
            "customers": customers, "alternatives": alternatives}
    if draw(st.integers(0, 7)) > 0:
        service = {"lead_time_days": _dist(draw), "repair_lead_time_days": _dist(draw),
                   "no_source_probability": draw(st.sampled_from([0.0, 0.5, 1.0])),
                   "no_repair_source_probability": draw(st.sampled_from([0.0, 0.5])),
                   "search_days": _dist(draw), "fee_rate": 0.05}
        data["buying_services"] = {"pros": service, "snap": service}
    events = []
    if draw(st.booleans()):
        events.append({"event": "leave_dod_inventory",
                       "day": draw(st.sampled_from([0, 200, 200, 200])),
                       **({"system": "Jet"} if draw(st.booleans()) else {"nsn": nsns[0]})})
    if draw(st.booleans()):
        events.append({"event": "tempo", "customer": customers[0]["name"], "start_day": 100,
                       "end_day": 300, "factor": draw(st.sampled_from([0.0, 1.5]))})
    if draw(st.booleans()):
        events.append({"event": "depot_lines", "depot": "Ogden", "day": 150,
                       "repair_lines": 2})
    if events:
        data["events"] = events
    if draw(st.booleans()):
        data["residual_value_fraction"] = draw(st.sampled_from([0.0, 0.3, 1.0]))
    if draw(st.integers(0, 2)) == 0:
        data.update(base_year=2030, fiscal_year_start_day=draw(st.sampled_from([0, 273])),
                    escalation=draw(st.sampled_from([0.02, {"indices": {
                        2030: 1.0, 2031: 1.02, 2032: 1.04}}])))
        data["cost_elements"] = [
            {"name": "Training", "ips_element": "training and training support",
             "recurring": {"per": draw(st.sampled_from(["year", "flight_hour",
                                                         "aircraft_year"])),
                           "amount_usd": 1000, "start_day": draw(st.sampled_from([0, 100])),
                           **({"end_day": 300} if draw(st.booleans()) else {})}},
            {"name": "Tools", "ips_element": "support equipment",
             "one_time": {"day": draw(st.sampled_from([0, 20, 390])), "amount_usd": 5000},
             **({"customers": fms[:1]} if draw(st.booleans()) else {}),
             **({"alternatives": [alternatives[0]["name"]]} if draw(st.booleans()) else {})}]
    _cooperative(draw, data, fms, depots, alternatives)
    if fms and draw(st.integers(0, 3)) == 0:
        data["eda"] = {"purchases": [{"customer": fms[0], "day": 120, "airframes": 1,
                                      "condition": "fair", "acquisition_value_usd": 1e6,
                                      "price_fraction": 0.1, "delivery_days": _dist(draw)}]}
    return data


def _cooperative(draw, data: dict, fms: list[str], depots: list[dict],
                 alternatives: list[dict]) -> None:
    """A Weapon System Partnership some alternatives join, and an ACSA agreement (issue 10)."""
    if fms and draw(st.integers(0, 2)) == 0:
        depots.append({"name": "Contractor", "kind": "contractor", "country": "Nation T",
                       "repair_days": _dist(draw),
                       **({"repair_lines": 2} if draw(st.booleans()) else {})})
        members = fms if draw(st.booleans()) else fms[:1]
        sharing = draw(st.sampled_from(["flying_hours", "fleet", "demand", "fixed"]))
        data["partnerships"] = [{
            "name": "WSP", "members": members,
            "store_country": draw(st.sampled_from(["Nation T", "Nation A"])),
            "depot": draw(st.sampled_from(["Contractor"] * 3 + ["Regional"])),
            "initial_stock": draw(st.sampled_from([{"months_of_demand": 1},
                                                   {"quantities": {NSNS[0]: 2}}])),
            "initial_stock_price_factor": draw(st.sampled_from([0.0, 1.0])),
            "cost_sharing": {"method": sharing, **(
                {"shares": {m: 1 / len(members) for m in members}}
                if sharing == "fixed" else {})},
            "management_fee_rate": draw(st.sampled_from([0.0, 0.04])),
            **({"commercial_buy": {"lead_time_days": _dist(draw)}}
               if draw(st.booleans()) else {})}]
        data["transport"] += [{"between": pair, "days": _dist(draw), "cost_usd": 80}
                              for pair in (["Nation A", "Nation T"], ["Nation B", "Nation T"],
                                           ["US", "Nation T"])
                              if draw(st.integers(0, 5)) > 0]
        for alt in alternatives:
            for m in members:
                if draw(st.booleans()):
                    alt["support"][m] = {"option": "partnership", "partnership": "WSP",
                                         **({"fallback": "direct_exchange"}
                                            if draw(st.integers(0, 3)) == 0 else {}),
                                         **({"end_day": 250}
                                            if draw(st.integers(0, 4)) == 0 else {})}
    names = [c["name"] for c in data["customers"] if not c.get("bases")]
    if len(names) >= 2 and draw(st.integers(0, 2)) == 0:
        pair = draw(st.sampled_from([names[:2], names[-2:]]))
        data["acsa"] = [{
            "between": pair,
            "windows": draw(st.sampled_from([[{"start_day": 50, "end_day": 120}],
                                             [{"start_day": 10, "end_day": 60},
                                              {"start_day": 300, "end_day": 500}]])),
            "reimbursement": draw(st.sampled_from(["cash", "replacement_in_kind",
                                                   "equal_value_exchange"])),
            "reserve": {NSNS[0]: draw(st.integers(0, 1))}, "days": _dist(draw),
            "cost_usd": 50,
            **({"alternatives": [alternatives[0]["name"]]} if draw(st.booleans()) else {})}]


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios())
def test_what_validates_runs_and_what_does_not_writes_nothing(data):
    work = Path(tempfile.mkdtemp(prefix="sustain-property-"))
    try:
        path = work / "s.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        out = work / "out"
        rc = main(["validate", str(path)])
        assert rc in (0, 2)
        if rc == 2:
            assert main(["run", str(path), "--out", str(out)]) == 2
            assert not out.exists()
            return
        assert main(["run", str(path), "--out", str(out), "--workers", "1"]) == 0
        assert (out / "summary.parquet").exists()
        answer = work / "analytic.json"
        import contextlib
        import io
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(["analytic", str(path), "--json"]) == 0
        answer.write_text(buf.getvalue())
        doc = json.loads(buf.getvalue())
        for alt in doc["alternatives"].values():
            for cust in alt["customers"].values():
                assert cust["answered"] or cust["reasons"], cust
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_the_generator_produces_valid_scenarios_often_enough():
    """A property that only ever meets invalid files proves nothing: at least a third of the
    drawn scenarios must validate."""
    from hypothesis import find  # noqa: F401  (documents the intent; counted below instead)

    from sim.scenario import ScenarioError, parse_text

    valid = total = 0

    # Parsing only, so many draws are cheap: 200 from a fixed seed estimate the share far
    # better than the run test's 60 (which start from Hypothesis' simplest, often invalid,
    # documents); measured 60 % over 400 random draws.
    @seed(20261129)
    @settings(max_examples=4 * EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(scenarios())
    def count(data):
        nonlocal valid, total
        total += 1
        try:
            parse_text(yaml.safe_dump(data))
            valid += 1
        except ScenarioError:
            pass

    count()
    assert total >= 2 * EXAMPLES and valid >= total / 3, (valid, total)
