"""notice.required_notices: which lines the effective licences require, each once.

Built on in-memory results (the CLI tests run the real pipeline); the licence strings are
read from the knowledge base, never written here, so a change to the data is a change here.
"""

from __future__ import annotations

from licensecheck.facts import CardData, ModelFacts, ModelRef, RepoFile
from licensecheck.identify.types import Determination, Evidence
from licensecheck.notice import (
    NOTICE_OBLIGATIONS,
    SHIPPING_OBLIGATIONS,
    is_notice_file,
    quoted_in_licence,
    render_text,
    required_notices,
    to_dict,
)
from licensecheck.results import ModelError, ModelResult, ObligationItem, UseVerdict


def _strings(kb, license_id: str) -> list[str]:
    """The notice strings the knowledge base gives for a licence (unconditional ones)."""
    terms = kb[license_id].terms
    return [o.text for o in terms.obligations if o.id in NOTICE_OBLIGATIONS and o.text.strip()]


def _conditional(kb, license_id: str) -> list[str]:
    terms = kb[license_id].terms
    return [
        c.obligation.text
        for c in terms.conditions
        if c.effect == "obligation" and c.obligation and c.obligation.id in NOTICE_OBLIGATIONS
    ]


def _result(model: str, licenses: tuple[str, ...], files: tuple[RepoFile, ...] = (), **kw):
    facts = ModelFacts(
        ref=ModelRef(model),
        source="hub",
        revision="0" * 40,
        card=CardData(licenses=licenses[:1]),
        card_text=None,
        files=files,
    )
    det = Determination(id=licenses[0] if licenses else "unknown", confidence=0.9)
    return ModelResult(
        model=model,
        revision="0" * 40,
        source="hub",
        status="ok",
        facts=facts,
        determination=det,
        effective_licenses=licenses,
        **kw,
    )


def _count(text: str, line: str) -> int:
    return sum(1 for row in text.splitlines() if row.strip() == line.strip())


def test_llama_lines_come_from_the_knowledge_base(kb):
    expected = _strings(kb, "llama3.1")
    assert expected, "llama3.1 must carry attribution / notice-file strings"
    notice = required_notices([_result("acme/llama-ft", ("llama3.1",))], kb)
    assert [line.text for line in notice.unconditional] == expected
    assert all(line.licenses == ("llama3.1",) for line in notice.lines)
    assert not notice.incomplete


def test_each_line_appears_once_across_models(kb):
    results = [
        _result("acme/llama-a", ("llama3.1",)),
        _result("acme/llama-b", ("llama3.1",)),
    ]
    notice = required_notices(results, kb)
    text = render_text(notice)
    for line in _strings(kb, "llama3.1"):
        assert _count(text, line) == 1
    merged = notice.lines[0]
    assert merged.models == ("acme/llama-a", "acme/llama-b")


def test_qwen_and_llama_together_each_line_once(kb):
    results = [_result("acme/llama-ft", ("llama3.1",)), _result("Qwen/Qwen2.5-72B", ("qwen",))]
    text = render_text(required_notices(results, kb))
    wanted = _strings(kb, "llama3.1") + _strings(kb, "qwen")
    assert len(wanted) >= 3
    for line in wanted:
        assert _count(text, line) == 1, line


def test_repo_notice_file_is_reproduced_once(kb):
    notice_text = "This product includes software from Example Corp.\n"
    f = RepoFile("NOTICE", notice_text, "x" * 64)
    results = [
        _result("acme/a", ("llama3.1",), files=(f,)),
        _result("acme/b", ("llama3.1",), files=(f,)),
    ]
    notice = required_notices(results, kb)
    assert len(notice.files) == 1
    assert notice.files[0].models == ("acme/a", "acme/b")
    text = render_text(notice)
    assert text.count("This product includes software from Example Corp.") == 1
    # The required lines come first, then the file.
    assert text.index(_strings(kb, "llama3.1")[0]) < text.index("Example Corp")


def test_notice_named_by_identification_counts_even_with_another_name(kb):
    f = RepoFile("THIRD_PARTY_ATTRIBUTIONS.txt", "Portions (c) Someone.\n", "y" * 64)
    result = _result("acme/a", ("llama3.1",), files=(f,))
    det = Determination(
        id="llama3.1",
        confidence=0.9,
        evidence=(Evidence("license-file", "unknown", 0.0, path=f.path, kind="notice"),),
    )
    result = ModelResult(**{**result.__dict__, "determination": det})
    notice = required_notices([result], kb)
    assert [nf.path for nf in notice.files] == [f.path]


def test_license_file_is_not_a_notice_file():
    assert is_notice_file("NOTICE")
    assert is_notice_file("sub/Notice.md")
    assert not is_notice_file("LICENSE")
    assert not is_notice_file("NOTICES_AND_MORE.pdf")


