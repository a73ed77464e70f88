"""What the matcher precomputes for the canonical texts, built once and cached.

For every text of every version of every licence in the knowledge base (the YAML
`versions[].texts`, files under `knowledge/texts/`), the index holds:

- the licence id, kind, name, version and category (so identifying needs no YAML parsing);
- the normalised tokens (`normalize.Tokens`), with the positions of copyright statements,
  the title block's length and the title line (the text's own name);
- two exact keys: a digest of the raw text (line ends and trailing blanks ignored) and a
  digest of its `normalize.words` (copyright lines left out), so a verbatim, reformatted or
  re-copyrighted copy is a dictionary lookup;
- a sample of the token 3-gram shingles (one in `SAMPLE`) for the candidate stage, and all
  of them, packed, for ranking candidates and finding a licence inside a longer text.

`build()` is pure. `load()` adds a cache: in-process, then a pickle on disk, in
`$LICENSECHECK_CACHE_DIR` or the user cache directory, keyed by the knowledge base (its
digest, or for the bundled one its files' names, sizes and times, so that a warm start
reads no YAML), the texts (likewise), this code and `FORMAT`. It is written atomically, old
ones are pruned, and an unwritable cache only costs the rebuild. That cache file is the one
write the identify stage makes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

from licensecheck.identify.normalize import Tokens, words

if TYPE_CHECKING:
    from licensecheck.knowledge.store import KnowledgeBase

FORMAT = 3  # bump when the normalisation or this layout changes
SHINGLE = 3
SAMPLE = 4  # keep shingles whose key is divisible by SAMPLE


# Plain classes rather than dataclasses: this module is on the start-up path of every
# `licensecheck identify`, and each dataclass costs milliseconds to create at import.
class Entry:
    """One canonical text of one version of one licence."""

    __slots__ = (
        "category",
        "copyright",
        "file",
        "heading",
        "id",
        "kind",
        "name",
        "shingles",
        "title_len",
        "version",
        "words",
    )

    def __init__(
        self,
        id: str,
        kind: str,
        name: str,
        version: str | None,
        category: str,
        file: str,
        words: tuple[str, ...],
        shingles: frozenset[int],
        title_len: int,
        copyright: frozenset[int] = frozenset(),
        heading: tuple[str, ...] = (),
    ) -> None:
        self.id = id
        self.kind = kind  # license | aup | notice
        self.name = name
        self.version = version
        self.category = category
        self.file = file  # name under knowledge/texts/
        self.words = words
        self.shingles = shingles  # sampled shingle keys
        self.title_len = title_len  # tokens up to the end of the title block (may be left out)
        self.copyright = copyright  # positions of tokens in copyright statements
        self.heading = heading  # the words of the first line of the title: the text's name

    def __getstate__(self) -> tuple[object, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        for k, v in zip(self.__slots__, state, strict=True):
            setattr(self, k, v)

    def __repr__(self) -> str:
        return f"Entry({self.id!r}, version={self.version!r}, file={self.file!r})"


class Index:
    """Everything the matcher needs, for one knowledge base and one set of texts."""

    def __init__(
        self,
        digest: str,
        entries: list[Entry],
        vocab: dict[str, int],
        exact_raw: dict[str, int],
        exact_words: dict[str, int],
        full_shingles: list[bytes],
        texts_dir: str = "",
    ) -> None:
        self.digest = digest
        self.entries = entries
        self.vocab = vocab  # word -> id, for shingle keys
        self.exact_raw = exact_raw  # raw digest -> entry
        self.exact_words = exact_words  # token digest -> entry
        self.full_shingles = full_shingles  # per entry: all shingle keys, array('q') bytes
        self.texts_dir = texts_dir

    def shingles_of(self, k: int) -> frozenset[int]:
        """All 3-gram shingle keys of entry k (stored packed; unpacked on demand)."""
        return frozenset(array("q", self.full_shingles[k]))

    def text_of(self, entry: Entry) -> str:
        return (Path(self.texts_dir) / entry.file).read_text(encoding="utf-8")


def raw_key(text: str) -> str:
    """A digest of a text that ignores line-end style and trailing blanks."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body = "\n".join(line.rstrip() for line in lines).strip("\n")
    return hashlib.sha1(body.encode("utf-8"), usedforsecurity=False).hexdigest()


