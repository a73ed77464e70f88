"""Which files a scan reads: walking directories, skipping what is not the project's code.

Inside a scanned directory, version-control data, virtualenvs (any folder holding
`pyvenv.cfg`, or a conda env's `conda-meta`), `node_modules`, caches (`__pycache__`, folders
tagged with `CACHEDIR.TAG` such as the Hugging Face cache) and installed packages are skipped.
Only folders *below* the scanned path are judged: a repository checked out under a folder named
`node_modules` or `venv` is still scanned. A file named explicitly (pre-commit passes file
names) is always read if its type is supported. Symlinked folders are not followed (no loops,
no scanning outside the tree).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = frozenset({".py", ".ipynb", ".yaml", ".yml", ".json", ".toml"})

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "node_modules",
        "__pycache__",
        "site-packages",
        "dist-packages",
        "__pypackages__",
        ".venv",
        ".tox",
        ".nox",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",  # Jupyter's autosave copies: the same references twice
        ".cache",
    }
)
# Marker files that make a folder someone else's tree: a virtualenv, a conda env, a cache.
SKIP_MARKERS = ("pyvenv.cfg", "conda-meta", "CACHEDIR.TAG")


@dataclass(frozen=True)
class FileToScan:
    path: Path  # as it can be opened
    rel: str  # POSIX path relative to the scanned root (the name in reports)


def rel_name(path: Path, root: Path) -> str:
    """`path` relative to `root`, POSIX style; a path outside the root keeps `..` parts."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        try:
            return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
        except ValueError:  # another drive on Windows
            return path.resolve().as_posix()


def skipped_dir(directory: Path) -> bool:
    name = directory.name
    if name in SKIP_DIRS or name.endswith(".egg-info"):
        return True
    return any((directory / marker).exists() for marker in SKIP_MARKERS)


def supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def iter_files(paths: Sequence[Path], root: Path) -> Iterator[FileToScan]:
    """Files to scan under `paths` (existing files or directories), each once, in a stable
    order: arguments as given, directory entries sorted by name."""
    seen: set[Path] = set()
    for start in paths:
        if start.is_dir():
            candidates: Iterator[Path] = _walk(start)
        else:
            candidates = iter([start]) if supported(start) else iter(())
        for path in candidates:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield FileToScan(path, rel_name(path, root))


def _walk(directory: Path) -> Iterator[Path]:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:  # files and folders interleaved by name: sorted by path
        try:
            if entry.is_dir(follow_symlinks=False):
                sub = Path(entry.path)
                if not skipped_dir(sub):
                    yield from _walk(sub)
            elif entry.is_file() and supported(Path(entry.name)):
                yield Path(entry.path)
        except OSError:
            continue
