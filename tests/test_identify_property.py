"""Property: no restrictive licence text is ever reported as a permissive licence.

Restrictive = any licence or use policy whose knowledge-base category is not permissive or
public-domain. The texts are truncated anywhere, and permissive paragraphs (or whole
permissive licences) are appended or prepended; the answer may be the restrictive licence,
`unknown`, or a use policy, but never a permissive id.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licensecheck.identify.matcher import identify
from licensecheck.knowledge import store
from tests._identify_support import CORPUS, manifest, paragraphs

KB = store.load()
PERMISSIVE_CATEGORIES = {"permissive", "public-domain"}
MIN_WORDS = 30


def _permissive(lic_id: str) -> bool:
    lic = KB.get(lic_id)
    return lic is not None and lic.kind == "license" and lic.category in PERMISSIVE_CATEGORIES


ROWS = manifest()
RESTRICTIVE = sorted(
    r.file
    for r in ROWS
    if r.id in KB and (KB[r.id].kind == "aup" or KB[r.id].category not in PERMISSIVE_CATEGORIES)
)
PERMISSIVE_TEXTS = sorted(r.file for r in ROWS if _permissive(r.id) and r.modified == "no")
TEXTS = {
    name: (CORPUS / name).read_text(encoding="utf-8") for name in RESTRICTIVE + PERMISSIVE_TEXTS
}


def test_the_sets_are_meaningful() -> None:
    assert len(RESTRICTIVE) >= 40
    assert {"mit.txt", "apache-2.0.txt", "bsd-3-clause.txt"} <= set(PERMISSIVE_TEXTS)


@st.composite
def mixed_texts(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(RESTRICTIVE))
    lines = TEXTS[name].split("\n")
    # Keep a stretch of the restrictive text from anywhere: at least a clause (MIN_WORDS
    # words; a heading alone is not a licence text), up to all of it.
    start = draw(st.integers(0, max(0, len(lines) - 1)))
    shortest = start + 1
    while shortest < len(lines) and len(" ".join(lines[start:shortest]).split()) < MIN_WORDS:
        shortest += 1
    if len(" ".join(lines[start:shortest]).split()) < MIN_WORDS:
        start = 0  # near the end: take the text from the top instead
    end = draw(st.integers(min(len(lines), shortest), len(lines)))
    body = "\n".join(lines[start:end])
    extras = draw(st.lists(st.sampled_from(PERMISSIVE_TEXTS), max_size=2))
    whole = draw(st.booleans())
    pieces = []
    for extra in extras:
        text = TEXTS[extra]
        if not whole:
            paras = paragraphs(text)
            text = "\n\n".join(paras[: draw(st.integers(1, max(1, len(paras))))])
        pieces.append(text)
    before = draw(st.booleans())
    parts = [*pieces, body] if before else [body, *pieces]
    return name, "\n\n".join(parts)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mixed_texts())
def test_restrictive_text_never_reported_permissive(case: tuple[str, str]) -> None:
    name, text = case
    result = identify(text, KB)
    assert not _permissive(result.id), (name, result.id, result.confidence, text[:300])


def test_truncated_restrictive_texts_are_never_permissive() -> None:
    for name in RESTRICTIVE:
        text = TEXTS[name]
        for fraction in (0.1, 0.3, 0.6, 0.9):
            cut = text[: int(len(text) * fraction)]
            if len(cut.split()) < MIN_WORDS:
                continue
            result = identify(cut, KB)
            assert not _permissive(result.id), (name, fraction, result.id)


def test_whole_permissive_licence_appended_to_restrictive_text() -> None:
    mit = TEXTS["mit.txt"]
    for name in RESTRICTIVE:
        result = identify(TEXTS[name] + "\n\n" + mit, KB)
        assert not _permissive(result.id), (name, result.id)
        assert result.id == identify(TEXTS[name], KB).id
