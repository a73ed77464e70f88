"""Evidence combination: agreement, conflict, dual licence, AUP and NOTICE files, unknown;
and the card-metadata evidence (`metadata.from_card`) it starts from."""

from __future__ import annotations

import hashlib

import pytest

from licensecheck.facts import CardData, ModelFacts, ModelRef, RepoFile
from licensecheck.identify.evidence import collect, combine, determine
from licensecheck.identify.metadata import from_card
from licensecheck.identify.types import Evidence
from tests._identify_support import CORPUS, names_swapped


def repo_file(path: str, corpus_name: str | None = None, text: str | None = None) -> RepoFile:
    body = text if text is not None else (CORPUS / str(corpus_name)).read_text(encoding="utf-8")
    return RepoFile(path=path, text=body, sha256=hashlib.sha256(body.encode()).hexdigest())


def facts(
    card: CardData | None = None,
    files: tuple[RepoFile, ...] = (),
    card_text: str | None = None,
    tags: tuple[str, ...] = (),
    gguf: str | None = None,
) -> ModelFacts:
    return ModelFacts(
        ref=ModelRef("acme/model"),
        source="hub",
        revision="0" * 40,
        card=card or CardData(),
        card_text=card_text,
        files=files,
        tags=tags,
        gguf_license=gguf,
    )


# --- metadata ----------------------------------------------------------------------------------


def test_hub_id_resolves(kb) -> None:
    [ev] = from_card(CardData(licenses=("llama3.1",)), (), kb)
    assert (ev.source, ev.id, ev.kind, ev.via) == ("card-metadata", "llama3.1", "license", "id")
    assert ev.score > 0.5


def test_other_uses_license_name_then_link(kb) -> None:
    by_name = from_card(CardData(licenses=("other",), license_name="deepseek-license"), (), kb)
    assert [(e.id, e.via) for e in by_name] == [("deepseek", "name")]
    link = "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE"
    by_link = from_card(
        CardData(licenses=("other",), license_name="no-such-thing", license_link=link), (), kb
    )
    assert [(e.id, e.via) for e in by_link] == [("llama3.1", "link")]


def test_unresolvable_name_is_unknown_with_the_name(kb) -> None:
    [ev] = from_card(CardData(licenses=("other",), license_name="acme-special-1.0"), (), kb)
    assert ev.id == "unknown"
    assert "acme-special-1.0" in ev.detail
    [ev] = from_card(CardData(licenses=("llama3.3-community-xyz",)), (), kb)
    assert ev.id == "unknown" and "llama3.3-community-xyz" in ev.detail


def test_other_without_name_or_link_is_unknown(kb) -> None:
    [ev] = from_card(CardData(licenses=("other",)), (), kb)
    assert ev.id == "unknown"
    assert determine(facts(CardData(licenses=("other",))), kb).id == "unknown"


def test_list_valued_license_gives_one_evidence_per_entry(kb) -> None:
    evs = from_card(CardData(licenses=("mit", "apache-2.0")), (), kb)
    assert [e.id for e in evs] == ["mit", "apache-2.0"]


def test_hub_tags_add_only_what_the_card_lacks(kb) -> None:
    evs = from_card(CardData(licenses=("mit",)), ("license:mit", "license:gemma", "region:us"), kb)
    assert [(e.id, e.via) for e in evs] == [("mit", "id"), ("gemma", "tag")]


def test_license_name_without_license_key(kb) -> None:
    """Cards that carry only license_name (no `license:`)."""
    evs = from_card(CardData(license_name="tongyi-qianwen"), (), kb)
    assert [e.id for e in evs] == ["tongyi-qianwen"]


# --- combination -------------------------------------------------------------------------------


def test_agreement_raises_confidence(kb) -> None:
    meta_only = determine(facts(CardData(licenses=("llama3.1",))), kb)
    agreed = determine(
        facts(CardData(licenses=("llama3.1",)), (repo_file("LICENSE", "llama3.1.txt"),)), kb
    )
    assert meta_only.id == agreed.id == "llama3.1"
    assert agreed.confidence > meta_only.confidence
    assert agreed.version == "2024-07-23"  # from the file: metadata names no version
    assert not agreed.conflicts


