"""What the commands that read models share: options, policy and use resolution, the source,
and the mapping of outcomes and errors to exit statuses (../shared/spec/cli.md).

    @click.command()
    @click.argument("models", nargs=-1, required=True)
    @model_options
    def mycommand(models, **options):
        opts = ModelOptions.from_kwargs(options)
        with guarded():
            ...
            raise SystemExit(exit_status(report, policy))

Exit statuses: 0 every (model, use) allowed; 1 a verdict at or above the policy's `fail_on`;
2 usage or configuration error (nothing judged); 3 a model could not be evaluated.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import click

from licensecheck.errors import LicensecheckError, PolicyError, SourceError, UsageError
from licensecheck.sources import DEFAULT_JOBS, default_endpoint

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

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_ERROR = 3
EXIT_INTERRUPTED = 130

DEFAULT_TIMEOUT = 10.0  # seconds, per Hub request (LICENSECHECK_HUB_TIMEOUT overrides)
DEFAULT_RETRIES = 2  # model_info retries (LICENSECHECK_HUB_RETRIES overrides)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ModelOptions:
    policy: str | None = None
    preset: str | None = None
    uses: tuple[str, ...] = ()
    format: str | None = None
    output: str | None = None
    offline: bool = False
    endpoint: str | None = None
    jobs: int = DEFAULT_JOBS

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> ModelOptions:
        return cls(
            policy=kwargs.get("policy"),
            preset=kwargs.get("preset"),
            uses=tuple(kwargs.get("use") or ()),
            format=kwargs.get("format"),
            output=kwargs.get("output"),
            offline=bool(kwargs.get("offline")),
            endpoint=kwargs.get("endpoint"),
            jobs=int(kwargs.get("jobs") or DEFAULT_JOBS),
        )


def _format_names() -> list[str]:
    from licensecheck import formats  # a registry of names; renderers load on use

    return formats.names()


@overload
def model_options(func: F, *, report: bool = True) -> F: ...
@overload
def model_options(func: None = None, *, report: bool = True) -> Callable[[F], F]: ...
def model_options(func: F | None = None, *, report: bool = True) -> F | Callable[[F], F]:
    """The options of ../shared/spec/cli.md shared by audit, scan, explain, lock, sbom, notice.
    `report=False` (lock): a command whose output is not a report of verdicts has no --use,
    --format or --output (options it would ignore are not offered)."""
    if func is None:
        return lambda f: model_options(f, report=report)
    decorators = [
        click.option(
            "--policy",
            metavar="FILE",
            help="Policy YAML. Default: the nearest .licensecheck.yaml, else [tool.licensecheck] "
            "in pyproject.toml, from here up to the repository root; else the built-in "
            "'default' preset.",
        ),
        click.option("--preset", metavar="NAME", help="Use a built-in policy (e.g. commercial)."),
    ]
    if report:
        decorators += [
            click.option(
                "--use",
                "use",
                multiple=True,
                metavar="USE",
                help="research, commercial, government, defense, or a use the policy defines. "
                "Repeatable. Default: the policy's uses.",
            ),
            click.option(
                "--format",
                "format",
                metavar="FMT",
                help=f"Report format: {', '.join(_format_names())}. Default: table on a "
                "terminal, json otherwise (or from --output's suffix).",
            ),
            click.option("--output", "-o", metavar="FILE", help="Write the report to FILE."),
        ]
    decorators += [
        click.option(
            "--offline",
            is_flag=True,
            help="Never touch the network: the HF cache and local directories only.",
        ),
        click.option(
            "--endpoint",
            metavar="URL",
            help="Hub endpoint. Default: HF_ENDPOINT, else https://huggingface.co. The token "
            "comes from HF_TOKEN or `hf auth login`, never from a flag.",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(1, 64),
            default=DEFAULT_JOBS,
            show_default=True,
            help="Hub requests in flight at once (models are read as many at a time).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


class Interrupted(SystemExit):
    """Ctrl-C: exit status 130. The process's entry point (`cli.main.run`) then ends at once,
    without waiting for worker threads still blocked in a Hub request."""

    def __init__(self) -> None:
        super().__init__(EXIT_INTERRUPTED)


def interrupted() -> Interrupted:
    click.echo("licensecheck: interrupted", err=True)
    return Interrupted()


# --- errors -> exit statuses -------------------------------------------------------------


def echo_error(message: str) -> None:
    from licensecheck.redact import one_line

    click.echo(f"licensecheck: error: {one_line(message, 1000)}", err=True)


@contextmanager
def guarded() -> Iterator[None]:
    """Turn the project's errors into one line on stderr and the spec's exit status."""
    try:
        yield
    except PolicyError as exc:
        for problem in exc.problems:
            echo_error(problem)
        raise SystemExit(EXIT_USAGE) from None
    except UsageError as exc:
        echo_error(str(exc))
        raise SystemExit(EXIT_USAGE) from None
    except SourceError as exc:
        echo_error(exc.message)
        raise SystemExit(EXIT_ERROR) from None
    except LicensecheckError as exc:  # the knowledge base itself is broken: configuration
        echo_error(str(exc))
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        raise interrupted() from None


def exit_status(report: AuditReport, policy: Policy) -> int:
    """3 if any model could not be evaluated, else 1 if any verdict fails the policy, else 0."""
    from licensecheck.results import SEVERITY

    if any(r.status != "ok" for r in report.results):
        return EXIT_ERROR
    threshold = SEVERITY[policy.fail_on]
    for r in report.results:
        if any(SEVERITY[v.verdict] >= threshold for v in r.verdicts.values()):
            return EXIT_FAIL
    return EXIT_OK


def document_status(report: AuditReport, *, incomplete: bool = False) -> int:
    """`sbom` and `notice` write documents; the gate is `audit` and `scan`. 0 the document
    was written in full; 3 a model could not be read (the document says NOASSERTION for it)
    or, `incomplete`, a part of the document could not be worked out."""
    if incomplete or any(r.status != "ok" for r in report.results):
        return EXIT_ERROR
    return EXIT_OK


# --- resolution --------------------------------------------------------------------------


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


def resolve_uses(opts: ModelOptions, policy: Policy) -> tuple[str, ...]:
    """`--use` values (checked against the policy), or the policy's own uses."""
    from licensecheck.knowledge.model import USES

    if not opts.uses:
        return tuple(policy.uses)
    known = list(dict.fromkeys((*USES, *policy.uses, *policy.uses_defined)))
    for use in opts.uses:
        if use not in known:
            raise UsageError(f"--use {use!r}: unknown use; choose from {', '.join(known)}")
    return tuple(dict.fromkeys(opts.uses))


