"""Results of identification: a text match, an evidence item, a model's determination."""

from __future__ import annotations

from dataclasses import dataclass, field

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Change:
    """A substantive difference from the canonical text."""

    type: str  # added | removed | changed
    text: str  # the input's wording (added, changed) or the canonical wording (removed)
    line: int | None = None  # line in the identified file (1-based) where known
    original: str | None = None  # for changed: the canonical wording it replaces


@dataclass(frozen=True)
class TextMatch:
    """What one text (a file, or a section of one) was identified as."""

    id: str  # licence id, or "unknown"
    kind: str  # license | aup | notice | unknown
    name: str | None = None
    version: str | None = None
    confidence: float = 0.0
    modified: bool = False
    changes: tuple[Change, ...] = ()
    start_line: int | None = None  # for a licence found inside a larger file
    end_line: int | None = None


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for a model's licence."""

    source: str  # card-metadata | license-file | card-text | base-model | gguf-metadata | lock
    id: str  # licence id or "unknown"
    score: float
    path: str | None = None
    detail: str = ""
    kind: str = "license"  # license | aup | notice
    version: str | None = None
    modified: bool = False
    changes: tuple[Change, ...] = ()
    # How it was found: id | name | link | tag (metadata), text (a licence text matched),
    # mention (a licence named in prose or in an unrecognised file). A mention never
    # outweighs the others; "" when not said.
    via: str = ""


@dataclass(frozen=True)
class Conflict:
    kind: str  # metadata-vs-file, declared-vs-lineage, ...
    message: str
    ids: tuple[str, ...] = ()
    severity: str = "conflict"  # conflict | info


@dataclass(frozen=True)
class Determination:
    """The licence concluded for one model from its own evidence (lineage comes later)."""

    id: str  # licence id, or "unknown"
    confidence: float
    version: str | None = None
    modified: bool = False
    evidence: tuple[Evidence, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    declared: tuple[str, ...] = field(default=())  # ids the card metadata declares
    extra: tuple[str, ...] = ()  # further licences found (dual licences, AUPs)
    # False when no licence text that could be read supports `id` and the model is gated:
    # judged on its declaration alone (the policy's `unverified_license` applies).
    verified: bool = True
    refused: tuple[str, ...] = ()  # licence files the Hub refused (gated), for the reason
