"""Helpers for the identify tests: the corpus manifest and generated text variants.

Variants are built from the texts themselves (no hand-written copies): formatting-only
variants must identify as the original, substantive ones must be `modified`.
"""

from __future__ import annotations

import csv
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "corpus" / "licenses"


@dataclass(frozen=True)
class Expected:
    file: str
    id: str  # licence id, or "none" (a notice)
    kind: str
    modified: str  # yes | no | any

    @property
    def text(self) -> str:
        return (CORPUS / self.file).read_text(encoding="utf-8")


def manifest() -> list[Expected]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [Expected(r["file"], r["expected_id"], r["kind"], r["modified"]) for r in rows]


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


# --- formatting-only variants ------------------------------------------------------------------


def reflowed(text: str) -> str:
    """Each paragraph on one line."""
    return "\n\n".join(" ".join(p.split()) for p in paragraphs(text)) + "\n"


def rewrapped(text: str, width: int = 58) -> str:
    """Re-wrapped as an editor would: at spaces only, never inside a word or URL."""
    return (
        "\n\n".join(
            textwrap.fill(
                " ".join(p.split()), width, break_long_words=False, break_on_hyphens=False
            )
            for p in paragraphs(text)
        )
        + "\n"
    )


def markdown(text: str) -> str:
    """A heading, bold lead words, list bullets and a blockquote: formatting only."""
    out = []
    for n, p in enumerate(paragraphs(text)):
        flat = " ".join(p.split())
        if n == 0:
            out.append("# " + flat)
            continue
        parts = flat.split(" ", 3)
        if len(parts) == 4 and not any(c in " ".join(parts[:3]) for c in "[]()*_`<>"):
            flat = f"**{' '.join(parts[:3])}** {parts[3]}"
        out.append(("- " if n % 3 == 1 else "> " if n % 3 == 2 else "") + flat)
    return "\n\n".join(out) + "\n"


def html_page(text: str) -> str:
    """Each paragraph in <p>; `&` escaped (markup already in the text stays markup)."""
    body = "\n".join(
        f"<p>{' '.join(p.split()).replace('&', '&amp;')}</p>" for p in paragraphs(text)
    )
    return f"<html><head><title>LICENSE</title></head>\n<body>\n<div>\n{body}\n</div>\n</body></html>\n"


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


BOILERPLATE_HEAD = (
    "The following text applies to the model weights published in this repository.\n\n"
)
BOILERPLATE_TAIL = "\n\nFor questions about this repository, open an issue on its tracker.\n"


def with_boilerplate(text: str) -> str:
    return BOILERPLATE_HEAD + text + BOILERPLATE_TAIL


_COPYRIGHT = re.compile(r"^[ \t]*Copyright\b.*$", re.MULTILINE)


def copyright_changed(text: str) -> str:
    """Every copyright line replaced by another holder and year; one added if there is none."""
    new = "Copyright (c) 2031 Example Holdings Ltd. and contributors"
    if _COPYRIGHT.search(text):
        return _COPYRIGHT.sub(new, text)
    return new + "\n\n" + text


FORMATTING = {
    "reflowed": reflowed,
    "rewrapped": rewrapped,
    "markdown": markdown,
    "html": html_page,
    "crlf": crlf,
    "boilerplate": with_boilerplate,
    "copyright": copyright_changed,
}


# --- substantive variants ----------------------------------------------------------------------

CLAUSE = (
    "The Licensee shall pay to the Licensor a royalty of ten percent of all gross revenue "
    "derived from any use of the Model, within thirty days after the end of each quarter."
)


def with_clause(text: str) -> tuple[str, int]:
    """A clause inserted between two paragraphs in the middle; returns the text and its line."""
    paras = re.split(r"(\n[ \t]*\n)", text)
    # paras alternates paragraph, separator, paragraph, ...
    middle = (len(paras) // 2) | 1  # a separator index
    before = "".join(paras[:middle])
    line = before.count("\n") + 2
    return before + "\n\n" + CLAUSE + "\n" + "".join(paras[middle:]), line


def without_clause(text: str) -> tuple[str, str]:
    """A paragraph near the middle removed (at least 15 words, at most a fifth of the text,
    and worded uniquely, so the diff has one place to put the removal); returns the text and
    that paragraph."""
    paras = re.split(r"(\n[ \t]*\n)", text)
    total = len(text.split())
    flat = " ".join(text.split())

    def unique(p: str) -> bool:
        words = p.split()
        return flat.count(" ".join(words[3:12])) == 1

    body = [
        n
        for n in range(0, len(paras), 2)
        if 15 <= len(paras[n].split()) <= total / 5 and unique(paras[n])
    ]
    if not body:
        raise ValueError("no suitable paragraph")
    centre = len(paras) / 2
    n = min(body, key=lambda k: (abs(k - centre), -len(paras[k])))
    removed = paras[n]
    return "".join(paras[:n]) + "".join(paras[n + 2 :]), removed


def names_swapped(text: str, names: tuple[str, ...]) -> str:
    out = text
    for name in names:
        out = re.sub(rf"\b{re.escape(name)}\b", "Acme Research", out)
    return out
