"""Hub access that works in corporate networks, and an HF cache left as the user's tools
expect it (issue 17): TLS with a CA bundle of the user's, mirrors and redirects, block
pages, and huggingface_hub reading what licensecheck wrote (and still reading its own).

Run as a user runs it: `python -m licensecheck` in a fresh process (huggingface_hub reads
HF_ENDPOINT, HF_HUB_DISABLE_SYMLINKS and the timeouts at import), against real servers on
127.0.0.1: the Hub imitation, over HTTPS with a certificate made here where TLS is tested.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _hardening_support import Run, clean_env
from hub_server import APPROVED_TOKEN, HubServer, blob_sha1, corpus_license, make_card
from test_hardening_faults import fault_env

from licensecheck.errors import UsageError
from licensecheck.sources.tls import CA_VARIABLES

UNTRUSTED = "the Hub's certificate is not trusted; set SSL_CERT_FILE to your CA bundle"
MIT = corpus_license("mit.txt")


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A user's environment (fresh caches under `tmp_path`), with a roomier Hub budget
    than the fault tests' (these servers are well behaved unless told otherwise)."""
    env = fault_env(tmp_path)
    del env["HF_HUB_DOWNLOAD_TIMEOUT"]
    env.update(
        {"LICENSECHECK_HUB_TIMEOUT": "5", "LICENSECHECK_HUB_RETRIES": "2",
         "LICENSECHECK_HUB_DEADLINE": "30"}
    )  # fmt: skip
    env.update(extra)
    return env


def audit(
    endpoint: str, env: dict[str, str], tmp_path: Path, *models: str, offline: bool = False
) -> tuple[int, dict[str, Any], str]:
    args = ["audit", *models, "--format", "json"]
    args += ["--offline"] if offline else ["--endpoint", endpoint]
    run = run_user(args, env, tmp_path)
    assert "Traceback" not in run.err, run.err
    return run.code, json.loads(run.out), run.err


def run_user(args: list[str], env: dict[str, str], cwd: Path) -> Run:
    """`python -m licensecheck ARGS` with `env` and none of the host's CA variables (this
    machine's SSL_CERT_FILE would otherwise win over the one a test sets)."""
    full = {k: v for k, v in clean_env(env).items() if k not in CA_VARIABLES or k in env}
    proc = subprocess.run(
        [sys.executable, "-m", "licensecheck", *args],
        capture_output=True, env=full, cwd=cwd, timeout=120,
    )  # fmt: skip
    return Run(proc.returncode, proc.stdout, proc.stderr)


def mit_repo(hub: HubServer, repo: str, **kw: Any) -> str:
    files = {"README.md": make_card(license="mit"), "LICENSE": MIT, **kw.pop("files", {})}
    return hub.add_repo(repo, files, **kw)


