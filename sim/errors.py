"""Exceptions that map to the command line's exit codes."""


class InvalidInput(Exception):
    """Bad input found before anything was written: exit code 2, message shown as is."""
