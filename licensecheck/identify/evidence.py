"""Combine a model's licence evidence into one `Determination`.

Evidence, in a fixed order:

1. card metadata (`metadata.from_card`: `license`, `license_name`/`license_link`, Hub tags);
2. each licence-like file the source read (the text matcher: every licence, AUP or notice
   found in it, with version, `modified` and the changed passages). A file named NOTICE, or
   a text the matcher calls a notice, is `kind: notice`; a use policy is `kind: aup`. A
   licence file whose text is not a known licence gives an `unknown` item, plus a `mention`
   item for each licence it names;
3. licence texts in free-text card metadata fields (`extra_gated_prompt`, where Meta puts
   the whole agreement of a gated model, `extra_gated_description`, and any other long
   top-level string): source `card-metadata`, `via: text`, the field's name as the path;
4. the card text (`facts.card_text`): licence texts found in it, else the licences its
   licence section names (or, without such a section, the lines that speak of a licence);
5. a GGUF header's `general.license`.

The rules:

- Only `kind: license` evidence can be the licence; AUPs and notices are recorded (an AUP's
  id goes to `extra`) but never concluded.
- Where evidence disagrees, the concluded id is the most restrictive licence found (by its
  knowledge-base category; a modified text ranks above its original), then the most specific
  source (a licence file over card text over GGUF over metadata). A compliance gate fails
  closed, so a permissive declaration never hides a restrictive file. A licence only
  *named* in prose (`via: mention`) is concluded only when nothing stronger exists.
- Each pair of sources that name no licence in common is a `Conflict` (`metadata-vs-file`,
  ...); a modified licence text and an unrecognised licence file are conflicts too; so is
  prose that names another licence (`prose-names-other`) or a plain sentence of the card that
  takes away a use the licence grants ("Commercial use is prohibited.",
  `prose-restricts-use`, from `kind: restriction` evidence); the sentence and its line are in
  the message. Agreement between independent sources
  raises the confidence (1 - product of their misses); a conflict multiplies it by 0.7.
- No known licence anywhere -> `unknown` with confidence 0.
- A gated model (or one whose licence files the Hub refused) with no licence text read
  that supports the concluded licence is `verified: False`: judged on its declaration
  alone, the refused files named (`Determination.refused`).

Pure: works on `ModelFacts` a source already read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from licensecheck.facts import ModelFacts, RepoFile
from licensecheck.identify import metadata
from licensecheck.identify.types import UNKNOWN, Conflict, Determination, Evidence, TextMatch
from licensecheck.knowledge.model import RESTRICTIVENESS

if TYPE_CHECKING:
    from licensecheck.knowledge.store import KnowledgeBase

_UNRANKED = 8  # a licence the knowledge base cannot place is treated as restrictive

# Which source is more specific about what the licence actually says.
SPECIFICITY: dict[str, int] = {
    "license-file": 4,
    "metadata-text": 3,
    "card-text": 3,
    "gguf-metadata": 2,
    "card-metadata": 1,
    "lock": 1,
    "base-model": 0,
}

_SOURCE_LABEL = {
    "card-metadata": "metadata",
    "metadata-text": "metadata-text",
    "license-file": "file",
    "card-text": "card-text",
    "gguf-metadata": "gguf",
    "lock": "lock",
}
_SOURCE_NAME = {
    "card-metadata": "card metadata",
    "metadata-text": "licence text in the card metadata",
    "license-file": "licence file",
    "card-text": "card text",
    "gguf-metadata": "GGUF metadata",
    "lock": "lock file",
}

CONFLICT_PENALTY = 0.7
MAX_CONFIDENCE = 0.99
MENTION_SCORE = 0.5  # a licence named in prose or in a file the matcher could not read
SECTION_MENTION_SCORE = 0.6  # ... named in the card's licence section
GGUF_SCORE = 0.85
OTHER_SUBJECT = " (about the data or code, not the model)"  # a mention's detail ends so
VARIANT = " (the base of a modified licence)"  # ... or so: neither is a conflict
POINTER_WORDS = 150  # a licence file this short that names a licence points at it

_README = re.compile(r"(?:^|/)readme(?:\.[a-z0-9]+)?$", re.IGNORECASE)
_NOTICE_FILE = re.compile(
    r"(?:^|/)(?:notice|notices|third[_-]?party[_-]?notices?|third[_-]?party[_-]?licen[cs]es?)"
    r"(?:\.[a-z0-9]+)?$",
    re.IGNORECASE,
)
# Card lines that speak of the licence: "licensed under", "terms of use", and the plain
# "the weights are released/available/distributed under X".
_LICENCE_LINE = re.compile(
    r"licen[cs]|terms of use|许可|协议"
    r"|\b(?:released|available|distributed|provided|published|shared|offered)\s+under\b",
    re.IGNORECASE,
)

# Card metadata fields that hold free text, read first; any other top-level string at least
# METADATA_TEXT_MIN characters long is read too (a label or a link is shorter than a licence).
METADATA_TEXT_FIELDS = ("extra_gated_prompt", "extra_gated_description")
METADATA_TEXT_MIN = 400
METADATA_TEXT_MAX_FIELDS = 8
# Read in all, over every field (as one licence file is read, sources/files.py): a hostile
# card cannot make the matcher read more than one file's worth.
METADATA_TEXT_MAX_CHARS = 1024 * 1024


def _group(ev: Evidence) -> str:
    """Where evidence comes from, for specificity and conflicts: a licence text in the card
    metadata is read like a file, not declared like an id."""
    return "metadata-text" if ev.source == "card-metadata" and ev.via == "text" else ev.source


def restrictiveness(kb: KnowledgeBase, ev: Evidence) -> float:
    lic = kb.get(ev.id)
    rank = float(RESTRICTIVENESS.get(lic.category, _UNRANKED) if lic else _UNRANKED)
    # A modified text adds terms of its own: never let it rank as its permissive original.
    return rank + 0.5 if ev.modified else rank


# --- evidence from each source ---------------------------------------------------------------


def gguf_evidence(value: str | None, kb: KnowledgeBase) -> list[Evidence]:
    """`general.license` from a GGUF header: usually an id or a name, sometimes a text."""
    if value is None or not value.strip():
        return []
    value = value.strip()
    lic = kb.resolve(value)
    if lic is not None and lic.id not in ("other", UNKNOWN):
        return [
            Evidence(
                source="gguf-metadata",
                id=lic.id,
                score=GGUF_SCORE,
                detail=f"general.license {value!r}",
                kind=lic.kind,
                via="id",
            )
        ]
    if len(value) > 200:  # a whole licence text in the header
        found = _text_evidence(value, "gguf-metadata", None, kb)
        if found:
            return found
    short = value if len(value) <= 80 else value[:77] + "..."
    return [
        Evidence(
            source="gguf-metadata",
            id=UNKNOWN,
            score=0.0,
            detail=f"general.license {short!r} is not a known licence",
            via="id",
        )
    ]


def _match_evidence(m: TextMatch, source: str, path: str | None, offset: int = 0) -> Evidence:
    where = ""
    if m.start_line is not None and m.end_line is not None:
        where = f"lines {m.start_line + offset}-{m.end_line + offset}: "
    label = m.name or m.id
    state = "modified " if m.modified else ""
    return Evidence(
        source=source,
        id=m.id,
        score=m.confidence,
        path=path,
        detail=f"{where}{state}{label}".strip(),
        kind=m.kind if m.kind != UNKNOWN else "license",
        version=m.version,
        modified=m.modified,
        changes=m.changes,
        via="text",
    )


def _text_evidence(text: str, source: str, path: str | None, kb: KnowledgeBase) -> list[Evidence]:
    from licensecheck.identify.matcher import Matcher

    _, matches = Matcher.get(kb).analyse(text)
    return [_match_evidence(m, source, path) for m in matches]


def file_evidence(f: RepoFile, kb: KnowledgeBase) -> list[Evidence]:
    """Evidence from one licence-like file (not the README: that is the card text)."""
    from licensecheck.identify.matcher import Matcher
    from licensecheck.identify.sections import mentions

    primary, matches = Matcher.get(kb).analyse(f.text)
    cut = " (file truncated)" if f.truncated else ""
    notice_name = bool(_NOTICE_FILE.search(f.path))
    if primary.kind == "notice" or (notice_name and primary.kind != "license"):
        named = [m.id for m in matches] or [x.id for x in mentions(f.text, kb)]
        listed = f"; names {', '.join(dict.fromkeys(named))}" if named else ""
        return [
            Evidence(
                source="license-file",
                id=UNKNOWN,
                score=primary.confidence,
                path=f.path,
                detail=f"notice file{listed}{cut}",
                kind="notice",
                via="text",
            )
        ]
    if matches:
        out = [_match_evidence(m, "license-file", f.path) for m in matches]
        if cut:
            out = [_with_detail(e, e.detail + cut) for e in out]
        return out
    if primary.kind == "aup":
        return [
            Evidence(
                source="license-file",
                id=UNKNOWN,
                score=0.0,
                path=f.path,
                detail=f"a use policy that is not a known text{cut}",
                kind="aup",
                via="text",
            )
        ]
    # An unrecognised licence file: say so. A short one that names a licence points at it
    # ("This model is licensed under ..."); in a long custom text a name is incidental.
    pointed = mentions(f.text, kb)
    listed = f"; names {', '.join(m.id for m in pointed)}" if pointed else ""
    out = [
        Evidence(
            source="license-file",
            id=UNKNOWN,
            score=0.0,
            path=f.path,
            detail=f"text not recognised as a known licence{listed}{cut}",
            via="text",
        )
    ]
    if len(f.text.split()) > POINTER_WORDS:
        return out
    for m in pointed:
        lic = kb.get(m.id)
        out.append(
            Evidence(
                source="license-file",
                id=m.id,
                score=MENTION_SCORE,
                path=f.path,
                detail=f"names {m.phrase!r} (line {m.line}); the text itself is not known",
                kind=lic.kind if lic else "license",
                via="mention",
            )
        )
    return out


def _with_detail(ev: Evidence, detail: str) -> Evidence:
    from dataclasses import replace

    return replace(ev, detail=detail)


def card_text_evidence(
    card_text: str, kb: KnowledgeBase, path: str = "README.md"
) -> list[Evidence]:
    """Licence texts inside the card, else the licences its licence section names."""
    from licensecheck.identify.sections import license_sections, mentions

    out = _text_evidence(card_text, "card-text", path, kb)
    if out:
        return out
    sections = license_sections(card_text)
    seen: set[str] = set()
    for section in sections:
        for m in mentions(section.text, kb):
            if m.id in seen:
                continue
            seen.add(m.id)
            line = section.start_line + (m.line or 1) - 1
            out.append(
                _mention(
                    m.id, m.phrase, line, SECTION_MENTION_SCORE, path, kb, section.title, card_text
                )
            )
    if sections:
        return out
    lines = [ln if _LICENCE_LINE.search(ln) else "" for ln in card_text.split("\n")]
    for m in mentions("\n".join(lines), kb):
        if m.id not in seen:
            seen.add(m.id)
            out.append(_mention(m.id, m.phrase, m.line, MENTION_SCORE, path, kb, None, card_text))
    return out


def statement_evidence(card_text: str, path: str = "README.md") -> list[Evidence]:
    """The card's plain sentences that restrict a use ("Commercial use is prohibited."), as
    `kind: restriction` evidence: never a licence, but a conflict with a licence that grants
    the use (`combine`)."""
    from licensecheck.identify.sections import restricting_statements

    return [
        Evidence(
            source="card-text",
            id=UNKNOWN,
            score=0.0,
            path=path,
            detail=f"line {st.line}: {st.sentence!r} (restricts {st.use} use)",
            kind="restriction",
            version=st.use,
            via="statement",
        )
        for st in restricting_statements(card_text)
    ]


def _mention(
    lic_id: str,
    phrase: str,
    line: int | None,
    score: float,
    path: str,
    kb: KnowledgeBase,
    section: str | None,
    text: str = "",
) -> Evidence:
    from licensecheck.identify.sections import (
        about_other_subject,
        line_text,
        names_a_variant,
        sentence_naming,
    )

    lic = kb.get(lic_id)
    where = f"section {section!r}, " if section else ""
    sentence = sentence_naming(line_text(text, line), phrase)
    said = f" in {sentence!r}" if sentence else ""
    if sentence and about_other_subject(sentence):
        said += OTHER_SUBJECT  # the data's or the code's licence: noted, not a conflict
    elif sentence and names_a_variant(sentence, phrase):
        said += VARIANT  # "the Modified MIT License": not MIT itself
    return Evidence(
        source="card-text",
        id=lic_id,
        score=score,
        path=path,
        detail=f"{where}line {line}: names {phrase!r}{said}",
        kind=lic.kind if lic else "license",
        via="mention",
    )


def metadata_text_fields(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, text) for the card metadata fields worth reading as licence text: the known
    free-text fields when present, then other long top-level strings by name; bounded."""
    chosen: list[tuple[str, str]] = []
    named = [k for k in METADATA_TEXT_FIELDS if isinstance(raw.get(k), str)]
    others = sorted(
        k
        for k, v in raw.items()
        if isinstance(k, str)
        and k not in METADATA_TEXT_FIELDS
        and isinstance(v, str)
        and len(v) >= METADATA_TEXT_MIN
    )
    budget = METADATA_TEXT_MAX_CHARS
    for key in (*named, *others)[:METADATA_TEXT_MAX_FIELDS]:
        text = raw[key][:budget]
        if text.strip():
            chosen.append((key, text))
            budget -= len(text)
        if budget <= 0:
            break
    return chosen


