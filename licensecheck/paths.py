"""Where licensecheck keeps its own files, and how it reads and writes its pickled caches.

One cache directory for everything licensecheck caches (the knowledge base, the parsed
policy, the identification index, determinations): `$LICENSECHECK_CACHE_DIR`, else the
platform's user cache directory. Importing this module is cheap (standard library only,
pickle and hashlib loaded on use), so the warm paths can call it first.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

LOCK_NAME = "licensecheck.lock"  # the lock file's name in a repository (lockfile.py)
# What marks a repository's root: configuration is looked for up to there (like ruff and
# pre-commit), never above it (a folder above a checkout is not the project's).
REPO_MARKERS = (".git", ".hg", ".svn")


# --- what a run read (the scan replay's fingerprint, cli/replay.py) ---------------------------
#
# While a recorder is active, every file the process opens for reading (an audit hook sees
# each `open`, whoever calls it: our helpers, PyYAML's callers, the standard library) is
# noted with its content's digest, or "absent"; every existence check made through
# `is_file`/`is_dir`/`exists` below with what it found; and every environment variable
# looked up (os.environ is swapped for a recording subclass). Files of the installed code,
# of the Python installation and of licensecheck's own cache are not noted: the code digest
# stands for the first two, and the caches are keyed on what they were built from.


class Recorder:
    """Inputs noted during a run: ("file", path) -> digest, ("kind", path) -> "file" /
    "dir" / "other" / "absent", ("env", name) -> digest of the value or "unset"."""

    def __init__(self, skip: tuple[str, ...]) -> None:
        self.seen: dict[tuple[str, str], str] = {}
        self.skip = skip  # path prefixes not noted (installed code, caches)

    def note_open(self, path: str) -> None:
        path = os.path.abspath(path)
        if ("file", path) not in self.seen and not path.startswith(self.skip):
            self.seen[("file", path)] = file_digest(path)

    def note_kind(self, path: str, kind: str) -> None:
        path = os.path.abspath(path)
        if not path.startswith(self.skip):
            self.seen.setdefault(("kind", path), kind)


_recorder: Recorder | None = None
_hooked = False
_busy = threading.local()


def file_digest(path: str) -> str:
    """SHA-256 (hex) of a file's bytes; "absent" when it cannot be read."""
    import hashlib

    _busy.on = True  # our own read is not an input
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except OSError:
        return "absent"
    finally:
        _busy.on = False


def path_kind(path: str | os.PathLike[str]) -> str:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return "absent"
    import stat

    return "file" if stat.S_ISREG(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode) else "other"


def env_digest(value: str | None) -> str:
    """What is kept of an environment variable: a digest (a token's value is never kept)."""
    import hashlib

    return (
        "unset"
        if value is None
        else hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    )


def _audit(event: str, args: tuple[object, ...]) -> None:
    recorder = _recorder
    if recorder is None or event != "open" or getattr(_busy, "on", False):
        return
    path, mode, flags = (*args, None, None, None)[:3]
    if not isinstance(path, (str, bytes, os.PathLike)):
        return  # a descriptor (fdopen): the open that made it was seen
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return
    if isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
        return
    recorder.note_open(os.fsdecode(path))


class _RecordingEnviron(os._Environ):  # type: ignore[type-arg]
    def __getitem__(self, key: str) -> str:
        recorder = _recorder
        try:
            value: str = super().__getitem__(key)
        except KeyError:
            if recorder is not None:
                recorder.seen.setdefault(("env", key), "unset")
            raise
        if recorder is not None:
            recorder.seen.setdefault(("env", key), env_digest(value))
        return value

    def __iter__(self):  # type: ignore[no-untyped-def]
        recorder = _recorder
        if recorder is not None:  # the whole environment was looked at
            recorder.seen.setdefault(("env", "*"), environ_digest())
        return super().__iter__()


def environ_digest() -> str:
    import hashlib

    items = sorted(dict.items(os.environ._data))  # type: ignore[attr-defined]
    return hashlib.sha256(repr(items).encode()).hexdigest()


@contextlib.contextmanager
def recording(skip: Iterable[str | os.PathLike[str]]) -> Iterator[Recorder]:
    """Note what the process reads until the block ends (see above)."""
    global _recorder, _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    recorder = Recorder(tuple(os.path.join(os.path.abspath(p), "") for p in skip))
    previous = os.environ.__class__
    _recorder = recorder
    os.environ.__class__ = _RecordingEnviron
    try:
        yield recorder
    finally:
        _recorder = None
        os.environ.__class__ = previous


def unchanged(seen: dict[tuple[str, str], str]) -> bool:
    """Whether every noted input is as it was noted."""
    for (what, name), value in seen.items():
        if what == "file":
            now = file_digest(name)
        elif what == "kind":
            now = path_kind(name)
        elif name == "*":
            now = environ_digest()
        else:
            now = env_digest(os.environ.get(name))
        if now != value:
            return False
    return True


def is_file(path: Path) -> bool:
    """`path.is_file()`, noted while recording."""
    return _kind(path) == "file"


def is_dir(path: Path) -> bool:
    """`path.is_dir()`, noted while recording."""
    return _kind(path) == "dir"


def exists(path: Path) -> bool:
    """`path.exists()`, noted while recording."""
    return _kind(path) != "absent"


def _kind(path: Path) -> str:
    kind = path_kind(path)
    if _recorder is not None:
        _recorder.note_kind(str(path), kind)
    return kind


def config_folders(start: Path) -> list[Path]:
    """`start` and its parent folders up to the repository root, nearest first; `start`
    alone when it is in no repository. A parent is given relative to the working directory
    when `start` is relative ("..", "../.."), so that messages name files as a person would."""
    here = start.resolve()
    folders = [start]
    for folder in (here, *here.parents):
        if folder != here:
            folders.append(folder if start.is_absolute() else _relative(folder))
        if any(exists(folder / marker) for marker in REPO_MARKERS):
            return folders
    return [start]  # in no repository: the folder itself only


