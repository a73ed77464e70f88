"""The `licensecheck` command group. Subcommands live one per module and load lazily,
so `licensecheck --version` and the pre-commit warm path import only what they use."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any, NoReturn

from licensecheck.cli import heap

heap.tune()  # before click and the rest load (cli/heap.py)

import click  # noqa: E402

from licensecheck import __version__  # noqa: E402

# command name -> "module:attribute". Each module holds one click command.
COMMANDS: dict[str, str] = {
    "audit": "licensecheck.cli.audit:audit",
    "scan": "licensecheck.cli.scan:scan",
    "identify": "licensecheck.cli.identify:identify",
    "explain": "licensecheck.cli.explain:explain",
    "licenses": "licensecheck.cli.licenses:licenses",
    "policy": "licensecheck.cli.policy:policy",
    "lock": "licensecheck.cli.lock:lock",
    "sbom": "licensecheck.cli.sbom:sbom",
    "notice": "licensecheck.cli.notice:notice",
    "alternatives": "licensecheck.cli.alternatives:alternatives",
}

HELP = {
    "audit": "Judge models for each use: allow, review or deny.",
    "scan": "Find the models code and config reference, and audit them.",
    "identify": "Identify the licence text in files.",
    "explain": "Show the whole chain of reasoning for one model and use.",
    "licenses": "List known licences, or show one licence's terms.",
    "policy": "Validate or create a policy file.",
    "lock": "Record revisions and licence determinations in licensecheck.lock.",
    "sbom": "Write an AI bill of materials (SPDX or CycloneDX).",
    "notice": "Print the attribution / NOTICE text the models' licences require.",
    "alternatives": "Find models you may use instead of MODEL (or for --task), best first.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None  # not built yet
        cmd: click.Command = getattr(module, attr)
        return cmd

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's own main, but every error is one `licensecheck: error: ...` line (click's
        usage errors included, with the --help to read) and Ctrl-C is status 130."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.Abort:  # Ctrl-C (or EOF at a prompt) outside a command's guard
            _exit_interrupted()
        except click.ClickException as exc:
            _show_error(exc)
            sys.exit(exc.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help without importing every subcommand.
        rows = [(name, HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _show_error(exc: click.ClickException) -> None:
    from licensecheck.cli.options import echo_error

    ctx = getattr(exc, "ctx", None)
    no_args = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if isinstance(exc, no_args) and ctx is not None:  # `licensecheck` alone: the help
        click.echo(ctx.get_help(), err=True)
        return
    message = exc.format_message()
    if isinstance(exc, click.UsageError) and ctx is not None:
        message = f"{message} (see `{ctx.command_path} --help`)"
    echo_error(message)


def _exit_interrupted() -> NoReturn:
    from licensecheck.cli.options import interrupted

    raise interrupted()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="licensecheck")
def main() -> None:
    """Licence compliance checker for open-weight models."""


def run() -> None:
    """The `licensecheck` program. Ctrl-C ends it within a moment with status 130: worker
    threads blocked in a Hub request (up to the request timeout) are not waited for, and
    what a write was doing is already undone (atomic writes clean up on the way out)."""
    from licensecheck.cli.options import Interrupted

    try:
        main()
    except Interrupted as exc:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(int(exc.code or 130))
