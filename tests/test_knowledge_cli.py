"""`licensecheck licenses [ID]` through the real command group (click's CliRunner)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from licensecheck.cli.main import main
from licensecheck.errors import KnowledgeError
from licensecheck.knowledge import store
from licensecheck.knowledge.model import GRANTS, USES


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["licenses", *args])


def as_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --- the list -----------------------------------------------------------------------------


def test_list_is_a_plain_table_of_every_licence(kb: store.KnowledgeBase) -> None:
    result = run()
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # Every use, one short cell each, then the name.
    assert lines[0].split() == ["ID", "RESEARCH", "COMMERCIAL", "GOVERNMENT", "DEFENSE", "NAME"]
    ids = [line.split()[0] for line in lines[1:]]
    assert ids == sorted(kb.ids())
    assert "\x1b[" not in result.stdout  # no terminal codes when stdout is not a terminal
    row = next(line for line in lines if line.startswith("qwen-research "))
    assert row.split()[1:5] == ["yes", "no", "no", "no"]
    assert row.endswith(kb["qwen-research"].name)
    short = {"granted": "yes", "conditional": "cond", "not-granted": "no"}
    row = next(line for line in lines if line.startswith("llama3.1 "))
    llama = kb["llama3.1"].terms
    assert row.split()[1:5] == [short[llama.uses[u].grant] for u in USES]
    assert row.split()[4] == "no"  # defense: the AUP bans military use
    row = next(line for line in lines if line.startswith("llama3.1-aup "))
    assert row.split()[1:5] == ["(aup)"] * 4


def test_list_is_byte_identical_from_run_to_run() -> None:
    assert run().stdout == run().stdout
    assert run("--format", "json").stdout == run("--format", "json").stdout


def test_list_json(kb: store.KnowledgeBase) -> None:
    data = as_json(run("--format", "json"))
    assert data["tool"]["name"] == "licensecheck"
    rows = data["licenses"]
    assert [r["id"] for r in rows] == sorted(kb.ids())
    for r in rows:
        assert set(r) == {"id", "name", "kind", "category", "family", "commercial", "uses", "spdx"}
        expected = set(GRANTS) if r["kind"] == "license" else {f"({r['kind']})"}
        assert r["commercial"] in expected
        assert set(r["uses"]) == set(USES) and r["uses"]["commercial"] == r["commercial"]
        assert set(r["uses"].values()) <= expected | {"-"}
    by_id = {r["id"]: r for r in rows}
    assert by_id["glm-4"]["commercial"] == "conditional"
    assert by_id["gemma"]["commercial"] == "granted"


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--family", "llama", "family"),
        ("--kind", "aup", "kind"),
        ("--category", "research-only", "category"),
    ],
)
def test_list_filters(option: str, value: str, field: str, kb: store.KnowledgeBase) -> None:
    rows = as_json(run(option, value, "--format", "json"))["licenses"]
    expected = sorted(lic.id for lic in kb if getattr(lic, field) == value)
    assert [r["id"] for r in rows] == expected
    assert expected  # the filter has something to find


def test_list_uses_rich_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import licensecheck.cli.output as output

    monkeypatch.setattr(output, "is_terminal", lambda stream: True)
    result = run("--family", "qwen")
    assert result.exit_code == 0
    assert "COMMERCIAL" in result.stdout
    assert "qwen-research" in result.stdout
    assert "tongyi-qianwen" in result.stdout
    assert "llama3" not in result.stdout


# --- one licence --------------------------------------------------------------------------


def test_show_gives_every_use_condition_restriction_and_obligation_with_its_clause() -> None:
    result = run("llama3.1")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("llama3.1: Llama 3.1 Community License Agreement\n")
    for use in USES:
        assert any(line.split()[:1] == [use] and "[" in line for line in out.splitlines())
    assert "max-monthly-active-users > 700,000,000 [2]" in out
    assert "military (aup) [AUP 2.a] denies defense" in out
    assert "attribution (distribution) [1.b.i(B)]: Built with Llama" in out
    assert "name-prefix (derivative) [1.b.i]: Llama\n" in out
    assert "policies      llama3.1-aup" in out


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("deepseek-license", "deepseek"),
        ("yi-license", "yi"),
        ("llama3.3-community", "llama3.3"),
        ("LLAMA 2 Community License Agreement", "llama2"),
        ("http://llama.com/llama4/license", "llama4"),
        ("https://huggingface.co/Qwen/Qwen-14B/resolve/main/LICENSE", "tongyi-qianwen"),
        ("LicenseRef-licensecheck-glm-4", "glm-4"),
        ("llama-3.1-license-2024", "llama3.1"),
        ("llama-4-license-2025", "llama4-aup"),
    ],
)
def test_show_accepts_aliases(name: str, expected: str) -> None:
    assert as_json(run(name, "--format", "json"))["license"]["id"] == expected


def test_show_json_for_every_licence(kb: store.KnowledgeBase) -> None:
    """Every entry renders, as JSON and as text, with a clause behind every grant."""
    for lic in kb:
        data = as_json(run(lic.id, "--format", "json"))["license"]
        assert data["id"] == lic.id
        if lic.kind == "license":
            assert set(data["terms"]["uses"]) == set(USES)
            assert all(g["clause"] for g in data["terms"]["uses"].values())
        else:
            assert data["terms"] is None
        text = run(lic.id)
        assert text.exit_code == 0
        assert text.stdout.startswith(f"{lic.id}: ")


def test_show_an_aup_lists_its_prohibitions_from_the_licence() -> None:
    data = as_json(run("llama3.2-aup", "--format", "json"))["license"]
    assert data["kind"] == "aup"
    assert data["policy_of"] == "llama3.2"
    military = [r for r in data["restrictions_in_license"] if r["id"] == "military"]
    assert military and military[0]["denies"] == ["defense"]
    out = run("llama3.2-aup").stdout
    assert "Prohibitions (listed in llama3.2's terms)" in out
    assert "circumvent-safety [AUP 1.h]" in out


def test_show_a_version_with_its_own_terms() -> None:
    default = as_json(run("yi", "--format", "json"))["license"]
    v1 = as_json(run("yi", "--version", "2023-11-01", "--format", "json"))["license"]
    v21 = as_json(run("yi", "--version", "2023-11-23", "--format", "json"))["license"]
    # Edition not known: the strictest edition's condition (v1.0's written authorisation).
    assert [c["kind"] for c in default["terms"]["conditions"]] == ["written-authorisation"]
    assert [c["kind"] for c in v1["terms"]["conditions"]] == ["written-authorisation"]
    assert [c["kind"] for c in v21["terms"]["conditions"]] == ["registration"]
    assert v1["terms_version"] == "2023-11-01"
    text = run("chatglm", "--version", "chatglm-6b-noncommercial").stdout
    assert "Terms of version chatglm-6b-noncommercial" in text
    assert "commercial  not-granted" in text
    assert "versions chatglm-6b-noncommercial, chatglm2-6b-noncommercial" in run("chatglm").stdout


def test_a_name_several_licensors_use_names_each_licence() -> None:
    result = run("modified-mit")
    assert result.exit_code == 2
    assert "names more than one licence" in result.output
    assert "kimi-modified-mit, minimax-modified-mit" in result.output


def test_kimi_display_obligation_is_shown_with_its_thresholds() -> None:
    out = run("kimi-modified-mit").stdout
    assert 'max-monthly-active-users > 100,000,000 -> display-name "Kimi K2"' in out
    assert 'max-monthly-revenue-usd > $20,000,000 -> display-name "Kimi K2"' in out


# --- errors: one line on stderr, exit status 2 -------------------------------------------------


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_unknown_id_names_the_closest_known_ids() -> None:
    line = _one_line_error(run("lama3.1"))
    assert "unknown licence 'lama3.1'" in line
    close = line.split("closest known: ", 1)[1].split(" (", 1)[0].split(", ")
    assert close[0] == "llama3.1"
    assert "deepseek" in _one_line_error(run("deepseak-license"))


def test_unknown_id_with_nothing_close() -> None:
    line = _one_line_error(run("zzzzzzzzzzzz"))
    assert "unknown licence 'zzzzzzzzzzzz'" in line
    assert "closest" not in line


def test_unknown_version_lists_the_known_ones() -> None:
    line = _one_line_error(run("minimax", "--version", "2099-01-01"))
    assert "2025-01-14, 2025-01-15" in line


@pytest.mark.parametrize(
    "args",
    [("--version", "2024-07-23"), ("llama3.1", "--family", "llama"), ("--format", "xml")],
)
def test_bad_arguments_exit_2(args: tuple[str, ...]) -> None:
    assert run(*args).exit_code == 2


def test_a_broken_knowledge_base_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> store.KnowledgeBase:
        raise KnowledgeError("licenses/x.yaml: not valid YAML: mapping values are not allowed here")

    monkeypatch.setattr(store, "load", broken)
    line = _one_line_error(run())
    assert "licenses/x.yaml" in line
