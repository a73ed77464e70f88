"""Keep secrets and terminal-hostile characters out of everything licensecheck prints.

Three layers, so that one missed spot does not leak a token (docs/security.md):

- `sanitize(facts)`: what a source read from an untrusted repo (card, licence files, Hub
  answers) is cleaned once, where it enters (`ModelSource.fetch`): token-like strings are
  redacted, and control characters (ESC, BEL, backspace, C1) and lone surrogates become
  U+FFFD, so a hostile card can neither rewrite the user's terminal nor crash an encoder;
- `one_line(message)`: every error message (`SourceError`, the CLI's error line) is one
  bounded line with secrets redacted;
- `redact(text)`: the rendered report, in every format, on its way out; and a logging
  filter for what the libraries log.

What counts as a secret: the values of `HF_TOKEN` / `HUGGING_FACE_HUB_TOKEN` (and anything
`register_secret` was given); Hugging Face tokens (`hf_` + 16 or more letters and digits);
`Bearer <token>`; credentials in URLs (`https://user:pass@host`, `?token=...`,
`&api_key=...`, `?access_token=...`, signatures). The patterns never swallow a quote or a
backslash, so redacting JSON, SARIF or SPDX text keeps it valid. Markdown's escaped
underscore (`hf\\_...`) is recognised too.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import logging

MASK = "***"
TOKEN_ENV = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
MIN_SECRET = 8  # a shorter "secret" would mangle ordinary words; real tokens are ~37 chars
MAX_DEPTH = 64  # nesting followed by `sanitize` (card metadata is shallow)

T = TypeVar("T")

# hf_ tokens; `\\?` accepts Markdown's escaped underscore.
_HF_TOKEN = re.compile(r"(?<![A-Za-z0-9])hf\\?_[A-Za-z0-9]{16,}")
# `Bearer <token>`: the token has a digit, or one of . _ ~ + / inside it (prose such as
# "the bearer of this" or "bearer bonds." stays), and never a quote or backslash.
_BEARER = re.compile(
    r"(?i:\bbearer)[ \t]+(?=[A-Za-z0-9\-]*(?:[0-9]|[._~+/][A-Za-z0-9]))[A-Za-z0-9._~+/\-]{3,}=*"
)
# Secret-bearing query parameters; `&amp;` (Markdown, HTML) ends in `;`.
_QUERY = re.compile(
    r"(?i)([?&;](?:access[_-]?token|refresh[_-]?token|id[_-]?token|token|hf[_-]?token|"
    r"api[_-]?key|apikey|key|secret|client[_-]?secret|password|passwd|pwd|auth|"
    r"signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token)=)"
    r"[^&#\s\"'<>\\]+"
)
# user[:password]@ in a URL with a scheme.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s:@\"'<>\\]+(?::[^/\s@\"'<>\\]*)?@")
# One character of a URL scheme (as `_USERINFO` reads it): to find where a scheme before a
# "://" begins without scanning the whole text with `_USERINFO`.
_SCHEME_CHAR = re.compile(r"(?i)[a-z0-9+.\-]")
_BEARER_WORD = b"bearer"
# Characters a terminal acts on (ESC, BEL, backspace, C1 controls), and lone surrogates
# (a YAML "\ud800" escape), which no UTF-8 encoder accepts. Tab and newline stay.
_HOSTILE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACE_LIKE = re.compile(r"[\x0b\x0c\r]")
# Either of the two: one scan tells whether `scrub` has anything to do.
_SCRUB_ANY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

_extra: set[str] = set()
_extra_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Treat `value` (a token passed in code rather than the environment) as a secret."""
    if value and len(value) >= MIN_SECRET:
        with _extra_lock:
            _extra.add(value)


def _md_escaped(secret: str) -> str:
    return re.sub(r"([\\`*_\[\]|#<>~])", r"\\\1", secret)


_memo: tuple[tuple[object, ...], list[str]] | None = None


def secrets() -> list[str]:
    """The literal secrets known now, longest first (so that no prefix is left behind)."""
    global _memo
    with _extra_lock:
        key = (*(os.environ.get(name) for name in TOKEN_ENV), len(_extra))
        if _memo is not None and _memo[0] == key:
            return _memo[1]
        found = {os.environ.get(name, "").strip() for name in TOKEN_ENV} | _extra
    values = {s for s in found if len(s) >= MIN_SECRET and not any(c.isspace() for c in s)}
    values |= {_md_escaped(s) for s in values}
    ordered = sorted(values, key=lambda s: (-len(s), s))
    _memo = (key, ordered)
    return ordered


