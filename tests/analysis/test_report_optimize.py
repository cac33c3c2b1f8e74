"""The report picks up ``sustain optimize``'s tables from ``RESULT_DIR/optimize/`` (issue 13,
item 5) and shows the flight-hour shortfall and cost per programmed flight hour (item 4).

One quickstart run (3 replications) and one ``optimize --verify`` into its ``optimize/``
folder, reported; a copy of the same run without the folder, reported, is the control."""

from __future__ import annotations

import html as htmllib
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import optimize as opt
from analysis import tables
from analysis.bca import analyse
from analysis.charts.optimize import SHELF_MARKER, cost_to_target
from analysis.load import OptimizeTables, load_result
from analysis.metrics import fmt_value
from analysis.report import write_report
from analysis.style import Style, briefing
from sim.cli import main

QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
NATION = "Nation A"
TARGET = "0.95"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("optreport")
    plain = base / "plain"
    assert main(["run", str(QUICKSTART), "--out", str(plain), "--replications", "3",
                 "--workers", "1"]) == 0
    optimized = base / "optimized"
    shutil.copytree(plain, optimized)
    assert main(["optimize", str(QUICKSTART), "--target-availability", TARGET, "--verify",
                 "--replications", "3", "--out", str(optimized / "optimize")]) == 0
    write_report(plain)
    write_report(optimized)
    return {"plain": plain, "optimized": optimized, "base": base}


def _html(result: Path) -> str:
    return (result / "report" / "report.html").read_text(encoding="utf-8")


def _section(page: str, start: str, end: str) -> str:
    i = page.index(f'id="{start}"')
    return page[i:page.index(f'id="{end}"', i)]


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", fragment))


