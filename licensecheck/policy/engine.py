"""The verdict for one model and one use, exactly as ../shared/spec/policy.md lays it down.

1. the licence layer (`terms`), per effective licence;
2. `unknown_license`, `license_conflict`, `modified_license`, `unverified_license` (a gated
   model whose licence text could not be read), `unreadable_license_file` (a licence-like
   file that was not read) where they fit;
3. every matching rule, or `otherwise` when none matched;
4. the most severe of all of these (deny > review > allow);
5. a valid, unexpired exception replaces the verdict; an expired one is ignored and said so.

Every step leaves a `Reason`, so `explain` can show the whole way.
"""

from __future__ import annotations

import datetime as dt

from licensecheck.identify.types import Determination
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.policy import rules as rules_mod
from licensecheck.policy import terms as terms_mod
from licensecheck.policy.model import Policy, Subject, Waiver
from licensecheck.results import (
    SEVERITY,
    ObligationItem,
    Reason,
    UseVerdict,
    WaiverUse,
    most_severe,
)


def evaluate(
    policy: Policy, kb: KnowledgeBase, subject: Subject, use: str, today: dt.date
) -> UseVerdict:
    """Judge `subject` for `use` (a built-in use or one the policy defines)."""
    base = policy.base_use(use)
    reasons: list[Reason] = []
    obligations: list[ObligationItem] = []

    # 1. The licence layer.
    assessments = terms_mod.assess_subject(kb, subject, base, policy.organisation)
    for a in assessments:
        reasons.extend(a.reasons)
        obligations.extend(o for o in a.obligations if o not in obligations)

    # 2. What identification could not settle.
    unknown = [a.license for a in assessments if not a.known]
    if unknown:
        reasons.append(
            Reason(
                rule="unknown_license",
                message=f"licence not identified ({', '.join(unknown)}); the policy's "
                f"unknown_license is {policy.unknown_license}",
                verdict=policy.unknown_license,
            )
        )
    for conflict in subject.conflicts:
        if conflict.severity == "conflict":
            reasons.append(
                Reason(
                    rule="license_conflict",
                    message=f"{conflict.message}; the policy's license_conflict is "
                    f"{policy.license_conflict}",
                    verdict=policy.license_conflict,
                )
            )
    if subject.determination.modified:
        reasons.append(
            Reason(
                rule="modified_license",
                message=f"the licence text differs in substance from the canonical "
                f"{subject.determination.id}; the policy's modified_license is "
                f"{policy.modified_license}",
                verdict=policy.modified_license,
                license=subject.determination.id,
            )
        )

    if not subject.determination.verified:
        reasons.append(unverified_reason(policy, subject.determination))
    for link in subject.lineage:
        if not link.verified and link.error is None:
            reasons.append(
                Reason(
                    rule="unverified_license",
                    message=f"base model {link.model}: licence {link.license} is declared only "
                    "(gated: no licence text of it was read; request access on the Hub, then "
                    "set HF_TOKEN or run `hf auth login`); the policy's unverified_license is "
                    f"{policy.unverified_license}",
                    verdict=policy.unverified_license,
                    license=link.license,
                )
            )
    for unread in subject.unread:
        # The text that was not read may say anything: the determination is incomplete.
        reasons.append(
            Reason(
                rule="unreadable_license_file",
                message=f"licence-like file not read ({unread}); the policy's "
                f"unreadable_license_file is {policy.unreadable_license_file}",
                verdict=policy.unreadable_license_file,
            )
        )

    # 3. The organisation's rules.
    seen = rules_mod.view(kb, subject)
    matched = False
    for rule in policy.rules:
        if rules_mod.use_applies(rule.uses, use, policy) and rules_mod.matches(rule.match, seen):
            matched = True
            why = f"{rule.reason} " if rule.reason else ""
            reasons.append(
                Reason(
                    rule=f"rule:{rule.index}",
                    message=f"{why}[{rules_mod.describe(rule)} -> {rule.verdict}] "
                    f"({rule.location})",
                    verdict=rule.verdict,
                )
            )
    if not matched:
        reasons.append(
            Reason(
                rule="otherwise",
                message=f"no policy rule matched; the policy's otherwise is {policy.otherwise}",
                verdict=policy.otherwise,
            )
        )

    # 4. The most severe verdict wins.
    verdict = most_severe([r.verdict for r in reasons])

    # 5. Exceptions.
    waived_by = None
    waived: WaiverUse | None = None
    valid, expired = _waivers_for(policy, subject, use, today)
    for w in expired:
        reasons.append(
            Reason(
                rule="exception",
                message=f"exception ({w.reason}) expired on {w.expires} and is ignored "
                f"({w.location})",
                verdict=verdict,
            )
        )
    if valid:
        # Two waivers for the same model and use: the stricter one holds.
        waiver = max(valid, key=lambda w: SEVERITY[w.verdict])
        reasons.append(
            Reason(
                rule="exception",
                message=f"exception approved by {waiver.approved_by} until {waiver.expires}: "
                f"{waiver.reason}; it replaces the verdict {verdict} ({waiver.location})",
                verdict=waiver.verdict,
            )
        )
        waived = WaiverUse(
            reason=waiver.reason,
            replaced=verdict,
            approved_by=waiver.approved_by,
            expires=waiver.expires,
            location=waiver.location,
        )
        verdict = waiver.verdict
        waived_by = waiver.reason

    return UseVerdict(
        use=use,
        verdict=verdict,
        reasons=tuple(reasons),
        obligations=() if verdict == "deny" else tuple(obligations),
        waived_by=waived_by,
        waiver=waived,
        expired_waivers=tuple(f"{w.location or w.model} ({w.expires})" for w in expired),
    )


