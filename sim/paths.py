"""Names that become paths: a scenario, customer or report name reduced to a safe slug.

A name is text from the scenario file. Used as a path as is, ``scenario: ../../etc`` or
``/tmp/victim`` would write (and compaction clean up) outside ``results/``. A slug keeps
letters, digits, ``.``, ``_`` and ``-`` (accents dropped), turns every other run of characters
into one ``_``, never starts with a dot, is at most ``MAX_SLUG`` characters and is never a name
Windows reserves; so ``results/<slug>/`` is always one new level below ``results/``.
``--out`` is used as given: it is the user's own choice of place.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from sim.errors import InvalidInput

RESULTS = Path("results")
MAX_SLUG = 80
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                     *(f"LPT{i}" for i in range(10))}


def slug(name: str, fallback: str = "scenario") -> str:
    """``name`` as one safe path component (``fallback`` when nothing of it is left)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    out = re.sub(r"_+", "_", out).strip("._-")[:MAX_SLUG].rstrip("._-")
    if not out:
        return fallback
    if out.split(".")[0].upper() in _WINDOWS_RESERVED:
        out = f"_{out}"
    return out


def under_results(*names: str) -> Path:
    """``results/<slug>/<slug>...``; refuses (exit 2) a place that a symbolic link would take
    out of ``results/``."""
    path = RESULTS.joinpath(*names)
    for level in [RESULTS.joinpath(*names[:i]) for i in range(1, len(names) + 1)]:
        if level.is_symlink():
            raise InvalidInput(f"{level} is a symbolic link; sustain writes only into real "
                               "folders under results/ (use --out to choose a place)")
    return path


def default_result_dir(scenario_name: str, suffix: str = "") -> tuple[Path, str | None]:
    """The default result directory of a scenario (``suffix``: ``_sweep``) and, when the name
    had to change to become a path, a note saying which name became which path."""
    name = slug(scenario_name) + suffix
    path = under_results(name)
    note = None
    if slug(scenario_name) != scenario_name:
        note = (f"note: scenario name {scenario_name!r} is written as the folder {path}/ "
                "(names in paths keep only letters, digits, '.', '_' and '-')")
    return path, note
