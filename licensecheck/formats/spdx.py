"""An audit report as an SPDX 2.3 document (JSON), built and validated with spdx-tools.

One package per audited model: the revision is its version, the Hub tree at that revision its
download location (NOASSERTION for a local directory), the card's licences its declared
licence and licensecheck's effective licences (own and inherited, joined with AND) its
concluded licence. Base models are packages too, linked by relationships (a fine-tune, merge
or adapter DESCENDANT_OF its base, a quantisation VARIANT_OF it; an adapter also DEPENDS_ON
its base). The verdicts are REVIEW annotations, the notice lines attribution texts.

Licences outside the SPDX list become `LicenseRef-` entries carrying their text: the
knowledge base's canonical text for the identified version, or the file read from the repo
when that text was modified. `LicenceCatalogue` is shared with the CycloneDX writer.

Deterministic: the creation time is given (`created`, default the Unix epoch) and the
namespace is derived from a hash of the report, never from a clock or a random number.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from licensecheck import __version__
from licensecheck.errors import LicensecheckError
from licensecheck.formats import DECLARED_ONLY
from licensecheck.identify.types import UNKNOWN
from licensecheck.notice import required_notices
from licensecheck.results import AuditReport, LineageLink, ModelResult
from licensecheck.sources import DEFAULT_ENDPOINT, default_endpoint

if TYPE_CHECKING:
    from spdx_tools.spdx.model.document import Document
    from spdx_tools.spdx.model.package import Package

    from licensecheck.facts import RepoFile
    from licensecheck.formats import RenderOptions
    from licensecheck.knowledge.model import License
    from licensecheck.knowledge.store import KnowledgeBase

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
NAMESPACE_BASE = "https://spdx.org/spdxdocs/licensecheck"
TOOL = f"licensecheck-{__version__}"

# Hub `base_model_relation` -> SPDX relationship of the derived model to its base.
RELATIONSHIPS: dict[str, str] = {
    "finetune": "DESCENDANT_OF",
    "merge": "DESCENDANT_OF",
    "adapter": "DESCENDANT_OF",
    "distillation": "DESCENDANT_OF",
    "quantized": "VARIANT_OF",
}
# Relations whose derived model cannot run without its base's weights.
RUNTIME_DEPENDENT = frozenset({"adapter"})

_REF_CHARS = re.compile(r"[^A-Za-z0-9.-]+")


def idstring(value: str) -> str:
    """`value` in the characters SPDX allows in ids (letters, digits, `.`, `-`)."""
    value = value.replace("+", "plus")
    return _REF_CHARS.sub("-", value).strip("-.") or "x"


def report_digest(report: AuditReport) -> str:
    """A stable hash of everything in the report (the inputs of the BOM).

    Not of where the run happened: a local model's absolute path (`ModelRef.local_path`)
    is left out (the path as given stays in), and sets are hashed in sorted order, so the
    same inputs give the same namespace from any directory and with any PYTHONHASHSEED."""
    data = json.dumps(
        dataclasses.asdict(report, dict_factory=_portable),
        sort_keys=True,
        default=_portable_value,
        ensure_ascii=False,
    ).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _portable(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {key: value for key, value in pairs if key != "local_path"}


def _portable_value(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return str(value)


def utc(created: datetime | None) -> datetime:
    """`created` as an aware UTC datetime without microseconds (the epoch when not given)."""
    if created is None:
        return EPOCH
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return created.astimezone(timezone.utc).replace(microsecond=0)


# --- licences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceEntry:
    """One licence as a BOM names it: an SPDX list id, or a LicenseRef with its text."""

    key: str  # SPDX id or LicenseRef-...
    name: str
    text: str | None = None  # None for SPDX list licences
    url: str | None = None
    comment: str | None = None
    license_id: str | None = None  # the knowledge base id, when known
    from_repo: bool = False  # the text is the file read from the model's repo

    @property
    def is_ref(self) -> bool:
        return self.key.startswith("LicenseRef-")


@dataclass(frozen=True)
class Licences:
    """The licences of one model: what its card declares and what licensecheck concludes."""

    declared: tuple[LicenceEntry, ...]
    concluded: tuple[LicenceEntry, ...]  # all bind: joined with AND
    declared_note: str | None = None  # a declared name the catalogue could not turn into a licence
    concluded_note: str | None = None  # why the concluded licence is incomplete

    @property
    def declared_expression(self) -> str | None:
        # A list in the card's `license` field offers alternatives (dual licensing).
        return _join([e.key for e in self.declared], "OR")

    @property
    def concluded_expression(self) -> str | None:
        if self.concluded_note is not None:
            return None
        return _join([e.key for e in self.concluded], "AND")


def _join(keys: list[str], op: str) -> str | None:
    if not keys:
        return None
    return keys[0] if len(keys) == 1 else f" {op} ".join(keys)


def _spdx_list_id(value: str) -> str | None:
    """The SPDX licence-list spelling of `value`, or None if it is not on the list."""
    if not value or value.startswith("LicenseRef-") or value.lower() in ("other", "unknown"):
        return None
    from spdx_tools.common.spdx_licensing import spdx_licensing

    try:
        if spdx_licensing.validate(value).invalid_symbols:
            return None
        return str(spdx_licensing.parse(value))
    except Exception:  # license_expression raises several unrelated types on bad input
        return None


def _sha8(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


class LicenceCatalogue:
    """Turns licence ids into BOM licence entries, and keeps each LicenseRef's one text.

    A LicenseRef names one text in a document: a second, different text for the same ref
    (a modified copy, another version) gets a ref of its own.
    """

    def __init__(self, kb: KnowledgeBase, texts_dir: Any = None) -> None:
        from licensecheck.knowledge.store import TEXTS_DIR

        self.kb = kb
        self._texts_dir = texts_dir if texts_dir is not None else TEXTS_DIR
        self._refs: dict[str, LicenceEntry] = {}

    # Public ------------------------------------------------------------------------------

    def refs(self) -> list[LicenceEntry]:
        """Every LicenseRef entry handed out, in the order first used."""
        return list(self._refs.values())

    def for_model(self, result: ModelResult) -> Licences:
        declared, declared_note = self._declared(result)
        concluded: list[LicenceEntry] = []
        missing: list[str] = []
        if result.status == "ok":
            ids = result.effective_licenses or (
                (result.determination.id,) if result.determination else ()
            )
            for license_id in ids:
                entry = self.entry(license_id, result)
                if entry is None:
                    missing.append(license_id)
                elif entry not in concluded:
                    concluded.append(entry)
            if not ids:
                missing.append(UNKNOWN)
        note = None
        if result.status != "ok":
            note = "the model could not be read"
        elif missing:
            note = (
                "licence not identified"
                if missing == [UNKNOWN]
                else ("not identified: " + ", ".join(missing))
            )
        return Licences(tuple(declared), tuple(concluded), declared_note, note)

    def for_link(self, link: LineageLink) -> LicenceEntry | None:
        return self.entry(link.license, None)

    def entry(self, license_id: str, result: ModelResult | None) -> LicenceEntry | None:
        """The entry for a knowledge-base id as it applies to `result` (None: unknown)."""
        lic = self.kb.get(license_id)
        if lic is None:
            return None
        version, modified, repo_file = self._evidence(license_id, result)
        base = _spdx_list_id(lic.spdx)
        if modified and repo_file is not None:
            # The licence as shipped differs from the canonical text: its own ref and text.
            return self._register(
                f"LicenseRef-licensecheck-{idstring(lic.id)}-modified",
                f"{lic.name} (modified)",
                repo_file.text,
                lic,
                f"Modified copy read from {result.model if result else '?'}:{repo_file.path}; "
                "it differs in substance from the canonical text.",
                from_repo=True,
            )
        if base is not None:
            return LicenceEntry(key=base, name=lic.name, url=lic.url, license_id=lic.id)
        text, text_version = self._kb_text(lic, version)
        ref = lic.spdx if lic.spdx.startswith("LicenseRef-") else f"LicenseRef-{lic.spdx}"
        ref = "LicenseRef-" + idstring(ref[len("LicenseRef-") :])
        if text is not None:
            if text_version is not None and self._versions_with_texts(lic) > 1:
                ref = f"{ref}-{idstring(text_version)}"
            comment = f"licensecheck id {lic.id}" + (
                f", version {text_version}" if text_version else ""
            )
            if version is None and text_version is not None and self._versions_with_texts(lic) > 1:
                comment += " (version not determined; text of the latest version)"
            return self._register(ref, lic.name, text, lic, comment + ".")
        if repo_file is not None:
            return self._register(
                ref,
                lic.name,
                repo_file.text,
                lic,
                f"licensecheck id {lic.id}; text read from the model repo ({repo_file.path}).",
                from_repo=True,
            )
        return self._register(
            ref,
            lic.name,
            f"{lic.name}. The licence text is not bundled with licensecheck"
            + (f"; see {lic.url}." if lic.url else "."),
            lic,
            f"licensecheck id {lic.id}; the full text was not available.",
        )

    # Internals ---------------------------------------------------------------------------

    def _register(
        self,
        ref: str,
        name: str,
        text: str,
        lic: License | None,
        comment: str,
        from_repo: bool = False,
    ) -> LicenceEntry:
        url = lic.url if lic is not None else None
        entry = LicenceEntry(
            key=ref,
            name=name,
            text=text,
            url=url,
            comment=comment,
            license_id=lic.id if lic is not None else None,
            from_repo=from_repo,
        )
        old = self._refs.get(ref)
        if old is not None and old.text == text:
            return old
        if old is not None:
            ref = f"{ref}-{_sha8(text)}"
            entry = dataclasses.replace(entry, key=ref)
            old = self._refs.get(ref)
            if old is not None:
                return old
        self._refs[ref] = entry
        return entry

    def _versions_with_texts(self, lic: License) -> int:
        return sum(1 for v in lic.versions if v.texts)

    def _kb_text(self, lic: License, version: str | None) -> tuple[str | None, str | None]:
        chosen = lic.version_named(version) if version else None
        if chosen is None or not chosen.texts:
            with_texts = [v for v in lic.versions if v.texts]
            chosen = with_texts[-1] if with_texts else None
        if chosen is None:
            return None, None
        parts: list[str] = []
        for name in chosen.texts:
            path = self._texts_dir / name
            try:
                parts.append(path.read_text(encoding="utf-8"))
            except OSError:
                continue
        if not parts:
            return None, None
        # Verbatim: a single text exactly as bundled; several (licence + appendix) in order.
        return "\n\n".join(parts), chosen.version

    def _evidence(
        self, license_id: str, result: ModelResult | None
    ) -> tuple[str | None, bool, RepoFile | None]:
        """(version, modified, repo file) for a licence the model's own evidence found."""
        if result is None or result.determination is None:
            return None, False, None
        det = result.determination
        files = {f.path: f for f in result.facts.files} if result.facts else {}
        repo_file = None
        modified = False
        version = det.version if det.id == license_id else None
        for ev in det.evidence:
            if ev.id != license_id or ev.source != "license-file" or ev.kind != "license":
                continue
            if ev.path in files:
                repo_file = files[ev.path]
                modified = modified or ev.modified
                version = version or ev.version
                break
        if det.id == license_id:
            modified = modified or det.modified
        return version, modified, repo_file

    def _declared(self, result: ModelResult) -> tuple[list[LicenceEntry], str | None]:
        """The card's licences: known ids, else the named licence with the linked file."""
        entries: list[LicenceEntry] = []
        det = result.determination
        for license_id in det.declared if det else ():
            lic = self.kb.get(license_id)
            if lic is None:
                continue
            base = _spdx_list_id(lic.spdx)
            if base is not None:
                entries.append(
                    LicenceEntry(key=base, name=lic.name, url=lic.url, license_id=lic.id)
                )
                continue
            entry = self.entry(license_id, result)
            if entry is not None and entry not in entries:
                entries.append(entry)
        if entries or result.facts is None:
            return entries, None
        card = result.facts.card
        named = [
            n
            for n in (*card.licenses, card.license_name)
            if n and n.strip().lower() not in ("other", "unknown", "")
        ]
        if not named:
            return entries, None
        # A name the knowledge base does not know: carry it with the file the card links.
        name = named[-1].strip()
        listed = _spdx_list_id(name)
        if listed is not None:
            return [LicenceEntry(key=listed, name=name)], None
        linked = _linked_file(result)
        if linked is None:
            return entries, f"card declares {name!r}; its text was not read"
        entry = self._register(
            f"LicenseRef-{idstring(name)}",
            name,
            linked.text,
            None,
            f"Declared by the card of {result.model}; text read from {linked.path}. "
            "Not a licence licensecheck knows.",
            from_repo=True,
        )
        return [entry], None


