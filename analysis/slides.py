"""``report.pptx`` (``sustain report --pptx``): the briefing as a 16:9 deck.

Title; executive summary table; the recommendations' whole cost, readiness and risk (when the
result has them); one key chart per slide, its finding as the slide title; assumptions; risks.
The banner, when given, is on every slide, top and bottom. Charts are the 300 dpi PNGs written
beside the report; the SVGs (editable text) are there for anyone who wants to restyle a chart
in PowerPoint.
"""

from __future__ import annotations

import io
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from analysis import bca_tables, narrative, tables
from analysis.bca import Bca

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
INK = RGBColor(0x1A, 0x1A, 0x1A)
MUTED = RGBColor(0x59, 0x59, 0x59)
BANNER = RGBColor(0xB0, 0x00, 0x20)
HEAD = RGBColor(0xDC, 0xE6, 0xF1)


def write_deck(bca: Bca, figures: list, folder: Path, path: Path, banner: str = "") -> Path:
    """``figures``: the key charts (``report.FigureView`` with ``png_name`` in ``folder``)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    blank = prs.slide_layouts[6]
    m = bca.result.manifest

    s = prs.slides.add_slide(blank)
    _text(s, Inches(0.7), Inches(2.2), Inches(11.9), Inches(1.2),
          f"Business Case Analysis: {bca.result.name}", 36, bold=True)
    _text(s, Inches(0.7), Inches(3.5), Inches(11.9), Inches(1.6), narrative.question(bca), 18,
          color=MUTED)
    _text(s, Inches(0.7), Inches(5.4), Inches(11.9), Inches(0.8),
          f"Scenario SHA-256 {str(m.get('scenario_sha256', ''))[:16]}… · sustain "
          f"{m.get('package_version', '?')} · {bca.result.replications} replications · run "
          f"{str(m.get('finished_at') or m.get('started_at') or '')[:10]}", 12, color=MUTED)
    _banner(s, banner)

    s = prs.slides.add_slide(blank)
    _title(s, "Executive summary: the recommendation per nation")
    t = tables.summary(bca)
    keep = [0, 1, 3, 4, 6, 2]
    _table(s, [t.headers[i] for i in keep], [[r[i] for i in keep] for r in t.rows],
           Inches(0.4), Inches(1.3), Inches(12.5))
    notes = narrative.summary_notes(bca)
    if notes:
        _text(s, Inches(0.4), Inches(5.6), Inches(12.5), Inches(1.4), " ".join(notes), 12,
              color=MUTED)
    _banner(s, banner)

    whole = bca_tables.summary(bca)
    if whole is not None and whole.rows:
        s = prs.slides.add_slide(blank)
        _title(s, "The recommendations' whole cost, readiness and risk")
        _table(s, whole.headers, whole.rows, Inches(0.4), Inches(1.3), Inches(12.5))
        _text(s, Inches(0.4), Inches(5.4), Inches(12.5), Inches(1.6), whole.caption, 11,
              color=MUTED)
        _banner(s, banner)

    for f in figures:
        s = prs.slides.add_slide(blank)
        _title(s, f.title)
        image, (w_px, h_px) = _body(folder / f.png_name, f.header_in, f.bottom_in)
        box_w, box_h = Inches(12.5), Inches(5.65)   # below the title, above the banner
        scale = min(box_w / w_px, box_h / h_px)
        pic_w, pic_h = Emu(int(w_px * scale)), Emu(int(h_px * scale))
        s.shapes.add_picture(image, int((WIDTH - pic_w) / 2), Inches(1.4), width=pic_w,
                             height=pic_h)
        s.notes_slide.notes_text_frame.text = f"{f.caption}\n\nFiles: {f.png_name}, {f.svg_name}"
        _banner(s, banner)

    s = prs.slides.add_slide(blank)
    _title(s, "Assumptions and method")
    rows = [(k, str(v)) for k, v in tables.assumptions(bca)
            if k in ("Scenario", "Scenario SHA-256", "Replications", "Alternatives", "Horizon",
                     "Discount rate", "FMS surcharge", "Money", "Differences against",
                     "Package version")]
    _bullets(s, [f"{k}: {v}" for k, v in rows] + [narrative.method(bca)], 13)
    _banner(s, banner)

    s = prs.slides.add_slide(blank)
    _title(s, "Main risks of the recommendation")
    none = ("No binding depot, no-source, waiver or inventory exit risk was found for the "
            "recommendations.")
    risks = narrative.summary_risks(bca) or [none]
    _bullets(s, risks, 14)
    _banner(s, banner)

    prs.save(str(path))
    return path


def _body(png: Path, header_in: float, bottom_in: float = 0.0
          ) -> tuple[io.BytesIO, tuple[int, int]]:
    """The chart without its own banners, title and caption (the slide says them); the
    footer that traces it to the run stays."""
    from PIL import Image

    from analysis.style import DPI

    with Image.open(png) as im:
        top = round(max(0.0, header_in - 0.05) * DPI)
        bottom = im.height - round(bottom_in * DPI)
        ok = 0 <= top < bottom <= im.height
        body = im.crop((0, top, im.width, bottom)) if ok else im.copy()
    buf = io.BytesIO()
    body.save(buf, format="PNG", compress_level=4)
    buf.seek(0)
    return buf, body.size


def _text(slide, left, top, width, height, text: str, size: float, bold: bool = False,
          color: RGBColor = INK, align=PP_ALIGN.LEFT):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    p = frame.paragraphs[0]
    p.alignment = align
    run = p.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    return box


def _title(slide, text: str) -> None:
    size = 24 if len(text) <= 75 else (20 if len(text) <= 150 else 16)
    _text(slide, Inches(0.4), Inches(0.3), Inches(12.5), Inches(1.05), text, size, bold=True)


def _banner(slide, banner: str) -> None:
    if not banner:
        return
    for top in (Inches(0.02), HEIGHT - Inches(0.38)):
        _text(slide, Inches(0.4), top, Inches(12.5), Inches(0.35), banner, 12, bold=True,
              color=BANNER, align=PP_ALIGN.CENTER)


def _bullets(slide, lines: list[str], size: float) -> None:
    box = slide.shapes.add_textbox(Inches(0.5), Inches(1.35), Inches(12.3), Inches(5.6))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = p.add_run()
        run.text = f"• {line}"
        run.font.size = Pt(size)
        run.font.color.rgb = INK
        p.space_after = Pt(6)


def _table(slide, headers: list[str], rows: list[list[str]], left, top, width) -> None:
    shape = slide.shapes.add_table(len(rows) + 1, len(headers), left, top, width,
                                   Inches(0.5) * (len(rows) + 1))
    table = shape.table
    for j, h in enumerate(headers):
        c = table.cell(0, j)
        c.text = h
        for p in c.text_frame.paragraphs:
            for r in p.runs:
                r.font.size, r.font.bold = Pt(12), True
                r.font.color.rgb = INK
        c.fill.solid()
        c.fill.fore_color.rgb = HEAD
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            c = table.cell(i, j)
            c.text = str(v)
            for p in c.text_frame.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(11)
                    r.font.color.rgb = INK
