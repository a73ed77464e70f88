"""`licensecheck lock` and the lock in use: deterministic content, atomic writes, offline and
`--locked` runs with no network at all, and drift when a model is relicensed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli import run
from _scan_support import (
    APACHE,
    LLAMA_BASE,
    LLAMA_FT,
    MIT,
    NC,
    RELICENSED,
    expected,
    hub_env,
    make_repo,
    populate,
    relicense,
    report_refs,
    validate,
    write,
)
from click.testing import CliRunner
from hub_server import HubServer

from licensecheck import lockfile
from licensecheck.cli.main import main
from licensecheck.facts import ModelRef

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def hub() -> Iterator[HubServer]:
    """A Hub of its own per test: drift tests change repositories."""
    with HubServer() as server:
        populate(server)
        yield server


@pytest.fixture
def env(hub: HubServer, tmp_path: Path) -> dict[str, str]:
    return hub_env(hub, tmp_path / "hf-cache")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def locked(repo: Path, env: dict[str, str], hub: HubServer) -> Path:
    result = run(["lock", str(repo), "--endpoint", hub.url], env)
    assert result.exit_code == 0, result.stderr
    return repo / "licensecheck.lock"


def test_lock_records_revisions_determinations_lineage_and_policy(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    path = locked(repo, env, hub)
    data = json.loads(path.read_text("utf-8"))
    assert data["lock_version"] == 1
    assert data["policy"]["name"] == "default" and len(data["policy"]["sha256"]) == 64
    models = data["models"]
    assert sorted(models) == sorted(m.lower() for m in (APACHE, LLAMA_FT, NC, MIT, LLAMA_BASE))
    for entry in models.values():
        assert entry["revision"] == hub.sha(entry["repo_id"])
        assert entry["referenced"] is (entry["repo_id"] != LLAMA_BASE)
        assert {f["path"] for f in entry["files"]} >= {"LICENSE"}
        assert all(len(f["sha256"]) == 64 for f in entry["files"])
    ft = models[LLAMA_FT.lower()]
    assert ft["license"]["id"] == "llama3.1"
    assert [(x["model"], x["relation"], x["license"]) for x in ft["lineage"]] == [
        (LLAMA_BASE, "finetune", "llama3.1")
    ]
    assert ft["effective_licenses"] == ["llama3.1"]
    assert models[NC.lower()]["license"]["id"] == "cc-by-nc-4.0"
    assert "licensecheck: wrote" in run(["lock", str(repo), "--endpoint", hub.url], env).stderr


def test_lock_is_byte_identical_and_has_no_timestamps(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    first = locked(repo, env, hub).read_bytes()
    second = locked(repo, env, hub).read_bytes()
    assert first == second
    assert b"2026" not in first  # LICENSECHECK_TODAY is pinned: no date leaks into the lock
    assert not list(repo.glob(".licensecheck.lock.*"))  # no temporary files left


def _offline_subprocess(
    repo: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter where every socket connect fails, and report which
    heavy modules got imported."""
    code = (
        "import atexit, socket, sys\n"
        "def _no_network(*a, **k):\n"
        "    raise OSError('network disabled by the test')\n"
        "socket.socket.connect = _no_network\n"
        "socket.create_connection = _no_network\n"
        "atexit.register(lambda: sys.stderr.write('\\nIMPORTED:' + ','.join(sorted(\n"
        "    m for m in ('huggingface_hub', 'rich', 'httpx', 'requests') if m in sys.modules))))\n"
        "from licensecheck.cli.main import main\n"
        "main()\n"
    )
    full_env = {**os.environ, **env, "HF_ENDPOINT": "http://127.0.0.1:9", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=repo,
        timeout=120,
    )


