"""The model-licence data files (Llama, Gemma, Qwen, DeepSeek, Kimi, GLM, Yi, MiniMax, Hunyuan)
checked against the canonical texts they were read from, and against the real-card
spellings of the cards corpus.

Where a test can, it reads the fact off the licence text itself (an exact notice string, a
threshold, the EU paragraph, a Territory definition), so a wrong data file fails here even
when it is self-consistent.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from licensecheck.knowledge import store
from licensecheck.knowledge.model import License, Terms

CARDS = Path(__file__).parent / "data" / "corpus" / "cards" / "MANIFEST.tsv"

# The entries written from the model-licence texts (part A of the knowledge base).
MODEL_LICENCES = (
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "gemma",
    "tongyi-qianwen",
    "tongyi-qianwen-research",
    "qwen",
    "qwen-research",
    "deepseek",
    "kimi-modified-mit",
    "glm-4",
    "chatglm",
    "glm-130b",
    "yi",
    "minimax",
    "tencent-hunyuan",
    "cogvideox",
    "cogvlm2",
    "baichuan",
    "internlm",
)
EXACT_STRINGS = ("attribution", "name-prefix", "notice-file", "display-name")
# An attribution or notice obligation whose licence gives no string to quote is an instruction.
INSTRUCTION_VERBS = {"Clearly", "Give", "Include", "Keep", "Provide", "Retain"}
REGION_NAMES = {"European Union": "EU", "United Kingdom": "UK", "South Korea": "KR"}


def flat(text: str) -> str:
    """Text with markdown emphasis, escapes and line breaks out of the way."""
    text = text.replace("**", "").replace("\\_", "_").replace("\\", "")
    return re.sub(r"\s+", " ", text)


def read_texts(names: tuple[str, ...]) -> str:
    return "\n".join(flat((store.TEXTS_DIR / n).read_text(encoding="utf-8")) for n in names)


def versions_with_terms(lic: License) -> list[tuple[str, Terms, str]]:
    """(version, terms in force for it, its texts) for every version that has texts."""
    out = []
    for v in lic.versions:
        terms = lic.terms_for(v.version)
        if v.texts and terms is not None:
            out.append((v.version, terms, read_texts(v.texts)))
    return out


def test_all_part_a_entries_exist(kb: store.KnowledgeBase) -> None:
    missing = [i for i in MODEL_LICENCES if i not in kb]
    aups = [f"{i}-aup" for i in ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4")]
    assert missing + [a for a in (*aups, "gemma-pup") if a not in kb] == []
    for lic in (kb[i] for i in MODEL_LICENCES):
        assert lic.kind == "license"
        assert lic.terms is not None and lic.terms.derivatives_bound, lic.id


@pytest.mark.parametrize("license_id", MODEL_LICENCES)
def test_exact_strings_are_quoted_from_the_text(kb: store.KnowledgeBase, license_id: str) -> None:
    """A "Built with" line, a name prefix, a Notice line or a display name is the text's own."""
    lic = kb[license_id]
    for version, terms, text in versions_with_terms(lic):
        obligations = [
            *terms.obligations,
            *(c.obligation for c in terms.conditions if c.obligation),
        ]
        for ob in obligations:
            if ob.id not in EXACT_STRINGS or flat(ob.text) in text:
                continue
            where = f"{license_id}@{version}: {ob.id} {ob.text!r}"
            assert ob.id in ("attribution", "notice-file"), f"{where} is not quoted from the text"
            assert ob.text.split()[0] in INSTRUCTION_VERBS, (
                f"{where}: neither quoted nor an instruction"
            )


@pytest.mark.parametrize("license_id", MODEL_LICENCES)
def test_thresholds_are_the_texts_figures(kb: store.KnowledgeBase, license_id: str) -> None:
    lic = kb[license_id]
    for version, terms, text in versions_with_terms(lic):
        for c in terms.conditions:
            if c.value is None or "UNVERIFIED" in c.text:
                continue
            millions = f"{c.value // 1_000_000} million"
            assert c.value % 1_000_000 == 0 and millions in text, f"{license_id}@{version}: {c.id}"


