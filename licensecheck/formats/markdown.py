"""Markdown (`--format markdown`): a pull-request comment.

A headline with the outcome, a table (model, licence, a verdict per use, where the code
references it), then one collapsed section per model that is not allowed everywhere: the
reasons behind each non-allow verdict, the obligations, conflicts and lock drift. Text that
comes from model cards or policies is escaped, so a hostile card cannot inject markup.
The first line is an HTML comment (`<!-- licensecheck-report -->`) that CI can use to find
and update its previous comment. Deterministic: no timestamps, report order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from licensecheck.formats import RenderOptions, license_marks
from licensecheck.formats.table import waiver_line
from licensecheck.identify.types import UNKNOWN
from licensecheck.results import (
    SHADOW_PREFIX,
    AuditReport,
    ModelResult,
    Reference,
    UseVerdict,
    most_severe,
)

MARKER = "<!-- licensecheck-report -->"
DRIFT_PREFIX = "lock-drift: "
_ICON = {"allow": "✅", "review": "⚠️", "deny": "❌", "error": "❗"}
_SPECIAL = re.compile(r"([\\`*_\[\]|#<>~])")
MAX_REFS_IN_TABLE = 3


def escape(text: str) -> str:
    """Plain text safe inside Markdown (and a table cell): one line, markup neutralised."""
    text = " ".join(text.split())
    return _SPECIAL.sub(r"\\\1", text).replace("&", "&amp;")


def _code(text: str) -> str:
    text = " ".join(text.split()).replace("`", "'")
    return f"`{text}`"


def _outcome(r: ModelResult) -> str:
    if r.status != "ok":
        return "error"
    worst = most_severe([v.verdict for v in r.verdicts.values()])
    if any(f.startswith(DRIFT_PREFIX) for f in r.findings):
        return "deny" if worst == "deny" else "review"
    return worst


def _license(r: ModelResult) -> str:
    if r.determination is None:
        return "—"
    own = r.determination.id
    label = escape(own) + license_marks(r.determination)
    inherited = [lic for lic in r.effective_licenses if lic != own]
    if inherited:
        label += " + " + ", ".join(escape(x) for x in inherited)
    return label


def _refs(refs: Sequence[Reference], limit: int | None = MAX_REFS_IN_TABLE) -> str:
    shown = refs if limit is None else refs[:limit]
    text = ", ".join(_code(f"{ref.path}:{ref.line}") for ref in shown)
    if limit is not None and len(refs) > limit:
        text += f" and {len(refs) - limit} more"
    return text or "—"


def _cell(v: UseVerdict | None) -> str:
    if v is None:
        return "—"
    return f"{_ICON[v.verdict]} {v.verdict}" + (" (exception)" if v.waived_by else "")


def _details(r: ModelResult, uses: tuple[str, ...]) -> list[str]:
    outcome = _outcome(r)
    lines = [
        f"<details><summary><b>{escape(r.model)}</b>: {_ICON[outcome]} {outcome}</summary>",
        "",
    ]
    if r.status != "ok":
        kind = r.error.kind if r.error else "error"
        message = r.error.message if r.error else "could not be evaluated"
        lines.append(f"- could not be evaluated ({escape(kind)}): {escape(message)}")
    for finding in r.findings:
        if finding.startswith(DRIFT_PREFIX):
            lines.append(f"- **licence drift**: {escape(finding[len(DRIFT_PREFIX) :])}")
        elif finding.startswith(SHADOW_PREFIX):
            lines.append(f"- **not the local folder**: {escape(finding[len(SHADOW_PREFIX) :])}")
    for use in uses:
        v = r.verdicts.get(use)
        if v is not None and (v.waiver is not None or v.waived_by):
            lines.append(f"- {escape(waiver_line(use, v))}")
            continue
        if v is None or v.verdict == "allow":
            continue
        reasons = [x for x in v.reasons if x.verdict == v.verdict] or list(v.reasons)
        for reason in reasons:
            clause = f", clause {escape(reason.clause)}" if reason.clause else ""
            lines.append(
                f"- **{escape(use)}** {_ICON[v.verdict]} {v.verdict}: {escape(reason.message)} "
                f"({_code(reason.rule)}{clause})"
            )
    conflicts = [
        *(r.determination.conflicts if r.determination else ()),
        *r.lineage_conflicts,
    ]
    for c in conflicts:
        if c.severity == "conflict":
            lines.append(f"- conflict ({escape(c.kind)}): {escape(c.message)}")
    obligations = {
        (o.id, o.license, o.text)
        for v in r.verdicts.values()
        if v.verdict != "deny"
        for o in v.obligations
    }
    for oid, lic, text in sorted(obligations):
        lines.append(f"- obligation {_code(oid)} ({escape(lic)}): {escape(text)}")
    if len(r.references) > MAX_REFS_IN_TABLE:
        lines.append(f"- referenced at {_refs(r.references, None)}")
    lines += ["", "</details>", ""]
    return lines


def to_markdown(report: AuditReport, *, notes: Sequence[str] = ()) -> str:
    """The comment. `notes` are extra lines (e.g. files the scan could not parse)."""
    outcomes = [_outcome(r) for r in report.results]
    counts = {k: outcomes.count(k) for k in ("deny", "review", "error", "allow")}
    if counts["deny"] or counts["error"]:
        head = "❌"
    elif counts["review"]:
        head = "⚠️"
    else:
        head = "✅"
    models = len(report.results)
    lines = [
        MARKER,
        f"### {head} licensecheck: {models} model{'s' if models != 1 else ''} — "
        f"{counts['deny']} denied, {counts['review']} to review, {counts['error']} not "
        f"evaluated, {counts['allow']} allowed",
        "",
        f"Policy **{escape(report.policy.name)}** ({_code(report.policy.sha256[:12])}) · uses: "
        + ", ".join(escape(u) for u in report.uses),
        "",
    ]
    if not report.results:
        lines += ["No model references found.", ""]
    else:
        uses = report.uses
        lines.append(
            "| Model | Licence | " + " | ".join(escape(u) for u in uses) + " | Referenced at |"
        )
        lines.append("|---|---|" + "---|" * len(uses) + "---|")
        for r in report.results:
            cells = [_cell(r.verdicts.get(u)) if r.status == "ok" else "❗ error" for u in uses]
            lines.append(
                f"| {_code(r.model)} | {_license(r)} | "
                + " | ".join(cells)
                + f" | {_refs(r.references)} |"
            )
        lines.append("")
        for r, outcome in zip(report.results, outcomes, strict=True):
            if outcome != "allow":
                lines += _details(r, uses)
    if report.expired_exceptions:
        lines.append("**Expired exceptions** (ignored):")
        lines += [f"- {escape(x)}" for x in report.expired_exceptions]
        lines.append("")
    if notes:
        lines.append("**Notes:**")
        lines += [f"- {escape(x)}" for x in notes]
        lines.append("")
    if any(r.determination and r.determination.id == UNKNOWN for r in report.results):
        lines.append(
            "_A licence that could not be identified is judged as the policy says "
            "(`unknown_license`)._"
        )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render(report: AuditReport, options: RenderOptions) -> str:
    """The registry entry (`options.notes` as extra lines)."""
    return to_markdown(report, notes=options.notes)