def test_unknown_licence_and_errors_make_the_notice_incomplete(kb):
    results = [
        _result("acme/unknown", ("unknown",)),
        _result("acme/not-in-kb", ("no-such-licence-id",)),
        ModelResult(
            model="acme/missing",
            revision=None,
            source="hub",
            status="error",
            error=ModelError("not-found", "acme/missing: not found"),
        ),
    ]
    notice = required_notices(results, kb)
    assert [g.model for g in notice.incomplete] == [
        "acme/unknown",
        "acme/not-in-kb",
        "acme/missing",
    ]
    assert "not identified" in notice.incomplete[0].reason
    assert "no-such-licence-id" in notice.incomplete[1].reason
    assert render_text(notice) == ""


def test_conditional_display_line_is_kept_apart_unless_triggered(kb):
    kimi = next(
        (lic.id for lic in kb if lic.terms and _conditional(kb, lic.id)),
        None,
    )
    assert kimi is not None, "Kimi K2's display rule is a conditional obligation"
    line = _conditional(kb, kimi)[0]
    plain = required_notices([_result("acme/k", (kimi,))], kb)
    assert [ln.text for ln in plain.conditional] == [line]
    assert plain.conditional[0].condition
    assert _count(render_text(plain), line) == 0

    # When the policy engine attached the obligation, the line is simply required.
    verdict = UseVerdict(
        "commercial", "allow", obligations=(ObligationItem("display-name", kimi, line),)
    )
    triggered = required_notices([_result("acme/k", (kimi,), verdicts={"commercial": verdict})], kb)
    assert [ln.text for ln in triggered.unconditional] == [*_strings(kb, kimi), line]


def test_instructions_are_not_pasted_but_reported(kb):
    """Apache's notice obligations say what to do; they are not strings to paste."""
    wanted = (*NOTICE_OBLIGATIONS, *SHIPPING_OBLIGATIONS)
    instructions = [o.text for o in kb["apache-2.0"].terms.obligations if o.id in wanted]
    assert len(instructions) >= 2
    notice_text = "Example Model\nCopyright 2024 Example Corp.\n"
    result = _result("acme/apache", ("apache-2.0",), files=(RepoFile("NOTICE", notice_text, "z"),))
    notice = required_notices([result], kb)
    assert notice.lines == ()
    assert [i.text for i in notice.instructions] == instructions
    text = render_text(notice)
    for line in instructions:
        assert line not in text
    # What the repo's NOTICE file says is what gets pasted.
    assert "Copyright 2024 Example Corp." in text


def test_a_string_is_a_line_only_when_the_licence_quotes_it(kb):
    llama = kb["llama3.1"]
    assert quoted_in_licence(llama, "Built with Llama")
    assert quoted_in_licence(llama, "built  with\nLLAMA")  # spacing and case do not count
    assert not quoted_in_licence(llama, "Built with Qwen")
    assert not quoted_in_licence(kb["apache-2.0"], "Mark modified files")


def test_licence_without_bundled_text_is_checked_against_the_repo_copy(kb):
    """A notice string of a licence whose text is not bundled counts when the repo's copy of
    that licence quotes it; without such a copy it stays an instruction."""
    textless = next(
        (
            lic
            for lic in kb
            if lic.terms
            and not any(v.texts for v in lic.versions)
            and any(o.id == "notice-file" for o in lic.terms.obligations)
        ),
        None,
    )
    assert textless is not None
    line = next(o.text for o in textless.terms.obligations if o.id == "notice-file")
    copy = RepoFile("LICENSE", f"Terms.\n\nKeep this notice: \u201c{line}\u201d\n", "c" * 64)
    result = _result("acme/t", (textless.id,), files=(copy,))
    det = Determination(
        id=textless.id,
        confidence=0.9,
        evidence=(Evidence("license-file", textless.id, 0.9, path="LICENSE"),),
    )
    with_copy = required_notices([ModelResult(**{**result.__dict__, "determination": det})], kb)
    assert line in [ln.text for ln in with_copy.lines]
    without = required_notices([_result("acme/t", (textless.id,))], kb)
    assert line not in [ln.text for ln in without.lines]
    assert line in [i.text for i in without.instructions]


def test_json_form_holds_everything(kb):
    notice = required_notices([_result("acme/a", ("llama3.1",)), _result("x/y", ("unknown",))], kb)
    data = to_dict(notice)
    assert [row["text"] for row in data["lines"]] == _strings(kb, "llama3.1")
    assert data["incomplete"] == [{"model": "x/y", "reason": "licence not identified"}]
    assert {row["obligation"] for row in data["lines"]} <= set(NOTICE_OBLIGATIONS)
    # Shipping a copy of the licence is said, never pasted.
    ships = [o.text for o in kb["llama3.1"].terms.obligations if o.id in SHIPPING_OBLIGATIONS]
    assert [row["text"] for row in data["instructions"]] == ships
    assert ships and not any(text in render_text(notice) for text in ships)
