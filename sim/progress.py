"""A progress bar for long runs: rich on a terminal, silent when output is not a terminal
(CI logs and pipes stay clean).

It names what runs (``advance(text)`` sets it; names are escaped, never markup) and shows a
steady ETA: the time per unit averaged over everything this session has finished, counted down
between units, so it does not jump with each batch as a recent-speed estimate does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    """Context manager yielding ``advance(text=None)``: one more unit done, and optionally
    what runs now. ``done``: units finished before this session (a resumed run)."""

    def __init__(self, total: int, label: str = "replications", done: int = 0,
                 text: str | None = None) -> None:
        self.total = total
        self.label = label
        self.done = done
        self.text = text
        self.bar: Any = None

    def __enter__(self) -> Callable[..., None]:
        if not sys.stderr.isatty():
            return lambda text=None: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn
        from rich.text import Text

        from sim.terminal import escape

        class SteadyEta(ProgressColumn):
            def render(self, task: Any) -> Text:
                start = task.fields.get("start_done", 0)
                finished = task.completed - start
                if task.finished:
                    return Text("done", style="progress.remaining")
                if finished <= 0 or not task.elapsed:
                    return Text("ETA …", style="progress.remaining")
                whole = task.elapsed * (task.total - start) / finished
                return Text(f"ETA {_duration(whole - task.elapsed)}",
                            style="progress.remaining")

        self.bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                            SteadyEta(), transient=True)
        self.bar.start()
        first = escape(self.text) if self.text else self.label
        task = self.bar.add_task(first, total=self.total, completed=self.done,
                                 start_done=self.done)

        def advance(text: str | None = None) -> None:
            if text is None:
                self.bar.advance(task)
            else:
                self.bar.update(task, advance=1, description=escape(text))

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