def metadata_text_evidence(raw: Mapping[str, Any], kb: KnowledgeBase) -> list[Evidence]:
    """Licence texts (and AUPs) found in free-text card metadata fields; the field is the
    path. A field that holds no known text gives nothing: most are a sentence and a link."""
    out: list[Evidence] = []
    for key, text in metadata_text_fields(raw):
        out.extend(_text_evidence(text, metadata.SOURCE, key, kb))
    return out


def collect(facts: ModelFacts, kb: KnowledgeBase) -> list[Evidence]:
    """Every evidence item for a model, in a fixed order (metadata, files, card, GGUF)."""
    hub_id = facts.hub_id or (facts.ref.repo_id if facts.ref.local_path is None else None)
    evidence = metadata.from_card(facts.card, facts.tags, kb, hub_id)
    card_text = facts.card_text
    readme_path = "README.md"
    for f in sorted(facts.files, key=lambda x: x.path):
        if _README.search(f.path):
            if card_text is None:
                card_text, readme_path = _strip_front_matter(f.text), f.path
            continue
        evidence.extend(file_evidence(f, kb))
    evidence.extend(metadata_text_evidence(facts.card.raw, kb))
    if card_text:
        evidence.extend(card_text_evidence(card_text, kb, readme_path))
        evidence.extend(statement_evidence(card_text, readme_path))
    evidence.extend(gguf_evidence(facts.gguf_license, kb))
    return evidence