def _linked_file(result: ModelResult) -> RepoFile | None:
    """The repo file the card's relative `license_link` names, or the only licence file."""
    if result.facts is None:
        return None
    files = {f.path: f for f in result.facts.files}
    link = (result.facts.card.license_link or "").strip().removeprefix("./")
    if link and "://" not in link and link in files:
        return files[link]
    licence_files = [
        f for f in result.facts.files if f.path.rsplit("/", 1)[-1].upper().startswith("LICENSE")
    ]
    return licence_files[0] if len(licence_files) == 1 else None


# --- packages ------------------------------------------------------------------------------


def _without_userinfo(url: str) -> str:
    """The URL without `user:password@` (a credential must never reach a document)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def download_location(model: str, revision: str | None, local: bool, hub_url: str) -> str | None:
    """The Hub tree at `revision`; None (NOASSERTION) for a local directory."""
    if local:
        return None
    base = f"{_without_userinfo(hub_url).rstrip('/')}/{model}"
    return f"{base}/tree/{revision}" if revision else base


def _location(url: str | None) -> tuple[str | None, str | None]:
    """(downloadLocation, sourceInfo). SPDX accepts only URLs on a named host with a TLD; a
    Hub on an address or `localhost` (a mirror, a test imitation) goes to sourceInfo."""
    if url is None:
        return None, None
    from spdx_tools.spdx.validation.uri_validators import validate_download_location

    if validate_download_location(url):
        return None, f"Read from {url}"
    return url, None


def purl(model: str, revision: str | None) -> str | None:
    """`pkg:huggingface/org/name@rev` for a Hub model id, else None."""
    if model.count("/") != 1 or model.startswith((".", "/")):
        return None
    from packageurl import PackageURL

    namespace, name = model.split("/")
    return str(PackageURL(type="huggingface", namespace=namespace, name=name, version=revision))


def hub_id(result: ModelResult) -> str:
    """The Hub id of the model: its name, or for a local snapshot the repo it belongs to."""
    if result.facts is not None and result.facts.ref.local_path is not None:
        return result.facts.hub_id or ""
    return "" if _is_local(result) else result.model


def _is_local(result: ModelResult) -> bool:
    if result.facts is not None:
        return result.facts.ref.local_path is not None
    return result.source == "local"


class _Ids:
    """Unique SPDX element ids from model names, stable for a given input order."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, prefix: str, name: str, revision: str | None) -> str:
        raw = f"SPDXRef-{prefix}-{idstring(name)}" + (
            f"-{idstring(revision[:12])}" if revision else ""
        )
        spdx_id, n = raw, 2
        while spdx_id in self._used:
            spdx_id, n = f"{raw}-{n}", n + 1
        self._used.add(spdx_id)
        return spdx_id


