"""`licensecheck alternatives`: which candidates may replace a model, best first. Pure: the
candidates come from a source (sources/hub_search.py online, sources/cache_search.py offline),
their results from the `Auditor`; this module only decides what is excluded and the order.

Ranking (docs/spec/cli.md): candidates allowed for every requested use first, then those
with a `review` (or that could not be judged: an error is never an allow), then those with a
`deny`; within a group, the order the listing gave (the `--sort` order). A candidate is never
dropped without a trace: what is left out is in `Ranking.excluded`, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from licensecheck.identify.types import UNKNOWN, Determination
from licensecheck.redact import one_line
from licensecheck.results import AuditReport, ModelResult, UseVerdict, most_severe

SORTS = ("downloads", "likes", "trending", "created")
GROUPS = ("allow", "review", "deny")  # ranking order; an error ranks with review
REASON_LIMIT = 300
# The Hub's lineage tags: `base_model:<id>` and `base_model:<relation>:<id>`.
_BASE_TAG = re.compile(r"^base_model:(?:(finetune|adapter|quantized|merge):)?(.+)$", re.I)


@dataclass(frozen=True)
class Query:
    """What was asked: the model to replace (or None) and the listing's filters."""

    model: str | None
    task: str | None
    search: str | None = None
    author: str | None = None
    library: str | None = None
    sort: str = "downloads"
    limit: int = 20
    offline: bool = False


@dataclass(frozen=True)
class Candidate:
    """One model a listing offered, with what the listing said about it."""

    model: str  # org/name
    revision: str | None = None  # a cached snapshot's sha where no branch names it (offline)
    task: str | None = None  # pipeline_tag, where known
    downloads: int | None = None
    likes: int | None = None
    created_at: str | None = None
    trending_score: float | None = None
    tags: tuple[str, ...] = ()  # Hub tags (base_model:quantized:org/name, license:..., ...)
    base_models: tuple[str, ...] = ()  # the card's base_model entries


@dataclass(frozen=True)
class Excluded:
    model: str
    reason: str


@dataclass(frozen=True)
class Row:
    """One ranked candidate: what a reader needs to choose."""

    model: str
    group: str  # allow | review | deny
    status: str  # ok | error
    license: str  # licence id, or "unknown"
    verified: bool  # a licence text was read and matched (not only the card's declaration)
    verdicts: dict[str, str]  # use -> allow | review | deny | error
    reason: str | None  # one line, for anything but allow
    candidate: Candidate
    result: ModelResult


@dataclass(frozen=True)
class Ranking:
    rows: tuple[Row, ...]
    excluded: tuple[Excluded, ...] = ()

    @property
    def allowed(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.group == "allow")


def base_relations(tags: Iterable[str], base_models: Iterable[str]) -> dict[str, str]:
    """The bases a candidate names (lower-case id -> relation, "derivative" when the
    relation is not said), from the Hub's tags and the card's base_model."""
    found: dict[str, str] = {}
    for tag in tags:
        match = _BASE_TAG.match(tag.strip())
        if match:
            relation, base = match.group(1), match.group(2).strip().lower()
            if relation or base not in found:
                found[base] = (relation or "derivative").lower()
    for base in base_models:
        found.setdefault(base.strip().lower(), "derivative")
    return found


def derived_from(model: str, candidate: Candidate, result: ModelResult | None = None) -> str | None:
    """Why `candidate` is `model` itself or one of its own quantisations, adapters, fine-tunes
    or merges (at any depth of the audited lineage), else None."""
    wanted = model.lower()
    if candidate.model.lower() == wanted:
        return "the model itself"
    relation = base_relations(candidate.tags, candidate.base_models).get(wanted)
    if relation is not None:
        return f"{_relation_word(relation)} of {model}"
    for link in result.lineage if result is not None else ():
        if link.model.lower() == wanted:
            return f"{_relation_word(link.relation)} of {model} (depth {link.depth})"
    return None


def _relation_word(relation: str) -> str:
    return {"finetune": "a fine-tune", "adapter": "an adapter", "quantized": "a quantisation"}.get(
        relation, f"a {relation}"
    )


def verified(determination: Determination | None) -> bool:
    """Whether a licence text (a file, the card's text or a licence in its metadata) confirms
    the licence concluded, as opposed to the card's declaration alone (a gated model whose
    files were refused is never verified)."""
    if determination is None or determination.id == UNKNOWN or not determination.verified:
        return False
    return any(e.via == "text" and e.id == determination.id for e in determination.evidence)


