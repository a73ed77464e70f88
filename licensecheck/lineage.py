"""Lineage: the licences a model inherits from its base models.

A card's `base_model` (a string or a list) names the models it was derived from, and
`base_model_relation` (or the Hub's `base_model:<relation>:<id>` tags, or markers such as a
PEFT library or a GGUF file) says how: reading that is `bases.py`; this module walks the
graph. `resolve_lineage` follows that chain through a
`fetch` callable (the audit supplies one backed by the same source as the model itself, and
memoises it), so this module stays pure: no I/O.

What binds a model (its effective licences):

- its own licence;
- for a fine-tune or a merge, every licence of a base whose terms bind derivatives
  (knowledge base `terms.derivatives_bound`); a merge binds every parent;
- for an adapter, every licence of its base: an adapter needs the base to run;
- for a quantisation, every licence of its base: a quantisation cannot relicense.

A base whose licence is unknown contributes `unknown` (fail closed). A base that cannot be
read, an invalid id, a cycle, a chain deeper than the limit or bases past the caps
(`MAX_BASES` per model, `MAX_WALK_MODELS` per walk) becomes a `LineageLink` with
`error` and a `Finding` (the rule table `_NOT_FOLLOWED`): never silently dropped. All but a cycle also give a
`lineage-unresolved` conflict, so the policy's `license_conflict` judges them. Where the model's own licence disagrees with
what its lineage binds, a `Conflict` (kind `declared-vs-lineage`) says so; a derivative whose
name breaks an inherited `name-prefix` obligation gets an informational `Conflict`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from licensecheck.bases import (
    MAX_BASES,
    RELATIONS,
    Base,
    card_bases,
    hub_id,
    infer_relation,
    model_name,
    normalise_repo_id,
)
from licensecheck.errors import SourceError
from licensecheck.facts import Finding, ModelFacts, ModelRef
from licensecheck.identify.types import UNKNOWN, Conflict, Determination
from licensecheck.knowledge.model import RESTRICTIVENESS, Terms
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.results import LineageLink

Fetch = Callable[[ModelRef], tuple[ModelFacts, Determination]]

DEFAULT_MAX_DEPTH = 8
# Follow this many models per walk; the rest is an error link, so the verdict fails closed.
MAX_WALK_MODELS = 256

_PERMISSIVE_RANK = RESTRICTIVENESS["permissive"]
_UNRANKED = max(RESTRICTIVENESS.values())


@dataclass(frozen=True)
class Lineage:
    """The resolved chain of a model's base models and what it makes bind the model."""

    links: tuple[LineageLink, ...] = ()
    effective_licenses: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class _Reach:
    """A licence that applies to a node through its bases.

    `via` lists the relations from the node down to `origin`, the model whose own licence
    it is (nearest relation first).
    """

    license: str
    via: tuple[str, ...]
    origin: str
    version: str | None = None


# --- the walk ----------------------------------------------------------------------------


def _org(repo_id: str) -> str | None:
    return repo_id.split("/", 1)[0].lower() if "/" in repo_id else None


def _terms(kb: KnowledgeBase, license_id: str, version: str | None) -> Terms | None:
    lic = kb.get(license_id)
    return lic.terms_for(version) if lic is not None else None


def binds_derivatives(kb: KnowledgeBase, license_id: str, version: str | None = None) -> bool:
    """Whether a licence's terms bind fine-tunes and merges of the model it covers.

    Unknown licences, ids the knowledge base does not know and entries without terms bind
    (fail closed); otherwise the knowledge base's `derivatives_bound` decides.
    """
    if license_id == UNKNOWN:
        return True
    terms = _terms(kb, license_id, version)
    return True if terms is None else terms.derivatives_bound


def with_incorporated(
    kb: KnowledgeBase, license_id: str, version: str | None = None
) -> list[tuple[str, str | None]]:
    """A licence and, transitively, those its text says also bind (`terms.incorporates`)."""
    out: list[tuple[str, str | None]] = [(license_id, version)]
    i = 0
    while i < len(out):
        terms = _terms(kb, *out[i])
        for other in terms.incorporates if terms is not None else ():
            if all(other != known for known, _ in out):
                out.append((other, None))
        i += 1
    return out


@dataclass(frozen=True)
class _Step:
    """One base about to be followed from `node`: what the rules below look at."""

    node: str
    raw: str
    repo_id: str
    index: int  # its place among the bases the card names
    named: int  # how many the card names, when past the cap
    more: int  # how many past the cap
    chain: str
    in_chain: bool
    depth: int
    max_depth: int
    over_budget: bool


