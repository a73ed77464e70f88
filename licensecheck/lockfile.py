"""`licensecheck.lock`: what each referenced model resolved to, so later runs are offline and
notice when a licence changes.

For every model the code references, and every base model its lineage reached, the lock
records: the revision the reference resolved to (commit sha), the facts the policy and the
lineage need (card licence fields, base models, tags, pipeline tag, the licence-like files
with their sha256), the licence determination (id, version, confidence, evidence with the
sha256 of each text, conflicts) and, for referenced models, the lineage and effective
licences. The policy's name and digest are recorded too (verdicts are recomputed each run,
so a policy change never needs a new lock).

The file is JSON with sorted keys and no timestamps: the same models give the same bytes, so
it diffs well in review. It is written atomically (a temporary file in the same folder,
flushed and fsynced, then `os.replace`): an interrupted `licensecheck lock` leaves the old
lock (or none), never half a lock.

Drift: a run that resolves a model to a licence other than the locked one (`drift()`) fails
with a `lock-drift` finding, whatever the verdicts say. An entry may be declared only
(`verified: false`: a gated model whose licence files the Hub refused); a later run that
reads a text naming the same licence is an upgrade (`upgrade()`, a `lock-upgrade` finding,
recorded by the next `licensecheck lock`), not drift; a text naming another licence is drift.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from licensecheck import paths
from licensecheck.codec import (
    CodecError,
    determination_from,
    determination_view,
    get_field,
    link_from,
    link_json,
    opt_str,
    report_changes,
    score,
    strs,
    to_json,
)
from licensecheck.errors import LockDamaged, UsageError
from licensecheck.facts import CardData, Finding, ModelFacts, ModelRef, RepoFile
from licensecheck.identify.types import Determination, Evidence
from licensecheck.paths import LOCK_NAME
from licensecheck.results import AuditReport, LineageLink, Reason

if TYPE_CHECKING:
    from licensecheck.policy.model import Policy

LOCK_VERSION = 1
DRIFT_PREFIX = "lock-drift: "
UPGRADE_PREFIX = "lock-upgrade: "
MAX_LOCK_BYTES = 16 * 1024 * 1024

# Card keys kept verbatim (lineage and policy read them from CardData.raw).
_RAW_KEYS = (
    "base_model",
    "base_model_relation",
    "library_name",
    "license",
    "license_link",
    "license_name",
    "pipeline_tag",
    "quantized_by",
)


_COMMIT = re.compile(r"[0-9a-f]{40}")


def entry_key(repo_id: str, revision: str | None) -> str:
    """The lock's key for a reference: Hub ids are case-insensitive; `@rev` when pinned."""
    return f"{repo_id.lower()}@{revision}" if revision else repo_id.lower()


@dataclass(frozen=True)
class LockEntry:
    """One model as locked."""

    repo_id: str
    requested: str | None  # the revision as referenced (None: the default branch)
    revision: str | None  # the commit sha it resolved to
    source: str  # where it was read when locked: hub | cache | local
    referenced: bool  # named by the code (False: only reached as a base model)
    card: CardData
    determination: Determination
    files: tuple[tuple[str, str], ...] = ()  # (path, sha256) of the licence-like files read
    gated: bool = False
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    gguf_license: str | None = None
    hub_id: str | None = None
    lineage: tuple[LineageLink, ...] = ()
    effective_licenses: tuple[str, ...] = ()
    # Licence-like files that were not read (binary, capped, ...): an offline run judges
    # them as the locking run did (the policy's `unreadable_license_file`).
    unread: tuple[Finding, ...] = ()

    @property
    def key(self) -> str:
        return entry_key(self.repo_id, self.requested)

    @property
    def licenses(self) -> tuple[str, ...]:
        """What drift compares: the model's own licence, then what its lineage adds."""
        own = self.determination.id
        return (own, *sorted(set(self.effective_licenses) - {own}))


