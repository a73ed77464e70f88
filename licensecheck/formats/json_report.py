"""The JSON report (`--format json`): the contract of ../shared/spec/cli.md.

Keys are sorted, floats rounded to four places, no timestamps: identical inputs give
byte-identical output. Lists keep a meaningful order (results as the input named them,
evidence as identification produced it). Beyond the spec, each result carries `findings`
(what was odd about the inputs: gaps, bad cards) and `license.version`/`declared`; the
report carries `expired_exceptions`.
"""

from __future__ import annotations

import json
from typing import Any

from licensecheck.codec import determination_view, link_json, report_changes, score, to_json
from licensecheck.formats import RenderOptions
from licensecheck.identify.types import UNKNOWN, Conflict, Determination, Evidence
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.results import (
    AuditReport,
    ModelResult,
    UseVerdict,
    WaiverUse,
    most_severe,
)

SCHEMA_VERSION = 1


def _evidence(ev: Evidence) -> dict[str, Any]:
    """The report's evidence (cli.md): `version` only when known, `modified` and `changes`
    only for a modified text; no `via`."""
    full = to_json(ev)
    out = {key: full[key] for key in ("source", "path", "id", "detail", "kind")}
    out["score"] = score(ev.score)
    if ev.version is not None:
        out["version"] = ev.version
    if ev.modified:
        out["modified"] = True
        out["changes"] = report_changes(ev.changes)
    return out


def _license(
    d: Determination, kb: KnowledgeBase, conflicts: tuple[Conflict, ...]
) -> dict[str, Any]:
    lic = kb.get(d.id) if d.id != UNKNOWN else None
    evidence = [_evidence(e) for e in d.evidence]
    return {
        **determination_view(d, evidence, (*d.conflicts, *conflicts)),
        "name": lic.name if lic else None,
        "spdx": lic.spdx if lic else None,
    }


def _verdict(v: UseVerdict) -> dict[str, Any]:
    return {
        "verdict": v.verdict,
        "reasons": [
            {
                "rule": r.rule,
                "message": r.message,
                "verdict": r.verdict,
                "clause": r.clause,
                "license": r.license,
            }
            for r in v.reasons
        ],
        "obligations": [
            {"id": o.id, "license": o.license, "text": o.text, "clause": o.clause, "when": o.when}
            for o in v.obligations
        ],
        "waived_by": v.waived_by,
        "waiver": _waiver(v.waiver) if v.waiver else None,
    }


def _waiver(w: WaiverUse) -> dict[str, Any]:
    return {
        "reason": w.reason,
        "replaced": w.replaced,
        "approved_by": w.approved_by,
        "expires": w.expires,
        "location": w.location,
    }


def result_dict(r: ModelResult, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "model": r.model,
        "revision": r.revision,
        "source": r.source,
        "status": r.status,
        "error": {"kind": r.error.kind, "message": r.error.message} if r.error else None,
        "license": _license(r.determination, kb, r.lineage_conflicts) if r.determination else None,
        "lineage": [link_json(link) for link in r.lineage],
        "effective_licenses": list(r.effective_licenses),
        "verdicts": {use: _verdict(v) for use, v in r.verdicts.items()},
        "references": [{"path": ref.path, "line": ref.line} for ref in r.references],
        "findings": list(r.findings),
        "gated": bool(r.facts.gated) if r.facts is not None else None,
    }


def summary(report: AuditReport) -> dict[str, int]:
    """Models counted once each: by their most severe verdict, or as errors."""
    counts = {"models": len(report.results), "allow": 0, "review": 0, "deny": 0, "errors": 0}
    for r in report.results:
        if r.status != "ok":
            counts["errors"] += 1
        else:
            counts[most_severe([v.verdict for v in r.verdicts.values()])] += 1
    return counts


def to_dict(report: AuditReport, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "licensecheck", "version": report.tool_version},
        "policy": {
            "name": report.policy.name,
            "path": report.policy.path,
            "sha256": report.policy.sha256,
        },
        "uses": list(report.uses),
        "results": [result_dict(r, kb) for r in report.results],
        "summary": summary(report),
        "expired_exceptions": list(report.expired_exceptions),
        "file_findings": [
            {"kind": f.kind, "path": f.path, "line": f.line, "message": f.message}
            for f in report.file_findings
        ],
    }


def dumps(data: Any) -> str:
    """`json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\\n"`, byte for byte.

    The standard library encodes with indentation in pure Python, through a generator per
    container (~50 ms for a 100-model report); this builds the same text with one list of
    chunks. Anything it does not handle exactly like `json` (a key that is not a string, a
    type other than dict, list, tuple, str, int, float, bool and None, NaN or infinity, a
    cycle) falls back to `json.dumps`, so the output never differs."""
    chunks: list[str] = []
    try:
        _encode(data, chunks, "\n", 0)
    except _Fallback:
        return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    chunks.append("\n")
    return "".join(chunks)


class _Fallback(Exception):
    """A value the fast encoder leaves to `json.dumps`."""


_STRING = json.encoder.encode_basestring  # the C version when available (ensure_ascii=False)
_MAX_DEPTH = 200  # deeper nesting (or a cycle) goes to json.dumps, which reports it


def _encode(value: Any, out: list[str], newline: str, depth: int) -> None:
    kind = type(value)
    if kind is str:
        out.append(_STRING(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _Fallback
        out.append(float.__repr__(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        if depth >= _MAX_DEPTH:
            raise _Fallback
        inner = newline + "  "
        separator = "{" + inner
        for key in sorted(value):  # TypeError for mixed key types, as json.dumps raises
            if type(key) is not str:
                raise _Fallback
            item = value[key]
            if type(item) is str:  # the common leaf, without a call
                out.append(separator + _STRING(key) + ": " + _STRING(item))
            else:
                out.append(separator + _STRING(key) + ": ")
                _encode(item, out, inner, depth + 1)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        if depth >= _MAX_DEPTH:
            raise _Fallback
        inner = newline + "  "
        out.append("[" + inner)
        separator = "," + inner
        for i, item in enumerate(value):
            if i:
                out.append(separator)
            _encode(item, out, inner, depth + 1)
        out.append(newline + "]")
    else:
        raise _Fallback


def render(report: AuditReport, options: RenderOptions) -> str:
    return dumps(to_dict(report, options.kb))
