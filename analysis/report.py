"""``sustain report`` (placeholder until implemented)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.errors import InvalidInput


def write_report(result_dir: Path) -> Path:
    raise InvalidInput("'sustain report' is not implemented yet in this version")


def cmd_report(args: argparse.Namespace) -> int:
    write_report(Path(args.result_dir))
    return 0
