"""``sustain report RESULT_DIR [--pptx] [--banner TEXT]``: charts, ``report.html``,
``summary.xlsx`` and, with ``--pptx``, ``report.pptx`` into ``RESULT_DIR/report/``.

The report is built in a fresh folder beside the old one and swapped in at the end, so a
failed run leaves the previous report intact and a good run leaves no stale chart behind.
Charts are drawn one at a time and written at full resolution beside the report (PNG 300 dpi,
SVG with editable text); the page itself embeds a screen-resolution copy, which keeps the
self-contained HTML small enough to e-mail.
"""

from __future__ import annotations

import argparse
import base64
import gc
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader

from analysis import bca_tables, narrative, tables
from analysis import cooperative as coop
from analysis import optimize as opt
from analysis.bca import Bca, analyse
from analysis.charts import catalog
from analysis.excel import write_workbook
from analysis.load import load_result
from analysis.style import Style, briefing, render

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class FigureView:
    """A written chart as the template and the slides show it."""

    title: str
    caption: str
    png_name: str
    svg_name: str
    data_uri: str
    main: bool = False
    customer: str | None = None
    header_in: float = 0.0  # height of the chart's own banner, title and caption (inches)
    bottom_in: float = 0.0  # height of the chart's own bottom banner (inches)