def words_key(tokens: list[str] | tuple[str, ...]) -> str:
    return hashlib.sha1("\n".join(tokens).encode("utf-8"), usedforsecurity=False).hexdigest()


def shingle_keys(ids: list[int], base: int) -> list[int]:
    """Keys of the token 3-grams of a sequence of word ids (-1: a word no text has)."""
    return [
        (a * base + b) * base + c
        for a, b, c in zip(ids, ids[1:], ids[2:], strict=False)
        if a >= 0 and b >= 0 and c >= 0
    ]


def sampled(keys: list[int]) -> set[int]:
    return {k for k in keys if k % SAMPLE == 0}


def _heading(tokens: Tokens) -> tuple[str, ...]:
    """The words of the first line that is not a copyright line, if short (a title)."""
    first: list[str] = []
    line = -1
    for i, w in enumerate(tokens.words):
        if i in tokens.copyright:
            continue
        ln = tokens.line(i)
        if line == -1:
            line = ln
        elif ln != line:
            break
        first.append(w)
    return tuple(first) if len(first) <= 12 else ()


def _title_len(tokens: Tokens) -> int:
    """Tokens up to the end of the title block: up to three short leading lines (name, date,
    version) after any copyright lines, which a copy may leave out or restyle."""
    by_line: dict[int, list[int]] = {}
    for i in range(len(tokens)):
        by_line.setdefault(tokens.line(i), []).append(i)
        if len(by_line) > 8:
            break
    end = 0
    titles = 0
    for line in sorted(by_line):
        content = [i for i in by_line[line] if i not in tokens.copyright]
        if not content:
            end = by_line[line][-1] + 1
            continue
        if len(content) > 14 or titles == 3:
            break
        end = by_line[line][-1] + 1
        titles += 1
    return end if titles else 0


def texts_digest(kb_digest: str, texts_dir: Path) -> str:
    """Digest of everything an index depends on: the knowledge base, the text files (by
    name, size and modification time: a warm start reads none of them), this module's and
    the normaliser's source, FORMAT."""
    h = hashlib.sha256(f"{FORMAT}:{kb_digest}".encode())
    # The code that shapes the index is part of its identity: a changed normalisation must
    # never meet an index built by the old one.
    for module in (__file__, _normalize_file()):
        try:
            h.update(Path(module).read_bytes())
        except OSError:
            h.update(b"<no source>")
    h.update(_stat_digest(texts_dir, "*.txt").encode())
    return h.hexdigest()[:20]


def _stat_digest(directory: Path, pattern: str) -> str:
    h = hashlib.sha256()
    try:
        paths = sorted(directory.glob(pattern))
    except OSError:
        paths = []
    for path in paths:
        try:
            st = path.stat()
            h.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{path.name}\0<unreadable>\n".encode())
    return h.hexdigest()


def _normalize_file() -> str:
    from licensecheck.identify import normalize

    return normalize.__file__ or ""


