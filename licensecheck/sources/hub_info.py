"""What licensecheck uses of a model_info answer, read as huggingface_hub's ModelInfo reads
it, and kept on disk (`HubSource.keep_dir`) in a form that is never trusted back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from licensecheck import paths
from licensecheck.sources.refs import is_sha

INFO_FORMAT = 1  # layout of a kept model_info entry


@dataclass(frozen=True)
class HubInfo:
    """What licensecheck uses of a model_info answer (cacheable as JSON)."""

    sha: str | None
    siblings: tuple[str, ...] | None  # None: the Hub gave no file list
    card: dict[str, Any] | None  # cardData, as huggingface_hub's ModelCardData.to_dict()
    gated: bool = False
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    library_name: str | None = None

    @classmethod
    def from_payload(cls, data: Any) -> HubInfo:
        """From the JSON of `GET /api/models/{repo}[/revision/{rev}]?expand=...`, read the
        way huggingface_hub's ModelInfo reads it. ValueError for an answer that is not one."""
        if not isinstance(data, dict):
            raise ValueError(f"a {type(data).__name__}, not an object")
        sha = data.get("sha")
        siblings = data.get("siblings")
        names: tuple[str, ...] | None = None
        if siblings is not None:
            if not isinstance(siblings, list) or not all(
                isinstance(x, dict) and "rfilename" in x for x in siblings
            ):
                raise ValueError("siblings is not a list of files")
            # A name that is not a string is ignored, like any hostile name later on.
            names = tuple(x["rfilename"] for x in siblings if isinstance(x["rfilename"], str))
        card = data.get("cardData")
        gated = data.get("gated")
        tags = data.get("tags")
        pipeline_tag = data.get("pipeline_tag")
        library = data.get("library_name")
        return cls(
            sha=sha if isinstance(sha, str) and is_sha(sha) else None,
            siblings=names,
            # As ModelCardData.to_dict() gives it: keys whose value is null are dropped.
            card={str(k): v for k, v in card.items() if v is not None}
            if isinstance(card, dict)
            else None,
            gated=bool(gated) and gated != "false",
            tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
            pipeline_tag=pipeline_tag if isinstance(pipeline_tag, str) else None,
            library_name=library if isinstance(library, str) else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "sha": self.sha,
            "siblings": None if self.siblings is None else list(self.siblings),
            "card": self.card,
            "gated": self.gated,
            "tags": list(self.tags),
            "pipeline_tag": self.pipeline_tag,
            "library_name": self.library_name,
        }

    @classmethod
    def from_json(cls, data: Any) -> HubInfo | None:
        """The cached form back, or None when it is not exactly that (never trusted)."""

        def strings(value: Any) -> bool:
            return isinstance(value, list) and all(isinstance(v, str) for v in value)

        def optional_str(value: Any) -> bool:
            return value is None or isinstance(value, str)

        if not isinstance(data, dict) or set(data) != set(cls.__dataclass_fields__):
            return None
        sha, siblings, card = data["sha"], data["siblings"], data["card"]
        if not (isinstance(sha, str) and is_sha(sha)):
            return None
        if not (siblings is None or strings(siblings)) or not strings(data["tags"]):
            return None
        if not (card is None or isinstance(card, dict)) or not isinstance(data["gated"], bool):
            return None
        if not (optional_str(data["pipeline_tag"]) and optional_str(data["library_name"])):
            return None
        return cls(
            sha=sha,
            siblings=None if siblings is None else tuple(siblings),
            card=card,
            gated=data["gated"],
            tags=tuple(data["tags"]),
            pipeline_tag=data["pipeline_tag"],
            library_name=data["library_name"],
        )


# --- kept on disk: `<cache>/hub-info/<digest>.json`, per endpoint, repo and commit sha -------


def _endpoint_key(endpoint: str) -> str:
    """What an entry records of its endpoint: a digest, since a mirror's URL may carry a
    user name and password (`https://user:pass@mirror`), which never go to disk."""
    return hashlib.sha256(endpoint.encode()).hexdigest()


def kept_info_path(root: Path | None, endpoint: str, repo_id: str, sha: str) -> Path | None:
    if root is None:
        return None
    key = f"{endpoint}\0{repo_id.lower()}\0{sha}"
    name = hashlib.sha256(key.encode()).hexdigest()[:40]
    return root / "hub-info" / f"{name}.json"


def read_kept_info(root: Path | None, endpoint: str, repo_id: str, sha: str) -> HubInfo | None:
    """The model_info kept for this commit, or None (missing, damaged, another repo's)."""
    path = kept_info_path(root, endpoint, repo_id, sha)
    if path is None:
        return None
    try:
        data = json.loads(paths.read_bytes(path))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != INFO_FORMAT:
        return None
    if data.get("endpoint") != _endpoint_key(endpoint) or data.get("repo") != repo_id.lower():
        return None
    info = HubInfo.from_json(data.get("info"))
    return info if info is not None and info.sha == sha else None


def write_kept_info(root: Path | None, endpoint: str, repo_id: str, info: HubInfo) -> None:
    if info.sha is None:
        return
    path = kept_info_path(root, endpoint, repo_id, info.sha)
    if path is None:
        return
    entry = {"format": INFO_FORMAT, "endpoint": _endpoint_key(endpoint), "repo": repo_id.lower()}
    entry["info"] = info.to_json()
    try:
        text = json.dumps(entry, sort_keys=True, default=str)
        # A private repo's metadata: owner-only, as the entry always was.
        paths.write_atomic(path, text.encode("utf-8"), private=True)
    except (OSError, TypeError, ValueError):
        pass  # an accelerator only: the next run asks the Hub again
