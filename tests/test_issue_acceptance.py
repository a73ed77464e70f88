"""Acceptance checks of issues 15, 16 and 18 that no other test made through the CLI: the
Gemma-style gated model is `review` (not `deny`) under the default policy from every command
that judges; the table a person reads shows a card YAML error and a declared-only base; a
licence inherited from a base through the Hub is judged at its strictest edition by `explain`;
and `licenses ID` shows the terms the licence-facts issue added."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _cli import run
from _scan_support import hub_env
from hub_server import GEMMA_GATED, HubServer, corpus_license, make_card

# --- issue 15: the Gemma-style model under the default policy ------------------------------


def test_the_gemma_shape_is_review_under_the_default_policy_everywhere(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    every_use = {"research": "review", "commercial": "review", "government": "review",
                 "defense": "review"}  # fmt: skip
    audited = run(["audit", GEMMA_GATED, "--endpoint", hub.url, "--format", "json"], cli_env)
    assert audited.exit_code == 1, audited.stderr
    (result,) = json.loads(audited.stdout)["results"]
    assert result["status"] == "ok" and result["license"]["verified"] is False
    assert {u: v["verdict"] for u, v in result["verdicts"].items()} == every_use

    explained = run(["explain", GEMMA_GATED, "--endpoint", hub.url, "--format", "json"], cli_env)
    assert explained.exit_code == 1
    (shown,) = json.loads(explained.stdout)["results"]
    assert {u: v["verdict"] for u, v in shown["verdicts"].items()} == every_use

    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "app.py").write_text(
        f'from transformers import AutoModel\nm = AutoModel.from_pretrained("{GEMMA_GATED}")\n',
        encoding="utf-8",
    )
    scanned = run(["scan", str(repo), "--endpoint", hub.url, "--format", "json"], cli_env)
    assert scanned.exit_code == 1
    (found,) = json.loads(scanned.stdout)["results"]
    assert found["status"] == "ok"
    assert {u: v["verdict"] for u, v in found["verdicts"].items()} == every_use


# --- issue 16: findings that change trust, in the table ------------------------------------


def test_the_table_shows_a_card_yaml_error_and_a_declared_only_base(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken-card"
    broken.mkdir()
    (broken / "README.md").write_text("---\nlicense: mit\n  bad: [\n---\n# x\n", encoding="utf-8")
    (broken / "LICENSE").write_bytes(corpus_license("mit.txt"))
    table = run(["audit", "--offline", "--format", "table", str(broken)], cli_env)
    details = table.stdout.split(f"\n{broken}\n", 1)[1]
    assert any(
        line.startswith("  ! card-yaml-error: README.md: invalid YAML")
        for line in details.splitlines()
    ), table.stdout

    finetune = "legal-ai/gemma-2-2b-legal-sft"  # base_model: the gated Gemma-style model
    table = run(["audit", finetune, "--endpoint", hub.url, "--format", "table"], cli_env)
    assert table.exit_code == 1, table.stderr
    details = table.stdout.split(f"\n{finetune}\n", 1)[1]
    assert f"  ! lineage-base-gated: {finetune}: base model {GEMMA_GATED} is gated" in details
    assert f"of {GEMMA_GATED}: gemma, declared only (gated)" in details


# --- issue 18: an inherited licence through the Hub, and `licenses ID` ---------------------

HY3D = "tencent/Hunyuan3D-2"
HY3D_FINETUNE = "someone/hunyuan3d-finetune"


@pytest.fixture(scope="module")
def hunyuan_hub() -> Iterator[HubServer]:
    with HubServer() as server:
        server.add_repo(
            HY3D,
            {
                "README.md": make_card(
                    license="other",
                    license_name="tencent-hunyuan-community",
                    license_link="https://huggingface.co/tencent/Hunyuan3D-2/blob/main/LICENSE",
                )
            },
        )
        server.add_repo(
            HY3D_FINETUNE,
            {
                "README.md": make_card(license="apache-2.0", base_model=HY3D),
                "LICENSE": corpus_license("apache-2.0.txt"),
            },
        )
        for repo in ORG_DECIDES:
            server.add_repo(
                repo, {"README.md": make_card(license="other", license_name="modified-mit")}
            )
        yield server


# A name two licensors use, no link, no base, no text: the repository's organisation decides.
ORG_DECIDES = {
    "MiniMaxAI/MiniMax-M2": "minimax-modified-mit",
    "moonshotai/Kimi-K2-Instruct": "kimi-modified-mit",
    "someone/unrelated-quant": "unknown",
}


def test_a_shared_licence_name_is_resolved_by_the_hub_repos_organisation(
    hunyuan_hub: HubServer, tmp_path: Path
) -> None:
    env = hub_env(hunyuan_hub, tmp_path / "hf")
    result = run(["audit", *ORG_DECIDES, "--format", "json"], env)
    assert result.exit_code == 1, result.output
    found = {r["model"]: r for r in json.loads(result.stdout)["results"]}
    assert {m: r["license"]["id"] for m, r in found.items()} == ORG_DECIDES
    # Nothing decides: never one licensor's terms, and not allowed for any use.
    unknown = found["someone/unrelated-quant"]["verdicts"]
    assert "allow" not in {v["verdict"] for v in unknown.values()}


def test_an_inherited_hunyuan_licence_is_judged_at_1m_users_by_explain(
    hunyuan_hub: HubServer, tmp_path: Path
) -> None:
    """The finetune's own card says apache-2.0; its base is Hunyuan (edition unknown): the
    strictest published edition, Hunyuan3D 2.0's 1 million monthly active users [4], binds."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\norganisation: {monthly_active_users: 5000000, jurisdictions: [US], "
        "use_regions: [US]}\nrules: [{verdict: allow}]\n",
        encoding="utf-8",
    )
    env = hub_env(hunyuan_hub, tmp_path / "hf")
    args = ["explain", HY3D_FINETUNE, "--use", "commercial", "--policy", str(policy)]
    result = run([*args, "--format", "json"], env)
    assert result.exit_code == 1, result.output
    (res,) = json.loads(result.stdout)["results"]
    assert res["status"] == "ok" and "tencent-hunyuan" in res["effective_licenses"]
    commercial = res["verdicts"]["commercial"]
    assert commercial["verdict"] == "deny"
    assert any(
        "exceeds 1,000,000" in r["message"] for r in commercial["reasons"] if r["verdict"] == "deny"
    ), commercial["reasons"]
    small = tmp_path / "small.yaml"
    small.write_text(
        policy.read_text(encoding="utf-8").replace("5000000", "500000"), encoding="utf-8"
    )
    below = run([*args[:-2], "--policy", str(small), "--format", "json"], env)
    (res,) = json.loads(below.stdout)["results"]
    reasons = res["verdicts"]["commercial"]["reasons"]
    (mau,) = [r for r in reasons if r["rule"] == "terms:tencent-hunyuan:mau"]
    assert mau["verdict"] == "allow" and "within 1,000,000" in mau["message"]
    # the declared apache-2.0 that cannot replace the base's licence is still a question
    assert res["verdicts"]["commercial"]["verdict"] == "review"


