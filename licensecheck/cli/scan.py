"""`licensecheck scan [PATH...]`: find the models code and configs reference, and audit them.

This is the pre-commit and CI entry point. With no PATH it scans the current directory; with
file names (what pre-commit passes) it scans only those files. Each result carries the places
that reference the model (`references: [{path, line}]`, paths relative to the scan root: the
directory given when a single directory is scanned, else the current directory).

`licensecheck.lock` and the policy are looked up in the scan root and its parent folders up to
the repository root, then in the current directory and its parents. With a lock:

- `--offline`: models the lock holds are judged from it (no network, no HF cache); others
  come from the HF cache or fail as not found;
- `--locked`: every referenced model must be in the lock (else exit 2, nothing judged);
  together with `--offline` nothing outside the lock is needed;
- online (the default), models are resolved on the Hub again and compared with the lock: a
  model whose licence differs is *drift*: a `lock-drift` finding, its allowed uses become
  `review`, and the exit status is at least 1.

The warm path (lock present, `--offline`) imports neither huggingface_hub nor rich. Discovery
keeps what it found per file (`discovery/cache.py`), and a run the lock decided entirely is
recorded so that the same run again replays its report without auditing (`replay.py`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from licensecheck.cli.options import (
    EXIT_ERROR,
    EXIT_FAIL,
    ModelOptions,
    build_source,
    choose_format,
    endpoint,
    exit_status,
    guarded,
    is_offline,
    make_auditor,
    model_options,
    note_ignored_waivers,
    resolve_uses,
    today,
)
from licensecheck.cli.output import (
    emit_report,
    is_terminal,
    progress,
    table_width,
    terminal_width,
    use_color,
    write_report,
)
from licensecheck.errors import UsageError

if TYPE_CHECKING:
    from licensecheck.discovery import Discovery, FoundRef
    from licensecheck.facts import ModelRef
    from licensecheck.knowledge.store import KnowledgeBase
    from licensecheck.lockfile import Lock
    from licensecheck.policy.model import Policy
    from licensecheck.results import AuditReport
    from licensecheck.sources.interface import ModelSource
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
    from licensecheck.cli.options import resolve_policy
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

    if not path.is_file():
        if required:
            raise UsageError(
                f"{display_path(path)}: no lock file; run `licensecheck lock` to create it"
            )
        return None
    return lockfile.read(path)


def build_scan_source(
    opts: ModelOptions, lock: Lock | None
) -> tuple[ModelSource, LockSource | None]:
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


def apply_drift(report: AuditReport, lock: Lock) -> tuple[AuditReport, int]:
    """Compare each model judged from a live source with its lock entry. A changed licence
    adds a `lock-drift` finding and turns the model's allowed uses into `review`."""
    from licensecheck.facts import ModelRef
    from licensecheck.lockfile import DRIFT_PREFIX, UPGRADE_PREFIX, drift, upgrade
    from licensecheck.results import Reason

    results = []
    drifted = 0
    for r in report.results:
        ref_id, _, ref_rev = r.model.partition("@")
        entry = lock.lookup(ModelRef(ref_id, ref_rev or None))
        if r.status != "ok" or r.determination is None or entry is None or r.source == "lock":
            results.append(r)
            continue
        message = drift(entry, r.determination, r.effective_licenses)
        if message is None:
            better = upgrade(entry, r.determination)
            if better is not None:  # the same licence, now read: a note, not drift
                r = dataclasses.replace(r, findings=(*r.findings, UPGRADE_PREFIX + better))
            results.append(r)
            continue
        drifted += 1
        reason = Reason("lock:drift", f"licence changed since {lock.path}: {message}", "review")
        verdicts = {
            use: dataclasses.replace(
                v,
                verdict="review" if v.verdict == "allow" else v.verdict,
                reasons=(*v.reasons, reason),
            )
            for use, v in r.verdicts.items()
        }
        results.append(
            dataclasses.replace(
                r, verdicts=verdicts, findings=(*r.findings, DRIFT_PREFIX + message)
            )
        )
    return dataclasses.replace(report, results=tuple(results)), drifted


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
    from licensecheck.sources.refs import shadowing_folder

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


def replay_fingerprint(
    options: dict[str, Any],
    fmt: str,
    root: Path,
    lockfile_path: Path,
    discovery: Discovery,
    shadows: frozenset[str] = frozenset(),
) -> str:
    from licensecheck.cli import replay

    return replay.fingerprint(
        options=options,
        fmt=fmt,
        root=root,
        lock=lockfile_path,
        today=today().isoformat(),
        found=repr((discovery.refs, discovery.problems, sorted(shadows))),
        width=terminal_width() if fmt == "table" else None,
    )


def replay_lookup(root: Path, key: str, output: str | None) -> int | None:
    """Write the recorded report and return its exit status; None if there is none."""
    from licensecheck.cli import replay

    entry = replay.lookup(root, key)
    if entry is None:
        return None
    emit_report(entry.text, output)
    return entry.status


def replay_policy_files(policy: Policy) -> tuple[tuple[str, str], ...]:
    from licensecheck.cli import replay

    return replay.policy_files(policy.sources)


