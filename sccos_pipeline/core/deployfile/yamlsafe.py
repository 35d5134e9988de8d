"""YAML the way the Docker SDK reads it (Symfony YAML, YAML 1.2 core schema), with positions.

PyYAML follows YAML 1.1, where `NO`, `yes`, `on` and `off` are booleans; the Docker SDK reads
them as strings (a store named `NO` is Norway). This module swaps in the 1.2 core resolvers,
keeps `<<` merge keys (Symfony supports them), refuses duplicate keys, and bounds depth and
alias expansion (counted on the node graph, never expanded) so hostile input fails fast and
small; deployfile.files bounds the size.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from .findings import DeployFileError, Finding, Position, brief

try:  # libyaml makes parsing ~10x faster; the pure-Python parser gives the same nodes.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


MAX_DEPTH = 64
MAX_NODES = 100_000
MAX_EXPANDED_TEXT = 4 * 1024 * 1024  # characters of all values, aliases expanded

Path_ = tuple[str | int, ...]
Data = dict[str, Any]

_TAG = "tag:yaml.org,2002:"
MERGE_TAG = _TAG + "merge"


# What each core-schema tag accepts; an explicit tag (`!!bool yes`) must fit it too.
_SCALAR_TEXT: dict[str, re.Pattern[str]] = {}


class CoreResolver(BaseResolver):
    """YAML 1.2 core schema plus the `<<` merge key."""


for _tag, _pattern, _first in (
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (
        "float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+.0123456789",
    ),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("merge", r"<<", "<"),
):
    CoreResolver.add_implicit_resolver(_TAG + _tag, re.compile(rf"^(?:{_pattern})$"), list(_first))
    _SCALAR_TEXT[_tag] = re.compile(_pattern)


class _NodeLoader(_Parser, CoreResolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        CoreResolver.__init__(self)


class Located(NamedTuple):
    """Where a value sits: its file, the marks (0-based) of its key (None for list items and
    the root) and of the value, and its text. Marks are the parser's own objects; Positions are
    made only for the few places a finding needs."""

    file: str
    key: Mark | None
    value: Mark
    raw: str | None = None


def _position(file: str, mark: Mark | None) -> Position:
    return Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)


@dataclass
class YamlDocument:
    file: str
    data: Data
    where: dict[Path_, Located] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)  # found while building; data usable

    def position(self, path: Path_, *, key: bool = False) -> Position:
        """The value's (or key's) position; the nearest known ancestor's when it has none."""
        for end in range(len(path), -1, -1):
            located = self.where.get(path[:end])
            if located is not None:
                if key and end == len(path) and located.key is not None:
                    return _position(located.file, located.key)
                return _position(located.file, located.value)
        return Position(self.file)

    def raw(self, path: Path_) -> str | None:
        located = self.where.get(path)
        return located.raw if located else None


