"""What every source is: `fetch(ref) -> ModelFacts`, or a `SourceError`.

`Source` is what the audit reads through. `ModelSource.fetch` memoises per `ModelRef.key`
for the life of the object (one run), so a base model named by several models is read once,
and concurrent callers asking for the same model wait for the one request in flight.
Subclasses implement `_fetch`.

`Router` sends local directories to the local source and Hub ids to the Hub (online) or to
the HF cache (`--offline`); `sources/lock.py` answers from a lock file in front of it.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from licensecheck.errors import SourceError, UsageError
from licensecheck.facts import ModelFacts, ModelRef
from licensecheck.redact import sanitize
from licensecheck.sources.refs import check_repo_id, check_revision

ERROR_KINDS = ("not-found", "gated", "network", "invalid")


@dataclass
class _Entry:
    done: threading.Event = field(default_factory=threading.Event)
    facts: ModelFacts | None = None
    error: SourceError | None = None


def check_ref(ref: ModelRef) -> None:
    """Refuse a Hub reference no source may act on: `scan`, a lock file or a card can name
    `org/x@../../etc/passwd`, and a revision becomes a path in the HF cache (refs/<rev>)."""
    if ref.local_path is not None:
        return
    try:
        check_repo_id(ref.repo_id, "model")
        if ref.revision is not None:
            check_revision(ref.revision, f"model {ref.repo_id!r}")
    except UsageError as exc:
        raise SourceError("invalid", f"{ref.display}: {exc}") from None


class Source(ABC):
    """What the audit reads models through: `fetch(ref) -> ModelFacts` or a SourceError.
    Every place models come from is a `ModelSource`; the `Router` picks one per model."""

    name: str = "source"

    def source_for(self, ref: ModelRef) -> str:
        """The report's `source` value for a model read through this object."""
        return self.name

    def warm_up(self, refs: Sequence[ModelRef]) -> None:
        """A hint that `refs` will be fetched: start any slow set-up in the background.
        Nothing to do for most sources."""
        return None

    @abstractmethod
    def fetch(self, ref: ModelRef) -> ModelFacts:
        """Facts about `ref`. Raises SourceError."""


class ModelSource(Source):
    """A place models are read from. Thread-safe; results memoised per run."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str | None], _Entry] = {}
        self._memo_lock = threading.Lock()

    def fetch(self, ref: ModelRef) -> ModelFacts:
        """Facts about `ref`, read once per run. Raises SourceError."""
        check_ref(ref)
        key = ref.key
        with self._memo_lock:
            entry = self._memo.get(key)
            owner = entry is None
            if entry is None:
                entry = self._memo[key] = _Entry()
        if owner:
            try:
                # Everything below this point came from an untrusted repo: no tokens, no
                # terminal control characters, no lone surrogates (redact.py).
                entry.facts = sanitize(self._fetch(ref))
            except SourceError as exc:
                entry.error = exc
            finally:
                entry.done.set()
        else:
            entry.done.wait()
        if entry.error is not None:
            raise entry.error
        if entry.facts is None:  # the owner died of a bug; do not hang or pretend
            raise SourceError("invalid", f"{ref.display}: could not be read")
        return entry.facts

    @abstractmethod
    def _fetch(self, ref: ModelRef) -> ModelFacts:
        """Read one model. Raise SourceError(kind, one-line message) on failure."""


class Router(Source):
    """Local paths to `local`, Hub ids to `hub` (which is the HF cache when offline). The
    sources memoise; the router only picks."""

    name = "router"

    def __init__(self, hub: Source, local: Source) -> None:
        self.hub = hub
        self.local = local

    def _pick(self, ref: ModelRef) -> Source:
        return self.local if ref.local_path is not None else self.hub

    def source_for(self, ref: ModelRef) -> str:
        return self._pick(ref).source_for(ref)

    def warm_up(self, refs: Sequence[ModelRef]) -> None:
        self.hub.warm_up([r for r in refs if r.local_path is None])  # local: nothing to set up

    def fetch(self, ref: ModelRef) -> ModelFacts:
        return self._pick(ref).fetch(ref)  # the picked source checks the ref and memoises
