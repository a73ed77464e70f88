"""Hub faults: every model ends judged correctly or as a `network` error, never anything else.

One `licensecheck audit` run (a fresh process, as CI runs it) holds one model per fault,
each with its own fault on the loopback Hub (tests/hub_server.py), plus two healthy models:
5xx once and for good, 429 with Retry-After, dropped connections, answers that never come,
truncated bodies, on model_info and on the file GET; a file body that does not hash to its
ETag, and an ETag that is no file name (an `invalid` answer, not a network error). The run must take bounded time (the retry budget is set through the documented
LICENSECHECK_HUB_* variables), exit 3, and judge the healthy models. A second run without
faults, on the same HF cache, must judge every model correctly: nothing half-written in the
HF cache or in licensecheck's own cache is ever read back. A third run, --offline, agrees.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _hardening_support import hf_cache_problems, own_cache_problems, run_cli
from click.testing import CliRunner
from hub_server import HubServer, corpus_license, make_card, populate

from licensecheck.cli.main import main

OK, NET, INVALID, EITHER = "ok", "network", "invalid", "either"
MODEL_INFO = r"^/api/models/fault/{name}(?:/|$)"
LICENSE = r"^/fault/{name}/resolve/[^/]+/LICENSE$"
README = r"^/fault/{name}/resolve/[^/]+/README\.md$"
HEALTHY = {"acme/apache-model": "apache-2.0", "microsoft/Phi-3-mini-128k-instruct": "mit"}

# (name, where, fault, expected outcome)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    # model_info: our own bounded retries
    ("mi-503-once", MODEL_INFO, {"status": 503, "times": 1}, OK),
    ("mi-503-always", MODEL_INFO, {"status": 503, "times": None}, NET),
    ("mi-429-once", MODEL_INFO, {"status": 429, "retry_after": 0.2, "times": 1}, OK),
    ("mi-429-always", MODEL_INFO, {"status": 429, "retry_after": 0, "times": None}, NET),
    ("mi-drop-once", MODEL_INFO, {"action": "drop", "times": 1}, OK),
    ("mi-drop-always", MODEL_INFO, {"action": "drop", "times": None}, NET),
    ("mi-hang", MODEL_INFO, {"action": "hang", "seconds": 6, "times": None}, NET),
    ("mi-truncate-once", MODEL_INFO, {"action": "truncate", "times": 1}, EITHER),
    ("mi-truncate-always", MODEL_INFO, {"action": "truncate", "times": None}, NET),
    # the file's body
    ("get-500-once", LICENSE, {"method": "GET", "status": 500, "times": 1}, OK),
    ("get-502-always", LICENSE, {"method": "GET", "status": 502, "times": None}, NET),
    ("get-429-once", LICENSE, {"method": "GET", "status": 429, "retry_after": 0}, OK),
    ("get-drop-once", LICENSE, {"method": "GET", "action": "drop", "times": 1}, OK),
    ("get-drop-always", LICENSE, {"method": "GET", "action": "drop", "times": None}, NET),
    ("get-truncate-once", LICENSE, {"method": "GET", "action": "truncate", "times": 1}, OK),
    ("get-truncate-always", LICENSE, {"method": "GET", "action": "truncate", "times": None}, NET),
    ("get-hang", LICENSE, {"method": "GET", "action": "hang", "seconds": 6, "times": None}, NET),
    # a body that does not hash to its ETag never enters the cache
    ("get-corrupt-once", LICENSE, {"method": "GET", "action": "corrupt", "times": 1}, OK),
    ("get-corrupt-always", LICENSE, {"method": "GET", "action": "corrupt", "times": None}, NET),
    ("get-bad-etag", LICENSE, {"method": "GET", "action": "etag", "value": '"../../x"'}, INVALID),
    ("readme-get-503-always", README, {"method": "GET", "status": 503, "times": None}, NET),
]


def fault_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment with a small, explicit Hub budget (docs/security.md)."""
    return {
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_CACHE": str(tmp_path / "hf-cache"),
        "LICENSECHECK_CACHE_DIR": str(tmp_path / "lc-cache"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DOWNLOAD_TIMEOUT": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "LICENSECHECK_HUB_TIMEOUT": "0.5",
        "LICENSECHECK_HUB_RETRIES": "1",
        "LICENSECHECK_HUB_DEADLINE": "3",
        "LICENSECHECK_TODAY": "2026-06-01",
    }


def add_fault_repos(hub: HubServer) -> dict[str, str]:
    """One MIT repo per case (faults are scoped to its path); returns repo id -> sha."""
    shas = {}
    for name, _, _, _ in CASES:
        repo = f"fault/{name}"
        shas[repo] = hub.add_repo(
            repo,
            {
                "README.md": make_card(f"# {name}\n", license="mit"),
                "LICENSE": corpus_license("mit.txt"),
            },
        )
    return shas


def by_model(stdout: str) -> dict[str, dict[str, Any]]:
    report = json.loads(stdout)
    return {r["model"]: r for r in report["results"]}


@pytest.fixture
def own_hub() -> Iterator[HubServer]:
    """A Hub imitation of its own: a hung request is logged when it ends, which must not
    reach another test's request log; stopping the server ends the hangs."""
    with HubServer() as server:
        populate(server)
        yield server


def test_every_fault_is_judged_or_a_network_error_and_a_clean_run_recovers(
    own_hub: HubServer, tmp_path: Path
) -> None:
    hub = own_hub
    shas = add_fault_repos(hub)
    for name, where, fault, _ in CASES:
        hub.add_fault(where.format(name=name), **fault)
    env = fault_env(tmp_path)
    # The imitation stands for huggingface.co: huggingface_hub's Hub (HF_ENDPOINT), whose
    # ETags are content hashes, so a corrupt body is caught (a mirror's is taken on size).
    env["HF_ENDPOINT"] = hub.url
    models = [*HEALTHY, *shas]
    args = ["audit", *models, "--endpoint", hub.url, "--format", "json", "--jobs", "32"]

    start = time.monotonic()
    faulty = run_cli(args, env, tmp_path)
    elapsed = time.monotonic() - start

    assert faulty.code == 3, faulty.err
    assert "Traceback" not in faulty.err
    assert elapsed < 30, f"the fault run took {elapsed:.1f}s"
    results = by_model(faulty.out)
    assert list(results) == models
    for model, licence in HEALTHY.items():
        assert results[model]["status"] == "ok", results[model]["error"]
        assert results[model]["license"]["id"] == licence
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    for name, _, _, _ in CASES:
        result = results[f"fault/{name}"]
        if result["status"] == "ok":
            # Judged means judged correctly: the right licence at the right commit.
            assert result["license"]["id"] == "mit", name
            assert result["revision"] == shas[f"fault/{name}"], name
            outcomes[name] = OK
        else:
            assert result["error"]["kind"] in (NET, INVALID), (name, result["error"])
            assert "\n" not in result["error"]["message"]
            assert result["error"]["message"].startswith(f"fault/{name}"), result["error"]
            outcomes[name] = result["error"]["kind"]
            messages[name] = result["error"]["message"]
    wanted = {name: expected for name, _, _, expected in CASES if expected != EITHER}
    assert {name: outcomes[name] for name in wanted} == wanted, messages
    errors = [o for o in outcomes.values() if o != OK]
    assert json.loads(faulty.out)["summary"]["errors"] == len(errors)

    hub.clear_faults()
    clean = run_cli(args, env, tmp_path)
    assert clean.code in (0, 1), [r["error"] for r in by_model(clean.out).values() if r["error"]]
    results = by_model(clean.out)
    for model in models:
        assert results[model]["status"] == "ok", results[model]["error"]
        assert results[model]["license"]["id"] == HEALTHY.get(model, "mit"), model
        assert results[model]["revision"] == hub.sha(model), model
    assert hf_cache_problems(tmp_path / "hf-cache") == []
    assert own_cache_problems(tmp_path / "lc-cache") == []

    offline = run_cli(["audit", *models, "--offline", "--format", "json"], env, tmp_path)
    assert offline.code == clean.code, offline.err
    results = by_model(offline.out)
    assert {m: (r["source"], r["license"]["id"]) for m, r in results.items()} == {
        m: ("cache", HEALTHY.get(m, "mit")) for m in models
    }


def test_retry_budget_is_configurable(hub: HubServer, cli_env: dict[str, str]) -> None:
    """LICENSECHECK_HUB_RETRIES=0 turns a single 503 into a network error; the default
    retries it. Bad values are one-line usage errors (exit 2) before any request."""
    hub.add_repo("fault/budget", {"README.md": make_card(license="mit")})
    args = ["audit", "fault/budget", "--endpoint", hub.url, "--format", "json"]
    runner = CliRunner()

    hub.add_fault(MODEL_INFO.format(name="budget"), status=503, times=1)
    strict = runner.invoke(main, args, env={**cli_env, "LICENSECHECK_HUB_RETRIES": "0"})
    assert strict.exit_code == 3
    assert by_model(strict.stdout)["fault/budget"]["error"]["kind"] == "network"

    hub.add_fault(MODEL_INFO.format(name="budget"), status=503, times=1)
    default = runner.invoke(main, args, env=cli_env)
    assert by_model(default.stdout)["fault/budget"]["status"] == "ok"

    hub.clear_log()
    for name, value in [
        ("LICENSECHECK_HUB_RETRIES", "-1"),
        ("LICENSECHECK_HUB_RETRIES", "many"),
        ("LICENSECHECK_HUB_DEADLINE", "0"),
        ("LICENSECHECK_HUB_TIMEOUT", "soon"),
    ]:
        bad = runner.invoke(main, args, env={**cli_env, name: value})
        assert bad.exit_code == 2, (name, value, bad.output)
        assert bad.stderr.count("\n") == 1 and name in bad.stderr
    assert hub.requests() == []


@pytest.mark.parametrize("deadline", ["1.5"])
def test_a_hub_that_never_answers_costs_the_deadline_not_minutes(
    own_hub: HubServer, cli_env: dict[str, str], deadline: str
) -> None:
    """Every file request hangs: huggingface_hub alone would wait and retry for minutes. (Its
    own server: a hung request is logged when it ends, which would leak into other tests.)"""
    hub = own_hub
    hub.add_repo(
        "fault/all-heads-hang",
        {"README.md": make_card(license="mit"), "LICENSE": corpus_license("mit.txt")},
    )
    hub.add_fault(
        r"^/fault/all-heads-hang/resolve/", method="GET", action="hang", seconds=8, times=None
    )
    env = {**cli_env, "LICENSECHECK_HUB_TIMEOUT": "0.3", "LICENSECHECK_HUB_DEADLINE": deadline}
    start = time.monotonic()
    result = CliRunner().invoke(
        main, ["audit", "fault/all-heads-hang", "--endpoint", hub.url, "--format", "json"], env=env
    )
    assert time.monotonic() - start < 6
    assert result.exit_code == 3
    error = by_model(result.stdout)["fault/all-heads-hang"]["error"]
    assert error["kind"] == "network" and "README.md" in error["message"]
