"""What discovery finds: a model reference at a file and line, and the problems it met.

Pure data. Paths are POSIX, relative to the scanned root, so reports do not depend on
where the repository is checked out.
"""

from __future__ import annotations

from dataclasses import dataclass

from licensecheck.kinds import UNPARSED_PYTHON  # a .py file scanned by its tokens

__all__ = ["UNPARSED_PYTHON", "Discovery", "FoundRef", "Problem"]


@dataclass(frozen=True, order=True)
class FoundRef:
    """One place where code or configuration names a Hub model.

    `line` and `column` (1-based) point at the string literal (or config value) that names
    the model, in the file itself. For a notebook that is the line of the `.ipynb` JSON file
    holding the source line; `cell` and `cell_line` (1-based) say where it is in the notebook.
    `via` says how it was recognised (`from_pretrained`, `config:base_model`, `url`, ...).
    """

    path: str
    line: int
    column: int
    repo_id: str
    revision: str | None = None
    via: str = ""
    cell: int | None = None
    cell_line: int | None = None

    @property
    def where(self) -> str:
        loc = f"{self.path}:{self.line}"
        if self.cell is not None:
            loc += f" (cell {self.cell}, line {self.cell_line})"
        return loc


@dataclass(frozen=True, order=True)
class Problem:
    """A file discovery could not read or parse completely (it still scans what it can)."""

    path: str
    line: int | None
    message: str
    kind: str = "file-problem"  # or UNPARSED_PYTHON

    def __str__(self) -> str:
        loc = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{loc}: {self.message}"


@dataclass(frozen=True)
class Discovery:
    """Everything a scan found, in a stable order (files sorted, then line, then column)."""

    refs: tuple[FoundRef, ...]
    problems: tuple[Problem, ...] = ()
    files: int = 0  # how many files were read
