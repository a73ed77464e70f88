"""What `scan`, `lock`, `sbom` and `notice --from-scan` share about the project they look
at: its root, its lock and policy (found from the root upwards), the references discovery
finds in it and the source that answers from the lock. The commands are in their own
modules; none imports another's.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from licensecheck.cli.compose import build_source
from licensecheck.cli.options import ModelOptions, is_offline
from licensecheck.errors import UsageError

if TYPE_CHECKING:
    from licensecheck.discovery import Discovery, FoundRef
    from licensecheck.facts import ModelRef
    from licensecheck.knowledge.store import KnowledgeBase
    from licensecheck.lockfile import Lock
    from licensecheck.policy.model import Policy
    from licensecheck.results import AuditReport
    from licensecheck.sources.interface import Source
    from licensecheck.sources.lock import LockSource


def lock_options(func: Any) -> Any:
    func = click.option(
        "--lockfile",
        metavar="FILE",
        help="The lock file. Default: licensecheck.lock in the scan root, else in the current "
        "directory.",
    )(func)
    return func


# --- where things are ------------------------------------------------------------------------


def scan_root(paths: Sequence[str]) -> Path:
    """The directory reported paths are relative to: a single directory argument, else `.`."""
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0])
    return Path(".")


def policy_for(opts: ModelOptions, kb: KnowledgeBase, root: Path) -> Policy:
    """An explicit --policy/--preset; else the policy configured in the scan root or its
    parents up to the repository root; else the working directory's (and its parents').

    The loaded policy is kept in the user cache while its files are unchanged (the warm path
    then parses and validates no YAML)."""
    from licensecheck.cli.compose import resolve_policy
    from licensecheck.policy.load import find_config

    explicit = opts.policy or opts.preset
    cwd = Path.cwd() if explicit or find_config(root) is None else root
    return resolve_policy(opts, kb, cwd)


def lock_path(root: Path, explicit: str | None, *, for_writing: bool = False) -> Path:
    """--lockfile; else the nearest licensecheck.lock from the scan root up to the
    repository root, else from the working directory up; else a new one in the scan root
    (writing) or the working directory."""
    from licensecheck.paths import LOCK_NAME, find_upwards

    if explicit:
        return Path(explicit)
    found = find_upwards(root, LOCK_NAME)
    if found is None and not for_writing:
        found = find_upwards(Path("."), LOCK_NAME)
    if found is not None:
        return found
    return root / LOCK_NAME if for_writing else Path(LOCK_NAME)


def display_path(path: Path) -> str:
    return path.as_posix() if not path.is_absolute() else str(path)


def uri_prefix(root: Path) -> str:
    """The scan root relative to the working directory (for SARIF URIs), or "" if outside."""
    try:
        rel = Path(os.path.relpath(root.resolve(), Path.cwd().resolve())).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." or rel.startswith("..") else rel


# --- the knowledge base, warm ------------------------------------------------------------------


def load_kb_warm() -> KnowledgeBase:
    """The knowledge base from the user cache when unchanged (`store.load_cached()`); kept
    here for the commands that import it from this module."""
    from licensecheck.knowledge.store import load_cached

    return load_cached()


# --- auditing with a lock ----------------------------------------------------------------------


def read_lock(path: Path, *, required: bool) -> Lock | None:
    from licensecheck import lockfile
    from licensecheck.paths import is_file

    if not is_file(path):
        if required:
            raise UsageError(
                f"{display_path(path)}: no lock file; run `licensecheck lock` to create it"
            )
        return None
    return lockfile.read(path)


def build_scan_source(opts: ModelOptions, lock: Lock | None) -> tuple[Source, LockSource | None]:
    """Offline with a lock: the lock first, then the HF cache and local directories.
    Online: the Hub (the lock is only compared against)."""
    if lock is not None and is_offline(opts):
        from licensecheck.sources.lock import LockSource

        lock_source = LockSource(lock, fallback=build_source(opts))
        return lock_source, lock_source
    return build_source(opts), None


def check_locked(lock: Lock, refs: Sequence[ModelRef], where: dict[str, str]) -> None:
    """`--locked`: every referenced model must be in the lock (exit 2 otherwise)."""
    missing = [ref for ref in refs if lock.lookup(ref) is None]
    if missing:
        shown = ", ".join(f"{ref.display} ({where.get(ref.display, '?')})" for ref in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise UsageError(
            f"{lock.path}: --locked, but no entry for {shown}{more}; run `licensecheck lock`"
        )


def attach_references(
    report: AuditReport, groups: Sequence[Sequence[FoundRef]], discovery: Discovery
) -> AuditReport:
    """The places that reference each model, and the files discovery read incompletely."""
    from licensecheck.results import FileFinding, Reference

    results = tuple(
        dataclasses.replace(r, references=tuple(Reference(f.path, f.line) for f in group))
        for r, group in zip(report.results, groups, strict=True)
    )
    files = tuple(FileFinding(p.kind, p.path, p.line, p.message) for p in discovery.problems)
    return dataclasses.replace(report, results=results, file_findings=files)


def warn(message: str) -> None:
    click.echo(f"licensecheck: warning: {message}", err=True)


def discover_models(
    paths: Sequence[str], root: Path, output: str | None = None
) -> tuple[Discovery, list[tuple[tuple[str, str | None], list[FoundRef]]]]:
    """Discovery plus the referenced models: [((repo_id, revision), [FoundRef...]), ...].
    Problems are reported on stderr as warnings. `output`, the file this run writes its
    report to, is never read (whatever its format: an earlier run's report is no input)."""
    from licensecheck.discovery import discover, unique_models
    from licensecheck.discovery.cache import DiscoveryCache
    from licensecheck.discovery.walk import rel_name

    cache = DiscoveryCache.open(root)  # unchanged files are not parsed again
    discovery = discover([Path(p) for p in paths] or [root], root, cache=cache)
    if output is not None:
        own = rel_name(Path(output), root)
        discovery = dataclasses.replace(
            discovery,
            refs=tuple(r for r in discovery.refs if r.path != own),
            problems=tuple(p for p in discovery.problems if p.path != own),
        )
    for problem in discovery.problems:
        warn(str(problem))
    return discovery, unique_models(discovery.refs)


def shadowed(
    models: Sequence[tuple[tuple[str, str | None], list[FoundRef]]], root: Path
) -> frozenset[str]:
    """The referenced Hub ids that are also folders in the scan root or the working
    directory. The Hub model is judged; the report says a folder was not."""
    from licensecheck.paths import shadowing_folder

    bases = dict.fromkeys((root, Path(".")))
    return frozenset(
        repo_id for (repo_id, _), _ in models if shadowing_folder(repo_id, *bases) is not None
    )


def as_refs(
    models: Sequence[tuple[tuple[str, str | None], list[FoundRef]]],
    shadows: frozenset[str] = frozenset(),
) -> list[tuple[ModelRef, list[FoundRef]]]:
    from licensecheck.facts import ModelRef

    return [
        (ModelRef(repo_id, revision, shadow=repo_id if repo_id in shadows else None), found)
        for (repo_id, revision), found in models
    ]


def discover_refs(
    paths: Sequence[str], root: Path
) -> tuple[Discovery, list[tuple[ModelRef, list[FoundRef]]]]:
    """Discovery plus the grouped models: [(ModelRef, [FoundRef...]), ...]."""
    discovery, models = discover_models(paths, root)
    return discovery, as_refs(models, shadowed(models, root))


# --- replaying a lock-decided run (replay.py) -------------------------------------------------
