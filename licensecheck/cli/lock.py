"""`licensecheck lock [PATH...]`: record what every referenced model resolves to.

Discovers the references like `scan`, resolves each model (and the base models its lineage
reaches) on the Hub, or with `--offline` from the existing lock, the HF cache and local
directories, and writes `licensecheck.lock` in the scan root (or `--lockfile`; run with no
PATH from a subfolder, the project whose lock is in a parent folder is locked): revision
shas, licence determinations with the sha256 of the texts, lineage and the policy digest.

Every model that could be judged is recorded, a gated one whose licence files the Hub
refused included (`verified: false`: judged on its declared licence). A model that could
not be (not found, network) is named on standard error and left out: the lock holds the
rest and the exit status is 3, so that a later `scan --locked` fails on the missing entry.
When no referenced model could be judged, nothing is written (an old lock stays). The write
is atomic. A summary of what changed goes to standard error; the verdicts are not the
lock's business (`scan` is the gate), so the exit status is 0 when every model was locked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from licensecheck.cli import project
from licensecheck.cli.compose import build_source, make_auditor
from licensecheck.cli.options import (
    EXIT_ERROR,
    EXIT_OK,
    ModelOptions,
    guarded,
    is_offline,
    model_options,
    resolve_uses,
)
from licensecheck.cli.output import progress
from licensecheck.errors import UsageError

if TYPE_CHECKING:
    from licensecheck.lockfile import Lock


def changes(old: Lock | None, new: Lock) -> str:
    before = old.models if old is not None else {}
    added = sum(1 for k in new.models if k not in before)
    removed = sum(1 for k in before if k not in new.models)
    changed = sum(
        1
        for k, e in new.models.items()
        if k in before and (before[k].revision, before[k].licenses) != (e.revision, e.licenses)
    )
    upgraded = sum(
        1
        for k, e in new.models.items()
        if k in before
        and not before[k].determination.verified
        and e.determination.verified
        and before[k].licenses == e.licenses
    )
    declared = sum(1 for e in new.models.values() if not e.determination.verified)
    referenced = sum(1 for e in new.models.values() if e.referenced)
    also = f", {upgraded} now verified" if upgraded else ""
    gated = f"; {declared} declared only (gated)" if declared else ""
    return (
        f"{referenced} referenced model{'s' if referenced != 1 else ''}, "
        f"{len(new.models) - referenced} base model{'s' if len(new.models) - referenced != 1 else ''}"
        f" ({added} added, {changed} changed, {removed} removed{also}){gated}"
    )


def _old_lock(target: Path) -> Lock | None:
    """The lock being replaced; a damaged one (merge-conflict markers, bad JSON) is
    regenerated from scratch, and the user is told so."""
    from licensecheck.errors import LockDamaged

    try:
        return project.read_lock(target, required=False)
    except LockDamaged as exc:
        reason = str(exc).split("; run `licensecheck lock`")[0]
        click.echo(f"licensecheck: warning: {reason}; regenerating it", err=True)
        return None


@click.command("lock")
@click.argument("paths", nargs=-1, metavar="[PATH...]")
@model_options(report=False)  # the lock is the output: no --format, no --output
@project.lock_options
def lock(paths: tuple[str, ...], **options: Any) -> None:
    """Record revisions and licence determinations in licensecheck.lock.

    Scans PATH (default: the current directory) for model references like `scan`, resolves
    every model and base model, and writes the lock so that `scan --offline --locked` needs
    no network and a relicensed model is caught as drift. Commit the lock.
    """
    from licensecheck import lockfile
    from licensecheck.lockfile import Recorder
    from licensecheck.sources.lock import LockSource

    opts = ModelOptions.from_kwargs(options)
    with guarded():
        for p in paths:
            if not os.path.lexists(p):
                raise UsageError(f"{p}: no such file or directory")
        root = project.scan_root(paths)
        target = project.lock_path(root, options.get("lockfile"), for_writing=True)
        if not paths and target.parent != root:
            # Run from a subfolder of a project whose lock is further up: lock the project
            # (locking the subfolder alone would drop the rest of the project's models).
            root = target.parent
            paths = (str(root),)
            click.echo(
                f"licensecheck: locking the project in {project.display_path(root)}", err=True
            )
        try:
            os.stat(target)
        except FileNotFoundError:
            pass
        except OSError as exc:  # a name too long, a path through a file, ...
            raise UsageError(
                f"{project.display_path(target)}: cannot write: {exc.strerror}"
            ) from None
        if target.is_dir():
            raise UsageError(f"--lockfile {project.display_path(target)}: is a directory")
        if not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise UsageError(f"{project.display_path(target)}: the directory does not exist")
        discovery, groups = project.discover_refs(paths, root)
        refs = [ref for ref, _ in groups]
        old = _old_lock(target)
        source = build_source(opts)
        source.warm_up(refs)  # the Hub client is set up while the KB and policy load
        kb = project.load_kb_warm()
        policy = project.policy_for(opts, kb, root)
        uses = resolve_uses(opts, policy)
        lock_source = None
        if old is not None and is_offline(opts):
            # Offline: what the old lock knows stands in for the network.
            lock_source = LockSource(old, fallback=source)
            source = lock_source
        recorder = Recorder()
        with progress(len(refs), enabled=not is_offline(opts)) as observer:
            auditor = make_auditor(
                source,
                kb,
                policy,
                uses,
                observer,
                jobs=opts.jobs,
                lock_source=lock_source,
                recorder=recorder,
            )
            report = auditor.audit(refs)
        failed = [r for r in report.results if r.status != "ok"]
        for r in failed:
            message = r.error.message if r.error else "could not be evaluated"
            click.echo(f"licensecheck: error: {message}", err=True)
        missing = ", ".join(r.model for r in failed)
        if failed and len(failed) == len(report.results):
            click.echo(
                f"licensecheck: {project.display_path(target)} not written: no model could be "
                f"resolved ({missing})",
                err=True,
            )
            raise SystemExit(EXIT_ERROR)
        new = lockfile.build(report, recorder, policy, old)
        lockfile.write(target, new)
        if not refs:
            click.echo(
                f"licensecheck: no model references found ({discovery.files} files scanned)",
                err=True,
            )
        click.echo(
            f"licensecheck: wrote {project.display_path(target)}: {changes(old, new)}", err=True
        )
        if failed:
            click.echo(
                f"licensecheck: {project.display_path(target)} is missing {len(failed)} model"
                f"{'s' if len(failed) != 1 else ''} that could not be resolved: {missing}",
                err=True,
            )
            raise SystemExit(EXIT_ERROR)
    raise SystemExit(EXIT_OK)
