"""Replay a warm `scan`: the report of an earlier run whose every input was the same.

A pre-commit hook runs `licensecheck scan --offline --locked` on each commit, nearly always
with the same references, lock and policy, or with none at all. When every model of a run
was decided by the lock (nothing read from the HF cache, a local directory or the network),
or there was no model, the report is a function of inputs that can be fingerprinted
without loading the knowledge base, the policy or the audit code:

- the command's options, the working directory and scan root, the environment variables
  licensecheck and huggingface_hub read (a token's value never: it changes no offline
  report), whether stdout and stderr are terminals, the terminal width, and today's date
  (policy exceptions expire);
- what discovery found, references and problems (discovery itself runs every time, with
  its own per-file cache); so a commit whose staged files reference no model replays the
  last such run whatever the files are;
- the bytes of the lock, of each file that can choose the policy (`.licensecheck.yaml` and
  `pyproject.toml` in the scan root, the working directory and their parents up to the
  repository root), and of each file the policy
  was built from (its `extends` chain);
- licensecheck itself: its version and the size and mtime of every file of the package and
  of the presets, so that an upgrade or an edit never replays an older report.

A replay writes the same text to the same place and exits with the same status. A run is
recorded only if its fingerprint is the same after the run as before it (nothing was edited
meanwhile). Anything missing, damaged or different means a normal run; this is an
accelerator and never decides a verdict.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from licensecheck import __version__, paths

FORMAT = 1
MAX_ENTRIES = 8  # fingerprints kept per scan root (pre-commit alternates a few file lists)
_ENV_PREFIXES = ("LICENSECHECK_", "HF_", "HUGGINGFACE_")
_ENV_NAMES = (
    "TRANSFORMERS_OFFLINE",
    "NO_COLOR",
    "FORCE_COLOR",
    "TERM",
    "COLUMNS",
    "LINES",
    "SOURCE_DATE_EPOCH",  # the SBOM formats date their documents with it
    "TZ",
)
_POLICY_CHOOSERS = (".licensecheck.yaml", "pyproject.toml")


class Replay:
    """What a recorded run wrote and how it ended. (A plain class: defining a dataclass
    costs start-up time on exactly the path this module exists to shorten.)"""

    __slots__ = ("key", "policy_files", "status", "text")

    def __init__(
        self, key: str, policy_files: tuple[tuple[str, str], ...], text: str, status: int
    ) -> None:
        self.key = key
        self.policy_files = policy_files  # (path, sha256) of the policy's own files
        self.text = text  # the report as written (already redacted)
        self.status = status


def _digest_file(path: Path | str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "-"  # absent (or unreadable, which a normal run would report)


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
    lock: Path,
    today: str,
    found: str,
    width: int | None,
) -> str:
    """The SHA-256 of everything a lock-decided scan report depends on (module docstring);
    `found` is discovery's result as text (the references and problems: which files were
    named matters only through them and the root), `width` the table's width (None: not a
    table)."""
    h = hashlib.sha256(f"licensecheck-replay/{FORMAT}\0".encode())
    cwd = os.getcwd()
    parts: list[str] = [
        repr(sorted((k, repr(v)) for k, v in options.items())),
        fmt,
        cwd,
        str(root.resolve()),
        today,
        str(width),
        repr((_isatty(sys.stdout), _isatty(sys.stderr))),
        repr(
            sorted(
                (k, v)
                for k, v in os.environ.items()
                if (k.startswith(_ENV_PREFIXES) and "TOKEN" not in k) or k in _ENV_NAMES
            )
        ),
        f"lock:{lock.resolve()}:{_digest_file(lock)}",
    ]
    # The policy is looked for from the root and the working directory up to the repository
    # root: a file added or edited in any of those folders can change it.
    folders = [*paths.config_folders(root.resolve()), *paths.config_folders(Path(cwd))]
    for folder in dict.fromkeys(folders):
        for name in _POLICY_CHOOSERS:
            parts.append(f"{folder / name}:{_digest_file(folder / name)}")
    parts.append(found)
    parts.append(_package_signature())
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def policy_files(sources: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(path, sha256) of the files a policy was built from, as they are now."""
    return tuple((name, _digest_file(name)) for name in sources)


def _root_prefix(root: Path) -> str:
    name = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return f"scan-{name[:16]}-"


def _entry_path(root: Path, key: str) -> Path | None:
    try:
        return paths.cache_dir() / f"{_root_prefix(root)}{key[:32]}.pickle"
    except (OSError, RuntimeError):  # no home directory
        return None


def lookup(root: Path, key: str) -> Replay | None:
    """The recorded run with this fingerprint, if its policy files are still the same."""
    path = _entry_path(root, key)
    entry = paths.read_pickle(path) if path is not None else None
    if not isinstance(entry, Replay) or entry.key != key or not isinstance(entry.text, str):
        return None
    if not entry.policy_files or policy_files(n for n, _ in entry.policy_files) != (
        entry.policy_files
    ):
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
