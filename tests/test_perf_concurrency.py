"""Concurrent audits on the loopback Hub: input order, shared bases, the request bound, the
Retry-After gate, thread-safe progress.

Every test runs the real HubSource (huggingface_hub over HTTP) and the real Auditor; the
imitation adds latency where requests must overlap.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _perf_support import Concurrency, add_base, add_models, make_auditor, timed_log
from hub_server import HubServer

from licensecheck.audit import ProgressEvent
from licensecheck.facts import ModelFacts, ModelRef
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.sources import hub_client
from licensecheck.sources.hub import HubSource
from licensecheck.sources.hub_client import RateGate

Factory = Callable[..., HubSource]


def test_results_in_input_order_whatever_the_completion_order(
    hub: HubServer, hub_source: Factory, kb: KnowledgeBase
) -> None:
    ids = add_models(hub, "perf-order", 12)
    rng = random.Random(8)
    delays = {repo: rng.uniform(0.0, 0.12) for repo in ids}
    finished: list[str] = []

    class Shuffled(HubSource):
        def _fetch(self, ref: ModelRef) -> ModelFacts:
            time.sleep(delays[ref.repo_id])  # a slow repo, as on the real Hub
            facts = super()._fetch(ref)
            finished.append(ref.repo_id)
            return facts

    source = Shuffled(hub.url, cache_dir=hub_source().cache_dir, timeout=2.0)
    refs = [ModelRef(r) for r in ids]
    report = make_auditor(source, kb, jobs=6).audit(refs)
    assert finished != ids  # completion order differed ...
    assert [r.model for r in report.results] == ids  # ... the report's did not
    assert [r.status for r in report.results] == ["ok"] * len(ids)
    declared = [r.determination.id for r in report.results if r.determination]
    assert declared == ["apache-2.0", "mit", "llama3.1", "cc-by-nc-4.0"] * 3


def test_a_shared_base_is_read_and_identified_once_across_threads(
    hub: HubServer, hub_source: Factory, kb: KnowledgeBase
) -> None:
    base = add_base(hub)
    ids = add_models(hub, "perf-derived", 10, base=base)
    hub.latency = 0.05  # all ten workers ask for the base while its first read is in flight
    auditor = make_auditor(hub_source(), kb, jobs=10)
    report = auditor.audit([ModelRef(r) for r in ids])
    assert [r.status for r in report.results] == ["ok"] * 10
    assert all(r.lineage and r.lineage[0].model == base for r in report.results)
    assert len(hub.requests(contains=f"/api/models/{base}")) == 1
    # README.md, LICENSE, NOTICE: once each, by one worker, not once per worker (30). A
    # download may be tried again (at most `retries` = 2 times) when its connection drops
    # (huggingface_hub closes its shared client on any connect error of its own calls,
    # cutting every request in flight).
    gets = len(hub.requests("GET", f"{base}/resolve/"))  # each then redirected: resolve-cache
    assert 3 <= gets <= 3 * 3, gets
    for name in ("README.md", "LICENSE", "NOTICE"):
        assert 1 <= len(hub.downloads(f"{base}/{hub.sha(base)}/{name}")) <= 3
    assert auditor.identified == 11  # ten models and their base, each once


def test_requests_in_flight_never_exceed_jobs(
    hub: HubServer, hub_source: Factory, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = add_models(hub, "perf-bound", 6, extra_files=2)
    probe = Concurrency()
    handler: Any = hub._httpd.RequestHandlerClass  # type: ignore[union-attr]
    handle = handler._handle

    def slow(self: Any, method: str) -> None:
        # Each request is "in flight" at the Hub for 30 ms; its answer comes after that, so
        # a worker's next request cannot overlap its previous one in this count.
        with probe.inside():
            time.sleep(0.03)
        handle(self, method)

    monkeypatch.setattr(handler, "_handle", slow)
    report = make_auditor(hub_source(jobs=3), kb, jobs=6).audit([ModelRef(r) for r in ids])
    assert [r.status for r in report.results] == ["ok"] * 6
    # model_info, then one GET per file (README.md, LICENSE and two more)
    assert probe.calls == len(hub.requests()) >= 6 + 6 * 4
    assert probe.peak == 3  # bounded by the source's jobs, and the bound is used


def test_one_models_files_are_fetched_in_parallel(
    hub: HubServer, hub_source: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo,) = add_models(hub, "perf-files", 1, extra_files=3)
    probe = Concurrency()
    handler: Any = hub._httpd.RequestHandlerClass  # type: ignore[union-attr]
    handle = handler._handle

    def slow(self: Any, method: str) -> None:
        if "/resolve/" in self.path:  # what the Hub sees in flight for this model's files
            with probe.inside():
                time.sleep(0.05)
        handle(self, method)

    monkeypatch.setattr(handler, "_handle", slow)
    facts = hub_source().fetch(ModelRef(repo))
    assert [f.path for f in facts.files] == [
        "LICENSE",
        "LICENSE-part0.txt",
        "LICENSE-part1.txt",
        "LICENSE-part2.txt",
    ]
    assert probe.calls == 5 and probe.peak >= 3  # README.md and four licence files


def test_retry_after_closes_the_gate_for_every_worker(
    hub: HubServer, hub_source: Factory, kb: KnowledgeBase
) -> None:
    ids = add_models(hub, "perf-gate", 8, extra_files=1)
    hub.latency = 0.03  # a steady stream of requests from four workers
    hub.add_fault(f"^/api/models/{ids[1]}$", status=429, retry_after=0.8, times=1)
    log = timed_log(hub)
    source = hub_source(max_retry_after=5.0, gate=RateGate())
    report = make_auditor(source, kb, jobs=4).audit([ModelRef(r) for r in ids])
    assert [r.status for r in report.results] == ["ok"] * 8, [r.error for r in report.results]
    (limited,) = [t for t, _, path, status in log if status == 429]
    # Requests already on the wire when the 429 came back may still arrive; after that,
    # nobody sends anything until Retry-After has passed ...
    during = [path for t, _, path, _ in log if limited + 0.25 < t < limited + 0.75]
    assert during == []
    # ... and then every worker resumes, the rate-limited model first among them.
    after = [path for t, _, path, _ in log if t >= limited + 0.75]
    assert after and any(p == f"/api/models/{ids[1]}" for p in after)


def test_file_downloads_wait_at_the_gate(
    hub: HubServer, hub_source: Factory, tmp_path: Path
) -> None:
    (repo,) = add_models(hub, "perf-gate-files", 1, extra_files=1)
    ref = ModelRef(repo, hub.sha(repo))
    hub_source(keep_dir=tmp_path).fetch(ref)  # model_info kept: the next run only downloads
    gate = RateGate()
    source = hub_source(keep_dir=tmp_path, cache_dir=tmp_path / "empty-hf-cache", gate=gate)
    log = timed_log(hub)
    start = time.monotonic()
    gate.defer(0.4)  # as a 429 seen by another worker would
    assert [f.path for f in source.fetch(ref).files] == ["LICENSE", "LICENSE-part0.txt"]
    # README.md and the two licences, each a GET the Hub redirects to its resolve-cache
    assert [m for _, m, _, _ in log] == ["GET"] * 6
    assert min(t for t, *_ in log) >= start + 0.4


def test_a_429_on_a_file_closes_the_gate(hub: HubServer, hub_source: Factory) -> None:
    (repo,) = add_models(hub, "perf-gate-429", 1)
    hub.add_fault(f"^/{repo}/resolve/.*/LICENSE$", status=429, retry_after=0.3, method="GET")
    log = timed_log(hub)
    gate = RateGate()
    facts = hub_source(gate=gate, max_retry_after=5.0).fetch(ModelRef(repo))
    assert [f.path for f in facts.files] == ["LICENSE"]  # tried again after the gate
    (limited,) = [t for t, _, _, status in log if status == 429]
    # The gate stayed shut for Retry-After from the moment the 429 came back: the retry
    # waited for it.
    (retried,) = [t for t, _, path, status in log if path.endswith("/LICENSE") and status == 200]
    assert retried >= limited + 0.25


def test_a_429_closes_the_gate_of_its_source_for_at_most_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Response:
        status_code = 429
        headers = {"retry-after": "0.3"}  # noqa: RUF012

    source = HubSource("http://127.0.0.1:9", gate=RateGate(), max_retry_after=0.2)
    other = HubSource("http://127.0.0.1:9", gate=RateGate())
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)  # what the gate makes a request wait
    hub_client.after_response(source, Response())  # closes the gate, for at most the cap
    hub_client.before_request(other)  # another source's gate: open
    assert waits == []
    hub_client.before_request(source)
    (waited,) = waits
    assert 0.1 < waited <= 0.2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", 2.0), ("0.5", 0.5), ("-3", 0.0), ("soon", None), (None, None)],
)
def test_retry_after_values(value: str | None, expected: float | None) -> None:
    assert hub_client.parse_retry_after(value) == expected


def test_the_hubs_ratelimit_header_says_how_long() -> None:
    import httpx2

    spent = httpx2.Headers({"RateLimit": '"api";r=0;t=55', "Retry-After": "3"})
    left = httpx2.Headers({"RateLimit": '"api";r=12;t=55', "Retry-After": "3"})
    assert hub_client.wait_from_headers(spent) == 55.0  # the window is spent: until it resets
    assert hub_client.wait_from_headers(left) == 3.0
    assert hub_client.wait_from_headers(httpx2.Headers({})) is None


def test_retry_after_as_an_http_date() -> None:
    from email.utils import formatdate

    seconds = hub_client.parse_retry_after(formatdate(time.time() + 30, usegmt=True))
    assert seconds is not None and 25 < seconds <= 30


def test_progress_events_are_serialised_and_count_up(
    hub: HubServer, hub_source: Factory, kb: KnowledgeBase
) -> None:
    ids = add_models(hub, "perf-progress", 10)
    hub.latency = 0.02
    busy = threading.Lock()
    events: list[ProgressEvent] = []
    overlaps: list[str] = []

    def observer(event: ProgressEvent) -> None:  # not thread-safe on purpose
        if not busy.acquire(blocking=False):
            overlaps.append(event.model)
            return
        try:
            time.sleep(0.002)
            events.append(event)
        finally:
            busy.release()

    make_auditor(hub_source(), kb, jobs=8, progress=observer).audit([ModelRef(r) for r in ids])
    assert overlaps == []
    done = [e.done for e in events if e.kind == "done"]
    assert done == list(range(1, 11))
    assert sorted(e.model for e in events if e.kind == "start") == sorted(ids)


def test_a_second_run_downloads_nothing(
    hub: HubServer, hub_source: Factory, hf_cache: Path
) -> None:
    (repo,) = add_models(hub, "perf-warm", 1, extra_files=1)
    first = hub_source().fetch(ModelRef(repo))
    hub.clear_log()
    second = hub_source().fetch(ModelRef(repo))  # a new run: same HF cache, new source
    assert second == first
    assert [(r.method, r.path) for r in hub.requests()] == [("GET", f"/api/models/{repo}")]


def test_a_sha_pinned_second_run_makes_no_request(
    hub: HubServer, hub_source: Factory, tmp_path: Path
) -> None:
    (repo,) = add_models(hub, "perf-pinned", 1)
    ref = ModelRef(repo, hub.sha(repo))
    first = hub_source(keep_dir=tmp_path).fetch(ref)
    assert len(hub.requests(contains="/api/models/")) == 1
    hub.clear_log()
    second = hub_source(keep_dir=tmp_path).fetch(ref)
    assert second == first and hub.requests() == []
    # A branch may move: it is asked for every run, cache or not.
    hub_source(keep_dir=tmp_path).fetch(ModelRef(repo))
    assert len(hub.requests(contains="/api/models/")) == 1


def test_a_corrupt_model_info_entry_is_asked_again(
    hub: HubServer, hub_source: Factory, tmp_path: Path
) -> None:
    (repo,) = add_models(hub, "perf-pinned-bad", 1)
    ref = ModelRef(repo, hub.sha(repo))
    first = hub_source(keep_dir=tmp_path).fetch(ref)
    (entry,) = (tmp_path / "hub-info").glob("*.json")
    for bad in (b"{not json", b'{"format": 1}', entry.read_bytes().replace(b'"gated"', b'"x"')):
        entry.write_bytes(bad)
        hub.clear_log()
        assert hub_source(keep_dir=tmp_path).fetch(ref) == first
        assert len(hub.requests(contains="/api/models/")) == 1
    hub.clear_log()
    hub_source(keep_dir=tmp_path).fetch(ref)  # rewritten whole by the last run
    assert hub.requests() == []


def test_our_calls_send_no_telemetry_and_leave_the_shared_client_alone(
    hub: HubServer, hub_source: Factory
) -> None:
    import huggingface_hub
    from huggingface_hub import constants, get_session
    from huggingface_hub.utils import _http

    (repo,) = add_models(hub, "perf-citizen", 1)
    before_factory = _http._GLOBAL_CLIENT_FACTORY
    monkey = pytest.MonkeyPatch()
    monkey.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)  # as in a user's process
    try:
        client = get_session()  # in use by another library's thread
        hub_source().fetch(ModelRef(repo))
        # the same client, still open; the same factory; telemetry as the user left it
        assert get_session() is client and not client.is_closed
        assert _http._GLOBAL_CLIENT_FACTORY is before_factory
        assert constants.HF_HUB_DISABLE_TELEMETRY is False
    finally:
        monkey.undo()
    # and yet no telemetry request, no agent in the user agent
    assert not hub.requests(contains="agent-harnesses")
    source = hub_source()
    agent = source._request_headers()["user-agent"]
    assert agent.startswith("licensecheck/") and "agent/" not in agent
    assert f"hf_hub/{huggingface_hub.__version__}" in agent
