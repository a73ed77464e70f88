"""What a model card says about the models it was derived from: which bases it names (its
`base_model`, the Hub's `base_model:` tags, placeholders), whether each is a Hub id, and how
the model relates to each (`base_model_relation`, else inferred from tags, library names,
file names and the model's name). Pure; `lineage.py` walks the graph these edges make.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from licensecheck.facts import Finding, ModelFacts
from licensecheck.sources.refs import is_repo_id

RELATIONS = ("finetune", "adapter", "quantized", "merge")
# A card may name thousands of bases (or its Hub tags may): follow this many per model; the
# rest is an error link (lineage.py), so the verdict fails closed.
MAX_BASES = 64

# Spellings of base_model_relation seen in cards, mapped to the Hub's four values.
_RELATION_SYNONYMS: dict[str, str] = {
    "finetune": "finetune",
    "fine-tune": "finetune",
    "fine_tune": "finetune",
    "finetuned": "finetune",
    "fine-tuned": "finetune",
    "adapter": "adapter",
    "adapters": "adapter",
    "lora": "adapter",
    "peft": "adapter",
    "quantized": "quantized",
    "quantised": "quantized",
    "quantization": "quantized",
    "quantisation": "quantized",
    "merge": "merge",
    "merged": "merge",
}

_RELATION_TAG = re.compile(r"^base_model:(finetune|adapter|quantized|merge):(.+)$", re.IGNORECASE)
_PLAIN_BASE_TAG = re.compile(r"^base_model:([^:]+)$", re.IGNORECASE)

# Markers that a repo holds an adapter, a merge or a quantisation (tags, library names,
# name fragments). These describe file formats and tools, not licences.
_ADAPTER_LIBRARIES = frozenset({"peft"})
_ADAPTER_TAGS = frozenset({"peft", "lora", "adapter", "adapters", "qlora"})
_ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin")
_MERGE_TAGS = frozenset({"merge", "mergekit", "merged"})
_QUANT_LIBRARIES = frozenset({"gguf", "mlx", "exllamav2", "ctranslate2"})
_QUANT_TOKEN = (
    r"gguf|ggml|awq|gptq|mlx|exl2|exl3|bnb|bitsandbytes|hqq|aqlm|eetq|fp[468]|nvfp4|mxfp4|int[2-8]"
    r"|w\d+a\d+|\d+-?bits?|\d+(?:\.\d+)?bpw|imatrix|q[2-8](?:_k)?(?:_[sml])?|compressed-tensors"
    r"|quant|quants|quantized|quantised|quantization|quantisation"
)
_QUANT_IN_NAME = re.compile(rf"(?:^|[-_. ])(?:{_QUANT_TOKEN})(?=$|[-_. ])", re.IGNORECASE)
_QUANT_TAG = re.compile(rf"^(?:{_QUANT_TOKEN})$", re.IGNORECASE)

_HUB_URL = re.compile(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/", re.IGNORECASE)


@dataclass(frozen=True)
class Base:
    """One base model named by a card, with the relation inferred for it."""

    raw: str  # as written in the card
    repo_id: str | None  # normalised Hub id, or None when it is not one
    relation: str


def hub_id(facts: ModelFacts) -> str | None:
    """The model's Hub id; for a local directory, the repo it is a snapshot of, if known."""
    return facts.ref.repo_id if facts.ref.local_path is None else facts.hub_id


def model_name(facts: ModelFacts) -> str | None:
    """The part of the Hub id after `org/`; None for a directory of unknown origin."""
    repo_id = hub_id(facts)
    return repo_id.rsplit("/", 1)[-1] if repo_id else None


def normalise_repo_id(value: str) -> str | None:
    """A Hub repo id from a `base_model` entry, or None when it is not one.

    Accepts `org/name`, a legacy `name`, and a `https://huggingface.co/org/name[/...]` URL.
    Placeholders (`{base_model}`, `<BASE>`, `[Your Model]`) and paths are not ids.
    """
    text = value.strip()
    if _HUB_URL.match(text):
        parts = [p for p in _HUB_URL.sub("", text).split("/") if p]
        if parts and parts[0] in ("models", "api"):
            parts = parts[1:]
        text = "/".join(parts[:2])
    return text if is_repo_id(text) else None


def _relation_from_tags(tags: tuple[str, ...]) -> dict[str, str]:
    """`base_model:<relation>:<id>` tags, as lower-case id -> relation."""
    out: dict[str, str] = {}
    for tag in tags:
        m = _RELATION_TAG.match(tag.strip())
        if m:
            out.setdefault(m.group(2).strip().lower(), m.group(1).lower())
    return out


