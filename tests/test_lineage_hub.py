"""Lineage end to end: the Auditor on the loopback Hub imitation (tests/hub_server.py).

Each case is a small set of repos served over HTTP to huggingface_hub, read by the real
HubSource, identified, followed through `base_model`, and judged by the default policy.
The request log shows what was fetched: a shared base is read once per run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from hub_server import HubServer, corpus_card, corpus_license, make_card

from licensecheck.audit import Auditor
from licensecheck.cli.main import main
from licensecheck.facts import ModelRef
from licensecheck.knowledge.store import KnowledgeBase, load
from licensecheck.lineage import DEFAULT_MAX_DEPTH
from licensecheck.policy.load import load_preset
from licensecheck.results import ModelResult

TODAY = dt.date(2026, 1, 15)
LLAMA_31 = "meta-llama/Llama-3.1-8B"
LLAMA_31_INSTRUCT = "meta-llama/Llama-3.1-8B-Instruct"  # gated; hub_server.populate has it
DISTILL = "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
FLUX = "black-forest-labs/FLUX.1-dev"
QWEN_3B = "Qwen/Qwen2.5-3B-Instruct"
DEEP = [f"lt-deep/m{i}" for i in range(DEFAULT_MAX_DEPTH + 3)]


def _add(hub: HubServer, repo_id: str, files: dict[str, bytes], **kw: Any) -> None:
    # Repos shared with other test modules are left as they are.
    if repo_id.lower() not in hub.repos:
        hub.add_repo(repo_id, files, **kw)


@pytest.fixture(scope="module")
def lineage_hub(hub_server: HubServer) -> HubServer:
    """The lineage fixture repos, added once to the session's Hub imitation."""
    h = hub_server
    llama_files = {
        "LICENSE": corpus_license("llama3.1.txt"),
        "USE_POLICY.md": corpus_license("llama3.1-acceptable-use-policy.txt"),
    }
    _add(
        h,
        LLAMA_31,
        {"README.md": make_card("# Llama 3.1 8B\n", license="llama3.1"), **llama_files},
        gated="manual",
    )
    _add(
        h,
        LLAMA_31_INSTRUCT,
        {"README.md": make_card(license="llama3.1", base_model=LLAMA_31), **llama_files},
        gated="manual",
    )
    # A GGUF quantisation of Llama 3.1 that declares apache-2.0 (relation from the Hub tag).
    h.add_repo(
        "lt-quant/Llama-3.1-8B-Instruct-GGUF",
        {"README.md": make_card(license="apache-2.0", base_model=LLAMA_31_INSTRUCT)},
        tags=["gguf", f"base_model:quantized:{LLAMA_31_INSTRUCT}", "license:apache-2.0"],
    )
    h.add_repo(
        "lt-quant/Llama-3.1-8B-Instruct-AWQ",
        {"README.md": make_card(license="llama3.1", base_model=LLAMA_31_INSTRUCT)},
        tags=["awq", "4-bit"],
    )
    # DeepSeek-R1-Distill-Llama-8B style: mit on a fine-tune of Llama 3.1, and a quantisation.
    _add(
        h,
        DISTILL,
        {
            "README.md": make_card(license="mit", library_name="transformers", base_model=LLAMA_31),
            "LICENSE": corpus_license("deepseek-r1-mit.txt"),
        },
    )
    h.add_repo(
        "lt-quant/DeepSeek-R1-Distill-Llama-8B-GGUF",
        {"README.md": make_card(license="mit", base_model=DISTILL, quantized_by="lt-quant")},
    )
    # FLUX.1-dev (gated; licence file shut) and a LoRA on it declared mit (corpus 119.md).
    _add(
        h,
        FLUX,
        {
            "README.md": make_card(
                license="other",
                license_name="flux-1-dev-non-commercial-license",
                license_link="LICENSE.md",
                library_name="diffusers",
            ),
            "LICENSE.md": b"FLUX.1 [dev] Non-Commercial License\n",
        },
        gated="auto",
    )
    h.add_repo(
        "lt-lora/FLUX.1-dev-Outfit-Generator",
        {"README.md": corpus_card("119.md"), "lora.safetensors": b"\x00" * 16},
        tags=["lora", "diffusers", f"base_model:adapter:{FLUX}", "license:mit"],
    )
    # Qwen2.5-3B-Instruct (qwen-research) and two adapters: one honest (corpus 086.md), one
    # declaring apache-2.0.
    _add(
        h,
        QWEN_3B,
        {
            "README.md": make_card(
                license="other",
                license_name="qwen-research",
                license_link=f"https://huggingface.co/{QWEN_3B}/blob/main/LICENSE",
            ),
            "LICENSE": corpus_license("qwen-research.txt"),
        },
    )
    h.add_repo(
        "praxis/spanfinder-3b",
        {"README.md": corpus_card("086.md"), "adapter_config.json": b"{}"},
    )
    h.add_repo(
        "lt-lora/qwen2.5-3b-apache-lora",
        {"README.md": make_card(license="apache-2.0", base_model=QWEN_3B, library_name="peft")},
    )
    # A merge of two parents with different licences.
    h.add_repo(
        "lt-merge/nc-parent",
        {
            "README.md": make_card(license="cc-by-nc-4.0"),
            "LICENSE": corpus_license("cc-by-nc-4.0.txt"),
        },
    )
    h.add_repo(
        "lt-merge/two-parents",
        {
            "README.md": make_card(
                license="apache-2.0",
                base_model=["acme/apache-model", "lt-merge/nc-parent"],
                tags=["mergekit", "merge"],
            )
        },
    )
    # A cycle, a missing base, a chain deeper than the limit.
    h.add_repo("lt-cycle/a", {"README.md": make_card(license="mit", base_model="lt-cycle/b")})
    h.add_repo("lt-cycle/b", {"README.md": make_card(license="mit", base_model="LT-Cycle/A")})
    h.add_repo(
        "lt-missing/child",
        {"README.md": make_card(license="mit", base_model="lt-missing/no-such-base")},
    )
    for i, repo in enumerate(DEEP):
        parent = {"base_model": DEEP[i + 1]} if i + 1 < len(DEEP) else {}
        h.add_repo(repo, {"README.md": make_card(license="mit", **parent)})
    return h


