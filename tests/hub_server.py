"""A real HTTP server on 127.0.0.1 that imitates the Hugging Face Hub, for tests and benches.

It speaks the part of the Hub protocol huggingface_hub 2.4 uses (see
../shared/notes/hub-protocol.md):

- `GET /api/models/{repo}[/revision/{rev}]` with `?expand=` (only `_id`, `id` and the
  expanded keys come back; an unknown expand value is a 400 like the Hub's);
- `GET /api/models` (HfApi.list_models): `search` (in the id), `author`, `pipeline_tag`,
  `filter` (repeatable; a tag, the library or the task), `sort` (downloads, likes,
  trendingScore, createdAt, lastModified; largest first), `limit` (page size, at most
  `page_size`), `expand` (repeatable; not with `full`, `cardData` or `config`), `full`,
  `cardData`; more results than a page: a `Link: <...&cursor=...>; rel="next"` header, as
  the Hub paginates. Private repos are listed only to an approved token;
- `HEAD`/`GET /{repo}/resolve/{rev}/{path}` of a regular file: as huggingface.co answers, a
  307 to `/api/resolve-cache/models/{repo}/{sha}/{path}?...` (same origin), which serves it
  with `X-Repo-Commit`, a quoted `ETag` (the git blob sha1), `Content-Length`, and `Range`
  support (`HubServer(resolve_cache=False)`: served at /resolve/ itself, as mirrors may);
- LFS-like files (`add_repo(lfs=...)`): a 302 to another origin (`localhost` instead of
  `127.0.0.1`, the same server) with `X-Linked-Etag` (the sha256) and `X-Linked-Size`, the
  bytes then served from `/cdn/{sha256}`;
- a renamed repo (`rename(old, new)`): a 307 to the new name's path, as the Hub answers;
- errors with `X-Error-Code`/`X-Error-Message`: RepoNotFound (401 anonymous, 404 with a
  token), RevisionNotFound, EntryNotFound (+ `X-Repo-Commit`), GatedRepo (401 anonymous,
  403 with a token that is not approved). README.md and .gitattributes of a gated repo are
  served; model_info of a gated repo is 200 with `gated` and `cardData`.

`populate` holds the four gated shapes of the real Hub (`llama_gated_files`: the agreement
and AUP in `extra_gated_prompt`; `gemma_gated_files`: a short prompt, the terms in a gated
LICENSE; `mistral_gated_files`: `license_name` + a web `license_link`, no licence file;
`sd_gated_files`: `license_name` + `license_link: LICENSE.md`, a gated LICENSE.md).

`cardData` is derived from README.md's front matter as the Hub does: only a block that opens
the file (leading blank lines allowed) and parses as a YAML mapping.

Hooks for request-count and fault-injection tests: `requests()` (a log of method, path,
status), `latency` added to every request, and `add_fault()` per path pattern (a
resolve-cache request is matched as `/{repo}/resolve/{sha}/{path}`, and a fault that shapes
a body waits for the request that sends it): an HTTP
status once / n times / always (429 with Retry-After), a dropped connection, a hang beyond
the client's timeout, a truncated body, a wrong size (HEAD), a body that does not match its
ETag (`corrupt`), an ETag or X-Repo-Commit of the test's choosing (`etag`, `commit`,
`value=`), or a proxy's HTML
block page with none of the Hub's headers (`block`, with `status=403`).

`HubServer(tls=context)` serves HTTPS (and counts `connections`, failed handshakes
included); `HubServer(forward_to=url)` is a mirror that answers every request with a 308
to the same path at `url`.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import ssl
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlencode, urlsplit

import yaml

CORPUS = Path(__file__).parent / "data" / "corpus"
APPROVED_TOKEN = "hf_testTokenWithAccess0123456789"  # a token the server grants everything
OTHER_TOKEN = "hf_testTokenWithoutAccess987654321"  # a valid user with no access to gated repos

EXPAND_VALUES = frozenset(
    {
        "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt",
        "disabled", "downloads", "downloadsAllTime", "evalResults", "gated", "gguf",
        "inference", "inferenceProviderMapping", "lastModified", "library_name", "likes",
        "mask_token", "model-index", "pipeline_tag", "private", "resourceGroup",
        "safetensors", "sha", "siblings", "spaces", "tags", "transformersInfo",
        "trendingScore", "usedStorage", "widgetData",
    }
)  # fmt: skip
ALWAYS_SERVED = frozenset({"README.md", ".gitattributes"})

_MODEL_INFO = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+|[^/]+)(?:/revision/(?P<rev>[^/]+))?$")
_LIST = "/api/models"
# Keys a listing gives without `expand` or `full` (as the Hub's /api/models does).
LIST_KEYS = (
    "_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
    "library_name", "createdAt", "modelId",
)  # fmt: skip
LIST_SORTS = frozenset({"downloads", "likes", "trendingScore", "createdAt", "lastModified"})
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+|[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_RESOLVE_CACHE = re.compile(
    r"^/api/resolve-cache/models/(?P<repo>[^/]+/[^/]+|[^/]+)/(?P<rev>[0-9a-f]{40})/(?P<file>.+)$"
)
_SHAPING = frozenset(
    {"truncate", "wrong-size", "corrupt", "etag", "commit"}
)  # faults that shape a body
_CDN = re.compile(r"^/cdn/(?P<sha256>[0-9a-f]{64})$")


def corpus_card(name: str) -> bytes:
    return (CORPUS / "cards" / name).read_bytes()


def corpus_license(name: str) -> bytes:
    return (CORPUS / "licenses" / name).read_bytes()


def make_card(body: str = "# Model\n", **metadata: Any) -> bytes:
    """A README.md with `metadata` as front matter (keys in the given order)."""
    front = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True) if metadata else ""
    return f"---\n{front}---\n\n{body}".encode()


def blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def front_matter(readme: bytes) -> dict[str, Any] | None:
    """cardData the way the Hub derives it: a leading `---` block that is a YAML mapping."""
    data = _front_matter(readme)
    return copy.deepcopy(data) if data is not None else None


@functools.lru_cache(maxsize=4096)
def _front_matter(readme: bytes) -> dict[str, Any] | None:
    # Parsed once per README: the imitation's own CPU must not weigh on what a benchmark
    # measures of the client (the real Hub does this work on its own machines).
    text = readme.decode("utf-8", errors="replace").replace("\r\n", "\n")
    match = re.match(r"^\s*---\n([\s\S]*?)\n---(?:\n|$)", text)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) and data else None


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@dataclass
class Repo:
    repo_id: str
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)  # sha -> files
    refs: dict[str, str] = field(default_factory=dict)  # branch or tag -> sha
    gated: bool | str = False
    private: bool = False
    info: dict[str, Any] = field(default_factory=dict)  # extra model_info fields
    lfs: frozenset[str] = frozenset()  # paths served by a redirect to the CDN origin

    def resolve(self, revision: str) -> str | None:
        if revision in self.refs:
            return self.refs[revision]
        return revision if revision in self.commits else None


@dataclass
class Fault:
    """Misbehave on requests whose path matches `pattern` (and `method`, if given)."""

    pattern: str
    # status | block | drop | hang | truncate | wrong-size | corrupt | etag | commit
    action: str = "status"
    method: str | None = None
    status: int = 500
    error_code: str | None = None  # X-Error-Code to send with the status (EntryNotFound, ...)
    times: int | None = 1  # None: every time
    retry_after: float | None = None
    seconds: float = 30.0  # how long a hang lasts (the server's stop ends it early)
    value: str = ""  # the header an `etag` fault sends
    hits: int = 0

    def take(self, method: str, path: str, shaping: bool = True) -> bool:
        if not shaping and self.action in _SHAPING:
            return False  # left for the request that sends the body (after a redirect)
        if self.method is not None and self.method != method:
            return False
        if not re.search(self.pattern, path):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        return True


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # decoded, without the query string
    status: int  # 0 when the connection was dropped or hung
    query: str = ""
    authorized: bool = False


class _Server(ThreadingHTTPServer):
    # socketserver's listen backlog is 5: a burst of parallel clients would see SYNs
    # dropped and retried a second later, a stall no real Hub front end has.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (a download abandoned at its deadline, a pooled connection
        # closed at exit) is not the server's error: socketserver would print a traceback to
        # whatever sys.stderr is then, a CLI test's captured stderr included.
        if isinstance(sys.exc_info()[1], (ConnectionError, OSError)):
            return
        super().handle_error(request, client_address)

    tls: ssl.SSLContext | None = None
    connections = 0  # accepted, a TLS handshake that failed included

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1  # the serving thread only: no lock needed
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        # The handshake in the request's own thread (a client that refuses our
        # certificate fails it: an OSError, which handle_error keeps quiet).
        with self.tls.wrap_socket(request, server_side=True) as secured:
            super().finish_request(secured, client_address)


class HubServer:
    """The imitation Hub. `with HubServer() as hub:` or start()/stop()."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        page_size: int = 1000,
        resolve_cache: bool = True,
        tls: ssl.SSLContext | None = None,
        forward_to: str | None = None,
    ) -> None:
        self.latency = latency
        self.page_size = page_size  # the most models one /api/models page holds
        self.tls = tls  # serve HTTPS with this context (a certificate of the test's making)
        # A mirror that sends every request on: a 308 to the same path at `forward_to`.
        self.forward_to = forward_to
        self.resolve_cache = resolve_cache  # /resolve/ of a regular file: 307, as the Hub
        self.repos: dict[str, Repo] = {}  # lower-case id -> repo
        self.renamed: dict[str, str] = {}  # lower-case old id -> new id
        self._cdn: dict[str, bytes] = {}  # sha256 -> bytes of the LFS-like files served
        self.tokens = {APPROVED_TOKEN: True, OTHER_TOKEN: False}  # token -> approved for gated
        self._faults: list[Fault] = []
        self._log: list[Request] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._release = threading.Event()  # set by reset(): hung answers end now
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        assert isinstance(host, str)  # an IPv4 socket's address
        return f"{'https' if self.tls is not None else 'http'}://{host}:{port}"

    @property
    def connections(self) -> int:
        """Connections accepted so far (a failed TLS handshake counts: no HTTP request)."""
        assert self._httpd is not None, "server not started"
        return self._httpd.connections  # type: ignore[attr-defined, no-any-return]

    def start(self) -> HubServer:
        server = self

        class Handler(_Handler):
            hub = server

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.tls = self.tls
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget faults, the request log and added latency (repos stay). Answers still
        hanging from a `hang` fault are dropped now, so that the client threads a test
        abandoned to them end instead of lingering into the next test."""
        with self._lock:
            self._faults.clear()
            self._log.clear()
            released, self._release = self._release, threading.Event()
        released.set()
        self.latency = 0.0

    # --- repos ----------------------------------------------------------------------------

    def add_repo(
        self,
        repo_id: str,
        files: Mapping[str, bytes | str],
        *,
        gated: bool | str = False,
        private: bool = False,
        git_tags: Iterable[str] = (),
        lfs: Iterable[str] = (),
        **info: Any,
    ) -> str:
        """Add (or replace) a repo whose `main` holds `files`; returns the commit sha.

        `git_tags` are further refs to the same commit; `lfs` names files served from the
        CDN origin; `info` adds or overrides model_info fields (pipeline_tag, library_name,
        tags: Hub tags, ...).
        """
        repo = Repo(
            repo_id=repo_id, gated=gated, private=private, info=dict(info), lfs=frozenset(lfs)
        )
        with self._lock:
            self.repos[repo_id.lower()] = repo
        return self.add_commit(repo_id, files, refs=("main", *git_tags))

    def add_commit(
        self, repo_id: str, files: Mapping[str, bytes | str], refs: Iterable[str] = ("main",)
    ) -> str:
        data = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}
        digest = hashlib.sha1(repo_id.encode())
        for name in sorted(data):
            digest.update(name.encode() + b"\0" + blob_sha1(data[name]).encode())
        sha = digest.hexdigest()
        with self._lock:
            repo = self.repos[repo_id.lower()]
            repo.commits[sha] = data
            for ref in refs:
                repo.refs[ref] = sha
        return sha

    def rename(self, old_id: str, new_id: str) -> None:
        """Requests naming `old_id` are redirected (307) to `new_id`, as after a Hub rename."""
        with self._lock:
            self.renamed[old_id.lower()] = new_id

    @property
    def cdn_url(self) -> str:
        """The same server under another origin, as a CDN is to the Hub."""
        return self.url.replace("127.0.0.1", "localhost")

    def sha(self, repo_id: str, revision: str = "main") -> str:
        return self.repos[repo_id.lower()].refs[revision]

    # --- hooks ----------------------------------------------------------------------------

    def add_fault(self, pattern: str, action: str = "status", **kwargs: Any) -> Fault:
        fault = Fault(pattern=pattern, action=action, **kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def requests(self, method: str | None = None, contains: str | None = None) -> list[Request]:
        with self._lock:
            log = list(self._log)
        return [
            r
            for r in log
            if (method is None or r.method == method) and (contains is None or contains in r.path)
        ]

    def downloads(self, contains: str | None = None) -> list[Request]:
        """File bodies served (GET on /resolve/ or /api/resolve-cache/ answered 200 or 206,
        or on the CDN origin)."""
        return [
            r
            for r in self.requests("GET", contains)
            if (("/resolve/" in r.path or r.path.startswith("/api/resolve-cache/"))
                and r.status in (200, 206))
            or r.path.startswith("/cdn/")
        ]  # fmt: skip

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # --- internals used by the handler ----------------------------------------------------

    def _fault_for(self, method: str, path: str, shaping: bool = True) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.take(method, path, shaping):
                    return fault
        return None

    def _record(self, request: Request) -> None:
        with self._lock:
            self._log.append(request)


def _full_info(repo: Repo, sha: str) -> dict[str, Any]:
    """Every model_info field the imitation knows for `repo` at commit `sha`."""
    files = repo.commits[sha]
    card = front_matter(files["README.md"]) if "README.md" in files else None
    tags = list(repo.info.get("tags", []))
    if card:
        licences = card.get("license")
        for lic in licences if isinstance(licences, list) else [licences]:
            if isinstance(lic, str) and f"license:{lic}" not in tags:
                tags.append(f"license:{lic}")
        bases = card.get("base_model")
        for base in bases if isinstance(bases, list) else [bases]:
            if isinstance(base, str) and base:
                tags.append(f"base_model:{base}")
    full: dict[str, Any] = {
        "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24],
        "id": repo.repo_id,
        "modelId": repo.repo_id,
        "author": repo.repo_id.split("/")[0] if "/" in repo.repo_id else None,
        "sha": sha,
        "private": repo.private,
        "gated": repo.gated,
        "disabled": False,
        "downloads": 0,
        "likes": 0,
        "tags": tags,
        "pipeline_tag": repo.info.get("pipeline_tag", (card or {}).get("pipeline_tag")),
        "library_name": repo.info.get("library_name", (card or {}).get("library_name")),
        "createdAt": "2025-01-01T00:00:00.000Z",
        "lastModified": "2025-01-02T00:00:00.000Z",
        "siblings": [{"rfilename": name} for name in sorted(files)],
    }
    if card:
        full["cardData"] = _json_safe(card)
    full.update({k: v for k, v in repo.info.items() if k not in ("tags",)})
    return full


class _Handler(BaseHTTPRequestHandler):
    hub: HubServer
    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1.0"
    # TCP_NODELAY, as real Hub front ends set: without it the body, written after the
    # headers, waits for the client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    # --- plumbing -------------------------------------------------------------------------

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization") or ""
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    def _finish(self, method: str, status: int) -> None:
        self.hub._record(
            Request(
                method=method,
                path=unquote(self._split.path),
                status=status,
                query=self._split.query,
                authorized=self._token() is not None,
            )
        )

    def _send(
        self,
        method: str,
        status: int,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        content_length: int | None = None,
    ) -> None:
        # Logged before the answer goes out: a client that has its answer finds it logged.
        self._finish(method, status)
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header(
            "Content-Length", str(len(body) if content_length is None else content_length)
        )
        self.end_headers()
        if method != "HEAD" and body:
            self.wfile.write(body)

    def _error(
        self,
        method: str,
        status: int,
        code: str | None,
        message: str,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        headers = {"Content-Type": "application/json", "X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        headers.update(extra or {})
        self._send(method, status, json.dumps({"error": message}).encode(), headers)

    def _drop(self, method: str) -> None:
        self.close_connection = True
        self._finish(method, 0)

    # --- routing --------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        self._split = urlsplit(self.path)
        if self.hub.latency:
            time.sleep(self.hub.latency)
        raw_path = self._split.path
        if self.hub.forward_to is not None:
            self._send(method, 308, b"", {"Location": f"{self.hub.forward_to}{self.path}"})
            return
        cached = _RESOLVE_CACHE.match(raw_path)
        logical = (
            f"/{unquote(cached['repo'])}/resolve/{cached['rev']}/{unquote(cached['file'])}"
            if cached
            else unquote(raw_path)
        )
        fault = self.hub._fault_for(method, logical, not self._redirects_to_cache(raw_path))
        if fault is not None and self._apply_fault(method, fault):
            return
        truncate = fault is not None and fault.action in _SHAPING
        cdn = _CDN.match(raw_path)
        if cdn:
            data = self.hub._cdn.get(cdn["sha256"])
            if data is None:
                self._error(method, 404, None, "Not Found")
            else:
                self._send(method, 200, data, {"ETag": f'"cdn-{cdn["sha256"][:16]}"'})
            return
        if self._redirect_renamed(method, raw_path):
            return
        if raw_path == _LIST:
            self._list_models(method)
            return
        if cached:
            self._resolve(
                method,
                unquote(cached["repo"]),
                cached["rev"],
                unquote(cached["file"]),
                fault if truncate else None,
                from_cache=True,
            )
            return
        info = _MODEL_INFO.match(raw_path)
        if info:
            self._model_info(
                method, unquote(info["repo"]), info["rev"], fault if truncate else None
            )
            return
        resolve = _RESOLVE.match(raw_path)
        if resolve:
            self._resolve(
                method,
                unquote(resolve["repo"]),
                unquote(resolve["rev"]),
                unquote(resolve["file"]),
                fault if truncate else None,
            )
            return
        self._error(method, 404, None, "Not Found")

    def _apply_fault(self, method: str, fault: Fault) -> bool:
        """Act on a fault; True when the request is fully handled."""
        if fault.action == "status":
            extra = {}
            if fault.retry_after is not None:
                extra["Retry-After"] = f"{fault.retry_after:g}"
            self._error(
                method, fault.status, fault.error_code, f"Injected HTTP {fault.status}", extra
            )
            return True
        if fault.action == "block":  # a proxy's block page: HTML, none of the Hub's headers
            page = (
                b"<html><body><h1>Access denied</h1>Blocked by your network policy.</body></html>"
            )
            self._send(method, fault.status, page, {"Content-Type": "text/html"})
            return True
        if fault.action == "drop":
            self._drop(method)
            return True
        if fault.action == "hang":
            release = self.hub._release
            if not self.hub._stopping.is_set():
                release.wait(fault.seconds)
            self._drop(method)
            return True
        return False  # truncate / wrong-size / corrupt / etag shape the normal answer

    def _redirects_to_cache(self, raw_path: str) -> bool:
        """Whether this /resolve/ request is answered by a 307 to /api/resolve-cache/."""
        match = _RESOLVE.match(raw_path)
        if match is None or not self.hub.resolve_cache:
            return False
        repo = self.hub.repos.get(unquote(match["repo"]).lower())
        sha = repo.resolve(unquote(match["rev"])) if repo is not None else None
        path = unquote(match["file"])
        return sha is not None and path in repo.commits[sha] and path not in repo.lfs  # type: ignore[union-attr]

    def _redirect_renamed(self, method: str, raw_path: str) -> bool:
        for pattern in (_MODEL_INFO, _RESOLVE):
            match = pattern.match(raw_path)
            new_id = self.hub.renamed.get(unquote(match["repo"]).lower()) if match else None
            if match is not None and new_id is not None:
                start, end = match.span("repo")
                location = raw_path[:start] + new_id + raw_path[end:]
                self._send(method, 307, b"", {"Location": location})
                return True
        return False

    def _access(self, method: str, repo: Repo | None, repo_id: str) -> bool:
        token = self._token()
        visible = repo is not None and (not repo.private or token in self.hub.tokens)
        if visible:
            return True
        if token is None:
            self._error(method, 401, "RepoNotFound", "Invalid username or password.")
        else:
            self._error(
                method,
                404,
                "RepoNotFound",
                f"Repository Not Found for url: /api/models/{repo_id}.",
            )
        return False

    def _model_info(self, method: str, repo_id: str, rev: str | None, fault: Fault | None) -> None:
        repo = self.hub.repos.get(repo_id.lower())
        if not self._access(method, repo, repo_id):
            return
        assert repo is not None
        revision = unquote(rev) if rev is not None else "main"
        sha = repo.resolve(revision)
        if sha is None:
            self._error(method, 404, "RevisionNotFound", f"Invalid rev id: {revision}")
            return
        query = parse_qs(self._split.query, keep_blank_values=True)
        expand = query.get("expand", [])
        unknown = [e for e in expand if e not in EXPAND_VALUES]
        if unknown:
            self._error(method, 400, None, f'"expand" must be one of the allowed values: {unknown}')
            return
        if expand and ("blobs" in query or "securityStatus" in query):
            self._error(method, 400, None, "expand cannot be combined with blobs or securityStatus")
            return
        full = _full_info(repo, sha)
        if expand:
            payload = {"_id": full["_id"], "id": full["id"]}
            payload.update({k: full[k] for k in expand if k in full and full[k] is not None})
        else:
            payload = full
        body = json.dumps(payload).encode()
        if fault is not None:  # truncated body: announce all of it, send half
            self._partial(method, 200, body, {"Content-Type": "application/json"})
            return
        self._send(method, 200, body, {"Content-Type": "application/json"})

    def _list_models(self, method: str) -> None:
        """`GET /api/models`, as HfApi.list_models asks and the Hub answers (see the module
        docstring); the cursor is an offset in the sorted list."""
        query = parse_qs(self._split.query, keep_blank_values=True)

        def one(name: str) -> str | None:
            values = query.get(name)
            return values[-1] if values else None

        expand = query.get("expand", [])
        unknown = [e for e in expand if e not in EXPAND_VALUES]
        if unknown:
            self._error(method, 400, None, f'"expand" must be one of the allowed values: {unknown}')
            return
        if expand and any(k in query for k in ("full", "cardData", "config")):
            self._error(method, 400, None, "expand cannot be combined with full or cardData")
            return
        sort = one("sort")
        if sort is not None and sort not in LIST_SORTS:
            self._error(method, 400, None, f'"sort" must be one of {sorted(LIST_SORTS)}')
            return
        try:
            limit = int(one("limit") or self.hub.page_size)
            offset = int(one("cursor") or 0)
        except ValueError:
            self._error(method, 400, None, "limit and cursor must be integers")
            return
        if limit < 1 or offset < 0:
            self._error(method, 400, None, "limit must be positive")
            return
        limit = min(limit, self.hub.page_size)
        token = self._token()
        with self.hub._lock:
            repos = list(self.hub.repos.values())
        rows = [
            {"trendingScore": 0, **_full_info(repo, repo.refs["main"])}
            for repo in repos
            if "main" in repo.refs and (not repo.private or token in self.hub.tokens)
        ]
        search, author, task = one("search"), one("author"), one("pipeline_tag")
        wanted = query.get("filter", [])

        def keep(row: dict[str, Any]) -> bool:
            labels = {*row["tags"], row["library_name"], row["pipeline_tag"]}
            return (
                (not search or search.lower() in row["id"].lower())
                and (not author or (row["author"] or "").lower() == author.lower())
                and (not task or row["pipeline_tag"] == task)
                and all(value in labels for value in wanted)
            )

        rows = sorted((r for r in rows if keep(r)), key=lambda r: r["id"].lower())
        if sort is not None:
            rows.sort(key=lambda r: r.get(sort) or 0, reverse=True)  # stable: ties by id
        page = rows[offset : offset + limit]
        if expand:
            keys = ["_id", "id", *expand]
        else:
            keys = list(LIST_KEYS)
            if "full" in query:
                keys += ["author", "sha", "lastModified", "gated", "disabled", "siblings"]
            if "cardData" in query:
                keys.append("cardData")
        payload = [{k: row[k] for k in keys if k in row and row[k] is not None} for row in page]
        headers = {"Content-Type": "application/json"}
        if offset + limit < len(rows):
            pairs = [(k, v) for k, v in parse_qsl(self._split.query) if k != "cursor"]
            pairs.append(("cursor", str(offset + limit)))
            headers["Link"] = f'<{self.hub.url}{_LIST}?{urlencode(pairs)}>; rel="next"'
        self._send(method, 200, json.dumps(payload).encode(), headers)

    def _partial(self, method: str, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        self._finish(method, status)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
        self.close_connection = True

    def _resolve(
        self,
        method: str,
        repo_id: str,
        rev: str,
        path: str,
        fault: Fault | None,
        from_cache: bool = False,
    ) -> None:
        repo = self.hub.repos.get(repo_id.lower())
        if not self._access(method, repo, repo_id):
            return
        assert repo is not None
        sha = repo.resolve(rev)
        if sha is None:
            self._error(method, 404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return
        token = self._token()
        if repo.gated and path not in ALWAYS_SERVED and not self.hub.tokens.get(token or "", False):
            status = 401 if token is None else 403
            self._error(
                method,
                status,
                "GatedRepo",
                f"Access to model {repo.repo_id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in.",
            )
            return
        files = repo.commits[sha]
        if path not in files:
            self._error(method, 404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": sha})
            return
        data = files[path]
        headers = {
            "X-Repo-Commit": sha,
            "ETag": f'"{blob_sha1(data)}"',
            "Content-Type": "text/plain; charset=utf-8",
            "Accept-Ranges": "bytes",
        }
        if path in repo.lfs:
            digest = hashlib.sha256(data).hexdigest()
            with self.hub._lock:
                self.hub._cdn[digest] = data
            headers.update(
                {
                    "Location": f"{self.hub.cdn_url}/cdn/{digest}",
                    "X-Linked-Etag": f'"{digest}"',
                    "X-Linked-Size": str(len(data)),
                }
            )
            self._send(method, 302, b"", headers)
            return
        if self.hub.resolve_cache and not from_cache:
            # huggingface.co: a regular file's /resolve/ is a 307 to its resolve-cache URL
            # (same origin), which carries the commit and the ETag; the metadata headers
            # are on the redirect too.
            query = urlencode({f"/{repo_id}/resolve/{rev}/{path}": "", "etag": headers["ETag"]})
            location = f"/api/resolve-cache/models/{repo.repo_id}/{sha}/{quote(path)}?{query}"
            self._send(method, 307, b"", {**headers, "Location": location})
            return
        if fault is not None and fault.action == "wrong-size" and method == "HEAD":
            self._send(method, 200, data, headers, content_length=len(data) + 7)
            return
        if fault is not None and fault.action == "etag":
            headers["ETag"] = fault.value
        elif fault is not None and fault.action == "commit":
            headers["X-Repo-Commit"] = fault.value
        elif fault is not None and fault.action == "corrupt" and data:
            data = bytes([data[0] ^ 0x20]) + data[1:]
        elif fault is not None and method == "GET":
            self._partial(method, 200, data, headers)
            return
        start = self._range_start(len(data))
        if start and method == "GET":
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            self._send(method, 206, data[start:], headers)
            return
        self._send(method, 200, data, headers)

    def _range_start(self, size: int) -> int:
        match = re.fullmatch(r"bytes=(\d+)-", (self.headers.get("Range") or "").strip())
        if not match:
            return 0
        start = int(match.group(1))
        return start if 0 < start < size else 0


# --- fixture repos built from the shared corpus -----------------------------------------------

LLAMA_BASE = "meta-llama/Llama-3.1-8B-Instruct"
GEMMA_GATED = "google/gemma-2-2b-it"
MISTRAL_GATED = "mistralai/Mistral-Large-Instruct-2407"
SD_GATED = "stabilityai/stable-diffusion-3.5-large"
KB_TEXTS = Path(__file__).parent.parent / "licensecheck" / "knowledge" / "texts"


def _heading(text: str) -> str:
    """A licence text as Meta's gated cards carry it: its title line as a `###` heading."""
    lines = text.strip().split("\n")
    title = lines[0].replace("*", "").strip()
    return "\n".join([f"### {title}", *lines[1:]]).strip()


