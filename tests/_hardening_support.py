"""Helpers for the hardening tests (tests/test_hardening_*.py): running the CLI as a user
does (a fresh process, an environment of our choosing), and checking that the HF cache and
licensecheck's own cache hold nothing half-written."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hub_server import blob_sha1

REPO_ROOT = Path(__file__).resolve().parent.parent
# Variables that would let the developer's own Hugging Face setup leak into a test run.
_HOST_VARS = ("HF_", "HUGGING", "LICENSECHECK_", "SOURCE_DATE_EPOCH", "NO_COLOR")


@dataclass(frozen=True)
class Run:
    code: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", errors="replace")


def clean_env(extra: Mapping[str, str], *, order: str = "sorted") -> dict[str, str]:
    """The host environment minus Hugging Face / licensecheck settings, plus `extra`.

    `order` (sorted or reversed) changes the order of the variables, for determinism tests.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_HOST_VARS)}
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    keys = sorted(env, reverse=order == "reversed")
    return {k: env[k] for k in keys}


def run_cli(
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    *,
    timeout: float = 120,
    order: str = "sorted",
) -> Run:
    """`python -m licensecheck ARGS` in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-m", "licensecheck", *args],
        capture_output=True,
        env=clean_env(env, order=order),
        cwd=cwd,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def hf_cache_problems(cache: Path) -> list[str]:
    """What is wrong in an HF cache: a blob whose bytes do not match its name (the imitation's
    etag is the git blob sha1), or a snapshot entry that leads to a partial blob."""
    problems: list[str] = []
    for blob in sorted(cache.glob("models--*/blobs/*")):
        if blob.name.endswith(".incomplete"):
            continue  # a download in progress or abandoned; checked through the snapshots
        if blob_sha1(blob.read_bytes()) != blob.name:
            problems.append(f"blob {blob} does not hold what its name says")
    for entry in sorted(cache.glob("models--*/snapshots/*/**/*")):
        if entry.is_dir() and not entry.is_symlink():
            continue
        target = entry.resolve()
        if not target.is_file():
            problems.append(f"snapshot entry {entry} leads nowhere")
        elif target.name.endswith(".incomplete"):
            problems.append(f"snapshot entry {entry} leads to a partial download")
        elif target.parent.name == "blobs" and blob_sha1(target.read_bytes()) != target.name:
            problems.append(f"snapshot entry {entry} leads to a corrupt blob")
    for ref in sorted(cache.glob("models--*/refs/*")):
        sha = ref.read_text(encoding="utf-8").strip()
        if not (ref.parent.parent / "snapshots" / sha).is_dir():
            problems.append(f"ref {ref} names a snapshot that is not there")
    return problems


def own_cache_problems(cache: Path) -> list[str]:
    """licensecheck's own cache (the identify index, and any JSON entries such as cached
    determinations or Hub answers): every file there must load whole. Temporary files
    (a leading dot, as the atomic writers name them) are never read back, so not checked."""
    problems: list[str] = []
    for path in sorted(cache.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            if path.suffix == ".pickle":
                with path.open("rb") as fh:
                    pickle.load(fh)
            elif path.suffix == ".json":
                json.loads(path.read_bytes())
        except Exception as exc:  # any failure to load is a half-written file
            problems.append(f"{path.relative_to(cache)}: {type(exc).__name__}")
    return problems
