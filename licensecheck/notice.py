"""Which attribution and notice lines the models' effective licences require.

Pure: the strings come from the knowledge base (obligations `attribution`, `notice-file` and
`display-name`, including a condition whose effect is a `display-name` obligation) and from
NOTICE files a source read from the model's repo. Nothing licence-specific lives here.

An obligation's text is either the exact string to reproduce (Llama's "Built with Llama")
or an instruction (Apache's "retain the NOTICE file's notices"). The licence decides which:
a text quoted word for word in the licence's own canonical text is a line to paste; any
other text is an `Instruction` the caller shows to a person, never pasted as a notice. So is
`include-license` (ship a copy of the licence), which belongs with the notices.

A line required by several models or licences appears once. A model whose licence could not
be identified, that could not be read, whose licence files the Hub refused (gated: their
notices and copyright lines unread) or that has a licence-like file not read in full makes the notice incomplete: it is listed in
`Notice.incomplete`, so the caller can fail closed instead of printing a partial notice as
if it were whole.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from licensecheck.identify.types import UNKNOWN
from licensecheck.results import ModelResult

if TYPE_CHECKING:
    from licensecheck.knowledge.model import License, Obligation
    from licensecheck.knowledge.store import KnowledgeBase

# Obligations whose text is a string to reproduce in a product's notices.
NOTICE_OBLIGATIONS: tuple[str, ...] = ("attribution", "notice-file", "display-name")
# Obligations about what ships with the notices; always instructions, never pasted.
SHIPPING_OBLIGATIONS: tuple[str, ...] = ("include-license",)
_WANTED = NOTICE_OBLIGATIONS + SHIPPING_OBLIGATIONS

# A repo file is a NOTICE file by its name (NOTICE, NOTICE.txt, NOTICE.md, Notice, ...).
_NOTICE_NAME = re.compile(r"^notice(\.[a-z0-9]+)?$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# A copyright statement starts its line with the word or the sign and names a year or uses
# the sign; a template line ("Copyright (c) <year> <copyright holders>", "Copyright [yyyy]
# [name of copyright owner]") is the licence's boilerplate, not a notice.
# ("(c)" opening a line is also a list item: it counts only before a year.)
_COPYRIGHT = re.compile(r"^\s*(?:copyright\b|©|\(c\)\s*(?:19|20)\d\d\b)", re.IGNORECASE)
_COPYRIGHT_MARK = re.compile(r"©|\(c\)|\b(?:19|20)\d\d\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<[^>]*>|\[[^\]]*\]|\{[^}]*\}")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class NoticeLine:
    """One string a product must carry, with who requires it and why."""

    text: str
    obligation: str  # attribution | notice-file | display-name
    licenses: tuple[str, ...]
    models: tuple[str, ...]
    clauses: tuple[str, ...] = ()
    when: str = "always"  # always | distribution | derivative | threshold
    condition: str | None = None  # for `threshold`: the licence's condition, in its words


@dataclass(frozen=True)
class NoticeFile:
    """A NOTICE file found in a model's repo, to be reproduced as it is."""

    path: str
    text: str
    models: tuple[str, ...]
    sha256: str


@dataclass(frozen=True)
class CopyrightLines:
    """The copyright statements of a licence file in a model's repo ("Copyright (c) 2025
    Moonshot AI"): the notice MIT-style licences require to be kept with every copy."""

    path: str
    lines: tuple[str, ...]
    models: tuple[str, ...]


@dataclass(frozen=True)
class Instruction:
    """A notice obligation that is not a fixed string: a person has to act on it."""

    text: str
    obligation: str
    licenses: tuple[str, ...]
    models: tuple[str, ...]
    clauses: tuple[str, ...] = ()
    when: str = "always"
    condition: str | None = None


@dataclass(frozen=True)
class Gap:
    """A model whose notice obligations could not be worked out."""

    model: str
    reason: str


@dataclass(frozen=True)
class Notice:
    lines: tuple[NoticeLine, ...] = ()
    files: tuple[NoticeFile, ...] = ()
    incomplete: tuple[Gap, ...] = field(default=())
    instructions: tuple[Instruction, ...] = ()
    copyrights: tuple[CopyrightLines, ...] = ()

    @property
    def unconditional(self) -> tuple[NoticeLine, ...]:
        return tuple(line for line in self.lines if line.when != "threshold")

    @property
    def conditional(self) -> tuple[NoticeLine, ...]:
        return tuple(line for line in self.lines if line.when == "threshold")