def test_permissive_metadata_restrictive_file_is_a_conflict(kb) -> None:
    d = determine(
        facts(CardData(licenses=("apache-2.0",)), (repo_file("LICENSE", "llama3.1.txt"),)), kb
    )
    assert d.id == "llama3.1"  # never the permissive declaration
    assert d.declared == ("apache-2.0",)
    assert "apache-2.0" in d.extra
    [conflict] = [c for c in d.conflicts if c.kind == "metadata-vs-file"]
    assert set(conflict.ids) == {"apache-2.0", "llama3.1"}
    assert conflict.severity == "conflict"
    agreed = determine(
        facts(CardData(licenses=("llama3.1",)), (repo_file("LICENSE", "llama3.1.txt"),)), kb
    )
    assert d.confidence < agreed.confidence


def test_version_disagreement_is_a_conflict(kb) -> None:
    d = determine(
        facts(CardData(licenses=("llama3",)), (repo_file("LICENSE", "llama3.1.txt"),)), kb
    )
    assert any(c.kind == "metadata-vs-file" for c in d.conflicts)
    assert d.id in ("llama3", "llama3.1")


def test_dual_licence(kb) -> None:
    d = determine(facts(CardData(licenses=("mit", "apache-2.0"))), kb)
    assert d.declared == ("mit", "apache-2.0")
    assert {d.id, *d.extra} == {"mit", "apache-2.0"}
    assert not [c for c in d.conflicts if c.severity == "conflict"]


def test_code_and_model_licence_files(kb) -> None:
    """DeepSeek-style repos: MIT for code, the model licence for weights -> the model licence."""
    d = determine(
        facts(
            CardData(licenses=("other",), license_name="deepseek-license", license_link="LICENSE"),
            (
                repo_file("LICENSE-CODE", "deepseek-code-mit.txt"),
                repo_file("LICENSE-MODEL", "deepseek.txt"),
            ),
        ),
        kb,
    )
    assert d.id == "deepseek"
    assert "mit" in d.extra
    assert not [c for c in d.conflicts if c.severity == "conflict"]


def test_aup_file_is_evidence_not_the_licence(kb) -> None:
    d = determine(
        facts(
            CardData(licenses=("llama3.1",)),
            (
                repo_file("LICENSE", "llama3.1.txt"),
                repo_file("USE_POLICY.md", "llama3.1-acceptable-use-policy.txt"),
            ),
        ),
        kb,
    )
    assert d.id == "llama3.1"
    aup = [e for e in d.evidence if e.path == "USE_POLICY.md"]
    assert [(e.id, e.kind) for e in aup] == [("llama3.1-aup", "aup")]
    assert "llama3.1-aup" in d.extra
    only_aup = determine(
        facts(files=(repo_file("USE_POLICY.md", "llama3.1-acceptable-use-policy.txt"),)), kb
    )
    assert only_aup.id == "unknown"  # an AUP alone does not say which licence applies


def test_notice_file_is_evidence_not_the_licence(kb) -> None:
    d = determine(
        facts(
            CardData(licenses=("apache-2.0",)),
            (repo_file("LICENSE", "apache-2.0.txt"), repo_file("NOTICE", "yi-notice-apache.txt")),
        ),
        kb,
    )
    assert d.id == "apache-2.0"
    [notice] = [e for e in d.evidence if e.path == "NOTICE"]
    assert notice.kind == "notice" and notice.id == "unknown"
    third_party = determine(facts(files=(repo_file("NOTICE", "qwen-notice.txt"),)), kb)
    assert third_party.id == "unknown"  # the licences of bundled code are not the model's
    assert [e.kind for e in third_party.evidence] == ["notice"]


def test_modified_text_is_reported(kb) -> None:
    d = determine(
        facts(
            CardData(licenses=("mit",)),
            (repo_file("LICENSE", "deepfloyd-if-code-modified-mit.txt"),),
        ),
        kb,
    )
    assert (d.id, d.modified) == ("mit", True)
    assert any(c.kind == "modified-text" for c in d.conflicts)
    [ev] = [e for e in d.evidence if e.source == "license-file"]
    assert ev.changes