def llama_gated_prompt(version: str = "3.1") -> str:
    """Meta's `extra_gated_prompt`: the whole community licence agreement, then the
    acceptable use policy, as on meta-llama/Llama-3.x cards (built from the bundled texts)."""
    licence = (KB_TEXTS / f"llama{version}.txt").read_text(encoding="utf-8")
    aup = (KB_TEXTS / f"llama{version}-acceptable-use-policy.txt").read_text(encoding="utf-8")
    return f"{_heading(licence)}\n\n{_heading(aup)}\n"


def llama_gated_files(version: str = "3.1") -> dict[str, bytes]:
    """A meta-llama repo: the agreement in the card metadata, LICENSE and USE_POLICY.md gated."""
    card = make_card(
        f"## Model Information\n\nThe Meta Llama {version} collection of multilingual large "
        "language models.\n\n**License:** A custom commercial license, the Llama "
        f"{version} Community License, is available at the link above.\n",
        language=["en", "de", "fr", "it", "pt", "hi", "es", "th"],
        license=f"llama{version}",
        pipeline_tag="text-generation",
        tags=["facebook", "meta", "pytorch", "llama", "llama-3"],
        extra_gated_prompt=llama_gated_prompt(version),
        extra_gated_fields={
            "First Name": "text",
            "Last Name": "text",
            "Date of birth": "date_picker",
            "Country": "country",
            "Affiliation": "text",
            "Job title": {
                "type": "select",
                "options": ["Student", "Research Graduate", "AI researcher", "Other"],
            },
            "geo": "ip_location",
            "By clicking Submit below I accept the terms of the license and acknowledge that "
            "the information I provide will be collected stored processed and shared in "
            "accordance with the Meta Privacy Policy": "checkbox",
        },
        extra_gated_description="The information you provide will be collected, stored, "
        "processed and shared in accordance with the [Meta Privacy "
        "Policy](https://www.facebook.com/privacy/policy/).",
        extra_gated_button_content="Submit",
    )
    return {
        "README.md": card,
        "LICENSE": corpus_license(f"llama{version}.txt"),
        "USE_POLICY.md": corpus_license(f"llama{version}-acceptable-use-policy.txt"),
        "config.json": b"{}",
        "original/params.json": b"{}",
    }