def _relative(folder: Path) -> Path:
    try:
        return Path(os.path.relpath(folder))
    except ValueError:  # another drive (Windows)
        return folder


def find_upwards(start: Path, name: str) -> Path | None:
    """The nearest `name` (a file) in `config_folders(start)`, or None."""
    for folder in config_folders(start):
        if is_file(folder / name):
            return folder / name
    return None


def cache_dir() -> Path:
    """`$LICENSECHECK_CACHE_DIR`, else the platform's user cache directory."""
    env = os.environ.get("LICENSECHECK_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "licensecheck" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "licensecheck"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "licensecheck"


def code_digest(sources: Iterable[Path], seed: str = "") -> str:
    """The one rule for keying a cache on the code (and bundled data) that shapes what it
    holds: 20 hex digits of SHA-256 over licensecheck's version, `seed` (what else the key
    depends on) and, for each source in the order given, its name and bytes; a directory
    stands for the files directly in it, by name. A file that cannot be read counts as
    such: a key must change with the code it names, and a file gone missing is a change."""
    import hashlib

    from licensecheck import __version__

    h = hashlib.sha256(f"{__version__}\0{seed}\0".encode())
    for source in sources:
        try:
            files = (
                sorted(p for p in source.iterdir() if p.is_file()) if source.is_dir() else [source]
            )
        except OSError:
            files = [source]
        for path in files:
            h.update(path.name.encode() + b"\0")
            try:
                h.update(read_bytes(path))
            except OSError:
                h.update(b"<unreadable>")
    return h.hexdigest()[:20]


def stat_digest(directory: Path, suffix: str) -> str:
    """SHA-256 (hex) of the names, sizes and modification times of the files in `directory`
    whose names end in `suffix`: a change to any of them, without reading one."""
    import hashlib

    h = hashlib.sha256()
    try:
        with os.scandir(directory) as it:
            found = sorted((e.name, e) for e in it if e.name.endswith(suffix))
    except OSError:
        found = []
    for name, entry in found:
        try:
            st = entry.stat()
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{name}\0<unreadable>\n".encode())
    return h.hexdigest()


def read_bytes(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """A file's bytes (the first `limit` of them), with open, read and close only.
    `Path.open().read()` adds an fstat, an ioctl and an lseek: each system call lets another
    thread take the GIL, which is what a file read costs most among 32 workers. OSError as
    `open` raises it."""
    want = (1 << 62) if limit is None else limit
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        chunks: list[bytes] = []
        total = 0
        while total < want:
            chunk = os.read(fd, min(want - total, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def write_atomic(
    path: Path,
    data: bytes,
    *,
    private: bool = False,
    durable: bool = False,
    temporary: Path | None = None,
) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never half
    of one: a temporary file beside it (named by process and thread), then `os.replace`.
    The folder is made if needed; an interruption (Ctrl-C included) leaves the old file
    and no temporary one. `private`: readable by the owner only (0600), for what may echo a
    private repo or a policy; otherwise a file being replaced keeps its mode, and a new one
    is as the umask allows, as huggingface_hub leaves the files of a shared HF cache.
    `durable`: on disk (fsync) before it replaces the old file, for what a user keeps (the
    lock), not for a cache. `temporary`: the temporary file's own name where a layout
    prescribes one (the HF cache's `blobs/<etag>.<random>.incomplete`). OSError when it
    cannot be written."""
    import threading

    path.parent.mkdir(parents=True, exist_ok=True)
    if temporary is None:
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(temporary, flags | getattr(os, "O_NOFOLLOW", 0), 0o600 if private else 0o666)
        with os.fdopen(fd, "wb") as fh:
            if not private:
                with contextlib.suppress(OSError):  # new file: the umask's mode stands
                    os.chmod(fh.fileno(), path.stat().st_mode & 0o777)
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


def read_pickle(path: Path) -> object | None:
    """The object pickled at `path`, or None if it is missing or damaged in any way (a cache
    is only an accelerator: the caller recomputes and checks what it got)."""
    import pickle

    try:
        with path.open("rb") as fh:
            value: object = pickle.load(fh)  # our own cache file; the caller checks its type
        return value
    except Exception:  # truncated, garbage, a class that moved: ValueError, EOFError, ...
        return None


def write_pickle(path: Path, value: object) -> bool:
    """Pickle `value` to `path` atomically (`write_atomic`, owner-only); False when the
    cache directory is not writable or the value cannot be pickled."""
    import pickle

    try:
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), private=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def load_data_yaml(path: Path) -> object:
    """A bundled YAML data file, parsed; from a pickle in the cache while its bytes are
    unchanged, so that the warm paths need not import PyYAML for a few small tables."""
    import hashlib

    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    try:
        cached = cache_dir() / f"data-{path.stem}-{digest}.pickle"
    except (OSError, RuntimeError):  # no home directory: parse every time
        cached = None
    if cached is not None:
        value = read_pickle(cached)
        if isinstance(value, tuple) and len(value) == 2 and value[0] == digest:
            return value[1]
    import yaml

    data: object = yaml.safe_load(raw.decode("utf-8"))
    if cached is not None:
        write_pickle(cached, (digest, data))
    return data


def shadowing_folder(repo_id: str, *bases: Path) -> str | None:
    """The folder named like the Hub id `repo_id` under one of `bases`, if there is one."""
    for base in bases:
        try:
            if is_dir(base / repo_id):
                return str(base / repo_id)
        except OSError:
            continue
    return None
