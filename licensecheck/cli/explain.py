"""`licensecheck explain MODEL --use USE`: the whole chain of reasoning for one model.

It runs the same audit as `licensecheck audit` (through `licensecheck.audit.Auditor`) and
prints every step: each piece of evidence, the licence concluded, the lineage and the
effective licences, the knowledge base's terms for each of them (grant per use, conditions,
restrictions, obligations, with clauses), each reason of the verdict (licence layer,
identification, policy rules, exceptions), the obligations, and the verdict. `--format json`
(or another report format) prints the audit report of the one model instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from licensecheck.cli.compose import build_source, load_kb, resolve_policy
from licensecheck.cli.options import (
    ModelOptions,
    exit_status,
    guarded,
    model_options,
    resolve_uses,
    today,
)
from licensecheck.cli.output import write_report
from licensecheck.formats import DECLARED_ONLY

if TYPE_CHECKING:
    from licensecheck.knowledge.model import License, Terms
    from licensecheck.knowledge.store import KnowledgeBase
    from licensecheck.policy.model import Policy
    from licensecheck.results import AuditReport, ModelResult, Reason, UseVerdict

INDENT = "  "


@click.command("explain")
@click.argument("model", metavar="MODEL")
@model_options
def explain(model: str, **options: Any) -> None:
    """Show the whole chain of reasoning for MODEL and each --use: evidence, licence,
    lineage, licence terms with clauses, each policy rule that matched, the verdict."""
    from licensecheck.audit import Auditor
    from licensecheck.formats import RenderOptions, render
    from licensecheck.sources.refs import parse_ref

    opts = ModelOptions.from_kwargs(options)
    with guarded():
        ref = parse_ref(model)
        kb = load_kb()
        policy = resolve_policy(opts, kb)
        uses = resolve_uses(opts, policy)
        source = build_source(opts)
        report = Auditor(source, kb, policy, uses, today()).audit([ref])
        fmt = (opts.format or "table").lower()
        if fmt == "table":
            text = render_explanation(report, policy, kb)
        else:
            text = render(fmt, report, RenderOptions(kb=kb))
        write_report(text, opts.output)
    raise SystemExit(exit_status(report, policy))


# --- the text ----------------------------------------------------------------------------


def render_explanation(report: AuditReport, policy: Policy, kb: KnowledgeBase) -> str:
    """The chain of reasoning for every model of `report`, as plain text."""
    out = _Text()
    origin = policy.path or f"built-in preset {policy.name!r}"
    out.line(f"Policy: {policy.name} ({origin}; sha256 {policy.sha256[:12]})")
    if len(policy.sources) > 1:
        out.line(f"{INDENT}built from: {' <- '.join(policy.sources)}")
    for line in report.expired_exceptions:
        out.line(f"{INDENT}expired exception (ignored): {line}")
    for result in report.results:
        out.line()
        _result(out, result, policy, kb)
    return out.text()


class _Text:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str = "", depth: int = 0) -> None:
        self.lines.append(f"{INDENT * depth}{text}".rstrip())

    def heading(self, number: int, title: str) -> None:
        self.line()
        self.line(f"{number}. {title}")

    def text(self) -> str:
        return "\n".join(self.lines).strip("\n") + "\n"


def _result(out: _Text, result: ModelResult, policy: Policy, kb: KnowledgeBase) -> None:
    revision = f" @ {result.revision}" if result.revision else ""
    out.line(f"Model: {result.model}{revision} (source: {result.source})")
    if result.status != "ok":
        error = result.error
        out.line(
            f"{INDENT}could not be evaluated: {error.kind if error else 'error'}: "
            f"{error.message if error else ''}"
        )
        if result.determination is None:
            return
    d = result.determination
    facts = result.facts

    out.heading(1, "Evidence")
    if facts is not None:
        card = facts.card
        declared = ", ".join(card.licenses) or "(none)"
        out.line(f"card metadata: license: {declared}", 1)
        for key, value in (
            ("license_name", card.license_name),
            ("license_link", card.license_link),
        ):
            if value:
                out.line(f"{key}: {value}", 1)
        pipeline = facts.pipeline_tag or card.pipeline_tag
        if pipeline:
            out.line(f"pipeline_tag: {pipeline}", 1)
    if d is None or not d.evidence:
        out.line("no licence evidence found", 1)
    else:
        for ev in d.evidence:
            where = f" in {ev.path}" if ev.path else ""
            extra = f", version {ev.version}" if ev.version else ""
            modified = ", MODIFIED" if ev.modified else ""
            detail = f": {ev.detail}" if ev.detail else ""
            out.line(
                f"- {ev.source}{where}: {ev.id} ({ev.kind}, score {ev.score:.2f}{extra}"
                f"{modified}){detail}",
                1,
            )
            for change in ev.changes:
                line = f" line {change.line}" if change.line else ""
                out.line(f"{change.type}{line}: {change.text}", 3)
    for finding in result.findings:
        out.line(f"finding: {finding}", 1)

    out.heading(2, "Licence")
    if d is not None:
        lic = kb.get(d.id)
        name = f" ({lic.name})" if lic else ""
        version = f", version {d.version}" if d.version else ""
        out.line(f"{d.id}{name}{version}; confidence {d.confidence:.2f}", 1)
        if d.modified:
            out.line("the text differs in substance from the canonical licence (modified)", 1)
        if not d.verified:
            refused = f"; the Hub refused {', '.join(d.refused)}" if d.refused else ""
            out.line(
                f"{DECLARED_ONLY}: no licence text was read{refused}; request access on the "
                "Hub, then set HF_TOKEN or run `hf auth login` for a full read",
                1,
            )
        for extra_id in d.extra:
            out.line(f"also found: {extra_id}", 1)
        for conflict in d.conflicts:
            out.line(f"{conflict.severity}: {conflict.message}", 1)

    out.heading(3, "Lineage")
    if not result.lineage:
        out.line("no base models", 1)
    for link in result.lineage:
        parent = f" (base of {link.parent})" if link.parent and link.depth > 1 else ""
        unread = f"; could not be read: {link.error}" if link.error else ""
        out.line(
            f"{'  ' * (link.depth - 1)}- {link.model}: {link.relation}, licence "
            f"{link.license}{parent}{unread}",
            1,
        )
    for conflict in result.lineage_conflicts:
        out.line(f"{conflict.severity}: {conflict.message}", 1)
    effective = ", ".join(result.effective_licenses) or "(none)"
    out.line(f"effective licences (every licence that binds the model): {effective}", 1)

    out.heading(4, "Licence terms (knowledge base)")
    uses = list(result.verdicts) or list(policy.uses)
    for license_id in result.effective_licenses:
        lic = kb.resolve(license_id)
        if lic is None:
            out.line(f"{license_id}: not in the knowledge base", 1)
            continue
        own = d is not None and kb.resolve(d.id) is lic
        _terms(out, lic, lic.terms_for(d.version if own and d else None), uses, policy)

    for number, (use, verdict) in enumerate(result.verdicts.items(), start=5):
        _verdict(out, number, use, verdict, policy)


def _clause(clause: str | None) -> str:
    if not clause:
        return ""
    return f" [§{clause}]" if clause[0].isdigit() else f" [{clause}]"


def _terms(out: _Text, lic: License, terms: Terms | None, uses: list[str], policy: Policy) -> None:
    law = f", governed by {lic.governing_law} law" if lic.governing_law else ""
    family = f"family {lic.family}, " if lic.family else ""
    out.line(f"{lic.id}: {lic.name} ({family}category {lic.category}{law})", 1)
    if terms is None:
        out.line("no terms recorded", 2)
        return
    for use in uses:
        base = policy.base_use(use)
        grant = terms.uses.get(base)
        label = use if base == use else f"{use} (judged as {base})"
        if grant is None:
            out.line(f"{label}: not recorded", 2)
        else:
            note = f": {grant.note}" if grant.note else ""
            out.line(f"{label}: {grant.grant}{_clause(grant.clause)}{note}", 2)
    for cond in terms.conditions:
        applies = ", ".join(cond.applies_to) or "every use"
        scope = f", {cond.scope} models only" if cond.scope else ""
        effect = {"obligation": " (adds an obligation)", "review": " (review when broken)"}.get(
            cond.effect, ""
        )
        out.line(
            f"condition {cond.id}{_clause(cond.clause)} for {applies}{scope}{effect}: {cond.text}",
            2,
        )
    for r in terms.restrictions:
        denies = f" (rules out {', '.join(r.denies)})" if r.denies else ""
        out.line(f"restriction {r.id}{_clause(r.clause)}{denies}: {r.text}", 2)
    for ob in terms.obligations:
        out.line(f"obligation {ob.id}{_clause(ob.clause)}, {ob.when}: {ob.text}", 2)
    for t in terms.terminations:
        out.line(f"termination {t.id}{_clause(t.clause)}: {t.text}", 2)
    for other in terms.incorporates:
        out.line(f"incorporates the terms of {other}", 2)


def _reason(out: _Text, reason: Reason) -> None:
    out.line(f"[{reason.verdict}] {reason.rule}: {reason.message}", 2)


def _verdict(out: _Text, number: int, use: str, verdict: UseVerdict, policy: Policy) -> None:
    out.heading(number, f"Verdict for {use}: {verdict.verdict.upper()}")
    groups: dict[str, list[Reason]] = {
        "licence": [],
        "identification": [],
        "policy": [],
        "exception": [],
    }
    for reason in verdict.reasons:
        if reason.rule.startswith(("terms:", "restriction:")):
            groups["licence"].append(reason)
        elif reason.rule in (
            "unknown_license",
            "license_conflict",
            "modified_license",
            "unverified_license",
        ):
            groups["identification"].append(reason)
        elif reason.rule == "exception":
            groups["exception"].append(reason)
        else:
            groups["policy"].append(reason)
    titles = {
        "licence": "licence terms against the organisation's facts",
        "identification": "what identification could not settle",
        "policy": f"policy rules ({policy.name})",
        "exception": "exceptions",
    }
    for key, reasons in groups.items():
        if reasons:
            out.line(f"{titles[key]}:", 1)
            for reason in reasons:
                _reason(out, reason)
    if verdict.obligations:
        out.line("obligations:", 1)
        for ob in verdict.obligations:
            when = f", {ob.when}" if ob.when else ""
            out.line(f"- {ob.id} ({ob.license}{_clause(ob.clause)}{when}): {ob.text}", 2)
    severe = "the most severe verdict wins (deny > review > allow)"
    waived = f"; waived: {verdict.waived_by}" if verdict.waived_by else ""
    out.line(f"=> {verdict.verdict}: {severe}{waived}", 1)
