"""Auditor: the pipeline's wiring, order, partial failure, memoised bases, progress."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from licensecheck.audit import Auditor, ProgressEvent
from licensecheck.errors import SourceError
from licensecheck.facts import CardData, Finding, ModelFacts, ModelRef
from licensecheck.identify.types import Determination
from licensecheck.knowledge import store
from licensecheck.policy.load import load_preset
from licensecheck.sources.interface import ModelSource

TODAY = dt.date(2026, 1, 15)
SHA = "c" * 40


def facts(repo_id: str, *licenses: str, bases: tuple[str, ...] = (), **kw: Any) -> ModelFacts:
    return ModelFacts(
        ref=ModelRef(repo_id),
        source="hub",
        revision=SHA,
        card=CardData(licenses=licenses, base_models=bases),
        card_text="",
        **kw,
    )


class FakeSource(ModelSource):
    """Facts from a table; counts real reads; optional per-model delay."""

    name = "hub"

    def __init__(
        self, table: dict[str, ModelFacts | SourceError], delays: dict[str, float] | None = None
    ) -> None:
        super().__init__()
        self.table = {k.lower(): v for k, v in table.items()}
        self.delays = delays or {}
        self.calls: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def _fetch(self, ref: ModelRef) -> ModelFacts:
        with self._count_lock:
            self.calls[ref.repo_id.lower()] += 1
        time.sleep(self.delays.get(ref.repo_id, 0.0))
        item = self.table.get(ref.repo_id.lower())
        if item is None:
            raise SourceError("not-found", f"{ref.display}: not found")
        if isinstance(item, SourceError):
            raise item
        return replace(item, ref=ref)


@pytest.fixture(scope="module")
def policy(kb: store.KnowledgeBase) -> Any:
    return load_preset("default", kb)


def auditor(source: ModelSource, kb: Any, policy: Any, **kw: Any) -> Auditor:
    return Auditor(source, kb, policy, ("research", "commercial"), TODAY, **kw)


def test_results_in_input_order_whatever_the_completion_order(kb: Any, policy: Any) -> None:
    table: dict[str, ModelFacts | SourceError] = {
        f"org/m{i}": facts(f"org/m{i}", "mit") for i in range(6)
    }
    delays = {f"org/m{i}": 0.05 * (6 - i) for i in range(6)}  # the first finishes last
    report = auditor(FakeSource(table, delays), kb, policy, jobs=6).audit(
        [ModelRef(f"org/m{i}") for i in range(6)]
    )
    assert [r.model for r in report.results] == [f"org/m{i}" for i in range(6)]
    assert all(r.status == "ok" and r.revision == SHA for r in report.results)
    assert report.uses == ("research", "commercial")
    assert report.policy.name == policy.name


def test_errors_are_results_and_the_others_are_judged(kb: Any, policy: Any) -> None:
    table: dict[str, ModelFacts | SourceError] = {
        "org/ok": facts("org/ok", "apache-2.0"),
        "org/down": SourceError("network", "org/down: Hub unavailable (HTTP 503)"),
    }
    report = auditor(FakeSource(table), kb, policy).audit(
        [ModelRef("org/down"), ModelRef("org/missing", "d" * 40), ModelRef("org/ok")]
    )
    down, missing, ok = report.results
    assert (down.status, down.error.kind if down.error else None) == ("error", "network")
    assert down.verdicts == {} and down.determination is None
    assert (missing.error.kind if missing.error else None, missing.revision) == (
        "not-found",
        "d" * 40,
    )
    assert ok.status == "ok" and ok.determination is not None
    assert ok.determination.id == "apache-2.0"
    assert set(ok.verdicts) == {"research", "commercial"}


def test_shared_base_is_read_once(kb: Any, policy: Any) -> None:
    base = "meta-llama/Llama-3.1-8B-Instruct"
    table: dict[str, ModelFacts | SourceError] = {
        base: facts(base, "llama3.1"),
        "a/ft1": facts("a/ft1", "apache-2.0", bases=(base,)),
        "b/ft2": facts("b/ft2", "llama3.1", bases=(base.lower(),)),
        "c/ft3": facts("c/ft3", "mit", bases=("a/ft1",)),
    }
    source = FakeSource(table)
    report = auditor(source, kb, policy, jobs=4).audit(
        [ModelRef("a/ft1"), ModelRef("b/ft2"), ModelRef("c/ft3"), ModelRef(base)]
    )
    assert all(r.status == "ok" for r in report.results)
    assert max(source.calls.values()) == 1, source.calls
    ft1 = report.results[0]
    assert "llama3.1" in ft1.effective_licenses
    assert [link.model for link in ft1.lineage] == [base]


def test_gated_model_with_unread_files_is_judged_declared_only(kb: Any, policy: Any) -> None:
    gated = facts(
        "meta-llama/x",
        "llama3.1",
        gated=True,
        findings=(Finding(kind="gated-file", message="LICENSE: gated", path="LICENSE"),),
    )
    readable = replace(gated, findings=())
    report = auditor(
        FakeSource({"meta-llama/x": gated, "meta-llama/y": readable}), kb, policy
    ).audit([ModelRef("meta-llama/x"), ModelRef("meta-llama/y")])
    x, y = report.results
    # Judged on the declared licence, and said to be: status ok, verified False, and the
    # policy's unverified_license (review by default) with the refused file named.
    assert x.status == "ok" and x.error is None
    assert x.determination is not None and x.determination.id == "llama3.1"
    assert not x.determination.verified and x.determination.refused == ("LICENSE",)
    reasons = [r for v in x.verdicts.values() for r in v.reasons]
    unverified = [r for r in reasons if r.rule == "unverified_license"]
    assert unverified and all(
        "LICENSE" in r.message and "HF_TOKEN" in r.message for r in unverified
    )
    assert all(v.verdict != "allow" for v in x.verdicts.values())
    # Gated, but with no refused file reported (the metadata facts have no LICENSE text):
    # still declared only; a text that was read is what verifies.
    assert y.status == "ok" and y.determination is not None and not y.determination.verified


def test_progress_events(kb: Any, policy: Any) -> None:
    events: list[ProgressEvent] = []
    lock = threading.Lock()

    def observe(event: ProgressEvent) -> None:
        with lock:
            events.append(event)

    table: dict[str, ModelFacts | SourceError] = {"o/a": facts("o/a", "mit")}
    auditor(FakeSource(table), kb, policy, progress=observe, jobs=2).audit(
        [ModelRef("o/a"), ModelRef("o/b")]
    )
    done = sorted((e.done, e.status) for e in events if e.kind == "done")
    assert [d for d, _ in done] == [1, 2]
    assert sorted(s for _, s in done) == ["error", "ok"]
    assert {e.total for e in events} == {2}
    assert len([e for e in events if e.kind == "start"]) == 2


def test_a_bug_in_one_model_does_not_sink_the_run(kb: Any, policy: Any, monkeypatch: Any) -> None:
    from licensecheck.identify import evidence

    real = evidence.determine

    def flaky(f: ModelFacts, k: Any) -> Any:
        if f.ref.repo_id == "o/bad":
            raise RuntimeError("boom")
        return real(f, k)

    monkeypatch.setattr(evidence, "determine", flaky)
    table: dict[str, ModelFacts | SourceError] = {
        "o/bad": facts("o/bad", "mit"),
        "o/good": facts("o/good", "mit"),
    }
    report = auditor(FakeSource(table), kb, policy).audit([ModelRef("o/bad"), ModelRef("o/good")])
    bad, good = report.results
    assert bad.status == "error" and bad.error is not None and bad.error.kind == "invalid"
    assert "RuntimeError: boom" in bad.error.message
    assert good.status == "ok"
    monkeypatch.setenv("LICENSECHECK_DEBUG", "1")
    with pytest.raises(RuntimeError):
        auditor(FakeSource(table), kb, policy).audit([ModelRef("o/bad")])


def test_findings_are_carried_to_the_result(kb: Any, policy: Any) -> None:
    noted = facts(
        "o/a", "mit", findings=(Finding(kind="card-yaml-error", message="README.md: bad"),)
    )
    (result,) = auditor(FakeSource({"o/a": noted}), kb, policy).audit([ModelRef("o/a")]).results
    assert "card-yaml-error: README.md: bad" in result.findings


def test_a_bug_while_reading_is_an_error_result(kb: Any, policy: Any) -> None:
    class Broken(FakeSource):
        def _fetch(self, ref: ModelRef) -> ModelFacts:
            if ref.repo_id == "o/bad":
                raise KeyError("surprise")
            return super()._fetch(ref)

    table: dict[str, ModelFacts | SourceError] = {"o/good": facts("o/good", "mit")}
    bad, good = (
        auditor(Broken(table), kb, policy).audit([ModelRef("o/bad"), ModelRef("o/good")]).results
    )
    assert bad.status == "error" and bad.error is not None
    assert bad.error.kind == "invalid" and "while reading" in bad.error.message
    assert good.status == "ok"


def test_determination_providers_come_first_and_each_model_is_recorded_once(
    kb: Any, policy: Any
) -> None:
    """The chain lock -> on-disk cache -> matcher: a provider's answer is used as it is
    (the card says apache-2.0, the provider mit); a model it does not know (None) is
    identified; `record` hears each model once, bases included, however often it is met."""
    base = "org/base"
    table: dict[str, ModelFacts | SourceError] = {
        base: facts(base, "apache-2.0"),
        "org/a": facts("org/a", "apache-2.0", bases=(base,)),
        "org/b": facts("org/b", "apache-2.0", bases=(base,)),
    }
    provided = Determination(id="mit", confidence=1.0)
    asked: list[str] = []
    recorded: list[tuple[str, str]] = []

    def provider(f: ModelFacts) -> Determination | None:
        asked.append(f.ref.repo_id)
        return provided if f.ref.repo_id == "org/a" else None

    def refuse(f: ModelFacts) -> Determination | None:
        raise SourceError("invalid", f"{f.ref.display}: entry contradicts itself")

    report = auditor(
        FakeSource(table),
        kb,
        policy,
        providers=[provider],
        record=lambda f, d: recorded.append((f.ref.repo_id, d.id)),
    ).audit([ModelRef("org/a"), ModelRef("org/b"), ModelRef("org/a")])
    a, b, _ = report.results
    assert a.determination == provided and b.determination is not None
    assert b.determination.id == "apache-2.0"  # not known to the provider: identified
    assert sorted(recorded) == [("org/a", "mit"), ("org/b", "apache-2.0"), (base, "apache-2.0")]
    assert sorted(asked) == ["org/a", "org/b", base]  # once per model
    failed = auditor(FakeSource(table), kb, policy, providers=[refuse]).audit([ModelRef("org/a")])
    assert failed.results[0].status == "error"  # a provider's refusal is the model's error
