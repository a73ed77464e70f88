"""resolve_lineage on in-memory models and made-up licences: the rules, one by one.

The licences come from `synthetic_kb()` so that these tests pin down the algorithm and not
the facts of any real licence (those are in test_lineage_corpus.py and test_lineage_hub.py).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_lineage_support import MemoryHub, model, synthetic_kb

from licensecheck.facts import ModelFacts, ModelRef
from licensecheck.identify.evidence import determine
from licensecheck.lineage import Lineage, infer_relation, normalise_repo_id, resolve_lineage
from licensecheck.results import LineageLink

KB = synthetic_kb()


def resolve(facts: ModelFacts, hub: MemoryHub, max_depth: int = 8) -> Lineage:
    return resolve_lineage(facts, determine(facts, KB), hub, KB, max_depth=max_depth)


def conflicts(lin: Lineage, kind: str = "declared-vs-lineage") -> list[tuple[str, tuple[str, ...]]]:
    return [(c.severity, c.ids) for c in lin.conflicts if c.kind == kind]


def finding_kinds(lin: Lineage) -> list[str]:
    return [f.kind for f in lin.findings]


# --- effective licences by relation ------------------------------------------------------


def test_finetune_of_binding_base_keeps_base_terms_and_reports_conflict() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-1"))
    lin = resolve(model("me/Fam-1-tuned", "perm-a", "org/base", "finetune"), hub)
    assert lin.effective_licenses == ("perm-a", "fam-1")
    assert lin.links == (
        LineageLink(
            model="org/base",
            relation="finetune",
            license="fam-1",
            revision=hub.models["org/base"].revision,
            depth=1,
            parent="me/Fam-1-tuned",
        ),
    )
    assert conflicts(lin) == [("conflict", ("perm-a", "fam-1"))]


def test_finetune_of_permissive_base_does_not_inherit_it() -> None:
    hub = MemoryHub(KB, model("org/base", "perm-a"))
    lin = resolve(model("me/tuned", "nc", "org/base", "finetune"), hub)
    assert lin.effective_licenses == ("nc",)
    # Stricter than a permissive base is legal: reported as information only.
    assert conflicts(lin) == [("info", ("nc", "perm-a"))]
    assert "stricter" in lin.conflicts[0].message


def test_same_licence_as_base_is_no_conflict() -> None:
    hub = MemoryHub(KB, model("org/base", "perm-a"))
    lin = resolve(model("me/tuned", "perm-a", "org/base"), hub)
    assert lin.effective_licenses == ("perm-a",)
    assert lin.conflicts == ()


def test_adapter_carries_even_a_non_binding_base_licence() -> None:
    hub = MemoryHub(KB, model("org/base", "perm-a"))
    lin = resolve(model("me/lora", "perm-b", "org/base", "adapter"), hub)
    assert lin.effective_licenses == ("perm-b", "perm-a")
    # Both permissive: the difference is worth a note, not a gate.
    assert conflicts(lin) == [("info", ("perm-b", "perm-a"))]


def test_adapter_on_research_only_base() -> None:
    hub = MemoryHub(KB, model("org/base", "research"))
    lin = resolve(model("me/lora", "perm-a", "org/base", "adapter"), hub)
    assert lin.effective_licenses == ("perm-a", "research")
    assert conflicts(lin) == [("conflict", ("perm-a", "research"))]


def test_quantisation_cannot_relicense() -> None:
    hub = MemoryHub(KB, model("org/base", "perm-a"))
    lin = resolve(model("me/base-GGUF", "perm-b", "org/base", "quantized"), hub)
    assert lin.effective_licenses == ("perm-b", "perm-a")


def test_quantisation_without_declaration_takes_base_licence_only() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-2"))
    lin = resolve(model("me/base-AWQ", None, "org/base", "quantized"), hub)
    assert lin.effective_licenses == ("fam-2",)
    assert conflicts(lin) == []


def test_quantisation_with_unrecognised_declaration_stays_unknown() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-2"))
    facts = model("me/base-AWQ", "other", "org/base", "quantized", license_name="made-up")
    lin = resolve(facts, hub)
    assert lin.effective_licenses == ("unknown", "fam-2")


def test_finetune_without_declaration_stays_unknown() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-2"))
    lin = resolve(model("me/Fam-tuned", None, "org/base", "finetune"), hub)
    assert lin.effective_licenses == ("unknown", "fam-2")


def test_merge_binds_every_parent_that_binds_derivatives() -> None:
    hub = MemoryHub(
        KB,
        model("a/one", "fam-1"),
        model("b/two", "nc"),
        model("c/three", "perm-a"),
    )
    lin = resolve(model("me/Fam 1-merge", "nc", ["a/one", "b/two", "c/three"]), hub)
    assert [(link.model, link.relation) for link in lin.links] == [
        ("a/one", "merge"),
        ("b/two", "merge"),
        ("c/three", "merge"),
    ]
    assert lin.effective_licenses == ("nc", "fam-1")
    assert ("info", ("nc", "fam-1")) in conflicts(lin)


def test_unknown_base_licence_makes_effective_unknown() -> None:
    hub = MemoryHub(KB, model("org/base", None))
    lin = resolve(model("me/tuned", "perm-a", "org/base"), hub)
    assert lin.effective_licenses == ("perm-a", "unknown")
    assert lin.links[0].license == "unknown"
    assert lin.links[0].error is None


def test_licence_unknown_to_the_knowledge_base_binds() -> None:
    # An id the knowledge base cannot place must not be treated as permissive.
    hub = MemoryHub(KB, model("org/base", "other", license_name="vendor-terms-9"))
    lin = resolve(model("me/tuned", "perm-a", "org/base"), hub)
    assert "unknown" in lin.effective_licenses


# --- chains ------------------------------------------------------------------------------


def test_binding_licence_flows_through_a_permissive_chain() -> None:
    hub = MemoryHub(
        KB,
        model("root/base", "fam-2"),
        model("mid/distill", "perm-a", "root/base", "finetune"),
        model("mid/distill-q", "perm-a", "mid/distill", "quantized"),
    )
    lin = resolve(model("me/Fam-x", "perm-b", "mid/distill-q"), hub)
    assert [(link.model, link.depth, link.parent) for link in lin.links] == [
        ("mid/distill-q", 1, "me/Fam-x"),
        ("mid/distill", 2, "mid/distill-q"),
        ("root/base", 3, "mid/distill"),
    ]
    assert lin.effective_licenses == ("perm-b", "fam-2")
    assert conflicts(lin) == [("conflict", ("perm-b", "fam-2")), ("info", ("perm-b", "perm-a"))]
    (conflict,) = [c for c in lin.conflicts if c.severity == "conflict"]
    assert "root/base" in conflict.message and "quantized -> finetune" in conflict.message


def test_adapter_terms_do_not_survive_a_later_finetune() -> None:
    # An adapter carries its permissive base; a fine-tune of the adapter does not.
    hub = MemoryHub(
        KB,
        model("org/base", "perm-a"),
        model("org/lora", "perm-a", "org/base", "adapter"),
    )
    lin = resolve(model("me/tuned", "nc", "org/lora", "finetune"), hub)
    assert lin.effective_licenses == ("nc",)


def test_version_mismatch_within_a_family_is_a_conflict() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-2"))
    lin = resolve(model("me/Fam-tuned", "fam-1", "org/base"), hub)
    assert lin.effective_licenses == ("fam-1", "fam-2")
    assert conflicts(lin) == [("conflict", ("fam-1", "fam-2"))]
    assert "another fam licence or version" in lin.conflicts[0].message


def test_other_family_of_same_rank_is_a_conflict() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-2"))
    lin = resolve(model("me/Fam-tuned", "other-comm", "org/base"), hub)
    assert conflicts(lin) == [("conflict", ("other-comm", "fam-2"))]


def test_cycle_is_an_error_link_with_a_finding() -> None:
    hub = MemoryHub(
        KB,
        model("a/one", "perm-a", "b/two"),
        model("b/two", "perm-a", "A/ONE"),  # case differs: still the same repo
    )
    lin = resolve(hub.models["a/one"], hub)
    assert [(link.model, link.error) for link in lin.links] == [("b/two", None), ("A/ONE", "cycle")]
    assert finding_kinds(lin) == ["lineage-cycle"]
    assert hub.requests == {"b/two": 1}
    # Every model of the cycle was read: nothing is hidden, so no gate.
    assert conflicts(lin, "lineage-unresolved") == []


def test_self_reference_is_a_cycle() -> None:
    hub = MemoryHub(KB)
    lin = resolve(model("me/m", "perm-a", "Me/M"), hub)
    assert lin.links[0].error == "cycle"
    assert not hub.requests


def test_chain_deeper_than_the_limit_stops_with_a_finding() -> None:
    chain = [model(f"org/m{i}", "perm-a", f"org/m{i + 1}") for i in range(12)]
    hub = MemoryHub(KB, *chain)
    lin = resolve(chain[0], hub, max_depth=3)
    assert [(link.model, link.depth, link.error) for link in lin.links] == [
        ("org/m1", 1, None),
        ("org/m2", 2, None),
        ("org/m3", 3, None),
        ("org/m4", 4, "depth"),
    ]
    assert finding_kinds(lin) == ["lineage-too-deep"]
    assert "org/m4" not in hub.requests
    assert conflicts(lin, "lineage-unresolved") == [("conflict", ())]


def test_missing_base_is_an_error_link_and_a_finding() -> None:
    hub = MemoryHub(KB, model("org/real", "fam-2"))
    lin = resolve(model("me/Fam-merge", "fam-2", ["org/real", "org/gone"]), hub)
    assert [(link.model, link.license, link.error) for link in lin.links] == [
        ("org/real", "fam-2", None),
        ("org/gone", "unknown", "not-found"),
    ]
    assert finding_kinds(lin) == ["lineage-base-unreadable"]
    assert "org/gone" in lin.findings[0].message
    # No invented licence stands in for it; the policy's license_conflict judges it.
    assert lin.effective_licenses == ("fam-2",)
    assert conflicts(lin, "lineage-unresolved") == [("conflict", ())]
    assert "org/gone" in lin.conflicts[-1].message


def test_gated_base_with_readable_metadata_is_followed() -> None:
    hub = MemoryHub(KB, model("org/gated", "research", gated=True))
    lin = resolve(model("me/lora", "perm-a", "org/gated", "adapter"), hub)
    assert lin.links[0].license == "research" and lin.links[0].error is None
    assert lin.effective_licenses == ("perm-a", "research")
    assert finding_kinds(lin) == ["lineage-base-gated"]
    assert conflicts(lin, "lineage-unresolved") == []


def test_gated_base_that_cannot_be_read_is_an_error_link() -> None:
    hub = MemoryHub(KB).fail("org/locked", "gated", "org/locked: gated, access not granted")
    lin = resolve(model("me/lora", "perm-a", "org/locked", "adapter"), hub)
    assert lin.links[0].error == "gated"
    assert "access not granted" in lin.findings[0].message
    assert conflicts(lin, "lineage-unresolved") == [("conflict", ())]


def test_invalid_ids_are_reported_and_empty_entries_dropped() -> None:
    hub = MemoryHub(KB, model("org/base", "perm-a"))
    facts = model("me/m", "perm-a", ["", "{base_model}", "  ", "https://huggingface.co/org/base"])
    lin = resolve(facts, hub)
    assert [(link.model, link.error) for link in lin.links] == [
        ("{base_model}", "invalid-id"),
        ("org/base", None),
    ]
    assert finding_kinds(lin) == ["lineage-invalid-base"]
    assert "{base_model}" in lin.findings[0].message
    assert conflicts(lin, "lineage-unresolved") == [("conflict", ())]


def test_shared_base_is_requested_once() -> None:
    hub = MemoryHub(
        KB,
        model("org/root", "fam-2"),
        model("a/left", "fam-2", "org/root"),
        model("b/right", "fam-2", "ORG/Root"),
    )
    lin = resolve(model("me/Fam-merge", "fam-2", ["a/left", "b/right", "A/Left"]), hub)
    assert hub.requests == {"a/left": 1, "b/right": 1, "org/root": 1}
    assert [link.model for link in lin.links] == ["a/left", "org/root", "b/right", "ORG/Root"]
    assert lin.effective_licenses == ("fam-2",)


def test_same_input_same_output() -> None:
    hub = MemoryHub(
        KB,
        model("org/root", "fam-2"),
        model("a/left", "perm-a", "org/root"),
        model("b/right", "nc"),
    )
    facts = model("me/x", "perm-b", ["a/left", "b/right"])
    assert resolve(facts, hub) == resolve(facts, MemoryHub(KB, *hub.models.values()))


def test_no_bases_means_own_licence_only() -> None:
    lin = resolve(model("me/original", "fam-1"), MemoryHub(KB))
    assert lin == Lineage(effective_licenses=("fam-1",))


# --- relations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"relation": "quantized"}, "quantized"),
        ({"relation": "Fine-Tune"}, "finetune"),
        ({"relation": "merge"}, "merge"),
        ({"tags": ("base_model:adapter:org/Base",)}, "adapter"),
        ({"card_tags": ("base_model:quantized:org/base",)}, "quantized"),
        ({"tags": ("base_model:adapter:org/other",)}, "finetune"),
        ({"library": "peft"}, "adapter"),
        ({"files": ("adapter_config.json", "adapter_model.safetensors")}, "adapter"),
        ({"files": ("README.md", "model-Q4_K_M.gguf")}, "quantized"),
        ({"tags": ("lora",)}, "adapter"),
        ({"tags": ("gguf",)}, "quantized"),
        ({"tags": ("4-bit",)}, "quantized"),
        ({"raw": {"quantized_by": "someone"}}, "quantized"),
        ({"tags": ("mergekit",)}, "merge"),
        ({}, "finetune"),
    ],
)
def test_relation_inference(kwargs: dict[str, object], expected: str) -> None:
    facts = model("me/m", "perm-a", "org/base", **kwargs)  # type: ignore[arg-type]
    assert infer_relation(facts, "org/base", 1) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Llama-3.1-8B-Instruct-GGUF",
        "Qwen2.5-72B-Instruct-AWQ",
        "m-GPTQ-Int4",
        "DeepSeek-R1-Distill-Llama-8B-quantized.w8a8",
        "Qwen3.8-Flash-Next-VQ-5.5bpw",
        "gemma-3-12b-it-4bit-DWQ",
        "Meta-Llama-3.1-8B-Instruct-FP8-KV",
        "model-NVFP4",
        "model-exl2",
        "model-mlx",
    ],
)
def test_quantisation_markers_in_names(name: str) -> None:
    assert infer_relation(model(f"org/{name}", None, "org/base"), "org/base", 1) == "quantized"


@pytest.mark.parametrize(
    "name", ["Qwen2.5-7B-Instruct", "Llama-3.1-8B", "mlxtend-model", "awqward"]
)
def test_no_quantisation_marker(name: str) -> None:
    assert infer_relation(model(f"org/{name}", None, "org/base"), "org/base", 1) == "finetune"


def test_explicit_relation_wins_and_several_bases_default_to_merge() -> None:
    two = model("me/m", None, ["a/x", "b/y"], tags=("gguf",))
    assert infer_relation(two, "a/x", 2) == "merge"
    explicit = model("me/m", None, ["a/x", "b/y"], "quantized")
    assert infer_relation(explicit, "a/x", 2) == "quantized"


def test_unknown_relation_value_is_a_finding_and_inferred() -> None:
    hub = MemoryHub(KB, model("org/base", "perm-a"))
    lin = resolve(model("me/m", "perm-a", "org/base", "distilled", library="peft"), hub)
    assert lin.links[0].relation == "adapter"
    assert finding_kinds(lin) == ["lineage-relation-unknown"]


def test_base_named_only_in_tags_is_followed() -> None:
    hub = MemoryHub(KB, model("org/base", "nc"))
    lin = resolve(model("me/m", "perm-a", tags=("base_model:quantized:org/base",)), hub)
    assert [(link.model, link.relation) for link in lin.links] == [("org/base", "quantized")]
    assert lin.effective_licenses == ("perm-a", "nc")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B"),
        ("gpt2", "gpt2"),
        ("https://huggingface.co/org/name/tree/main", "org/name"),
        ("hf.co/org/name", "org/name"),
        ("{base_model}", None),
        ("<HF_REPO_MODEL>", None),
        ("[Your Model Name]", None),
        ("/home/me/models/base", None),
        ("./base", None),
        ("org/na--me", None),
        ("org/name/extra", None),
        ("-org/name", None),
    ],
)
def test_normalise_repo_id(value: str, expected: str | None) -> None:
    assert normalise_repo_id(value) == expected


# --- name prefix -------------------------------------------------------------------------


def test_name_prefix_missing_is_reported() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-1"))
    lin = resolve(model("me/SuperModel", "fam-1", "org/base"), hub)
    assert conflicts(lin, "name-prefix") == [("info", ("fam-1",))]
    assert "'Fam 1'" in lin.conflicts[0].message and "SuperModel" in lin.conflicts[0].message


@pytest.mark.parametrize("name", ["Fam-1-SuperModel", "fam_1_tuned", "FAM1"])
def test_name_prefix_ignores_case_and_separators(name: str) -> None:
    hub = MemoryHub(KB, model("org/base", "fam-1"))
    lin = resolve(model(f"me/{name}", "fam-1", "org/base"), hub)
    assert conflicts(lin, "name-prefix") == []


def test_name_prefix_not_required_of_a_plain_quantisation() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-1"))
    lin = resolve(model("me/base-GGUF", "fam-1", "org/base", "quantized"), hub)
    assert conflicts(lin, "name-prefix") == []


def test_name_prefix_not_required_of_the_licensors_own_derivatives() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-1"))
    lin = resolve(model("org/base-instruct", "fam-1", "org/base"), hub)
    assert conflicts(lin, "name-prefix") == []


def test_name_prefix_of_a_licence_inherited_through_a_quantisation_of_a_finetune() -> None:
    hub = MemoryHub(
        KB,
        model("org/base", "fam-2"),
        model("them/Tuned", "perm-a", "org/base"),
    )
    lin = resolve(model("me/Tuned-GGUF", None, "them/Tuned", "quantized"), hub)
    assert conflicts(lin, "name-prefix") == [("info", ("fam-2",))]


def test_local_snapshot_is_judged_by_the_hub_repo_it_belongs_to() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-1", "me/SuperModel"))
    hub_facts = model("me/SuperModel", "fam-1", "org/base")
    local = replace(
        hub_facts,
        ref=ModelRef("./models/super", local_path="/tmp/models/super"),
        source="local",
        hub_id="me/SuperModel",
    )
    lin = resolve(local, hub)
    assert conflicts(lin, "name-prefix") == [("info", ("fam-1",))]
    # org/base names the snapshot's own Hub repo as its base: a cycle, not a new fetch.
    assert [(link.model, link.error) for link in lin.links] == [
        ("org/base", None),
        ("me/SuperModel", "cycle"),
    ]


def test_local_directory_of_unknown_origin_has_no_name_to_check() -> None:
    hub = MemoryHub(KB, model("org/base", "fam-1"))
    facts = replace(
        model("x", "fam-1", "org/base"),
        ref=ModelRef("./ckpt", local_path="/tmp/ckpt"),
        source="local",
    )
    lin = resolve(facts, hub)
    assert conflicts(lin, "name-prefix") == []
    assert lin.effective_licenses == ("fam-1",)


def test_incorporated_licences_bind_too() -> None:
    # A licence whose text brings in another (CogVLM2 -> Llama 3) makes both effective.
    own = resolve(model("me/original", "wrapper"), MemoryHub(KB))
    assert own.effective_licenses == ("wrapper", "fam-2")
    hub = MemoryHub(KB, model("org/base", "wrapper"))
    derived = resolve(model("me/Fam-tuned", "wrapper", "org/base"), hub)
    assert derived.effective_licenses == ("wrapper", "fam-2")
    assert conflicts(derived) == []
    relabelled = resolve(model("me/Fam-tuned", "perm-a", "org/base"), hub)
    assert relabelled.effective_licenses == ("perm-a", "wrapper", "fam-2")
    assert conflicts(relabelled) == [
        ("conflict", ("perm-a", "wrapper")),
        ("conflict", ("perm-a", "fam-2")),
    ]


@pytest.mark.parametrize(
    "raw", [{"base_model": None}, [{"BASE": None}], ["org/base", {"repo_id": None}]]
)
def test_unrendered_template_read_as_a_mapping_is_an_invalid_base(raw: object) -> None:
    hub = MemoryHub(KB, model("org/base", "perm-a"))
    named = ["org/base"] if isinstance(raw, list) and "org/base" in raw else []
    lin = resolve(model("me/m", "perm-a", named, raw={"base_model": raw}), hub)
    errors = [link.model for link in lin.links if link.error == "invalid-id"]
    assert len(errors) == 1 and errors[0].startswith("{")
    assert conflicts(lin, "lineage-unresolved") == [("conflict", ())]
