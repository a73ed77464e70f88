"""SARIF 2.1.0 (`--format sarif`): findings for code scanning (GitHub, GitLab, IDEs).

One rule per kind of finding: `deny`, `review`, `error` (a model that could not be judged),
`conflict` (evidence or lineage disagree), `drift` (the licence differs from licensecheck.lock),
`expired-exception` (a waiver in the policy that no longer applies) and `unparsed-file`
(a Python file this interpreter cannot parse, scanned by its tokens). A model judged
`allow` for every use produces no result.

Each result is located at a line that references the model (`scan`), one result per
reference, so a pull-request annotation appears on every line that brings the model in.
Paths are relative URIs under `%SRCROOT%` (the directory the command ran in, i.e. the
checkout root in CI). A model with no reference (`audit`) has a logical location only.
`partialFingerprints` depend on rule, model, file and the occurrence in that file, not on
the line number, so alerts survive edits that move lines.

Output is deterministic: sorted keys, results in report order, no timestamps.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from licensecheck.formats import RenderOptions, license_marks
from licensecheck.identify.types import UNKNOWN
from licensecheck.kinds import UNPARSED_PYTHON
from licensecheck.results import AuditReport, ModelResult, Reference

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
DRIFT_PREFIX = "lock-drift: "  # ModelResult.findings entry written by the lock comparison


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    level: str  # error | warning | note
    short: str
    full: str


RULES: tuple[Rule, ...] = (
    Rule(
        "deny",
        "ModelDenied",
        "error",
        "A referenced model is denied for a use under the policy.",
        "The model's licence (or one it inherits from its base models) does not grant a use "
        "the policy judges, a licence condition is broken by the organisation's facts, or a "
        "policy rule denies it. Remove the model, pick another, or record an approved "
        "exception in the policy.",
    ),
    Rule(
        "review",
        "ModelNeedsReview",
        "warning",
        "A referenced model needs a legal review for a use.",
        "The licence could not be identified with confidence, a condition needs a fact the "
        "policy does not give, the licence text was modified, or a policy rule asks for "
        "review. Have it reviewed and record the outcome as a rule or exception.",
    ),
    Rule(
        "error",
        "ModelNotEvaluated",
        "error",
        "A referenced model could not be evaluated.",
        "The model could not be read (not found, gated, network failure, unreadable card), "
        "so no verdict exists. A compliance gate treats this as a failure.",
    ),
    Rule(
        "conflict",
        "LicenseEvidenceConflict",
        "warning",
        "The evidence for a model's licence disagrees.",
        "Card metadata, licence files and the licences inherited from base models do not "
        "agree. The verdict uses the more restrictive reading; check which one is right.",
    ),
    Rule(
        "drift",
        "LicenseDrift",
        "error",
        "A model's licence differs from the one recorded in licensecheck.lock.",
        "The model now resolves to a licence other than the locked one (for example it was "
        "relicensed at a new revision). Review the new terms, then run `licensecheck lock`.",
    ),
    Rule(
        "expired-exception",
        "ExpiredException",
        "warning",
        "A policy exception has expired and no longer applies.",
        "An exception (waiver) in the policy is past its expiry date and is ignored. Renew "
        "it or remove it.",
    ),
    Rule(
        "unparsed-file",
        "PythonNotParsed",
        "warning",
        "A Python file could not be parsed by the Python that ran the scan.",
        "The file uses syntax newer than this Python (or is not Python). Its model references "
        "were found from its tokens (string literals in calls and assignments), which can "
        "over- or under-count; run the scan with a newer Python to read it fully.",
    ),
)
_RULE_INDEX = {rule.id: i for i, rule in enumerate(RULES)}


def _rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {"text": rule.full},
        "defaultConfiguration": {"level": rule.level},
        "properties": {"tags": ["license", "compliance", "supply-chain"]},
    }


def _license_label(r: ModelResult) -> str:
    if r.determination is None:
        return UNKNOWN
    inherited = [lic for lic in r.effective_licenses if lic != r.determination.id]
    own = r.determination.id + license_marks(r.determination)
    return own + (f" + {', '.join(inherited)}" if inherited else "")


def _verdict_message(r: ModelResult, verdict: str) -> str | None:
    """`model (licence): deny for commercial: reason; defense: reason` or None."""
    parts = []
    for use, v in r.verdicts.items():
        if v.verdict != verdict:
            continue
        reasons = [x.message for x in v.reasons if x.verdict == verdict] or [
            x.message for x in v.reasons
        ]
        parts.append(f"{use}: {reasons[0]}" if reasons else use)
    if not parts:
        return None
    return f"{r.model} ({_license_label(r)}) is {verdict} for " + "; ".join(parts)


def _findings(r: ModelResult) -> list[tuple[str, str]]:
    """(rule id, message) for every finding of one model, in a fixed order."""
    out: list[tuple[str, str]] = []
    if r.status != "ok":
        error = r.error
        detail = f" ({error.kind}): {error.message}" if error else ""
        out.append(("error", f"{r.model} could not be evaluated{detail}"))
    for finding in r.findings:
        if finding.startswith(DRIFT_PREFIX):
            out.append(("drift", f"{r.model}: {finding[len(DRIFT_PREFIX) :]}"))
    for verdict in ("deny", "review"):
        message = _verdict_message(r, verdict)
        if message is not None:
            out.append((verdict, message))
    conflicts = [
        c
        for c in (
            *(r.determination.conflicts if r.determination else ()),
            *r.lineage_conflicts,
        )
        if c.severity == "conflict"
    ]
    if conflicts:
        out.append(("conflict", f"{r.model}: " + "; ".join(c.message for c in conflicts)))
    return out


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _physical(ref: Reference, uri_prefix: str) -> dict[str, Any]:
    uri = f"{uri_prefix.rstrip('/')}/{ref.path}" if uri_prefix not in ("", ".") else ref.path
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
            "region": {"startLine": max(1, ref.line)},
        }
    }


def _result(rule_id: str, message: str, location: dict[str, Any], print_: str) -> dict[str, Any]:
    return {
        "ruleId": rule_id,
        "ruleIndex": _RULE_INDEX[rule_id],
        "level": RULES[_RULE_INDEX[rule_id]].level,
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"licensecheck/v1": print_},
    }


def to_dict(
    report: AuditReport,
    *,
    uri_prefix: str = "",
    notifications: Sequence[str] = (),
    policy_uri: str | None = None,
) -> dict[str, Any]:
    """The SARIF log as a dict.

    `uri_prefix` is prepended to reference paths (the scanned root relative to the working
    directory) so that URIs are relative to the checkout root. `notifications` are tool
    messages (files that could not be parsed) reported under the invocation.
    """
    results: list[dict[str, Any]] = []
    for r in report.results:
        for rule_id, message in _findings(r):
            if r.references:
                seen: dict[str, int] = {}
                for ref in r.references:
                    n = seen[ref.path] = seen.get(ref.path, 0) + 1
                    results.append(
                        _result(
                            rule_id,
                            message,
                            _physical(ref, uri_prefix),
                            _fingerprint(rule_id, r.model.lower(), ref.path, str(n)),
                        )
                    )
            else:
                logical = {"logicalLocations": [{"name": r.model, "kind": "module"}]}
                results.append(
                    _result(rule_id, message, logical, _fingerprint(rule_id, r.model.lower()))
                )
    for expired in report.expired_exceptions:
        location: dict[str, Any] = (
            {"physicalLocation": {"artifactLocation": {"uri": policy_uri, "uriBaseId": SRCROOT}}}
            if policy_uri
            else {"logicalLocations": [{"name": report.policy.name, "kind": "resource"}]}
        )
        results.append(
            _result(
                "expired-exception",
                f"policy {report.policy.name}: {expired}",
                location,
                _fingerprint("expired-exception", expired),
            )
        )
    for f in report.file_findings:
        if f.kind != UNPARSED_PYTHON:
            continue  # the other file problems are tool notifications (below)
        where = Reference(f.path, f.line or 1)
        results.append(
            _result(
                "unparsed-file",
                f"{f.path}: {f.message}",
                _physical(where, uri_prefix),
                _fingerprint("unparsed-file", f.path),
            )
        )
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": text}} for text in notifications
        ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "licensecheck",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "rules": [_rule_json(rule) for rule in RULES],
                    }
                },
                "results": results,
                "invocations": [invocation],
                "properties": {
                    "policy": {"name": report.policy.name, "sha256": report.policy.sha256},
                    "uses": list(report.uses),
                    "models": [r.model for r in report.results],
                },
            }
        ],
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def render(report: AuditReport, options: RenderOptions) -> str:
    """The registry entry: a SARIF log of `report` (references under `options.uri_prefix`,
    `options.notes` as notifications)."""
    return dumps(to_dict(report, uri_prefix=options.uri_prefix, notifications=options.notes))
