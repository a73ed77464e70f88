"""Load a policy: a file, a built-in preset, or whatever applies in a working directory.

A file may `extends` a preset (by name) or another file (by path, relative to it). The
chain is loaded parents first; each file is validated on its own (its problems carry its
own name) and then the layers are merged: organisation facts and defined uses key by key,
rules and exceptions appended, other settings overridden by the child.

With a `cache` directory, the loaded policy is pickled there and reused while every file of
its chain has the same bytes (and the knowledge base and this code are the same): the
pre-commit warm path then reads and hashes the files but parses and validates nothing, and
imports neither PyYAML nor the schema. A damaged or stale entry is loaded afresh.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from licensecheck import paths
from licensecheck.errors import PolicyError
from licensecheck.knowledge import store
from licensecheck.knowledge.model import USES
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.policy import presets
from licensecheck.policy.model import Organisation, Policy, Rule

if TYPE_CHECKING:  # the schema and the YAML reader load only when a file is parsed
    from licensecheck.policy.schema import Layer, Vocabulary
    from licensecheck.policy.yamlsource import YNode

DEFAULT_PRESET = "default"
POLICY_FILE = ".licensecheck.yaml"


def preset_names() -> list[str]:
    """The names of the built-in policies."""
    return presets.preset_names()


def load_policy(
    path: str | Path, kb: KnowledgeBase | None = None, *, cache: Path | None = None
) -> Policy:
    """Load and validate the policy file at `path` (its `extends` chain included).

    Raises `PolicyError` with one `file:line:column: ...` message per problem. `cache`: a
    directory to keep the loaded policy in (see the module docstring).
    """
    display = str(path)
    if not is_policy_name(display) and not Path(path).is_dir():  # a folder: "is a directory"
        raise PolicyError([f"{display}: {NOT_A_POLICY}"])
    return _load(Path(path), display, display, kb, cache)


POLICY_SUFFIXES = (".yaml", ".yml")
NOT_A_POLICY = "not a policy file (a policy is a .yaml or .yml file, or a preset name); not read"


def is_policy_name(path: str) -> bool:
    """Only YAML files are read as policies: a path from a pull request (`extends`, the
    `policy` of `[tool.licensecheck]`) must not make licensecheck read (and quote) any file."""
    return path.lower().endswith(POLICY_SUFFIXES)


def load_preset(name: str, kb: KnowledgeBase | None = None, *, cache: Path | None = None) -> Policy:
    """Load the built-in policy `name`."""
    file = presets.preset_path(name)
    if file is None:
        from licensecheck.policy.schema import suggestion

        raise PolicyError(
            [
                f"unknown preset {name!r}; presets are {_preset_list()}{suggestion(name, preset_names())}"
            ]
        )
    return _load(file, f"preset:{name}", None, kb, cache)


def resolve_policy(
    policy_path: str | None,
    preset: str | None,
    cwd: Path,
    kb: KnowledgeBase | None = None,
    *,
    cache: Path | None = None,
) -> Policy:
    """The policy that applies: an explicit `--policy`, else `--preset`, else the nearest
    configuration in `cwd` and its parent folders up to the repository root (`find_config`),
    else the built-in `default` preset."""
    if policy_path:
        return load_policy(_relative_to(policy_path, cwd), kb, cache=cache)
    if preset:
        return load_preset(preset, kb, cache=cache)
    found = find_config(cwd)
    if found is None:
        return load_preset(DEFAULT_PRESET, kb, cache=cache)
    if found.preset is not None:
        return load_preset(found.preset, kb, cache=cache)
    assert found.policy is not None
    return load_policy(found.policy, kb, cache=cache)


class Config:
    """Where a folder's policy comes from: a policy file (`.licensecheck.yaml`, or the
    `policy` of `[tool.licensecheck]`) or a preset name; `origin` is the file that says so."""

    __slots__ = ("origin", "policy", "preset")

    def __init__(self, origin: Path, policy: Path | None = None, preset: str | None = None):
        self.origin = origin
        self.policy = policy
        self.preset = preset

    def describe(self) -> str:
        if self.preset is not None:
            return f"preset {self.preset!r} (from {self.origin})"
        return str(self.policy)


def find_config(start: Path) -> Config | None:
    """The nearest policy configuration in `start` and its parents up to the repository
    root (like ruff and pre-commit): in each folder `.licensecheck.yaml`, else a
    `[tool.licensecheck]` table in `pyproject.toml`. A broken `pyproject.toml` or an
    unknown key in the table is an error, never a silent fall back to the default."""
    if start.resolve() == Path.cwd().resolve():
        start = Path(".")  # files named as from here: .licensecheck.yaml, ../pyproject.toml
    for folder in paths.config_folders(start):
        policy_file = folder / POLICY_FILE
        if paths.is_file(policy_file):
            return Config(policy_file, policy=_relative_to(POLICY_FILE, folder))
        configured = _pyproject_setting(folder)
        if configured is not None:
            key, value = configured
            origin = folder / "pyproject.toml"
            if key == "preset":
                return Config(origin, preset=value)
            return Config(origin, policy=_relative_to(value, folder))
    return None


# --- the cache of loaded policies --------------------------------------------------------

CACHE_FORMAT = 1


class _Cached:
    """A loaded policy and the files (as opened, with their sha256) it was built from.
    (A plain class: a dataclass costs a millisecond of start-up to define.)"""

    __slots__ = ("files", "key", "policy")

    def __init__(self, key: str, files: tuple[tuple[str, str], ...], policy: Policy) -> None:
        self.key = key
        self.files = files
        self.policy = policy


def _load(
    file: Path, display: str, policy_path: str | None, kb: KnowledgeBase | None, cache: Path | None
) -> Policy:
    kb = kb if kb is not None else store.load()
    if cache is None:
        return _merge(_Loader(kb).file(file, display, ()), path=policy_path)
    key = _cache_key(file, display, policy_path, kb)
    entry_path = cache / f"policy-{key[:32]}.pickle"
    entry = paths.read_pickle(entry_path)
    if isinstance(entry, _Cached) and entry.key == key and _unchanged(entry.files):
        return entry.policy
    loader = _Loader(kb)
    policy = _merge(loader.file(file, display, ()), path=policy_path)
    # Only a chain whose files did not change while being read (a file edited mid-run gives
    # a policy of mixed versions; it is not kept).
    if _unchanged(loader.read):
        paths.write_pickle(entry_path, _Cached(key, tuple(loader.read), policy))
    return policy


def _cache_key(file: Path, display: str, policy_path: str | None, kb: KnowledgeBase) -> str:
    """What a loaded policy depends on besides its files' bytes: how it was named (names
    appear in messages and `sources`), where relative `extends` paths start (the working
    directory), the knowledge base (licence ids are validated) and the loading code."""
    parts = (
        str(CACHE_FORMAT),
        _code_digest(),
        kb.digest,
        os.getcwd(),
        str(file),
        display,
        str(policy_path),
    )
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _code_digest() -> str:
    """The code and data that validate and shape a policy: this package (its data included),
    the licence model and the verdict names, and the version."""
    here = Path(__file__).parent
    package = here.parent
    return paths.code_digest(
        [here, here / "data", package / "knowledge" / "model.py", package / "results.py"]
    )


def _unchanged(files: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> bool:
    for name, digest in files:
        try:
            data = Path(name).read_bytes()
        except OSError:
            return False
        if hashlib.sha256(data).hexdigest() != digest:
            return False
    return bool(files)


def _relative_to(path: str, cwd: Path) -> Path:
    """`path` as the user wrote it when `cwd` is the process's; else resolved against `cwd`."""
    p = Path(path)
    if p.is_absolute() or cwd.resolve() == Path.cwd().resolve():
        return p
    return cwd / p


