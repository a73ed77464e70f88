"""sources stage: where the facts about a model are read (the Hub, the HF cache, a local
directory, a lock file). The Hub's address and how many requests go to it at once are
defined here once, for the sources, the CLI and the SBOM formats."""

from __future__ import annotations

import os

DEFAULT_ENDPOINT = "https://huggingface.co"  # huggingface_hub's own default
DEFAULT_JOBS = 32  # Hub requests in flight at once (docs/performance.md)


def default_endpoint() -> str:
    """HF_ENDPOINT (as huggingface_hub reads it), else the public Hub; no trailing '/'."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
