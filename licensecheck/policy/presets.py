"""Where the built-in policies (presets) live.

A wheel carries the top-level `policies/` directory as `licensecheck/_policies` (a
force-include in pyproject.toml); an editable install finds `policies/` next to the
package instead.
"""

from __future__ import annotations

import functools
from pathlib import Path

import licensecheck


@functools.lru_cache(maxsize=1)
def presets_dir() -> Path | None:
    """The directory holding `<name>.yaml` presets, or None if the install has none."""
    # The package's directory (what importlib.resources gives, without importing it).
    package = Path(licensecheck.__file__ or ".").parent
    for candidate in (package / "_policies", package.parent / "policies"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    return None


def preset_names() -> list[str]:
    """The built-in policy names, sorted."""
    directory = presets_dir()
    if directory is None:
        return []
    return sorted(p.stem for p in directory.glob("*.yaml"))


def preset_path(name: str) -> Path | None:
    """The file of preset `name`, or None if there is no such preset."""
    directory = presets_dir()
    if directory is None or name not in preset_names():
        return None
    return directory / f"{name}.yaml"
