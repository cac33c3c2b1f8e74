"""The one briefing style of every chart: palette, fonts, title block, footer, file output.

Charts go straight into Business Case Analysis briefings, so each figure carries a title that
states the finding, a subtitle that says what is plotted, and a footer that traces it to the
scenario (name, SHA-256, run date) — configuration status accounting on the slide itself.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display, ever: reports are written on servers and in CI

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

# Alternatives: Okabe & Ito (2008), safe for the common colour-vision deficiencies, with
# their pale yellow (nearly invisible on white, on a screen or a projector) replaced by a
# blue-violet; black. Then three from ColorBrewer's Dark2 (magenta, leaf green, ochre), so a
# study of up to eleven alternatives (the case study has nine) never gives two of them one
# colour: a bar chart has only the colour to tell them apart. Markers are all large, filled
# shapes (a star reads as a dot when small).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7570B3",
           "#000000", "#E7298A", "#66A61E", "#A6761D")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "p", "h", "<", ">")
LINESTYLES = ("-", "--", "-.", ":")
GREY = "#595959"
LIGHT = "#D9D9D9"

# Cost categories: one fixed colour per category, whatever the run holds, and none of them an
# alternative's colour (a stacked bar's segments must never read as alternatives).
CATEGORY_COLORS = {
    "cost_repair_usd": "#332288",      # indigo
    "cost_purchase_usd": "#DDCC77",    # sand
    "cost_exchange_usd": "#44AA99",    # teal
    "cost_clssa_usd": "#882255",       # wine
    "cost_transport_usd": "#999933",   # olive
    "cost_surcharge_usd": "#BBBBBB",   # light grey
    "cost_fees_usd": "#AA4499",        # purple
    "cost_other_usd": "#661100",       # brown (whole-BCA cost elements, issue 14)
}
OTHER_CATEGORY_COLOR = "#7F7F7F"

# The twelve Integrated Product Support elements: one fixed colour each, none an alternative's.
# The elements the simulated supply chain maps to keep their cost category's colour
# (maintenance = repair, PHS&T = transport, product support management = FMS surcharge,
# supply support = exchange).
IPS_COLORS = {
    "product support management": "#BBBBBB",
    "design interface": "#CC6677",
    "sustaining engineering": "#117733",
    "supply support": "#44AA99",
    "maintenance planning and management": "#332288",
    "packaging, handling, storage and transportation": "#999933",
    "technical data": "#88CCEE",
    "support equipment": "#994F00",
    "training and training support": "#DDCC77",
    "manpower and personnel": "#AA4499",
    "facilities and infrastructure": "#FFAABB",
    "IT systems continuous support": "#882255",
}

# Timeline events and phases are not alternatives: one dark grey, told apart by line style.
EVENT_COLOR = "#4D4D4D"
PHASE_SHADES = ("#FFFFFF", "#F1F1F1")  # alternating phase backgrounds
BANNER_COLOR = "#B00020"

WIDTH_IN, HEIGHT_IN = 10.0, 5.625  # 16:9, a full slide body
DPI = 300          # the files beside the report, for slides and print
SCREEN_DPI = 120   # the images inside report.html: 1200 px wide, sharp on screen, small

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10.5,
    "axes.labelcolor": "#262626",
    "axes.edgecolor": GREY,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "xtick.color": "#262626",
    "ytick.color": "#262626",
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "text.parse_math": False,  # user names and "$" amounts are plain text, never mathtext
    "svg.hashsalt": "sustain",  # stable SVG ids: the same result gives the same file
    "svg.fonttype": "none",  # text stays text: editable after pasting into PowerPoint
}


@dataclass(frozen=True)
class Footer:
    """What traces a chart back to its run."""

    scenario: str
    sha256: str
    run_date: str
    version: str
    replications: int
    banner: str = ""  # e.g. "NOTIONAL DATA — ILLUSTRATIVE" or a classification line

    def text(self) -> str:
        sha = self.sha256[:12] + "…" if len(self.sha256) > 12 else (self.sha256 or "unknown")
        return (f"Scenario {self.scenario}  ·  SHA-256 {sha}  ·  run {self.run_date}  ·  "
                f"sustain {self.version}  ·  {self._reps()}")

    def _reps(self) -> str:
        if self.replications == 1:
            return "1 replication, no confidence interval"
        return f"{self.replications} replications, 95 % confidence intervals"


@dataclass
class Style:
    """Colours, markers and line styles fixed per alternative, so a reader can follow one
    alternative from chart to chart."""

    footer: Footer
    alternatives: list[str]
    colors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, alt in enumerate(self.alternatives):
            self.colors.setdefault(alt, PALETTE[i % len(PALETTE)])

    def color(self, alt: str) -> str:
        return self.colors.get(alt, GREY)

    def marker(self, alt: str) -> str:
        i = self.alternatives.index(alt) if alt in self.alternatives else 0
        return MARKERS[i % len(MARKERS)]

    def linestyle(self, alt: str) -> str:
        i = self.alternatives.index(alt) if alt in self.alternatives else 0
        return LINESTYLES[(i // len(PALETTE)) % len(LINESTYLES)]


@dataclass
class Chart:
    """One finished figure before it is written: its file stem, finding and caption."""

    key: str
    title: str
    caption: str
    figure: Figure


def briefing():
    """The style as a context: build and render every chart inside it (rcParams are read
    both when artists are made and when they are drawn)."""
    return matplotlib.rc_context(RC)


def new_figure(title: str, caption: str, style: Style, height_in: float = HEIGHT_IN,
               width_in: float = WIDTH_IN) -> Figure:
    """A figure with the title block and footer drawn and the axes area reserved below the
    title; add axes with ``fig.subplots`` or ``fig.add_subplot``."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        FigureCanvasAgg(fig)  # a renderer, for charts that measure their labels
        title_lines = textwrap.wrap(title, 78) or [""]
        caption_lines = textwrap.wrap(caption, 125) or [""]
        pad, title_h, cap_h, foot_h = 0.14, 0.27, 0.2, 0.34
        y = height_in - pad
        banner = style.footer.banner
        foot_y = 0.1
        if banner:  # top and bottom, centred, as a classification line is
            for yy, va in ((height_in - 0.06, "top"), (0.06, "bottom")):
                fig.text(0.5, yy / height_in, banner, ha="center", va=va, fontsize=9,
                         fontweight="bold", color=BANNER_COLOR)
            y -= 0.2
            foot_y, foot_h = 0.3, 0.54
        fig.text(0.1 / width_in, y / height_in, "\n".join(title_lines), ha="left", va="top",
                 fontsize=14, fontweight="bold", color="#1A1A1A", linespacing=1.15)
        y -= title_h * len(title_lines) + 0.06
        fig.text(0.1 / width_in, y / height_in, "\n".join(caption_lines), ha="left", va="top",
                 fontsize=9.5, color=GREY, linespacing=1.2)
        y -= cap_h * len(caption_lines) + 0.1
        fig.text(0.1 / width_in, foot_y / height_in, style.footer.text(), ha="left",
                 va="bottom", fontsize=7.5, color=GREY)
        fig.add_artist(Line2D(
            [0.1 / width_in, 1 - 0.1 / width_in], [foot_h / height_in] * 2,
            transform=fig.transFigure, color=LIGHT, linewidth=0.8))
        fig.get_layout_engine().set(rect=(0.0, (foot_h + 0.02) / height_in, 1.0,
                                          (y - foot_h - 0.02) / height_in),
                                    h_pad=0.06, w_pad=0.08)
        fig.sustain_header_in = height_in - y  # banner, title and caption: a slide crops them
        fig.sustain_bottom_in = 0.26 if banner else 0.0  # the bottom banner: a slide has its own
    return fig


