"""SARIF 2.1.0 and Markdown reports: schema-valid, one rule per finding kind, located at the
referencing lines, deterministic; Markdown escapes what comes from cards."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _scan_support import validate

from licensecheck.formats import markdown, sarif
from licensecheck.identify.types import Conflict, Determination, Evidence
from licensecheck.results import (
    AuditReport,
    ModelError,
    ModelResult,
    ObligationItem,
    PolicyInfo,
    Reason,
    Reference,
    UseVerdict,
)

USES = ("research", "commercial")


def det(lic: str, conflicts: tuple[Conflict, ...] = ()) -> Determination:
    return Determination(
        id=lic,
        confidence=0.99,
        evidence=(Evidence("card-metadata", lic, 0.99),),
        conflicts=conflicts,
    )


def verdicts(**by_use: str) -> dict[str, UseVerdict]:
    return {
        use: UseVerdict(
            use,
            v,
            reasons=(Reason(f"rule:{use}", f"{use} is {v} <b>because</b> | pipes", v),),
            obligations=(ObligationItem("attribution", "llama3.1", 'Display "Built with Llama"'),)
            if v != "deny"
            else (),
        )
        for use, v in by_use.items()
    }


def report() -> AuditReport:
    refs = (Reference("src/train.py", 12), Reference("src/train.py", 40), Reference("cfg.yaml", 3))
    return AuditReport(
        tool_version="0.1.0",
        policy=PolicyInfo("default", None, "ab" * 32),
        uses=USES,
        results=(
            ModelResult(
                "meta-llama/Llama-3.1-8B",
                "a" * 40,
                "hub",
                "ok",
                determination=det("llama3.1"),
                effective_licenses=("llama3.1",),
                verdicts=verdicts(research="allow", commercial="review"),
                references=refs,
            ),
            ModelResult(
                "org/nc-model",
                "b" * 40,
                "lock",
                "ok",
                determination=det(
                    "cc-by-nc-4.0",
                    (Conflict("metadata-vs-file", "card says mit, LICENSE is cc-by-nc-4.0"),),
                ),
                effective_licenses=("cc-by-nc-4.0",),
                verdicts=verdicts(research="allow", commercial="deny"),
                references=(Reference("nb.ipynb", 20),),
                findings=("lock-drift: licence mit in licensecheck.lock, now cc-by-nc-4.0",),
            ),
            ModelResult(
                "org/missing",
                None,
                "hub",
                "error",
                error=ModelError("not-found", "org/missing: repository not found"),
                references=(Reference("app.py", 1),),
            ),
            ModelResult(
                "org/fine",
                "c" * 40,
                "hub",
                "ok",
                determination=det("apache-2.0"),
                effective_licenses=("apache-2.0",),
                verdicts=verdicts(research="allow", commercial="allow"),
                references=(Reference("app.py", 2),),
            ),
        ),
        expired_exceptions=("org/old: expired 2024-01-01",),
    )


def test_sarif_is_valid_and_has_one_rule_per_kind() -> None:
    log = sarif.to_dict(report())
    validate(log)
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == [
        "deny",
        "review",
        "error",
        "conflict",
        "drift",
        "expired-exception",
        "unparsed-file",
    ]
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]


def test_results_are_located_at_every_referencing_line() -> None:
    results = sarif.to_dict(report(), uri_prefix="repo")["runs"][0]["results"]

    def where(rule: str) -> list[tuple[str, int]]:
        out = []
        for r in results:
            if r["ruleId"] == rule:
                loc = r["locations"][0]["physicalLocation"]
                out.append((loc["artifactLocation"]["uri"], loc["region"]["startLine"]))
        return out

    assert where("review") == [
        ("repo/src/train.py", 12),
        ("repo/src/train.py", 40),
        ("repo/cfg.yaml", 3),
    ]
    assert where("deny") == [("repo/nb.ipynb", 20)]
    assert where("drift") == [("repo/nb.ipynb", 20)]
    assert where("conflict") == [("repo/nb.ipynb", 20)]
    assert where("error") == [("repo/app.py", 1)]
    # allowed everywhere: no result at app.py:2
    assert ("repo/app.py", 2) not in [
        x for rule in ("deny", "review", "error") for x in where(rule)
    ]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["deny"] == "error" and levels["review"] == "warning"
    fingerprints = [r["partialFingerprints"]["licensecheck/v1"] for r in results]
    assert len(fingerprints) == len(set(fingerprints))


def test_fingerprints_do_not_depend_on_line_numbers() -> None:
    base = report()
    moved = AuditReport(
        base.tool_version,
        base.policy,
        base.uses,
        tuple(
            ModelResult(
                **{
                    **r.__dict__,
                    "references": tuple(Reference(x.path, x.line + 5) for x in r.references),
                }
            )
            for r in base.results
        ),
        base.expired_exceptions,
    )

    def prints(rep: AuditReport) -> list[str]:
        return [
            r["partialFingerprints"]["licensecheck/v1"]
            for r in sarif.to_dict(rep)["runs"][0]["results"]
        ]

    assert prints(moved) == prints(base)


def test_models_without_references_have_logical_locations_and_empty_report_is_valid() -> None:
    base = report()
    bare = AuditReport(
        base.tool_version,
        base.policy,
        base.uses,
        tuple(ModelResult(**{**r.__dict__, "references": ()}) for r in base.results),
    )
    log = sarif.to_dict(bare, notifications=("x.yaml:3: not valid YAML",))
    validate(log)
    first = log["runs"][0]["results"][0]
    assert first["locations"] == [
        {"logicalLocations": [{"kind": "module", "name": "meta-llama/Llama-3.1-8B"}]}
    ]
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "x.yaml:3: not valid YAML"
    empty = sarif.to_dict(AuditReport("0.1.0", base.policy, USES, ()))
    validate(empty)
    assert empty["runs"][0]["results"] == []


def test_sarif_output_is_byte_identical() -> None:
    assert sarif.dumps(sarif.to_dict(report())) == sarif.dumps(sarif.to_dict(report()))
    text = sarif.dumps(sarif.to_dict(report()))
    assert text.endswith("\n") and json.loads(text)["version"] == "2.1.0"


def test_markdown_comment() -> None:
    md = markdown.to_markdown(report(), notes=("cfg.yaml:9: not valid YAML",))
    lines = md.splitlines()
    assert lines[0] == markdown.MARKER
    assert lines[1].startswith(
        "### ❌ licensecheck: 4 models — 1 denied, 1 to review, 1 not evaluated, 1 allowed"
    )
    assert (
        "| `meta-llama/Llama-3.1-8B` | llama3.1 | ✅ allow | ⚠️ review | `src/train.py:12`, `src/train.py:40`, `cfg.yaml:3` |"
        in lines
    )
    # card/policy text is escaped: no raw HTML, no broken table
    assert "<b>because</b>" not in md
    assert "\\<b\\>because\\</b\\> \\| pipes" in md
    assert "**licence drift**" in md
    assert "obligation `attribution` (llama3.1)" in md
    assert md == markdown.to_markdown(report(), notes=("cfg.yaml:9: not valid YAML",))


@pytest.mark.parametrize("fmt", [sarif, markdown])
def test_no_models_still_renders(fmt: Any) -> None:
    rep = AuditReport("0.1.0", PolicyInfo("default", None, "0" * 64), USES, ())
    text = sarif.dumps(sarif.to_dict(rep)) if fmt is sarif else markdown.to_markdown(rep)
    assert text.strip()
    if fmt is markdown:
        assert "No model references found." in text


def test_the_schema_check_can_fail() -> None:
    log = sarif.to_dict(report())
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    with pytest.raises(AssertionError):
        validate(log)
