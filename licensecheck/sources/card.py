"""Model card (README.md) front-matter parser that survives real-world cards.

Own code plus PyYAML's safe loader (not huggingface_hub's RepoCard, which is strict and
heavy to import). A bad card never raises: it yields a `Finding` and whatever metadata
could still be read. The hazards handled (see tests/data/corpus/cards/NOTES.txt):

- leading blank lines before `---` (the Hub tolerates them), CRLF, a UTF-8 BOM;
- header lines before `---` (a mirror copy that prepends a title): read, with a finding,
  because the block is plainly the card's metadata;
- front matter inside an HTML comment, or opened by `--`: not metadata (the Hub reads none
  either), reported as a finding so that a reviewer sees why the licence is unknown;
- YAML errors (unrendered `{placeholders}`): a finding with the line, then the top-level
  keys are read line by line so that `license:` before the error still counts;
- `license` as a list, `licence:` typos, non-string values, empty `base_model` entries
  (`base_model: [""]`), front matter that is not a mapping, YAML alias bombs, aliases that
  contain themselves, nesting deeper than `MAX_NESTING`, integers past Python's digit limit
  and dates that do not exist (each refused as a YAML error: a finding, never an exception).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from licensecheck.facts import CardData, Finding

if TYPE_CHECKING:
    import yaml

HEADER_MAX_LINES = 12  # how far below the top a displaced `---` block is still the card's
MAX_ALIASES = 50  # real cards use none; more than this is an alias bomb
MAX_NODES = 100_000  # front matter nodes once aliases are expanded (a big model-index: ~10k)
MAX_NESTING = 64  # [ and { levels; PyYAML recurses per level and slows down long before
MAX_LIST = 200  # entries kept from list fields (base_model, tags)

_KNOWN_KEYS = frozenset(
    {
        "license", "licence", "license_name", "license_link", "base_model",
        "base_model_relation", "tags", "library_name", "pipeline_tag", "language",
        "datasets", "metrics", "model-index", "inference", "widget",
    }
)  # fmt: skip
_BRACKET = re.compile(r"[\[\]{}]")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*:(?:\s+(.*?))?\s*$")
_LIST_ITEM = re.compile(r"^\s*-\s+(.*?)\s*$")
# Spellings of the licence keys that people use instead of the Hub's.
_KEY_VARIANTS = {
    "license": ("licence", "License", "Licence", "LICENSE", "licenses", "licences"),
    "license_name": ("licence_name", "license-name", "License_name"),
    "license_link": ("licence_link", "license-link", "License_link"),
}


@dataclass(frozen=True)
class ParsedCard:
    """A parsed card: metadata, body text and what was odd about it."""

    card: CardData
    body: str
    findings: tuple[Finding, ...] = ()
    metadata_line: int | None = None  # 1-based line of the opening `---`; None: no metadata


@functools.lru_cache(maxsize=1)
def _loader() -> Any:
    """The safe loader that refuses alias bombs (real cards never use anchors). Defined on
    first use: PyYAML is imported only when a card's YAML is actually parsed (the Hub's
    cardData spares that on most runs)."""
    import yaml

    class Loader(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self._aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self._aliases += 1
                if self._aliases > MAX_ALIASES:
                    raise yaml.YAMLError(f"more than {MAX_ALIASES} YAML aliases (refused)")
            return super().compose_node(parent, index)

    return Loader


def _expanded_size(root: yaml.Node) -> int:
    """Nodes in the document once every alias is expanded; refuses a bomb or a cycle.

    Sizes are memoised per node, so a document that would expand exponentially costs one
    visit per node, and the check stops as soon as the total passes `MAX_NODES`."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise yaml.YAMLError("a YAML alias refers to its own parent (refused)")
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children: list[yaml.Node] = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise yaml.YAMLError(
                    f"front matter expands to more than {MAX_NODES} nodes (refused)"
                )
        active.discard(key)
        sizes[key] = total
        return total

    return size(root)


def _too_deep(text: str) -> bool:
    """Flow collections nested deeper than `MAX_NESTING` (checked before PyYAML sees them)."""
    depth = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
        if depth > MAX_NESTING:
            return True
    return False