def _verdict_comment(use: str, result: ModelResult) -> str:
    verdict = result.verdicts[use]
    lines = [f"licensecheck verdict for {use}: {verdict.verdict}"]
    if verdict.waived_by:
        lines.append(f"waived: {verdict.waived_by}")
    lines.extend(f"reason [{r.rule}] {r.message}" for r in verdict.reasons)
    lines.extend(f"obligation [{o.id}, {o.license}] {o.text}" for o in verdict.obligations)
    return "\n".join(lines)


def _license_comment(result: ModelResult, licences: Licences) -> str:
    parts: list[str] = []
    det = result.determination
    if result.status != "ok":
        err = result.error
        parts.append(f"Not evaluated ({err.kind}: {err.message})." if err else "Not evaluated.")
    elif det is not None:
        parts.append(
            f"licensecheck identified {det.id}"
            + (f" version {det.version}" if det.version else "")
            + f" (confidence {det.confidence:.2f}"
            + (", modified" if det.modified else "")
            + (f", {DECLARED_ONLY}: no licence text read" if not det.verified else "")
            + ")."
        )
        if result.effective_licenses:
            parts.append("Effective licences: " + ", ".join(result.effective_licenses) + ".")
        for conflict in (*det.conflicts, *result.lineage_conflicts):
            parts.append(f"Conflict ({conflict.kind}): {conflict.message}")
    if licences.concluded_note:
        parts.append(f"Concluded licence incomplete: {licences.concluded_note}.")
    if licences.declared_note:
        parts.append(f"Declared: {licences.declared_note}.")
    return " ".join(parts)


