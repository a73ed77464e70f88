"""Shared by the tests/test_perf_*.py modules: repos for concurrency and cache tests on the
session's Hub imitation, an Auditor factory, and a probe of concurrent calls."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hub_server import HubServer, corpus_license, make_card

from licensecheck.audit import Auditor
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.policy.load import load_preset
from licensecheck.sources.interface import ModelSource

TODAY = dt.date(2026, 1, 15)
BASE = "perf-base/shared"
# (licence id, corpus file): unmodified texts, so every model is identified with certainty
LICENCES = (
    ("apache-2.0", "apache-2.0.txt"),
    ("mit", "mit.txt"),
    ("llama3.1", "llama3.1.txt"),
    ("cc-by-nc-4.0", "cc-by-nc-4.0.txt"),
)


def add_models(
    hub: HubServer, prefix: str, count: int, *, base: str | None = None, extra_files: int = 0
) -> list[str]:
    """`count` repos `prefix/m<i>` (added once per session): a card, a LICENSE and
    `extra_files` further licence-like files; optionally all naming `base`."""
    ids = [f"{prefix}/m{i}" for i in range(count)]
    for i, repo_id in enumerate(ids):
        if repo_id.lower() in hub.repos:
            continue
        licence, text = LICENCES[i % len(LICENCES)]
        meta: dict[str, Any] = {"license": licence}
        if base is not None:
            meta["base_model"] = base
        files = {
            "README.md": make_card(f"# {repo_id}\n\nReleased under {licence}.\n", **meta),
            "LICENSE": corpus_license(text),
            "config.json": b"{}",
        }
        for n in range(extra_files):
            files[f"LICENSE-part{n}.txt"] = corpus_license(LICENCES[n % len(LICENCES)][1])
        hub.add_repo(repo_id, files)
    return ids


def add_base(hub: HubServer) -> str:
    if BASE.lower() not in hub.repos:
        hub.add_repo(
            BASE,
            {
                "README.md": make_card("# Shared base\n", license="apache-2.0"),
                "LICENSE": corpus_license("apache-2.0.txt"),
                "NOTICE": b"Shared base\nCopyright 2025 Perf Tests\n",
            },
        )
    return BASE


def make_auditor(source: ModelSource, kb: KnowledgeBase, **kw: Any) -> Auditor:
    policy = load_preset("default", kb)
    return Auditor(source, kb, policy, ("research", "commercial"), TODAY, **kw)


class Concurrency:
    """Counts calls in progress at once, across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.calls = 0

    @contextmanager
    def inside(self) -> Iterator[None]:
        with self._lock:
            self.now += 1
            self.calls += 1
            self.peak = max(self.peak, self.now)
        try:
            yield
        finally:
            with self._lock:
                self.now -= 1


def timed_log(hub: HubServer) -> list[tuple[float, str, str, int]]:
    """From now on, (monotonic time, method, path, status) of each request the imitation
    answers, appended to the returned list (the imitation's own log has no times)."""
    log: list[tuple[float, str, str, int]] = []
    record = hub._record

    def stamped(request: Any) -> None:
        log.append((time.monotonic(), request.method, request.path, request.status))
        record(request)

    hub._record = stamped  # type: ignore[method-assign]
    return log
