"""Lineage: the licences a model inherits from its base models.

A card's `base_model` (a string or a list) names the models it was derived from, and
`base_model_relation` (or the Hub's `base_model:<relation>:<id>` tags, or markers such as a
PEFT library or a GGUF file) says how. `resolve_lineage` follows that chain through a
`fetch` callable (the audit supplies one backed by the same source as the model itself, and
memoises it), so this module stays pure: no I/O.

What binds a model (its effective licences):

- its own licence;
- for a fine-tune or a merge, every licence of a base whose terms bind derivatives
  (knowledge base `terms.derivatives_bound`); a merge binds every parent;
- for an adapter, every licence of its base: an adapter needs the base to run;
- for a quantisation, every licence of its base: a quantisation cannot relicense.

A base whose licence is unknown contributes `unknown` (fail closed). A base that cannot be
read, an invalid id, a cycle, a chain deeper than the limit or bases past the caps
(`MAX_BASES` per model, `MAX_WALK_MODELS` per walk) becomes a `LineageLink` with
`error` and a `Finding`: never silently dropped. All but a cycle also give a
`lineage-unresolved` conflict, so the policy's `license_conflict` judges them. Where the model's own licence disagrees with
what its lineage binds, a `Conflict` (kind `declared-vs-lineage`) says so; a derivative whose
name breaks an inherited `name-prefix` obligation gets an informational `Conflict`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from licensecheck.errors import SourceError
from licensecheck.facts import Finding, ModelFacts, ModelRef
from licensecheck.identify.types import UNKNOWN, Conflict, Determination
from licensecheck.knowledge.model import RESTRICTIVENESS, Terms
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.results import LineageLink
from licensecheck.sources.refs import is_repo_id

Fetch = Callable[[ModelRef], tuple[ModelFacts, Determination]]

RELATIONS = ("finetune", "adapter", "quantized", "merge")
DEFAULT_MAX_DEPTH = 8
# A card may name thousands of bases (or its Hub tags may): follow this many per model and
# this many models per walk; the rest is an error link, so the verdict fails closed.
MAX_BASES = 64
MAX_WALK_MODELS = 256

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

_PERMISSIVE_RANK = RESTRICTIVENESS["permissive"]
_UNRANKED = max(RESTRICTIVENESS.values())


@dataclass(frozen=True)
class Lineage:
    """The resolved chain of a model's base models and what it makes bind the model."""

    links: tuple[LineageLink, ...] = ()
    effective_licenses: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class _Reach:
    """A licence that applies to a node through its bases.

    `via` lists the relations from the node down to `origin`, the model whose own licence
    it is (nearest relation first).
    """

    license: str
    via: tuple[str, ...]
    origin: str
    version: str | None = None


@dataclass(frozen=True)
class _Base:
    """One base model named by a card, with the relation inferred for it."""

    raw: str  # as written in the card
    repo_id: str | None  # normalised Hub id, or None when it is not one
    relation: str


# --- parsing a card's bases --------------------------------------------------------------


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
    return bool(_QUANT_IN_NAME.search(_model_name(facts) or ""))


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


def _bases(facts: ModelFacts, findings: list[Finding]) -> tuple[list[_Base], int]:
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
    out: list[_Base] = []
    for raw in names[: MAX_BASES + 1]:  # one past the cap stands for the rest
        repo_id = normalise_repo_id(raw)
        out.append(_Base(raw, repo_id, infer_relation(facts, repo_id or raw, len(names))))
    return out, total - min(total, MAX_BASES)


# --- the walk ----------------------------------------------------------------------------


def _hub_id(facts: ModelFacts) -> str | None:
    """The model's Hub id; for a local directory, the repo it is a snapshot of, if known."""
    return facts.ref.repo_id if facts.ref.local_path is None else facts.hub_id


def _model_name(facts: ModelFacts) -> str | None:
    """The part of the Hub id after `org/`; None for a directory of unknown origin."""
    repo_id = _hub_id(facts)
    return repo_id.rsplit("/", 1)[-1] if repo_id else None


def _org(repo_id: str) -> str | None:
    return repo_id.split("/", 1)[0].lower() if "/" in repo_id else None


def _terms(kb: KnowledgeBase, license_id: str, version: str | None) -> Terms | None:
    lic = kb.get(license_id)
    return lic.terms_for(version) if lic is not None else None