def build(kb: KnowledgeBase, texts_dir: Path, digest: str | None = None) -> Index:
    """Index every canonical text the knowledge base lists (missing files are skipped)."""
    raw: list[tuple[Entry, str, str]] = []
    vocab: dict[str, int] = {}
    for lic in kb:
        for version in lic.versions:
            for name in version.texts:
                try:
                    text = (texts_dir / name).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue  # a KB entry being written before its text: skip, never guess
                tokens = Tokens(text)
                toks = tuple(sys.intern(w) for w in tokens.words)
                for w in toks:
                    vocab.setdefault(w, len(vocab))
                entry = Entry(
                    id=lic.id,
                    kind=lic.kind,
                    name=lic.name,
                    version=version.version,
                    category=lic.category,
                    file=name,
                    words=toks,
                    shingles=frozenset(),
                    title_len=_title_len(tokens),
                    copyright=tokens.copyright,
                    heading=_heading(tokens),
                )
                exact_key = words_key(words(text))
                raw.append((entry, text, exact_key))
    base = max(len(vocab), 1)
    entries: list[Entry] = []
    exact_raw: dict[str, int] = {}
    exact_words: dict[str, int] = {}
    full_shingles: list[bytes] = []
    for entry, text, exact_key in raw:
        ids = [vocab[w] for w in entry.words]
        shingles = frozenset(sampled(shingle_keys(ids, base)))
        entry.shingles = shingles
        idx = len(entries)
        entries.append(entry)
        # The first entry (sorted by id) wins a duplicate text; ids come sorted from the KB.
        exact_raw.setdefault(raw_key(text), idx)
        exact_words.setdefault(exact_key, idx)
        full_shingles.append(array("q", sorted(set(shingle_keys(ids, base)))).tobytes())
    return Index(
        digest=digest if digest is not None else texts_digest(kb.digest, texts_dir),
        entries=entries,
        vocab=vocab,
        exact_raw=exact_raw,
        exact_words=exact_words,
        full_shingles=full_shingles,
        texts_dir=str(texts_dir),
    )


# --- cache -----------------------------------------------------------------------------

_MEMO: dict[str, Index] = {}  # digest -> index, for this process


def _knowledge_dir() -> Path:
    import licensecheck.knowledge as knowledge

    return Path(knowledge.__file__).parent


def _data_digest(directory: Path) -> str:
    """A digest of the knowledge-base files by name, size and modification time: enough to
    key a cache, and cheap enough that a warm start neither reads nor parses any YAML.
    (`load(kb)` keys by `kb.digest` instead; the two only keep separate cache files.)"""
    return "stat:" + _stat_digest(directory, "*.yaml")[:16]


def cache_dir() -> Path:
    """`$LICENSECHECK_CACHE_DIR`, else the platform's user cache directory."""
    env = os.environ.get("LICENSECHECK_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "licensecheck" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "licensecheck"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "licensecheck"


def _read_cache(path: Path, digest: str) -> Index | None:
    try:
        with path.open("rb") as fh:
            index = pickle.load(fh)
    except Exception:  # damaged (ValueError, UnicodeDecodeError, MemoryError, ...): rebuild
        return None
    if not isinstance(index, Index) or index.digest != digest:
        return None
    return index


def _write_cache(path: Path, index: Index) -> None:
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the new one
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(path.parent, keep=path)
    except OSError:
        pass  # a read-only or missing cache only costs the rebuild next time


def _prune(directory: Path, keep: Path, limit: int = 4) -> None:
    """Drop all but the most recent index files (each knowledge base change leaves one)."""
    old = sorted(
        (p for p in directory.glob("identify-index-*.pickle") if p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for p in old[limit - 1 :]:
        with contextlib.suppress(OSError):
            p.unlink()


def load(
    kb: KnowledgeBase | None = None, texts_dir: Path | None = None, use_disk: bool = True
) -> Index:
    """The index for `kb` (default: the bundled knowledge base), from memory, the disk
    cache, or built and cached. With a warm cache no YAML is parsed at all."""
    if texts_dir is None:
        texts_dir = _knowledge_dir() / "texts"
    kb_digest = kb.digest if kb is not None else _data_digest(_knowledge_dir() / "licenses")
    digest = texts_digest(kb_digest, texts_dir)
    index = _MEMO.get(digest)
    if index is not None:
        return index
    path = cache_dir() / f"identify-index-{digest}.pickle"
    index = _read_cache(path, digest) if use_disk else None
    if index is None:
        if kb is None:
            from licensecheck.knowledge import store

            kb = store.load()
        index = build(kb, texts_dir, digest)
        if use_disk:
            _write_cache(path, index)
    index.texts_dir = str(texts_dir)
    _MEMO[digest] = index
    return index


__all__ = ["Entry", "Index", "build", "cache_dir", "load", "raw_key", "shingle_keys", "words_key"]