@pytest.fixture
def run(
    lineage_hub: HubServer, hub: HubServer, hub_source: Callable[..., Any]
) -> Callable[..., list[ModelResult]]:
    """Audit models on the imitation with the default policy; the request log starts empty."""
    kb: KnowledgeBase = load()
    policy = load_preset("default", kb)

    def audit(*models: str, jobs: int = 1) -> list[ModelResult]:
        auditor = Auditor(hub_source(), kb, policy, ("research", "commercial"), TODAY, jobs=jobs)
        return list(auditor.audit([ModelRef(m) for m in models]).results)

    return audit


def model_info_requests(hub: HubServer, repo_id: str) -> int:
    path = f"/api/models/{repo_id}".lower()
    return sum(
        1
        for q in hub.requests("GET")
        if q.path.lower() == path or q.path.lower().startswith(path + "/revision/")
    )


def chain(r: ModelResult) -> list[tuple[str, str, str, int, str | None]]:
    return [(link.model, link.relation, link.license, link.depth, link.error) for link in r.lineage]


def conflict_ids(r: ModelResult, kind: str = "declared-vs-lineage") -> list[tuple[str, ...]]:
    return [c.ids for c in r.lineage_conflicts if c.kind == kind and c.severity == "conflict"]


def rules(r: ModelResult, use: str) -> set[str]:
    return {reason.rule for reason in r.verdicts[use].reasons}


def test_gguf_of_llama_31_declaring_apache(run: Callable[..., list[ModelResult]]) -> None:
    (r,) = run("lt-quant/Llama-3.1-8B-Instruct-GGUF")
    assert r.status == "ok"
    assert chain(r)[0] == (LLAMA_31_INSTRUCT, "quantized", "llama3.1", 1, None)
    assert r.effective_licenses == ("apache-2.0", "llama3.1")
    assert conflict_ids(r) == [("apache-2.0", "llama3.1")]
    assert r.verdicts["commercial"].verdict == "review"
    assert "license_conflict" in rules(r, "commercial")
    # The Llama terms are judged too (not only the declared apache-2.0).
    assert any(reason.license == "llama3.1" for reason in r.verdicts["commercial"].reasons)


def test_gated_base_is_followed_through_its_metadata(
    run: Callable[..., list[ModelResult]], hub: HubServer
) -> None:
    (r,) = run("lt-quant/Llama-3.1-8B-Instruct-GGUF")
    # model_info of the gated base answered; its LICENSE did not (anonymous: 401 GatedRepo).
    info = [q.status for q in hub.requests("GET") if q.path == f"/api/models/{LLAMA_31_INSTRUCT}"]
    assert info == [200]
    assert any(q.status == 401 for q in hub.requests(contains=f"/{LLAMA_31_INSTRUCT}/resolve/"))
    assert r.lineage[0].license == "llama3.1" and r.lineage[0].error is None
    assert any(f.startswith("lineage-base-gated:") for f in r.findings)