def _bases_from_tags(tags: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        tag = tag.strip()
        m = _RELATION_TAG.match(tag)
        value = m.group(2) if m else None
        if value is None:
            plain = _PLAIN_BASE_TAG.match(tag)
            value = plain.group(1) if plain else None
        if value and value.strip():
            out.append(value.strip())
    return out


def _all_tags(facts: ModelFacts) -> tuple[str, ...]:
    return tuple(t for t in (*facts.tags, *facts.card.tags) if isinstance(t, str))


def _filenames(facts: ModelFacts) -> tuple[str, ...]:
    return (*facts.filenames, *(f.path for f in facts.files))


def _is_adapter(facts: ModelFacts, tags: set[str]) -> bool:
    if (facts.card.library_name or "").strip().lower() in _ADAPTER_LIBRARIES:
        return True
    if tags & _ADAPTER_TAGS:
        return True
    return any(name.rsplit("/", 1)[-1] in _ADAPTER_FILES for name in _filenames(facts))


def _is_quantized(facts: ModelFacts, tags: set[str]) -> bool:
    if facts.gguf_license is not None or "quantized_by" in facts.card.raw:
        return True
    if (facts.card.library_name or "").strip().lower() in _QUANT_LIBRARIES:
        return True
    if any(_QUANT_TAG.match(t) for t in tags):
        return True
    if any(name.lower().endswith(".gguf") for name in _filenames(facts)):
        return True
    return bool(_QUANT_IN_NAME.search(model_name(facts) or ""))


def infer_relation(facts: ModelFacts, base: str, n_bases: int) -> str:
    """How the model relates to `base`: finetune, adapter, quantized or merge.

    In order: the card's `base_model_relation`; a `base_model:<relation>:<base>` tag; adapter
    markers (library_name peft, an adapter_config.json, a lora/peft tag); merge markers
    (several bases, a mergekit tag); quantisation markers (GGUF, AWQ, GPTQ, MLX, EXL2, a
    bits-per-weight name); otherwise a fine-tune.
    """
    declared = _declared_relation(facts)
    if declared is not None:
        return declared
    tag_relation = _relation_from_tags(_all_tags(facts)).get(base.lower())
    if tag_relation is not None:
        return tag_relation
    tags = {t.strip().lower() for t in _all_tags(facts)}
    if _is_adapter(facts, tags):
        return "adapter"
    if n_bases > 1 or tags & _MERGE_TAGS:
        return "merge"
    if _is_quantized(facts, tags):
        return "quantized"
    return "finetune"


def _declared_relation(facts: ModelFacts) -> str | None:
    value = facts.card.base_model_relation
    if not isinstance(value, str) or not value.strip():
        return None
    return _RELATION_SYNONYMS.get(value.strip().lower())


def _placeholders(facts: ModelFacts) -> list[str]:
    """Unrendered `{base_model}` templates, which YAML reads as mappings: a base is named but
    cannot be known, so it must not vanish with the card parser's non-text entries."""
    value = facts.card.raw.get("base_model")
    entries = value if isinstance(value, list) else [value]
    return [
        "{" + ", ".join(str(k) for k in entry) + "}"
        for entry in entries
        if isinstance(entry, dict) and entry
    ]


def card_bases(facts: ModelFacts, findings: list[Finding]) -> tuple[list[Base], int]:
    """The distinct bases a model names (card first, then tags), with their relations, at
    most `MAX_BASES` of them; and how many more were named."""
    names: list[str] = []
    seen: set[str] = set()
    named = (*facts.card.base_models, *_placeholders(facts), *_bases_from_tags(_all_tags(facts)))
    for raw in named:
        if not isinstance(raw, str) or not raw.strip():
            continue  # empty entries (base_model: [""]) name no base
        repo_id = normalise_repo_id(raw)
        key = (repo_id or raw.strip()).lower()
        if key in seen:
            continue
        seen.add(key)
        names.append(raw.strip())
    relation = facts.card.base_model_relation
    if isinstance(relation, str) and relation.strip() and _declared_relation(facts) is None:
        findings.append(
            Finding(
                kind="lineage-relation-unknown",
                message=(
                    f"{facts.ref.display}: base_model_relation {relation.strip()!r} is not one "
                    f"of {', '.join(RELATIONS)}; the relation was inferred instead"
                ),
            )
        )
    # The card parser keeps the first 200 entries of a list; count what the card really named.
    declared = facts.card.raw.get("base_model")
    entries = declared if isinstance(declared, list) else []
    listed = {x.strip().lower() for x in entries if isinstance(x, str) and x.strip()}
    total = max(len(names), len(listed))
    out: list[Base] = []
    for raw in names[: MAX_BASES + 1]:  # one past the cap stands for the rest
        repo_id = normalise_repo_id(raw)
        out.append(Base(raw, repo_id, infer_relation(facts, repo_id or raw, len(names))))
    return out, total - min(total, MAX_BASES)


__all__ = [
    "MAX_BASES",
    "RELATIONS",
    "Base",
    "card_bases",
    "hub_id",
    "infer_relation",
    "model_name",
    "normalise_repo_id",
]
