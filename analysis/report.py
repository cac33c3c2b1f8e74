"""``sustain report RESULT_DIR``: charts, ``report.html`` and ``summary.xlsx`` into
``RESULT_DIR/report/``.

The report is built in a fresh folder beside the old one and swapped in at the end, so a
failed run leaves the previous report intact and a good run leaves no stale chart behind.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader

from analysis import narrative, tables
from analysis.bca import Bca, analyse
from analysis.charts import catalog
from analysis.excel import write_workbook
from analysis.load import load_result
from analysis.style import Style, briefing, render

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class FigureView:
    """A written chart as the template shows it."""

    title: str
    caption: str
    png_name: str
    svg_name: str
    data_uri: str


def write_report(result_dir: Path) -> Path:
    """Write the report for a result directory; return the path of ``report.html``."""
    result_dir = Path(result_dir)
    bca = analyse(load_result(result_dir))  # InvalidInput here: nothing written yet
    target = result_dir / "report"
    work = Path(tempfile.mkdtemp(prefix=".report.", dir=result_dir))
    umask = os.umask(0)
    os.umask(umask)
    work.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report is for sharing
    try:
        figures = _charts(bca, work)
        write_workbook(bca, work / "summary.xlsx")
        html = render_html(bca, figures)
        (work / "report.html").write_text(html, encoding="utf-8")
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
    path = write_report(Path(args.result_dir))
    print(f"report: {path}")
    print(f"spreadsheet: {path.parent / 'summary.xlsx'}")
    return 0


def _charts(bca: Bca, out: Path) -> dict[str | None, list[FigureView]]:
    """Render every chart to PNG and SVG; figures grouped by customer (None: scenario-wide)."""
    style = Style(footer=bca.footer(), alternatives=bca.alternatives)
    slugs = _slugs(bca.customers)
    figures: dict[str | None, list[FigureView]] = {}
    with briefing():
        entries = catalog.build(bca, style)
        for n, e in enumerate(entries, start=1):
            suffix = f"_{slugs[e.customer]}" if e.customer is not None else ""
            stem = f"{n:02d}_{e.chart.key}{suffix}"
            png_path, svg_path, png = render(e.chart, out, stem)
            e.chart.figure.clear()
            uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            figures.setdefault(e.customer, []).append(
                FigureView(e.chart.title, e.chart.caption, png_path.name, svg_path.name, uri))
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


def render_html(bca: Bca, figures: dict[str | None, list[FigureView]]) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("report.html.j2")
    customers = []
    for c in bca.result.decision_customers:
        customers.append({
            "name": c,
            "anchor": f"customer-{_slugs(bca.customers)[c]}",
            "bottom_line": narrative.bottom_line(bca, c),
            "figures": figures.get(c, []),
            "every_metric": tables.every_metric(bca, c),
            "paired": tables.paired(bca, c, bca.metrics) if len(bca.alternatives) > 1 else None,
            "years": tables.years(bca, c) if not bca.years.empty else None,
            "drivers": tables.drivers(bca, c) if not bca.drivers.empty else None,
            "tornado": tables.tornado(bca, c),
        })
    tornado_note = next((n for n in bca.notes if n.startswith("Tornado")), None)
    m = bca.result.manifest
    return template.render(
        scenario=bca.result.name,
        sha256=m.get("scenario_sha256", ""),
        version=m.get("package_version", ""),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        question=narrative.question(bca),
        us_context=[narrative.us_context(bca, c) for c in bca.result.us_units],
        method=narrative.method(bca),
        customers=customers,
        many_customers=len(customers) > 1,
        assumptions=tables.assumptions(bca),
        notes=bca.notes,
        tornado_note=tornado_note,
        comparison=tables.comparison(bca),
        paired=tables.paired(bca) if len(bca.alternatives) > 1 else None,
        baseline=bca.baseline,
        depots=tables.depots(bca) if not bca.depots.empty else None,
        fleet_figures=figures.get(None, []),
        scenario_yaml=yaml.safe_dump(bca.result.scenario, sort_keys=False, allow_unicode=True,
                                     width=100),
    )