PYPROJECT_KEYS = ("policy", "preset")  # what [tool.licensecheck] may hold


def _pyproject_setting(cwd: Path) -> tuple[str, str] | None:
    """`("policy", path)` or `("preset", name)` from `[tool.licensecheck]`, if set."""
    pyproject = cwd / "pyproject.toml"
    if not paths.is_file(pyproject):
        return None
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([f"{pyproject}: cannot read: {exc}"]) from None
    if "licensecheck" not in text and "\\u" not in text and "\\U" not in text:
        # However the table is spelt, its name is in the text (or escaped): no TOML parse.
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 needs the tomli backport
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([f"{pyproject}: not valid TOML: {exc}"]) from None
    tool = data.get("tool", {})
    section = tool.get("licensecheck") if isinstance(tool, dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise PolicyError([f"{pyproject}: [tool.licensecheck] must be a table"])
    from licensecheck.policy.schema import suggestion

    problems = [
        f"{pyproject}: [tool.licensecheck]: unknown key {key!r}; the keys are "
        f"{', '.join(PYPROJECT_KEYS)}{suggestion(str(key), list(PYPROJECT_KEYS))}"
        for key in section
        if key not in PYPROJECT_KEYS
    ]
    if problems:
        raise PolicyError(problems)
    if len(section) > 1:
        raise PolicyError([f"{pyproject}: [tool.licensecheck]: give policy or preset, not both"])
    for key in PYPROJECT_KEYS:
        value = section.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(
                [f"{pyproject}: [tool.licensecheck] {key} must be a non-empty string"]
            )
        if key == "policy" and not is_policy_name(value.strip()):
            from licensecheck.policy.schema import quote

            raise PolicyError(
                [f"{pyproject}: [tool.licensecheck] policy {quote(value)}: {NOT_A_POLICY}"]
            )
        if key == "preset" and presets.preset_path(value.strip()) is None:
            from licensecheck.policy.schema import quote, suggestion

            raise PolicyError(  # named here: the preset's loader knows no file to name
                [
                    f"{pyproject}: [tool.licensecheck] preset {quote(value)}: unknown preset; "
                    f"presets are {_preset_list()}{suggestion(value.strip(), preset_names())}"
                ]
            )
        return key, value.strip()
    return None


def _preset_list() -> str:
    return ", ".join(preset_names()) or "(none installed)"


class _Loader:
    """Loads one `extends` chain, collecting the problems of every file in it."""

    def __init__(self, kb: KnowledgeBase | None) -> None:
        self.kb = kb if kb is not None else store.load()
        self._vocab: Vocabulary | None = None
        self.read: list[tuple[str, str]] = []  # (path as opened, sha256) of every file read

    @property
    def vocab(self) -> Vocabulary:
        if self._vocab is None:
            from licensecheck.policy.schema import vocabulary

            self._vocab = vocabulary(self.kb)
        return self._vocab

    def file(self, path: Path, display: str, chain: tuple[str, ...]) -> list[Layer]:
        """The layers of `path` and its ancestors, parents first."""
        from licensecheck.policy.schema import Layer, Validator
        from licensecheck.policy.yamlsource import YamlProblem, parse, read_policy_text

        try:
            data = read_policy_text(path, display)
            self.read.append((str(path), hashlib.sha256(data).hexdigest()))
            root = parse(data, display)
        except YamlProblem as exc:
            raise PolicyError(exc.problems) from None
        problems: list[str] = []
        parents: list[Layer] = []
        extends = root.value.get("extends") if root.kind == "map" else None
        if extends is not None:
            key = _identity(path)
            try:
                parents = self.parent(extends.node, path, display, (*chain, key))
            except PolicyError as exc:
                problems.extend(exc.problems)
        defined = {
            name: like for layer in parents for name, (like, _) in layer.uses_defined.items()
        }
        validator = Validator(display, self.vocab, defined)
        layer = Layer(display=display, data=data)
        validator.document(root, layer)
        problems.extend(validator.problems)
        if problems:
            raise PolicyError(problems)
        return [*parents, layer]

    def parent(self, node: YNode, path: Path, display: str, chain: tuple[str, ...]) -> list[Layer]:
        from licensecheck.policy.schema import quote, suggestion

        where = f"{display}:{node.line}:{node.column}"
        target = node.value if node.kind == "scalar" else None
        if not isinstance(target, str) or not target.strip():
            return []  # the validator reports the wrong type
        target = target.strip()
        if _looks_like_path(target):
            if not is_policy_name(target):
                raise PolicyError([f"{where}: extends {quote(target)}: {NOT_A_POLICY}"])
            parent_path = path.parent / target
            parent_display = str(Path(display).parent / target)
            if not paths.is_file(parent_path):
                raise PolicyError([f"{where}: extends {quote(target)}: no such file"])
        else:
            found = presets.preset_path(target)
            if found is None:
                raise PolicyError(
                    [
                        f"{where}: extends {quote(target)}: not a preset ({_preset_list()}) nor a "
                        f"path ending in .yaml{suggestion(target, preset_names())}"
                    ]
                )
            parent_path, parent_display = found, f"preset:{target}"
        key = _identity(parent_path)
        if key in chain:
            raise PolicyError([f"{where}: extends {quote(target)} makes a cycle"])
        return self.file(parent_path, parent_display, chain)


def _looks_like_path(target: str) -> bool:
    return "/" in target or "\\" in target or target.endswith((".yaml", ".yml"))


def _identity(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path)


def _merge(layers: list[Layer], path: str | None) -> Policy:
    fields: dict[str, Any] = {}
    organisation: dict[str, Any] = {}
    uses_defined: dict[str, tuple[str, str]] = {}
    rules: list[Rule] = []
    exceptions = []
    for layer in layers:
        fields.update(layer.fields)
        organisation.update(layer.organisation)
        uses_defined.update(layer.uses_defined)
        rules.extend(layer.rules)
        exceptions.extend(layer.exceptions)
    # Rule numbers run through the whole chain, parents first: "rule:3" is stable for a policy.
    numbered = tuple(
        Rule(r.match, r.verdict, r.uses, r.reason, index=i, location=r.location)
        for i, r in enumerate(rules, start=1)
    )
    # The name is the top file's own, never a parent's: a file that `extends: default` is
    # not the default policy. Without one, the file (or preset) name stands in.
    top = layers[-1]
    default_name = top.display.removeprefix("preset:") if path is None else Path(top.display).name
    return Policy(
        name=top.fields.get("name", default_name),
        path=path,
        sha256=_digest(layers),
        organisation=Organisation(**organisation),
        uses=fields.get("uses", USES),
        uses_defined={name: like for name, (like, _) in uses_defined.items()},
        use_descriptions={name: text for name, (_, text) in uses_defined.items() if text},
        fail_on=fields.get("fail_on", "review"),
        unknown_license=fields.get("unknown_license", "review"),
        license_conflict=fields.get("license_conflict", "review"),
        modified_license=fields.get("modified_license", "review"),
        unverified_license=fields.get("unverified_license", "review"),
        unreadable_license_file=fields.get("unreadable_license_file", "review"),
        rules=numbered,
        otherwise=fields.get("otherwise", "review"),
        exceptions=tuple(exceptions),
        sources=tuple(layer.display for layer in layers),
    )


def _digest(layers: list[Layer]) -> str:
    """sha256 of the file for a single file; of the files' digests, in order, for a chain."""
    digests = [hashlib.sha256(layer.data).hexdigest() for layer in layers]
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()
