"""Reading a scenario file: safe YAML, field validation, cross-references, places in the file.

Every problem is collected and reported together, each with its place (``customers[0].fleet
.aircraft``) and, where the YAML node can be found, its line number; a misspelt key, option or
name says which one was probably meant ("did you mean").

The input is bounded before it can cost time or memory: the file's size (``MAX_BYTES``, or
the ``SUSTAIN_MAX_SCENARIO_MB`` environment variable), and, in the YAML constructor both loaders
share, the number of values with every alias expanded (an alias bomb is refused before anything
is built from it), the nesting depth and the length of integers — each a located problem.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.checks import cross_reference_problems
from sim.scenario.models import Scenario
from sim.terminal import clean


@dataclass(frozen=True)
class Problem:
    place: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        """One line: a key or value from the file that holds a newline or another control
        character shows it as an escape."""
        where = f"line {self.line}: " if self.line else ""
        place, message = clean(self.place, newlines=False), clean(self.message, newlines=False)
        return f"{where}{place}: {message}" if place else f"{where}{message}"


class ScenarioError(Exception):
    """A scenario file with problems; carries every one of them."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {_count(len(problems), 'problem')}")

    def report(self) -> str:
        lines = [f"{self.source}: {_count(len(self.problems), 'problem')} found, nothing was run"]
        lines += [f"  {p}" for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            lines.append(f"  ... and {_count(len(self.problems) - MAX_SHOWN, 'more problem')}")
        return "\n".join(lines)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word if n == 1 else word + 's'}"


MAX_SHOWN = 200
"""Problems listed in a report; the rest are counted."""
MAX_BYTES = 4 * 1024 * 1024
"""A scenario file's size limit (the case study is 19 KB, the 200-NSN reference 51 KB); the
environment variable ``SUSTAIN_MAX_SCENARIO_MB`` sets another."""
MAX_NODES = 1_000_000
"""Values in a document with every alias expanded: a file within ``MAX_BYTES`` has fewer, and
a 6 KB alias bomb that would expand to billions is refused before it is built."""
MAX_DEPTH = 64
"""Nesting depth (a fallback chain is the deepest a scenario needs: a few levels)."""
MAX_INT_CHARS = 40
"""Characters of an integer (the largest a scenario takes, a seed, has 19 digits)."""
SIZE_VARIABLE = "SUSTAIN_MAX_SCENARIO_MB"


class _Refused(yaml.MarkedYAMLError):
    """YAML that parses but that a scenario cannot be: reported at its line, not as bad YAML."""

    def __init__(self, problem: str, mark: yaml.Mark) -> None:
        super().__init__(None, None, problem, mark)


def _too_deep(mark: yaml.Mark) -> _Refused:
    return _Refused(f"nested more than {MAX_DEPTH} levels deep (a scenario needs a few)", mark)


class _DepthLimitedComposer:
    """The pure-Python composer recurses once per level: refuse depth past ``MAX_DEPTH`` at
    the node that passes it, before Python's recursion limit (libyaml composes in C and stops
    at its own limit; the constructor's check below gives it the same message)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _too_deep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _UniqueKeys:
    """Refuses duplicate and unhashable keys (PyYAML would silently overwrite the one and fail
    with a TypeError on the other); bounds the expanded size, depth and integer length."""

    def construct_document(self, node: yaml.Node) -> Any:
        _check_size(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _Refused("a key must be a single value (a name or a number), not a list "
                               "or mapping", key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {_short(key)} (first on line {seen[key] + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(node.value) > MAX_INT_CHARS:
            raise _Refused(f"an integer of {len(node.value):,} characters; numbers in a "
                           f"scenario have at most {MAX_INT_CHARS}", node.start_mark)
        return super().construct_yaml_int(node)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _check_size(root: yaml.Node) -> None:
    """Refuse a document deeper than ``MAX_DEPTH`` or with more than ``MAX_NODES`` values once
    its aliases are expanded (or with an alias inside itself), at the node where it happens.
    One pass over the node graph (each shared node once), without recursion."""
    expanded: dict[int, int] = {}   # values under a node, aliases expanded
    height: dict[int, int] = {}     # levels under a node, aliases expanded
    stack: list[tuple[yaml.Node, int, bool, yaml.Node]] = [(root, 1, False, root)]
    open_nodes: set[int] = set()
    while stack:
        node, depth, done, parent = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            children = _children(node)
            total = 1 + sum(expanded[id(c)] for c in children)
            if total > MAX_NODES:
                raise _Refused(f"more than {MAX_NODES:,} values once its aliases are expanded "
                               "(an alias bomb?); a scenario needs far fewer", node.start_mark)
            expanded[key] = total
            height[key] = 1 + max(height[id(c)] for c in children)
            continue
        if depth > MAX_DEPTH:
            raise _too_deep(node.start_mark)
        if key in expanded:
            if depth + height[key] - 1 > MAX_DEPTH:   # an alias that nests its value deeper
                raise _too_deep(parent.start_mark)
            continue
        if key in open_nodes:
            raise _Refused("an alias inside the value it names (a recursive structure)",
                           node.start_mark)
        children = _children(node)
        if not children:
            expanded[key] = height[key] = 1
            continue
        open_nodes.add(key)
        stack.append((node, depth, True, parent))
        stack.extend((c, depth + 1, False, node) for c in reversed(children))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _UniqueKeyLoader(_DepthLimitedComposer, _UniqueKeys, yaml.SafeLoader):
    """Safe loader that refuses duplicate keys (pure Python: the reference for messages)."""


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _UniqueKeys.construct_yaml_int)


# libyaml's parser (about eight times faster on a large scenario) with the same constructors,
# resolvers and duplicate-key check; without libyaml, the pure-Python loaders.
_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
_FastUniqueKeyLoader: type = (type("_FastUniqueKeyLoader", (_UniqueKeys, yaml.CSafeLoader), {})
                              if _LIBYAML else _UniqueKeyLoader)
if _LIBYAML:
    _FastUniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _UniqueKeys.construct_yaml_int)


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
        message = reason if isinstance(exc, _Refused) else f"not valid YAML: {reason}"
        raise ScenarioError(source, [Problem("", message, line)]) from None
    return _validate(data, source, lambda: yaml.compose(text, Loader=loader))


def validate_mapping(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a mapping already read (a sweep point) exactly as ``parse_text`` validates a
    file, without line numbers; raise ScenarioError listing every problem."""
    return _validate(data, source, None)


