"""The on-disk determination cache (licensecheck/cache.py): a warm run identifies nothing,
a corrupt entry is never trusted, and anything that could change an answer is a miss."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _perf_support import add_base, add_models, make_auditor
from hub_server import HubServer

from licensecheck import cache as cachemod
from licensecheck.cache import DeterminationCache, decode_determination, facts_digest
from licensecheck.codec import to_json
from licensecheck.facts import CardData, ModelFacts, ModelRef, RepoFile
from licensecheck.identify import evidence
from licensecheck.identify.types import Change, Conflict, Determination, Evidence
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.sources.hub import HubSource

Factory = Callable[..., HubSource]
SHA = "d" * 40


class Counting:
    """evidence.determine, counted (or refused, to prove it is not called)."""

    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[str] = []
        self.refuse = refuse
        self.real = evidence.determine

    def __call__(self, facts: ModelFacts, kb: KnowledgeBase) -> Determination:
        self.calls.append(facts.ref.repo_id)
        if self.refuse:
            raise AssertionError(f"{facts.ref.repo_id} identified again")
        return self.real(facts, kb)


def run(
    hub_source: Factory, kb: KnowledgeBase, ids: list[str], cache: DeterminationCache
) -> list[Any]:
    report = make_auditor(hub_source(), kb, jobs=4, determinations=cache).audit(
        [ModelRef(r) for r in ids]
    )
    assert [r.status for r in report.results] == ["ok"] * len(ids)
    return [r.determination for r in report.results]


def test_a_warm_run_identifies_nothing(
    hub: HubServer,
    hub_source: Factory,
    kb: KnowledgeBase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = add_models(hub, "perf-cache", 6, base=add_base(hub))
    cold = DeterminationCache(tmp_path, kb)
    first = run(hub_source, kb, ids, cold)
    assert (cold.hits, cold.misses, cold.writes) == (0, 7, 7)  # six models and their base

    monkeypatch.setattr(evidence, "determine", Counting(refuse=True))
    warm = DeterminationCache(tmp_path, kb)  # the next run: a new process, the same disk
    assert run(hub_source, kb, ids, warm) == first
    assert (warm.hits, warm.misses, warm.writes) == (7, 0, 0)


def test_a_corrupt_entry_is_ignored_and_rewritten(
    hub: HubServer,
    hub_source: Factory,
    kb: KnowledgeBase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = add_models(hub, "perf-corrupt", 5)
    first = run(hub_source, kb, ids, DeterminationCache(tmp_path, kb))
    entries = sorted((tmp_path / "determinations").glob("*/*.json"))
    assert len(entries) == 5
    good = json.loads(entries[3].read_text())
    bad_id = {**good, "determination": {**good["determination"], "id": 7}}
    extra = {**good, "determination": {**good["determination"], "surprise": True}}
    other_key = {**good, "key": "0" * 40}
    entries[0].write_bytes(b"\x00\xff not json")
    entries[1].write_text(json.dumps(bad_id))
    entries[2].write_text(json.dumps(extra))
    entries[3].write_text(json.dumps(other_key))
    entries[4].write_text(entries[4].read_text()[:50])  # truncated

    counting = Counting()
    monkeypatch.setattr(evidence, "determine", counting)
    again = DeterminationCache(tmp_path, kb)
    assert run(hub_source, kb, ids, again) == first  # nothing wrong was believed
    assert sorted(counting.calls) == sorted(ids) and again.writes == 5

    monkeypatch.setattr(evidence, "determine", Counting(refuse=True))
    healed = DeterminationCache(tmp_path, kb)
    assert run(hub_source, kb, ids, healed) == first
    assert healed.hits == 5


def facts(text: str = "MIT License\n", revision: str | None = SHA, **kw: Any) -> ModelFacts:
    return ModelFacts(
        ref=ModelRef("perf/unit"),
        source="hub",
        revision=revision,
        card=CardData(licenses=("mit",), raw={"license": "mit"}),
        card_text="# Unit\n",
        files=(RepoFile("LICENSE", text, "ab"),),
        **kw,
    )


def test_any_change_to_the_facts_is_another_key(kb: KnowledgeBase, tmp_path: Path) -> None:
    cache = DeterminationCache(tmp_path, kb)
    base = facts()
    variants = [
        facts(text="MIT License\nplus a clause\n"),
        facts(gguf_license="apache-2.0"),
        facts(tags=("license:apache-2.0",)),
        dataclasses.replace(base, card=CardData(licenses=("apache-2.0",))),
        dataclasses.replace(base, card_text="# Unit\n\nLicensed under GPL-3.0.\n"),
        dataclasses.replace(base, ref=ModelRef("perf/other")),
        facts(revision="e" * 40),
    ]
    keys = {cache.key(f) for f in [base, *variants]}
    assert len(keys) == 1 + len(variants)
    # Not the content: which source read it, and how the revision was spelled.
    assert cache.key(dataclasses.replace(base, source="cache")) == cache.key(base)
    assert cache.key(dataclasses.replace(base, ref=ModelRef("Perf/Unit", "main"))) == cache.key(
        base
    )
    assert facts_digest(base) == facts_digest(facts())


def test_only_content_at_a_commit_is_cached(kb: KnowledgeBase, tmp_path: Path) -> None:
    cache = DeterminationCache(tmp_path, kb)
    local = facts(revision=None)
    cache.put(local, evidence.determine(local, kb))
    assert cache.get(local) is None and cache.writes == 0
    pinned = facts()
    determination = evidence.determine(pinned, kb)
    cache.put(pinned, determination)
    assert cache.get(pinned) == determination


def test_a_new_knowledge_base_or_matcher_is_a_new_generation(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = facts()
    first = DeterminationCache(tmp_path, kb)
    first.put(f, evidence.determine(f, kb))

    class OtherKb:
        digest = "0123456789abcdef"

    other = DeterminationCache(tmp_path, OtherKb())  # type: ignore[arg-type]
    assert other.generation != first.generation and other.get(f) is None
    monkeypatch.setattr(cachemod, "matcher_version", lambda digest: "another matcher")
    assert DeterminationCache(tmp_path, kb).get(f) is None


def test_old_generations_are_pruned(kb: KnowledgeBase, tmp_path: Path) -> None:
    root = tmp_path / "determinations"
    for n in range(5):
        (root / f"old{n}").mkdir(parents=True)
        (root / f"old{n}" / "x.json").write_text("{}")
    f = facts()
    DeterminationCache(tmp_path, kb).put(f, evidence.determine(f, kb))
    assert len(list(root.iterdir())) == cachemod.KEEP_GENERATIONS


def test_an_unwritable_cache_only_costs_the_identification(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = DeterminationCache(blocker, kb)
    f = facts()
    cache.put(f, evidence.determine(f, kb))  # no exception
    assert cache.get(f) is None and cache.writes == 0


def test_determinations_round_trip_exactly() -> None:
    original = Determination(
        id="llama3.1",
        confidence=0.93,
        version="2024-07-23",
        modified=True,
        evidence=(
            Evidence(
                "license-file",
                "llama3.1",
                1.0,
                path="LICENSE",
                detail="lines 1-48",
                changes=(Change("changed", "EU residents", 12, original="you"),),
                via="text",
            ),
            Evidence("card-metadata", "llama3.1", 0.9, detail="license", via="id"),
        ),
        conflicts=(Conflict("modified-text", "LICENSE differs", ("llama3.1",), "info"),),
        declared=("llama3.1",),
        extra=("llama3.1-aup",),
    )
    encoded = json.loads(json.dumps(to_json(original)))
    assert decode_determination(encoded) == original
    assert decode_determination({**encoded, "confidence": "high"}) is None
    assert decode_determination({**encoded, "evidence": [{"id": "x"}]}) is None
    assert decode_determination([]) is None
