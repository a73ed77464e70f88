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
and `--offline` read what we wrote. Every file is written under a temporary name where
huggingface_hub writes its own, `blobs/<etag>.<random>.incomplete` (what `scan_cache_dir`
and `hf cache` report and clean after a killed run), then moved into place with
`os.replace`, so a concurrent huggingface_hub download of the same blob is harmless: both
write the same bytes, and a reader sees a whole file or none. No lock is needed for that
(huggingface_hub's `.locks/` guard its own `.incomplete` names). A blob is named by its
ETag, the file's git blob sha1 (`huggingface_hub.utils.sha.git_hash`, what the Hub compares
uploads with) or, for LFS and Xet files, its sha256. As huggingface_hub does, the cache
folder gets a `CACHEDIR.TAG`, and where symlinks are off (`HF_HUB_DISABLE_SYMLINKS`) or not
supported the snapshot holds a copy (with huggingface_hub's warning in the latter case).

The protocol, as huggingface_hub follows it (`_httpx2_follow_hub_redirects_with_backoff`):
redirects are followed by hand; to the same origin or another Hub origin (huggingface_hub's
own list, `KNOWN_HUB_ENDPOINTS` and `HF_ENDPOINT`, plus the endpoint we were given: a
renamed repo, `/api/resolve-cache/...`, a mirror's 308 to huggingface.co) with the same
headers, token included; to any other origin (an LFS/Xet CDN) without `Authorization`, the
metadata then being the redirect's (`X-Linked-Etag`, `X-Linked-Size`). The body must have
the announced size and come from the commit asked for (`X-Repo-Commit`). Its hash must match
the ETag only where the ETag is the Hub's content hash: named by a Hub origin of
huggingface_hub's own list (a mirror's ETag may be anything: huggingface_hub accepts any
body of the right size, and so do we).

Pure transport and file writing: errors are raised as huggingface_hub's own HTTP errors
(`hf_raise_for_status`), httpx2 transport errors, or the exceptions below; `hub.py` maps them
to findings and `SourceError`s.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
import time
import uuid
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
# huggingface_hub's own Hub origins (utils/_http.py `_HUB_ORIGINS`), HF_ENDPOINT aside.
KNOWN_HUB_ENDPOINTS = ("https://huggingface.co", "https://hub-ci.huggingface.co", "https://hf.co")
# huggingface_hub's CACHEDIR.TAG (`_local_folder.CACHEDIR_TAG_CONTENT`; https://bford.info/cachedir/)
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by huggingface_hub.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
SYMLINK_WARNING = (
    "`huggingface_hub` cache-system uses symlinks by default to efficiently store duplicated "
    "files but your machine does not support them in {cache_dir}. Caching files will still "
    "work but in a degraded version that might require more space on your disk. This warning "
    "can be disabled by setting the `HF_HUB_DISABLE_SYMLINKS_WARNING` environment variable. "
    "For more details, see https://huggingface.co/docs/huggingface_hub/how-to-cache#limitations."
)

Origin = tuple[str, str, int | None]


@dataclass(frozen=True)
class Fetched:
    """A downloaded file: its bytes, and where the HF cache now holds it (None when the
    cache could not be written: a read-only shared cache costs the caching, not the file)."""

    data: bytes
    stored: Path | None


@dataclass(frozen=True)
class Hosts:
    """Whom a download trusts: `followed` get the token on a redirect (huggingface_hub's
    Hub origins and the endpoint's); `hashed` name blobs by their content hash (the Hub's
    own origins: huggingface_hub's list and HF_ENDPOINT, not a mirror given by --endpoint)."""

    followed: frozenset[Origin]
    hashed: frozenset[Origin]

    @classmethod
    def for_endpoint(cls, endpoint: str) -> Hosts:
        from huggingface_hub import constants

        hub = frozenset(origin(url) for url in (*KNOWN_HUB_ENDPOINTS, constants.ENDPOINT))
        return cls(followed=hub | {origin(endpoint)}, hashed=hub)


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
    commit: str | None,
    hosts: Hosts,
    timeout: float,
    deadline_at: float,
    max_bytes: int,
    gate: Any = None,
) -> Fetched:
    """GET `url` (a /resolve/ URL at `commit`, when it is a sha) and store it under
    `repo_cache` (the repo's `models--org--name` folder). `deadline_at` is a
    `time.monotonic()` value that no request or read may pass; `gate` (a hub_client
    GatedSource) is waited at before each request and told of each answer."""
    import httpx2

    try:
        got, etag, data = _fetch(
            session, url, headers, hosts, timeout, deadline_at, max_bytes, gate
        )
    except httpx2.TimeoutException as exc:
        # A wait cut short by the deadline is the deadline's doing, not the Hub's timeout.
        if time.monotonic() >= deadline_at - 0.05:
            raise DeadlineExceeded() from exc
        raise
    if commit is not None and got != commit:
        raise DownloadError(f"asked for commit {commit[:12]}, the answer is from {got[:12]}")
    try:
        stored: Path | None = store(repo_cache, got, path, etag, data)
    except OSError:
        stored = None  # an accelerator lost: the next run downloads the file again
    return Fetched(data, stored)