def _expression(value: str | None) -> Any:
    from spdx_tools.common.spdx_licensing import spdx_licensing
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    if value is None:
        return SpdxNoAssertion()
    return spdx_licensing.parse(value)


@dataclass
class _Build:
    """State while building one document."""

    report: AuditReport
    kb: KnowledgeBase
    created: datetime
    hub_url: str
    catalogue: LicenceCatalogue
    ids: _Ids = dataclasses.field(default_factory=_Ids)
    packages: list[Package] = dataclasses.field(default_factory=list)
    relationships: list[tuple[str, str, str, str | None]] = dataclasses.field(default_factory=list)
    annotations: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    by_model: dict[tuple[str, str | None], str] = dataclasses.field(default_factory=dict)
    roots: list[str] = dataclasses.field(default_factory=list)


def _model_package(b: _Build, result: ModelResult) -> str:
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.package import (
        ExternalPackageRef,
        ExternalPackageRefCategory,
        Package,
        PackagePurpose,
    )
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    local = _is_local(result)
    revision = result.revision
    spdx_id = b.ids.make("Model", result.model, revision)
    licences = b.catalogue.for_model(result)
    notice = required_notices([result], b.kb)
    publisher = result.facts.publisher if result.facts is not None else None
    if publisher is None and not local and result.model.count("/") == 1:
        publisher = result.model.split("/")[0]
    refs = []
    locator = purl(hub_id(result), revision)
    if locator is not None:
        refs.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", locator))
    verdicts = ", ".join(f"{use}: {v.verdict}" for use, v in result.verdicts.items())
    location, source_info = _location(download_location(result.model, revision, local, b.hub_url))
    package = Package(
        spdx_id=spdx_id,
        name=result.model,
        download_location=location or SpdxNoAssertion(),
        source_info=source_info,
        version=revision,
        supplier=Actor(ActorType.ORGANIZATION, publisher) if publisher else SpdxNoAssertion(),
        files_analyzed=False,
        license_concluded=_expression(licences.concluded_expression),
        license_declared=_expression(licences.declared_expression),
        license_comment=_license_comment(result, licences) or None,
        copyright_text=SpdxNoAssertion(),
        comment=f"Machine-learning model (source: {result.source}). licensecheck verdicts: "
        + (verdicts or "none")
        + ".",
        external_references=refs,
        attribution_texts=[line.text for line in notice.unconditional]
        + [f.text for f in notice.files],
        primary_package_purpose=PackagePurpose.OTHER,
    )
    b.packages.append(package)
    b.by_model.setdefault((result.model.lower(), revision), spdx_id)
    for use in result.verdicts:
        b.annotations.append((spdx_id, _verdict_comment(use, result)))
    return spdx_id


