"""What discovery found in each file on earlier runs, keyed by the file's name and content.

A pre-commit hook scans the same unchanged files on every commit. Parsing them again means
importing PyYAML, `ast` and `tomllib` and walking every tree; with this cache a warm scan
reads each file, hashes it and reuses the references found last time. The key is the file's
name (reported paths are part of the result) and a BLAKE2 digest of its bytes, never its
modification time: an edit that keeps size and mtime is still seen. The whole cache is
dropped when the discovery code changes (its files' sizes and mtimes are part of the cache's
name), so an upgrade never reuses what an older version found.

One pickle per scan root in licensecheck's cache directory; a damaged or unwritable cache is
ignored (discovery is then done in full, as without a cache).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from licensecheck import paths
from licensecheck.discovery.types import FoundRef, Problem

MAX_ENTRIES = 20_000  # files remembered per scan root; the oldest are dropped beyond this

Found = tuple[tuple[FoundRef, ...], tuple[Problem, ...]]


def _code_signature() -> str:
    """Changes whenever the discovery code does (an upgrade, or an edit in a checkout)."""
    return paths.code_digest([Path(__file__).parent])


class DiscoveryCache:
    """Per-file discovery results for one scan root."""

    def __init__(self, path: Path | None, entries: dict[str, tuple[bytes, Found]]) -> None:
        self.path = path  # None: not kept between runs
        self._entries = entries
        self._dirty = False

    @classmethod
    def open(cls, root: Path) -> DiscoveryCache:
        """The cache for scans rooted at `root` (empty when there is none yet)."""
        try:
            key = hashlib.sha256(f"{root.resolve()}\0{_code_signature()}".encode())
            path = paths.cache_dir() / f"discovery-{key.hexdigest()[:20]}.pickle"
        except (OSError, RuntimeError):  # no home directory, unreadable package files
            return cls(None, {})
        loaded = paths.read_pickle(path)
        entries = loaded if isinstance(loaded, dict) else {}
        return cls(path, entries)

    @staticmethod
    def digest(data: bytes) -> bytes:
        return hashlib.blake2b(data, digest_size=20).digest()

    def get(self, rel: str, digest: bytes) -> Found | None:
        entry = self._entries.get(rel)
        if entry is None or entry[0] != digest:
            return None
        found = entry[1]
        # Whatever the pickle holds, hand back only what discovery itself would return.
        if not (
            isinstance(found, tuple)
            and len(found) == 2
            and all(isinstance(r, FoundRef) for r in found[0])
            and all(isinstance(p, Problem) for p in found[1])
        ):
            return None
        return found

    def put(self, rel: str, digest: bytes, found: Found) -> None:
        self._entries.pop(rel, None)  # re-inserted last: the newest entries are kept longest
        self._entries[rel] = (digest, found)
        self._dirty = True

    def save(self) -> None:
        """Write the cache back if this run added to it (atomically; failures ignored)."""
        if self.path is None or not self._dirty:
            return
        excess = len(self._entries) - MAX_ENTRIES
        if excess > 0:
            for rel in list(self._entries)[:excess]:
                del self._entries[rel]
        paths.write_pickle(self.path, self._entries)
        self._dirty = False