@dataclass(frozen=True)
class _Rule:
    """Why a base is not followed: an error link (`error`) and a finding (`finding`)."""

    error: str
    finding: str
    applies: Callable[[_Step], bool]
    message: str  # formatted with the step's fields


# The bases a walk does not follow, first matching rule first. Each is an error link and a
# finding, so the verdict fails closed (see the module docstring). A base that cannot be
# read is the one more case, in `_Walk.expand`.
_NOT_FOLLOWED = (
    _Rule(
        "capped",
        "lineage-capped",
        lambda s: s.index >= MAX_BASES,
        "{node}: names {named} base models; the first {MAX_BASES} were followed, the other "
        "{more} were not, so the licences they bind are not known",
    ),
    _Rule(
        "invalid-id",
        "lineage-invalid-base",
        lambda s: not s.repo_id,
        "{node}: base_model {raw!r} is not a Hub model id (a placeholder or a path?); its "
        "licence cannot be checked",
    ),
    _Rule(
        "cycle",
        "lineage-cycle",
        lambda s: s.in_chain,
        "{node}: base_model {repo_id} is already in the chain ({chain}); the cycle was not "
        "followed",
    ),
    _Rule(
        "depth",
        "lineage-too-deep",
        lambda s: s.depth > s.max_depth,
        "{node}: the base_model chain is deeper than {max_depth} levels; {repo_id} and its "
        "bases were not followed",
    ),
    _Rule(
        "capped",
        "lineage-capped",
        lambda s: s.over_budget,
        "{node}: the lineage reaches more than {MAX_WALK_MODELS} models; {repo_id} and its "
        "bases were not followed",
    ),
)


class _Walk:
    """One depth-first walk of a model's lineage, memoising bases by (id, revision)."""

    def __init__(self, fetch: Fetch, kb: KnowledgeBase, max_depth: int) -> None:
        self.fetch = fetch
        self.kb = kb
        self.max_depth = max_depth
        self.links: list[LineageLink] = []
        self.findings: list[Finding] = []
        self._fetched: dict[tuple[str, str | None], tuple[ModelFacts, Determination]] = {}
        self._failed: dict[tuple[str, str | None], SourceError] = {}
        self._expanded: dict[str, list[_Reach]] = {}

    def _get(self, ref: ModelRef) -> tuple[ModelFacts, Determination]:
        key = ref.key
        if key in self._failed:
            raise self._failed[key]
        if key not in self._fetched:
            try:
                self._fetched[key] = self.fetch(ref)
            except SourceError as exc:
                self._failed[key] = exc
                raise
        return self._fetched[key]

    def _error_link(
        self, base: Base, depth: int, parent: str, error: str, kind: str, message: str
    ) -> None:
        self.links.append(
            LineageLink(
                model=base.repo_id or base.raw,
                relation=base.relation,
                license=UNKNOWN,
                depth=depth,
                parent=parent,
                error=error,
            )
        )
        self.findings.append(Finding(kind=kind, message=message))

    def _over_budget(self, base: Base) -> bool:
        """Whether following `base` would read one model more than MAX_WALK_MODELS."""
        seen = ((base.repo_id or "").lower(), None)
        return (
            seen not in self._fetched
            and seen not in self._failed
            and len(self._fetched) + len(self._failed) >= MAX_WALK_MODELS
        )

    def expand(self, facts: ModelFacts, path: tuple[str, ...], depth: int) -> list[_Reach]:
        """The licences that apply to `facts`'s model through its bases (not its own)."""
        node = facts.ref.repo_id
        reached: list[_Reach] = []
        bases, more = card_bases(facts, self.findings)
        # The one past the cap (it stands for the rest) is reported first, then the others.
        for index in (*range(MAX_BASES, len(bases)), *range(min(len(bases), MAX_BASES))):
            base = bases[index]
            step = _Step(
                node=node,
                raw=base.raw,
                repo_id=base.repo_id or "",
                index=index,
                named=MAX_BASES + more,
                more=more,
                chain=" -> ".join((*path, (base.repo_id or "").lower())),
                in_chain=base.repo_id is not None and base.repo_id.lower() in path,
                depth=depth,
                max_depth=self.max_depth,
                over_budget=self._over_budget(base),
            )
            rule = next((r for r in _NOT_FOLLOWED if r.applies(step)), None)
            if rule is not None:
                limits = {"MAX_BASES": MAX_BASES, "MAX_WALK_MODELS": MAX_WALK_MODELS}
                message = rule.message.format(**vars(step), **limits)
                self._error_link(base, depth, node, rule.error, rule.finding, message)
                continue
            assert base.repo_id is not None  # the invalid-id rule took the others
            key = base.repo_id.lower()
            try:
                base_facts, base_det = self._get(ModelRef(base.repo_id))
            except SourceError as exc:
                self._error_link(
                    base,
                    depth,
                    node,
                    exc.kind,
                    "lineage-base-unreadable",
                    f"{node}: base model {base.repo_id} could not be read ({exc.kind}): "
                    f"{exc.message}",
                )
                continue
            self.links.append(
                LineageLink(
                    model=base.repo_id,
                    relation=base.relation,
                    license=base_det.id,
                    revision=base_facts.revision,
                    depth=depth,
                    parent=node,
                    verified=base_det.verified,
                )
            )
            if base_facts.gated:
                self.findings.append(
                    Finding(
                        kind="lineage-base-gated",
                        message=(
                            f"{node}: base model {base.repo_id} is gated; its licence "
                            f"({base_det.id}) "
                            + (
                                "was read from a licence text"
                                if base_det.verified
                                else "is declared only: no licence text of it was read"
                            )
                        ),
                    )
                )
            if key not in self._expanded:
                self._expanded[key] = self.expand(base_facts, (*path, key), depth + 1)
            applying = [
                _Reach(lic, (), base.repo_id, version)
                for lic, version in with_incorporated(self.kb, base_det.id, base_det.version)
            ]
            applying += self._expanded[key]
            for item in applying:
                # Adapters need their base to run; quantisations cannot relicense: all
                # terms of the base apply. Fine-tunes and merges carry the binding ones.
                carried = base.relation in ("adapter", "quantized") or binds_derivatives(
                    self.kb, item.license, item.version
                )
                if carried:
                    reached.append(
                        _Reach(item.license, (base.relation, *item.via), item.origin, item.version)
                    )
        return reached


