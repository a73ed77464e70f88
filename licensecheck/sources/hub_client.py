"""What licensecheck adds to huggingface_hub's shared HTTP client for its own requests: a
429 gate per source that every one of its requests waits at, and headers without telemetry.

A good library citizen: nothing here changes the client for anyone else. We do not replace
its factory (`set_client_factory` closes the shared client under any thread using it) nor
switch telemetry off for the process (`constants.HF_HUB_DISABLE_TELEMETRY`). Our requests
are few and made by our own code (model_info, and the GETs of hub_download.py, whose
redirects we follow by hand), so each one calls `before_request` and `after_response`
itself. A 429 seen by any of them closes the source's gate for the wait the Hub asks for
(its `RateLimit` header, else Retry-After; capped), and every request of that source, on
any thread, waits for the gate before it is sent.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
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


def before_request(source: GatedSource) -> None:
    """Wait until the source's gate opens (a 429 seen by any of its workers closes it)."""
    source.gate.wait()


def after_response(source: GatedSource, response: Any) -> None:
    """A 429 closes the source's gate for the wait it asks for (capped), or `backoff`."""
    if getattr(response, "status_code", None) == 429:
        after = wait_from_headers(response.headers)
        source.gate.defer(source.backoff if after is None else min(after, source.max_retry_after))


def request_headers(token: str | None, library_version: str) -> dict[str, str]:
    """The headers of our requests: `build_hf_headers`' user agent without its telemetry
    part (the torch version and the AI-agent detection, which fetches
    `/api/agent-harnesses` and writes under HF_HOME), and the token, if any."""
    import platform

    from huggingface_hub import __version__ as hf_version
    from huggingface_hub import constants

    agent = (
        f"licensecheck/{library_version}; hf_hub/{hf_version}; python/{platform.python_version()}"
    )
    origin = getattr(constants, "HF_HUB_USER_AGENT_ORIGIN", None)
    if origin:
        agent += f"; origin/{origin}"
    headers = {"user-agent": agent}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return headers
