"""Licence text -> licence id, version, kind, modified or not, with the changed passages.

Stages, cheapest first (the index of the canonical texts is precomputed: `index.py`):

1. Exact: a digest of the raw text (line ends and trailing blanks ignored), then a digest
   of its normalised words without copyright lines, looked up among the canonical texts.
   A verbatim, reformatted or re-copyrighted copy of a known text costs one normalisation
   and a dictionary lookup.
2. Candidates: the input's sampled token 3-gram shingles looked up in an inverted index of
   the texts' samples; a text whose share found is at least `MIN_CONTAINMENT` is a
   candidate. All shingles of each candidate's window of the input then rank them by how
   many they share (an estimate of the tokens a diff will match); a few go on. Once one
   of them aligns unmodified, only another unmodified match can win: a candidate is then
   diffed only if the input holds every word an unmodified copy of it must contain.
3. Diff: a patience diff of the normalised token sequences (unique words anchor it; small
   gaps get difflib's longest-common-run algorithm). The best-scoring run of matching
   blocks (Kadane, `GAP_COST` per skipped input token) is the licence's region in the
   input; each gap inside it is a hunk.
   A hunk is *not* substantive when it is made only of list numbering, a date, a
   copyright statement, a filled-in placeholder, the licence naming itself ("this
   Agreement" for "this License") or a dropped title. Any other hunk is a `Change` (added /
   removed / changed, at its line in the input) and the text is `modified`. So is a
   paragraph right before or after the region that reads like a term of the licence
   (`_NORMATIVE` words): an appended clause, unlike boilerplate around a licence.

Confidence = (share of the canonical text matched) x (share of the region's tokens matched):
the fraction of the licence found, penalised by unmatched input. Below `THRESHOLD` (0.5) no
candidate is retained and the answer is `unknown`: never a guess. Among the aligned
candidates an unmodified match wins, then the most tokens explained net of what is left
unexplained, then the most tokens matched exactly (Llama 3.2 and 3.3 differ in little more
than numbers and dates: the exact tokens decide), then confidence.

`find_all()` repeats stages 2-3 on what is left of the input, so a file holding a licence
and its AUP, or a README with a licence section, yields one match per document, with its
lines. `identify()` picks the match that governs the whole text: the most restrictive (an
AUP counts as use-restricted), a licence before an AUP of the same rank, then the largest.
A permissive answer is withdrawn (`unknown`) when the text outside the matches bears the
title of a restrictive licence or overlaps one at least as well as any permissive text: a
truncated Llama text with an MIT paragraph appended is never `mit`. A file of several
licences under per-component headings, or titled NOTICE, is a notice; unmatched texts
titled as a use policy are `aup`, short attribution files `notice`, the rest `unknown`.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from licensecheck.identify import index as index_mod
from licensecheck.identify.normalize import (
    PLACEHOLDER,
    Tokens,
    is_date_part,
    is_minor,
    is_month,
    words,
)
from licensecheck.identify.types import UNKNOWN, Change, TextMatch
from licensecheck.knowledge.model import RESTRICTIVENESS

if TYPE_CHECKING:
    from licensecheck.identify.index import Entry, Index
    from licensecheck.knowledge.store import KnowledgeBase

THRESHOLD = 0.5  # confidence below this is `unknown`
MIN_CONTAINMENT = 0.25  # share of a text's sampled shingles the input must hold to be a candidate
MAX_CANDIDATES = 8  # from the sampled-shingle stage
SHORTLIST = 4  # of those, how many get a diff
SHORTLIST_SHARE = 0.6  # ... sharing at least this share of the best one's shingle count
MIN_REGION = 24  # tokens: a stretch shorter than this is not searched for another licence
GAP_COST = 0.5  # per unmatched input token, when choosing the region of matching blocks
MAX_REGIONS = 16
FILLED_PLACEHOLDER = 12  # a placeholder may be filled with up to this many tokens
MAX_CHANGES = 50
TAINT_LEADERS = 6  # texts whose overlap with the leftover is recounted on all shingles
# An added clause sharing fewer of its shingles than this with a restrictive text is a clause
# of its own (stray phrases: "commercial use", "written permission"); more is that text.
CLAUSE_OVERLAP = 0.5

PERMISSIVE = frozenset({"permissive", "public-domain"})

# Words that make a passage read as a term of the licence rather than surrounding prose.
_NORMATIVE = frozenset(
    [
        "shall",
        "must",
        "prohibited",
        "prohibit",
        "forbidden",
        "notwithstanding",
        "obligated",
        "obligation",
        "obligations",
        "undertake",
        "agrees",
        "restriction",
        "restrictions",
        "restricted",
        "prohibits",
        "forbids",
        "solely",
        "noncommercial",
        "requires",
        "consent",
        "exclusively",
    ]
)
# Word pairs that make a passage a term too ("is not permitted", "for research only").
_NORMATIVE_PAIRS = frozenset(
    [
        ("may", "not"),
        ("not", "permitted"),
        ("not", "allowed"),
        ("may", "only"),
        ("only", "be"),
        ("research", "only"),
        ("non", "commercial"),
    ]
)
MIN_CLAUSE = 4  # tokens: a shorter paragraph next to a licence is not read as a term
_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s|[=\-*_]{3,}\s*$)")


class _Hunk:
    """A gap between matching blocks: canonical a[i0:i1] against input b[j0:j1]."""

    __slots__ = ("i0", "i1", "j0", "j1", "substantive")

    def __init__(self, i0: int, i1: int, j0: int, j1: int, substantive: bool) -> None:
        self.i0, self.i1, self.j0, self.j1 = i0, i1, j0, j1
        self.substantive = substantive


class _Region:
    """One candidate's alignment with a stretch of the input (plain classes: no import-time
    dataclass cost on the CLI's start-up path)."""

    __slots__ = ("confidence", "entry_idx", "equal", "hunks", "j0", "j1", "score")

    def __init__(
        self,
        entry_idx: int,
        j0: int,
        j1: int,
        equal: int,
        hunks: list[_Hunk],
        confidence: float,
        score: float,
    ) -> None:
        self.entry_idx = entry_idx
        self.j0, self.j1 = j0, j1  # the region in the input's tokens
        self.equal = equal  # tokens in matching blocks
        self.hunks = hunks
        self.confidence = confidence
        self.score = score

    @property
    def modified(self) -> bool:
        return any(h.substantive for h in self.hunks)


