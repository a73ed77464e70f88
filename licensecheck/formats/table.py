"""The human report (`--format table`): one row per model, a column per use, then details.

On a terminal (`options.color`) it is a rich table with coloured verdicts; otherwise plain
aligned text, so that a log or a pipe stays readable. Both show, per model: the licence (and
what its lineage adds), the verdict per use and a short reason; then, for each model that is
not allowed everywhere, the reasons behind each non-allow verdict and the obligations that
come with using it; then expired exceptions and a summary line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from licensecheck.formats import RenderOptions, license_marks
from licensecheck.formats.json_report import summary
from licensecheck.identify.types import UNKNOWN
from licensecheck.results import (
    SHADOW_PREFIX,
    AuditReport,
    ModelResult,
    UseVerdict,
    most_severe,
)

_STYLE = {"allow": "green", "review": "yellow", "deny": "bold red", "error": "bold magenta"}
SHORT = 70


@dataclass(frozen=True)
class Row:
    model: str
    license: str
    verdicts: tuple[str, ...]  # per use, "-" for errors; "allow*": decided by an exception
    note: str
    source: str = ""  # hub | local | cache | lock


WAIVED_MARK = "*"


def _clip(text: str, limit: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _license_cell(r: ModelResult) -> str:
    if r.determination is None:
        return "error"
    own = r.determination.id
    label = own + license_marks(r.determination)
    inherited = [lic for lic in r.effective_licenses if lic != own]
    if inherited:
        label += " + " + ", ".join(inherited)
    return label


def _key_reason(v: UseVerdict) -> str:
    """The first reason that produced the verdict (the one a reviewer reads first)."""
    if v.waived_by:
        return f"exception: {v.waived_by}"
    for reason in v.reasons:
        if reason.verdict == v.verdict:
            return reason.message
    return v.reasons[0].message if v.reasons else ""


def _note(r: ModelResult, uses: tuple[str, ...]) -> str:
    if r.status != "ok":
        kind = r.error.kind if r.error else "error"
        message = r.error.message if r.error else ""
        return f"{kind}: {message}"
    verdicts = [r.verdicts[u] for u in uses if u in r.verdicts]
    worst = most_severe([v.verdict for v in verdicts])
    if worst == "allow":
        if r.determination is not None and r.determination.id == UNKNOWN:
            return "licence unknown"
        return "obligations apply" if any(v.obligations for v in verdicts) else ""
    for use, v in ((u, r.verdicts[u]) for u in uses if u in r.verdicts):
        if v.verdict == worst:
            return f"{use}: {_key_reason(v)}"
    return ""


def _verdict_cell(v: UseVerdict | None) -> str:
    if v is None:
        return "-"
    return v.verdict + (WAIVED_MARK if v.waiver is not None or v.waived_by else "")


def waiver_line(use: str, v: UseVerdict) -> str:
    """`commercial: allow*, by the exception "..." approved by X until D (file:line);
    it replaced deny`."""
    w = v.waiver
    if w is None:
        return f"{use}: {v.verdict}{WAIVED_MARK}, by the exception {v.waived_by!r}"
    by = f" approved by {w.approved_by}" if w.approved_by else ""
    until = f" until {w.expires}" if w.expires else " (no expiry)"
    at = f" ({w.location})" if w.location else ""
    return (
        f"{use}: {v.verdict}{WAIVED_MARK}, by the exception {w.reason!r}{by}{until}{at}; "
        f"it replaced {w.replaced}"
    )


def rows(report: AuditReport) -> list[Row]:
    out = []
    for r in report.results:
        verdicts = tuple(_verdict_cell(r.verdicts.get(u)) for u in report.uses)
        out.append(Row(r.model, _license_cell(r), verdicts, _clip(_note(r, report.uses)), r.source))
    return out


def file_lines(report: AuditReport) -> list[str]:
    """Files a scan read incompletely (Python this interpreter cannot parse, ...)."""
    return [
        f"file {f.path}{f':{f.line}' if f.line else ''}: {f.message}" for f in report.file_findings
    ]


def details(report: AuditReport) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per model needing attention: (model, [(style, line), ...])."""
    blocks = []
    for r in report.results:
        lines: list[tuple[str, str]] = []
        if r.status != "ok":
            kind = r.error.kind if r.error else "error"
            lines.append(("error", f"error ({kind}): {r.error.message if r.error else ''}"))
        for use in report.uses:
            v = r.verdicts.get(use)
            if v is not None and (v.waiver is not None or v.waived_by):
                lines.append((v.verdict, waiver_line(use, v)))
                continue
            if v is None or v.verdict == "allow":
                continue
            lines.append((v.verdict, f"{use}: {v.verdict}"))
            for reason in v.reasons:
                if reason.verdict != "allow":
                    clause = f" [{reason.license or ''} {reason.clause}]" if reason.clause else ""
                    lines.append(("", f"  - {reason.message}{clause}"))
        seen: set[tuple[str, str]] = set()
        for use in report.uses:
            v = r.verdicts.get(use)
            for ob in v.obligations if v else ():
                if (ob.id, ob.license) in seen:
                    continue
                seen.add((ob.id, ob.license))
                lines.append(("", f"obligation ({ob.license}, {ob.id}): {_clip(ob.text, 200)}"))
        shadow = [f for f in r.findings if f.startswith(SHADOW_PREFIX)]
        lines.extend(("review", f) for f in shadow)
        if lines or any(link.error for link in r.lineage):
            lines.extend(("", line) for line in lineage_lines(r))
        if lines:
            blocks.append((r.model, lines))
    return blocks


