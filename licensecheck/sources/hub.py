"""Models on the Hugging Face Hub, through huggingface_hub's HTTP client (imported lazily).

Per model: ONE `HfApi.model_info(expand=[cardData, sha, gated, siblings, tags, pipeline_tag,
library_name])` request, then each licence-like file in `siblings` (README.md included, for
the card body) with ONE GET at the commit sha into the HF cache (hub_download.py; where
`hf_hub_download` would make a HEAD and a GET), nothing at all once the file is in the HF
cache (looked up there first, without a request). See ../shared/notes/hub-protocol.md and
docs/performance.md.

Speed without hammering the Hub:

- at most `jobs` requests in flight per source (a semaphore around each model_info and each
  file download); a model's licence files are fetched in parallel, within that bound;
- a 429's Retry-After closes a gate shared by every worker of the source: each of our
  requests waits for the gate, and each 429 it gets closes it (hub_client.py). The shared
  HTTP client of huggingface_hub is used as it is: other users of huggingface_hub in the
  process are not affected (no factory replaced, no client closed, no global switched);
- our requests carry no telemetry (no `/api/agent-harnesses` request, no agent user-agent),
  without switching it off for the process;
- with `keep_dir` (a directory), the model_info answer for a revision given as a commit
  sha is kept on disk: a commit cannot change, so a warm audit of sha-pinned models makes no
  request at all. A branch or tag always costs its one model_info (it may have moved).

Timeouts are explicit: `timeout` bounds model_info (the client has none by default) and each
wait of a download; `deadline` bounds each download as a whole, its retries included.

Failures become `SourceError(kind, message)` with a one-line message and never a token:

- not-found: missing or private repo (401/404 RepoNotFound), missing revision, a listed
  file that is not there;
- gated: only when even model_info is refused. A gated repo normally answers model_info
  (card metadata) and serves README.md; its other files give `gated-file` findings and
  `ModelFacts.gated`, and the audit decides what that means for the verdict;
- network: 408/429/5xx, timeouts, refused or dropped connections, truncated bodies (each
  retried a few times, honouring Retry-After across threads; a timeout is not retried); a
  certificate that is not trusted (not retried: "set SSL_CERT_FILE to your CA bundle");
  a 401/403 without the Hub's `GatedRepo` code ("access denied": a proxy or firewall's
  block page, an expired CDN link), on model_info or on a licence file alike;
- invalid: an answer that cannot be understood.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from licensecheck import __version__, paths, redact
from licensecheck.errors import SourceError
from licensecheck.facts import CardData, Finding, ModelFacts, ModelRef, RepoFile
from licensecheck.sources import DEFAULT_JOBS, default_endpoint, hub_download
from licensecheck.sources import files as filesmod
from licensecheck.sources.card import _find_block, card_data, parse_card
from licensecheck.sources.hub_client import (
    RateGate,
    after_response,
    before_request,
    request_headers,
    wait_from_headers,
)
from licensecheck.sources.hub_info import (
    HubInfo,
    kept_info_path,
    read_kept_info,
    write_kept_info,
)
from licensecheck.sources.interface import ModelSource, check_ref
from licensecheck.sources.refs import is_sha

EXPAND = ["cardData", "sha", "gated", "siblings", "tags", "pipeline_tag", "library_name"]
_EXPAND_QUERY = "&".join(f"expand={value}" for value in EXPAND)  # plain words: no escaping
# Tried when the Hub (or an imitation) gives no file list.
FALLBACK_FILES = ("README.md", "LICENSE")
MAX_FILENAMES = 10_000  # names kept for lineage's format markers (*.gguf, adapter_config.json)
# A "licence file" larger than this is not downloaded (only its first MiB would be read, and
# the HF cache must hold whole files): a finding instead of gigabytes.
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_T = TypeVar("_T")


def one_line(text: str, limit: int = 300) -> str:
    """A message safe to print: one line, bounded, no token-like strings (see redact.py)."""
    return redact.one_line(text, limit)


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return wait_from_headers(headers)


def _server_text(exc: BaseException) -> str:
    message = getattr(exc, "server_message", None) or ""
    return f": {one_line(message, 120)}" if message else ""


def _cause_text(exc: BaseException) -> str:
    """The most useful one-line description of a transport failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if "Timeout" in name:
            return "timed out"
        if name in ("ConnectError", "ConnectionRefusedError"):
            return "connection refused or unreachable"
        if name in ("RemoteProtocolError", "ReadError"):
            return "connection dropped"
        if "Consistency check failed" in str(current):
            return "download incomplete (size mismatch)"
        current = current.__cause__ or current.__context__
    return one_line(str(exc), 160) or type(exc).__name__


