"""`licensecheck notice MODEL... | --from-scan PATH`: the notice text the licences require.

Audits the models as `audit` does, then prints, ready to paste into a product's notices, each
attribution / notice line their effective licences require (once, however many models need
it) followed by the NOTICE files found in their repos. What cannot be pasted goes to standard
error: obligations a person has to act on (Apache's "retain the NOTICE file", CC's credit),
lines required only past a threshold (Kimi K2's display rule), and models whose licence is
unknown, which make the notice incomplete. `--format json` holds all of it.
"""

from __future__ import annotations

import json
from typing import Any

import click

from licensecheck.cli.options import (
    ModelOptions,
    document_status,
    guarded,
    model_options,
)
from licensecheck.cli.output import write_report
from licensecheck.cli.sbom import audit_models, from_scan_option, retarget_format

NOTICE_FORMATS = ("text", "json")


def _note(message: str) -> None:
    click.echo(f"licensecheck: {message}", err=True)


def _where(items: tuple[str, ...], clauses: tuple[str, ...]) -> str:
    clause = f" [{', '.join(clauses)}]" if clauses else ""
    return f"{', '.join(items)}{clause}"


@click.command("notice")
@click.argument("models", nargs=-1, metavar="[MODEL...]")
@from_scan_option("the models")
@model_options
def notice(models: tuple[str, ...], **options: Any) -> None:
    """Print the attribution and NOTICE text MODEL...'s licences require.

    Each required line appears once, followed by the NOTICE files of the models' repos.
    Obligations that are not fixed strings, lines required only above a licence's
    threshold, and models whose licence is unknown are reported on standard error.

    The copyright statements of the models' licence files ("Copyright (c) 2025 ...") are
    printed with the lines.

    Exit status: 0 the notice was written in full (whatever the verdicts: `audit` and `scan`
    are the gate); 3 a model could not be read or its licence is unknown, so the notice may
    be incomplete (each is named on standard error); 2 usage error (nothing written).
    """
    from licensecheck.notice import render_text, required_notices, to_dict

    opts = ModelOptions.from_kwargs(options)
    with guarded():
        fmt = (opts.format or "text").lower()
        report, _policy, kb = audit_models(models, tuple(options.get("from_scan") or ()), opts)
        result = required_notices(report.results, kb)
        if fmt == "json":
            data: dict[str, object] = {
                "tool": {"name": "licensecheck", "version": report.tool_version}
            }
            data.update(to_dict(result))
            text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        else:
            text = render_text(result)
            for line in result.conditional:
                _note(
                    f"note: {line.text!r} is required only when: {line.condition} "
                    f"({_where(line.licenses, line.clauses)}; {', '.join(line.models)})"
                )
            for item in result.instructions:
                _note(
                    f"note: {item.text} ({_where(item.licenses, item.clauses)}; "
                    f"{', '.join(item.models)})"
                )
        for gap in result.incomplete:
            _note(f"warning: {gap.model}: {gap.reason}; the notice may be incomplete")
        write_report(text, opts.output)
    raise SystemExit(document_status(report, incomplete=bool(result.incomplete)))


retarget_format(notice, NOTICE_FORMATS, "text", "text (ready to paste) or json.")
