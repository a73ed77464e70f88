"""Every error is one line that starts `licensecheck: error:`: click's own usage errors, the
policy commands' errors and the environment's, each with the right exit status."""

from __future__ import annotations

from pathlib import Path

import pytest
from _cli import run
from click.testing import Result

ROOT = Path(__file__).resolve().parent.parent
KIMI = str(ROOT / "examples" / "models" / "kimi-k2.6")


def one_error(result: Result, status: int = 2) -> str:
    assert result.exit_code == status, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("licensecheck: error: "), line
    return line


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["audit", "--nope", KIMI], "No such option '--nope'"),
        (["audit"], "Missing argument 'MODEL...'"),
        (["audit", "--jobs", "0", KIMI], "'--jobs'"),
        (["nosuch"], "No such command 'nosuch'"),
        (["policy", "frobnicate"], "No such command 'frobnicate'"),
        (["identify", "--format", "xml", "LICENSE"], "'--format'"),
        (["sbom", "--format", "xml", KIMI], "'--format'"),
    ],
)
def test_click_usage_errors_are_one_licensecheck_line(args: list[str], needle: str) -> None:
    line = one_error(run(args))
    assert needle in line
    assert "--help" in line  # where to read more


def test_no_command_shows_the_help() -> None:
    result = run([])
    assert result.exit_code == 2
    assert "Commands:" in result.stderr and "audit" in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["policy", "init", "--preset", "nope"], "unknown preset 'nope'"),
        (["policy", "validate", "missing.yaml"], "missing.yaml"),
    ],
)
def test_policy_command_errors(
    args: list[str], needle: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert needle in one_error(run(args))


def test_policy_init_over_an_existing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["policy", "init"]).exit_code == 0
    assert "already exists; use --force" in one_error(run(["policy", "init"]))