def test_renamed_restrictive_licence_outranks_permissive_metadata(kb) -> None:
    text = names_swapped((CORPUS / "llama2.txt").read_text(encoding="utf-8"), ("Meta", "Llama 2"))
    d = determine(facts(CardData(licenses=("mit",)), (repo_file("LICENSE", text=text),)), kb)
    assert (d.id, d.modified) == ("llama2", True)


def test_unknown_everywhere(kb) -> None:
    d = determine(facts(), kb)
    assert (d.id, d.confidence, d.evidence) == ("unknown", 0.0, ())
    custom = repo_file("LICENSE", text="You may use this model only on Tuesdays.\n" * 3)
    d = determine(facts(files=(custom,)), kb)
    assert d.id == "unknown"
    assert any(c.kind == "unrecognised-file" for c in d.conflicts)


def test_unrecognised_file_naming_a_licence(kb) -> None:
    text = (
        "This model is made available under the Llama 3.1 Community License Agreement.\n"
        "See https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE\n"
    )
    d = determine(facts(files=(repo_file("LICENSE", text=text),)), kb)
    assert d.id == "llama3.1"
    assert any(e.via == "mention" and e.id == "llama3.1" for e in d.evidence)
    assert any(c.kind == "unrecognised-file" for c in d.conflicts)


def test_card_licence_section_names_the_licence(kb) -> None:
    card = (
        "# Model\n\nA fine-tune.\n\n## License\n\n"
        "Adapter released under the **Llama 3.1 Community License**. Training data is CC-BY-4.0.\n\n"
        "## Citation\n\nNone.\n"
    )
    d = determine(facts(CardData(licenses=("llama3.1",)), card_text=card), kb)
    assert d.id == "llama3.1"
    named = [(e.id, e.via, e.source) for e in d.evidence if e.source == "card-text"]
    assert ("llama3.1", "mention", "card-text") in named
    assert ("cc-by-4.0", "mention", "card-text") in named
    assert not [c for c in d.conflicts if c.severity == "conflict"]


def test_card_prose_alone_gives_a_low_confidence_answer(kb) -> None:
    card = "# Model\n\nThis model is licensed under the Apache License 2.0.\n"
    d = determine(facts(card_text=card), kb)
    assert d.id == "apache-2.0"
    assert 0 < d.confidence <= 0.6


def test_licence_text_in_the_card(kb) -> None:
    mit = (CORPUS / "mit.txt").read_text(encoding="utf-8")
    card = "# Model\n\n## License\n\n" + mit
    d = determine(facts(CardData(licenses=("mit",)), card_text=card), kb)
    assert d.id == "mit"
    [ev] = [e for e in d.evidence if e.source == "card-text"]
    assert (ev.via, ev.score) == ("text", 1.0)
    assert ev.detail.startswith("lines 5-")


def test_gguf_metadata(kb) -> None:
    d = determine(facts(gguf="llama3.1"), kb)
    assert (d.id, d.evidence[0].source) == ("llama3.1", "gguf-metadata")
    conflict = determine(facts(CardData(licenses=("apache-2.0",)), gguf="llama3.1"), kb)
    assert conflict.id == "llama3.1"
    assert any(c.kind == "metadata-vs-gguf" for c in conflict.conflicts)
    unknown = determine(facts(gguf="Some Vendor EULA"), kb)
    assert unknown.id == "unknown" and "Some Vendor EULA" in unknown.evidence[0].detail


def test_readme_file_is_the_card_text(kb) -> None:
    readme = "---\nlicense: mit\n---\n# Model\n\n## License\n\nMIT License, see LICENSE.\n"
    evs = collect(facts(files=(repo_file("README.md", text=readme),)), kb)
    assert [(e.source, e.id, e.path) for e in evs] == [("card-text", "mit", "README.md")]


def test_combine_is_deterministic(kb) -> None:
    evs = [
        Evidence(source="card-metadata", id="mit", score=0.9, via="id"),
        Evidence(source="license-file", id="llama3.1", score=1.0, path="LICENSE", via="text"),
    ]
    assert combine(evs, kb) == combine(list(evs), kb)
    assert combine(evs, kb).id == combine(evs[::-1], kb).id == "llama3.1"


