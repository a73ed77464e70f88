"""--offline: the HF cache read directly, without the network and without huggingface_hub."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hub_server import HubServer

from licensecheck.errors import SourceError
from licensecheck.facts import ModelRef
from licensecheck.sources.cache import CacheSource, default_cache_dir

SHA = "f" * 40


def fill(
    cache: Path, repo_id: str, sha: str, files: dict[str, bytes], refs: tuple[str, ...] = ("main",)
) -> None:
    folder = cache / ("models--" + repo_id.replace("/", "--"))
    snap = folder / "snapshots" / sha
    for name, data in files.items():
        (snap / name).parent.mkdir(parents=True, exist_ok=True)
        (snap / name).write_bytes(data)
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    for ref in refs:
        (folder / "refs" / ref).write_text(sha)


def test_reads_a_snapshot_through_refs(tmp_path: Path) -> None:
    fill(
        tmp_path,
        "Org/Model",
        SHA,
        {"README.md": b"---\nlicense: mit\n---\n", "LICENSE": b"MIT License\n"},
        ("main", "v1"),
    )
    source = CacheSource(tmp_path)
    for ref in (ModelRef("Org/Model"), ModelRef("org/model", "v1"), ModelRef("Org/Model", SHA)):
        facts = source.fetch(ref)
        assert (facts.source, facts.revision, facts.hub_id) == ("cache", SHA, ref.repo_id)
        assert facts.card.licenses == ("mit",)
        assert [f.path for f in facts.files] == ["LICENSE"]


@pytest.mark.parametrize(
    ("ref", "what"),
    [
        (ModelRef("org/absent"), "model"),
        (ModelRef("org/model", "dev"), "revision 'dev'"),
        (ModelRef("org/model", "e" * 40), "snapshot eeeeeeeeeeee"),
    ],
)
def test_missing_pieces_are_not_found_with_a_hint(tmp_path: Path, ref: ModelRef, what: str) -> None:
    fill(tmp_path, "org/model", SHA, {"README.md": b"x"})
    with pytest.raises(SourceError) as info:
        CacheSource(tmp_path).fetch(ref)
    assert info.value.kind == "not-found"
    assert what in info.value.message and "without --offline" in info.value.message


def test_corrupt_ref_file_is_invalid(tmp_path: Path) -> None:
    fill(tmp_path, "org/model", SHA, {"README.md": b"x"})
    (tmp_path / "models--org--model" / "refs" / "main").write_text("not a sha")
    with pytest.raises(SourceError) as info:
        CacheSource(tmp_path).fetch(ModelRef("org/model"))
    assert info.value.kind == "invalid"


def test_default_cache_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "huggingface" / "hub"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "huggingface" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert default_cache_dir() == tmp_path / "hf" / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "direct"))
    assert default_cache_dir() == tmp_path / "direct"


def test_what_the_hub_source_cached_is_readable_offline(
    hub: HubServer, hub_source: Callable[..., Any], hf_cache: Path
) -> None:
    online = hub_source().fetch(ModelRef("acme/relicensed", "v1.0"))
    offline = CacheSource(hf_cache).fetch(ModelRef("acme/relicensed", "v1.0"))
    assert offline.revision == online.revision
    assert offline.card.licenses == online.card.licenses == ("apache-2.0",)
    assert [f.text for f in offline.files] == [f.text for f in online.files]


def test_offline_path_never_imports_huggingface_hub(tmp_path: Path) -> None:
    fill(tmp_path, "org/model", SHA, {"README.md": b"---\nlicense: mit\n---\n"})
    code = (
        "import sys\n"
        "from licensecheck.sources.cache import CacheSource\n"
        "from licensecheck.facts import ModelRef\n"
        f"facts = CacheSource({str(tmp_path)!r}).fetch(ModelRef('org/model'))\n"
        "assert facts.card.licenses == ('mit',)\n"
        "assert 'huggingface_hub' not in sys.modules, 'imported huggingface_hub'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