def test_llama_name_prefix_and_attribution_change_with_version(kb: store.KnowledgeBase) -> None:
    def strings(license_id: str) -> tuple[str, str]:
        terms = kb[license_id].terms
        assert terms is not None
        by_id = {o.id: o.text for o in terms.obligations}
        return by_id["attribution"], by_id["name-prefix"]

    assert strings("llama3") == ("Built with Meta Llama 3", "Llama 3")
    for later in ("llama3.1", "llama3.2", "llama3.3", "llama4"):
        assert strings(later) == ("Built with Llama", "Llama")
    terms = kb["llama2"].terms
    assert terms is not None
    assert {o.id for o in terms.obligations}.isdisjoint({"attribution", "name-prefix"})


def test_eu_multimodal_clause_follows_the_aup_text(kb: store.KnowledgeBase) -> None:
    """The licence carries the EU condition exactly when its AUP text has the EU paragraph."""
    seen = 0
    for aup in kb:
        if aup.kind != "aup" or aup.family != "llama":
            continue
        text = read_texts(tuple(t for v in aup.versions for t in v.texts))
        parent = kb[aup.policy_of or ""]
        assert parent.terms is not None
        eu = [c for c in parent.terms.conditions if c.kind == "excluded-jurisdictions"]
        if "principal place of business in, the European Union" in text:
            seen += 1
            assert len(eu) == 1, parent.id
            assert eu[0].regions == ("EU",) and eu[0].scope == "multimodal"
            assert set(eu[0].applies_to) == {"research", "commercial", "government", "defense"}
        else:
            assert eu == [], parent.id
    assert seen == 3  # Llama 3.2, 3.3 and 4


def test_improve_other_models_ban_follows_the_text(kb: store.KnowledgeBase) -> None:
    for license_id in MODEL_LICENCES:
        for version, terms, text in versions_with_terms(kb[license_id]):
            banned = bool(re.search(r"to improve any other (large language|AI) model", text))
            has = any(r.id == "improve-other-models" for r in terms.restrictions)
            assert has == banned, f"{license_id}@{version}"


def test_military_bans_follow_the_text(kb: store.KnowledgeBase) -> None:
    """Defense is not granted exactly where the text (or its AUP) bans military use."""
    for license_id in MODEL_LICENCES:
        lic = kb[license_id]
        aups = [a for a in kb if a.policy_of == license_id]
        aup_text = read_texts(tuple(t for a in aups for v in a.versions for t in v.texts))
        for version, terms, text in versions_with_terms(lic):
            military = bool(re.search(r"military", text + aup_text, re.IGNORECASE))
            denied = terms.uses["defense"].grant == "not-granted"
            non_commercial = terms.uses["commercial"].grant == "not-granted"
            # A research-only licence denies defense whether or not it names military use.
            assert denied == military or (non_commercial and denied), f"{license_id}@{version}"


def test_chatglm_editions_grant_as_their_texts_say(kb: store.KnowledgeBase) -> None:
    lic = kb["chatglm"]
    for version, terms, text in versions_with_terms(lic):
        noncommercial = "solely for your non-commercial research purposes" in text
        registration = "must register" in text
        grant = terms.uses["commercial"].grant
        if noncommercial:
            assert grant == "not-granted", version
        elif registration:
            assert grant == "conditional", version
            assert [c.kind for c in terms.conditions] == ["registration"]
        else:
            assert grant == "granted", version
    # Edition not known: the strictest edition's grant (the non-commercial texts [2, 3]).
    assert lic.terms is not None and lic.terms.uses["commercial"].grant == "not-granted"


def test_yi_versions_grant_as_their_texts_say(kb: store.KnowledgeBase) -> None:
    for version, terms, text in versions_with_terms(kb["yi"]):
        kinds = [c.kind for c in terms.conditions]
        if "obtain written authorization" in text:
            assert kinds == ["written-authorisation"], version
        else:
            assert "Registration Form" in text
            assert kinds == ["registration"], version
        assert terms.uses["defense"].grant == "not-granted"


