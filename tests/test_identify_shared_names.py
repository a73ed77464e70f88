"""A licence name that more than one licensor uses (`modified-mit`: Moonshot's Kimi licence
and MiniMax's) is resolved with what else the card gives: the link (host and path), the
repo's or a base model's organisation, the LICENSE text. When nothing decides, the answer is
`unknown`, judged as such: never one licensor's terms, never the more lenient candidate.

Run through `licensecheck explain` on local model directories, offline.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from licensecheck.cli.main import main
from licensecheck.facts import CardData
from licensecheck.identify import metadata
from licensecheck.knowledge import store

TEXTS = store.TEXTS_DIR
MINIMAX_LINK = "https://github.com/MiniMax-AI/MiniMax-M2.5/blob/main/LICENSE"
KIMI_LINK = "https://huggingface.co/moonshotai/Kimi-K2-Instruct/blob/main/LICENSE"


def explain(tmp_path: Path, front: str, files: dict[str, str] | None = None) -> dict[str, Any]:
    d = tmp_path / "model"
    d.mkdir()
    (d / "README.md").write_text(f"---\n{textwrap.dedent(front).strip()}\n---\n# q\n")
    for name, text in (files or {}).items():
        (d / name).write_text(text, encoding="utf-8")
    pol = tmp_path / "p.yaml"
    pol.write_text(
        "version: 1\norganisation: {monthly_active_users: 10}\nrules: [{verdict: allow}]\n"
    )
    args = ["explain", str(d), "--offline", "--use", "commercial", "--format", "json"]
    result = CliRunner().invoke(main, [*args, "--policy", str(pol)])
    assert result.exit_code in (0, 1), result.output
    (res,) = json.loads(result.stdout)["results"]
    return res  # type: ignore[no-any-return]


def test_a_minimax_link_makes_modified_mit_minimax_not_kimi(tmp_path: Path) -> None:
    """The quantisation of MiniMax-M2.5 that declared modified-mit with MiniMax's link was
    identified as Kimi's licence."""
    res = explain(
        tmp_path,
        f"""
        license: other
        license_name: modified-mit
        license_link: {MINIMAX_LINK}
        base_model:
        - MiniMaxAI/MiniMax-M2.5
        """,
    )
    assert res["license"]["id"] == "minimax-modified-mit"
    assert "used by several licensors" in res["license"]["evidence"][0]["detail"]


def test_a_kimi_link_makes_it_kimi(tmp_path: Path) -> None:
    res = explain(
        tmp_path, f"license: other\nlicense_name: modified-mit\nlicense_link: {KIMI_LINK}\n"
    )
    assert res["license"]["id"] == "kimi-modified-mit"


def test_the_base_models_organisation_decides_without_a_link(tmp_path: Path) -> None:
    res = explain(
        tmp_path,
        "license: other\nlicense_name: modified-mit\nbase_model: MiniMaxAI/MiniMax-M2.5\n",
    )
    assert res["license"]["id"] == "minimax-modified-mit"
    assert "base model MiniMaxAI/MiniMax-M2.5 belongs to MiniMaxAI" in " ".join(
        e["detail"] for e in res["license"]["evidence"]
    )


def test_the_repo_organisation_decides_too() -> None:
    kb = store.load()
    card = CardData(licenses=("other",), license_name="modified-mit")
    (ev,) = metadata.from_card(card, (), kb, "moonshotai/Kimi-K2-Instruct")
    assert ev.id == "kimi-modified-mit"
    (ev,) = metadata.from_card(card, (), kb, "MiniMaxAI/MiniMax-M2")
    assert ev.id == "minimax-modified-mit"
    (ev,) = metadata.from_card(card, (), kb, "someone/unrelated-quant")
    assert ev.id == "unknown"


def test_nothing_decides_so_it_is_unknown_and_reviewed(tmp_path: Path) -> None:
    res = explain(tmp_path, "license: other\nlicense_name: modified-mit\n")
    assert res["license"]["id"] == "unknown"
    detail = res["license"]["evidence"][0]["detail"]
    assert "kimi-modified-mit, minimax-modified-mit" in detail and "says which" in detail
    assert res["verdicts"]["commercial"]["verdict"] == "review"


def test_a_licensors_link_the_knowledge_base_does_not_hold_is_unknown(tmp_path: Path) -> None:
    """Kimi K3's licence is not the K2 modified MIT: a link to a Moonshot file the knowledge
    base does not hold is a Moonshot licence of unknown terms, not kimi-modified-mit."""
    res = explain(
        tmp_path,
        "license: other\nlicense_name: modified-mit\n"
        "license_link: https://huggingface.co/moonshotai/Kimi-K3/blob/main/LICENSE\n",
    )
    assert res["license"]["id"] == "unknown"
    assert (
        "a kimi licence the knowledge base does not hold" in res["license"]["evidence"][0]["detail"]
    )


@pytest.mark.parametrize(
    ("text", "expected", "version"),
    [
        ("minimax-m2.5-modified-mit.txt", "minimax-modified-mit", "m2.5"),
        ("minimax-m2-modified-mit.txt", "minimax-modified-mit", "m2"),
        ("kimi-k2-modified-mit.txt", "kimi-modified-mit", "2025"),
    ],
)
def test_the_licence_text_decides(tmp_path: Path, text: str, expected: str, version: str) -> None:
    res = explain(
        tmp_path,
        "license: other\nlicense_name: modified-mit\n",
        {"LICENSE": (TEXTS / text).read_text(encoding="utf-8")},
    )
    assert (res["license"]["id"], res["license"]["version"]) == (expected, version)
    assert res["license"]["modified"] is False


def test_a_shared_name_as_the_license_id_is_resolved_the_same_way(tmp_path: Path) -> None:
    res = explain(tmp_path, f"license: modified-mit\nlicense_link: {MINIMAX_LINK}\n")
    assert res["license"]["id"] == "minimax-modified-mit"
    kb = store.load()
    (alone,) = metadata.from_card(CardData(licenses=("modified-mit",)), (), kb)
    assert alone.id == "unknown"


def test_minimax_m25_display_duty_has_no_threshold(tmp_path: Path) -> None:
    res = explain(
        tmp_path,
        "license: other\nlicense_name: modified-mit\n",
        {"LICENSE": (TEXTS / "minimax-m2.5-modified-mit.txt").read_text(encoding="utf-8")},
    )
    verdict = res["verdicts"]["commercial"]
    assert verdict["verdict"] == "allow"
    assert {"display-name": "MiniMax M2.5"}.items() <= {
        o["id"]: o["text"] for o in verdict["obligations"]
    }.items()
    assert "for any of your commercial products or services, you shall" in " ".join(
        (TEXTS / "minimax-m2.5-modified-mit.txt").read_text(encoding="utf-8").split()
    )


def test_licenses_shows_the_shared_names_and_the_licensors() -> None:
    result = CliRunner().invoke(main, ["licenses", "minimax-modified-mit", "--format", "json"])
    data = json.loads(result.stdout)["license"]
    assert "modified-mit" in data["shared_aliases"]
    assert set(data["licensors"]) == {"MiniMaxAI", "MiniMax-AI"}
    text = CliRunner().invoke(main, ["licenses", "kimi-modified-mit", "--format", "table"]).stdout
    assert "Names other licensors use too" in text and "moonshotai" in text
