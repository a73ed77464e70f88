"""A loaded organisation policy and the subject it is applied to, as typed data."""

from __future__ import annotations

from dataclasses import dataclass, field

from licensecheck.identify.types import Conflict, Determination
from licensecheck.results import LineageLink

SELECTOR_KEYS = (
    "license",
    "family",
    "category",
    "restriction",
    "obligation",
    "termination",
    "governing_law",
    "publisher",
    "model",
)


@dataclass(frozen=True)
class Organisation:
    """Facts licence conditions are evaluated against. None means "not given" (-> review)."""

    monthly_active_users: int | None = None
    monthly_revenue_usd: int | None = None
    annual_revenue_usd: int | None = None
    jurisdictions: tuple[str, ...] | None = None
    # Where the models and their outputs are used (Hunyuan's Territory). No default: where
    # the organisation is established says nothing about where its users are.
    use_regions: tuple[str, ...] | None = None
    sector: str | None = None
    registrations: tuple[str, ...] | None = None  # licence ids the organisation registered for
    authorisations: tuple[str, ...] | None = None  # licence ids with written authorisation


@dataclass(frozen=True)
class Match:
    """All keys must hold (AND); the values under one key are alternatives (OR)."""

    selectors: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Rule:
    match: Match
    verdict: str
    uses: tuple[str, ...] | None = None  # None: every use
    reason: str | None = None
    index: int = 0  # position in the policy, for reasons ("rule 3")
    location: str | None = None  # file:line of the rule


@dataclass(frozen=True)
class Waiver:
    model: str  # id or glob
    verdict: str
    reason: str
    approved_by: str | None = None
    expires: str | None = None  # ISO date
    uses: tuple[str, ...] | None = None
    location: str | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    path: str | None
    sha256: str
    organisation: Organisation = field(default_factory=Organisation)
    uses: tuple[str, ...] = ("research", "commercial", "government", "defense")
    uses_defined: dict[str, str] = field(default_factory=dict)  # custom use -> the use it is like
    fail_on: str = "review"
    unknown_license: str = "review"
    license_conflict: str = "review"
    modified_license: str = "review"
    unverified_license: str = "review"  # a gated model judged on its declaration alone
    unreadable_license_file: str = "review"  # a licence-like file that could not be read
    rules: tuple[Rule, ...] = ()
    otherwise: str = "review"
    exceptions: tuple[Waiver, ...] = ()
    use_descriptions: dict[str, str] = field(default_factory=dict)  # custom use -> description
    sources: tuple[str, ...] = ()  # the files this policy was built from, parents first

    def base_use(self, use: str) -> str:
        """The built-in use a (possibly custom) use is judged as."""
        return self.uses_defined.get(use, use)


@dataclass(frozen=True)
class Subject:
    """One model as the policy sees it: its licences (own and inherited) and context."""

    model: str
    determination: Determination
    effective_licenses: tuple[str, ...]
    lineage: tuple[LineageLink, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    publishers: tuple[str, ...] = ()  # Hub orgs of the model and of its lineage
    multimodal: bool = False  # takes images/audio/video (Llama 3.2+ EU clause)
    modality_known: bool = True  # False when nothing (pipeline_tag, tags) says what it takes
    revisions: tuple[str, ...] = ()  # the revision as requested and as resolved (waivers pin them)
    unread: tuple[str, ...] = ()  # licence-like files not (fully) read: "LICENSE: binary; ..."