def test_prose_does_not_override_an_unknown_declared_licence(kb) -> None:
    """The card declares a licence we do not know; its prose names Apache-2.0 (for the code).
    The answer is unknown, never the licence the prose happens to name."""
    card = (
        "# Music model GGUF\n\nThese files are governed by the included MODEL_LICENSE (the "
        "Acme Music 3 Community License), not by the Apache-2.0 license used for the C++ "
        "source repository.\n"
    )
    d = determine(
        facts(
            CardData(licenses=("other",), license_name="acme-music-3-community-license"),
            card_text=card,
        ),
        kb,
    )
    assert d.id == "unknown"
    assert any(e.id == "apache-2.0" and e.via == "mention" for e in d.evidence)
    assert not any(e.id == "minimax" for e in d.evidence)


def test_long_custom_licence_file_names_are_incidental(kb) -> None:
    text = (
        "Acme Model Licence.\n"
        + ("You may run the model for research. " * 40)
        + ("Portions of the tokenizer are under the MIT License.\n")
    )
    d = determine(facts(files=(repo_file("LICENSE", text=text),)), kb)
    assert d.id == "unknown"
    assert "mit" in d.evidence[0].detail  # named, but not taken as the licence


def test_a_modified_licence_named_in_prose_is_not_the_plain_licence(kb) -> None:
    """ "released under the Modified MIT License" names a licence built on MIT, not MIT: the
    prose must not raise a conflict with the custom licence the card and LICENSE declare."""
    kimi = repo_file("LICENSE", text=(CORPUS / "kimi-k2-modified-mit.txt").read_text("utf-8"))
    for phrase in ("Modified MIT License", "modified MIT licence", "custom Apache 2.0 License"):
        card = f"# Model\n\n## License\n\nThe weights are released under the [{phrase}](LICENSE).\n"
        d = determine(
            facts(
                CardData(licenses=("other",), license_name="modified-mit"),
                files=(kimi,),
                card_text=card,
            ),
            kb,
        )
        assert d.id == "kimi-modified-mit", phrase
        assert not [c for c in d.conflicts if c.severity == "conflict"], phrase
    plain = "# Model\n\n## License\n\nThe weights are released under the MIT License.\n"
    d = determine(facts(CardData(licenses=("mit",)), card_text=plain), kb)
    assert [(e.id, e.via) for e in d.evidence if e.source == "card-text"] == [("mit", "mention")]


@pytest.mark.parametrize(
    ("sentence", "restricts"),
    [
        ("Commercial use is prohibited.", True),
        ("For non-commercial use only.", True),
        ("This model is for research purposes only.", True),
        ("Not for commercial use.", True),
        ("The model may not be used commercially without a licence.", True),
        ("Commercial use is permitted.", False),
        ("Free for research and commercial use.", False),
        ("We only evaluate commercial models.", False),
    ],
)
def test_plain_sentences_that_restrict_commercial_use(sentence: str, restricts: bool) -> None:
    from licensecheck.identify.sections import restricting_statements

    found = restricting_statements(f"# Model\n\n{sentence}\n")
    assert bool(found) is restricts
    if restricts:
        assert found[0].line == 3 and found[0].use == "commercial"


def test_prose_conflicts_only_where_the_card_speaks_of_the_model(kb) -> None:
    card = (
        "# Model\n\nThe weights are released under CC BY-NC 4.0.\n\n"
        "Training data is released under CC-BY-4.0.\n\n"
        "Both the code and the weights are released under the Modified MIT License.\n"
    )
    d = determine(facts(CardData(licenses=("apache-2.0",)), card_text=card), kb)
    conflicts = [c for c in d.conflicts if c.kind == "prose-names-other"]
    strict = [c for c in conflicts if c.severity == "conflict"]
    assert len(strict) == 1 and "cc-by-nc-4.0" in strict[0].ids
    assert "line 3" in strict[0].message and "The weights are released" in strict[0].message
    notes = [c for c in conflicts if c.severity == "info"]
    assert notes and "cc-by-4.0" in notes[0].ids
    assert "mit" not in {i for c in strict for i in c.ids}