def _key(text: str) -> str:
    """Two strings that differ only in spacing or case are the same line."""
    return _SPACE.sub(" ", text).strip().casefold()


def _words(text: str) -> str:
    """Text as a run of lower-case words: quotes, punctuation and spacing do not count."""
    text = unicodedata.normalize("NFKC", text).replace("©", " c ").casefold()
    return " " + " ".join(_WORD.findall(text)) + " "


@functools.lru_cache(maxsize=256)
def _canonical_words(license_id: str, texts: tuple[str, ...]) -> str:
    """The words of every canonical text the knowledge base bundles for a licence."""
    from licensecheck.knowledge.store import TEXTS_DIR

    parts: list[str] = []
    for name in texts:
        try:
            parts.append((TEXTS_DIR / name).read_text(encoding="utf-8"))
        except OSError:
            continue
    return _words("\n".join(parts)) if parts else ""


def quoted_in_licence(lic: License, text: str, shipped: Sequence[str] = ()) -> bool:
    """Whether the licence's text contains `text` word for word (a string to reproduce).

    The canonical texts bundled with the knowledge base decide; `shipped` adds the copies of
    the licence a model's repo carries, for a licence whose text is not bundled.
    """
    names = tuple(name for v in lic.versions for name in v.texts)
    words = _words(text)
    if not words.strip():
        return False
    if words in _canonical_words(lic.id, names):
        return True
    return any(words in _words(copy) for copy in shipped)


def _shipped_copies(result: ModelResult, license_id: str) -> list[str]:
    """Texts of the repo files identification took for this licence."""
    if result.facts is None or result.determination is None:
        return []
    paths = {
        ev.path
        for ev in result.determination.evidence
        if ev.id == license_id and ev.source == "license-file" and ev.path
    }
    return [f.text for f in result.facts.files if f.path in paths]


def _version_of(result: ModelResult, license_id: str) -> str | None:
    det = result.determination
    if det is not None and det.id == license_id:
        return det.version
    return None


def _obligations(lic: License, version: str | None) -> list[tuple[Obligation, str | None]]:
    """The licence's notice obligations, each with the condition text that triggers it."""
    terms = lic.terms_for(version)
    if terms is None:
        return []
    out: list[tuple[Obligation, str | None]] = [
        (ob, None) for ob in terms.obligations if ob.id in _WANTED
    ]
    for cond in terms.conditions:
        ob = cond.obligation
        if cond.effect == "obligation" and ob is not None and ob.id in _WANTED:
            out.append((ob, cond.text or None))
    return out


def _when(when: str, condition: str | None) -> str:
    if condition is not None:
        return "threshold"
    # A threshold obligation the engine found triggered is simply required.
    return "always" if when == "threshold" else when


def _triggered(result: ModelResult, license_id: str) -> set[str]:
    """Obligation ids the policy engine attached to any of the model's verdicts."""
    return {
        item.id
        for verdict in result.verdicts.values()
        for item in verdict.obligations
        if item.license == license_id
    }


def copyright_lines(text: str) -> tuple[str, ...]:
    """The copyright statements in a licence file's text, in order, each once."""
    found: list[str] = []
    for raw in text.splitlines():
        line = _SPACE.sub(" ", raw).strip()
        if (
            len(line) <= 200
            and _COPYRIGHT.match(line)
            and _COPYRIGHT_MARK.search(line)
            and not _PLACEHOLDER.search(line)
            and line not in found
        ):
            found.append(line)
    return tuple(found)


def _copyright_files(result: ModelResult, kb: KnowledgeBase) -> list[tuple[str, tuple[str, ...]]]:
    """(path, statements) of the model's licence files whose licence asks for its notices
    to be kept (an attribution, notice or include-the-licence obligation in the KB)."""
    if result.facts is None or result.determination is None:
        return []
    paths: list[str] = []
    for ev in result.determination.evidence:
        if ev.source != "license-file" or ev.kind != "license" or not ev.path:
            continue
        lic = kb.get(ev.id)
        terms = lic.terms_for(ev.version) if lic is not None else None
        wanted = terms is not None and any(ob.id in _WANTED for ob in terms.obligations)
        if wanted and ev.path not in paths:
            paths.append(ev.path)
    out = []
    for repo_file in result.facts.files:
        if repo_file.path in paths:
            lines = copyright_lines(repo_file.text)
            if lines:
                out.append((repo_file.path, lines))
    return out


