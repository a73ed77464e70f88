"""SPDX and CycloneDX builders on in-memory reports: validity, licences, lineage, determinism.

The documents are checked by the formats' own tools: spdx-tools' validate_full_spdx_document
and JSON parser, cyclonedx-python-lib's strict JSON-schema validator.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from spdx_tools.spdx.parser.json.json_parser import parse_from_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from licensecheck.facts import CardData, ModelFacts, ModelRef, RepoFile
from licensecheck.formats import RenderOptions, cyclonedx, sbom, spdx
from licensecheck.identify.types import Determination, Evidence
from licensecheck.knowledge.store import TEXTS_DIR
from licensecheck.results import (
    AuditReport,
    LineageLink,
    ModelError,
    ModelResult,
    PolicyInfo,
    Reason,
    UseVerdict,
)
from licensecheck.sources import DEFAULT_ENDPOINT

SHA_A = "a" * 40
SHA_B = "b" * 40


def _kb_text(kb, license_id: str) -> str:
    version = kb[license_id].versions[-1]
    return (TEXTS_DIR / version.texts[0]).read_text(encoding="utf-8")


def _finetune(kb, licence_text: str, modified: bool = False) -> ModelResult:
    facts = ModelFacts(
        ref=ModelRef("acme/Llama-ft", SHA_A),
        source="hub",
        revision=SHA_A,
        card=CardData(licenses=("llama3.1",), base_models=("meta-llama/Llama-3.1-8B",)),
        card_text=None,
        files=(RepoFile("LICENSE", licence_text, "0" * 64),),
    )
    det = Determination(
        id="llama3.1",
        confidence=0.97,
        modified=modified,
        declared=("llama3.1",),
        evidence=(
            Evidence("card-metadata", "llama3.1", 0.9, detail="license"),
            Evidence("license-file", "llama3.1", 0.97, path="LICENSE", modified=modified),
        ),
    )
    verdicts = {
        "commercial": UseVerdict(
            "commercial", "allow", reasons=(Reason("terms:llama3.1", "granted", "allow"),)
        ),
        "defense": UseVerdict(
            "defense",
            "deny",
            reasons=(
                Reason("terms:llama3.1:military", "AUP", "deny"),
                Reason("rule:5", "Defence needs legal review.", "review"),
            ),
        ),
    }
    return ModelResult(
        model="acme/Llama-ft",
        revision=SHA_A,
        source="hub",
        status="ok",
        facts=facts,
        determination=det,
        lineage=(
            LineageLink(
                "meta-llama/Llama-3.1-8B",
                "adapter",
                "llama3.1",
                revision=SHA_B,
                parent="acme/Llama-ft",
            ),
            LineageLink(
                "meta-llama/Llama-3.1-8B-base",
                "finetune",
                "unknown",
                parent="meta-llama/Llama-3.1-8B",
                error="not-found",
            ),
        ),
        effective_licenses=("llama3.1",),
        verdicts=verdicts,
    )


def _local_unknown() -> ModelResult:
    facts = ModelFacts(
        ref=ModelRef("models/mine", local_path="/abs/models/mine"),
        source="local",
        revision=None,
        card=CardData(licenses=("other",), license_name="acme-model-terms", license_link="LICENSE"),
        card_text=None,
        files=(RepoFile("LICENSE", "ACME model terms: internal use only.\n", "1" * 64),),
    )
    return ModelResult(
        model="models/mine",
        revision=None,
        source="local",
        status="ok",
        facts=facts,
        determination=Determination(id="unknown", confidence=0.0),
        effective_licenses=("unknown",),
        verdicts={"commercial": UseVerdict("commercial", "review")},
    )


def _missing() -> ModelResult:
    return ModelResult(
        model="acme/missing",
        revision=None,
        source="hub",
        status="error",
        error=ModelError("not-found", "acme/missing: repository not found"),
    )


def _report(*results: ModelResult) -> AuditReport:
    return AuditReport(
        tool_version="0.1.0",
        policy=PolicyInfo("default", None, "f" * 64),
        uses=("commercial", "defense"),
        results=results,
    )


@pytest.fixture(scope="module")
def report(kb):
    return _report(_finetune(kb, _kb_text(kb, "llama3.1")), _local_unknown(), _missing())


# --- SPDX --------------------------------------------------------------------------------


def test_spdx_validates_and_round_trips(kb, report, tmp_path):
    text = spdx.render(report, RenderOptions(kb=kb))
    path = tmp_path / "bom.spdx.json"
    path.write_text(text, encoding="utf-8")
    parsed = parse_from_file(str(path))
    assert validate_full_spdx_document(parsed) == []
    assert spdx.to_json(parsed) == text


def test_spdx_packages_carry_revision_location_and_licences(kb, report):
    doc = json.loads(spdx.render(report, RenderOptions(kb=kb)))
    pkgs = {p["name"]: p for p in doc["packages"]}
    ft = pkgs["acme/Llama-ft"]
    assert ft["versionInfo"] == SHA_A
    assert ft["downloadLocation"] == f"https://huggingface.co/acme/Llama-ft/tree/{SHA_A}"
    ref = kb["llama3.1"].spdx
    assert ft["licenseConcluded"] == ref
    assert ft["licenseDeclared"] == ref
    assert {
        "referenceCategory": "PACKAGE_MANAGER",
        "referenceType": "purl",
        "referenceLocator": f"pkg:huggingface/acme/Llama-ft@{SHA_A}",
    } in ft["externalRefs"]
    extracted = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    assert extracted[ref]["extractedText"] == _kb_text(kb, "llama3.1")
    assert extracted[ref]["name"] == kb["llama3.1"].name

    local = pkgs["models/mine"]
    assert local["downloadLocation"] == "NOASSERTION"
    assert local["licenseConcluded"] == "NOASSERTION"
    declared = local["licenseDeclared"]
    assert declared.startswith("LicenseRef-")
    assert extracted[declared]["extractedText"] == "ACME model terms: internal use only.\n"

    missing = pkgs["acme/missing"]
    assert missing["licenseConcluded"] == "NOASSERTION"
    assert "not-found" in missing["licenseComments"]


def test_spdx_lineage_relationships(kb, report):
    doc = json.loads(spdx.render(report, RenderOptions(kb=kb)))
    ids = {p["name"]: p["SPDXID"] for p in doc["packages"]}
    rels = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
        for r in doc["relationships"]
    }
    ft, base, grand = (
        ids["acme/Llama-ft"],
        ids["meta-llama/Llama-3.1-8B"],
        ids["meta-llama/Llama-3.1-8B-base"],
    )
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", ft) in rels
    assert (ft, "DESCENDANT_OF", base) in rels
    assert (ft, "DEPENDS_ON", base) in rels  # an adapter runs on its base
    assert (base, "DESCENDANT_OF", grand) in rels
    base_pkg = next(p for p in doc["packages"] if p["SPDXID"] == base)
    assert base_pkg["versionInfo"] == SHA_B
    assert base_pkg["licenseConcluded"] == kb["llama3.1"].spdx
    grand_pkg = next(p for p in doc["packages"] if p["SPDXID"] == grand)
    assert grand_pkg["licenseConcluded"] == "NOASSERTION"
    assert "not-found" in grand_pkg["comment"]


def test_spdx_verdicts_are_annotations_and_notices_attribution(kb, report):
    doc = json.loads(spdx.render(report, RenderOptions(kb=kb)))
    ft = next(p for p in doc["packages"] if p["name"] == "acme/Llama-ft")
    comments = [a["comment"] for a in ft["annotations"]]
    assert any(c.startswith("licensecheck verdict for defense: deny") for c in comments)
    assert any("terms:llama3.1:military" in c for c in comments)
    notices = [
        o.text for o in kb["llama3.1"].terms.obligations if o.id in ("attribution", "notice-file")
    ]
    assert ft["attributionTexts"] == notices


def test_modified_licence_gets_its_own_ref_with_the_repo_text(kb):
    canonical = _kb_text(kb, "llama3.1")
    changed = canonical.replace("700 million", "7 million")
    both = _report(
        _finetune(kb, canonical),
        ModelResult(
            **{**_finetune(kb, changed, modified=True).__dict__, "model": "acme/Llama-ft2"}
        ),
    )
    doc = json.loads(spdx.render(both, RenderOptions(kb=kb)))
    extracted = {e["licenseId"]: e["extractedText"] for e in doc["hasExtractedLicensingInfos"]}
    concluded = {p["name"]: p["licenseConcluded"] for p in doc["packages"]}
    assert concluded["acme/Llama-ft"] == kb["llama3.1"].spdx
    modified_ref = concluded["acme/Llama-ft2"]
    assert modified_ref != kb["llama3.1"].spdx and "modified" in modified_ref
    assert extracted[modified_ref] == changed
    assert extracted[kb["llama3.1"].spdx] == canonical


def test_spdx_is_deterministic_and_namespace_follows_the_inputs(kb, report):
    one, two = spdx.render(report, RenderOptions(kb=kb)), spdx.render(report, RenderOptions(kb=kb))
    assert one == two
    other = json.loads(spdx.render(_report(*report.results[:1]), RenderOptions(kb=kb)))
    assert json.loads(one)["documentNamespace"] != other["documentNamespace"]
    assert json.loads(one)["creationInfo"]["created"] == "1970-01-01T00:00:00Z"
    when = datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)
    assert json.loads(spdx.render(report, RenderOptions(kb=kb, created=when)))["creationInfo"][
        "created"
    ] == ("2026-03-01T12:30:00Z")


def test_credentials_in_an_endpoint_never_reach_the_document():
    url = sbom.download_location("acme/m", SHA_A, False, "https://user:hf_secret@hub.example.com/")
    assert url == f"https://hub.example.com/acme/m/tree/{SHA_A}"
    assert sbom.download_location("acme/m", None, True, DEFAULT_ENDPOINT) is None


def test_idstring_keeps_only_spdx_id_characters():
    assert sbom.idstring("openrail++") == "openrailplusplus"
    assert sbom.idstring("./models/my model") == "models-my-model"


# --- CycloneDX ---------------------------------------------------------------------------


def test_cyclonedx_validates_against_the_1_6_schema(kb, report):
    text = cyclonedx.render(report, RenderOptions(kb=kb))
    assert cyclonedx.validate(text) == []
    doc = json.loads(text)
    assert doc["specVersion"] == "1.6"
    assert {c["type"] for c in doc["components"]} == {"machine-learning-model"}


def test_cyclonedx_component_licences_pedigree_and_verdicts(kb, report):
    doc = json.loads(cyclonedx.render(report, RenderOptions(kb=kb)))
    comps = {c["bom-ref"]: c for c in doc["components"]}
    ft = comps[f"model:acme/Llama-ft@{SHA_A}"]
    assert (ft["group"], ft["name"], ft["version"]) == ("acme", "Llama-ft", SHA_A)
    assert ft["purl"] == f"pkg:huggingface/acme/Llama-ft@{SHA_A}"
    acks = {(lic["license"]["acknowledgement"], lic["license"]["name"]) for lic in ft["licenses"]}
    assert acks == {("concluded", kb["llama3.1"].name), ("declared", kb["llama3.1"].name)}
    props = {}
    for p in ft["properties"]:
        props.setdefault(p["name"], []).append(p["value"])
    assert props["licensecheck:verdict:defense"] == ["deny"]
    assert props["licensecheck:verdict:commercial"] == ["allow"]
    # The chain of reasons keeps its order in the (sorted) property set.
    assert props["licensecheck:reason:defense:01"] == ["[terms:llama3.1:military] AUP"]
    assert props["licensecheck:reason:defense:02"] == ["[rule:5] Defence needs legal review."]
    assert props["licensecheck:concluded-license"] == [kb["llama3.1"].spdx]
    (base,) = ft["pedigree"]["ancestors"]
    assert (base["group"], base["name"], base["version"]) == ("meta-llama", "Llama-3.1-8B", SHA_B)
    (grand,) = base["pedigree"]["ancestors"]
    assert grand["name"] == "Llama-3.1-8B-base"
    assert {"name": "licensecheck:error", "value": "not-found"} in grand["properties"]

    local = comps["model:models/mine"]
    assert "purl" not in local and "externalReferences" not in local
    (declared,) = local["licenses"]
    assert declared["license"]["text"]["content"] == "ACME model terms: internal use only.\n"


def test_several_binding_licences_are_one_and_expression(kb):
    result = _finetune(kb, _kb_text(kb, "llama3.1"))
    both = ModelResult(**{**result.__dict__, "effective_licenses": ("llama3.1", "llama3.1-aup")})
    doc = json.loads(cyclonedx.render(_report(both), RenderOptions(kb=kb)))
    (lic,) = doc["components"][0]["licenses"]
    assert lic["acknowledgement"] == "concluded"
    assert lic["expression"] == f"{kb['llama3.1'].spdx} AND {kb['llama3.1-aup'].spdx}"


def test_cyclonedx_is_deterministic(kb, report):
    one = cyclonedx.render(report, RenderOptions(kb=kb))
    assert one == cyclonedx.render(report, RenderOptions(kb=kb))
    doc = json.loads(one)
    assert doc["metadata"]["timestamp"].startswith("1970-01-01T00:00:00")
    other = json.loads(cyclonedx.render(_report(*report.results[:2]), RenderOptions(kb=kb)))
    assert doc["serialNumber"] != other["serialNumber"]
