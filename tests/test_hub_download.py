"""One GET per file into the HF cache (sources/hub_download.py), read back by huggingface_hub.

The files land as huggingface_hub lays them out (relative snapshot links to blobs named by
their git sha1 or sha256), so that huggingface_hub's own readers (`local_files_only`,
`try_to_load_from_cache`, `scan_cache_dir`) and `--offline` find them. Redirects are
followed as the client follows them: within the Hub's origin with the token, to a CDN
without it; a body larger than we read is not downloaded; names and ETags from the server
never choose where we write.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hub_server import APPROVED_TOKEN, HubServer, blob_sha1, make_card

from licensecheck.errors import SourceError
from licensecheck.facts import ModelRef
from licensecheck.sources import hub as hubmod
from licensecheck.sources.cache import CacheSource

Factory = Callable[..., Any]


def _files(hub: HubServer) -> list[tuple[str, str, int]]:
    return [
        (r.method, r.path.rsplit("/", 1)[-1], r.status)
        for r in hub.requests()
        if "/resolve/" in r.path or r.path.startswith(("/cdn/", "/api/resolve-cache/"))
    ]


def test_one_get_per_file_in_a_layout_huggingface_hub_reads(
    hub: HubServer, hub_source: Factory, hf_cache: Path
) -> None:
    from huggingface_hub import hf_hub_download, scan_cache_dir, try_to_load_from_cache

    for i in range(3):
        hub.add_repo(f"layout-org/m{i}", {"README.md": f"# m{i}\n", "LICENSE": f"MIT {i}\n"})
    source = hub_source()
    for i in range(3):
        facts = source.fetch(ModelRef(f"layout-org/m{i}"))
        assert [f.text for f in facts.files] == [f"MIT {i}\n"]
    # One GET per file, which the Hub answers with a 307 to its resolve-cache URL (no HEAD)
    hops = [("GET", name, status) for name in ("LICENSE", "README.md") for status in (307, 200)]
    assert sorted(_files(hub)) == sorted(hops * 3)
    for i in range(3):
        repo, sha = f"layout-org/m{i}", hub.sha(f"layout-org/m{i}")
        folder = hf_cache / f"models--layout-org--m{i}"
        for name in ("LICENSE", "README.md"):
            link = folder / "snapshots" / sha / name
            assert link.is_symlink() and not Path(link.readlink()).is_absolute()
            blob = link.resolve()
            assert blob.parent == (folder / "blobs").resolve()
            assert blob.name == blob_sha1(blob.read_bytes())
            # huggingface_hub's own readers find it, with no request
            hub.clear_log()
            found = hf_hub_download(
                repo, name, revision=sha, cache_dir=hf_cache, local_files_only=True
            )
            assert Path(found).read_bytes() == blob.read_bytes()
            assert try_to_load_from_cache(repo, name, cache_dir=hf_cache, revision=sha) == str(link)
            assert hub.requests() == []
        # refs/main written, so huggingface_hub (and --offline) resolve the branch
        assert (folder / "refs" / "main").read_text() == sha
    report = scan_cache_dir(hf_cache)
    assert report.warnings == []
    assert sorted(r.repo_id for r in report.repos) == [f"layout-org/m{i}" for i in range(3)]
    assert all(r.nb_files == 2 for r in report.repos)
    assert not [p for p in hf_cache.rglob("*") if p.name.endswith(".tmp")]
    # and licensecheck's --offline source reads the same files
    offline = CacheSource(hf_cache).fetch(ModelRef("layout-org/m1"))
    assert [f.text for f in offline.files] == ["MIT 1\n"]


def test_a_file_on_a_cdn_is_fetched_without_the_token(
    hub: HubServer, hub_source: Factory, hf_cache: Path
) -> None:
    """An LFS/Xet-like file: the Hub answers 302 to another origin with X-Linked-Etag (its
    sha256) and X-Linked-Size; the token goes to the Hub, never to the CDN."""
    body = b"Big licence text\n" * 100
    sha = hub.add_repo(
        "acme/lfs-model",
        {"README.md": make_card(license="mit"), "LICENSE": body},
        lfs=["LICENSE"],
    )
    facts = hub_source(token=APPROVED_TOKEN).fetch(ModelRef("acme/lfs-model"))
    assert [f.text for f in facts.files] == [body.decode()]
    (at_hub,) = [r for r in hub.requests() if r.path.endswith("/LICENSE")]
    (at_cdn,) = [r for r in hub.requests() if r.path.startswith("/cdn/")]
    assert (at_hub.status, at_hub.authorized) == (302, True)
    assert (at_cdn.status, at_cdn.authorized) == (200, False)
    blob = (hf_cache / "models--acme--lfs-model" / "snapshots" / sha / "LICENSE").resolve()
    assert blob.name == hashlib.sha256(body).hexdigest()  # the X-Linked-Etag, not the CDN's


def test_a_renamed_repo_is_followed_within_the_hub(
    hub: HubServer, hub_source: Factory, hf_cache: Path
) -> None:
    hub.add_repo("acme/new-name", {"README.md": make_card(license="mit"), "LICENSE": b"MIT\n"})
    hub.rename("acme/old-name", "acme/new-name")
    facts = hub_source(token=APPROVED_TOKEN).fetch(ModelRef("acme/old-name"))
    assert [f.text for f in facts.files] == ["MIT\n"]
    redirected = [r for r in hub.requests() if r.status == 307 and "/resolve/" in r.path]
    assert redirected and all(r.authorized for r in hub.requests())  # same origin: token kept
    sha = hub.sha("acme/new-name")
    assert (hf_cache / "models--acme--old-name" / "snapshots" / sha / "LICENSE").is_file()


def test_a_file_larger_than_we_read_is_not_downloaded(
    hub: HubServer, hub_source: Factory, monkeypatch: pytest.MonkeyPatch, hf_cache: Path
) -> None:
    monkeypatch.setattr(hubmod, "MAX_DOWNLOAD_BYTES", 1000)
    hub.add_repo(
        "acme/huge-licence", {"README.md": make_card(license="mit"), "LICENSE": b"x" * 5000}
    )
    facts = hub_source().fetch(ModelRef("acme/huge-licence"))
    (finding,) = [f for f in facts.findings if f.path == "LICENSE"]
    assert finding.kind == "file-unreadable" and "5000 bytes" in finding.message
    assert facts.files == ()
    blobs = hf_cache / "models--acme--huge-licence" / "blobs"
    assert [p.name for p in blobs.iterdir()] == [blob_sha1(make_card(license="mit"))]  # README


def test_an_etag_that_is_no_file_name_is_refused(
    hub: HubServer, hub_source: Factory, hf_cache: Path
) -> None:
    hub.add_repo("acme/odd-etag", {"README.md": make_card(license="mit"), "LICENSE": b"MIT\n"})
    hub.add_fault(r"/odd-etag/resolve/.*/LICENSE$", action="etag", value='"../../../x"')
    with pytest.raises(SourceError) as info:
        hub_source().fetch(ModelRef("acme/odd-etag"))
    assert info.value.kind == "invalid" and "ETag" in info.value.message
    assert not (hf_cache / "x").exists()
    assert not [p for p in hf_cache.rglob("x")]


def test_a_file_name_leaving_the_snapshot_is_never_requested(
    hub: HubServer, hub_source: Factory, hf_cache: Path
) -> None:
    sha = hub.add_repo(
        "acme/odd-names",
        {"README.md": make_card(license="mit"), "LICENSE": b"MIT\n", "a/../../LICENSE": b"x"},
    )
    facts = hub_source().fetch(ModelRef("acme/odd-names"))  # not even chosen as evidence
    assert [f.path for f in facts.files] == ["LICENSE"]
    # and the download itself refuses such a name, whoever asks, before any request
    hub.clear_log()
    for name in ("a/../../LICENSE", "/etc/LICENSE", "a\\..\\LICENSE", "./LICENSE", "a//b"):
        got = hub_source()._download(ModelRef("acme/odd-names"), name, sha)
        assert got.kind == "file-unreadable" and got.path == name
    assert hub.requests() == []
    assert not (hf_cache / "LICENSE").exists()


def test_warm_up_sets_the_client_up_without_a_request(
    hub: HubServer, hub_source: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`warm_up` (called while the knowledge base and policy load) sets the client up in
    one background thread, which cannot hold the process open; it sends nothing, happens
    once per source, and the fetch after it reads the model as usual."""
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    source = hub_source()
    source.warm_up([ModelRef("acme/apache-model")])
    assert len(started) == 1 and started[0].daemon
    started[0].join(10)
    assert not started[0].is_alive()
    assert hub.requests() == []
    source.warm_up([ModelRef("acme/apache-model")])  # once per source
    assert len(started) == 1
    facts = source.fetch(ModelRef("acme/apache-model"))
    assert [f.path for f in facts.files] == ["LICENSE"]


PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "'\\nHUB:' + str('huggingface_hub' in sys.modules)))\n"
    "from licensecheck.cli.main import main\n"
    "main()\n"
)


def test_no_warm_up_when_every_ref_is_answered_from_disk(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """Refs pinned to a commit whose model_info is kept need no request: a warm audit of
    them does not set the client up (it would cost ~0.1 s of imports for nothing), while a
    branch (it may have moved) is asked for."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(cli_env)
    sha = hub.sha("acme/apache-model")

    def audit(ref: str) -> tuple[bool, int]:
        hub.clear_log()
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, "audit", ref, "--endpoint", hub.url, "--format", "json"],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["results"][0]["license"]["id"] == "apache-2.0"
        return proc.stderr.rsplit("HUB:", 1)[-1].strip() == "True", len(hub.requests())

    assert audit(f"acme/apache-model@{sha}")[0]  # cold: model_info and files fetched
    assert audit(f"acme/apache-model@{sha}") == (False, 0)
    assert audit("acme/apache-model") == (True, 1)  # model_info of the branch only


def test_a_redirect_loop_ends_as_an_invalid_answer(
    hub: HubServer, hub_source: Factory, tmp_path: Path
) -> None:
    sha = hub.add_repo("acme/loop-a", {"README.md": make_card(license="mit"), "LICENSE": b"MIT\n"})
    pinned = ModelRef("acme/loop-a", sha)
    hub_source(keep_dir=tmp_path / "info").fetch(pinned)  # model_info kept on disk
    hub.rename("acme/loop-a", "acme/loop-b")
    hub.rename("acme/loop-b", "acme/loop-a")
    hub.clear_log()
    source = hub_source(keep_dir=tmp_path / "info", cache_dir=tmp_path / "fresh-hf-cache")
    with pytest.raises(SourceError) as info:
        source.fetch(pinned)
    assert info.value.kind == "invalid" and "redirects" in info.value.message
    # per file (README.md, LICENSE): the first GET and five redirects followed, no retry
    for name in ("README.md", "LICENSE"):
        assert len(hub.requests("GET", name)) <= 6


def test_hf_hub_offline_stops_a_file_request_with_a_hint(
    hub: HubServer, hub_source: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """huggingface_hub's offline switch blocks every request of its client, ours included:
    a pinned model whose model_info is kept still needs its files, and says how to go on."""
    from huggingface_hub import constants

    sha = hub.sha("acme/apache-model")
    pinned = ModelRef("acme/apache-model", sha)
    hub_source(keep_dir=tmp_path / "info").fetch(pinned)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    hub.clear_log()
    source = hub_source(keep_dir=tmp_path / "info", cache_dir=tmp_path / "empty-hf-cache")
    with pytest.raises(SourceError) as info:
        source.fetch(pinned)
    assert info.value.kind == "network" and "--offline" in info.value.message
    assert hub.requests() == []


def test_a_cache_that_cannot_be_written_costs_the_caching_not_the_file(
    hub: HubServer, hub_source: Factory, tmp_path: Path
) -> None:
    """A read-only or broken HF cache (here: a regular file where the cache folder should
    be) still gives the downloaded text; the next run asks for the file again."""
    not_a_folder = tmp_path / "hf-cache-is-a-file"
    not_a_folder.write_text("not a folder\n")
    facts = hub_source(cache_dir=not_a_folder).fetch(ModelRef("acme/apache-model"))
    assert [f.path for f in facts.files] == ["LICENSE"]
    assert "Apache License" in facts.files[0].text
    assert not_a_folder.read_text() == "not a folder\n"
    assert len(hub.downloads("/LICENSE")) == 1
    hub_source(cache_dir=not_a_folder).fetch(ModelRef("acme/apache-model"))
    assert len(hub.downloads("/LICENSE")) == 2
