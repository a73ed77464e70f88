"""The pure core of `alternatives` (licensecheck/alternatives.py): what is left out before and
after the audit, and the ranking order, on hand-built results."""

from __future__ import annotations

from licensecheck.alternatives import (
    Candidate,
    Excluded,
    base_relations,
    derived_from,
    rank,
    screen,
    verified,
)
from licensecheck.identify.types import Determination, Evidence
from licensecheck.results import LineageLink, ModelError, ModelResult, Reason, UseVerdict

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
USES = ("commercial", "research")


def determination(licence: str, *, text: bool = True, gated: bool = False) -> Determination:
    evidence = [Evidence(source="card-metadata", id=licence, score=0.9, via="id")]
    if text:
        evidence.append(
            Evidence(source="license-file", id=licence, score=1.0, path="LICENSE", via="text")
        )
    return Determination(id=licence, confidence=0.99, evidence=tuple(evidence), verified=not gated)


def result(
    model: str,
    verdicts: dict[str, str],
    licence: str = "apache-2.0",
    *,
    lineage: tuple[LineageLink, ...] = (),
    error: str | None = None,
) -> ModelResult:
    return ModelResult(
        model=model,
        revision="a" * 40,
        source="hub",
        status="error" if error else "ok",
        error=ModelError("gated", error) if error else None,
        determination=determination(licence),
        lineage=lineage,
        verdicts={
            use: UseVerdict(
                use=use,
                verdict=verdict,
                reasons=(
                    Reason(rule="terms:x:grant", message=f"{use} granted", verdict="allow"),
                    Reason(rule="rule:3", message=f"{use}: {verdict} because", verdict=verdict),
                ),
            )
            for use, verdict in verdicts.items()
        },
    )


def test_ranking_allow_then_review_and_errors_then_deny_in_listing_order() -> None:
    listed = [
        ("org/denied-first", {"commercial": "deny", "research": "allow"}),
        ("org/allowed-1", {"commercial": "allow", "research": "allow"}),
        ("org/review", {"commercial": "allow", "research": "review"}),
        ("org/denied-2", {"commercial": "deny", "research": "deny"}),
        ("org/allowed-2", {"commercial": "allow", "research": "allow"}),
    ]
    candidates = [Candidate(model=m, downloads=1000 - i) for i, (m, _) in enumerate(listed)]
    results = [result(m, v) for m, v in listed]
    candidates.append(Candidate(model="org/gated"))
    results.append(result("org/gated", {}, error="org/gated: gated; could not read LICENSE"))
    ranking = rank(candidates, results, USES)
    assert [row.model for row in ranking.rows] == [
        "org/allowed-1",
        "org/allowed-2",
        "org/review",
        "org/gated",
        "org/denied-first",
        "org/denied-2",
    ]
    rows = {row.model: row for row in ranking.rows}
    assert [row.model for row in ranking.allowed] == ["org/allowed-1", "org/allowed-2"]
    assert rows["org/allowed-1"].reason is None
    # The reason names the use (several uses) and is the one that produced the verdict.
    assert rows["org/review"].reason == "research: research: review because"
    assert rows["org/denied-first"].reason == "commercial: commercial: deny because"
    # A candidate that could not be judged is never allowed: review, every use "error".
    assert rows["org/gated"].group == "review"
    assert rows["org/gated"].verdicts == {"commercial": "error", "research": "error"}
    assert rows["org/gated"].reason == "org/gated: gated; could not read LICENSE"


def test_a_use_without_verdict_is_not_an_allow() -> None:
    ranking = rank([Candidate("org/a")], [result("org/a", {"commercial": "allow"})], USES)
    assert ranking.rows[0].group == "review"
    assert ranking.rows[0].reason == "no verdict for research"
    assert ranking.allowed == ()


def test_derivatives_by_tag_card_and_audited_lineage() -> None:
    assert base_relations(
        [f"base_model:quantized:{MODEL}", "base_model:org/other", "license:mit"], ["org/card"]
    ) == {MODEL.lower(): "quantized", "org/other": "derivative", "org/card": "derivative"}
    assert derived_from(MODEL, Candidate(MODEL.upper())) == "the model itself"
    tagged = Candidate("x/gguf", tags=(f"base_model:adapter:{MODEL.lower()}",))
    assert derived_from(MODEL, tagged) == f"an adapter of {MODEL}"
    carded = Candidate("x/ft", base_models=(MODEL,))
    assert derived_from(MODEL, carded) == f"a derivative of {MODEL}"
    deep = result(
        "x/deep",
        {"commercial": "deny", "research": "allow"},
        lineage=(
            LineageLink(model="x/ft", relation="quantized", license="llama3.1"),
            LineageLink(model=MODEL, relation="finetune", license="llama3.1", depth=2),
        ),
    )
    assert derived_from(MODEL, Candidate("x/deep"), deep) == f"a fine-tune of {MODEL} (depth 2)"
    assert derived_from(MODEL, Candidate("org/unrelated", tags=("base_model:org/b",))) is None
    ranking = rank(
        [Candidate("x/deep"), Candidate("org/ok")],
        [deep, result("org/ok", {"commercial": "allow", "research": "allow"})],
        USES,
        replacing=MODEL,
        excluded=[Excluded("x/gguf", "listed before")],
    )
    assert [row.model for row in ranking.rows] == ["org/ok"]
    assert [x.model for x in ranking.excluded] == ["x/gguf", "x/deep"]


def test_screen_keeps_the_first_limit_after_exclusions() -> None:
    offered = [
        Candidate(MODEL, task="text-generation"),
        Candidate("a/one", task="text-generation"),
        Candidate("q/gguf", task="text-generation", tags=(f"base_model:quantized:{MODEL}",)),
        Candidate("A/ONE", task="text-generation"),  # the same model again
        Candidate("v/vit", task="image-classification"),
        Candidate("u/unknown", task=None),
        Candidate("b/two", task="text-generation"),
        Candidate("c/three", task="text-generation"),
    ]
    kept, left_out = screen(MODEL, offered, 3, "text-generation")
    assert [c.model for c in kept] == ["a/one", "u/unknown", "b/two"]
    assert [(x.model, x.reason) for x in left_out] == [
        (MODEL, "the model itself"),
        ("q/gguf", f"a quantisation of {MODEL}"),
        ("v/vit", "task image-classification, not text-generation"),
    ]
    assert screen(None, offered, 1, None)[0] == [offered[0]]


def test_verified_needs_a_text_for_the_licence_concluded() -> None:
    assert verified(determination("mit"))
    assert not verified(determination("mit", text=False))
    assert not verified(determination("gemma", gated=True))
    assert not verified(None)
    other = Determination(
        id="mit",
        confidence=0.5,
        evidence=(Evidence(source="license-file", id="apache-2.0", score=1.0, via="text"),),
    )
    assert not verified(other)
