"""Facts about a model, as the sources produce them. Pure data, no I/O.

A source (Hub, local directory, HF cache, lock) turns a `ModelRef` into `ModelFacts`:
the parsed card metadata, the licence-like files it could read, and the gaps (files it
could not read). Everything downstream (identification, lineage, policy) works on these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModelRef:
    """What the user (or a scan, or a base_model field) named.

    `repo_id` is `org/name` for Hub models; for a local directory it is the path as given
    and `local_path` is set. `revision` is a branch, tag or 40-hex sha, or None.
    """

    repo_id: str
    revision: str | None = None
    local_path: str | None = None
    # A Hub id that is also the name of a local folder (`meta-llama/Llama-3.1-8B/` in the
    # working directory): the Hub model is judged, and the report says the folder was not.
    shadow: str | None = field(default=None, compare=False, hash=False)

    @property
    def display(self) -> str:
        if self.local_path is not None:
            return self.repo_id
        return f"{self.repo_id}@{self.revision}" if self.revision else self.repo_id

    @property
    def key(self) -> tuple[str, str | None]:
        """Identity for de-duplication: Hub ids are case-insensitive."""
        if self.local_path is not None:
            return (self.local_path, None)
        return (self.repo_id.lower(), self.revision)


# Findings that mean a licence-like file (or some of them) was not read in full: the
# determination is incomplete, and the policy's `unreadable_license_file` judges that.
# (A gated repo's refused files are `gated-file`, judged on their own.)
UNREAD_KINDS = frozenset(
    {
        "file-binary",
        "file-not-text",
        "file-empty",
        "file-not-utf8",
        "file-truncated",
        "file-unreadable",
        "file-outside",
        "files-capped",
    }
)


@dataclass(frozen=True)
class Finding:
    """Something noteworthy about the inputs that is not an error: a bad card, a gap."""

    kind: str  # e.g. card-no-metadata, card-yaml-error, file-unreadable, file-truncated, gated-file
    message: str
    path: str | None = None


@dataclass(frozen=True)
class CardData:
    """The licence-relevant parts of a model card's front matter, normalised.

    `licenses` is always a list (the Hub allows a list); `base_models` drops empty entries.
    `raw` keeps the whole mapping for anything else a later stage needs.
    """

    licenses: tuple[str, ...] = ()
    license_name: str | None = None
    license_link: str | None = None
    base_models: tuple[str, ...] = ()
    base_model_relation: str | None = None
    pipeline_tag: str | None = None
    tags: tuple[str, ...] = ()
    library_name: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class RepoFile:
    """A licence-like file read from the repo (LICENSE*, NOTICE*, USE_POLICY*, README.md...)."""

    path: str
    text: str
    sha256: str
    truncated: bool = False


@dataclass(frozen=True)
class ModelFacts:
    """Everything a source could learn about one model at one revision."""

    ref: ModelRef
    source: str  # hub | local | cache | lock
    revision: str | None  # resolved 40-hex commit sha where known
    card: CardData
    card_text: str | None  # README.md body (after the front matter), for licence sections
    files: tuple[RepoFile, ...] = ()
    gated: bool = False
    tags: tuple[str, ...] = ()  # Hub tags (license:..., base_model:adapter:..., ...)
    pipeline_tag: str | None = None
    findings: tuple[Finding, ...] = ()
    gguf_license: str | None = None  # general.license from a GGUF header, where read
    hub_id: str | None = None  # the Hub repo a local snapshot or checkout belongs to, where known
    # Every file path in the repo at this revision (Hub siblings, a directory listing), where
    # the source knows it: adapter_config.json or *.gguf tell lineage how a model relates.
    filenames: tuple[str, ...] = ()

    @property
    def unread(self) -> tuple[Finding, ...]:
        """The findings that say a licence-like file was not (fully) read."""
        return tuple(f for f in self.findings if f.kind in UNREAD_KINDS)

    @property
    def publisher(self) -> str | None:
        repo_id = self.ref.repo_id if self.ref.local_path is None else self.hub_id
        if repo_id is None or "/" not in repo_id:
            return None
        return repo_id.split("/", 1)[0]
