"""Local model directories: checkouts, HF-cache snapshots, symlinks, memoisation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hub_server import corpus_card, corpus_license

from licensecheck.errors import SourceError
from licensecheck.facts import ModelRef
from licensecheck.sources.interface import Router
from licensecheck.sources.local import LocalSource, git_identity, snapshot_identity

SHA = "a" * 40


def ref_for(path: Path, as_given: str = "model") -> ModelRef:
    return ModelRef(repo_id=as_given, local_path=str(path.resolve()))


def make_model(root: Path, card: bytes, **files: bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_bytes(card)
    for name, data in files.items():
        target = root / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def test_plain_directory(tmp_path: Path) -> None:
    root = make_model(
        tmp_path / "kimi",
        corpus_card("113.md"),
        LICENSE=corpus_license("kimi-k2-modified-mit.txt"),
        **{"config.json": b"{}", "weights.safetensors": b"\x00" * 10},
    )
    facts = LocalSource().fetch(ref_for(root, "./kimi"))
    assert facts.source == "local"
    assert facts.ref.repo_id == "./kimi"
    assert facts.card.licenses == ("other",)
    assert facts.card.license_name == "modified-mit"
    assert [f.path for f in facts.files] == ["LICENSE"]
    assert "Kimi K2" in facts.files[0].text
    assert facts.card_text is not None and "license_name" not in facts.card_text
    assert facts.revision is None and facts.hub_id is None
    assert facts.publisher is None


def test_hf_cache_snapshot_gives_hub_id_and_sha(tmp_path: Path) -> None:
    repo = tmp_path / "hub" / "models--Qwen--Qwen2.5-72B-Instruct"
    blobs = repo / "blobs"
    blobs.mkdir(parents=True)
    (blobs / "b1").write_bytes(corpus_card("002.md"))
    (blobs / "b2").write_bytes(corpus_license("qwen.txt"))
    snap = repo / "snapshots" / SHA
    snap.mkdir(parents=True)
    os.symlink("../../blobs/b1", snap / "README.md")
    os.symlink("../../blobs/b2", snap / "LICENSE")
    assert snapshot_identity(snap) == ("Qwen/Qwen2.5-72B-Instruct", SHA, repo)
    facts = LocalSource().fetch(ref_for(snap))
    assert facts.hub_id == "Qwen/Qwen2.5-72B-Instruct"
    assert facts.revision == SHA
    assert facts.publisher == "Qwen"
    assert facts.card.license_name == "qwen"
    assert [f.path for f in facts.files] == ["LICENSE"]
    assert facts.findings == ()


def test_symlink_leaving_the_directory_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MIT License\nsecret\n")
    root = make_model(tmp_path / "m", b"---\nlicense: mit\n---\n")
    os.symlink(secret, root / "LICENSE")
    os.symlink(tmp_path, root / "licenses")
    facts = LocalSource().fetch(ref_for(root))
    assert facts.files == ()
    outside = [f for f in facts.findings if f.kind == "file-outside"]
    assert sorted(f.path for f in outside) == ["LICENSE", "licenses"]


def test_symlink_inside_is_followed(tmp_path: Path) -> None:
    root = make_model(
        tmp_path / "m", b"---\nlicense: mit\n---\n", **{"docs__MIT.txt": b"MIT License\n"}
    )
    os.symlink("docs/MIT.txt", root / "LICENSE")
    facts = LocalSource().fetch(ref_for(root))
    assert [f.path for f in facts.files] == ["LICENSE"]


def test_git_checkout_identity(tmp_path: Path) -> None:
    root = make_model(tmp_path / "clone", b"---\nlicense: gemma\n---\n")
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(SHA + "\n")
    (git / "config").write_text(
        '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://huggingface.co/google/gemma-2-2b-it\n'
    )
    assert git_identity(root) == ("google/gemma-2-2b-it", SHA)
    facts = LocalSource().fetch(ref_for(root))
    assert facts.hub_id == "google/gemma-2-2b-it" and facts.revision == SHA
    # packed refs, and a remote that is not the Hub
    (git / "refs" / "heads" / "main").unlink()
    (git / "packed-refs").write_text(f"# pack-refs\n{'b' * 40} refs/heads/main\n")
    (git / "config").write_text('[remote "origin"]\n\turl = git@github.com:org/repo.git\n')
    assert git_identity(root) == (None, "b" * 40)


def test_missing_card_and_odd_files_are_findings(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    (root / "LICENSE.pdf").write_bytes(b"%PDF-1.4")
    (root / "NOTICE").write_bytes(b"\x00\x01")
    facts = LocalSource().fetch(ref_for(root))
    kinds = sorted(f.kind for f in facts.findings)
    assert kinds == ["card-missing", "file-binary", "file-not-text"]


def test_missing_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        LocalSource().fetch(ModelRef(repo_id="./gone", local_path=str(tmp_path / "gone")))
    assert info.value.kind == "not-found"


def test_fetch_is_memoised_per_run(tmp_path: Path) -> None:
    root = make_model(tmp_path / "m", b"---\nlicense: mit\n---\n")
    source = LocalSource()
    first = source.fetch(ref_for(root))
    (root / "README.md").write_bytes(b"---\nlicense: gemma\n---\n")
    assert source.fetch(ref_for(root)) is first
    assert LocalSource().fetch(ref_for(root)).card.licenses == ("gemma",)


def test_router_sends_paths_to_local(tmp_path: Path) -> None:
    class Refuse(LocalSource):
        name = "hub"

        def _fetch(self, ref: ModelRef):  # type: ignore[no-untyped-def]
            raise SourceError("not-found", "hub asked")

    root = make_model(tmp_path / "m", b"---\nlicense: mit\n---\n")
    router = Router(hub=Refuse(), local=LocalSource())
    assert router.fetch(ref_for(root)).source == "local"
    assert router.source_for(ModelRef("org/x")) == "hub"
    with pytest.raises(SourceError, match="hub asked"):
        router.fetch(ModelRef("org/x"))


def test_a_licence_named_fifo_is_an_unread_file_through_the_cli(tmp_path: Path) -> None:
    """LICENSE as a named pipe beside an MIT card: never read (it could block), and never a
    silent `allow`: an unread licence file, judged by `unreadable_license_file`."""
    import json

    from click.testing import CliRunner

    from licensecheck.cli.main import main

    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\n---\n# A model\n", encoding="utf-8")
    os.mkfifo(model / "LICENSE")
    env = {"HF_HUB_CACHE": str(tmp_path / "hf"), "LICENSECHECK_TODAY": "2026-01-15"}
    args = ["audit", str(model), "--offline", "--preset", "permissive", "--format", "json"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1, result.stderr
    (model_result,) = json.loads(result.stdout)["results"]
    for verdict in model_result["verdicts"].values():
        assert verdict["verdict"] != "allow"
        assert "unreadable_license_file" in [r["rule"] for r in verdict["reasons"]]
    assert "LICENSE: not a regular file; not read" in result.stdout