def redact(text: str) -> str:
    """`text` with every secret and token-like string replaced by `***`."""
    if not text:
        return text
    original = text
    for secret in secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    # Each pattern only where what it needs is there: a substring test is a memchr-speed scan,
    # the pattern's own scan of a long text (a licence, a 1.6 MB report) is 10-50x slower.
    if "hf_" in text or "hf\\_" in text:
        text = _HF_TOKEN.sub(MASK, text)
    if _has_bearer(text):
        text = _BEARER.sub(MASK, text)
    if "=" in text:
        text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
    if "@" in text and "://" in text:
        text = _userinfo_sub(text)
    # An already redacted URL is matched again: hand back the caller's own object then,
    # so that `sanitize` copies nothing that is already clean.
    return original if text == original else text


def _has_bearer(text: str) -> bool:
    """Whether `(?i)bearer` occurs in `text`. Its letters have no case variants outside
    ASCII, and UTF-8 never encodes another character with ASCII bytes, so the test is made
    on the bytes, lowered (ASCII only, fast), rather than with a case-blind regex scan."""
    if text.isascii():
        return "bearer" in text.lower()
    return _BEARER_WORD in text.encode("utf-8", "surrogatepass").lower()


def _userinfo_sub(text: str) -> str:
    """`_USERINFO.sub(...)` on `text`, the same matches, without scanning all of it.

    Every match holds a "://" that ends its scheme, and the scheme is a run of `_SCHEME_CHAR`
    right before it, so each match starts in the run before some "://": for each one (left
    to right, past the previous match) the pattern is tried from the start of that run, as
    `re.sub` would try it from every earlier position and fail there."""
    pieces: list[str] = []
    last = 0  # end of the previous match: where `re.sub` would search on from
    at = text.find("://")
    while at >= 0:
        start = at
        while start > last and _SCHEME_CHAR.match(text, start - 1) is not None:
            start -= 1
        for pos in range(start, at):
            match = _USERINFO.match(text, pos)
            if match is not None:
                pieces.append(text[last:pos])
                pieces.append(match.group(1) + MASK + "@")
                last = match.end()
                break
        at = text.find("://", max(at + 1, last))
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def scrub(text: str) -> str:
    """`text` without characters a terminal acts on and without lone surrogates."""
    if _SCRUB_ANY.search(text) is None:
        return text
    return _HOSTILE.sub("\ufffd", _SPACE_LIKE.sub(" ", text.replace("\r\n", "\n")))


def clean(text: str) -> str:
    """Redacted and scrubbed: safe to show on a terminal and in any report."""
    return scrub(redact(text))


def one_line(text: object, limit: int = 300) -> str:
    """A message safe to print: one line, bounded, no secrets, no control characters."""
    line = " ".join(clean(str(text)).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def sanitize(value: T) -> T:
    """`value` (facts, findings, any dataclass tree) with every string `clean`ed.

    Containers are rebuilt only where something changed, so clean input costs one scan of
    each string. Nesting deeper than `MAX_DEPTH` and cycles are left as they are.
    """
    result: T = _walk(value, 0, set())
    return result


def _walk(value: Any, depth: int, active: set[int]) -> Any:
    if isinstance(value, str):
        return clean(value)
    if depth > MAX_DEPTH or id(value) in active:
        return value
    if isinstance(value, (int, float, bool, bytes)) or value is None:
        return value
    active.add(id(value))
    try:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in dataclasses.fields(value):
                if not f.init:
                    continue
                old = getattr(value, f.name)
                new = _walk(old, depth + 1, active)
                if new is not old:
                    changes[f.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        if isinstance(value, (tuple, list)):
            items = [_walk(v, depth + 1, active) for v in value]
            if all(a is b for a, b in zip(items, value, strict=True)):
                return value
            return type(value)(items) if isinstance(value, list) else tuple(items)
        if isinstance(value, dict):
            pairs = [
                (_walk(k, depth + 1, active), _walk(v, depth + 1, active)) for k, v in value.items()
            ]
            if all(
                k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)
            ):
                return value
            return dict(pairs)
        return value
    finally:
        active.discard(id(value))


class RedactingFilter:
    """A logging filter that redacts each record's message (and drops its arguments).

    logging takes any object with a `filter` method: not subclassing `logging.Filter`
    keeps logging out of the imports of every command that only redacts text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep it, unformatted
            message = str(record.msg)
        record.msg = one_line(message, 2000)
        record.args = None
        if record.exc_info or record.exc_text:
            # A traceback may quote a URL with a token; the message says what happened.
            record.exc_info = None
            record.exc_text = None
        return True


_FILTER = RedactingFilter()


def install_logging_filter(*names: str) -> None:
    """Redact what the named loggers (default: the root logger and huggingface_hub, httpx,
    urllib3) emit, through whatever handlers they have or get later."""
    import logging

    targets = names or ("", "huggingface_hub", "httpx", "httpx2", "httpcore", "urllib3")
    for name in targets:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    # Records from child loggers skip their ancestors' logger filters but not handler
    # filters: put it on every handler that exists, and on the last-resort handler.
    for handler in (*logging.getLogger().handlers, logging.lastResort):
        if handler is not None and _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
