"""Licences inside larger texts: a model card's licence section, and licences it names.

- `license_sections(markdown)`: the sections of a markdown document whose heading is about
  the licence ("License", "Licensing & IP", "4. License", "许可协议", "Terms of use"), each
  with its text and line span; a heading's section runs to the next heading of the same or
  a higher level.
- `mentions(text, kb)`: the licences a prose text *names*: "released under the Llama 3.1
  Community License", "licensed under Apache 2.0", a `license_link`-style URL. Names come
  from the knowledge base (ids, names, aliases, SPDX ids); the longest name at a position
  wins, so "Llama 3.1 Community License" is never read as "Llama 3". A bare one-word name
  ("MIT") counts only beside a word that makes it a licence ("MIT License", "licensed
  under MIT").

Pure: no I/O.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from licensecheck.identify.normalize import words

if TYPE_CHECKING:
    from licensecheck.knowledge.store import KnowledgeBase

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BOLD_HEADING = re.compile(r"^ {0,3}(?:\*\*|__)([^*_]{1,60})(?:\*\*|__):?[ \t]*$")
_LICENSE_HEADING = re.compile(
    r"licen[cs]|terms of use|terms and conditions|usage terms|use policy|许可|协议|授权|라이선스",
    re.IGNORECASE,
)
_YAML_LINE = re.compile(r"^[\w-]+:(?:\s|$)")
_URL = re.compile(r"https?://[^\s)>\]\"'`]+")
_LICENSE_CONTEXT = frozenset(("license", "licenses", "licensed", "agreement", "terms", "licensing"))
_UNDER = ("under", "license", "licensed")  # words that may precede a bare licence name


class Section(NamedTuple):
    title: str
    text: str
    start_line: int  # 1-based, the heading's line
    end_line: int


class Mention(NamedTuple):
    id: str
    phrase: str  # the words that named it (normalised)
    line: int | None  # 1-based line in the text, where known


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, title) for each markdown heading (ATX, setext, bold line)."""
    out: list[tuple[int, int, str]] = []
    in_code = False
    for n, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        m = _ATX.match(line)
        if m:
            out.append((n, len(m.group(1)), m.group(2).strip()))
            continue
        if n > 0 and lines[n - 1].strip() and _SETEXT.match(line):
            prev = lines[n - 1].strip()
            # "key: value" over a `---` is stray YAML, not a heading.
            if not _ATX.match(lines[n - 1]) and len(prev) <= 80 and not _YAML_LINE.match(prev):
                out.append((n - 1, 1 if line.strip().startswith("=") else 2, prev))
            continue
        m = _BOLD_HEADING.match(line)
        if m:
            out.append((n, 7, m.group(1).strip()))  # a bold line: below every real heading
    return out


def _front_matter_end(lines: list[str]) -> int:
    """Index of the first line after a YAML front matter block (0 when there is none)."""
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return 0
    for n in range(first + 1, len(lines)):
        if lines[n].strip() in ("---", "..."):
            return n + 1
    return 0


def license_sections(markdown: str) -> list[Section]:
    """The sections of a markdown text whose heading names the licence or terms."""
    lines = markdown.split("\n")
    skip = _front_matter_end(lines)
    heads = [h for h in _headings(lines) if h[0] >= skip]
    sections: list[Section] = []
    for k, (n, level, title) in enumerate(heads):
        if not _LICENSE_HEADING.search(title):
            continue
        end = len(lines)
        for n2, level2, _ in heads[k + 1 :]:
            if level2 <= level or (level == 7 and n2 > n):
                end = n2
                break
        body = "\n".join(lines[n:end]).strip("\n")
        last = n + len(lines[n:end]) - 1
        while last > n and not lines[last].strip():
            last -= 1
        sections.append(Section(title, body, n + 1, last + 1))
    return sections


# --- plain statements that restrict a use -----------------------------------------------------

