"""What ``sustain report`` writes: every chart as PNG and SVG, the spreadsheet, one
self-contained HTML file with user text escaped; and the command's contract."""

from __future__ import annotations

import re
import struct
from pathlib import Path

from conftest import XSS, build
from openpyxl import load_workbook

from sim.cli import main

CHARTS = ("frontier", "cost_breakdown", "availability_over_time", "wait_times", "s_curves",
          "nmcs_drivers", "cost_by_year", "backorders_over_time", "tornado", "depot_capacity",
          "availability_by_phase", "readiness")


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_every_chart_written_as_png_and_svg(xss_report):
    folder = xss_report.parent
    for key in CHARTS:
        pngs = list(folder.glob(f"*_{key}*.png"))
        svgs = list(folder.glob(f"*_{key}*.svg"))
        assert len(pngs) == 1 and len(svgs) == 1, key
        assert pngs[0].stat().st_size > 20_000, key
        assert svgs[0].read_text().lstrip().startswith("<?xml"), key
        width, height = png_size(pngs[0])
        assert width == 3000 and height >= 900, (key, width, height)  # 10 in at 300 dpi


def test_html_is_self_contained_and_escapes_user_text(xss_report):
    html = xss_report.read_text(encoding="utf-8")
    assert XSS not in html and "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "Nation &lt;A&gt;" in html and "<i>baseline</i>" not in html
    # Every image inline, nothing fetched from anywhere.
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)
    assert len(srcs) == len(CHARTS)
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for section in ("Executive summary", "Key charts", "Appendix", "The question",
                    "assumptions", "Comparison of alternatives", "Paired differences",
                    "resolved scenario", "Sensitivity"):
        assert section in html, section
    assert "ab" * 8 in html  # the scenario hash (configuration status accounting)


def test_spreadsheet_one_sheet_per_table_with_cis(xss_report):
    wb = load_workbook(xss_report.parent / "summary.xlsx", read_only=True)
    assert {"Assumptions", "Comparison", "Paired differences", "Cost by year", "NMCS drivers",
            "Depots", "Replications", "Phases", "Time series"} <= set(wb.sheetnames)
    rows = list(wb["Comparison"].iter_rows(values_only=True))
    assert {"Supply availability (not NMCS) (%)",
            "Supply availability (not NMCS) 95 % CI half-width (%)", "NPV cost (USD)",
            "NPV cost 95 % CI half-width (USD)"} <= set(rows[0])
    assert any(XSS in r for r in rows)  # stored as text, not as a formula or markup
    paired = list(wb["Paired differences"].iter_rows(values_only=True))
    assert {"Difference", "Difference 95 % CI half-width",
            "Difference 95 % CI half-width, unpaired", "Against"} <= set(paired[0])


def test_cli_report_without_sweep_says_why_no_tornado(tmp_path, capsys):
    result = build(tmp_path / "plain")
    assert main(["report", str(result)]) == 0
    out = capsys.readouterr().out
    assert str(result / "report" / "report.html") in out
    html = (result / "report" / "report.html").read_text()
    assert "Tornado chart not drawn" in html
    assert not list((result / "report").glob("*tornado*"))
    assert (result / "report" / "summary.xlsx").stat().st_size > 0


def test_cli_report_bad_directory_exit_2_nothing_written(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", str(empty)]) == 2
    assert "manifest.json" in capsys.readouterr().err
    assert list(empty.iterdir()) == []
    assert main(["report", str(tmp_path / "nowhere")]) == 2