def _fetch(
    session: Any,
    url: str,
    headers: dict[str, str],
    hosts: Hosts,
    timeout: float,
    deadline_at: float,
    max_bytes: int,
    gate: Any,
) -> tuple[str, str, bytes]:
    """(commit, etag, body) of the file at `url`, checked against its size and hash."""
    from huggingface_hub import hf_raise_for_status

    from licensecheck.sources import hub_client

    sent = dict(headers)
    sent["Accept-Encoding"] = "identity"  # the ETag and the size are the raw bytes'
    meta: Any = None  # the headers that describe the file (see the module docstring)
    named_by: Origin | None = None  # the origin whose answer names the blob
    for _ in range(MAX_REDIRECTS + 1):
        if gate is not None:
            hub_client.before_request(gate)
        with session.stream(
            "GET", url, headers=sent, timeout=_timeout(timeout, deadline_at),
            follow_redirects=False,
        ) as response:  # fmt: skip
            if gate is not None:
                hub_client.after_response(gate, response)
            status = response.status_code
            if 300 <= status < 400 and response.headers.get("location"):
                target = urljoin(url, response.headers["location"])
                here, there = origin(url), origin(target)
                if meta is None and there != here and there not in hosts.followed:
                    # Leaving the Hub (a CDN): its redirect names the blob; no token there.
                    meta, named_by = response.headers, here
                    sent = {k: v for k, v in sent.items() if k.lower() != "authorization"}
                url = target
                continue
            if status >= 400:
                response.read()  # hf_raise_for_status reads the error's body
                hf_raise_for_status(response)
            if status != 200:
                raise DownloadError(f"unexpected HTTP {status}")
            if meta is None:
                meta, named_by = response.headers, origin(url)
            commit, etag, size = _metadata(meta, response.headers)
            if size is not None and size > max_bytes:
                raise TooLarge(size)
            data = _read_body(response, deadline_at, max_bytes)
        break
    else:
        raise DownloadError(f"more than {MAX_REDIRECTS} redirects")
    if size is not None and len(data) != size:
        raise Incomplete(f"got {len(data)} of {size} bytes")
    if named_by in hosts.hashed:
        _check_hash(etag, data)
    return commit, etag, data


def _timeout(timeout: float, deadline_at: float) -> float:
    left = deadline_at - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded()
    return min(timeout, left)


def origin(url: str) -> Origin:
    """(scheme, host, port) as huggingface_hub compares origins (`_url_origin`)."""
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
    """The Hub's ETag is the git blob sha1 (a regular file) or the sha256 (LFS, Xet). A
    plain sha1 of the bytes (what some HF_ENDPOINT proxies send) is a content hash too."""
    if is_sha(etag):
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False)
        if (
            blob.hexdigest() == etag
            or hashlib.sha1(data, usedforsecurity=False).hexdigest() == etag
        ):
            return
    elif _SHA256.fullmatch(etag):
        if hashlib.sha256(data).hexdigest() == etag:
            return
    else:
        return  # not a content hash: the size check is all there is
    raise Incomplete("the body does not match its ETag")


# --- the HF cache -----------------------------------------------------------------------

_TAGGED: set[str] = set()
_NO_SYMLINKS: set[str] = set()  # cache folders where a symlink failed (warned once each)
_CACHE_LOCK = threading.Lock()


