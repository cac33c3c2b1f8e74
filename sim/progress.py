"""A progress bar for long runs: rich on a terminal, silent when output is not a terminal
(CI logs and pipes stay clean)."""

from __future__ import annotations

import sys
from collections.abc import Callable


class ProgressBar:
    """Context manager yielding a zero-argument ``advance`` callable."""

    def __init__(self, total: int, label: str = "replications") -> None:
        self.total = total
        self.label = label
        self.bar = None

    def __enter__(self) -> Callable[[], None]:
        if not sys.stderr.isatty():
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.bar = Progress(self.label, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            transient=True)
        self.bar.start()
        task = self.bar.add_task(self.label, total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