# --- TLS ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), made with the openssl CLI."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl = shutil.which("openssl")
    assert openssl is not None, "the TLS tests make their certificate with the openssl CLI"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=licensecheck test Hub",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,digitalSignature,keyCertSign"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_hub(certificate: tuple[Path, Path]) -> Iterator[HubServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with HubServer(tls=context) as hub:
        mit_repo(hub, "tls/one")
        mit_repo(hub, "tls/two")
        yield hub


def test_an_untrusted_certificate_is_its_own_error_not_retried(
    tls_hub: HubServer, tmp_path: Path
) -> None:
    code, report, _ = audit(tls_hub.url, env_for(tmp_path), tmp_path, "tls/one", "tls/two")
    assert code == 3
    for result in report["results"]:
        assert result["status"] == "error"
        assert result["error"]["kind"] == "network"
        assert result["error"]["message"] == f"{result['model']}: {UNTRUSTED}"
    # one connection per model: the handshake failed and was not tried again
    assert tls_hub.connections == 2
    assert tls_hub.requests() == []


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_the_users_ca_bundle_is_trusted(
    tls_hub: HubServer, certificate: tuple[Path, Path], tmp_path: Path, variable: str
) -> None:
    env = env_for(tmp_path, **{variable: str(certificate[0])})
    code, report, _ = audit(tls_hub.url, env, tmp_path, "tls/one")
    (result,) = report["results"]
    assert code == 0, result
    assert result["license"]["id"] == "mit"
    assert result["revision"] == tls_hub.sha("tls/one")


def test_a_ca_variable_naming_no_bundle_is_a_usage_error(tmp_path: Path) -> None:
    from licensecheck.sources.tls import apply_ca_environment

    missing = str(tmp_path / "nowhere.pem")
    with pytest.raises(UsageError, match=r"REQUESTS_CA_BUNDLE=.*nowhere\.pem.*not a CA bundle"):
        apply_ca_environment({"REQUESTS_CA_BUNDLE": missing})
    run = run_user(["audit", "tls/one"], env_for(tmp_path, SSL_CERT_FILE=missing), tmp_path)
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.startswith("licensecheck: error: SSL_CERT_FILE=")
    # a directory of certificates goes where httpx reads one
    env = {"CURL_CA_BUNDLE": str(tmp_path)}
    assert apply_ca_environment(env) == "CURL_CA_BUNDLE" and env["SSL_CERT_DIR"] == str(tmp_path)


def test_a_file_that_is_no_ca_bundle_is_a_network_error(tls_hub: HubServer, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    env = env_for(tmp_path, REQUESTS_CA_BUNDLE=str(garbage))
    code, report, _ = audit(tls_hub.url, env, tmp_path, "tls/one")
    (result,) = report["results"]
    assert code == 3 and result["error"]["kind"] == "network"
    assert "cannot set up the HTTPS client" in result["error"]["message"]
    assert "SSL_CERT_FILE" in result["error"]["message"]
    assert tls_hub.connections == 0


# --- mirrors and redirects ----------------------------------------------------------------


def test_a_mirror_redirecting_to_a_known_hub_host_is_followed_with_the_token(
    tmp_path: Path,
) -> None:
    # The Hub (huggingface_hub's HF_ENDPOINT) holds a gated model; the mirror the user
    # names sends every request there with a 308. The token goes along, as huggingface_hub
    # sends it to its Hub hosts: the licence behind the gate is read.
    with HubServer() as hub:
        mit_repo(hub, "corp/gated", gated="manual")
        with HubServer(forward_to=hub.url) as mirror:
            env = env_for(tmp_path, HF_ENDPOINT=hub.url, HF_TOKEN=APPROVED_TOKEN)
            del env["HF_HUB_DISABLE_IMPLICIT_TOKEN"]  # the user's token, as the client finds it
            code, report, _ = audit(mirror.url, env, tmp_path, "corp/gated")
            assert [r.status for r in mirror.requests()] and {
                r.status for r in mirror.requests()
            } == {308}
        (result,) = report["results"]
        assert result["status"] == "ok", result
        assert code == 0 and result["license"]["id"] == "mit"
        assert not [f for f in result.get("findings", []) if f["kind"] == "gated-file"]
        licence = [r for r in hub.requests("GET") if r.path.endswith("/LICENSE")]
        assert licence and all(r.authorized for r in licence)
        # Where the target is no Hub host of huggingface_hub's, the token stays behind and
        # the redirect is read as a CDN's (it names no commit: the model is an error).
        hub.clear_log()
        del env["HF_ENDPOINT"]
        env["HF_HUB_CACHE"] = str(tmp_path / "another-hf-cache")
        with HubServer(forward_to=hub.url) as mirror:
            code, report, _ = audit(mirror.url, env, tmp_path, "corp/gated")
        assert code == 3 and report["results"][0]["status"] == "error"
        assert not [r for r in hub.requests() if "/resolve/" in r.path and r.authorized]


def test_a_mirrors_etag_that_is_no_content_hash_is_accepted_on_size_and_commit(
    tmp_path: Path,
) -> None:
    from huggingface_hub import hf_hub_download, scan_cache_dir

    odd = "0123456789abcdef0123456789abcdef01234567"  # 40 hex: not the file's git sha1
    with HubServer(resolve_cache=False) as mirror:
        sha = mit_repo(mirror, "mirror/model")
        mirror.add_fault(r"/resolve/.*/LICENSE$", action="etag", value=f'"{odd}"', times=None)
        env = env_for(tmp_path)
        code, report, _ = audit(mirror.url, env, tmp_path, "mirror/model")
        (result,) = report["results"]
        assert code == 0 and result["license"]["id"] == "mit", result
        cache = Path(env["HF_HUB_CACHE"])
        # stored as huggingface_hub stores it: the blob named by the mirror's ETag
        assert (cache / "models--mirror--model" / "blobs" / odd).read_bytes() == MIT
        found = hf_hub_download(
            "mirror/model", "LICENSE", revision=sha, cache_dir=cache, local_files_only=True
        )
        assert Path(found).read_bytes() == MIT
        assert scan_cache_dir(cache).warnings == []
        # the commit is checked all the same: an answer from another commit is refused
        mirror.clear_faults()
        other = "f" * 40
        mirror.add_fault(r"/resolve/.*/LICENSE$", action="commit", value=other, times=None)
        shutil.rmtree(cache)
        code, report, _ = audit(mirror.url, env, tmp_path, "mirror/model")
        (result,) = report["results"]
        assert code == 3 and result["error"]["kind"] == "invalid", result
        assert (
            f"asked for commit {sha[:12]}, the answer is from ffffffffffff"
            in (result["error"]["message"])
        )


# --- block pages ----------------------------------------------------------------------------


def test_a_block_page_on_a_licence_is_a_network_error(tmp_path: Path) -> None:
    with HubServer() as hub:
        mit_repo(hub, "blocked/licence")
        mit_repo(hub, "blocked/info")
        hub.add_fault(r"^/blocked/licence/resolve/.*/LICENSE$", action="block", status=403,
                      times=None)  # fmt: skip
        hub.add_fault(r"^/api/models/blocked/info", action="block", status=403, times=None)
        code, report, _ = audit(
            hub.url, env_for(tmp_path), tmp_path, "blocked/licence", "blocked/info"
        )
    assert code == 3
    licence, info = report["results"]
    assert licence["status"] == "error" and licence["error"]["kind"] == "network"
    assert "LICENSE: access denied (HTTP 403)" in licence["error"]["message"]
    assert info["status"] == "error" and info["error"]["kind"] == "network"
    assert "access denied (HTTP 403)" in info["error"]["message"]
    assert "gated" not in info["error"]["message"]


# --- the HF cache ---------------------------------------------------------------------------


def test_an_online_audit_leaves_a_full_snapshot_reachable_by_its_branch(tmp_path: Path) -> None:
    from huggingface_hub import hf_hub_download, scan_cache_dir

    env = env_for(tmp_path)
    cache = Path(env["HF_HUB_CACHE"])
    with HubServer() as hub:
        files = {"config.json": b'{"v": "A"}', "model.safetensors": b"\x00" * 32}
        a = mit_repo(hub, "user/full", files=files)
        for name in ("README.md", "LICENSE", "config.json", "model.safetensors"):
            hf_hub_download("user/full", name, cache_dir=cache, endpoint=hub.url)
        assert (cache / "models--user--full" / "refs" / "main").read_text() == a
        b = hub.add_commit(
            "user/full",
            {"README.md": make_card(license="mit"), "LICENSE": MIT + b"\n",
             "config.json": b'{"v": "B"}'},
        )  # fmt: skip
        code, report, _ = audit(hub.url, env, tmp_path, "user/full")
        assert code == 0 and report["results"][0]["revision"] == b
    # huggingface_hub (and transformers' local_files_only) still find the full model at A
    folder = cache / "models--user--full"
    assert (folder / "refs" / "main").read_text() == a
    found = hf_hub_download("user/full", "config.json", cache_dir=cache, local_files_only=True)
    assert Path(found).read_bytes() == b'{"v": "A"}' and a in found
    # licensecheck remembers B for itself: --offline judges what it saw online
    code, report, _ = audit("", env, tmp_path, "user/full", offline=True)
    assert code == 0 and report["results"][0]["revision"] == b
    info = scan_cache_dir(cache)
    assert info.warnings == [] and not info.incomplete_files
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )


def test_a_fresh_cache_is_tagged_and_its_branch_recorded(tmp_path: Path) -> None:
    from huggingface_hub import hf_hub_download, scan_cache_dir
    from huggingface_hub._local_folder import CACHEDIR_TAG_CONTENT

    env = env_for(tmp_path)
    cache = Path(env["HF_HUB_CACHE"])
    with HubServer() as hub:
        sha = mit_repo(hub, "fresh/model", git_tags=("v1",))
        # the same commit by two refs, in one run: each file downloaded once
        code, report, _ = audit(hub.url, env, tmp_path, "fresh/model", "fresh/model@v1")
        assert code == 0 and [r["revision"] for r in report["results"]] == [sha, sha]
        assert len(hub.downloads("LICENSE")) == 1 and len(hub.downloads("README.md")) == 1
    assert (cache / "CACHEDIR.TAG").read_text() == CACHEDIR_TAG_CONTENT
    folder = cache / "models--fresh--model"
    assert (folder / "refs" / "main").read_text() == sha  # none was there: written
    assert (folder / "refs" / "v1").read_text() == sha
    found = hf_hub_download("fresh/model", "LICENSE", cache_dir=cache, local_files_only=True)
    assert Path(found).read_bytes() == MIT
    assert scan_cache_dir(cache).warnings == []
    assert sorted(p.name for p in (folder / "blobs").iterdir()) == sorted(
        {blob_sha1(MIT), blob_sha1(make_card(license="mit"))}
    )


def test_with_symlinks_disabled_the_snapshot_holds_copies(tmp_path: Path) -> None:
    from huggingface_hub import hf_hub_download, scan_cache_dir

    env = env_for(tmp_path, HF_HUB_DISABLE_SYMLINKS="1")
    cache = Path(env["HF_HUB_CACHE"])
    with HubServer() as hub:
        sha = mit_repo(hub, "copies/model")
        code, _, err = audit(hub.url, env, tmp_path, "copies/model")
    assert code == 0 and "symlink" not in err  # chosen by the user: no warning
    licence = cache / "models--copies--model" / "snapshots" / sha / "LICENSE"
    assert licence.is_file() and not licence.is_symlink() and licence.read_bytes() == MIT
    assert list((cache / "models--copies--model" / "blobs").iterdir()) == []
    found = hf_hub_download("copies/model", "LICENSE", cache_dir=cache, local_files_only=True)
    assert Path(found).read_bytes() == MIT
    assert scan_cache_dir(cache).warnings == []


def test_where_symlinks_fail_a_copy_and_huggingface_hubs_warning(
    hub: HubServer, hub_source: Any, hf_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from licensecheck.facts import ModelRef
    from licensecheck.sources import hub_download

    sha = mit_repo(hub, "nolinks/model")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "symlink", refuse)
    monkeypatch.setattr(hub_download, "_NO_SYMLINKS", set())
    with pytest.warns(UserWarning, match="does not support them in .*HF_HUB_DISABLE_SYMLINKS"):
        facts = hub_source().fetch(ModelRef("nolinks/model"))
    assert [f.text for f in facts.files] == [MIT.decode()]
    licence = hf_cache / "models--nolinks--model" / "snapshots" / sha / "LICENSE"
    assert licence.is_file() and not licence.is_symlink()


def test_a_killed_download_leaves_only_what_hf_cache_tools_see(tmp_path: Path) -> None:
    from huggingface_hub import scan_cache_dir

    env = env_for(tmp_path)
    cache = Path(env["HF_HUB_CACHE"])
    # The process dies (no `finally` runs) just before its first file is moved into place.
    script = (
        "import os, sys\n"
        "real = os.replace\n"
        "def dying(src, dst, *a, **k):\n"
        "    if str(src).endswith('.incomplete'):\n"
        "        os._exit(9)\n"
        "    return real(src, dst, *a, **k)\n"
        "os.replace = dying\n"
        "from licensecheck.cli.main import main\n"
        "sys.argv = ['licensecheck', *sys.argv[1:]]\n"
        "main()\n"
    )
    with HubServer() as hub:
        mit_repo(hub, "killed/model")
        proc = subprocess.run(
            [sys.executable, "-c", script, "audit", "killed/model", "--endpoint", hub.url],
            env=clean_env(env), cwd=tmp_path, capture_output=True, timeout=120,
        )  # fmt: skip
    assert proc.returncode == 9, proc.stderr
    info = scan_cache_dir(cache)
    assert info.warnings == []
    left = [p for p in cache.rglob("*") if p.is_file() and p.name != "CACHEDIR.TAG"]
    assert left and all(p.parent.name == "blobs" and p.name.endswith(".incomplete") for p in left)
    assert {p for p in left} == {f.file_path for f in info.incomplete_files}


# --- the environment, read as huggingface_hub reads it ---------------------------------------


@pytest.mark.parametrize(
    "variables",
    [
        {"HF_HOME": ""},
        {"HF_HUB_CACHE": ""},
        {"HF_HOME": "", "HUGGINGFACE_HUB_CACHE": "legacy"},
        {"XDG_CACHE_HOME": "", "HF_HOME": None},
        {"HF_HOME": "~/hf-$LC_TEST_VAR"},
    ],
    ids=["hf-home-empty", "hub-cache-empty", "legacy", "xdg-empty", "expanded"],
)
def test_the_cache_folder_is_the_clients(tmp_path: Path, variables: dict[str, str | None]) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME")
    }
    env.update({k: v for k, v in variables.items() if v is not None})
    env["LC_TEST_VAR"] = "x"
    env["HOME"] = str(tmp_path)
    code = (
        "from huggingface_hub import constants; from licensecheck.sources.cache import "
        "default_cache_dir; import os; print(os.path.abspath(constants.HF_HUB_CACHE)); "
        "print(os.path.abspath(default_cache_dir()))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    theirs, ours = proc.stdout.splitlines()
    assert ours == theirs


def test_huggingface_hubs_timeouts_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    from licensecheck.cli.compose import hub_budget

    for name in ("LICENSECHECK_HUB_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT", "HF_HUB_ETAG_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    assert hub_budget().timeout == 10
    monkeypatch.setenv("HF_HUB_DOWNLOAD_TIMEOUT", "25")
    assert hub_budget().timeout == 25
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "40")
    assert hub_budget().timeout == 40  # our one GET waits as long as either of the client's
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "0")  # huggingface_hub: 0 is its default
    assert hub_budget().timeout == 25
    monkeypatch.setenv("LICENSECHECK_HUB_TIMEOUT", "3")
    assert hub_budget().timeout == 3  # ours, where set, wins
    monkeypatch.delenv("LICENSECHECK_HUB_TIMEOUT")
    monkeypatch.setenv("HF_HUB_DOWNLOAD_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="HF_HUB_DOWNLOAD_TIMEOUT='soon'"):
        hub_budget()


def test_a_short_hf_download_timeout_bounds_a_hanging_licence(tmp_path: Path) -> None:
    env = env_for(tmp_path, HF_HUB_DOWNLOAD_TIMEOUT="1")
    del env["LICENSECHECK_HUB_TIMEOUT"]
    with HubServer() as hub:
        mit_repo(hub, "slow/licence")
        hub.add_fault(r"/slow/licence/resolve/.*/LICENSE$", action="hang", seconds=4, times=None)
        code, report, _ = audit(hub.url, env, tmp_path, "slow/licence")
    (result,) = report["results"]
    assert code == 3 and result["error"]["kind"] == "network"
    assert "timed out" in result["error"]["message"]
