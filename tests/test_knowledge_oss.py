"""The open-source/content entries and the part-B model licences of the knowledge base.

- The generated files are what tools/gen_oss_licenses.py produces today (byte for byte).
- Every SPDX id in the knowledge base is a real one: license-expression's SPDX index knows
  it (or, for an id newer than that list, the newer SPDX list cyclonedx ships), and every
  LicenseRef is well formed.
- The facts the reviewer table of ../shared/spec/licenses.md rests on hold: which uses each
  licence grants, its category, its threshold conditions and restrictions.
- No licence that withholds a use is filed as permissive.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from licensecheck.knowledge import store
from licensecheck.knowledge.model import USES, License, Terms

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "tools" / "gen_oss_licenses.py"
CARDS = ROOT / "tests" / "data" / "corpus" / "cards"

# The Hub's licence ids this part of the knowledge base answers for (hub-docs licence list).
HUB_IDS = [
    "apache-2.0",
    "mit",
    "openrail",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "c-uda",
    "cc",
    "cc0-1.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "cdla-permissive-2.0",
    "wtfpl",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "etalab-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "agpl-3.0",
    "gfdl",
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "isc",
    "lppl-1.3c",
    "ms-pl",
    "mpl-2.0",
    "odc-by",
    "odbl",
    "openrail++",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "unlicense",
    "zlib",
    "pddl",
    "lgpl-lr",
    "deepfloyd-if-license",
    "apple-amlr",
    "apple-ascl",
    "fair-noncommercial-research-license",
    "h-research",
    "intel-research",
]

MODEL_IDS = [
    "stabilityai-community",
    "stabilityai-non-commercial",
    "nvidia-open-model-license",
    "mrl",
    "mnpl",
    "apple-ml-ferret",
    "opt-175b",
    "meta-dinov3",
    "meta-sam",
    "exaone",
    "falcon",
    "openmdw-1.0",
    "fair-ai-public-1.0",
    "grok2-community",
    "flux-1-dev-non-commercial-license",
    "health-ai-developer-foundations",
]

OPENRAIL = [
    "creativeml-openrail-m",
    "openrail++",
    "openrail",
    "bigscience-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
]

# Reviewer table row "allow | deny | deny | deny" (research only).
RESEARCH_ONLY = [
    "stabilityai-non-commercial",
    "deepfloyd-if-license",
    "opt-175b",
    "exaone",
    "mrl",
    "mnpl",
    "fair-noncommercial-research-license",
    "apple-amlr",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "flux-1-dev-non-commercial-license",
]

SPDX_IDSTRING = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_oss_licenses", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def _versions_terms(lic: License) -> list[tuple[str, Terms]]:
    found = [("(licence)", lic.terms)] if lic.terms else []
    found += [(v.version, v.terms) for v in lic.versions if v.terms]
    return found


# --- the generator ---------------------------------------------------------------------


def test_generated_files_are_up_to_date(generator: ModuleType) -> None:
    rendered = generator.render_all()
    assert len(rendered) == len(generator.ENTRIES) >= 55
    stale = [
        name
        for name, text in rendered.items()
        if (store.LICENSES_DIR / name).read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run `python tools/gen_oss_licenses.py` and commit the result"


def test_generator_is_deterministic(generator: ModuleType) -> None:
    assert generator.render_all() == generator.render_all()


def test_check_mode_reports_up_to_date(
    generator: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generator.main(["--check"]) == 0
    assert "0 stale" in capsys.readouterr().out


def test_generated_files_say_they_are_generated(generator: ModuleType) -> None:
    for entry in generator.ENTRIES:
        head = (store.LICENSES_DIR / f"{entry.id}.yaml").read_text(encoding="utf-8")[:200]
        assert head.startswith("# GENERATED by tools/gen_oss_licenses.py"), entry.id


def test_generated_names_come_from_the_spdx_list(
    generator: ModuleType, kb: store.KnowledgeBase
) -> None:
    from cyclonedx.schema._res import SPDX_JSON

    names = json.loads(Path(SPDX_JSON).read_text(encoding="utf-8"))["meta:enum"]
    for entry in generator.ENTRIES:
        lic = kb[entry.id]
        if entry.spdx:
            assert lic.spdx == entry.spdx[0]
            assert lic.name == names[lic.spdx], entry.id
        else:  # a Hub family id such as `gpl` or `cc`: no SPDX id of its own
            assert lic.spdx == f"LicenseRef-licensecheck-{entry.id}"


def test_deprecated_spdx_ids_resolve_through_the_library_data(kb: store.KnowledgeBase) -> None:
    from license_expression import get_license_index

    rows = {row["license_key"]: row for row in get_license_index()}
    # ScanCode's gpl-2.0 row lists GPL-2.0 (deprecated) next to GPL-2.0-only.
    assert "GPL-2.0" in rows["gpl-2.0"]["other_spdx_license_keys"]
    for deprecated, expected in (
        ("GPL-2.0", "gpl-2.0"),
        ("GPL-3.0+", "gpl-3.0"),
        ("LGPL-2.1", "lgpl-2.1"),
    ):
        lic = kb.resolve(deprecated)
        assert lic is not None and lic.id == expected, deprecated


# --- SPDX ids and ScanCode keys ----------------------------------------------------------


def test_every_spdx_id_is_valid(kb: store.KnowledgeBase) -> None:
    from cyclonedx.schema._res import SPDX_JSON
    from license_expression import get_spdx_licensing

    licensing = get_spdx_licensing()
    newer_list = set(json.loads(Path(SPDX_JSON).read_text(encoding="utf-8"))["enum"])
    problems = []
    for lic in kb:
        if lic.spdx.startswith("LicenseRef-"):
            if not SPDX_IDSTRING.match(lic.spdx):
                problems.append(f"{lic.id}: {lic.spdx} is not a valid LicenseRef")
            continue
        info = licensing.validate(lic.spdx)
        known = not info.errors and info.normalized_expression == lic.spdx
        # An id added to SPDX after license-expression's list must be in the newer list.
        if not known and lic.spdx not in newer_list:
            problems.append(f"{lic.id}: {lic.spdx} is not an SPDX id")
    assert problems == []


def test_spdx_ids_of_oss_entries_are_license_expression_keys(
    generator: ModuleType, kb: store.KnowledgeBase
) -> None:
    from license_expression import get_spdx_licensing

    licensing = get_spdx_licensing()
    for entry in generator.ENTRIES:
        for spdx_id in entry.spdx:
            assert licensing.validate(spdx_id).errors == [], spdx_id


def test_scancode_keys_of_this_part_exist(generator: ModuleType, kb: store.KnowledgeBase) -> None:
    from license_expression import get_license_index

    keys = {row["license_key"] for row in get_license_index()}
    ids = (
        [e.id for e in generator.ENTRIES]
        + MODEL_IDS
        + OPENRAIL
        + ["deepfloyd-if-license", "apple-amlr", "apple-ascl"]
    )
    unknown = [
        f"{i}: {kb[i].scancode}" for i in ids if kb[i].scancode and kb[i].scancode not in keys
    ]
    assert unknown == []


# --- coverage and aliases ----------------------------------------------------------------


def test_every_hub_id_and_model_licence_is_known(kb: store.KnowledgeBase) -> None:
    missing = [i for i in HUB_IDS + MODEL_IDS if i not in kb]
    assert missing == []
    # The Hub's pseudo-ids are identification's business, not licences.
    assert "other" not in kb and "unknown" not in kb


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        # license_name / license_link values seen in tests/data/corpus/cards
        ("stabilityai-ai-community", "stabilityai-community"),
        ("falcon-llm-license", "falcon"),
        ("https://falconllm.tii.ae/falcon-terms-and-conditions.html", "falcon"),
        ("health-ai-developer-foundations-terms-of-use", "health-ai-developer-foundations"),
        (
            "https://developers.google.com/health-ai-developer-foundations/terms",
            "health-ai-developer-foundations",
        ),
        ("https://mistral.ai/licenses/MRL-0.1.md", "mrl"),
        (
            "https://www.nvidia.com/en-us/download/eula/pdf/NVIDIA_Open_Model_License.pdf",
            "nvidia-open-model-license",
        ),
        (
            "https://www.nvidia.com/en-us/agreements/enterprise-software/nvidia-open-model-license/",
            "nvidia-open-model-license",
        ),
        (
            "https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md",
            "flux-1-dev-non-commercial-license",
        ),
        (
            "https://huggingface.co/black-forest-labs/FLUX.1-dev/resolve/main/LICENSE.md",
            "flux-1-dev-non-commercial-license",
        ),
        # SPDX ids, ScanCode keys, human names, URLs
        ("Apache-2.0", "apache-2.0"),
        ("Apache License, Version 2.0", "apache-2.0"),
        ("http://www.apache.org/licenses/LICENSE-2.0", "apache-2.0"),
        ("CC-BY-NC-4.0", "cc-by-nc-4.0"),
        ("CC BY-NC-SA 4.0", "cc-by-nc-sa-4.0"),
        ("https://creativecommons.org/licenses/by-nc/4.0/", "cc-by-nc-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/legalcode", "cc-by-4.0"),
        ("GPL-3.0-or-later", "gpl-3.0"),
        ("AGPL-3.0-only", "agpl-3.0"),
        ("boost-1.0", "bsl-1.0"),
        ("OpenMDW-1.0", "openmdw-1.0"),
        ("CreativeML Open RAIL-M", "creativeml-openrail-m"),
        ("bigcode-open-rail-m-v1", "bigcode-openrail-m"),
        ("stability-ai-community-2024", "stabilityai-community"),
        ("nvidia-open-model-2025-04-28", "nvidia-open-model-license"),
    ],
)
def test_spellings_resolve(kb: store.KnowledgeBase, spelling: str, expected: str) -> None:
    lic = kb.resolve(spelling)
    assert lic is not None and lic.id == expected


def test_names_of_this_part_resolve(generator: ModuleType, kb: store.KnowledgeBase) -> None:
    ids = [e.id for e in generator.ENTRIES] + MODEL_IDS + OPENRAIL
    ids += ["deepfloyd-if-license", "apple-amlr", "apple-ascl", "h-research", "intel-research"]
    ids += ["fair-noncommercial-research-license"]
    unresolved = [
        i
        for i in ids
        if (kb.resolve(kb[i].name) or kb[i]).id != i or kb.resolve(kb[i].name) is None
    ]
    assert unresolved == []


def test_card_spellings_of_this_part_resolve(kb: store.KnowledgeBase) -> None:
    """Every license_name in the cards corpus that names one of this part's licences."""
    names = set()
    for card in CARDS.glob("*.md"):
        for line in card.read_text(encoding="utf-8").splitlines()[:60]:
            m = re.match(r"\s*license_name:\s*(\S+)\s*$", line)
            if m:
                names.add(m.group(1))
    ours = {
        "stabilityai-ai-community",
        "falcon-llm-license",
        "health-ai-developer-foundations",
        "health-ai-developer-foundations-terms-of-use",
        "mrl",
        "nvidia-open-model-license",
        "flux-1-dev-non-commercial-license",
        "exaone",
    }
    assert ours <= names, "the corpus no longer has these spellings"
    for name in sorted(ours):
        assert kb.resolve(name) is not None, name


