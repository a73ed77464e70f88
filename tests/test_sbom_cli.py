"""`licensecheck sbom` end to end on the loopback Hub: the issue's "done when".

A mixed set (an apache-2.0 model, a Llama 3.1 fine-tune with its base, a Qwen model, Kimi
K2.6), built from the corpus cards and licence texts, goes through the real CLI; the SPDX
document must validate with zero errors in spdx-tools and round-trip through its parser, the
CycloneDX BOM must validate against the 1.6 JSON schema, and two runs give the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _cli import run
from _mixed_hub import APACHE, EXPECTED, KIMI, LLAMA_BASE, LLAMA_FT, MIXED, mixed_env
from click.testing import Result
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from hub_server import HubServer, corpus_card, corpus_license
from spdx_tools.spdx.parser.json.json_parser import parse_from_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from licensecheck.formats import spdx
from licensecheck.knowledge.store import TEXTS_DIR


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**mixed_env(tmp_path / "hf-cache"), "SOURCE_DATE_EPOCH": ""}


def sbom(hub: HubServer, env: dict[str, str], *args: str) -> Result:
    return run(["sbom", *args, "--endpoint", hub.url], env)


def _kb_text(kb: Any, license_id: str) -> str:
    version = kb[license_id].versions[-1]
    return "\n\n".join((TEXTS_DIR / name).read_text(encoding="utf-8") for name in version.texts)


def _expected_key(kb: Any, license_id: str) -> str:
    """How the SBOM must name a licence: its SPDX list id, else the KB's LicenseRef."""
    return kb[license_id].spdx


# --- SPDX --------------------------------------------------------------------------------


def test_spdx_for_the_mixed_set_validates_and_round_trips(
    mixed_hub: HubServer, env: dict[str, str], kb: Any, tmp_path: Path
) -> None:
    result = sbom(mixed_hub, env, *MIXED, "--format", "spdx-json")
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "bom.spdx.json"
    path.write_text(result.stdout, encoding="utf-8")
    parsed = parse_from_file(str(path))
    assert validate_full_spdx_document(parsed) == []
    assert spdx.to_json(parsed) == result.stdout  # nothing lost or changed by the parser

    doc = json.loads(result.stdout)
    packages = {p["name"]: p for p in doc["packages"]}
    extracted = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    for model in MIXED:
        pkg = packages[model]
        sha = mixed_hub.sha(model)
        assert pkg["versionInfo"] == sha
        # SPDX takes only named hosts as download locations: the loopback Hub's address goes
        # to sourceInfo (https://huggingface.co/... in real use: test_sbom_builders).
        assert pkg["downloadLocation"] == "NOASSERTION"
        assert pkg["sourceInfo"] == f"Read from {mixed_hub.url}/{model}/tree/{sha}"
        key = _expected_key(kb, EXPECTED[model])
        assert pkg["licenseConcluded"] == key, model
        assert pkg["licenseDeclared"] == key, model
        if key.startswith("LicenseRef-"):
            assert extracted[key]["extractedText"] == _kb_text(kb, EXPECTED[model])
            assert extracted[key]["name"] == kb[EXPECTED[model]].name
    # Kimi's modified MIT is never reported as plain MIT.
    assert packages[KIMI]["licenseConcluded"] != "MIT"
    assert packages[APACHE]["licenseConcluded"] == "Apache-2.0"
    assert "Copyright 2025 Acme Corp." in "\n".join(packages[APACHE]["attributionTexts"])


def test_spdx_base_model_is_a_related_package(
    mixed_hub: HubServer, env: dict[str, str], kb: Any
) -> None:
    doc = json.loads(sbom(mixed_hub, env, LLAMA_FT).stdout)
    ids = {p["name"]: p["SPDXID"] for p in doc["packages"]}
    base = next(p for p in doc["packages"] if p["name"] == LLAMA_BASE)
    assert base["versionInfo"] == mixed_hub.sha(LLAMA_BASE)
    assert base["licenseConcluded"] == kb["llama3.1"].spdx
    links = [
        r
        for r in doc["relationships"]
        if r["spdxElementId"] == ids[LLAMA_FT] and r["relatedSpdxElement"] == ids[LLAMA_BASE]
    ]
    assert {r["relationshipType"] for r in links} & {"DESCENDANT_OF", "VARIANT_OF"}
    assert {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
            "relatedSpdxElement": ids[LLAMA_FT]} in doc["relationships"]  # fmt: skip


