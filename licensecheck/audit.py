"""The audit service: model references in, an `AuditReport` out. No CLI, no rich, no printing.

For each model, one pipeline:

    source.fetch(ref) -> ModelFacts                      (sources/: hub, local, cache)
    identify.evidence.determine(facts, kb) -> Determination
    lineage.resolve_lineage(facts, determination, fetch_base, kb) -> Lineage
    policy.subject.build_subject(...) -> Subject
    policy.engine.evaluate(policy, kb, subject, use, today) -> UseVerdict   (per use)

Base models are read through the same source object, which memoises per (repo, revision)
with one request in flight per key, so a base shared by many models costs one request per
run even when several workers ask at once; determinations are memoised here the same way
(a per-key future, not just a dict), and with a `DeterminationCache` (cache.py) they are
also kept on disk, so a warm run does not identify texts again. Models are processed by a
bounded thread pool (`jobs`); results come back in input order whatever the completion
order. A model that cannot be read is a `ModelResult` with `status="error"`; the others are
still judged. Progress is reported through an injected callback, called under a lock (one
event at a time, `done` counting up), so the observer need not be thread-safe.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from licensecheck import __version__
from licensecheck.errors import SourceError
from licensecheck.facts import ModelFacts, ModelRef
from licensecheck.identify.types import Determination
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.lineage import DEFAULT_MAX_DEPTH, Lineage, resolve_lineage
from licensecheck.policy import engine
from licensecheck.policy.model import Policy
from licensecheck.policy.subject import build_subject
from licensecheck.redact import one_line
from licensecheck.results import (
    SHADOW_PREFIX,
    AuditReport,
    ModelError,
    ModelResult,
    PolicyInfo,
    UseVerdict,
)
from licensecheck.sources.interface import Source
from licensecheck.sources.refs import is_sha

if TYPE_CHECKING:
    from concurrent.futures import Future

    from licensecheck.cache import DeterminationCache

MAX_JOBS = 64


@dataclass(frozen=True)
class ProgressEvent:
    """One step of an audit, for a progress display. `done` counts finished models."""

    kind: str  # start | done
    model: str
    done: int
    total: int
    status: str | None = None  # ok | error, on "done"


Progress = Callable[[ProgressEvent], None]
# Where a determination may come from before the matcher: asked in order, None passes on
# (the lock's `LockSource.locked`). SourceError: the model cannot be judged.
Provider = Callable[[ModelFacts], "Determination | None"]
# Told every determination the run makes, once per model (`lockfile.Recorder.record`).
Record = Callable[[ModelFacts, Determination], None]


def _no_progress(event: ProgressEvent) -> None:
    """The default observer: nothing."""


class Auditor:
    """Judge models for uses under a policy. One instance per run (it memoises)."""

    def __init__(
        self,
        source: Source,
        kb: KnowledgeBase,
        policy: Policy,
        uses: Sequence[str],
        today: dt.date,
        progress: Progress | None = None,
        *,
        jobs: int = 1,
        max_depth: int = DEFAULT_MAX_DEPTH,
        determinations: DeterminationCache | None = None,
        providers: Sequence[Provider] = (),
        record: Record | None = None,
    ) -> None:
        self.source = source
        self.kb = kb
        self.policy = policy
        self.uses = tuple(uses)
        self.today = today
        self.progress = progress or _no_progress
        self.jobs = max(1, min(MAX_JOBS, jobs))
        self.max_depth = max_depth
        # A model's determination: the providers (the lock), then the on-disk cache (None:
        # none), then the matcher; `record` is told each one.
        self.providers = tuple(providers)
        self.determinations = determinations
        self.record = record
        self._determinations: dict[tuple[str, str | None], Future[Determination]] = {}
        self._lock = threading.Lock()
        self._progress_lock = threading.Lock()
        self._matcher_lock = threading.Lock()
        self._matcher_ready = False
        self._done = 0
        self.identified = 0  # determinations computed (not memoised, not from the cache)

    # --- the run --------------------------------------------------------------------------

    def audit(self, refs: Sequence[ModelRef]) -> AuditReport:
        """Every model, judged for every use; results in the order of `refs`."""
        total = len(refs)
        self._done = 0

        def one(ref: ModelRef) -> ModelResult:
            with self._progress_lock:
                self.progress(ProgressEvent("start", ref.display, self._done, total))
            result = self.audit_one(ref)
            with self._progress_lock:
                self._done += 1
                self.progress(ProgressEvent("done", ref.display, self._done, total, result.status))
            return result

        if self.jobs == 1 or total <= 1:
            results = [one(ref) for ref in refs]
        else:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=min(self.jobs, total))
            finished = False
            try:
                results = list(pool.map(one, refs))
                finished = True
            finally:
                # Interrupted (Ctrl-C): the workers still waiting on the Hub are not waited for.
                pool.shutdown(wait=finished, cancel_futures=True)
        return AuditReport(
            tool_version=__version__,
            policy=PolicyInfo(
                name=self.policy.name, path=self.policy.path, sha256=self.policy.sha256
            ),
            uses=self.uses,
            results=tuple(results),
            expired_exceptions=engine.expired_exceptions(self.policy, self.today),
        )

    def audit_one(self, ref: ModelRef) -> ModelResult:
        """One model: fetch, identify, lineage, verdicts. Never raises for a bad model."""
        source = self.source.source_for(ref)
        facts: ModelFacts | None = None
        try:
            facts = self.source.fetch(ref)
            return self._judge(ref, facts)
        except SourceError as exc:
            return self._error(ref, source, exc.kind, exc.message, facts)
        except Exception as exc:  # a bug must not sink the other models' verdicts
            if os.environ.get("LICENSECHECK_DEBUG"):
                raise
            stage = "reading" if facts is None else "judging"
            return self._error(
                ref,
                source,
                "invalid",
                f"{ref.display}: internal error while {stage} ({type(exc).__name__}: "
                f"{one_line(str(exc), 200)}); please report it (LICENSECHECK_DEBUG=1 shows the "
                "traceback)",
                facts,
            )

    # --- stages ---------------------------------------------------------------------------

    def determine(self, facts: ModelFacts) -> Determination:
        """The model's own licence determination, once per (model, revision) per run: the
        first caller computes it, concurrent callers for the same key wait for that result."""
        from concurrent.futures import Future  # imported here: it pulls in logging

        key = facts.ref.key
        with self._lock:
            future = self._determinations.get(key)
            owner = future is None
            if future is None:
                future = self._determinations[key] = Future()
        if owner:
            try:
                determination = self._provide(facts)
                if self.record is not None:
                    self.record(facts, determination)
                future.set_result(determination)
            except BaseException as exc:  # the waiters see the same failure
                future.set_exception(exc)
        return future.result()

    def _provide(self, facts: ModelFacts) -> Determination:
        """From the first provider that knows the model, else the on-disk cache when it holds
        these exact facts, else identified (and kept)."""
        for provider in self.providers:
            provided = provider(facts)
            if provided is not None:
                return provided
        cache = self.determinations
        if cache is not None:
            cached = cache.get(facts)
            if cached is not None:
                return cached
        from licensecheck.identify import evidence  # the matcher: not needed on warm runs

        self._prepare_matcher()
        determination = evidence.determine(facts, self.kb)
        with self._lock:
            self.identified += 1
        if cache is not None:
            cache.put(facts, determination)
        return determination

    def _prepare_matcher(self) -> None:
        """Load (or build) the matcher's index once, before the workers identify: left to
        them, every worker would build it at the same time on a cold start."""
        if self._matcher_ready:
            return
        with self._matcher_lock:
            if not self._matcher_ready:
                from licensecheck.identify.matcher import Matcher

                Matcher.get(self.kb)
                self._matcher_ready = True

    def fetch_base(self, ref: ModelRef) -> tuple[ModelFacts, Determination]:
        """The lineage's view of a base model: the same source, memoised."""
        facts = self.source.fetch(ref)
        return facts, self.determine(facts)

    def lineage(self, facts: ModelFacts, determination: Determination) -> Lineage:
        """Between determination and evaluation: what the model inherits from its bases."""
        return resolve_lineage(facts, determination, self.fetch_base, self.kb, self.max_depth)

    def evaluate(
        self, model: str, facts: ModelFacts, determination: Determination, lineage: Lineage
    ) -> dict[str, UseVerdict]:
        subject = build_subject(
            model,
            facts,
            determination,
            lineage.effective_licenses,
            lineage.links,
            lineage.conflicts,
        )
        return {
            use: engine.evaluate(self.policy, self.kb, subject, use, self.today)
            for use in self.uses
        }

    def _judge(self, ref: ModelRef, facts: ModelFacts) -> ModelResult:
        determination = self.determine(facts)
        lineage = self.lineage(facts, determination)
        findings = (
            *_shadow(ref),
            *(f"{f.kind}: {f.message}" for f in (*facts.findings, *lineage.findings)),
        )
        model = ref.repo_id if ref.local_path is None else (facts.hub_id or ref.repo_id)
        # A gated model whose licence files stayed shut is still judged, on what everyone
        # can read (its card metadata); the determination says so (`verified: False`) and
        # the policy's `unverified_license` weighs it.
        verdicts = self.evaluate(model, facts, determination, lineage)
        return ModelResult(
            model=ref.display,
            revision=facts.revision,
            source=facts.source,
            status="ok",
            facts=facts,
            determination=determination,
            lineage=lineage.links,
            effective_licenses=lineage.effective_licenses,
            lineage_conflicts=lineage.conflicts,
            verdicts=verdicts,
            findings=findings,
        )

    def _error(
        self,
        ref: ModelRef,
        source: str,
        kind: str,
        message: str,
        facts: ModelFacts | None = None,
    ) -> ModelResult:
        revision = facts.revision if facts is not None else None
        if revision is None and is_sha(ref.revision):
            revision = ref.revision
        return ModelResult(
            model=ref.display,
            revision=revision,
            source=source,
            status="error",
            error=ModelError(kind=kind, message=message),
            facts=facts,
            findings=_shadow(ref),
        )


def _shadow(ref: ModelRef) -> tuple[str, ...]:
    """The finding for a Hub id that is also a local folder's name (the folder is not read)."""
    if ref.shadow is None:
        return ()
    return (
        f"{SHADOW_PREFIX}a folder {ref.shadow!r} exists here; the Hub model {ref.repo_id} was "
        f"judged, not the folder (give ./{ref.shadow} to judge the folder)",
    )
