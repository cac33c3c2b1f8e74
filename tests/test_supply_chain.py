"""The supply chain of our own dependencies: CI installs exactly the lock file, every package
pinned and checked against its SHA-256 hashes, and the lock covers everything the project and
its tests declare (a dependency added to pyproject.toml without re-locking fails here)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "test.txt"


def _pins() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from the lock file."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in LOCK.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)", line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), [])
        elif current and (h := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current][1].append(h.group(1))
        elif not line.startswith(" "):
            current = None
    return pins


def test_lock_pins_every_declared_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = [*project["project"]["dependencies"],
                *project["project"]["optional-dependencies"]["test"],
                *project["build-system"]["requires"]]
    pins = _pins()
    assert len(pins) > 20
    for spec in declared:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in {LOCK.name}: re-lock (see README)"
        version, hashes = pins[name]
        assert req.specifier.contains(version, prereleases=True), (spec, version)
    for name, (version, hashes) in pins.items():
        assert hashes, f"{name}=={version} has no hash in {LOCK.name}"


def test_ci_installs_the_lock_with_require_hashes_and_readme_says_the_same():
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert "pip install --require-hashes -r requirements/test.txt" in command
    assert "pip install --no-deps --no-build-isolation -e ." in command
    assert command.endswith("python -m pytest -q")
    assert command in (ROOT / "README.md").read_text(), "README's test command is CI's"
