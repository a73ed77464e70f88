"""licensecheck's own on-disk cache of licence determinations (the HF cache of model files is
another thing: see sources/cache.py).

Identifying a model's licence (matching its licence files and card text) is the one costly
step a warm run would repeat, so its result is kept on disk, one JSON file per model:

    $LICENSECHECK_CACHE_DIR (else the user cache dir)/determinations/<generation>/<key>.json

- `generation` is a digest of the knowledge base (`kb.digest`) and of the matcher version
  (`matcher_version()`: the identification code, the index's canonical texts and format):
  any change to either starts a new generation, so an entry is never read by another
  matcher. Older generations are pruned (a few are kept for side-by-side installations).
- `key` is a digest of the repo, the commit sha and everything the source learned about the
  model at that commit (`facts_digest`: card, card text, licence files, tags, findings...).
  Only models at a known commit sha are cached: their content cannot change under the key.
- Writes are atomic (temp file + rename). An entry that cannot be read, parsed or decoded
  into a `Determination`, or that names another key, is ignored (a miss) and rewritten:
  never trusted. The cache is an accelerator only; every failure falls back to identifying.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from licensecheck.codec import CodecError, determination_from, to_json

if TYPE_CHECKING:
    from licensecheck.facts import ModelFacts
    from licensecheck.identify.types import Determination
    from licensecheck.knowledge.store import KnowledgeBase

FORMAT = 1  # bump when the entry layout changes
_SHA = re.compile(r"[0-9a-f]{40}")
KEEP_GENERATIONS = 3
_SUBDIR = "determinations"
# Facts fields that do not describe the model: the name of the source that read it.
_NOT_CONTENT = frozenset({"source"})


@functools.lru_cache(maxsize=4)
def matcher_version(kb_digest: str) -> str:
    """A digest of what identification depends on besides the knowledge base data: the
    identification and knowledge code, the canonical texts and the index format."""
    from licensecheck import facts, identify, knowledge, paths
    from licensecheck.identify import signature  # not the index itself: a warm run needs none

    texts_dir = Path(knowledge.__file__).parent / "texts"
    code = [
        Path(facts.__file__ or ""),
        *(Path(p.__file__ or "").parent for p in (identify, knowledge)),
    ]
    return paths.code_digest(code, signature.texts_digest(kb_digest, texts_dir))


# --- encoding ----------------------------------------------------------------------------


def facts_digest(facts: ModelFacts) -> str:
    """A digest of everything a source learned about a model (all `ModelFacts` fields but
    the source's name; the repo id without its case; not how the revision was spelled)."""
    content = {
        f.name: to_json(getattr(facts, f.name))
        for f in dataclasses.fields(facts)
        if f.name not in _NOT_CONTENT and f.name != "ref"
    }
    content["ref"] = {"repo_id": facts.ref.repo_id.lower(), "local_path": facts.ref.local_path}
    text = json.dumps(content, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def decode_determination(value: Any) -> Determination | None:
    """A `Determination` from its JSON form (codec.py), or None when it is not one."""
    try:
        return determination_from(value, "determination")
    except (CodecError, TypeError, ValueError, RecursionError):
        return None


# --- the cache -----------------------------------------------------------------------------


class DeterminationCache:
    """Determinations on disk, for models at a commit sha. Thread-safe; never raises.
    Creating one costs nothing: the generation is worked out on first use."""

    def __init__(self, directory: Path, kb: KnowledgeBase) -> None:
        self.root = Path(directory) / _SUBDIR
        self._kb_digest = kb.digest
        self._generation: str | None = None
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._lock = threading.Lock()
        self._prepared = False

    @classmethod
    def default(cls, kb: KnowledgeBase) -> DeterminationCache:
        """The cache in `$LICENSECHECK_CACHE_DIR` or the user cache directory."""
        from licensecheck import paths

        return cls(paths.cache_dir(), kb)

    @property
    def generation(self) -> str:
        """A digest of the entry format, the knowledge base and the matcher version."""
        generation = self._generation
        if generation is None:
            with self._lock:  # once: it reads every canonical text and the matcher's code
                if self._generation is None:
                    raw = f"{FORMAT}\0{self._kb_digest}\0{matcher_version(self._kb_digest)}"
                    self._generation = hashlib.sha256(raw.encode()).hexdigest()[:16]
                generation = self._generation
        return generation

    @property
    def directory(self) -> Path:
        return self.root / self.generation

    @staticmethod
    def cacheable(facts: ModelFacts) -> bool:
        return isinstance(facts.revision, str) and _SHA.fullmatch(facts.revision) is not None

    def key(self, facts: ModelFacts) -> str:
        """The entry's key: repo, commit sha and the digest of the facts."""
        raw = f"{facts.ref.repo_id.lower()}\0{facts.revision}\0{facts_digest(facts)}"
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:40]

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, facts: ModelFacts) -> Determination | None:
        """The cached determination for these facts, or None (a miss, never an error)."""
        if not self.cacheable(facts):
            return None
        key = self.key(facts)
        found = self._read(key)
        with self._lock:
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
        return found

    def _read(self, key: str) -> Determination | None:
        try:
            from licensecheck import paths

            data = json.loads(paths.read_bytes(self._path(key)))
        except (OSError, ValueError, RecursionError):
            return None  # missing, unreadable or not JSON: recompute and rewrite
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        return decode_determination(data.get("determination"))

    def put(self, facts: ModelFacts, determination: Determination) -> None:
        """Store a determination (atomically). A cache that cannot be written is skipped."""
        if not self.cacheable(facts):
            return
        key = self.key(facts)
        entry = {
            "format": FORMAT,
            "key": key,
            "repo": facts.ref.repo_id,
            "revision": facts.revision,
            "determination": to_json(determination),
        }
        text = json.dumps(entry, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        from licensecheck import paths

        try:
            self._prepare()
            # Readers see the old entry or the new one.
            paths.write_atomic(self._path(key), text.encode("ascii"), private=True)
        except OSError:
            return  # read-only or full disk: the next run identifies again
        with self._lock:
            self.writes += 1

    def _prepare(self) -> None:
        """Create this generation's directory (the first time, pruning old generations).
        Under the lock: no other writer may look for the directory before it exists."""
        directory = self.directory  # outside the lock: `generation` takes it
        with self._lock:
            if self._prepared:
                return
            created = not directory.is_dir()
            directory.mkdir(parents=True, exist_ok=True)
            self._prepared = True
            if created:
                self._prune()

    def _prune(self) -> None:
        try:
            others = [p for p in self.root.iterdir() if p.is_dir() and p != self.directory]
            others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        for old in others[KEEP_GENERATIONS - 1 :]:
            with contextlib.suppress(OSError):
                for entry in old.iterdir():
                    entry.unlink()
                old.rmdir()


__all__ = ["DeterminationCache", "decode_determination", "facts_digest"]
