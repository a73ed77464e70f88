"""Property tests: whatever a stranger writes, the card parser, the policy loader and the text
normaliser answer with a result or with the project's own error, never anything else.

The strategies aim at the hazards, not just at random text: YAML built from anchors,
aliases, tags, flow brackets, block indicators, huge numbers and impossible dates;
control characters, NUL, lone surrogates, BOMs and CRLF; policies assembled from the
schema's own keys with values of every type; licence-like text mixed with markup,
placeholders, copyright lines, URLs and CJK.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licensecheck.errors import LicensecheckError
from licensecheck.facts import Finding
from licensecheck.identify import normalize
from licensecheck.knowledge import store
from licensecheck.policy.load import load_policy
from licensecheck.policy.model import Policy
from licensecheck.policy.yamlsource import YamlProblem, parse
from licensecheck.sources.card import MAX_LIST, card_data, parse_card

KB = store.load()
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every character, surrogates and controls included.
ANY_CHAR = st.characters(codec=None, exclude_categories=())

YAML_FRAGMENTS = st.sampled_from(
    [
        "license: ", "licence: ", "base_model:", "license_name: ", "tags:", "- ", "  - ",
        "&a ", "*a", "&b [*a, *a, *a]", "*b", "!!python/object/apply:os.system ['id'] ",
        "!!binary aGk=", "!!set {a, b}", "[", "]", "{", "}", "[[[[[[[[[[", "]]]]]]]]]]",
        "? ", ": ", "|\n  ", ">\n  ", "'", '"', "\\ud800", '"\\x1b[2J"', "#", "---", "...",
        "1" + "0" * 5000, "2024-02-30", "2024-02-29", "0x1F", "1e999", ".nan", "NO", "~",
        "mit", "apache-2.0", "other", "{base_model}", "\t", "\n", "\r\n", "\x00", "\x1b",
        "\ufeff", "é", "模型",
    ]
)  # fmt: skip


@st.composite
def cards(draw: st.DrawFn) -> str:
    """A README: maybe a BOM, maybe text before it, a front matter of YAML fragments."""
    front = "".join(draw(st.lists(YAML_FRAGMENTS, max_size=40)))
    noise = draw(st.text(ANY_CHAR, max_size=40))
    lead = draw(st.sampled_from(["", "\ufeff", "\n\n", "# Title\n", "<!--\n"]))
    close = draw(st.sampled_from(["\n---\n", "\n---", "\n", "\n--\n"]))
    return f"{lead}---\n{front}{close}{noise}"


def check_card(text: str) -> None:
    parsed = parse_card(text)
    card = parsed.card
    for field in (card.licenses, card.base_models, card.tags):
        assert isinstance(field, tuple) and len(field) <= MAX_LIST
        assert all(isinstance(x, str) and x.strip() == x and x for x in field)
    for value in (card.license_name, card.license_link, card.pipeline_tag, card.library_name):
        assert value is None or isinstance(value, str)
    assert isinstance(parsed.body, str)
    for finding in parsed.findings:
        assert isinstance(finding, Finding)
        assert "\n" not in finding.message, finding.message


@SETTINGS
@given(cards())
def test_card_parser_survives_hostile_front_matter(text: str) -> None:
    check_card(text)


@SETTINGS
@given(st.text(ANY_CHAR, max_size=300))
def test_card_parser_survives_arbitrary_text(text: str) -> None:
    check_card(text)
    check_card(f"---\n{text}\n---\n")


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY_CHAR, max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["license", "licence", "base_model", "tags",
                                        "license_name", "license_link", "base_model_relation",
                                        "pipeline_tag", "library_name", "other"]),
                       JSONISH, max_size=8))  # fmt: skip
def test_card_metadata_of_any_shape(mapping: dict[str, Any]) -> None:
    """The Hub's cardData is JSON of any shape: it becomes CardData or findings."""
    card, findings = card_data(mapping, "cardData")
    assert all(isinstance(x, str) and x for x in card.licenses)
    assert all(isinstance(f, Finding) for f in findings)


# --- the policy loader -----------------------------------------------------------------------

