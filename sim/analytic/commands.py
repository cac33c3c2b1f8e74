"""``sustain analytic`` and ``sustain recommend`` (placeholder until implemented)."""

from __future__ import annotations

import argparse

from sim.errors import InvalidInput


def cmd_analytic(args: argparse.Namespace) -> int:
    raise InvalidInput("'sustain analytic' is not implemented yet in this version")


def cmd_recommend(args: argparse.Namespace) -> int:
    raise InvalidInput("'sustain recommend' is not implemented yet in this version")