def _dropped(exc: BaseException) -> bool:
    """A connection that failed or was dropped, not one that timed out: worth another try
    (a keep-alive connection the server closed meanwhile fails this way on reuse). A
    timeout is not retried: it already cost `timeout`, as for model_info."""
    import httpx2

    seen: set[int] = set()
    current: BaseException | None = exc
    dropped = False
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, httpx2.TimeoutException):
            return False
        dropped = dropped or isinstance(current, (httpx2.NetworkError, httpx2.ProtocolError))
        current = current.__cause__ or current.__context__
    return dropped


UNTRUSTED = "the Hub's certificate is not trusted; set SSL_CERT_FILE to your CA bundle"


def _untrusted(exc: BaseException) -> bool:
    """A TLS certificate that failed verification (a TLS-inspecting proxy whose CA is not
    in the bundle, a self-signed mirror): the same on every try, so never retried."""
    import ssl

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _denied(detail: str) -> str:
    return (
        f"access denied ({detail}) without the Hub's error code: a proxy or firewall "
        "blocks it, or a download link expired"
    )


def _session(get_session: Any) -> Any:
    """huggingface_hub's shared client; one that cannot be built (SSL_CERT_FILE naming a
    file that is no CA bundle) is a one-line network error, not a traceback."""
    try:
        return get_session()
    except (OSError, ValueError) as exc:
        raise SourceError(
            "network",
            f"cannot set up the HTTPS client ({one_line(str(exc), 160)}); "
            "check SSL_CERT_FILE and SSL_CERT_DIR",
        ) from None


# What reading one file gave: its path in the HF cache, the bytes just downloaded, a Finding
# for a gap, None for an expected absence, or the error to raise (in file order).
_Outcome = str | hub_download.Fetched | Finding | BaseException | None


def _offline(ref: ModelRef) -> SourceError:
    """huggingface_hub's offline switch refuses every request of its client, ours included."""
    return SourceError("network", f"{ref.display}: HF_HUB_OFFLINE is set; use --offline")


def _refusals() -> tuple[type[BaseException], ...]:
    """The huggingface_hub errors `HubSource._refusal` translates (imported when one is
    raised: the warm paths import no huggingface_hub)."""
    from huggingface_hub import errors as hf_errors

    return (
        hf_errors.RevisionNotFoundError,
        hf_errors.RepositoryNotFoundError,
        hf_errors.OfflineModeIsEnabled,
    )