def test_offline_locked_needs_no_network_and_no_hub_client(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    online = json.loads(
        run(["scan", str(repo), "--format", "json", "--endpoint", hub.url], env).stdout
    )
    locked(repo, env, hub)
    hub.clear_log()
    proc = _offline_subprocess(repo, env, "scan", "--offline", "--locked", "--format", "json")
    assert hub.requests() == []
    assert proc.stderr.rstrip().endswith("IMPORTED:"), proc.stderr  # none of them
    offline = json.loads(proc.stdout)
    assert proc.returncode == 1  # the cc-by-nc model is denied for commercial use
    assert report_refs(offline) == sorted(expected(repo))
    assert {r["source"] for r in offline["results"]} == {"lock"}

    # the same licences and verdicts as the online run
    def verdicts(report: dict[str, object]) -> dict[str, object]:
        return {
            r["model"]: (
                r["license"]["id"],
                r["effective_licenses"],
                {u: v["verdict"] for u, v in r["verdicts"].items()},
            )
            for r in report["results"]  # type: ignore[attr-defined]
        }

    assert verdicts(offline) == verdicts(online)


def test_drift_is_reported_and_fails(
    repo: Path, env: dict[str, str], hub: HubServer, tmp_path: Path
) -> None:
    write(repo / "src/extra.py", f'm = AutoModel.from_pretrained("{RELICENSED}")\n')
    locked(repo, env, hub)
    lock_before = (repo / "licensecheck.lock").read_bytes()
    ok = run(
        [
            "scan",
            str(repo / "src/extra.py"),
            "--format",
            "json",
            "--endpoint",
            hub.url,
            "--lockfile",
            str(repo / "licensecheck.lock"),
        ],
        env,
    )
    assert ok.exit_code == 0, ok.stderr  # apache-2.0, as locked
    new_sha = relicense(hub)
    result = run(["scan", str(repo), "--format", "json", "--endpoint", hub.url], env)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    drifted = next(r for r in report["results"] if r["model"] == RELICENSED)
    assert drifted["revision"] == new_sha
    assert any(
        f.startswith("lock-drift: licence apache-2.0 in licensecheck.lock")
        and f.endswith("now cc-by-nc-4.0")
        for f in drifted["findings"]
    )
    assert drifted["verdicts"]["research"]["verdict"] == "review"  # allowed, but drifted
    assert drifted["verdicts"]["research"]["reasons"][-1]["rule"] == "lock:drift"
    assert "warning: h7org/relicensed: licence apache-2.0" in result.stderr
    sarif = json.loads(
        run(["scan", str(repo), "--format", "sarif", "--endpoint", hub.url], env).stdout
    )
    validate(sarif)
    drift_hits = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "drift"
    ]
    assert drift_hits == ["src/extra.py"]
    # the offline run still sees the locked licence; the lock itself was not touched
    offline = run(
        [
            "scan",
            str(repo / "src/extra.py"),
            "--offline",
            "--locked",
            "--lockfile",
            str(repo / "licensecheck.lock"),
            "--format",
            "json",
        ],
        env,
    )
    assert offline.exit_code == 0
    assert (repo / "licensecheck.lock").read_bytes() == lock_before


