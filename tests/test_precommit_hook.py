"""The real pre-commit runs the licensecheck hook from .pre-commit-hooks.yaml.

A clone of this repository is the hook repository; a temporary git repository is the user's
project, with a committed licensecheck.lock so that the hook needs no network
(HF_HUB_OFFLINE=1 makes `scan` offline; the lock answers). pre-commit builds the hook's own
virtualenv once per module (pip install of the clone), then:

- `pre-commit try-repo` fails on the file that loads a denied model;
- with the hook installed (`pre-commit install`), `git commit` of a file that loads a
  denied model is refused, and a commit of an allowed one goes through.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from _scan_support import metadata_lock_entry

from licensecheck import lockfile

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
ALLOWED = "acme/apache-model"
DENIED = "acme/nc-model"


def entry(repo_id: str, licence: str) -> lockfile.LockEntry:
    return metadata_lock_entry(repo_id, licence, 0x0123456789ABCDEF0123456789ABCDEF01234567)


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=check, timeout=60
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository as committed, as a hook repository pre-commit can clone."""
    if shutil.which("git") is None:
        pytest.fail("git is required for the pre-commit tests")
    clone = tmp_path_factory.mktemp("hook") / "licensecheck"
    git(ROOT, "clone", "-q", "--no-hardlinks", str(ROOT), str(clone))
    return clone


@pytest.fixture(scope="module")
def pc_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        {
            "PRE_COMMIT_HOME": str(home),
            "HF_HUB_OFFLINE": "1",
            "HF_HOME": str(home / "hf"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "LICENSECHECK_TODAY": "2026-01-15",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        }
    )
    return env


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """The user's ML project: a git repository with a committed lock."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    lock = lockfile.Lock(
        models={e.key: e for e in (entry(ALLOWED, "apache-2.0"), entry(DENIED, "cc-by-nc-4.0"))},
        policy_name="default",
    )
    lockfile.write(root / "licensecheck.lock", lock)
    (root / "README.md").write_text("# project\n")
    yield root


def loader(model: str) -> str:
    return f'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("{model}")\n'


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_try_repo_fails_on_the_file_that_loads_a_denied_model(
    hook_repo: Path, project: Path, pc_env: dict[str, str]
) -> None:
    # One try-repo run (each builds the hook's virtualenv afresh, ~15 s): both files are
    # scanned, the allowed one passes, the denied one fails the hook. The passing case alone
    # is covered by the installed hook below.
    (project / "ok.py").write_text(loader(ALLOWED))
    (project / "bad.py").write_text(loader(DENIED))
    git(project, "add", ".")
    cmd = [*PRE_COMMIT, "try-repo", str(hook_repo), "licensecheck", "--files", "ok.py", "bad.py"]
    bad = run(cmd, project, pc_env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "licensecheck (model licences)" in bad.stdout and "Failed" in bad.stdout
    rows: dict[str, list[str]] = {}
    for line in bad.stdout.splitlines():  # one line per model: the verdict cells, the model
        cells = line.split()
        models = [c for c in cells if c.startswith("acme/")]
        if models and cells[0] in ("allow", "review", "deny"):
            rows.setdefault(models[0], cells[: cells.index(models[0])])
    assert "deny" in rows[DENIED]
    assert "deny" not in rows[ALLOWED] and "allow" in rows[ALLOWED]


def test_installed_hook_refuses_a_commit_that_adds_a_denied_model(
    hook_repo: Path, project: Path, pc_env: dict[str, str]
) -> None:
    rev = git(hook_repo, "rev-parse", "HEAD").stdout.strip()
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "licensecheck"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "initial")  # before the hook is installed
    installed = run([*PRE_COMMIT, "install"], project, pc_env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    (project / "src").mkdir()
    (project / "src/train.py").write_text(loader(ALLOWED))
    git(project, "add", "src/train.py")
    good = run(["git", "commit", "-m", "train with an Apache-2.0 model"], project, pc_env)
    assert good.returncode == 0, good.stdout + good.stderr
    head = git(project, "rev-parse", "HEAD").stdout

    (project / "src/classify.py").write_text(loader(DENIED))
    git(project, "add", "src/classify.py")
    refused = run(["git", "commit", "-m", "add a non-commercial model"], project, pc_env)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "licensecheck (model licences)" in output and "Failed" in output
    assert DENIED in output
    assert git(project, "rev-parse", "HEAD").stdout == head  # nothing was committed
