"""Gated models judged from what the Hub shows everyone (issue 15), through the CLI.

The test Hub's four gated shapes (tests/hub_server.py): a Llama-style card with the agreement
and AUP in `extra_gated_prompt`, a Gemma-style card with a short prompt and a gated LICENSE, a
Mistral-style repo with `license_name` + a web `license_link` and no licence file, and a
Stable-Diffusion-style card with `license_name` + `license_link: LICENSE.md` (gated). Without
a token every command gives verdicts (never `status: error`); the Llama-style model is judged
exactly as with a granted token; the others are declared only until a granted token reads
their text.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _cli import run
from hub_server import (
    APPROVED_TOKEN,
    GEMMA_GATED,
    LLAMA_BASE,
    MISTRAL_GATED,
    SD_GATED,
    HubServer,
    corpus_license,
    make_card,
)

SHAPES = (LLAMA_BASE, GEMMA_GATED, MISTRAL_GATED, SD_GATED)
DECLARED_ONLY = {GEMMA_GATED: ["LICENSE"], MISTRAL_GATED: [], SD_GATED: ["LICENSE.md"]}
LICENCES = {
    LLAMA_BASE: "llama3.1",
    GEMMA_GATED: "gemma",
    MISTRAL_GATED: "mrl",
    SD_GATED: "stabilityai-community",
}


def run_json(args: list[str], env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    result = run([*args, "--format", "json"], env)
    return result.exit_code, json.loads(result.stdout)


def with_token(
    args: list[str], cli_env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """The installed CLI as a user with a granted token runs it (HF_TOKEN)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(cli_env)
    env.pop("HF_HUB_DISABLE_IMPLICIT_TOKEN")
    env["HF_TOKEN"] = APPROVED_TOKEN
    return subprocess.run(
        [sys.executable, "-m", "licensecheck", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def verdicts(result: dict[str, Any]) -> dict[str, str]:
    return {use: v["verdict"] for use, v in result["verdicts"].items()}


def write_policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def reference_repo(tmp_path: Path, *models: str) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    lines = ["from transformers import AutoModel\n"]
    lines += [f'm{i} = AutoModel.from_pretrained("{m}")\n' for i, m in enumerate(models)]
    (root / "src" / "train.py").write_text("".join(lines), encoding="utf-8")
    return root


# --- audit without a token ----------------------------------------------------------------


def test_audit_without_a_token_judges_every_gated_shape(
    hub: HubServer, cli_env: dict[str, str]
) -> None:
    code, report = run_json(["audit", *SHAPES, "--endpoint", hub.url], cli_env)
    assert code == 1  # reviews, not errors
    results = {r["model"]: r for r in report["results"]}
    for model in SHAPES:
        r = results[model]
        assert r["status"] == "ok" and r["error"] is None, r["error"]
        assert r["gated"] is True
        assert r["license"]["id"] == LICENCES[model]
        assert set(r["verdicts"]) == {"research", "commercial", "government", "defense"}
    assert report["summary"]["errors"] == 0
    # Llama: the agreement in extra_gated_prompt is the evidence, version and AUP included.
    llama = results[LLAMA_BASE]["license"]
    assert llama["verified"] is True and "refused" not in llama
    assert llama["version"] == "2024-07-23"
    assert "llama3.1-aup" in llama["extra"]
    from_prompt = [
        e for e in llama["evidence"] if e["source"] == "card-metadata" and e["kind"] == "license"
    ]
    assert any(e["path"] == "extra_gated_prompt" and e["id"] == "llama3.1" for e in from_prompt)
    # The other three: declared only, the refused files named, unverified_license applied.
    for model, refused in DECLARED_ONLY.items():
        lic = results[model]["license"]
        assert lic["verified"] is False and lic["refused"] == refused
        for use, v in results[model]["verdicts"].items():
            assert v["verdict"] != "allow", (model, use)
            rules = [x for x in v["reasons"] if x["rule"] == "unverified_license"]
            assert len(rules) == 1 and rules[0]["verdict"] == "review"
            assert all(f in rules[0]["message"] for f in refused)
            # How to get a full read, where access would give one.
            assert ("HF_TOKEN" in rules[0]["message"]) is bool(refused)


def test_offline_from_the_hf_cache_is_judged_as_online(
    hub: HubServer, cli_env: dict[str, str]
) -> None:
    # The HF cache holds no refused file; the model_info kept for a gated repo says which
    # licence files the Hub refused, so --offline is never better than online.
    args = ["audit", *SHAPES, "--endpoint", hub.url]
    code, online = run_json(args, cli_env)
    hub.clear_log()
    offline_code, offline = run_json([*args, "--offline"], cli_env)
    assert hub.requests() == []
    assert offline_code == code == 1
    for before, after in zip(online["results"], offline["results"], strict=True):
        assert after["source"] == "cache"
        for key in ("id", "verified", "refused"):
            assert after["license"].get(key) == before["license"].get(key), after["model"]
        assert verdicts(after) == verdicts(before)


def test_human_formats_say_declared_only(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    args = ["audit", GEMMA_GATED, LLAMA_BASE, "--endpoint", hub.url]
    table = run([*args, "--format", "table"], cli_env)
    assert table.exit_code == 1
    gemma_line = next(line for line in table.stdout.splitlines() if GEMMA_GATED in line)
    llama_line = next(line for line in table.stdout.splitlines() if LLAMA_BASE in line)
    assert "declared only (gated)" in gemma_line and "declared only" not in llama_line
    markdown = run([*args, "--format", "markdown"], cli_env)
    assert "gemma, declared only (gated)" in markdown.stdout
    sarif = json.loads(run([*args, "--format", "sarif"], cli_env).stdout)
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert any(GEMMA_GATED in m and "declared only (gated)" in m for m in messages)
    assert not any(LLAMA_BASE in m and "declared only" in m for m in messages)
    for model in SHAPES:  # every shape explained, none "could not be evaluated"
        shown = run(["explain", model, "--endpoint", hub.url], cli_env)
        assert shown.exit_code in (0, 1) and "could not be evaluated" not in shown.stdout
        assert ("declared only (gated)" in shown.stdout) is (model in DECLARED_ONLY)
    explain = run(["explain", GEMMA_GATED, "--endpoint", hub.url], cli_env)
    assert explain.exit_code == 1
    assert "declared only (gated): no licence text was read; the Hub refused LICENSE" in (
        explain.stdout
    )
    assert "unverified_license" in explain.stdout


def test_policy_key_unverified_license_and_waivers(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    base = "version: 1\nuses: [research]\notherwise: review\n"
    allows = "rules:\n  - match: {license: [gemma]}\n    verdict: allow\n"
    args = ["audit", GEMMA_GATED, "--endpoint", hub.url, "--use", "research"]
    # The licence terms and the rule allow gemma for research; only the declaration is open.
    strict = write_policy(tmp_path, base + allows)
    code, report = run_json([*args, "--policy", str(strict)], cli_env)
    assert (code, verdicts(report["results"][0])) == (1, {"research": "review"})
    relaxed = write_policy(tmp_path, base + "unverified_license: allow\n" + allows)
    code, report = run_json([*args, "--policy", str(relaxed)], cli_env)
    assert (code, verdicts(report["results"][0])) == (0, {"research": "allow"})
    # Most severe wins: deny for unverified licences denies what everything else allows ...
    denied = write_policy(tmp_path, base + "unverified_license: deny\n" + allows)
    code, report = run_json([*args, "--policy", str(denied)], cli_env)
    assert verdicts(report["results"][0]) == {"research": "deny"}
    # ... and a waiver still decides.
    waiver = (
        "exceptions:\n  - model: google/gemma-2-2b-it\n    verdict: allow\n"
        "    reason: Legal read the Gemma terms (LEGAL-7)\n    approved_by: legal\n"
        "    expires: 2999-01-01\n"
    )
    waived = write_policy(tmp_path, base + "unverified_license: deny\n" + allows + waiver)
    code, report = run_json([*args, "--policy", str(waived)], cli_env)
    result = report["results"][0]["verdicts"]["research"]
    assert (code, result["verdict"]) == (0, "allow")
    assert result["waived_by"] == "Legal read the Gemma terms (LEGAL-7)"


def test_a_bad_unverified_license_value_is_a_usage_error(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    bad = write_policy(tmp_path, "version: 1\nunverified_license: maybe\n")
    result = run(["audit", GEMMA_GATED, "--endpoint", hub.url, "--policy", str(bad)], cli_env)
    assert result.exit_code == 2
    assert "unverified_license" in result.stderr and "policy.yaml:2" in result.stderr


def test_a_declared_only_base_weighs_on_its_derivative(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    finetune = "legal-ai/gemma-2-2b-legal-sft"  # base_model: google/gemma-2-2b-it (gated)

    def base_reasons(report: dict[str, Any]) -> list[str]:
        return [
            x["message"]
            for v in report["results"][0]["verdicts"].values()
            for x in v["reasons"]
            if x["rule"] == "unverified_license"
        ]

    _, anonymous = run_json(["audit", finetune, "--endpoint", hub.url], cli_env)
    (link,) = anonymous["results"][0]["lineage"]
    assert (link["model"], link["license"], link["verified"]) == (GEMMA_GATED, "gemma", False)
    reasons = base_reasons(anonymous)
    assert reasons and all(f"base model {GEMMA_GATED}" in m for m in reasons)
    assert any(
        f.startswith("lineage-base-gated:") and "(gemma) is declared only" in f
        for f in anonymous["results"][0]["findings"]
    )
    proc = with_token(
        ["audit", finetune, "--endpoint", hub.url, "--format", "json"], cli_env, tmp_path
    )
    granted = json.loads(proc.stdout)
    (link,) = granted["results"][0]["lineage"]
    assert "verified" not in link and base_reasons(granted) == []


# --- with a granted token -----------------------------------------------------------------


def test_with_a_granted_token_the_text_is_read_and_verified(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _, anonymous = run_json(["audit", LLAMA_BASE, GEMMA_GATED, "--endpoint", hub.url], cli_env)
    proc = with_token(
        ["audit", LLAMA_BASE, GEMMA_GATED, "--endpoint", hub.url, "--format", "json"],
        cli_env,
        tmp_path,
    )
    assert proc.returncode in (0, 1), proc.stderr
    granted = json.loads(proc.stdout)
    assert APPROVED_TOKEN not in proc.stdout + proc.stderr
    before = {r["model"]: r for r in anonymous["results"]}
    after = {r["model"]: r for r in granted["results"]}
    # Llama: the same licence, version and verdicts with and without access.
    for key in ("id", "version", "verified", "extra"):
        assert after[LLAMA_BASE]["license"][key] == before[LLAMA_BASE]["license"][key]
    assert verdicts(after[LLAMA_BASE]) == verdicts(before[LLAMA_BASE])
    assert any(e["path"] == "LICENSE" for e in after[LLAMA_BASE]["license"]["evidence"])
    # Gemma: the LICENSE is read and the determination verified.
    gemma = after[GEMMA_GATED]["license"]
    assert gemma["id"] == "gemma" and gemma["verified"] is True and "refused" not in gemma
    assert any(
        e["source"] == "license-file" and e["path"] == "LICENSE" and e["id"] == "gemma"
        for e in gemma["evidence"]
    )
    assert not any(
        x["rule"] == "unverified_license"
        for v in after[GEMMA_GATED]["verdicts"].values()
        for x in v["reasons"]
    )


# --- scan, lock, sbom, notice without a token ---------------------------------------------


def test_scan_lock_sbom_and_notice_without_a_token(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    root = reference_repo(tmp_path, *SHAPES)
    code, report = run_json(["scan", str(root), "--endpoint", hub.url], cli_env)
    assert code == 1
    assert [r["status"] for r in report["results"]] == ["ok"] * 4
    assert {r["model"]: r["license"]["verified"] for r in report["results"]} == {
        m: m not in DECLARED_ONLY for m in SHAPES
    }

    locked = run(["lock", str(root), "--endpoint", hub.url], cli_env)
    assert locked.exit_code == 0, locked.stderr
    assert "3 declared only (gated)" in locked.stderr
    entries = json.loads((root / "licensecheck.lock").read_text())["models"]
    recorded = {e["repo_id"]: e["license"] for e in entries.values()}
    for model in SHAPES:
        assert recorded[model]["id"] == LICENCES[model]
        assert recorded[model]["verified"] is (model not in DECLARED_ONLY)
    assert recorded[GEMMA_GATED]["refused"] == ["LICENSE"]
    code, offline = run_json(["scan", str(root), "--offline", "--locked"], cli_env)
    assert code == 1
    assert {r["model"]: r["license"]["verified"] for r in offline["results"]} == {
        m: m not in DECLARED_ONLY for m in SHAPES
    }
    assert [verdicts(r) for r in offline["results"]] == [verdicts(r) for r in report["results"]]

    sbom = run(["sbom", *SHAPES, "--endpoint", hub.url, "--format", "spdx-json"], cli_env)
    assert sbom.exit_code == 0, sbom.stderr  # the document is whole
    doc = json.loads(sbom.stdout)
    packages = {p["name"]: p for p in doc["packages"]}
    assert {m: packages[m]["licenseConcluded"] != "NOASSERTION" for m in SHAPES} == {
        m: True for m in SHAPES
    }
    assert "declared only (gated)" in packages[GEMMA_GATED]["licenseComments"]
    assert "declared only" not in packages[LLAMA_BASE]["licenseComments"]
    cdx = run(["sbom", *SHAPES, "--endpoint", hub.url, "--format", "cyclonedx-json"], cli_env)
    assert cdx.exit_code == 0, cdx.stderr
    components = {c["name"]: c for c in json.loads(cdx.stdout)["components"]}
    verified = {
        name: next(p["value"] for p in c["properties"] if p["name"] == "licensecheck:verified")
        for name, c in components.items()
    }
    assert {m: verified[m.split("/")[1]] for m in SHAPES} == {
        m: "false" if m in DECLARED_ONLY else "true" for m in SHAPES
    }

    # The Llama and Mistral shapes give a whole notice; the refused LICENSE files of the
    # others may hold lines it needs: named on standard error, exit 3 (fail closed).
    whole = run(["notice", LLAMA_BASE, MISTRAL_GATED, "--endpoint", hub.url], cli_env)
    assert whole.exit_code == 0, whole.stderr
    assert "Llama 3.1 is licensed under the Llama 3.1 Community License" in whole.stdout
    gaps = run(["notice", *SHAPES, "--endpoint", hub.url], cli_env)
    assert gaps.exit_code == 3
    assert "Llama 3.1 is licensed under the Llama 3.1 Community License" in gaps.stdout
    assert f"{GEMMA_GATED}: the Hub refused LICENSE (gated" in gaps.stderr
    assert f"{SD_GATED}: the Hub refused LICENSE.md (gated" in gaps.stderr
    assert "could not be read" not in gaps.stderr


def test_lock_writes_the_gated_model_and_names_the_missing_one(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    root = reference_repo(tmp_path, GEMMA_GATED, "acme/no-such-model")
    result = run(["lock", str(root), "--endpoint", hub.url], cli_env)
    assert result.exit_code == 3
    assert "missing 1 model that could not be resolved: acme/no-such-model" in result.stderr
    lock = json.loads((root / "licensecheck.lock").read_text())
    assert set(lock["models"]) == {GEMMA_GATED.lower()}
    assert lock["models"][GEMMA_GATED.lower()]["license"]["verified"] is False
    scan = run(["scan", str(root), "--offline", "--locked"], cli_env)
    assert scan.exit_code == 2
    assert "no entry for acme/no-such-model" in scan.stderr


def test_lock_refuses_to_write_when_nothing_could_be_resolved(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    root = reference_repo(tmp_path, "acme/no-such-model")
    result = run(["lock", str(root), "--endpoint", hub.url], cli_env)
    assert result.exit_code == 3
    assert "not written: no model could be resolved (acme/no-such-model)" in result.stderr
    assert not (root / "licensecheck.lock").exists()


# --- a declared-only lock entry, read later ------------------------------------------------


def test_a_text_that_agrees_is_an_upgrade_and_one_that_disagrees_is_drift(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    # A gated repo declaring mit whose gated LICENSE holds the Llama 3.1 agreement.
    odd = "h15test/declares-mit-holds-llama"
    hub.add_repo(
        odd,
        {"README.md": make_card(license="mit"), "LICENSE": corpus_license("llama3.1.txt")},
        gated="manual",
    )
    root = reference_repo(tmp_path, GEMMA_GATED, odd)
    assert run(["lock", str(root), "--endpoint", hub.url], cli_env).exit_code == 0
    proc = with_token(
        ["scan", str(root), "--endpoint", hub.url, "--format", "json"], cli_env, tmp_path
    )
    report = json.loads(proc.stdout)
    results = {r["model"]: r for r in report["results"]}
    gemma, drifted = results[GEMMA_GATED], results[odd]
    assert gemma["license"]["verified"] is True
    assert any(f.startswith("lock-upgrade: ") for f in gemma["findings"])
    assert not any(f.startswith("lock-drift: ") for f in gemma["findings"])
    assert drifted["license"]["id"] == "llama3.1"
    assert any(f.startswith("lock-drift: licence mit") for f in drifted["findings"])
    assert f"{odd}: licence mit" in proc.stderr
    # `lock` with access records the upgrade.
    relock = with_token(["lock", str(root), "--endpoint", hub.url], cli_env, tmp_path)
    assert relock.returncode == 0, relock.stderr
    assert "1 now verified" in relock.stderr
    entries = json.loads((root / "licensecheck.lock").read_text())["models"]
    assert entries[GEMMA_GATED.lower()]["license"]["verified"] is True


@pytest.mark.parametrize("model", sorted(DECLARED_ONLY))
def test_json_report_matches_the_schema(
    hub: HubServer, cli_env: dict[str, str], model: str
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).parent.parent / "docs/report.schema.json").read_text())
    _, report = run_json(["audit", model, "--endpoint", hub.url], cli_env)
    jsonschema.validate(report, schema)
    assert report["results"][0]["license"]["verified"] is False
