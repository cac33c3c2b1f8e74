"""Reading a scenario file: safe YAML, field validation, cross-references, places in the file.

Every problem is collected and reported together, each with its place (``customers[0].fleet
.aircraft``) and, where the YAML node can be found, its line number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.checks import cross_reference_problems
from sim.scenario.models import Scenario


@dataclass(frozen=True)
class Problem:
    place: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.place}: {self.message}" if self.place else f"{where}{self.message}"


class ScenarioError(Exception):
    """A scenario file with problems; carries every one of them."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)")

    def report(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s) found, nothing was run"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class _UniqueKeys:
    """Refuses duplicate keys, which PyYAML would silently overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


class _UniqueKeyLoader(_UniqueKeys, yaml.SafeLoader):
    """Safe loader that refuses duplicate keys (pure Python: the reference for messages)."""


# libyaml's parser (about eight times faster on a large scenario) with the same constructors,
# resolvers and duplicate-key check; without libyaml, the pure-Python loaders.
_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
_FastUniqueKeyLoader: type = (type("_FastUniqueKeyLoader", (_UniqueKeys, yaml.CSafeLoader), {})
                              if _LIBYAML else _UniqueKeyLoader)


#: YAML syntax scenario files do not need, on whose edges libyaml and PyYAML disagree (a ``?``
#: in a flow collection, a block scalar header followed by ``#``, ...).
_RARE_SYNTAX = frozenset("?|>!@`\\%")


def _plain_for_libyaml(text: str) -> bool:
    """Whether ``text`` is in the plain subset of YAML that libyaml reads exactly as PyYAML
    does: outside comments, printable ASCII without ``_RARE_SYNTAX``; comments printable (no
    tabs, which libyaml takes where PyYAML refuses them, nor Unicode line breaks). Anything
    else is read by PyYAML itself."""
    for line in text.split("\n"):
        if line.isascii() and _RARE_SYNTAX.isdisjoint(line):
            if line.isprintable():
                continue
            return False
        hash_at = line.find("#")            # a comment, unless quotes come first
        if hash_at < 0 or "'" in line[:hash_at] or '"' in line[:hash_at]:
            hash_at = len(line)
        content, comment = line[:hash_at], line[hash_at:]
        if not (content.isascii() and content.isprintable() and comment.isprintable()
                and _RARE_SYNTAX.isdisjoint(content)):
            return False
    return True


def _load_yaml(text: str) -> tuple[Any, type]:
    """The document and the loader that read it: libyaml where it reads the text as PyYAML
    would; should it refuse the text, PyYAML parses it again, so that an error (its message
    and line) is exactly PyYAML's own."""
    if _LIBYAML and _plain_for_libyaml(text):
        try:
            return yaml.load(text, Loader=_FastUniqueKeyLoader), yaml.CSafeLoader
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_UniqueKeyLoader), yaml.SafeLoader


_MESSAGES = (
    ("Input should be", "must be"),
    ("Field required", "is required"),
    ("Extra inputs are not permitted", "unknown key (not part of the scenario format)"),
    ("String should match pattern '^\\d{4}-\\d{2}-\\d{3}-\\d{4}$'",
     "must be an NSN like 2840-01-100-0001"),
    ("Value error, ", ""),
)


def _message(msg: str) -> str:
    for old, new in _MESSAGES:
        msg = msg.replace(old, new)
    return msg


def _place(loc: tuple, data: Any) -> str:
    """Render a pydantic location as a path in the file, dropping union tags it added."""
    parts: list[str] = []
    cur: Any = data
    for i, elem in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(cur, dict) and elem in cur or isinstance(cur, list) and isinstance(elem, int) and elem < len(cur):
            cur = cur[elem]
        elif isinstance(cur, dict) and isinstance(elem, str) and not last and _is_tag(elem, loc[i + 1:], cur):
            continue
        else:
            cur = None
        parts.append(f"[{elem}]" if isinstance(elem, int) else f".{elem}")
    return "".join(parts).lstrip(".")


def _is_tag(elem: str, rest: tuple, cur: dict) -> bool:
    """A union member tag pydantic inserted: a class name, or a tag naming a present key."""
    return elem[:1].isupper() or "[" in elem or elem in ("constant", "str", "dict") or (
        bool(rest) and rest[0] in cur)


def _line(root: yaml.Node | None, place_loc: tuple) -> int | None:
    node = root
    line = None
    for elem in place_loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(elem)), None)
            if nxt is None:
                break
            line = next(k for k, v in node.value if v is nxt).start_mark.line + 1
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(elem, int) and elem < len(node.value):
            node = node.value[elem]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _split_place(place: str) -> tuple:
    out: list[Any] = []
    for chunk in place.replace("]", "").split("."):
        for j, piece in enumerate(chunk.split("[")):
            if piece:
                out.append(int(piece) if j > 0 and piece.isdigit() else piece)
    return tuple(out)


def parse_text(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario text; raise ScenarioError listing every problem."""
    try:
        data, loader = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, [Problem("", f"not valid YAML: {reason}", line)]) from None
    return _validate(data, source, lambda: yaml.compose(text, Loader=loader))


def validate_mapping(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a mapping already read (a sweep point) exactly as ``parse_text`` validates a
    file, without line numbers; raise ScenarioError listing every problem."""
    return _validate(data, source, None)


def _validate(data: Any, source: str, compose: Callable[[], yaml.Node] | None) -> Scenario:
    """Every problem of a mapping; ``compose`` makes the file's node tree to give each
    problem its line (None: no file, no lines)."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [Problem("", "must be a mapping of scenario keys", 1)])
    root: yaml.Node | None = None

    def line_of(place: str) -> int | None:
        # The node tree is composed only when there is a problem to place in the file.
        nonlocal root
        if compose is None:
            return None
        if root is None:
            root = compose()
        return _line(root, _split_place(place))

    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            place = _place(err["loc"], data)
            problems.append(Problem(place, _message(err["msg"]), line_of(place)))
    for place, msg in cross_reference_problems(data):
        problems.append(Problem(place, msg, line_of(place)))
    if problems or scenario is None:
        problems.sort(key=lambda p: (p.line or 0, p.place))
        raise ScenarioError(source, problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(path), [Problem("", f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), [Problem(
            "", f"not UTF-8 text (byte {exc.start} cannot be decoded): a scenario file is YAML "
                "text; is this a binary or a differently encoded file?")]) from None
    return parse_text(text, str(path))


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario, the configuration identity of a result set."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
