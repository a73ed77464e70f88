"""`licensecheck audit MODEL...`: judge each model for each use; the main job.

A thin layer: parse the arguments and the policy (usage errors exit 2 before anything is
fetched), run `Auditor`, render the report, and exit 0/1/2/3 as ../shared/spec/cli.md says.
"""

from __future__ import annotations

from typing import Any

import click

from licensecheck.cli.compose import audit_refs, note_ignored_waivers
from licensecheck.cli.options import (
    ModelOptions,
    choose_format,
    endpoint,
    exit_status,
    guarded,
    is_offline,
    model_options,
)
from licensecheck.cli.output import is_terminal, table_width, use_color, write_report


@click.command("audit")
@click.argument("models", nargs=-1, required=True, metavar="MODEL...")
@model_options
def audit(models: tuple[str, ...], **options: Any) -> None:
    """Judge MODEL for each use: allow, review or deny.

    MODEL is org/name, org/name@REVISION (branch, tag or commit sha), or a local model
    directory (a checkout or a snapshot in the HF cache).

    Exit status: 0 all allowed; 1 a review or deny (per the policy's fail_on); 2 usage or
    configuration error; 3 a model could not be evaluated.
    """
    from licensecheck.formats import RenderOptions, render
    from licensecheck.sources.refs import parse_refs

    opts = ModelOptions.from_kwargs(options)
    with guarded():
        refs = parse_refs(models)
        fmt = choose_format(opts, is_terminal("stdout") and opts.output is None)
        report, policy, kb = audit_refs(refs, opts)
        note_ignored_waivers(report)
        color = fmt == "table" and opts.output is None and use_color()
        hub_url = None if is_offline(opts) else endpoint(opts)
        text = render(
            fmt,
            report,
            RenderOptions(kb=kb, color=color, width=table_width(fmt, opts.output), hub_url=hub_url),
        )
        write_report(text, opts.output)
    raise SystemExit(exit_status(report, policy))
