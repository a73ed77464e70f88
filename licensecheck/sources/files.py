"""Which repo files are licence evidence, and how they are read (the same for every source).

Selection (case-insensitive, on paths relative to the repo root):

- top level: `README.md`, and any file whose name starts with LICENSE, LICENCE, COPYING,
  MODEL_LICENSE, USE_POLICY, NOTICE, ACCEPTABLE_USE or TERMS_OF_USE, or contains the word
  "license"/"licence" (`LICENSE-MODEL`, `LICENSE_weights`, `Community License for X.pdf`);
- one level down: the same names (`model_licenses/LICENSE`, `original/LICENSE`), and every
  file inside a top-level folder named like `LICENSES/` (the REUSE layout: `LICENSES/MIT.txt`);
- at most `MAX_FILES` files, top level first, in path order.

A file whose extension says it is not text (`.pdf`, images, weights) is not read: it
becomes a `file-not-text` finding, an evidence gap a reviewer has to close by hand.

Reading: at most `MAX_FILE_BYTES` (1 MiB) per file; a longer file is truncated (finding
`file-truncated`). A file with NUL bytes is binary (finding `file-binary`, not read); bytes
that are not UTF-8 are decoded with U+FFFD replacement (finding `file-not-utf8`); an empty
file is a finding (`file-empty`). `sha256` is the hash of the bytes read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from licensecheck import paths
from licensecheck.facts import Finding, RepoFile

MAX_FILE_BYTES = 1024 * 1024
# Real repos hold a few licence files, a NOTICE, a USE_POLICY and per-folder LICENSEs; a
# repo past this cap is judged incomplete (the policy's `unreadable_license_file`).
MAX_FILES = 32
README = "README.md"

_PREFIXES = (
    "license",
    "licence",
    "copying",
    "model_license",
    "model_licence",
    "use_policy",
    "use-policy",
    "notice",
    "acceptable_use",
    "acceptable-use",
    "terms_of_use",
    "terms-of-use",
)
_WORD = re.compile(r"licen[cs]e", re.IGNORECASE)
_LICENSE_DIRS = re.compile(r"^licen[cs]es?$|^model_licen[cs]es?$", re.IGNORECASE)
# Extensions that are never licence text we can read.
_NOT_TEXT = frozenset(
    {
        "pdf", "doc", "docx", "odt", "rtf", "png", "jpg", "jpeg", "gif", "webp", "svg", "bmp",
        "safetensors", "bin", "pt", "pth", "ckpt", "gguf", "ggml", "onnx", "h5", "msgpack",
        "npz", "npy", "tflite", "mlmodel", "zip", "gz", "tgz", "bz2", "xz", "zst", "tar", "7z",
        "parquet", "arrow", "model", "wav", "mp3", "mp4",
    }
)  # fmt: skip
# Source and config files named like licences (license.py, license_check.json) are code.
_CODE = frozenset(
    {"py", "js", "ts", "json", "jsonl", "yaml", "yml", "toml", "ipynb", "sh", "cfg", "lock"}
)


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _licence_name(name: str) -> bool:
    lower = name.lower()
    return lower.startswith(_PREFIXES) or _WORD.search(lower) is not None


def is_licence_like(path: str) -> bool:
    """Whether a repo-relative path (with `/`) is licence evidence worth reading."""
    parts = path.split("/")
    name = parts[-1]
    if not name or _extension(name) in _CODE or any(p in ("", ".", "..") for p in parts):
        return False
    if len(parts) == 1:
        return name.lower() == README.lower() or _licence_name(name)
    if len(parts) == 2:
        return _LICENSE_DIRS.match(parts[0]) is not None or _licence_name(name)
    return False


def is_text_name(path: str) -> bool:
    return _extension(path.rsplit("/", 1)[-1]) not in _NOT_TEXT


def _ordered(paths: Iterable[str]) -> list[str]:
    return sorted(
        {p for p in paths if is_licence_like(p)}, key=lambda p: (p.count("/"), p.lower(), p)
    )


def select(paths: Iterable[str]) -> list[str]:
    """The licence-like paths among `paths`: top level first, then by path; capped."""
    return _ordered(paths)[:MAX_FILES]


def overflow_finding(paths: Iterable[str]) -> Finding | None:
    """The licence-like files past `MAX_FILES`, named (the first few), or None."""
    chosen = _ordered(paths)
    left = chosen[MAX_FILES:]
    if not left:
        return None
    named = ", ".join(left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
    return Finding(
        kind="files-capped",
        message=f"{len(chosen)} licence-like files, more than {MAX_FILES}; not read: {named}",
        path=left[0],
    )


def not_text_finding(path: str) -> Finding:
    return Finding(
        kind="file-not-text",
        message=f"{path}: not a text file (by its extension); not read, check it by hand",
        path=path,
    )


def decode(repo_path: str, raw: bytes, truncated: bool) -> tuple[RepoFile | None, list[Finding]]:
    """Bytes read from a licence-like file -> RepoFile (or None) and the findings about it."""
    findings: list[Finding] = []
    if truncated:
        findings.append(
            Finding(
                kind="file-truncated",
                message=f"{repo_path}: larger than {MAX_FILE_BYTES} bytes; read the first "
                f"{MAX_FILE_BYTES}",
                path=repo_path,
            )
        )
    if b"\x00" in raw:
        findings.append(
            Finding(
                kind="file-binary",
                message=f"{repo_path}: binary (NUL bytes); not read",
                path=repo_path,
            )
        )
        return None, findings
    if not raw.strip():
        findings.append(Finding(kind="file-empty", message=f"{repo_path}: empty", path=repo_path))
        return None, findings
    raw_text = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if truncated:
        # Do not report a multi-byte character cut by the cap as a decoding problem.
        raw_text = raw_text[: len(raw_text) - _cut_tail(raw_text)]
    text = raw_text.decode("utf-8", errors="replace")
    if "\ufffd" in text and "\ufffd".encode() not in raw_text:
        findings.append(
            Finding(
                kind="file-not-utf8",
                message=f"{repo_path}: not valid UTF-8; undecodable bytes replaced",
                path=repo_path,
            )
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(raw).hexdigest()
    return RepoFile(path=repo_path, text=text, sha256=digest, truncated=truncated), findings


def _cut_tail(raw: bytes) -> int:
    """Bytes at the end of `raw` that belong to a UTF-8 sequence cut short."""
    for back in range(1, min(4, len(raw)) + 1):
        byte = raw[-back]
        if byte & 0xC0 == 0x80:  # continuation byte: keep looking for the lead byte
            continue
        if byte & 0x80 == 0:
            return 0
        need = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4
        return back if back < need else 0
    return 0


def read_file(disk_path: Path, repo_path: str) -> tuple[RepoFile | None, list[Finding]]:
    """Read one licence-like file from disk with the size cap. Never raises for bad content."""
    try:
        raw = paths.read_bytes(disk_path, MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, [
            Finding(kind="file-unreadable", message=f"{repo_path}: {reason}", path=repo_path)
        ]
    return from_bytes(raw, repo_path)


def from_bytes(raw: bytes, repo_path: str) -> tuple[RepoFile | None, list[Finding]]:
    """A file's bytes (already in memory, say downloaded) read as `read_file` reads them."""
    return decode(repo_path, raw[:MAX_FILE_BYTES], len(raw) > MAX_FILE_BYTES)
