"""The rule layer's selectors: does a policy rule's `match` hold for a subject?

All keys of a `match` must hold (AND); the values under one key are alternatives (OR).
Licence-based selectors look at every effective licence (the model's own and inherited
ones); selector values were canonicalised by the schema (aliases resolved to ids).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from licensecheck.identify.types import UNKNOWN
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.policy import regions
from licensecheck.policy import terms as terms_mod
from licensecheck.policy.model import Match, Policy, Rule, Subject


@dataclass(frozen=True)
class SubjectView:
    """The values each selector compares against, gathered once per subject."""

    model: str
    revisions: tuple[str, ...]
    license: frozenset[str]
    family: frozenset[str]
    category: frozenset[str]
    restriction: frozenset[str]
    obligation: frozenset[str]
    termination: frozenset[str]
    governing_law: frozenset[str]
    publisher: frozenset[str]


def view(kb: KnowledgeBase, subject: Subject) -> SubjectView:
    ids: set[str] = set()
    families: set[str] = set()
    categories: set[str] = set()
    restrictions: set[str] = set()
    obligations: set[str] = set()
    terminations: set[str] = set()
    laws: set[str] = set()
    for bound in terms_mod.binding_licences(kb, subject):
        lic = bound.license
        if lic is None:
            ids.add(UNKNOWN)
            categories.add(UNKNOWN)
            continue
        ids.add(lic.id)
        categories.add(lic.category)
        if lic.family:
            families.add(lic.family)
        if lic.governing_law:
            laws.add(regions.normalise(lic.governing_law))
        terms = lic.terms_for(bound.version)
        if terms is not None:
            restrictions.update(r.id for r in terms.restrictions)
            obligations.update(o.id for o in terms.obligations)
            obligations.update(c.obligation.id for c in terms.conditions if c.obligation)
            terminations.update(t.id for t in terms.terminations)
    return SubjectView(
        model=subject.model,
        revisions=subject.revisions,
        license=frozenset(ids),
        family=frozenset(families),
        category=frozenset(categories),
        restriction=frozenset(restrictions),
        obligation=frozenset(obligations),
        termination=frozenset(terminations),
        governing_law=frozenset(laws),
        publisher=frozenset(p.lower() for p in subject.publishers),
    )


def _model_names(model: str, revisions: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The model as named, without an `@revision`, and with each known revision; lower
    case (Hub ids ignore case)."""
    lowered = model.lower()
    bare = lowered.split("@", 1)[0]
    names = [lowered, bare, *(f"{bare}@{r.lower()}" for r in revisions)]
    return tuple(dict.fromkeys(names))


def model_matches(pattern: str, model: str, revisions: tuple[str, ...] = ()) -> bool:
    """Does a `model` selector or an exception's `model` (a glob) name this model?"""
    return any(fnmatch.fnmatchcase(n, pattern.lower()) for n in _model_names(model, revisions))


def selector_holds(key: str, values: tuple[str, ...], subject: SubjectView) -> bool:
    if key == "model":
        return any(model_matches(v, subject.model, subject.revisions) for v in values)
    if key == "publisher":
        return any(fnmatch.fnmatchcase(p, v.lower()) for v in values for p in subject.publisher)
    if key == "governing_law":
        return any(regions.law_matches(v, law) for v in values for law in subject.governing_law)
    have: frozenset[str] = getattr(subject, key)
    return any(v in have for v in values)


def matches(match: Match, subject: SubjectView) -> bool:
    return all(selector_holds(k, v, subject) for k, v in match.selectors.items())


def use_applies(uses: tuple[str, ...] | None, use: str, policy: Policy) -> bool:
    """A rule (or exception) for `commercial` also covers a custom use `like: commercial`."""
    return uses is None or use in uses or policy.base_use(use) in uses


def describe(rule: Rule) -> str:
    """`license in [llama3.1] and uses [commercial]`, for reasons and explain."""
    parts = [f"{k} in [{', '.join(v)}]" for k, v in rule.match.selectors.items()]
    if not parts:
        parts = ["every model"]
    if rule.uses is not None:
        parts.append(f"uses [{', '.join(rule.uses)}]")
    return " and ".join(parts)
