"""The alternatives report's renderers on a hand-built outcome (the CLI tests cover the plain
table, json and markdown of real runs; a terminal's rich table is only reachable here), and
the listing's page guard: a next page on another origin is not followed."""

from __future__ import annotations

from typing import Any

import pytest
from test_alternatives_rank import result

from licensecheck.alternatives import Candidate, Excluded, Outcome, Query, rank
from licensecheck.errors import SourceError
from licensecheck.formats import RenderOptions
from licensecheck.formats.alternatives import downloads, render
from licensecheck.knowledge import store
from licensecheck.results import AuditReport, PolicyInfo

USES = ("commercial",)


def outcome() -> Outcome:
    candidates = [
        Candidate("org/denied", downloads=2_500_000),
        Candidate("org/allowed|pipe", downloads=999),
    ]
    results = [
        result("org/denied", {"commercial": "deny"}, licence="cc-by-nc-4.0"),
        result("org/allowed|pipe", {"commercial": "allow"}),
    ]
    ranking = rank(
        candidates, results, USES, "org/model", [Excluded("org/model", "the model itself")]
    )
    report = AuditReport(
        tool_version="0",
        policy=PolicyInfo(name="p", path=None, sha256="0" * 64),
        uses=USES,
        results=tuple(row.result for row in ranking.rows),
    )
    query = Query(model="org/model", task="text-generation")
    model = result("org/model", {"commercial": "deny"}, licence="llama3.1")
    return Outcome(query=query, model=model, report=report, ranking=ranking)


def test_every_format_ranks_and_explains() -> None:
    kb = store.load()
    plain = render("table", outcome(), RenderOptions(kb=kb))
    assert plain.splitlines()[3].split()[:3] == ["#", "MODEL", "LICENCE"]  # as audit's table
    rows = [line for line in plain.splitlines() if line[:1].isdigit()]
    assert rows[0].split()[1] == "org/allowed|pipe" and rows[1].split()[1] == "org/denied"
    assert "2.5M" in rows[1] and "commercial: deny because" in rows[1]
    assert "org/model: deny (commercial: commercial: deny because)" in plain
    rich = render("table", outcome(), RenderOptions(kb=kb, color=True, width=160))
    assert "\x1b[" in rich and "org/allowed|pipe" in rich and "left out: org/model" in rich
    markdown = render("markdown", outcome(), RenderOptions(kb=kb))
    assert "| 1 | `org/allowed|pipe` |" not in markdown  # a pipe cannot break the table
    assert "| 1 | `org/allowed\\|pipe` |" in markdown
    data = render("json", outcome(), RenderOptions(kb=kb))
    assert '"group": "deny"' in data and '"excluded": [' in data


@pytest.mark.parametrize(
    "value, text", [(None, "-"), (999, "999"), (1000, "1k"), (1_250_000, "1.2M"), (3 * 10**9, "3B")]
)
def test_downloads_are_compact(value: int | None, text: str) -> None:
    assert downloads(value) == text


class _Page:
    def __init__(self, body: list[dict[str, Any]], following: str | None) -> None:
        self.body = body
        self.links = {"next": {"url": following}} if following else {}

    def json(self) -> list[dict[str, Any]]:
        return self.body


class _Hub:
    """What `hub_search.pages` uses of a HubSource: its endpoint and one GET."""

    endpoint = "https://huggingface.co"

    def __init__(self, following: str) -> None:
        self.following = following
        self.asked: list[str] = []

    def get(self, url: str) -> _Page:
        self.asked.append(url)
        return _Page([{"id": "org/a", "sha": "a" * 40}], self.following)


def test_a_next_page_on_another_origin_is_not_followed() -> None:
    from licensecheck.sources import hub_search

    query = Query(model=None, task="text-generation")
    elsewhere = _Hub("https://evil.example/api/models?cursor=2")
    pages = hub_search.pages(elsewhere, query)  # type: ignore[arg-type]
    assert [entry.candidate.model for entry in next(pages)] == ["org/a"]  # type: ignore[union-attr]
    with pytest.raises(SourceError, match="another origin"):
        next(pages)
    assert len(elsewhere.asked) == 1
    same = _Hub("https://HUGGINGFACE.co:443/api/models?cursor=2")
    pages = hub_search.pages(same, query)  # type: ignore[arg-type]
    next(pages), next(pages)
    assert same.asked[1] == "https://HUGGINGFACE.co:443/api/models?cursor=2"
    for elsewhere_url in ("http://huggingface.co/api/models", "https://huggingface.co:8443/x"):
        pages = hub_search.pages(_Hub(elsewhere_url), query)  # type: ignore[arg-type]
        next(pages)
        with pytest.raises(SourceError, match="another origin"):
            next(pages)


def test_the_terminal_table_is_readable_at_80_columns() -> None:
    """Four uses at 80 columns: one line per candidate, no line wider than the terminal, no
    model name broken over two lines, and each reason whole (word-wrapped) below the table."""
    import re

    from licensecheck.formats.alternatives import reason_cell

    uses = ("research", "commercial", "government", "defense")
    long_id = "some-organisation/gemma-2-2b-it-legal-assistant-sft-dpo-merged-v2"
    candidates = [Candidate(long_id), Candidate("acme/apache-model")]
    results = [
        result(long_id, dict.fromkeys(uses, "review"), licence="gemma"),
        result("acme/apache-model", dict.fromkeys(uses, "allow")),
    ]
    ranking = rank(candidates, results, uses, "org/model", [])
    report = AuditReport(
        tool_version="0",
        policy=PolicyInfo(name="p", path=None, sha256="0" * 64),
        uses=uses,
        results=tuple(row.result for row in ranking.rows),
    )
    done = Outcome(
        query=Query(model="org/model", task="text-generation"),
        model=None,
        report=report,
        ranking=ranking,
    )
    rich = render("table", done, RenderOptions(kb=store.load(), color=True, width=80))
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in rich.splitlines()]
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if re.match(r"\s*[12]  ", line)]
    assert len(rows) == 2 and "allow" in rows[0] and "review" in rows[1]
    reason = reason_cell(ranking.rows[1])
    assert reason and f"2. {long_id}: {reason}" in " ".join(" ".join(lines).split())
