"""`licensecheck alternatives [MODEL] [--task TASK]`: which models may replace MODEL.

Wiring only: the model itself is audited first (its `pipeline_tag` is the task unless
`--task` says otherwise), candidates come from the Hub's listing (sources/hub_search.py: one
request, whose answers spare each candidate its model_info) or, with `--offline`, from the HF
cache (sources/cache_search.py); the same `Auditor` judges them, `alternatives.rank` orders
them, formats/alternatives.py renders them. Exit statuses (docs/spec/cli.md): 0 at least one
candidate allowed for every use, 1 none, 2 usage, 3 the search (or the model, when its task
is needed) failed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from licensecheck.alternatives import SORTS
from licensecheck.cli.compose import build_source, load_kb, make_auditor, resolve_policy
from licensecheck.cli.options import (
    EXIT_FAIL,
    EXIT_OK,
    ModelOptions,
    choose_format,
    guarded,
    is_offline,
    model_options,
    resolve_uses,
)
from licensecheck.cli.output import is_terminal, progress, terminal_width, use_color, write_report
from licensecheck.errors import SourceError, UsageError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from licensecheck.alternatives import Candidate, Excluded, Query
    from licensecheck.facts import ModelRef
    from licensecheck.results import ModelResult
    from licensecheck.sources.interface import Source

DEFAULT_LIMIT = 20


@click.command("alternatives")
@click.argument("model", required=False, metavar="[MODEL]")
@click.option(
    "--task", metavar="TASK", help="Pipeline tag (text-generation, ...). Default: MODEL's."
)
@click.option("--search", metavar="TEXT", help="Only models whose id contains TEXT.")
@click.option("--author", metavar="ORG", help="Only models of this user or organisation.")
@click.option(
    "--library", metavar="NAME", help="Only models of this library (transformers, gguf...)."
)
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="downloads",
    show_default=True,
    help="The Hub's order, kept within each verdict group.",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="Candidates judged (the first ones in --sort order).",
)
@model_options
def alternatives(
    model: str | None,
    task: str | None,
    search: str | None,
    author: str | None,
    library: str | None,
    sort: str,
    limit: int,
    **options: Any,
) -> None:
    """Find models that may replace MODEL (or do TASK), judged under the policy.

    Candidates are the Hub's models for MODEL's task (--offline: the models in the HF
    cache), without MODEL itself and its own quantisations, adapters and fine-tunes. Those
    allowed for every use come first, then those to review, then those denied.

    Exit status: 0 at least one candidate allowed for every use; 1 none; 2 usage or
    configuration error; 3 the Hub search failed.
    """
    from licensecheck import alternatives as core
    from licensecheck.formats import RenderOptions
    from licensecheck.formats.alternatives import FORMATS, render
    from licensecheck.sources.refs import parse_ref

    opts = ModelOptions.from_kwargs(options)
    with guarded():
        if model is None and not task:
            raise UsageError("give MODEL or --task TASK")
        fmt = choose_format(opts, is_terminal("stdout") and opts.output is None)
        if fmt not in FORMATS:
            raise UsageError(f"--format {fmt!r}: alternatives are written as {', '.join(FORMATS)}")
        model_ref = parse_ref(model) if model is not None else None
        if model_ref is not None and model_ref.local_path is not None:
            raise UsageError(
                f"MODEL {model!r}: give a Hub id (org/name); a directory has no Hub task"
            )
        offline = is_offline(opts)
        source = build_source(opts)
        if model_ref is not None:
            source.warm_up([model_ref])
        kb = load_kb()
        policy = resolve_policy(opts, kb)
        uses = resolve_uses(opts, policy)
        auditor = make_auditor(source, kb, policy, uses, None, jobs=opts.jobs)

        # The model is judged while the candidates are listed: its model_info alone gives
        # the task (its files and bases are not needed for that).
        judging: Future[ModelResult] | None = None
        if model_ref is not None:
            task = task or _hub_task(source, model_ref)
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(1, thread_name_prefix="licensecheck-model")
            judging = pool.submit(auditor.audit_one, model_ref)
            pool.shutdown(wait=False)  # the one job still runs
        if judging is not None and not task:
            task = _task_from(judging.result(), model)
        query = core.Query(
            model=model_ref.repo_id if model_ref is not None else None,
            task=task,
            search=search,
            author=author,
            library=library,
            sort=sort,
            limit=limit,
            offline=offline,
        )
        hub = getattr(source, "hub", source)
        if offline:
            candidates, refs, excluded = _from_cache(hub, query)
        else:
            candidates, refs, excluded = _from_hub(hub, query)
        model_result = judging.result() if judging is not None else None
        with progress(len(refs), enabled=not offline and len(refs) >= 2) as observer:
            auditor.progress = observer or auditor.progress
            report = auditor.audit(refs)
        ranking = core.rank(candidates, report.results, uses, query.model, excluded)
        outcome = core.Outcome(
            query=query,
            model=model_result,
            report=core.in_ranking_order(report, ranking),
            ranking=ranking,
        )
        color = fmt == "table" and opts.output is None and use_color()
        text = render(fmt, outcome, RenderOptions(kb=kb, color=color, width=terminal_width()))
        write_report(text, opts.output)
    raise SystemExit(EXIT_OK if ranking.allowed else EXIT_FAIL)


def _hub_task(source: Source, ref: ModelRef) -> str | None:
    """The task the Hub's model_info gives (the request the audit of `ref` then reuses);
    None offline, or when only the README's front matter could say."""
    from licensecheck.redact import one_line
    from licensecheck.sources.hub import HubSource

    hub = getattr(source, "hub", None)
    if not isinstance(hub, HubSource):
        return None
    info = hub.info(ref)
    task = info.pipeline_tag or (info.card or {}).get("pipeline_tag")
    return one_line(task, 100) if isinstance(task, str) and task.strip() else None


