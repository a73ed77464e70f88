"""A JSON parser that keeps the line and column of every value.

The standard `json` module forgets positions, and discovery must report the line of a value
(and, for notebooks, of each source line). Strings are decoded by the standard library's
C scanner, so large notebooks with embedded outputs stay fast.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_MAX_DEPTH = 500
# The C string scanner behind json.loads (not in the type stubs).
_scanstring = cast(Callable[[str, int, bool], tuple[str, int]], json.decoder.scanstring)  # type: ignore[attr-defined]


class JsonPosError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line} column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Node:
    """A JSON value with its 1-based position. `value` holds str/float/int/bool/None for
    scalars, `list[Node]` for arrays and `list[tuple[str, Node]]` for objects (in order,
    duplicates kept)."""

    kind: str  # object | array | string | number | literal
    value: Any
    line: int
    column: int

    def get(self, key: str) -> Node | None:
        if self.kind != "object":
            return None
        for k, v in self.value:
            if k == key:
                return cast(Node, v)
        return None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def pos(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[i - 1] + 1 if i else 0
        return i + 1, offset - start + 1

    def error(self, message: str, offset: int) -> JsonPosError:
        return JsonPosError(message, *self.pos(offset))

    def skip(self, offset: int) -> int:
        m = _WS.match(self.text, offset)
        return m.end() if m else offset

    def value(self, offset: int, depth: int) -> tuple[Node, int]:
        if depth > _MAX_DEPTH:
            raise self.error("nested too deeply", offset)
        text = self.text
        if offset >= len(text):
            raise self.error("unexpected end of data", offset)
        ch = text[offset]
        line, col = self.pos(offset)
        if ch == '"':
            try:
                s, end = _scanstring(text, offset + 1, True)
            except json.JSONDecodeError as exc:
                raise self.error(exc.msg, exc.pos) from None
            return Node("string", s, line, col), end
        if ch == "{":
            return self.obj(offset, depth, line, col)
        if ch == "[":
            return self.arr(offset, depth, line, col)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, offset):
                return Node("literal", val, line, col), offset + len(word)
        m = _NUMBER.match(text, offset)
        if m:
            number = m.group()
            num: float | int = float(number) if any(c in number for c in ".eE") else int(number)
            return Node("number", num, line, col), m.end()
        raise self.error(f"unexpected character {ch!r}", offset)

    def obj(self, offset: int, depth: int, line: int, col: int) -> tuple[Node, int]:
        items: list[tuple[str, Node]] = []
        offset = self.skip(offset + 1)
        if self.text.startswith("}", offset):
            return Node("object", items, line, col), offset + 1
        while True:
            if not self.text.startswith('"', offset):
                raise self.error("expected a string key", offset)
            key_node, offset = self.value(offset, depth + 1)
            offset = self.skip(offset)
            if not self.text.startswith(":", offset):
                raise self.error("expected ':'", offset)
            val, offset = self.value(self.skip(offset + 1), depth + 1)
            items.append((str(key_node.value), val))
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset = self.skip(offset + 1)
            elif self.text.startswith("}", offset):
                return Node("object", items, line, col), offset + 1
            else:
                raise self.error("expected ',' or '}'", offset)

    def arr(self, offset: int, depth: int, line: int, col: int) -> tuple[Node, int]:
        items: list[Node] = []
        offset = self.skip(offset + 1)
        if self.text.startswith("]", offset):
            return Node("array", items, line, col), offset + 1
        while True:
            val, offset = self.value(offset, depth + 1)
            items.append(val)
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset = self.skip(offset + 1)
            elif self.text.startswith("]", offset):
                return Node("array", items, line, col), offset + 1
            else:
                raise self.error("expected ',' or ']'", offset)


def parse(text: str) -> Node:
    """Parse a JSON document. Raises JsonPosError (with line and column) if it is not JSON."""
    parser = _Parser(text)
    start = parser.skip(1 if text.startswith("\ufeff") else 0)
    node, end = parser.value(start, 0)
    end = parser.skip(end)
    if end != len(text):
        raise parser.error("extra data after the document", end)
    return node