def unverified_reason(policy: Policy, determination: Determination) -> Reason:
    """Why a declared-only licence weighs on the verdict, and how to get a full read."""
    refused = determination.refused
    if refused:
        gap = (
            f"the Hub refused {', '.join(refused)} (gated); request access on the Hub, then "
            "set HF_TOKEN or run `hf auth login` for a full read"
        )
    else:
        gap = "the gated repo holds no licence text licensecheck could read"
    return Reason(
        rule="unverified_license",
        message=f"licence {determination.id} is declared only (gated): {gap}; the policy's "
        f"unverified_license is {policy.unverified_license}",
        verdict=policy.unverified_license,
        license=determination.id,
    )


def _expiry(waiver: Waiver) -> dt.date | None:
    return dt.date.fromisoformat(waiver.expires) if waiver.expires else None


def _is_expired(waiver: Waiver, today: dt.date) -> bool:
    expires = _expiry(waiver)
    return expires is not None and expires < today  # valid through its expiry date


def _waivers_for(
    policy: Policy, subject: Subject, use: str, today: dt.date
) -> tuple[list[Waiver], list[Waiver]]:
    valid: list[Waiver] = []
    expired: list[Waiver] = []
    for w in policy.exceptions:
        named = rules_mod.model_matches(w.model, subject.model, subject.revisions)
        if named and rules_mod.use_applies(w.uses, use, policy):
            (expired if _is_expired(w, today) else valid).append(w)
    return valid, expired


def expired_waivers(policy: Policy, today: dt.date) -> tuple[Waiver, ...]:
    """The policy's exceptions whose expiry date has passed."""
    return tuple(w for w in policy.exceptions if _is_expired(w, today))


EXPIRY_WARNING_DAYS = 30


def expiring_waivers(policy: Policy, today: dt.date) -> tuple[Waiver, ...]:
    """Exceptions still valid that expire within `EXPIRY_WARNING_DAYS` days."""
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    return tuple(
        w
        for w in policy.exceptions
        if (expires := _expiry(w)) is not None and today <= expires <= soon
    )


def stale_exceptions(policy: Policy, today: dt.date) -> tuple[str, ...]:
    """One line per exception that expired or expires within 30 days (`policy validate`)."""
    lines = list(expired_exceptions(policy, today))
    for w in expiring_waivers(policy, today):
        uses = ", ".join(w.uses) if w.uses else "every use"
        days = (dt.date.fromisoformat(str(w.expires)) - today).days
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        lines.append(
            f"{w.location}: exception for {w.model} ({uses}) expires on {w.expires} ({when})"
        )
    return tuple(lines)


def expired_exceptions(policy: Policy, today: dt.date) -> tuple[str, ...]:
    """One line per expired exception, for `AuditReport.expired_exceptions`."""
    lines = []
    for w in expired_waivers(policy, today):
        uses = ", ".join(w.uses) if w.uses else "every use"
        lines.append(
            f"{w.location}: exception for {w.model} ({uses}) expired on {w.expires}; ignored"
        )
    return tuple(lines)


def fails(policy: Policy, verdict: str) -> bool:
    """Does `verdict` make the exit status 1 under this policy's `fail_on`?"""
    return SEVERITY[verdict] >= SEVERITY[policy.fail_on]
