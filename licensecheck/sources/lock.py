"""A source that answers from `licensecheck.lock`: no network, no HF cache, no huggingface_hub.

`LockSource(lock, fallback)` returns, for a model the lock holds (a referenced model or a
base model its lineage reached), the facts recorded there with `source="lock"`; its licence
determination comes from the lock too (`determination_for`), since the licence texts
themselves are not kept, only their sha256. A model the lock does not hold goes to
`fallback` (the HF cache and local directories when `--offline`), or is a `not-found`
error that says to run `licensecheck lock`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from licensecheck.errors import SourceError
from licensecheck.facts import ModelFacts, ModelRef
from licensecheck.identify.types import Determination
from licensecheck.lockfile import Lock, contradictions, facts_from, locked_determination
from licensecheck.paths import LOCK_NAME
from licensecheck.sources.interface import ModelSource, Source

if TYPE_CHECKING:
    from licensecheck.knowledge.store import KnowledgeBase


class LockSource(ModelSource):
    name = "lock"

    def __init__(self, lock: Lock, fallback: Source | None = None) -> None:
        super().__init__()
        self.lock = lock
        self.fallback = fallback
        self.only_lock = True  # every model so far came from the lock (a run the lock decides)

    def source_for(self, ref: ModelRef) -> str:
        if self.lock.lookup(ref) is None and self.fallback is not None:
            return self.fallback.source_for(ref)
        return self.name

    def warm_up(self, refs: Sequence[ModelRef]) -> None:
        if self.fallback is not None:  # only what the lock does not answer is read there
            self.fallback.warm_up([r for r in refs if self.lock.lookup(r) is None])

    def _fetch(self, ref: ModelRef) -> ModelFacts:
        entry = self.lock.lookup(ref)
        if entry is not None:
            return facts_from(entry, ref)
        self.only_lock = False
        if self.fallback is not None:
            return self.fallback.fetch(ref)
        raise SourceError(
            "not-found",
            f"{ref.display}: not in {self.lock.path or LOCK_NAME}; run `licensecheck lock` "
            "with network access to record it",
        )

    def verify(self, facts: ModelFacts, kb: KnowledgeBase) -> None:
        """SourceError (`invalid`) when the lock entry these facts came from contradicts
        itself (see `lockfile.contradictions`): an offline run does not trust it."""
        if facts.source != self.name:
            return
        entry = self.lock.lookup(facts.ref)
        if entry is None or not entry.files:
            return
        from licensecheck.knowledge.store import canonical_hashes

        problems = contradictions(entry, canonical_hashes(kb))
        if problems:
            raise SourceError(
                "invalid",
                f"{facts.ref.display}: the entry in {self.lock.path or LOCK_NAME} contradicts "
                f"itself ({'; '.join(problems)}); not trusted. Was it edited? Run an online "
                "`licensecheck scan --locked` to verify it, or `licensecheck lock` to record "
                "it again",
            )

    def determination_for(self, facts: ModelFacts) -> Determination | None:
        """The locked determination for facts this source produced from the lock."""
        if facts.source != self.name:
            return None
        entry = self.lock.lookup(facts.ref)
        return locked_determination(entry) if entry is not None else None

    def provider(self, kb: KnowledgeBase) -> Callable[[ModelFacts], Determination | None]:
        """The Auditor's first determination provider: the locked determination of a model
        read from the lock, once its entry is found consistent (`verify`)."""

        def locked(facts: ModelFacts) -> Determination | None:
            found = self.determination_for(facts)
            if found is not None:
                self.verify(facts, kb)  # an edited entry is not trusted
            return found

        return locked