def _key_reason(use: str, verdict: UseVerdict, several: bool) -> str:
    """The reason a reader needs first: the first one that produced the verdict."""
    if verdict.waived_by:
        text = f"exception: {verdict.waived_by}"
    else:
        chosen = next((r for r in verdict.reasons if r.verdict == verdict.verdict), None)
        text = chosen.message if chosen else (verdict.reasons[0].message if verdict.reasons else "")
    return f"{use}: {text}" if several else text


def row_for(candidate: Candidate, result: ModelResult, uses: Sequence[str]) -> Row:
    determination = result.determination
    licence = determination.id if determination is not None else UNKNOWN
    if result.status != "ok":
        message = result.error.message if result.error else "could not be judged"
        return Row(
            model=candidate.model,
            group="review",
            status=result.status,
            license=licence,
            verified=verified(determination),
            verdicts={use: "error" for use in uses},
            reason=one_line(message, REASON_LIMIT),
            candidate=candidate,
            result=result,
        )
    verdicts = {use: result.verdicts[use].verdict for use in uses if use in result.verdicts}
    missing = [use for use in uses if use not in verdicts]
    group = "review" if missing else most_severe(list(verdicts.values()))
    reason: str | None = None
    if missing:
        reason = f"no verdict for {', '.join(missing)}"
    elif group != "allow":
        use = next(u for u in uses if verdicts[u] == group)
        reason = one_line(_key_reason(use, result.verdicts[use], len(uses) > 1), REASON_LIMIT)
    return Row(
        model=candidate.model,
        group=group,
        status="ok",
        license=licence,
        verified=verified(determination),
        verdicts=dict(verdicts),
        reason=reason,
        candidate=candidate,
        result=result,
    )


def rank(
    candidates: Sequence[Candidate],
    results: Sequence[ModelResult],
    uses: Sequence[str],
    replacing: str | None = None,
    excluded: Sequence[Excluded] = (),
) -> Ranking:
    """Rows in ranking order. `results[i]` is `candidates[i]`'s audit; a candidate whose
    audited lineage leads to `replacing` is moved to `excluded` (it is that model again)."""
    if len(candidates) != len(results):
        raise ValueError("one result per candidate")
    rows: list[Row] = []
    left_out = list(excluded)
    for candidate, result in zip(candidates, results, strict=True):
        why = derived_from(replacing, candidate, result) if replacing else None
        if why is not None:
            left_out.append(Excluded(candidate.model, why))
            continue
        rows.append(row_for(candidate, result, uses))
    order = {group: i for i, group in enumerate(GROUPS)}
    ranked = sorted(enumerate(rows), key=lambda item: (order[item[1].group], item[0]))
    return Ranking(rows=tuple(row for _, row in ranked), excluded=tuple(left_out))


def screen(
    replacing: str | None, candidates: Iterable[Candidate], limit: int, task: str | None = None
) -> tuple[list[Candidate], list[Excluded]]:
    """Before any audit: the first `limit` candidates that are not `replacing` or its own
    derivatives by what the listing says (nor a duplicate, nor of another task where the
    task is known), and the ones left out with why. Candidates past the limit are not
    judged and not reported (the listing's order decides, as --limit says)."""
    kept: list[Candidate] = []
    left_out: list[Excluded] = []
    seen: set[str] = set()
    for candidate in candidates:
        if len(kept) >= limit:
            break
        key = candidate.model.lower()
        if key in seen:
            continue
        seen.add(key)
        why = derived_from(replacing, candidate) if replacing else None
        if why is None and task is not None and candidate.task not in (None, task):
            why = f"task {candidate.task}, not {task}"
        if why is not None:
            left_out.append(Excluded(candidate.model, why))
        else:
            kept.append(candidate)
    return kept, left_out


def worst_verdict(result: ModelResult) -> str:
    """The model's own outcome for a headline: its most severe verdict, or error."""
    if result.status != "ok":
        return "error"
    return most_severe([v.verdict for v in result.verdicts.values()])


@dataclass(frozen=True)
class Outcome:
    """What `alternatives` reports: the question, the model being replaced (as audited),
    the candidates' audit report in ranking order, and the ranking."""

    query: Query
    model: ModelResult | None
    report: AuditReport
    ranking: Ranking


def in_ranking_order(report: AuditReport, ranking: Ranking) -> AuditReport:
    """The candidates' report with `results` in the ranking's order (excluded ones out)."""
    return replace(report, results=tuple(row.result for row in ranking.rows))