@dataclass(frozen=True)
class Lock:
    models: dict[str, LockEntry] = field(default_factory=dict)
    policy_name: str | None = None
    policy_sha256: str | None = None
    path: str | None = None  # where it was read from (for messages)

    def lookup(self, ref: ModelRef) -> LockEntry | None:
        """The entry for a reference: same id and requested revision, or a pinned sha that
        is the resolved revision of an entry for the same id."""
        if ref.local_path is not None:
            return None
        entry = self.models.get(entry_key(ref.repo_id, ref.revision))
        if entry is not None or not ref.revision:
            return entry
        for candidate in self.models.values():
            if (
                candidate.repo_id.lower() == ref.repo_id.lower()
                and candidate.revision == ref.revision
            ):
                return candidate
        return None


# --- building entries ---------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def entry_from(
    facts: ModelFacts,
    determination: Determination,
    *,
    referenced: bool,
    lineage: Iterable[LineageLink] = (),
    effective_licenses: Iterable[str] = (),
) -> LockEntry:
    raw = {k: _json_safe(facts.card.raw[k]) for k in _RAW_KEYS if k in facts.card.raw}
    card = CardData(
        licenses=facts.card.licenses,
        license_name=facts.card.license_name,
        license_link=facts.card.license_link,
        base_models=facts.card.base_models,
        base_model_relation=facts.card.base_model_relation,
        pipeline_tag=facts.card.pipeline_tag,
        tags=facts.card.tags,
        library_name=facts.card.library_name,
        raw=raw,
    )
    return LockEntry(
        repo_id=facts.ref.repo_id,
        requested=facts.ref.revision,
        revision=facts.revision,
        source=facts.source,
        referenced=referenced,
        card=card,
        determination=determination,
        files=tuple(sorted((f.path, f.sha256) for f in facts.files)),
        gated=facts.gated,
        tags=facts.tags,
        pipeline_tag=facts.pipeline_tag,
        gguf_license=facts.gguf_license,
        hub_id=facts.hub_id,
        lineage=tuple(lineage),
        effective_licenses=tuple(effective_licenses),
        unread=facts.unread,
    )


def facts_from(entry: LockEntry, ref: ModelRef) -> ModelFacts:
    """The facts a lock entry stands for (licence texts are not kept: only their sha256)."""
    return ModelFacts(
        ref=ref,
        source="lock",
        revision=entry.revision,
        card=entry.card,
        card_text=None,
        files=tuple(RepoFile(path=p, text="", sha256=s) for p, s in entry.files),
        gated=entry.gated,
        tags=entry.tags,
        pipeline_tag=entry.pipeline_tag,
        gguf_license=entry.gguf_license,
        hub_id=entry.hub_id,
        findings=entry.unread,
    )


def locked_determination(entry: LockEntry) -> Determination:
    """The locked determination, with a first evidence item saying where it came from."""
    d = entry.determination
    note = Evidence(
        source="lock",
        id=d.id,
        score=d.confidence,
        path=LOCK_NAME,
        detail=f"recorded for revision {entry.revision or 'unknown'}",
    )
    return Determination(
        id=d.id,
        confidence=d.confidence,
        version=d.version,
        modified=d.modified,
        evidence=(note, *d.evidence),
        conflicts=d.conflicts,
        declared=d.declared,
        extra=d.extra,
        verified=d.verified,
        refused=d.refused,
    )


def upgrade(entry: LockEntry, determination: Determination) -> str | None:
    """A one-line note when a declared-only entry (gated, no text read) is now verified by a
    text that agrees: not drift (`drift` compares the licences), the lock records it on the
    next `licensecheck lock`."""
    if entry.determination.verified or not determination.verified:
        return None
    return (
        f"licence {entry.determination.id} was declared only (gated) in {LOCK_NAME}; now "
        f"verified from its text; run `licensecheck lock` to record it"
    )


def drift(entry: LockEntry, determination: Determination, effective: Iterable[str]) -> str | None:
    """A one-line drift message if the licences seen now differ from the locked ones. A
    declared-only entry is compared the same way: a text that agrees is an upgrade
    (`upgrade`), one that names another licence is drift."""
    own = determination.id
    now = (own, *sorted(set(effective) - {own}))
    if now == entry.licenses:
        return None
    return (
        f"licence {' + '.join(entry.licenses)} in {LOCK_NAME} (revision "
        f"{(entry.revision or '?')[:12]}), now {' + '.join(now)}"
    )


