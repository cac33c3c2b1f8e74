"""Exceptions that map to the command line's exit codes."""


class InvalidInput(Exception):
    """Bad input found before anything was written: exit code 2, message shown as is."""


class ResultDirError(Exception):
    """A result directory that cannot be used as asked (in use, damaged, not a result
    directory): invalid input, exit code 2, with nothing written. (Defined here, not in
    ``sim.results``, so the command line can catch it without importing pyarrow.)"""


class InvariantViolation(Exception):
    """A finished unit whose results break a rule no sound run can break (an availability
    above 1, a negative cost, units not conserved): exit code 1, naming the table, row and
    rule. The unit is not written, so the result directory never holds it."""


class WorkerDied(Exception):
    """A local worker process died while sending its result, which the process pool itself
    never notices: exit code 1, the message saying which and how to resume."""


class Terminated(BaseException):
    """SIGTERM arrived: stop like Ctrl-C (a BaseException, so no ``except Exception`` in
    between can swallow it), keep what finished, exit 143."""
