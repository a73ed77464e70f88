"""Candidates for `licensecheck alternatives` from the Hub: `GET /api/models`, the request
`HfApi.list_models(pipeline_tag=, search=, author=, filter=, sort=, limit=, expand=)` makes,
sent on the HubSource's client (its token, timeout, `jobs` bound and 429 gate) without
importing hf_api.

The listing asks for the same fields `HubSource` asks model_info for, so each listed model's
answer is handed to the source (`HubSource.remember`): auditing a candidate then costs only
its licence files (none once they are in the HF cache), not another model_info. Pages follow
the `Link: <...>; rel="next"` header as huggingface_hub's `paginate` does, but only on the
endpoint's own origin (a next page elsewhere would carry the token away), and at most
`MAX_PAGES` of them. Any failure of the search itself is a `SourceError` with one line.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from licensecheck.alternatives import Candidate, Excluded, Query
from licensecheck.errors import SourceError, UsageError
from licensecheck.facts import ModelRef
from licensecheck.sources.hub import EXPAND, HubSource, one_line
from licensecheck.sources.hub_info import HubInfo
from licensecheck.sources.refs import check_repo_id

# --sort -> the Hub's sort key (as list_models maps trending_score, created_at)
SORT_KEYS = {
    "downloads": "downloads",
    "likes": "likes",
    "trending": "trendingScore",
    "created": "createdAt",
}
LIST_EXPAND = [*EXPAND, "downloads", "likes", "createdAt", "trendingScore"]
MAX_PAGES = 10
MAX_PAGE = 1000  # the most the Hub lists per page
# More rows than --limit, so that MODEL itself and its own derivatives, usually high in the
# same listing, can be left out without a second page.
SLACK = 10


@dataclass(frozen=True)
class Listed:
    """One listed model: what ranking needs, and the model_info answer the audit needs."""

    candidate: Candidate
    info: HubInfo


def search_url(endpoint: str, query: Query, page_size: int) -> str:
    """The first page's URL, its parameters in the order list_models puts them."""
    params: list[tuple[str, str]] = []
    if query.library:
        params.append(("filter", query.library))
    if query.author:
        params.append(("author", query.author))
    if query.task:
        params.append(("pipeline_tag", query.task))
    if query.search:
        params.append(("search", query.search))
    params.append(("sort", SORT_KEYS[query.sort]))
    params.append(("limit", str(page_size)))
    params.extend(("expand", value) for value in LIST_EXPAND)
    return f"{endpoint.rstrip('/')}/api/models?{urlencode(params)}"


def pages(hub: HubSource, query: Query) -> Iterator[list[Listed | Excluded]]:
    """The listing, one page at a time (the caller stops when it has enough); an entry that
    names no valid model id is an `Excluded`, so that nothing disappears unsaid."""
    url: str | None = search_url(hub.endpoint, query, min(MAX_PAGE, query.limit + SLACK))
    origin = _origin(hub.endpoint)
    for _ in range(MAX_PAGES):
        if url is None:
            return
        response = _get(hub, url)
        try:
            payload = response.json()
        except ValueError as exc:
            raise _failed("invalid", f"not JSON ({one_line(str(exc), 80)})") from None
        if not isinstance(payload, list):
            raise _failed("invalid", f"a {type(payload).__name__}, not a list of models")
        yield [_listed(item) for item in payload]
        following = response.links.get("next", {}).get("url")
        if following is not None and _origin(following) != origin:
            raise _failed("invalid", "the next page is on another origin; not followed")
        url = following


def remember(hub: HubSource, listed: Listed) -> ModelRef:
    """The candidate's reference, with its model_info answer handed to the source when the
    listing gave all of it (a commit sha and a file list: a Hub that ignored `expand` did
    not, and the audit then asks model_info itself)."""
    ref = ModelRef(listed.candidate.model)
    if listed.info.sha is not None and listed.info.siblings is not None:
        hub.remember(ref, listed.info)
    return ref


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port (a mirror's `user:pass@` aside: its links may omit it)."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number: no origin of ours
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _failed(kind: str, detail: str) -> SourceError:
    return SourceError(kind, f"Hub search failed: {detail}")


def _get(hub: HubSource, url: str) -> Any:
    """One page, retried as model_info is (429 and 5xx after the Retry-After the gate
    honours, dropped connections; not a timeout)."""
    import httpx2
    from huggingface_hub import errors as hf_errors

    from licensecheck.sources.hub import _RETRY_STATUS, _cause_text, _retry_after, _status

    attempt = 0
    while True:
        try:
            return hub.get(url)
        except hf_errors.OfflineModeIsEnabled:
            raise _failed("network", "HF_HUB_OFFLINE is set; use --offline") from None
        except hf_errors.HfHubHTTPError as exc:
            code = _status(exc)
            if code in _RETRY_STATUS and attempt < hub.retries:
                attempt += 1
                after = _retry_after(exc)
                wait = hub.backoff * attempt if after is None else min(after, hub.max_retry_after)
                hub.gate.defer(wait)
                continue
            server = getattr(exc, "server_message", None) or ""
            detail = f"HTTP {code}" if code else "HTTP error"
            if code == 429 or (code is not None and code >= 500):
                raise _failed("network", f"Hub unavailable ({detail})") from None
            text = f": {one_line(server, 120)}" if server else ""
            raise _failed("invalid", f"the Hub refused the search ({detail}){text}") from None
        except httpx2.HTTPError as exc:
            if attempt < hub.retries and not isinstance(exc, httpx2.TimeoutException):
                attempt += 1
                time.sleep(hub.backoff * attempt)
                continue
            raise _failed("network", _cause_text(exc)) from None


def _listed(item: Any) -> Listed | Excluded:
    """One entry of the listing, or why it cannot be a candidate (a hostile or broken answer
    cannot name a path)."""
    name = item.get("id") if isinstance(item, dict) else None
    if not isinstance(name, str):
        return Excluded("?", "the listing gave an entry without a model id")
    try:
        model = check_repo_id(name, "listed model")
        info = HubInfo.from_payload(item)
    except (UsageError, ValueError) as exc:
        return Excluded(one_line(name, 100), f"not a model entry ({one_line(str(exc), 120)})")
    card = info.card or {}
    bases = card.get("base_model")
    base_list = bases if isinstance(bases, list) else [bases]
    return Listed(
        candidate=Candidate(
            model=model,
            task=info.pipeline_tag,
            downloads=_number(item.get("downloads"), int),
            likes=_number(item.get("likes"), int),
            created_at=item["createdAt"] if isinstance(item.get("createdAt"), str) else None,
            trending_score=_number(item.get("trendingScore"), float),
            tags=info.tags,
            base_models=tuple(b for b in base_list if isinstance(b, str) and b.strip()),
        ),
        info=info,
    )


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return kind(value)