def contradictions(entry: LockEntry, canonical: Mapping[str, frozenset[str]]) -> list[str]:
    """Where a lock entry's recorded evidence contradicts itself: a licence file whose bytes
    are the canonical text of a licence the entry names nowhere (or that its own evidence
    item calls something else), or a licence that no evidence supports. A lock edited by
    hand (a pull request flipping `cc-by-nc-4.0` to `apache-2.0`) shows this way offline;
    an edit that leaves the entry consistent needs an online run to be caught."""
    d = entry.determination
    evidence_ids = [e.id for e in d.evidence]
    named = {
        i.lower() for i in (d.id, *d.declared, *d.extra, *entry.effective_licenses, *evidence_ids)
    }
    hashes = dict(entry.files)
    problems: list[str] = []
    for path, sha in entry.files:
        texts = canonical.get(sha, frozenset())
        if texts and not any(t.lower() in named for t in texts):
            problems.append(
                f"{path} is the canonical text of {' / '.join(sorted(texts))}, which the "
                f"entry does not name (it says {d.id})"
            )
    for e in d.evidence:
        texts = canonical.get(hashes.get(e.path or "", ""), frozenset())
        if texts and e.source == "license-file" and e.id.lower() not in {t.lower() for t in texts}:
            problems.append(
                f"its evidence calls {e.path} {e.id}, but the file is the canonical text of "
                f"{' / '.join(sorted(texts))}"
            )
    supported = {e.id.lower() for e in d.evidence} | {x.lower() for x in d.declared}
    if d.id != "unknown" and d.id.lower() not in supported:
        problems.append(f"its licence {d.id} is supported by none of its evidence")
    return list(dict.fromkeys(problems))


# --- a run against its lock -------------------------------------------------------------


def build(report: AuditReport, recorder: Recorder, policy: Policy, old: Lock | None = None) -> Lock:
    """Entries for the referenced models (with lineage) and every base model read. A model
    answered from the old lock (offline) keeps the source it was first read from."""

    def keep_source(entry: LockEntry) -> LockEntry:
        previous = old.models.get(entry.key) if old is not None else None
        if entry.source == "lock" and previous is not None:
            return dataclasses.replace(entry, source=previous.source)
        return entry

    entries: dict[str, LockEntry] = {}
    for r in report.results:
        if r.status != "ok" or r.facts is None or r.determination is None:
            continue
        entry = entry_from(
            r.facts,
            r.determination,
            referenced=True,
            lineage=r.lineage,
            effective_licenses=r.effective_licenses,
        )
        entries[entry.key] = keep_source(entry)
    for facts, determination in recorder.seen.values():
        entry = keep_source(entry_from(facts, determination, referenced=False))
        entries.setdefault(entry.key, entry)
    return Lock(models=entries, policy_name=policy.name, policy_sha256=policy.sha256)


def apply_drift(report: AuditReport, lock: Lock) -> tuple[AuditReport, int]:
    """Compare each model judged from a live source with its lock entry. A changed licence
    adds a `lock-drift` finding and turns the model's allowed uses into `review`."""
    results = []
    drifted = 0
    for r in report.results:
        ref_id, _, ref_rev = r.model.partition("@")
        entry = lock.lookup(ModelRef(ref_id, ref_rev or None))
        if r.status != "ok" or r.determination is None or entry is None or r.source == "lock":
            results.append(r)
            continue
        message = drift(entry, r.determination, r.effective_licenses)
        if message is None:
            better = upgrade(entry, r.determination)
            if better is not None:  # the same licence, now read: a note, not drift
                r = dataclasses.replace(r, findings=(*r.findings, UPGRADE_PREFIX + better))
            results.append(r)
            continue
        drifted += 1
        reason = Reason("lock:drift", f"licence changed since {lock.path}: {message}", "review")
        verdicts = {
            use: dataclasses.replace(
                v,
                verdict="review" if v.verdict == "allow" else v.verdict,
                reasons=(*v.reasons, reason),
            )
            for use, v in r.verdicts.items()
        }
        results.append(
            dataclasses.replace(
                r, verdicts=verdicts, findings=(*r.findings, DRIFT_PREFIX + message)
            )
        )
    return dataclasses.replace(report, results=tuple(results)), drifted


# --- serialising ----------------------------------------------------------------------------


