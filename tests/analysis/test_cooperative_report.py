"""The report's cooperative-logistics section (issue 10): present only when the result has a
partnership or an ACSA agreement; each member alone against in the pool, paired; the
cost-share table; transfers per window and the agreement's effect on both sides against
its control alternative."""

from __future__ import annotations

import copy

import pytest
import yaml

from analysis import cooperative
from analysis.bca import analyse
from analysis.excel import sheets
from analysis.load import load_result
from analysis.report import render_html
from sim.cli import main
from tests.helpers import NSN_A
from tests.test_partnership import MEMBERS, _three_nations


@pytest.fixture(scope="module")
def coop_result(tmp_path_factory):
    d = _three_nations(aircraft=(24, 12, 8), horizon_days=900, warmup_days=100,
                       replications=3, period_days=30)
    d["items"][0].update(mtbr_fh=300, condemnation_rate=0.05)
    d["customers"].append({"name": "US Wing", "kind": "us", "country": "US", "fad": "II",
                           "fleet": {"system": "Jet", "aircraft": 12,
                                     "fh_per_aircraft_month": 30.4375},
                           "initial_stock": {"quantities": {NSN_A: 3}}})
    d["acsa"] = [{"between": ["US Wing", "Nation A"], "reimbursement": "replacement_in_kind",
                  "windows": [{"start_day": 300, "end_day": 400}], "days": 1,
                  "alternatives": ["Pool", "Alone"]}]
    d["alternatives"].append({"name": "Pool, no ACSA",
                              "support": copy.deepcopy(d["alternatives"][0]["support"])})
    work = tmp_path_factory.mktemp("coop")
    path = work / "coop.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    assert main(["run", str(path), "--out", str(work / "out"), "--workers", "1"]) == 0
    return analyse(load_result(work / "out"))


def test_pool_against_alone_is_paired_by_the_scenarios_alternatives(coop_result):
    bca = coop_result
    pairs = cooperative.alone_vs_pool(bca)
    assert set(pairs["customer"]) == set(MEMBERS)
    assert set(pairs["pool_alternative"]) == {"Pool", "Pool, no ACSA"}
    assert set(pairs["alone_alternative"]) == {"Alone"}
    s = bca.result.summary
    a = s[(s.customer == "Nation B") & (s.alternative == "Pool")].set_index("replication")
    b = s[(s.customer == "Nation B") & (s.alternative == "Alone")].set_index("replication")
    row = pairs[(pairs.customer == "Nation B") & (pairs.pool_alternative == "Pool")].iloc[0]
    assert row["d_availability"] == pytest.approx((a.availability - b.availability).mean())
    assert row["verdict"] in {"pool better", "alone better", "pool more available, dearer",
                              "pool cheaper, less available", "no significant difference"}
    shares = cooperative.cost_shares(bca)
    for alt in ("Pool", "Pool, no ACSA"):
        t = shares[shares.alternative == alt]
        assert t["share"].sum() == pytest.approx(1.0, abs=1e-9)
        assert t["share_usd"].sum() == pytest.approx(t["pool_cost_usd"].iloc[0], rel=1e-9)


def test_acsa_effect_is_measured_against_its_control(coop_result):
    bca = coop_result
    effects = cooperative.acsa_effects(bca)
    assert set(effects["alternative"]) == {"Pool"}         # "Alone" has no control
    assert set(effects["control"]) == {"Pool, no ACSA"}
    assert set(effects["customer"]) == {"US Wing", "Nation A"}
    span = 900 - 100
    us = effects[effects.customer == "US Wing"].iloc[0]
    assert us["aircraft_days"] == pytest.approx(us["d_availability"] * 12 * span)
    transfers = cooperative.acsa_transfers(bca)
    assert set(transfers["alternative"]) == {"Pool", "Alone"}
    assert set(zip(transfers["provider"], transfers["requester"], strict=True)) == {
        ("US Wing", "Nation A"), ("Nation A", "US Wing")}
    windows = cooperative.acsa_window_effects(bca)
    assert len(windows) == 2 and set(windows["customer"]) == {"US Wing", "Nation A"}


def test_the_section_and_sheets_appear_with_the_tables(coop_result, tmp_path):
    bca = coop_result
    sec = cooperative.section(bca, tmp_path)
    assert sec is not None
    [p] = sec.partnerships
    assert p["figure"] is not None and (tmp_path / p["figure"].png_name).exists()
    assert len(p["lines"]) == 3 and p["shares"].rows
    [a] = sec.acsa
    assert a["figure"] is not None and a["effects"] is not None and a["transfers"].rows
    html = render_html(bca, {}, cooperative=sec)
    assert 'id="cooperative"' in html and "who pays what" in html
    assert {"Pool vs alone", "Cost shares", "ACSA transfers", "ACSA effect"} <= set(sheets(bca))


def test_no_section_without_partnerships_or_acsa(tmp_path):
    from tests.analysis.conftest import build

    bca = analyse(load_result(build(tmp_path / "plain")))
    assert cooperative.section(bca, tmp_path) is None
    assert 'id="cooperative"' not in render_html(bca, {})
    assert not {"Pool vs alone", "Cost shares"} & set(sheets(bca))
