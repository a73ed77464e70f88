"""Licence texts in card metadata fields (issue 15): which fields are read, with what bounds,
and what a gated model's determination says when no text supports its licence."""

from __future__ import annotations

from hub_server import llama_gated_prompt

from licensecheck.facts import CardData, Finding, ModelFacts, ModelRef
from licensecheck.identify import evidence
from licensecheck.knowledge.store import load_cached

KB = load_cached()
GEMMA_PROMPT = (
    "To access Gemma on Hugging Face, you’re required to review and agree to Google’s usage "
    "license. To do this, please ensure you’re logged in to Hugging Face and click below."
)


def facts(
    raw: dict[str, object], *, gated: bool = True, refused: tuple[str, ...] = ()
) -> ModelFacts:
    licences = raw.get("license")
    return ModelFacts(
        ref=ModelRef("org/model"),
        source="hub",
        revision="a" * 40,
        card=CardData(licenses=(licences,) if isinstance(licences, str) else (), raw=raw),
        card_text=None,
        gated=gated,
        findings=tuple(Finding(kind="gated-file", message=f"{p}: gated", path=p) for p in refused),
    )


def test_the_agreement_in_any_long_field_is_evidence_named_by_the_field() -> None:
    raw = {
        "license": "llama3.2",
        "extra_gated_heading": "Access",
        "terms": llama_gated_prompt("3.2"),
    }
    d = evidence.determine(facts(raw, refused=("LICENSE",)), KB)
    assert (d.id, d.version, d.verified, d.refused) == ("llama3.2", "2024-09-25", True, ())
    texts = [e for e in d.evidence if e.via == "text"]
    assert {(e.path, e.id, e.kind) for e in texts} == {
        ("terms", "llama3.2", "license"),
        ("terms", "llama3.2-aup", "aup"),
    }
    assert all(e.source == "card-metadata" for e in texts)


def test_a_text_in_metadata_that_disagrees_with_the_declaration_is_a_conflict() -> None:
    raw = {"license": "apache-2.0", "extra_gated_prompt": llama_gated_prompt("3.1")}
    d = evidence.determine(facts(raw, gated=False), KB)
    assert d.id == "llama3.1"  # the more restrictive text wins over the declaration
    assert any(c.kind == "metadata-vs-metadata-text" for c in d.conflicts), d.conflicts


def test_a_short_prompt_verifies_nothing() -> None:
    raw = {"license": "gemma", "extra_gated_prompt": GEMMA_PROMPT}
    d = evidence.determine(facts(raw, refused=("LICENSE",)), KB)
    assert (d.id, d.verified, d.refused) == ("gemma", False, ("LICENSE",))
    assert not [e for e in d.evidence if e.via == "text"]
    # Not gated and nothing refused: metadata judged as it always was.
    assert evidence.determine(facts(raw, gated=False), KB).verified


def test_fields_and_text_are_bounded() -> None:
    big = "x " * (evidence.METADATA_TEXT_MAX_CHARS // 2)
    raw = {f"field{i:02d}": big for i in range(20)}
    raw["extra_gated_prompt"] = GEMMA_PROMPT
    raw["short"] = "a label" * 10
    chosen = evidence.metadata_text_fields(raw)
    assert chosen[0] == ("extra_gated_prompt", GEMMA_PROMPT)  # the known field first
    assert "short" not in [k for k, _ in chosen]
    assert len(chosen) <= evidence.METADATA_TEXT_MAX_FIELDS
    assert sum(len(t) for _, t in chosen) <= evidence.METADATA_TEXT_MAX_CHARS
