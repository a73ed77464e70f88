"""`--offline`: read Hub models straight from the Hugging Face cache, with no network.

Does not import huggingface_hub (the pre-commit warm path must start fast); it reads the
documented cache layout itself:

    $HF_HUB_CACHE/models--{org}--{name}/refs/{revision}        text: the commit sha
    $HF_HUB_CACHE/models--{org}--{name}/snapshots/{sha}/{path}  (symlinks into ../../blobs)

The cache directory is resolved as huggingface_hub does: `HF_HUB_CACHE`, else the legacy
`HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
`~/.cache/huggingface/hub`; a variable set to "" counts as set, as there ("" is the current
directory: `HF_HOME=""` puts the cache in `./hub`). A model, revision or snapshot that is
not there is a `SourceError("not-found")` with a hint on how to fill the cache.

A branch or tag is found where licensecheck last saw it online (its own memory, kept in its
own cache: `HubSource` never moves a `refs/<branch>` of the HF cache that exists, since
huggingface_hub would then look there for the model's other files) or in `refs/<branch>`,
whichever was written last and has its snapshot here.

A gated repo's licence files are not in the cache when the Hub refused them, and the cache
alone cannot tell them from files that do not exist. The model_info an online run kept for a
gated repo (`hub_info.read_kept_info`, licensecheck's own cache) can: the licence-like files
it lists that the snapshot lacks become `gated-file` findings, as online, so the model is
judged declared only offline too, never better than online.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from licensecheck.errors import SourceError
from licensecheck.facts import Finding, ModelFacts, ModelRef
from licensecheck.sources.interface import ModelSource
from licensecheck.sources.local import read_directory
from licensecheck.sources.refs import is_sha


def default_cache_dir() -> Path:
    """The HF hub cache directory, resolved from the environment like huggingface_hub."""

    def expand(value: str) -> str:
        return os.path.expandvars(os.path.expanduser(value))

    # huggingface_hub/constants.py, step by step (os.getenv with a default: "" is a value).
    env = os.environ
    xdg = env.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache"))
    hf_home = expand(env.get("HF_HOME", os.path.join(xdg, "huggingface")))
    legacy = env.get("HUGGINGFACE_HUB_CACHE", os.path.join(hf_home, "hub"))
    return Path(expand(env.get("HF_HUB_CACHE", legacy)))


def repo_folder_name(repo_id: str) -> str:
    return "models--" + repo_id.replace("/", "--")


def branch_memory(own_cache: Path, hf_cache: Path, repo_id: str, revision: str) -> Path:
    """Where licensecheck keeps the commit it last saw `revision` (a branch or tag) at,
    for this HF cache: a file in its own cache, never in the HF cache."""
    key = f"{os.path.abspath(hf_cache)}\0{repo_id.lower()}\0{revision}"
    return own_cache / "hub-refs" / f"{hashlib.sha256(key.encode()).hexdigest()[:40]}.json"


def read_branch_memory(path: Path, repo_id: str, revision: str) -> str | None:
    """The commit sha kept at `path` for `repo_id`@`revision`, or None (missing, damaged
    or another entry's)."""
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read(4096))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("repo") != repo_id.lower() or data.get("revision") != revision:
        return None
    sha = data.get("sha")
    return sha if isinstance(sha, str) and is_sha(sha) else None


def branch_memory_entry(repo_id: str, revision: str, sha: str) -> bytes:
    return json.dumps({"repo": repo_id.lower(), "revision": revision, "sha": sha}).encode()


