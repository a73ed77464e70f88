"""action.yml (composite GitHub Action): its shell steps run as GitHub would run them, on the
example repository, offline from its lock; the CI examples are valid and use real options."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from _scan_support import validate

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))


def step(name: str) -> dict[str, Any]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("name") == name)


def run_step(name: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    script = step(name)["run"]
    bin_dir = str(Path(sys.executable).parent)
    full = {**os.environ, **env, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_scan_summary_and_gate_steps(tmp_path: Path) -> None:
    out, summary = tmp_path / "github_output", tmp_path / "summary.md"
    out.touch()
    base = {
        "SCAN_PATH": "examples/ml-repo",
        "SCAN_ARGS": "--offline --locked",
        "SARIF_FILE": str(tmp_path / "licensecheck.sarif"),
        "GITHUB_OUTPUT": str(out),
        "GITHUB_STEP_SUMMARY": str(summary),
        "HF_HUB_CACHE": str(tmp_path / "cache"),
    }
    scan = run_step("Scan", base, ROOT)
    assert scan.returncode == 0, scan.stderr
    assert outputs(out)["exit-code"] == "0"
    log = json.loads((tmp_path / "licensecheck.sarif").read_text("utf-8"))
    validate(log)
    assert len(log["runs"][0]["properties"]["models"]) == 6
    assert run_step("Summary", base, ROOT).returncode == 0
    assert summary.read_text("utf-8").startswith(
        "<!-- licensecheck-report -->\n### ✅ licensecheck"
    )

    # The default preset judges defence use too: denials, exit status 1, and the gate fails.
    out.write_text("")
    failing = {**base, "SCAN_ARGS": "--offline --locked --preset default"}
    assert run_step("Scan", failing, ROOT).returncode == 0  # the scan step itself never fails
    status = outputs(out)["exit-code"]
    assert status == "1"
    gate = run_step("Gate", {**failing, "STATUS": status, "FAIL_ON_FINDINGS": "true"}, ROOT)
    assert gate.returncode == 1
    assert "::error::licensecheck: a model is denied" in gate.stdout
    sarif = json.loads((tmp_path / "licensecheck.sarif").read_text("utf-8"))
    assert any(r["ruleId"] == "deny" for r in sarif["runs"][0]["results"])


def test_a_usage_error_fails_the_gate_even_when_findings_do_not(tmp_path: Path) -> None:
    out = tmp_path / "github_output"
    out.touch()
    base = {
        "SCAN_PATH": "examples/ml-repo",
        "SARIF_FILE": str(tmp_path / "licensecheck.sarif"),
        "GITHUB_OUTPUT": str(out),
        "HF_HUB_CACHE": str(tmp_path / "cache"),
        "FAIL_ON_FINDINGS": "false",
    }
    # The gate step runs whenever the scan did not pass, whatever fail-on-findings says.
    assert "fail-on-findings" not in step("Gate")["if"]
    assert "always()" in step("Gate")["if"]

    # A typo in args: exit 2, nothing judged; the step fails with fail-on-findings "false".
    scan = run_step("Scan", {**base, "SCAN_ARGS": "--offline --lokced"}, ROOT)
    assert scan.returncode == 0
    status = outputs(out)["exit-code"]
    assert status == "2"
    gate = run_step("Gate", {**base, "STATUS": status}, ROOT)
    assert gate.returncode == 2
    assert "::error::licensecheck: usage or configuration error" in gate.stdout

    # Findings (exit 1) with fail-on-findings "false": reported, not failing.
    out.write_text("")
    run_step("Scan", {**base, "SCAN_ARGS": "--offline --locked --preset default"}, ROOT)
    status = outputs(out)["exit-code"]
    assert status == "1"
    lenient = run_step("Gate", {**base, "STATUS": status}, ROOT)
    assert lenient.returncode == 0
    assert "::warning::licensecheck: a model is denied" in lenient.stdout
    strict = run_step("Gate", {**base, "STATUS": status, "FAIL_ON_FINDINGS": "true"}, ROOT)
    assert strict.returncode == 1


def test_the_default_python_is_current() -> None:
    default = ACTION["inputs"]["python-version"]["default"]
    major, minor = (int(x) for x in default.split(".")[:2])
    assert (major, minor) >= (3, 12)


def test_action_inputs_reach_the_scan_only_through_the_environment() -> None:
    # No `${{ inputs.* }}` inside a run script: inputs are data, not shell code.
    for s in ACTION["runs"]["steps"]:
        assert "${{ inputs." not in s.get("run", ""), s.get("name")
    assert ACTION["runs"]["using"] == "composite"


def test_ci_examples_are_valid_and_use_existing_options() -> None:
    gha = yaml.safe_load((ROOT / "examples/ci/github-actions.yml").read_text("utf-8"))
    assert gha["permissions"]["security-events"] == "write"
    gitlab = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text("utf-8"))
    commands = [c for c in gitlab["licensecheck"]["script"] if c.startswith("licensecheck")]
    from click.testing import CliRunner

    from licensecheck.cli.main import main

    for command in commands:
        args = [*command.split(" || ")[0].split()[1:], "--help"]
        assert CliRunner().invoke(main, args).exit_code == 0, command
