"""`licensecheck audit` end to end: click's runner (and a subprocess) against the loopback Hub.

The issue's "done when": the right licence id and revision sha for repos declaring
apache-2.0, mit, llama3.1, gemma, other + qwen, other + modified-mit with the Kimi LICENSE;
gated, missing and failing repos as errors with exit status 3 while the others are judged;
a second run with no file downloads; --offline from the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _cli import run
from hub_server import APPROVED_TOKEN, HubServer

EXPECTED = {
    "acme/apache-model": "apache-2.0",
    "microsoft/Phi-3-mini-128k-instruct": "mit",
    "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU": "llama3.1",
    "legal-ai/gemma-2-2b-legal-sft": "gemma",
    "AGIcafet/openthaigpt-1.6-72b-instruct-NVFP4": "qwen",
    "moonshotai/Kimi-K2.6": "kimi-modified-mit",
}


def audit_json(
    hub: HubServer, env: dict[str, str], *models: str, extra: tuple[str, ...] = ()
) -> tuple[int, dict[str, Any], str]:
    result = run(["audit", *models, "--endpoint", hub.url, "--format", "json", *extra], env)
    return result.exit_code, json.loads(result.stdout), result.stderr


@pytest.mark.parametrize(("repo", "licence"), sorted(EXPECTED.items()))
def test_licence_id_and_revision(
    hub: HubServer, cli_env: dict[str, str], repo: str, licence: str
) -> None:
    code, report, stderr = audit_json(hub, cli_env, repo)
    (result,) = report["results"]
    assert result["model"] == repo
    assert result["status"] == "ok", result["error"]
    assert result["license"]["id"] == licence
    assert result["revision"] == hub.sha(repo)
    assert result["source"] == "hub"
    assert code in (0, 1)
    assert stderr == ""


def test_all_six_in_one_run_in_input_order(hub: HubServer, cli_env: dict[str, str]) -> None:
    models = list(EXPECTED)
    code, report, _ = audit_json(hub, cli_env, *models, extra=("--jobs", "4"))
    assert [r["model"] for r in report["results"]] == models
    assert [r["license"]["id"] for r in report["results"]] == list(EXPECTED.values())
    assert report["summary"]["models"] == 6 and report["summary"]["errors"] == 0
    assert code == 1  # the default policy reviews what depends on facts it was not given


def test_failures_are_per_model_errors_with_exit_3(hub: HubServer, cli_env: dict[str, str]) -> None:
    hub.add_repo("acme/flaky", {"README.md": b"---\nlicense: mit\n---\n"})
    hub.add_repo("acme/throttled", {"README.md": b"---\nlicense: mit\n---\n"})
    hub.add_repo("acme/slow", {"README.md": b"---\nlicense: mit\n---\n"})
    hub.add_fault(r"^/api/models/acme/flaky", status=503, times=None)
    hub.add_fault(r"^/api/models/acme/throttled", status=429, retry_after=0, times=None)
    hub.add_fault(r"^/api/models/acme/slow", action="hang", seconds=4, times=None)
    hub.add_fault(
        r"/acme/relicensed/resolve/.*/LICENSE$", status=404, error_code="EntryNotFound", times=None
    )
    env = {**cli_env, "LICENSECHECK_HUB_TIMEOUT": "0.5"}
    models = [
        "acme/apache-model",
        "meta-llama/Llama-3.1-8B-Instruct",  # gated: judged from its card metadata
        "acme/does-not-exist",
        "acme/apache-model@no-such-tag",
        "acme/relicensed",  # a listed file that is missing
        "acme/flaky",
        "acme/throttled",
        "acme/slow",
    ]
    code, report, stderr = audit_json(hub, env, *models)
    assert code == 3
    kinds = {
        r["model"]: (r["status"], r["error"]["kind"] if r["error"] else None)
        for r in report["results"]
    }
    assert kinds == {
        "acme/apache-model": ("ok", None),
        "meta-llama/Llama-3.1-8B-Instruct": ("ok", None),
        "acme/does-not-exist": ("error", "not-found"),
        "acme/apache-model@no-such-tag": ("error", "not-found"),
        "acme/relicensed": ("error", "not-found"),
        "acme/flaky": ("error", "network"),
        "acme/throttled": ("error", "network"),
        "acme/slow": ("error", "network"),
    }
    gated = report["results"][1]
    # The agreement in extra_gated_prompt is read: a verified determination, with verdicts.
    assert gated["license"]["id"] == "llama3.1" and gated["license"]["verified"] is True
    assert gated["verdicts"]
    assert report["summary"]["errors"] == 6
    assert "Traceback" not in stderr


def test_second_run_downloads_nothing(hub: HubServer, cli_env: dict[str, str]) -> None:
    models = ["acme/apache-model", "moonshotai/Kimi-K2.6", "legal-ai/gemma-2-2b-legal-sft"]
    _, first, _ = audit_json(hub, cli_env, *models)
    assert hub.downloads()
    hub.clear_log()
    _, second, _ = audit_json(hub, cli_env, *models)
    assert hub.downloads() == []
    # No request for a file either, except the gated base's LICENSE (refused, never cached).
    files = [r for r in hub.requests() if "/resolve/" in r.path]
    assert files and all(r.status == 401 and "LICENSE" in r.path for r in files)
    assert len(hub.requests(contains="/api/models/")) == 4  # three models and one base
    assert first["results"] == second["results"]


def test_offline_reads_the_cache(hub: HubServer, cli_env: dict[str, str]) -> None:
    models = ["acme/apache-model", "moonshotai/Kimi-K2.6", "acme/relicensed@v1.0"]
    _, online, _ = audit_json(hub, cli_env, *models)
    hub.clear_log()
    _, offline, _ = audit_json(hub, cli_env, *models, extra=("--offline",))
    assert hub.requests() == []
    for a, b in zip(online["results"], offline["results"], strict=True):
        assert b["source"] == "cache" and b["status"] == "ok"
        assert (b["license"]["id"], b["revision"]) == (a["license"]["id"], a["revision"])
    assert offline["results"][2]["license"]["id"] == "apache-2.0"
    # A model that was never fetched: a not-found error with a hint, exit 3.
    code, missing, _ = audit_json(hub, cli_env, "acme/never-fetched", extra=("--offline",))
    assert code == 3
    assert missing["results"][0]["error"]["kind"] == "not-found"
    assert "without --offline" in missing["results"][0]["error"]["message"]


def test_exit_statuses_follow_the_policy(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert audit_json(hub, cli_env, "acme/apache-model")[0] == 0
    assert audit_json(hub, cli_env, "AGIcafet/openthaigpt-1.6-72b-instruct-NVFP4")[0] == 1
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("version: 1\nname: lenient\nextends: default\nfail_on: deny\n")
    code, report, _ = audit_json(
        hub,
        cli_env,
        "AGIcafet/openthaigpt-1.6-72b-instruct-NVFP4",
        extra=("--policy", str(lenient)),
    )
    assert report["policy"]["name"] == "lenient"
    assert code == 0
    code, report, _ = audit_json(hub, cli_env, "acme/apache-model", extra=("--use", "research"))
    assert report["uses"] == ["research"] and code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "org/../x"], "MODEL 'org/../x'"),
        (["audit", "./no-such-dir"], "no such directory"),
        (["audit", "acme/apache-model", "--use", "warfare"], "--use 'warfare'"),
        (["audit", "acme/apache-model", "--policy", "missing.yaml"], "missing.yaml"),
        (["audit", "acme/apache-model", "--policy", "p.yaml", "--preset", "default"], "not both"),
        (["audit", "acme/apache-model", "--preset", "nope"], "unknown preset"),
        (["audit", "acme/apache-model", "--format", "yaml"], "'yaml'"),
        (["audit", "acme/apache-model", "--endpoint", "ftp://x"], "--endpoint"),
    ],
)
def test_usage_errors_exit_2_before_any_request(
    hub: HubServer,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    if "--endpoint" not in args:
        args = [*args, "--endpoint", hub.url]
    result = run(args, cli_env)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.startswith("licensecheck: error: ")
    assert hub.requests() == []


def test_invalid_policy_file_names_the_place(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: bad\nverdcit: allow\n")
    result = run(
        ["audit", "acme/apache-model", "--endpoint", hub.url, "--policy", str(bad)], cli_env
    )
    assert result.exit_code == 2
    assert "bad.yaml:3" in result.stderr
    assert hub.requests() == []


def test_output_file_and_default_formats(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = run(["audit", "acme/apache-model", "--endpoint", hub.url, "-o", str(out)], cli_env)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["results"][0]["license"]["id"] == "apache-2.0"
    # Not a terminal and no --format: JSON on stdout.
    piped = run(["audit", "acme/apache-model", "--endpoint", hub.url], cli_env)
    assert json.loads(piped.stdout)["summary"]["allow"] == 1
    # An explicit table when piped: plain text, no colour codes, no progress on stderr.
    plain = run(
        [
            "audit",
            "acme/apache-model",
            "moonshotai/Kimi-K2.6",
            "--endpoint",
            hub.url,
            "--format",
            "table",
        ],
        cli_env,
    )
    assert plain.stdout.startswith("Policy: default (built-in preset)\n")
    assert "\x1b[" not in plain.stdout
    assert plain.stderr == ""


def test_local_directory_is_reported_as_given(
    cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    model = tmp_path / "my-model"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: apache-2.0\n---\n# Mine\n")
    result = run(["audit", "./my-model", "--offline", "--format", "json"], cli_env)
    report = json.loads(result.stdout)
    (entry,) = report["results"]
    assert (entry["model"], entry["source"], entry["license"]["id"]) == (
        "./my-model",
        "local",
        "apache-2.0",
    )


def test_subprocess_with_a_real_token(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """As a user runs it: python -m licensecheck, HF_TOKEN in the environment, never printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(cli_env)
    env.pop("HF_HUB_DISABLE_IMPLICIT_TOKEN")
    env["HF_TOKEN"] = APPROVED_TOKEN
    hub.add_fault(r"^/api/models/acme/apache-model", status=503, times=None)
    proc = subprocess.run(
        [sys.executable, "-m", "licensecheck", "audit", "acme/private-model", "acme/apache-model",
         "--endpoint", hub.url, "--format", "json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    report = json.loads(proc.stdout)
    private, failing = report["results"]
    assert private["status"] == "ok" and private["license"]["id"] == "mit"
    assert failing["error"]["kind"] == "network"
    assert APPROVED_TOKEN not in proc.stdout + proc.stderr
    assert any(r.authorized for r in hub.requests(contains="private-model"))