# --- conflicts ---------------------------------------------------------------------------


def _rank(kb: KnowledgeBase, license_id: str) -> int:
    lic = kb.get(license_id)
    return RESTRICTIVENESS.get(lic.category, _UNRANKED) if lic is not None else _UNRANKED


def _compare(
    kb: KnowledgeBase, model: str, own: str, item: _Reach, binding: bool
) -> Conflict | None:
    """How the model's own licence stands against one licence its lineage carries."""
    own_lic, base_lic = kb.get(own), kb.get(item.license)
    if own_lic is None or base_lic is None:
        return None  # an id the knowledge base does not know: unknown_license handles it
    own_rank, base_rank = _rank(kb, own), _rank(kb, item.license)
    where = f"its base {item.origin} (via {' -> '.join(item.via)})"
    ids = (own, item.license)

    def info(message: str) -> Conflict:
        return Conflict(kind="declared-vs-lineage", message=message, ids=ids, severity="info")

    if not binding:
        relation = "stricter than" if own_rank > base_rank else "unlike"
        return info(
            f"{model} declares {own}, {relation} {where} under {item.license}, whose terms "
            "do not bind derivatives"
        )
    if own_rank <= _PERMISSIVE_RANK and base_rank <= _PERMISSIVE_RANK:
        return info(
            f"{model} declares {own}, but {where} is under {item.license}; both are "
            "permissive, and the base's terms still apply"
        )
    if own_rank > base_rank:
        return info(
            f"{model} declares {own}, stricter than {where} under {item.license}; both apply"
        )
    same_family = own_lic.family is not None and own_lic.family == base_lic.family
    why = (
        f"another {base_lic.family} licence or version cannot replace it"
        if same_family
        else f"{own} cannot replace it"
    )
    return Conflict(
        kind="declared-vs-lineage",
        message=(
            f"{model} declares {own}, but {where} is under {item.license}, whose terms bind "
            f"the model: {why}"
        ),
        ids=ids,
    )


def _lineage_conflicts(
    kb: KnowledgeBase,
    model: str,
    own: str,
    reached: list[_Reach],
    parents: list[_Reach],
) -> list[Conflict]:
    """declared-vs-lineage conflicts: one per distinct licence the lineage carries."""
    if own == UNKNOWN:
        return []
    out: list[Conflict] = []
    # What the model's own licence brings in (CogVLM2 -> Llama 3) is not a disagreement.
    seen = {lic for lic, _ in with_incorporated(kb, own)} | {UNKNOWN}
    # What binds first; then a direct parent's licence that does not bind, worth a note when
    # it differs.
    for binding, items in ((True, reached), (False, parents)):
        for item in items:
            if item.license not in seen:
                seen.add(item.license)
                conflict = _compare(kb, model, own, item, binding=binding)
                if conflict is not None:
                    out.append(conflict)
    return out


