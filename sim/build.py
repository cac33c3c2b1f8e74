"""Which build of ``sustain`` is running: its version and a hash of its code.

A result directory records both when a run starts, and a run resumes only with the same code:
units simulated by two builds of the model must never be mixed in one table. The hash covers
every file of the ``sim`` package (sorted paths and contents; bytecode caches excluded), so any
change to the model, the scenario format or the runner gives another hash.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from sim import __version__

PACKAGE = Path(__file__).resolve().parent


@cache
def code_sha256() -> str:
    digest = hashlib.sha256()
    for path in _code_files():
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _code_files() -> list[Path]:
    """The package's files, sorted: ``os.walk`` skipping bytecode caches (twice as quick as
    ``rglob`` and a filter, which also walks every cache: a run pays this at every start)."""
    files = []
    for root, dirs, names in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        files += [Path(root, n) for n in names if not n.endswith(".pyc")]
    return sorted(p for p in files if p.is_file())


def build() -> dict[str, str]:
    """What a manifest records about the build: ``package_version`` and ``code_sha256``."""
    return {"package_version": __version__, "code_sha256": code_sha256()}
