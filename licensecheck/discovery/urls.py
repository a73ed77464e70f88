"""Model ids inside `hf://` and huggingface.co URLs.

`hf://org/name[@rev][/file]` (huggingface_hub's file system), `https://huggingface.co/org/name`
with `/resolve|blob|tree|raw/<rev>/...`, and the `hf.co` short host. Dataset and Space URLs,
and site pages (`/docs`, `/blog`, `/settings`...), are not models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from licensecheck.discovery.ids import is_model_id

_ID_CHARS = r"[A-Za-z0-9_.\-]+"
_HF_FS = re.compile(rf"hf://(?:models/)?({_ID_CHARS})/({_ID_CHARS})(?:@([^/\s\"'<>]+))?")
_HF_WEB = re.compile(r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/([^\s\"'<>?#]+)")
_FILE_VIEWS = frozenset({"resolve", "blob", "tree", "raw", "commit"})
# First path segments of huggingface.co that are not user or organisation names.
_SITE_PAGES = frozenset(
    {
        "datasets",
        "spaces",
        "buckets",
        "docs",
        "blog",
        "papers",
        "api",
        "models",
        "settings",
        "login",
        "join",
        "pricing",
        "collections",
        "organizations",
        "learn",
        "tasks",
        "chat",
        "posts",
        "new",
        "new-dataset",
        "new-space",
        "enterprise",
        "support",
        "terms-of-service",
        "privacy",
        "welcome",
        "join-community",
        "inference-endpoints",
        "oauth",
        "static-proxy",
        "front",
    }
)


@dataclass(frozen=True)
class UrlRef:
    start: int  # offset of the URL in the searched text
    repo_id: str
    revision: str | None


def find_urls(text: str) -> list[UrlRef]:
    """Every model URL in `text`, in order of appearance."""
    if "hf://" not in text and "hf.co" not in text and "huggingface.co" not in text:
        return []  # cheap exit: most strings hold no URL at all
    found: list[UrlRef] = []
    for m in _HF_FS.finditer(text):
        repo_id = f"{m.group(1)}/{m.group(2).removesuffix('.git')}"
        if m.group(1).lower() not in _SITE_PAGES and is_model_id(repo_id):
            found.append(UrlRef(m.start(), repo_id, unquote(m.group(3)) if m.group(3) else None))
    for m in _HF_WEB.finditer(text):
        parsed = _web_path(m.group(1))
        if parsed is not None:
            found.append(UrlRef(m.start(), *parsed))
    found.sort(key=lambda u: u.start)
    return found


def _web_path(path: str) -> tuple[str, str | None] | None:
    """`org/name[/resolve/<rev>/...]` -> (repo id, revision). Legacy one-part ids
    (`huggingface.co/gpt2/resolve/main/...`) count only with a file view after them, since
    `huggingface.co/<x>` alone is as likely a user or organisation page."""
    parts = [unquote(p) for p in path.split("/")]
    if not parts or parts[0].lower() in _SITE_PAGES:
        return None
    if len(parts) >= 2 and parts[1] in _FILE_VIEWS:
        repo_id, rest = parts[0], parts[1:]
        if not is_model_id(repo_id, allow_single=True):
            return None
    elif len(parts) >= 2:
        repo_id, rest = f"{parts[0]}/{parts[1].removesuffix('.git')}", parts[2:]
        if not is_model_id(repo_id):
            return None
    else:
        return None
    rev = rest[1] if len(rest) >= 2 and rest[0] in _FILE_VIEWS and rest[1] else None
    return repo_id, rev