def subplots(fig: Figure, nrows: int = 1, ncols: int = 1, **kw) -> list[Axes]:
    """Axes in the briefing style, as a flat list."""
    with matplotlib.rc_context(RC):
        axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return [ax for row in axes for ax in row]


def render(chart: Chart, out_dir: Path, stem: str) -> tuple[Path, Path, bytes]:
    """Write ``stem.png`` (300 dpi) and ``stem.svg`` (text as text); return both paths and a
    PNG at screen resolution for the HTML page. The figure is emptied afterwards: a report
    renders one chart at a time, so memory holds one figure, not all of them."""
    png_path, svg_path = out_dir / f"{stem}.png", out_dir / f"{stem}.svg"
    fig = chart.figure
    with matplotlib.rc_context(RC):
        fig.savefig(png_path, format="png", dpi=DPI, facecolor="white",
                    pil_kwargs={"compress_level": 4})
        # The layout is settled: keep it for the other two files instead of solving it again.
        fig.set_layout_engine("none")
        fig.savefig(svg_path, format="svg", facecolor="white", metadata={"Date": None})
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=SCREEN_DPI, facecolor="white",
                    pil_kwargs={"compress_level": 1})
    fig.clear()
    return png_path, svg_path, compact_png(buf.getvalue())


def fixed_colors() -> list[str]:
    """Colours that must come through a palette reduction exactly: alternatives, cost
    categories, events, banner, text greys."""
    return list(dict.fromkeys([*PALETTE, *CATEGORY_COLORS.values(), *IPS_COLORS.values(),
                               OTHER_CATEGORY_COLOR,
                               EVENT_COLOR, BANNER_COLOR, GREY, LIGHT, "#1A1A1A", "#FFFFFF",
                               *PHASE_SHADES]))


def compact_png(png: bytes, colors: int = 256) -> bytes:
    """The PNG as 8-bit palette colour: a third of the size for a chart, which has few
    colours beyond its antialiasing. The palette is the image's own (octree) with every
    fixed colour forced in, so no two alternatives or categories ever merge."""
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with matplotlib; without it, keep the RGBA PNG
        return png
    im = Image.open(io.BytesIO(png)).convert("RGB")
    fixed = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in fixed_colors()]
    own = im.quantize(colors=colors - len(fixed), method=Image.Quantize.FASTOCTREE,
                      dither=Image.Dither.NONE)
    flat = [v for rgb in fixed for v in rgb] + (own.getpalette() or [])[: 3 * (colors - len(fixed))]
    flat += [0] * (3 * colors - len(flat))
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat)
    out = im.quantize(palette=pal, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    out.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def millions(values):
    """Dollars to millions of dollars, for axes labelled ($M)."""
    return values / 1e6
