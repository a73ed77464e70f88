"""`licensecheck policy validate|init` and `licensecheck explain`, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _policy_fixtures import write_policy
from click.testing import CliRunner
from hub_server import HubServer

from licensecheck.cli.main import main
from licensecheck.policy.load import load_policy, preset_names

CORPUS_LICENSES = Path(__file__).parent / "data" / "corpus" / "licenses"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# --- policy validate -------------------------------------------------------------------


def test_validate_reports_a_typo_with_line_column_and_suggestion(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """\
        version: 1
        rules:
          - match: {license: [llama3.1]}
            verdcit: allow
        """,
    )
    code, out, err = run("policy", "validate", str(path))
    assert code == 2
    assert out == ""
    assert (
        f"licensecheck: error: {path}:4:5: unknown key 'verdcit' in a rule (did you mean "
        "'verdict'?)" in err.splitlines()
    )
    assert "Traceback" not in err


def test_validate_a_good_file_and_several_files(tmp_path: Path) -> None:
    good = write_policy(tmp_path, "extends: commercial\norganisation: {monthly_active_users: 1}\n")
    code, out, err = run("policy", "validate", str(good))
    assert code == 0 and err == ""
    assert out.startswith(f"{good}: valid policy 'policy.yaml'")
    assert "extends preset:commercial" in out
    bad = write_policy(tmp_path, "otherwise: maybe\n", "bad.yaml")
    code, out, err = run("policy", "validate", str(good), str(bad))
    assert code == 2
    assert str(good) in out and f"{bad}:1:12: otherwise 'maybe'" in err


def test_validate_warns_about_an_expired_exception(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """\
        exceptions:
          - {model: a/b, verdict: allow, reason: r, approved_by: me, expires: 2020-01-01}
        """,
    )
    code, _, err = run("policy", "validate", str(path))
    assert code == 0
    assert "warning:" in err and "expired on 2020-01-01" in err and f"{path}:2" in err


def test_validate_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("policy", "validate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "no such policy file" in err


# --- policy init -----------------------------------------------------------------------


@pytest.mark.parametrize("preset", preset_names())
def test_init_writes_a_starter_that_validates(
    tmp_path: Path, preset: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("policy", "init", "--preset", preset)
    assert code == 0, err
    target = tmp_path / ".licensecheck.yaml"
    text = target.read_text(encoding="utf-8")
    assert f"extends: {preset}" in text
    assert "monthly_active_users" in text  # the facts to fill in are named
    policy = load_policy(target)
    assert policy.sources[0] == f"preset:{preset}"
    assert policy.name == f"{tmp_path.name} policy"


def test_init_refuses_to_overwrite_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".licensecheck.yaml").write_text("name: mine\n")
    code, _, err = run("policy", "init")
    assert code == 2 and err.startswith("licensecheck: error: ") and "already exists" in err
    assert (tmp_path / ".licensecheck.yaml").read_text() == "name: mine\n"
    code, _, _ = run("policy", "init", "--force", "--preset", "research")
    assert code == 0
    assert "extends: research" in (tmp_path / ".licensecheck.yaml").read_text()


def test_init_unknown_preset_and_custom_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("policy", "init", "--preset", "comercial")
    assert code == 2 and "did you mean 'commercial'?" in err
    assert err.startswith("licensecheck: error: unknown preset 'comercial'")
    code, _, _ = run("policy", "init", "--path", "conf.yaml")
    assert code == 0 and load_policy("conf.yaml").sources == (
        "preset:default",
        "conf.yaml",
    )


# --- explain ---------------------------------------------------------------------------


def local_model(root: Path, card: str, license_file: str | None = None) -> Path:
    root.mkdir()
    (root / "README.md").write_text(card, encoding="utf-8")
    if license_file:
        (root / "LICENSE").write_bytes((CORPUS_LICENSES / license_file).read_bytes())
    return root


def test_explain_a_local_multimodal_llama_for_an_eu_company(tmp_path: Path) -> None:
    model = local_model(
        tmp_path / "vision-ft",
        "---\nlicense: llama3.2\npipeline_tag: image-text-to-text\n---\n# A vision fine-tune\n",
        "llama3.2.txt",
    )
    pol = write_policy(
        tmp_path,
        "extends: commercial\norganisation: {monthly_active_users: 5000000, jurisdictions: [DE]}\n",
    )
    code, out, err = run(
        "explain", str(model), "--use", "commercial", "--policy", str(pol), "--offline"
    )
    assert code == 1, err
    sections = [
        "1. Evidence",
        "2. Licence",
        "3. Lineage",
        "4. Licence terms",
        "5. Verdict for commercial: DENY",
    ]
    positions = [out.index(s) for s in sections]
    assert positions == sorted(positions)
    assert "card-metadata" in out  # the evidence
    assert "effective licences (every licence that binds the model): llama3.2" in out
    assert "condition mau [§2]" in out  # the terms, with clauses
    assert "[deny] terms:llama3.2:" in out and "DE (in EU)" in out  # the clause that decided
    assert "[allow] rule:" in out and "preset:commercial" in out  # each rule that matched
    assert out.rstrip().endswith("=> deny: the most severe verdict wins (deny > review > allow)")


def test_explain_shows_an_exception_and_json_format(tmp_path: Path) -> None:
    model = local_model(
        tmp_path / "nc", "---\nlicense: cc-by-nc-4.0\n---\n# NC weights\n", "cc-by-nc-4.0.txt"
    )
    pol = write_policy(
        tmp_path,
        f"""\
        extends: default
        exceptions:
          - model: "{model}"
            uses: [commercial]
            verdict: allow
            reason: Licence bought (C-9).
            approved_by: legal@example.com
            expires: 2099-01-01
        """,
    )
    code, out, err = run(
        "explain", str(model), "--use", "commercial", "--policy", str(pol), "--offline"
    )
    assert code == 0, err
    assert "[deny] terms:cc-by-nc-4.0:grant" in out
    assert "exceptions:" in out and "replaces the verdict deny" in out
    assert "waived: Licence bought (C-9)." in out
    code, out, _ = run(
        "explain",
        str(model),
        "--use",
        "commercial",
        "--policy",
        str(pol),
        "--offline",
        "--format",
        "json",
    )
    verdict = json.loads(out)["results"][0]["verdicts"]["commercial"]
    assert verdict["verdict"] == "allow"
    assert [r["rule"] for r in verdict["reasons"]][-1] == "exception"


def test_explain_through_the_hub_follows_the_lineage(tmp_path: Path, hub: HubServer) -> None:
    pol = write_policy(
        tmp_path, "extends: default\norganisation: {monthly_active_users: 5000000}\n"
    )
    code, out, err = run(
        "explain",
        "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU",
        "--use",
        "defense",
        "--policy",
        str(pol),
        "--endpoint",
        hub.url,
    )
    assert code == 1, err
    assert "- meta-llama/Llama-3.1-8B-Instruct:" in out  # the base model in the lineage
    assert "5. Verdict for defense: DENY" in out
    assert "[deny] restriction:military" in out


def test_explain_bad_policy_and_bad_use_are_usage_errors(tmp_path: Path) -> None:
    model = local_model(tmp_path / "m", "---\nlicense: mit\n---\n")
    bad = write_policy(tmp_path, "rules: [{verdict: alow}]\n")
    code, out, err = run("explain", str(model), "--policy", str(bad), "--offline")
    assert (
        code == 2
        and out == ""
        and f"{bad}:1:19: verdict 'alow'" in err
        and "did you mean 'allow'?" in err
    )
    code, _, err = run("explain", str(model), "--use", "warfare", "--offline")
    assert code == 2 and "unknown use" in err
