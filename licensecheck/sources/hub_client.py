"""huggingface_hub's shared HTTP client as licensecheck uses it: telemetry off for our calls,
and one 429 gate per source that every one of its requests waits at.

`prepare_client()` (once per process) adds two hooks to the clients huggingface_hub creates;
they act only on a thread inside `acting_for(source)`, so other users of huggingface_hub in
the process are not affected. A 429 seen by any of our requests closes the source's gate for
the wait the Hub asks for (its `RateLimit` header, else Retry-After; capped), and every
request of that source, on any thread, waits for the gate before it is sent.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol


class GatedSource(Protocol):
    """What the hooks need of a source: its gate and how long a 429 may close it."""

    gate: RateGate
    backoff: float  # the wait after a 429 that names none
    max_retry_after: float  # the longest wait a 429 may ask for


# A wait at least this long is announced (`RateGate(on_wait=...)`): a person watching a run
# that stops for half a minute should know why and for how long.
LONG_WAIT = 2.0


class RateGate:
    """Shared by all workers: after a 429 with Retry-After, nobody calls before that time.
    `on_wait(seconds)` is told of each long wait once (not once per waiting worker)."""

    def __init__(self, on_wait: Callable[[float], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._not_before = 0.0
        self._on_wait = on_wait

    def wait(self) -> None:
        with self._lock:
            delay = self._not_before - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def defer(self, seconds: float) -> None:
        with self._lock:
            until = time.monotonic() + seconds
            # Announced when it is long and ends clearly later than the wait already known.
            announce = seconds >= LONG_WAIT and until > self._not_before + 1.0
            self._not_before = max(self._not_before, until)
        if announce and self._on_wait is not None:
            self._on_wait(seconds)


# The source whose call the current thread is making (set by `acting_for` around each of
# our requests), so that the client hooks act only on our requests.
_CURRENT = threading.local()
_PREPARED = False
_PREPARE_LOCK = threading.Lock()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


_RATELIMIT = re.compile(r'"\w+"\s*;\s*r\s*=\s*(?P<r>\d+)\s*;\s*t\s*=\s*(?P<t>\d+)')


def wait_from_headers(headers: Any) -> float | None:
    """How long a 429 asks us to wait: the IETF `RateLimit` header the Hub sends
    (`"api";r=0;t=55`: nothing left in this window, which resets in 55 s), else Retry-After."""
    if headers is None:
        return None
    limit = headers.get("ratelimit")
    match = _RATELIMIT.search(limit) if isinstance(limit, str) else None
    if match is not None and int(match["r"]) == 0:
        return float(match["t"])
    return parse_retry_after(headers.get("retry-after"))


def _request_hook(request: Any) -> None:
    source = getattr(_CURRENT, "source", None)
    if source is not None:
        source.gate.wait()


def _response_hook(response: Any) -> None:
    source = getattr(_CURRENT, "source", None)
    if source is not None and getattr(response, "status_code", None) == 429:
        after = wait_from_headers(response.headers)
        source.gate.defer(source.backoff if after is None else min(after, source.max_retry_after))


def prepare_client() -> None:
    """Once per process, before our first Hub call: telemetry off for our calls, and the
    gate hooks added to the clients huggingface_hub creates (its shared session)."""
    global _PREPARED
    with _PREPARE_LOCK:
        if _PREPARED:
            return
        from huggingface_hub import constants
        from huggingface_hub.utils import _http

        # Read per request by the client: no /api/agent-harnesses fetch, no agent user-agent.
        constants.HF_HUB_DISABLE_TELEMETRY = True
        previous = getattr(_http, "_GLOBAL_CLIENT_FACTORY", None) or _http.default_client_factory

        def factory() -> Any:
            client = previous()
            hooks = client.event_hooks
            client.event_hooks = {
                "request": [*hooks.get("request", ()), _request_hook],
                "response": [*hooks.get("response", ()), _response_hook],
            }
            return client

        _http.set_client_factory(factory)
        _PREPARED = True


@contextlib.contextmanager
def acting_for(source: GatedSource) -> Iterator[None]:
    """Our call on this thread: the client hooks apply `source`'s gate to it."""
    previous = getattr(_CURRENT, "source", None)
    _CURRENT.source = source
    try:
        yield
    finally:
        _CURRENT.source = previous
