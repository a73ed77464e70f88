"""The `alternatives` report in its three formats: table (plain, or rich on a terminal),
json (the audit report of the candidates plus `query`, `model`, `ranking` and `excluded`;
docs/alternatives.schema.json) and markdown. Deterministic: ranking order, no timestamps.
"""

from __future__ import annotations

import io
from typing import Any

from licensecheck.alternatives import Outcome, Row, worst_verdict
from licensecheck.formats import RenderOptions, license_marks
from licensecheck.formats.json_report import dumps, result_dict, to_dict
from licensecheck.formats.markdown import _code, escape
from licensecheck.formats.table import _STYLE, _clip
from licensecheck.results import ModelResult

FORMATS = ("table", "json", "markdown")
_ICON = {"allow": "✅", "review": "⚠️", "deny": "❌", "error": "❗"}


def render(fmt: str, outcome: Outcome, options: RenderOptions) -> str:
    if fmt == "json":
        return dumps(to_json(outcome, options))
    if fmt == "markdown":
        return to_markdown(outcome)
    return render_rich(outcome, options.width) if options.color else render_plain(outcome)


# --- json ---------------------------------------------------------------------------------


def to_json(outcome: Outcome, options: RenderOptions) -> dict[str, Any]:
    q = outcome.query
    data = to_dict(outcome.report, options.kb)
    data["query"] = {
        "model": q.model,
        "task": q.task,
        "search": q.search,
        "author": q.author,
        "library": q.library,
        "sort": q.sort,
        "limit": q.limit,
        "offline": q.offline,
    }
    data["model"] = result_dict(outcome.model, options.kb) if outcome.model else None
    data["ranking"] = [_row_json(i, row) for i, row in enumerate(outcome.ranking.rows, 1)]
    data["excluded"] = [{"model": x.model, "reason": x.reason} for x in outcome.ranking.excluded]
    return data


def _row_json(rank: int, row: Row) -> dict[str, Any]:
    c = row.candidate
    return {
        "rank": rank,
        "model": row.model,
        "revision": row.result.revision,
        "group": row.group,
        "status": row.status,
        "license": row.license,
        "verified": row.verified,
        "verdicts": dict(row.verdicts),
        "reason": row.reason,
        "task": c.task,
        "downloads": c.downloads,
        "likes": c.likes,
        "created_at": c.created_at,
        "trending_score": c.trending_score,
    }


# --- table --------------------------------------------------------------------------------


def downloads(value: int | None) -> str:
    """1234567 -> 1.2M: a column a reader compares at a glance."""
    if value is None:
        return "-"
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(value)


def license_cell(row: Row) -> str:
    """The licence, marked as the other formats mark it (modified, declared only (gated)),
    and "(declared)" when no licence text confirmed the card's declaration."""
    determination = row.result.determination
    if determination is None:
        return "-"
    label = row.license + license_marks(determination)
    return label if row.verified or not determination.verified else f"{label} (declared)"


def headline(outcome: Outcome) -> str:
    q = outcome.query
    what = f"alternatives to {q.model}" if q.model else "models"
    task = f" for {q.task}" if q.task else ""
    where = " in the HF cache" if q.offline else ""
    uses = ", ".join(outcome.report.uses)
    return f"{what}{task}{where}; policy {outcome.report.policy.name}, uses: {uses}"


def model_line(result: ModelResult | None) -> str | None:
    """The model being replaced, as audited: its outcome and the first reason."""
    if result is None:
        return None
    outcome = worst_verdict(result)
    if result.status != "ok":
        kind = result.error.kind if result.error else "error"
        message = without_model(result.model, result.error.message if result.error else "")
        return f"{result.model}: error ({kind}): {message}"
    if outcome == "allow":
        return f"{result.model}: allow"
    for use, verdict in result.verdicts.items():
        if verdict.verdict == outcome:
            first = next((r for r in verdict.reasons if r.verdict == outcome), None)
            return f"{result.model}: {outcome} ({use}: {first.message if first else ''})"
    return f"{result.model}: {outcome}"


def without_model(model: str, message: str) -> str:
    """An error message without the `org/name: ` it starts with (the row names the model)."""
    return message[len(model) + 2 :] if message.startswith(f"{model}: ") else message


def reason_cell(row: Row) -> str:
    return without_model(row.model, row.reason or "")


def closing(outcome: Outcome) -> str:
    rows = outcome.ranking.rows
    allowed = len(outcome.ranking.allowed)
    every = "every use" if len(outcome.report.uses) > 1 else outcome.report.uses[0]
    text = f"{allowed} of {len(rows)} candidate{'s' if len(rows) != 1 else ''} allowed for {every}"
    if outcome.ranking.excluded:
        text += f"; {len(outcome.ranking.excluded)} left out"
    return text


def _cells(row: Row, uses: tuple[str, ...]) -> list[str]:
    return [row.verdicts.get(u, "-") for u in uses]