def test_distill_chain_mit_over_llama(run: Callable[..., list[ModelResult]]) -> None:
    distill, quant = run(DISTILL, "lt-quant/DeepSeek-R1-Distill-Llama-8B-GGUF")
    assert chain(distill) == [(LLAMA_31, "finetune", "llama3.1", 1, None)]
    assert distill.determination is not None and distill.determination.id == "mit"
    assert distill.effective_licenses == ("mit", "llama3.1")
    assert conflict_ids(distill) == [("mit", "llama3.1")]
    assert chain(quant) == [
        (DISTILL, "quantized", "mit", 1, None),
        (LLAMA_31, "finetune", "llama3.1", 2, None),
    ]
    assert quant.effective_licenses == ("mit", "llama3.1")
    assert conflict_ids(quant) == [("mit", "llama3.1")]


def test_lora_on_flux_dev_declared_mit(run: Callable[..., list[ModelResult]]) -> None:
    (r,) = run("lt-lora/FLUX.1-dev-Outfit-Generator")
    assert chain(r) == [(FLUX, "adapter", "flux-1-dev-non-commercial-license", 1, None)]
    assert r.effective_licenses == ("mit", "flux-1-dev-non-commercial-license")
    assert conflict_ids(r) == [("mit", "flux-1-dev-non-commercial-license")]
    assert r.verdicts["commercial"].verdict == "deny"


@pytest.mark.parametrize(
    ("repo", "effective", "conflicts"),
    [
        ("praxis/spanfinder-3b", ("qwen-research",), []),
        (
            "lt-lora/qwen2.5-3b-apache-lora",
            ("apache-2.0", "qwen-research"),
            [("apache-2.0", "qwen-research")],
        ),
    ],
)
def test_adapter_on_qwen_research(
    run: Callable[..., list[ModelResult]],
    repo: str,
    effective: tuple[str, ...],
    conflicts: list[tuple[str, ...]],
) -> None:
    (r,) = run(repo)
    assert chain(r) == [(QWEN_3B, "adapter", "qwen-research", 1, None)]
    assert r.effective_licenses == effective
    assert conflict_ids(r) == conflicts
    assert r.verdicts["commercial"].verdict == "deny"
    assert r.verdicts["research"].verdict != "deny"


def test_merge_of_two_parents_with_different_licences(
    run: Callable[..., list[ModelResult]],
) -> None:
    (r,) = run("lt-merge/two-parents")
    assert chain(r) == [
        ("acme/apache-model", "merge", "apache-2.0", 1, None),
        ("lt-merge/nc-parent", "merge", "cc-by-nc-4.0", 1, None),
    ]
    # apache-2.0 does not bind derivatives; cc-by-nc-4.0 does.
    assert r.effective_licenses == ("apache-2.0", "cc-by-nc-4.0")
    assert conflict_ids(r) == [("apache-2.0", "cc-by-nc-4.0")]
    assert r.verdicts["commercial"].verdict == "deny"


def test_cycle(run: Callable[..., list[ModelResult]], hub: HubServer) -> None:
    (r,) = run("lt-cycle/a")
    assert chain(r) == [
        ("lt-cycle/b", "finetune", "mit", 1, None),
        ("LT-Cycle/A", "finetune", "unknown", 2, "cycle"),
    ]
    assert any(f.startswith("lineage-cycle:") for f in r.findings)
    assert model_info_requests(hub, "lt-cycle/a") == 1  # the model itself, never as a base
    assert r.effective_licenses == ("mit",)


def test_missing_base(run: Callable[..., list[ModelResult]]) -> None:
    (r,) = run("lt-missing/child")
    assert r.status == "ok"
    assert chain(r) == [("lt-missing/no-such-base", "finetune", "unknown", 1, "not-found")]
    assert any(
        f.startswith("lineage-base-unreadable:") and "lt-missing/no-such-base" in f
        for f in r.findings
    )
    # Fail closed: what the missing base would bind is unknown, so the model is not allowed.
    assert conflict_ids(r, "lineage-unresolved") == [()]
    assert r.verdicts["commercial"].verdict == "review"


