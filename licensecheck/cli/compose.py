"""How a command's run is put together (the composition root): the knowledge base, the
policy, the source (local directories plus the Hub or the HF cache), the Hub client's time
budget from the environment, the determination cache and the Auditor. `options.py` holds the
options and exit statuses these are built from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from licensecheck.cli.options import ModelOptions, endpoint, is_offline, resolve_uses, today
from licensecheck.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from licensecheck.audit import Auditor
    from licensecheck.cache import DeterminationCache
    from licensecheck.facts import ModelRef
    from licensecheck.knowledge.store import KnowledgeBase
    from licensecheck.lockfile import Recorder
    from licensecheck.policy.model import Policy
    from licensecheck.results import AuditReport
    from licensecheck.sources.interface import Source
    from licensecheck.sources.lock import LockSource

DEFAULT_TIMEOUT = 10.0  # seconds, per Hub request (LICENSECHECK_HUB_TIMEOUT overrides)
DEFAULT_RETRIES = 2  # model_info retries (LICENSECHECK_HUB_RETRIES overrides)


def load_kb() -> KnowledgeBase:
    """The knowledge base, from the user cache while its data files are unchanged."""
    from licensecheck.knowledge import store

    return store.load_cached()


def audit_refs(
    refs: list[ModelRef], opts: ModelOptions
) -> tuple[AuditReport, Policy, KnowledgeBase]:
    """The run `audit`, `sbom` and `notice` share: knowledge base, policy, uses and source,
    then every model judged (a progress bar on stderr when several come from the Hub)."""
    from licensecheck.cli.output import progress

    source = build_source(opts)
    source.warm_up(refs)  # the Hub client is set up while the KB and policy load
    kb = load_kb()
    policy = resolve_policy(opts, kb)
    uses = resolve_uses(opts, policy)
    remote = sum(1 for r in refs if r.local_path is None) if not is_offline(opts) else 0
    with progress(len(refs), enabled=remote >= 2) as observer:
        report = make_auditor(source, kb, policy, uses, observer, jobs=opts.jobs).audit(refs)
    return report, policy, kb


def note_ignored_waivers(report: AuditReport) -> None:
    """On stderr: each expired exception the run ignored for a model it judged."""
    import click

    seen: set[tuple[str, str]] = set()
    for r in report.results:
        for v in r.verdicts.values():
            for where in v.expired_waivers:
                if (r.model, where) not in seen:
                    seen.add((r.model, where))
                    click.echo(
                        f"licensecheck: warning: {r.model}: the exception at {where} has "
                        "expired and was ignored",
                        err=True,
                    )


def make_auditor(
    source: Source,
    kb: KnowledgeBase,
    policy: Policy,
    uses: Sequence[str],
    observer: Any,
    *,
    jobs: int,
    lock_source: LockSource | None = None,
    recorder: Recorder | None = None,
) -> Auditor:
    """The Auditor for a run: determinations from the lock (for models read from it), then
    the on-disk cache, then the matcher; every model it judges (referenced and bases) is
    recorded when a recorder is given."""
    from licensecheck.audit import Auditor
    from licensecheck.cli import heap

    heap.settle()
    return Auditor(
        source,
        kb,
        policy,
        uses,
        today(),
        observer,
        jobs=jobs,
        determinations=determination_cache(kb),
        providers=() if lock_source is None else (lock_source.provider(kb),),
        record=recorder.record if recorder is not None else None,
    )


def resolve_policy(opts: ModelOptions, kb: KnowledgeBase, cwd: Path | None = None) -> Policy:
    """The run's policy; kept parsed in the user cache while its files are unchanged."""
    from licensecheck.paths import cache_dir
    from licensecheck.policy.load import resolve_policy as resolve

    if opts.policy and opts.preset:
        raise UsageError("give --policy or --preset, not both")
    return resolve(opts.policy, opts.preset, cwd or Path.cwd(), kb, cache=cache_dir())