def binds_derivatives(kb: KnowledgeBase, license_id: str, version: str | None = None) -> bool:
    """Whether a licence's terms bind fine-tunes and merges of the model it covers.

    Unknown licences, ids the knowledge base does not know and entries without terms bind
    (fail closed); otherwise the knowledge base's `derivatives_bound` decides.
    """
    if license_id == UNKNOWN:
        return True
    terms = _terms(kb, license_id, version)
    return True if terms is None else terms.derivatives_bound


def with_incorporated(
    kb: KnowledgeBase, license_id: str, version: str | None = None
) -> list[tuple[str, str | None]]:
    """A licence and, transitively, those its text says also bind (`terms.incorporates`)."""
    out: list[tuple[str, str | None]] = [(license_id, version)]
    i = 0
    while i < len(out):
        terms = _terms(kb, *out[i])
        for other in terms.incorporates if terms is not None else ():
            if all(other != known for known, _ in out):
                out.append((other, None))
        i += 1
    return out


class _Walk:
    """One depth-first walk of a model's lineage, memoising bases by (id, revision)."""

    def __init__(self, fetch: Fetch, kb: KnowledgeBase, max_depth: int) -> None:
        self.fetch = fetch
        self.kb = kb
        self.max_depth = max_depth
        self.links: list[LineageLink] = []
        self.findings: list[Finding] = []
        self._fetched: dict[tuple[str, str | None], tuple[ModelFacts, Determination]] = {}
        self._failed: dict[tuple[str, str | None], SourceError] = {}
        self._expanded: dict[str, list[_Reach]] = {}

    def _get(self, ref: ModelRef) -> tuple[ModelFacts, Determination]:
        key = ref.key
        if key in self._failed:
            raise self._failed[key]
        if key not in self._fetched:
            try:
                self._fetched[key] = self.fetch(ref)
            except SourceError as exc:
                self._failed[key] = exc
                raise
        return self._fetched[key]

    def _error_link(
        self, base: _Base, depth: int, parent: str, error: str, kind: str, message: str
    ) -> None:
        self.links.append(
            LineageLink(
                model=base.repo_id or base.raw,
                relation=base.relation,
                license=UNKNOWN,
                depth=depth,
                parent=parent,
                error=error,
            )
        )
        self.findings.append(Finding(kind=kind, message=message))

    def expand(self, facts: ModelFacts, path: tuple[str, ...], depth: int) -> list[_Reach]:
        """The licences that apply to `facts`'s model through its bases (not its own)."""
        node = facts.ref.repo_id
        reached: list[_Reach] = []
        bases, more = _bases(facts, self.findings)
        if more and len(bases) > MAX_BASES:
            self._error_link(
                bases[MAX_BASES],
                depth,
                node,
                "capped",
                "lineage-capped",
                f"{node}: names {MAX_BASES + more} base models; the first {MAX_BASES} were "
                f"followed, the other {more} were not, so the licences they bind are not known",
            )
            bases = bases[:MAX_BASES]
        for base in bases:
            if base.repo_id is None:
                self._error_link(
                    base,
                    depth,
                    node,
                    "invalid-id",
                    "lineage-invalid-base",
                    f"{node}: base_model {base.raw!r} is not a Hub model id "
                    "(a placeholder or a path?); its licence cannot be checked",
                )
                continue
            key = base.repo_id.lower()
            if key in path:
                self._error_link(
                    base,
                    depth,
                    node,
                    "cycle",
                    "lineage-cycle",
                    f"{node}: base_model {base.repo_id} is already in the chain "
                    f"({' -> '.join((*path, key))}); the cycle was not followed",
                )
                continue
            if depth > self.max_depth:
                self._error_link(
                    base,
                    depth,
                    node,
                    "depth",
                    "lineage-too-deep",
                    f"{node}: the base_model chain is deeper than {self.max_depth} levels; "
                    f"{base.repo_id} and its bases were not followed",
                )
                continue
            seen = (base.repo_id.lower(), None)
            if (
                seen not in self._fetched
                and seen not in self._failed
                and len(self._fetched) + len(self._failed) >= MAX_WALK_MODELS
            ):
                self._error_link(
                    base,
                    depth,
                    node,
                    "capped",
                    "lineage-capped",
                    f"{node}: the lineage reaches more than {MAX_WALK_MODELS} models; "
                    f"{base.repo_id} and its bases were not followed",
                )
                continue
            try:
                base_facts, base_det = self._get(ModelRef(base.repo_id))
            except SourceError as exc:
                self._error_link(
                    base,
                    depth,
                    node,
                    exc.kind,
                    "lineage-base-unreadable",
                    f"{node}: base model {base.repo_id} could not be read ({exc.kind}): "
                    f"{exc.message}",
                )
                continue
            self.links.append(
                LineageLink(
                    model=base.repo_id,
                    relation=base.relation,
                    license=base_det.id,
                    revision=base_facts.revision,
                    depth=depth,
                    parent=node,
                    verified=base_det.verified,
                )
            )
            if base_facts.gated:
                self.findings.append(
                    Finding(
                        kind="lineage-base-gated",
                        message=(
                            f"{node}: base model {base.repo_id} is gated; its licence "
                            f"({base_det.id}) comes from what its metadata shows"
                        ),
                    )
                )
            if key not in self._expanded:
                self._expanded[key] = self.expand(base_facts, (*path, key), depth + 1)
            applying = [
                _Reach(lic, (), base.repo_id, version)
                for lic, version in with_incorporated(self.kb, base_det.id, base_det.version)
            ]
            applying += self._expanded[key]
            for item in applying:
                # Adapters need their base to run; quantisations cannot relicense: all
                # terms of the base apply. Fine-tunes and merges carry the binding ones.
                carried = base.relation in ("adapter", "quantized") or binds_derivatives(
                    self.kb, item.license, item.version
                )
                if carried:
                    reached.append(
                        _Reach(item.license, (base.relation, *item.via), item.origin, item.version)
                    )
        return reached