def test_chain_deeper_than_the_limit(run: Callable[..., list[ModelResult]], hub: HubServer) -> None:
    (r,) = run(DEEP[0])
    depths = [(link.depth, link.error) for link in r.lineage]
    assert depths == [(d, None) for d in range(1, DEFAULT_MAX_DEPTH + 1)] + [
        (DEFAULT_MAX_DEPTH + 1, "depth")
    ]
    assert any(f.startswith("lineage-too-deep:") for f in r.findings)
    # The chain stops: the bases beyond the limit are never requested.
    assert model_info_requests(hub, DEEP[DEFAULT_MAX_DEPTH]) == 1
    assert model_info_requests(hub, DEEP[DEFAULT_MAX_DEPTH + 1]) == 0
    assert r.verdicts["commercial"].verdict == "review"


def test_shared_base_is_requested_once_per_run(
    run: Callable[..., list[ModelResult]], hub: HubServer
) -> None:
    results = run(
        "lt-quant/Llama-3.1-8B-Instruct-GGUF",
        "lt-quant/Llama-3.1-8B-Instruct-AWQ",
        "lt-quant/DeepSeek-R1-Distill-Llama-8B-GGUF",
        DISTILL,
        jobs=4,
    )
    assert all(r.status == "ok" for r in results)
    for repo in (LLAMA_31_INSTRUCT, LLAMA_31, DISTILL):
        assert model_info_requests(hub, repo) == 1, repo
    assert results[1].effective_licenses == ("llama3.1",)


def test_json_report_carries_lineage_and_effective_licences(
    lineage_hub: HubServer, hub: HubServer, cli_env: dict[str, str]
) -> None:
    args = ["audit", "--endpoint", hub.url, "--format", "json", "--preset", "default"]
    args += ["--use", "commercial", "lt-quant/DeepSeek-R1-Distill-Llama-8B-GGUF"]
    result = CliRunner().invoke(main, args, env=cli_env)
    assert result.exit_code == 1, result.output
    (model,) = json.loads(result.stdout)["results"]
    assert [(x["model"], x["relation"], x["license"]) for x in model["lineage"]] == [
        (DISTILL, "quantized", "mit"),
        (LLAMA_31, "finetune", "llama3.1"),
    ]
    assert model["effective_licenses"] == ["mit", "llama3.1"]
    assert any(c["ids"] == ["mit", "llama3.1"] for c in model["license"]["conflicts"])


def test_table_shows_the_chain(
    lineage_hub: HubServer, hub: HubServer, cli_env: dict[str, str]
) -> None:
    args = ["audit", "--endpoint", hub.url, "--format", "table", "--preset", "default"]
    args += [
        "--use",
        "commercial",
        "lt-quant/DeepSeek-R1-Distill-Llama-8B-GGUF",
        "lt-missing/child",
    ]
    result = CliRunner().invoke(main, args, env=cli_env)
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "mit + llama3.1" in out  # the licence column: own + inherited
    assert "lineage (effective: mit, llama3.1):" in out
    assert f"  - quantized of {DISTILL}: mit\n" in out
    # (the gated Llama base is judged on its declaration: the table says so)
    assert f"    - finetune of {LLAMA_31}: llama3.1, declared only (gated)\n" in out
    assert "- finetune of lt-missing/no-such-base: could not be read (not-found)" in out


@pytest.mark.parametrize(
    ("extra_file", "relation", "effective"),
    [
        ("adapter_config.json", "adapter", ["mit", "apache-2.0"]),
        ("model-Q4_K_M.gguf", "quantized", ["mit", "apache-2.0"]),
        ("model.safetensors", "finetune", ["mit"]),
    ],
)
def test_local_directory_relation_from_its_files(
    lineage_hub: HubServer,
    hub: HubServer,
    cli_env: dict[str, str],
    tmp_path: Any,
    extra_file: str,
    relation: str,
    effective: list[str],
) -> None:
    # A checkout whose card names a Hub base but no relation: the files say what it is.
    model_dir = tmp_path / "my-model"
    model_dir.mkdir()
    (model_dir / "README.md").write_bytes(make_card(license="mit", base_model="acme/apache-model"))
    (model_dir / extra_file).write_bytes(b"{}")
    args = ["audit", "--endpoint", hub.url, "--format", "json", "--preset", "default"]
    result = CliRunner().invoke(main, [*args, str(model_dir)], env=cli_env)
    assert result.exit_code in (0, 1), result.output
    (model,) = json.loads(result.stdout)["results"]
    assert [(x["model"], x["relation"]) for x in model["lineage"]] == [
        ("acme/apache-model", relation)
    ]
    assert model["effective_licenses"] == effective