def replay_record(
    root: Path,
    key: str,
    policy_files: tuple[tuple[str, str], ...],
    text: str,
    status: int,
    *,
    unchanged: Callable[[], bool],
) -> None:
    """Keep this run for replay if no input changed while it ran."""
    from licensecheck.cli import replay

    if policy_files and unchanged():
        replay.record(root, replay.Replay(key, policy_files, text, status))


def render_report(
    fmt: str,
    report: AuditReport,
    kb: KnowledgeBase,
    opts: ModelOptions,
    *,
    root: Path,
    notes: Sequence[str],
) -> str:
    from licensecheck.formats import RenderOptions, render

    table = fmt == "table"
    options = RenderOptions(
        kb=kb,
        color=table and opts.output is None and use_color(),
        width=table_width(fmt, opts.output),  # only a table on a terminal lays out to a width
        hub_url=None if is_offline(opts) else endpoint(opts),  # SBOM locations, as audit
        uri_prefix=uri_prefix(root),
        notes=tuple(notes),
    )
    return render(fmt, report, options)


@click.command("scan")
@click.argument("paths", nargs=-1, metavar="[PATH...]")
@model_options
@click.option(
    "--locked",
    is_flag=True,
    help="Fail (exit 2) if licensecheck.lock is missing a referenced model; a licence that "
    "differs from the lock fails too.",
)
@lock_options
def scan(paths: tuple[str, ...], **options: Any) -> None:
    """Find the models that code, configs and notebooks reference, and audit them.

    PATH is a directory (default: the current one) or files to scan (pre-commit passes the
    changed files). Python files (.py), notebooks (.ipynb) and configs (.yaml, .yml, .json,
    .toml) are read; a notebook reference is reported at its line in the .ipynb file.
    Add `# licensecheck: ignore` to a line to skip the reference on it.

    Exit status: 0 all allowed (or no references); 1 a review or deny, or licence drift
    from licensecheck.lock; 2 usage or configuration error; 3 a model could not be evaluated.
    """
    opts = ModelOptions.from_kwargs(options)
    locked = bool(options.get("locked"))
    with guarded():
        for p in paths:
            if not os.path.lexists(p):
                raise UsageError(f"{p}: no such file or directory")
        root = scan_root(paths)
        fmt = choose_format(opts, is_terminal("stdout") and opts.output is None)
        discovery, models = discover_models(paths, root, opts.output)
        if not models:
            click.echo(
                f"licensecheck: no model references found ({discovery.files} files scanned)",
                err=True,
            )
        lockfile_path = lock_path(root, options.get("lockfile"))
        shadows = shadowed(models, root)
        replay_key = None
        if not models or (is_offline(opts) and lockfile_path.is_file()):
            # Nothing to fetch (no references; or offline, with a lock): the same inputs as
            # a recorded run give its report.
            replay_key = replay_fingerprint(options, fmt, root, lockfile_path, discovery, shadows)
            replayed = replay_lookup(root, replay_key, opts.output)
            if replayed is not None:
                raise SystemExit(replayed)
        groups = as_refs(models, shadows)
        refs = [ref for ref, _ in groups]
        where = {ref.display: found[0].where for ref, found in groups}
        # --locked needs a lock only when there is something to look up in it.
        lock = read_lock(lockfile_path, required=locked and bool(refs))
        if locked and lock is not None:
            check_locked(lock, refs, where)
        source, lock_source = build_scan_source(opts, lock)
        source.warm_up(refs)  # the Hub client is set up while the KB and policy load
        kb = load_kb_warm()
        policy = policy_for(opts, kb, root)
        policy_files = replay_policy_files(policy) if replay_key is not None else ()
        uses = resolve_uses(opts, policy)
        with progress(len(refs), enabled=not is_offline(opts)) as observer:
            # Offline, every model is read from local files: workers would only contend for
            # the GIL (and starting them costs more than the audit of a lock's entries).
            jobs = 1 if is_offline(opts) else opts.jobs
            auditor = make_auditor(
                source, kb, policy, uses, observer, jobs=jobs, lock_source=lock_source
            )
            report = auditor.audit(refs)
        report = attach_references(report, [found for _, found in groups], discovery)
        drifted = 0
        if lock is not None:
            report, drifted = apply_drift(report, lock)
            for r in report.results:
                for finding in r.findings:
                    if finding.startswith("lock-drift: "):
                        warn(f"{r.model}: {finding[len('lock-drift: ') :]}")
        note_ignored_waivers(report)
        notes = [str(p) for p in discovery.problems]
        text = render_report(fmt, report, kb, opts, root=root, notes=notes)
        written = write_report(text, opts.output)
    status = exit_status(report, policy)
    if drifted and status != EXIT_ERROR:
        status = max(status, EXIT_FAIL)
    # Recorded only if nothing but the lock decided the models (or there were none).
    decided_by_lock = not refs or (lock_source is not None and lock_source.only_lock)
    if replay_key is not None and decided_by_lock and status != EXIT_ERROR and not drifted:
        replay_record(
            root,
            replay_key,
            policy_files,
            written,
            status,
            unchanged=lambda: (
                replay_fingerprint(options, fmt, root, lockfile_path, discovery, shadows)
                == replay_key
                and replay_policy_files(policy) == policy_files
            ),
        )
    raise SystemExit(status)
