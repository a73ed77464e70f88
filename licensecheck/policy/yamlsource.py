"""Read a policy file into a tree of YAML nodes that remember their line and column.

The policy schema reports every problem as `file:line:column`, so the file is composed
(not constructed) with PyYAML's safe loader and turned into `YNode`s by hand. This is also
where hostile input is refused: files over 1 MiB, too many anchors or aliases, documents
that expand (through aliases) to more nodes than any real policy has, or nest too deeply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from licensecheck.redact import redact

MAX_BYTES = 1024 * 1024
MAX_ANCHORS = 100
MAX_ALIASES = 200
MAX_NODES = 20_000  # after alias expansion: a real policy has a few hundred
MAX_DEPTH = 40
MAX_INT = 10**18  # larger than any count or amount a policy states
_TOO_LARGE = f"a number larger than {MAX_INT:.0e} is not a policy value; refused"
_BRACKET = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class YNode:
    """A YAML node: `kind` is map, seq or scalar; line and column are 1-based.

    For a map, `value` is a dict of key -> `YEntry` (in file order); for a seq, a list of
    `YNode`; for a scalar, the value the safe constructor gives (str, int, float, bool,
    None, datetime.date...).
    """

    kind: str
    value: Any
    line: int
    column: int
    text: str | None = None  # a scalar's source text ("NO" for the boolean false)


@dataclass(frozen=True)
class YEntry:
    """One key of a mapping: where the key stands, and its value."""

    key: str
    line: int
    column: int
    node: YNode


@dataclass(frozen=True)
class BadDate:
    """A scalar that looks like a date but is not one (2026-02-30); the schema reports it."""

    text: str


class YamlProblem(Exception):
    """The file cannot be read as a policy at all. `problems` are full one-line messages."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0])
        self.problems = problems


class _CountingLoader(yaml.SafeLoader):
    """A safe loader that counts anchors and aliases while it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.anchor_count = 0
        self.alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                event: Any = self.peek_event()  # type: ignore[no-untyped-call]
                raise _Refused(event.start_mark, f"more than {MAX_ALIASES} YAML aliases; refused")
        else:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            if getattr(event, "anchor", None) is not None:
                self.anchor_count += 1
                if self.anchor_count > MAX_ANCHORS:
                    raise _Refused(
                        event.start_mark, f"more than {MAX_ANCHORS} YAML anchors; refused"
                    )
        return super().compose_node(parent, index)


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _where(display: str, mark: Any) -> str:
    if mark is None:
        return display
    return f"{display}:{mark.line + 1}:{mark.column + 1}"


def read_policy_text(path: Path, display: str) -> bytes:
    """The file's bytes, refusing anything over `MAX_BYTES` before reading it whole."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise YamlProblem([f"{display}: no such policy file"]) from None
    except IsADirectoryError:
        raise YamlProblem([f"{display}: is a directory, not a policy file"]) from None
    except OSError as exc:
        raise YamlProblem([f"{display}: cannot read policy file: {exc.strerror}"]) from None
    if len(data) > MAX_BYTES:
        raise YamlProblem([f"{display}: policy file is larger than 1 MiB; refused"])
    return data


def parse(data: bytes, display: str) -> YNode:
    """Compose one YAML document from `data` into a `YNode` tree."""
    if len(data) > MAX_BYTES:
        raise YamlProblem([f"{display}: policy file is larger than 1 MiB; refused"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem([f"{display}: not UTF-8 text (byte {exc.start})"]) from None
    _check_nesting(text, display)
    try:
        loader = _CountingLoader(text)  # the reader refuses NUL and other control characters
    except yaml.reader.ReaderError as exc:
        raise YamlProblem([_reader_problem(text, display, exc)]) from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise YamlProblem([f"{display}:1:1: the policy is empty"])
        return _Converter(loader, display).convert(root, 0)
    except _Refused as exc:
        raise YamlProblem([f"{_where(display, exc.mark)}: {exc.message}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # PyYAML's words may quote a token of the file (an alias, a tag): kept short and
        # redacted, since the file may not be a policy at all.
        what = redact(" ".join(p for p in (exc.context, exc.problem) if p))[:160] or "invalid YAML"
        if "alias" in what:
            what += " (a value starting with '*' or '&' must be quoted, e.g. \"*/name-*\")"
        raise YamlProblem([f"{_where(display, mark)}: not valid YAML: {what}"]) from None
    except yaml.reader.ReaderError as exc:
        raise YamlProblem([_reader_problem(text, display, exc)]) from None
    except yaml.YAMLError as exc:
        raise YamlProblem([f"{display}: not valid YAML: {type(exc).__name__}"]) from None
    except RecursionError:
        raise YamlProblem([f"{display}: nested too deeply; refused"]) from None
    finally:
        loader.dispose()


def _check_nesting(text: str, display: str) -> None:
    """Refuse `[`/`{` nesting past `MAX_DEPTH` before PyYAML recurses into it."""
    depth = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            raise YamlProblem(
                [f"{display}:{line}:{column}: nested deeper than {MAX_DEPTH} levels; refused"]
            )


def _reader_problem(text: str, display: str, exc: yaml.reader.ReaderError) -> str:
    position = max(0, min(len(text), exc.position))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    char = exc.character
    name = f"U+{char:04X}" if isinstance(char, int) else repr(char)
    return (
        f"{display}:{line}:{column}: not valid YAML: character {name} is not allowed "
        "(a control character or NUL)"
    )


class _Converter:
    """Composed nodes -> `YNode`s, counting every node visited (aliases expand here)."""

    def __init__(self, loader: _CountingLoader, display: str) -> None:
        self.loader = loader
        self.display = display
        self.visited = 0

    def convert(self, node: yaml.Node, depth: int) -> YNode:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _Refused(
                node.start_mark,
                f"the document expands to more than {MAX_NODES} nodes (an alias bomb?); refused",
            )
        if depth > MAX_DEPTH:
            raise _Refused(node.start_mark, f"nested deeper than {MAX_DEPTH} levels; refused")
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise _Refused(node.start_mark, f"unsupported YAML tag {node.tag!r}")
            entries: dict[str, YEntry] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _Refused(key_node.start_mark, "YAML merge keys (<<) are not supported")
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str):
                    raise _Refused(key_node.start_mark, "a mapping key must be a plain string")
                if key in entries:
                    raise _Refused(key_node.start_mark, f"duplicate key {key!r}")
                entries[key] = YEntry(
                    key,
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    self.convert(value_node, depth + 1),
                )
            return YNode("map", entries, line, column)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise _Refused(node.start_mark, f"unsupported YAML tag {node.tag!r}")
            return YNode("seq", [self.convert(n, depth + 1) for n in node.value], line, column)
        return YNode("scalar", self._scalar(node), line, column, str(node.value))

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise _Refused(node.start_mark, exc.problem or "cannot read this value") from None
        except ValueError:
            if node.tag == "tag:yaml.org,2002:int":  # past Python's digit limit
                raise _Refused(node.start_mark, _TOO_LARGE) from None
            # The timestamp resolver matched but the date does not exist (2026-02-30).
            return BadDate(str(node.value))
        # 0x... builds any size (no digit limit for hex), and printing it would then fail.
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise _Refused(node.start_mark, _TOO_LARGE)
        return value
