"""Normalise a licence text into a token sequence, in the spirit of the SPDX matching guidelines.

What does not distinguish one licence from another is removed or neutralised, so that
formatting never looks like a change:

- case, whitespace, line breaks, punctuation, quote and dash variants, bullets: punctuation is
  not a token, so `"`, `“` and `'` all vanish and words split at hyphens and apostrophes;
- markdown and HTML markup: known HTML tags, comments and entities, markdown link targets
  (`[text](url)` keeps the text), emphasis and headings (punctuation);
- URL schemes and `www.` (`http://www.x.org` and `https://x.org` read the same);
- copyright statements (`Copyright (c) 2023 ...`, `(c) 2024 X`, `SPDX-License-Identifier:`):
  a copyright notice is not part of the licence. `words()` (the exact-match key) drops
  copyright *lines*; `Tokens` (for the diff) keeps every statement, even mid-line after a
  reflow, and flags its tokens in `Tokens.copyright` so that a changed one is no change;
- varietal spellings (`licence` / `license`, ...) and NFKC (full-width forms);
- CJK text is tokenised per character, so Chinese and bilingual texts align token by token.

Placeholders such as `<year>`, `[name of copyright owner]`, `{model}` or `____` become one
`PLACEHOLDER` token, which the matcher lets stand for a filled-in value. List numbering stays
as tokens (`1`, `a`, `iv`); `is_minor()` lets the matcher ignore changes made only of it.

All substitutions keep the text's length, so each token's offset in the original text gives
its line and its original wording. Pure: no I/O.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection

# After lower-casing no upper-case letter is left, so an upper-case letter can stand for a
# placeholder without colliding with any word.
PLACEHOLDER = "Q"

_HTML_TAGS = (
    "a|abbr|b|big|blockquote|body|br|caption|center|cite|code|col|dd|del|details|dfn|div|dl|dt|"
    "em|font|footer|h[1-6]|head|header|hr|html|i|img|ins|kbd|li|main|mark|meta|nav|ol|p|pre|q|"
    "s|section|small|span|strike|strong|style|sub|summary|sup|table|tbody|td|tfoot|th|thead|"
    "title|tr|tt|u|ul|var"
)
# All patterns run on lower-cased text and are blanked with spaces of the same length.
_MARKUP = re.compile(
    r"<!--.*?-->"  # HTML comment (may span lines)
    rf"|</?(?:{_HTML_TAGS})(?:\s[^<>]*)?/?>"  # a known HTML tag
    r"|&(?:[a-z]{2,8}|#\d{1,6}|#x[0-9a-f]{1,6});",  # an HTML entity
    re.DOTALL,
)
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_LINK_OPEN = re.compile(r"\[(?=[^\[\]\n]{0,300}\] )")  # `[` of a link whose target was blanked
_REF_DEF = re.compile(r"^[ \t]*\[[^\]\n]{1,80}\]:[ \t]+\S+[^\n]*", re.MULTILINE)
_URL_SCHEME = re.compile(r"(?:https?|ftp)$")
_SPLIT_SCHEME = re.compile(r"(?<![a-z])(?:https?|ftp):[ \t]*\n[ \t]*//(?:www\.)?")
# A copyright *statement* (not a sentence that happens to start with the word): "copyright"
# followed by (c), ©, a year, a placeholder or a colon; "©" anywhere at the start; "(c)" with
# a year (a bare "(c)" is list numbering); SPDX tags; a lone "all rights reserved".
_COPYRIGHT_LINE = re.compile(
    r"[^\w©\n(]*(?:(?:portions\s+)?copyright\s*(?:\(c\)|©|(?:19|20)\d\d|[\[<{]|:)"
    r"|©|\(c\)[ \t]*(?:19|20)\d\d"
    r"|spdx-license-identifier[ \t]*:|spdx-filecopyrighttext[ \t]*:"
    r"|all rights reserved\.?[ \t]*(?:\n|$))[^\n]*",
)
# "Copyright Meta Platforms, Inc.": a capitalised name after the word (checked on the
# original text, where case survives).
_COPYRIGHT_NAMED = re.compile(
    r"[^\w\n(]*copyright\s+(?!(?:and|notice|law|laws|holder|holders|owner|owners|license|licence|statement|act|office|protection|infringement|interest|rights?|or|to|in|of|the|is|also|means|shall|\W))[A-Z]",
    re.IGNORECASE,
)
_COPYRIGHT_HINTS = ("copyright", "©", "(c)", "spdx-", "all rights reserved")
# A copyright statement anywhere in a line ("..., Copyright (c) Meta Platforms, Inc. All
# Rights Reserved."): reflowing a text moves statements off the start of their lines.
_STATEMENT = re.compile(
    r"copyright\s*(?:\(c\)|©|(?:19|20)\d\d|[\[<{:]|Q\b)|\(c\)[ \t]*(?:19|20)\d\d|©"
)
_STATEMENT_CHARS = 160  # a statement runs to the end of its line, a new sentence, or this far
_SENTENCE = re.compile(r"(?:(?<=[A-Za-z]{2})\.|>)[ \t]+[A-Z][a-z]{2,}")
# One pattern per opening character: a pattern that starts with a literal is searched fast.
# A placeholder may be split by one line break (a reflowed "<copyright\nholders>").
_PH = (
    ("<", re.compile(r"<(?:[^<>\n./]|\n(?![ \t]*\n)){1,60}>")),
    ("[", re.compile(r"\[(?:[^\[\]\n./]|\n(?![ \t]*\n)){1,60}\]")),
    ("{", re.compile(r"\{(?:[^{}\n./]|\n(?![ \t]*\n)){1,60}\}")),
    ("___", re.compile(r"___+")),
)

# CJK scripts, tokenised per character (code point ranges: checked in Python because a
# regex class of these ranges costs milliseconds to compile at every start-up).
_CJK_RANGES = (
    (0x2E80, 0x2FFF),
    (0x3040, 0x30FF),
    (0x3100, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)
_WORD = re.compile(r"[^\W_]+")


def _is_cjk(c: str) -> bool:
    if "\u4e00" <= c <= "\u9fff":  # the common case first: CJK unified ideographs
        return True
    if c < "\u2e80":
        return False
    o = ord(c)
    return any(lo <= o <= hi for lo, hi in _CJK_RANGES)


def _split(token: str) -> list[tuple[str, int, int]]:
    """A non-ASCII token as (word, start, end) parts: CJK per character, NFKC, lower case."""
    parts: list[tuple[str, int, int]] = []
    pending = -1
    for k, c in enumerate(token):
        if "\u4e00" <= c <= "\u9fff" or (c >= "\u2e80" and _is_cjk(c)):
            if pending >= 0:
                parts.append((token[pending:k], pending, k))
                pending = -1
            parts.append((c, k, k + 1))
        elif pending < 0:
            pending = k
    if pending >= 0:
        parts.append((token[pending:], pending, len(token)))
    out: list[tuple[str, int, int]] = []
    for word, a, b in parts:
        if len(word) == 1 and "\u4e00" <= word <= "\u9fff":
            pass  # a CJK unified ideograph is its own normal form
        elif not word.isascii():
            word = unicodedata.normalize("NFKC", word).lower()
            if not word.isalnum():
                out.extend((w, a, b) for w in _WORD.findall(word))
                continue
        out.append((word, a, b))
    return out


# Varietal spellings the SPDX guidelines treat as equivalent (the common ones).
SPELLING = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "licencing": "licensing",
    "sublicence": "sublicense",
    "authorised": "authorized",
    "authorisation": "authorization",
    "organisation": "organization",
    "organisations": "organizations",
    "recognised": "recognized",
    "favour": "favor",
    "behaviour": "behavior",
    "utilise": "utilize",
    "acknowledgement": "acknowledgment",
    "judgement": "judgment",
}
_SPELLING_HINTS = (
    "licenc",
    "authoris",
    "organis",
    "recognis",
    "favour",
    "behaviour",
    "utilis",
    "ledgement",
    "judgement",
)

_ROMAN = re.compile(r"^x{0,3}(?:ix|iv|v?i{0,3})$")
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)


def is_minor(token: str) -> bool:
    """List numbering and its like: a single letter, a roman numeral, a small number."""
    if len(token) == 1:
        return True
    if token.isdigit():
        return len(token) <= 2 and int(token) <= 30
    return len(token) <= 5 and _ROMAN.match(token) is not None


def is_month(token: str) -> bool:
    return token in _MONTHS


def is_date_part(token: str) -> bool:
    """A month name, a day number or a year: a changed date is not a changed licence."""
    if token in _MONTHS or token in ("st", "nd", "rd", "th"):
        return True
    if token.isdigit():
        n = int(token)
        return (len(token) <= 2 and n <= 31) or (len(token) == 4 and 1900 <= n <= 2100)
    return False


def _blank(match: re.Match[str]) -> str:
    s = match.group(0)
    return " " * len(s) if "\n" not in s else re.sub(r"[^\n]", " ", s)


def _placeholder(match: re.Match[str]) -> str:
    s = match.group(0)
    return " " + PLACEHOLDER + " " * (len(s) - 2)


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters lower-case to two (U+0130): keep those as they are.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _blank_copyright_lines(low: str, original: str | None = None) -> str:
    """Blank every line that starts (after decoration) with a copyright statement."""
    spans: list[tuple[int, int]] = []
    for hint in _COPYRIGHT_HINTS:
        idx = low.find(hint)
        while idx != -1:
            line_start = low.rfind("\n", 0, idx) + 1
            m = _COPYRIGHT_LINE.match(low, line_start)
            if m is not None and m.end() > idx:
                spans.append((line_start, m.end()))
            elif hint == "copyright" and original is not None and original[idx].isupper():
                named = _COPYRIGHT_NAMED.match(original, line_start)
                if named is not None and original[named.end() - 1].isupper():
                    end = low.find("\n", idx)
                    spans.append((line_start, len(low) if end == -1 else end))
            idx = low.find(hint, idx + 1)
    if not spans:
        return low
    parts: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            start = last
        if end <= start:
            continue
        parts.append(low[last:start])
        parts.append(
            " " * (end - start) if "\n" not in low[start:end] else _blank_str(low[start:end])
        )
        last = end
    parts.append(low[last:])
    return "".join(parts)


def copyright_spans(low: str, original: str | None = None) -> list[tuple[int, int]]:
    """Character spans of the copyright statements in `low` (a `clean(...,
    blank_copyright=False)` text): each from its "Copyright" / "(c) 2023" / "©" to the end of
    its line, past "all rights reserved", or `_STATEMENT_CHARS` at most."""
    spans: list[tuple[int, int]] = []
    for hint in ("copyright", "©", "(c)"):
        idx = low.find(hint)
        while idx != -1:
            start = -1
            if _STATEMENT.match(low, idx):
                start = idx
            elif hint == "copyright" and original is not None and original[idx].isupper():
                line_start = low.rfind("\n", 0, idx) + 1
                named = _COPYRIGHT_NAMED.match(original, line_start)
                if named is not None and named.end() > idx and original[named.end() - 1].isupper():
                    start = idx
            if start >= 0:
                eol = low.find("\n", start)
                end = min(len(low) if eol == -1 else eol, start + _STATEMENT_CHARS)
                if original is not None:
                    # A new sentence ends the statement ("... Inc. <https://fsf.org/> Everyone").
                    stop = _SENTENCE.search(original, start + 12, end)
                    if stop is not None:
                        end = stop.start() + 1
                spans.append((start, end))
            idx = low.find(hint, idx + 1)
    idx = low.find("all rights reserved")
    while idx != -1:
        spans.append((idx, idx + len("all rights reserved")))
        idx = low.find("all rights reserved", idx + 1)
    for m in _SPDX_LINE.finditer(low) if "spdx-" in low else ():
        spans.append(m.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


_SPDX_LINE = re.compile(r"spdx-(?:license-identifier|filecopyrighttext)[ \t]*:[^\n]*")


def _blank_str(s: str) -> str:
    return "".join("\n" if c == "\n" else " " for c in s)


def _blank_url_prefixes(low: str) -> str:
    """Blank `http://`, `https://`, `ftp://` and `www.` (found with str.find: fast)."""
    spans: list[tuple[int, int]] = []
    idx = low.find("://")
    while idx != -1:
        start = idx
        while start > 0 and idx - start < 5 and low[start - 1].isalpha():
            start -= 1
        if _URL_SCHEME.match(low, start, idx):
            spans.append((start, idx + 3))
        idx = low.find("://", idx + 3)
    idx = low.find("www.")
    while idx != -1:
        if idx == 0 or not low[idx - 1].isalnum():
            spans.append((idx, idx + 4))
        idx = low.find("www.", idx + 4)
    if not spans:
        return low
    chars = list(low) if len(spans) > 64 else None
    if chars is not None:
        for a, b in spans:
            chars[a:b] = " " * (b - a)
        return "".join(chars)
    for a, b in sorted(spans, reverse=True):
        low = low[:a] + " " * (b - a) + low[b:]
    return low


def clean(text: str, blank_copyright: bool = True) -> str:
    """`text` lower-cased, with markup, URL prefixes and (unless asked not to) copyright
    lines blanked and placeholders replaced by `PLACEHOLDER`, at the same length (offsets
    stay valid)."""
    low = _lower(text)
    if "](" in low:  # before entities: a link target may hold `&amp;`
        low = _LINK_TARGET.sub(_blank, low)
        low = _LINK_OPEN.sub(" ", low)
    if "<" in low or "&" in low:
        low = _MARKUP.sub(_blank, low)
    if "]:" in low:
        low = _REF_DEF.sub(_blank, low)
    if ":\n" in low or ": \n" in low:
        low = _SPLIT_SCHEME.sub(_blank, low)  # a scheme a reflow split ("http:" / "//")
    if "://" in low or "www." in low:
        low = _blank_url_prefixes(low)
    if blank_copyright:
        low = _blank_copyright_lines(low, text if len(text) == len(low) else None)
    for opener, pattern in _PH:
        if opener in low:
            low = pattern.sub(_placeholder, low)
    return low


def _finish(raw: list[str], low: str) -> list[str]:
    """Split and normalise non-ASCII tokens, map varietal spellings, where the text needs it."""
    if not low.isascii() and not all(map(str.isascii, raw)):
        out: list[str] = []
        for w in raw:
            if w.isascii():
                out.append(w)
            else:
                out.extend(part for part, _, _ in _split(w))
        raw = out
    if any(h in low for h in _SPELLING_HINTS):
        raw = [SPELLING.get(w, w) for w in raw]
    return raw


def words(text: str) -> list[str]:
    """The normalised tokens of `text` without its copyright lines (the fast path, no
    offsets): two copies of a licence under different copyright lines give the same words.
    `Tokens` keeps the copyright statements, flagged, for the diff."""
    low = clean(text)
    return _finish(_WORD.findall(low), low)


class Tokens:
    """A normalised text with each token's span in the original, for lines and passages.

    The words come from the same fast path as `words()`; the spans are computed on first
    use (a region's first and last line, a change's passage), not for every text."""

    __slots__ = ("_low", "_newlines", "_spans", "copyright", "text", "words")

    def __init__(self, text: str) -> None:
        low = clean(text, blank_copyright=False)
        self.text = text
        self._low = low
        self._newlines: list[int] | None = None
        self._spans: list[tuple[int, int]] | None = None
        self.words = _finish(_WORD.findall(low), low)
        # Positions of the tokens inside copyright statements: never a modification.
        self.copyright: frozenset[int] = frozenset()
        statements = copyright_spans(low, text if len(text) == len(low) else None)
        if statements:
            flagged: set[int] = set()
            if low.isascii():
                # One token per match: count the matches before each end (in C).
                for a, b in statements:
                    first = len(_WORD.findall(low, 0, a))
                    flagged.update(range(first, first + len(_WORD.findall(low, a, b))))
            else:
                starts = [a for a, _ in self._span_list()]
                for a, b in statements:
                    lo, hi = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
                    flagged.update(range(lo, hi))
            self.copyright = frozenset(flagged)

    def __len__(self) -> int:
        return len(self.words)

    def rejoin(self, known: Collection[str]) -> None:
        """Join the pieces of a word a reflow split at a line break ("deriva-" / "tive",
        "creativecommons.o" / "rg.") where the joined word is `known` and a piece is not:
        two real words on two lines stay two."""
        if "\n" not in self.text or len(self.words) < 2:
            return
        spans = self._span_list()
        if len(spans) != len(self.words):
            return
        text, ws = self.text, self.words
        out_w: list[str] = []
        out_s: list[tuple[int, int]] = []
        old_to_new: list[int] = []
        j = 0
        while j < len(ws):
            if j + 1 < len(ws):
                gap = text[spans[j][1] : spans[j + 1][0]]
                joined = ws[j] + ws[j + 1]
                if (
                    "\n" in gap
                    and not gap.strip(" \t\r\n-")
                    and gap.count("-") <= 1
                    and joined in known
                    and (ws[j] not in known or ws[j + 1] not in known)
                ):
                    old_to_new += [len(out_w), len(out_w)]
                    out_w.append(joined)
                    out_s.append((spans[j][0], spans[j + 1][1]))
                    j += 2
                    continue
            old_to_new.append(len(out_w))
            out_w.append(ws[j])
            out_s.append(spans[j])
            j += 1
        if len(out_w) == len(ws):
            return
        self.words, self._spans = out_w, out_s
        self.copyright = frozenset(old_to_new[i] for i in self.copyright)

    def _span_list(self) -> list[tuple[int, int]]:
        if self._spans is None:
            low = self._low
            if low.isascii():
                spans = [m.span() for m in _WORD.finditer(low)]
            else:
                spans = []
                for m in _WORD.finditer(low):
                    w = m.group()
                    if w.isascii():
                        spans.append(m.span())
                    else:
                        base = m.start()
                        spans.extend((base + a, base + b) for _, a, b in _split(w))
            self._spans = spans
        return self._spans

    def span(self, i: int) -> tuple[int, int]:
        spans = self._span_list()
        if not spans:
            return (0, 0)
        return spans[min(i, len(spans) - 1)]

    def line(self, i: int) -> int:
        """The 1-based line of token i (the last line for i past the end)."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        if not self.words:
            return 1
        start, end = self.span(i)
        pos = start if i < len(self.words) else end
        return bisect.bisect_right(self._newlines, pos) + 1

    def line_range(self, i: int, j: int) -> tuple[int, int]:
        """Tokens i..j-1 cover lines first..last."""
        return self.line(i), self.line(max(i, j - 1))

    def passage(self, i: int, j: int, limit: int = 240) -> str:
        """The original wording of tokens i..j-1, whitespace collapsed, shortened."""
        if i >= j or i >= len(self.words):
            return ""
        raw = " ".join(self.text[self.span(i)[0] : self.span(j - 1)[1]].split())
        return raw if len(raw) <= limit else raw[: limit - 3] + "..."


def tokenize(text: str) -> Tokens:
    return Tokens(text)


__all__ = [
    "PLACEHOLDER",
    "Tokens",
    "clean",
    "is_date_part",
    "is_minor",
    "is_month",
    "tokenize",
    "words",
]