def gemma_gated_files() -> dict[str, bytes]:
    """google/gemma-2-*: a short acknowledgement prompt, the terms in a gated LICENSE."""
    card = make_card(
        "# Gemma 2 model card\n\n**Model Page**: [Gemma](https://ai.google.dev/gemma/docs/base)"
        "\n\n**Terms of Use**: [Terms](https://ai.google.dev/gemma/terms)\n",
        license="gemma",
        library_name="transformers",
        pipeline_tag="text-generation",
        extra_gated_heading="Access Gemma on Hugging Face",
        extra_gated_prompt="To access Gemma on Hugging Face, you’re required to review and "
        "agree to Google’s usage license. To do this, please ensure you’re logged in to "
        "Hugging Face and click below. Requests are processed immediately.",
        extra_gated_button_content="Acknowledge license",
        tags=["conversational"],
    )
    return {
        "README.md": card,
        "LICENSE": corpus_license("gemma-v20240401.txt"),
        "config.json": b"{}",
        "model.safetensors": b"\x00" * 64,
    }


def mistral_gated_files() -> dict[str, bytes]:
    """mistralai/Mistral-Large-*: `license: other` + `license_name`/`license_link` to a web
    page, a privacy note as `extra_gated_description`, and no licence file in the repo."""
    card = make_card(
        "# Model Card for Mistral-Large-Instruct-2407\n\nMistral-Large-Instruct-2407 is an "
        "advanced dense Large Language Model (LLM) of 123B parameters.\n",
        license="other",
        license_name="mrl",
        license_link="https://mistral.ai/licenses/MRL-0.1.md",
        language=["en", "fr", "de", "es", "it", "pt", "zh", "ja", "ru", "ko"],
        extra_gated_description="If you want to learn more about how we process your personal "
        'data, please read our <a href="https://mistral.ai/terms/">Privacy Policy</a>.',
    )
    return {
        "README.md": card,
        "params.json": b"{}",
        "consolidated-00001-of-00051.safetensors": b"\x00" * 64,
        "tokenizer.model.v3": b"\x00" * 16,
    }