# -- did you mean ----------------------------------------------------------------------------

def _close(word: Any, candidates: Any) -> str | None:
    """The candidate ``word`` was probably meant to be (difflib), or None."""
    if not isinstance(word, str):
        return None
    names = sorted({c for c in candidates if isinstance(c, str) and c != word})
    found = difflib.get_close_matches(word, names, n=1, cutoff=0.75)
    if not found:
        lowered = {n.lower(): n for n in names}
        found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
        found = [lowered[f] for f in found]
    return found[0] if found else None


def _field_problems(errors: list[dict], data: Any) -> list[tuple[str, str]]:
    """Pydantic's errors as (place, message): where a value could take several forms (a
    number or a mapping, an option key or a full choice), only the errors of the form the value
    has; "did you mean" for a misspelt key or option value; and a misspelt required key is one
    problem, not two (the unknown key says which key it probably is, and that key's "is
    required" is dropped)."""
    found = [(err, *_untagged(err["loc"], data)) for err in errors]
    members: dict[tuple, set[str]] = {}
    for _, bare, tags in found:
        for pos, tag in tags:
            members.setdefault(bare[:pos], set()).add(tag)

    def fits(union: tuple, tag: str) -> bool:
        scalar_tag = tag.startswith(("literal[", "str", "constant", "int", "float", "bool"))
        return scalar_tag != isinstance(_at(data, union), (dict, list))

    kept = []
    for err, bare, tags in found:
        if any(len(members[bare[:pos]]) > 1 and not fits(bare[:pos], tag)
               and any(fits(bare[:pos], m) for m in members[bare[:pos]])
               for pos, tag in tags):
            continue
        kept.append((err, bare))

    lacking: dict[tuple, set[str]] = {}   # a mapping's location -> required keys it lacks
    for err, bare in kept:
        if err["type"] == "missing" and bare and isinstance(bare[-1], str):
            lacking.setdefault(bare[:-1], set()).add(bare[-1])
    dropped: set[tuple] = set()
    out: list[tuple[tuple, str]] = []
    for err, bare in kept:
        msg = _message(err["msg"])
        if err["type"] == "extra_forbidden" and bare and isinstance(bare[-1], str):
            missing = lacking.get(bare[:-1], set())
            guess = _close(bare[-1], missing) or _close(bare[-1], _fields_at(err["loc"][:-1]))
            if guess in missing:
                dropped.add((*bare[:-1], guess))
                msg += f" — did you mean {guess!r}? ({guess} is required)"
            elif guess is not None:
                msg += f" — did you mean {guess!r}?"
        elif err["type"] == "literal_error":
            options = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
            written = err.get("input")
            guess = _close(written if isinstance(written, str) else _at(data, bare), options)
            if guess is not None:
                msg += f" — did you mean {guess!r}?"
        out.append((bare, msg))
    return [(_place(bare, data), msg) for bare, msg in out
            if not (bare in dropped and any(e["type"] == "missing" and c == bare
                                            for e, c in kept))]


def _looks_like_tag(elem: Any) -> bool:
    return isinstance(elem, str) and (elem[:1].isupper() or "[" in elem or elem in (
        "constant", "str", "dict", "int", "float", "bool", "list"))


def _untagged(loc: tuple, data: Any) -> tuple[tuple, list[tuple[int, str]]]:
    """A pydantic location without the union-member tags pydantic inserted, and each tag with
    the length of the location it stands after (so ``clean[:pos]`` is the union's place)."""
    clean: list[Any] = []
    tags: list[tuple[int, str]] = []
    cur: Any = data
    for i, elem in enumerate(loc):
        if isinstance(elem, str) and i + 1 < len(loc) and loc[i + 1] == elem:
            tags.append((len(clean), elem))    # a tag named as the key it stands for
            continue
        if (isinstance(cur, dict) and elem in cur) or (
                isinstance(cur, list) and isinstance(elem, int) and 0 <= elem < len(cur)):
            cur = cur[elem]
        elif _looks_like_tag(elem) or (isinstance(cur, dict) and isinstance(elem, str)
                                       and i + 1 < len(loc) and loc[i + 1] in cur):
            tags.append((len(clean), elem))
            continue
        else:
            cur = None
        clean.append(elem)
    return tuple(clean), tags


