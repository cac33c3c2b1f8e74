"""The report as a brief (issue 15): the executive summary first with a recommendation per
nation, results by phase computed from the periodic rows, money that reconciles to the cent,
charts that survive a slide, the slide deck, and the analysts' spreadsheet."""

from __future__ import annotations

import base64
import html as html_lib
import itertools
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BANNER, PERIOD, build
from openpyxl import load_workbook
from pptx import Presentation

from analysis import tables
from analysis.bca import analyse
from analysis.charts.costs import breakdown
from analysis.charts.drivers import drivers
from analysis.charts.frontier import frontier
from analysis.charts.timelines import over_time
from analysis.load import load_result
from analysis.style import CATEGORY_COLORS, PALETTE, Footer, Style, briefing
from analysis.timeline import Marker, merge

CENT = 0.01
NATIONS = ("Nation A", "Nation B", "Nation C")


class Tables(HTMLParser):
    """Every <table id=…> of a page as rows of cell texts, and the ids of <section>s in
    order."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.sections: list[str] = []
        self._id: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id", ""))
        if tag == "table" and a.get("id"):
            self._id = a["id"]
            self.tables[self._id] = []
        if self._id and tag == "tr":
            self.tables[self._id].append([])
        if self._id and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._id and self._cell is not None:
            self.tables[self._id][-1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "table":
            self._id = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> Tables:
    p = Tables()
    p.feed(html)
    return p


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


def sheet(wb, name: str) -> pd.DataFrame:
    """A sheet as a DataFrame, the banner line (if any) skipped."""
    rows = list(wb[name].iter_rows(values_only=True))
    if rows and rows[0][0] == BANNER:
        rows = rows[1:]
    return pd.DataFrame(rows[1:], columns=rows[0])


# -- the case study ---------------------------------------------------------------------------

def test_executive_summary_first_with_a_recommendation_per_nation(case_study):
    html = (case_study / "report.html").read_text(encoding="utf-8")
    page = parse(html)
    assert page.sections[0] == "summary" and page.sections[1] == "key-charts"
    assert 'class="banner top"' in html and 'class="banner bottom"' in html and BANNER in html
    summary = html[html.index('id="summary"'):html.index('id="key-charts"')]
    rows = page.tables["summary-table"]
    assert rows[0][:3] == ["Nation", "Recommended", "Rule"]
    assert [r[0] for r in rows[1:]] == list(NATIONS)      # the US wing is context, not a choice
    for r in rows[1:]:
        # Each nation states an availability target: the target rule, or the frontier when
        # no alternative meets it in enough replications.
        assert r[1] and ("target" in r[2].lower() or "frontier" in r[2].lower())
        assert " ± " in r[3] and "standard" in r[3]       # CI and each phase beside the whole
    for words in ("What separates", "Runner-up", "Main risks",
                  "Inventory exit", "day 1,900", "No-source risk", "DSCA waiver",
                  "How the recommendation was chosen", "per aircraft kept flying",
                  "USAF Wing (US unit, context"):
        assert words in summary, words
    # A binding depot is a risk only where one binds (every depot of the case study is sized
    # for its work: test_binding_depot_is_a_main_risk_where_one_binds makes one bind).
    bca = analyse(load_result(case_study.parent))
    binds = any(r.kind == "capacity" for c in bca.result.decision_customers
                for r in bca.risks.get(c, []))
    assert ("Binding depot capacity" in summary) is binds
    # Everything after the key charts is folded away.
    appendix = html[html.index('id="appendix"'):]
    assert appendix.count("<details") >= 6 and "<figure>" not in summary


def test_case_study_html_under_5_mb_with_full_resolution_files_beside_it(case_study):
    html_path = case_study / "report.html"
    assert html_path.stat().st_size < 5_000_000, html_path.stat().st_size
    html = html_path.read_text(encoding="utf-8")
    inline = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(inline) >= 20
    assert all(png_width(base64.b64decode(b[:64])) <= 1400 for b in inline)  # screen size
    pngs = sorted(case_study.glob("*.png"))
    assert len(pngs) == len(inline) and len(list(case_study.glob("*.svg"))) == len(inline)
    assert all(png_width(p.read_bytes()[:24]) == 3000 for p in pngs)       # 300 dpi beside


def test_every_total_reconciles_to_the_cent(case_study):
    """Spreadsheet and HTML against the comparison table: the cost-by-year totals include
    the CLSSA FMSO I deposit paid in warm-up, as the comparison does; the years come from
    costs.parquet (fiscal years, constant and then-year dollars)."""
    res = load_result(case_study.parent)
    wb = load_workbook(case_study / "summary.xlsx", read_only=True)
    comp = sheet(wb, "Comparison").set_index(["Alternative", "Customer"])
    years = sheet(wb, "Cost by year")
    totals = years[years["Year"] == "Total"].set_index(["Alternative", "Customer"])
    body = years[years["Year"] != "Total"]
    counted = "Cost counted in the totals, constant dollars (USD)"
    then = "Cost counted in the totals, then-year dollars (USD)"
    sums = body.groupby(["Alternative", "Customer"])[[counted, then]].sum()
    cost, npv = "Cost over the measured window (USD)", "NPV cost (USD)"
    means = res.summary.groupby(["alternative", "customer"])[["cost_usd", "npv_cost_usd"]].mean()
    pairs = len(res.alternatives) * len(res.customers)          # every alternative and customer
    assert len(totals) == len(comp) == len(means) == pairs
    for key, row in comp.iterrows():
        assert abs(row[cost] - means.loc[key, "cost_usd"]) < CENT
        assert abs(totals.loc[key, counted] - row[cost]) < CENT
        assert abs(totals.loc[key, "NPV of the cost counted (USD)"] - row[npv]) < CENT
        assert abs(sums.loc[key, counted] - row[cost]) < CENT
        assert abs(totals.loc[key, then] - sums.loc[key, then]) < CENT
    deposit = totals.loc[("CLSSA", "Nation A"), "Investment paid in warm-up (USD)"]
    assert deposit > 1e6                                   # the FMSO I deposit is counted
    clssa_a = body[(body["Alternative"] == "CLSSA") & (body["Customer"] == "Nation A")]
    first = clssa_a.sort_values("Year (number)").iloc[0]    # the (fiscal) year of day 0
    assert first[counted] == pytest.approx(deposit, abs=CENT)
    # The HTML: every year table's totals are the comparison table's figures, as printed.
    page = parse((case_study / "report.html").read_text(encoding="utf-8"))
    head, *rows = page.tables["comparison-table"]
    c_cost = head.index("Cost over the measured window ($M)")
    c_npv = head.index("NPV cost ($M)")
    printed = {(r[0], r[1]): (r[c_cost].split(" ± ")[0], r[c_npv].split(" ± ")[0])
               for r in rows}
    for nation in NATIONS:
        head, *rows = page.tables[f"years-customer-{nation.lower().replace(' ', '-')}"]
        t_cost = head.index("Total (constant FY2027 $M)")
        t_npv = head.index("NPV (constant FY2027 $M)")
        for r in rows:
            assert (r[t_cost], r[t_npv]) == printed[(r[0], nation)], (r[0], nation)
            assert r[t_cost] == f"{means.loc[(r[0], nation), 'cost_usd'] / 1e6:,.2f}"
        # The TCO table's Total row: the same printed cost for every alternative.
        head, *rows = page.tables[f"tco-elements-{nation.lower().replace(' ', '-')}"]
        total = rows[-1]
        assert total[0].startswith("Total")
        for h, v in zip(head[1:], total[1:], strict=True):
            assert v == printed[(h.removesuffix(" (recommended)"), nation)][0], (h, nation)


def test_svgs_keep_their_text_editable(case_study):
    for svg in case_study.glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<text" in text, svg.name
        assert BANNER in text, svg.name           # the banner on every chart


def test_pptx_opens_with_one_picture_per_chart_slide(case_study):
    deck = Presentation(str(case_study / "report.pptx"))
    html = (case_study / "report.html").read_text(encoding="utf-8")
    key = html[html.index('id="key-charts"'):html.index('id="appendix"')]
    n_key = key.count("<figure>")
    slides = list(deck.slides)
    # title, summary, whole cost/readiness/risk, charts, assumptions, risks
    assert len(slides) == 3 + n_key + 2
    pictures = [sum(1 for s in slide.shapes if s.shape_type == 13) for slide in slides]
    assert pictures == [0, 0, 0] + [1] * n_key + [0, 0]
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
             for slide in slides]
    assert all(BANNER in t for t in texts)
    assert "Executive summary" in texts[1] and "risks" in texts[-1].lower()
    assert any(s.has_table for s in slides[1].shapes)
    assert "whole cost, readiness and risk" in texts[2]
    (grid,) = [s.table for s in slides[2].shapes if s.has_table]
    heads = [grid.cell(0, j).text for j in range(len(grid.columns))]
    assert "TCO (then-year $M)" in heads and "Total ownership cost (constant FY2027 $M)" in heads
    assert [grid.cell(i, 0).text for i in range(1, len(grid.rows))] == list(NATIONS)
    titles = re.findall(r'<img src="[^"]*" alt="([^"]*)"', key)
    assert sum("TCO" in t for t in titles) == len(NATIONS)   # a TCO slide per nation
    for slide_text, title in zip(texts[3:3 + n_key], titles, strict=True):
        assert html_lib.unescape(title) in slide_text   # the finding is the slide's title


def test_spreadsheet_for_analysts(case_study):
    wb = load_workbook(case_study / "summary.xlsx")
    assert {"Summary", "Comparison", "Phases", "Paired differences", "Cost by year",
            "NMCS drivers", "Depots", "Time series", "Replications"} <= set(wb.sheetnames)
    keys = {"Alternative", "Customer", "Replication", "Replications", "NSN", "Item", "Depot",
            "Phase", "Year", "Year (number)", "Rank", "Metric", "Unit", "Against", "Pairs",
            "Significant", "Recommended", "Rule", "Runner-up", "Phase (number)", "Difference",
            "Difference 95 % CI half-width", "Difference 95 % CI half-width, unpaired",
            "item", "value", "IPS element"}
    seen: dict[str, set[str]] = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        head_row = 1 if rows[0][0] == BANNER else 0
        headers = rows[head_row]
        assert ws.auto_filter.ref, ws.title                 # filterable
        for h in headers:
            assert h not in ("ci", "ci_half_width", "mean"), (ws.title, h)
            if h in keys or ws.title.startswith(("Tornado", "Sensitivity", "Break-even")):
                continue
            assert re.search(r"\([^()]+\)$", h), (ws.title, h)   # the unit in the header
            seen.setdefault(h, set()).add(ws.title)
    # One name per column across sheets.
    assert {"Comparison", "Phases", "Replications"} <= seen[
        "Supply availability (not NMCS) (%)"]
    assert {"Comparison", "Phases"} <= seen[
        "Supply availability (not NMCS) 95 % CI half-width (%)"]
    assert {"TCO by IPS element", "TCO by fiscal year", "Target risk"} <= set(wb.sheetnames)
    comp = wb["Comparison"]
    head = [c.value for c in comp[2]]
    col = head.index("Supply availability (not NMCS) (%)") + 1
    assert comp.cell(3, col).number_format == "0.0%"           # a fraction shown as a percentage
    col = head.index("NPV cost (USD)") + 1
    assert comp.cell(3, col).number_format == "#,##0.00"       # dollars to the cent
    ts = sheet(wb, "Time series")
    res = load_result(case_study.parent)
    periods = 120                                   # ten years of months
    assert len(ts) == len(res.alternatives) * len(res.customers) * periods and set(ts["Phase"]) == {"warm-up", "Standard", "Non-standard"}


# -- phases from the periodic rows ------------------------------------------------------------

def test_phase_tables_equal_hand_computed_means_of_the_periodic_rows(tmp_path):
    """The synthetic scenario's events: initial support ends at day 400, one NSN leaves the
    DoD inventory at day 500, the system at day 600; warm-up 365.25, horizon 730.5, 24
    periods of 30.4375 days. A period belongs to the phase holding its midpoint."""
    path = build(tmp_path / "phases")
    ts = pd.read_parquet(path / "timeseries.parquet")
    p = (ts["period_start_day"] / PERIOD).round().astype(int)
    ts["availability"] = 0.5 + 0.01 * p + 0.05 * ts["replication"] + np.where(
        ts["alternative"] == "Alt", 0.1, 0.0)
    ts["cost_usd"] = 100.0 * p
    ts.to_parquet(path / "timeseries.parquet", index=False)
    bca = analyse(load_result(path))
    expected = {"TPA initial support": [12], "Standard": [13, 14, 15],
                "Partly non-standard (1 NSN)": [16, 17, 18, 19],
                "Non-standard": [20, 21, 22, 23]}
    got = bca.phases[bca.phases["alternative"] == "Base"].set_index("phase")
    assert list(got.index) == list(expected)
    for name, periods in expected.items():
        per_rep = [np.mean([0.5 + 0.01 * k + 0.05 * r for k in periods]) for r in range(3)]
        assert got.loc[name, "availability"] == pytest.approx(np.mean(per_rep))
        assert got.loc[name, "cost_usd"] == pytest.approx(100.0 * sum(periods))
    alt = bca.phases[bca.phases["alternative"] == "Alt"].set_index("phase")
    assert alt.loc["Standard", "availability"] == pytest.approx(0.5 + 0.14 + 0.05 + 0.1)
    # The report's phase table prints those means, beside the whole.
    t = tables.phases(bca, "Nation A")
    row = next(r for r in t.rows if r[0] == "Base")
    assert row[1].startswith(f"{100 * got.loc['TPA initial support', 'availability']:.1f} ± ")
    assert row[4].startswith(f"{100 * got.loc['Standard', 'availability']:.1f} ± ")
    assert t.headers[-3] == "Whole window: supply availability (%)"


# -- charts for a slide -----------------------------------------------------------------------

def _style(alternatives: list[str]) -> Style:
    return Style(footer=Footer("s", "ab" * 32, "2026-01-01", "0", 3, BANNER),
                 alternatives=alternatives)


def _no_overlap(boxes) -> None:
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        assert not ba.overlaps(bb), f"labels overlap: {a!r} and {b!r}"


def _label_boxes(ax):
    r = ax.figure.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(r)) for t in ax.texts]


def test_no_two_chart_labels_overlap(case_study):
    bca = analyse(load_result(case_study.parent))
    crowded = pd.DataFrame([
        {"alternative": f"Alternative {i}", "customer": "X", "npv_cost_usd": 10e6 + 1e5 * i,
         "npv_cost_usd_ci": 2e5, "availability": 0.80 + 0.002 * (i % 3),
         "availability_ci": 0.004} for i in range(8)])
    cases = [(bca.alternatives, bca.comparison, n, bca.recommendations[n].alternative)
             for n in NATIONS] + [(list(crowded["alternative"]), crowded, "X", None)]
    with briefing():
        for alts, table, who, ref in cases:
            chart = frontier(_style(alts), table, who, 0.02, ref=ref)
            fig = chart.figure
            fig.canvas.draw()
            main = fig.axes[0]
            boxes = _label_boxes(main)
            assert len(boxes) >= 3
            # Making room for labels never stretches availability far past 0-100 %.
            low, high = main.get_ylim()
            assert low >= -5 and high <= 110, (who, low, high)
            for inset in main.child_axes:
                boxes += _label_boxes(inset)
                box = inset.get_tightbbox(fig.canvas.get_renderer())
                assert not any(b.overlaps(box) for _, b in _label_boxes(main))
            _no_overlap(boxes)
        # Timeline markers: two on one day share a number; two days apart are staggered.
        band = pd.DataFrame([{"alternative": "A", "customer": "X", "period_start_day": d,
                              "availability": 0.9, "availability_ci": 0.01}
                             for d in np.arange(0, 3650, 30.4375)])
        marks = merge([Marker(365.25, "end of warm-up", "warmup"),
                       Marker(365.25, "end of initial support", "initial_support"),
                       Marker(380.0, "tempo ×2 starts", "tempo"),
                       Marker(400.0, "tempo ends", "tempo"),
                       Marker(1900.0, "F-16C leaves DoD inventory", "leave_dod_inventory")])
        assert len(marks) == 4 and "; " in marks[0].label
        chart = over_time(_style(["A"]), band, "X", "availability", marks, 365.25, 3652.5,
                          30.4375)
        fig = chart.figure
        fig.canvas.draw()
        ax = fig.axes[0]
        r = fig.canvas.get_renderer()
        numbers = [(t.get_text(), t.get_window_extent(r)) for t in ax.texts
                   if t.get_gid() == "event-number"]
        assert [n for n, _ in numbers] == ["1", "2", "3", "4"]
        _no_overlap(numbers)


def test_cost_category_colours_are_fixed_and_never_an_alternatives(tmp_path):
    from analysis.style import EVENT_COLOR

    assert not set(CATEGORY_COLORS.values()) & set(PALETTE)
    assert EVENT_COLOR not in PALETTE                     # timeline markers are not alternatives
    # Eleven alternatives (the case study has nine) get eleven colours and markers.
    eleven = _style([f"Alternative {i}" for i in range(11)])
    assert len({eleven.color(a) for a in eleven.alternatives}) == 11
    assert len({eleven.marker(a) for a in eleven.alternatives}) == 11
    table = pd.DataFrame([{"alternative": "A", "customer": "X", "cost_usd": 3e6,
                           "cost_usd_ci": 1e5, "cost_transport_usd": 1e6,
                           "cost_repair_usd": 0.0, "cost_fees_usd": 2e6}])
    with briefing():
        chart = breakdown(_style(["A"]), table, "X", 9.0)
        ax = chart.figure.axes[0]
        colours = {p.get_label(): p.patches[0].get_facecolor() for p in ax.containers
                   if hasattr(p, "patches")}
    from matplotlib.colors import to_rgba

    assert colours["Transport"] == to_rgba(CATEGORY_COLORS["cost_transport_usd"])
    assert colours["Fees"] == to_rgba(CATEGORY_COLORS["cost_fees_usd"])
    assert "Repair" not in colours


def test_at_most_15_nmcs_drivers(tmp_path):
    rows = [{"alternative": a, "customer": "X", "nsn": f"{i:04d}-01-000-0001", "name": f"Item {i}",
             "rank": i + 1, "nmcs_aircraft": 1.0 / (i + 1), "nmcs_aircraft_ci": 0.01,
             "backorders_mean": 1.0, "share": 0.01} for a in ("A", "B") for i in range(40)]
    with briefing():
        chart = drivers(_style(["A", "B"]), pd.DataFrame(rows), "X", ref="B")
    ax = chart.figure.axes[0]
    assert len(ax.get_yticks()) == 15 and "Under B" in chart.title


def test_report_of_one_alternative_and_one_replication(tmp_path):
    """No runner-up, no CI: every chart is still made and the page says what it can (charts
    made, not rendered, to keep the test fast)."""
    from analysis.charts import catalog
    from analysis.report import render_html

    path = build(tmp_path / "one")
    for name in ("summary", "items", "depots", "timeseries"):
        t = pd.read_parquet(path / f"{name}.parquet")
        t = t[(t["alternative"] == "Base") & (t["replication"] == 0)]
        t.to_parquet(path / f"{name}.parquet", index=False)
    bca = analyse(load_result(path))
    with briefing():
        keys = [e.chart.key for e in catalog.build(bca, _style(bca.alternatives))]
    assert {"frontier", "availability_by_phase", "availability_over_time"} <= set(keys)
    html = render_html(bca, {})
    assert "One alternative was simulated" in html and "Only alternative" in html


def test_dollars_named_and_fiscal_years_on_axes():
    from analysis import money

    assert money.dollars({"base_year": 2026}) == "constant FY2026 US dollars"
    assert money.dollars_short({"base_year": 2026}) == "constant FY2026 $M"
    assert money.year_label(2028, {"base_year": 2026, "fiscal_year_start_day": 273}) == \
        "FY2028"
    assert money.dollars({}) == "constant-year US dollars of the scenario"
    plain = {}
    assert list(money.year_of([0, 365.2, 365.25, 800], plain)) == [1, 1, 2, 3]
    assert money.year_label(3, plain) == "Year 3" and "year 1 = days 0" in money.year_axis(plain)
    fiscal = {"fiscal_year_start_day": 273.0}   # day 0 is 1 January; FY starts 1 October
    assert list(money.year_of([0, 272.9, 273.0, 638.25], fiscal)) == [1, 1, 2, 3]
    assert money.year_label(2, fiscal) == "FY 2" and "day 273" in money.year_axis(fiscal)


# -- the recommendation rules -----------------------------------------------------------------

def _with_target(path: Path, target: float | None) -> Path:
    import json

    m = json.loads((path / "manifest.json").read_text())
    for c in m["scenario"]["customers"]:
        c["availability_target"] = target
    (path / "manifest.json").write_text(json.dumps(m))
    return path


def test_frontier_rule_lowest_npv_per_aircraft_kept_flying(result_dir):
    """conftest: 20 aircraft; Base availability 0.90/0.80/0.70 at NPV 10/12/14 $M, Alt
    0.95/0.86/0.74 at 11/13.5/15 $M. Both are on the frontier."""
    bca = analyse(load_result(result_dir))
    rec = bca.recommendations["Nation A"]
    base = np.mean([10e6 / 18, 12e6 / 16, 14e6 / 14])
    alt = np.mean([11e6 / 19, 13.5e6 / 17.2, 15e6 / 14.8])
    assert rec.per_aircraft["Base"].mean == pytest.approx(base)
    assert rec.per_aircraft["Alt"].mean == pytest.approx(alt)
    assert rec.rule == "frontier" and rec.alternative == "Base" and rec.runner_up == "Alt"
    (step,) = rec.steps
    assert step.points == pytest.approx(5.0) and step.npv_usd == pytest.approx(7e6 / 6)
    assert step.per_point_usd == pytest.approx(7e6 / 30)
    assert step.per_aircraft_usd == pytest.approx(7e6 / 6)      # 5 points of 20 aircraft
    assert rec.separation["availability"].mean == pytest.approx(0.05)
    assert bca.reference("Nation A") == "Base"
    assert set(bca.paired["baseline"]) == {"Base"}


@pytest.mark.parametrize(("target", "chosen", "rule"), [
    (0.70, "Base", "target"),    # both meet it in 3 of 3 replications: the cheaper
    (0.72, "Alt", "target"),     # Base meets it in 2 of 3 (67 % < 90 %)
    (0.96, "Base", "frontier"),  # none meets it: the frontier decides, and says why
])
def test_target_rule_cheapest_meeting_the_target_in_90_percent(tmp_path, target, chosen, rule):
    bca = analyse(load_result(_with_target(build(tmp_path / "t"), target)))
    rec = bca.recommendations["Nation A"]
    assert (rec.alternative, rec.rule) == (chosen, rule)
    assert rec.meets == {"Base": pytest.approx(np.mean([a >= target for a in (.9, .8, .7)])),
                         "Alt": pytest.approx(np.mean([a >= target for a in (.95, .86, .74)]))}
    if rule == "frontier":
        assert any("No alternative meets" in n for n in rec.notes)


def test_binding_depot_is_a_main_risk_where_one_binds():
    """The capacity risk, built from a depot table: a line busy 95 % of the time or a queue
    of a day or more binds, 85 % with a short queue does not; the summary names the depot,
    its load and the nations whose recommendation sends carcasses there."""
    from types import SimpleNamespace

    from analysis.narrative import summary_risks
    from analysis.risks import capacity

    scenario = {"alternatives": [{"name": "Third-country", "support": {
        n: {"option": "third_country", "depot": "Regional"} for n in ("Nation A", "Nation B")}}]}
    nations = ["Nation A", "Nation B"]

    def table(util: float, queue: float) -> pd.DataFrame:
        return pd.DataFrame([{"alternative": "Third-country", "depot": "Regional",
                              "inductions": 400.0, "utilization": util,
                              "queue_days_mean": queue}])

    assert capacity(table(0.85, 0.2), scenario, "Third-country", "Nation A", nations) == []
    for util, queue in ((0.95, 0.2), (0.85, 1.5)):
        found = capacity(table(util, queue), scenario, "Third-country", "Nation A", nations)
        assert [r.kind for r in found] == ["capacity"]
        assert "shared with Nation B" in found[0].text
    risks = {n: capacity(table(0.95, 2.5), scenario, "Third-country", n, nations)
             for n in nations}
    bca = SimpleNamespace(result=SimpleNamespace(decision_customers=nations), risks=risks)
    [line] = summary_risks(bca)
    assert line.startswith("Binding depot capacity: Regional runs at 95.0 % utilization with "
                           "a 2.5-day mean queue for a repair line under Third-country "
                           "(recommended for Nation A and Nation B)")