def render_plain(outcome: Outcome) -> str:
    uses = outcome.report.uses
    header = ("#", "MODEL", "LICENCE", "DOWNLOADS", *(u.upper() for u in uses), "REASON")
    table = [header] + [
        (
            str(i),
            row.model,
            license_cell(row),
            downloads(row.candidate.downloads),
            *_cells(row, uses),
            _clip(reason_cell(row)),
        )
        for i, row in enumerate(outcome.ranking.rows, 1)
    ]
    out = io.StringIO()
    out.write(headline(outcome) + "\n")
    line = model_line(outcome.model)
    if line:
        out.write(_clip(line, 200) + "\n")
    out.write("\n")
    if outcome.ranking.rows:
        widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
        for r in table:
            cells = [cell.ljust(widths[i]) for i, cell in enumerate(r[:-1])]
            out.write("  ".join([*cells, r[-1]]).rstrip() + "\n")
    else:
        out.write("no candidates\n")
    if outcome.ranking.excluded:
        out.write("\nleft out:\n")
        for x in outcome.ranking.excluded:
            out.write(f"  {x.model}: {x.reason}\n")
    out.write(f"\n{closing(outcome)}\n")
    return out.getvalue()


def render_rich(outcome: Outcome, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=width or 120)
    console.print(Text(headline(outcome), style="bold"))
    line = model_line(outcome.model)
    if line:
        console.print(Text(line, style=_STYLE.get(worst_verdict(outcome.model), "")))  # type: ignore[arg-type]
    # One line per candidate, as the audit table: no box, cells cut with … (never wrapped
    # inside a word); the reasons, too long for a cell at 80 columns, word-wrapped below.
    table = Table(header_style="bold", box=None, pad_edge=False)
    # Fixed columns keep their header's width; the model and its licence share the rest.
    uses = outcome.report.uses
    rows = outcome.ranking.rows
    rank_width = len(str(len(rows)))
    fixed = rank_width + len("Downloads") + sum(max(len(u), len("review")) for u in uses)
    spare = (width or 120) - fixed - 2 * (len(uses) + 3)  # two spaces between columns
    licence_width = min(max((len(license_cell(r)) for r in rows), default=7), max(8, spare // 3))
    model_width = min(max((len(r.model) for r in rows), default=5), max(12, spare - licence_width))
    table.add_column("#", justify="right", no_wrap=True, width=rank_width)
    table.add_column("Model", no_wrap=True, overflow="ellipsis", width=max(5, model_width))
    table.add_column("Licence", no_wrap=True, overflow="ellipsis", width=max(7, licence_width))
    table.add_column("Downloads", justify="right", no_wrap=True)
    for use in uses:
        table.add_column(use.capitalize(), no_wrap=True, min_width=max(len(use), len("review")))
    reasons: list[Text] = []
    for i, row in enumerate(outcome.ranking.rows, 1):
        cells = [Text(v, style=_STYLE.get(v, "")) for v in _cells(row, outcome.report.uses)]
        table.add_row(
            str(i),
            Text(row.model),
            Text(license_cell(row)),
            downloads(row.candidate.downloads),
            *cells,
        )
        if reason_cell(row) or len(row.model) > model_width:  # the whole id where it was cut
            why = f": {reason_cell(row)}" if reason_cell(row) else ""
            reasons.append(Text(f"{i}. {row.model}{why}"))
    console.print(table)
    for line_below in reasons:
        console.print(line_below)
    for x in outcome.ranking.excluded:
        console.print(Text(f"left out: {x.model}: {x.reason}", style="dim"))
    console.print(Text(closing(outcome), style="bold"))
    return buffer.getvalue()


# --- markdown -----------------------------------------------------------------------------


def _cell_code(text: str) -> str:
    """Code in a table cell: a `|` would end the cell even inside backticks (GFM)."""
    return _code(text).replace("|", "\\|")


def to_markdown(outcome: Outcome) -> str:
    uses = outcome.report.uses
    allowed = len(outcome.ranking.allowed)
    lines = [f"### {'✅' if allowed else '❌'} licensecheck: {escape(headline(outcome))}", ""]
    line = model_line(outcome.model)
    if line:
        lines += [escape(line), ""]
    if outcome.ranking.rows:
        lines.append(
            "| # | Model | Licence | Downloads | "
            + " | ".join(escape(u) for u in uses)
            + " | Reason |"
        )
        lines.append("|---|---|---|---|" + "---|" * len(uses) + "---|")
        for i, row in enumerate(outcome.ranking.rows, 1):
            cells = [f"{_ICON[v]} {v}" if v in _ICON else v for v in _cells(row, uses)]
            lines.append(
                f"| {i} | {_cell_code(row.model)} | {escape(license_cell(row))} | "
                f"{downloads(row.candidate.downloads)} | "
                + " | ".join(cells)
                + f" | {escape(reason_cell(row))} |"
            )
        lines.append("")
    else:
        lines += ["No candidates.", ""]
    if outcome.ranking.excluded:
        lines.append("**Left out:**")
        lines += [f"- {_code(x.model)}: {escape(x.reason)}" for x in outcome.ranking.excluded]
        lines.append("")
    lines.append(f"_{escape(closing(outcome))}._")
    return "\n".join(lines) + "\n"
