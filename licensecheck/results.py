"""What an audit produces: per model, the determination, lineage and a verdict per use.

Partial failure is data: a model that could not be read is a `ModelResult` with
`status="error"`, and the other models are still judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from licensecheck.facts import ModelFacts
from licensecheck.identify.types import Conflict, Determination

VERDICTS = ("allow", "review", "deny")
SEVERITY = {"allow": 0, "review": 1, "deny": 2}
# ModelResult.findings entry: a folder named like the Hub id exists, and was not used.
SHADOW_PREFIX = "local-folder-shadowed: "


def most_severe(verdicts: list[str] | tuple[str, ...]) -> str:
    return max(verdicts, key=SEVERITY.__getitem__, default="allow")


@dataclass(frozen=True)
class Reason:
    rule: str  # e.g. terms:llama3.1:mau, rule:3, otherwise, unknown_license, exception
    message: str
    verdict: str  # the verdict this step contributed
    clause: str | None = None
    license: str | None = None


@dataclass(frozen=True)
class ObligationItem:
    id: str
    license: str
    text: str
    clause: str | None = None
    when: str | None = None  # always | distribution | derivative | threshold (knowledge base)


@dataclass(frozen=True)
class WaiverUse:
    """The policy exception that decided a verdict: which one, who approved it, until when."""

    reason: str
    replaced: str  # the verdict it replaced
    approved_by: str | None = None
    expires: str | None = None  # ISO date, None: no expiry
    location: str | None = None  # file:line of the exception


@dataclass(frozen=True)
class UseVerdict:
    use: str
    verdict: str
    reasons: tuple[Reason, ...] = ()
    obligations: tuple[ObligationItem, ...] = ()
    waived_by: str | None = None  # exception reason when a waiver applied
    waiver: WaiverUse | None = None  # the whole exception, when one applied
    # Exceptions for this model and use that expired and were ignored: "file:line (date)".
    expired_waivers: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineageLink:
    model: str  # base model id
    relation: str  # finetune | adapter | quantized | merge
    license: str  # licence id, or unknown
    revision: str | None = None
    depth: int = 1
    parent: str | None = None  # the model whose base this is
    error: str | None = None  # why it could not be read (missing, gated, cycle, depth)
    verified: bool = True  # False: the base's licence is declared only (gated, no text read)


@dataclass(frozen=True)
class ModelError:
    kind: str  # not-found | gated | network | invalid
    message: str


@dataclass(frozen=True)
class Reference:
    path: str
    line: int


@dataclass(frozen=True)
class ModelResult:
    model: str
    revision: str | None
    source: str
    status: str  # ok | error
    error: ModelError | None = None
    facts: ModelFacts | None = None
    determination: Determination | None = None
    lineage: tuple[LineageLink, ...] = ()
    effective_licenses: tuple[str, ...] = ()
    lineage_conflicts: tuple[Conflict, ...] = ()
    verdicts: dict[str, UseVerdict] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileFinding:
    """Something about a scanned file, not a model: e.g. Python this interpreter cannot parse
    (its references were found by its tokens)."""

    kind: str  # python-unparsed | file-problem
    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    path: str | None
    sha256: str


@dataclass(frozen=True)
class AuditReport:
    tool_version: str
    policy: PolicyInfo
    uses: tuple[str, ...]
    results: tuple[ModelResult, ...]
    expired_exceptions: tuple[str, ...] = ()
    file_findings: tuple[FileFinding, ...] = ()  # scan: files read incompletely
