"""The human report (`--format table`): what a person reads before trusting a verdict.

    Policy: Example ML team (.licensecheck.yaml)
    Uses:   research, commercial

    RESEARCH  COMMERCIAL  MODEL                              LICENCE
    allow     review      Qwen/CodeQwen1.5-7B-Chat-GGUF      tongyi-qianwen
    ...

    Qwen/CodeQwen1.5-7B-Chat-GGUF
      from hub @ 1a2b3c4d5e6f; used at src/train.py:7, configs/codegen.yaml:3
      commercial: review
        - Tongyi Qianwen LICENSE AGREEMENT §4: monthly active users above ...
      ! card-yaml-error: README.md: ...
      obligation (tongyi-qianwen, include-license): Give any other recipients ...
      lineage (effective: ...):

    2 models: 1 allow, 1 review, 0 deny, 0 errors

First the policy (name and file) and the uses; then one line per model: a short verdict cell
per use (`allow*`: decided by a policy exception), the model and its licence (own + what its
base models add; a licence judged on its declaration alone says so); then, per model, the
details that decide whether to trust the row: where it came from and where the code uses it
(a scan's file:line), the error, the reasons behind each verdict that is not `allow`, the
exceptions that decided or expired, every finding (`!`: a licence file not read or cut
short, a card that does not parse, a base that could not be read, a folder that shadows a
Hub id, drift from the lock), the obligations and the lineage; then expired exceptions,
files a scan read incompletely, and the summary.

With a width (a terminal), the detail lines are wrapped at word boundaries and the model line
is cut with "…" rather than wrapped by the terminal character by character; without one (a
pipe, a file), every item stays on one line for grep. With `color`, the same lines carry
colours (rich); otherwise plain text.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable

from licensecheck.formats import RenderOptions, license_marks
from licensecheck.formats.json_report import summary
from licensecheck.results import SEVERITY, AuditReport, ModelResult, UseVerdict

_STYLE = {"allow": "green", "review": "yellow", "deny": "bold red", "error": "bold magenta"}
SHORT = 70
WAIVED_MARK = "*"
FINDING_MARK = "! "
GAP = "  "

# A line is segments of (text, style); plain output joins the texts.
Segment = tuple[str, str]
Line = list[Segment]


def _clip(text: str, limit: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- cells -----------------------------------------------------------------------------------


def license_cell(r: ModelResult) -> str:
    """The model's own licence (with its marks) and what its base models add."""
    if r.determination is None:
        kind = r.error.kind if r.error else "error"
        return f"error ({kind})"
    own = r.determination.id
    label = own + license_marks(r.determination)
    inherited = [lic for lic in r.effective_licenses if lic != own]
    if inherited:
        label += " + " + ", ".join(inherited)
    return label


def verdict_cell(v: UseVerdict | None) -> str:
    if v is None:
        return "-"
    return v.verdict + (WAIVED_MARK if v.waiver is not None or v.waived_by else "")


def _cell_style(cell: str) -> str:
    return _STYLE.get(cell.rstrip(WAIVED_MARK), "")


# --- the parts -------------------------------------------------------------------------------


def header_lines(report: AuditReport) -> list[Line]:
    policy = report.policy
    where = policy.path if policy.path else "built-in preset"
    return [
        [("Policy: ", "bold"), (f"{policy.name} ({where})", "")],
        [("Uses:   ", "bold"), (", ".join(report.uses) or "-", "")],
    ]