# Sentences that take commercial use away, whatever licence the metadata declares: "Commercial
# use is prohibited", "for non-commercial use only", "research purposes only", "not for
# commercial use". (Language, not licence facts: what a licence grants stays in the data.)
_RESTRICTS_COMMERCIAL = re.compile(
    r"\bcommercial(?:ly)?\s+(?:use|usage|purposes?|applications?|deployment|products?)?\s*"
    r"(?:\w+\s+){0,4}?(?:is|are)\s+(?:strictly\s+|expressly\s+)?"
    r"(?:prohibited|forbidden|not\s+(?:permitted|allowed|authori[sz]ed)|disallowed)"
    r"|\b(?:no|not\s+(?:be\s+)?(?:used\s+)?for|not\s+intended\s+for|without)\s+"
    r"(?:any\s+)?commercial\s+(?:use|usage|purposes?)"
    r"|\bnon[- ]?commercial\s+(?:\w+\s+){0,2}?only\b"
    r"|\b(?:research|academic|evaluation|personal)(?:\s+and\s+\w+)?\s+"
    r"(?:use|usage|purposes?)\s+only\b"
    r"|\b(?:for|limited\s+to|restricted\s+to)\s+(?:non[- ]?commercial|research|academic)"
    r"(?:\s+\w+)?\s+(?:use|usage|purposes?)\b(?!\s+and\s+commercial)"
    r"|\bresearch[- ]only\b"
    r"|\bmay\s+not\s+be\s+used\s+(?:\w+\s+){0,2}?commercial(?:ly)?\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Statement(NamedTuple):
    use: str  # the use the sentence takes away: commercial
    sentence: str  # the sentence, as written (one line, clipped)
    line: int  # 1-based line in the text


def restricting_statements(text: str) -> list[Statement]:
    """Plain sentences of a card's prose that restrict a use, with their lines. Code blocks
    and quoted YAML are skipped; each line's sentences are read on their own."""
    out: list[Statement] = []
    in_code = False
    for n, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code or ("ommercial" not in line and "only" not in line.lower()):
            continue
        for sentence in _SENTENCE_END.split(line.strip()):
            if _RESTRICTS_COMMERCIAL.search(sentence):
                shown = " ".join(sentence.split()).lstrip("#>*-| ")
                out.append(Statement("commercial", shown[:200], n))
    return out


# A sentence about the training data or the code, not the model: "Training data is CC-BY-4.0".
_OTHER_SUBJECT = re.compile(
    r"\b(?:data|datasets?|corpus|corpora|images|code|scripts?|software|library)\b", re.IGNORECASE
)
_MODEL_SUBJECT = re.compile(r"\b(?:models?|weights?|checkpoints?|adapters?)\b", re.IGNORECASE)


def sentence_naming(line: str, phrase: str) -> str:
    """The sentence of `line` in which the (normalised) `phrase` occurs, else the line."""
    target = phrase.split()
    for sentence in _SENTENCE_END.split(line):
        ws = words(sentence)
        if any(ws[i : i + len(target)] == target for i in range(len(ws))):
            return sentence
    return line


_VARIANT_WORDS = frozenset({"modified", "custom", "amended", "adapted", "derived", "based"})


def names_a_variant(sentence: str, phrase: str) -> bool:
    """ "the Modified MIT License": the phrase names the base of another licence."""
    target = phrase.split()
    ws = words(sentence)
    for i in range(len(ws)):
        if ws[i : i + len(target)] == target:
            return i > 0 and ws[i - 1] in _VARIANT_WORDS
    return False


def about_other_subject(sentence: str) -> bool:
    """Whether a sentence speaks of the data or the code rather than the model itself."""
    return bool(_OTHER_SUBJECT.search(sentence)) and not _MODEL_SUBJECT.search(sentence)


def line_text(text: str, line: int | None) -> str:
    """Line `line` (1-based) of `text`, one line, clipped: for a message quoting the prose."""
    if line is None:
        return ""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    return " ".join(lines[line - 1].split()).lstrip("#>*-| ")[:200]


# --- names of licences in prose --------------------------------------------------------------

_PHRASES: dict[str, tuple[dict[tuple[str, ...], str], int]] = {}


def _phrases(kb: KnowledgeBase) -> tuple[dict[tuple[str, ...], str], int]:
    """Every name of every licence as a word tuple -> id ("" for a name several licences
    share), and the longest tuple's length."""
    cached = _PHRASES.get(kb.digest)
    if cached is not None:
        return cached
    table: dict[tuple[str, ...], str] = {}
    ambiguous: set[tuple[str, ...]] = set()
    for lic in kb:
        if lic.id in ("other", "unknown"):
            continue
        names = [lic.id, lic.name, lic.spdx, *lic.aliases]
        if lic.scancode:
            names.append(lic.scancode)
        for name in names:
            if not name or "://" in name or "/" in name or name.startswith("LicenseRef-"):
                continue
            key = tuple(words(name))
            if not key or len(key) > 12:
                continue
            if key in table and table[key] != lic.id:
                ambiguous.add(key)
            table.setdefault(key, lic.id)
    for lic in kb:
        for name in lic.shared_aliases:
            key = tuple(words(name))
            if key:
                ambiguous.add(key)
    for key in ambiguous:
        # A name two licences (or licensors) share names neither, but it is read whole:
        # "Modified MIT License" is not a mention of "MIT License".
        table[key] = ""
    longest = max((len(k) for k in table), default=0)
    _PHRASES[kb.digest] = (table, longest)
    return table, longest


def mentions(text: str, kb: KnowledgeBase) -> list[Mention]:
    """The licences `text` names, in order of appearance, each once."""
    from licensecheck.identify.normalize import Tokens

    table, longest = _phrases(kb)
    found: list[Mention] = []
    seen: set[str] = set()
    for url in _URL.findall(text):
        lic = kb.resolve(url.rstrip(".,;:"))
        if lic is not None and lic.id not in seen and lic.id not in ("other", "unknown"):
            seen.add(lic.id)
            found.append(Mention(lic.id, url, _line_of(text, url)))
    tokens = Tokens(text)
    ws = tokens.words
    i = 0
    while i < len(ws):
        hit = None
        for n in range(min(longest, len(ws) - i), 0, -1):
            lic_id = table.get(tuple(ws[i : i + n]))
            if lic_id is None:
                continue
            if n == 1 and not _licence_context(ws, i):
                continue
            nxt = ws[i + n] if i + n < len(ws) else ""
            if ws[i + n - 1].isdigit() and nxt.isdigit():
                continue  # "Llama 3" inside "Llama 3.2": the version goes on
            hit = (n, lic_id)
            break
        if hit is None:
            i += 1
            continue
        n, lic_id = hit
        if lic_id and lic_id not in seen:
            seen.add(lic_id)
            found.append(Mention(lic_id, " ".join(ws[i : i + n]), tokens.line(i)))
        i += n
    return found


def _licence_context(ws: list[str], i: int) -> bool:
    """A one-word name is a licence only right next to a licence word: "MIT License",
    "under MIT", "License: MIT" (not "the MiniMax Music 3 Community License")."""
    after = ws[i + 1] if i + 1 < len(ws) else ""
    before = ws[i - 1] if i > 0 else ""
    return after in _LICENSE_CONTEXT or before in _UNDER


def _line_of(text: str, fragment: str) -> int | None:
    pos = text.find(fragment)
    return None if pos < 0 else text.count("\n", 0, pos) + 1


__all__ = [
    "Mention",
    "Section",
    "Statement",
    "about_other_subject",
    "license_sections",
    "line_text",
    "mentions",
    "names_a_variant",
    "restricting_statements",
    "sentence_naming",
]