class _Transient(Exception):
    """A failure worth one more try (`HubSource._retrying`); `error` is what to raise if it
    is the last. `shared`: the Hub asked every worker to wait (a 429 or 5xx on model_info),
    so the wait closes the shared gate, for `retry_after` seconds when the answer said."""

    def __init__(
        self, error: SourceError, *, shared: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(error.message)
        self.error = error
        self.shared = shared
        self.retry_after = retry_after


class HubSource(ModelSource):
    """Hub models via huggingface_hub. Construct once per run; `fetch` memoises (see base)."""

    name = "hub"

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        cache_dir: str | Path | None = None,
        token: str | bool | None = None,
        timeout: float = 10.0,
        deadline: float = 60.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        gate: RateGate | None = None,
        jobs: int = DEFAULT_JOBS,
        keep_dir: str | Path | None = None,
    ) -> None:
        super().__init__()
        # token None: huggingface_hub's own lookup (HF_TOKEN, then the saved login).
        self.endpoint = (endpoint or default_endpoint()).rstrip("/")
        self.cache_dir = str(cache_dir) if cache_dir is not None else None
        self.token = token
        if isinstance(token, str):
            redact.register_secret(token)  # never printed, whatever echoes it back
        _register_endpoint_credentials(self.endpoint)
        self.timeout = timeout
        self.deadline = deadline
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.gate = gate or RateGate()
        self.jobs = max(1, jobs)
        self._slots = threading.BoundedSemaphore(self.jobs)
        # "cache" in this module is the HF cache (cache_dir). keep_dir is licensecheck's own
        # folder: model_info answers for sha revisions and the branch memory; None: not kept.
        self.keep_dir = Path(keep_dir) if keep_dir is not None else None
        self._headers: dict[str, str] | None = None
        self._known_hosts: hub_download.Hosts | None = None
        # Files of a commit downloaded in this run (see `_download_shared`)
        self._shared_lock = threading.Lock()
        self._file_locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._file_memo: dict[tuple[str, str, str], _Outcome] = {}
        self._resolved_token: str | bool | None = None  # see `_token_to_send`
        self._token_lock = threading.Lock()
        self._warm_up: threading.Thread | None = None
        # model_info answers a listing already gave (sources/hub_search.py), per ref key
        self._known: dict[tuple[str, str | None], HubInfo] = {}

    def remember(self, ref: ModelRef, info: HubInfo) -> None:
        """`info` is what model_info would answer for `ref` (a listing with the same expand
        gave it): fetching `ref` then asks only for its files."""
        self._known[ref.key] = info

    def info(self, ref: ModelRef) -> HubInfo:
        """model_info for `ref` (one request, or none when known), kept for its fetch."""
        check_ref(ref)
        info = self._info(ref)
        self.remember(ref, info)
        return info

    def get(self, url: str) -> Any:
        """One GET on the Hub client as this source sends its requests (token, user agent,
        at most `jobs` in flight, the shared 429 gate, `timeout`); the response, raised for
        status as huggingface_hub raises it."""
        from huggingface_hub import get_session, hf_raise_for_status

        self._ready()
        headers = self._request_headers()
        with self._slots:
            before_request(self)
            response = _session(get_session).get(url, headers=headers, timeout=self.timeout)
            after_response(self, response)
            hf_raise_for_status(response)
        return response

    def warm_up(self, refs: Sequence[ModelRef]) -> None:
        """Set up the HTTP client in the background: huggingface_hub's imports, the token,
        the user agent and the client with its TLS context (~0.12 s of a warm run, before
        which no request can leave). The TLS part runs outside the GIL, beside the caller
        loading the knowledge base and policy. Our first call waits for it (`_ready`), so
        no two threads import the same modules at once. Failures are left to that call.
        Nothing is done when every ref is a commit whose model_info is kept on disk: such a
        run may need no request at all."""
        if self._warm_up is not None or not any(self._needs_request(r) for r in refs):
            return

        def run() -> None:
            try:
                from huggingface_hub import get_session

                self._request_headers()
                get_session()
            except Exception:  # the first real call reports it
                pass

        self._warm_up = threading.Thread(target=run, name="licensecheck-warm-up", daemon=True)
        self._warm_up.start()

    def _needs_request(self, ref: ModelRef) -> bool:
        """Whether fetching `ref` asks the Hub for model_info: always for a branch or tag,
        for a commit sha only when its answer is not kept (bases named in cards aside)."""
        if ref.key in self._known:
            return False
        pinned = ref.revision if is_sha(ref.revision) else None
        if pinned is None:
            return True
        path = self._info_path(ref, pinned)
        return path is None or not path.is_file()

    def _ready(self) -> None:
        thread = self._warm_up
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    # --- model_info -----------------------------------------------------------------------

    def _info(self, ref: ModelRef) -> HubInfo:
        """model_info for `ref`: from a listing, or the info cache for a sha revision, else
        one request."""
        known = self._known.get(ref.key)
        if known is not None:
            return known
        pinned = ref.revision if is_sha(ref.revision) else None
        if pinned is not None:
            cached = self._read_info(ref, pinned)
            if cached is not None:
                return cached
        info = self._model_info(ref)
        if pinned is not None and info.sha == pinned:
            self._write_info(ref, info)
        return info

    def _info_path(self, ref: ModelRef, sha: str) -> Path | None:
        return kept_info_path(self.keep_dir, self.endpoint, ref.repo_id, sha)

    def _read_info(self, ref: ModelRef, sha: str) -> HubInfo | None:
        return read_kept_info(self.keep_dir, self.endpoint, ref.repo_id, sha)

    def _write_info(self, ref: ModelRef, info: HubInfo) -> None:
        write_kept_info(self.keep_dir, self.endpoint, ref.repo_id, info)

    def _request_info(self, ref: ModelRef) -> HubInfo:
        """One model_info request, as `HfApi.model_info(expand=EXPAND)` makes it, on the
        client's shared session, without importing hf_api (a third of a warm run's start)."""
        from urllib.parse import quote

        url = f"{self.endpoint}/api/models/{ref.repo_id}"
        if ref.revision is not None:
            url += f"/revision/{quote(ref.revision, safe='')}"
        # The query as httpx would encode `params={"expand": EXPAND}`, written once: merging
        # params costs the client ~0.25 ms of a ~1.4 ms request.
        url += f"?{_EXPAND_QUERY}"
        return HubInfo.from_payload(self.get(url).json())

    def _token_to_send(self) -> str | bool:
        """The token this run's requests carry, looked up once, as huggingface_hub would
        for `token=None` (HF_TOKEN, then the saved login, unless implicit tokens are off);
        False for none. huggingface_hub otherwise looks it up again for every download
        (~0.2 ms each)."""
        resolved = self._resolved_token
        if resolved is None:
            with self._token_lock:
                if self._resolved_token is None:
                    self._resolved_token = self._lookup_token()
                resolved = self._resolved_token
        return resolved

    def _lookup_token(self) -> str | bool:
        if isinstance(self.token, str) or self.token is False:
            return self.token
        from huggingface_hub import constants, get_token

        if self.token is None and constants.HF_HUB_DISABLE_IMPLICIT_TOKEN:
            return False
        found = get_token()
        if found is None:
            return self.token is True  # True: huggingface_hub raises its "no token" error
        redact.register_secret(found)  # never printed, whatever echoes it back
        return found

    def _model_info(self, ref: ModelRef) -> HubInfo:
        self._ready()
        return self._retrying(lambda: self._model_info_once(ref))

    def _model_info_once(self, ref: ModelRef) -> HubInfo:
        import httpx2
        from huggingface_hub import errors as hf_errors

        self.gate.wait()
        try:
            return self._request_info(ref)
        except hf_errors.GatedRepoError as exc:
            raise SourceError(
                "gated", f"{ref.repo_id}: gated; request access on the Hub{_server_text(exc)}"
            ) from None
        except hf_errors.DisabledRepoError:
            raise SourceError("not-found", f"{ref.repo_id}: repository disabled") from None
        except _refusals() as exc:
            raise self._refusal(ref, exc, ref.revision) from None
        except hf_errors.HfHubHTTPError as exc:
            code = _status(exc)
            error = self._http_error(ref, exc, code)
            if code in _RETRY_STATUS:
                raise _Transient(error, shared=True, retry_after=_retry_after(exc)) from None
            raise error from None
        except httpx2.HTTPError as exc:
            if _untrusted(exc):
                raise self._refusal(ref, exc, ref.revision) from None
            error = SourceError("network", f"{ref.display}: Hub request failed: {_cause_text(exc)}")
            # Transport failures. A timeout is not retried: it already cost `timeout`.
            if isinstance(exc, httpx2.TimeoutException):
                raise error from None
            raise _Transient(error) from None
        except (ValueError, TypeError, KeyError) as exc:
            # Unparseable JSON, or a payload ModelInfo cannot take.
            raise SourceError(
                "invalid", f"{ref.display}: unexpected Hub answer: {one_line(str(exc), 120)}"
            ) from None

    def _retrying(self, call: Callable[[], _T], until: float | None = None) -> _T:
        """The one retry rule for model_info and file downloads: `call()` again after a
        `_Transient`, `retries` times, waiting `backoff` x the attempt (or the Retry-After
        the Hub gave, capped) - at the shared gate when the Hub asked everyone to wait -
        and never past `until` (a monotonic time). The last failure's error is raised."""
        attempt = 0
        while True:
            try:
                return call()
            except _Transient as exc:
                attempt += 1
                after = exc.retry_after
                wait = self.backoff * attempt if after is None else min(after, self.max_retry_after)
                out_of_time = until is not None and wait >= until - time.monotonic()
                if attempt > self.retries or out_of_time:
                    raise exc.error from None
                if exc.shared:
                    self.gate.defer(wait)  # the next call waits at the gate
                else:
                    time.sleep(wait)

    def _refusal(
        self, ref: ModelRef, exc: BaseException, revision: str | None, path: str | None = None
    ) -> SourceError:
        """What model_info and a file download (`path`) both say when the revision or the
        repository is not there, huggingface_hub's offline switch is on, or the Hub's
        certificate is not trusted: one translation of the refusals they share."""
        from huggingface_hub import errors as hf_errors

        if isinstance(exc, hf_errors.RevisionNotFoundError):
            reading = f" when reading {path}" if path is not None else ""
            return SourceError(
                "not-found", f"{ref.display}: revision {revision!r} not found{reading}"
            )
        if isinstance(exc, hf_errors.OfflineModeIsEnabled):
            return _offline(ref)
        if isinstance(exc, hf_errors.RepositoryNotFoundError):
            return SourceError("not-found", self._not_found(ref))
        return SourceError("network", f"{ref.display}: {UNTRUSTED}")

    def _not_found(self, ref: ModelRef) -> str:
        return (
            f"{ref.repo_id}: repository not found on {self.endpoint} (or private: set HF_TOKEN "
            "or run `hf auth login` if you have access)"
        )

    def _http_error(self, ref: ModelRef, exc: BaseException, code: int | None) -> SourceError:
        detail = f"HTTP {code}" if code else "HTTP error"
        if code == 429:
            after = _retry_after(exc)
            hint = f", retry after {after:g}s" if after is not None else ""
            return SourceError("network", f"{ref.display}: rate limited ({detail}{hint})")
        if code is not None and (code >= 500 or code == 408):
            return SourceError("network", f"{ref.display}: Hub unavailable ({detail})")
        if code == 404:
            return SourceError("not-found", self._not_found(ref))
        if code in (401, 403):
            # Not the Hub's GatedRepo or RepoNotFound (caught before): a proxy or
            # firewall's block page, or a refusal the Hub did not explain.
            return SourceError("network", f"{ref.display}: {_denied(detail)}{_server_text(exc)}")
        return SourceError(
            "invalid", f"{ref.display}: Hub refused the request ({detail}){_server_text(exc)}"
        )

    # --- files --------------------------------------------------------------------------

    def _download(
        self, ref: ModelRef, path: str, revision: str
    ) -> hub_download.Fetched | Finding | None:
        """One file fetched, a Finding for a gap, or None for an expected absence.
        One GET (hub_download.py); a dropped connection, a short body, a 5xx or a 429 is
        tried again, `retries` times, all within `deadline` (429s wait at the shared gate)."""
        if not hub_download.safe_repo_path(path):
            return Finding(
                kind="file-unreadable", message=f"{path}: not a plain file name", path=path
            )
        until = time.monotonic() + self.deadline
        return self._retrying(lambda: self._download_once(ref, path, revision, until), until)

    def _download_once(
        self, ref: ModelRef, path: str, revision: str, deadline_at: float
    ) -> hub_download.Fetched | Finding | None:
        import httpx2
        from huggingface_hub import errors as hf_errors
        from huggingface_hub import get_session

        def failed(reason: str) -> SourceError:
            return SourceError("network", f"{ref.display}: {path}: download failed: {reason}")

        try:
            return hub_download.download(
                _session(get_session),
                hub_download.resolve_url(self.endpoint, ref.repo_id, revision, path),
                headers=self._request_headers(),
                repo_cache=self._repo_cache(ref),
                path=path,
                commit=revision if is_sha(revision) else None,
                hosts=self._hosts(),
                timeout=self.timeout,
                deadline_at=deadline_at,
                max_bytes=MAX_DOWNLOAD_BYTES,
                gate=self,
            )
        except hub_download.DeadlineExceeded:
            raise SourceError(
                "network", f"{ref.display}: {path}: download took longer than {self.deadline:g}s"
            ) from None
        except hub_download.TooLarge as exc:
            return Finding(
                kind="file-unreadable",
                message=f"{path}: {exc.size} bytes, larger than {MAX_DOWNLOAD_BYTES}; not read",
                path=path,
            )
        except hub_download.Incomplete as exc:
            raise _Transient(failed(f"download incomplete ({exc})")) from None
        except hub_download.DownloadError as exc:
            raise SourceError(
                "invalid", f"{ref.display}: {path}: unexpected Hub answer: {one_line(str(exc))}"
            ) from None
        except hf_errors.GatedRepoError:
            return Finding(
                kind="gated-file",
                message=f"{path}: gated; request access on the Hub and set HF_TOKEN to read it",
                path=path,
            )
        except hf_errors.RemoteEntryNotFoundError:
            return None
        except _refusals() as exc:
            raise self._refusal(ref, exc, revision, path) from None
        except hf_errors.HfHubHTTPError as exc:
            code = _status(exc)
            if code in (401, 403):
                # Without the Hub's GatedRepo code (a gated file is caught above): a block
                # page or an expired CDN link. The licence was not read: an error.
                raise SourceError(
                    "network", f"{ref.display}: {path}: {_denied(f'HTTP {code}')}"
                ) from None
            error = SourceError("network", f"{ref.display}: {path}: download failed (HTTP {code})")
            if code in _RETRY_STATUS or code == 408:
                raise _Transient(error) from None
            raise error from None
        except httpx2.HTTPError as exc:
            if _untrusted(exc):
                raise self._refusal(ref, exc, revision, path) from None
            if _dropped(exc):
                raise _Transient(failed(_cause_text(exc))) from None
            raise failed(_cause_text(exc)) from None

    def _request_headers(self) -> dict[str, str]:
        """The same for every call of this source (token, user agent), built once."""
        headers = self._headers
        if headers is None:
            token = self._token_to_send()
            if token is True:  # asked for one (token=True), and none is saved or set
                raise SourceError(
                    "invalid", "a Hub token is required: set HF_TOKEN or run `hf auth login`"
                )
            headers = self._headers = request_headers(
                token if isinstance(token, str) else None, __version__
            )
        return headers

    def _hosts(self) -> hub_download.Hosts:
        hosts = self._known_hosts
        if hosts is None:
            hosts = self._known_hosts = hub_download.Hosts.for_endpoint(self.endpoint)
        return hosts

    def _repo_cache(self, ref: ModelRef) -> Path:
        """The repo's folder in the HF cache (`models--org--name`), resolved as
        huggingface_hub resolves it (sources/cache.py)."""
        from licensecheck.sources.cache import default_cache_dir, repo_folder_name

        root = Path(self.cache_dir) if self.cache_dir is not None else default_cache_dir()
        return root / repo_folder_name(ref.repo_id)

    # --- the model ----------------------------------------------------------------------

    def _cached_file(self, ref: ModelRef, path: str, sha: str) -> str | None:
        """The file's path in the HF cache at commit `sha` (snapshots/<sha>/<path>, a link
        to a blob that is there), without a request, or None."""
        candidate = self._repo_cache(ref) / "snapshots" / sha / path
        try:
            return str(candidate) if candidate.is_file() else None
        except (OSError, ValueError):
            return None

    def _download_shared(self, ref: ModelRef, path: str, pin: str) -> _Outcome:
        """`_download` once per file of a commit in this run, however many refs reach it
        (`org/x` and `org/x@v1` at the same commit): the others wait and share it."""
        if not is_sha(pin):
            with self._slots:
                return self._download(ref, path, pin)
        key = (ref.repo_id.lower(), pin, path)
        with self._shared_lock:
            lock = self._file_locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._file_memo:
                return self._file_memo[key]
            cached = self._cached_file(ref, path, pin)  # written by the other meanwhile
            if cached is not None:
                return cached
            with self._slots:
                got = self._download(ref, path, pin)
            self._file_memo[key] = got  # an error is raised, never kept: tried again
            return got

    def _read_files(self, ref: ModelRef, paths: list[str], pin: str) -> list[_Outcome]:
        """Each path's `_download` outcome (an exception is returned, not raised), in order.
        Files already in the HF cache at a sha cost nothing; the others are fetched in
        parallel, each holding one of the source's `jobs` slots."""
        results: list[_Outcome] = [None] * len(paths)
        todo: list[int] = []
        for i, path in enumerate(paths):
            cached = self._cached_file(ref, path, pin) if is_sha(pin) else None
            if cached is not None:
                results[i] = cached
            else:
                todo.append(i)

        def run(i: int) -> None:
            try:
                results[i] = self._download_shared(ref, paths[i], pin)
            except BaseException as exc:  # handed to the caller, in file order
                results[i] = exc

        if todo:
            self._ready()
        # The first file in this thread, the others each in their own (a thread costs
        # ~0.1-0.2 ms of CPU to start and end: one fewer per model).
        threads = [
            threading.Thread(target=run, args=(i,), name="licensecheck-file", daemon=True)
            for i in todo[1:]
        ]
        for thread in threads:
            thread.start()
        if todo:
            run(todo[0])
        for thread in threads:
            thread.join()
        return results

    def _fetch(self, ref: ModelRef) -> ModelFacts:
        info = self._info(ref)
        findings: list[Finding] = []
        sha = info.sha
        if sha is None:
            findings.append(
                Finding(
                    kind="no-revision",
                    message="the Hub gave no commit sha; files read at the branch",
                )
            )
        pin = sha or ref.revision or "main"

        listed = list(info.siblings or ())
        if info.siblings is None:
            findings.append(Finding(kind="no-file-list", message="the Hub gave no file list"))
            wanted = list(FALLBACK_FILES)
        else:
            readme = [p for p in listed if p == filesmod.README]
            wanted = readme + filesmod.select(p for p in listed if p != filesmod.README)
            capped = filesmod.overflow_finding(p for p in listed if p != filesmod.README)
            if capped:
                findings.append(capped)

        texts = [p for p in wanted if filesmod.is_text_name(p)]
        outcomes = dict(zip(texts, self._read_files(ref, texts, pin), strict=True))
        readme_text: str | None = None
        repo_files: list[RepoFile] = []
        for path in wanted:
            if path not in outcomes:
                findings.append(filesmod.not_text_finding(path))
                continue
            got = outcomes[path]
            if isinstance(got, BaseException):
                raise got  # the first failure in file order: the same error every run
            if got is None:
                if info.siblings is not None:
                    raise SourceError(
                        "not-found", f"{ref.display}: {path} is listed but not found at {pin[:12]}"
                    )
                continue
            if isinstance(got, Finding):
                findings.append(got)
                continue
            if isinstance(got, hub_download.Fetched):
                repo_file, file_findings = filesmod.from_bytes(got.data, path)
            else:
                repo_file, file_findings = filesmod.read_file(Path(got), path)
            findings.extend(file_findings)
            if repo_file is None:
                continue
            if path == filesmod.README:
                readme_text = repo_file.text
            else:
                repo_files.append(repo_file)

        if sha is not None:
            self._remember_revision(ref, sha)
            if info.gated and not is_sha(ref.revision):
                # Kept for `--offline`: the HF cache alone cannot tell a gated repo's
                # refused licence files from files that do not exist (sources/cache.py).
                self._write_info(ref, info)
        card, card_text, card_findings = self._card(info, readme_text)
        findings.extend(card_findings)
        findings.extend(_link_gaps(card, listed if info.siblings is not None else None))
        pipeline_tag = info.pipeline_tag or card.pipeline_tag
        return ModelFacts(
            ref=ref,
            source=self.name,
            revision=sha,
            card=card,
            card_text=card_text,
            files=tuple(repo_files),
            gated=info.gated,
            tags=info.tags,
            pipeline_tag=pipeline_tag if isinstance(pipeline_tag, str) else None,
            findings=tuple(findings),
            filenames=tuple(sorted(listed)[:MAX_FILENAMES]),
        )

    def _remember_revision(self, ref: ModelRef, sha: str) -> None:
        """Remember branch/tag -> sha for `--offline`: in licensecheck's own cache (the
        info cache), and as `refs/<rev>` in the HF cache only where none exists. A
        `refs/main` that exists is never moved: huggingface_hub and transformers look up
        every file of the branch at that commit (`local_files_only=True`), and we hold only
        the licence files of the new one. Files are fetched by sha, so nothing else
        writes it."""
        from licensecheck.sources import cache as cachemod

        revision = ref.revision or "main"
        if is_sha(revision):
            return
        folder = self._repo_cache(ref)
        memory = None
        if self.keep_dir is not None:
            memory = cachemod.branch_memory(self.keep_dir, folder.parent, ref.repo_id, revision)
            if cachemod.read_branch_memory(memory, ref.repo_id, revision) == sha:
                return  # a warm run: one read
        # The caches are accelerators: an online run does not need them.
        with contextlib.suppress(OSError):
            hub_download.store_ref(folder, revision, sha)
        if memory is not None:
            entry = cachemod.branch_memory_entry(ref.repo_id, revision, sha)
            with contextlib.suppress(OSError):  # may name a private repo: owner-only
                paths.write_atomic(memory, entry, private=True)

    def _card(
        self, info: HubInfo, readme_text: str | None
    ) -> tuple[CardData, str | None, list[Finding]]:
        """Metadata from the Hub's cardData; the README's own front matter only without it."""
        findings: list[Finding] = []
        mapping = info.card
        if mapping and readme_text is not None:
            # Only the README's body is used: skip its YAML when the body is plain to see.
            body = card_body(readme_text)
            if body is not None:
                card, findings = card_data(mapping, "cardData")
                return self._with_library(card, info), body, findings
        parsed = parse_card(readme_text) if readme_text is not None else None
        if mapping:
            card, findings = card_data(mapping, "cardData")
        elif parsed is not None:
            card = parsed.card
            findings.extend(parsed.findings)
        else:
            card = CardData()
            findings.append(
                Finding(kind="card-missing", message="no card metadata and no README.md")
            )
        return (
            self._with_library(card, info),
            (parsed.body if parsed is not None else None),
            findings,
        )

    @staticmethod
    def _with_library(card: CardData, info: HubInfo) -> CardData:
        library = info.library_name
        if card.library_name is None and isinstance(library, str):
            card = _replace_library(card, library)
        return card