def today() -> dt.date:
    """The date exceptions expire against; LICENSECHECK_TODAY=YYYY-MM-DD pins it."""
    pinned = os.environ.get("LICENSECHECK_TODAY")
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise UsageError(f"LICENSECHECK_TODAY={pinned!r}: not a YYYY-MM-DD date") from None


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


def is_offline(opts: ModelOptions) -> bool:
    """--offline, or huggingface_hub's own HF_HUB_OFFLINE switch."""
    flag = os.environ.get("HF_HUB_OFFLINE", "") or os.environ.get("TRANSFORMERS_OFFLINE", "")
    return opts.offline or flag.upper() in ("1", "ON", "YES", "TRUE")


def endpoint(opts: ModelOptions) -> str:
    url = (opts.endpoint if opts.endpoint is not None else default_endpoint()).strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) <= len("https://"):
        raise UsageError(f"--endpoint {url!r}: expected an http:// or https:// URL")
    return url


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


def choose_format(opts: ModelOptions, stdout_is_terminal: bool) -> str:
    """--format, else from --output's suffix (json by default), else table on a terminal."""
    from licensecheck import formats

    if opts.format:
        name = opts.format.lower()
        formats.check(name)  # UsageError for a format not built yet
        return name
    if opts.output:
        return formats.for_suffix(Path(opts.output).suffix) or "json"
    return "table" if stdout_is_terminal else "json"