def _load(text: str) -> Any:
    """One YAML document, safely; every failure is a `yaml.YAMLError` with a short reason."""
    import yaml

    if _too_deep(text):
        raise yaml.YAMLError(f"nested deeper than {MAX_NESTING} levels (refused)")
    loader = _loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    except RecursionError:
        raise yaml.YAMLError("nested too deeply (refused)") from None
    except (ValueError, OverflowError) as exc:
        # An integer past Python's digit limit, a date that does not exist (2024-02-30).
        raise yaml.YAMLError(f"unreadable value: {str(exc)[:80]}") from None
    finally:
        loader.dispose()


def _is_fence(line: str) -> bool:
    return line.rstrip() == "---"


def _find_block(lines: list[str], start: int) -> int | None:
    """Index of the closing `---` after an opener at `start`."""
    for j in range(start + 1, len(lines)):
        if _is_fence(lines[j]):
            return j
    return None


def _yaml_error(exc: yaml.YAMLError, first_line: int) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"line {first_line + mark.line}, column {mark.column + 1}: {problem}"
    return str(problem)


def _lenient_scalar(value: str) -> Any:
    """One value read on its own; None when it is not a plain scalar or a flow list."""
    import yaml

    try:
        parsed = _load(value)
    except yaml.YAMLError:
        return value if not value.startswith(("{", "[", "*", "&", "!", "|", ">")) else None
    if isinstance(parsed, (str, int, float, bool)):
        return parsed
    if isinstance(parsed, list) and all(isinstance(x, (str, int, float)) for x in parsed):
        return parsed
    return None


def _line_by_line(block: list[str]) -> dict[str, Any]:
    """Top-level `key: value` and `- item` lines, for a block the YAML parser rejects."""
    result: dict[str, Any] = {}
    key: str | None = None
    for line in block:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        top = _TOP_KEY.match(line)
        if top and not line[0].isspace():
            key = top.group(1)
            value = top.group(2)
            result[key] = _lenient_scalar(value) if value else None
            continue
        item = _LIST_ITEM.match(line)
        if item and key is not None:
            value = _lenient_scalar(item.group(1))
            if value is None or isinstance(value, list):
                continue
            current = result.get(key)
            if current is None:
                result[key] = [value]
            elif isinstance(current, list):
                current.append(value)
    return result