def test_minimax_first_and_revised_texts(kb: store.KnowledgeBase) -> None:
    for version, terms, text in versions_with_terms(kb["minimax"]):
        threshold = "greater than 100 million monthly active users" in text
        has_threshold = any(c.kind == "max-monthly-active-users" for c in terms.conditions)
        assert has_threshold == threshold, version
        assert any(o.id == "name-prefix" for o in terms.obligations) == (
            "“MiniMax” at the beginning" in text
        )


def test_hunyuan_territory_is_the_texts(kb: store.KnowledgeBase) -> None:
    widest: set[str] = set()
    for version, terms, text in versions_with_terms(kb["tencent-hunyuan"]):
        match = re.search(
            r"“Territory” shall mean the worldwide territory, excluding the territory of ([^.]*)\.",
            text,
        )
        assert match, version
        regions = {code for name, code in REGION_NAMES.items() if name in match.group(1)}
        (territory,) = [c for c in terms.conditions if c.kind == "excluded-use-regions"]
        assert set(territory.regions) == regions, version
        widest |= regions
    default = kb["tencent-hunyuan"].terms
    assert default is not None
    (territory,) = [c for c in default.conditions if c.kind == "excluded-use-regions"]
    assert set(territory.regions) == widest  # a card without the text gets the widest exclusion


def test_hunyuan_version_unknown_is_the_lowest_published_threshold(
    kb: store.KnowledgeBase,
) -> None:
    """Hunyuan3D 2.0 [4] says 1 million where the other editions say 100 million: a model
    whose edition is not known is judged at 1 million."""
    lowest = None
    for version, terms, text in versions_with_terms(kb["tencent-hunyuan"]):
        figure = re.search(r"greater than (\d+) (million|billion) monthly active users", text)
        assert figure, version
        value = int(figure.group(1)) * (10**6 if figure.group(2) == "million" else 10**9)
        (mau,) = [c for c in terms.conditions if c.kind == "max-monthly-active-users"]
        assert mau.value == value, version
        lowest = value if lowest is None else min(lowest, value)
    default = kb["tencent-hunyuan"].terms
    assert default is not None and lowest == 1_000_000
    (mau,) = [c for c in default.conditions if c.kind == "max-monthly-active-users"]
    assert mau.value == lowest


_GRANT_RANK = {"granted": 0, "conditional": 1, "not-granted": 2}
# Condition kinds that a stricter one of the same family covers (authorisation is the
# licensor's to refuse; registration is a formality).
_COVERED_BY = {"registration": {"registration", "written-authorisation"}}


def _laxer_points(default: Terms, version: Terms) -> list[str]:
    """Where `default` is more lenient than `version` (empty: at least as strict)."""
    out = []
    for use, grant in version.uses.items():
        mine = default.uses.get(use)
        if mine is None or _GRANT_RANK[mine.grant] < _GRANT_RANK[grant.grant]:
            out.append(f"{use} grant")
    denied = {u for u, g in default.uses.items() if g.grant == "not-granted"}
    for cond in version.conditions:
        uses = set(cond.applies_to) - denied
        if not uses or cond.effect == "obligation":
            continue
        kinds = _COVERED_BY.get(cond.kind, {cond.kind})
        same = [c for c in default.conditions if c.kind in kinds and uses <= set(c.applies_to)]
        if not same:
            out.append(f"condition {cond.kind} missing")
        elif cond.value is not None and all((c.value or 0) > cond.value for c in same):
            out.append(f"condition {cond.kind} above {cond.value}")
        elif cond.regions and not any(set(cond.regions) <= set(c.regions) for c in same):
            out.append(f"condition {cond.kind} regions {cond.regions}")
    for r in version.restrictions:
        same_r = [x for x in default.restrictions if x.id == r.id]
        if not any(set(r.denies) <= set(x.denies) for x in same_r):
            out.append(f"restriction {r.id}")
    return out


