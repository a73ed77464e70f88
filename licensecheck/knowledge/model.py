"""The licence knowledge base as typed data. Loaded from `licenses/*.yaml` by `store`.

A licence entry says what a licence *is* (ids, aliases, family, category, law, versions
and their canonical texts) and what it *grants* (per use: granted / conditional /
not-granted), under which conditions, with which field-of-use restrictions and which
obligations. Every fact carries the clause it comes from. The policy engine evaluates
these against an organisation's facts; nothing licence-specific lives in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

USES: tuple[str, ...] = ("research", "commercial", "government", "defense")

GRANTS = ("granted", "conditional", "not-granted")

CATEGORIES = (
    "permissive",
    "public-domain",
    "weak-copyleft",
    "copyleft",
    "network-copyleft",
    "non-commercial",
    "research-only",
    "use-restricted",
    "community",
    "proprietary",
    "unknown",
)

# Category -> how much it restricts use: when evidence or lineage must pick the stricter of
# two licences (identification and lineage share this one table).
RESTRICTIVENESS = {
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

# The condition kinds the policy engine knows how to evaluate against organisation facts.
CONDITION_KINDS = (
    "max-monthly-active-users",  # value: int; fact organisation.monthly_active_users
    "max-monthly-revenue-usd",  # value: int; fact organisation.monthly_revenue_usd
    "max-annual-revenue-usd",  # value: int; fact organisation.annual_revenue_usd
    "excluded-jurisdictions",  # regions: [..]; fact organisation.jurisdictions (where established)
    "excluded-use-regions",  # regions: [..]; fact organisation.use_regions (where used)
    "registration",  # fact organisation.registrations: [licence ids]
    "written-authorisation",  # fact organisation.authorisations: [licence ids]
    "organisation-sector",  # sectors: [..] granted, review_sectors: [..]; fact organisation.sector
    "named-model",  # models: [globs]; holds (effect applies) when the model or a base matches
)

# What ends the licence besides its term (the clause says who may be sued, etc.). A policy
# can select on these (`termination: [ip-litigation]`).
TERMINATION_IDS = (
    "ip-litigation",  # suing over IP in the materials or outputs ends the licence
    "patent-litigation",  # ... patent claims only
    "breach",  # the licensor may terminate on a breach of any term
    "at-will",  # the licensor may terminate at any time, without cause
    "revenue-threshold",  # the licence ends when a revenue figure is exceeded
)

OBLIGATION_IDS = (
    "attribution",
    "name-prefix",
    "include-license",
    "notice-file",
    "flow-down",
    "display-name",
    "registration",
    "acceptable-use-policy",
)

KINDS = ("license", "aup", "notice")


@dataclass(frozen=True)
class UseGrant:
    grant: str  # granted | conditional | not-granted
    clause: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Condition:
    """A condition on the grant. `effect: deny` withholds the use when broken;
    `effect: review` asks a person when broken (the text is ambiguous for that use);
    `effect: obligation` adds `obligation` instead (Kimi K2's display rule)."""

    id: str
    kind: str
    applies_to: tuple[str, ...]  # uses
    clause: str | None
    text: str
    value: int | None = None
    regions: tuple[str, ...] = ()
    effect: str = "deny"  # deny | review | obligation
    obligation: Obligation | None = None
    scope: str | None = None  # e.g. "multimodal": only for models that take images/audio
    measured: str | None = None  # how the licence measures the figure (affiliates, per product)
    # organisation-sector: the sectors the grant covers, and those the text leaves open.
    sectors: tuple[str, ...] = ()
    review_sectors: tuple[str, ...] = ()
    models: tuple[str, ...] = ()  # named-model: globs over the model and its base models


@dataclass(frozen=True)
class Restriction:
    """A field-of-use restriction (from the licence or its AUP). `denies` lists the uses
    that the restriction rules out as a whole (military -> defense)."""

    id: str  # military, weapons, law-enforcement, surveillance, ...
    clause: str | None
    text: str
    source: str = "license"  # license | aup
    denies: tuple[str, ...] = ()
    # Uses the restriction covers only in part (ITAR military end uses within defense):
    # the use needs a human look, not a blanket deny.
    reviews: tuple[str, ...] = ()


@dataclass(frozen=True)
class Obligation:
    id: str  # one of OBLIGATION_IDS
    text: str
    clause: str | None = None
    when: str = "always"  # always | distribution | derivative | threshold


@dataclass(frozen=True)
class Termination:
    """An event that ends the licence (suing the licensor, a breach, ...)."""

    id: str  # one of TERMINATION_IDS
    clause: str | None
    text: str


@dataclass(frozen=True)
class Terms:
    uses: dict[str, UseGrant]
    conditions: tuple[Condition, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    derivatives_bound: bool = True
    notes: tuple[str, ...] = ()
    # Other licences the text says also bind the model (CogVLM2 [7] brings in Llama 3's).
    incorporates: tuple[str, ...] = ()
    terminations: tuple[Termination, ...] = ()


@dataclass(frozen=True)
class Version:
    version: str
    date: str | None = None
    texts: tuple[str, ...] = ()  # file names under knowledge/texts/
    note: str | None = None
    terms: Terms | None = None  # where a version grants differently (Yi, ChatGLM editions)


@dataclass(frozen=True)
class License:
    id: str
    name: str
    kind: str  # license | aup | notice
    spdx: str
    family: str | None
    category: str
    governing_law: str | None
    aliases: tuple[str, ...]
    versions: tuple[Version, ...]
    terms: Terms | None  # None for aup/notice documents
    scancode: str | None = None
    url: str | None = None
    policy_of: str | None = None  # for an AUP: the licence it belongs to
    osi_approved: bool | None = None
    sources: tuple[str, ...] = field(default=())  # provenance of the facts
    # Names other licensors use for other licences too: they never resolve alone.
    shared_aliases: tuple[str, ...] = ()
    licensors: tuple[str, ...] = ()  # Hub / GitHub organisations of the licensor

    def version_named(self, name: str | None) -> Version | None:
        for v in self.versions:
            if v.version == name:
                return v
        return None

    def terms_for(self, version: str | None) -> Terms | None:
        """The terms of a version where it overrides them, else the licence's own."""
        v = self.version_named(version)
        if v is not None and v.terms is not None:
            return v.terms
        return self.terms
