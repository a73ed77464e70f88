"""Every licence data file validates against knowledge/schema.json, and the files agree
with each other: texts referenced exactly once, AUPs point at licences, aliases name one
licence, every licence answers all four uses with a clause.

The checks run over whatever files are in the directory, so every engineer's files are held
to the same rules. Each failure names the file and the place in it.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from licensecheck.errors import KnowledgeError
from licensecheck.knowledge import model
from licensecheck.knowledge.store import (
    DATA_DIR,
    LICENSES_DIR,
    TEXTS_DIR,
    KnowledgeBase,
    alias_key,
    iter_data_files,
    parse_license,
    read_data_file,
)

SCHEMA_PATH = DATA_DIR / "schema.json"
THRESHOLD_KINDS = {"max-monthly-active-users", "max-monthly-revenue-usd", "max-annual-revenue-usd"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def raw() -> dict[Path, dict[str, Any]]:
    """Every data file as YAML gives it (before the loader's defaults)."""
    return {path: read_data_file(path) for path in iter_data_files(LICENSES_DIR)}


@pytest.fixture(scope="module")
def licenses(raw: dict[Path, dict[str, Any]]) -> dict[str, model.License]:
    return {lic.id: lic for lic in (parse_license(d) for d in raw.values())}


def _where(path: Path, error_path: Any) -> str:
    place = "/".join(str(p) for p in error_path) or "(top)"
    return f"{path.name}: {place}"


def _all_terms(lic: model.License) -> Iterator[tuple[str, model.Terms]]:
    """The licence's own terms and every version override, labelled for messages."""
    if lic.terms is not None:
        yield "terms", lic.terms
    for v in lic.versions:
        if v.terms is not None:
            yield f"versions[{v.version}].terms", v.terms


# --- the schema itself ------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_enums_match_the_model(schema: dict[str, Any]) -> None:
    """The schema repeats model.py's vocabularies; a drift would let bad data through."""
    defs = schema["$defs"]
    assert set(schema["properties"]["kind"]["enum"]) == set(model.KINDS)
    assert set(schema["properties"]["category"]["enum"]) == set(model.CATEGORIES)
    assert set(defs["use"]["enum"]) == set(model.USES)
    assert set(defs["useGrant"]["properties"]["grant"]["enum"]) == set(model.GRANTS)
    assert set(defs["condition"]["properties"]["kind"]["enum"]) == set(model.CONDITION_KINDS)
    assert set(defs["obligation"]["properties"]["id"]["enum"]) == set(model.OBLIGATION_IDS)
    assert set(defs["terms"]["properties"]["uses"]["required"]) == set(model.USES)


@pytest.mark.parametrize(
    ("schema_path", "cls"),
    [
        ((), model.License),
        (("$defs", "version"), model.Version),
        (("$defs", "terms"), model.Terms),
        (("$defs", "useGrant"), model.UseGrant),
        (("$defs", "condition"), model.Condition),
        (("$defs", "restriction"), model.Restriction),
        (("$defs", "obligation"), model.Obligation),
    ],
)
def test_schema_keys_are_the_dataclass_fields(
    schema: dict[str, Any], schema_path: tuple[str, ...], cls: type
) -> None:
    """A key the loader does not read would be silently dropped; the schema allows none."""
    node = schema
    for part in schema_path:
        node = node[part]
    assert node["additionalProperties"] is False
    fields = {f.name for f in dataclasses.fields(cls)}
    assert set(node["properties"]) == fields


def test_schema_rejects_what_it_should(schema: dict[str, Any]) -> None:
    """The strict parts of the schema do reject: typos, bad enums, missing clauses."""
    validator = Draft202012Validator(schema)
    good: dict[str, Any] = {
        "id": "x",
        "name": "X",
        "kind": "license",
        "spdx": "LicenseRef-licensecheck-x",
        "family": None,
        "category": "permissive",
        "governing_law": None,
        "aliases": [],
        "versions": [{"version": "2024-01-01", "date": "2024-01-01", "texts": []}],
        "sources": ["test"],
        "terms": {
            "derivatives_bound": False,
            "uses": {u: {"grant": "granted", "clause": "1"} for u in model.USES},
        },
    }
    assert list(validator.iter_errors(good)) == []

    def bad(mutate: Any) -> bool:
        data = json.loads(json.dumps(good))
        mutate(data)
        return bool(list(validator.iter_errors(data)))

    assert bad(lambda d: d.update(categroy="permissive"))  # typo'd key
    assert bad(lambda d: d.update(category="free"))
    assert bad(lambda d: d["terms"]["uses"].pop("defense"))
    assert bad(lambda d: d["terms"]["uses"]["research"].pop("clause"))
    assert bad(lambda d: d["terms"]["uses"]["research"].update(grant="yes"))
    assert bad(
        lambda d: d["terms"].update(
            restrictions=[{"id": "millitary", "clause": "1", "text": "t", "source": "aup"}]
        )
    )
    assert bad(
        lambda d: d["terms"].update(
            conditions=[
                {
                    "id": "mau",
                    "kind": "max-monthly-active-users",
                    "applies_to": ["commercial"],
                    "clause": "2",
                    "text": "t",
                }
            ]
        )
    )  # no value
    assert bad(lambda d: d["versions"][0].update(date="1 Jan 2024"))
    assert bad(lambda d: d.update(kind="aup"))  # an AUP needs policy_of and no terms
    assert bad(lambda d: d.update(policy_of="y"))  # a licence is no AUP


# --- every data file --------------------------------------------------------------------


def test_there_are_data_files(raw: dict[Path, dict[str, Any]]) -> None:
    assert len(raw) >= 30


def test_every_data_file_validates(schema: dict[str, Any], raw: dict[Path, dict[str, Any]]) -> None:
    validator = Draft202012Validator(schema)
    problems = [
        f"{_where(path, err.absolute_path)}: {err.message}"
        for path, data in raw.items()
        for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
    assert problems == []


def test_file_name_is_the_id(raw: dict[Path, dict[str, Any]]) -> None:
    assert [p.name for p, d in raw.items() if p.stem != d.get("id")] == []


def test_the_loader_builds_the_knowledge_base(raw: dict[Path, dict[str, Any]]) -> None:
    kb = KnowledgeBase([parse_license(d) for d in raw.values()], "test")
    assert len(kb) == len(raw)
    for lic in kb:
        assert kb.resolve(lic.id) is lic
        assert kb.resolve(lic.spdx) is lic


def test_every_text_is_referenced_exactly_once(licenses: dict[str, model.License]) -> None:
    refs: dict[str, list[str]] = defaultdict(list)
    for lic in licenses.values():
        for v in lic.versions:
            for text in v.texts:
                refs[text].append(f"{lic.id}@{v.version}")
    on_disk = {p.name for p in TEXTS_DIR.glob("*.txt")}
    missing = sorted(t for t in refs if t not in on_disk)
    unreferenced = sorted(on_disk - set(refs))
    twice = {t: where for t, where in sorted(refs.items()) if len(where) > 1}
    assert missing == [], "versions name texts that are not in knowledge/texts/"
    assert unreferenced == [], "texts no licence version references"
    assert twice == {}, "texts referenced by more than one version"


def test_every_text_has_provenance() -> None:
    lines = (TEXTS_DIR / "PROVENANCE.tsv").read_text(encoding="utf-8").splitlines()
    listed = {line.split("\t", 1)[0] for line in lines[1:] if line.strip()}
    assert sorted(p.name for p in TEXTS_DIR.glob("*.txt") if p.name not in listed) == []


def test_policy_of_names_a_licence(licenses: dict[str, model.License]) -> None:
    for lic in licenses.values():
        if lic.kind == "aup":
            parent = licenses.get(lic.policy_of or "")
            assert parent is not None, f"{lic.id}.yaml: policy_of {lic.policy_of!r} is no licence"
            assert parent.kind == "license", (
                f"{lic.id}.yaml: policy_of {parent.id!r} is a {parent.kind}"
            )
        else:
            assert lic.policy_of is None, f"{lic.id}.yaml: only an AUP has policy_of"


def test_incorporated_licences_exist(licenses: dict[str, model.License]) -> None:
    for lic in licenses.values():
        for where, terms in _all_terms(lic):
            for other in terms.incorporates:
                assert other in licenses, (
                    f"{lic.id}.yaml: {where}.incorporates names unknown {other!r}"
                )
                assert other != lic.id, f"{lic.id}.yaml: {where} incorporates itself"


def test_no_alias_names_two_licences(licenses: dict[str, model.License]) -> None:
    """Stricter than the loader (which lets an id win over another licence's alias)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for lic in licenses.values():
        names = [lic.id, lic.spdx, *lic.aliases, *([lic.scancode] if lic.scancode else [])]
        for name in names:
            owners[alias_key(name)].add(lic.id)
    clashes = {key: sorted(ids) for key, ids in sorted(owners.items()) if len(ids) > 1}
    assert clashes == {}


def test_every_licence_answers_every_use_with_a_clause(licenses: dict[str, model.License]) -> None:
    for lic in licenses.values():
        if lic.kind != "license":
            assert lic.terms is None, f"{lic.id}.yaml: a {lic.kind} carries no terms"
            continue
        assert lic.terms is not None, f"{lic.id}.yaml: a licence needs terms"
        for where, terms in _all_terms(lic):
            assert set(terms.uses) == set(model.USES), f"{lic.id}.yaml: {where}.uses"
            for use, grant in terms.uses.items():
                assert grant.grant in model.GRANTS, f"{lic.id}.yaml: {where}.uses.{use}"
                assert grant.clause, f"{lic.id}.yaml: {where}.uses.{use} has no clause"


def test_every_fact_has_a_clause(licenses: dict[str, model.License]) -> None:
    missing = [
        f"{lic.id}.yaml: {where}.{kind}[{item.id}]"
        for lic in licenses.values()
        for where, terms in _all_terms(lic)
        for kind, items in (
            ("conditions", terms.conditions),
            ("restrictions", terms.restrictions),
            ("obligations", terms.obligations),
        )
        for item in items
        if not (item.clause or "").strip()
    ]
    assert missing == []


def test_terms_are_consistent(licenses: dict[str, model.License]) -> None:
    """Facts that contradict each other within one set of terms."""
    problems: list[str] = []
    for lic in licenses.values():
        for where, t in _all_terms(lic):
            at = f"{lic.id}.yaml: {where}"
            for kind, items in (
                ("conditions", t.conditions),
                ("restrictions", t.restrictions),
                ("obligations", t.obligations),
            ):
                ids = [(i.id, i.text) if kind == "obligations" else i.id for i in items]
                if len(ids) != len(set(ids)):
                    problems.append(f"{at}.{kind}: repeated id")
            for r in t.restrictions:
                for use in r.denies:
                    if t.uses[use].grant != "not-granted":
                        problems.append(
                            f"{at}: restriction {r.id} denies {use}, but {use} is {t.uses[use].grant}"
                        )
            for c in t.conditions:
                if c.effect == "deny":
                    granted = [u for u in c.applies_to if t.uses[u].grant == "granted"]
                    if granted:
                        problems.append(
                            f"{at}: condition {c.id} applies to {granted}, which are granted without conditions"
                        )
                if (c.kind in THRESHOLD_KINDS) != (c.value is not None):
                    problems.append(f"{at}: condition {c.id}: value goes with threshold kinds only")
            for use, g in t.uses.items():
                if g.grant == "conditional" and not any(use in c.applies_to for c in t.conditions):
                    problems.append(f"{at}: {use} is conditional but no condition applies to it")
    assert problems == []


def test_versions_are_unique_and_dated_consistently(licenses: dict[str, model.License]) -> None:
    for lic in licenses.values():
        labels = [v.version for v in lic.versions]
        assert len(labels) == len(set(labels)), f"{lic.id}.yaml: repeated version label"
        for v in lic.versions:
            if v.date is not None and v.version[:4].isdigit() and len(v.version) >= 10:
                assert v.version.startswith(v.date), (
                    f"{lic.id}.yaml: version {v.version} vs date {v.date}"
                )


def test_a_bad_data_file_is_a_one_line_knowledge_error(tmp_path: Path) -> None:
    """The loader names the file when a data file is broken (never a traceback to the user)."""
    from licensecheck.knowledge import store

    (tmp_path / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        store.load.__wrapped__(tmp_path)
    assert "broken.yaml" in str(info.value)
    (tmp_path / "broken.yaml").write_text("name: no id\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        store.load.__wrapped__(tmp_path)
    assert "broken.yaml" in str(info.value)