def model_lines(report: AuditReport, width: int | None) -> list[Line]:
    """The header and one line per model: verdict cells, then model and licence."""
    titles = [u.upper() for u in report.uses]
    cells = [[verdict_cell(r.verdicts.get(u)) for u in report.uses] for r in report.results]
    widths = [
        max([len(t), len("review*"), *(len(c[i]) for c in cells)]) for i, t in enumerate(titles)
    ]
    names = [r.model for r in report.results]
    licences = [license_cell(r) for r in report.results]
    lead = sum(w + len(GAP) for w in widths)
    name_room = max([len("MODEL"), *(len(n) for n in names)])
    lic_room = max([len("LICENCE"), *(len(lic) for lic in licences)])
    if width is not None and lead + name_room + len(GAP) + lic_room > width:
        # Too wide for the terminal: both columns give way, the model name first (its
        # start is cut: the end of an id or path names the model), never below half.
        avail = max(width - lead - len(GAP), 20)
        name_room = min(name_room, max(avail - lic_room, avail // 2))
        lic_room = avail - name_room
    out: list[Line] = []
    head = "".join(t.ljust(w) + GAP for t, w in zip(titles, widths, strict=True))
    out.append([(head + "MODEL".ljust(name_room) + GAP + "LICENCE", "bold")])
    for row, name, licence, r in zip(cells, names, licences, report.results, strict=True):
        line: Line = []
        for cell, w in zip(row, widths, strict=True):
            line.append((cell, _cell_style(cell)))
            line.append((" " * (w - len(cell)) + GAP, ""))
        shown = name if len(name) <= name_room else "…" + name[len(name) - name_room + 1 :]
        text = shown.ljust(name_room) + GAP + _clip(licence, lic_room)
        line.append((text, _STYLE["error"] if r.status != "ok" else ""))
        out.append(line)
    return out


def _reason_text(v: UseVerdict) -> list[str]:
    lines = []
    for reason in v.reasons:
        if SEVERITY.get(reason.verdict, 0) > 0:
            clause = f" [{reason.license or ''} {reason.clause}]" if reason.clause else ""
            lines.append(f"- {reason.message}{clause}")
    return lines


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


_SOURCES = {
    "hub": "from the Hub",
    "local": "from a local directory",
    "cache": "from the HF cache",
    "lock": "from licensecheck.lock",
}


def _where(r: ModelResult) -> str:
    """Where the model came from and where the scanned code uses it."""
    origin = _SOURCES.get(r.source, f"from {r.source}")
    origin += f" at {r.revision[:12]}" if r.revision else ""
    if not r.references:
        return origin
    refs = ", ".join(f"{ref.path}:{ref.line}" for ref in r.references)
    return f"{origin}; used at {refs}"


def detail_items(r: ModelResult, uses: Iterable[str]) -> list[tuple[str, str, int]]:
    """(style, text, depth) for one model, in reading order."""
    uses = tuple(uses)
    items: list[tuple[str, str, int]] = [("", _where(r), 0)]
    if r.status != "ok":
        kind = r.error.kind if r.error else "error"
        items.append(("error", f"error ({kind}): {r.error.message if r.error else ''}", 0))
    elif r.determination is not None and not r.determination.verified:
        items.append(
            (
                "review",
                f"{FINDING_MARK}licence {r.determination.id}: declared only (gated): its "
                "licence files could not be read, so the card's metadata was judged",
                0,
            )
        )
    # Uses with the same verdict for the same reasons are listed together, reasons once.
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for use in uses:
        v = r.verdicts.get(use)
        if v is None or v.waiver is not None or v.waived_by or v.verdict == "allow":
            continue
        groups.setdefault((v.verdict, tuple(_reason_text(v))), []).append(use)
    for (verdict, reasons), group in groups.items():
        items.append((verdict, f"{', '.join(group)}: {verdict}", 0))
        items.extend(("", text, 1) for text in reasons)
    for use in uses:
        v = r.verdicts.get(use)
        if v is not None and (v.waiver is not None or v.waived_by):
            items.append((v.verdict, waiver_line(use, v), 0))
        for expired in v.expired_waivers if v is not None else ():
            items.append(("review", f"{use}: the exception at {expired} has expired; ignored", 0))
    items.extend(("review", f"{FINDING_MARK}{finding}", 0) for finding in r.findings)
    seen: set[tuple[str, str]] = set()
    for use in uses:
        v = r.verdicts.get(use)
        for ob in v.obligations if v else ():
            if (ob.id, ob.license) in seen:
                continue
            seen.add((ob.id, ob.license))
            items.append(("", f"obligation ({ob.license}, {ob.id}): {ob.text}", 0))
    if r.lineage:
        items.append(("", f"lineage (effective: {', '.join(r.effective_licenses)}):", 0))
        for link in r.lineage:
            what = f"could not be read ({link.error})" if link.error else link.license
            if not link.error and not link.verified:
                what += ", declared only (gated)"
            style = "review" if link.error or not link.verified else ""
            items.append((style, f"- {link.relation} of {link.model}: {what}", link.depth))
    return items


def _wrap(text: str, indent: str, more: str, width: int | None) -> list[str]:
    """Word-wrapped at `width` (never inside a word: a long URL stays whole); one line when
    there is no width."""
    if width is None:
        return [indent + " ".join(text.split())]
    return textwrap.wrap(
        text,
        width=max(width, len(more) + 20),
        initial_indent=indent,
        subsequent_indent=more,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def detail_lines(report: AuditReport, width: int | None) -> list[Line]:
    out: list[Line] = []
    for r in report.results:
        out.append([])
        out.append([(r.model, "bold")])
        for style, text, depth in detail_items(r, report.uses):
            indent = "  " * (depth + 1)
            more = indent + ("  " if text.startswith(("- ", FINDING_MARK)) else "    ")
            out.extend([(line, style)] for line in _wrap(text, indent, more, width))
    return out


def footer_lines(report: AuditReport, width: int | None) -> list[Line]:
    out: list[Line] = []
    for line in report.expired_exceptions:
        out.append([])
        out.extend([(t, "review")] for t in _wrap(f"expired exception: {line}", "", "  ", width))
    for f in report.file_findings:
        where = f"{f.path}:{f.line}" if f.line else f.path
        out.append([])
        out.extend([(t, "review")] for t in _wrap(f"file {where}: {f.message}", "", "  ", width))
    s = summary(report)
    out.append([])
    out.append(
        [
            (
                f"{s['models']} model{'s' if s['models'] != 1 else ''}: {s['allow']} allow, "
                f"{s['review']} review, {s['deny']} deny, "
                f"{s['errors']} error{'s' if s['errors'] != 1 else ''}",
                "bold",
            )
        ]
    )
    return out


def lines(report: AuditReport, width: int | None) -> list[Line]:
    return [
        *header_lines(report),
        [],
        *model_lines(report, width),
        *detail_lines(report, width),
        *footer_lines(report, width),
    ]


# --- output ----------------------------------------------------------------------------------


def render_plain(report: AuditReport, width: int | None = None) -> str:
    return "".join("".join(t for t, _ in line).rstrip() + "\n" for line in lines(report, width))


def render_rich(report: AuditReport, width: int | None) -> str:
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        width=width or 120,
        soft_wrap=True,  # the lines are laid out already: rich must not wrap them again
        highlight=False,
        markup=False,
        emoji=False,
    )
    for line in lines(report, width or 120):
        console.print(Text.assemble(*((t, s) for t, s in line)) if line else "")
    return buffer.getvalue()


def render(report: AuditReport, options: RenderOptions) -> str:
    if options.color:
        return render_rich(report, options.width)
    return render_plain(report, options.width)
