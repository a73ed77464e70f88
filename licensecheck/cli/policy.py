"""`licensecheck policy validate FILE...` and `licensecheck policy init [--preset NAME]`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from licensecheck.errors import PolicyError

STARTER = """\
# licensecheck policy: what this organisation accepts, per use.
# Check it with `licensecheck policy validate {filename}`.
#
# The licence terms themselves (what Llama, Gemma, Qwen... grant and under which conditions)
# are in licensecheck's knowledge base. This file states your organisation's facts, which
# those conditions are checked against, and your own rules. It refines the built-in
# `{preset}` preset: its rules come first, yours are added, and your settings win.

version: 1
name: {name}
extends: {preset}

organisation:
  # A fact left out makes every licence condition that needs it `review`, naming the key.
  # monthly_active_users: 5000000   # Llama 700M; Qwen, MiniMax, Hunyuan, Kimi K2 100M
  # monthly_revenue_usd: 2000000    # Kimi K2: $20M a month
  # annual_revenue_usd: 24000000    # Stability AI Community: $1M a year, affiliates included
  # jurisdictions: [US]             # where you are established (Llama 3.2+ EU multimodal clause)
  # use_regions: [US]               # where the models are used (Hunyuan); default: jurisdictions
  # sector: private                 # private | government | defense | academic | nonprofit
  # registrations: [glm-4]          # licences you registered for
  # authorisations: [yi]            # licences you hold written authorisation for

# uses: [research, commercial, government, defense]  # judged when --use is not given
# fail_on: review                   # review | deny: the lowest verdict that fails the run
# unknown_license: review           # allow | review | deny
# license_conflict: review
# modified_license: review
# unverified_license: review        # a gated model judged on its declared licence alone
# otherwise: review                 # for a model no rule matches

rules:
  # Every matching rule applies and the most severe verdict wins; a rule can make a
  # verdict stricter than the licence, never looser.
  # - match: {{license: [llama3.1, llama3.2, llama3.3]}}
  #   uses: [commercial]
  #   verdict: allow
  #   reason: Legal approved the Llama 3.x community licences (LEGAL-42).
  # - match: {{publisher: [some-org]}}
  #   verdict: deny
  #   reason: Not an approved supplier.

exceptions:
  # Waivers override every other verdict for the named models and uses until they expire.
  # - model: mistralai/Mistral-Large-Instruct-2411
  #   uses: [commercial]
  #   verdict: allow
  #   reason: Commercial licence purchased (contract C-2026-17).
  #   approved_by: legal@example.com
  #   expires: 2027-06-30
"""


@click.group("policy")
def policy() -> None:
    """Validate or create a policy file."""


@policy.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Validate policy FILES: each problem is reported as file:line:column."""
    from licensecheck.policy.engine import expired_exceptions
    from licensecheck.policy.load import load_policy

    failed = False
    for file in files:
        try:
            loaded = load_policy(file)
        except PolicyError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(problem, err=True)
            continue
        chain = f", extends {' <- '.join(loaded.sources[:-1])}" if len(loaded.sources) > 1 else ""
        click.echo(
            f"{file}: valid policy {loaded.name!r}: {len(loaded.rules)} rules, "
            f"{len(loaded.exceptions)} exceptions{chain}"
        )
        for line in expired_exceptions(loaded, dt.date.today()):
            click.echo(f"warning: {line}", err=True)
    if failed:
        raise click.exceptions.Exit(2)


@policy.command("init")
@click.option(
    "--preset",
    default="default",
    show_default=True,
    help="The built-in policy the new file extends.",
)
@click.option(
    "--path",
    "path",
    default=".licensecheck.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the policy.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(preset: str, path: str, force: bool) -> None:
    """Write a starter policy that extends a preset."""
    from licensecheck.policy.load import preset_names
    from licensecheck.policy.schema import suggestion

    names = preset_names()
    if preset not in names:
        click.echo(
            f"error: unknown preset {preset!r}; presets are {', '.join(names)}"
            f"{suggestion(preset, names)}",
            err=True,
        )
        raise click.exceptions.Exit(2)
    target = Path(path)
    if target.exists() and not force:
        click.echo(f"error: {path} already exists; use --force to overwrite it", err=True)
        raise click.exceptions.Exit(2)
    name = target.resolve().parent.name or "policy"
    text = STARTER.format(filename=path, preset=preset, name=_yaml_string(f"{name} policy"))
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: {path}: cannot write: {exc.strerror}", err=True)
        raise click.exceptions.Exit(2) from None
    click.echo(
        f"wrote {path} (extends {preset}); fill in organisation: and run "
        f"`licensecheck policy validate {path}`"
    )


def _yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML), whatever the name."""
    return json.dumps(value)
