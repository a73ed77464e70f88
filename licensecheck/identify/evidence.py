"""Combine a model's licence evidence into one `Determination`.

Evidence comes from the card metadata (`metadata.from_card`), each licence-like file and the
card's licence section (the text matcher), and a GGUF header's `general.license`. The rules:

- Only `kind: license` evidence can be the licence; AUPs and NOTICE files are recorded (an
  AUP's id goes to `extra`) but never concluded.
- Where evidence disagrees, the concluded id is the most restrictive licence found (by its
  knowledge-base category; a modified text counts as more restrictive than its original),
  then the most specific source (a licence file over card prose over metadata). A compliance
  gate must fail closed, so a permissive declaration never hides a restrictive file.
- Each disagreement between sources is a `Conflict`; agreement between independent sources
  raises the confidence, a conflict lowers it.
- No known licence anywhere -> `unknown` with confidence 0.

Pure: works on `ModelFacts` already read by a source.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from licensecheck.facts import ModelFacts
from licensecheck.identify import metadata
from licensecheck.identify.types import UNKNOWN, Conflict, Determination, Evidence

if TYPE_CHECKING:
    from licensecheck.knowledge.store import KnowledgeBase

# Category -> how much it restricts use. The order is about categories, not about any licence.
RESTRICTIVENESS: dict[str, int] = {
    "public-domain": 0,
    "permissive": 1,
    "weak-copyleft": 2,
    "copyleft": 3,
    "network-copyleft": 4,
    "community": 5,
    "use-restricted": 5,
    "non-commercial": 6,
    "research-only": 7,
    "proprietary": 8,
    "unknown": 8,
}
_UNRANKED = 8  # a licence the knowledge base cannot place is treated as restrictive

# Which source is more specific about what the licence actually says.
SPECIFICITY: dict[str, int] = {
    "license-file": 4,
    "card-text": 3,
    "gguf-metadata": 2,
    "card-metadata": 1,
    "lock": 1,
    "base-model": 0,
}

# Short names used in conflict kinds ("metadata-vs-file").
_SOURCE_LABEL = {
    "card-metadata": "metadata",
    "license-file": "file",
    "card-text": "card-text",
    "gguf-metadata": "gguf",
}

CONFLICT_PENALTY = 0.7
MAX_CONFIDENCE = 0.99


def restrictiveness(kb: KnowledgeBase, ev: Evidence) -> float:
    lic = kb.get(ev.id)
    rank = float(RESTRICTIVENESS.get(lic.category, _UNRANKED) if lic else _UNRANKED)
    # A modified text adds terms of its own: never let it rank as its permissive original.
    return rank + 0.5 if ev.modified else rank


def gguf_evidence(value: str | None, kb: KnowledgeBase) -> list[Evidence]:
    """`general.license` from a GGUF header: usually an id or a name."""
    if value is None or not value.strip():
        return []
    value = value.strip()
    lic = kb.resolve(value)
    if lic is None or lic.id in ("other", UNKNOWN):
        short = value if len(value) <= 80 else value[:77] + "..."
        return [
            Evidence(
                source="gguf-metadata",
                id=UNKNOWN,
                score=0.0,
                detail=f"general.license {short!r} is not a known licence",
            )
        ]
    return [
        Evidence(
            source="gguf-metadata",
            id=lic.id,
            score=0.85,
            detail=f"general.license {value!r}",
            kind=lic.kind,
        )
    ]


def collect(facts: ModelFacts, kb: KnowledgeBase) -> list[Evidence]:
    """Every evidence item for a model, in a fixed order (metadata, files, card, GGUF)."""
    evidence = metadata.from_card(facts.card, facts.tags, kb)
    evidence.extend(gguf_evidence(facts.gguf_license, kb))
    return evidence


def _known(evidence: Iterable[Evidence]) -> list[Evidence]:
    return [e for e in evidence if e.id != UNKNOWN and e.kind == "license"]


def _ordered_unique(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return tuple(out)


def _conflicts(evidence: list[Evidence], concluded: str) -> list[Conflict]:
    by_source: dict[str, list[str]] = {}
    for ev in _known(evidence):
        by_source.setdefault(ev.source, [])
        if ev.id not in by_source[ev.source]:
            by_source[ev.source].append(ev.id)
    conflicts: list[Conflict] = []
    sources = [s for s in SPECIFICITY if s in by_source]
    # Pairs of sources that name no licence in common disagree.
    for i, a in enumerate(sources):
        for b in sources[i + 1 :]:
            ids_a, ids_b = by_source[a], by_source[b]
            if set(ids_a) & set(ids_b):
                continue
            label = f"{_SOURCE_LABEL.get(b, b)}-vs-{_SOURCE_LABEL.get(a, a)}"
            conflicts.append(
                Conflict(
                    kind=label,
                    message=(
                        f"{_describe(b)} says {', '.join(ids_b)} but {_describe(a)} says "
                        f"{', '.join(ids_a)}; concluded {concluded}"
                    ),
                    ids=tuple(sorted(set(ids_a) | set(ids_b))),
                )
            )
    for ev in evidence:
        if ev.kind == "license" and ev.modified and ev.id != UNKNOWN:
            where = f" ({ev.path})" if ev.path else ""
            conflicts.append(
                Conflict(
                    kind="modified-text",
                    message=f"{ev.source}{where} is a modified {ev.id} text, not the original",
                    ids=(ev.id,),
                )
            )
    return conflicts


def _describe(source: str) -> str:
    return {
        "card-metadata": "card metadata",
        "license-file": "licence file",
        "card-text": "card text",
        "gguf-metadata": "GGUF metadata",
    }.get(source, source)


def _confidence(evidence: list[Evidence], concluded: str, conflicted: bool) -> float:
    # Independent sources that agree: 1 - prod(1 - best score per source).
    best: dict[str, float] = {}
    for ev in evidence:
        if ev.id == concluded and ev.kind == "license":
            best[ev.source] = max(best.get(ev.source, 0.0), ev.score)
    miss = 1.0
    for score in best.values():
        miss *= 1.0 - min(max(score, 0.0), 1.0)
    conf = 1.0 - miss
    if conflicted:
        conf *= CONFLICT_PENALTY
    return round(min(conf, MAX_CONFIDENCE), 3)


def combine(evidence: list[Evidence], kb: KnowledgeBase) -> Determination:
    """The determination a list of evidence supports (see the module docstring)."""
    declared = metadata.declared_ids(evidence)
    known = _known(evidence)
    aups = _ordered_unique(e.id for e in evidence if e.kind == "aup" and e.id != UNKNOWN)
    if not known:
        return Determination(
            id=UNKNOWN,
            confidence=0.0,
            evidence=tuple(evidence),
            declared=declared,
            extra=aups,
        )
    best = max(
        known,
        key=lambda e: (restrictiveness(kb, e), SPECIFICITY.get(e.source, 0), e.score),
    )
    conflicts = _conflicts(evidence, best.id)
    # The version and modified flag come from the most specific evidence for that id.
    same = [e for e in known if e.id == best.id]
    texts = sorted(same, key=lambda e: (-SPECIFICITY.get(e.source, 0), -e.score))
    version = next((e.version for e in texts if e.version), None)
    modified = any(e.modified for e in same)
    extra = _ordered_unique(
        [e.id for e in known if e.id != best.id] + [a for a in aups if a != best.id]
    )
    return Determination(
        id=best.id,
        confidence=_confidence(evidence, best.id, any(c.severity == "conflict" for c in conflicts)),
        version=version,
        modified=modified,
        evidence=tuple(evidence),
        conflicts=tuple(conflicts),
        declared=declared,
        extra=extra,
    )


def determine(facts: ModelFacts, kb: KnowledgeBase) -> Determination:
    """The licence a model's own evidence supports (lineage is applied later)."""
    return combine(collect(facts, kb), kb)


__all__ = ["collect", "combine", "determine", "gguf_evidence", "restrictiveness"]