def _task_from(result: ModelResult, model: str | None) -> str:
    """The task the audited model's facts give, or why there is none (exit 3 when it could
    not be read, 2 when its card names no task)."""
    facts = result.facts
    task = (facts.pipeline_tag or facts.card.pipeline_tag) if facts is not None else None
    if task:
        return task
    if result.status != "ok" and result.error is not None:
        raise SourceError(result.error.kind, result.error.message)
    raise UsageError(f"{model}: its card names no pipeline_tag; give --task TASK")


def _from_hub(hub: Source, query: Query) -> tuple[list[Candidate], list[ModelRef], list[Excluded]]:
    """The listing's first `limit` candidates, page by page until there are enough (MODEL
    and its own derivatives left out), each one's model_info handed to the source."""
    from licensecheck.alternatives import Excluded, screen
    from licensecheck.sources import hub_search
    from licensecheck.sources.hub import HubSource

    assert isinstance(hub, HubSource)
    listed: dict[str, hub_search.Listed] = {}
    broken: list[Excluded] = []
    candidates: list[Candidate] = []
    excluded: list[Excluded] = []
    for page in hub_search.pages(hub, query):
        for entry in page:
            if isinstance(entry, Excluded):
                broken.append(entry)
            else:
                listed.setdefault(entry.candidate.model.lower(), entry)
        offered = [entry.candidate for entry in listed.values()]
        candidates, excluded = screen(query.model, offered, query.limit, query.task)
        if len(candidates) >= query.limit:
            break
    refs = [hub_search.remember(hub, listed[c.model.lower()]) for c in candidates]
    return candidates, refs, broken + excluded


def _from_cache(
    cache: Source, query: Query
) -> tuple[list[Candidate], list[ModelRef], list[Excluded]]:
    """The models in the HF cache, each read once (the audit reuses the read) for its task
    and bases; those of another task are left out, those of an unknown task kept."""
    from licensecheck.alternatives import screen
    from licensecheck.facts import ModelRef
    from licensecheck.paths import cache_dir
    from licensecheck.sources import cache_search
    from licensecheck.sources.cache import CacheSource

    assert isinstance(cache, CacheSource)
    found, excluded = cache_search.cached_models(cache.cache_dir)
    # The filters the Hub would apply, the cheap ones before any model is read.
    if query.search:
        found = [c for c in found if query.search.lower() in c.model.lower()]
    if query.author:
        found = [c for c in found if c.model.split("/")[0].lower() == query.author.lower()]
    tasks = cache_search.kept_tasks(cache_dir())
    offered: list[Candidate] = []
    for candidate in found:
        try:
            facts = cache.fetch(ModelRef(candidate.model, candidate.revision))
        except SourceError:
            if not query.library:
                offered.append(candidate)  # the audit reports why it cannot be read
            continue
        library = facts.card.library_name
        if query.library and (library or "").lower() != query.library.lower():
            continue
        task = tasks.get(candidate.model.lower()) or facts.pipeline_tag or facts.card.pipeline_tag
        offered.append(
            replace(candidate, task=task, tags=facts.tags, base_models=facts.card.base_models)
        )
    candidates, left_out = screen(query.model, offered, query.limit, query.task)
    refs = [ModelRef(c.model, c.revision) for c in candidates]
    return candidates, refs, excluded + left_out
