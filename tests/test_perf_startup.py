"""Start-up paths import only what they use; our Hub calls send no telemetry.

Each case runs a fresh interpreter (what a user or a pre-commit hook starts) and reports,
at exit, which heavy modules it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _perf_support import add_models
from hub_server import HubServer, corpus_license, make_card

HEAVY = ("huggingface_hub", "httpx2", "rich", "yaml", "spdx_tools", "cyclonedx")
PROBE = (
    "import atexit, sys\n"
    f"heavy = {HEAVY!r}\n"
    "atexit.register(lambda: sys.stderr.write('\\nHEAVY:' + ','.join(sorted(\n"
    "    m for m in heavy if m in sys.modules))))\n"
    "from licensecheck.cli.main import main\n"
    "main()\n"
)


def heavy_imports(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, set[str], str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = proc.stderr.rsplit("HEAVY:", 1)[-1].strip()
    return proc.returncode, set(filter(None, found.split(","))), proc.stdout


@pytest.fixture
def env(tmp_path: Path, cli_env: dict[str, str]) -> dict[str, str]:
    # The user cache is this test's own: a cold licensecheck cache is the harder case.
    return {
        **os.environ,
        **cli_env,
        "LICENSECHECK_CACHE_DIR": str(tmp_path / "lc-cache"),
        "LICENSECHECK_TODAY": "2026-01-15",
    }


def test_version_imports_nothing_heavy(env: dict[str, str], tmp_path: Path) -> None:
    status, heavy, out = heavy_imports(["--version"], env, tmp_path)
    assert status == 0 and "licensecheck" in out
    assert heavy == set()


def test_offline_audit_of_a_local_model_needs_no_hub_client(
    env: dict[str, str], tmp_path: Path
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_bytes(make_card(license="mit"))
    (model / "LICENSE").write_bytes(corpus_license("mit.txt"))
    args = ["audit", "--offline", "--format", "json", str(model)]
    status, heavy, out = heavy_imports(args, env, tmp_path)
    assert status == 0, out
    assert json.loads(out)["results"][0]["license"]["id"] == "mit"
    # yaml: the README front matter; nothing that speaks to the Hub or draws on a terminal.
    assert heavy <= {"yaml"}


def test_offline_scan_reads_the_hf_cache_without_the_hub_client(
    env: dict[str, str], tmp_path: Path, hf_cache: Path
) -> None:
    sha = "a" * 40
    folder = hf_cache / "models--perf-org--cached"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(sha)
    snapshot = folder / "snapshots" / sha
    snapshot.mkdir(parents=True)
    (snapshot / "README.md").write_bytes(make_card(license="apache-2.0"))
    (snapshot / "LICENSE").write_bytes(corpus_license("apache-2.0.txt"))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.py").write_text(
        'from transformers import AutoModel\nm = AutoModel.from_pretrained("perf-org/cached")\n'
    )
    status, heavy, out = heavy_imports(["scan", "--offline", "--format", "json", "."], env, repo)
    assert status == 0, out
    assert "huggingface_hub" not in heavy and "httpx2" not in heavy and "rich" not in heavy


def test_an_online_audit_sends_no_telemetry(
    hub: HubServer, env: dict[str, str], tmp_path: Path
) -> None:
    ids = add_models(hub, "perf-telemetry", 2)
    # The client's own endpoint is the imitation too, so a telemetry request would land
    # here; and telemetry is not switched off in the environment: our requests carry none.
    online = {**env, "HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf-home")}
    online.pop("HF_HUB_DISABLE_TELEMETRY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "licensecheck", "audit", "--format", "json", *ids],
        env=online,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    paths = {r.path for r in hub.requests()}
    assert paths and all(
        p.startswith(("/api/models/", "/api/resolve-cache/")) or "/resolve/" in p for p in paths
    )
    assert not (tmp_path / "hf-home" / ".agent_harnesses.json").exists()


def test_an_online_cold_audit_never_imports_the_download_code(
    hub: HubServer, env: dict[str, str], tmp_path: Path
) -> None:
    """Licence files come with one GET each (sources/hub_download.py): huggingface_hub's
    `file_download`, `hf_api` and tqdm stay out of the process, cold HF cache included."""
    ids = add_models(hub, "perf-no-download-code", 2)
    unused = ("huggingface_hub.file_download", "huggingface_hub.hf_api", "tqdm")
    probe = PROBE.replace(f"heavy = {HEAVY!r}", f"heavy = {unused!r}")
    online = {**env, "HF_HOME": str(tmp_path / "hf-home")}
    proc = subprocess.run(
        [sys.executable, "-c", probe, "audit", "--endpoint", hub.url, "--format", "json", *ids],
        env=online,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert hub.downloads(), "the files were downloaded"
    assert proc.stderr.rsplit("HEAVY:", 1)[-1].strip() == ""
