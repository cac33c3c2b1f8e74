"""Fixtures for every test."""

from __future__ import annotations

import pytest

# What rich reads to size a console and to decide whether it writes to a terminal. sustain
# honours them on purpose (sim.terminal.console: a table fits COLUMNS; only output that is not
# a terminal gets the min_width), so a test of printed tables must not inherit them from
# whoever runs it. They do leak in: pytest imports readline at start-up, and GNU readline
# exports COLUMNS=80 and LINES=24 (terminfo's size for TERM=xterm without a tty) into the
# process's C environment; os.environ does not see it, but every subprocess does, so each
# pytest-xdist worker starts with COLUMNS=80 and prints 80-column tables that cut the names off.
CONSOLE_ENVIRONMENT = ("COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE")


@pytest.fixture(autouse=True)
def _console_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts as a plain, non-terminal run with no width set (a test that wants one
    sets it with ``monkeypatch.setenv``)."""
    for name in CONSOLE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
