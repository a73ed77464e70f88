"""Variants generated from the corpus texts.

Formatting (reflowed, re-wrapped, markdown, HTML, CRLF, leading/trailing boilerplate, a
changed copyright line) must identify as the original licence and version, not modified.
Substance (names swapped, a clause added, a clause removed) must be `modified`, with the
passage in `changes`.
"""

from __future__ import annotations

import pytest

from licensecheck.identify.matcher import identify
from licensecheck.identify.normalize import words
from tests._identify_support import (
    CORPUS,
    FORMATTING,
    manifest,
    names_swapped,
    with_clause,
    without_clause,
)

ROWS = [r for r in manifest() if r.id != "none" and r.modified == "no"]


@pytest.fixture(scope="module")
def originals(kb) -> dict[str, tuple[str, str | None]]:
    out = {}
    for r in ROWS:
        m = identify(r.text, kb)
        out[r.file] = (m.id, m.version)
    return out


@pytest.mark.parametrize("variant", sorted(FORMATTING))
def test_formatting_is_not_a_modification(variant, kb, originals) -> None:
    make = FORMATTING[variant]
    wrong = []
    for r in ROWS:
        result = identify(make(r.text), kb)
        got = (result.id, result.version, result.kind, result.modified)
        want = (*originals[r.file], r.kind, False)
        if got != want:
            wrong.append(f"{r.file}: {got} != {want}; {[c.text[:60] for c in result.changes[:3]]}")
    assert not wrong, "\n".join(wrong)


# Texts with a licensor or model name to swap (the LaVIT / CodeFuse pattern).
SWAPS = {
    "llama2.txt": ("Meta", "Llama 2"),
    "llama3.1.txt": ("Meta", "Llama 3.1"),
    "tongyi-qianwen.txt": ("Tongyi Qianwen", "Alibaba Cloud"),
    "qwen.txt": ("Qwen", "Alibaba Cloud"),
    "gemma.txt": ("Gemma", "Google"),
    "deepseek.txt": ("DeepSeek",),
    "yi.txt": ("Yi",),
    "minimax.txt": ("MiniMax",),
    "stabilityai-community.txt": ("Stability AI", "Stability"),
    "tencent-hunyuan-community-large.txt": ("Tencent Hunyuan", "Tencent"),
    "chatglm3-6b.txt": ("ChatGLM3-6B",),
    "creativeml-openrail-m.txt": ("CreativeML",),
}


@pytest.mark.parametrize("name", sorted(SWAPS))
def test_names_swapped_is_modified(name, kb) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    original = identify(text, kb)
    swapped = names_swapped(text, SWAPS[name])
    assert swapped != text
    result = identify(swapped, kb)
    assert (result.id, result.modified) == (original.id, True), result
    assert any("Acme Research" in c.text for c in result.changes)
    assert all(c.type in ("added", "removed", "changed") and c.line for c in result.changes)


CLAUSE_ROWS = [r for r in ROWS if len(r.text.split()) > 150]


@pytest.mark.parametrize("row", CLAUSE_ROWS, ids=[r.file for r in CLAUSE_ROWS])
def test_clause_added_is_modified_with_the_passage(row, kb, originals) -> None:
    text, line = with_clause(row.text)
    result = identify(text, kb)
    assert (result.id, result.modified) == (originals[row.file][0], True), result
    added = [c for c in result.changes if "royalty of ten percent" in c.text]
    assert added, result.changes
    assert added[0].type in ("added", "changed")
    assert abs((added[0].line or 0) - line) <= 2


@pytest.mark.parametrize("row", CLAUSE_ROWS, ids=[r.file for r in CLAUSE_ROWS])
def test_clause_removed_is_modified_with_the_passage(row, kb, originals) -> None:
    try:
        text, removed = without_clause(row.text)
    except ValueError:
        pytest.skip("no paragraph both unique and small enough to remove")
    result = identify(text, kb)
    assert (result.id, result.modified) == (originals[row.file][0], True), result
    # A removed (or changed) passage at the place of the removal, worded like the paragraph.
    # (Its wording comes from the canonical text, which may differ in layout, and where the
    # diff can put a repeated phrase is its choice: compare content words and the line.)
    content = {w for w in words(removed) if len(w) > 3}
    offset = row.text.index(removed)
    line = text[:offset].count("\n") + 1
    gone = [c for c in result.changes if c.type in ("removed", "changed")]
    assert any(
        abs((c.line or 0) - line) <= 3 and len(content & set(words(c.original or c.text))) >= 3
        for c in gone
    ), (line, sorted(content)[:10], [(c.type, c.line, (c.original or c.text)[:80]) for c in gone])
