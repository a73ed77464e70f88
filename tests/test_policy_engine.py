"""The verdict for one model and use: the issue's table, and the rules around it.

Everything runs on the real knowledge base and real YAML policies in tmp dirs. Expected
values are the spec's (../shared/spec/policy.md, licenses.md), not read back from the KB.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _policy_fixtures import TODAY, judge, policy, rules_of, subject

from licensecheck.identify.types import Conflict
from licensecheck.knowledge import store
from licensecheck.policy.engine import evaluate, expired_exceptions, expired_waivers, fails
from licensecheck.policy.load import load_preset
from licensecheck.policy.model import Policy
from licensecheck.results import LineageLink, UseVerdict

USES = ("research", "commercial", "government", "defense")


def org_policy(
    tmp_path: Path, organisation: str = "{}", extends: str = "default", extra: str = ""
) -> Policy:
    return policy(tmp_path, f"extends: {extends}\norganisation: {organisation}\n{extra}")


def obligation_ids(verdict: UseVerdict) -> set[str]:
    return {o.id for o in verdict.obligations}


def reason(verdict: UseVerdict, rule_prefix: str, value: str | None = None) -> str:
    """The message of the first reason whose rule starts with `rule_prefix`."""
    for r in verdict.reasons:
        if r.rule.startswith(rule_prefix) and (value is None or r.verdict == value):
            return r.message
    raise AssertionError(f"no {rule_prefix} reason in {[r.rule for r in verdict.reasons]}")


# --- the table -------------------------------------------------------------------


def test_llama31_above_700m_mau_is_denied_naming_the_clause_and_figures(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 800000000}")
    v = judge(pol, subject("meta-llama/Llama-3.1-8B-Instruct", "llama3.1"), "commercial")
    assert v.verdict == "deny"
    message = reason(v, "terms:llama3.1:mau", "deny")
    assert "800,000,000" in message and "700,000,000" in message
    assert "§2" in message
    assert v.obligations == ()  # nothing to comply with for a use that is not allowed


def test_llama31_mau_withholds_every_right_not_only_commercial(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 800000000}")
    s = subject("meta-llama/Llama-3.1-8B-Instruct", "llama3.1")
    assert {u: judge(pol, s, u).verdict for u in USES} == dict.fromkeys(USES, "deny")


def test_llama31_small_company_commercial_allow_with_obligations(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000}")
    v = judge(pol, subject("meta-llama/Llama-3.1-8B-Instruct", "llama3.1"), "commercial")
    assert v.verdict == "allow", v.reasons
    assert {
        "attribution",
        "include-license",
        "name-prefix",
        "acceptable-use-policy",
    } <= obligation_ids(v)
    texts = {o.id: o.text for o in v.obligations}
    assert "Built with Llama" in texts["attribution"]
    assert texts["name-prefix"].startswith("Llama")
    assert all(o.license == "llama3.1" for o in v.obligations)
    prefix = next(o for o in v.obligations if o.id == "name-prefix")
    assert prefix.when == "derivative"
    assert "5,000,000" in reason(v, "terms:llama3.1:mau", "allow")


def test_llama31_defense_is_denied_by_the_aup(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000}")
    v = judge(pol, subject("meta-llama/Llama-3.1-8B-Instruct", "llama3.1"), "defense")
    assert v.verdict == "deny"
    assert "restriction:military" in rules_of(v, "deny")
    military = next(r for r in v.reasons if r.rule == "restriction:military")
    assert military.clause is not None and "AUP" in military.clause
    assert military.license == "llama3.1"


def test_llama32_multimodal_in_the_eu_is_denied_text_only_allowed(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000, jurisdictions: [DE]}")
    vision = subject(
        "meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.2", pipeline_tag="image-text-to-text"
    )
    text = subject("meta-llama/Llama-3.2-3B-Instruct", "llama3.2", pipeline_tag="text-generation")
    v = judge(pol, vision, "commercial")
    assert v.verdict == "deny"
    deny = [r for r in v.reasons if r.verdict == "deny"]
    assert any(r.rule.startswith("terms:llama3.2:") and "EU" in r.message for r in deny)
    assert judge(pol, text, "commercial").verdict == "allow"


def test_llama32_multimodal_outside_the_eu_is_allowed(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000, jurisdictions: [US, GB]}")
    vision = subject(
        "meta-llama/Llama-3.2-11B-Vision", "llama3.2", pipeline_tag="image-text-to-text"
    )
    assert judge(pol, vision, "commercial").verdict == "allow"


def test_llama32_multimodal_from_tags_and_unknown_modality(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000, jurisdictions: [FR]}")
    tagged = subject("org/mllama-ft", "llama3.2", pipeline_tag=None, tags=("mllama", "vision"))
    assert judge(pol, tagged, "commercial").verdict == "deny"
    # Nothing says what the model takes: the EU clause might bite, a person checks.
    unknown = subject("org/some-ft", "llama3.2", pipeline_tag=None)
    v = judge(pol, unknown, "commercial")
    assert v.verdict == "review"
    assert "pipeline_tag" in reason(v, "terms:llama3.2:", "review")
    no_facts = subject("org/some-ft", "llama3.2", with_facts=False)
    assert judge(pol, no_facts, "commercial").verdict == "review"


def test_llama32_multimodal_without_jurisdictions_asks_for_them(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000}")
    vision = subject(
        "meta-llama/Llama-3.2-90B-Vision", "llama3.2", pipeline_tag="image-text-to-text"
    )
    v = judge(pol, vision, "commercial")
    assert v.verdict == "review"
    assert "organisation.jurisdictions" in reason(v, "terms:llama3.2:", "review")


def test_llama32_eu_membership_comes_from_region_data(tmp_path: Path) -> None:
    vision = subject(
        "meta-llama/Llama-3.2-11B-Vision", "llama3.2", pipeline_tag="image-text-to-text"
    )
    for place, expected in (
        ("[IE]", "deny"),
        ("[EU]", "deny"),
        ("[CH]", "allow"),
        ("[NO]", "allow"),
    ):
        pol = org_policy(tmp_path, f"{{monthly_active_users: 1, jurisdictions: {place}}}")
        assert judge(pol, vision, "commercial").verdict == expected, place


def test_qwen_without_mau_is_review_naming_the_fact(tmp_path: Path) -> None:
    pol = org_policy(tmp_path)
    v = judge(pol, subject("Qwen/Qwen2.5-72B-Instruct", "qwen"), "commercial")
    assert v.verdict == "review"
    assert "organisation.monthly_active_users" in reason(v, "terms:qwen:", "review")


def test_qwen_research_commercial_deny_research_allow(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000}")
    s = subject("Qwen/Qwen2.5-3B-Instruct", "qwen-research")
    assert judge(pol, s, "commercial").verdict == "deny"
    assert "terms:qwen-research:grant" in rules_of(judge(pol, s, "commercial"), "deny")
    assert judge(pol, s, "research").verdict == "allow"


def test_kimi_above_the_revenue_threshold_must_display_kimi_k2(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 1000000, monthly_revenue_usd: 30000000}")
    v = judge(pol, subject("moonshotai/Kimi-K2-Instruct", "kimi-modified-mit"), "commercial")
    assert v.verdict == "allow", v.reasons
    display = [o for o in v.obligations if "Kimi K2" in o.text]
    assert display and display[0].license == "kimi-modified-mit"


def test_kimi_below_the_thresholds_has_no_display_duty(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000, monthly_revenue_usd: 1000000}")
    v = judge(pol, subject("moonshotai/Kimi-K2-Instruct", "kimi-modified-mit"), "commercial")
    assert v.verdict == "allow"
    assert not [o for o in v.obligations if "Kimi K2" in o.text]


def test_kimi_with_facts_missing_lists_the_duty_in_case(tmp_path: Path) -> None:
    pol = org_policy(tmp_path)
    v = judge(pol, subject("moonshotai/Kimi-K2-Instruct", "kimi-modified-mit"), "commercial")
    assert v.verdict == "allow"  # displaying a name never makes a use unlawful
    assert [o for o in v.obligations if "Kimi K2" in o.text]
    assert any("not given" in r.message for r in v.reasons if r.rule.startswith("terms:kimi"))


def test_deepseek_defense_deny_government_allow_with_flow_down(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000}")
    s = subject("deepseek-ai/deepseek-coder-6.7b-base", "deepseek")
    defense = judge(pol, s, "defense")
    assert defense.verdict == "deny"
    assert "restriction:military" in rules_of(defense, "deny")
    government = judge(pol, s, "government")
    assert government.verdict == "allow", government.reasons
    assert "flow-down" in obligation_ids(government)


def test_cc_by_nc_commercial_deny(tmp_path: Path) -> None:
    pol = org_policy(tmp_path)
    s = subject("facebook/musicgen-small", "cc-by-nc-4.0")
    v = judge(pol, s, "commercial")
    assert v.verdict == "deny"
    assert "terms:cc-by-nc-4.0:grant" in rules_of(v, "deny")
    assert judge(pol, s, "research").verdict == "allow"


@pytest.mark.parametrize("use", USES)
def test_apache_allows_every_use(tmp_path: Path, use: str) -> None:
    v = judge(org_policy(tmp_path), subject("mistralai/Mistral-7B-v0.1", "apache-2.0"), use)
    assert v.verdict == "allow"
    assert "include-license" in obligation_ids(v)


@pytest.mark.parametrize("use", USES)
def test_unknown_licence_under_the_default_policy_is_review(use: str) -> None:
    v = judge(load_preset("default"), subject("someone/mystery", "unknown"), use)
    assert v.verdict == "review"
    assert "unknown_license" in rules_of(v, "review")


def test_unknown_licence_never_silently_allowed_even_by_an_allow_everything_policy(
    tmp_path: Path,
) -> None:
    pol = policy(tmp_path, "otherwise: allow\nrules:\n  - verdict: allow\n")
    assert judge(pol, subject("a/b", "unknown"), "commercial").verdict == "review"
    assert judge(pol, subject("a/b", "not-a-licence-id"), "commercial").verdict == "review"
    strict = policy(tmp_path, "unknown_license: deny\n", "strict.yaml")
    assert judge(strict, subject("a/b", "unknown"), "research").verdict == "deny"


def test_gemma_under_the_government_preset(tmp_path: Path) -> None:
    # The preset documents its choice: review, because Gemma's Prohibited Use Policy bans
    # automated decisions about people, which public bodies make. The policy is listed.
    pol = load_preset("government")
    v = judge(pol, subject("google/gemma-2-9b-it", "gemma"), "government")
    assert v.verdict == "review"
    assert any(r.rule.startswith("rule:") and r.verdict == "review" for r in v.reasons)
    listed = reason(v, "terms:gemma:restrictions")
    assert "automated-decisions" in listed
    assert v.obligations, "the obligations (prohibited-use policy, flow-down) are listed"


# --- the rule layer ----------------------------------------------------------------------


def test_a_rule_cannot_loosen_the_licence_but_can_tighten_it(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        """\
        organisation: {monthly_active_users: 800000000}
        rules:
          - match: {license: [llama3.1]}
            verdict: allow
          - match: {license: [apache-2.0]}
            uses: [defense]
            verdict: deny
            reason: No defence work at all.
        """,
    )
    assert judge(pol, subject("m/l", "llama3.1"), "commercial").verdict == "deny"
    v = judge(pol, subject("m/a", "apache-2.0"), "defense")
    assert v.verdict == "deny"
    assert rules_of(v, "deny") == ["rule:2"]
    assert "No defence work at all." in reason(v, "rule:2")
    assert judge(pol, subject("m/a", "apache-2.0"), "research").verdict == "review"  # otherwise


def test_otherwise_applies_only_when_no_rule_matched(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        "otherwise: deny\nrules:\n  - match: {category: [permissive]}\n    verdict: allow\n",
    )
    matched = judge(pol, subject("m/a", "mit"), "commercial")
    assert matched.verdict == "allow" and "otherwise" not in rules_of(matched)
    unmatched = judge(pol, subject("m/b", "gpl-3.0"), "research")
    assert unmatched.verdict == "deny" and rules_of(unmatched, "deny") == ["otherwise"]


def test_every_selector(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        """\
        otherwise: allow
        rules:
          - {match: {license: [Apache License 2.0]}, verdict: review, reason: alias}
          - {match: {family: [creative-commons]}, verdict: review, reason: family}
          - {match: {category: [copyleft]}, verdict: review, reason: category}
          - {match: {restriction: [military]}, verdict: review, reason: restriction}
          - {match: {obligation: [name-prefix]}, verdict: review, reason: obligation}
          - {match: {governing_law: [US]}, verdict: review, reason: law}
          - {match: {publisher: [meta-*]}, verdict: review, reason: publisher}
          - {match: {model: ["*/secret-*"]}, verdict: review, reason: model}
        """,
    )

    def fired(s: object) -> set[str]:
        v = judge(pol, s, "research")  # type: ignore[arg-type]
        return {r.message.split(" [")[0] for r in v.reasons if r.rule.startswith("rule:")}

    assert fired(subject("x/a", "apache-2.0")) == {"alias"}
    assert fired(subject("x/a", "cc-by-4.0")) == {"family"}
    assert fired(subject("x/a", "gpl-3.0")) == {"category"}
    assert fired(subject("x/a", "llama3.1")) == {"restriction", "obligation", "law"}
    assert fired(subject("Meta-Llama/x", "mit")) == {"publisher"}
    assert fired(subject("x/Secret-Model@abc123", "mit")) == {"model"}
    # Publisher of a base model counts too.
    base = LineageLink(model="meta-llama/Llama-3.1-8B", relation="finetune", license="mit")
    assert "publisher" in fired(subject("me/ft", "mit", lineage=(base,)))


def test_match_keys_are_and_values_are_or(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        """\
        otherwise: allow
        rules:
          - match: {category: [permissive, public-domain], publisher: [acme]}
            verdict: deny
        """,
    )
    assert judge(pol, subject("acme/a", "mit"), "research").verdict == "deny"
    assert judge(pol, subject("acme/a", "cc0-1.0"), "research").verdict == "deny"
    assert judge(pol, subject("other/a", "mit"), "research").verdict == "allow"
    assert judge(pol, subject("acme/a", "gpl-3.0"), "research").verdict == "allow"


def test_inherited_licences_bind_the_derivative(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000}")
    base = LineageLink(model="meta-llama/Llama-3.1-8B", relation="adapter", license="llama3.1")
    s = subject("me/adapter", "mit", effective=("mit", "llama3.1"), lineage=(base,))
    assert judge(pol, s, "defense").verdict == "deny"  # the base's AUP still binds
    commercial = judge(pol, s, "commercial")
    assert commercial.verdict == "allow"
    assert {o.license for o in commercial.obligations} == {"mit", "llama3.1"}


def test_conflicts_and_modified_texts(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        "license_conflict: deny\nmodified_license: review\nrules:\n  - verdict: allow\n",
    )
    conflict = Conflict(kind="declared-vs-lineage", message="card says mit, base is llama3.1")
    info = Conflict(kind="adapter-differs", message="adapter mit, base apache", severity="info")
    v = judge(pol, subject("a/b", "mit", conflicts=(conflict,)), "research")
    assert v.verdict == "deny" and rules_of(v, "deny") == ["license_conflict"]
    assert "card says mit" in reason(v, "license_conflict")
    assert judge(pol, subject("a/b", "mit", conflicts=(info,)), "research").verdict == "allow"
    modified = judge(pol, subject("a/b", "mit", modified=True), "research")
    assert modified.verdict == "review" and "modified_license" in rules_of(modified, "review")


def test_custom_use_is_judged_like_its_base_use(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        """\
        organisation: {monthly_active_users: 5000000}
        uses_defined: {internal-tools: {like: commercial, description: Staff-only tools}}
        rules:
          - match: {category: [permissive, non-commercial]}
            uses: [commercial]
            verdict: allow
        """,
    )
    nc = judge(pol, subject("a/b", "cc-by-nc-4.0"), "internal-tools")
    assert nc.use == "internal-tools"
    assert nc.verdict == "deny"  # the licence layer reads it as commercial use
    assert judge(pol, subject("a/b", "mit"), "internal-tools").verdict == "allow"  # rule applies


# --- exceptions ------------------------------------------------------------------------


WAIVERS = """\
organisation: {monthly_active_users: 5000000}
exceptions:
  - model: facebook/musicgen-*
    uses: [commercial]
    verdict: allow
    reason: Commercial licence bought from Meta (C-17).
    approved_by: legal@acme.example
    expires: 2026-06-01
  - model: facebook/old-model
    verdict: allow
    reason: Expired deal.
    approved_by: legal@acme.example
    expires: 2025-12-31
