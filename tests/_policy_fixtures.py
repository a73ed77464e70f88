"""Helpers for the policy tests: real YAML policies in tmp dirs, subjects built the way the
pipeline builds them (through `build_subject`), judged with the real knowledge base."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from licensecheck.facts import CardData, ModelFacts, ModelRef
from licensecheck.identify.types import Conflict, Determination
from licensecheck.knowledge import store
from licensecheck.policy.engine import evaluate
from licensecheck.policy.load import load_policy
from licensecheck.policy.model import Policy, Subject
from licensecheck.policy.subject import build_subject
from licensecheck.results import LineageLink, UseVerdict

TODAY = dt.date(2026, 6, 1)


def write_policy(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def policy(tmp_path: Path, text: str, name: str = "policy.yaml") -> Policy:
    return load_policy(write_policy(tmp_path, text, name))


def facts(
    model: str,
    licenses: tuple[str, ...] = (),
    pipeline_tag: str | None = "text-generation",
    tags: tuple[str, ...] = (),
) -> ModelFacts:
    return ModelFacts(
        ref=ModelRef(model),
        source="hub",
        revision=None,
        card=CardData(licenses=licenses, pipeline_tag=pipeline_tag, tags=tags),
        card_text=None,
        pipeline_tag=pipeline_tag,
        tags=tags,
    )


def subject(
    model: str,
    license_id: str,
    *,
    effective: tuple[str, ...] | None = None,
    pipeline_tag: str | None = "text-generation",
    tags: tuple[str, ...] = (),
    modified: bool = False,
    version: str | None = None,
    lineage: tuple[LineageLink, ...] = (),
    conflicts: tuple[Conflict, ...] = (),
    with_facts: bool = True,
) -> Subject:
    determination = Determination(
        id=license_id, confidence=0.99, version=version, modified=modified
    )
    return build_subject(
        model,
        facts(model, (license_id,), pipeline_tag, tags) if with_facts else None,
        determination,
        effective if effective is not None else (license_id,),
        lineage,
        conflicts,
    )


def judge(pol: Policy, subj: Subject, use: str, today: dt.date = TODAY) -> UseVerdict:
    return evaluate(pol, store.load(), subj, use, today)


def rules_of(verdict: UseVerdict, value: str | None = None) -> list[str]:
    """The rule ids of the reasons (that contributed `value`, if given)."""
    return [r.rule for r in verdict.reasons if value is None or r.verdict == value]