def _yaml_error(exc: yaml.YAMLError, text: str, display: str) -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        where = Position(display, mark.line + 1, mark.column + 1)
    else:  # ReaderError knows only a character offset
        offset = int(getattr(exc, "position", 0))
        line = text.count("\n", 0, offset) + 1
        where = Position(display, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    return Finding.of("SCC004", message, where)


def _check_expansion(root: Node, display: str) -> None:
    """Count the nodes and text aliases would expand to, without expanding them. Text counts
    too: every check downstream reads each value, and 25000 aliases of a 500 KB scalar are
    12 GB to read."""
    sizes: dict[int, tuple[int, int]] = {}
    active: set[int] = set()

    def size(node: Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active or depth > 2 * MAX_DEPTH:
            mark = node.start_mark
            raise DeployFileError(
                [
                    Finding.of(
                        "SCC007",
                        "an alias refers to its own anchor or expands too deep",
                        Position(display, mark.line + 1, mark.column + 1),
                    )
                ]
            )
        active.add(key)
        nodes, chars = 1, 0
        if isinstance(node, ScalarNode):
            chars = len(node.value)
        children = node.value if isinstance(node, SequenceNode) else []
        if isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        for child in children:
            child_nodes, child_chars = size(child, depth + 1)
            nodes, chars = nodes + child_nodes, chars + child_chars
        active.discard(key)
        if nodes > MAX_NODES or chars > MAX_EXPANDED_TEXT:
            what = f"{MAX_NODES} values" if nodes > MAX_NODES else f"{MAX_EXPANDED_TEXT} characters"
            raise DeployFileError(
                [
                    Finding.of(
                        "SCC007",
                        f"aliases expand to more than {what} (an alias bomb?)",
                        Position(display),
                        "use fewer nested aliases",
                    )
                ]
            )
        sizes[key] = nodes, chars
        return nodes, chars

    size(root, 0)


def compose(text: str, display: str) -> Node | None:
    """Parse one YAML document into nodes, bounded; None for an empty document."""
    try:
        loader = _NodeLoader(text)
        try:
            node: Node | None = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise DeployFileError([_yaml_error(exc, text, display)]) from None
    except RecursionError:  # only the pure-Python parser; libyaml caps nesting at 1000
        raise DeployFileError([_too_deep(Position(display))]) from None
    # Only an alias (`*name`) of an anchor (`&name`) shares a node; text without both
    # characters has neither, so nothing can expand. Any other text is counted in full.
    if node is not None and "*" in text and "&" in text:
        _check_expansion(node, display)
    return node


def _too_deep(where: Position) -> Finding:
    return Finding.of("SCC006", f"nesting deeper than {MAX_DEPTH} levels", where)


class _Constructor:
    """Nodes to plain data, recording where every value came from."""

    def __init__(self, display: str, substitute: Callable[[str, Position], str]) -> None:
        self.display = display
        self.substitute = substitute
        self.where: dict[Path_, Located] = {}
        self.errors: list[Finding] = []
        self.values = 0

    def pos(self, node: Node) -> Position:
        return _position(self.display, node.start_mark)

    def text(self, node: Node) -> str:
        """A scalar's text with `%param%` placeholders filled (only imports have them)."""
        text: str = node.value
        return self.substitute(text, self.pos(node)) if "%" in text else text

    def value(self, node: Node, path: Path_, key: Mark | None) -> Any:
        if len(path) > MAX_DEPTH:  # the path grows by one per level, aliases included
            raise DeployFileError([_too_deep(self.pos(node))])
        self.values += 1
        if self.values > MAX_NODES:  # without aliases too: building is the slow part
            raise DeployFileError(
                [
                    Finding.of(
                        "SCC003",
                        f"holds more than {MAX_NODES} values; deploy files hold a few thousand",
                        self.pos(node),
                        "check that this is the deploy file",
                    )
                ]
            )
        raw = node.value if isinstance(node, ScalarNode) else None
        self.where[path] = Located(self.display, key, node.start_mark, raw)
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _TAG + "seq":
                self.unsupported(node)
            return [self.value(item, (*path, i), None) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def unsupported(self, node: Node) -> None:
        self.errors.append(
            Finding.of(
                "SCC010",
                f"tag {node.tag!r} is not supported in deploy files",
                self.pos(node),
                "remove the tag; write plain YAML values",
            )
        )

    def scalar(self, node: Node) -> Any:
        text: str = node.value
        kind = node.tag[len(_TAG) :] if node.tag.startswith(_TAG) else node.tag
        allowed = _SCALAR_TEXT.get(kind)
        if allowed is not None and kind != "merge" and not allowed.fullmatch(text):
            self.errors.append(
                Finding.of("SCC010", f"{brief(text)} is not a valid !!{kind}", self.pos(node))
            )
            return text
        try:
            if kind == "null":
                return None
            if kind == "bool":
                return text.lower() == "true"
            if kind == "int":
                if text.startswith(("0o", "0x")):
                    return int(text[2:], 8 if text[1] == "o" else 16)
                return int(text)
            if kind == "float":
                lowered = text.lower().lstrip("+")
                if lowered in (".inf", "-.inf"):
                    return -math.inf if lowered.startswith("-") else math.inf
                return math.nan if lowered == ".nan" else float(text)
        except ValueError:
            self.errors.append(self.invalid(text, kind, self.pos(node)))
            return text
        if kind not in ("str", "!"):
            self.unsupported(node)
            return text
        return self.text(node)

    @staticmethod
    def invalid(text: str, kind: str, where: Position) -> Finding:
        """Why int() or float() refused text the tag's pattern allows."""
        limit = sys.get_int_max_str_digits()
        if kind == "int" and limit and len(text.lstrip("+-")) > limit:
            return Finding.of(
                "SCC010",
                f"the number {brief(text)} has more than the {limit} digits an integer may have",
                where,
                "quote it if it is text",
            )
        return Finding.of("SCC010", f"{brief(text)} is not a valid !!{kind}", where)

    def mapping(self, node: MappingNode, path: Path_, merged: int = 0) -> Data:
        if len(path) + merged > MAX_DEPTH:  # `{<<: {<<: ...}}` nests without a longer path
            raise DeployFileError([_too_deep(self.pos(node))])
        if node.tag != _TAG + "map":
            self.unsupported(node)
        sources: list[Node] = []
        explicit: list[tuple[ScalarNode, Node]] = []
        merge_at: Mark | None = None
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG and merge_at is not None:
                self.errors.append(_again("<<", merge_at, self.pos(key_node)))
            elif key_node.tag == MERGE_TAG:
                merge_at = key_node.start_mark
                items = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                if all(isinstance(item, MappingNode) for item in items):
                    sources.extend(items)
                else:
                    self.errors.append(
                        Finding.of(
                            "SCC010",
                            "`<<` must merge a mapping or a list of mappings",
                            self.pos(value_node),
                        )
                    )
            elif isinstance(key_node, ScalarNode):
                explicit.append((key_node, value_node))
            else:
                self.errors.append(
                    Finding.of(
                        "SCC010",
                        "mapping keys must be plain scalars",
                        self.pos(key_node),
                        "use a string key",
                    )
                )
        # Earlier merge sources win over later ones and explicit keys over all (YAML merge
        # rules); building them in that order also leaves the winners' places recorded.
        result: Data = {}
        for source in reversed(sources):
            assert isinstance(source, MappingNode)
            result.update(self.mapping(source, path, merged + 1))
        seen: dict[str, Mark] = {}
        for key_node, value_node in explicit:
            name = self.text(key_node)
            if name in seen:
                self.errors.append(_again(name, seen[name], self.pos(key_node)))
                continue
            seen[name] = key_node.start_mark
            result.pop(name, None)  # keep the explicit key in its written order
            result[name] = self.value(value_node, (*path, name), key_node.start_mark)
        return result


def _again(name: str, first: Mark, where: Position) -> Finding:
    return Finding.of(
        "SCC005",
        f"key {name!r} appears again (first at line {first.line + 1}); "
        "the Docker SDK would silently keep only one",
        where,
        "remove one of the two",
    )


def construct(
    node: Node,
    display: str,
    substitute: Callable[[str, Position], str] | None = None,
) -> tuple[Any, dict[Path_, Located], list[Finding]]:
    """Build plain data from nodes, with the errors found on the way (the data stays usable)."""
    constructor = _Constructor(display, substitute or (lambda text, _pos: text))
    data = constructor.value(node, (), None)
    return data, constructor.where, constructor.errors


def load_document(
    text: str,
    display: str,
    substitute: Callable[[str, Position], str] | None = None,
) -> YamlDocument:
    """Parse a deploy-file-like YAML text whose root must be a mapping."""
    node = compose(text, display)
    if node is None:
        raise DeployFileError(
            [Finding.of("SCC008", "is empty", Position(display), "add the deploy file's content")]
        )
    if not isinstance(node, MappingNode):
        kind = "a list" if isinstance(node, SequenceNode) else f"the scalar {node.value!r}"
        raise DeployFileError(
            [
                Finding.of(
                    "SCC009",
                    f"the top level must be a mapping of keys (version, image, ...), got {kind}",
                    Position(display, node.start_mark.line + 1, node.start_mark.column + 1),
                )
            ]
        )
    data, where, errors = construct(node, display, substitute)
    return YamlDocument(display, data, where, errors)