def _base_package(b: _Build, link: LineageLink) -> str:
    from spdx_tools.spdx.model.package import (
        ExternalPackageRef,
        ExternalPackageRefCategory,
        Package,
        PackagePurpose,
    )
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    key = (link.model.lower(), link.revision)
    found = b.by_model.get(key)
    if found is None and link.revision is None:
        found = next((v for (m, _), v in b.by_model.items() if m == key[0]), None)
    if found is not None:
        return found
    spdx_id = b.ids.make("Base", link.model, link.revision)
    entry = b.catalogue.for_link(link) if link.license != UNKNOWN else None
    refs = []
    locator = purl(link.model, link.revision)
    if locator is not None:
        refs.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", locator))
    location, source_info = _location(
        download_location(link.model, link.revision, False, b.hub_url)
    )
    comment = f"Base model (licensecheck licence: {link.license})."
    if link.error:
        comment += f" Could not be read: {link.error}."
    b.packages.append(
        Package(
            spdx_id=spdx_id,
            name=link.model,
            download_location=location or SpdxNoAssertion(),
            source_info=source_info,
            version=link.revision,
            files_analyzed=False,
            license_concluded=_expression(entry.key if entry else None),
            license_declared=SpdxNoAssertion(),
            copyright_text=SpdxNoAssertion(),
            comment=comment,
            external_references=refs,
            primary_package_purpose=PackagePurpose.OTHER,
        )
    )
    b.by_model[key] = spdx_id
    return spdx_id


def _lineage(b: _Build, result: ModelResult, root_id: str) -> None:
    ids: dict[str, str] = {}
    for link in result.lineage:
        base_id = _base_package(b, link)
        ids.setdefault(link.model.lower(), base_id)
        parent = root_id
        if link.parent is not None and link.parent.lower() != result.model.lower():
            parent = ids.get(link.parent.lower(), root_id)
        rel = RELATIONSHIPS.get(link.relation, "OTHER")
        note = f"base_model_relation: {link.relation}"
        b.relationships.append((parent, rel, base_id, note))
        if link.relation in RUNTIME_DEPENDENT:
            b.relationships.append((parent, "DEPENDS_ON", base_id, "an adapter needs its base"))


