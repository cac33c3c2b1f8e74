"""sim.terminal.fixed_table lays one-line cells out itself (for speed): it must print exactly
what rich's Table prints for the same cells, and stay as safe with names from a file."""

from __future__ import annotations

import io

import pytest
from rich.table import Table

from sim.terminal import console, fixed_table

COLUMNS = [("NSN", True, None), ("Item", True, 12), ("Shelf", False, None),
           ("EBO", False, None)]
ROWS = [
    ["6130-01-300-0101", "Electrical power LRU 12", "2", "0.4253"],
    ["1620", "Gear", "10", "12.0000"],
    ["5841-01", "雷达 radar unit 8", "0", "0.1"],          # wide characters: two cells each
    ["x", "[bold red]loud[/] :warning:", "1", "1"],          # markup and emoji codes: literal
    ["y", "evil\x1b[2J\x07name", "1", "1"],                 # control codes: shown escaped
    ["z", "Item", "", ""],
]


def _rich(title: str, rows: list[list[str]]) -> Table:
    """What commands built before fixed_table: str cells, rich lays them out."""
    t = Table(title=title)
    for head, left, most in COLUMNS:
        t.add_column(head, justify="left" if left else "right", no_wrap=True,
                     min_width=len(head), max_width=most, overflow="ellipsis")
    for row in rows:
        t.add_row(*row)
    return t


def _printed(table: Table, width: int) -> str:
    buf = io.StringIO()
    out = console(file=buf, width=width)
    out.print(table)
    return buf.getvalue()


@pytest.mark.parametrize("width", [200, 60, 45, 30])
@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []], ids=["all", "one", "none"])
def test_fixed_table_prints_what_rich_prints(width, rows):
    # 60 columns fits; 45 and 30 do not (rich squeezes the columns itself)
    fast = fixed_table("Nation [A] — 60 aircraft", COLUMNS, rows, width)
    assert _printed(fast, width) == _printed(_rich("Nation [A] — 60 aircraft", rows), width)


def test_fixed_table_is_terminal_safe():
    text = _printed(fixed_table("t", COLUMNS, ROWS, 200), 200)
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\\x1b" in text and "[bold red]" in text and "雷达 radar" in text
