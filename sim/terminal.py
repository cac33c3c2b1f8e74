"""Text that reaches a terminal: names from a scenario file are data, never instructions.

A name may hold rich markup (``[/]``, ``[bold red]``), an emoji code (``:warning:``) or, written
with a YAML escape (``"\\e[2J"``), a control character: printed as is, markup would restyle the
output or crash ``rich`` after the results were written, and an escape sequence would clear the
screen or retitle the window. Everything ``sustain`` prints goes through ``clean`` (plain
``print``) or ``console()`` (rich), which shows such characters as visible escapes and
never interprets markup in what it is given.
"""

from __future__ import annotations

import os
import re
from typing import Any

# C0 controls (tab and newline handled by the caller), DEL, C1 controls, and the Unicode
# controls that reorder or hide text on screen (bidirectional overrides and isolates, line and
# paragraph separators, zero-width joiners used for spoofing are left alone: they do not act).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_WITH_NEWLINES = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: Any, newlines: bool = True) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``); with
    ``newlines=False`` a newline or tab is escaped too (a name on one line)."""
    pattern = _UNSAFE if newlines else _UNSAFE_WITH_NEWLINES
    return pattern.sub(_visible, str(text))


def escape(text: Any) -> str:
    """A name for rich markup: control characters made visible, markup escaped."""
    from rich.markup import escape as markup_escape

    return markup_escape(clean(text, newlines=False))


_CONSOLE_CLASS: type | None = None


def console(min_width: int | None = None, **kwargs: Any) -> Any:
    """A rich console that prints what it is given literally: no markup, no emoji codes, no
    highlighting, and control characters shown as escapes in every string it renders (table
    cells and titles included). Styling is applied with ``style=`` or ``Text``, never markup.

    ``min_width``: when the output is not a terminal (a log, a pipe) and ``COLUMNS`` is not set,
    render at least this wide so a table is not squeezed into the 80 columns rich assumes; on a
    terminal its own width is used (or ``COLUMNS``), so tables fit it. (rich is imported here, not at start-up: error paths do not pay.)"""
    global _CONSOLE_CLASS
    if _CONSOLE_CLASS is None:
        from rich.console import Console

        class SafeConsole(Console):
            def render_str(self, text: str, **kw: Any) -> Any:  # type: ignore[override]
                kw["markup"] = False
                kw["emoji"] = False
                return super().render_str(clean(text), **kw)

        _CONSOLE_CLASS = SafeConsole
    kwargs.setdefault("markup", False)
    kwargs.setdefault("emoji", False)
    kwargs.setdefault("highlight", False)
    out = _CONSOLE_CLASS(**kwargs)
    if (min_width is not None and not out.is_terminal and out.width < min_width
            and not os.environ.get("COLUMNS")):
        out.width = min_width
    return out


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 customer``, ``3 customers``; ``many`` for irregular plurals."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


class _Cell:
    """One table cell already laid out: its text padded to the column's width. rich lays a
    ``str`` cell out through wrapping, measuring and padding (about 100 us a cell); a table of
    thousands of fixed-width cells (``sustain analytic``'s per-NSN tables) spent most of the
    command there. This yields the finished line through rich's renderable protocol."""

    __slots__ = ("text", "width")

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = width

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment

        yield Segment(self.text)

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        return Measurement(self.width, self.width)


def fixed_table(title: str, columns: list[tuple[str, bool, int | None]],
                rows: list[list[str]], width: int) -> Any:
    """A rich ``Table`` of one-line cells, printed exactly as ``Table`` prints ``str`` cells with
    ``no_wrap=True, overflow="ellipsis"`` and each column's ``(heading, left-justified,
    max width)``, but laid out once here. ``width`` is the console's: a table that does not fit
    is left to rich, which squeezes columns as it always has."""
    from rich.cells import cell_len, set_cell_size
    from rich.table import Table

    texts = [[clean(v, newlines=False) for v in row] for row in rows]
    widths = []
    for j, (head, _, most) in enumerate(columns):
        w = max([cell_len(head)] + [cell_len(r[j]) for r in texts])
        widths.append(min(w, max(most, cell_len(head))) if most else w)
    if sum(widths) + 3 * len(widths) + 1 > width:
        t = Table(title=title)
        for head, left, most in columns:
            t.add_column(head, justify="left" if left else "right", no_wrap=True,
                         min_width=cell_len(head), max_width=most, overflow="ellipsis")
        for row in rows:
            t.add_row(*row)
        return t

    def cell(text: str, j: int) -> _Cell:
        w = widths[j]
        n = cell_len(text)
        if n > w:
            text, n = set_cell_size(text, w - 1) + "…", w
        pad = " " * (w - n)
        return _Cell(f" {text}{pad} " if columns[j][1] else f" {pad}{text} ", w + 2)

    t = Table(title=title, padding=0)
    for j, (head, left, _) in enumerate(columns):
        t.add_column(cell(clean(head, newlines=False), j), justify="left" if left else "right",
                     no_wrap=True, width=widths[j] + 2)
    for row in texts:
        t.add_row(*[cell(v, j) for j, v in enumerate(row)])
    return t
