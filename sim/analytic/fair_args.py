"""The ``sustain optimize`` arguments, apart from ``sim.analytic.fair``: every command builds
the whole parser, and importing ``fair`` (pandas, the spares machinery) for it cost every
other command about half a second at start-up."""

from __future__ import annotations

import argparse


def _cmd_optimize(args: argparse.Namespace) -> int:
    from sim.analytic.fair import cmd_optimize

    return cmd_optimize(args)


def add_parser(sub) -> None:
    """The ``optimize`` subcommand's arguments (``sim.cli`` calls this)."""
    op = sub.add_parser(
        "optimize", help="every alternative at its own best spares: cost to reach a target",
        description=("For every alternative and FMS customer, the in-country spares per NSN "
                     "and place (and, under CLSSA, the FMSO I buy-in) that reach the target "
                     "availability at least NPV cost, by marginal analysis on the closed form; "
                     "the efficient curves and the scenario with each optimum filled in. "
                     "--verify simulates the optima (common random numbers) and reports the "
                     "cost to reach the target with CIs and paired differences."),
        epilog=("examples:\n"
                "  sustain optimize scenarios/quickstart.yaml --target-availability 0.95\n"
                "  sustain optimize scenarios/fms_follow_on.yaml --verify\n"
                "  sustain optimize scenarios/fms_follow_on.yaml --budget-usd 2e6 "
                "--customer 'Nation A'"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    op.add_argument("scenario", help="the scenario file (YAML)")
    op.add_argument("--target-availability", type=float, default=None,
                    help="availability each FMS customer must reach (default: each nation's "
                         "availability_target in the scenario)")
    op.add_argument("--budget-usd", type=float, default=None,
                    help="NPV each customer may spend on spares instead")
    op.add_argument("--customer", default=None, help="one FMS customer only")
    op.add_argument("--verify", action="store_true",
                    help="simulate every alternative at its optimum and show cost with CIs")
    op.add_argument("--rounds", type=int, default=3,
                    help="with --verify: simulations at most; after each, an optimum whose "
                         "simulated availability misses the target is re-optimized for the "
                         "gap (default 3; 1: simulate the closed form's optimum only)")
    op.add_argument("--replications", type=int, default=None)
    op.add_argument("--workers", type=int, default=None,
                    help="with --verify: local processes (default: all cores)")
    op.add_argument("--force", action="store_true",
                    help="with --verify: allow more --workers than cores")
    op.add_argument("--out", default=None, help="default: results/<scenario>/optimize")
    op.add_argument("--json", action="store_true")
    op.set_defaults(func=_cmd_optimize)