def test_canonical_texts_are_referenced_from_their_licence(kb: store.KnowledgeBase) -> None:
    for lic_id, text in (
        ("apache-2.0", "apache-2.0.txt"),
        ("mit", "mit.txt"),
        ("bsd-3-clause", "bsd-3-clause.txt"),
        ("gpl-3.0", "gpl-3.0.txt"),
        ("agpl-3.0", "agpl-3.0.txt"),
        ("cc-by-4.0", "cc-by-4.0.txt"),
        ("cc-by-sa-4.0", "cc-by-sa-4.0.txt"),
        ("cc-by-nc-4.0", "cc-by-nc-4.0.txt"),
        ("cc-by-nc-sa-4.0", "cc-by-nc-sa-4.0.txt"),
    ):
        texts = [t for v in kb[lic_id].versions for t in v.texts]
        assert texts[:1] == [text]
        assert (store.TEXTS_DIR / text).is_file()


# --- the reviewer table's inputs ---------------------------------------------------------


def test_apache_grants_everything_and_binds_nothing(kb: store.KnowledgeBase) -> None:
    terms = kb["apache-2.0"].terms
    assert terms is not None
    assert {u: terms.uses[u].grant for u in USES} == dict.fromkeys(USES, "granted")
    assert terms.derivatives_bound is False
    assert kb["apache-2.0"].category == "permissive"
    assert kb["apache-2.0"].osi_approved is True
    assert "notice-file" in {o.id for o in terms.obligations}


