"""One file of a Hub repo into the Hugging Face cache with ONE request: GET at the commit.

huggingface_hub's `hf_hub_download` asks twice per file (a HEAD for the metadata, then the
GET), takes a file lock per blob and probes symlink support per repo folder: ~6 ms of CPU a
file under 16-way concurrency, half of a cold 100-model audit's CPU (docs/performance.md).
The GET's own headers carry what the HEAD gives (`X-Repo-Commit`, `ETag` or `X-Linked-Etag`,
the size), so this reads them from the GET and writes the cache layout the Hub documents "as
a reference for reimplementing the cache system in any language" (https://huggingface.co/
docs/hub/local-cache; also ../shared/notes/hub-protocol.md), as huggingface_hub does:

    {cache}/models--{org}--{name}/blobs/{etag}
    {cache}/models--{org}--{name}/snapshots/{commit}/{path} -> ../../blobs/{etag}

so that huggingface_hub (`try_to_load_from_cache`, `local_files_only=True`, `scan_cache_dir`)
and `--offline` read what we wrote. Each write is atomic (a unique temporary name, then
`os.replace`), so a concurrent huggingface_hub download of the same blob is harmless: both
write the same bytes, and a reader sees a whole file or none. No lock is needed for that
(huggingface_hub's `.locks/` guard its resumable `<blob>.incomplete`, which we never touch).
A blob is named by its ETag, the file's git blob sha1 (`huggingface_hub.utils.sha.git_hash`,
what the Hub compares uploads with) or, for LFS and Xet files, its sha256.

The protocol, as huggingface_hub follows it: redirects are followed by hand; within the
Hub's origin (a renamed repo, `/api/resolve-cache/...`) with the same headers; to another
origin (an LFS/Xet CDN) without `Authorization`, the metadata then being the redirect's
(`X-Linked-Etag`, `X-Linked-Size`). The body must have the announced size, and, stricter
than huggingface_hub, its hash must match the ETag when the ETag is one (a 40-hex git blob
sha1 or a 64-hex sha256): a damaged or substituted body never enters the cache.

Pure transport and file writing: errors are raised as huggingface_hub's own HTTP errors
(`hf_raise_for_status`), httpx2 transport errors, or the exceptions below; `hub.py` maps them
to findings and `SourceError`s.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from licensecheck import paths
from licensecheck.sources.refs import is_sha

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SAFE_ETAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class Fetched:
    """A downloaded file: its bytes, and where the HF cache now holds it (None when the
    cache could not be written: a read-only shared cache costs the caching, not the file)."""

    data: bytes
    stored: Path | None


class DownloadError(Exception):
    """The Hub's answer cannot be used; `str()` is a one-line reason."""


class Incomplete(DownloadError):
    """The body is shorter or longer than announced: worth another try."""


class TooLarge(DownloadError):
    """The file is larger than the caller will read; nothing was downloaded."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


class DeadlineExceeded(DownloadError):
    pass


def resolve_url(endpoint: str, repo_id: str, revision: str, path: str) -> str:
    """`hf_hub_url`'s form: the revision quoted whole, the path with its slashes."""
    from urllib.parse import quote

    return f"{endpoint}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(path)}"


def safe_repo_path(path: str) -> bool:
    """A repo file name that stays inside its snapshot folder (listings come from a server)."""
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def download(
    session: Any,
    url: str,
    *,
    headers: dict[str, str],
    repo_cache: Path,
    path: str,
    timeout: float,
    deadline_at: float,
    max_bytes: int,
) -> Fetched:
    """GET `url` (a /resolve/ URL at a commit) and store it under `repo_cache` (the repo's
    `models--org--name` folder). `deadline_at` is a `time.monotonic()` value that no
    request or read may pass."""
    import httpx2

    try:
        commit, etag, data = _fetch(session, url, headers, timeout, deadline_at, max_bytes)
    except httpx2.TimeoutException as exc:
        # A wait cut short by the deadline is the deadline's doing, not the Hub's timeout.
        if time.monotonic() >= deadline_at - 0.05:
            raise DeadlineExceeded() from exc
        raise
    try:
        stored: Path | None = _store(repo_cache, commit, path, etag, data)
    except OSError:
        stored = None  # an accelerator lost: the next run downloads the file again
    return Fetched(data, stored)