POLICY_KEYS = st.sampled_from(
    [
        "version", "name", "extends", "uses", "fail_on", "unknown_license", "license_conflict",
        "modified_license", "otherwise", "organisation", "rules", "exceptions", "define_uses",
        "match", "verdict", "reason", "license", "licenses", "publisher", "model", "category",
        "monthly_active_users", "annual_revenue_usd", "countries", "expires", "approved_by",
        "use", "like", "description", "bogus",
    ]
)  # fmt: skip
POLICY_WORDS = [
    "allow", "review", "deny", "commercial", "research", "mit", "llama3.1", "*",
    "meta-llama/*", "2026-01-01", "2026-02-30", "../x.yaml", "default", "US", "permissive",
]  # fmt: skip
POLICY_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.sampled_from(POLICY_WORDS)
    | st.text(ANY_CHAR.filter(lambda c: c.isprintable()), max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(POLICY_KEYS, children, max_size=4)
    ),
    max_leaves=25,
)


def load_text(data: bytes) -> Policy | None:
    """load_policy on a file holding `data`; None when it was refused with PolicyError."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policy.yaml"
        path.write_bytes(data)
        try:
            policy = load_policy(path, KB)
        except LicensecheckError as exc:
            problems = getattr(exc, "problems", [str(exc)])
            assert problems and all("\n" not in p and "policy.yaml" in p for p in problems)
            return None
    assert isinstance(policy, Policy)
    return policy


@SETTINGS
@given(st.dictionaries(POLICY_KEYS, POLICY_VALUES, max_size=8))
def test_policy_loader_on_schema_shaped_documents(document: dict[str, Any]) -> None:
    load_text(yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@SETTINGS
@given(st.lists(YAML_FRAGMENTS, max_size=40))
def test_policy_loader_on_yaml_fragments(fragments: list[str]) -> None:
    text = "".join(fragments)
    load_text(text.encode("utf-8", errors="surrogatepass"))


@SETTINGS
@given(st.binary(max_size=400))
def test_policy_parser_on_arbitrary_bytes(data: bytes) -> None:
    try:
        parse(data, "p.yaml")
    except YamlProblem as exc:
        assert exc.problems and all("\n" not in p for p in exc.problems)


# --- the text normaliser ---------------------------------------------------------------------

LICENCE_FRAGMENTS = st.sampled_from(
    [
        "Permission is hereby granted", " ", "\n", "\n\n", "Copyright (c) 2024 Meta", "©",
        "<year>", "[name of copyright owner]", "{model}", "____", "<!-- x -->", "<b>", "</b>",
        "&amp;", "&#x41;", "[link](https://x.org/a_(b))", "[ref]: http://x", "http://www.",
        "1.", "(a)", "iv.", "“", "”", "—", "licence", "LICENSE", "İ", "ß", "ﬁ", "许可证",
        "Ａ", "\t", "\r\n", "\x00", "\ud800", "\x1b[31m", "*", "_", "#", "|", "`",
    ]
)  # fmt: skip


@st.composite
def licence_texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(LICENCE_FRAGMENTS | st.text(ANY_CHAR, max_size=8), max_size=60))
    return "".join(parts)


def check_normalised(text: str) -> None:
    low = normalize.clean(text)
    assert isinstance(low, str)
    words = normalize.words(text)
    assert all(isinstance(w, str) and w for w in words)
    tokens = normalize.tokenize(text)
    n = len(tokens)
    n_lines = text.count("\n") + 1
    for i in {0, n // 2, max(0, n - 1), n}:
        start, end = tokens.span(i)
        assert 0 <= start <= end <= max(len(text), len(low))
        assert 1 <= tokens.line(i) <= n_lines
        assert isinstance(tokens.passage(i, i + 3), str)
    first, last = tokens.line_range(0, n)
    assert 1 <= first <= last <= n_lines


@SETTINGS
@given(licence_texts())
def test_normaliser_on_licence_like_text(text: str) -> None:
    check_normalised(text)


@SETTINGS
@given(st.text(ANY_CHAR, max_size=400))
def test_normaliser_on_arbitrary_text(text: str) -> None:
    check_normalised(text)