"""


def test_a_valid_exception_replaces_the_verdict_and_says_so(tmp_path: Path) -> None:
    pol = policy(tmp_path, "extends: default\n" + WAIVERS)
    v = judge(pol, subject("facebook/musicgen-small", "cc-by-nc-4.0"), "commercial", TODAY)
    assert v.verdict == "allow"
    assert v.waived_by == "Commercial licence bought from Meta (C-17)."
    last = v.reasons[-1]
    assert last.rule == "exception" and "replaces the verdict deny" in last.message
    assert "legal@acme.example" in last.message
    # Other uses are not waived, and the day after expiry it no longer applies.
    assert (
        judge(pol, subject("facebook/musicgen-small", "cc-by-nc-4.0"), "defense").verdict == "deny"
    )
    later = judge(
        pol,
        subject("facebook/musicgen-small", "cc-by-nc-4.0"),
        "commercial",
        TODAY + dt.timedelta(days=1),
    )
    assert later.verdict == "deny" and later.waived_by is None


def test_an_expired_exception_is_ignored_and_reported(tmp_path: Path) -> None:
    pol = policy(tmp_path, "extends: default\n" + WAIVERS)
    v = judge(pol, subject("facebook/old-model", "cc-by-nc-4.0"), "commercial")
    assert v.verdict == "deny" and v.waived_by is None
    assert "expired on 2025-12-31 and is ignored" in reason(v, "exception")
    (line,) = expired_exceptions(pol, TODAY)
    assert "facebook/old-model" in line and "2025-12-31" in line and "policy.yaml:10" in line
    assert [w.model for w in expired_waivers(pol, TODAY)] == ["facebook/old-model"]
    assert expired_exceptions(pol, dt.date(2025, 1, 1)) == ()


def test_an_exception_can_also_deny(tmp_path: Path) -> None:
    pol = policy(
        tmp_path,
        """\
        rules: [{verdict: allow}]
        exceptions:
          - {model: bad/*, verdict: deny, reason: Incident 7, approved_by: ciso, expires: 2030-01-01}
          - {model: bad/one, verdict: allow, reason: Fine, approved_by: cto, expires: 2030-01-01}
        """,
    )
    v = judge(pol, subject("bad/one", "mit"), "research")
    assert v.verdict == "deny" and v.waived_by == "Incident 7"  # the stricter waiver holds


# --- properties ------------------------------------------------------------------------


def test_same_inputs_same_verdict(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000}")
    s = subject("meta-llama/Llama-3.1-8B", "llama3.1")
    kb = store.load()
    assert evaluate(pol, kb, s, "commercial", TODAY) == evaluate(pol, kb, s, "commercial", TODAY)


def test_every_verdict_has_reasons_in_spec_order(tmp_path: Path) -> None:
    pol = org_policy(tmp_path, "{monthly_active_users: 5000000}")
    v = judge(pol, subject("meta-llama/Llama-3.1-8B", "llama3.1"), "commercial")
    kinds = [
        "terms" if r.rule.startswith(("terms:", "restriction:")) else "rule" for r in v.reasons
    ]
    assert kinds == sorted(kinds, key=["terms", "rule"].index)
    assert v.reasons[0].rule == "terms:llama3.1:grant"


def test_fail_on() -> None:
    pol = load_preset("default")
    assert fails(pol, "review") and fails(pol, "deny") and not fails(pol, "allow")
    lenient = Policy(name="x", path=None, sha256="", fail_on="deny")
    assert not fails(lenient, "review") and fails(lenient, "deny")


def test_an_exception_pinned_to_a_revision(tmp_path: Path) -> None:
    from licensecheck.facts import CardData, ModelFacts, ModelRef
    from licensecheck.identify.types import Determination
    from licensecheck.policy.subject import build_subject

    sha = "a" * 40
    pol = policy(
        tmp_path,
        f"""\
        exceptions:
          - {{model: "acme/nc@{sha}", verdict: allow, reason: Bought, approved_by: l, expires: 2030-01-01}}
        """,
    )

    def at(requested: str | None, resolved: str | None) -> str:
        facts = ModelFacts(
            ref=ModelRef("acme/nc", requested),
            source="hub",
            revision=resolved,
            card=CardData(),
            card_text=None,
        )
        s = build_subject(
            "acme/nc", facts, Determination("cc-by-nc-4.0", 0.99), ("cc-by-nc-4.0",), (), ()
        )
        return judge(pol, s, "commercial").verdict

    assert at(None, sha) == "allow"  # the resolved commit is the one waived
    assert at("main", "b" * 40) == "deny"  # another commit is not