# The lock's evidence: the codec's fields but `via`, with the file's hash (no `changes` key when
# there are none), as lock_version 1 has them.
_EVIDENCE_FIELDS = ("source", "id", "score", "path", "detail", "kind", "version", "modified")


def _evidence_json(ev: Evidence, hashes: Mapping[str, str]) -> dict[str, Any]:
    full = to_json(ev)
    out = {key: full[key] for key in _EVIDENCE_FIELDS}
    out["score"] = score(ev.score)
    out["sha256"] = hashes.get(ev.path) if ev.path else None
    if ev.changes:
        out["changes"] = report_changes(ev.changes)
    return out


def entry_json(entry: LockEntry) -> dict[str, Any]:
    d = entry.determination
    hashes = dict(entry.files)
    card = entry.card
    out: dict[str, Any] = {
        "repo_id": entry.repo_id,
        "requested": entry.requested,
        "revision": entry.revision,
        "source": entry.source,
        "referenced": entry.referenced,
        "card": {
            "licenses": list(card.licenses),
            "license_name": card.license_name,
            "license_link": card.license_link,
            "base_models": list(card.base_models),
            "base_model_relation": card.base_model_relation,
            "pipeline_tag": card.pipeline_tag,
            "tags": list(card.tags),
            "library_name": card.library_name,
            "raw": card.raw,
        },
        "license": determination_view(
            d, [_evidence_json(e, hashes) for e in d.evidence if e.source != "lock"], d.conflicts
        ),
        "files": [{"path": p, "sha256": s} for p, s in entry.files],
        "gated": entry.gated,
        "tags": list(entry.tags),
        "pipeline_tag": entry.pipeline_tag,
        "gguf_license": entry.gguf_license,
        "hub_id": entry.hub_id,
    }
    if entry.unread:  # only when there is something: older locks keep their bytes
        out["unread"] = [
            {"kind": f.kind, "message": f.message, "path": f.path} for f in entry.unread
        ]
    if entry.referenced:
        out["lineage"] = [link_json(link) for link in entry.lineage]
        out["effective_licenses"] = list(entry.effective_licenses)
    return out


def dumps(lock: Lock) -> str:
    data = {
        "lock_version": LOCK_VERSION,
        "generated_by": "licensecheck lock",
        "policy": {"name": lock.policy_name, "sha256": lock.policy_sha256},
        "models": {key: entry_json(lock.models[key]) for key in sorted(lock.models)},
    }
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, lock: Lock) -> None:
    """Write atomically: the old lock stays whole until the new one is complete on disk (a
    lock is a shared project file: not private; its mode is kept). UsageError when it cannot
    be written."""
    try:
        paths.write_atomic(path, dumps(lock).encode("utf-8"), durable=True)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None


# --- reading --------------------------------------------------------------------------------


_Bad = CodecError  # what a malformed entry raises (parse() names the lock file)


def _unread(d: Any, where: str) -> Finding:
    if not isinstance(d, dict):
        raise _Bad(f"{where}: each entry must be an object")
    return Finding(
        kind=get_field(d, "kind", str, where),
        message=get_field(d, "message", str, where),
        path=opt_str(d, "path", where),
    )