def sd_gated_files() -> dict[str, bytes]:
    """stabilityai/stable-diffusion-3.5-*: `license_name` + a relative `license_link` to a
    gated LICENSE.md, and a prompt that links the agreement without quoting it."""
    card = make_card(
        "# Stable Diffusion 3.5 Large\n\nPlease note: This model is released under the "
        "[Stability Community License](https://stability.ai/community-license-agreement).\n",
        license="other",
        license_name="stabilityai-ai-community",
        license_link="LICENSE.md",
        tags=["text-to-image", "stable-diffusion", "diffusers"],
        inference=True,
        extra_gated_prompt='By clicking "Agree", you agree to the [License Agreement]'
        f"(https://huggingface.co/{SD_GATED}/blob/main/LICENSE.md) and acknowledge Stability "
        "AI's [Privacy Policy](https://stability.ai/privacy-policy).",
        extra_gated_fields={
            "Name": "text",
            "Email": "text",
            "Country": "country",
            "Organization or Affiliation": "text",
            "What do you intend to use the model for?": {
                "type": "select",
                "options": [
                    "Research",
                    "Personal use",
                    "Creative Professional",
                    "Startup",
                    "Enterprise",
                ],
            },
            "I agree to the License Agreement and acknowledge Stability AI's Privacy Policy": "checkbox",
        },
        language=["en"],
        pipeline_tag="text-to-image",
    )
    return {
        "README.md": card,
        "LICENSE.md": corpus_license("stabilityai-community.txt"),
        "model_index.json": b"{}",
        "sd3.5_large.safetensors": b"\x00" * 64,
    }


