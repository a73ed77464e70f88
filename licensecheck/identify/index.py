"""What the matcher precomputes for the canonical texts, built once and cached.

For every text of every version of every licence in the knowledge base (the YAML
`versions[].texts`, files under `knowledge/texts/`), the index holds:

- the licence id, kind, name, version and category (so identifying needs no YAML parsing);
- the normalised tokens (`normalize.Tokens`) as word ids into one vocabulary (decoded into
  words only for the few texts a run aligns), with the positions of copyright statements,
  the title block's length and the title line (the text's own name);
- two exact keys: a digest of the raw text (line ends and trailing blanks ignored) and a
  digest of its `normalize.words` (copyright lines left out), so a verbatim, reformatted or
  re-copyrighted copy is a dictionary lookup;
- the inverted index of a sample of the token 3-gram shingles (one in `SAMPLE`) for the
  candidate stage: each sampled shingle -> the texts that have it, stored as flat integer
  arrays (shingles with the same texts share one posting list) and turned into a dictionary
  on first use; and all of each text's shingles, packed, for ranking candidates and finding
  a licence inside a longer text.

Everything is stored as a few strings and integer arrays rather than millions of small
objects, so that loading it is mostly copying bytes: a warm start pays for what it uses.

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
import pickle
from array import array
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from licensecheck.identify.normalize import Tokens, words
from licensecheck.identify.signature import stat_digest, texts_digest

if TYPE_CHECKING:
    from licensecheck.knowledge.store import KnowledgeBase

SHINGLE = 3
SAMPLE = 4  # keep shingles whose key is divisible by SAMPLE


def _typecode(largest: int) -> str:
    """The smallest array type code that holds 0..largest ('H': 2 bytes, 'q': 8)."""
    return "H" if largest < 1 << 16 else "q"


def _pack(values: list[int], largest: int | None = None) -> tuple[str, bytes]:
    """Integers as (array type code, bytes): one bytes object in the pickle, not an array
    (unpickling an array copies it once more)."""
    code = "q" if largest is None else _typecode(largest)
    return code, array(code, values).tobytes()


def _unpack(packed: tuple[str, bytes]) -> array[int]:
    return array(packed[0], packed[1])


# Plain classes rather than dataclasses: this module is on the start-up path of every
# `licensecheck identify`, and each dataclass costs milliseconds to create at import.
class Entry:
    """One canonical text of one version of one licence."""

    __slots__ = (
        "_ids",
        "_vocab",
        "_words",
        "category",
        "copyright",
        "file",
        "heading",
        "id",
        "kind",
        "n_sampled",
        "n_words",
        "name",
        "title_len",
        "version",
    )
    _STATE = tuple(k for k in __slots__ if k != "_words")  # what the cache keeps

    def __init__(
        self,
        id: str,
        kind: str,
        name: str,
        version: str | None,
        category: str,
        file: str,
        ids: tuple[str, bytes],
        vocab: list[str],
        n_words: int,
        n_sampled: int,
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
        self._ids = ids  # the normalised tokens as ids into `vocab`, packed
        self._vocab = vocab  # the index's vocabulary (one list, shared by every entry)
        self._words: tuple[str, ...] | None = None
        self.n_words = n_words
        self.n_sampled = n_sampled  # how many distinct sampled shingles the text has
        self.title_len = title_len  # tokens up to the end of the title block (may be left out)
        self.copyright = copyright  # positions of tokens in copyright statements
        self.heading = heading  # the words of the first line of the title: the text's name

    @property
    def words(self) -> tuple[str, ...]:
        """The normalised tokens, decoded from their ids on first use (a run aligns a few
        texts, so most entries never need theirs)."""
        decoded = self._words
        if decoded is None:
            decoded = self._words = tuple(map(self._vocab.__getitem__, self.ids))
        return decoded

    @property
    def ids(self) -> array[int]:
        """The normalised tokens as word ids (`Index.vocab`)."""
        return _unpack(self._ids)

    def __getstate__(self) -> tuple[object, ...]:
        return tuple(getattr(self, k) for k in self._STATE)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        for k, v in zip(self._STATE, state, strict=True):
            setattr(self, k, v)
        self._words = None

    def __repr__(self) -> str:
        return f"Entry({self.id!r}, version={self.version!r}, file={self.file!r})"


_DERIVED = ("_vocab", "_postings", "_groups")  # Index attributes rebuilt on first use


class Index:
    """Everything the matcher needs, for one knowledge base and one set of texts."""

    def __init__(
        self,
        digest: str,
        entries: list[Entry],
        vocab_words: list[str],
        exact_raw: dict[str, int],
        exact_words: dict[str, int],
        full_shingles: list[bytes],
        postings: tuple[tuple[str, bytes], ...],
        texts_dir: str = "",
    ) -> None:
        self.digest = digest
        self.entries = entries
        self.vocab_words = vocab_words  # word id -> word
        self.exact_raw = exact_raw  # raw digest -> entry
        self.exact_words = exact_words  # token digest -> entry
        self.full_shingles = full_shingles  # per entry: all its shingle keys, array('q') bytes
        # The inverted index of the sampled shingles, packed (`_flat_postings`): the keys
        # (grouped by the texts that have them), each key's group, and each group's texts
        # (members from offsets[g] to offsets[g + 1]).
        self.postings = postings
        self.texts_dir = texts_dir
        self._vocab: dict[str, int] | None = None
        self._postings: dict[int, int] | None = None  # sampled key -> group
        self._groups: list[tuple[int, ...]] = []  # group -> texts

    def __getstate__(self) -> dict[str, object]:
        # The dictionaries are rebuilt on first use: the cache holds strings and bytes.
        return {k: v for k, v in self.__dict__.items() if k not in _DERIVED}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._vocab = None
        self._postings = None
        self._groups = []

    @property
    def vocab(self) -> dict[str, int]:
        """Word -> id, for shingle keys (built on first use)."""
        vocab = self._vocab
        if vocab is None:
            ids = range(len(self.vocab_words))
            vocab = self._vocab = dict(zip(self.vocab_words, ids, strict=True))
        return vocab

    def sample_hits(self, keys: set[int]) -> dict[int, int]:
        """Entry -> how many of `keys` (sampled shingle keys, distinct) its text has: one
        dictionary lookup per key, then one addition per text of each posting list hit."""
        if self._postings is None:
            keys_, groups_, offsets, members = map(_unpack, self.postings)
            self._groups = [tuple(members[a:b]) for a, b in pairwise(offsets)]
            self._postings = dict(zip(keys_, groups_, strict=True))
        counts = Counter(map(self._postings.get, keys))
        groups = self._groups
        hits = [0] * len(self.entries)
        for g, n in counts.items():
            if g is not None:  # None: a key no text has
                for k in groups[g]:
                    hits[k] += n
        return {k: n for k, n in enumerate(hits) if n}

    def shingles_of(self, k: int) -> frozenset[int]:
        """All 3-gram shingle keys of entry k."""
        return frozenset(array("q", self.full_shingles[k]))

    def text_of(self, entry: Entry) -> str:
        return (Path(self.texts_dir) / entry.file).read_text(encoding="utf-8")


def raw_key(text: str) -> str:
    """A digest of a text that ignores line-end style and trailing blanks."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    body = "\n".join(map(str.rstrip, text.split("\n"))).strip("\n")
    return hashlib.sha1(body.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


def words_key(tokens: list[str] | tuple[str, ...]) -> str:
    data = "\n".join(tokens).encode("utf-8", "surrogatepass")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


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


def build(kb: KnowledgeBase, texts_dir: Path, digest: str | None = None) -> Index:
    """Index every canonical text the knowledge base lists (missing files are skipped)."""
    found: list[tuple[Entry, tuple[str, ...], str, str]] = []
    vocab: dict[str, int] = {}
    vocab_words: list[str] = []
    for lic in kb:
        for version in lic.versions:
            for name in version.texts:
                try:
                    text = (texts_dir / name).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue  # a KB entry being written before its text: skip, never guess
                tokens = Tokens(text)
                toks = tuple(tokens.words)
                for w in toks:
                    if w not in vocab:
                        vocab[w] = len(vocab_words)
                        vocab_words.append(w)
                entry = Entry(
                    id=lic.id,
                    kind=lic.kind,
                    name=lic.name,
                    version=version.version,
                    category=lic.category,
                    file=name,
                    ids=("H", b""),
                    vocab=vocab_words,
                    n_words=len(toks),
                    n_sampled=0,
                    title_len=_title_len(tokens),
                    copyright=tokens.copyright,
                    heading=_heading(tokens),
                )
                found.append((entry, toks, text, words_key(words(text))))
    base = max(len(vocab), 1)
    entries: list[Entry] = []
    exact_raw: dict[str, int] = {}
    exact_words: dict[str, int] = {}
    full_shingles: list[bytes] = []
    postings: dict[int, list[int]] = {}  # sampled key -> texts
    for entry, toks, text, exact_key in found:
        ids = [vocab[w] for w in toks]
        keys = shingle_keys(ids, base)
        sample = sorted(sampled(keys))
        entry._ids = _pack(ids, len(vocab))
        entry.n_sampled = len(sample)
        idx = len(entries)
        entries.append(entry)
        for key in sample:
            postings.setdefault(key, []).append(idx)
        # The first entry (sorted by id) wins a duplicate text; ids come sorted from the KB.
        exact_raw.setdefault(raw_key(text), idx)
        exact_words.setdefault(exact_key, idx)
        full_shingles.append(_pack(sorted(set(keys)))[1])
    return Index(
        digest=digest if digest is not None else texts_digest(kb.digest, texts_dir),
        entries=entries,
        vocab_words=vocab_words,
        exact_raw=exact_raw,
        exact_words=exact_words,
        full_shingles=full_shingles,
        postings=_flat_postings(postings, len(entries)),
        texts_dir=str(texts_dir),
    )


def _flat_postings(postings: dict[int, list[int]], n_entries: int) -> tuple[tuple[str, bytes], ...]:
    """The inverted index as four packed integer arrays (see `Index`): keys whose texts are
    the same share one group, in a fixed order, so that loading it is copying bytes."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for key, texts in postings.items():
        groups.setdefault(tuple(texts), []).append(key)
    keys: list[int] = []
    key_groups: list[int] = []
    offsets: list[int] = [0]
    members: list[int] = []
    for g, group in enumerate(sorted(groups)):
        group_keys = sorted(groups[group])
        keys.extend(group_keys)
        key_groups.extend([g] * len(group_keys))
        members.extend(group)
        offsets.append(len(members))
    return (
        _pack(keys),
        _pack(key_groups, len(groups)),
        _pack(offsets, len(members)),
        _pack(members, n_entries),
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
    return "stat:" + stat_digest(directory, ".yaml")[:16]


def _read_cache(path: Path, digest: str) -> Index | None:
    try:
        with path.open("rb") as fh:
            index = pickle.load(fh)
    except Exception:  # damaged (ValueError, UnicodeDecodeError, MemoryError, ...): rebuild
        return None
    if not isinstance(index, Index) or getattr(index, "digest", None) != digest:
        return None
    return index if _consistent(index) else None


def _consistent(index: Index) -> bool:
    """Whether the arrays of a loaded index fit together (a cache file of the right digest
    but the wrong shape is rebuilt, never trusted: a wrong answer would be silent)."""
    try:
        n = len(index.entries)
        return (
            len(index.full_shingles) == n
            and len(index.postings) == 4
            and all(isinstance(e, Entry) and e._vocab is index.vocab_words for e in index.entries)
        )
    except Exception:  # a missing attribute, an empty array: not an index this code wrote
        return False


def _write_cache(path: Path, index: Index) -> None:
    from licensecheck import paths

    # A read-only or missing cache only costs the rebuild next time.
    if paths.write_pickle(path, index):
        _prune(path.parent, keep=path)


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
    from licensecheck import paths

    path = paths.cache_dir() / f"identify-index-{digest}.pickle"
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


__all__ = ["Entry", "Index", "build", "load", "raw_key", "shingle_keys", "words_key"]
