"""The card parser on every real card of the corpus, and on each hazard NOTES.txt lists.

The corpus test is table-driven over tests/data/corpus/cards/MANIFEST.tsv: for every card it
states the licence metadata the parser yields (the `declared_license` column, read as data
where it is machine-checkable; the few prose rows are spelled out in `SPECIAL`).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licensecheck.sources.card import MAX_LIST, card_data, parse_card

CARDS = Path(__file__).parent / "data" / "corpus" / "cards"

# Rows whose declared_license column is prose rather than fields:
# card -> (licenses, license_name, license_link, finding kind expected or None)
SPECIAL: dict[str, tuple[tuple[str, ...], str | None, str | None, str | None]] = {
    # "license: llama3 (inside a broken block)": a '--' opener, the Hub reads nothing.
    "032.md": ((), None, None, "card-no-metadata"),
    # "... all INSIDE an HTML comment": commented out, so no metadata.
    "127.md": ((), None, None, "card-no-metadata"),
}
# Cards whose metadata sits below a prepended title (a mirror's copy): read, with a finding.
LATE = {"007.md", "061.md"}
# Cards with a YAML error (an unrendered template): licence keys read line by line.
YAML_ERRORS = {"115.md"}


def manifest() -> list[dict[str, str]]:
    with (CARDS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def expected_fields(declared: str) -> tuple[tuple[str, ...], str | None, str | None]:
    """`license: other; license_name: x (no license_link)` -> (("other",), "x", None)."""
    licenses: tuple[str, ...] = ()
    name = link = None
    if "MISSING" in declared and not declared.startswith("license:"):
        return (), None, None
    for part in declared.split("; "):
        key, _, value = part.partition(": ")
        value = re.sub(r"\s+\((?:no |YAML )[^)]*\)$", "", value.strip())
        if key == "license":
            if value.startswith("("):  # "(MISSING)"
                continue
            if value.startswith("["):
                licenses = tuple(v.strip() for v in value.strip("[]").split(","))
            else:
                licenses = (value,)
        elif key == "license_name":
            name = value
        elif key == "license_link":
            link = value
    return licenses, name, link


ROWS = manifest()


def test_manifest_covers_every_card() -> None:
    on_disk = sorted(p.name for p in CARDS.glob("*.md"))
    assert sorted(r["file"] for r in ROWS) == on_disk
    assert len(on_disk) >= 90


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_corpus_card_licence_metadata(row: dict[str, str]) -> None:
    text = (CARDS / row["file"]).read_text(encoding="utf-8")
    parsed = parse_card(text, row["file"])
    kinds = {f.kind for f in parsed.findings}
    if row["file"] in SPECIAL:
        licenses, name, link, finding = SPECIAL[row["file"]]
        assert parsed.metadata_line is None
        assert finding in kinds
    else:
        licenses, name, link = expected_fields(row["declared_license"])
        assert parsed.metadata_line is not None
    card = parsed.card
    assert (card.licenses, card.license_name, card.license_link) == (licenses, name, link)
    if row["file"] in LATE:
        assert "card-metadata-late" in kinds
    if row["file"] in YAML_ERRORS:
        assert "card-yaml-error" in kinds
    # base_model never carries empty or non-text entries.
    assert all(isinstance(b, str) and b.strip() for b in card.base_models)
    for finding in parsed.findings:
        assert "\n" not in finding.message and row["file"] in finding.message


@pytest.mark.parametrize(
    ("card", "bases", "relation"),
    [
        ("004.md", ("meta-llama/Llama-3.1-8B-Instruct",), None),  # one-element list
        ("019.md", ("meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-3B"), None),
        ("011.md", ("Qwen/Qwen2.5-1.5B-Instruct",), "adapter"),
        ("109.md", (), None),  # base_model: [""]
        ("073.md", (), "merge"),  # [{embedder_model}, {reranker_model}]: unrendered template
    ],
)
def test_corpus_base_models(card: str, bases: tuple[str, ...], relation: str | None) -> None:
    parsed = parse_card((CARDS / card).read_text(encoding="utf-8"), card)
    assert parsed.card.base_models == bases
    assert parsed.card.base_model_relation == relation


def test_card_body_excludes_the_front_matter() -> None:
    parsed = parse_card((CARDS / "007.md").read_text(encoding="utf-8"))
    assert "license_name" not in parsed.body
    assert "DeepSeek" in parsed.body
    assert parsed.body.startswith("# deepseek-ai/deepseek-coder-7b-base-v1.5")


# --- hazards, one by one -------------------------------------------------------------------


def test_crlf_bom_and_leading_blank_lines() -> None:
    text = "\ufeff\r\n\r\n---\r\nlicense: mit\r\n---\r\n# Title\r\n"
    parsed = parse_card(text)
    assert parsed.card.licenses == ("mit",)
    assert parsed.metadata_line == 3
    assert parsed.findings == ()
    assert parsed.body.strip() == "# Title"


def test_licence_typo_is_read_with_a_finding() -> None:
    parsed = parse_card("---\nlicence: apache-2.0\nlicence_name: x\n---\n")
    assert parsed.card.licenses == ("apache-2.0",)
    assert parsed.card.license_name == "x"
    assert [f.kind for f in parsed.findings] == ["card-key-variant", "card-key-variant"]


def test_yaml_error_keeps_keys_before_it() -> None:
    text = "---\nlicense: other\nlicense_name: qwen\ntags:\n- ok\n- {broken: [\n---\nbody\n"
    parsed = parse_card(text, "README.md")
    assert parsed.card.licenses == ("other",)
    assert parsed.card.license_name == "qwen"
    assert parsed.card.tags == ("ok",)
    (finding,) = [f for f in parsed.findings if f.kind == "card-yaml-error"]
    assert "line " in finding.message and "license" in finding.message


@pytest.mark.parametrize("front", ["- a\n- b", "just a string", "42"])
def test_front_matter_that_is_not_a_mapping(front: str) -> None:
    parsed = parse_card(f"---\n{front}\n---\nbody\n")
    assert parsed.card.licenses == ()
    assert "card-not-mapping" in {f.kind for f in parsed.findings}


def test_unclosed_and_empty_front_matter() -> None:
    unclosed = parse_card("---\nlicense: mit\n# no closing fence\n")
    assert unclosed.card.licenses == ()
    assert "never closed" in unclosed.findings[0].message
    empty = parse_card("---\n---\n# Title\n")
    assert empty.card.licenses == ()
    assert empty.findings[0].kind == "card-no-metadata"


def test_no_front_matter_at_all() -> None:
    parsed = parse_card("# A model\n\nNo metadata here.\n")
    assert parsed.metadata_line is None
    assert parsed.findings[0].kind == "card-no-metadata"
    assert parsed.body.startswith("# A model")


def test_horizontal_rules_in_a_body_are_not_metadata() -> None:
    parsed = parse_card("# Title\n\n---\n\nSome prose: with a colon\n\n---\n")
    assert parsed.metadata_line is None


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = "a" if i == 1 else f"a{i - 1}"
        lines.append(f"a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    text = "---\nlicense: mit\n" + "\n".join(lines) + "\n---\n"
    parsed = parse_card(text)
    finding = next(f for f in parsed.findings if f.kind == "card-yaml-error")
    assert "aliases" in finding.message
    assert parsed.card.licenses == ("mit",)  # still read line by line


def test_field_values_of_the_wrong_type() -> None:
    card, findings = card_data(
        {
            "license": ["mit", {"x": 1}, "", None, "mit"],
            "license_name": ["a", "b"],
            "base_model": [""],
            "tags": "single-tag",
            "pipeline_tag": 5,
        }
    )
    assert card.licenses == ("mit",)
    assert card.license_name == "a"
    assert card.base_models == ()
    assert card.tags == ("single-tag",)
    assert card.pipeline_tag == "5"
    assert {f.kind for f in findings} == {"card-invalid-field"}


def test_huge_base_model_lists_are_capped() -> None:
    bases = [f"org/model-{i}" for i in range(MAX_LIST + 50)]
    card, findings = card_data({"base_model": bases})
    assert len(card.base_models) == MAX_LIST
    assert "card-field-capped" in {f.kind for f in findings}


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>#'\"\n \tabcl0é\r\x00")), max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    parsed = parse_card(text)
    assert isinstance(parsed.card.licenses, tuple)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=120))
def test_arbitrary_front_matter_never_raises(front: str) -> None:
    parsed = parse_card(f"---\n{front}\n---\n")
    assert all(isinstance(x, str) for x in parsed.card.licenses)
