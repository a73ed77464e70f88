"""Report formats: a registry from format name to renderer.

A renderer is `render(report: AuditReport, options: RenderOptions) -> str`. Each format lives
in its own module and is imported only when used. To add one (sarif, markdown, ...), add a
line to `FORMATS`; `tests/test_audit_formats.py` renders every registered format.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from licensecheck.errors import UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from licensecheck.identify.types import Determination
    from licensecheck.knowledge.store import KnowledgeBase
    from licensecheck.results import AuditReport


@dataclass(frozen=True)
class RenderOptions:
    kb: KnowledgeBase
    color: bool = False  # rich markup and ANSI colours (a terminal)
    width: int | None = None  # terminal width; None: renderer's default
    hub_url: str | None = None  # the Hub the models came from (--endpoint); SBOM locations
    uri_prefix: str = ""  # scan: the scanned root relative to the working directory (SARIF)
    notes: tuple[str, ...] = ()  # scan: files it could not parse (SARIF, markdown)
    created: datetime | None = None  # SBOM creation time (sbom --created); else SOURCE_DATE_EPOCH


Renderer = Callable[["AuditReport", RenderOptions], str]

# How every human format marks a licence judged on its declaration alone (a gated model
# whose licence files could not be read; docs/spec/cli.md).
DECLARED_ONLY = "declared only (gated)"


def license_marks(determination: Determination) -> str:
    """What follows a licence id in a human format: modified, declared only."""
    marks = " (modified)" if determination.modified else ""
    return marks + (f", {DECLARED_ONLY}" if not determination.verified else "")


# name -> "module:function". Order is the order `--help` lists them in.
FORMATS: dict[str, str] = {
    "table": "licensecheck.formats.table:render",
    "json": "licensecheck.formats.json_report:render",
    "sarif": "licensecheck.formats.sarif:render",
    "markdown": "licensecheck.formats.markdown:render",
    "spdx-json": "licensecheck.formats.spdx:render",
    "cyclonedx-json": "licensecheck.formats.cyclonedx:render",
}

# Output file suffix -> format, for `--output FILE` without `--format`.
SUFFIXES: dict[str, str] = {
    ".json": "json",
    ".txt": "table",
    ".sarif": "sarif",
    ".md": "markdown",
}


def names() -> list[str]:
    return list(FORMATS)


def check(name: str) -> None:
    """UsageError for a format nobody registered (without importing any renderer)."""
    if name not in FORMATS:
        raise UsageError(f"--format {name!r}: unknown format; choose from {', '.join(FORMATS)}")


def renderer(name: str) -> Renderer:
    """The renderer for `name`; UsageError for a format nobody registered."""
    check(name)
    module_name, attr = FORMATS[name].split(":")
    func: Renderer = getattr(importlib.import_module(module_name), attr)
    return func


def render(name: str, report: AuditReport, options: RenderOptions) -> str:
    return renderer(name)(report, options)


def for_suffix(suffix: str) -> str | None:
    fmt = SUFFIXES.get(suffix.lower())
    return fmt if fmt in FORMATS else None
