"""An audit report as a CycloneDX 1.6 BOM (JSON), built with cyclonedx-python-lib.

Each audited model is a `machine-learning-model` component (group and name from the Hub id,
the revision as version, a `pkg:huggingface` purl). Its licences carry CycloneDX 1.6
acknowledgements: `concluded` for licensecheck's effective licences, `declared` for the
card's. A licence outside the SPDX list is named, with its URL, and carries its text only
when that text was read from the repo (a modified copy, an unknown licence). CycloneDX allows either a list of licences or one expression; a list reads as
alternatives, so when several licences bind at once (own AND inherited) the concluded
licence is one `AND` expression and the declared one moves to a property. Base models are the
component's pedigree ancestors (each with its own ancestors). Verdicts, reasons, obligations
and notice lines are `licensecheck:*` properties.

Deterministic: the timestamp is given (default the Unix epoch) and the serial number is a
UUID derived from a hash of the report; every bom-ref is derived from the model ids.
"""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cyclonedx.model import AttachedText, ExternalReference, ExternalReferenceType, Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType, Pedigree
from cyclonedx.model.license import DisjunctiveLicense, LicenseAcknowledgement, LicenseExpression
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.spdx import is_supported_id
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL

from licensecheck import __version__
from licensecheck.formats.sbom import (
    LicenceCatalogue,
    LicenceEntry,
    Licences,
    download_location,
    fail_if_invalid,
    hub_id,
    purl,
    render_args,
    report_digest,
)
from licensecheck.notice import required_notices
from licensecheck.results import AuditReport, LineageLink, ModelResult

if TYPE_CHECKING:
    from cyclonedx.model.license import License

    from licensecheck.formats import RenderOptions
    from licensecheck.knowledge.store import KnowledgeBase

# Serial numbers are UUIDv5 in this namespace, named by the report's hash.
SERIAL_NAMESPACE = uuid.UUID("6f1c3a52-4b1e-5d0e-9a4e-6c6963656e73")
PREFIX = "licensecheck"


