"""`licensecheck scan`: discovery + audit on a real ML repository layout, against the loopback
Hub. References with path and line, formats, file arguments, the CI-gate edge cases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _cli import run
from _scan_support import (
    APACHE,
    MIT,
    NC,
    chdir,
    expected,
    hub_env,
    make_repo,
    populate,
    report_refs,
    validate,
    write,
)
from click.testing import CliRunner
from hub_server import HubServer

from licensecheck.cli.main import main


@pytest.fixture(scope="module")
def h7hub() -> Iterator[HubServer]:
    with HubServer() as hub:
        populate(hub)
        yield hub


@pytest.fixture
def env(h7hub: HubServer, tmp_path: Path) -> dict[str, str]:
    h7hub.reset()
    return hub_env(h7hub, tmp_path / "hf-cache")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def test_scan_finds_each_reference_with_its_line_and_nothing_else(
    repo: Path, env: dict[str, str], h7hub: HubServer
) -> None:
    result = run(["scan", str(repo), "--format", "json", "--endpoint", h7hub.url], env)
    report = json.loads(result.stdout)
    assert report_refs(report) == sorted(expected(repo))
    # results in order of first reference (files sorted by path), one per model
    assert [r["model"] for r in report["results"]] == [APACHE, "h7org/llama-ft", NC, MIT]
    by_model = {r["model"]: r for r in report["results"]}
    assert by_model[NC]["verdicts"]["commercial"]["verdict"] == "deny"
    assert by_model[APACHE]["references"] == [
        {"path": "configs/adapter_config.json", "line": 3},
        {"path": "src/train.py", "line": 8},
    ]
    assert all(r["revision"] == h7hub.sha(r["model"]) for r in report["results"])
    assert result.exit_code == 1  # a deny


def test_scan_sarif_is_valid_and_points_at_the_lines(
    repo: Path, env: dict[str, str], h7hub: HubServer
) -> None:
    with chdir(repo.parent):
        result = run(["scan", "repo", "--format", "sarif", "--endpoint", h7hub.url], env)
    log = json.loads(result.stdout)
    validate(log)
    located = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in log["runs"][0]["results"]
    }
    nb_line = next(line for path, line, m in expected(repo) if m == NC)
    # URIs are relative to where the command ran (the checkout root in CI)
    assert ("deny", "repo/notebooks/explore.ipynb", nb_line) in located
    assert not any(uri.endswith("adapter_config.json") for _, uri, _ in located)  # apache: allow
    assert result.exit_code == 1


def test_scan_markdown_and_output_file(repo: Path, env: dict[str, str], h7hub: HubServer) -> None:
    out = repo.parent / "report.md"
    result = run(["scan", str(repo), "--endpoint", h7hub.url, "--output", str(out)], env)
    assert result.exit_code == 1
    assert result.stdout == ""
    text = out.read_text("utf-8")
    assert text.startswith("<!-- licensecheck-report -->\n### ❌ licensecheck: 4 models")
    assert "`notebooks/explore.ipynb:" in text


def test_scan_only_the_named_files(repo: Path, env: dict[str, str], h7hub: HubServer) -> None:
    with chdir(repo):
        result = run(
            [
                "scan",
                "pyproject.toml",
                "configs/adapter_config.json",
                "--format",
                "json",
                "--endpoint",
                h7hub.url,
            ],
            env,
        )
    report = json.loads(result.stdout)
    assert report_refs(report) == [
        ("configs/adapter_config.json", 3, APACHE),
        ("pyproject.toml", 6, MIT),
    ]
    assert result.exit_code == 0  # both allowed for every use


def test_missing_path_is_a_usage_error(repo: Path, env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["scan", str(repo / "nope.py")], env=env)
    assert result.exit_code == 2
    assert "nope.py: no such file or directory" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown"])
def test_no_references_passes_with_a_valid_report(
    tmp_path: Path, env: dict[str, str], fmt: str
) -> None:
    write(tmp_path / "empty/app.py", 'print("hello")\n')
    result = CliRunner().invoke(
        main, ["scan", str(tmp_path / "empty"), "--format", fmt, "--offline"], env=env
    )
    assert result.exit_code == 0
    assert "no model references found (1 files scanned)" in result.stderr
    if fmt == "json":
        report = json.loads(result.stdout)
        assert report["results"] == [] and report["summary"]["models"] == 0
    elif fmt == "sarif":
        validate(json.loads(result.stdout))
    else:
        assert "No model references found." in result.stdout


def test_unparseable_files_warn_and_the_rest_is_scanned(
    tmp_path: Path, env: dict[str, str], h7hub: HubServer
) -> None:
    write(tmp_path / "r/bad.py", "def broken(:\n")
    write(tmp_path / "r/cfg.yaml", f"model_id: {MIT}\nx: [\n")
    result = run(["scan", str(tmp_path / "r"), "--format", "sarif", "--endpoint", h7hub.url], env)
    assert "licensecheck: warning: bad.py:1: not valid Python" in result.stderr
    assert "licensecheck: warning: cfg.yaml:3: not valid YAML" in result.stderr
    log: dict[str, Any] = json.loads(result.stdout)
    validate(log)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 2
    assert log["runs"][0]["properties"]["models"] == [MIT]
    assert result.exit_code == 0


def test_unreachable_model_is_exit_3_and_others_are_judged(
    tmp_path: Path, env: dict[str, str], h7hub: HubServer
) -> None:
    write(
        tmp_path / "r/app.py",
        f'AutoModel.from_pretrained("{MIT}")\nAutoModel.from_pretrained("h7org/does-not-exist")\n',
    )
    result = run(["scan", str(tmp_path / "r"), "--format", "json", "--endpoint", h7hub.url], env)
    report = json.loads(result.stdout)
    assert [(r["model"], r["status"]) for r in report["results"]] == [
        (MIT, "ok"),
        ("h7org/does-not-exist", "error"),
    ]
    assert report["results"][1]["references"] == [{"path": "app.py", "line": 2}]
    assert result.exit_code == 3


@pytest.mark.parametrize("fmt", ["spdx-json", "cyclonedx-json"])
def test_scan_sboms_place_the_models_under_the_endpoint(
    repo: Path, env: dict[str, str], h7hub: HubServer, fmt: str
) -> None:
    """`scan --format spdx-json` renders through the format registry like `audit`: the
    models' locations are under --endpoint, not HF_ENDPOINT or the public Hub."""
    elsewhere = {**env, "HF_ENDPOINT": "https://mirror.invalid"}
    result = run(["scan", str(repo), "--format", fmt, "--endpoint", h7hub.url], elsewhere)
    assert result.exit_code == 1, result.stderr  # a deny, as above
    sha = h7hub.sha(APACHE)
    assert f"{h7hub.url}/{APACHE}/tree/{sha}" in result.stdout
    assert "mirror.invalid" not in result.stdout and "huggingface.co" not in result.stdout


@pytest.mark.parametrize("command", ["scan", "lock"])
def test_a_fifo_given_as_a_path_is_a_usage_error_not_a_hang(tmp_path: Path, command: str) -> None:
    """`scan x.py` where x.py is a named pipe: reading it would wait for a writer forever."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "models.py"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "licensecheck", command, str(fifo), "--offline"],
        capture_output=True,
        text=True,
        timeout=120,  # a guard so that a regression fails instead of hanging the suite
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"licensecheck: error: {fifo}: not a regular file or directory (a FIFO, socket or device)\n"
    )
