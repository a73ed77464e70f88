"""`licensecheck policy validate FILE...` and `licensecheck policy init [--preset NAME]`."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from licensecheck.cli.options import echo_error
from licensecheck.errors import PolicyError

if TYPE_CHECKING:
    from licensecheck.policy.model import Policy

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
  # use_regions: [US]               # where the models and outputs are used (Hunyuan); no default
  # sector: private                 # private | government | defense | academic | nonprofit
  # registrations: [glm-4]          # licences you registered for
  # authorisations: [yi]            # licences you hold written authorisation for

# uses: [research, commercial, government, defense]  # judged when --use is not given
# fail_on: review                   # review | deny: the lowest verdict that fails the run
# unknown_license: review           # allow | review | deny
# license_conflict: review
# modified_license: review
# unverified_license: review        # a gated model judged on its declared licence alone
# unreadable_license_file: review   # a LICENSE that is binary, a PDF, empty, too large...
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
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Validate policy FILES: each problem is reported as file:line:column.

    With no FILES, validates the policy `audit` would use here: the nearest
    .licensecheck.yaml or [tool.licensecheck] in pyproject.toml, from this folder up to the
    repository root (else the built-in default preset).
    """
    from licensecheck.cli.options import guarded, today
    from licensecheck.policy.engine import stale_exceptions
    from licensecheck.policy.load import DEFAULT_PRESET, find_config, load_policy, load_preset

    targets: list[tuple[str, Callable[[], Policy]]] = []
    if files:
        targets = [(file, functools.partial(load_policy, file)) for file in files]
    else:
        with guarded():  # a broken pyproject.toml is a configuration error (exit 2)
            found = find_config(Path("."))
        if found is None:
            click.echo(
                "licensecheck: no .licensecheck.yaml or [tool.licensecheck] from here up to the "
                f"repository root: audit uses the built-in {DEFAULT_PRESET!r} preset",
                err=True,
            )
            targets = [
                (f"preset {DEFAULT_PRESET!r}", functools.partial(load_preset, DEFAULT_PRESET))
            ]
        elif found.preset is not None:
            targets = [(found.describe(), functools.partial(load_preset, found.preset))]
        else:
            assert found.policy is not None
            targets = [(str(found.policy), functools.partial(load_policy, found.policy))]
    failed = False
    with guarded():
        date = today()
    for name, load in targets:
        try:
            loaded = load()
        except PolicyError as exc:
            failed = True
            for problem in exc.problems:
                echo_error(problem)
            continue
        chain = f", extends {' <- '.join(loaded.sources[:-1])}" if len(loaded.sources) > 1 else ""
        click.echo(
            f"{name}: valid policy {loaded.name!r}: {len(loaded.rules)} rules, "
            f"{len(loaded.exceptions)} exceptions{chain}"
        )
        for line in stale_exceptions(loaded, date):
            click.echo(f"licensecheck: warning: {line}", err=True)
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
        echo_error(
            f"unknown preset {preset!r}; presets are {', '.join(names)}{suggestion(preset, names)}"
        )
        raise click.exceptions.Exit(2)
    target = Path(path)
    if target.exists() and not force:
        echo_error(f"{path} already exists; use --force to overwrite it")
        raise click.exceptions.Exit(2)
    name = target.resolve().parent.name or "policy"
    text = STARTER.format(filename=path, preset=preset, name=_yaml_string(f"{name} policy"))
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        echo_error(f"{path}: cannot write: {exc.strerror}")
        raise click.exceptions.Exit(2) from None
    click.echo(
        f"wrote {path} (extends {preset}); fill in organisation: and run "
        f"`licensecheck policy validate {path}`"
    )


def _yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML), whatever the name."""
    return json.dumps(value)
