"""Load the licence knowledge base from its YAML data files (bundled package data).

`load()` reads every `licenses/*.yaml` once per process and returns a `KnowledgeBase`,
which answers: which licence is this id / alias / URL, and what are its terms.
`load_cached()` is the same knowledge base from a pickle in the user cache while the data
files and this code are unchanged (the warm paths: it spares PyYAML and ~100 parses).
Adding a licence means adding a data file; nothing here is licence-specific.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from licensecheck import paths
from licensecheck.errors import KnowledgeError
from licensecheck.knowledge.model import (
    Condition,
    License,
    Obligation,
    Restriction,
    Termination,
    Terms,
    UseGrant,
    Version,
)

# The package directory (what importlib.resources.files gives for an installed package,
# without importing it on the warm path).
DATA_DIR = Path(__file__).parent
LICENSES_DIR = DATA_DIR / "licenses"
TEXTS_DIR = DATA_DIR / "texts"

_URL_SCHEME = re.compile(r"^[a-z]+://(www\.)?")


def alias_key(value: str) -> str:
    """Normalise an id, a `license_name` spelling or a `license_link` URL for lookup.

    Case, surrounding space, URL scheme, `www.`, a trailing slash or `.md`/`.txt`, and
    `/resolve/` vs `/blob/` do not distinguish licences.
    """
    key = value.strip().lower()
    key = _URL_SCHEME.sub("", key)
    key = key.replace("/resolve/", "/blob/")
    key = key.rstrip("/")
    if "/" in key:  # only URLs and paths: "LICENSE.md" and "LICENSE" name the same file
        key = re.sub(r"\.(md|txt)$", "", key)
    key = re.sub(r"\s+", " ", key)
    return key


class KnowledgeBase:
    """All known licences, by id and by every alias."""

    def __init__(self, licenses: list[License], digest: str) -> None:
        self._by_id: dict[str, License] = {}
        self._by_alias: dict[str, str] = {}
        # A name several licensors use -> the licences it may name (it resolves to none).
        self._shared: dict[str, tuple[str, ...]] = {}
        self.digest = digest  # changes whenever any data file changes (cache invalidation)
        for lic in sorted(licenses, key=lambda x: x.id):
            if lic.id in self._by_id:
                raise KnowledgeError(f"duplicate licence id {lic.id!r}")
            self._by_id[lic.id] = lic
        for lic in self._by_id.values():
            for name in (
                lic.id,
                lic.spdx,
                *(lic.aliases),
                *((lic.scancode,) if lic.scancode else ()),
            ):
                key = alias_key(name)
                other = self._by_alias.get(key)
                if other is not None and other != lic.id:
                    # Ids win over aliases; two aliases that collide are a data error.
                    if key == alias_key(other):
                        continue
                    if key == alias_key(lic.id):
                        self._by_alias[key] = lic.id
                        continue
                    raise KnowledgeError(f"alias {name!r} names both {other!r} and {lic.id!r}")
                self._by_alias[key] = lic.id
        for lic in self._by_id.values():
            for name in lic.shared_aliases:
                key = alias_key(name)
                if key in self._by_alias:
                    raise KnowledgeError(
                        f"shared alias {name!r} of {lic.id!r} is also an alias of "
                        f"{self._by_alias[key]!r}"
                    )
                self._shared[key] = (*self._shared.get(key, ()), lic.id)

    def __iter__(self) -> Iterator[License]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, license_id: object) -> bool:
        return license_id in self._by_id

    def get(self, license_id: str) -> License | None:
        return self._by_id.get(license_id)

    def __getitem__(self, license_id: str) -> License:
        return self._by_id[license_id]

    def resolve(self, name: str | None) -> License | None:
        """The licence an id, alias, SPDX id or URL names, or None."""
        if not name:
            return None
        lic_id = self._by_alias.get(alias_key(name))
        return self._by_id.get(lic_id) if lic_id else None

    def candidates(self, name: str | None) -> tuple[License, ...]:
        """The licences a name shared by several licensors may mean (empty: not shared)."""
        if not name:
            return ()
        return tuple(self._by_id[i] for i in self._shared.get(alias_key(name), ()))

    def by_licensor(self, org: str, among: tuple[License, ...]) -> License | None:
        """The one licence of `among` whose licensor is the organisation `org`."""
        found = [lic for lic in among if org.lower() in {o.lower() for o in lic.licensors}]
        return found[0] if len(found) == 1 else None

    def ids(self) -> list[str]:
        return list(self._by_id)


# --- parsing YAML into the model ---------------------------------------------------------


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(value)
    return (value,)


def _obligation(d: Mapping[str, Any]) -> Obligation:
    return Obligation(
        id=d["id"],
        text=d.get("text", ""),
        clause=_clause(d.get("clause")),
        when=d.get("when", "always"),
    )


def _clause(value: Any) -> str | None:
    return None if value is None else str(value)


def _terms(d: Mapping[str, Any]) -> Terms:
    uses = {
        use: UseGrant(grant=g["grant"], clause=_clause(g.get("clause")), note=g.get("note"))
        for use, g in (d.get("uses") or {}).items()
    }
    conditions = tuple(
        Condition(
            id=c["id"],
            kind=c["kind"],
            applies_to=_tuple(c.get("applies_to")),
            clause=_clause(c.get("clause")),
            text=c.get("text", ""),
            value=c.get("value"),
            regions=_tuple(c.get("regions")),
            effect=c.get("effect", "deny"),
            obligation=_obligation(c["obligation"]) if c.get("obligation") else None,
            scope=c.get("scope"),
            measured=c.get("measured"),
            sectors=_tuple(c.get("sectors")),
            review_sectors=_tuple(c.get("review_sectors")),
            models=_tuple(c.get("models")),
        )
        for c in d.get("conditions") or ()
    )
    restrictions = tuple(
        Restriction(
            id=r["id"],
            clause=_clause(r.get("clause")),
            text=r.get("text", ""),
            source=r.get("source", "license"),
            denies=_tuple(r.get("denies")),
            reviews=_tuple(r.get("reviews")),
        )
        for r in d.get("restrictions") or ()
    )
    obligations = tuple(_obligation(o) for o in d.get("obligations") or ())
    return Terms(
        uses=uses,
        conditions=conditions,
        restrictions=restrictions,
        obligations=obligations,
        derivatives_bound=bool(d.get("derivatives_bound", True)),
        notes=_tuple(d.get("notes")),
        incorporates=_tuple(d.get("incorporates")),
        terminations=tuple(
            Termination(id=t["id"], clause=_clause(t.get("clause")), text=t.get("text", ""))
            for t in d.get("terminations") or ()
        ),
    )


def parse_license(d: Mapping[str, Any]) -> License:
    versions = tuple(
        Version(
            version=str(v["version"]),
            date=None if v.get("date") is None else str(v["date"]),
            texts=_tuple(v.get("texts")),
            note=v.get("note"),
            terms=_terms(v["terms"]) if v.get("terms") else None,
        )
        for v in d.get("versions") or ()
    )
    return License(
        id=d["id"],
        name=d["name"],
        kind=d.get("kind", "license"),
        spdx=d.get("spdx") or f"LicenseRef-licensecheck-{d['id']}",
        family=d.get("family"),
        category=d.get("category", "unknown"),
        governing_law=d.get("governing_law"),
        aliases=tuple(str(a) for a in d.get("aliases") or ()),
        versions=versions,
        terms=_terms(d["terms"]) if d.get("terms") else None,
        scancode=d.get("scancode"),
        url=d.get("url"),
        policy_of=d.get("policy_of"),
        osi_approved=d.get("osi_approved"),
        sources=_tuple(d.get("sources")),
        shared_aliases=tuple(str(a) for a in d.get("shared_aliases") or ()),
        licensors=tuple(str(a) for a in d.get("licensors") or ()),
    )


def iter_data_files(directory: Path = LICENSES_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def read_data_file(path: Path) -> dict[str, Any]:
    import yaml  # only when parsing: the warm paths read the pickled knowledge base

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # The C loader where libyaml is present: several times faster than the pure one.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: a licence data file must be a mapping")
    return data


def data_digest(directory: Path = LICENSES_DIR) -> str:
    """The digest `load()` gives the knowledge base, without parsing any YAML (cheap: lets a
    cache keyed by the knowledge base be checked before the YAML is read)."""
    h = hashlib.sha256()
    for path in iter_data_files(directory):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def load(directory: Path = LICENSES_DIR) -> KnowledgeBase:
    """The knowledge base, read once per process."""
    h = hashlib.sha256()
    licenses = []
    for path in iter_data_files(directory):
        raw = path.read_bytes()
        h.update(path.name.encode() + b"\0" + raw)
        data = read_data_file(path)
        try:
            licenses.append(parse_license(data))
        except (KeyError, TypeError, ValueError) as exc:
            raise KnowledgeError(f"{path}: {exc!r}") from exc
    return KnowledgeBase(licenses, h.hexdigest()[:16])


def _code_digest() -> str:
    """What the pickled objects' shape depends on besides the data: this module and the model."""
    return paths.code_digest(DATA_DIR / name for name in ("store.py", "model.py"))