def _strings(value: Any, field: str, findings: list[Finding], path: str) -> tuple[str, ...]:
    """A string or a list of scalars -> non-empty stripped strings; anything else a finding."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    dropped = 0
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            dropped += 1
            continue
        text = str(item).strip()
        if not text:
            dropped += 1
            continue
        if text not in out:
            out.append(text)
    if dropped:
        findings.append(
            Finding(
                kind="card-invalid-field",
                message=f"{path}: {field}: {dropped} empty or non-text entr"
                f"{'y' if dropped == 1 else 'ies'} ignored",
                path=path,
            )
        )
    if len(out) > MAX_LIST:
        findings.append(
            Finding(
                kind="card-field-capped",
                message=f"{path}: {field}: {len(out)} entries; kept the first {MAX_LIST}",
                path=path,
            )
        )
        out = out[:MAX_LIST]
    return tuple(out)


def _string(value: Any, field: str, findings: list[Finding], path: str) -> str | None:
    values = _strings(value, field, findings, path)
    if len(values) > 1:
        findings.append(
            Finding(
                kind="card-invalid-field",
                message=f"{path}: {field}: a list where one value was expected; using {values[0]!r}",
                path=path,
            )
        )
    return values[0] if values else None


def _pick(mapping: Mapping[Any, Any], key: str, findings: list[Finding], path: str) -> Any:
    if key in mapping:
        return mapping[key]
    for variant in _KEY_VARIANTS.get(key, ()):
        if variant in mapping:
            findings.append(
                Finding(
                    kind="card-key-variant",
                    message=f"{path}: metadata key {variant!r} read as {key!r} (the Hub only reads {key!r})",
                    path=path,
                )
            )
            return mapping[variant]
    return None


def card_data(
    mapping: Mapping[Any, Any], path: str = "README.md"
) -> tuple[CardData, list[Finding]]:
    """Card metadata (a YAML mapping, or the Hub's cardData) -> CardData and findings."""
    findings: list[Finding] = []
    relation = _string(mapping.get("base_model_relation"), "base_model_relation", findings, path)
    card = CardData(
        licenses=_strings(_pick(mapping, "license", findings, path), "license", findings, path),
        license_name=_string(
            _pick(mapping, "license_name", findings, path), "license_name", findings, path
        ),
        license_link=_string(
            _pick(mapping, "license_link", findings, path), "license_link", findings, path
        ),
        base_models=_strings(mapping.get("base_model"), "base_model", findings, path),
        base_model_relation=relation.lower() if relation else None,
        pipeline_tag=_string(mapping.get("pipeline_tag"), "pipeline_tag", findings, path),
        tags=_strings(mapping.get("tags"), "tags", findings, path),
        library_name=_string(mapping.get("library_name"), "library_name", findings, path),
        raw={str(k): v for k, v in mapping.items()},
    )
    return card, findings


def _no_metadata(lines: list[str], first: int, path: str) -> Finding:
    """Explain why a card has no metadata block (the reviewer's first question)."""
    window = lines[first : first + HEADER_MAX_LINES]
    for offset, line in enumerate(window):
        stripped = line.strip()
        if stripped.startswith("<!--") and (
            stripped[4:].strip() == "---" or any(_is_fence(x) for x in window[offset + 1 :])
        ):
            return Finding(
                kind="card-no-metadata",
                message=f"{path}: front matter at line {first + offset + 1} is inside an HTML "
                "comment; the Hub reads no metadata from it",
                path=path,
            )
        if stripped == "--":
            return Finding(
                kind="card-no-metadata",
                message=f"{path}: line {first + offset + 1} opens the front matter with '--' "
                "instead of '---'; the Hub reads no metadata from it",
                path=path,
            )
    return Finding(kind="card-no-metadata", message=f"{path}: no YAML front matter", path=path)


def _parse_block(
    lines: list[str], opener: int, closer: int, path: str, findings: list[Finding]
) -> dict[Any, Any] | None:
    import yaml

    block = lines[opener + 1 : closer]
    text = "\n".join(block)
    try:
        data = _load(text)
    except yaml.YAMLError as exc:
        recovered = _line_by_line(block)
        keys = sorted(k for k in recovered if k in _KNOWN_KEYS)
        findings.append(
            Finding(
                kind="card-yaml-error",
                message=f"{path}: invalid YAML in front matter ({_yaml_error(exc, opener + 2)}); "
                + (f"read {', '.join(keys)} line by line" if keys else "no metadata read"),
                path=path,
            )
        )
        return recovered
    if data is None:
        findings.append(
            Finding(kind="card-no-metadata", message=f"{path}: empty front matter", path=path)
        )
        return {}
    if not isinstance(data, dict):
        findings.append(
            Finding(
                kind="card-not-mapping",
                message=f"{path}: front matter is a {type(data).__name__}, not a mapping; ignored",
                path=path,
            )
        )
        return {}
    return data


def parse_card(text: str, path: str = "README.md") -> ParsedCard:
    """Parse a model card. Never raises on content; problems become findings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    findings: list[Finding] = []

    opener: int | None = None
    if first < len(lines) and lines[first].strip() == "---":
        opener = first
    else:
        # A title or source line prepended to the card by a mirror: look a few lines down,
        # and accept the block only if it reads as card metadata.
        for i in range(first + 1, min(len(lines), first + HEADER_MAX_LINES)):
            if _is_fence(lines[i]):
                closer = _find_block(lines, i)
                if closer is None:
                    break
                probe: list[Finding] = []
                data = _parse_block(lines, i, closer, path, probe)
                if data and any(str(k) in _KNOWN_KEYS for k in data) and not probe:
                    opener = i
                    findings.append(
                        Finding(
                            kind="card-metadata-late",
                            message=f"{path}: front matter starts at line {i + 1}, after other "
                            "text; read it, but the Hub reads no metadata from this card",
                            path=path,
                        )
                    )
                break

    if opener is None:
        findings.append(_no_metadata(lines, first, path))
        return ParsedCard(card=CardData(), body=text, findings=tuple(findings))

    closer = _find_block(lines, opener)
    if closer is None:
        findings.append(
            Finding(
                kind="card-no-metadata",
                message=f"{path}: front matter opened at line {opener + 1} is never closed with '---'",
                path=path,
            )
        )
        return ParsedCard(card=CardData(), body=text, findings=tuple(findings))

    data = _parse_block(lines, opener, closer, path, findings)
    card, field_findings = card_data(data or {}, path)
    findings.extend(field_findings)
    # The front matter becomes blank lines: a line of the body is the line of README.md, so
    # a sentence quoted from the card (a licence it names) is shown where it is.
    body = "\n".join(lines[:opener] + [""] * (closer + 1 - opener) + lines[closer + 1 :])
    return ParsedCard(card=card, body=body, findings=tuple(findings), metadata_line=opener + 1)
