"""`licensecheck notice` end to end on the loopback Hub.

The issue's "done when": the notice for a Llama 3.1 fine-tune plus a Qwen model contains each
required line exactly once. The required lines are read from the knowledge base here, so the
test follows the data rather than restating it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _mixed_hub import (
    APACHE,
    APACHE_NOTICE,
    KIMI,
    LLAMA_BASE,
    LLAMA_FT,
    QWEN,
    mixed_env,
)
from click.testing import CliRunner, Result
from hub_server import HubServer

from licensecheck.cli.main import main
from licensecheck.notice import NOTICE_OBLIGATIONS


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return mixed_env(tmp_path / "hf-cache")


def notice(hub: HubServer, env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(
        main, ["notice", *args, "--endpoint", hub.url], env=env, catch_exceptions=False
    )


def required(kb: Any, license_id: str) -> list[str]:
    """The attribution / notice strings the knowledge base gives for a licence."""
    terms = kb[license_id].terms
    return [o.text for o in terms.obligations if o.id in NOTICE_OBLIGATIONS]


def policy_file(tmp_path: Path, mau: int, revenue: int) -> str:
    path = tmp_path / f"policy-{mau}.yaml"
    path.write_text(
        "version: 1\nname: org\nextends: default\norganisation:\n"
        f"  monthly_active_users: {mau}\n  monthly_revenue_usd: {revenue}\n",
        encoding="utf-8",
    )
    return str(path)


def test_llama_finetune_plus_qwen_has_each_required_line_once(
    mixed_hub: HubServer, env: dict[str, str], kb: Any
) -> None:
    result = notice(mixed_hub, env, LLAMA_FT, QWEN)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    wanted = required(kb, "llama3.1") + required(kb, "qwen")
    assert len(wanted) >= 4  # "Built with ..." and the notice line, for each licence
    for line in wanted:
        assert lines.count(line) == 1, line
    assert [ln for ln in lines if ln] == wanted  # nothing else, in the models' order


def test_a_line_several_models_need_is_printed_once(
    mixed_hub: HubServer, env: dict[str, str], kb: Any
) -> None:
    sha = mixed_hub.sha(LLAMA_FT)
    # The fine-tune twice (by branch and by sha) and its base: one Llama licence, one set.
    result = notice(mixed_hub, env, LLAMA_FT, f"{LLAMA_FT}@{sha}", LLAMA_BASE)
    assert result.exit_code == 0, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln]
    assert lines == required(kb, "llama3.1")


def test_apache_notice_file_is_pasted_and_instructions_go_to_stderr(
    mixed_hub: HubServer, env: dict[str, str], kb: Any
) -> None:
    result = notice(mixed_hub, env, APACHE)
    assert result.exit_code == 0, result.stderr
    assert APACHE_NOTICE.decode() in result.stdout
    assert result.stdout.startswith(f"Notices for {APACHE} (NOTICE):")
    for ob in kb["apache-2.0"].terms.obligations:
        if ob.id in NOTICE_OBLIGATIONS:
            assert ob.text not in result.stdout
            assert ob.text in result.stderr


def test_kimi_display_name_follows_the_organisation_facts(
    mixed_hub: HubServer, env: dict[str, str], tmp_path: Path
) -> None:
    big = notice(mixed_hub, env, KIMI, "--policy", policy_file(tmp_path, 200_000_000, 0))
    assert big.stdout.split("\n\n")[0] == "Kimi K2"
    small = notice(mixed_hub, env, KIMI, "--policy", policy_file(tmp_path, 5_000, 1_000))
    assert "Kimi K2\n" not in small.stdout
    assert "'Kimi K2' is required only when" in small.stderr
    # Facts not given: the obligation cannot be ruled out, so the line is required.
    assert "Kimi K2" in notice(mixed_hub, env, KIMI).stdout.splitlines()


def test_json_holds_lines_files_and_instructions(
    mixed_hub: HubServer, env: dict[str, str], kb: Any
) -> None:
    result = notice(mixed_hub, env, LLAMA_FT, APACHE, "--format", "json")
    data = json.loads(result.stdout)
    assert data["tool"]["name"] == "licensecheck"
    assert [row["text"] for row in data["lines"]] == required(kb, "llama3.1")
    assert data["lines"][0]["models"] == [LLAMA_FT]
    assert [f["path"] for f in data["files"]] == ["NOTICE"]
    assert {i["obligation"] for i in data["instructions"]} >= {"include-license", "notice-file"}
    assert data["incomplete"] == []
    assert list(data) == sorted(data)


def test_unknown_licence_or_unreadable_model_makes_the_notice_incomplete(
    mixed_hub: HubServer, env: dict[str, str], tmp_path: Path, kb: Any
) -> None:
    bare = tmp_path / "bare-model"
    bare.mkdir()
    (bare / "README.md").write_text("# A model with no licence anywhere\n", encoding="utf-8")
    result = notice(mixed_hub, env, QWEN, str(bare))
    assert result.exit_code == 3  # the notice may be incomplete: not written in full
    assert f"warning: {bare}: licence not identified" in result.stderr
    assert [ln for ln in result.stdout.splitlines() if ln] == required(kb, "qwen")

    missing = notice(mixed_hub, env, QWEN, "acme/does-not-exist")
    assert missing.exit_code == 3
    assert "warning: acme/does-not-exist: could not be read" in missing.stderr


def test_two_runs_give_the_same_bytes(mixed_hub: HubServer, env: dict[str, str]) -> None:
    args = (LLAMA_FT, QWEN, APACHE, KIMI)
    assert notice(mixed_hub, env, *args).stdout_bytes == notice(mixed_hub, env, *args).stdout_bytes
    one = notice(mixed_hub, env, *args, "--format", "json").stdout_bytes
    assert one == notice(mixed_hub, env, *args, "--format", "json").stdout_bytes


def test_the_copyright_lines_of_mit_style_licence_files_are_printed(
    mixed_hub: HubServer, env: dict[str, str], tmp_path: Path
) -> None:
    """Kimi's modified MIT and a plain MIT file: "include the copyright notice" means the
    real "Copyright (c) ..." lines, printed; the MIT template line is not a notice."""
    result = notice(mixed_hub, env, KIMI)
    assert result.exit_code == 0, result.stderr
    assert f"Copyright notices of {KIMI} (LICENSE):\nCopyright (c) 2025 Moonshot AI" in (
        result.stdout
    )
    mit = tmp_path / "mit-model"
    mit.mkdir()
    (mit / "README.md").write_text("---\nlicense: mit\n---\n# A model\n", encoding="utf-8")
    template = (Path(__file__).parent.parent / "licensecheck/knowledge/texts/mit.txt").read_text()
    assert "Copyright (c) <year> <copyright holders>" in template
    (mit / "LICENSE").write_text(
        template.replace(
            "Copyright (c) <year> <copyright holders>",
            "Copyright (c) 2024 Acme Labs\nCopyright 2025 Acme GmbH",
        ),
        encoding="utf-8",
    )
    bare = tmp_path / "mit-template"
    bare.mkdir()
    (bare / "README.md").write_text("---\nlicense: mit\n---\n# B model\n", encoding="utf-8")
    (bare / "LICENSE").write_text(template, encoding="utf-8")
    both = notice(mixed_hub, env, str(mit), str(bare), "--offline")
    assert both.exit_code == 0, both.stderr
    assert (
        f"Copyright notices of {mit} (LICENSE):\nCopyright (c) 2024 Acme Labs\nCopyright 2025 Acme GmbH\n"
        in both.stdout
    )
    assert "<year>" not in both.stdout and str(bare) not in both.stdout
    data = json.loads(notice(mixed_hub, env, str(mit), "--offline", "--format", "json").stdout)
    assert data["copyrights"] == [
        {
            "path": "LICENSE",
            "models": [str(mit)],
            "lines": ["Copyright (c) 2024 Acme Labs", "Copyright 2025 Acme GmbH"],
        }
    ]


def test_a_licence_file_not_read_makes_the_notice_incomplete(
    mixed_hub: HubServer, env: dict[str, str], tmp_path: Path
) -> None:
    """An MIT model whose LICENSE is binary (or past the read cap): its copyright lines were
    never read, so the notice cannot claim to be whole (exit 3, the file named)."""
    model = tmp_path / "mit-binary-licence"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\n---\n# A model\n", encoding="utf-8")
    (model / "LICENSE").write_bytes(b"Copyright (c) 2024 Acme\x00\x01")
    result = notice(mixed_hub, env, str(model), "--offline")
    assert result.exit_code == 3, result.stderr
    assert f"warning: {model}: licence-like file not read (LICENSE: binary" in result.stderr
    data = json.loads(notice(mixed_hub, env, str(model), "--offline", "--format", "json").stdout)
    assert [g["model"] for g in data["incomplete"]] == [str(model)]