def load_cached(directory: Path = LICENSES_DIR) -> KnowledgeBase:
    """`load()`, from a pickle in the user cache when the data files and the code that shapes
    the knowledge base are unchanged; else parsed and the pickle written (atomically). Any
    cache problem (missing, damaged, unwritable) falls back to parsing."""
    digest = data_digest(directory)
    try:
        path = paths.cache_dir() / f"knowledge-{digest}-{_code_digest()}.pickle"
    except OSError:  # the code files unreadable: no cache, parse
        return load(directory)
    kb = paths.read_pickle(path)
    if isinstance(kb, KnowledgeBase) and kb.digest == digest:
        return kb
    fresh = load(directory)
    if fresh.digest != digest:  # `load`'s per-process memo predates a change to the files
        fresh = load.__wrapped__(directory)
    if fresh.digest == digest:  # the files did not change while being read
        paths.write_pickle(path, fresh)
    return fresh


_CANONICAL: dict[str, dict[str, frozenset[str]]] = {}


def canonical_hashes(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """sha256 of each canonical text's bytes -> the licence ids it is the text of. Lets an
    offline run notice a lock entry whose licence file is, byte for byte, another licence.
    Kept in the user cache, keyed by the knowledge base and the texts' names, sizes and
    times (an offline locked scan then reads one small pickle, not every text)."""
    known = _CANONICAL.get(kb.digest)
    if known is not None:
        return known
    try:
        key = f"{kb.digest[:16]}-{paths.stat_digest(TEXTS_DIR, '.txt')[:16]}"
        cached_path: Path | None = paths.cache_dir() / f"canonical-{key}.pickle"
    except OSError:
        cached_path = None
    cached = paths.read_pickle(cached_path) if cached_path is not None else None
    if isinstance(cached, dict) and all(isinstance(v, frozenset) for v in cached.values()):
        _CANONICAL[kb.digest] = cached
        return cached
    found: dict[str, set[str]] = {}
    for lic in kb:
        for name in {t for v in lic.versions for t in v.texts}:
            try:
                data = (TEXTS_DIR / name).read_bytes()
            except OSError:
                continue
            found.setdefault(hashlib.sha256(data).hexdigest(), set()).add(lic.id)
    result = {sha: frozenset(ids) for sha, ids in found.items()}
    _CANONICAL[kb.digest] = result
    if cached_path is not None:
        paths.write_pickle(cached_path, result)
    return result
