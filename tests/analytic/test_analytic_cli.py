"""``sustain analytic`` and ``sustain recommend`` end to end, against hand computation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy import stats

from sim.analytic.commands import BUYIN_COLUMNS, CURVE_COLUMNS
from sim.cli import main
from tests.helpers import NSN_A, NSN_B, base_scenario

ROOT = Path(__file__).resolve().parents[2]
E = math.e


def _tiny() -> dict:
    """100 aircraft at 1 FH a day, MTBR 1000 FH: λ = 0.1 removals a day; shelf of 2; 10-day
    repair at home (no transit) or in the US (10-day leg each way)."""
    data = base_scenario()
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 2}}
    data["wholesale"] = {"stock": {NSN_A: 3}, "protection_level": {NSN_A: 1},
                         "procurement_lead_time_days": 100}
    data["buying_services"] = {"pros": {"lead_time_days": 100, "repair_lead_time_days": 60}}
    data["alternatives"] = [
        {"name": "R&R", "support": {"Nation A": {"option": "repair_and_return",
                                                 "depot": "Home"}}},
        {"name": "DX", "support": {"Nation A": {"option": "direct_exchange"}}},
        {"name": "PROS", "support": {"Nation A": {"option": "pros"}}},
    ]
    return data


def _write(tmp_path: Path, data: dict, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def _analytic_json(capsys, path: str) -> dict:
    assert main(["analytic", path, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_analytic_json_structure_and_hand_computed_values(tmp_path, capsys):
    doc = _analytic_json(capsys, _write(tmp_path, _tiny()))
    assert doc["scenario"] == "test" and doc["assumptions"]
    alts = doc["alternatives"]
    assert list(alts) == ["R&R", "DX", "PROS"]

    # R&R at home, ample: pipeline Poisson(0.1 x 10 = 1); EBO(2) = 3/e - 1; fill P(X<=1) = 2/e.
    rr = alts["R&R"]["customers"]["Nation A"]
    item = rr["items"][NSN_A]
    assert item["pipeline_mean"] == pytest.approx(1.0)
    assert item["ebo"] == pytest.approx(3 / E - 1, rel=1e-9)
    assert item["fill_rate"] == pytest.approx(2 / E, rel=1e-9)
    assert rr["availability"] == pytest.approx(1 - (3 / E - 1) / 100, rel=1e-12)
    assert rr["answered"] is True and rr["reasons"] == []

    pros = alts["PROS"]["customers"]["Nation A"]
    assert pros["answered"] is False and pros["availability"] is None
    assert any("'pros'" in r for r in pros["reasons"])


def test_analytic_direct_exchange_asset_release_by_hand(tmp_path, capsys):
    """DX, non-CLSSA: stock 3, protection 1, λ = 0.1, no condemnations (10-day leg, 10-day
    repair): each released unit is out of stock for 20 days, so the two units above
    protection are an Erlang loss system with offered load 2: P(release) = 1 - B(2, 2) =
    1 - 0.4. The customer's pipeline: the 10-day issue leg for all, plus 100 days of
    procurement for the 40 % not released — Poisson(1 + 4)."""
    data = _tiny()
    data["alternatives"] = [data["alternatives"][1]]
    doc = _analytic_json(capsys, _write(tmp_path, data))
    dx = doc["alternatives"]["DX"]["customers"]["Nation A"]["items"][NSN_A]
    b1 = 2 / (1 + 2)
    blocked = 2 * b1 / (2 + 2 * b1)
    assert blocked == pytest.approx(0.4)
    assert dx["wholesale_stock"] == 3
    assert dx["wholesale_delay_days"] == pytest.approx(40.0, rel=1e-9)
    assert dx["pipeline_mean"] == pytest.approx(5.0, rel=1e-9)
    assert dx["pipeline_variance"] == pytest.approx(5.0, rel=1e-9)
    pois = stats.poisson(5.0)
    assert dx["ebo"] == pytest.approx(sum((k - 2) * pois.pmf(k) for k in range(3, 100)),
                                      rel=1e-9)
    assert dx["fill_rate"] == pytest.approx(pois.cdf(1), rel=1e-9)


def test_analytic_table_lists_what_it_cannot_answer(tmp_path, capsys):
    assert main(["analytic", _write(tmp_path, _tiny())]) == 0
    out = capsys.readouterr().out
    assert "Cannot answer" in out and "PROS — Nation A" in out and "Assumptions" in out


def test_analytic_bad_file_is_exit_2(tmp_path, capsys):
    data = _tiny()
    data["customers"][0]["fleet"]["aircraft"] = 0
    assert main(["analytic", _write(tmp_path, data)]) == 2
    assert "aircraft" in capsys.readouterr().err


def test_analytic_answers_every_quickstart_customer():
    """(Its speed is measured in benchmarks/, not here.)"""
    from sim.analytic.predict import predict
    from sim.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "quickstart.yaml")
    answers = predict(scenario)
    assert [a.name for a in answers] == ["Repair and Return", "Direct Exchange"]
    assert all(c.answered and 0 < c.availability < 1 for a in answers for c in a.customers)

# -- recommend -------------------------------------------------------------------------------


def _clssa_case() -> dict:
    """Two NSNs whose wholesale stock is thin, so a CLSSA customer needs FMSO I: NSN A has 3
    units, 1 protected (2 can be earmarked on hand), NSN B none; a fifth of carcasses are
    condemned (so DoD's reorders absorb the carcasses of exchanges it had to procure)."""
    data = base_scenario(horizon_days=1500, warmup_days=200, replications=4)
    data["items"][0]["condemnation_rate"] = 0.2
    data["items"].append({"nsn": NSN_B, "name": "Valve", "unit_price_usd": 4000,
                          "repair_cost_usd": 900, "mtbr_fh": 500, "condemnation_rate": 0.2})
    data["systems"][0]["parts"] = {NSN_A: 1, NSN_B: 1}
    data["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 2, NSN_B: 3}}
    data["wholesale"] = {"stock": {NSN_A: 3, NSN_B: 0}, "protection_level": {NSN_A: 1},
                         "procurement_lead_time_days": 100}
    data["alternatives"] = [{"name": "DX", "support": {"Nation A": {
        "option": "direct_exchange"}}}]
    return data


def test_recommend_writes_buyin_and_curve_with_the_deposit_rule(tmp_path, capsys):
    path = _write(tmp_path, _clssa_case())
    out = tmp_path / "rec"
    assert main(["recommend", path, "--customer", "Nation A", "--target-availability", "0.99",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "FMSO I buy-in" in printed and "Cost versus predicted availability" in printed
    for name in ("buyin.csv", "buyin.parquet", "curve.csv", "curve.parquet",
                 "recommendation.json"):
        assert (out / name).exists(), name
    buy = pd.read_parquet(out / "buyin.parquet")
    assert list(buy.columns) == BUYIN_COLUMNS
    assert list(pd.read_csv(out / "buyin.csv").columns) == BUYIN_COLUMNS
    assert buy.quantity.sum() > 0
    price = {NSN_A: 10000.0, NSN_B: 4000.0}
    free = {NSN_A: 2, NSN_B: 0}
    for _, row in buy.iterrows():
        q, p = int(row.quantity), price[row.nsn]
        on_hand = min(q, free[row.nsn])
        assert row.unit_price_usd == p and row.extended_value_usd == q * p
        assert (row.on_hand_qty, row.on_order_qty) == (on_hand, q - on_hand)
        assert row.deposit_usd == pytest.approx(0.3 * on_hand * p + 0.7 * (q - on_hand) * p)
        assert row.ssa_surcharge_usd == pytest.approx(0.05 * on_hand * p)
        assert row.deposit_total_usd == pytest.approx(row.deposit_usd + row.ssa_surcharge_usd)
    curve = pd.read_parquet(out / "curve.parquet")
    assert list(curve.columns) == CURVE_COLUMNS
    assert curve.availability.is_monotonic_increasing
    assert curve.cumulative_cost_usd.is_monotonic_increasing
    chosen = curve[curve.recommended]
    assert len(chosen) == 1 and chosen.availability.iloc[0] >= 0.99
    assert chosen.cumulative_cost_usd.iloc[0] == pytest.approx(buy.extended_value_usd.sum())
    assert chosen.deposit_total_usd.iloc[0] == pytest.approx(buy.deposit_total_usd.sum())
    rec = json.loads((out / "recommendation.json").read_text())
    assert rec["predicted_availability"] >= 0.99
    assert rec["predicted_availability"] == pytest.approx(chosen.availability.iloc[0])


def test_recommend_budget_stays_within_it(tmp_path, capsys):
    path = _write(tmp_path, _clssa_case())
    assert main(["recommend", path, "--customer", "Nation A", "--budget-usd", "30000",
                 "--out", str(tmp_path / "b"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert 0 < doc["totals"]["extended_value_usd"] <= 30000
    assert doc["predicted_availability"] > doc["availability_without_buy"]


@pytest.mark.parametrize("argv, message", [
    (["--customer", "Nobody", "--target-availability", "0.9"], "no customer 'Nobody'"),
    (["--customer", "Nation A", "--target-availability", "1.5"], "between 0 and 1"),
    (["--customer", "Nation A", "--target-availability", "0.99999"], "unreachable"),
    (["--customer", "Nation A", "--budget-usd", "-5"], "budget"),
    (["--customer", "Nation A", "--target-availability", "0.9", "--replications", "0"],
     "--replications"),
])
def test_recommend_bad_input_is_exit_2_with_nothing_written(tmp_path, capsys, argv, message):
    path = _write(tmp_path, _clssa_case())
    out = tmp_path / "never"
    assert main(["recommend", path, *argv, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_recommend_verify_simulates_the_buy_in(tmp_path, capsys):
    path = _write(tmp_path, _clssa_case())
    out = tmp_path / "v"
    assert main(["recommend", path, "--customer", "Nation A", "--target-availability", "0.99",
                 "--verify", "--replications", "4", "--workers", "1", "--json",
                 "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    v = doc["verify"]
    assert v["replications"] == 4 and len(v["availability"]) == 4
    assert v["availability_ci_half_width"] > 0
    # 100 aircraft, about half an aircraft down: the simulation lands on the finite-fleet
    # prediction within sampling error and the closed form's approximations.
    assert v["availability_mean"] == pytest.approx(doc["predicted_availability_finite_fleet"],
                                                   abs=0.004)
    assert json.loads((out / "recommendation.json").read_text())["verify"] == v


def test_fleet_figures_without_detail_equal_those_from_the_items():
    """A sweep's screen asks only for fleet-level figures; they must be the same numbers."""
    from sim.analytic.predict import predict
    from sim.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "fms_follow_on.yaml")
    full, light = predict(scenario), predict(scenario, detail=False)
    for a, b in zip(full, light, strict=True):
        for c, d in zip(a.customers, b.customers, strict=True):
            assert c.answered == d.answered and not d.items
            if c.answered:
                for name in ("availability", "availability_finite_fleet", "backorders",
                             "fill_rate", "nmcs_aircraft"):
                    assert getattr(d, name) == pytest.approx(getattr(c, name), rel=1e-12)


def test_per_nsn_tables_show_the_nsns_with_most_backorders_and_say_how_many_are_left(capsys):
    """A scenario of hundreds of NSNs is not printed whole at the terminal: each table keeps
    the ``--nsns`` NSNs with the most expected backorders and says what the rest hold."""
    import json

    from sim.cli import main

    path = str(Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml")
    assert main(["analytic", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (alt, first), *_ = data["alternatives"].items()
    items = first["customers"]["Nation A"]["items"]
    ebo = {nsn: v["ebo"] for nsn, v in items.items()}
    top = sorted(ebo, key=lambda n: -ebo[n])[:3]
    assert main(["analytic", path, "--nsns", "3"]) == 0
    out = capsys.readouterr().out
    table = out[out.index(f"{alt} — Nation A"):]
    table = table[:table.index("more NSNs")]
    assert [n for n in ebo if n in table] == [n for n in ebo if n in top]
    rest = sum(v for n, v in ebo.items() if n not in top)
    assert f"{len(ebo) - 3} more NSNs with {rest:.4f} expected backorders" in out
    assert main(["analytic", path, "--nsns", "0"]) == 0
    assert "more NSNs" not in capsys.readouterr().out