def card_body(text: str) -> str | None:
    """The body `parse_card(text).body` gives when the front matter opens the card and is
    closed (the Hub's own rule for cardData), worked out without parsing its YAML; None
    otherwise (a late or unclosed block, no block: `parse_card` decides)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if first >= len(lines) or lines[first].strip() != "---":
        return None
    closer = _find_block(lines, first)
    if closer is None:
        return None
    return "\n".join(lines[:first] + [""] * (closer + 1 - first) + lines[closer + 1 :])


def _register_endpoint_credentials(endpoint: str) -> None:
    """A mirror behind basic auth (`https://user:pass@host`): the client sends the pair as
    `Authorization: Basic <base64>`; neither form may reach a message if a server echoes it."""
    import base64
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(endpoint)
    if parts.password is None:
        return
    user, password = unquote(parts.username or ""), unquote(parts.password)
    redact.register_secret(password)
    redact.register_secret(base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))


def _replace_library(card: CardData, library: str) -> CardData:
    from dataclasses import replace

    return replace(card, library_name=library)


def _link_gaps(card: CardData, listed: list[str] | None) -> list[Finding]:
    """A relative `license_link` (LICENSE, LICENSE.md) naming a file the repo lacks."""
    link = (card.license_link or "").strip()
    if listed is None or not link or "://" in link or link.startswith(("#", "/")):
        return []
    target = link.split("#", 1)[0].removeprefix("./")
    if not target or target in listed:
        return []
    return [
        Finding(
            kind="license-link-missing",
            message=f"license_link {link!r} names a file the repo does not have",
            path=target,
        )
    ]
