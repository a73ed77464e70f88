"""Where output goes: the report to stdout or `--output FILE`; progress to stderr.

The report alone goes to standard output, so `--format json | jq` always works. Colour and
the progress bar appear only on a terminal (and never with NO_COLOR / TERM=dumb for colour);
rich is imported only then.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from licensecheck.errors import UsageError

if TYPE_CHECKING:
    from licensecheck.audit import Progress, ProgressEvent

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def is_terminal(stream: Literal["stdout", "stderr"]) -> bool:
    """Whether click's stdout/stderr is an interactive terminal (False under CliRunner)."""
    handle = sys.stdout if stream == "stdout" else sys.stderr
    try:
        return handle is not None and handle.isatty()
    except (AttributeError, ValueError, OSError):  # closed or replaced streams
        return False


def use_color() -> bool:
    return (
        is_terminal("stdout")
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM", "") != "dumb"
    )


def terminal_width() -> int:
    import shutil  # only where used: the warm path writes to stdout

    return shutil.get_terminal_size((120, 24)).columns


def table_width(fmt: str, output: str | None) -> int | None:
    """The width a table is laid out to: the terminal's when the report goes to one; None
    (one line per item, for grep and logs) when it goes to a pipe or a file."""
    if fmt != "table" or output is not None or not is_terminal("stdout"):
        return None
    return terminal_width()


def write_report(text: str, output: str | None) -> str:
    """The report to stdout, or atomically to `output` (a half-written report never exists);
    returns the text as written.

    Whatever the format, no secret leaves (redact.py), and a lone surrogate (from a policy
    string such as "\\ud800") cannot make the encoder fail after the verdicts are known.
    """
    from licensecheck.redact import redact

    text = _SURROGATE.sub("\ufffd", redact(text))
    emit_report(text, output)
    return text


def emit_report(text: str, output: str | None) -> None:
    """Write a report that is ready to leave (see `write_report`)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output)
    if target.is_dir():
        raise UsageError(f"--output {output!r}: is a directory")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--output {output!r}: directory {str(parent)!r} does not exist")
    from licensecheck.paths import write_atomic

    try:
        # As the umask allows (a report is a file like any other the user writes), never
        # half-written.
        write_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"--output {output!r}: cannot write: {exc.strerror or exc}") from None


@contextmanager
def progress(total: int, enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar on stderr while models are fetched; None when disabled."""
    if not enabled or total < 2 or not is_terminal("stderr"):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("auditing", total=total)

    def observe(event: ProgressEvent) -> None:
        if event.kind == "done":
            bar.update(task, completed=event.done, description=_short(event.model))

    with bar:
        yield observe


def _short(model: str, limit: int = 40) -> str:
    return model if len(model) <= limit else "…" + model[-(limit - 1) :]
