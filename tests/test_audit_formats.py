"""Report formats: the registry, the JSON contract (schema, determinism), the table."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from licensecheck import formats
from licensecheck.audit import Auditor
from licensecheck.errors import SourceError, UsageError
from licensecheck.facts import CardData, Finding, ModelFacts, ModelRef
from licensecheck.formats import RenderOptions, json_report, table
from licensecheck.knowledge import store
from licensecheck.policy.load import load_preset
from licensecheck.results import AuditReport
from licensecheck.sources.interface import ModelSource

SCHEMA = Path(__file__).parent.parent / "docs" / "report.schema.json"
TODAY = dt.date(2026, 1, 15)


class TableSource(ModelSource):
    name = "hub"

    def __init__(self, table: dict[str, ModelFacts | SourceError]) -> None:
        super().__init__()
        self.table = table

    def _fetch(self, ref: ModelRef) -> ModelFacts:
        item = self.table[ref.repo_id]
        if isinstance(item, SourceError):
            raise item
        return replace(item, ref=ref)


def _facts(repo_id: str, card: CardData, **kw: Any) -> ModelFacts:
    return ModelFacts(
        ref=ModelRef(repo_id), source="hub", revision="e" * 40, card=card, card_text="", **kw
    )


def build_report() -> tuple[AuditReport, store.KnowledgeBase]:
    kb = store.load()
    policy = load_preset("default", kb)
    table: dict[str, ModelFacts | SourceError] = {
        "acme/apache": _facts("acme/apache", CardData(licenses=("apache-2.0",))),
        "acme/llama-ft": _facts(
            "acme/llama-ft",
            CardData(licenses=("apache-2.0",), base_models=("meta-llama/Llama-3.1-8B",)),
            findings=(Finding(kind="card-yaml-error", message="README.md: line 3: bad"),),
        ),
        "meta-llama/Llama-3.1-8B": _facts(
            "meta-llama/Llama-3.1-8B", CardData(licenses=("llama3.1",))
        ),
        "acme/nothing": _facts("acme/nothing", CardData()),
        "acme/down": SourceError("network", "acme/down: Hub unavailable (HTTP 503)"),
    }
    refs = [ModelRef(k) for k in ("acme/apache", "acme/llama-ft", "acme/nothing", "acme/down")]
    report = Auditor(TableSource(table), kb, policy, policy.uses, TODAY).audit(refs)
    return report, kb


@pytest.fixture(scope="module")
def built() -> tuple[AuditReport, store.KnowledgeBase]:
    return build_report()


def test_every_registered_format_renders(built: tuple[AuditReport, Any]) -> None:
    report, kb = built
    assert {"table", "json"} <= set(formats.names())
    for name in formats.names():
        text = formats.render(name, report, RenderOptions(kb=kb))
        assert text.endswith("\n") and "acme/apache" in text


def test_unknown_format_and_suffixes() -> None:
    with pytest.raises(UsageError, match="unknown format"):
        formats.renderer("yaml")
    assert formats.for_suffix(".JSON") == "json"
    assert formats.for_suffix(".exe") is None


def test_json_matches_the_schema_and_the_spec(built: tuple[AuditReport, Any]) -> None:
    report, kb = built
    text = json_report.render(report, RenderOptions(kb=kb))
    data = json.loads(text)
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert list(data) == sorted(data)  # sorted keys
    assert data["tool"]["name"] == "licensecheck"
    apache, ft, nothing, down = data["results"]
    assert apache["license"]["id"] == "apache-2.0"
    assert apache["license"]["spdx"] == "Apache-2.0"
    assert apache["license"]["evidence"][0]["source"] == "card-metadata"
    assert apache["revision"] == "e" * 40 and apache["error"] is None
    assert set(apache["verdicts"]) == set(report.uses)
    assert ft["effective_licenses"] == ["apache-2.0", "llama3.1"]
    assert ft["lineage"][0]["model"] == "meta-llama/Llama-3.1-8B"
    assert ft["license"]["conflicts"], "apache-2.0 over a Llama base is a conflict"
    assert ft["findings"] == ["card-yaml-error: README.md: line 3: bad"]
    assert nothing["license"]["id"] == "unknown" and nothing["license"]["spdx"] is None
    assert down["status"] == "error" and down["error"] == {
        "kind": "network",
        "message": "acme/down: Hub unavailable (HTTP 503)",
    }
    assert down["license"] is None and down["verdicts"] == {}
    summary = data["summary"]
    assert summary["models"] == 4 and summary["errors"] == 1
    assert summary["allow"] + summary["review"] + summary["deny"] == 3
    for result in data["results"]:
        for verdict in result["verdicts"].values():
            assert all(r["message"] for r in verdict["reasons"])


def test_json_is_byte_identical_across_runs() -> None:
    first, kb = build_report()
    second, _ = build_report()
    a = json_report.render(first, RenderOptions(kb=kb))
    b = json_report.render(second, RenderOptions(kb=kb))
    assert a == b
    assert "2026" not in a  # no timestamps


def test_plain_table(built: tuple[AuditReport, Any]) -> None:
    report, kb = built
    text = table.render(report, RenderOptions(kb=kb))
    lines = text.splitlines()
    # What decides trust first: the policy (name and where it comes from) and the uses.
    assert lines[0] == "Policy: default (built-in preset)"
    assert lines[1] == "Uses:   " + ", ".join(report.uses)
    head = lines[3].split()
    assert head == [*(u.upper() for u in report.uses), "MODEL", "LICENCE"]
    rows = {line.split()[len(report.uses)]: line.split() for line in lines[4:8]}
    assert set(rows) == {"acme/apache", "acme/llama-ft", "acme/nothing", "acme/down"}
    assert rows["acme/apache"][: len(report.uses)] == [
        report.results[0].verdicts[u].verdict for u in report.uses
    ]
    assert " ".join(rows["acme/llama-ft"][len(report.uses) + 1 :]) == "apache-2.0 + llama3.1"
    assert rows["acme/down"][-2:] == ["error", "(network)"]
    assert "\x1b[" not in text
    # Details below: where each model came from, the error, the reasons, the findings that
    # change trust (a card that did not parse), the obligations, the lineage.
    down = text.split("\nacme/down\n", 1)[1]
    assert down.startswith("  from the Hub\n  error (network): acme/down: Hub unavailable")
    ft = text.split("\nacme/llama-ft\n", 1)[1].split("\n\n", 1)[0]
    assert ft.startswith(f"  from the Hub at {'e' * 12}\n")
    assert "  ! card-yaml-error: README.md: line 3: bad" in ft
    assert "  obligation (llama3.1, attribution): Built with Llama" in ft
    assert "  lineage (effective: apache-2.0, llama3.1):" in ft
    assert "    - finetune of meta-llama/Llama-3.1-8B: llama3.1" in ft
    assert any(line.startswith("    - ") for line in ft.splitlines())  # a reason
    assert lines[-1].startswith("4 models:")


def test_the_table_reads_at_80_columns(built: tuple[AuditReport, Any]) -> None:
    """On an 80-column terminal: one line per model, cut rather than wrapped by the
    terminal; details wrapped between words, never inside one."""
    report, kb = built
    for color in (False, True):
        text = table.render(report, RenderOptions(kb=kb, color=color, width=80))
        plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
        lines = plain.splitlines()
        for line in lines:
            assert len(line) <= 80 or " " not in line.strip(), line  # one word may not fit
        assert sum(1 for line in lines if line.startswith(("allow", "review", "deny", "-"))) == 4
        words = set(table.render(report, RenderOptions(kb=kb)).split())
        assert set(plain.split()) <= words | {"…"} | {w for w in plain.split() if "…" in w}
    # Narrower still, the details keep to the width (the verdict cells cannot shrink).
    narrow = table.render(report, RenderOptions(kb=kb, width=60)).split("\n\n", 2)[2]
    assert all(len(line) <= 60 or " " not in line.strip() for line in narrow.splitlines())


def test_rich_table_on_a_terminal(built: tuple[AuditReport, Any]) -> None:
    report, kb = built
    text = table.render(report, RenderOptions(kb=kb, color=True, width=160))
    assert "\x1b[" in text
    assert "acme/apache" in text and "llama3.1" in text
    assert "4 models:" in text