def test_agpl_is_network_copyleft(kb: store.KnowledgeBase) -> None:
    lic = kb["agpl-3.0"]
    assert lic.category == "network-copyleft"
    assert lic.terms is not None and lic.terms.derivatives_bound is True
    assert any(o.clause == "13" for o in lic.terms.obligations)
    assert kb["gpl-3.0"].category == "copyleft"
    assert kb["lgpl-3.0"].category == "weak-copyleft"


@pytest.mark.parametrize("lic_id", RESEARCH_ONLY)
def test_research_only_licences_deny_all_but_research(kb: store.KnowledgeBase, lic_id: str) -> None:
    lic = kb[lic_id]
    for where, terms in _versions_terms(lic):
        grants = {u: terms.uses[u].grant for u in USES}
        # Research may be conditional on who researches (MRL [9]: academic and non-profit).
        if grants["research"] == "conditional":
            assert any(c.kind == "organisation-sector" for c in terms.conditions), lic_id
            grants["research"] = "granted"
        # CC BY-NC: a public body's own non-revenue use can be NonCommercial [1]: review for
        # the government sector, deny for anyone else (the sector condition says which).
        if grants["government"] == "conditional":
            (cond,) = [c for c in terms.conditions if "government" in c.applies_to]
            assert cond.kind == "organisation-sector" and cond.review_sectors == ("government",)
            assert lic.family == "creative-commons", lic_id
            grants["government"] = "not-granted"
        assert grants == {
            "research": "granted",
            "commercial": "not-granted",
            "government": "not-granted",
            "defense": "not-granted",
        }, f"{lic_id} {where}"
        assert all(terms.uses[u].clause for u in USES)
    assert lic.category in ("non-commercial", "research-only")


