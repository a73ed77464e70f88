"""An audit report as an SPDX 2.3 document (JSON), built and validated with spdx-tools.

One package per audited model: the revision is its version, the Hub tree at that revision its
download location (NOASSERTION for a local directory), the card's licences its declared
licence and licensecheck's effective licences (own and inherited, joined with AND) its
concluded licence. Base models are packages too, linked by relationships (a fine-tune, merge
or adapter DESCENDANT_OF its base, a quantisation VARIANT_OF it; an adapter also DEPENDS_ON
its base). The verdicts are REVIEW annotations, the notice lines attribution texts.

Licences outside the SPDX list become `LicenseRef-` entries carrying their text: the
knowledge base's canonical text for the identified version, or the file read from the repo
when that text was modified (`formats/sbom.py`, shared with the CycloneDX writer).

Deterministic: the creation time is given (`created`, default the Unix epoch) and the
namespace is derived from a hash of the report, never from a clock or a random number.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.annotation import Annotation, AnnotationType
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from spdx_tools.spdx.validation.uri_validators import validate_download_location

from licensecheck import __version__
from licensecheck.formats import DECLARED_ONLY
from licensecheck.formats.sbom import (
    LicenceCatalogue,
    Licences,
    download_location,
    fail_if_invalid,
    hub_id,
    idstring,
    is_local,
    purl,
    render_args,
    report_digest,
)
from licensecheck.identify.types import UNKNOWN
from licensecheck.notice import required_notices
from licensecheck.results import AuditReport, LineageLink, ModelResult

if TYPE_CHECKING:
    from licensecheck.formats import RenderOptions
    from licensecheck.knowledge.store import KnowledgeBase

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

# --- packages ------------------------------------------------------------------------------


def _location(url: str | None) -> tuple[str | None, str | None]:
    """(downloadLocation, sourceInfo). SPDX accepts only URLs on a named host with a TLD; a
    Hub on an address or `localhost` (a mirror, a test imitation) goes to sourceInfo."""
    if url is None:
        return None, None

    if validate_download_location(url):
        return None, f"Read from {url}"
    return url, None


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

    local = is_local(result)
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


def build_document(report: AuditReport, options: RenderOptions) -> Document:
    """The SPDX 2.3 document for `report` (not yet validated; time and Hub URL:
    `sbom.render_args`)."""
    kb = options.kb
    when, hub_url = render_args(options)
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

    return [m.validation_message for m in validate_full_spdx_document(document)]


def to_json(document: Document) -> str:

    data = DocumentConverter().convert(document)  # type: ignore[no-untyped-call]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(report: AuditReport, options: RenderOptions) -> str:
    """The report as SPDX 2.3 JSON (the registry's `spdx-json`), timed by `sbom --created`,
    else SOURCE_DATE_EPOCH, else the epoch; locations under the run's `--endpoint`, else
    HF_ENDPOINT, else the public Hub. Fails (never writes an invalid document) on a problem."""
    document = build_document(report, options)
    fail_if_invalid("SPDX document", validate(document))
    return to_json(document)


__all__ = [
    "RELATIONSHIPS",
    "build_document",
    "render",
    "to_json",
    "validate",
]