# --- conflicts ---------------------------------------------------------------------------


def _rank(kb: KnowledgeBase, license_id: str) -> int:
    lic = kb.get(license_id)
    return RESTRICTIVENESS.get(lic.category, _UNRANKED) if lic is not None else _UNRANKED


def _compare(
    kb: KnowledgeBase, model: str, own: str, item: _Reach, binding: bool
) -> Conflict | None:
    """How the model's own licence stands against one licence its lineage carries."""
    own_lic, base_lic = kb.get(own), kb.get(item.license)
    if own_lic is None or base_lic is None:
        return None  # an id the knowledge base does not know: unknown_license handles it
    own_rank, base_rank = _rank(kb, own), _rank(kb, item.license)
    where = f"its base {item.origin} (via {' -> '.join(item.via)})"
    ids = (own, item.license)

    def info(message: str) -> Conflict:
        return Conflict(kind="declared-vs-lineage", message=message, ids=ids, severity="info")

    if not binding:
        relation = "stricter than" if own_rank > base_rank else "unlike"
        return info(
            f"{model} declares {own}, {relation} {where} under {item.license}, whose terms "
            "do not bind derivatives"
        )
    if own_rank <= _PERMISSIVE_RANK and base_rank <= _PERMISSIVE_RANK:
        return info(
            f"{model} declares {own}, but {where} is under {item.license}; both are "
            "permissive, and the base's terms still apply"
        )
    if own_rank > base_rank:
        return info(
            f"{model} declares {own}, stricter than {where} under {item.license}; both apply"
        )
    same_family = own_lic.family is not None and own_lic.family == base_lic.family
    why = (
        f"another {base_lic.family} licence or version cannot replace it"
        if same_family
        else f"{own} cannot replace it"
    )
    return Conflict(
        kind="declared-vs-lineage",
        message=(
            f"{model} declares {own}, but {where} is under {item.license}, whose terms bind "
            f"the model: {why}"
        ),
        ids=ids,
    )


def _lineage_conflicts(
    kb: KnowledgeBase,
    model: str,
    own: str,
    reached: list[_Reach],
    parents: list[_Reach],
) -> list[Conflict]:
    """declared-vs-lineage conflicts: one per distinct licence the lineage carries."""
    if own == UNKNOWN:
        return []
    out: list[Conflict] = []
    # What the model's own licence brings in (CogVLM2 -> Llama 3) is not a disagreement.
    seen = {lic for lic, _ in with_incorporated(kb, own)} | {UNKNOWN}
    for item in reached:
        if item.license not in seen:
            seen.add(item.license)
            conflict = _compare(kb, model, own, item, binding=True)
            if conflict is not None:
                out.append(conflict)
    # A direct parent's licence that does not bind: worth a note when it differs.
    for item in parents:
        if item.license not in seen:
            seen.add(item.license)
            conflict = _compare(kb, model, own, item, binding=False)
            if conflict is not None:
                out.append(conflict)
    return out


