"""The report presents issue 14's whole BCA: total ownership cost by IPS element and fiscal
year from costs.parquet (reconciled to summary.cost_usd to the cent), fiscal years as the
model numbers them, then-year = constant × index, readiness labelled as what it is, and the
risk against each nation's target equal to an independent computation from the summary.

Small result sets are built by hand (``conftest.build`` plus a costs.parquet); the case study
is the shared 3-replication run (``case_study``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import build
from openpyxl import load_workbook
from test_report_brief import parse, sheet

from analysis import bca_tables, money, narrative
from analysis.bca import analyse
from analysis.load import load_result
from analysis.metrics import metric
from analysis.tco import IPS_ORDER, escalation_index
from sim.scenario.money import fiscal_year_of

CENT = 0.005
NATIONS = ("Nation A", "Nation B", "Nation C")
RATE = 0.021
# The synthetic scenario: horizon 730.5 days, warm-up 365.25; day 0 is in FY2027 and a new
# fiscal year starts on day 273: FY2027 = [0, 273) wholly warm-up, FY2028 = [273, 638.25)
# straddles the end of warm-up, FY2029 = [638.25, 730.5).
BASE, START = 2027, 273.0
# Per alternative and replication r (summary.cost_usd = 2e6 (r + 1)): investments paid in
# warm-up — technical data on day 0 (FY2027) and support equipment on day 300 (FY2028) —
# then the measured cost split over FY2028 and FY2029.
INVEST = {"Base": (0.0, 0.0), "Alt": (0.3e6, 0.2e6)}


def _with_costs(path: Path, target: float | None = None) -> Path:
    """Add base year, fiscal years, escalation (and a target) to the synthetic result, write a
    costs.parquet that sums to summary.cost_usd, and make the periodic costs agree with it
    (what the summary counts beyond the measured periods: the investments paid in warm-up)."""
    m = json.loads((path / "manifest.json").read_text())
    sc = m["scenario"]
    sc.update(base_year=BASE, fiscal_year_start_day=START, escalation=RATE)
    for c in sc["customers"]:
        c["availability_target"] = target
    (path / "manifest.json").write_text(json.dumps(m))
    summary = pd.read_parquet(path / "summary.parquet")
    ts = pd.read_parquet(path / "timeseries.parquet")
    rows = []
    for _, s in summary.iterrows():
        key = {"alternative": s["alternative"], "replication": s["replication"],
               "customer": s["customer"]}
        day0, day300 = INVEST[s["alternative"]]
        measured = s["cost_usd"] - day0 - day300
        extra = 1000.0 if s["replication"] == 1 else 0.0   # a cell charged once only
        parts = [("technical data", 2027, day0), ("support equipment", 2028, day300),
                 ("supply support", 2028, 0.4 * measured),
                 ("maintenance planning and management", 2029, 0.35 * measured - extra),
                 ("manpower and personnel", 2029, 0.25 * measured),
                 ("training and training support", 2029, extra)]
        for ips, fy, usd in parts:
            if usd:
                rows.append({**key, "ips_element": ips, "fiscal_year": fy,
                             "constant_usd": usd,
                             "then_year_usd": usd * (1 + RATE) ** (fy - BASE)})
        mine = ((ts["alternative"] == s["alternative"]) & (ts["replication"] == s["replication"])
                & (ts["customer"] == s["customer"]))
        after = mine & (ts["period_start_day"] >= 365.25 - 1e-9)
        ts.loc[after, "cost_usd"] = measured / after.sum()
        ts.loc[mine & ~after, "cost_usd"] = 500.0
    pd.DataFrame(rows).to_parquet(path / "costs.parquet", index=False)
    ts.to_parquet(path / "timeseries.parquet", index=False)
    return path


@pytest.fixture
def costed(tmp_path: Path) -> Path:
    return _with_costs(build(tmp_path / "costed", customers=["Nation A", "Nation B"]),
                       target=0.75)


# -- money from costs.parquet -----------------------------------------------------------------

def test_tco_reconciles_to_summary_cost_to_the_cent(costed):
    bca = analyse(load_result(costed))
    summary = pd.read_parquet(costed / "summary.parquet")
    means = summary.groupby(["alternative", "customer"])["cost_usd"].mean()
    by_alt = bca.tco.groupby(["alternative", "customer"])["constant_usd"].sum()
    years = bca.years.groupby(["alternative", "customer"])["cost_usd"].sum()
    comp = bca.comparison.set_index(["alternative", "customer"])["cost_usd"]
    assert len(means) == 4
    for key, cost in means.items():
        assert abs(by_alt[key] - cost) < CENT
        assert abs(years[key] - cost) < CENT
        assert abs(comp[key] - cost) < CENT
    # A replication without a charge in a cell counts as zero there: the mean over three.
    t = bca.tco.set_index(["alternative", "customer", "ips_element", "fiscal_year"])
    assert t.loc[("Base", "Nation A", "training and training support", 2029),
                 "constant_usd"] == pytest.approx(1000.0 / 3)
    # Investments paid in warm-up: FY2027 wholly, and the day-300 one in FY2028, which
    # straddles the end of warm-up (found as what the summary counts beyond the measured
    # periods, less FY2027's).
    y = bca.years.set_index(["alternative", "customer", "year"])
    assert y.loc[("Alt", "Nation A", 2027), "investment_usd"] == pytest.approx(0.3e6)
    assert y.loc[("Alt", "Nation A", 2028), "investment_usd"] == pytest.approx(0.2e6)
    assert y.loc[("Base", "Nation A", 2028), "investment_usd"] == pytest.approx(0.0, abs=CENT)
    assert y.loc[("Alt", "Nation A", 2027), "warmup_share"] == 1.0
    assert y.loc[("Alt", "Nation A", 2028), "warmup_share"] == pytest.approx(
        (365.25 - 273) / 365.25)
    # The HTML-ready tables: the elements' Total row is the comparison table's cost as printed.
    for alt, nation in means.index:
        table = bca_tables.tco_elements(bca, nation)
        col = [h.removesuffix(" (recommended)") for h in table.headers].index(alt)
        assert table.rows[-1][col] == f"{comp[(alt, nation)] / 1e6:,.2f}"
        parts = [float(r[col]) for r in table.rows[:-1]]
        assert sum(parts) == pytest.approx(comp[(alt, nation)] / 1e6, abs=0.01 * len(parts))


def test_spreadsheet_tco_sheets_reconcile_to_the_cent(costed):
    from analysis.excel import write_workbook

    bca = analyse(load_result(costed))
    path = write_workbook(bca, costed / "s.xlsx")
    wb = load_workbook(path, read_only=True)
    comp = sheet(wb, "Comparison").set_index(["Alternative", "Customer"])
    tco = sheet(wb, "TCO by IPS element")
    const = "Total ownership cost, constant dollars (USD)"
    then = "Total ownership cost, then-year dollars (USD)"
    totals = tco[tco["IPS element"] == "Total"].set_index(["Alternative", "Customer"])
    body = tco[tco["IPS element"] != "Total"].groupby(["Alternative", "Customer"])[
        [const, then]].sum()
    for key, row in comp.iterrows():
        cost = row["Cost over the measured window (USD)"]
        assert abs(totals.loc[key, const] - cost) < CENT
        assert abs(body.loc[key, const] - cost) < CENT
        assert abs(totals.loc[key, then] - body.loc[key, then]) < CENT
    years = sheet(wb, "Cost by year")
    total = years[years["Year"] == "Total"].set_index(["Alternative", "Customer"])
    per = years[years["Year"] != "Total"]
    assert set(per["Year"]) == {"FY2027", "FY2028", "FY2029"}
    sums = per.groupby(["Alternative", "Customer"])[
        "Cost counted in the totals, constant dollars (USD)"].sum()
    for key, row in comp.iterrows():
        assert abs(sums[key] - row["Cost over the measured window (USD)"]) < CENT
        assert abs(total.loc[key, "NPV of the cost counted (USD)"] - row["NPV cost (USD)"]) \
            < CENT
    fy = sheet(wb, "TCO by fiscal year")
    assert {"IPS element", "Fiscal year (number)", "Year", "Escalation index (ratio)"} <= set(
        fy.columns)


# -- fiscal years as the model numbers them ---------------------------------------------------

@pytest.mark.parametrize(("base", "start"), [(2027, 273.0), (2030, 0.0), (None, 100.0),
                                            (None, 0.0)])
def test_fiscal_years_are_the_models(base, start):
    sc = {"base_year": base, "fiscal_year_start_day": start}
    days = np.array([0.0, 99.9, 100.0, 272.9, 273.0, 365.2, 365.25, 638.25, 800.0, 3652.4])
    first = base if base is not None else 1
    expected = [fiscal_year_of(float(d), first, start) for d in days]
    assert list(money.year_of(days, sc)) == expected
    for y in set(expected):
        lo, hi = money.year_bounds(y, sc)
        assert fiscal_year_of(lo, first, start) == y
        assert fiscal_year_of(hi - 1e-6, first, start) == y
        assert fiscal_year_of(hi, first, start) == y + 1
    label = money.year_label(expected[-1], sc)
    if base is not None:
        assert label == f"FY{expected[-1]}"
    else:
        assert label == (f"FY {expected[-1]}" if start else f"Year {expected[-1]}")


def test_case_study_fy_labels_are_the_models_fiscal_years(case_study):
    res = load_result(case_study.parent)
    bca = analyse(res)
    costs = pd.read_parquet(case_study.parent / "costs.parquet")
    model_years = sorted(int(y) for y in costs["fiscal_year"].unique())
    assert model_years[0] == res.base_year == 2027
    assert sorted(bca.years["year"].unique()) == model_years
    assert set(bca.years["year_label"]) == {f"FY{y}" for y in model_years}
    html = parse((case_study / "report.html").read_text(encoding="utf-8"))
    for nation in NATIONS:
        slug = nation.lower().replace(" ", "-")
        head = html.tables[f"years-customer-{slug}"][0]
        shown = [h for h in head if h.startswith("FY")]
        mine = costs[costs["customer"] == nation]["fiscal_year"].unique()
        assert shown == [f"FY{y}" for y in sorted(int(y) for y in mine)]
        assert head[0] == "Alternative (constant FY2027 $M)"
        rec = bca.recommendations[nation].alternative
        head = html.tables[f"tco-years-{slug}"][0]
        part = costs[(costs["customer"] == nation) & (costs["alternative"] == rec)]
        assert head[1:-1] == [f"FY{y}" for y in sorted(int(y) for y in
                                                        part["fiscal_year"].unique())]


# -- then-year dollars ------------------------------------------------------------------------

def test_then_year_is_constant_times_the_index(case_study):
    res = load_result(case_study.parent)
    sc = res.scenario
    costs = res.costs
    index = costs["fiscal_year"].map(lambda y: escalation_index(sc, int(y)))
    assert np.allclose(index, [(1 + sc["escalation"]) ** (int(y) - 2027)
                               for y in costs["fiscal_year"]], rtol=1e-15, atol=0)
    assert np.allclose(costs["then_year_usd"], costs["constant_usd"] * index, rtol=0,
                       atol=CENT)
    bca = analyse(res)
    t = bca.tco
    assert np.allclose(t["then_year_usd"],
                       t["constant_usd"] * t["fiscal_year"].map(
                           lambda y: escalation_index(sc, int(y))), rtol=1e-12, atol=CENT)
    # The recommended alternative's table: each fiscal year's then-year total is its
    # constant total times the index printed above it.
    html = parse((case_study / "report.html").read_text(encoding="utf-8"))
    for nation in NATIONS:
        rows = html.tables[f"tco-years-{nation.lower().replace(' ', '-')}"]
        by_name = {r[0]: r[1:] for r in rows[1:]}
        const = by_name["Total, constant FY2027 $M"]
        idx = by_name["Escalation index (then-year / constant)"]
        then = by_name["Total, then-year $M"]
        for c, i, ty in zip(const[:-1], idx[:-1], then[:-1], strict=True):
            assert float(ty.replace(",", "")) == pytest.approx(
                float(c.replace(",", "")) * float(i), abs=0.011)


def test_escalation_index_table_as_json_keys():
    sc = {"base_year": 2027, "escalation": {"indices": {"2027": 1.0, "2028": 1.03}}}
    assert escalation_index(sc, 2028) == 1.03
    assert money.then_year(sc).startswith("then-year US dollars (the scenario's escalation")
    assert escalation_index({"escalation": 0.02}, 3) == pytest.approx(1.02 ** 2)  # FY 1 base


# -- readiness labelled as what it is ---------------------------------------------------------

def test_mc_and_fmc_rates_appear_labelled(case_study):
    assert metric("availability").label == "Supply availability (not NMCS)"
    assert metric("availability").name == "Supply availability"
    html_text = (case_study / "report.html").read_text(encoding="utf-8")
    html = parse(html_text)
    bca = analyse(load_result(case_study.parent))
    for nation in NATIONS:
        slug = nation.lower().replace(" ", "-")
        head, *rows = html.tables[f"readiness-{slug}"]
        assert head[1:4] == ["Supply availability (not NMCS) (%)",
                             "Mission-capable rate (not NMCS, not NMCM) (%)",
                             "Full-mission-capable rate (also not PMC) (%)"]
        comp = bca.comparison[bca.comparison["customer"] == nation].set_index("alternative")
        for r in rows:
            for col, text in zip(("availability", "mc_rate", "fmc_rate"), r[1:4],
                                 strict=True):
                assert text.split(" ± ")[0] == f"{100 * comp.loc[r[0], col]:.1f}"
            assert comp.loc[r[0], "fmc_rate"] <= comp.loc[r[0], "mc_rate"] <= comp.loc[
                r[0], "availability"] + 1e-12
        head = html.tables[f"sustainment-{slug}"][0]
        assert head[1:] == ["Materiel availability, KPP (%)", "Mean down time, KSA (days)",
                            "Observed MFHBR (FH)", "O&S cost per flight hour, KSA ($/FH)"]
    head = html.tables["summary-table"][0]
    assert "Supply availability (%)" in head
    head = html.tables["bca-summary-table"][0]
    assert "Supply availability / MC / FMC rate (%)" in head
    assert len(list(case_study.glob("*_readiness_*.png"))) == len(NATIONS)
    assert len(list(case_study.glob("*_tco_by_ips_element_*.png"))) == len(NATIONS)
    wb = load_workbook(case_study / "summary.xlsx", read_only=True)
    comp_head = sheet(wb, "Comparison").columns
    assert {"Supply availability (not NMCS) (%)",
            "Mission-capable rate (not NMCS, not NMCM) (%)",
            "Full-mission-capable rate (also not PMC) (%)"} <= set(comp_head)


# -- risk against the target ------------------------------------------------------------------

def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def test_risk_table_equals_an_independent_computation(case_study):
    res = load_result(case_study.parent)
    summary = pd.read_parquet(case_study.parent / "summary.parquet")
    ts = pd.read_parquet(case_study.parent / "timeseries.parquet")
    html = parse((case_study / "report.html").read_text(encoding="utf-8"))
    bca = analyse(res)
    wb = load_workbook(case_study / "summary.xlsx", read_only=True)
    risk_sheet = sheet(wb, "Target risk").set_index(["Alternative", "Customer"])
    for nation in NATIONS:
        target = res.availability_target(nation)
        head, *rows = html.tables[f"risk-{nation.lower().replace(' ', '-')}"]
        assert head[1] == f"P(supply availability < {100 * target:.1f} % target) (%, 95 % CI)"
        for r in rows:
            alt = r[0]
            s = summary[(summary["customer"] == nation) & (summary["alternative"] == alt)]
            a = s["availability"].to_numpy()
            k, n = int((a < target).sum()), len(a)
            lo, hi = _wilson(k, n)
            assert r[1] == f"{100 * k / n:.0f} ({100 * lo:.0f}–{100 * hi:.0f})"
            t = ts[(ts["customer"] == nation) & (ts["alternative"] == alt)
                   & (ts["period_start_day"] >= res.warmup_days)]
            share = (t["availability"] < target).groupby(t["replication"]).mean()
            assert r[2].split(" ± ")[0] == f"{100 * share.mean():.1f}"
            cost = np.percentile(s["cost_usd"], [10, 50, 90])
            npv = np.percentile(s["npv_cost_usd"], [10, 50, 90])
            assert r[3] == " / ".join(f"{v / 1e6:,.2f}" for v in cost)
            assert r[4] == " / ".join(f"{v / 1e6:,.2f}" for v in npv)
            x = risk_sheet.loc[(alt, nation)]
            assert x["P(supply availability below target) (%)"] == pytest.approx(k / n)
            assert x["P(below target) 95 % Wilson CI low (%)"] == pytest.approx(lo, abs=1e-9)
            assert x["P(below target) 95 % Wilson CI high (%)"] == pytest.approx(hi, abs=1e-9)
            assert x["Cost, 90th percentile over replications (USD)"] == pytest.approx(
                cost[2], abs=CENT)
        # The recommendation's rule and the risk table say the same: the rule's share
        # meeting the target is 1 - P(below), and the summary quotes that P(below).
        rec = bca.recommendations[nation]
        rows_by_alt = {r[0]: r for r in rows}
        for alt, meets in rec.meets.items():
            assert rows_by_alt[alt][1].startswith(f"{100 * (1 - meets):.0f} (")
        if rec.rule == "target":
            below = rows_by_alt[rec.alternative][1].split(" ")[0]
            assert f"(here {below} %)" in narrative.rule_short(rec)
            assert f"P(below target) {below} %" in rec.reason
            summary_row = next(r for r in html.tables["bca-summary-table"][1:]
                               if r[0] == nation)
            assert f"{100 * target:.1f} %: {below} %" in summary_row[5]


def test_a_nation_without_a_target_is_said_so(tmp_path):
    path = _with_costs(build(tmp_path / "none"), target=None)
    bca = analyse(load_result(path))
    notes = " ".join(narrative.summary_notes(bca))
    assert "Nation A states no availability target" in notes
    table = bca_tables.risk(bca, "Nation A")
    assert not any("P(" in h for h in table.headers)
    assert "states no availability target" in table.caption
    row = bca_tables.summary(bca).rows[0]
    assert "none stated" in row
    summary = pd.read_parquet(path / "summary.parquet")
    base = summary[summary["alternative"] == "Base"]["cost_usd"]
    assert table.rows[0][1] == " / ".join(
        f"{v / 1e6:,.2f}" for v in np.percentile(base, [10, 50, 90]))


def test_ips_colours_fixed_distinct_and_never_an_alternatives():
    from analysis.style import IPS_COLORS, PALETTE, fixed_colors

    assert list(IPS_COLORS) == list(IPS_ORDER)
    assert len(set(IPS_COLORS.values())) == 12
    assert not set(IPS_COLORS.values()) & set(PALETTE)
    assert set(IPS_COLORS.values()) <= set(fixed_colors())


def test_tco_chart_totals_are_the_comparisons(costed):
    from analysis.charts.tco import tco_by_element
    from analysis.style import Footer, Style, briefing

    bca = analyse(load_result(costed))
    style = Style(footer=Footer("s", "ab" * 32, "2026-01-01", "0", 3), alternatives=["Base",
                                                                                       "Alt"])
    with briefing():
        chart = tco_by_element(style, bca.tco, bca.comparison, "Nation A",
                               bca.result.scenario, bca.measured_years, ref="Base")
    ax = chart.figure.axes[0]
    widths: dict[float, float] = {}
    for patch in ax.patches:
        y = round(patch.get_y(), 6)
        widths[y] = widths.get(y, 0.0) + patch.get_width()
    comp = bca.comparison[bca.comparison["customer"] == "Nation A"].set_index("alternative")
    assert sorted(widths.values()) == pytest.approx(sorted(comp["cost_usd"] / 1e6), abs=1e-8)
    assert "constant FY2027 $M" in ax.get_xlabel()
    assert "then-year" in chart.title
