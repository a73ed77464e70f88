"""Candidates for `licensecheck alternatives --offline`: the models in the local HF cache.

Each `models--{org}--{name}` folder is a candidate at the revision `refs/main` names, or at
its only snapshot when no branch is recorded (a download pinned to a sha). What task each
one performs comes from the model_info answers licensecheck kept (`HubSource.keep_dir`,
`hub-info/*.json`) and, failing that, from the cached card's `pipeline_tag` (the caller
reads the card through `CacheSource`). No network, no huggingface_hub import.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from licensecheck import paths
from licensecheck.alternatives import Candidate, Excluded
from licensecheck.errors import UsageError
from licensecheck.sources.refs import check_repo_id, is_sha

PREFIX = "models--"
MAX_MODELS = 5000  # cache folders looked at
MAX_KEPT = 5000  # kept model_info entries read for their task
MAX_KEPT_BYTES = 4 * 1024 * 1024


def cached_models(cache_dir: Path) -> tuple[list[Candidate], list[Excluded]]:
    """Every model folder of the cache, in id order (the cache knows no downloads), and the
    folders that cannot be a candidate with why."""
    try:
        entries = sorted(
            (e.name for e in os.scandir(cache_dir) if e.name.startswith(PREFIX) and e.is_dir()),
            key=str.lower,
        )[:MAX_MODELS]
    except OSError:
        return [], []
    found: list[Candidate] = []
    left_out: list[Excluded] = []
    for name in entries:
        repo_id = name[len(PREFIX) :].replace("--", "/", 1)
        try:
            check_repo_id(repo_id, "cached model")
        except UsageError:
            left_out.append(Excluded(name, "not a model id"))
            continue
        folder = cache_dir / name
        if (folder / "refs" / "main").is_file():
            found.append(Candidate(model=repo_id))
            continue
        snapshots = _snapshots(folder)
        if len(snapshots) == 1:
            found.append(Candidate(model=repo_id, revision=snapshots[0]))
        else:
            why = "no snapshot" if not snapshots else "several snapshots and no refs/main"
            left_out.append(Excluded(repo_id, f"in the HF cache with {why}"))
    return found, left_out


def _snapshots(folder: Path) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(folder / "snapshots") if is_sha(e.name))
    except OSError:
        return []


def kept_tasks(keep_dir: Path | None) -> dict[str, str]:
    """Lower-case repo id -> pipeline_tag, from the model_info answers kept on disk."""
    if keep_dir is None:
        return {}
    try:
        names = sorted(e.path for e in os.scandir(keep_dir / "hub-info") if e.is_file())
    except OSError:
        return {}
    tasks: dict[str, str] = {}
    for path in names[:MAX_KEPT]:
        try:
            entry = json.loads(paths.read_bytes(Path(path), MAX_KEPT_BYTES))
        except (OSError, ValueError, RecursionError):
            continue  # an accelerator's entry: damaged means ignored
        if not isinstance(entry, dict) or not isinstance(entry.get("info"), dict):
            continue
        repo, task = entry.get("repo"), entry["info"].get("pipeline_tag")
        if isinstance(repo, str) and isinstance(task, str) and task:
            tasks.setdefault(repo.lower(), task)
    return tasks
