"""Replay a warm `scan`: the report of an earlier run whose every input was the same.

A pre-commit hook runs `licensecheck scan --offline --locked` on each commit, nearly always
with the same references, lock and policy, or with none at all. When every model of a run
was decided by the lock (nothing read from the HF cache, a local directory or the network),
or there was no model, the report is a function of what the run read, which
`paths.recording` notes as it happens: every file opened for reading (the lock, each file
of the policy chain, each `pyproject.toml` looked into, the discovered files) with its
content's digest, every existence check (a `.licensecheck.yaml` or lock that is absent in a
parent folder, a folder named like a model), and every environment variable looked up.
Nothing is listed by hand here, so an input added to licensecheck later is covered too.

The entry is found by a key of what is known before reading anything else: the command's
options, the working directory and scan root, what discovery found (references and
problems; discovery runs every time, with its own per-file cache), whether stdout and
stderr are terminals, the terminal width, today's date (policy exceptions expire) and
licensecheck itself (its version and the size and mtime of every file of the package and
of the presets). A replay then re-checks exactly the noted inputs; any difference means a
normal run.

A replay writes the same text to the same place and exits with the same status. A run is
recorded only if its noted inputs are the same after the run as when they were read.
Anything missing, damaged or different means a normal run; this is an accelerator and
never decides a verdict.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from licensecheck import __version__, paths

FORMAT = 2
MAX_ENTRIES = 8  # fingerprints kept per scan root (pre-commit alternates a few file lists)


class Replay:
    """What a recorded run read, wrote and how it ended. (A plain class: defining a
    dataclass costs start-up time on exactly the path this module exists to shorten.)"""

    __slots__ = ("inputs", "key", "status", "text")

    def __init__(
        self, key: str, inputs: dict[tuple[str, str], str], text: str, status: int
    ) -> None:
        self.key = key
        self.inputs = inputs  # what the run read, as `paths.recording` noted it
        self.text = text  # the report as written (already redacted)
        self.status = status


def _tree_signature(h: hashlib._Hash, folder: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            h.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}\0".encode())


@functools.lru_cache(maxsize=1)
def _package_signature() -> str:
    """licensecheck's code and data as installed: any change makes a new fingerprint.
    (Once per process: a run that records checks its fingerprint twice.)"""
    from licensecheck.policy.presets import presets_dir

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    h.update(f"{__version__}\0{package}\0".encode())
    _tree_signature(h, package)
    presets = presets_dir()
    if presets is not None and package not in presets.resolve().parents:
        _tree_signature(h, presets)
    return h.hexdigest()


def fingerprint(
    *,
    options: Mapping[str, object],
    fmt: str,
    root: Path,
    today: str,
    found: str,
    width: int | None,
) -> str:
    """The SHA-256 that finds a recorded run (module docstring): `found` is discovery's
    result as text, `width` the table's width (None: not a table). The inputs the run read
    are checked by `lookup`."""
    h = hashlib.sha256(f"licensecheck-replay/{FORMAT}\0".encode())
    parts: list[str] = [
        repr(sorted((k, repr(v)) for k, v in options.items())),
        fmt,
        os.getcwd(),
        str(root.resolve()),
        today,
        str(width),
        repr((_isatty(sys.stdout), _isatty(sys.stderr))),
        found,
        _package_signature(),
    ]
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def not_inputs() -> list[str]:
    """Folders whose files a recording does not note: licensecheck's code and presets and
    the Python installation (the package signature and the interpreter stand for them),
    and licensecheck's own cache (each cache is keyed on what it was built from)."""
    import sysconfig

    from licensecheck.policy.presets import presets_dir

    folders = [str(Path(__file__).resolve().parent.parent)]
    where = sysconfig.get_paths()
    folders += [where[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if where.get(k)]
    presets = presets_dir()
    if presets is not None:
        folders.append(str(presets))
    with contextlib.suppress(OSError, RuntimeError):  # no home directory
        folders.append(str(paths.cache_dir()))
    return folders


def _root_prefix(root: Path) -> str:
    name = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return f"scan-{name[:16]}-"


def _entry_path(root: Path, key: str) -> Path | None:
    try:
        return paths.cache_dir() / f"{_root_prefix(root)}{key[:32]}.pickle"
    except (OSError, RuntimeError):  # no home directory
        return None


def lookup(root: Path, key: str) -> Replay | None:
    """The recorded run with this key, if every input it read is still the same."""
    path = _entry_path(root, key)
    entry = paths.read_pickle(path) if path is not None else None
    if not isinstance(entry, Replay) or entry.key != key or not isinstance(entry.text, str):
        return None
    if not isinstance(entry.inputs, dict) or not entry.inputs or not paths.unchanged(entry.inputs):
        return None
    return entry


def record(root: Path, entry: Replay) -> None:
    """Keep `entry`, one file per run, the newest few per scan root (each holds a whole
    report; a lookup reads only its own). Failures to write are ignored."""
    path = _entry_path(root, entry.key)
    if path is None:
        return
    try:
        older = sorted(
            (p for p in path.parent.glob(f"{_root_prefix(root)}*.pickle") if p != path),
            key=lambda p: p.stat().st_mtime_ns,
        )
        for stale in older[: max(0, len(older) - (MAX_ENTRIES - 1))]:
            stale.unlink()
    except OSError:
        pass  # another run pruned first, or the folder does not exist yet
    paths.write_pickle(path, entry)


def _isatty(stream: object) -> bool:
    try:
        return bool(stream is not None and stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False