class CacheSource(ModelSource):
    """Hub models as the HF cache holds them (no network, no huggingface_hub import)."""

    name = "cache"

    def __init__(
        self,
        cache_dir: str | Path | None = None,
        *,
        keep_dir: str | Path | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__()
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        # Where HubSource keeps model_info answers, and for which Hub, and where a branch
        # last pointed (None: not consulted).
        self.keep_dir = Path(keep_dir) if keep_dir is not None else None
        self.endpoint = endpoint

    def _repo_folder(self, repo_id: str) -> Path | None:
        folder = self.cache_dir / repo_folder_name(repo_id)
        if folder.is_dir():
            return folder
        # Hub ids are case-insensitive; the cache keeps the spelling of the first download.
        wanted = repo_folder_name(repo_id).lower()
        try:
            for entry in sorted(os.scandir(self.cache_dir), key=lambda e: e.name):
                if entry.name.lower() == wanted and entry.is_dir():
                    return Path(entry.path)
        except OSError:
            return None
        return None

    def _missing(self, what: str, ref: ModelRef) -> SourceError:
        return SourceError(
            "not-found",
            f"{ref.display}: {what} not in the HF cache ({self.cache_dir}); run once without "
            f"--offline, or `hf download {ref.repo_id}`",
        )

    def _fetch(self, ref: ModelRef) -> ModelFacts:
        if ref.local_path is not None:
            raise SourceError("invalid", f"{ref.display}: a local directory, not a Hub id")
        folder = self._repo_folder(ref.repo_id)
        if folder is None:
            raise self._missing("model", ref)
        revision = ref.revision or "main"
        sha = revision if is_sha(revision) else self._branch(ref, folder, revision)
        snapshot = folder / "snapshots" / sha
        if not snapshot.is_dir():
            raise self._missing(f"snapshot {sha[:12]}", ref)
        facts = read_directory(snapshot, ref, self.name, sha, ref.repo_id, allowed=folder)
        return self._with_gating(facts, sha)

    def _with_gating(self, facts: ModelFacts, sha: str) -> ModelFacts:
        """Gated and the licence files the Hub refused, from the kept model_info."""
        if self.endpoint is None:
            return facts
        from licensecheck.sources.hub_info import read_kept_info

        info = read_kept_info(self.keep_dir, self.endpoint, facts.ref.repo_id, sha)
        if info is None or not info.gated:
            return facts
        from dataclasses import replace

        from licensecheck.sources import files as filesmod

        have = {f.path for f in facts.files} | {f.path for f in facts.findings if f.path}
        unread = [
            path
            for path in filesmod.select(p for p in info.siblings or () if p != filesmod.README)
            if filesmod.is_text_name(path) and path not in have
        ]
        refused = tuple(
            Finding(
                kind="gated-file",
                message=f"{path}: gated; not in the HF cache (request access on the Hub and "
                "set HF_TOKEN, then run once without --offline)",
                path=path,
            )
            for path in unread
        )
        return replace(facts, gated=True, findings=(*facts.findings, *refused))

    def _branch(self, ref: ModelRef, folder: Path, revision: str) -> str:
        """The commit `revision` names here: licensecheck's memory or `refs/<revision>`,
        whichever is newer and has its snapshot (see the module docstring)."""
        ref_file = folder / "refs" / revision
        remembered = self._remembered(ref.repo_id, revision, folder)
        try:
            if remembered is not None and remembered[1] >= ref_file.stat().st_mtime:
                return remembered[0]
        except OSError:  # no refs/<revision>
            return remembered[0] if remembered is not None else self._no_revision(ref, revision)
        try:
            sha = ref_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise self._missing(f"revision {revision!r}", ref) from None
        if not is_sha(sha):
            raise SourceError(
                "invalid", f"{ref.display}: cache ref file {ref_file} does not hold a commit sha"
            )
        return sha

    def _no_revision(self, ref: ModelRef, revision: str) -> str:
        raise self._missing(f"revision {revision!r}", ref)

    def _remembered(self, repo_id: str, revision: str, folder: Path) -> tuple[str, float] | None:
        if self.keep_dir is None:
            return None
        path = branch_memory(self.keep_dir, self.cache_dir, repo_id, revision)
        sha = read_branch_memory(path, repo_id, revision)
        if sha is None or not (folder / "snapshots" / sha).is_dir():
            return None
        try:
            return sha, path.stat().st_mtime
        except OSError:
            return None