def test_licence_level_terms_are_the_strictest_edition(kb: store.KnowledgeBase) -> None:
    """A model whose edition is not known (named on the card, linked, inherited from a base)
    is judged by the licence-level terms: they are never more lenient than any published
    edition, for every licence whose editions differ (Hunyuan, MiniMax, Yi, ChatGLM,
    Stability's non-commercial texts)."""
    checked = []
    for lic in kb:
        if lic.terms is None:
            continue
        for v in lic.versions:
            if v.terms is not None:
                assert _laxer_points(lic.terms, v.terms) == [], (lic.id, v.version)
                checked.append(lic.id)
    assert {"tencent-hunyuan", "minimax", "yi", "chatglm", "stabilityai-non-commercial"} <= set(
        checked
    )


def test_cogvlm2_brings_in_the_base_models_licence(kb: store.KnowledgeBase) -> None:
    lic = kb["cogvlm2"]
    for version, terms, text in versions_with_terms(lic):
        llama = re.search(r"(Llama[23]) license conditions", text, re.IGNORECASE)
        assert llama, version
        assert terms.incorporates[0] == llama.group(1).lower(), version


def test_research_only_licences_deny_everything_but_research(kb: store.KnowledgeBase) -> None:
    for license_id in ("tongyi-qianwen-research", "qwen-research", "glm-130b"):
        terms = kb[license_id].terms
        assert terms is not None
        grants = {use: g.grant for use, g in terms.uses.items()}
        assert grants == {
            "research": "granted",
            "commercial": "not-granted",
            "government": "not-granted",
            "defense": "not-granted",
        }, license_id
        assert kb[license_id].category == "research-only"


def test_unverified_entries_say_so(kb: store.KnowledgeBase) -> None:
    """Baichuan 2 and InternLM have no text here: every grant note and note says UNVERIFIED."""
    for license_id in ("baichuan", "internlm"):
        lic = kb[license_id]
        assert all(not v.texts for v in lic.versions)
        terms = lic.terms
        assert terms is not None
        assert all("UNVERIFIED" in (g.note or "") for g in terms.uses.values())
        assert all("UNVERIFIED" in c.text for c in terms.conditions)
        assert terms.uses["commercial"].grant != "granted"  # fail closed


# --- spellings seen in real cards ---------------------------------------------------------


def card_declarations() -> list[dict[str, str]]:
    with CARDS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def declared(field: str) -> set[str]:
    """Every value of `field` (license, license_name, license_link) in the cards corpus."""
    values = set()
    for row in card_declarations():
        for part in row["declared_license"].split(";"):
            key, _, value = part.strip().partition(":")
            if key.strip() == field and value.strip():
                values.add(value.strip().split(" (")[0])
    return values


@pytest.mark.parametrize(
    ("field", "spelling", "expected"),
    [
        ("license_name", "deepseek-license", "deepseek"),
        ("license_name", "deepseek", "deepseek"),
        ("license_name", "yi-license", "yi"),
        ("license_name", "glm-4", "glm-4"),
        ("license_name", "tongyi-qianwen", "tongyi-qianwen"),
        ("license_name", "qwen", "qwen"),
        ("license_name", "qwen-research", "qwen-research"),
        ("license_name", "llama3.1", "llama3.1"),
        ("license_name", "llama4", "llama4"),
        ("license_name", "baichuan2-community-license", "baichuan"),
        ("license", "llama3.3-community", "llama3.3"),
        ("license", "gemma", "gemma"),
        ("license", "llama2", "llama2"),
        ("license_link", "https://www.llama.com/llama4/license/", "llama4"),
        (
            "license_link",
            "https://huggingface.co/Qwen/Qwen-14B/blob/main/LICENSE",
            "tongyi-qianwen",
        ),
        ("license_link", "https://huggingface.co/01-ai/Yi-34B/blob/main/LICENSE", "yi"),
        ("license_link", "https://huggingface.co/THUDM/glm-4v-9b/blob/main/LICENSE", "glm-4"),
        ("license_link", "https://huggingface.co/THUDM/glm-4-9b/main/LICENSE", "glm-4"),
        (
            "license_link",
            "https://github.com/deepseek-ai/DeepSeek-MoE/blob/main/LICENSE-MODEL",
            "deepseek",
        ),
        (
            "license_link",
            "https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE",
            "qwen-research",
        ),
        (
            "license_link",
            "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE",
            "llama3.1",
        ),
    ],
)
def test_card_spellings_resolve(
    kb: store.KnowledgeBase, field: str, spelling: str, expected: str
) -> None:
    assert spelling in declared(field)  # the spelling really occurs in a card
    lic = kb.resolve(spelling)
    assert lic is not None and lic.id == expected


