"""`licensecheck identify FILE...`: what licence text each file holds. No policy.

Each file is read up to `MAX_BYTES` (1 MiB; a larger file is read up to the cap and the
result carries a `file-truncated` finding). A file with NUL bytes is binary: `kind: unknown`
with a `binary-file` finding. Non-UTF-8 bytes are decoded with replacement characters (a
`not-utf8` finding). A missing or unreadable path is a usage error: one line, exit 2.

Exit status: 0 when every file was identified (as a licence, an AUP or a notice), 1 when at
least one was not (`unknown`), 2 on a usage error.

JSON (`--format json`, keys sorted, byte-identical for identical inputs) follows the
identification report of ../shared/spec/cli.md, with `start_line`/`end_line` of the match,
`matches` (every licence, AUP or notice found, when a file holds more than one) and
`findings`. The default format is a table on a terminal and JSON otherwise. This path imports
neither rich (unless a table goes to a terminal) nor huggingface_hub, and parses no YAML when
the matcher's index cache is warm.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from licensecheck.errors import UsageError

if TYPE_CHECKING:
    from licensecheck.identify.types import TextMatch

MAX_BYTES = 1 << 20  # read at most 1 MiB of a file
EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class FileText:
    path: str
    text: str | None  # None: binary
    findings: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class FileResult:
    path: str
    license: TextMatch
    matches: tuple[TextMatch, ...] = ()
    findings: tuple[dict[str, str], ...] = field(default=())
    # Line ranges around the licence that are not part of it (a copyright line, an
    # introduction, a contact line): framing, reported but not a change.
    surrounding: tuple[tuple[int, int], ...] = ()


def surrounding_lines(text: str, matches: tuple[TextMatch, ...]) -> tuple[tuple[int, int], ...]:
    """Non-blank lines outside every match and not quoted as an added change, as ranges."""
    if not matches:
        return ()
    inside: set[int] = set()
    lines = text.split("\n")
    for m in matches:
        if m.start_line is not None and m.end_line is not None:
            inside.update(range(m.start_line, m.end_line + 1))
        for c in m.changes:
            if c.type != "added" or c.line is None:
                continue
            # The quoted passage (whitespace collapsed) runs over as many lines as its words.
            left, n = len(c.text.split()), c.line
            while left > 0 and n <= len(lines):
                inside.add(n)
                left -= len(lines[n - 1].split())
                n += 1
    ranges: list[tuple[int, int]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or n in inside:
            continue
        if ranges and all(not lines[k - 1].strip() for k in range(ranges[-1][1] + 1, n)):
            ranges[-1] = (ranges[-1][0], n)
        else:
            ranges.append((n, n))
    return tuple(ranges)


def read_text_file(path: str, max_bytes: int = MAX_BYTES) -> FileText:
    """A file's text for identification, or a UsageError naming the file. Only a regular
    file is read: a FIFO, a socket or a device would block or never end."""
    import stat

    if not path.strip():
        raise UsageError(f"FILE {path!r}: empty file name")
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not stat.S_ISREG(mode):
                raise UsageError(f"{path}: not a regular file (a FIFO, socket or device)")
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    findings: list[dict[str, str]] = []
    if len(data) > max_bytes:
        data = data[:max_bytes]
        findings.append(
            {
                "kind": "file-truncated",
                "message": f"{path}: larger than {max_bytes} bytes; identified the first "
                f"{max_bytes} bytes only",
            }
        )
    if b"\0" in data:
        findings.append(
            {"kind": "binary-file", "message": f"{path}: binary file (NUL bytes), not a text"}
        )
        return FileText(path, None, tuple(findings))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(data) == max_bytes and exc.start >= max_bytes - 3:
            text = data[: exc.start].decode("utf-8")  # the cap cut a character in two
        else:
            text = data.decode("utf-8", errors="replace")
            findings.append(
                {
                    "kind": "not-utf8",
                    "message": f"{path}: not valid UTF-8 (byte {exc.start}); "
                    "decoded with replacement characters",
                }
            )
    if text.startswith("\ufeff"):
        text = text[1:]
    from licensecheck.redact import clean

    # Passages of the file are quoted in the report: no token, no terminal control codes.
    return FileText(path, clean(text), tuple(findings))


def identify_files(paths: list[str]) -> list[FileResult]:
    """Read and identify each file (all read first, so a bad path fails before any work)."""
    from licensecheck.identify.matcher import Matcher
    from licensecheck.identify.types import UNKNOWN, TextMatch

    files = [read_text_file(p) for p in paths]
    matcher = Matcher.get()
    results = []
    for f in files:
        if f.text is None:
            results.append(FileResult(f.path, TextMatch(id=UNKNOWN, kind=UNKNOWN), (), f.findings))
            continue
        primary, matches = matcher.analyse(f.text)
        around = surrounding_lines(f.text, tuple(matches)) if primary.id != UNKNOWN else ()
        results.append(FileResult(f.path, primary, tuple(matches), f.findings, around))
    return results


# --- output --------------------------------------------------------------------------------


def match_dict(m: TextMatch) -> dict[str, Any]:
    changes = []
    for c in m.changes:
        change: dict[str, Any] = {"type": c.type, "text": c.text, "line": c.line}
        if c.original is not None:
            change["original"] = c.original
        changes.append(change)
    return {
        "id": m.id,
        "kind": m.kind,
        "name": m.name,
        "version": m.version,
        "confidence": m.confidence,
        "modified": m.modified,
        "changes": changes,
        "start_line": m.start_line,
        "end_line": m.end_line,
    }


def report_dict(results: list[FileResult]) -> dict[str, Any]:
    from licensecheck import __version__

    out = []
    for r in results:
        item: dict[str, Any] = {"path": r.path, "license": match_dict(r.license)}
        if len(r.matches) > 1:
            item["matches"] = [match_dict(m) for m in r.matches]
        if r.findings:
            item["findings"] = list(r.findings)
        if r.surrounding:
            item["surrounding"] = [{"start_line": a, "end_line": b} for a, b in r.surrounding]
        out.append(item)
    return {"tool": {"name": "licensecheck", "version": __version__}, "results": out}


def render_json(results: list[FileResult]) -> str:
    return json.dumps(report_dict(results), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _row(r: FileResult) -> list[str]:
    m = r.license
    modified = "no"
    if m.modified:
        modified = f"yes ({len(m.changes)} change{'s' if len(m.changes) != 1 else ''})"
    notes = [f["kind"] for f in r.findings]
    if len(r.matches) > 1:
        notes.append("also: " + ", ".join(x.id for x in r.matches if x is not m))
    if r.surrounding:
        spans = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in r.surrounding)
        notes.append(f"surrounding text: lines {spans}")
    return [
        r.path,
        m.id,
        m.kind,
        m.version or "-",
        f"{m.confidence:.2f}",
        modified,
        "; ".join(notes),
    ]


HEADERS = ["PATH", "ID", "KIND", "VERSION", "CONFIDENCE", "MODIFIED", "NOTES"]


def render_plain(results: list[FileResult]) -> str:
    rows = [HEADERS] + [_row(r) for r in results]
    widths = [max(len(row[c]) for row in rows) for c in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    for r in results:
        for c in r.license.changes:
            lines.append(f"{r.path}:{c.line or '?'}: {c.type}: {c.text}")
    return "\n".join(lines) + "\n"


def render_rich(results: list[FileResult]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(*HEADERS)
    for r in results:
        table.add_row(*(escape(cell) for cell in _row(r)))
    console = Console()
    console.print(table)
    for r in results:
        for c in r.license.changes:
            where = escape(f"{r.path}:{c.line or '?'}")
            console.print(f"{where}: [bold]{c.type}[/bold]: {escape(c.text)}")


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default=None,
    help="Output format (default: table on a terminal, json otherwise).",
)
def identify(files: tuple[str, ...], fmt: str | None) -> None:
    """Identify the licence text in each FILE: id, version, kind, confidence, modified."""
    from licensecheck.cli.options import guarded
    from licensecheck.cli.output import is_terminal

    with guarded():
        results = identify_files(list(files))
        if fmt is None:
            fmt = "table" if is_terminal("stdout") else "json"
        if fmt == "json":
            click.echo(render_json(results), nl=False)
        elif is_terminal("stdout"):
            render_rich(results)
        else:
            click.echo(render_plain(results), nl=False)
    unknown = any(r.license.kind == "unknown" for r in results)
    raise SystemExit(EXIT_UNKNOWN if unknown else EXIT_OK)