def licence(license_id: str) -> dict[str, Any]:
    result = run(["licenses", license_id, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["license"]  # type: ignore[no-any-return]


def test_licenses_id_shows_the_terms_issue_18_added() -> None:
    # MRL: research is conditional on the organisation's sector [9].
    mrl = licence("mrl")["terms"]
    assert mrl["uses"]["research"]["grant"] == "conditional"
    (sector,) = [c for c in mrl["conditions"] if c["kind"] == "organisation-sector"]
    assert "research" in sector["applies_to"] and "9" in sector["clause"]
    # Stability AI Community: research above $1M revenue is a review, not a deny.
    stability = licence("stabilityai-community")["terms"]["conditions"]
    (research,) = [
        c
        for c in stability
        if c["kind"] == "max-annual-revenue-usd" and "research" in c["applies_to"]
    ]
    assert research["value"] == 1_000_000 and research["effect"] == "review"
    # Hunyuan: the Territory concerns where the works are used [5.c].
    hunyuan = licence("tencent-hunyuan")["terms"]
    (territory,) = [c for c in hunyuan["conditions"] if c["kind"] == "excluded-use-regions"]
    assert "5.c" in territory["clause"]
    shown = run(["licenses", "stabilityai-community", "--format", "table"]).stdout
    assert "annual-revenue-research: max-annual-revenue-usd > $1,000,000 (review when broken)" in (
        shown
    )


# --- issue 20: --jobs ----------------------------------------------------------------------


def test_alternatives_gives_the_same_ranking_whatever_jobs_are_in_flight(tmp_path: Path) -> None:
    from _alternatives_hub import ALLOWED, LLAMA, POLICY, alternatives_env, populate_alternatives

    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    with HubServer() as server:
        populate_alternatives(server)
        outputs = []
        for jobs in ("1", "8"):
            env = alternatives_env(tmp_path / f"hf-{jobs}")
            args = ["alternatives", LLAMA, "--endpoint", server.url, "--policy", str(policy)]
            result = run([*args, "--jobs", jobs, "--format", "json"], env)
            assert result.exit_code == 0, result.stderr
            outputs.append(result.stdout)
        bad = run(["alternatives", LLAMA, "--jobs", "0"], env)
        assert bad.exit_code == 2 and bad.stderr.startswith("licensecheck: error: ")
    assert outputs[0] == outputs[1]
    ranking = json.loads(outputs[0])["ranking"]
    assert {r["model"] for r in ranking if r["group"] == "allow"} == set(ALLOWED)