def _table(page: str, table_id: str) -> list[list[str]]:
    body = page[page.index(f'id="{table_id}"'):]
    body = body[:body.index("</table>")]
    return [[_text(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)]


def _style(bca) -> Style:
    return Style(footer=bca.footer(), alternatives=bca.alternatives)


def test_chart_and_sections_only_when_the_optimize_folder_exists(runs):
    with_opt, without = runs["optimized"] / "report", runs["plain"] / "report"
    charts = sorted(p.name for p in with_opt.glob("*_cost_to_target_*.png"))
    assert charts == ["02_cost_to_target_nation-a.png"]       # a key chart, after the frontier
    assert (with_opt / charts[0]).stat().st_size > 10_000
    assert not list(without.glob("*cost_to_target*"))
    page, plain = _html(runs["optimized"]), _html(runs["plain"])
    key = _section(page, "key-charts", "appendix")
    assert "02_cost_to_target_nation-a.png" in key
    assert 'id="optimize-summary"' in _section(page, "summary", "key-charts")
    assert 'id="optimize"' in page and 'id="optimize-customer-nation-a"' in page
    for marker in ('id="optimize-summary"', 'id="optimize"', "cost_to_target",
                   "Cost to reach the target"):
        assert marker not in plain
    # Without the folder the report is the same report: the same charts, less this one.
    strip = re.compile(r"^\d+_")
    same = sorted(strip.sub("", p.name) for p in without.glob("*.png"))
    assert same == sorted(strip.sub("", p.name) for p in with_opt.glob("*.png")
                          if "cost_to_target" not in p.name)


def test_executive_summary_quotes_the_verify_table(runs):
    verify = pd.read_parquet(runs["optimized"] / "optimize" / "verify.parquet")
    summary = _section(_html(runs["optimized"]), "optimize-summary", "key-charts")
    items = [_text(li) for li in re.findall(r"<li>(.*?)</li>", summary, re.DOTALL)]
    line = next(li for li in items if li.startswith(f"{NATION}."))
    assert f"Cost to reach {TARGET}" in line
    rows = verify[verify["customer"] == NATION]
    assert len(rows) == 2
    for _, r in rows.iterrows():
        quoted = (f"{r['alternative']} ${r['npv_cost_usd'] / 1e6:,.2f} M ± "
                  f"{r['npv_cost_ci'] / 1e6:,.2f} M (simulated {r['availability']:.3f} ± "
                  f"{r['availability_ci']:.3f}")
        assert quoted in line
        below = f"{quoted}: below target)" in line
        assert below == (not bool(r["reaches_target"]))
    assert f"Cheapest that reaches it: {rows['against'].iloc[0]}." in line
    # The appendix table quotes the same figures.
    head, *body = _table(_html(runs["optimized"]), "optimize-customer-nation-a")
    col = head.index("Total NPV cost ($M)")
    for _, r in rows.iterrows():
        row = next(b for b in body if b[0] == r["alternative"])
        assert row[col] == (f"{r['npv_cost_usd'] / 1e6:,.2f} ± {r['npv_cost_ci'] / 1e6:,.2f}")


def test_chart_marks_the_tables_optimum_and_simulated_points(runs):
    result = load_result(runs["optimized"])
    o = result.optimize.optimum.set_index("alternative")
    v = result.optimize.verify.set_index("alternative")
    bca = analyse(result)
    n = opt.nation(result, NATION)
    with briefing():
        chart = cost_to_target(_style(bca), result.optimize, n)
    ax = chart.figure.axes[0]
    lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    for alt in bca.alternatives:
        x, y = lines[f"optimum:{alt}"].get_xydata()[0]
        assert x == pytest.approx(o.loc[alt, "availability"], rel=1e-12)
        # Verified: the total NPV at the optimum = spares and FMSO I NPV + the running cost.
        assert y == pytest.approx((o.loc[alt, "npv_usd"] + v.loc[alt, "running_npv_usd"]) / 1e6,
                                  rel=1e-12)
        assert y == pytest.approx(v.loc[alt, "npv_cost_usd"] / 1e6, rel=1e-9)
        sx, sy = lines[f"simulated:{alt}"].get_xydata()[0]
        assert (sx, sy) == pytest.approx((v.loc[alt, "availability"],
                                          v.loc[alt, "npv_cost_usd"] / 1e6), rel=1e-12)
        curve = lines[f"curve:{alt}"].get_xydata()
        assert (pd.Series(curve[:, 0]).diff().dropna() >= 0).all()   # hull, by availability
    target = lines["target"].get_xydata()
    assert target[0][0] == pytest.approx(float(TARGET))
    ref = v["against"].iloc[0]
    assert chart.title.startswith(f"{NATION}: {ref} reaches {TARGET} for ")
    assert f"{v.loc[ref, 'npv_cost_usd'] / 1e6:,.2f}\u00a0M total NPV" in chart.title
    assert "Total NPV cost" in ax.get_ylabel()


def test_alternative_without_closed_form_is_shown_at_its_own_shelf(runs):
    """Made by flipping one alternative's flags in the real tables: no closed form, simulated
    at the scenario's shelf. It has no curve and no optimum, only its simulated point."""
    result = load_result(runs["optimized"])
    alt = result.alternatives[0]
    t = result.optimize
    optimum = t.optimum.assign(answered=t.optimum["alternative"] != alt)
    verify = t.verify.assign(at_optimum=t.verify["alternative"] != alt)
    result.optimize = OptimizeTables(optimum, t.curves, t.stock, verify)
    bca = analyse(result)
    n = opt.nation(result, NATION)
    assert f"{alt} at its own shelf (no closed form) $" in opt.sentence(n)
    with briefing():
        chart = cost_to_target(_style(bca), result.optimize, n)
    ax = chart.figure.axes[0]
    gids = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    assert f"optimum:{alt}" not in gids and f"curve:{alt}" not in gids
    assert gids[f"simulated:{alt}"].get_marker() == SHELF_MARKER
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "own shelf (no closed form)" in legend
    row = next(r for r in tables.optimize(bca, NATION).rows if r[0] == alt)
    assert row[1] == "no (own shelf)"


def test_comparison_table_shows_shortfall_and_cost_per_programmed_hour(runs):
    summary = pd.read_parquet(runs["plain"] / "summary.parquet")
    means = summary.groupby("alternative")[["flight_hours_shortfall",
                                            "cost_per_programmed_fh_usd"]].mean()
    head, *body = _table(_html(runs["plain"]), "comparison-table")
    short = head.index("Programmed flight hours not flown (FH)")
    per = head.index("O&S cost per programmed flight hour ($/FH)")
    assert len(body) == len(means)
    for row in body:
        m = means.loc[row[0]]
        assert row[short].split(" ± ")[0] == fmt_value("flight_hours_shortfall",
                                                       m["flight_hours_shortfall"], bare=True)
        assert row[per].split(" ± ")[0] == fmt_value("cost_per_programmed_fh_usd",
                                                     m["cost_per_programmed_fh_usd"], bare=True)
    ws = load_workbook(runs["plain"] / "report" / "summary.xlsx")["Comparison"]
    heads = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2, values_only=True):
        alt = row[heads.index("Alternative")]
        assert row[heads.index("Programmed flight hours not flown (FH)")] == pytest.approx(
            means.loc[alt, "flight_hours_shortfall"], rel=1e-9)
        assert row[heads.index("O&S cost per programmed flight hour (USD/FH)")] == \
            pytest.approx(means.loc[alt, "cost_per_programmed_fh_usd"], rel=1e-9)


