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
    from licensecheck.policy.model import Policy
    from licensecheck.results import AuditReport

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_ERROR = 3
EXIT_INTERRUPTED = 130


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


def is_offline(opts: ModelOptions) -> bool:
    """--offline, or huggingface_hub's own HF_HUB_OFFLINE switch."""
    flag = os.environ.get("HF_HUB_OFFLINE", "") or os.environ.get("TRANSFORMERS_OFFLINE", "")
    return opts.offline or flag.upper() in ("1", "ON", "YES", "TRUE")


def endpoint(opts: ModelOptions) -> str:
    url = (opts.endpoint if opts.endpoint is not None else default_endpoint()).strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) <= len("https://"):
        raise UsageError(f"--endpoint {url!r}: expected an http:// or https:// URL")
    return url


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