def _entry(key: str, d: Any) -> LockEntry:
    where = f"models.{key}"
    if not isinstance(d, dict):
        raise _Bad(f"{where}: must be an object")
    card_d = get_field(d, "card", dict, where)
    lic = get_field(d, "license", dict, where)
    raw = card_d.get("raw") or {}
    if not isinstance(raw, dict):
        raise _Bad(f"{where}.card: 'raw' must be an object")
    card = CardData(
        licenses=strs(card_d, "licenses", f"{where}.card"),
        license_name=opt_str(card_d, "license_name", f"{where}.card"),
        license_link=opt_str(card_d, "license_link", f"{where}.card"),
        base_models=strs(card_d, "base_models", f"{where}.card"),
        base_model_relation=opt_str(card_d, "base_model_relation", f"{where}.card"),
        pipeline_tag=opt_str(card_d, "pipeline_tag", f"{where}.card"),
        tags=strs(card_d, "tags", f"{where}.card"),
        library_name=opt_str(card_d, "library_name", f"{where}.card"),
        raw=raw,
    )
    determination = determination_from(lic, f"{where}.license")
    files = []
    for f in d.get("files") or []:
        if not isinstance(f, dict):
            raise _Bad(f"{where}.files: each file must be an object")
        files.append(
            (
                get_field(f, "path", str, f"{where}.files"),
                get_field(f, "sha256", str, f"{where}.files"),
            )
        )
    entry = LockEntry(
        repo_id=get_field(d, "repo_id", str, where),
        requested=opt_str(d, "requested", where),
        revision=opt_str(d, "revision", where),
        source=str(d.get("source") or "hub"),
        referenced=bool(d.get("referenced")),
        card=card,
        determination=determination,
        files=tuple(files),
        gated=bool(d.get("gated")),
        tags=strs(d, "tags", where),
        pipeline_tag=opt_str(d, "pipeline_tag", where),
        gguf_license=opt_str(d, "gguf_license", where),
        hub_id=opt_str(d, "hub_id", where),
        lineage=tuple(link_from(x, f"{where}.lineage") for x in d.get("lineage") or ()),
        effective_licenses=strs(d, "effective_licenses", where),
        unread=tuple(_unread(x, f"{where}.unread") for x in d.get("unread") or ()),
    )
    if entry.key != key:
        raise _Bad(f"{where}: key does not match repo_id/requested ({entry.key!r})")
    if entry.revision is not None and not _COMMIT.fullmatch(entry.revision):
        # `lock` records the commit a reference resolved to; anything else is an edit.
        raise _Bad(f"{where}.revision: not a 40-hex commit sha")
    return entry


REGENERATE = "run `licensecheck lock` to regenerate it"
_CONFLICT = re.compile(r"^(<<<<<<<|=======|>>>>>>>|\|\|\|\|\|\|\|)(?: |$)", re.MULTILINE)


def parse(text: str, name: str = LOCK_NAME) -> Lock:
    """A lock from its text. LockDamaged naming the file (and line, for bad JSON or
    merge-conflict markers) and how to regenerate it."""
    conflict = _CONFLICT.search(text)
    if conflict is not None:
        line = text.count("\n", 0, conflict.start()) + 1
        raise LockDamaged(
            f"{name}:{line}: merge-conflict markers ({conflict.group(1)}); {REGENERATE}"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockDamaged(
            f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}; {REGENERATE}"
        ) from None
    try:
        if not isinstance(data, dict):
            raise _Bad("the top level must be an object")
        version = data.get("lock_version")
        if version != LOCK_VERSION:
            raise _Bad(
                f"lock_version {version!r} is not supported (this licensecheck reads "
                f"{LOCK_VERSION}); run `licensecheck lock` to rewrite it"
            )
        policy = data.get("policy") or {}
        models = get_field(data, "models", dict, "lock")
        entries = {key: _entry(key, value) for key, value in models.items()}
        return Lock(
            models=entries,
            policy_name=opt_str(policy, "name", "policy") if isinstance(policy, dict) else None,
            policy_sha256=opt_str(policy, "sha256", "policy") if isinstance(policy, dict) else None,
            path=name,
        )
    except _Bad as exc:
        hint = "" if "licensecheck lock" in str(exc) else f"; {REGENERATE}"
        raise LockDamaged(f"{name}: {exc}{hint}") from None
    except (TypeError, ValueError) as exc:
        raise LockDamaged(f"{name}: malformed lock ({exc}); {REGENERATE}") from None


def read(path: Path) -> Lock:
    """Read a lock file. UsageError (exit 2) if it is unreadable or malformed."""
    try:
        if path.stat().st_size > MAX_LOCK_BYTES:
            raise UsageError(f"{path}: larger than {MAX_LOCK_BYTES // (1024 * 1024)} MiB")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse(text, str(path))


# --- auditing with a lock --------------------------------------------------------------------


class Recorder:
    """Collects every model an audit reads (referenced and base models) with its
    determination, to build lock entries from. Thread-safe enough: dict writes are atomic
    and the Auditor memoises, so each key is written with the same value."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str | None], tuple[ModelFacts, Determination]] = {}

    def record(self, facts: ModelFacts, determination: Determination) -> None:
        self.seen.setdefault(facts.ref.key, (facts, determination))