def _strip_front_matter(text: str) -> str:
    """A README read as a file still has its YAML front matter: blank it (keeping lines)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text
    for n in range(1, len(lines)):
        if lines[n].strip() in ("---", "..."):
            return "\n" * (n + 1) + "\n".join(lines[n + 1 :])
    return text


# --- combination -------------------------------------------------------------------------------


def _known(evidence: Iterable[Evidence]) -> list[Evidence]:
    return [e for e in evidence if e.id != UNKNOWN and e.kind == "license"]


def _ordered_unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _ids_by_source(evidence: Iterable[Evidence]) -> dict[str, list[str]]:
    by_source: dict[str, list[str]] = {}
    for ev in evidence:
        ids = by_source.setdefault(_group(ev), [])
        if ev.id not in ids:
            ids.append(ev.id)
    return by_source


def _conflicts(
    evidence: list[Evidence], concluded: str, kb: KnowledgeBase | None = None
) -> list[Conflict]:
    strong = [e for e in _known(evidence) if e.via != "mention"]
    by_source = _ids_by_source(strong)
    conflicts: list[Conflict] = []
    sources = [s for s in SPECIFICITY if s in by_source]
    # Pairs of sources that name no licence in common disagree.
    for i, a in enumerate(sources):
        for b in sources[i + 1 :]:
            ids_a, ids_b = by_source[a], by_source[b]
            if set(ids_a) & set(ids_b):
                continue
            conflicts.append(
                Conflict(
                    kind=f"{_SOURCE_LABEL.get(b, b)}-vs-{_SOURCE_LABEL.get(a, a)}",
                    message=(
                        f"{_SOURCE_NAME.get(b, b)} says {', '.join(ids_b)} but "
                        f"{_SOURCE_NAME.get(a, a)} says {', '.join(ids_a)}; concluded {concluded}"
                    ),
                    ids=tuple(sorted(set(ids_a) | set(ids_b))),
                )
            )
    for ev in evidence:
        where = f" {ev.path}" if ev.path else ""
        if ev.kind == "license" and ev.modified and ev.id != UNKNOWN:
            conflicts.append(
                Conflict(
                    kind="modified-text",
                    message=(
                        f"{_SOURCE_NAME.get(ev.source, ev.source)}{where} is a modified {ev.id} "
                        f"text ({len(ev.changes)} substantive change(s)), not the original"
                    ),
                    ids=(ev.id,),
                )
            )
        elif ev.source == "license-file" and ev.kind == "license" and ev.id == UNKNOWN:
            conflicts.append(
                Conflict(
                    kind="unrecognised-file",
                    message=f"licence file{where} is not a known licence text; read it",
                    ids=(),
                )
            )
    strong_ids = {e.id for e in strong}
    strong_families = {_family(kb, i) for i in strong_ids} - {None}
    named = _ordered_unique(
        e.id
        for e in _known(evidence)
        if e.via == "mention"
        and e.id not in strong_ids
        and not e.detail.endswith((OTHER_SUBJECT, VARIANT))
        # "Open RAIL-M" beside a declared CreativeML Open RAIL-M: the family, not another licence
        and _family(kb, e.id) not in strong_families
    )
    other = _ordered_unique(
        e.id
        for e in _known(evidence)
        if e.via == "mention" and e.id not in strong_ids and e.id not in named
    )
    if strong_ids and other:
        conflicts.append(
            Conflict(
                kind="prose-names-other",
                message=f"prose also names {', '.join(other)} (for the data or code, or as "
                f"the base of a modified licence); concluded {concluded}",
                ids=other,
                severity="info",
            )
        )
    if strong_ids and named:
        # The card's own words count: a licence its prose names that the metadata and files
        # do not is a conflict like any other (the sentence is in the mention's detail).
        said = "; ".join(
            f"{e.path or 'card'} {e.detail}"
            for e in evidence
            if e.via == "mention" and e.id in named and e.source == "card-text"
        )
        conflicts.append(
            Conflict(
                kind="prose-names-other",
                message=f"the card's text names {', '.join(named)} but "
                f"{', '.join(sorted(strong_ids))} is declared"
                f"{f' ({said})' if said else ''}; concluded {concluded}",
                ids=tuple(sorted({*named, *strong_ids})),
            )
        )
    return conflicts


def _family(kb: KnowledgeBase | None, license_id: str) -> str | None:
    lic = kb.get(license_id) if kb is not None else None
    return lic.family if lic is not None else None


def _statement_conflicts(
    evidence: list[Evidence], concluded: str, kb: KnowledgeBase
) -> list[Conflict]:
    """A card sentence that takes away a use the concluded licence grants."""
    out: list[Conflict] = []
    lic = kb.get(concluded)
    for ev in evidence:
        if ev.kind != "restriction" or ev.version is None:
            continue
        terms = lic.terms_for(None) if lic is not None else None
        grant = terms.uses.get(ev.version) if terms is not None else None
        if grant is not None and grant.grant == "not-granted":
            continue  # the licence says so too
        out.append(
            Conflict(
                kind="prose-restricts-use",
                message=f"the card's text restricts {ev.version} use ({ev.path or 'card'} "
                f"{ev.detail}) but the licence {concluded} grants it; concluded {concluded}",
                ids=(concluded,),
            )
        )
    return out


def _confidence(evidence: list[Evidence], concluded: str, conflicted: bool) -> float:
    # Independent sources that agree: 1 - prod(1 - best score per source).
    best: dict[str, float] = {}
    for ev in evidence:
        if ev.id == concluded and ev.kind == "license":
            best[_group(ev)] = max(best.get(_group(ev), 0.0), ev.score)
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
    strong = [e for e in known if e.via != "mention"]
    # A licence only named in the card's prose decides nothing when the metadata declares a
    # licence we do not know, or a licence file is not a known text: that one applies.
    undecided = any(
        e.id == UNKNOWN
        and e.kind == "license"
        and (e.source == "license-file" or (e.source == "card-metadata" and e.via == "name"))
        for e in evidence
    )
    pool = strong or [e for e in known if not (undecided and e.source == "card-text")]
    if not pool:
        return Determination(
            id=UNKNOWN,
            confidence=0.0,
            evidence=tuple(evidence),
            conflicts=tuple(_conflicts(evidence, UNKNOWN, kb)),
            declared=declared,
            extra=aups,
        )
    best = max(
        pool,
        key=lambda e: (restrictiveness(kb, e), SPECIFICITY.get(_group(e), 0), e.score),
    )
    conflicts = _conflicts(evidence, best.id, kb) + _statement_conflicts(evidence, best.id, kb)
    # Version and modified flag: from the most specific evidence for the concluded id.
    same = sorted(
        (e for e in known if e.id == best.id),
        key=lambda e: (-SPECIFICITY.get(_group(e), 0), -e.score),
    )
    version = next((e.version for e in same if e.version), None)
    modified = any(e.modified for e in same)
    extra = _ordered_unique([e.id for e in known if e.id != best.id] + list(aups))
    conflicted = any(c.severity == "conflict" for c in conflicts)
    return Determination(
        id=best.id,
        confidence=_confidence(evidence, best.id, conflicted),
        version=version,
        modified=modified,
        evidence=tuple(evidence),
        conflicts=tuple(conflicts),
        declared=declared,
        extra=extra,
    )


def determine(facts: ModelFacts, kb: KnowledgeBase) -> Determination:
    """The licence a model's own evidence supports (lineage is applied later)."""
    return with_access(combine(collect(facts, kb), kb), facts)


def with_access(determination: Determination, facts: ModelFacts) -> Determination:
    """`verified: False` (and the refused files) for a gated model whose licence no text
    that was read supports: a declaration is not the licence a publisher's file holds."""
    from dataclasses import replace

    refused = tuple(dict.fromkeys(f.path or "?" for f in facts.findings if f.kind == "gated-file"))
    if not (facts.gated or refused):
        return determination
    concluded = determination.id
    read = any(
        e.via == "text" and e.kind == "license" and (e.id == concluded or concluded == UNKNOWN)
        for e in determination.evidence
    )
    if read:
        return determination
    return replace(determination, verified=False, refused=refused)


__all__ = [
    "card_text_evidence",
    "collect",
    "combine",
    "determine",
    "file_evidence",
    "gguf_evidence",
    "metadata_text_evidence",
    "restrictiveness",
    "with_access",
]