def test_spreadsheet_optimize_sheet_holds_the_tables(runs):
    verify = pd.read_parquet(runs["optimized"] / "optimize" / "verify.parquet")
    optimum = pd.read_parquet(runs["optimized"] / "optimize" / "optimum.parquet")
    wb = load_workbook(runs["optimized"] / "report" / "summary.xlsx")
    assert "Optimize" not in load_workbook(runs["plain"] / "report" / "summary.xlsx").sheetnames
    ws = wb["Optimize"]
    heads = [c.value for c in ws[1]]
    rows = [dict(zip(heads, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == len(optimum)
    for r in rows:
        v = verify[verify["alternative"] == r["Alternative"]].iloc[0]
        o = optimum[optimum["alternative"] == r["Alternative"]].iloc[0]
        assert r["Total NPV cost, simulated (USD)"] == pytest.approx(v["npv_cost_usd"])
        assert r["Simulated supply availability (%)"] == pytest.approx(v["availability"])
        assert r["Spares and FMSO I NPV (USD)"] == pytest.approx(o["npv_usd"])
        assert r["Against (reference)"] == v["against"]


def test_damaged_or_partial_optimize_folder_does_not_break_the_report(runs):
    base = runs["base"]
    damaged = base / "damaged"
    shutil.copytree(runs["optimized"], damaged, ignore=shutil.ignore_patterns("report"))
    (damaged / "optimize" / "optimum.parquet").write_bytes(b"not parquet")
    result = load_result(damaged)
    assert result.optimize is None
    assert any("optimum.parquet" in n and "left out" in n for n in result.notes)
    bca = analyse(result)
    assert any("optimize" in n for n in bca.notes)
    assert tables.optimize(bca, NATION) is None
    # Partial: the optimum is good, the verify table is damaged — the prediction is shown.
    partial = base / "partial"
    shutil.copytree(runs["optimized"], partial, ignore=shutil.ignore_patterns("report"))
    (partial / "optimize" / "verify.parquet").write_bytes(b"\x00" * 64)
    result = load_result(partial)
    assert result.optimize is not None and result.optimize.verify is None
    assert any("verify.parquet" in n for n in result.notes)
    n = opt.nation(result, NATION)
    assert not n.verified
    text = opt.sentence(n)
    for _, r in result.optimize.optimum.iterrows():
        if r["answered"] and r["met"]:
            assert (f"{r['alternative']} ${r['npv_usd'] / 1e6:,.2f} M (predicted "
                    f"{r['availability']:.3f})") in text
    page = write_report(partial).read_text(encoding="utf-8")
    assert 'id="optimize-summary"' in page and "verify.parquet" in page
    assert math.isfinite(float(result.optimize.optimum["npv_usd"].iloc[0]))