def _unresolved(links: list[LineageLink]) -> list[Conflict]:
    """A base that could not be resolved hides licences that may bind: fail closed.

    A cycle is only a broken card (every model in it was read), so it stays a finding.
    """
    return [
        Conflict(
            kind="lineage-unresolved",
            message=(
                f"base model {link.model} ({link.relation} of {link.parent}) could not be "
                f"resolved ({link.error}); the licences it would make bind are not known"
            ),
            ids=(),
        )
        for link in links
        if link.error is not None and link.error != "cycle"
    ]


def _squash(name: str) -> str:
    """Lower case without separators: "Llama 3" and "llama-3" compare equal."""
    return re.sub(r"[\W_]+", "", name.lower())


def _name_prefix_conflicts(
    kb: KnowledgeBase, facts: ModelFacts, reached: list[_Reach]
) -> list[Conflict]:
    """Inherited `name-prefix` obligations the model's own name does not meet.

    The obligation concerns models built from the licensed one, so a pure quantisation
    chain (a copy) and the licensor's own releases (same org as the origin) are exempt.
    """
    name, repo_id = model_name(facts), hub_id(facts)
    if not name or not repo_id:
        return []
    # Per licence, the deepest path it came by: its origin is the licensor's release.
    deepest: dict[str, _Reach] = {}
    for item in reached:
        known = deepest.get(item.license)
        if known is None or len(item.via) > len(known.via):
            deepest[item.license] = item
    out: list[Conflict] = []
    for license_id, item in deepest.items():
        if all(r == "quantized" for r in item.via):
            continue
        origin_org, own_org = _org(item.origin), _org(repo_id)
        if origin_org is not None and origin_org == own_org:
            continue
        terms = _terms(kb, license_id, item.version)
        for ob in terms.obligations if terms is not None else ():
            if ob.id != "name-prefix" or not ob.text.strip():
                continue
            if _squash(name).startswith(_squash(ob.text)):
                continue
            clause = f" [{ob.clause}]" if ob.clause else ""
            out.append(
                Conflict(
                    kind="name-prefix",
                    message=(
                        f"{license_id}{clause} requires a derivative's name to begin with "
                        f"{ob.text!r}; {name!r} does not"
                    ),
                    ids=(license_id,),
                    severity="info",
                )
            )
    return out


# --- the entry point ---------------------------------------------------------------------


def _ordered_unique(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return tuple(out)


def _own_is_copy(determination: Determination, walk: _Walk, reached: list[_Reach]) -> bool:
    """A quantisation that declares nothing takes its base's licence: no `unknown` of its own.

    Only when every direct base is a quantisation that could be read, and the model's own
    evidence named nothing at all (an unrecognised declaration stays `unknown`).
    """
    direct = [link for link in walk.links if link.depth == 1]
    if not direct or not reached:
        return False
    if any(link.relation != "quantized" or link.error is not None for link in direct):
        return False
    return not determination.evidence


def resolve_lineage(
    facts: ModelFacts,
    determination: Determination,
    fetch: Fetch,
    kb: KnowledgeBase,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Lineage:
    """Follow `facts`'s base models and work out what binds the model.

    `fetch` returns a base's facts and determination, or raises `SourceError` when the base
    cannot be read. Each distinct base is fetched once per call (the audit memoises across
    models). `max_depth` bounds the chain: a base deeper than that is an error link.
    """
    walk = _Walk(fetch, kb, max_depth)
    root = tuple(k.lower() for k in (facts.ref.key[0], hub_id(facts)) if k)
    reached = walk.expand(facts, root, 1)
    own = determination.id
    model = facts.ref.display
    effective = [] if own == UNKNOWN and _own_is_copy(determination, walk, reached) else [own]
    effective += [lic for lic, _ in with_incorporated(kb, own, determination.version)[1:]]
    effective += [item.license for item in reached]
    parents = [
        _Reach(link.license, (link.relation,), link.model)
        for link in walk.links
        if link.depth == 1 and link.error is None
    ]
    conflicts = _lineage_conflicts(kb, model, own, reached, parents)
    conflicts += _unresolved(walk.links)
    conflicts += _name_prefix_conflicts(kb, facts, reached)
    return Lineage(
        links=tuple(walk.links),
        effective_licenses=_ordered_unique(effective),
        conflicts=tuple(conflicts),
        findings=tuple(walk.findings),
    )


__all__ = [
    "DEFAULT_MAX_DEPTH",
    "RELATIONS",
    "Fetch",
    "Lineage",
    "binds_derivatives",
    "infer_relation",
    "normalise_repo_id",
    "resolve_lineage",
    "with_incorporated",
]
