"""``sustain run SCENARIO --report``: simulation and report in one go, on the quickstart."""

from __future__ import annotations

from pathlib import Path

from sim.cli import main

QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"


def test_run_with_report_on_quickstart(tmp_path, capsys):
    out = tmp_path / "quickstart"
    assert main(["run", str(QUICKSTART), "--out", str(out), "--replications", "3",
                 "--workers", "1", "--report"]) == 0
    printed = capsys.readouterr().out
    report = out / "report" / "report.html"
    assert f"report: {report}" in printed
    html = report.read_text(encoding="utf-8")
    assert "Repair and Return" in html and "Direct Exchange" in html
    assert "Nation A" in html and "quickstart" in html
    assert len(list((out / "report").glob("*.png"))) >= 9
    over_time = list((out / "report").glob("*_depot_backlog_over_time.png"))
    assert len(over_time) == 1 and over_time[0].stat().st_size > 10_000
    assert (out / "report" / "summary.xlsx").is_file()
    # Rerunning the report replaces it whole (no stale files, no leftovers).
    assert main(["report", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".report")) == []
