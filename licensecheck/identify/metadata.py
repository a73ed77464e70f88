"""Card metadata -> licence evidence.

The card's `license` field (a string or a list), `license_name` / `license_link` when the
licence is `other`, and the Hub's `license:<id>` tags each become an `Evidence` item. Every
name goes through `KnowledgeBase.resolve()`; a name the knowledge base does not know gives
an `unknown` evidence with the name in `detail`, never a guess. A name that several
licensors use (`modified-mit`: Moonshot's and MiniMax's) is resolved with what else the
card gives: a `license_link` the knowledge base knows, else the organisation of the repo or
of its base models when exactly one of the licensors is that organisation. A link to a
licensor's file the knowledge base does not hold, or nothing that decides, leaves it
`unknown` (never the more lenient candidate); a LICENSE text, where read, decides later.
Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from licensecheck.facts import CardData
from licensecheck.identify.types import UNKNOWN, Evidence

if TYPE_CHECKING:
    from licensecheck.knowledge.model import License
    from licensecheck.knowledge.store import KnowledgeBase

SOURCE = "card-metadata"

# How much a declaration is worth on its own. A Hub id is what the maker chose from a list;
# a free-text license_name or a link is more often wrong or vague; a tag only repeats the card.
SCORE_ID = 0.9
SCORE_NAME = 0.8
SCORE_LINK = 0.75
SCORE_TAG = 0.85

# Hub ids that say "look elsewhere" rather than naming a licence.
_PLACEHOLDERS = frozenset({"other", "unknown", "none", "", "custom", "proprietary"})


# The organisation in a link to a Hub or GitHub file: huggingface.co/<org>/<repo>/...,
# github.com/<org>/<repo>/..., raw.githubusercontent.com/<org>/<repo>/...
_LINK_ORG = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co|github\.com|raw\.githubusercontent\.com)"
    r"/([A-Za-z0-9][A-Za-z0-9._-]*)/[^/\s]+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CardContext:
    """What else the card says about whose licence a shared name is."""

    repo_id: str | None = None  # the model's Hub id (org/name), not a local path
    base_models: tuple[str, ...] = ()


def _org(repo_id: str | None) -> str | None:
    if not repo_id or repo_id.count("/") != 1:
        return None
    return repo_id.split("/", 1)[0] or None


def _placeholder(value: str) -> bool:
    return value.strip().lower() in _PLACEHOLDERS


def _resolved(kb: KnowledgeBase, name: str, score: float, detail: str, via: str) -> Evidence:
    lic = kb.resolve(name)
    if lic is None or _placeholder(lic.id):
        return Evidence(
            source=SOURCE,
            id=UNKNOWN,
            score=0.0,
            detail=f"{detail}: {name!r} is not a known licence",
            via=via,
        )
    shown = f"{detail}: {name}" if alias_differs(name, lic.id) else detail
    return Evidence(source=SOURCE, id=lic.id, score=score, detail=shown, kind=lic.kind, via=via)


def _shared(
    kb: KnowledgeBase,
    name: str,
    link: str,
    declared: str,
    ctx: CardContext,
    candidates: tuple[License, ...],
) -> Evidence:
    """A name several licensors use: the link, then the repo's and its bases' organisations."""
    ids = ", ".join(c.id for c in candidates)
    what = f"license: {declared}, license_name {name!r} (used by several licensors: {ids})"
    if link:
        lic = kb.resolve(link)
        if lic is not None and not _placeholder(lic.id):
            return Evidence(
                source=SOURCE,
                id=lic.id,
                score=SCORE_LINK,
                detail=f"{what}; license_link names it: {link}",
                kind=lic.kind,
                via="link",
            )
        org_match = _LINK_ORG.match(link)
        if org_match:
            owner = kb.by_licensor(org_match.group(1), candidates)
            family = f"a {owner.family or owner.id} licence" if owner else "a licence"
            return Evidence(
                source=SOURCE,
                id=UNKNOWN,
                score=0.0,
                detail=f"{what}; license_link {link!r} is {family} the knowledge base does "
                "not hold at that address: read it",
                via="link",
            )
    orgs = [("the repo", _org(ctx.repo_id))]
    orgs += [(f"base model {b}", _org(b)) for b in ctx.base_models]
    for where, org in orgs:
        owner = kb.by_licensor(org, candidates) if org else None
        if owner is not None:
            return Evidence(
                source=SOURCE,
                id=owner.id,
                score=SCORE_LINK,
                detail=f"{what}; {where} belongs to {org}, the licensor of {owner.id}",
                kind=owner.kind,
                via="name",
            )
    return Evidence(
        source=SOURCE,
        id=UNKNOWN,
        score=0.0,
        detail=f"{what}; nothing on the card (link, organisation, base models) says which",
        via="name",
    )


def alias_differs(name: str, license_id: str) -> bool:
    return name.strip().lower() != license_id.lower()


def _from_other(
    card: CardData, kb: KnowledgeBase, declared: str, ctx: CardContext | None = None
) -> Evidence:
    """`license: other` (or no license key): license_name, then license_link."""
    name = (card.license_name or "").strip()
    link = (card.license_link or "").strip()
    candidates = kb.candidates(name) if name else ()
    if candidates:
        context = ctx or CardContext(base_models=card.base_models)
        return _shared(kb, name, link, declared, context, candidates)
    if name and not _placeholder(name):
        by_name = _resolved(kb, name, SCORE_NAME, f"license: {declared}, license_name", "name")
        if by_name.id != UNKNOWN or not link:
            return by_name
        by_link = _resolved(kb, link, SCORE_LINK, f"license: {declared}, license_link", "link")
        # An unknown name with a known link: the link names the licence the maker meant.
        return by_link if by_link.id != UNKNOWN else by_name
    if link:
        ev = _resolved(kb, link, SCORE_LINK, f"license: {declared}, license_link", "link")
        if ev.id == UNKNOWN:
            # A relative link (LICENSE, LICENSE.md) points at a repo file: the file decides.
            return Evidence(
                source=SOURCE,
                id=UNKNOWN,
                score=0.0,
                detail=f"license: {declared} with license_link {link!r} and no known license_name",
                via="link",
            )
        return ev
    return Evidence(
        source=SOURCE,
        id=UNKNOWN,
        score=0.0,
        detail=f"license: {declared} without license_name or license_link",
        via="name",
    )


def from_card(
    card: CardData, tags: tuple[str, ...], kb: KnowledgeBase, repo_id: str | None = None
) -> list[Evidence]:
    """Evidence from a card's licence metadata and the Hub's `license:` tags.

    One evidence item per `license` entry (a list is a dual licence); `other` is resolved
    through `license_name`, then `license_link`. Tags add evidence only for ids the card does
    not already give, so a tag that repeats the card is not counted twice.
    """
    evidence: list[Evidence] = []
    ctx = CardContext(repo_id=repo_id, base_models=card.base_models)
    entries = [e for e in card.licenses if isinstance(e, str) and e.strip()]
    for entry in entries:
        if entry.strip().lower() in ("other", "custom"):
            evidence.append(_from_other(card, kb, entry.strip(), ctx))
        elif candidates := kb.candidates(entry.strip()):
            link = (card.license_link or "").strip()
            evidence.append(_shared(kb, entry.strip(), link, entry.strip(), ctx, candidates))
        elif _placeholder(entry):
            evidence.append(
                Evidence(
                    source=SOURCE,
                    id=UNKNOWN,
                    score=0.0,
                    detail=f"license: {entry.strip()}",
                    via="id",
                )
            )
        else:
            evidence.append(_resolved(kb, entry.strip(), SCORE_ID, "license", "id"))
    if not entries and (card.license_name or card.license_link):
        # No license key, but a name or link (cards that only carry license_name).
        evidence.append(_from_other(card, kb, "(missing)", ctx))

    seen = {e.id for e in evidence}
    for tag in tags:
        if not tag.lower().startswith("license:"):
            continue
        value = tag.split(":", 1)[1].strip()
        if not value or _placeholder(value):
            continue
        ev = _resolved(kb, value, SCORE_TAG, f"Hub tag {tag}", "tag")
        if ev.id == UNKNOWN or ev.id not in seen:
            if ev.id != UNKNOWN:
                seen.add(ev.id)
            evidence.append(ev)
    return evidence


def declared_ids(evidence: list[Evidence]) -> tuple[str, ...]:
    """The known ids a card declares, in order, without repeats."""
    out: list[str] = []
    for ev in evidence:
        if ev.source == SOURCE and ev.id != UNKNOWN and ev.id not in out:
            out.append(ev.id)
    return tuple(out)


__all__ = ["SOURCE", "declared_ids", "from_card"]