def _unresolved(links: list[LineageLink]) -> list[Conflict]:
    """A base that could not be resolved hides licences that may bind: fail closed.

    A cycle is only a broken card (every model in it was read), so it stays a finding.
    """
    return [
        Conflict(
            kind="lineage-unresolved",
            message=(
                f"base model {link.model} ({link.relation} of {link.parent}) could not be "
                f"resolved ({link.error}); the licences it would make bind are not known"
            ),
            ids=(),
        )
        for link in links
        if link.error is not None and link.error != "cycle"
    ]


def _squash(name: str) -> str:
    """Lower case without separators: "Llama 3" and "llama-3" compare equal."""
    return re.sub(r"[\W_]+", "", name.lower())


def _name_prefix_conflicts(
    kb: KnowledgeBase, facts: ModelFacts, reached: list[_Reach]
) -> list[Conflict]:
    """Inherited `name-prefix` obligations the model's own name does not meet.

    The obligation concerns models built from the licensed one, so a pure quantisation
    chain (a copy) and the licensor's own releases (same org as the origin) are exempt.
    """
    name, repo_id = _model_name(facts), _hub_id(facts)
    if not name or not repo_id:
        return []
    # Per licence, the deepest path it came by: its origin is the licensor's release.
    deepest: dict[str, _Reach] = {}
    for item in reached:
        known = deepest.get(item.license)
        if known is None or len(item.via) > len(known.via):
            deepest[item.license] = item
    out: list[Conflict] = []
    for license_id, item in deepest.items():
        if all(r == "quantized" for r in item.via):
            continue
        origin_org, own_org = _org(item.origin), _org(repo_id)
        if origin_org is not None and origin_org == own_org:
            continue
        terms = _terms(kb, license_id, item.version)
        for ob in terms.obligations if terms is not None else ():
            if ob.id != "name-prefix" or not ob.text.strip():
                continue
            if _squash(name).startswith(_squash(ob.text)):
                continue
            clause = f" [{ob.clause}]" if ob.clause else ""
            out.append(
                Conflict(
                    kind="name-prefix",
                    message=(
                        f"{license_id}{clause} requires a derivative's name to begin with "
                        f"{ob.text!r}; {name!r} does not"
                    ),
                    ids=(license_id,),
                    severity="info",
                )
            )
    return out


# --- the entry point ---------------------------------------------------------------------


def _ordered_unique(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return tuple(out)


def _own_is_copy(determination: Determination, walk: _Walk, reached: list[_Reach]) -> bool:
    """A quantisation that declares nothing takes its base's licence: no `unknown` of its own.

    Only when every direct base is a quantisation that could be read, and the model's own
    evidence named nothing at all (an unrecognised declaration stays `unknown`).
    """
    direct = [link for link in walk.links if link.depth == 1]
    if not direct or not reached:
        return False
    if any(link.relation != "quantized" or link.error is not None for link in direct):
        return False
    return not determination.evidence


def resolve_lineage(
    facts: ModelFacts,
    determination: Determination,
    fetch: Fetch,
    kb: KnowledgeBase,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Lineage:
    """Follow `facts`'s base models and work out what binds the model.

    `fetch` returns a base's facts and determination, or raises `SourceError` when the base
    cannot be read. Each distinct base is fetched once per call (the audit memoises across
    models). `max_depth` bounds the chain: a base deeper than that is an error link.
    """
    walk = _Walk(fetch, kb, max_depth)
    root = tuple(k.lower() for k in (facts.ref.key[0], _hub_id(facts)) if k)
    reached = walk.expand(facts, root, 1)
    own = determination.id
    model = facts.ref.display
    effective = [] if own == UNKNOWN and _own_is_copy(determination, walk, reached) else [own]
    effective += [lic for lic, _ in with_incorporated(kb, own, determination.version)[1:]]
    effective += [item.license for item in reached]
    parents = [
        _Reach(link.license, (link.relation,), link.model)
        for link in walk.links
        if link.depth == 1 and link.error is None
    ]
    conflicts = _lineage_conflicts(kb, model, own, reached, parents)
    conflicts += _unresolved(walk.links)
    conflicts += _name_prefix_conflicts(kb, facts, reached)
    return Lineage(
        links=tuple(walk.links),
        effective_licenses=_ordered_unique(effective),
        conflicts=tuple(conflicts),
        findings=tuple(walk.findings),
    )


__all__ = [
    "DEFAULT_MAX_DEPTH",
    "RELATIONS",
    "Fetch",
    "Lineage",
    "binds_derivatives",
    "infer_relation",
    "normalise_repo_id",
    "resolve_lineage",
    "with_incorporated",
]
