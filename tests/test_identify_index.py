"""The precomputed index and the matcher's shortcuts give the answers of the plain algorithm.

- The inverted index of sampled shingles (packed arrays in the cache) counts, for any set of
  keys, what intersecting each text's own sample would.
- The index survives its cache file whole, loads lazily (a verbatim text decodes no words and
  builds no postings), and a cache file of the right digest but the wrong shape is rebuilt.
- The inline longest-common-run alignment of small gaps finds difflib's blocks.
- Skipping the diff of candidates that cannot beat an unmodified match changes no answer.
"""

from __future__ import annotations

import dataclasses
import difflib
import pickle
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licensecheck.identify import index as index_mod
from licensecheck.identify.matcher import Matcher, _difflib_blocks, _Region, matching_blocks
from licensecheck.identify.normalize import PLACEHOLDER, Tokens
from licensecheck.knowledge import store

KB = store.load()
TEXTS_DIR = Path(index_mod.__file__).parent.parent / "knowledge" / "texts"


@pytest.fixture(scope="module")
def built() -> index_mod.Index:
    return index_mod.build(KB, TEXTS_DIR)


def _sampled(index: index_mod.Index, k: int) -> set[int]:
    """Text k's sampled shingle keys, recomputed from its words."""
    ids = list(index.entries[k].ids)
    return index_mod.sampled(index_mod.shingle_keys(ids, max(len(index.vocab_words), 1)))


def test_sample_hits_count_what_set_intersections_count(built: index_mod.Index) -> None:
    rng = random.Random(3)
    per_text = [_sampled(built, k) for k in range(len(built.entries))]
    every = sorted(set().union(*per_text))
    assert len(every) > 1000 and all(per_text)
    for trial in range(40):
        # Keys of one text, of several, and keys no text has (-1 and large numbers).
        keys = set(rng.sample(every, rng.randrange(1, 600)))
        keys |= per_text[trial % len(per_text)]
        keys |= {-1, 10**15 + trial}
        want = {k: len(keys & s) for k, s in enumerate(per_text) if keys & s}
        assert built.sample_hits(keys) == want
    assert built.sample_hits(set()) == {}
    assert [e.n_sampled for e in built.entries] == [len(s) for s in per_text]


def test_the_index_survives_its_cache_file_and_loads_lazily(
    built: index_mod.Index, tmp_path: Path
) -> None:
    path = tmp_path / f"identify-index-{built.digest}.pickle"
    index_mod._write_cache(path, built)
    loaded = index_mod._read_cache(path, built.digest)
    assert loaded is not None and loaded is not built
    # Nothing derived is in the file: decoded words, the vocabulary and the postings
    # dictionaries are rebuilt on use.
    assert all(e._words is None for e in loaded.entries)
    assert loaded._vocab is None and loaded._postings is None
    assert [(e.id, e.version, e.file, e.n_words) for e in loaded.entries] == [
        (e.id, e.version, e.file, e.n_words) for e in built.entries
    ]
    assert [e.words for e in loaded.entries] == [e.words for e in built.entries]
    assert loaded.exact_raw == built.exact_raw and loaded.exact_words == built.exact_words
    assert all(loaded.shingles_of(k) == built.shingles_of(k) for k in range(len(built.entries)))
    keys = _sampled(built, 0) | _sampled(built, len(built.entries) - 1)
    assert loaded.sample_hits(keys) == built.sample_hits(keys)
    # A verbatim text is a dictionary lookup: it decodes no text and builds no postings.
    fresh = index_mod._read_cache(path, built.digest)
    assert fresh is not None
    verbatim = (TEXTS_DIR / fresh.entries[0].file).read_text(encoding="utf-8")
    match = Matcher(fresh).identify(verbatim)
    assert (match.id, match.confidence, match.modified) == (fresh.entries[0].id, 1.0, False)
    assert all(e._words is None for e in fresh.entries) and fresh._postings is None


def test_a_cache_file_of_the_wrong_shape_is_rebuilt_not_trusted(
    built: index_mod.Index, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LICENSECHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(index_mod, "_MEMO", {})
    digest = index_mod.texts_digest(KB.digest, TEXTS_DIR)
    damaged = pickle.loads(pickle.dumps(built))
    damaged.digest = digest
    damaged.full_shingles = damaged.full_shingles[:-1]  # one text short
    path = tmp_path / f"identify-index-{digest}.pickle"
    path.write_bytes(pickle.dumps(damaged))
    assert index_mod._read_cache(path, digest) is None
    index = index_mod.load(KB, TEXTS_DIR)
    assert len(index.full_shingles) == len(index.entries) == len(built.entries)
    rewritten = pickle.loads(path.read_bytes())
    assert len(rewritten.full_shingles) == len(built.entries)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, n - 1).map(str), max_size=40),
            st.lists(st.integers(0, n - 1).map(str), max_size=40),
        )
    ),
    st.data(),
)
def test_small_gaps_get_difflibs_blocks(
    pair: tuple[list[str], list[str]], data: st.DataObject
) -> None:
    a, b = pair
    alo = data.draw(st.integers(0, len(a)))
    ahi = data.draw(st.integers(alo, len(a)))
    blo = data.draw(st.integers(0, len(b)))
    bhi = data.draw(st.integers(blo, len(b)))
    out: list[tuple[int, int, int]] = []
    _difflib_blocks(a, b, alo, ahi, blo, bhi, out)
    sm = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
    want = [(alo + i, blo + j, n) for i, j, n in sm.get_matching_blocks() if n]
    assert sorted(out) == want


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from("abcdefgh"), max_size=120),
    st.lists(st.sampled_from("abcdefgh"), max_size=120),
)
def test_matching_blocks_are_equal_runs_in_order(a: list[str], b: list[str]) -> None:
    blocks = matching_blocks(a, b)
    ends = (0, 0)
    for i, j, n in blocks:
        assert n > 0 and i >= ends[0] and j >= ends[1]
        assert a[i : i + n] == b[j : j + n]
        ends = (i + n, j + n)


