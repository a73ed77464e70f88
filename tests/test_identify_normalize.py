"""Normalisation (SPDX-style equivalences, CJK, copyright statements, placeholders) and the
sections / mentions helpers."""

from __future__ import annotations

import pytest

from licensecheck.identify.normalize import PLACEHOLDER, Tokens, is_minor, words
from licensecheck.identify.sections import license_sections, mentions
from licensecheck.knowledge import store
from tests._identify_support import CORPUS


def test_case_punctuation_quotes_and_whitespace_do_not_matter() -> None:
    a = 'The "Software" is provided — AS IS —\n\n  without  warranty.'
    b = "the “software” is provided -- as is --  without warranty"
    assert (
        words(a)
        == words(b)
        == ["the", "software", "is", "provided", "as", "is", "without", "warranty"]
    )


def test_markup_is_not_text() -> None:
    md = "## **License** terms\n\nSee [the terms](https://example.com/terms?a=1&b=2) <br/> &amp; *more*."
    html = "<h2><b>License</b> terms</h2><p>See <a href='x'>the terms</a> &amp; <em>more</em>.</p>"
    assert words(md) == words(html) == ["license", "terms", "see", "the", "terms", "more"]


def test_url_scheme_and_www_are_ignored() -> None:
    assert words("http://www.apache.org/licenses/") == words("https://apache.org/licenses")


def test_varietal_spellings() -> None:
    assert words("the Licence is licenced; authorised organisation") == words(
        "the License is licensed; authorized organization"
    )


def test_placeholders_become_one_token() -> None:
    assert words("Copyright notice for <name of author> and [yyyy] or {model}")[-5:] == [
        PLACEHOLDER,
        "and",
        PLACEHOLDER,
        "or",
        PLACEHOLDER,
    ]


def test_cjk_is_tokenised_per_character_and_nfkc() -> None:
    assert words("本许可（ChatGLM3-6B）") == ["本", "许", "可", "chatglm3", "6b"]
    assert words("ｌｉｃｅｎｓｅ") == ["license"]


def test_copyright_lines_vanish_from_words_but_are_flagged_in_tokens() -> None:
    text = "Copyright (c) 2023 Acme Inc.\n\nPermission is hereby granted."
    assert words(text) == ["permission", "is", "hereby", "granted"]
    tokens = Tokens(text)
    assert tokens.words[:6] == ["copyright", "c", "2023", "acme", "inc", "permission"]
    assert {tokens.words[i] for i in tokens.copyright} == {"copyright", "c", "2023", "acme", "inc"}


def test_a_sentence_starting_with_copyright_is_not_a_copyright_line() -> None:
    text = "Copyright and Similar Rights means rights closely related to copyright.\n"
    assert words(text)[:3] == ["copyright", "and", "similar"]
    assert not Tokens(text).copyright


def test_copyright_statement_mid_line_is_flagged_up_to_the_sentence() -> None:
    text = (
        "Notice: Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta "
        "Platforms, Inc. All Rights Reserved. Everyone else must comply."
    )
    tokens = Tokens(text)
    flagged = [tokens.words[i] for i in sorted(tokens.copyright)]
    assert flagged == ["copyright", "c", "meta", "platforms", "inc", "all", "rights", "reserved"]


def test_list_numbering_is_minor() -> None:
    assert all(is_minor(t) for t in ("1", "a", "iv", "xii", "12"))
    assert not any(is_minor(t) for t in ("700", "license", "2024"))


def test_tokens_lines_and_passages() -> None:
    text = "First line here\nsecond “quoted” line\n\nthird"
    tokens = Tokens(text)
    assert tokens.words == words(text)
    assert [tokens.line(i) for i in range(len(tokens))] == [1, 1, 1, 2, 2, 2, 4]
    assert tokens.passage(3, 6) == "second “quoted” line"


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.txt")))
def test_fast_and_full_paths_agree(name) -> None:
    """`words` (the exact-match key) and `Tokens` (the diff) normalise alike; they differ only
    in that `words` drops copyright lines, which `Tokens` keeps and flags."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    tokens = Tokens(text)
    fast = words(text)
    if not tokens.copyright:
        assert tokens.words == fast
    else:
        assert len(fast) <= len(tokens.words)
        kept = iter(tokens.words)
        assert all(any(w == k for k in kept) for w in fast)  # fast is a subsequence


# --- sections and mentions ---------------------------------------------------------------------


def test_license_sections() -> None:
    card = (
        "---\nlicense: mit\n---\n# Model\n\nIntro.\n\n## 4. License\n\nMIT, see below.\n\n"
        "### Details\n\nMore.\n\n## Usage\n\nRun it.\n\n**Licensing & IP**\n\nApache 2.0 code.\n"
    )
    sections = license_sections(card)
    assert [(s.title, s.start_line) for s in sections] == [
        ("4. License", 8),
        ("Licensing & IP", 20),
    ]
    assert "### Details" in sections[0].text and "Usage" not in sections[0].text
    assert sections[0].end_line == 14


def test_mentions_take_the_longest_name() -> None:
    kb = store.load()
    text = (
        "Weights: Meta Llama 3.2 Community License (inherited).\n"
        "Code: MIT License. Data: licensed under CC-BY-4.0.\n"
        "We compared with MIT researchers' models."
    )
    found = [(m.id, m.line) for m in mentions(text, kb)]
    assert found == [("llama3.2", 1), ("mit", 2), ("cc-by-4.0", 2)]


def test_mentions_by_url() -> None:
    kb = store.load()
    text = "Terms: https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE."
    assert [m.id for m in mentions(text, kb)] == ["llama3.1"]
