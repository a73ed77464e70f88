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

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from licensecheck.cli.compose import make_auditor, note_ignored_waivers
from licensecheck.cli.options import (
    EXIT_ERROR,
    EXIT_FAIL,
    ModelOptions,
    choose_format,
    endpoint,
    exit_status,
    guarded,
    is_offline,
    model_options,
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
from licensecheck.cli.project import (
    as_refs,
    attach_references,
    build_scan_source,
    check_locked,
    discover_models,
    load_kb_warm,
    lock_options,
    lock_path,
    policy_for,
    read_lock,
    scan_root,
    shadowed,
    uri_prefix,
    warn,
)
from licensecheck.errors import UsageError
from licensecheck.paths import Recorder, is_file, unchanged

if TYPE_CHECKING:
    from licensecheck.discovery import Discovery
    from licensecheck.knowledge.store import KnowledgeBase
    from licensecheck.results import AuditReport


def replay_fingerprint(
    options: dict[str, Any],
    fmt: str,
    root: Path,
    discovery: Discovery,
    shadows: frozenset[str] = frozenset(),
) -> str:
    from licensecheck.cli import replay

    return replay.fingerprint(
        options=options,
        fmt=fmt,
        root=root,
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


def replay_record(root: Path, key: str, inputs: Recorder, text: str, status: int) -> None:
    """Keep this run for replay if no input it read changed while it ran."""
    from licensecheck.cli import replay

    if inputs.seen and unchanged(inputs.seen):
        replay.record(root, replay.Replay(key, dict(inputs.seen), text, status))


def recording() -> contextlib.AbstractContextManager[Recorder]:
    """Note what this run reads (`paths.recording`), for `replay_record`."""
    from licensecheck.cli import replay
    from licensecheck.paths import recording as record_inputs

    return record_inputs(replay.not_inputs())


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
    with guarded(), recording() as inputs:
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
        if not models or (is_offline(opts) and is_file(lockfile_path)):
            # Nothing to fetch (no references; or offline, with a lock): the same inputs as
            # a recorded run give its report.
            replay_key = replay_fingerprint(options, fmt, root, discovery, shadows)
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
            from licensecheck.lockfile import apply_drift

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
        replay_record(root, replay_key, inputs, written, status)
    raise SystemExit(status)
