"""docs/report.schema.json against real reports: `audit` and `scan --format json` through the
CLI on the loopback Hub (models that are judged, a local directory, a model that cannot be
read), and the schema's teeth: reports broken in the ways a consumer would trip over fail.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from _mixed_hub import APACHE, KIMI, LLAMA_FT, QWEN, mixed_env
from click.testing import CliRunner
from hub_server import HubServer, corpus_card, corpus_license
from jsonschema import Draft202012Validator

from licensecheck.cli.main import main

SCHEMA_PATH = Path(__file__).parent.parent / "docs" / "report.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def reports(mixed_hub: HubServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Real reports from the CLI: an audit of everything, and a scan with references."""
    tmp = tmp_path_factory.mktemp("reports")
    env = mixed_env(tmp / "hf-cache")
    local = tmp / "local-model"
    local.mkdir()
    (local / "README.md").write_bytes(corpus_card("113.md"))
    (local / "LICENSE").write_bytes(corpus_license("kimi-k2-modified-mit.txt"))
    project = tmp / "project"
    project.mkdir()
    (project / "app.py").write_text(f'MODEL = "{QWEN}"\nOTHER = "{APACHE}"\n', encoding="utf-8")
    runner = CliRunner()
    audit = runner.invoke(
        main,
        ["audit", APACHE, LLAMA_FT, QWEN, KIMI, str(local), "acme/does-not-exist",
         "--endpoint", mixed_hub.url, "--format", "json"],
        env=env,
        catch_exceptions=False,
    )  # fmt: skip
    scan = runner.invoke(
        main,
        ["scan", str(project), "--endpoint", mixed_hub.url, "--format", "json"],
        env=env,
        catch_exceptions=False,
    )
    assert audit.exit_code == 3, audit.stderr  # the missing model
    assert scan.exit_code in (0, 1), scan.stderr
    return {"audit": json.loads(audit.stdout), "scan": json.loads(scan.stdout)}


def _errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


@pytest.mark.parametrize("name", ["audit", "scan"])
def test_real_reports_match_the_schema(
    validator: Draft202012Validator, reports: dict[str, Any], name: str
) -> None:
    assert _errors(validator, reports[name]) == []


def test_the_reports_cover_what_the_schema_describes(reports: dict[str, Any]) -> None:
    """The real reports exercise each branch: ok and error results, lineage, references."""
    results = reports["audit"]["results"]
    assert {r["status"] for r in results} == {"ok", "error"}
    assert {r["source"] for r in results} >= {"hub", "local"}
    assert any(r["lineage"] for r in results)
    assert any(r["revision"] is None for r in results)
    assert all(r["references"] for r in reports["scan"]["results"])


def _break(report: dict[str, Any], how: str) -> dict[str, Any]:
    bad = copy.deepcopy(report)
    ok = next(r for r in bad["results"] if r["status"] == "ok")
    err = next(r for r in bad["results"] if r["status"] == "error")
    use = next(iter(ok["verdicts"]))
    if how == "unknown-verdict":
        ok["verdicts"][use]["verdict"] = "maybe"
    elif how == "missing-summary":
        del bad["summary"]
    elif how == "short-revision":
        ok["revision"] = "main"
    elif how == "error-without-kind":
        del err["error"]["kind"]
    elif how == "ok-with-error":
        ok["error"] = {"kind": "network", "message": "x"}
    elif how == "confidence-above-one":
        ok["license"]["confidence"] = 1.5
    elif how == "unknown-source":
        ok["source"] = "ftp"
    elif how == "relation":
        link = next(r for r in bad["results"] if r["lineage"])["lineage"][0]
        link["relation"] = "sibling"
    elif how == "reference-line-zero":
        bad["results"][0]["references"] = [{"path": "a.py", "line": 0}]
    elif how == "obligation-without-text":
        ok["verdicts"][use]["obligations"] = [{"id": "attribution", "license": "x"}]
    return bad


@pytest.mark.parametrize(
    "how",
    [
        "unknown-verdict",
        "missing-summary",
        "short-revision",
        "error-without-kind",
        "ok-with-error",
        "confidence-above-one",
        "unknown-source",
        "relation",
        "reference-line-zero",
        "obligation-without-text",
    ],
)
def test_the_schema_rejects_broken_reports(
    validator: Draft202012Validator, reports: dict[str, Any], how: str
) -> None:
    assert _errors(validator, _break(reports["audit"], how)), how


def test_keys_beyond_the_contract_are_allowed(
    validator: Draft202012Validator, reports: dict[str, Any]
) -> None:
    """The contract may grow: a consumer must ignore keys it does not know."""
    extended = copy.deepcopy(reports["audit"])
    extended["generated_by_a_later_version"] = True
    extended["results"][0]["new_field"] = {"x": 1}
    assert _errors(validator, extended) == []
