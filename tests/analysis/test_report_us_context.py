"""A US unit in a run is context, not a decision: no bullets, charts or sections of its own,
one line with its availability only while it flies."""

from __future__ import annotations

import re

import yaml

from sim.cli import main
from tests.helpers import base_scenario


def test_report_of_a_run_with_a_us_unit_has_no_us_decision_bullets(tmp_path, capsys):
    data = base_scenario(replications=2, horizon_days=1500, warmup_days=100)
    data["customers"].append({"name": "USAF Wing", "kind": "us", "country": "US", "fad": "II",
                              "fleet": {"system": "Jet", "aircraft": 20,
                                        "fh_per_aircraft_month": 20},
                              "initial_stock": {"months_of_demand": 1}})
    data["systems"][0]["leaves_dod_inventory_day"] = 900      # the wing retires at day 900
    data["alternatives"].append({"name": "DX", "support": {"Nation A": {
        "option": "direct_exchange", "fallback": {"option": "repair_and_return",
                                                  "depot": "Home"}}}})
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--report"]) == 0
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    summary = html[html.index('id="summary"'):html.index('id="key-charts"')]
    wing = re.findall(r"USAF Wing \(US unit, context[^<]*", summary)
    assert len(wing) == 1 and "until it stops flying (about day 9" in wing[0]
    table = summary[summary.index('id="summary-table"'):summary.index("</table>")]
    assert "Nation A" in table and "USAF Wing" not in table   # no recommendation for the wing
    assert "USAF Wing: decision" not in html and "Nation A: decision" in html
    assert not list((out / "report").glob("*usaf*"))        # no charts for the wing