def _name(report: AuditReport) -> str:
    models = [r.model for r in report.results]
    shown = ", ".join(models[:3]) + (f" and {len(models) - 3} more" if len(models) > 3 else "")
    return f"licensecheck AI bill of materials: {shown or 'no models'}"


def build_document(
    report: AuditReport,
    kb: KnowledgeBase,
    *,
    created: datetime | None = None,
    hub_url: str = DEFAULT_ENDPOINT,
) -> Document:
    """The SPDX 2.3 document for `report` (not yet validated)."""
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.annotation import Annotation, AnnotationType
    from spdx_tools.spdx.model.document import CreationInfo, Document
    from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
    from spdx_tools.spdx.model.relationship import Relationship, RelationshipType

    when = utc(created)
    b = _Build(report, kb, when, hub_url, LicenceCatalogue(kb))
    for result in report.results:
        root = _model_package(b, result)
        b.roots.append(root)
    for result, root in zip(report.results, b.roots, strict=True):
        _lineage(b, result, root)

    tool = Actor(ActorType.TOOL, TOOL)
    digest = report_digest(report)
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=_name(report),
        document_namespace=f"{NAMESPACE_BASE}-{digest[:32]}",
        creators=[tool],
        created=when.replace(tzinfo=None),
        creator_comment=(
            f"Policy {report.policy.name} (sha256 {report.policy.sha256}); "
            f"uses: {', '.join(report.uses) or 'none'}; knowledge base {kb.digest}."
        ),
    )
    relationships = [
        Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root) for root in b.roots
    ]
    seen: set[tuple[str, str, str]] = set()
    for src, rel, dst, note in b.relationships:
        if (src, rel, dst) in seen:
            continue
        seen.add((src, rel, dst))
        relationships.append(Relationship(src, RelationshipType[rel], dst, comment=note))
    annotations = [
        Annotation(spdx_id, AnnotationType.REVIEW, tool, when.replace(tzinfo=None), text)
        for spdx_id, text in b.annotations
    ]
    extracted = [
        ExtractedLicensingInfo(
            license_id=e.key,
            extracted_text=e.text,
            license_name=e.name,
            cross_references=[e.url] if e.url and e.url.startswith(("http://", "https://")) else [],
            comment=e.comment,
        )
        for e in b.catalogue.refs()
    ]
    return Document(
        creation,
        packages=b.packages,
        relationships=relationships,
        annotations=annotations,
        extracted_licensing_info=extracted,
    )


def validate(document: Document) -> list[str]:
    """spdx-tools' full validation: one message per problem (empty when valid)."""
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    return [m.validation_message for m in validate_full_spdx_document(document)]


def to_json(document: Document) -> str:
    from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter

    data = DocumentConverter().convert(document)  # type: ignore[no-untyped-call]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(
    report: AuditReport,
    kb: KnowledgeBase | None = None,
    *,
    created: datetime | None = None,
    hub_url: str = DEFAULT_ENDPOINT,
) -> str:
    """The report as SPDX 2.3 JSON. Fails (never writes an invalid document) on a problem."""
    if kb is None:
        from licensecheck.knowledge.store import load

        kb = load()
    document = build_document(report, kb, created=created, hub_url=hub_url)
    problems = validate(document)
    if problems:
        raise LicensecheckError(
            f"internal error: the SPDX document is not valid ({len(problems)} problems): "
            + problems[0]
        )
    return to_json(document)


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) as a UTC time; None when unset."""
    import os

    from licensecheck.errors import UsageError

    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={raw!r}: not a number of seconds") from None


def render_format(report: AuditReport, options: RenderOptions) -> str:
    """The registry's entry point (`audit --format spdx-json`): SPDX 2.3 JSON, timed by
    SOURCE_DATE_EPOCH (else the epoch) like `licensecheck sbom`. Download locations use the
    run's `--endpoint` (`options.hub_url`), else HF_ENDPOINT, else the public Hub."""
    return render(
        report,
        options.kb,
        created=options.created or source_date_epoch(),
        hub_url=options.hub_url or default_endpoint(),
    )


__all__ = [
    "RELATIONSHIPS",
    "LicenceCatalogue",
    "LicenceEntry",
    "Licences",
    "build_document",
    "download_location",
    "hub_id",
    "idstring",
    "purl",
    "render",
    "render_format",
    "report_digest",
    "source_date_epoch",
    "to_json",
    "utc",
    "validate",
]