def _variants(seed: int, count: int) -> list[str]:
    """Canonical texts lightly edited (dates, names, placeholders, dropped titles and lines,
    an added sentence), alone or several in one file under component headings."""
    rng = random.Random(seed)
    texts = sorted(p.read_text(encoding="utf-8") for p in TEXTS_DIR.glob("*.txt"))

    def edit(text: str) -> str:
        lines = text.split("\n")
        for _ in range(rng.randrange(4)):
            i = rng.randrange(len(lines))
            op = rng.randrange(7)
            if op == 0:
                lines[i] = ""
            elif op == 1:
                lines[i] = lines[i].replace("License", "Agreement")
            elif op == 2:
                lines[i] = "Copyright (c) 2031 Somebody Else"
            elif op == 3:
                lines[i] += " [NAME OF COPYRIGHT OWNER]"
            elif op == 4:
                lines[i] = lines[i].replace("2023", "2024").replace("1.", "2.")
            elif op == 5:
                lines.insert(i, "You must not use this for anything harmful.")
            else:
                del lines[: rng.randrange(1, 4)]
        return "\n".join(lines)

    out = []
    for _ in range(count):
        parts = [edit(rng.choice(texts)) for _ in range(rng.choice((1, 1, 2, 3)))]
        if len(parts) == 1:
            out.append(parts[0])
        else:
            out.append("\n\n".join(f"## Component {n}\n\n{p}" for n, p in enumerate(parts)))
    return out


def test_skipping_hopeless_candidates_changes_no_answer() -> None:
    """The essential-word shortcut against the same matcher diffing every candidate."""
    index = Matcher.get().index
    texts = _variants(seed=11, count=70)
    diffs = {"skip": 0, "all": 0}

    def run(matcher: Matcher, label: str) -> list[list[dict[str, Any]]]:
        align = matcher._align

        def counted(k: int, tokens: Tokens, w0: int, w1: int) -> _Region | None:
            diffs[label] += 1
            return align(k, tokens, w0, w1)

        matcher._align = counted  # type: ignore[method-assign]
        out = []
        for text in texts:
            primary, matches = matcher.analyse(text)
            out.append([dataclasses.asdict(m) for m in (primary, *matches)])
        return out

    shortcut = run(Matcher(index), "skip")
    plain = Matcher(index)
    plain._essential = lambda k: frozenset()  # type: ignore[method-assign]
    assert shortcut == run(plain, "all")
    assert diffs["skip"] < diffs["all"]  # the shortcut was taken


def _allowed_edits(text: str) -> list[str]:
    """Edits an unmodified copy may have: the title dropped, the licence calling itself an
    agreement, other dates and numbers, another copyright line, placeholders filled in."""
    lines = text.split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), 0)
    return [
        "\n".join(lines[first + 1 :]),
        text.replace("License", "Agreement").replace("license", "agreement"),
        text.replace("2023", "2019").replace("2024", "2020").replace("1.", "7."),
        "Copyright (c) 2031 Somebody Else\n\n" + text,
        text.replace("[yyyy]", "2021").replace("[name of copyright owner]", "Acme Corp"),
    ]


def test_an_unmodified_alignment_holds_every_essential_word() -> None:
    """What the shortcut rests on: a text whose diff is unmodified contains every essential
    word of the canonical text, whatever the allowed edits left out."""
    matcher = Matcher(Matcher.get().index)
    unmodified = exempted = 0
    for k, entry in enumerate(matcher.index.entries):
        for edited in _allowed_edits((TEXTS_DIR / entry.file).read_text(encoding="utf-8")):
            tokens = Tokens(edited)
            region = matcher._align(k, tokens, 0, len(tokens))
            if region is None or region.modified:
                continue
            unmodified += 1
            present = set(tokens.words)
            exempted += not set(entry.words) <= present  # an allowed edit dropped a word
            assert PLACEHOLDER in present or matcher._essential(k) <= present, (entry, edited)
    assert unmodified > 400 and exempted > 100, (unmodified, exempted)
