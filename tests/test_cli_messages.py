"""Every error is one line that starts `licensecheck: error:`: click's own usage errors, the
policy commands' errors and the environment's, each with the right exit status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli import run
from _scan_support import hub_env
from click.testing import Result
from hub_server import HubServer

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


# --- arguments and environment ------------------------------------------------------------


@pytest.fixture(scope="module")
def hub() -> Iterator[HubServer]:
    with HubServer() as server:
        yield server


def test_a_model_named_twice_is_judged_once(hub: HubServer, tmp_path: Path) -> None:
    local = run(["audit", "--offline", "--format", "json", KIMI, KIMI, f"{KIMI}/."])
    assert [r["model"] for r in json.loads(local.stdout)["results"]] == [KIMI]
    hub.clear_log()
    env = hub_env(hub, tmp_path / "hf")
    remote = run(["audit", "--format", "json", "acme/x", "ACME/X", "acme/x"], env)
    assert [r["model"] for r in json.loads(remote.stdout)["results"]] == ["acme/x"]
    assert len(hub.requests(contains="/api/models/")) == 1


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["audit", "--endpoint", "", "acme/x"], {}, "--endpoint '': expected an http"),
        (["audit", "--endpoint", " ", "acme/x"], {}, "--endpoint"),
        (["audit", "acme/x"], {"LICENSECHECK_HUB_TIMEOUT": "0"}, "must be more than 0"),
        (["audit", "acme/x"], {"LICENSECHECK_HUB_TIMEOUT": "-1"}, "must be more than 0"),
        (["licenses", "--family", "nosuch"], {}, "--family 'nosuch': no such licence family"),
        (["licenses", "--family", "lama"], {}, "did you mean 'llama'?"),
        (["identify", ""], {}, "FILE '': empty file name"),
    ],
)
def test_bad_values_are_one_line_errors(
    args: list[str], env: dict[str, str], needle: str, hub: HubServer
) -> None:
    hub.clear_log()
    result = run(args, {"HF_ENDPOINT": hub.url, **env})
    assert needle in one_error(result)
    assert result.stdout == ""
    assert hub.requests() == []  # nothing was fetched: the error came first


def test_identify_on_a_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "LICENSE"
    os.mkfifo(fifo)
    # A subprocess, so that a regression (a read that waits for a writer) cannot hang the
    # suite: the bound is far above the run's time.
    done = subprocess.run(
        [sys.executable, "-m", "licensecheck", "identify", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        done.stderr
        == f"licensecheck: error: {fifo}: not a regular file (a FIFO, socket or device)\n"
    )


def test_a_long_retry_after_says_that_it_waits_and_how_long(hub: HubServer, tmp_path: Path) -> None:
    hub.clear_log()
    fault = hub.add_fault(r"^/api/models/acme/slow$", status=429, retry_after=2.5, times=1)
    try:
        result = run(["audit", "--format", "json", "acme/slow"], hub_env(hub, tmp_path / "hf"))
    finally:
        hub.clear_faults()
    assert fault.hits == 1
    assert result.exit_code == 3  # then not found: it is not on this Hub
    assert (
        "licensecheck: the Hub is rate limiting requests; waiting 2.5 s before the next one "
        "(Retry-After)" in result.stderr.splitlines()
    )
    assert len(hub.requests(contains="/api/models/acme/slow")) == 2


@pytest.mark.parametrize(
    "models", [["acme/a"], ["acme/a", "acme/b", "acme/c"]], ids=["one", "three"]
)
def test_ctrl_c_stops_at_once_with_status_130(
    hub: HubServer, tmp_path: Path, models: list[str]
) -> None:
    """SIGINT while every request hangs: the program ends with 130 and one line, without
    waiting for the worker threads blocked in a request (they would take 300 s)."""
    fault = hub.add_fault(r"^/api/models/acme/", action="hang", seconds=300, times=None)
    env = {
        **os.environ,
        **hub_env(hub, tmp_path / "hf"),
        "LICENSECHECK_HUB_TIMEOUT": "300",
        "LICENSECHECK_CACHE_DIR": str(tmp_path / "cache"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "licensecheck", "audit", *models, "--format", "json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: Ctrl-C not ignored (a job started in the background by a
        # non-interactive shell, as CI may run the suite, inherits SIGINT ignored).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 120
        while fault.hits < len(models) and time.monotonic() < deadline:  # every request sent
            time.sleep(0.05)
        assert fault.hits == len(models)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)  # far below the hang, far above a second
        took = time.monotonic() - sent
    finally:
        process.kill()
        hub.clear_faults()
    assert process.returncode == 130, err
    assert err == "licensecheck: interrupted\n" and out == ""
    print(f"stopped {took:.2f} s after SIGINT")