def _timeout() -> float:
    """LICENSECHECK_HUB_TIMEOUT, else huggingface_hub's own HF_HUB_DOWNLOAD_TIMEOUT and
    HF_HUB_ETAG_TIMEOUT where the user set them (the larger: our one GET of a file is the
    client's HEAD and GET at once), else the default."""
    if os.environ.get("LICENSECHECK_HUB_TIMEOUT"):
        return _env_number("LICENSECHECK_HUB_TIMEOUT", DEFAULT_TIMEOUT, 600)
    hf = [_hf_timeout(name) for name in ("HF_HUB_DOWNLOAD_TIMEOUT", "HF_HUB_ETAG_TIMEOUT")]
    chosen = [value for value in hf if value]
    return float(max(chosen)) if chosen else DEFAULT_TIMEOUT


def _hf_timeout(name: str) -> int | None:
    """huggingface_hub's reading (`_as_int(value) or default`: 0 is the default); a value
    it cannot read would fail its import, so it is a usage error here."""
    raw = os.environ.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r}: not a whole number of seconds") from None
    if value < 0 or value > 3600:
        raise UsageError(f"{name}={raw!r}: must be between 0 and 3600")
    return value or None


def _env_number(name: str, default: float, most: float, *, integer: bool = False) -> float:
    """A positive number of seconds (or a count, `integer`) from the environment."""
    raw = os.environ.get(name)
    if not raw:
        return default
    what = "a whole number" if integer else "a number of seconds"
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r}: not {what}") from None
    low_ok = value >= 0 if integer else value > 0
    if not low_ok or value > most:
        low = "from 0" if integer else "more than 0"
        raise UsageError(f"{name}={raw!r}: must be {low} and at most {most:g}")
    return value


@dataclass(frozen=True)
class HubBudget:
    timeout: float
    retries: int
    deadline: float


def hub_budget() -> HubBudget:
    """The Hub client's time budget (docs/security.md), from the environment:

    - LICENSECHECK_HUB_TIMEOUT: seconds per request (default: HF_HUB_DOWNLOAD_TIMEOUT or
      HF_HUB_ETAG_TIMEOUT where set, the larger; else 10);
    - LICENSECHECK_HUB_RETRIES: retries of model_info after a 429/5xx/drop (default 2);
    - LICENSECHECK_HUB_DEADLINE: seconds for one file download as a whole, huggingface_hub's
      own retries included (default the larger of 60 and 6 x the timeout).
    """
    timeout = _timeout()
    retries = _env_number("LICENSECHECK_HUB_RETRIES", DEFAULT_RETRIES, 10, integer=True)
    deadline = _env_number("LICENSECHECK_HUB_DEADLINE", max(60.0, 6 * timeout), 3600)
    return HubBudget(timeout=timeout, retries=int(retries), deadline=deadline)


def build_source(opts: ModelOptions) -> Source:
    """Local directories, plus the Hub (online) or the HF cache (offline), for one run."""
    from licensecheck import paths
    from licensecheck.sources.cache import CacheSource, default_cache_dir
    from licensecheck.sources.interface import Router
    from licensecheck.sources.local import LocalSource

    hf_cache = default_cache_dir()  # huggingface_hub's; licensecheck's own is paths.cache_dir
    if is_offline(opts):
        cached = CacheSource(hf_cache, keep_dir=paths.cache_dir(), endpoint=endpoint(opts))
        return Router(hub=cached, local=LocalSource())
    import logging

    from licensecheck.redact import install_logging_filter
    from licensecheck.sources.hub import HubSource
    from licensecheck.sources.hub_client import RateGate
    from licensecheck.sources.tls import apply_ca_environment

    apply_ca_environment()  # before huggingface_hub's client is made
    # Our own progress bar and one-line errors replace the client's warnings; what the
    # libraries still log is redacted (a URL may carry a token).
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    install_logging_filter()
    budget = hub_budget()
    hub = HubSource(
        endpoint(opts),
        cache_dir=hf_cache,
        timeout=budget.timeout,
        retries=budget.retries,
        deadline=budget.deadline,
        jobs=opts.jobs,
        keep_dir=paths.cache_dir(),
        gate=RateGate(on_wait=_announce_wait),
    )
    return Router(hub=hub, local=LocalSource())


def _announce_wait(seconds: float) -> None:
    click.echo(
        f"licensecheck: the Hub is rate limiting requests; waiting {seconds:.3g} s before "
        "the next one (Retry-After)",
        err=True,
    )


def determination_cache(kb: KnowledgeBase) -> DeterminationCache:
    """The on-disk cache of licence determinations for a run (docs/performance.md)."""
    from licensecheck.cache import DeterminationCache

    return DeterminationCache.default(kb)