def _at(data: Any, loc: tuple) -> Any:
    for elem in loc:
        if (isinstance(data, dict) and elem in data) or (
                isinstance(data, list) and isinstance(elem, int) and 0 <= elem < len(data)):
            data = data[elem]
        else:
            return None
    return data


def _fields_at(loc: tuple) -> set[str]:
    """The keys the scenario format allows in the mapping at a pydantic location (every union
    member's, where the location does not say which member)."""
    current: list[Any] = [Scenario]
    for elem in loc:
        following: list[Any] = []
        for t in _members(current):
            if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(elem, str):
                field = t.model_fields.get(elem)
                if field is not None:
                    following.append(field.annotation)
                elif elem == t.__name__:
                    following.append(t)
            elif typing.get_origin(t) in (list, tuple) and isinstance(elem, int):
                following.extend(typing.get_args(t)[:1])
            elif typing.get_origin(t) is dict:
                following.extend(typing.get_args(t)[1:2])
        current = following or current    # a union tag pydantic added: the same mapping
    return {name for t in _members(current) if isinstance(t, type) and issubclass(t, BaseModel)
            for name in t.model_fields}


def _members(types_: list[Any]) -> list[Any]:
    """Types with Annotated, Optional and unions unwrapped."""
    out: list[Any] = []
    todo = list(types_)
    while todo:
        t = todo.pop()
        origin = typing.get_origin(t)
        if origin is typing.Annotated:
            todo.append(typing.get_args(t)[0])
        elif origin is typing.Union or origin is types.UnionType:
            todo.extend(typing.get_args(t))
        else:
            out.append(t)
    return out


_UNKNOWN_NAME = re.compile(r"unknown (NSN|depot|customer|system|alternative) (['\"])(.*?)\2")


def _names(data: Any, kind: str) -> list[str]:
    """The names of ``kind`` the file defines (for suggestions; tolerant of a bad file)."""
    section, key = {"NSN": ("items", "nsn"), "depot": ("depots", "name"),
                    "customer": ("customers", "name"), "system": ("systems", "name"),
                    "alternative": ("alternatives", "name")}[kind]
    entries = data.get(section) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [e[key] for e in entries if isinstance(e, dict) and isinstance(e.get(key), str)]


def _suggest_name(message: str, data: Any) -> str:
    """A cross-reference problem ("unknown depot 'Ogden AL'") with the name probably meant."""
    match = _UNKNOWN_NAME.search(message)
    if match is None:
        return message
    guess = _close(match.group(3), _names(data, match.group(1)))
    return message if guess is None else f"{message} — did you mean {guess!r}?"


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
        for place, msg in _field_problems(exc.errors(), data):
            problems.append(Problem(place, msg, line_of(place)))
    try:
        crossed = cross_reference_problems(data)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError):
        # The relations between parts assume parts of the right shape; when fields are already
        # wrong (a list where a name goes), the field problems are the report. With no field
        # problem, a failure here is a bug and is raised.
        if not problems:
            raise
        crossed = []
    for place, msg in crossed:
        problems.append(Problem(place, _suggest_name(msg, data), line_of(place)))
    if problems or scenario is None:
        problems.sort(key=lambda p: (p.line or 0, p.place))
        raise ScenarioError(source, problems)
    return scenario


def max_bytes() -> int:
    """The size limit for a scenario file: ``MAX_BYTES``, or ``SUSTAIN_MAX_SCENARIO_MB``."""
    raw = os.environ.get(SIZE_VARIABLE)
    if raw is None or not raw.strip():
        return MAX_BYTES
    try:
        mb = float(raw)
    except ValueError:
        mb = math.nan
    if not (0 < mb <= 1024):
        raise ScenarioError(f"{SIZE_VARIABLE}={raw!r}", [Problem(
            "", "must be a number of megabytes above 0 and at most 1024")])
    return int(mb * 1024 * 1024)


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    limit = max_bytes()
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(str(path), [Problem("", f"cannot read the file: {exc.strerror}")]) from None
    if len(raw) > limit:
        mb = os.environ.get(SIZE_VARIABLE, "").strip() or f"{MAX_BYTES / 1024 / 1024:g}"
        raise ScenarioError(str(path), [Problem(
            "", f"larger than {mb} MB, the limit for a scenario file (set the environment "
                f"variable {SIZE_VARIABLE} to allow more)")])
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), [Problem(
            "", f"not UTF-8 text (byte {exc.start} cannot be decoded): a scenario file is YAML "
                "text; is this a binary or a differently encoded file?")]) from None
    return parse_text(text, str(path))


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario, the configuration identity of a result set."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
