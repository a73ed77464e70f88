"""`licensecheck sbom MODEL... | --from-scan PATH`: an AI bill of materials.

Audits the models (the same pipeline and options as `audit`; `--from-scan` finds them the way
`scan` does, honouring licensecheck.lock offline) and writes the report as SPDX 2.3 JSON
(`--format spdx-json`, the default) or CycloneDX 1.6 JSON (`--format cyclonedx-json`).

The document is reproducible: its time is `--created`, else SOURCE_DATE_EPOCH, else the Unix
epoch, and its namespace / serial number is derived from the audit's content. The exit
status says whether the document is whole: 0 written in full, 3 a model could not be read
(listed as NOASSERTION), 2 a usage error (nothing written). The verdicts are in the document;
`audit` and `scan` are the gate.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import click

from licensecheck.cli.compose import audit_refs, load_kb, make_auditor
from licensecheck.cli.options import (
    F,
    ModelOptions,
    document_status,
    endpoint,
    guarded,
    is_offline,
    model_options,
    resolve_uses,
)
from licensecheck.cli.output import progress, write_report
from licensecheck.errors import UsageError

SBOM_FORMATS = ("spdx-json", "cyclonedx-json")


def retarget_format(
    command: click.Command, choices: tuple[str, ...], default: str, help_text: str
) -> click.Command:
    """Give the shared `--format` option this command's own choices (the rest is shared)."""
    for param in command.params:
        if isinstance(param, click.Option) and param.name == "format":
            param.type = click.Choice(choices, case_sensitive=False)
            param.default = default
            param.help = help_text
            param.show_default = True
    return command


def created_time(value: str | None) -> dt.datetime | None:
    """`--created` (ISO 8601), else SOURCE_DATE_EPOCH (seconds), else None (the epoch)."""
    if value:
        text = value.strip()
        try:
            when = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise UsageError(
                f"--created {value!r}: not an ISO 8601 date or time (e.g. 2026-01-31T12:00:00Z)"
            ) from None
        return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    from licensecheck.formats.sbom import source_date_epoch

    return source_date_epoch()


def audit_models(
    models: tuple[str, ...], scan_paths: tuple[str, ...], opts: ModelOptions
) -> tuple[Any, Any, Any]:
    """Audit MODEL... or the models found under --from-scan: (report, policy, kb)."""
    from licensecheck.sources.refs import parse_refs

    if models and scan_paths:
        raise UsageError("give MODEL... or --from-scan PATH, not both")
    if not models and not scan_paths:
        raise UsageError("give at least one MODEL, or --from-scan PATH")
    if scan_paths:
        return _audit_scan(scan_paths, opts)
    return audit_refs(parse_refs(models), opts)


def _audit_scan(paths: tuple[str, ...], opts: ModelOptions) -> tuple[Any, Any, Any]:
    """The models code and configs under `paths` reference, judged as `scan` judges them."""
    from licensecheck.cli import project

    for p in paths:
        if not os.path.lexists(p):
            raise UsageError(f"--from-scan {p}: no such file or directory")
    root = project.scan_root(paths)
    discovery, groups = project.discover_refs(paths, root)
    refs = [ref for ref, _ in groups]
    lock = project.read_lock(project.lock_path(root, None), required=False)
    kb = load_kb()
    policy = project.policy_for(opts, kb, root)
    uses = resolve_uses(opts, policy)
    source, lock_source = project.build_scan_source(opts, lock)
    if not refs:
        click.echo(
            f"licensecheck: no model references found ({discovery.files} files scanned)", err=True
        )
    with progress(len(refs), enabled=not is_offline(opts)) as observer:
        auditor = make_auditor(
            source, kb, policy, uses, observer, jobs=opts.jobs, lock_source=lock_source
        )
        report = auditor.audit(refs)
    report = project.attach_references(report, [found for _, found in groups], discovery)
    return report, policy, kb


def from_scan_option(what: str) -> Callable[[F], F]:
    """`--from-scan PATH` (repeatable), which `audit_models` reads: `what` it finds."""
    return click.option(
        "--from-scan",
        "from_scan",
        multiple=True,
        metavar="PATH",
        help=f"Find {what} the way `scan` does, in PATH (a directory or files). Repeatable.",
    )


@click.command("sbom")
@click.argument("models", nargs=-1, metavar="[MODEL...]")
@from_scan_option("the models to list")
@click.option(
    "--created",
    metavar="TIME",
    help="The document's creation time (ISO 8601). Default: SOURCE_DATE_EPOCH, else "
    "1970-01-01T00:00:00Z, so that the same inputs give the same bytes.",
)
@model_options
def sbom(models: tuple[str, ...], **options: Any) -> None:
    """Write an AI bill of materials for MODEL... (SPDX 2.3 or CycloneDX 1.6, JSON).

    Each model is listed with its revision, its download location, the licence its card
    declares and the licence licensecheck concludes (its own and its base models'), its base
    models, and the verdicts for each use.

    Exit status: 0 the document was written in full (whatever the verdicts: `audit` and
    `scan` are the gate); 3 a model could not be read (it is listed as NOASSERTION); 2 usage
    or configuration error (nothing written).
    """
    opts = ModelOptions.from_kwargs(options)
    with guarded():
        fmt = (opts.format or "spdx-json").lower()
        created = created_time(options.get("created"))
        hub_url = endpoint(opts)
        report, _policy, kb = audit_models(models, tuple(options.get("from_scan") or ()), opts)
        from licensecheck.formats import RenderOptions, render

        text = render(fmt, report, RenderOptions(kb=kb, hub_url=hub_url, created=created))
        write_report(text, opts.output)
    raise SystemExit(document_status(report))


retarget_format(
    sbom,
    SBOM_FORMATS,
    "spdx-json",
    "spdx-json (SPDX 2.3) or cyclonedx-json (CycloneDX 1.6).",
)