def populate(hub: HubServer) -> dict[str, str]:
    """The standard fixture repos; returns repo id -> the licence id its metadata declares."""
    declared: dict[str, str] = {}

    def add(repo_id: str, files: Mapping[str, bytes], licence: str | None, **kw: Any) -> None:
        hub.add_repo(repo_id, files, **kw)
        if licence:
            declared[repo_id] = licence

    add(
        "acme/apache-model",
        {
            "README.md": make_card(
                "# Apache model\n\nReleased under the Apache License 2.0.\n",
                license="apache-2.0",
                pipeline_tag="text-generation",
                library_name="transformers",
            ),
            "LICENSE": corpus_license("apache-2.0.txt"),
            "config.json": b"{}",
            "model.safetensors": b"\x00" * 64,
        },
        "apache-2.0",
    )
    # Microsoft's Phi-3 card (corpus 131.md): `license: mit` and a /resolve/ license_link.
    add(
        "microsoft/Phi-3-mini-128k-instruct",
        {"README.md": corpus_card("131.md"), "LICENSE": corpus_license("mit.txt")},
        "mit",
    )
    # A LoRA on Llama 3.1 (corpus 004.md: base_model as a one-element list).
    add(
        "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU",
        {
            "README.md": corpus_card("004.md"),
            "LICENSE": corpus_license("llama3.1.txt"),
            "USE_POLICY.md": corpus_license("llama3.1-acceptable-use-policy.txt"),
            "adapter_config.json": b"{}",
        },
        "llama3.1",
    )
    # The four gated shapes of the real Hub (see the builders below): model_info and
    # README.md readable by everyone, every other file refused without granted access.
    add(LLAMA_BASE, llama_gated_files(), "llama3.1", gated="manual")
    # A Gemma 2 fine-tune (corpus 106.md) and its gated base.
    add(
        "legal-ai/gemma-2-2b-legal-sft",
        {
            "README.md": corpus_card("106.md"),
            "NOTICE": b"Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms\n",
        },
        "gemma",
    )
    add(GEMMA_GATED, gemma_gated_files(), "gemma", gated="manual")
    add(MISTRAL_GATED, mistral_gated_files(), "mrl", gated="auto")
    add(SD_GATED, sd_gated_files(), "stabilityai-community", gated="auto")
    # Qwen2.5-72B-Instruct quantised (corpus 002.md: license other + license_name qwen).
    add(
        "AGIcafet/openthaigpt-1.6-72b-instruct-NVFP4",
        {"README.md": corpus_card("002.md"), "LICENSE": corpus_license("qwen.txt")},
        "qwen",
    )
    # Kimi K2.6 (corpus 113.md: license other + license_name modified-mit) with the K2 LICENSE.
    add(
        "moonshotai/Kimi-K2.6",
        {"README.md": corpus_card("113.md"), "LICENSE": corpus_license("kimi-k2-modified-mit.txt")},
        "kimi-modified-mit",
    )
    # A private repo, and one whose card has a YAML error (the Hub gives no cardData).
    add(
        "acme/private-model",
        {"README.md": make_card(license="mit"), "LICENSE": corpus_license("mit.txt")},
        None,
        private=True,
    )
    add(
        "acme/template-card",
        {"README.md": corpus_card("115.md")},
        None,
    )
    # Two revisions: v1.0 was apache-2.0, main is now cc-by-nc-4.0.
    hub.add_repo(
        "acme/relicensed",
        {"README.md": make_card(license="apache-2.0"), "LICENSE": corpus_license("apache-2.0.txt")},
        git_tags=("v1.0",),
    )
    hub.add_commit(
        "acme/relicensed",
        {
            "README.md": make_card(license="cc-by-nc-4.0"),
            "LICENSE": corpus_license("cc-by-nc-4.0.txt"),
        },
    )
    declared["acme/relicensed"] = "cc-by-nc-4.0"
    return declared