def _fetch(
    session: Any,
    url: str,
    headers: dict[str, str],
    timeout: float,
    deadline_at: float,
    max_bytes: int,
) -> tuple[str, str, bytes]:
    """(commit, etag, body) of the file at `url`, checked against its size and hash."""
    from huggingface_hub import hf_raise_for_status

    origin = _origin(url)
    sent = dict(headers)
    sent["Accept-Encoding"] = "identity"  # the ETag and the size are the raw bytes'
    meta: Any = None  # the headers that describe the file (see the module docstring)
    for _ in range(MAX_REDIRECTS + 1):
        with session.stream(
            "GET", url, headers=sent, timeout=_timeout(timeout, deadline_at),
            follow_redirects=False,
        ) as response:  # fmt: skip
            status = response.status_code
            if 300 <= status < 400 and response.headers.get("location"):
                target = urljoin(url, response.headers["location"])
                if meta is None and _origin(target) != origin:
                    meta = response.headers  # leaving the Hub: its redirect names the blob
                    sent = {k: v for k, v in sent.items() if k.lower() != "authorization"}
                url = target
                continue
            if status >= 400:
                response.read()  # hf_raise_for_status reads the error's body
                hf_raise_for_status(response)
            if status != 200:
                raise DownloadError(f"unexpected HTTP {status}")
            if meta is None:
                meta = response.headers
            commit, etag, size = _metadata(meta, response.headers)
            if size is not None and size > max_bytes:
                raise TooLarge(size)
            data = _read_body(response, deadline_at, max_bytes)
        break
    else:
        raise DownloadError(f"more than {MAX_REDIRECTS} redirects")
    if size is not None and len(data) != size:
        raise Incomplete(f"got {len(data)} of {size} bytes")
    _check_hash(etag, data)
    return commit, etag, data


def _timeout(timeout: float, deadline_at: float) -> float:
    left = deadline_at - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded()
    return min(timeout, left)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _metadata(meta: Any, final: Any) -> tuple[str, str, int | None]:
    commit = (meta.get("x-repo-commit") or "").strip()
    if not is_sha(commit):
        raise DownloadError("the Hub's answer has no valid X-Repo-Commit")
    etag = _normalize_etag(meta.get("x-linked-etag") or meta.get("etag"))
    if etag is None:
        raise DownloadError("the Hub's answer has no usable ETag")
    size_text = meta.get("x-linked-size")
    if size_text is None and meta is final and not final.get("content-encoding"):
        size_text = final.get("content-length")
    try:
        size = int(size_text) if size_text is not None else None
    except ValueError:
        raise DownloadError(f"unreadable size {size_text[:40]!r}") from None
    return commit, etag, size


def _normalize_etag(value: str | None) -> str | None:
    """huggingface_hub's blob name: weak prefix and quotes removed. Refused when it could
    not be a plain file name (a server must not choose where we write)."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    return value if _SAFE_ETAG.fullmatch(value) else None


def _read_body(response: Any, deadline_at: float, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes(CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(total)
        chunks.append(chunk)
        if time.monotonic() > deadline_at:
            raise DeadlineExceeded()
    return b"".join(chunks)


def _check_hash(etag: str, data: bytes) -> None:
    if is_sha(etag):
        digest = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False)
    elif _SHA256.fullmatch(etag):
        digest = hashlib.sha256(data)
    else:
        return  # not a content hash (a mirror's own ETag): the size check is all there is
    if digest.hexdigest() != etag:
        raise Incomplete("the body does not match its ETag")


def _store(repo_cache: Path, commit: str, path: str, etag: str, data: bytes) -> Path:
    blob = repo_cache / "blobs" / etag
    pointer = repo_cache / "snapshots" / commit / path
    if not _same_size(blob, len(data)):
        paths.write_atomic(blob, data)
    pointer.parent.mkdir(parents=True, exist_ok=True)
    temporary = pointer.with_name(f".{pointer.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        os.symlink(os.path.relpath(blob, pointer.parent), temporary)
    except OSError:  # no symlinks on this filesystem: a copy, as huggingface_hub falls back to
        paths.write_atomic(pointer, data)
        return pointer
    try:
        os.replace(temporary, pointer)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)
    return pointer


def _same_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False
