"""Licence facts read off the texts, each shown through `licensecheck explain` (a local model
directory with a card, sometimes a LICENSE, judged with a real policy file) by the verdict
it changes, and through `licensecheck licenses ID` by the terms it adds.

Every fact cites its clause; where the test can, it reads the clause off the bundled text.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from licensecheck.cli.main import main
from licensecheck.knowledge import store

TEXTS = store.TEXTS_DIR
US_FIRM = "{monthly_active_users: 5000000, annual_revenue_usd: 12000000, jurisdictions: [US]"


def card(license_yaml: str, extra: str = "", body: str = "# A model\n") -> str:
    return f"---\n{textwrap.dedent(license_yaml).strip()}\n{extra}---\n{body}"


def model_dir(tmp_path: Path, name: str, readme: str, files: dict[str, str] | None = None) -> Path:
    d = tmp_path / name
    d.mkdir(parents=True)
    (d / "README.md").write_text(readme, encoding="utf-8")
    for fname, text in (files or {}).items():
        (d / fname).write_text(text, encoding="utf-8")
    return d


def explain(
    tmp_path: Path, model: Path, policy: str, use: str, *, preset: str | None = None
) -> dict[str, Any]:
    """The JSON report of `licensecheck explain MODEL --use USE` (offline, local)."""
    args = ["explain", str(model), "--use", use, "--format", "json", "--offline"]
    if preset:
        args += ["--preset", preset]
    else:
        pol = tmp_path / "policy.yaml"
        pol.write_text(f"version: 1\n{textwrap.dedent(policy)}", encoding="utf-8")
        args += ["--policy", str(pol)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    (res,) = json.loads(result.stdout)["results"]
    return res  # type: ignore[no-any-return]


def verdict(res: dict[str, Any], use: str) -> str:
    return res["verdicts"][use]["verdict"]  # type: ignore[no-any-return]


def reasons(res: dict[str, Any], use: str, level: str | None = None) -> str:
    return "\n".join(
        r["message"]
        for r in res["verdicts"][use]["reasons"]
        if level is None or r["verdict"] == level
    )


def licences(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["licenses", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["license"]  # type: ignore[no-any-return]


def licences_text(*args: str) -> str:
    result = CliRunner().invoke(main, ["licenses", *args, "--format", "table"])
    assert result.exit_code == 0, result.output
    return result.stdout


def text(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


def flat(name: str) -> str:
    return " ".join(text(name).replace("**", "").split())


ALLOW_ALL = "rules: [{verdict: allow}]\n"  # the licence layer alone decides


# --- Hunyuan: edition unknown is judged at the strictest edition (3D 2.0: 1M users [4]) -------


HY3D_CARD = card(
    """
    license: other
    license_name: tencent-hunyuan-community
    license_link: https://huggingface.co/tencent/Hunyuan3D-2/blob/main/LICENSE
    """
)


def test_hunyuan_edition_unknown_is_judged_at_one_million_users(tmp_path: Path) -> None:
    assert "greater than 1 million monthly active users" in flat(
        "tencent-hunyuan-3d-2.0-community.txt"
    )
    policy = f"organisation: {US_FIRM}, use_regions: [US]}}\n{ALLOW_ALL}"
    # The card names the licence and links the 3D edition, no LICENSE: 5M users breaks 1M.
    linked = explain(tmp_path, model_dir(tmp_path, "hy3d", HY3D_CARD), policy, "commercial")
    assert verdict(linked, "commercial") == "deny"
    assert "exceeds 1,000,000" in reasons(linked, "commercial", "deny")
    # The same card with the 3D 2.0 LICENSE: deny too (before: allow without, deny with).
    with_3d = model_dir(
        tmp_path,
        "hy3d-text",
        HY3D_CARD,
        {"LICENSE": text("tencent-hunyuan-3d-2.0-community.txt")},
    )
    assert verdict(explain(tmp_path, with_3d, policy, "commercial"), "commercial") == "deny"
    # A model whose LICENSE is the HunyuanVideo edition is judged at that edition's 100M.
    video_card = card("license: other\nlicense_name: tencent-hunyuan-community")
    video = model_dir(
        tmp_path, "hyvideo", video_card, {"LICENSE": text("tencent-hunyuan-community-video.txt")}
    )
    res = explain(tmp_path, video, policy, "commercial")
    assert verdict(res, "commercial") == "allow"
    assert "within 100,000,000" in reasons(res, "commercial")
    shown = licences("tencent-hunyuan")["terms"]["conditions"]
    assert [c["value"] for c in shown if c["kind"] == "max-monthly-active-users"] == [1_000_000]


def test_a_territory_licence_asks_where_the_model_is_used(tmp_path: Path) -> None:
    """[5.c] forbids use outside the Territory: where the organisation is established does
    not say where its users are, so `use_regions` is asked for, never taken from
    `jurisdictions`."""
    assert "outside the Territory" in flat("tencent-hunyuan-community-video.txt")
    video = model_dir(
        tmp_path,
        "hyvideo",
        card("license: other\nlicense_name: tencent-hunyuan-community"),
        {"LICENSE": text("tencent-hunyuan-community-video.txt")},
    )
    us_only = explain(tmp_path, video, f"organisation: {US_FIRM}}}\n{ALLOW_ALL}", "commercial")
    assert verdict(us_only, "commercial") == "review"
    assert "organisation.use_regions is not given" in reasons(us_only, "commercial", "review")
    serving_eu = f"organisation: {US_FIRM}, use_regions: [US, FR]}}\n{ALLOW_ALL}"
    assert verdict(explain(tmp_path, video, serving_eu, "commercial"), "commercial") == "deny"
    in_us = f"organisation: {US_FIRM}, use_regions: [US]}}\n{ALLOW_ALL}"
    assert verdict(explain(tmp_path, video, in_us, "commercial"), "commercial") == "allow"


def test_hunyuan_aup_15_and_its_terminations(tmp_path: Path) -> None:
    body = flat("tencent-hunyuan-community-video.txt")
    assert "15. In a manner that violates or disrespects the social ethics" in body
    assert "If You commence a lawsuit or other proceedings" in body
    assert "We may terminate this Agreement if You breach" in body
    terms = licences("tencent-hunyuan")["terms"]
    assert {"social-ethics": "AUP 15"}.items() <= {
        r["id"]: r["clause"] for r in terms["restrictions"]
    }.items()
    assert {(t["id"], t["clause"]) for t in terms["terminations"]} == {
        ("ip-litigation", "6.c"),
        ("breach", "8.b"),
    }
    shown = licences_text("tencent-hunyuan")
    assert "Terminations" in shown and "ip-litigation [6.c]" in shown
    # A policy that refuses licences ending on IP litigation now catches Hunyuan; one that
    # refuses the AUP 15 restriction does too.
    model = model_dir(tmp_path, "hy", HY3D_CARD)
    facts = "organisation: {monthly_active_users: 10, use_regions: [US]}\n"
    base = explain(tmp_path, model, facts + ALLOW_ALL, "commercial")
    assert verdict(base, "commercial") == "allow"
    litigation = (
        facts
        + "rules:\n  - {verdict: allow}\n  - match: {termination: [ip-litigation]}\n    verdict: review\n"
    )
    assert verdict(explain(tmp_path, model, litigation, "commercial"), "commercial") == "review"
    ethics = (
        facts
        + "rules:\n  - {verdict: allow}\n  - match: {restriction: [social-ethics]}\n    verdict: deny\n"
    )
    assert verdict(explain(tmp_path, model, ethics, "commercial"), "commercial") == "deny"


# --- MiniMax, Yi, ChatGLM: edition unknown, strictest edition ---------------------------------


def test_minimax_edition_unknown_is_the_first_texts_threshold(tmp_path: Path) -> None:
    big = "organisation: {monthly_active_users: 200000000}\n" + ALLOW_ALL
    named = model_dir(tmp_path, "mm", card("license: other\nlicense_name: minimax-license"))
    res = explain(tmp_path, named, big, "commercial")
    assert verdict(res, "commercial") == "deny"  # the first text's 100M [3]
    assert "exceeds 100,000,000" in reasons(res, "commercial", "deny")
    revised = model_dir(
        tmp_path,
        "mm-revised",
        card("license: other\nlicense_name: minimax-license"),
        {"LICENSE": text("minimax.txt")},
    )
    assert verdict(explain(tmp_path, revised, big, "commercial"), "commercial") == "allow"
    assert "MiniMax or any entity" in flat("minimax.txt")
    clauses = {(t["id"], t["clause"]) for t in licences("minimax")["terms"]["terminations"]}
    assert clauses == {("ip-litigation", "6.c"), ("breach", "7")}
    revised_terms = licences("minimax", "--version", "2025-01-15")["terms"]
    assert {(t["id"], t["clause"]) for t in revised_terms["terminations"]} == {
        ("ip-litigation", "5.c"),
        ("breach", "6"),
    }


def test_yi_named_only_needs_written_authorisation(tmp_path: Path) -> None:
    named = model_dir(tmp_path, "yi", card("license: other\nlicense_name: yi-license"))
    res = explain(tmp_path, named, "organisation: {}\n" + ALLOW_ALL, "commercial")
    assert verdict(res, "commercial") == "deny"
    assert "organisation.authorisations" in reasons(res, "commercial", "deny")
    v21 = model_dir(
        tmp_path,
        "yi21",
        card("license: other\nlicense_name: yi-license"),
        {"LICENSE": text("yi.txt")},
    )
    assert (
        verdict(
            explain(tmp_path, v21, "organisation: {}\n" + ALLOW_ALL, "commercial"), "commercial"
        )
        == "review"
    )


# --- Mistral Research License ------------------------------------------------------------------


MRL_CARD = card(
    """
    license: other
    license_name: mrl
    license_link: https://mistral.ai/licenses/MRL-0.1.md
    """
)


@pytest.mark.parametrize(
    ("sector", "expected"),
    [
        ("academic", "allow"),
        ("nonprofit", "allow"),
        ("private", "deny"),
        ("government", "review"),
        (None, "review"),
    ],
)
def test_mrl_research_depends_on_who_researches(
    tmp_path: Path, sector: str | None, expected: str
) -> None:
    """[9] "Research Purposes" excludes individuals employed in companies in their daily tasks
    and any revenue-oriented activity, testing and proof-of-concept included."""
    assert "in the context of (a) their daily tasks" in flat("mrl-0.1.txt")
    org = f"{{sector: {sector}}}" if sector else "{}"
    res = explain(
        tmp_path,
        model_dir(tmp_path, "mistral", MRL_CARD),
        f"organisation: {org}\n" + ALLOW_ALL,
        "research",
        preset=None,
    )
    assert verdict(res, "research") == expected, reasons(res, "research")


def test_the_research_preset_no_longer_allows_mrl_to_a_company(tmp_path: Path) -> None:
    model = model_dir(tmp_path, "mistral", MRL_CARD)
    pol = "extends: research\norganisation: {sector: private}\n"
    assert verdict(explain(tmp_path, model, pol, "research"), "research") == "deny"
    uni = "extends: research\norganisation: {sector: academic}\n"
    assert verdict(explain(tmp_path, model, uni, "research"), "research") == "allow"
    # The preset alone (no sector): a question, not an allow.
    assert (
        verdict(explain(tmp_path, model, "", "research", preset="research"), "research") == "review"
    )


def test_mrl_marks_modified_derivatives_and_ends_on_litigation(tmp_path: Path) -> None:
    body = flat("mrl-0.1.txt")
    assert "prominent notices stating that You modified the concerned Mistral Model" in body
    assert (
        "7.3. Litigation. If You initiate any legal action or proceedings against Us or any other entity"
        in body
    )
    terms = licences("mrl")["terms"]
    assert any(o["clause"] == "2.3" and "modified" in o["text"] for o in terms["obligations"])
    assert ("ip-litigation", "7.3") in {(t["id"], t["clause"]) for t in terms["terminations"]}
    res = explain(
        tmp_path,
        model_dir(tmp_path, "mistral", MRL_CARD),
        "organisation: {sector: academic}\n" + ALLOW_ALL,
        "research",
    )
    assert any(o["clause"] == "2.3" for o in res["verdicts"]["research"]["obligations"])


# --- Stability AI Community: research above $1M revenue is ambiguous ---------------------------


def test_stability_research_above_the_threshold_is_review(tmp_path: Path) -> None:
    body = flat("stabilityai-community.txt")
    commercial_section = body[
        body.index("III. LICENSE GRANT") if "III. LICENSE GRANT" in body else 0 :
    ]
    assert "USD $1,000,000 in annual revenue" in commercial_section
    model = model_dir(
        tmp_path, "sd", card("license: other\nlicense_name: stabilityai-ai-community")
    )
    pol = "organisation: {annual_revenue_usd: 12000000}\n" + ALLOW_ALL
    research = explain(tmp_path, model, pol, "research")
    assert verdict(research, "research") == "review"  # was deny
    assert "not clear on research use" in reasons(research, "research", "review")
    assert verdict(explain(tmp_path, model, pol, "commercial"), "commercial") == "deny"
    small = "organisation: {annual_revenue_usd: 500000}\n" + ALLOW_ALL
    assert verdict(explain(tmp_path, model, small, "research"), "research") == "allow"


# --- terminations: OpenRAIL family, Falcon, DeepSeek, Llama --------------------------------------


@pytest.mark.parametrize(
    ("license_id", "name", "text_file", "clause"),
    [
        ("falcon", "falcon-2-11b-license", "falcon-2-11b.txt", "3"),
        ("creativeml-openrail-m", "creativeml-openrail-m", "creativeml-openrail-m.txt", "3"),
        ("deepseek", "deepseek-license", "deepseek.txt", "3"),
        ("openrail++", "openrail++", "openrail++.txt", "3"),
    ],
)
def test_patent_litigation_against_any_entity_ends_the_patent_licence(
    tmp_path: Path, license_id: str, name: str, text_file: str, clause: str
) -> None:
    assert "If You institute patent litigation against any entity" in flat(text_file)
    terms = licences(license_id)["terms"]
    assert [(t["id"], t["clause"]) for t in terms["terminations"]] == [
        ("patent-litigation", clause)
    ]
    model = model_dir(tmp_path, license_id, card(f"license: other\nlicense_name: {name}"))
    org = "organisation: {monthly_active_users: 10, annual_revenue_usd: 10, use_regions: [US], jurisdictions: [US]}\n"
    patent = (
        org
        + "rules:\n  - {verdict: allow}\n  - match: {termination: [patent-litigation]}\n    verdict: review\n"
    )
    ip = (
        org
        + "rules:\n  - {verdict: allow}\n  - match: {termination: [ip-litigation]}\n    verdict: review\n"
    )
    assert verdict(explain(tmp_path, model, patent, "research"), "research") == "review"
    # DeepSeek's termination is the patent licence's only [3], not every licence on any IP claim.
    assert verdict(explain(tmp_path, model, ip, "research"), "research") == "allow"


def test_deepseek_note_says_any_entity_and_section_3_only() -> None:
    notes = " ".join(licences("deepseek")["terms"]["notes"])
    assert "against any entity" in notes and "[3]" in notes and "[2, 3]." not in notes
    assert "against the licensor" not in notes


@pytest.mark.parametrize(
    "license_id", ["llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"]
)
def test_llama_litigation_covers_meta_or_any_entity(license_id: str) -> None:
    files = [v["texts"] for v in licences(license_id)["versions"] if v["texts"]]
    body = " ".join(flat(f) for names in files for f in names)
    assert "against Meta or any entity" in body
    terms = licences(license_id)["terms"]
    (lit,) = [t for t in terms["terminations"] if t["id"] == "ip-litigation"]
    assert lit["clause"] == "5.c" and "Meta or any entity" in lit["text"]
    assert any("against Meta or any entity" in n for n in terms["notes"])


def test_llama_eu_clause_is_a_principal_place_of_business(tmp_path: Path) -> None:
    assert "a company with a principal place of business in, the European Union" in flat(
        "llama3.2-acceptable-use-policy.txt"
    )
    model = model_dir(
        tmp_path,
        "vision",
        card("license: llama3.2", extra="pipeline_tag: image-text-to-text\n"),
    )
    # A US company with one of its principal places of business in Ireland is excluded.
    pol = "organisation: {monthly_active_users: 10, jurisdictions: [US, IE]}\n" + ALLOW_ALL
    res = explain(tmp_path, model, pol, "commercial")
    assert verdict(res, "commercial") == "deny"
    (cond,) = [
        c
        for c in licences("llama3.2")["terms"]["conditions"]
        if c["kind"] == "excluded-jurisdictions"
    ]
    assert (
        "a principal place of business" in cond["text"] and "a principal place" in cond["measured"]
    )


# --- NVIDIA Cosmos [3.2] -------------------------------------------------------------------------


def test_built_on_nvidia_cosmos_for_cosmos_models_only(tmp_path: Path) -> None:
    assert "“Built on NVIDIA Cosmos”" in text("nvidia-open-model-license.txt")
    nv = card("license: other\nlicense_name: nvidia-open-model-license")
    pol = "organisation: {}\n" + ALLOW_ALL
    cosmos = explain(tmp_path, model_dir(tmp_path, "Cosmos-Predict2-2B", nv), pol, "commercial")
    texts = {o["text"] for o in cosmos["verdicts"]["commercial"]["obligations"]}
    assert "Built on NVIDIA Cosmos" in texts
    other = explain(tmp_path, model_dir(tmp_path, "Nemotron-Mini", nv), pol, "commercial")
    assert "Built on NVIDIA Cosmos" not in {
        o["text"] for o in other["verdicts"]["commercial"]["obligations"]
    }
    # A fine-tune whose base is a Cosmos model carries it too.
    ft = card(
        "license: other\nlicense_name: nvidia-open-model-license",
        extra="base_model: nvidia/Cosmos-Reason1-7B\n",
    )
    derived = explain(tmp_path, model_dir(tmp_path, "my-finetune", ft), pol, "commercial")
    assert "Built on NVIDIA Cosmos" in {
        o["text"] for o in derived["verdicts"]["commercial"]["obligations"]
    }
    (cond,) = licences("nvidia-open-model-license")["terms"]["conditions"]
    assert cond["clause"] == "3.2" and cond["obligation"]["text"] == "Built on NVIDIA Cosmos"


# --- CC BY-NC: a public body's own non-revenue use ------------------------------------------------


def test_cc_by_nc_government_is_a_review_for_a_public_body(tmp_path: Path) -> None:
    model = model_dir(tmp_path, "nc", card("license: cc-by-nc-4.0"))
    public = explain(
        tmp_path, model, "organisation: {sector: government}\n" + ALLOW_ALL, "government"
    )
    assert verdict(public, "government") == "review"  # was deny
    contractor = explain(
        tmp_path, model, "organisation: {sector: private}\n" + ALLOW_ALL, "government"
    )
    assert verdict(contractor, "government") == "deny"
    notes = " ".join(licences("cc-by-nc-4.0")["terms"]["notes"])
    assert "public body's own use that earns no revenue can be NonCommercial" in notes


# --- presets --------------------------------------------------------------------------------------


def test_permissive_preset_does_not_pre_approve_kimi_modified_mit(tmp_path: Path) -> None:
    kimi = model_dir(
        tmp_path,
        "kimi",
        card(
            """
            license: other
            license_name: modified-mit
            license_link: https://huggingface.co/moonshotai/Kimi-K2-Instruct/blob/main/LICENSE
            """
        ),
        {"LICENSE": text("kimi-k2-modified-mit.txt")},
    )
    res = explain(tmp_path, kimi, "", "commercial", preset="permissive")
    assert res["license"]["id"] == "kimi-modified-mit"
    assert verdict(res, "commercial") == "review"
    assert "display duty" in reasons(res, "commercial", "review")
    mit = model_dir(tmp_path, "mit", card("license: mit"), {"LICENSE": text("mit.txt")})
    assert (
        verdict(explain(tmp_path, mit, "", "commercial", preset="permissive"), "commercial")
        == "allow"
    )


def test_preset_comments_give_the_real_figures() -> None:
    root = Path(__file__).resolve().parent.parent / "policies"
    default = (root / "default.yaml").read_text(encoding="utf-8")
    commercial = (root / "commercial.yaml").read_text(encoding="utf-8")
    for preset in (default, commercial):
        assert "1M for Hunyuan3D 2.0" in preset
        assert "MiniMax, Hunyuan (100M)" not in preset


def test_an_inherited_hunyuan_licence_is_judged_at_its_strictest_edition(tmp_path: Path) -> None:
    """A derivative that inherits Hunyuan from its base (its own card says apache-2.0) is
    bound by the licence-level terms, the strictest published edition: 1M users [4]."""
    from _policy_fixtures import policy, subject

    from licensecheck.policy.engine import evaluate
    from licensecheck.results import LineageLink

    s = subject(
        "someone/hunyuan3d-finetune",
        "apache-2.0",
        effective=("apache-2.0", "tencent-hunyuan"),
        lineage=(LineageLink("tencent/Hunyuan3D-2", "finetune", "tencent-hunyuan"),),
    )
    pol = policy(tmp_path, f"organisation: {US_FIRM}, use_regions: [US]}}\n{ALLOW_ALL}")
    v = evaluate(pol, store.load(), s, "commercial", dt.date(2026, 6, 1))
    assert v.verdict == "deny"
    assert any("exceeds 1,000,000" in r.message for r in v.reasons if r.verdict == "deny")