@pytest.mark.parametrize(
    "spelling",
    [
        "qwen-community-1.0",  # a different (newer) Qwen licence: unknown, not qwen
        "minimax-m2.7-license",
        "minimax-h3-community-license",
        "llama2-with-training-data-terms",
        "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/blob/main/LICENSE",  # Apache-2.0
        "https://huggingface.co/moonshotai/Kimi-K3/blob/main/LICENSE",  # not read: may differ
    ],
)
def test_lookalike_spellings_do_not_resolve(kb: store.KnowledgeBase, spelling: str) -> None:
    assert any(spelling in declared(f) for f in ("license_name", "license_link"))
    assert kb.resolve(spelling) is None


def test_names_several_licensors_use_resolve_to_none(kb: store.KnowledgeBase) -> None:
    """`modified-mit` is Moonshot's (Kimi) and MiniMax's name: alone it names no licence;
    each of the licences it may mean lists its licensor's organisations."""
    assert "modified-mit" in declared("license_name")
    for name in ("modified-mit", "Modified MIT License", "MODIFIED-MIT"):
        assert kb.resolve(name) is None
        assert {c.id for c in kb.candidates(name)} == {"kimi-modified-mit", "minimax-modified-mit"}
    # Every shared name has at least two candidates, each with its licensor's organisations.
    for lic in kb:
        for name in lic.shared_aliases:
            assert len(kb.candidates(name)) >= 2, name
            assert lic.licensors, lic.id


def _denied(terms: Terms) -> set[str]:
    out = {u for u, g in terms.uses.items() if g.grant == "not-granted"}
    for r in terms.restrictions:
        out |= set(r.denies)
    return out


def test_family_entries_are_as_strict_as_their_members(kb: store.KnowledgeBase) -> None:
    """A card that names only a family (`openrail`, `cc`, `bsd`, `gpl`) is judged by the
    family entry: on every point that decides a verdict (grants, conditions, uses a
    restriction rules out) it is at least as strict as each member and each member edition."""
    families = [f for f in kb if any(v.version == "family" for v in f.versions)]
    assert {"openrail", "cc", "bsd", "gpl"} <= {f.id for f in families}
    for fam in families:
        assert fam.terms is not None
        for member in kb:
            if member is fam or member.family != fam.family or member.terms is None:
                continue
            if member.kind != "license":
                continue
            editions = [member.terms, *(v.terms for v in member.versions if v.terms)]
            for terms in editions:
                for use, grant in terms.uses.items():
                    assert _GRANT_RANK[fam.terms.uses[use].grant] >= _GRANT_RANK[grant.grant], (
                        fam.id,
                        member.id,
                        use,
                    )
                assert _denied(terms) <= _denied(fam.terms), (fam.id, member.id)
                open_uses = set(terms.uses) - _denied(fam.terms)
                for cond in terms.conditions:
                    if cond.effect == "obligation" or not set(cond.applies_to) & open_uses:
                        continue
                    assert any(c.kind == cond.kind for c in fam.terms.conditions), (
                        fam.id,
                        member.id,
                        cond.kind,
                    )