def is_notice_file(path: str) -> bool:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return bool(_NOTICE_NAME.match(name))


def _notice_paths(result: ModelResult) -> set[str]:
    """Files that are NOTICE files by name, or that identification called a notice."""
    paths: set[str] = set()
    det = result.determination
    if det is not None:
        paths.update(ev.path for ev in det.evidence if ev.kind == "notice" and ev.path)
    if result.facts is not None:
        paths.update(f.path for f in result.facts.files if is_notice_file(f.path))
    return paths


class _Lines:
    """Accumulates lines in first-seen order, merging repeats."""

    def __init__(self) -> None:
        self._order: list[str] = []
        self._lines: dict[str, NoticeLine] = {}

    def add(self, line: NoticeLine) -> None:
        key = _key(line.text)
        old = self._lines.get(key)
        if old is None:
            self._order.append(key)
            self._lines[key] = line
            return
        # The strictest `when` wins: a line required always is not only conditional.
        when = old.when if old.when != "threshold" else line.when
        self._lines[key] = NoticeLine(
            text=old.text,
            obligation=old.obligation,
            licenses=_merge(old.licenses, line.licenses),
            models=_merge(old.models, line.models),
            clauses=_merge(old.clauses, line.clauses),
            when=when,
            condition=None if when != "threshold" else _either(old.condition, line.condition),
        )

    def keys(self) -> set[str]:
        return set(self._order)

    def result(self) -> tuple[NoticeLine, ...]:
        return tuple(self._lines[k] for k in self._order)


def _either(a: str | None, b: str | None) -> str | None:
    """Two conditions that each require the same line: either one suffices."""
    if not a or not b or a == b or b in a.split(" Or: "):
        return a or b
    return f"{a} Or: {b}"


def _merge(a: tuple[str, ...], b: Iterable[str]) -> tuple[str, ...]:
    out = list(a)
    out.extend(x for x in b if x not in out)
    return tuple(out)