def test_cc_by_nc_counts_paid_public_work_as_commercial(kb: store.KnowledgeBase) -> None:
    terms = kb["cc-by-nc-4.0"].terms
    assert terms is not None
    note = terms.uses["government"].note or ""
    assert "public body" in note
    nc = [r for r in terms.restrictions if r.id == "non-commercial"]
    assert nc and set(nc[0].denies) == {"commercial", "defense"}
    # Government use: a review for a public body (its own non-revenue use can be
    # NonCommercial [1]), not granted to a firm doing paid work for one.
    (public,) = [c for c in terms.conditions if c.applies_to == ("government",)]
    assert public.sectors == () and public.review_sectors == ("government",)
    text = (store.TEXTS_DIR / "cc-by-nc-4.0.txt").read_text(encoding="utf-8")
    assert "directed towards commercial advantage or monetary compensation" in " ".join(
        text.split()
    )


def test_stability_community_revenue_threshold(kb: store.KnowledgeBase) -> None:
    terms = kb["stabilityai-community"].terms
    assert terms is not None
    revenue = [c for c in terms.conditions if c.kind == "max-annual-revenue-usd"]
    assert {c.value for c in revenue} == {1_000_000} and revenue[0].clause == "III"
    # $12M a year (the reviewer table's company) is over it: [III] ends "any licenses granted
    # to You under this Agreement", but that sentence sits in the Commercial Use section and
    # [I] frames the threshold as limiting commercial use, so for research the breach is a
    # review (the text is ambiguous), for the other uses a deny.
    by_effect = {c.effect: set(c.applies_to) for c in revenue}
    assert by_effect == {"deny": set(USES) - {"research"}, "review": {"research"}}
    assert all("Affiliate" in (c.measured or "") for c in revenue)
    registration = [c for c in terms.conditions if c.kind == "registration"]
    assert registration and "commercial" in registration[0].applies_to
    assert {o.text for o in terms.obligations} >= {"Powered by Stability AI"}
    assert "improve-other-models" in {r.id for r in terms.restrictions}


