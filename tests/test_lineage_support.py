"""Helpers for the lineage tests: model facts built in memory, an in-memory fetch.

No tests here. The in-memory fetch behaves as the audit's: it returns a base's facts and
determination (by the real identification code) or raises `SourceError`, and it counts
requests per repo so the tests can check that a shared base is requested once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from licensecheck.errors import SourceError
from licensecheck.facts import CardData, ModelFacts, ModelRef
from licensecheck.identify.evidence import determine
from licensecheck.identify.types import Determination
from licensecheck.knowledge.store import KnowledgeBase, parse_license


def model(
    repo: str,
    license: str | list[str] | None = None,
    base: str | list[str] | None = None,
    relation: str | None = None,
    *,
    tags: tuple[str, ...] = (),
    card_tags: tuple[str, ...] = (),
    library: str | None = None,
    files: tuple[str, ...] = (),
    gated: bool = False,
    license_name: str | None = None,
    raw: dict[str, Any] | None = None,
    revision: str | None = None,
) -> ModelFacts:
    """Facts as a source would produce them for a card with these metadata values."""
    licenses = (license,) if isinstance(license, str) else tuple(license or ())
    bases = (base,) if isinstance(base, str) else tuple(base or ())
    card = CardData(
        licenses=licenses,
        license_name=license_name,
        base_models=tuple(b for b in bases if b.strip()),
        base_model_relation=relation,
        tags=card_tags,
        library_name=library,
        raw=dict(raw or {}),
    )
    return ModelFacts(
        ref=ModelRef(repo),
        source="hub",
        revision=revision or hashlib.sha1(repo.lower().encode()).hexdigest(),
        card=card,
        card_text=None,
        filenames=tuple(files),
        gated=gated,
        tags=tags,
    )


class MemoryHub:
    """An in-memory fetch: repo id (any case) -> facts, with a request log."""

    def __init__(self, kb: KnowledgeBase, *models: ModelFacts) -> None:
        self.kb = kb
        self.models = {m.ref.repo_id.lower(): m for m in models}
        self.errors: dict[str, SourceError] = {}
        self.requests: Counter[str] = Counter()

    def add(self, *models: ModelFacts) -> MemoryHub:
        for m in models:
            self.models[m.ref.repo_id.lower()] = m
        return self

    def fail(self, repo: str, kind: str, message: str) -> MemoryHub:
        self.errors[repo.lower()] = SourceError(kind, message)
        return self

    def __call__(self, ref: ModelRef) -> tuple[ModelFacts, Determination]:
        key = ref.repo_id.lower()
        self.requests[key] += 1
        if key in self.errors:
            raise self.errors[key]
        facts = self.models.get(key)
        if facts is None:
            raise SourceError("not-found", f"{ref.repo_id}: no such model on the Hub")
        return facts, determine(facts, self.kb)


def _licence(
    id: str,
    category: str,
    bound: bool,
    family: str | None = None,
    prefix: str | None = None,
    incorporates: tuple[str, ...] = (),
) -> dict[str, Any]:
    obligations = [{"id": "name-prefix", "text": prefix, "when": "derivative"}] if prefix else []
    terms = {"derivatives_bound": bound, "uses": {}, "obligations": obligations}
    return {
        "id": id,
        "name": f"Test licence {id}",
        "category": category,
        "family": family,
        "terms": {**terms, "incorporates": list(incorporates)},
    }


def synthetic_kb() -> KnowledgeBase:
    """Made-up licences that exercise the rules, independent of the real data files."""
    entries = [
        _licence("perm-a", "permissive", False),
        _licence("perm-b", "permissive", False),
        _licence("copyleft-x", "copyleft", True),
        _licence("fam-1", "community", True, family="fam", prefix="Fam 1"),
        _licence("fam-2", "community", True, family="fam", prefix="Fam"),
        _licence("other-comm", "community", True, family="other"),
        _licence("nc", "non-commercial", True),
        _licence("research", "research-only", True),
        _licence("wrapper", "community", True, family="wrap", incorporates=("fam-2",)),
    ]
    return KnowledgeBase([parse_license(e) for e in entries], "synthetic")