def test_verdicts_are_annotations(mixed_hub: HubServer, env: dict[str, str]) -> None:
    result = sbom(mixed_hub, env, LLAMA_FT, "--use", "defense", "--use", "commercial")
    doc = json.loads(result.stdout)
    pkg = next(p for p in doc["packages"] if p["name"] == LLAMA_FT)
    heads = [a["comment"].splitlines()[0] for a in pkg["annotations"]]
    assert heads[0] == "licensecheck verdict for defense: deny"  # the AUP bans military use
    assert heads[1] in {f"licensecheck verdict for commercial: {v}" for v in ("allow", "review")}
    assert {a["annotationType"] for a in pkg["annotations"]} == {"REVIEW"}
    # A document: written in full whatever the verdicts (a deny here); the gate is audit/scan.
    assert result.exit_code == 0, result.stderr


# --- CycloneDX ---------------------------------------------------------------------------


def test_cyclonedx_for_the_mixed_set_validates(
    mixed_hub: HubServer, env: dict[str, str], kb: Any
) -> None:
    result = sbom(mixed_hub, env, *MIXED, "--format", "cyclonedx-json")
    assert result.exit_code == 0, result.stderr
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(result.stdout, all_errors=True)
    assert errors is None, [str(e) for e in errors or ()]
    doc = json.loads(result.stdout)
    assert doc["specVersion"] == "1.6"
    comps = {f"{c['group']}/{c['name']}": c for c in doc["components"]}
    assert set(comps) == set(MIXED)
    for model, comp in comps.items():
        assert comp["type"] == "machine-learning-model"
        assert comp["version"] == mixed_hub.sha(model)
        assert comp["purl"] == f"pkg:huggingface/{model}@{mixed_hub.sha(model)}"
        props = {p["name"]: p["value"] for p in comp["properties"]}
        assert props["licensecheck:license"] == EXPECTED[model]
        assert props["licensecheck:concluded-license"] == _expected_key(kb, EXPECTED[model])
        assert {"licensecheck:verdict:commercial", "licensecheck:verdict:defense"} <= set(props)
        acks = {lic["license"]["acknowledgement"] for lic in comp["licenses"]}
        assert acks == {"concluded", "declared"}
    assert comps[APACHE]["licenses"][0]["license"]["id"] == "Apache-2.0"
    (base,) = comps[LLAMA_FT]["pedigree"]["ancestors"]
    assert f"{base['group']}/{base['name']}" == LLAMA_BASE
    assert base["version"] == mixed_hub.sha(LLAMA_BASE)