class _Refs:
    """Unique bom-refs from model ids, stable for a given input order."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, kind: str, name: str, revision: str | None) -> str:
        raw = f"{kind}:{name}" + (f"@{revision}" if revision else "")
        ref, n = raw, 2
        while ref in self._used:
            ref, n = f"{raw}#{n}", n + 1
        self._used.add(ref)
        return ref


def _props(pairs: Iterable[tuple[str, str | None]]) -> list[Any]:

    return [Property(name=f"{PREFIX}:{k}", value=v) for k, v in pairs if v is not None]


def _licence(entry: LicenceEntry, acknowledgement: str) -> License:

    ack = LicenseAcknowledgement(acknowledgement)
    url = XsUri(entry.url) if entry.url and entry.url.startswith(("http://", "https://")) else None
    if not entry.is_ref and is_supported_id(entry.key):
        return DisjunctiveLicense(id=entry.key, acknowledgement=ack)
    # A knowledge-base text is known by its name and URL; a text read from a repo (modified,
    # or a licence licensecheck does not know) exists nowhere else, so it travels along.
    text = AttachedText(content=entry.text) if entry.text and entry.from_repo else None
    return DisjunctiveLicense(name=entry.name, text=text, url=url, acknowledgement=ack)


def _licences(licences: Licences) -> list[License]:

    concluded = licences.concluded_expression
    if concluded is not None and len(licences.concluded) > 1:
        return [LicenseExpression(concluded, acknowledgement=LicenseAcknowledgement.CONCLUDED)]
    out = [_licence(e, "concluded") for e in licences.concluded if concluded is not None]
    out.extend(_licence(e, "declared") for e in licences.declared)
    return out


def _name(model: str, local: bool) -> tuple[str | None, str]:
    if not local and model.count("/") == 1:
        group, name = model.split("/")
        return group, name
    return None, model


def _links_of(result: ModelResult, parent: str | None) -> list[LineageLink]:
    """The direct bases of `parent` (None: of the audited model itself)."""
    bases = {link.model.lower() for link in result.lineage}
    out = []
    for link in result.lineage:
        owner = (link.parent or "").lower()
        # A parent that is not itself a base is the audited model (however it was named).
        mine = owner == parent.lower() if parent else owner not in bases
        if mine:
            out.append(link)
    return out


class _Builder:
    def __init__(self, kb: KnowledgeBase, hub_url: str) -> None:
        self.kb = kb
        self.hub_url = hub_url
        self.catalogue = LicenceCatalogue(kb)
        self.refs = _Refs()

    def model(self, result: ModelResult) -> Component:

        local = (
            result.facts.ref.local_path is not None
            if result.facts is not None
            else result.source == "local"
        )
        group, name = _name(result.model, local)
        licences = self.catalogue.for_model(result)
        location = download_location(result.model, result.revision, local, self.hub_url)
        locator = purl(hub_id(result), result.revision)
        ancestors = [self.base(result, link, depth=1) for link in _links_of(result, None)]
        return Component(
            type=ComponentType.MACHINE_LEARNING_MODEL,
            bom_ref=self.refs.make("model", result.model, result.revision),
            group=group,
            name=name,
            version=result.revision,
            publisher=group,
            purl=PackageURL.from_string(locator) if locator else None,
            licenses=_licences(licences),
            external_references=[
                ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(location))
            ]
            if location
            else [],
            pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
            properties=_props(self.model_properties(result, licences)),
        )

    def base(self, result: ModelResult, link: LineageLink, depth: int) -> Component:

        group, name = _name(link.model, False)
        entry = self.catalogue.for_link(link)
        locator = purl(link.model, link.revision)
        nested = (
            [self.base(result, inner, depth + 1) for inner in _links_of(result, link.model)]
            if depth < 32
            else []
        )
        return Component(
            type=ComponentType.MACHINE_LEARNING_MODEL,
            # Unique per place in the tree: the same base can be an ancestor of several models.
            bom_ref=self.refs.make(f"base:{result.model}", link.model, link.revision),
            group=group,
            name=name,
            version=link.revision,
            purl=PackageURL.from_string(locator) if locator else None,
            licenses=[_licence(entry, "concluded")] if entry is not None else [],
            pedigree=Pedigree(ancestors=nested) if nested else None,
            properties=_props(
                [
                    ("relation", link.relation),
                    ("license", link.license),
                    ("error", link.error),
                ]
            ),
        )

    def model_properties(
        self, result: ModelResult, licences: Licences
    ) -> list[tuple[str, str | None]]:
        det = result.determination
        pairs: list[tuple[str, str | None]] = [
            ("status", result.status),
            ("source", result.source),
            ("license", det.id if det else None),
            ("confidence", f"{det.confidence:.2f}" if det else None),
            ("modified", str(det.modified).lower() if det else None),
            ("verified", str(det.verified).lower() if det else None),
            ("concluded-license", licences.concluded_expression or "NOASSERTION"),
            ("declared-license", licences.declared_expression or "NOASSERTION"),
        ]
        if result.error is not None:
            pairs.append(("error", f"{result.error.kind}: {result.error.message}"))
        pairs.extend(("effective-license", lic) for lic in result.effective_licenses)
        if licences.concluded_note:
            pairs.append(("concluded-license-note", licences.concluded_note))
        if licences.declared_note:
            pairs.append(("declared-license-note", licences.declared_note))
        for conflict in (*(det.conflicts if det else ()), *result.lineage_conflicts):
            pairs.append(("conflict", f"{conflict.kind}: {conflict.message}"))
        for use, verdict in result.verdicts.items():
            pairs.append((f"verdict:{use}", verdict.verdict))
            if verdict.waived_by:
                pairs.append((f"waived:{use}", verdict.waived_by))
            # Properties are a sorted set: the number keeps the chain of reasons in order.
            pairs.extend(
                (f"reason:{use}:{i:02d}", f"[{r.rule}] {r.message}")
                for i, r in enumerate(verdict.reasons, 1)
            )
            pairs.extend(
                (f"obligation:{use}", f"[{o.id}, {o.license}] {o.text}")
                for o in verdict.obligations
            )
        notice = required_notices([result], self.kb)
        pairs.extend(("notice", line.text) for line in notice.unconditional)
        return pairs


def build_bom(report: AuditReport, options: RenderOptions) -> Bom:
    """The CycloneDX BOM for `report` (time and Hub URL: `sbom.render_args`)."""
    kb = options.kb
    created, hub_url = render_args(options)
    builder = _Builder(kb, hub_url)
    components = [builder.model(result) for result in report.results]
    tool = Component(
        type=ComponentType.APPLICATION,
        name="licensecheck",
        version=__version__,
        bom_ref=f"tool:licensecheck@{__version__}",
    )
    metadata = BomMetaData(
        timestamp=created,
        tools=ToolRepository(components=[tool]),
        properties=_props(
            [
                ("policy", report.policy.name),
                ("policy-sha256", report.policy.sha256),
                ("knowledge-base", kb.digest),
                *(("use", use) for use in report.uses),
            ]
        ),
    )
    return Bom(
        components=components,
        serial_number=uuid.uuid5(SERIAL_NAMESPACE, report_digest(report)),
        version=1,
        metadata=metadata,
    )


def to_json(bom: Bom) -> str:

    with warnings.catch_warnings():
        # The library warns about an incomplete dependency graph; models have none to give.
        warnings.simplefilter("ignore")
        text = JsonV1Dot6(bom).output_as_string()
    return json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def validate(text: str) -> list[str]:
    """The CycloneDX 1.6 JSON schema's verdict on `text` (empty when valid)."""

    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    return [str(e) for e in errors] if errors else []


def render(report: AuditReport, options: RenderOptions) -> str:
    """The report as CycloneDX 1.6 JSON (the registry's `cyclonedx-json`), timed and placed
    as `spdx.render` says. Fails (never writes an invalid BOM) on a problem."""
    text = to_json(build_bom(report, options))
    fail_if_invalid("CycloneDX BOM", validate(text))
    return text


__all__ = ["build_bom", "render", "to_json", "validate"]