@pytest.mark.parametrize("lic_id", OPENRAIL)
def test_openrail_family_allows_all_uses_with_flow_down(
    kb: store.KnowledgeBase, lic_id: str
) -> None:
    lic = kb[lic_id]
    terms = lic.terms
    assert terms is not None
    assert all(terms.uses[u].grant == "granted" for u in USES)
    restrictions = {r.id for r in terms.restrictions}
    assert {"law-enforcement", "automated-decisions", "medical-advice"} <= restrictions
    assert "military" not in restrictions  # no military ban in any Open RAIL-M
    assert not any(r.denies for r in terms.restrictions)
    assert "flow-down" in {o.id for o in terms.obligations}
    assert terms.derivatives_bound is True
    assert lic.family == "openrail" and lic.category == "use-restricted"


def test_bigcode_restrictions_are_narrower(kb: store.KnowledgeBase) -> None:
    terms = kb["bigcode-openrail-m"].terms
    assert terms is not None
    by_id = {r.id: r.text for r in terms.restrictions}
    assert "fully automated" in by_id["law-enforcement"].lower()
    assert "substitute" in by_id["medical-advice"]


def test_nvidia_guardrail_clause(kb: store.KnowledgeBase) -> None:
    terms = kb["nvidia-open-model-license"].terms
    assert terms is not None
    assert all(terms.uses[u].grant == "granted" for u in USES)
    guard = [r for r in terms.restrictions if r.id == "circumvent-safety"]
    assert guard and guard[0].clause == "2.1" and "guardrail" in guard[0].text
    notice = [o.text for o in terms.obligations if o.id == "notice-file"]
    assert notice == ["Licensed by NVIDIA Corporation under the NVIDIA Open Model License"]


@pytest.mark.parametrize("lic_id", ["meta-dinov3", "meta-sam"])
def test_meta_trade_controls(kb: store.KnowledgeBase, lic_id: str) -> None:
    terms = kb[lic_id].terms
    assert terms is not None
    assert all(terms.uses[u].grant == "granted" for u in ("research", "commercial", "government"))
    # Defense is not denied as a whole (review): ITAR and Trade-Controls end uses are.
    assert terms.uses["defense"].grant != "not-granted"
    clauses = {r.id: r.clause for r in terms.restrictions}
    assert clauses["export-control"] == "1.b.v" and clauses["military"] == "1.b.v"
    assert not any(r.denies for r in terms.restrictions)


def test_deepfloyd_is_research_only_with_military_ban(kb: store.KnowledgeBase) -> None:
    terms = kb["deepfloyd-if-license"].terms
    assert terms is not None
    by_id = {r.id: r for r in terms.restrictions}
    assert set(by_id) >= {"military", "nuclear", "surveillance", "biometrics"}
    assert by_id["military"].denies == ("defense",)
    assert kb["deepfloyd-if-license"].governing_law == "US-CA"