def store(repo_cache: Path, commit: str, path: str, etag: str, data: bytes) -> Path:
    """Write `data` as huggingface_hub would have: `snapshots/<commit>/<path>` a relative
    link to `blobs/<etag>`, or a copy where symlinks are off or unsupported."""
    pointer = repo_cache / "snapshots" / commit / path
    pointer.parent.mkdir(parents=True, exist_ok=True)  # first: a repo folder always has one
    blobs = repo_cache / "blobs"
    blobs.mkdir(exist_ok=True)
    tag_cache(repo_cache.parent)
    if not _symlinks_wanted(repo_cache.parent):
        replace_from_incomplete(blobs, etag, data, pointer)
        return pointer
    blob = blobs / etag
    if not _same_size(blob, len(data)):
        replace_from_incomplete(blobs, etag, data, blob)
    try:
        _link(blob, pointer)
    except FileExistsError:
        raise  # a race lost three times, not a filesystem without symlinks
    except OSError:  # no symlinks on this filesystem: a copy, as huggingface_hub falls back to
        _symlinks_unsupported(repo_cache.parent)
        replace_from_incomplete(blobs, etag, data, pointer)
    return pointer


def store_ref(repo_cache: Path, revision: str, sha: str) -> None:
    """Write `refs/<revision>` (a branch or tag -> `sha`) where it does not exist yet."""
    ref = repo_cache / "refs" / revision
    if os.path.lexists(ref):
        return
    (repo_cache / "snapshots" / sha).mkdir(parents=True, exist_ok=True)
    ref.parent.mkdir(parents=True, exist_ok=True)
    blobs = repo_cache / "blobs"
    blobs.mkdir(exist_ok=True)
    tag_cache(repo_cache.parent)
    replace_from_incomplete(blobs, "ref", sha.encode("ascii"), ref)


def replace_from_incomplete(blobs: Path, etag: str, data: bytes, target: Path) -> None:
    """`target` holds `data`, written first as `blobs/<etag>.<random>.incomplete`: the name
    huggingface_hub gives its own partial downloads, which `scan_cache_dir` reports and
    `hf cache` tools clean up if this process is killed before the `os.replace`."""
    temporary = blobs / f"{etag}.{uuid.uuid4().hex[:8]}.incomplete"
    paths.write_atomic(target, data, temporary=temporary)


def tag_cache(cache_dir: Path) -> None:
    """`CACHEDIR.TAG` in the HF cache, as huggingface_hub writes it (backup tools skip it)."""
    key = str(cache_dir)
    if key in _TAGGED:
        return
    tag = cache_dir / "CACHEDIR.TAG"
    try:
        if not tag.exists():  # written in place, as huggingface_hub does (scan skips it by name)
            fd = os.open(tag, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(CACHEDIR_TAG)
    except FileExistsError:
        pass  # another writer's
    except OSError:
        return  # a read-only cache: not tagged, as huggingface_hub leaves it
    with _CACHE_LOCK:
        _TAGGED.add(key)


def _symlinks_wanted(cache_dir: Path) -> bool:
    from huggingface_hub import constants

    return not constants.HF_HUB_DISABLE_SYMLINKS and str(cache_dir) not in _NO_SYMLINKS


def _symlinks_unsupported(cache_dir: Path) -> None:
    import warnings

    from huggingface_hub import constants

    key = str(cache_dir)
    with _CACHE_LOCK:
        if key in _NO_SYMLINKS:
            return
        _NO_SYMLINKS.add(key)
    if not constants.HF_HUB_DISABLE_SYMLINKS_WARNING:
        warnings.warn(SYMLINK_WARNING.format(cache_dir=os.path.abspath(cache_dir)), stacklevel=2)


def _link(blob: Path, pointer: Path) -> None:
    """`pointer` a relative symlink to `blob`; an entry already there is replaced unless it
    is that link (another writer of the same file), as huggingface_hub's `_create_symlink`."""
    target = os.path.relpath(blob, pointer.parent)
    for _ in range(3):
        try:
            os.symlink(target, pointer)
            return
        except FileExistsError:
            if os.path.islink(pointer) and os.readlink(pointer) == target:
                return
            with contextlib.suppress(FileNotFoundError):
                os.unlink(pointer)
    os.symlink(target, pointer)


def _same_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False