# --- public API ----------------------------------------------------------------------------


def identify(text: str, kb: KnowledgeBase | None = None) -> TextMatch:
    """The best identification of a whole text (see the module docstring)."""
    return Matcher.get(kb).identify(text)


def find_all(text: str, kb: KnowledgeBase | None = None) -> list[TextMatch]:
    """Every licence, AUP or notice found in `text`, in the order they appear."""
    return Matcher.get(kb).find_all(text)


class Matcher:
    """A matcher over one index. `Matcher.get(kb)` shares one per knowledge base."""

    _shared: ClassVar[dict[str, Matcher]] = {}  # index digest -> matcher
    _by_kb: ClassVar[dict[str, Matcher]] = {}  # knowledge-base digest -> matcher

    def __init__(self, index: Index) -> None:
        self.index = index
        self._full_shingles: dict[int, frozenset[int]] = {}
        self._canon_tokens: dict[int, Tokens | None] = {}
        self._by_version: dict[tuple[str, str | None], Entry] | None = None
        self._name_words: dict[int, frozenset[str]] = {}
        self._essential_words: dict[int, frozenset[str]] = {}
        self._loose_words: dict[str, bool] = {}  # word -> numbering or a date part
        self._titles: dict[tuple[int, ...], int] | None = None

    @classmethod
    def get(cls, kb: KnowledgeBase | None = None) -> Matcher:
        """The matcher for `kb` (default: the bundled knowledge base), one per process.
        The texts and the index cannot change under a running process, so the digest is
        computed once per knowledge base."""
        key = kb.digest if kb is not None else ""
        m = cls._by_kb.get(key)
        if m is None:
            index = index_mod.load(kb)
            m = cls._shared.get(index.digest)
            if m is None:
                m = cls._shared[index.digest] = cls(index)
            cls._by_kb[key] = m
        return m

    # -- whole text -------------------------------------------------------------------------

    def identify(self, text: str) -> TextMatch:
        return self.analyse(text)[0]

    def analyse(self, text: str) -> tuple[TextMatch, list[TextMatch]]:
        """The whole text's identification and every match found in it (`find_all`)."""
        matches, tokens, spans = self._find(text)
        return self._primary(text, matches, tokens, spans), matches

    def _primary(
        self,
        text: str,
        matches: list[TextMatch],
        tokens: Tokens | None,
        spans: list[tuple[int, int]],
    ) -> TextMatch:
        n_lines = _line_count(text)
        if not matches:
            return _classify_unmatched(text, tokens, n_lines)
        if _is_notice_bundle(text, matches):
            return TextMatch(
                id=UNKNOWN,
                kind="notice",
                name="third-party notices",
                confidence=round(min(m.confidence for m in matches), 3),
                start_line=1,
                end_line=n_lines,
            )
        # The governing match: the most restrictive (an AUP counts as use-restricted, so a
        # permissive licence never outranks a use policy in the same file), a licence before
        # an AUP of the same rank, then the larger region.
        best = max(
            range(len(matches)),
            key=lambda n: (
                self._rank(matches[n]),
                matches[n].kind == "license",
                spans[n][1] - spans[n][0],
                -n,
            ),
        )
        primary = matches[best]
        if self._category(primary) in PERMISSIVE and tokens is not None:
            tainted = self._taint(tokens, spans, primary, spans[best])
            if tainted is not None:
                return tainted
        return primary

    def find_all(self, text: str) -> list[TextMatch]:
        return self._find(text)[0]

    # -- stages -----------------------------------------------------------------------------

    def _find(self, text: str) -> tuple[list[TextMatch], Tokens | None, list[tuple[int, int]]]:
        """Matches in text order, the tokens (None on the exact path), each match's tokens."""
        ix = self.index
        idx = ix.exact_raw.get(index_mod.raw_key(text))
        if idx is None:
            fast = words(text)
            if not fast:
                return [], None, []
            idx = ix.exact_words.get(index_mod.words_key(fast))
        if idx is not None:
            first, last = _content_lines(text)
            last = last or _line_count(text)
            return [self._exact_match(idx, first or 1, last)], None, [(0, 1)]
        tokens = Tokens(text)
        tokens.rejoin(ix.vocab)
        keys = _position_keys(self._word_ids(tokens.words), max(len(ix.vocab), 1))
        regions: list[_Region] = []
        stretches = [(0, len(tokens))]
        while stretches and len(regions) < MAX_REGIONS:
            lo, hi = stretches.pop()
            if hi - lo < MIN_REGION:
                continue
            region = self._best_region(tokens, keys, lo, hi)
            if region is None:
                continue
            regions.append(region)
            stretches.append((lo, region.j0))
            stretches.append((region.j1, hi))
        regions.sort(key=lambda r: r.j0)
        bounds = [0] + [x for r in regions for x in (r.j0, r.j1)] + [len(tokens)]
        matches = []
        for k, region in enumerate(regions):
            before = (bounds[2 * k], region.j0)
            after = (region.j1, bounds[2 * k + 3])
            matches.append(self._to_match(region, tokens, before, after))
        return matches, tokens, [(r.j0, r.j1) for r in regions]

    def _word_ids(self, ws: list[str]) -> list[int]:
        """Each word's id in the index's vocabulary, -1 for a word no text has."""
        return list(map(self.index.vocab.get, ws, itertools.repeat(-1)))

    def _candidates(self, keys: list[int], lo: int, hi: int) -> list[tuple[float, int]]:
        """Texts whose sampled shingles the stretch holds a fair share of (an inverted index:
        one dictionary lookup per sampled shingle of the input)."""
        sample = {k for k in keys[lo : max(lo, hi - 2)] if k >= 0 and k % index_mod.SAMPLE == 0}
        if not sample:
            return []
        entries = self.index.entries
        scored = []
        for k, h in self.index.sample_hits(sample).items():
            n = entries[k].n_sampled
            if h / n >= MIN_CONTAINMENT:
                scored.append((h / n, k))
        scored.sort(key=lambda x: (-x[0], x[1]))
        if not scored:
            return []
        top = scored[0][0]
        return [s for s in scored[:MAX_CANDIDATES] if s[0] >= top * 0.6]

    def _best_region(self, tokens: Tokens, keys: list[int], lo: int, hi: int) -> _Region | None:
        best: _Region | None = None
        best_key: tuple[bool, int, int, float, int] | None = None
        window_words: dict[tuple[int, int], set[str]] = {}
        for k, w0, w1 in self._shortlist(self._candidates(keys, lo, hi), keys, lo, hi):
            if best is not None and not best.modified:
                # Only another unmodified match can beat an unmodified one: no diff for a
                # text the window lacks a word of that no unmodified copy may leave out.
                present = window_words.get((w0, w1))
                if present is None:
                    present = window_words[(w0, w1)] = set(tokens.words[w0:w1])
                if PLACEHOLDER not in present and not self._essential(k) <= present:
                    continue
            region = self._align(k, tokens, w0, w1)
            if region is None or region.confidence < THRESHOLD:
                continue
            # An unmodified match first (a licence and its AUP in one file are two
            # unmodified matches, not one modified larger text); then the most tokens
            # explained net of what is left unexplained; then the most matched exactly
            # (versions whose differences are numbers and dates); then confidence.
            key = (not region.modified, round(region.score), region.equal, region.confidence, -k)
            if best_key is None or key > best_key:
                best, best_key = region, key
            if region.equal == self.index.entries[k].n_words == region.j1 - region.j0:
                break  # every token of the text matched, none extra: nothing can do better
        return best

    def _shortlist(
        self, candidates: list[tuple[float, int]], keys: list[int], lo: int, hi: int
    ) -> list[tuple[int, int, int]]:
        """The candidates worth a diff, by the number of 3-gram shingles each shares with its
        window of the input: an estimate of the tokens the diff will match, which is what
        ranks the alignments (a short text contained in a longer one shares fewer). Those
        with at least `SHORTLIST_SHARE` of the best count go on, at most `SHORTLIST`."""
        if len(candidates) <= 1:
            return [(k, *self._window(k, keys, lo, hi)) for _, k in candidates]
        window_keys: dict[tuple[int, int], set[int]] = {}
        scored = []
        for _, k in candidates:
            w0, w1 = self._window(k, keys, lo, hi)
            present = window_keys.get((w0, w1))
            if present is None:
                present = window_keys[(w0, w1)] = set(keys[w0 : max(w0, w1 - 2)])
                present.discard(-1)
            full = self._shingles_of(k)
            hits = len(present & full)
            scored.append((hits, hits / max(len(full), 1), -k, w0, w1))
        scored.sort(reverse=True)
        top = scored[0][0]
        return [
            (-nk, w0, w1)
            for hits, _, nk, w0, w1 in scored[:SHORTLIST]
            if hits >= top * SHORTLIST_SHARE
        ]

    def _window(self, k: int, keys: list[int], lo: int, hi: int) -> tuple[int, int]:
        """The part of a long stretch where the candidate's shingles cluster."""
        n = self.index.entries[k].n_words
        if hi - lo <= n + n // 4 + 200:
            return lo, hi
        full = self._shingles_of(k)
        stretch = keys[lo : max(lo, hi - 2)]
        positions = list(
            itertools.compress(range(lo, lo + len(stretch)), map(full.__contains__, stretch))
        )
        if not positions:
            return lo, hi
        gap = max(60, n // 2)
        clusters: list[list[int]] = [[positions[0]]]
        for p in positions[1:]:
            if p - clusters[-1][-1] > gap:
                clusters.append([p])
            else:
                clusters[-1].append(p)
        cluster = max(clusters, key=len)
        margin = max(40, n // 4)
        start, end = cluster[0] - margin, cluster[-1] + 3 + margin
        if end - start > 2 * n + 2 * margin:
            # Longer than one copy: two copies back to back. Take the first; the next
            # stretch of the search finds the other.
            end = cluster[0] + n + n // 4 + margin
        return max(lo, start), min(hi, end)

    def _shingles_of(self, k: int) -> frozenset[int]:
        cached = self._full_shingles.get(k)
        if cached is None:
            cached = self._full_shingles[k] = self.index.shingles_of(k)
        return cached

    def _align(self, k: int, tokens: Tokens, w0: int, w1: int) -> _Region | None:
        entry = self.index.entries[k]
        canon = entry.words
        blocks = [(i, w0 + j, s) for i, j, s in matching_blocks(canon, tokens.words[w0:w1])]
        if not blocks:
            return None
        a, b = _densest(blocks)
        blocks = blocks[a : b + 1]
        j0 = blocks[0][1]
        j1 = blocks[-1][1] + blocks[-1][2]
        hunks: list[_Hunk] = []
        prev_i, prev_j = 0, j0
        for i, j, s in blocks:
            if i > prev_i or j > prev_j:
                hunks.append(self._hunk(entry, tokens, prev_i, i, prev_j, j))
            prev_i, prev_j = i + s, j + s
        if prev_i < len(canon):
            hunks.append(self._hunk(entry, tokens, prev_i, len(canon), j1, j1))
        equal = sum(s for _, _, s in blocks)
        loose_c = sum(h.i1 - h.i0 for h in hunks if not h.substantive)
        loose_i = sum(h.j1 - h.j0 for h in hunks if not h.substantive)
        matched_c = equal + loose_c
        matched_i = equal + loose_i
        coverage = matched_c / max(len(canon), 1)
        precision = matched_i / max(j1 - j0, 1)
        return _Region(
            entry_idx=k,
            j0=j0,
            j1=j1,
            equal=equal,
            hunks=hunks,
            confidence=round(coverage * precision, 3),
            # Tokens explained, less half of what is left unexplained on either side.
            score=matched_i - 0.5 * (len(canon) - matched_c) - 0.5 * (j1 - j0 - matched_i),
        )

    def _hunk(self, entry: Entry, tokens: Tokens, i0: int, i1: int, j0: int, j1: int) -> _Hunk:
        # Tokens of a copyright statement on either side are never a modification (a hunk
        # of nothing else is left empty on both sides: not substantive).
        canon = entry.words[i0:i1]
        if entry.copyright:
            canon = tuple(w for i, w in enumerate(canon, i0) if i not in entry.copyright)
        given = tokens.words[j0:j1]
        if tokens.copyright:
            given = [w for j, w in enumerate(given, j0) if j not in tokens.copyright]
        if _broken_across_lines(tokens, j0, j1) and (
            "".join(canon) == "".join(given) or (not canon and "".join(given) in _URL_PREFIXES)
        ):
            # A word (or a URL's "www") split at a line break by a reflow, hyphenated or not.
            return _Hunk(i0, i1, j0, j1, False)
        substantive = _substantive(canon, given, i0, entry.title_len, self._names(entry))
        return _Hunk(i0, i1, j0, j1, substantive)

    def _essential(self, k: int) -> frozenset[str]:
        """Words of text k that an unmodified copy must contain: those no hunk may leave
        out without being substantive (`_substantive`). Not a copyright token, not in the
        title block (however far copyright tokens stretch it), not the licence's name or a
        self-reference, not numbering, a date part or a placeholder. A word of these missing
        from the input puts a canonical token in a substantive hunk, whatever the alignment
        (the only exception, a placeholder left in the copy, is checked by the caller)."""
        cached = self._essential_words.get(k)
        if cached is None:
            entry = self.index.entries[k]
            start = entry.title_len + len(entry.copyright)
            if entry.copyright and max(entry.copyright) >= start:
                found = {
                    w for i, w in enumerate(entry.words[start:], start) if i not in entry.copyright
                }
            else:
                found = set(entry.words[start:])
            found -= _SELF_REFERENCE
            found -= self._names(entry)
            # Each distinct word tested once (the texts share most of their words).
            loose = self._loose_words
            for w in found:
                if w not in loose:
                    loose[w] = is_minor(w) or is_date_part(w)
            cached = self._essential_words[k] = frozenset(w for w in found if not loose[w])
        return cached

    def _names(self, entry: Entry) -> frozenset[str]:
        """The words of a licence's own name and title (how it refers to itself)."""
        key = id(entry)
        cached = self._name_words.get(key)
        if cached is None:
            title = entry.words[: entry.title_len]
            cached = frozenset(words(entry.name)) | frozenset(title)
            cached = frozenset(w for w in cached if not w.isdigit())
            self._name_words[key] = cached
        return cached

    # -- results ----------------------------------------------------------------------------

    def _exact_match(self, idx: int, first: int, last: int) -> TextMatch:
        e = self.index.entries[idx]
        return TextMatch(
            id=e.id,
            kind=e.kind,
            name=e.name,
            version=e.version,
            confidence=1.0,
            modified=False,
            start_line=first,
            end_line=last,
        )

    def _to_match(
        self,
        region: _Region,
        tokens: Tokens,
        before: tuple[int, int],
        after: tuple[int, int],
    ) -> TextMatch:
        entry = self.index.entries[region.entry_idx]
        changes = [self._change(region.entry_idx, tokens, h) for h in region.hunks if h.substantive]
        # Prose right next to the licence that reads like a term of it is an added clause.
        for lo, hi, side in ((before[0], before[1], "before"), (after[0], after[1], "after")):
            clause = _adjacent_clause(tokens, lo, hi, side)
            if clause is not None:
                a, b = clause
                changes.append(Change(type="added", text=tokens.passage(a, b), line=tokens.line(a)))
        changes.sort(key=lambda c: c.line or 0)
        return TextMatch(
            id=entry.id,
            kind=entry.kind,
            name=entry.name,
            version=entry.version,
            confidence=region.confidence,
            modified=bool(changes),
            changes=tuple(changes[:MAX_CHANGES]),
            start_line=tokens.line(region.j0),
            end_line=tokens.line(region.j1 - 1),
        )

    def _canon(self, k: int) -> Tokens | None:
        """The canonical text's tokens, for its wording; None if the file is gone or no
        longer has the indexed words (changed under a running process: words only then)."""
        if k not in self._canon_tokens:
            entry = self.index.entries[k]
            try:
                t: Tokens | None = Tokens(self.index.text_of(entry))
            except (OSError, UnicodeDecodeError):
                t = None
            if t is not None and tuple(t.words) != entry.words:
                t = None
            self._canon_tokens[k] = t
        return self._canon_tokens[k]

    def _change(self, k: int, tokens: Tokens, h: _Hunk) -> Change:
        entry = self.index.entries[k]
        canon = self._canon(k)
        original = (
            " ".join(entry.words[h.i0 : h.i1]) if canon is None else canon.passage(h.i0, h.i1)
        )
        if h.j1 == h.j0:
            at = h.j0 if h.j0 < len(tokens) else max(h.j0 - 1, 0)
            return Change(type="removed", text=original, line=tokens.line(at))
        text = tokens.passage(h.j0, h.j1)
        if h.i1 == h.i0:
            return Change(type="added", text=text, line=tokens.line(h.j0))
        return Change(type="changed", text=text, line=tokens.line(h.j0), original=original)

    # -- ranking and safety -----------------------------------------------------------------

    def _entry_of(self, m: TextMatch) -> Entry | None:
        if self._by_version is None:
            by_version: dict[tuple[str, str | None], Entry] = {}
            for e in self.index.entries:
                by_version.setdefault((e.id, e.version), e)  # the first, as a scan would
            self._by_version = by_version
        return self._by_version.get((m.id, m.version))

    def _category(self, m: TextMatch) -> str:
        e = self._entry_of(m)
        return e.category if e is not None else "unknown"

    def _rank(self, m: TextMatch) -> int:
        if m.kind == "aup":
            return RESTRICTIVENESS["use-restricted"]
        if m.kind != "license":
            return -1
        return RESTRICTIVENESS.get(self._category(m), 8)

    def _restrictive(self) -> frozenset[int]:
        """Indexes of the texts a permissive answer must never hide."""
        return frozenset(
            k
            for k, e in enumerate(self.index.entries)
            if e.kind == "aup" or (e.kind == "license" and e.category not in PERMISSIVE)
        )

    def _taint(
        self,
        tokens: Tokens,
        spans: list[tuple[int, int]],
        primary: TextMatch,
        region: tuple[int, int],
    ) -> TextMatch | None:
        """`unknown` when the text outside every match overlaps a restrictive licence. A
        clause added right before or after the permissive licence (quoted in its `changes`:
        the answer is already `modified`) that shares only stray phrases with a restrictive
        text stays an added clause; a passage of that text (most of its shingles) does not."""
        ids = self._word_ids(tokens.words)
        outside = _outside(ids, sorted(spans))
        titled = self._restrictive_title_in(outside)
        if titled is not None:
            return self._withdrawn(tokens, primary, titled, "is titled")
        if len(outside) < 12:
            return None
        base = max(len(self.index.vocab), 1)
        keys = index_mod.sampled(index_mod.shingle_keys(outside, base))
        if not keys:
            return None
        # Which known texts explain the rest? A restrictive one that explains it at least as
        # well as any permissive one withdraws the answer (ties fail closed).
        restrictive = self._restrictive()
        sampled_hits: list[tuple[int, int]] = []  # (hits, k)
        best_r = best_p = 0
        best_k = -1
        sample_hits = self.index.sample_hits(keys)
        for k, entry in enumerate(self.index.entries):
            hits = sample_hits.get(k, 0)
            if k in restrictive:
                if hits > best_r:
                    best_r, best_k = hits, k
            elif entry.kind == "license":
                best_p = max(best_p, hits)
            if hits and (k in restrictive or entry.kind == "license"):
                sampled_hits.append((hits, k))
        if best_k < 0 or best_r < best_p:
            return None
        if best_r < 3 or best_r < 0.2 * len(keys):
            return None
        # The sample of a short leftover is a few dozen shingles: texts that share a passage
        # (the Apache notice in Apache-2.0 and in an Apache-based model licence) tie by chance
        # of which shingles it keeps. All the leftover's shingles decide among the leaders.
        full = set(index_mod.shingle_keys(outside, base))
        leaders = sorted(sampled_hits, reverse=True)[:TAINT_LEADERS]
        full_r = full_p = 0
        for _, k in leaders:
            hits = len(full & self._shingles_of(k))
            if k in restrictive:
                if hits > full_r:
                    full_r, best_k = hits, k
            else:
                full_p = max(full_p, hits)
        if full_r < full_p or full_r < 3 or full_r < 0.2 * len(full):
            return None
        if full_r < CLAUSE_OVERLAP * len(full) and self._only_added_clauses(
            tokens, spans, primary, region
        ):
            return None
        return self._withdrawn(tokens, primary, best_k, "overlaps")

    def _only_added_clauses(
        self,
        tokens: Tokens,
        spans: list[tuple[int, int]],
        primary: TextMatch,
        region: tuple[int, int],
    ) -> bool:
        """Whether everything outside the matches is the clause(s) quoted as added next to
        the primary licence (so the answer already says `modified`)."""
        if not primary.modified:
            return False
        covered = sorted(spans)
        before_lo = max((b for _, b in covered if b <= region[0]), default=0)
        after_hi = min((a for a, _ in covered if a >= region[1]), default=len(tokens))
        for lo, hi, side in ((before_lo, region[0], "before"), (region[1], after_hi, "after")):
            clause = _adjacent_clause(tokens, lo, hi, side)
            if clause is not None:
                covered.append(clause)
        rest = _outside(list(range(len(tokens))), sorted(covered))
        return not [i for i in rest if i >= 0]

    def _withdrawn(self, tokens: Tokens, primary: TextMatch, k: int, how: str) -> TextMatch:
        other = self.index.entries[k]
        return TextMatch(
            id=UNKNOWN,
            kind=UNKNOWN,
            confidence=0.0,
            start_line=1,
            end_line=_line_count(tokens.text),
            changes=(
                Change(
                    type="added",
                    text=(
                        f"the text outside the {primary.id} licence {how} {other.id} "
                        f"({other.name}); not identified"
                    ),
                ),
            ),
        )

    def _restrictive_title_in(self, ids: list[int]) -> int | None:
        """The restrictive text whose title line (three words or more) occurs in `ids`."""
        if self._titles is None:
            titles: dict[tuple[int, ...], int] = {}
            for k in sorted(self._restrictive()):
                e = self.index.entries[k]
                title = _name_words(list(e.heading))
                if len(title) >= 3:
                    titles.setdefault(tuple(self.index.vocab[w] for w in title), k)
            self._titles = titles
        firsts: dict[int, list[tuple[int, ...]]] = {}
        for t in self._titles:
            firsts.setdefault(t[0], []).append(t)
        for p, v in enumerate(ids):
            for t in firsts.get(v, ()):
                if tuple(ids[p : p + len(t)]) == t:
                    return self._titles[t]
        return None


# --- helpers -------------------------------------------------------------------------------


def _outside(ids: list[int], covered: list[tuple[int, int]]) -> list[int]:
    """The word ids outside the sorted spans, -1 where a span was (no shingle across it)."""
    outside: list[int] = []
    last = 0
    for a, b in covered:
        outside.extend(ids[last:a])
        outside.append(-1)
        last = max(last, b)
    outside.extend(ids[last:])
    return outside


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """Matching blocks (i, j, size) of two token sequences, in order: a patience diff.

    Words that occur exactly once in both sides anchor the alignment (their longest
    increasing run, as in `git diff --patience`); the gaps between anchors are aligned the
    same way, recursively, and only small gaps without anchors get difflib's algorithm
    (`_difflib_blocks`). Near-identical texts, the usual case, cost a few dictionary passes
    instead of difflib's quadratic work.
    """
    blocks: list[tuple[int, int, int]] = []
    _patience(a, b, 0, len(a), 0, len(b), blocks, 0)
    blocks.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, n in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            pi, pj, pn = merged[-1]
            merged[-1] = (pi, pj, pn + n)
        elif n:
            merged.append((i, j, n))
    return merged


def _unique_positions(seq: Sequence[str], lo: int, hi: int, k: int) -> dict[object, int]:
    """Position of every k-gram that occurs once in seq[lo:hi] (Counter and dict
    comprehensions run in C: much faster than a loop here)."""
    if k == 3:
        grams: list[object] = list(
            zip(seq[lo:hi], seq[lo + 1 : hi], seq[lo + 2 : hi], strict=False)
        )
    else:
        grams = list(seq[lo:hi])
    counts = Counter(grams)
    # Each gram's last position (its only one, for those counted once), built in C; then a
    # pass over the distinct grams only.
    last = dict(zip(grams, range(lo, lo + len(grams)), strict=True))
    return {g: last[g] for g, n in counts.items() if n == 1}


def _lis(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest run of pairs increasing in both coordinates (pairs sorted by the first)."""
    js = [j for _, j in pairs]
    if js == sorted(js):
        return pairs  # the usual case for two copies of one text: already in order
    tails: list[int] = []  # j of the last pair of the best run of each length
    tail_idx: list[int] = []
    prev = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(n)
        else:
            tails[pos] = j
            tail_idx[pos] = n
        prev[n] = tail_idx[pos - 1] if pos else -1
    out = []
    n = tail_idx[-1] if tail_idx else -1
    while n >= 0:
        out.append(pairs[n])
        n = prev[n]
    out.reverse()
    return out


_DIFFLIB_LIMIT = 40_000  # cells: gaps smaller than this without anchors go to difflib's algorithm


def _patience(
    a: Sequence[str],
    b: Sequence[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    out: list[tuple[int, int, int]],
    depth: int,
) -> None:
    i, j = alo, blo
    while i < ahi and j < bhi and a[i] == b[j]:
        i += 1
        j += 1
    if i > alo:
        out.append((alo, blo, i - alo))
    alo, blo = i, j
    i, j = ahi, bhi
    while i > alo and j > blo and a[i - 1] == b[j - 1]:
        i -= 1
        j -= 1
    if i < ahi:
        out.append((i, j, ahi - i))
    ahi, bhi = i, j
    if alo >= ahi or blo >= bhi:
        return
    if (ahi - alo) * (bhi - blo) <= 900:
        # A small gap: no common word means no match inside; else difflib's algorithm.
        if not set(a[alo:ahi]).isdisjoint(b[blo:bhi]):
            _difflib_blocks(a, b, alo, ahi, blo, bhi, out)
        return
    k = 1  # unique words: few enough to anchor cheaply; gaps recurse with their own
    ua = _unique_positions(a, alo, ahi, k)
    ub = _unique_positions(b, blo, bhi, k)
    pairs = sorted((p, ub[g]) for g, p in ua.items() if g in ub)
    if pairs and depth < 40:
        pa, pb = alo, blo
        for i, j in _lis(pairs):
            if i < pa or j < pb:
                continue  # inside the block the previous anchor grew into
            _patience(a, b, pa, i, pb, j, out, depth + 1)
            n = 0
            while i + n < ahi and j + n < bhi and a[i + n] == b[j + n]:
                n += 1
            out.append((i, j, n))
            pa, pb = i + n, j + n
        _patience(a, b, pa, ahi, pb, bhi, out, depth + 1)
    elif (ahi - alo) * (bhi - blo) <= _DIFFLIB_LIMIT:
        _difflib_blocks(a, b, alo, ahi, blo, bhi, out)


def _difflib_blocks(
    a: Sequence[str],
    b: Sequence[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    out: list[tuple[int, int, int]],
) -> None:
    """The matching blocks `difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi],
    autojunk=False)` finds, at their offsets in a and b: the longest common run (on a tie
    the first in a, then in b), then the same on either side of it. Its algorithm without
    its junk handling (there is none without isjunk and autojunk), so that the gaps cost
    neither difflib's import nor a SequenceMatcher each."""
    b2j: dict[str, list[int]] = {}
    for j in range(blo, bhi):
        b2j.setdefault(b[j], []).append(j)
    nothing: list[int] = []
    todo = [(alo, ahi, blo, bhi)]
    while todo:
        alo, ahi, blo, bhi = todo.pop()
        besti, bestj, best = alo, blo, 0
        j2len: dict[int, int] = {}  # length of the common run ending at (i - 1, j)
        for i in range(alo, ahi):
            j2len_get = j2len.get
            new_j2len: dict[int, int] = {}
            for j in b2j.get(a[i], nothing):
                if j < blo:
                    continue
                if j >= bhi:
                    break
                k = new_j2len[j] = j2len_get(j - 1, 0) + 1
                if k > best:
                    besti, bestj, best = i - k + 1, j - k + 1, k
            j2len = new_j2len
        if best:
            out.append((besti, bestj, best))
            if alo < besti and blo < bestj:
                todo.append((alo, besti, blo, bestj))
            if besti + best < ahi and bestj + best < bhi:
                todo.append((besti + best, ahi, bestj + best, bhi))


def _position_keys(ids: list[int], base: int) -> list[int]:
    """The shingle key starting at each position (-1 where a word is unknown), so that every
    stage looks keys up instead of recomputing them."""
    keys = [
        (a * base + b) * base + c if a >= 0 and b >= 0 and c >= 0 else -1
        for a, b, c in zip(ids, ids[1:], ids[2:], strict=False)
    ]
    keys.extend((-1, -1)[: len(ids) - len(keys)])
    return keys


def _name_words(heading: list[str]) -> list[str]:
    """The name in a title line: up to its date or version ("... License dated May 19, 2022"
    -> "... License"), at most eight words."""
    out: list[str] = []
    for w in heading:
        if out and (_TITLE_END.get(w) or (w.isdigit() and len(w) == 4) or is_month(w)):
            break
        out.append(w)
    return out[:8]


_TITLE_END = dict.fromkeys(("version", "dated", "effective", "last", "release", "date"), True)


def _densest(blocks: list[tuple[int, int, int]]) -> tuple[int, int]:
    """The run of matching blocks with the best (matched - GAP_COST * skipped input) score:
    Kadane's algorithm, so stray matches far from the licence do not stretch its region."""
    best = (0, 0)
    best_score = float("-inf")
    run_start = 0
    score = 0.0
    for k, (_, j, s) in enumerate(blocks):
        if k == 0:
            score = s
        else:
            gap = j - (blocks[k - 1][1] + blocks[k - 1][2])
            extended = score - GAP_COST * gap + s
            if extended >= s:
                score = extended
            else:
                score, run_start = s, k
        if score > best_score:
            best_score, best = score, (run_start, k)
    return best


# Words a copy may use to refer to the licence itself ("this Agreement" for "this License").
_SELF_REFERENCE = frozenset(
    ["license", "agreement", "terms", "conditions", "this", "the", "these", "a", "an", "of", "and"]
)


# What is left of a URL's scheme or `www.` when a line break splits it (normalisation blanks
# them only whole).
_URL_PREFIXES = frozenset({"www", "http", "https", "ftp", "httpwww", "httpswww"})


def _broken_across_lines(tokens: Tokens, j0: int, j1: int) -> bool:
    """Whether tokens j0..j1-1 (two or more) are separated only by line breaks, with or
    without a hyphen: the pieces of one word a reflow split."""
    if j1 - j0 < 2:
        return False
    for j in range(j0, j1 - 1):
        gap = tokens.text[tokens.span(j)[1] : tokens.span(j + 1)[0]]
        if "\n" not in gap or gap.strip(" \t\r\n-") or gap.count("-") > 1:
            return False
    return True


def _substantive(
    canon: tuple[str, ...], given: list[str], i0: int, title_len: int, names: frozenset[str]
) -> bool:
    """Whether a hunk changes what the licence says (see the module docstring)."""
    if not canon and not given:
        return False
    if all(t in _SELF_REFERENCE or t in names for t in (*canon, *given)):
        return False  # the licence calling itself by another name or by its title
    both = [*canon, *given]
    if all(is_minor(t) for t in both):
        return False  # list numbering
    if all(is_date_part(t) or is_minor(t) for t in both):
        return False  # a date
    if canon and all(t == PLACEHOLDER or is_minor(t) for t in canon):
        return len(given) > FILLED_PLACEHOLDER  # a filled-in placeholder
    if given and all(t == PLACEHOLDER for t in given) and len(canon) <= FILLED_PLACEHOLDER:
        return False  # the copy left a placeholder where the canonical text has a value
    return not (not given and i0 + len(canon) <= title_len)  # a dropped title is not a change


def _adjacent_clause(tokens: Tokens, lo: int, hi: int, side: str) -> tuple[int, int] | None:
    """The paragraph next to a licence region, if it reads like a licence term."""
    if hi - lo < MIN_CLAUSE:
        return None
    if side == "after":
        a, b = lo, min(hi, lo + 120)
        b = _stop_at_heading(tokens, a, b, forward=True)
    else:
        a, b = max(lo, hi - 120), hi
        a = _stop_at_heading(tokens, a, b, forward=False)
    if b - a < MIN_CLAUSE:
        return None
    found = {w for w in tokens.words[a:b] if w in _NORMATIVE}
    if not found and not _has_may_not(tokens.words[a:b]):
        return None
    return a, b


def _has_may_not(ws: list[str]) -> bool:
    return any(pair in _NORMATIVE_PAIRS for pair in itertools.pairwise(ws))


def _stop_at_heading(tokens: Tokens, a: int, b: int, forward: bool) -> int:
    """Trim [a, b) at the first markdown heading or rule (a new section is not the licence)."""
    text = tokens.text
    rng = range(a, b) if forward else range(b - 1, a - 1, -1)
    last_line = -1
    for i in rng:
        ln = tokens.line(i)
        if ln == last_line:
            continue
        last_line = ln
        if i != (a if forward else b - 1) and _HEADING.match(_line_at(text, tokens.span(i)[0])):
            return i if forward else i + 1
    return b if forward else a


def _line_at(text: str, pos: int) -> str:
    """The line of `text` that `Tokens.line` puts offset `pos` on (the one after the last
    newline at or before it), without splitting the whole text."""
    start = text.rfind("\n", 0, pos + 1) + 1
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def _line_count(text: str) -> int:
    n = text.count("\n")
    return n + (0 if text.endswith("\n") else 1)


def _content_lines(text: str) -> tuple[int, int]:
    """First and last line with any text on it (1-based; 0, 0 for a blank text)."""
    stripped = text.lstrip()
    if not stripped:
        return 0, 0
    start = len(text) - len(stripped)
    end = len(text.rstrip())
    return text.count("\n", 0, start) + 1, text.count("\n", 0, end) + 1


_NOTICE_TITLE = re.compile(
    r"^\W*(?:notices?|third[- ]party(?: software)? notices?|third[- ]party licen[cs]es?"
    r"|acknowledge?ments?)\b",
    re.IGNORECASE,
)
_NOTICE_HEADER = re.compile(
    r"licen[cs]es? (?:for|of) |third[- ]party|this (?:product|software|project) includes"
    r"|is (?:based on|derived from) ",
    re.IGNORECASE,
)
_AUP_TITLE = re.compile(
    r"acceptable use policy|prohibited use(?:s)? policy|use policy|usage policy"
    r"|acceptable use|prohibited uses",
    re.IGNORECASE,
)
_LICENSED_UNDER = re.compile(
    r"licen[cs]ed under|under the terms of|released under|subject to the .{0,40}licen[cs]e",
    re.IGNORECASE,
)


def _title(text: str) -> str:
    """The first line with any text on it, without its markup."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        line = text[start:end].strip(" \t#*=-_>|")
        if line:
            return line
        start = end + 1
    return ""


def _is_notice_bundle(text: str, matches: list[TextMatch]) -> bool:
    """Several permissive / open-source licences under per-component headers, or a file
    titled NOTICE: a notice file, not the licence of what ships it."""
    if len(matches) < 2:
        return bool(_NOTICE_TITLE.match(_title(text))) and all(
            m.kind == "license" and m.confidence < 1.0 for m in matches
        )
    lines = text.split("\n")
    headers = 0
    for m in matches:
        start = (m.start_line or 1) - 1
        context = "\n".join(lines[max(0, start - 3) : start + 1])
        if _NOTICE_HEADER.search(context):
            headers += 1
    return headers >= 2


def _classify_unmatched(text: str, tokens: Tokens | None, n_lines: int) -> TextMatch:
    """No known text found: still say whether it is a notice or a use policy."""
    title = _title(text)
    n_words = len(tokens) if tokens is not None else len(words(text))
    kind = UNKNOWN
    name = None
    if _NOTICE_TITLE.match(title):
        kind, name = "notice", "notice"
    elif _AUP_TITLE.search(title) or _AUP_TITLE.search(text[:400]):
        kind, name = "aup", "use policy"
    elif n_words <= 400 and _LICENSED_UNDER.search(text) and _mentions_copyright(text):
        # A short file that credits authors and points at a licence: an attribution notice.
        kind, name = "notice", "attribution notice"
    return TextMatch(
        id=UNKNOWN, kind=kind, name=name, confidence=0.0, start_line=1, end_line=n_lines
    )


def _mentions_copyright(text: str) -> bool:
    low = text.lower()
    return "copyright" in low or "©" in low or "(c)" in low or "attribution" in low


__all__ = ["THRESHOLD", "Matcher", "find_all", "identify"]
