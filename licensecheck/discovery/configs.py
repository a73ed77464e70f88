"""Model references in YAML, JSON and TOML configuration files.

Each format is flattened into entries (key path, string value, line, column); one set of rules
then decides which entries name models: a model key (`model_name_or_path`, `base_model`,
`model`, `model_id`, ... see `ids.MODEL_KEYS`; case and `-`/`_` do not matter) whose value is a
model id, an `hf-hub:` value, an `ENV_KEY=org/name` string, or a model URL in any value.
Sections about datasets are skipped, and so is a mapping whose `repo_type` is not a model.

A file that does not parse is still scanned line by line for `key: value` pairs, and the
parse error is reported as a problem: a broken or templated config must not hide a model.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from licensecheck.discovery import jsonpos
from licensecheck.discovery.ids import LENIENT_KEYS, MODEL_KEYS, NON_MODEL_SECTIONS, is_model_id
from licensecheck.discovery.urls import find_urls

IGNORE_MARK = re.compile(r"(#|//)\s*licensecheck\s*:\s*ignore\b", re.IGNORECASE)
_ENV_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$")
_HF_HUB_PREFIX = re.compile(r"^hf[-_]hub:")
_FALLBACK_LINE = re.compile(
    r"""^[\s\-]*["']?([A-Za-z_][\w.\-]*)["']?\s*[:=]\s*["']?([^"'\s,#\]\}]+)"""
)
_NON_MODEL_REPO_TYPES = frozenset({"dataset", "space", "datasets", "spaces"})


@dataclass(frozen=True)
class Entry:
    """A string value in a config file. `path` holds keys (str) and list indexes (int)."""

    path: tuple[str | int, ...]
    value: str
    line: int
    column: int


@dataclass(frozen=True)
class ConfigRef:
    line: int
    column: int
    repo_id: str
    revision: str | None
    via: str


class ConfigParseError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def normal_key(key: str) -> str:
    return key.strip().lower().replace("-", "_")


# --- one set of rules for every format ------------------------------------------------------


def refs_from_entries(entries: list[Entry], lines: list[str]) -> list[ConfigRef]:
    """The model references among a file's entries (sorted, de-duplicated, minus ignored)."""
    repo_types: dict[tuple[str | int, ...], str] = {
        e.path[:-1]: e.value.strip().lower()
        for e in entries
        if e.path and isinstance(e.path[-1], str) and normal_key(e.path[-1]) == "repo_type"
    }
    found: dict[tuple[int, int, str], ConfigRef] = {}
    for e in entries:
        if _skipped(e.path, repo_types):
            continue
        for ref in _entry_refs(e):
            found.setdefault((ref.line, ref.column, ref.repo_id), ref)
    return [
        ref
        for key, ref in sorted(found.items())
        if not (0 < ref.line <= len(lines) and IGNORE_MARK.search(lines[ref.line - 1]))
    ]


def _skipped(path: tuple[str | int, ...], repo_types: dict[tuple[str | int, ...], str]) -> bool:
    if any(isinstance(p, str) and normal_key(p) in NON_MODEL_SECTIONS for p in path):
        return True
    # Walk up through list indexes to the mapping that holds the value.
    parent = path[:-1]
    while parent and isinstance(parent[-1], int):
        parent = parent[:-1]
    return repo_types.get(parent, "model") in _NON_MODEL_REPO_TYPES


def _key_of(path: tuple[str | int, ...]) -> str | None:
    """The key a value belongs to: the last key, looking through list indexes."""
    for part in reversed(path):
        if isinstance(part, str):
            return normal_key(part)
    return None


def _entry_refs(e: Entry) -> Iterator[ConfigRef]:
    value = e.value.strip()
    key = _key_of(e.path)
    if key in MODEL_KEYS:
        repo_id, _, rev = value.partition("@")
        if is_model_id(repo_id, allow_single=key in LENIENT_KEYS):
            yield ConfigRef(e.line, e.column, repo_id, _rev(rev), f"config:{key}")
            return
    if _HF_HUB_PREFIX.match(value):
        repo_id, _, rev = _HF_HUB_PREFIX.sub("", value).partition("@")
        if is_model_id(repo_id):
            yield ConfigRef(e.line, e.column, repo_id, _rev(rev), "hf-hub:")
            return
    env = _ENV_ASSIGN.match(value)
    if env and normal_key(env.group(1)) in MODEL_KEYS:
        env_key = normal_key(env.group(1))
        if is_model_id(env.group(2), allow_single=env_key in LENIENT_KEYS):
            yield ConfigRef(e.line, e.column, env.group(2), None, f"config:{env_key}")
            return
    for url in find_urls(e.value):
        before = e.value[: url.start]
        line = e.line + before.count("\n")
        yield ConfigRef(
            line, e.column if line == e.line else 1, url.repo_id, _rev(url.revision), "url"
        )


def _rev(rev: str | None) -> str | None:
    return None if rev in (None, "", "main") else rev


def fallback_entries(lines: list[str]) -> list[Entry]:
    """`key: value` / `key = value` pairs line by line, for files that do not parse."""
    entries = []
    for no, text in enumerate(lines, 1):
        m = _FALLBACK_LINE.match(text)
        if m:
            entries.append(Entry((m.group(1),), m.group(2), no, m.start(2) + 1))
        elif "hf://" in text or "huggingface.co" in text or "hf.co" in text:
            entries.append(Entry(("",), text, no, 1))
    return entries


# --- YAML -------------------------------------------------------------------------------------


def yaml_entries(text: str) -> list[Entry]:
    import yaml  # lazily: only when a YAML file is scanned

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries: list[Entry] = []
    seen: set[int] = set()  # anchors/aliases share nodes: visit each once (alias bombs)

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
                walk(value_node, (*path, str(key)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))
        elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            mark = node.start_mark
            entries.append(Entry(path, str(node.value), mark.line + 1, mark.column + 1))

    try:
        for doc in yaml.compose_all(text, Loader=loader):
            walk(doc, ())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigParseError(
            f"not valid YAML: {problem}", mark.line + 1 if mark else None
        ) from None
    except RecursionError:
        raise ConfigParseError("YAML nested too deeply", None) from None
    return entries


# --- JSON -------------------------------------------------------------------------------------


def json_entries(text: str) -> list[Entry]:
    try:
        root = jsonpos.parse(text)
    except jsonpos.JsonPosError as exc:
        raise ConfigParseError(f"not valid JSON: {exc.message}", exc.line) from None
    entries: list[Entry] = []

    def walk(node: jsonpos.Node, path: tuple[str | int, ...]) -> None:
        if node.kind == "object":
            for key, value in node.value:
                walk(value, (*path, key))
        elif node.kind == "array":
            for i, item in enumerate(node.value):
                walk(item, (*path, i))
        elif node.kind == "string":
            # Point inside the quotes, at the value itself.
            entries.append(Entry(path, node.value, node.line, node.column + 1))

    walk(root, ())
    return entries


# --- TOML -------------------------------------------------------------------------------------

_TOML_TOKEN_PATTERN = (
    r"""(?P<nl>\r?\n)|(?P<ws>[ \t]+)|(?P<comment>\#[^\n]*)"""
    r'''|(?P<mlb>"""(?:[^\\]|\\.)*?"""(?!"))|(?P<mll>\'\'\'[\s\S]*?\'\'\'(?!'))'''
    r"""|(?P<basic>"(?:[^"\\\n]|\\.)*")|(?P<literal>'[^'\n]*')"""
    r"""|(?P<punct>[\[\]{}=,.])|(?P<bare>[^\s\[\]{}=,.\#"']+)"""
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    line: int
    column: int

    def string_value(self) -> str:
        if self.kind in ("basic", "mlb"):
            import json

            body = self.text[3:-3] if self.kind == "mlb" else self.text[1:-1]
            if self.kind == "mlb" and body.startswith("\n"):
                body = body[1:]
            try:
                return str(json.loads('"' + body.replace("\n", "\\n") + '"'))
            except ValueError:
                return body
        if self.kind == "mll":
            body = self.text[3:-3]
            return body[1:] if body.startswith("\n") else body
        if self.kind == "literal":
            return self.text[1:-1]
        return self.text


_STRINGS = ("basic", "literal", "mlb", "mll")


@functools.lru_cache(maxsize=1)
def _toml_token_re() -> re.Pattern[str]:
    return re.compile(_TOML_TOKEN_PATTERN, re.DOTALL)  # compiled on the first TOML file


def _toml_tokens(text: str) -> list[_Tok]:
    token = _toml_token_re()
    toks: list[_Tok] = []
    line, line_start, pos = 1, 0, 0
    while pos < len(text):
        m = token.match(text, pos)
        if m is None:
            raise ConfigParseError("not valid TOML: unexpected character", line)
        kind = m.lastgroup or ""
        if kind not in ("ws", "comment"):
            toks.append(_Tok(kind, m.group(), line, pos - line_start + 1))
        newlines = m.group().count("\n")
        if newlines:
            line += newlines
            line_start = m.start() + m.group().rfind("\n") + 1
        pos = m.end()
    return toks


def toml_entries(text: str) -> list[Entry]:
    _check_toml(text)
    toks = _toml_tokens(text)
    entries: list[Entry] = []
    i = 0
    table: tuple[str | int, ...] = ()

    def skip_nl(i: int) -> int:
        while i < len(toks) and toks[i].kind == "nl":
            i += 1
        return i

    def key(i: int) -> tuple[tuple[str, ...], int]:
        parts: list[str] = []
        while i < len(toks):
            tok = toks[i]
            if tok.kind in _STRINGS or tok.kind == "bare":
                parts.append(tok.string_value())
                i += 1
            if i < len(toks) and toks[i].text == "." and toks[i].kind == "punct":
                i += 1
                continue
            break
        return tuple(parts), i

    def value(i: int, path: tuple[str | int, ...]) -> int:
        i = skip_nl(i)
        if i >= len(toks):
            return i
        tok = toks[i]
        if tok.kind in _STRINGS:
            quote = 3 if tok.kind in ("mlb", "mll") else 1
            entries.append(Entry(path, tok.string_value(), tok.line, tok.column + quote))
            return i + 1
        if tok.text == "[":
            i, n = i + 1, 0
            while True:
                i = skip_nl(i)
                if i >= len(toks) or toks[i].text == "]":
                    return i + 1
                i = value(i, (*path, n))
                n += 1
                i = skip_nl(i)
                if i < len(toks) and toks[i].text == ",":
                    i += 1
        if tok.text == "{":
            i += 1
            while i < len(toks) and toks[i].text != "}":
                if toks[i].text == ",":
                    i += 1
                    continue
                parts, i = key(i)
                if i < len(toks) and toks[i].text == "=":
                    i = value(i + 1, (*path, *parts))
                else:
                    i += 1
            return i + 1
        # Numbers, booleans, dates: `3.5` and `1979-05-27T07:32:00.5` span several tokens.
        i += 1
        while i < len(toks) and (toks[i].kind == "bare" or toks[i].text == "."):
            i += 1
        return i

    while i < len(toks):
        tok = toks[i]
        if tok.kind == "nl":
            i += 1
        elif tok.text == "[":
            # [table] or [[array.of.tables]]: everything up to the end of the line.
            j = i + 1
            if j < len(toks) and toks[j].text == "[":
                j += 1
            parts, j = key(j)
            table = parts
            while j < len(toks) and toks[j].kind != "nl":
                j += 1
            i = j
        else:
            parts, j = key(i)
            if j < len(toks) and toks[j].text == "=" and parts:
                i = value(j + 1, (*table, *parts))
            else:
                i = j + 1 if j == i else j
    return entries


def _check_toml(text: str) -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: validate only where tomli happens to be installed
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            return
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigParseError(f"not valid TOML: {exc}", int(m.group(1)) if m else None) from None


# --- entry point ---------------------------------------------------------------------------------

PARSERS = {
    ".yaml": yaml_entries,
    ".yml": yaml_entries,
    ".json": json_entries,
    ".toml": toml_entries,
}


def scan_config(text: str, suffix: str) -> tuple[list[ConfigRef], ConfigParseError | None]:
    """References in a config file of the given suffix, and the parse error if it had one."""
    lines = text.splitlines()
    error: ConfigParseError | None = None
    try:
        entries = PARSERS[suffix.lower()](text)
    except ConfigParseError as exc:
        error = exc
        entries = fallback_entries(lines)
    return refs_from_entries(entries, lines), error