def lineage_lines(r: ModelResult) -> list[str]:
    """The base-model chain, one line per link, indented by depth."""
    if not r.lineage:
        return []
    out = [f"lineage (effective: {', '.join(r.effective_licenses)}):"]
    for link in r.lineage:
        what = f"could not be read ({link.error})" if link.error else link.license
        out.append(f"{'  ' * link.depth}- {link.relation} of {link.model}: {what}")
    return out


def _summary_line(report: AuditReport) -> str:
    s = summary(report)
    return (
        f"{s['models']} model{'s' if s['models'] != 1 else ''}: {s['allow']} allow, "
        f"{s['review']} review, {s['deny']} deny, {s['errors']} error{'s' if s['errors'] != 1 else ''}"
    )


def render_plain(report: AuditReport) -> str:
    header = ("MODEL", "LICENSE", "SOURCE", *(u.upper() for u in report.uses), "NOTE")
    table = [header] + [(r.model, r.license, r.source, *r.verdicts, r.note) for r in rows(report)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    out = io.StringIO()
    for row in table:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        out.write(("  ".join([*cells, row[-1]])).rstrip() + "\n")
    for model, lines in details(report):
        out.write(f"\n{model}\n")
        for _, line in lines:
            out.write(f"  {line}\n")
    for line in report.expired_exceptions:
        out.write(f"\nexpired exception: {line}\n")
    for line in file_lines(report):
        out.write(f"\n{line}\n")
    out.write(f"\n{_summary_line(report)}\n")
    return out.getvalue()


def render_rich(report: AuditReport, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        width=width or 120,
        soft_wrap=False,
    )
    table = Table(show_lines=False, header_style="bold")
    table.add_column("Model", overflow="fold", ratio=3)
    table.add_column("Licence", overflow="fold", ratio=1)
    table.add_column("Source", no_wrap=True)
    for use in report.uses:
        table.add_column(use.capitalize(), no_wrap=True)
    table.add_column("Note", overflow="fold", ratio=3)
    for row in rows(report):
        cells = [Text(v, style=_STYLE.get(v.rstrip(WAIVED_MARK), "")) for v in row.verdicts]
        style = _STYLE["error"] if row.license == "error" else ""
        table.add_row(
            Text(row.model),
            Text(row.license, style=style),
            Text(row.source),
            *cells,
            Text(row.note),
        )
    console.print(table)
    for model, lines in details(report):
        console.print(Text(model, style="bold"))
        for style, line in lines:
            console.print(Text("  " + line, style=_STYLE.get(style, "")))
    for line in report.expired_exceptions:
        console.print(Text(f"expired exception: {line}", style="yellow"))
    for line in file_lines(report):
        console.print(Text(line, style="yellow"))
    console.print(Text(_summary_line(report), style="bold"))
    return buffer.getvalue()


def render(report: AuditReport, options: RenderOptions) -> str:
    if options.color:
        return render_rich(report, options.width)
    return render_plain(report)
