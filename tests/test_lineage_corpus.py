"""resolve_lineage on real model cards from the corpus, with the real knowledge base.

Each case is a card from tests/data/corpus/cards/ (its MANIFEST `expected` column is the
human judgment the assertions follow). The cards' bases are not in the corpus; they are
given below as the front matter their Hub repos carry, parsed by the same card parser, and
served by an in-memory fetch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_lineage_support import MemoryHub

from licensecheck.facts import ModelFacts, ModelRef
from licensecheck.identify.evidence import determine
from licensecheck.knowledge.store import load
from licensecheck.lineage import Lineage, resolve_lineage
from licensecheck.sources.card import parse_card

CARDS = Path(__file__).parent / "data" / "corpus" / "cards"
KB = load()

# Front matter of the base models the corpus cards name (as on the Hub).
BASES: dict[str, str] = {
    "meta-llama/Llama-3.1-8B": "license: llama3.1\n",
    "meta-llama/Llama-3.1-8B-Instruct": (
        "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n"
    ),
    "meta-llama/Llama-3.2-3B": "license: llama3.2\n",
    "meta-llama/Llama-3.2-3B-Instruct": (
        "license: llama3.2\nbase_model: meta-llama/Llama-3.2-3B\n"
    ),
    "deepseek-ai/DeepSeek-R1-Distill-Llama-8B": (
        "license: mit\nlibrary_name: transformers\nbase_model: meta-llama/Llama-3.1-8B\n"
    ),
    "Qwen/Qwen2.5-3B": (
        "license: other\nlicense_name: qwen-research\n"
        "license_link: https://huggingface.co/Qwen/Qwen2.5-3B/blob/main/LICENSE\n"
    ),
    "Qwen/Qwen2.5-3B-Instruct": (
        "license: other\nlicense_name: qwen-research\n"
        "license_link: https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE\n"
        "base_model: Qwen/Qwen2.5-3B\n"
    ),
    "Qwen/Qwen2.5-72B": (
        "license: other\nlicense_name: qwen\n"
        "license_link: https://huggingface.co/Qwen/Qwen2.5-72B/blob/main/LICENSE\n"
    ),
    "Qwen/Qwen2.5-72B-Instruct": (
        "license: other\nlicense_name: qwen\n"
        "license_link: https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE\n"
        "base_model: Qwen/Qwen2.5-72B\n"
    ),
    "Qwen/Qwen2.5-72B-Instruct-AWQ": (
        "license: other\nlicense_name: qwen\n"
        "license_link: https://huggingface.co/Qwen/Qwen2.5-72B-Instruct-AWQ/blob/main/LICENSE\n"
        "base_model: Qwen/Qwen2.5-72B-Instruct\n"
    ),
    "Qwen/Qwen2.5-7B": "license: apache-2.0\n",
    "Qwen/Qwen2.5-7B-Instruct": "license: apache-2.0\nbase_model: Qwen/Qwen2.5-7B\n",
    "Qwen/Qwen2.5-1.5B": "license: apache-2.0\n",
    "Qwen/Qwen2.5-1.5B-Instruct": "license: apache-2.0\nbase_model: Qwen/Qwen2.5-1.5B\n",
    "meta-llama/Meta-Llama-3-8B": "license: llama3\n",
    "black-forest-labs/FLUX.1-dev": (
        "license: other\nlicense_name: flux-1-dev-non-commercial-license\n"
        "license_link: LICENSE.md\nlibrary_name: diffusers\n"
    ),
    # 001.md: the base of NVIDIA's quantisation (097.md), under a licence the KB does not know.
    "Qwen/Qwen3.8-Flash-Next": "license: other\nlicense_name: qwen-community-1.0\n",
}


def facts_from_card(repo_id: str, text: str, path: str = "README.md") -> ModelFacts:
    parsed = parse_card(text, path)
    return ModelFacts(
        ref=ModelRef(repo_id),
        source="hub",
        revision=None,
        card=parsed.card,
        card_text=parsed.body,
        findings=parsed.findings,
    )


def corpus_card(number: str, repo_id: str) -> ModelFacts:
    text = (CARDS / f"{number}.md").read_text(encoding="utf-8")
    return facts_from_card(repo_id, text, f"{number}.md")


def hub() -> MemoryHub:
    bases = [facts_from_card(repo, f"---\n{meta}---\n") for repo, meta in BASES.items()]
    # Corpus cards that are themselves bases of other corpus cards.
    bases.append(corpus_card("097", "nvidia/Qwen3.8-Flash-Next-NVFP4"))
    return MemoryHub(KB, *bases)


def resolve(number: str, repo_id: str, fetch: MemoryHub | None = None) -> Lineage:
    facts = corpus_card(number, repo_id)
    return resolve_lineage(facts, determine(facts, KB), fetch or hub(), KB)


def declared_vs_lineage(lin: Lineage) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.severity, c.ids) for c in lin.conflicts if c.kind == "declared-vs-lineage"]


def chain(lin: Lineage) -> list[tuple[str, str, int]]:
    return [(link.model, link.relation, link.depth) for link in lin.links]


@pytest.mark.parametrize(
    ("number", "repo_id", "relation", "effective", "conflict"),
    [
        # apache-2.0 on a quantisation of Llama 3.1 (tags: quantization, w4a8).
        ("080", "neoserve/llama31-8b-w4a8", "quantized", ("apache-2.0", "llama3.1"), "llama3.1"),
        # apache-2.0 on a Llama 3.2 fine-tune.
        ("082", "Canfield/llama-3-2-3b-instruct-new-atlas-dataset", "finetune",
         ("apache-2.0", "llama3.2"), "llama3.2"),
        # apache-2.0 on a QLoRA of Qwen2.5-72B-Instruct (Qwen licence).
        ("103", "someone/cmmc-expert-72b", "adapter", ("apache-2.0", "qwen"), "qwen"),
        # apache-2.0 on a LoRA of the AWQ quantisation of Qwen2.5-72B-Instruct.
        ("104", "someone/Elle-72B-Ultimate", "adapter", ("apache-2.0", "qwen"), "qwen"),
    ],
)  # fmt: skip
def test_permissive_declaration_on_a_restrictive_base(
    number: str, repo_id: str, relation: str, effective: tuple[str, ...], conflict: str
) -> None:
    lin = resolve(number, repo_id)
    assert lin.links[0].relation == relation
    assert lin.effective_licenses == effective
    own = effective[0]
    assert ("conflict", (own, conflict)) in declared_vs_lineage(lin)


def test_distill_chain_mit_over_llama() -> None:
    # 089: mit declared on an int8 quantisation of DeepSeek-R1-Distill-Llama-8B (mit), which is
    # itself a fine-tune of Llama-3.1-8B: the Llama 3.1 licence still binds.
    lin = resolve("089", "neuralmagic/DeepSeek-R1-Distill-Llama-8B-quantized.w8a8")
    assert chain(lin) == [
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "quantized", 1),
        ("meta-llama/Llama-3.1-8B", "finetune", 2),
    ]
    assert lin.effective_licenses == ("mit", "llama3.1")
    assert declared_vs_lineage(lin) == [("conflict", ("mit", "llama3.1"))]
    # Llama 3.1 [1.b.i]: a model built with Llama must be named "Llama..." (info only).
    assert [c.ids for c in lin.conflicts if c.kind == "name-prefix"] == [("llama3.1",)]


def test_finetune_of_the_distill_declaring_apache() -> None:
    # 091: apache-2.0 on a fine-tune of the distill: mit does not bind, llama3.1 does.
    lin = resolve("091", "Rafaelcedav/atlas-finanzas-deepseek-r1-8b")
    assert lin.effective_licenses == ("apache-2.0", "llama3.1")
    assert declared_vs_lineage(lin) == [
        ("conflict", ("apache-2.0", "llama3.1")),
        ("info", ("apache-2.0", "mit")),
    ]


def test_mlx_conversion_without_a_licence_takes_its_lineage() -> None:
    # 088: no licence in the card; an MLX conversion cannot relicense.
    lin = resolve("088", "mlx-community/DeepSeek-R1-Distill-Llama-8B")
    assert lin.links[0].relation == "quantized"
    assert lin.effective_licenses == ("mit", "llama3.1")
    assert "unknown" not in lin.effective_licenses


@pytest.mark.parametrize(
    ("number", "repo_id"),
    [("085", "someone/visiomind-qwen2.5-3b-planner-lora"), ("086", "praxis/spanfinder-3b")],
)
def test_adapter_on_qwen_research(number: str, repo_id: str) -> None:
    lin = resolve(number, repo_id)
    assert chain(lin) == [
        ("Qwen/Qwen2.5-3B-Instruct", "adapter", 1),
        ("Qwen/Qwen2.5-3B", "finetune", 2),
    ]
    assert lin.effective_licenses == ("qwen-research",)
    assert declared_vs_lineage(lin) == []


def test_stricter_than_an_apache_base_is_information() -> None:
    # 038: cc-by-nc-4.0 on a Qwen2.5-7B-Instruct (apache-2.0) fine-tune: legal.
    lin = resolve("038", "muntzergeist/reformation-register")
    assert lin.effective_licenses == ("cc-by-nc-4.0",)
    assert declared_vs_lineage(lin) == [("info", ("cc-by-nc-4.0", "apache-2.0"))]


def test_mit_adapter_on_an_apache_base() -> None:
    # 011: both permissive; the adapter needs the base, so apache-2.0 applies too.
    lin = resolve("011", "JennyZhu0822/summa-virtue-qwen2.5-1.5b")
    assert lin.effective_licenses == ("mit", "apache-2.0")
    assert declared_vs_lineage(lin) == [("info", ("mit", "apache-2.0"))]


def test_consistent_llama_lora() -> None:
    # 004: llama3.1 declared on a LoRA of Llama-3.1-8B-Instruct, named "Llama-3.1-...".
    lin = resolve("004", "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU")
    assert lin.effective_licenses == ("llama3.1",)
    assert lin.conflicts == ()


def test_llama3_name_prefix_met() -> None:
    # 037: AI-Sweden-Models/Llama-3-8B continues pre-training of Meta-Llama-3-8B; Llama 3
    # [1.b.i] wants the name to begin with "Llama 3", and it does.
    lin = resolve("037", "AI-Sweden-Models/Llama-3-8B")
    assert lin.effective_licenses == ("llama3",)
    assert lin.conflicts == ()


def test_two_hop_quantisation_keeps_the_grandparent() -> None:
    # 098: a quantisation of NVIDIA's quantisation of Qwen3.8-Flash-Next: the grandparent's
    # licence (unknown to the knowledge base) must not drop out of the chain.
    lin = resolve("098", "someone/qwen3.8-flash-next-nvfp4-infernix")
    assert chain(lin) == [
        ("nvidia/Qwen3.8-Flash-Next-NVFP4", "quantized", 1),
        ("Qwen/Qwen3.8-Flash-Next", "quantized", 2),
    ]
    assert lin.effective_licenses == ("nvidia-open-model-license", "unknown")


def test_empty_base_entry_is_no_base() -> None:
    # 109: base_model: [""]
    lin = resolve("109", "Qwen/Qwen-Image-2.1-PE")
    assert lin.links == () and lin.findings == ()
    assert lin.effective_licenses == ("qwen-research",)


def test_merge_of_unreadable_parents_fails_closed() -> None:
    # 022: a mergekit merge whose three parents are not on this (in-memory) Hub.
    lin = resolve("022", "Nexesenex/Llama_3.x_70b_Smarteaz_0.2")
    assert [(link.relation, link.error) for link in lin.links] == [("merge", "not-found")] * 3
    assert [f.kind for f in lin.findings] == ["lineage-base-unreadable"] * 3
    assert [c.kind for c in lin.conflicts if c.severity == "conflict"] == ["lineage-unresolved"] * 3


def test_every_corpus_card_resolves_without_error() -> None:
    # Whatever the card holds, resolve_lineage returns a Lineage (no exception) and keeps
    # the model's own determination first in its effective licences.
    fetch = hub()
    for path in sorted(CARDS.glob("*.md")):
        facts = corpus_card(path.stem, f"corpus/card-{path.stem}")
        det = determine(facts, KB)
        lin = resolve_lineage(facts, det, fetch, KB)
        assert lin.effective_licenses, path.name
        if det.id != "unknown":
            assert lin.effective_licenses[0] == det.id, path.name
        for link in lin.links:
            assert link.error is not None or link.license, path.name


def test_mit_lora_on_flux_dev() -> None:
    # 119: a diffusers LoRA (tag lora) on FLUX.1-dev declared mit: the LoRA needs the
    # non-commercial base to run, so its licence binds whatever the card says.
    lin = resolve("119", "tryonlabs/FLUX.1-dev-Outfit-Generator")
    assert chain(lin) == [("black-forest-labs/FLUX.1-dev", "adapter", 1)]
    assert lin.effective_licenses == ("mit", "flux-1-dev-non-commercial-license")
    assert declared_vs_lineage(lin) == [("conflict", ("mit", "flux-1-dev-non-commercial-license"))]
