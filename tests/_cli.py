"""Running the CLI in-process as a user would, for the test modules that share it."""

from __future__ import annotations

from click.testing import CliRunner, Result

from licensecheck.cli.main import main


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    """`licensecheck ARGS` through click's runner, with `env` added to the environment; an
    exception that escapes the CLI fails the test (a traceback is a bug)."""
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)
