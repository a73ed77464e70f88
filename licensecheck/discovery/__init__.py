"""Discovery: find the Hub models that code, configs and notebooks reference, with file and line.

`discover(paths, root)` walks the paths (see `walk`), reads each supported file once and
returns a `Discovery`: every reference (`FoundRef`: repo id, revision, path relative to
`root`, line, column, how it was recognised) and the problems met (unparseable or oversized
files). It reads files and nothing else: no network, no imports of heavy modules (PyYAML is
imported only when a YAML file is read).

A `DiscoveryCache` (cache.py) spares the parsing of files unchanged since an earlier run.

`unique_models(refs)` groups references by model, in order of first appearance, for the audit.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from licensecheck.discovery.types import UNPARSED_PYTHON, Discovery, FoundRef, Problem
from licensecheck.errors import UsageError

if TYPE_CHECKING:
    from licensecheck.discovery.cache import DiscoveryCache

__all__ = ["Discovery", "FoundRef", "Problem", "discover", "scan_file", "unique_models"]

MAX_BYTES = 5 * 1024 * 1024  # code and config files; larger ones are data, not configuration
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024  # notebooks carry their outputs (images) inline
LEXICAL = "scanned lexically"  # what a problem says when a file or cell was read by its tokens
# PEP 263 coding cookie, looked for in the first two lines before paying for `tokenize`.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)


def discover(
    paths: Sequence[str | Path] = (),
    root: str | Path | None = None,
    *,
    cache: DiscoveryCache | None = None,
) -> Discovery:
    """Scan `paths` (default: `root`) and return every model reference found.

    `root` (default: the current directory) is what reported paths are relative to. A path
    that does not exist is a UsageError naming it. With a `cache`, a file whose name and
    bytes are unchanged since an earlier run is not parsed again (see `cache`).
    """
    from licensecheck.discovery.walk import iter_files

    root_path = Path(root) if root is not None else Path.cwd()
    starts = [Path(p) for p in paths] or [root_path]
    for p in starts:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
        if not p.is_dir() and not p.is_file():  # reading a FIFO would wait forever
            raise UsageError(f"{p}: not a regular file or directory (a FIFO, socket or device)")
    refs: list[FoundRef] = []
    problems: list[Problem] = []
    count = 0
    for f in iter_files(starts, root_path):
        found, trouble = scan_file(f.path, f.rel, cache)
        count += 1
        refs.extend(found)
        problems.extend(trouble)
    if cache is not None:
        cache.save()
    return Discovery(tuple(refs), tuple(problems), count)


def scan_file(
    path: Path, rel: str, cache: DiscoveryCache | None = None
) -> tuple[list[FoundRef], list[Problem]]:
    """References in one file, reported under the name `rel`."""
    suffix = path.suffix.lower()
    limit = MAX_NOTEBOOK_BYTES if suffix == ".ipynb" else MAX_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            return [], [Problem(rel, None, f"skipped: larger than {limit // (1024 * 1024)} MiB")]
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(rel, None, f"cannot read: {exc.strerror or exc}")]
    if b"\0" in data:
        return [], [Problem(rel, None, "skipped: binary content")]
    if cache is None:
        return _parse(data, suffix, rel)
    digest = cache.digest(data)
    known = cache.get(rel, digest)
    if known is not None:
        return list(known[0]), list(known[1])
    found, trouble = _parse(data, suffix, rel)
    cache.put(rel, digest, (tuple(found), tuple(trouble)))
    return found, trouble


def _parse(data: bytes, suffix: str, rel: str) -> tuple[list[FoundRef], list[Problem]]:
    if suffix == ".py":
        return _python(data, rel)
    text = data.decode("utf-8-sig", errors="replace")
    if suffix == ".ipynb":
        return _notebook(text, rel)
    from licensecheck.discovery.own import is_own_output

    if is_own_output(text, suffix):
        return [], []  # a report, SBOM, lock or policy licensecheck wrote: not references
    return _config(text, suffix, rel)


def _python(data: bytes, rel: str) -> tuple[list[FoundRef], list[Problem]]:
    import ast

    from licensecheck.discovery.python import ignored_lines, scan_lexical, scan_tree

    encoding = "utf-8-sig"
    if _CODING.search(b"\n".join(data.split(b"\n", 2)[:2])):
        import tokenize

        try:
            encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        except (SyntaxError, LookupError):
            encoding = "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    try:
        tree = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        # Newer syntax than this Python reads (or no Python at all): its references still
        # count, found by the tokens (scan_lexical), and the file is a finding.
        where = exc.lineno if isinstance(exc, SyntaxError) else None
        why = f" ({exc.msg})" if isinstance(exc, SyntaxError) else ""
        version = ".".join(str(n) for n in sys.version_info[:2])
        lexical = [
            FoundRef(rel, r.line, r.column, r.repo_id, r.revision, r.via)
            for r in scan_lexical(text)
        ]
        message = (
            f"not valid Python {version}{why}; {LEXICAL} (string literals in calls "
            f"and assignments), {len(lexical)} reference{'s' if len(lexical) != 1 else ''}"
        )
        return lexical, [Problem(rel, where, message, kind=UNPARSED_PYTHON)]
    refs = [
        FoundRef(rel, r.line, r.column, r.repo_id, r.revision, r.via)
        for r in scan_tree(tree, ignored_lines(text))
    ]
    return refs, []


def _notebook(text: str, rel: str) -> tuple[list[FoundRef], list[Problem]]:
    from licensecheck.discovery.notebooks import NotebookError, scan_notebook

    try:
        found, trouble = scan_notebook(text)
    except NotebookError as exc:
        return [], [Problem(rel, exc.line, str(exc))]
    refs = [
        FoundRef(rel, r.line, r.column, r.repo_id, r.revision, r.via, r.cell, r.cell_line)
        for r in found
    ]
    return refs, [
        # a cell in newer syntax, scanned by its tokens, is reported like such a .py file
        Problem(rel, line, message, kind=UNPARSED_PYTHON if LEXICAL in message else "file-problem")
        for line, message in trouble
    ]


def _config(text: str, suffix: str, rel: str) -> tuple[list[FoundRef], list[Problem]]:
    from licensecheck.discovery.configs import scan_config

    found, error = scan_config(text, suffix)
    refs = [FoundRef(rel, r.line, r.column, r.repo_id, r.revision, r.via) for r in found]
    problems = []
    if error is not None:
        problems.append(Problem(rel, error.line, f"{error}; scanned line by line instead"))
    return refs, problems


def unique_models(refs: Sequence[FoundRef]) -> list[tuple[tuple[str, str | None], list[FoundRef]]]:
    """References grouped by model (Hub ids compare case-insensitively), in order of first
    appearance. Each group's key is (repo_id as first written, revision)."""
    groups: dict[tuple[str, str | None], list[FoundRef]] = {}
    first: dict[tuple[str, str | None], tuple[str, str | None]] = {}
    for ref in refs:
        norm = (ref.repo_id.lower(), ref.revision)
        first.setdefault(norm, (ref.repo_id, ref.revision))
        groups.setdefault(norm, []).append(ref)
    return [(first[norm], group) for norm, group in groups.items()]
