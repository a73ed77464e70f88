"""Shared test fixtures: an isolated Hugging Face environment and the loopback Hub imitation.

huggingface_hub reads HF_HOME, the token, telemetry and offline switches at import time, so
they are fixed here, before any test module imports it: a temporary HF_HOME (no real token or
cache is ever used), telemetry and implicit tokens off, no proxy for loopback. Every test that
talks to the imitation passes `endpoint=` and `cache_dir=` explicitly.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_HF_HOME = tempfile.mkdtemp(prefix="licensecheck-test-hf-home-")
atexit.register(shutil.rmtree, _HF_HOME, True)
# licensecheck's own caches (identify index, knowledge base, determinations) go to a
# temporary directory too: tests never read or write the user's cache.
_OWN_CACHE = tempfile.mkdtemp(prefix="licensecheck-test-cache-")
atexit.register(shutil.rmtree, _OWN_CACHE, True)
for _var in (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_ENDPOINT",
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_TOKEN_PATH",
):
    os.environ.pop(_var, None)
os.environ.update(
    {
        "HF_HOME": _HF_HOME,
        "LICENSECHECK_CACHE_DIR": _OWN_CACHE,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DOWNLOAD_TIMEOUT": "3",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
)

sys.path.insert(0, str(Path(__file__).parent))

from hub_server import HubServer, populate  # noqa: E402

# Small numbers so that failure paths take a fraction of a second.
FAST = {"timeout": 1.0, "deadline": 8.0, "backoff": 0.01, "max_retry_after": 0.2}


@pytest.fixture(scope="session")
def hub_server() -> Iterator[HubServer]:
    """One loopback Hub for the session, holding the standard fixture repos."""
    with HubServer() as server:
        populate(server)
        yield server


@pytest.fixture(scope="module")
def mixed_hub() -> Iterator[HubServer]:
    """A Hub serving the mixed set of `_mixed_hub.py`, one per test module."""
    from _mixed_hub import populate_mixed

    with HubServer() as server:
        populate_mixed(server)
        yield server


@pytest.fixture
def hub(hub_server: HubServer) -> Iterator[HubServer]:
    """The session Hub with no faults, no latency and an empty request log."""
    hub_server.reset()
    yield hub_server
    hub_server.reset()


@pytest.fixture
def hf_cache(tmp_path: Path) -> Path:
    """A fresh, empty HF cache directory for one test."""
    path = tmp_path / "hf-cache"
    path.mkdir()
    return path


@pytest.fixture
def hub_source(hub: HubServer, hf_cache: Path) -> Callable[..., Any]:
    """Factory: a HubSource on the imitation and the test's cache, with fast timeouts."""
    from licensecheck.sources.hub import HubSource

    def make(**overrides: Any) -> HubSource:
        options: dict[str, Any] = {"cache_dir": hf_cache, **FAST, **overrides}
        return HubSource(hub.url, **options)

    return make


@pytest.fixture
def cli_env(hub: HubServer, hf_cache: Path) -> dict[str, str]:
    """Environment for running the CLI against the imitation (in-process or subprocess)."""
    return {
        "HF_HUB_CACHE": str(hf_cache),
        "HF_HOME": _HF_HOME,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "LICENSECHECK_HUB_TIMEOUT": "2",
    }


@pytest.fixture(scope="session")
def kb() -> Any:
    """The bundled knowledge base, parsed once for the session (no test changes it)."""
    from licensecheck.knowledge.store import load

    return load()