def test_locked_fails_for_a_model_missing_from_the_lock(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    locked(repo, env, hub)
    write(repo / "src/new.py", f'\nm = AutoModel.from_pretrained("{RELICENSED}")\n')
    result = CliRunner().invoke(main, ["scan", str(repo), "--offline", "--locked"], env=env)
    assert result.exit_code == 2
    assert f"no entry for {RELICENSED} (src/new.py:2)" in result.stderr
    assert result.stdout == ""


def test_locked_without_a_lock_is_a_usage_error(repo: Path, env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["scan", str(repo), "--offline", "--locked"], env=env)
    assert result.exit_code == 2
    assert "licensecheck.lock: no lock file; run `licensecheck lock`" in result.stderr


def test_a_broken_lock_is_reported_with_its_place(repo: Path, env: dict[str, str]) -> None:
    (repo / "licensecheck.lock").write_text('{\n  "lock_version": 1,\n  "models": {\n}}}\n')
    result = CliRunner().invoke(main, ["scan", str(repo), "--offline"], env=env)
    assert result.exit_code == 2
    assert "licensecheck.lock:4:3: not valid JSON: Extra data" in result.stderr
    (repo / "licensecheck.lock").write_text(
        '{"lock_version": 1, "models": {"a/b": {"repo_id": 3}}}'
    )
    result = CliRunner().invoke(main, ["scan", str(repo), "--offline"], env=env)
    assert result.exit_code == 2
    assert "models.a/b: 'card' is missing or has the wrong type" in result.stderr


def test_lock_records_what_it_can_and_names_the_missing_model(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    path = locked(repo, env, hub)
    before = json.loads(path.read_text())["models"]
    write(repo / "src/gone.py", 'AutoModel.from_pretrained("h7org/does-not-exist")\n')
    result = run(["lock", str(repo), "--endpoint", hub.url], env)
    assert result.exit_code == 3
    assert "missing 1 model that could not be resolved: h7org/does-not-exist" in result.stderr
    after = json.loads(path.read_text())["models"]
    assert after == before  # every other model recorded as before, the missing one absent
    scan = run(["scan", str(repo), "--offline", "--locked"], env)
    assert scan.exit_code == 2 and "no entry for h7org/does-not-exist" in scan.stderr


def test_interrupted_write_leaves_the_old_lock_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "licensecheck.lock"
    lockfile.write(path, lockfile.Lock(policy_name="old", policy_sha256="0" * 64))
    before = path.read_bytes()

    def interrupted(src: str, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lockfile.write(path, lockfile.Lock(policy_name="new", policy_sha256="1" * 64))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["licensecheck.lock"]


def test_offline_relock_from_the_lock_is_identical(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    path = locked(repo, env, hub)
    before = path.read_bytes()
    hub.clear_log()
    result = CliRunner().invoke(main, ["lock", str(repo), "--offline"], env=env)
    assert result.exit_code == 0, result.stderr
    assert hub.requests() == []
    assert path.read_bytes() == before
    assert "(0 added, 0 changed, 0 removed)" in result.stderr


def test_lock_round_trip_keeps_every_field(repo: Path, env: dict[str, str], hub: HubServer) -> None:
    path = locked(repo, env, hub)
    lock = lockfile.read(path)
    assert lockfile.dumps(lock) == path.read_text("utf-8")
    entry = lock.models[LLAMA_FT.lower()]
    assert entry.licenses == ("llama3.1",)
    assert lock.lookup(ModelRef(LLAMA_FT.upper())) is entry  # Hub ids are case-insensitive
    assert lock.lookup(ModelRef(LLAMA_FT, entry.revision)) is entry  # pinned to the locked sha
    assert lock.lookup(ModelRef(LLAMA_FT, "other-branch")) is None


def test_locked_without_references_needs_no_lock(tmp_path: Path, env: dict[str, str]) -> None:
    write(tmp_path / "r/app.py", "print('no models here')\n")
    result = CliRunner().invoke(
        main, ["scan", str(tmp_path / "r"), "--offline", "--locked"], env=env
    )
    assert result.exit_code == 0, result.stderr
    assert "no model references found" in result.stderr


def test_a_lock_revision_that_is_no_commit_sha_is_refused(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    """`lock` records the commit sha a reference resolved to; a revision edited into a path
    or a terminal escape is a damaged lock (exit 2, the place named), never echoed back."""
    path = locked(repo, env, hub)
    data = json.loads(path.read_text("utf-8"))
    key = sorted(data["models"])[0]
    data["models"][key]["revision"] = "../../../etc\x1b]0;owned\x07"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(repo), "--offline", "--locked"], env=env)
    assert result.exit_code == 2, result.stdout
    assert f"models.{key}.revision: not a 40-hex commit sha" in result.stderr
    assert "etc" not in result.stdout + result.stderr and "\x1b" not in result.stderr
