"""Policy loading: schema errors with file:line:column, limits, extends, resolution order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _policy_fixtures import policy, write_policy

from licensecheck.errors import PolicyError, UsageError
from licensecheck.policy.load import load_policy, load_preset, preset_names, resolve_policy


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    return info.value.problems


# --- errors name the file, line and column, and suggest --------------------------------


def test_typo_in_a_key_names_line_column_and_suggests(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """\
        version: 1
        rules:
          - match: {category: [permissive]}
            verdcit: allow
        """,
    )
    problems = problems_of(path)
    assert f"{path}:4:5: unknown key 'verdcit' in a rule (did you mean 'verdict'?)" in problems


def test_unknown_selector_value_is_checked_against_the_knowledge_base(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "rules:\n  - match: {license: [lama3.1]}\n    verdict: deny\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2:23: match.license: unknown licence 'lama3.1'")
    assert "(did you mean 'llama3.1'?)" in problem


def test_selector_keys_and_values_each_suggest(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """\
        rules:
          - match: {categry: [permissive]}
            verdict: allow
          - match: {category: [permisive]}
            verdict: allow
          - match: {restriction: [militar]}
            verdict: deny
          - match: {obligation: [atribution]}
            verdict: review
        """,
    )
    problems = problems_of(path)
    assert len(problems) == 4
    assert "unknown key 'categry' in match (did you mean 'category'?)" in problems[0]
    assert "unknown category 'permisive' (did you mean 'permissive'?)" in problems[1]
    assert "unknown restriction 'militar' (did you mean 'military'?)" in problems[2]
    assert "unknown obligation 'atribution' (did you mean 'attribution'?)" in problems[3]
    assert [p.split(":")[1:3] for p in problems] == [
        ["2", "13"],
        ["4", "24"],
        ["6", "27"],
        ["8", "26"],
    ]


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """\
        version: 1
        fail_on: allow
        organisation:
          monthly_active_users: 5M
          monthly_revenue_usd: -3
          annual_revenue_usd: true
          jurisdictions: [Germany]
          sector: privat
        uses: [comercial]
        otherwise: maybe
        exceptions:
          - model: a/b
            verdict: allow
            reason: bought
            approved_by: legal
            expires: 2026-02-30
        """,
    )
    problems = problems_of(path)
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == [2, 4, 5, 6, 7, 8, 9, 10, 16]
    text = "\n".join(problems)
    assert "fail_on 'allow' is not one of review, deny" in text
    assert "must be a whole number (e.g. 5000000), not '5M'" in text
    assert "must not be negative" in text
    assert "not a boolean (true)" in text
    assert "'Germany' is not a region code" in text
    assert "(did you mean 'private'?)" in text
    assert "unknown use 'comercial' in uses" in text and "(did you mean 'commercial'?)" in text
    assert "otherwise 'maybe' is not one of allow, review, deny" in text
    assert "'2026-02-30' is not a calendar date" in text


def test_wrong_types_are_named(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """\
        organisation: [a, b]
        rules: {match: {}}
        exceptions:
          - model: [a/b]
            verdict: allow
            reason: r
            approved_by: p
            expires: soon
        """,
    )
    problems = problems_of(path)
    assert any(":1:15: organisation must be a mapping, not a list" in p for p in problems)
    assert any(":2:8: rules must be a list, not a mapping" in p for p in problems)
    assert any(":4:12: model must be a non-empty string, not a list" in p for p in problems)
    assert any(":8:14: expires must be a date as YYYY-MM-DD" in p for p in problems)


def test_missing_required_keys(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """\
        rules:
          - match: {category: [permissive]}
        exceptions:
          - model: a/b
            verdict: allow
        """,
    )
    problems = problems_of(path)
    assert problems[0].endswith(":2:5: a rule needs 'verdict' (allow, review or deny)")
    assert problems[1].endswith(":4:5: an exception needs 'reason', 'approved_by', 'expires'")


def test_unsupported_version_and_top_level_typo(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "version: 2\nrule:\n  - verdict: allow\n")
    problems = problems_of(path)
    assert problems[0].endswith(":1:10: unsupported policy version 2; this licensecheck reads 1")
    assert problems[1].endswith(":2:1: unknown key 'rule' in the policy (did you mean 'rules'?)")


def test_invalid_yaml_reports_the_place(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "rules:\n  - match: {license: [mit]\n    verdict: allow\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3:")
    assert "not valid YAML" in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ":1:1: the policy is empty"),
        ("- a\n- b\n", ":1:1: the policy must be a mapping, not a list"),
        ("a: 1\na: 2\n", ":2:1: duplicate key 'a'"),
        ("a: 1\n---\nb: 2\n", "expected a single document"),
        ("a: !!python/object/apply:os.system [ls]\n", "unsupported YAML tag"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys (<<) are not supported"),
        ("? [a, b]\n: 1\n", "a mapping key must be a plain string"),
        ("rules:\n  - match: {model: [*/x-*]}\n", "must be quoted"),
    ],
)
def test_unreadable_documents_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = write_policy(tmp_path, text)
    problems = problems_of(path)
    assert len(problems) == 1
    assert expected in problems[0]
    assert problems[0].startswith(str(path))


def test_file_over_one_mebibyte_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * 110_000 + "version: 1\n", encoding="utf-8")
    assert path.stat().st_size > 1024 * 1024
    assert problems_of(path) == [f"{path}: policy file is larger than 1 MiB; refused"]


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    path = write_policy(tmp_path, "\n".join(lines) + "\n")
    (problem,) = problems_of(path)
    assert "alias bomb" in problem and "refused" in problem


def test_too_many_aliases_and_self_reference_are_refused(tmp_path: Path) -> None:
    many = "x: &x 1\ny: [" + ", ".join(["*x"] * 250) + "]\n"
    assert "more than 200 YAML aliases" in problems_of(write_policy(tmp_path, many))[0]
    looped = "a: &a\n  - *a\n"
    assert "nested deeper than" in problems_of(write_policy(tmp_path, looped, "l.yaml"))[0]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such policy file"]
    assert "is a directory" in problems_of(tmp_path)[0]


def test_policy_error_is_a_usage_error() -> None:
    assert issubclass(PolicyError, UsageError)


# --- what a valid file becomes ---------------------------------------------------------


def test_a_full_policy_loads_with_canonical_values(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        """\
        version: 1
        name: ACME production
        organisation:
          monthly_active_users: 5_000_000
          monthly_revenue_usd: 2000000
          jurisdictions: [eu, de]
          registrations: [Apache 2.0]
        uses: [commercial]
        fail_on: deny
        unknown_license: deny
        rules:
          - match: {license: [Apache 2.0, MIT], governing_law: [us]}
            uses: [commercial]
            verdict: allow
            reason: fine
        otherwise: allow
        exceptions:
          - model: org/model
            verdict: allow
            reason: bought
            approved_by: legal@acme.example
            expires: 2027-06-30
        """,
    )
    assert pol.name == "ACME production"
    assert pol.organisation.monthly_active_users == 5_000_000
    assert pol.organisation.jurisdictions == ("EU", "DE")
    assert pol.organisation.use_regions is None  # no default from jurisdictions (Hunyuan 5.c)
    assert pol.organisation.registrations == ("apache-2.0",)  # aliases resolve to ids
    assert pol.uses == ("commercial",)
    assert (pol.fail_on, pol.unknown_license, pol.otherwise) == ("deny", "deny", "allow")
    (rule,) = pol.rules
    assert rule.match.selectors == {"license": ("apache-2.0", "mit"), "governing_law": ("US",)}
    assert rule.index == 1 and rule.location == f"{tmp_path / 'policy.yaml'}:12"
    (waiver,) = pol.exceptions
    assert waiver.expires == "2027-06-30" and waiver.approved_by == "legal@acme.example"


def test_governing_law_selector_must_match_some_licence(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "rules:\n  - match: {governing_law: [ZZ]}\n    verdict: review\n")
    (problem,) = problems_of(path)
    assert "no known licence is governed by 'ZZ' law" in problem


def test_a_single_string_counts_as_a_list_and_empty_sections_are_allowed(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        """\
        organisation:
          # everything commented out
        uses: research
        rules:
          - match: {category: permissive}
            verdict: allow
        exceptions:
        """,
    )
    assert pol.uses == ("research",)
    assert pol.rules[0].match.selectors == {"category": ("permissive",)}


def test_empty_list_is_an_error(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "rules:\n  - match: {license: []}\n    verdict: deny\n")
    assert problems_of(path)[0].endswith(":2:22: match.license is an empty list")


def test_uses_defined(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        """\
        uses_defined:
          internal-tools: {like: commercial, description: Employees only}
        uses: [internal-tools, research]
        rules:
          - uses: [internal-tools]
            verdict: allow
        """,
    )
    assert pol.uses == ("internal-tools", "research")
    assert pol.uses_defined == {"internal-tools": "commercial"}
    assert pol.use_descriptions == {"internal-tools": "Employees only"}
    assert pol.base_use("internal-tools") == "commercial"
    assert pol.base_use("research") == "research"


def test_uses_defined_errors(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """\
        uses_defined:
          commercial: {like: research}
          Bad Name: {like: research}
          hosted: {like: comercial}
          nolike: {description: x}
        uses: [hosted]
        """,
    )
    problems = problems_of(path)
    assert "'commercial' is a built-in use already" in problems[0]
    assert "use name 'Bad Name' must be lower case" in problems[1]
    assert "(did you mean 'commercial'?)" in problems[2]
    assert "uses_defined.nolike needs 'like'" in problems[3]
    assert "unknown use 'hosted'" in problems[4]


# --- extends ---------------------------------------------------------------------------


def test_extends_a_preset_refines_it(tmp_path: Path) -> None:
    parent = load_preset("commercial")
    pol = policy(
        tmp_path,
        """\
        name: ACME
        extends: commercial
        organisation: {monthly_active_users: 10}
        fail_on: deny
        rules:
          - match: {publisher: [evil-org]}
            verdict: deny
        """,
    )
    assert pol.name == "ACME"
    assert pol.uses == parent.uses  # not set by the child: inherited
    assert pol.fail_on == "deny"  # set by the child: overridden
    assert len(pol.rules) == len(parent.rules) + 1
    assert pol.rules[: len(parent.rules)] == parent.rules  # parent's rules first, same numbers
    assert pol.rules[-1].index == len(parent.rules) + 1
    assert pol.rules[-1].match.selectors == {"publisher": ("evil-org",)}
    assert pol.sources[-1] == str(tmp_path / "policy.yaml")
    assert pol.sources[0] == "preset:commercial"


def test_extends_a_relative_path_merges_organisation_facts(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    write_policy(
        tmp_path / "base",
        """\
        name: base
        organisation: {monthly_active_users: 10, jurisdictions: [US]}
        uses_defined: {hosted: {like: commercial}}
        exceptions:
          - {model: a/*, verdict: allow, reason: r, approved_by: p, expires: 2030-01-01}
        """,
        "org.yaml",
    )
    pol = policy(
        tmp_path,
        """\
        extends: base/org.yaml
        organisation: {monthly_revenue_usd: 5}
        uses: [hosted]
        exceptions:
          - {model: b/*, verdict: deny, reason: r, approved_by: p, expires: 2030-01-01}
        """,
    )
    org = pol.organisation
    assert (org.monthly_active_users, org.monthly_revenue_usd, org.jurisdictions) == (
        10,
        5,
        ("US",),
    )
    assert pol.uses == ("hosted",)  # a use the parent defines
    assert [w.model for w in pol.exceptions] == ["a/*", "b/*"]
    assert pol.name == "policy.yaml"  # the child gave none; a parent's name is not its own


def test_extends_cycle_is_detected(tmp_path: Path) -> None:
    write_policy(tmp_path, "extends: b.yaml\n", "a.yaml")
    write_policy(tmp_path, "extends: a.yaml\n", "b.yaml")
    problems = problems_of(tmp_path / "a.yaml")
    assert any("extends 'a.yaml' makes a cycle" in p for p in problems)


def test_extends_unknown_preset_suggests(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "extends: comercial\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1:10: extends 'comercial': not a preset")
    assert "(did you mean 'commercial'?)" in problem


def test_errors_in_parent_and_child_are_all_reported(tmp_path: Path) -> None:
    write_policy(tmp_path, "fail_on: never\n", "parent.yaml")
    path = write_policy(tmp_path, "extends: parent.yaml\notherwise: sure\n")
    problems = problems_of(path)
    assert len(problems) == 2
    assert problems[0].startswith(f"{tmp_path / 'parent.yaml'}:1:10: fail_on")
    assert problems[1].startswith(f"{path}:2:12: otherwise")


def test_missing_parent_file(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "extends: ./nope.yaml\n")
    assert problems_of(path) == [f"{path}:1:10: extends './nope.yaml': no such file"]


def test_digest_is_the_file_hash_and_changes_with_the_file(tmp_path: Path) -> None:
    import hashlib

    path = write_policy(tmp_path, "name: a\n")
    assert load_policy(path).sha256 == hashlib.sha256(b"name: a\n").hexdigest()
    assert load_policy(path) == load_policy(path)
    child = write_policy(tmp_path, "extends: default\n", "child.yaml")
    first = load_policy(child).sha256
    write_policy(tmp_path, "extends: research\n", "child.yaml")
    assert load_policy(child).sha256 != first


# --- presets ---------------------------------------------------------------------------


def test_the_six_presets_exist() -> None:
    assert set(preset_names()) >= {
        "default",
        "permissive",
        "commercial",
        "government",
        "defense",
        "research",
    }


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_validates_and_explains_its_rules(name: str) -> None:
    pol = load_preset(name)
    assert pol.name == name
    assert pol.path is None
    assert pol.rules, "a preset without rules decides nothing"
    assert all(rule.reason for rule in pol.rules), "every preset rule says why"


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_file_carries_its_reasoning_in_comments(name: str) -> None:
    from licensecheck.policy.presets import preset_path

    path = preset_path(name)
    assert path is not None
    comments = [
        ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.lstrip().startswith("#")
    ]
    assert len(comments) >= 8


def test_unknown_preset_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match=r"unknown preset 'comercial'.*did you mean 'commercial'"):
        load_preset("comercial")


# --- resolution order ------------------------------------------------------------------


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_policy(None, None, tmp_path).name == "default"

    (tmp_path / "pyproject.toml").write_text('[tool.licensecheck]\npolicy = "conf/p.yaml"\n')
    (tmp_path / "conf").mkdir()
    write_policy(tmp_path / "conf", "name: from-pyproject\n", "p.yaml")
    assert resolve_policy(None, None, tmp_path).name == "from-pyproject"

    write_policy(tmp_path, "name: local\n", ".licensecheck.yaml")
    assert resolve_policy(None, None, tmp_path).name == "local"
    assert resolve_policy(None, "research", tmp_path).name == "research"

    write_policy(tmp_path, "name: explicit\n", "explicit.yaml")
    assert resolve_policy("explicit.yaml", "research", tmp_path).name == "explicit"


def test_resolution_relative_to_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    write_policy(project, "name: there\n", ".licensecheck.yaml")
    monkeypatch.chdir(tmp_path)
    assert os.getcwd() != str(project)
    assert resolve_policy(None, None, project).name == "there"


def test_pyproject_preset_and_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.licensecheck]\npreset = "defense"\n')
    assert resolve_policy(None, None, tmp_path).name == "defense"
    (tmp_path / "pyproject.toml").write_text("[tool.licensecheck\n")
    with pytest.raises(PolicyError, match=r"pyproject\.toml: not valid TOML"):
        resolve_policy(None, None, tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.licensecheck]\npolicy = 3\n")
    with pytest.raises(PolicyError, match="policy must be a non-empty string"):
        resolve_policy(None, None, tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.other]\nx = 1\n")
    assert resolve_policy(None, None, tmp_path).name == "default"


def test_too_many_anchors_are_refused(tmp_path: Path) -> None:
    text = "".join(f"k{i}: &a{i} {i}\n" for i in range(101))
    (problem,) = problems_of(write_policy(tmp_path, text))
    assert "more than 100 YAML anchors; refused" in problem
    assert problem.startswith(f"{tmp_path / 'policy.yaml'}:101:")
