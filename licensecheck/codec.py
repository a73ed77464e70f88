"""One JSON form per result type, encoded and decoded here only: `Change`, `Evidence`,
`Conflict`, `Determination` (identify/types.py) and `LineageLink` (results.py).

The JSON report (formats/json_report.py), the lock (lockfile.py) and the determination
cache (cache.py) all go through these functions. The cache keeps every field; the report and
the lock keep the fields their contracts name (`json_report._evidence`, `lockfile._evidence_json`)
but decode nothing of their own.

Decoding is strict about types and lenient about an absent optional field (its default),
and raises `CodecError("<where>: ...")`: a lock names the place in its message, the cache
treats any error as a miss. Adding a field to one of these types means changing this module
(and the contract that should show it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from licensecheck.identify.types import Change, Conflict, Determination, Evidence
from licensecheck.results import LineageLink

JSON = dict[str, Any]


class CodecError(ValueError):
    """A value that is not the JSON form of the type asked for; the message says where."""


# --- encoding --------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A result (any of the types above, or a tuple of them) as JSON values: every field,
    by its name, in declaration order; tuples as lists. Adding a field adds it here. (Also
    the one way to flatten `ModelFacts` for a digest: mappings keep their keys as text.)"""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def link_json(link: LineageLink) -> JSON:
    """A lineage link as reports and locks show it: `verified` only when it is False."""
    out: JSON = to_json(link)
    if link.verified:
        del out["verified"]
    return out


def determination_view(
    d: Determination, evidence: list[JSON], conflicts: Iterable[Conflict]
) -> JSON:
    """A determination as reports and locks show it: the scores rounded, the evidence each
    shows its own way, `refused` only for a licence judged on its declaration alone."""
    return {
        "id": d.id,
        "version": d.version,
        "confidence": score(d.confidence),
        "modified": d.modified,
        "verified": d.verified,
        "declared": list(d.declared),
        "extra": list(d.extra),
        "evidence": evidence,
        "conflicts": [to_json(c) for c in conflicts],
        **({} if d.verified else {"refused": list(d.refused)}),
    }


def report_changes(changes: tuple[Change, ...]) -> list[JSON]:
    """The changes as reports and locks show them: type, text and line."""
    return [{"type": c.type, "text": c.text, "line": c.line} for c in changes]


def score(value: float) -> float:
    """A score or confidence as reports and locks print it (4 decimals)."""
    return round(float(value), 4)


# --- decoding --------------------------------------------------------------------------------


def get_field(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """A required field of `kind` (a bool is not a number)."""
    value = d.get(key)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise CodecError(f"{where}: '{key}' is missing or has the wrong type")
    return value


def opt_str(d: Mapping[str, Any], key: str, where: str) -> str | None:
    """An optional string (absent: None)."""
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise CodecError(f"{where}: '{key}' must be a string or null")
    return value


def strs(d: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    """An optional list of strings (absent: empty)."""
    value = d.get(key) or []
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise CodecError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _objects(d: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = d.get(key) or []
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise CodecError(f"{where}: '{key}' must be a list of objects")
    return value


def change_from(d: Mapping[str, Any], where: str) -> Change:
    line = d.get("line")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
        raise CodecError(f"{where}: 'line' must be a number or null")
    return Change(
        type=str(d.get("type", "changed")),
        text=str(d.get("text", "")),
        line=line,
        original=opt_str(d, "original", where),
    )


def evidence_from(d: Mapping[str, Any], where: str) -> Evidence:
    return Evidence(
        source=get_field(d, "source", str, where),
        id=get_field(d, "id", str, where),
        score=float(get_field(d, "score", (int, float), where)),
        path=opt_str(d, "path", where),
        detail=str(d.get("detail") or ""),
        kind=str(d.get("kind") or "license"),
        version=opt_str(d, "version", where),
        modified=bool(d.get("modified")),
        changes=tuple(change_from(c, f"{where}.changes") for c in _objects(d, "changes", where)),
        via=str(d.get("via") or ""),
    )


def conflict_from(d: Mapping[str, Any], where: str) -> Conflict:
    return Conflict(
        kind=get_field(d, "kind", str, where),
        message=get_field(d, "message", str, where),
        ids=strs(d, "ids", where),
        severity=str(d.get("severity") or "conflict"),
    )


def determination_from(d: Any, where: str) -> Determination:
    if not isinstance(d, dict):
        raise CodecError(f"{where}: must be an object")
    return Determination(
        id=get_field(d, "id", str, where),
        confidence=float(get_field(d, "confidence", (int, float), where)),
        version=opt_str(d, "version", where),
        modified=bool(d.get("modified")),
        evidence=tuple(
            evidence_from(e, f"{where}.evidence") for e in _objects(d, "evidence", where)
        ),
        conflicts=tuple(
            conflict_from(c, f"{where}.conflicts") for c in _objects(d, "conflicts", where)
        ),
        declared=strs(d, "declared", where),
        extra=strs(d, "extra", where),
        # A lock written before declared-only entries existed held only verified ones.
        verified=get_field(d, "verified", bool, where) if "verified" in d else True,
        refused=strs(d, "refused", where),
    )


def link_from(d: Mapping[str, Any], where: str) -> LineageLink:
    depth = d.get("depth") or 1
    if not isinstance(depth, int) or isinstance(depth, bool):
        raise CodecError(f"{where}: 'depth' must be a number")
    return LineageLink(
        model=get_field(d, "model", str, where),
        relation=get_field(d, "relation", str, where),
        license=get_field(d, "license", str, where),
        revision=opt_str(d, "revision", where),
        depth=depth,
        parent=opt_str(d, "parent", where),
        error=opt_str(d, "error", where),
        verified=get_field(d, "verified", bool, where) if "verified" in d else True,
    )


__all__ = [
    "CodecError",
    "change_from",
    "conflict_from",
    "determination_from",
    "determination_view",
    "evidence_from",
    "get_field",
    "link_from",
    "link_json",
    "opt_str",
    "report_changes",
    "score",
    "strs",
    "to_json",
]
