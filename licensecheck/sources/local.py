"""A model in a local directory: a git checkout, a download, or a snapshot in the HF cache.

The report names the model by the path as given. Where the path is an HF-cache snapshot
(`.../models--org--name/snapshots/<sha>`) the Hub id and the commit sha come from the path;
for a git checkout the sha comes from `.git/HEAD` and the Hub id from the `origin` URL.

Only the top level and one folder down are listed (`files.select` decides what is read).
A symlink may point anywhere inside the model directory (or, for a cache snapshot, inside
its `models--org--name` folder, where the blobs live); one that leaves it is not followed
and becomes a finding. `read_directory` is shared with the offline cache source.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from licensecheck.errors import SourceError
from licensecheck.facts import CardData, Finding, ModelFacts, ModelRef, RepoFile
from licensecheck.sources import files as filesmod
from licensecheck.sources.gguf import read_license
from licensecheck.sources.interface import ModelSource

MAX_LISTED = 5000  # directory entries looked at, so a huge checkout stays fast
_SNAPSHOT = re.compile(r"^models--(.+)$")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_SKIP_DIRS = frozenset({".git", ".cache", ".huggingface", "__pycache__", "node_modules"})
_HUB_REMOTE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?(?:www\.)?(?:huggingface\.co|hf\.co)/|git@hf\.co:)"
    r"(?!datasets/|spaces/)([\w.-]+/[\w.-]+?)(?:\.git)?/?$"
)


def snapshot_identity(path: Path) -> tuple[str, str, Path] | None:
    """(hub id, commit sha, repo folder) for a path inside an HF-cache snapshot, else None."""
    parts = path.parts
    for i in range(len(parts) - 2):
        match = _SNAPSHOT.match(parts[i])
        if match and parts[i + 1] == "snapshots" and _SHA.match(parts[i + 2]):
            return match.group(1).replace("--", "/", 1), parts[i + 2], Path(*parts[: i + 1])
    return None


def _git_dir(root: Path) -> Path | None:
    git = root / ".git"
    if git.is_dir():
        return git
    if git.is_file():  # a worktree or submodule: "gitdir: <path>"
        try:
            line = git.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        if line.startswith("gitdir:"):
            target = Path(line[7:].strip())
            target = target if target.is_absolute() else root / target
            return target if target.is_dir() else None
    return None


def _read_small(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return fh.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return None


def git_identity(root: Path) -> tuple[str | None, str | None]:
    """(Hub id from the origin URL, HEAD commit sha) of a git checkout, without running git."""
    git = _git_dir(root)
    if git is None:
        return None, None
    sha: str | None = None
    head = (_read_small(git / "HEAD") or "").strip()
    if _SHA.match(head):
        sha = head
    elif head.startswith("ref:"):
        ref = head[4:].strip()
        value = (_read_small(git / ref) or "").strip() if ".." not in ref else ""
        if _SHA.match(value):
            sha = value
        else:
            for line in (_read_small(git / "packed-refs") or "").splitlines():
                fields = line.split()
                if len(fields) == 2 and fields[1] == ref and _SHA.match(fields[0]):
                    sha = fields[0]
    hub_id: str | None = None
    section = ""
    for line in (_read_small(git / "config") or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
        elif section == '[remote "origin"]' and stripped.startswith("url"):
            url = stripped.split("=", 1)[-1].strip()
            match = _HUB_REMOTE.match(url)
            if match:
                hub_id = match.group(1)
    return hub_id, sha


def _inside(path: Path, allowed: Path) -> bool:
    try:
        path.resolve().relative_to(allowed)
    except (ValueError, OSError, RuntimeError):  # outside, unreadable, or a symlink loop
        return False
    return True


def list_files(root: Path, allowed: Path) -> tuple[list[str], list[Finding]]:
    """Repo-relative paths of the files at the top level and one folder down."""
    found: list[str] = []
    findings: list[Finding] = []
    seen = 0

    def scan(folder: Path, prefix: str, depth: int) -> None:
        nonlocal seen
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            findings.append(
                Finding(kind="file-unreadable", message=f"{prefix or '.'}: {exc.strerror or exc}")
            )
            return
        for entry in entries:
            seen += 1
            if seen > MAX_LISTED:
                return
            rel = f"{prefix}{entry.name}"
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError:
                continue
            if entry.is_symlink() and not _inside(Path(entry.path), allowed):
                if is_dir or filesmod.is_licence_like(rel) or (not is_file and not is_dir):
                    findings.append(
                        Finding(
                            kind="file-outside",
                            message=f"{rel}: symlink leaves the model directory; not followed",
                            path=rel,
                        )
                    )
                continue
            if is_dir and depth == 0 and entry.name not in _SKIP_DIRS:
                scan(Path(entry.path), f"{rel}/", depth + 1)
            elif is_file:
                found.append(rel)
            elif not is_dir and filesmod.is_licence_like(rel):
                # A FIFO, socket or device named like a licence: reading it could block.
                findings.append(
                    Finding(
                        kind="file-unreadable",
                        message=f"{rel}: not a regular file; not read",
                        path=rel,
                    )
                )

    scan(root, "", 0)
    if seen > MAX_LISTED:
        findings.append(
            Finding(
                kind="files-capped", message=f"more than {MAX_LISTED} entries; listed the first"
            )
        )
    return found, findings


def read_directory(
    root: Path,
    ref: ModelRef,
    source: str,
    revision: str | None,
    hub_id: str | None,
    allowed: Path | None = None,
) -> ModelFacts:
    """ModelFacts from a directory laid out like a model repo (the card is README.md)."""
    allowed = (allowed or root).resolve()
    paths, findings = list_files(root, allowed)
    card = CardData()
    card_text: str | None = None
    readme = next((p for p in paths if p.lower() == "readme.md"), None)
    if readme is None:
        findings.append(Finding(kind="card-missing", message="no README.md (model card)"))
    else:
        card_file, read_findings = filesmod.read_file(root / readme, readme)
        findings.extend(read_findings)
        if card_file is not None:
            from licensecheck.sources.card import parse_card  # PyYAML: only when a card is read

            parsed = parse_card(card_file.text, readme)
            card, card_text = parsed.card, parsed.body
            findings.extend(parsed.findings)
    repo_files: list[RepoFile] = []
    selected = filesmod.select(p for p in paths if p != readme)
    capped = filesmod.overflow_finding(p for p in paths if p != readme)
    if capped:
        findings.append(capped)
    for rel in selected:
        if not filesmod.is_text_name(rel):
            findings.append(filesmod.not_text_finding(rel))
            continue
        repo_file, file_findings = filesmod.read_file(root / rel, rel)
        findings.extend(file_findings)
        if repo_file is not None:
            repo_files.append(repo_file)
    ggufs = sorted(p for p in paths if p.lower().endswith(".gguf"))
    return ModelFacts(
        ref=ref,
        source=source,
        revision=revision,
        card=card,
        card_text=card_text,
        files=tuple(repo_files),
        tags=card.tags,
        pipeline_tag=card.pipeline_tag,
        findings=tuple(findings),
        gguf_license=read_license(root / ggufs[0]) if ggufs else None,
        hub_id=hub_id,
        filenames=tuple(sorted(paths)),
    )


class LocalSource(ModelSource):
    """Models in local directories (`licensecheck audit ./my-model`)."""

    name = "local"

    def _fetch(self, ref: ModelRef) -> ModelFacts:
        if ref.local_path is None:
            raise SourceError("invalid", f"{ref.display}: not a local directory")
        root = Path(ref.local_path)
        if not root.is_dir():
            raise SourceError("not-found", f"{ref.display}: no such directory")
        snapshot = snapshot_identity(root)
        if snapshot is not None:
            hub_id, sha, repo_folder = snapshot
            return read_directory(root, ref, self.name, sha, hub_id, allowed=repo_folder)
        git_hub_id, git_sha = git_identity(root)
        return read_directory(root, ref, self.name, git_sha, git_hub_id)
