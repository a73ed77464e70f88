"""Configuration found like ruff and pre-commit find theirs: run from a subfolder,
licensecheck finds `.licensecheck.yaml`, `[tool.licensecheck]` in `pyproject.toml` and
`licensecheck.lock` in the parent folders up to the repository root, never above it; a broken
`pyproject.toml` or an unknown key in its table is a configuration error (exit 2), never a
silent fall back to the default policy. `policy validate` with no FILE validates what `audit`
would use."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from licensecheck.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
KIMI = ROOT / "examples" / "models" / "kimi-k2.6"
ML_REPO = ROOT / "examples" / "ml-repo"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def project(tmp_path: Path) -> Path:
    """A git checkout holding a model, with a deep subfolder."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(KIMI, repo / "models" / "kimi")
    (repo / "src" / "pkg").mkdir(parents=True)
    return repo


def policy_yaml(name: str, preset: str = "default") -> str:
    return f"version: 1\nname: {name}\nextends: {preset}\n"


def audit_policy(*extra: str) -> dict[str, object]:
    result = run("audit", "--offline", "--format", "json", "../../models/kimi", *extra)
    assert result.exit_code in (0, 1), result.stderr
    policy: dict[str, object] = json.loads(result.stdout)["policy"]
    return policy


def test_a_policy_file_in_a_parent_folder_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = project(tmp_path)
    (repo / ".licensecheck.yaml").write_text(policy_yaml("team policy"), encoding="utf-8")
    monkeypatch.chdir(repo / "src" / "pkg")
    assert audit_policy() == {
        "name": "team policy",
        "path": "../../.licensecheck.yaml",
        "sha256": audit_policy()["sha256"],
    }
    # The nearest wins: a subfolder's own policy before the root's.
    (repo / "src" / ".licensecheck.yaml").write_text(policy_yaml("src policy"), encoding="utf-8")
    assert audit_policy()["name"] == "src policy"
    # And an explicit --preset before any file.
    assert audit_policy("--preset", "research")["name"] == "research"


def test_pyproject_in_a_parent_folder_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = project(tmp_path)
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.licensecheck]\npolicy = "ci/policy.yaml"\n',
        encoding="utf-8",
    )
    (repo / "ci").mkdir()
    (repo / "ci" / "policy.yaml").write_text(policy_yaml("from pyproject"), encoding="utf-8")
    # A pyproject.toml without the table (a subpackage's) does not stop the search.
    (repo / "src" / "pyproject.toml").write_text('[project]\nname = "sub"\n', encoding="utf-8")
    monkeypatch.chdir(repo / "src" / "pkg")
    policy = audit_policy()
    assert policy["name"] == "from pyproject"
    assert policy["path"] == "../../ci/policy.yaml"

    (repo / "pyproject.toml").write_text('[tool.licensecheck]\npreset = "defense"\n', "utf-8")
    assert audit_policy()["name"] == "defense"


def test_the_search_stops_at_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = project(tmp_path)
    # Above the checkout: not the project's, never read.
    (tmp_path / ".licensecheck.yaml").write_text(policy_yaml("outside"), encoding="utf-8")
    monkeypatch.chdir(repo / "src" / "pkg")
    assert audit_policy()["name"] == "default"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[tool.licensecheck]\npolicy = "p.yaml"\npolicyy = "q.yaml"\n', "unknown key 'policyy'"),
        ('[tool.licensecheck]\npreset = "research"\nfail_on = "deny"\n', "unknown key 'fail_on'"),
        ('[tool.licensecheck\npolicy = "p.yaml"\n', "not valid TOML"),
        ('[tool.licensecheck]\npolicy = "p.yaml"\npreset = "research"\n', "not both"),
        ('[tool.licensecheck]\npreset = "reseach"\n', "preset 'reseach': unknown preset"),
    ],
    ids=["typo", "unknown", "unparsable", "both", "unknown-preset"],
)
def test_a_broken_pyproject_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, needle: str
) -> None:
    repo = project(tmp_path)
    (repo / "pyproject.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(repo / "src" / "pkg")
    for args in (
        ("audit", "--offline", "--format", "json", "../../models/kimi"),
        ("policy", "validate"),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.stdout)
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith("licensecheck: error: ") and needle in line
        assert "pyproject.toml" in line


def test_policy_validate_without_a_file_validates_what_audit_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = project(tmp_path)
    monkeypatch.chdir(repo / "src" / "pkg")
    none = run("policy", "validate")
    assert none.exit_code == 0
    assert "valid policy 'default'" in none.stdout
    assert "built-in 'default' preset" in none.stderr

    (repo / ".licensecheck.yaml").write_text(
        policy_yaml("team") + "rules:\n  - match: {license: mit}\n    verdcit: allow\n",
        encoding="utf-8",
    )
    bad = run("policy", "validate")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("licensecheck: error: ../../.licensecheck.yaml:5:")
    assert "did you mean 'verdict'?" in bad.stderr

    (repo / ".licensecheck.yaml").write_text(policy_yaml("team"), encoding="utf-8")
    good = run("policy", "validate")
    assert good.exit_code == 0, good.stderr
    assert good.stdout.startswith("../../.licensecheck.yaml: valid policy 'team'")


def test_scan_and_lock_from_a_subfolder_use_the_projects_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "ml-repo"
    shutil.copytree(ML_REPO, repo)
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo / "src")
    scanned = run("scan", "--offline", "--locked", "--format", "json")
    assert scanned.exit_code == 0, scanned.stderr
    report = json.loads(scanned.stdout)
    assert report["policy"]["name"] == "Example ML team"  # ../.licensecheck.yaml
    assert {r["source"] for r in report["results"]} == {"lock"}  # ../licensecheck.lock
    assert {ref["path"] for r in report["results"] for ref in r["references"]} <= {
        "serve.py",
        "train.py",
    }

    # A recorded (replayed) run never outlives an edit of the parent folder's policy.
    (repo / ".licensecheck.yaml").write_text(policy_yaml("edited", "research"), encoding="utf-8")
    again = run("scan", "--offline", "--locked", "--format", "json")
    assert json.loads(again.stdout)["policy"]["name"] == "edited"

    before = json.loads((repo / "licensecheck.lock").read_text(encoding="utf-8"))
    locked = run("lock", "--offline")
    assert locked.exit_code == 0, locked.stderr
    assert "locking the project in .." in locked.stderr
    assert not (repo / "src" / "licensecheck.lock").exists()
    after = json.loads((repo / "licensecheck.lock").read_text(encoding="utf-8"))
    assert sorted(after["models"]) == sorted(before["models"])  # the whole project, kept
