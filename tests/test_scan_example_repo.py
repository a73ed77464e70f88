"""examples/ml-repo: the documented references, found offline from its committed lock."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from licensecheck import lockfile
from licensecheck.cli.main import main

REPO = Path(__file__).resolve().parent.parent / "examples" / "ml-repo"

EXPECTED = [
    ("configs/codegen.yaml", 2, "deepseek-ai/deepseek-coder-7b-base-v1.5"),
    ("configs/local-llm.json", 3, "Qwen/CodeQwen1.5-7B-Chat-GGUF"),
    ("notebooks/eval.ipynb", 33, "microsoft/Phi-3-mini-128k-instruct"),
    ("pyproject.toml", 8, "microsoft/Phi-3-mini-128k-instruct"),
    ("src/serve.py", 5, "moonshotai/Kimi-K2.6"),
    ("src/train.py", 7, "meta-llama/Llama-3.1-8B-Instruct"),
    ("src/train.py", 8, "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU"),
]


def test_example_repository_scans_offline_from_its_lock(tmp_path: Path) -> None:
    env = {"HF_HUB_CACHE": str(tmp_path / "empty-cache"), "HF_HUB_OFFLINE": "1"}
    result = CliRunner().invoke(
        main, ["scan", str(REPO), "--offline", "--locked", "--format", "json"], env=env
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    found = sorted(
        (ref["path"], ref["line"], r["model"]) for r in report["results"] for ref in r["references"]
    )
    assert found == EXPECTED
    assert {r["source"] for r in report["results"]} == {"lock"}
    assert report["policy"]["name"] == "Example ML team"
    lora = next(r for r in report["results"] if r["model"].startswith("Imed-Ghebriout/"))
    assert [(x["model"], x["license"]) for x in lora["lineage"]] == [
        ("meta-llama/Llama-3.1-8B-Instruct", "llama3.1")
    ]
    # the notebook line really holds the reference
    nb = (REPO / "notebooks/eval.ipynb").read_text("utf-8").splitlines()
    assert "microsoft/Phi-3-mini-128k-instruct" in nb[33 - 1] and "model=" in nb[33 - 1]


def test_example_lock_is_well_formed_and_covers_every_reference() -> None:
    lock = lockfile.read(REPO / "licensecheck.lock")
    assert {e.repo_id for e in lock.models.values() if e.referenced} == {m for _, _, m in EXPECTED}
    assert (REPO / "licensecheck.lock").read_text("utf-8") == lockfile.dumps(lock)


def test_the_example_lock_records_the_example_policy(tmp_path: Path) -> None:
    """Running the README's `licensecheck lock` on the example changes nothing: the lock
    records the sha256 of the policy the example ships (it held an older policy's)."""
    import shutil

    repo = tmp_path / "ml-repo"
    shutil.copytree(REPO, repo)
    env = {"HF_HUB_CACHE": str(tmp_path / "empty-cache"), "HF_HUB_OFFLINE": "1"}
    result = CliRunner().invoke(main, ["lock", str(repo), "--offline"], env=env)
    assert result.exit_code == 0, result.stderr
    assert (repo / "licensecheck.lock").read_bytes() == (REPO / "licensecheck.lock").read_bytes()