def test_stability_non_commercial_versions_keep_their_notice(kb: store.KnowledgeBase) -> None:
    lic = kb["stabilityai-non-commercial"]
    notices: dict[str, list[str]] = {}
    for v in lic.versions:
        terms = lic.terms_for(v.version)
        assert terms is not None
        notices[v.version] = [o.text for o in terms.obligations if o.id == "notice-file"]
    assert notices["2023-11-21"][0].startswith("Stable Video Diffusion is licensed")
    assert notices["2023-11-28"][0].startswith("This Stability AI Model is licensed")
    assert notices["sdxl-0.9"][0].startswith("SDXL 0.9 is licensed")
    sdxl = lic.terms_for("sdxl-0.9")
    assert sdxl is not None and "military" in {r.id for r in sdxl.restrictions}


def test_exaone_prefix_and_output_ownership(kb: store.KnowledgeBase) -> None:
    terms = kb["exaone"].terms
    assert terms is not None
    assert [o.text for o in terms.obligations if o.id == "name-prefix"] == ["EXAONE"]
    assert "improve-other-models" in {r.id for r in terms.restrictions}
    assert kb["exaone"].governing_law == "KR"


def test_mrl_follows_its_text(kb: store.KnowledgeBase) -> None:
    """MRL-0.1 is bundled now: research only for academic and non-profit organisations [9],
    prominent notices on modified derivatives [2.3], termination on litigation [7.3]."""
    lic = kb["mrl"]
    text = (store.TEXTS_DIR / "mrl-0.1.txt").read_text(encoding="utf-8")
    assert lic.terms is not None and lic.versions[0].texts == ("mrl-0.1.txt",)
    (sector,) = [c for c in lic.terms.conditions if c.kind == "organisation-sector"]
    assert "their daily tasks" in text and "daily tasks" in sector.text
    assert set(sector.sectors) == {"academic", "nonprofit"} and sector.applies_to == ("research",)
    marks = [o for o in lic.terms.obligations if o.clause == "2.3"]
    assert marks and "prominent notices stating that You modified" in text
    (litigation,) = [t for t in lic.terms.terminations if t.id == "ip-litigation"]
    assert litigation.clause == "7.3" and "**7.3. Litigation.**" in text
    assert "any other entity" in text and "any other entity" in litigation.text


def test_unverified_entries_say_so(kb: store.KnowledgeBase) -> None:
    for lic_id in (
        "mnpl",
        "grok2-community",
        "health-ai-developer-foundations",
        "h-research",
        "intel-research",
    ):
        lic = kb[lic_id]
        assert lic.terms is not None
        assert any("UNVERIFIED" in n for n in lic.terms.notes), lic_id
        assert all(not v.texts for v in lic.versions), lic_id


# --- invariants over the whole knowledge base --------------------------------------------


def test_no_restrictive_licence_is_filed_as_permissive(kb: store.KnowledgeBase) -> None:
    problems = []
    for lic in kb:
        if lic.category not in ("permissive", "public-domain"):
            continue
        for where, terms in _versions_terms(lic):
            withheld = [u for u in USES if terms.uses[u].grant != "granted"]
            denying = [r.id for r in terms.restrictions if r.denies]
            gating = [c.id for c in terms.conditions if c.effect == "deny"]
            if withheld or denying or gating:
                problems.append(f"{lic.id} {where}: {withheld} {denying}")
    assert problems == []


def test_non_commercial_categories_withhold_commercial_use(kb: store.KnowledgeBase) -> None:
    for lic in kb:
        if lic.category in ("non-commercial", "research-only"):
            for where, terms in _versions_terms(lic):
                assert terms.uses["commercial"].grant == "not-granted", f"{lic.id} {where}"