def required_notices(results: Sequence[ModelResult], kb: KnowledgeBase) -> Notice:
    """The notice lines and NOTICE files that `results`' effective licences require.

    Lines keep the order in which the models (then their licences, then the obligations in
    the knowledge base) first require them.
    """
    lines = _Lines()
    todo = _Lines()  # instructions, merged the same way
    files: dict[str, NoticeFile] = {}
    file_order: list[str] = []
    gaps: list[Gap] = []
    copyrights: dict[tuple[str, ...], CopyrightLines] = {}

    for result in results:
        if result.status != "ok":
            message = result.error.message if result.error is not None else "not evaluated"
            gaps.append(Gap(result.model, f"could not be read: {message}"))
            continue
        refused = result.determination.refused if result.determination is not None else ()
        if refused:  # gated: their notices and copyright lines were not read
            gaps.append(
                Gap(result.model, f"the Hub refused {', '.join(refused)} (gated; set HF_TOKEN)")
            )
        unread = result.facts.unread if result.facts is not None else ()
        if unread:  # a licence file not read in full: its copyright lines may be missing
            gaps.append(
                Gap(
                    result.model,
                    f"licence-like file not read ({'; '.join(f.message for f in unread)})",
                )
            )
        licenses = result.effective_licenses
        if not licenses:
            det = result.determination
            licenses = (det.id,) if det is not None else (UNKNOWN,)
        for license_id in licenses:
            lic = kb.get(license_id)
            if lic is None:
                reason = (
                    "licence not identified"
                    if license_id == UNKNOWN
                    else f"licence {license_id!r} is not in the knowledge base"
                )
                gaps.append(Gap(result.model, reason))
                continue
            triggered = _triggered(result, lic.id)
            for ob, condition in _obligations(lic, _version_of(result, license_id)):
                if not ob.text.strip():
                    continue
                if condition is not None and ob.id in triggered:
                    # The policy engine found the condition met (or could not rule it out).
                    condition = None
                line = NoticeLine(
                    text=ob.text.strip(),
                    obligation=ob.id,
                    licenses=(lic.id,),
                    models=(result.model,),
                    clauses=(ob.clause,) if ob.clause else (),
                    when=_when(ob.when, condition),
                    condition=condition,
                )
                if ob.id in NOTICE_OBLIGATIONS and quoted_in_licence(
                    lic, ob.text, _shipped_copies(result, lic.id)
                ):
                    lines.add(line)
                else:
                    todo.add(line)
        for path, statements in _copyright_files(result, kb):
            old_lines = copyrights.get(statements)
            models = _merge(old_lines.models, (result.model,)) if old_lines else (result.model,)
            copyrights[statements] = CopyrightLines(
                old_lines.path if old_lines else path, statements, models
            )
        wanted = _notice_paths(result)
        for repo_file in result.facts.files if result.facts is not None else ():
            if repo_file.path not in wanted or not repo_file.text.strip():
                continue
            text = repo_file.text.strip("\n")
            digest = hashlib.sha256(_key(text).encode("utf-8")).hexdigest()
            old = files.get(digest)
            if old is None:
                file_order.append(digest)
                files[digest] = NoticeFile(repo_file.path, text, (result.model,), digest)
            else:
                files[digest] = NoticeFile(
                    old.path, old.text, _merge(old.models, (result.model,)), digest
                )

    # A NOTICE file that only repeats a line already required adds nothing.
    known = lines.keys()
    kept = tuple(files[d] for d in file_order if _key(files[d].text) not in known)
    instructions = tuple(
        Instruction(
            text=t.text,
            obligation=t.obligation,
            licenses=t.licenses,
            models=t.models,
            clauses=t.clauses,
            when=t.when,
            condition=t.condition,
        )
        for t in todo.result()
    )
    return Notice(
        lines=lines.result(),
        files=kept,
        incomplete=tuple(gaps),
        instructions=instructions,
        copyrights=tuple(copyrights.values()),
    )


# --- rendering ---------------------------------------------------------------------------


def render_text(notice: Notice) -> str:
    """The notice, ready to paste: each required line once, the copyright statements of
    the models' licence files, then each NOTICE file.

    Conditional lines and gaps are not part of the text; the caller reports them.
    """
    blocks: list[str] = []
    required = [line.text for line in notice.unconditional]
    if required:
        blocks.append("\n".join(required))
    for c in notice.copyrights:
        blocks.append(
            f"Copyright notices of {', '.join(c.models)} ({c.path}):\n" + "\n".join(c.lines)
        )
    for f in notice.files:
        blocks.append(f"Notices for {', '.join(f.models)} ({f.path}):\n\n{f.text}")
    return "\n\n".join(blocks) + "\n" if blocks else ""


def to_dict(notice: Notice) -> dict[str, object]:
    """A JSON-ready mapping of the whole notice, conditional lines and gaps included."""
    return {
        "lines": [
            {
                "text": line.text,
                "obligation": line.obligation,
                "licenses": list(line.licenses),
                "models": list(line.models),
                "clauses": list(line.clauses),
                "when": line.when,
                "condition": line.condition,
            }
            for line in notice.lines
        ],
        "files": [
            {"path": f.path, "models": list(f.models), "sha256": f.sha256, "text": f.text}
            for f in notice.files
        ],
        "instructions": [
            {
                "text": i.text,
                "obligation": i.obligation,
                "licenses": list(i.licenses),
                "models": list(i.models),
                "clauses": list(i.clauses),
                "when": i.when,
                "condition": i.condition,
            }
            for i in notice.instructions
        ],
        "incomplete": [{"model": g.model, "reason": g.reason} for g in notice.incomplete],
        "copyrights": [
            {"path": c.path, "models": list(c.models), "lines": list(c.lines)}
            for c in notice.copyrights
        ],
    }


__all__ = [
    "NOTICE_OBLIGATIONS",
    "SHIPPING_OBLIGATIONS",
    "CopyrightLines",
    "Gap",
    "Instruction",
    "Notice",
    "NoticeFile",
    "NoticeLine",
    "copyright_lines",
    "is_notice_file",
    "quoted_in_licence",
    "render_text",
    "required_notices",
    "to_dict",
]