def write_report(result_dir: Path, pptx: bool = False, banner: str = "",
                 progress=None) -> Path:
    """Write the report for a result directory; return the path of ``report.html``.

    ``banner``: a line printed on every chart, page and slide ("NOTIONAL DATA —
    ILLUSTRATIVE", a classification line); ``progress``: called with a short message as each
    part is done.
    """
    say = progress or (lambda _msg: None)
    result_dir = Path(result_dir)
    bca = analyse(load_result(result_dir))  # InvalidInput here: nothing written yet
    target = result_dir / "report"
    work = Path(tempfile.mkdtemp(prefix=".report.", dir=result_dir))
    umask = os.umask(0)
    os.umask(umask)
    work.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report is for sharing
    try:
        figures = _charts(bca, work, banner, say)
        cooperative = coop.section(bca, work, banner)      # None: no partnership or ACSA
        write_workbook(bca, work / "summary.xlsx", banner=banner)
        say("spreadsheet written")
        html = render_html(bca, figures, banner, cooperative=cooperative)
        (work / "report.html").write_text(html, encoding="utf-8")
        say("report.html written")
        if pptx:
            from analysis.slides import write_deck

            write_deck(bca, [f for fs in figures.values() for f in fs if f.main], work,
                       work / "report.pptx", banner=banner)
            say("report.pptx written")
        if target.exists():
            old = result_dir / f".report.old.{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
            target.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        work.rename(target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target / "report.html"


def cmd_report(args: argparse.Namespace) -> int:
    pptx = bool(getattr(args, "pptx", False))
    banner = str(getattr(args, "banner", "") or "")

    def progress(msg: str) -> None:
        if sys.stderr.isatty():
            print(f"  {msg}", file=sys.stderr, flush=True)

    path = write_report(Path(args.result_dir), pptx=pptx, banner=banner, progress=progress)
    print(f"report: {path}")
    print(f"spreadsheet: {path.parent / 'summary.xlsx'}")
    if pptx:
        print(f"slides: {path.parent / 'report.pptx'}")
    return 0


def _charts(bca: Bca, out: Path, banner: str = "",
            say=lambda _m: None) -> dict[str | None, list[FigureView]]:
    """Render every chart, one at a time, to PNG and SVG; figures grouped by customer (None:
    scenario-wide)."""
    style = Style(footer=bca.footer(banner), alternatives=bca.alternatives)
    slugs = _slugs(bca.customers)
    figures: dict[str | None, list[FigureView]] = {}
    with briefing():
        for n, e in enumerate(catalog.build(bca, style), start=1):
            suffix = f"_{slugs[e.customer]}" if e.customer is not None else ""
            stem = f"{n:02d}_{e.chart.key}{suffix}"
            header = float(getattr(e.chart.figure, "sustain_header_in", 0.0))
            bottom = float(getattr(e.chart.figure, "sustain_bottom_in", 0.0))
            png_path, svg_path, png = render(e.chart, out, stem)
            uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            figures.setdefault(e.customer, []).append(
                FigureView(e.chart.title, e.chart.caption, png_path.name, svg_path.name, uri,
                           e.main, e.customer, header, bottom))
            e.chart.figure = None  # drop the emptied figure now, not at the end
            del e, png
            if n % 6 == 0:
                gc.collect()
            say(f"chart {n}: {stem}")
    return figures


def _slugs(names: list[str]) -> dict[str | None, str]:
    """File-name-safe, unique short names for customers."""
    out: dict[str | None, str] = {}
    seen: set[str] = set()
    for i, name in enumerate(names):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or f"customer-{i + 1}"
        while slug in seen:
            slug = f"{slug}-{i + 1}"
        seen.add(slug)
        out[name] = slug
    return out


def _whole_bca(bca: Bca, slugs: dict[str | None, str]) -> list[dict]:
    """Per FMS nation, the whole BCA's tables (``None`` where the result has no data)."""
    return [{"name": c, "anchor": slugs[c],
             "tco_elements": bca_tables.tco_elements(bca, c),
             "tco_elements_then": bca_tables.tco_elements(bca, c, "then_year"),
             "tco_years": bca_tables.tco_years(bca, c),
             "readiness": bca_tables.readiness(bca, c),
             "sustainment": bca_tables.sustainment(bca, c),
             "risk": bca_tables.risk(bca, c)} for c in bca.result.decision_customers]


def render_html(bca: Bca, figures: dict[str | None, list[FigureView]], banner: str = "",
                cooperative: coop.Section | None = None) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("report.html.j2")
    slugs = _slugs(bca.customers)
    customers = []
    for c in bca.result.decision_customers:
        customers.append({
            "name": c,
            "anchor": f"customer-{slugs[c]}",
            "decision": narrative.bottom_line(bca, c),
            "risks": [r.text for r in bca.risks.get(c, [])],
            "figures": [f for f in figures.get(c, []) if not f.main],
            "comparison": tables.comparison(bca, c),
            "phases": tables.phases(bca, c),
            "frontier": tables.frontier(bca, c),
            "every_metric": tables.every_metric(bca, c),
            "paired": tables.paired(bca, c, bca.metrics) if len(bca.alternatives) > 1 else None,
            "years": tables.years(bca, c) if not bca.years.empty else None,
            "drivers": tables.drivers(bca, c) if not bca.drivers.empty else None,
            "tornado": tables.tornado(bca, c),
            "optimize": tables.optimize(bca, c),
        })
    main_figures = [f for fs in figures.values() for f in fs if f.main]
    optimized = [(c, opt.nation(bca.result, c)) for c in bca.result.decision_customers]
    whole = _whole_bca(bca, slugs)
    tornado_note = next((n for n in bca.notes if n.startswith("Tornado")), None)
    m = bca.result.manifest
    return template.render(
        scenario=bca.result.name,
        banner=banner,
        sha256=m.get("scenario_sha256", ""),
        version=m.get("package_version", ""),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        question=narrative.question(bca),
        summary=tables.summary(bca),
        summary_risks=narrative.summary_risks(bca),
        summary_notes=narrative.summary_notes(bca),
        optimize_summary=[{"name": c, "text": opt.sentence(n)} for c, n in optimized if n],
        us_context=[narrative.us_context(bca, c) for c in bca.result.us_units],
        method=narrative.method(bca),
        customers=customers,
        many_customers=len(customers) > 1,
        main_figures=main_figures,
        assumptions=tables.assumptions(bca),
        notes=bca.notes,
        tornado_note=tornado_note,
        comparison=tables.comparison(bca),
        paired=tables.paired(bca) if len(bca.alternatives) > 1 else None,
        depots=tables.depots(bca) if not bca.depots.empty else None,
        fleet_figures=[f for f in figures.get(None, []) if not f.main],
        bca_summary=bca_tables.summary(bca) if bca.has_costs or "mc_rate" in bca.metrics
        else None,
        whole_bca=[n for n in whole if n["tco_elements"] or n["tco_years"]],
        readiness=[n for n in whole if n["readiness"] or n["sustainment"]],
        risk=[n for n in whole if n["risk"]],
        cooperative=cooperative,
        scenario_yaml=yaml.safe_dump(bca.result.scenario, sort_keys=False, allow_unicode=True,
                                     width=100),
    )