# --- determinism and time ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["spdx-json", "cyclonedx-json"])
def test_two_runs_give_the_same_bytes(
    mixed_hub: HubServer, env: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    first = sbom(mixed_hub, env, *MIXED, "--format", fmt).stdout_bytes
    out = tmp_path / "bom.json"
    second = sbom(mixed_hub, env, *MIXED, "--format", fmt, "--output", str(out))
    assert second.stdout == ""
    assert out.read_bytes() == first
    # Another set of inputs is another document (namespace / serial number).
    other = json.loads(sbom(mixed_hub, env, APACHE, "--format", fmt).stdout)
    key = "documentNamespace" if fmt == "spdx-json" else "serialNumber"
    assert other[key] != json.loads(first)[key]


def test_creation_time_from_source_date_epoch_or_created(
    mixed_hub: HubServer, env: dict[str, str]
) -> None:
    def created(*args: str, **extra: str) -> str:
        text = sbom(mixed_hub, {**env, **extra}, APACHE, *args).stdout
        return json.loads(text)["creationInfo"]["created"]

    assert created() == "1970-01-01T00:00:00Z"
    assert created(SOURCE_DATE_EPOCH="1767225600") == "2026-01-01T00:00:00Z"
    assert created("--created", "2026-02-03T04:05:06Z", SOURCE_DATE_EPOCH="1") == (
        "2026-02-03T04:05:06Z"
    )
    cdx = sbom(mixed_hub, env, APACHE, "--format", "cyclonedx-json", "--created", "2026-02-03")
    assert json.loads(cdx.stdout)["metadata"]["timestamp"].startswith("2026-02-03T00:00:00")


@pytest.mark.parametrize(
    ("args", "extra", "needle"),
    [
        (["--created", "yesterday"], {}, "--created 'yesterday'"),
        ([], {"SOURCE_DATE_EPOCH": "soon"}, "SOURCE_DATE_EPOCH='soon'"),
        (["--format", "xml"], {}, "xml"),
    ],
)
def test_bad_time_or_format_is_a_usage_error(
    mixed_hub: HubServer, env: dict[str, str], args: list[str], extra: dict[str, str], needle: str
) -> None:
    result = sbom(mixed_hub, {**env, **extra}, APACHE, *args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


# --- local models, errors, scans ---------------------------------------------------------


def test_local_directory_has_no_download_location(env: dict[str, str], tmp_path: Path) -> None:
    model = tmp_path / "kimi-local"
    model.mkdir()
    (model / "README.md").write_bytes(corpus_card("113.md"))
    (model / "LICENSE").write_bytes(corpus_license("kimi-k2-modified-mit.txt"))
    result = run(["sbom", str(model), "--offline"], env)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    (pkg,) = doc["packages"]
    assert pkg["name"] == str(model)
    assert pkg["downloadLocation"] == "NOASSERTION"
    assert "versionInfo" not in pkg and "externalRefs" not in pkg


def test_a_model_that_cannot_be_read_is_listed_and_exits_3(
    mixed_hub: HubServer, env: dict[str, str], tmp_path: Path
) -> None:
    result = sbom(mixed_hub, env, APACHE, "acme/does-not-exist")
    assert result.exit_code == 3
    path = tmp_path / "bom.json"
    path.write_text(result.stdout, encoding="utf-8")
    assert validate_full_spdx_document(parse_from_file(str(path))) == []
    missing = next(p for p in json.loads(result.stdout)["packages"] if p["name"].endswith("exist"))
    assert missing["licenseConcluded"] == "NOASSERTION"
    assert "not-found" in missing["licenseComments"]


def test_from_scan_lists_the_referenced_models(
    mixed_hub: HubServer, env: dict[str, str], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(
        "from transformers import AutoModel\n\n"
        f'a = AutoModel.from_pretrained("{APACHE}")\n'
        f'b = AutoModel.from_pretrained("{KIMI}")\n',
        encoding="utf-8",
    )
    result = sbom(mixed_hub, env, "--from-scan", str(project), "--format", "cyclonedx-json")
    assert result.exit_code == 0, result.stderr
    names = sorted(f"{c['group']}/{c['name']}" for c in json.loads(result.stdout)["components"])
    assert names == sorted([APACHE, KIMI])


@pytest.mark.parametrize("args", [[], [APACHE, "--from-scan", "."]], ids=["nothing", "both"])
def test_models_or_from_scan_but_exactly_one(
    mixed_hub: HubServer, env: dict[str, str], args: list[str]
) -> None:
    result = sbom(mixed_hub, env, *args)
    assert result.exit_code == 2
    assert "--from-scan" in result.stderr and result.stdout == ""


def test_audit_can_write_the_same_documents_through_the_registry(
    mixed_hub: HubServer, env: dict[str, str]
) -> None:
    """`audit --format spdx-json|cyclonedx-json` gives what `sbom` gives, time and the
    `--endpoint` the models came from included."""
    timed = {**env, "SOURCE_DATE_EPOCH": "1767225600"}
    timed.pop("HF_ENDPOINT", None)
    for fmt in ("spdx-json", "cyclonedx-json"):
        via_audit = run(["audit", *MIXED, "--format", fmt, "--endpoint", mixed_hub.url], timed)
        assert via_audit.exit_code in (0, 1), via_audit.stderr
        via_sbom = run(["sbom", *MIXED, "--format", fmt, "--endpoint", mixed_hub.url], timed)
        assert via_audit.stdout == via_sbom.stdout
        assert mixed_hub.url in via_audit.stdout  # where the models came from
    doc = json.loads(via_audit.stdout)
    assert doc["metadata"]["timestamp"].startswith("2026-01-01T00:00:00")


def test_a_licence_file_not_read_leaves_the_concluded_licence_unasserted(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A card saying MIT beside a LICENSE that is binary: the text that decides was not read,
    so neither SBOM concludes MIT; each says why (the file and the reason)."""
    model = tmp_path / "mit-binary-licence"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\n---\n# A model\n", encoding="utf-8")
    (model / "LICENSE").write_bytes(b"Commercial use prohibited\x00\x01")
    spdx_doc = json.loads(run(["sbom", str(model), "--offline"], env).stdout)
    (pkg,) = spdx_doc["packages"]
    assert pkg["licenseDeclared"] == "MIT" and pkg["licenseConcluded"] == "NOASSERTION"
    assert "licence-like file not read (LICENSE: binary" in pkg["licenseComments"]
    cdx = run(["sbom", str(model), "--offline", "--format", "cyclonedx-json"], env).stdout
    assert "concluded-license-note" in cdx and "LICENSE: binary" in cdx
