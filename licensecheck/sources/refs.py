"""Parse what the user named on the command line into a `ModelRef`.

Three shapes: `org/name` (a Hub repo), `org/name@REVISION` (a branch, tag or 40-hex commit
sha) and a path to a local model directory (`./x`, `/abs/x`, `~/x`, `..`, or an existing
directory whose name is not `org/name`). An `org/name` is always the Hub model: a folder of
the same name in the working directory (which anyone can add in a pull request) never
replaces it, it only sets `ModelRef.shadow` so the report can say so. Anything else is a
`UsageError` that quotes the argument, so a typo never reaches the network.
"""

from __future__ import annotations

import re
from pathlib import Path

from licensecheck.errors import UsageError
from licensecheck.facts import ModelRef
from licensecheck.paths import shadowing_folder

# THE rule for a Hub repo id (the CLI, lineage's `base_model` and discovery all use
# `is_repo_id`): `name` or `org/name`, each part ASCII letters, digits, '_', '-', '.', not
# starting or ending with '-' or '.', no '--' or '..'; at most 96 characters in all. That is
# what the Hub accepts; huggingface_hub's validate_repo_id also lets non-ASCII letters (`\w`)
# through, which the Hub refuses, so `café/model` is never a model.
_PART = re.compile(r"(?![-.])[A-Za-z0-9_.-]+(?<![-.])")
MAX_REPO_ID = 96
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
# Branch and tag names: git's ref rules, simplified (no control chars, spaces, '..', '~^:?*[\').
_REVISION = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)[^\s~^:?*\[\\\x00-\x1f\x7f]+(?<![/.])$")


def is_sha(revision: str | None) -> bool:
    return revision is not None and SHA_RE.fullmatch(revision) is not None


def _looks_like_path(arg: str) -> bool:
    return (
        arg in (".", "..")
        or arg.startswith(("./", "../", "/", "~", ".\\", "..\\"))
        or "\\" in arg
        or (len(arg) > 1 and arg[1] == ":" and arg[0].isalpha())  # C:\ on Windows
    )


def _valid_part(part: str) -> bool:
    return _PART.fullmatch(part) is not None and ".." not in part and "--" not in part


def is_repo_id(value: str) -> bool:
    """Whether `value` is a Hub repo id (`org/name` or a legacy `name`) by the rule above."""
    parts = value.split("/")
    return len(value) <= MAX_REPO_ID and len(parts) <= 2 and all(map(_valid_part, parts))


def check_repo_id(repo_id: str, what: str) -> str:
    """`repo_id` if it is a valid Hub model id (`org/name` or a legacy `name`), else UsageError."""
    parts = repo_id.split("/")
    if len(parts) > 2 or any(not p for p in parts):
        raise UsageError(f"{what}: {repo_id!r} is not a Hub model id (expected org/name)")
    if not all(_valid_part(p) for p in parts):
        raise UsageError(
            f"{what}: {repo_id!r} is not a valid Hub model id "
            "(ASCII letters, digits, '-', '_', '.'; no '..' or '--')"
        )
    if not is_repo_id(repo_id):
        raise UsageError(f"{what}: {repo_id!r} is longer than {MAX_REPO_ID} characters")
    return repo_id


def check_revision(revision: str, what: str) -> str:
    if not revision or not _REVISION.fullmatch(revision) or revision.endswith(".lock"):
        raise UsageError(f"{what}: {revision!r} is not a valid revision (branch, tag or sha)")
    return revision


def parse_hub_id(value: str, what: str = "model") -> ModelRef:
    """`org/name` or `org/name@rev` -> ModelRef (no local-path interpretation)."""
    value = value.strip()
    repo_id, sep, revision = value.partition("@")
    check_repo_id(repo_id, f"{what} {value!r}")
    if sep:
        check_revision(revision, f"{what} {value!r}")
        return ModelRef(repo_id=repo_id, revision=revision)
    return ModelRef(repo_id=repo_id)


def _is_hub_id(arg: str) -> bool:
    """`org/name` or `org/name@rev` as the Hub spells them (two parts, valid characters)."""
    repo_id, sep, revision = arg.partition("@")
    parts = repo_id.split("/")
    return (
        len(parts) == 2
        and all(_PART.fullmatch(p) and ".." not in p and "--" not in p for p in parts)
        and len(repo_id) <= MAX_REPO_ID
        and (not sep or bool(_REVISION.fullmatch(revision)))
    )


def parse_ref(arg: str, cwd: Path | None = None) -> ModelRef:
    """A MODEL argument -> ModelRef. `org/name` is the Hub model, whatever folders exist."""
    if not arg or not arg.strip():
        raise UsageError("MODEL '': empty model argument")
    if "\x00" in arg:
        raise UsageError(f"MODEL {arg!r}: contains a NUL character")
    base = cwd if cwd is not None else Path.cwd()
    if not _looks_like_path(arg) and _is_hub_id(arg):
        ref = parse_hub_id(arg, "MODEL")
        folder = shadowing_folder(arg, base)
        return ModelRef(ref.repo_id, ref.revision, shadow=arg if folder else None)
    candidate = Path(arg).expanduser()
    path = candidate if candidate.is_absolute() else base / candidate
    try:
        is_dir = path.is_dir()
        exists = path.exists()
    except OSError:  # name too long, permission denied on a parent
        is_dir = exists = False
    if is_dir:
        return ModelRef(repo_id=arg, local_path=str(path.resolve()))
    if exists:
        raise UsageError(f"MODEL {arg!r}: is a file; give the model directory that holds it")
    if _looks_like_path(arg):
        raise UsageError(f"MODEL {arg!r}: no such directory")
    return parse_hub_id(arg, "MODEL")


def parse_refs(args: list[str] | tuple[str, ...], cwd: Path | None = None) -> list[ModelRef]:
    """Every MODEL argument, in order, each model once: `a a A/A`, or a directory named twice
    (`m ./m`), is judged once, reported as first spelt."""
    refs: dict[tuple[str, str | None], ModelRef] = {}
    for arg in args:
        ref = parse_ref(arg, cwd)
        refs.setdefault(ref.key, ref)
    return list(refs.values())
