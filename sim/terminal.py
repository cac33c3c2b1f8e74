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
