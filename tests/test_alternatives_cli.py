"""`licensecheck alternatives` through the CLI, against the test Hub (tests/_alternatives_hub.py):
a Llama 3.1 model for an organisation above 700M monthly active users, the ranking, the
request budget, the formats, the exit statuses, a failing Hub search, and `--offline`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _alternatives_hub import (
    ALLOWED,
    DERIVED,
    FINETUNE,
    FINETUNE_GGUF,
    GEMMA,
    LLAMA,
    LORA,
    MISTRAL,
    NC,
    NEVER_ALLOWED,
    POLICY,
    QWEN_SMALL,
    RESEARCH,
    VISION,
    alternatives_env,
    populate_alternatives,
)
from click.testing import CliRunner, Result
from hub_server import HubServer, make_card
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from licensecheck.cli.main import main

DOCS = Path(__file__).parent.parent / "docs"


@pytest.fixture(scope="module")
def alt_hub() -> Iterator[HubServer]:
    with HubServer() as hub:
        populate_alternatives(hub)
        yield hub


@pytest.fixture
def hub(alt_hub: HubServer) -> Iterator[HubServer]:
    alt_hub.reset()
    yield alt_hub
    alt_hub.reset()


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "big-platform.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return alternatives_env(tmp_path / "hf-cache")


def run(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, ["alternatives", *args], env=env, catch_exceptions=False)


def json_run(
    hub: HubServer, policy: Path, env: dict[str, str], *extra: str, model: str | None = LLAMA
) -> tuple[Result, dict[str, Any]]:
    args = [model] if model else []
    args += ["--endpoint", hub.url, "--policy", str(policy), "--format", "json", *extra]
    result = run(args, env)
    return result, json.loads(result.stdout) if result.stdout.strip() else {}


def test_llama_above_700m_users_gets_permissive_alternatives(
    hub: HubServer, policy: Path, env: dict[str, str]
) -> None:
    result, report = json_run(hub, policy, env)
    assert result.exit_code == 0, result.stderr
    ranking = report["ranking"]
    by_model = {row["model"]: row for row in ranking}
    allowed = {row["model"] for row in ranking if row["group"] == "allow"}
    # Apache-2.0 and MIT models are allowed, verified from their LICENSE files...
    assert allowed == set(ALLOWED)
    assert {by_model[m]["license"] for m in ALLOWED} == {"apache-2.0", "mit"}
    assert all(by_model[m]["verified"] for m in ALLOWED)
    # ...and no non-commercial, research-only or over-threshold model is.
    for model in NEVER_ALLOWED:
        assert model not in allowed
    assert by_model[NC]["group"] == by_model[RESEARCH]["group"] == "deny"
    assert "exceeds 700,000,000" in by_model["meta-llama/Llama-3.2-3B-Instruct"]["reason"]
    assert "exceeds 100,000,000" in by_model["Qwen/Qwen2.5-72B-Instruct"]["reason"]
    # The gated candidate is listed with its declared licence, not allowed, not dropped.
    assert by_model[GEMMA]["license"] == "gemma"
    assert by_model[GEMMA]["verified"] is False
    assert by_model[GEMMA]["group"] == "review" and by_model[GEMMA]["status"] == "ok"
    assert by_model[GEMMA]["verdicts"] == {"commercial": "review"}
    assert "declared only (gated)" in by_model[GEMMA]["reason"]
    # The gated model itself is judged on its declared licence: over the threshold.
    assert report["model"]["verdicts"]["commercial"]["verdict"] == "deny"
    # Ranking: allow, then review, then deny; the Hub's download order within each group.
    groups = [row["group"] for row in ranking]
    assert groups == sorted(groups, key=["allow", "review", "deny"].index)
    for group in ("allow", "deny"):
        counts = [row["downloads"] for row in ranking if row["group"] == group]
        assert counts == sorted(counts, reverse=True)
    assert [row["rank"] for row in ranking] == list(range(1, len(ranking) + 1))
    assert [r["model"] for r in report["results"]] == [row["model"] for row in ranking]
    # The model itself and its own derivatives are left out, with the reason; the
    # depth-2 quantisation only the audited lineage reveals.
    excluded = {x["model"]: x["reason"] for x in report["excluded"]}
    assert set(excluded) == {LLAMA, *DERIVED}
    assert "quantisation" in excluded["bartowski/Llama-3.1-8B-Instruct-GGUF"]
    assert "depth 2" in excluded[FINETUNE_GGUF]
    assert VISION not in by_model and VISION not in excluded  # another task: not listed
    assert report["query"]["task"] == "text-generation"
    assert report["query"]["model"] == LLAMA
    assert report["model"]["model"] == LLAMA
    assert report["uses"] == ["commercial"]
    assert report["summary"]["models"] == len(ranking)


def test_request_budget_one_listing_and_no_model_info_per_candidate(
    hub: HubServer, policy: Path, env: dict[str, str]
) -> None:
    result, _ = json_run(hub, policy, env)
    assert result.exit_code == 0, result.stderr
    listings = hub.requests("GET", "/api/models")
    assert len([r for r in listings if r.path == "/api/models"]) == 1
    listing = next(r for r in listings if r.path == "/api/models")
    for param in ("pipeline_tag=text-generation", "sort=downloads", "expand=siblings"):
        assert param in listing.query
    # model_info only for the model itself and for a base a candidate's card names: the
    # listing's answers stand in for the candidates'.
    infos = sorted(r.path for r in listings if r.path != "/api/models")
    assert infos == sorted([f"/api/models/{LLAMA}", f"/api/models/{FINETUNE}"])  # once each
    # Warm: the same report, no file downloaded again.
    hub.clear_log()
    again, _ = json_run(hub, policy, env)
    assert again.stdout == result.stdout
    assert hub.downloads() == []


def test_table_and_markdown(hub: HubServer, policy: Path, env: dict[str, str]) -> None:
    common = [LLAMA, "--endpoint", hub.url, "--policy", str(policy)]
    table = run([*common, "--format", "table"], env)
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith(f"alternatives to {LLAMA} for text-generation")
    header = next(i for i, line in enumerate(lines) if line.startswith("#"))
    first = lines[header + 1]
    assert first.split()[1] == MISTRAL and "apache-2.0" in first and "2M" in first
    gemma = next(line for line in lines if GEMMA in line)
    assert "gemma, declared only (gated)" in gemma and "review" in gemma.split()
    assert "left out:" in table.stdout and "3 of 8 candidates allowed" in table.stdout
    markdown = run([*common, "--format", "markdown"], env)
    assert markdown.exit_code == 0
    assert f"| 1 | `{MISTRAL}` | apache-2.0 | 2M | ✅ allow |" in markdown.stdout
    assert "**Left out:**" in markdown.stdout


def test_task_without_model_and_filters(hub: HubServer, policy: Path, env: dict[str, str]) -> None:
    result, report = json_run(
        hub, policy, env, "--task", "text-generation", "--author", "Qwen", "--sort", "likes",
        model=None,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [row["model"] for row in report["ranking"]] == [
        QWEN_SMALL,
        "Qwen/Qwen2.5-72B-Instruct",
        RESEARCH,
    ]
    assert report["query"]["model"] is None and report["excluded"] == []
    listing = hub.requests("GET", "/api/models")[0]
    assert "author=Qwen" in listing.query and "sort=likes" in listing.query
    # --library is the Hub's filter: only the adapter (a peft model) is one.
    result, report = json_run(
        hub, policy, env, "--task", "text-generation", "--library", "peft", model=None
    )
    assert [row["model"] for row in report["ranking"]] == [LORA]
    listing = [r for r in hub.requests("GET", "/api/models") if r.path == "/api/models"][-1]
    assert "filter=peft" in listing.query
    # --search and --limit: the first candidate only, in the Hub's order.
    result, report = json_run(hub, policy, env, "--search", "Qwen2.5", "--limit", "1")
    assert [row["model"] for row in report["ranking"]] == ["Qwen/Qwen2.5-72B-Instruct"]
    assert result.exit_code == 1  # the only candidate is over the threshold


def test_exit_1_when_no_candidate_is_allowed(
    hub: HubServer, policy: Path, env: dict[str, str]
) -> None:
    result, report = json_run(hub, policy, env, "--author", "facebook")
    assert result.exit_code == 1
    assert [row["model"] for row in report["ranking"]] == [NC]
    nothing, empty = json_run(hub, policy, env, "--search", "no-such-model")
    assert nothing.exit_code == 1 and empty["ranking"] == []


def test_a_listed_entry_that_names_no_model_is_left_out_not_fetched(
    hub: HubServer, policy: Path, env: dict[str, str]
) -> None:
    hub.add_repo("evil/..", {"README.md": make_card(license="mit", pipeline_tag="text-generation")})
    result, report = json_run(hub, policy, env, "--author", "evil")
    assert result.exit_code == 1
    assert report["ranking"] == []
    [entry] = report["excluded"]
    assert entry["model"] == "evil/.." and entry["reason"].startswith("not a model entry")
    assert not [r for r in hub.requests() if "evil" in r.path]


def test_pages_are_followed_until_enough_candidates(
    hub: HubServer, policy: Path, env: dict[str, str]
) -> None:
    hub.page_size = 2
    try:
        result, report = json_run(hub, policy, env, "--limit", "3")
    finally:
        hub.page_size = 1000
    assert result.exit_code == 0, result.stderr
    # The model, the Llama 3.2 model and its quantisation fill the first two pages.
    assert len(report["ranking"]) == 3
    pages = [r for r in hub.requests("GET", "/api/models") if r.path == "/api/models"]
    assert len(pages) >= 2 and "cursor=" in pages[1].query


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "give MODEL or --task TASK"),
        ([LLAMA, "--sort", "stars"], "Invalid value for '--sort'"),
        ([LLAMA, "--limit", "0"], "Invalid value for '--limit'"),
        ([LLAMA, "--format", "sarif"], "--format 'sarif'"),
        ([".", "--task", "text-generation"], "give a Hub id"),
        ([LLAMA, "--use", "piracy"], "--use 'piracy'"),
    ],
)
def test_usage_errors_exit_2(
    hub: HubServer, env: dict[str, str], args: list[str], message: str
) -> None:
    result = run([*args, "--endpoint", hub.url], env)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert hub.requests("GET", "/api/models") == []  # nothing asked before the usage check


def test_a_model_that_cannot_be_read_exits_3_when_its_task_is_needed(
    hub: HubServer, policy: Path, env: dict[str, str]
) -> None:
    result, _ = json_run(hub, policy, env, model="acme/does-not-exist")
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "acme/does-not-exist: repository not found" in lines[0]
    assert [r for r in hub.requests() if r.path == "/api/models"] == []
    # With --task the search goes on; the model's own error is reported beside the ranking.
    result, report = json_run(
        hub, policy, env, "--task", "text-generation", model="acme/does-not-exist"
    )
    assert result.exit_code == 0, result.stderr
    assert report["model"]["status"] == "error" and report["ranking"]


def test_model_without_task_is_a_usage_error(
    hub: HubServer, policy: Path, env: dict[str, str]
) -> None:
    hub.add_repo("acme/no-task", {"README.md": make_card(license="mit")})
    result, _ = json_run(hub, policy, env, model="acme/no-task")
    assert result.exit_code == 2
    assert "names no pipeline_tag; give --task" in result.stderr


@pytest.mark.parametrize(
    "fault, expected",
    [
        ({"status": 500, "times": None}, "Hub search failed: Hub unavailable (HTTP 500)"),
        ({"status": 400, "times": None}, "Hub search failed: the Hub refused the search"),
        ({"action": "drop", "times": None}, "Hub search failed: connection dropped"),
    ],
)
def test_failing_hub_search_exits_3_with_one_line(
    hub: HubServer, policy: Path, env: dict[str, str], fault: dict[str, Any], expected: str
) -> None:
    hub.add_fault(r"^/api/models$", **fault)
    result, _ = json_run(hub, policy, {**env, "LICENSECHECK_HUB_RETRIES": "1"})
    assert result.exit_code == 3
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("licensecheck: error: ") and expected in lines[0]


def test_unreachable_hub_exits_3(policy: Path, env: dict[str, str]) -> None:
    with HubServer() as gone:
        url = gone.url
    result = run(
        ["--task", "text-generation", "--endpoint", url, "--policy", str(policy)],
        {**env, "LICENSECHECK_HUB_RETRIES": "0"},
    )
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        "licensecheck: error: Hub search failed: connection refused or unreachable"
    ]


def test_json_matches_the_schema(hub: HubServer, policy: Path, env: dict[str, str]) -> None:
    result, report = json_run(hub, policy, env)
    assert result.exit_code == 0
    registry: Registry = Registry()
    schemas = {}
    for name in ("report.schema.json", "alternatives.schema.json"):
        schema = json.loads((DOCS / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        schemas[name] = schema
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
    validator = Draft202012Validator(schemas["alternatives.schema.json"], registry=registry)
    assert list(validator.iter_errors(report)) == []
    broken = {**report, "ranking": [{**report["ranking"][0], "group": "maybe"}]}
    assert list(validator.iter_errors(broken))
    assert list(validator.iter_errors({k: v for k, v in report.items() if k != "query"}))


# --- offline ------------------------------------------------------------------------------


def _cached_model(cache: Path, repo_id: str, readme: bytes, sha: str) -> None:
    folder = cache / ("models--" + repo_id.replace("/", "--"))
    (folder / "snapshots" / sha).mkdir(parents=True)
    (folder / "snapshots" / sha / "README.md").write_bytes(readme)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(sha)


def test_offline_candidates_are_the_models_in_the_hf_cache(
    hub: HubServer, policy: Path, env: dict[str, str], tmp_path: Path
) -> None:
    own = tmp_path / "own-cache"  # licensecheck's cache: kept model_info of gated repos
    env = {**env, "LICENSECHECK_CACHE_DIR": str(own)}
    online, _ = json_run(hub, policy, env)  # fills the HF cache
    assert online.exit_code == 0, online.stderr
    cache = Path(env["HF_HUB_CACHE"])
    # A model of another task, one whose task only kept model_info knows, and one whose
    # task nothing knows (kept: it may be an alternative).
    _cached_model(
        cache, "acme/vit", make_card(license="mit", pipeline_tag="image-classification"), "a" * 40
    )
    _cached_model(cache, "acme/whisper", make_card(license="mit"), "b" * 40)
    _cached_model(
        cache, "acme/mystery", make_card(license="mit", library_name="transformers"), "c" * 40
    )
    kept = {
        "format": 1,
        "endpoint": hub.url,
        "repo": "acme/whisper",
        "info": {"pipeline_tag": "automatic-speech-recognition"},
    }
    (own / "hub-info" / "x.json").write_text(json.dumps(kept))
    hub.clear_log()
    result, report = json_run(hub, policy, env, "--offline")
    assert hub.requests() == []  # no network
    assert result.exit_code == 0, result.stderr
    by_model = {row["model"]: row for row in report["ranking"]}
    assert {m for m, row in by_model.items() if row["group"] == "allow"} >= set(ALLOWED)
    for model in NEVER_ALLOWED:
        assert by_model.get(model, {}).get("group") != "allow"
    assert all(row["status"] == "ok" for row in report["ranking"])
    # The gated candidate is judged as online: its refused LICENSE is known, not absent.
    assert by_model[GEMMA]["group"] == "review" and by_model[GEMMA]["verified"] is False
    assert by_model["acme/mystery"]["task"] is None  # unknown task: kept, and said so
    excluded = {x["model"]: x["reason"] for x in report["excluded"]}
    assert excluded["acme/vit"] == "task image-classification, not text-generation"
    assert excluded["acme/whisper"] == "task automatic-speech-recognition, not text-generation"
    assert excluded[LLAMA] == "the model itself"
    assert FINETUNE in excluded and FINETUNE_GGUF in excluded
    assert report["query"]["offline"] is True
    # The Hub's filters, applied to the cache.
    _, acme = json_run(hub, policy, env, "--offline", "--author", "acme")
    assert [row["model"] for row in acme["ranking"]] == ["acme/mystery"]
    _, library = json_run(hub, policy, env, "--offline", "--library", "Transformers")
    assert [row["model"] for row in library["ranking"]] == ["acme/mystery"]
    _, search = json_run(hub, policy, env, "--offline", "--search", "qwen2.5-7b")
    assert [row["model"] for row in search["ranking"]] == [QWEN_SMALL]
    assert [row["model"] for row in report["ranking"] if row["group"] == "allow"] == sorted(
        (m for m, row in by_model.items() if row["group"] == "allow"), key=str.lower
    )  # the cache knows no downloads: id order


def test_offline_model_missing_from_the_cache(policy: Path, env: dict[str, str]) -> None:
    result = run([LLAMA, "--offline", "--policy", str(policy)], env)
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not in the HF cache" in lines[0]
    with_task = run([LLAMA, "--offline", "--task", "text-generation", "--policy", str(policy)], env)
    assert with_task.exit_code == 1  # an empty cache: no candidate
