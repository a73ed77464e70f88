"""Build the `Subject` the policy judges: a model's licences plus the context rules need.

Publishers are the Hub organisations of the model and of every model in its lineage.
Whether the model is multimodal comes from its `pipeline_tag` and tags, compared with the
lists in `data/modalities.yaml` (data, so a new Hub task needs no code change).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from licensecheck import paths
from licensecheck.facts import ModelFacts
from licensecheck.identify.types import Conflict, Determination
from licensecheck.policy.model import Subject
from licensecheck.results import LineageLink

_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*(@.*)?$")


@dataclass(frozen=True)
class Modalities:
    pipeline_tags: frozenset[str]
    tags: frozenset[str]


@functools.lru_cache(maxsize=1)
def modalities() -> Modalities:
    loaded = paths.load_data_yaml(Path(__file__).parent / "data" / "modalities.yaml")
    raw: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    return Modalities(
        pipeline_tags=frozenset(str(t).lower() for t in raw.get("pipeline_tags") or ()),
        tags=frozenset(str(t).lower() for t in raw.get("tags") or ()),
    )


def hub_org(model: str) -> str | None:
    """`meta-llama` for `meta-llama/Llama-3.1-8B@main`; None for anything not a Hub id."""
    if not _HUB_ID.match(model):
        return None
    return model.split("/", 1)[0]


def modality(pipeline_tags: Iterable[str | None], tags: Iterable[str]) -> tuple[bool, bool]:
    """(multimodal, known) from the pipeline tags and tags a model carries."""
    data = modalities()
    pipes = {p.strip().lower() for p in pipeline_tags if p}
    tagset = {t.strip().lower() for t in tags if t}
    multimodal = bool(pipes & data.pipeline_tags) or bool(tagset & data.tags)
    return multimodal, multimodal or bool(pipes)


def build_subject(
    model: str,
    facts: ModelFacts | None,
    determination: Determination,
    effective_licenses: Iterable[str],
    lineage: Iterable[LineageLink],
    conflicts: Iterable[Conflict],
) -> Subject:
    """The subject for `model`. `conflicts` are the lineage's; the determination's own
    conflicts are added (each once)."""
    links = tuple(lineage)
    publishers: list[str] = []
    own = facts.publisher if facts is not None else hub_org(model)
    if facts is not None and facts.ref.local_path is None and own is None:
        own = hub_org(facts.ref.repo_id)
    for org in (own, *(hub_org(link.model) for link in links)):
        if org and org.lower() not in (p.lower() for p in publishers):
            publishers.append(org)
    if facts is not None:
        multimodal, known = modality(
            (facts.pipeline_tag, facts.card.pipeline_tag), (*facts.tags, *facts.card.tags)
        )
    else:
        multimodal, known = False, False
    all_conflicts = tuple(dict.fromkeys((*determination.conflicts, *conflicts)))
    revisions: list[str] = []
    if "@" in model:
        revisions.append(model.split("@", 1)[1])
    if facts is not None:
        revisions.extend(r for r in (facts.ref.revision, facts.revision) if r)
    return Subject(
        model=model,
        determination=determination,
        effective_licenses=tuple(dict.fromkeys(effective_licenses)),
        lineage=links,
        conflicts=all_conflicts,
        publishers=tuple(publishers),
        multimodal=multimodal,
        modality_known=known,
        revisions=tuple(dict.fromkeys(revisions)),
        unread=tuple(f.message for f in facts.unread) if facts is not None else (),
    )
