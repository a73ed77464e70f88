"""Model references in Jupyter notebooks (.ipynb), with a line the user can find.

The code cells are read as one Python module (a constant set in cell 1 and used in cell 5
is still a reference), IPython magics (`%pip`, `!ls`) are blanked. Each reference is reported
at the line of the `.ipynb` file (a JSON document) that holds its source line: notebooks are
saved one source line per JSON string, so that is the line a text editor, `git diff` or a
code-scanning annotation shows. The cell number (1-based, counting every cell, markdown too)
and the line inside the cell are reported as well.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from licensecheck.discovery import jsonpos
from licensecheck.discovery.python import ignored_lines, scan_lexical, scan_tree

# Cell magics whose body is not Python.
_FOREIGN_CELLS = frozenset(
    {
        "bash",
        "sh",
        "script",
        "html",
        "javascript",
        "js",
        "latex",
        "markdown",
        "svg",
        "perl",
        "ruby",
        "cmd",
        "powershell",
        "pwsh",
        "sql",
        "r",
        "R",
    }
)


@dataclass(frozen=True)
class NotebookRef:
    line: int  # in the .ipynb file
    column: int
    repo_id: str
    revision: str | None
    via: str
    cell: int  # 1-based, counting every cell
    cell_line: int  # 1-based, inside the cell


@dataclass(frozen=True)
class _Line:
    cell: int
    cell_line: int
    file_line: int
    file_column: int


class NotebookError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _cells(root: jsonpos.Node) -> list[jsonpos.Node]:
    cells = root.get("cells")
    if cells is not None and cells.kind == "array":
        return list(cells.value)
    # nbformat 3: worksheets[].cells[]
    out: list[jsonpos.Node] = []
    sheets = root.get("worksheets")
    for sheet in sheets.value if sheets is not None and sheets.kind == "array" else []:
        inner = sheet.get("cells")
        if inner is not None and inner.kind == "array":
            out.extend(inner.value)
    return out


def _is_python(root: jsonpos.Node) -> bool:
    meta = root.get("metadata")
    if meta is None:
        return True
    for section, key in (("kernelspec", "language"), ("language_info", "name")):
        node = meta.get(section)
        value = node.get(key) if node is not None else None
        if value is not None and value.kind == "string":
            return str(value.value).lower().startswith(("python", "ipython"))
    return True


def _source_lines(cell: jsonpos.Node, index: int) -> list[tuple[str, _Line]]:
    """The cell's source split into lines, each with where it sits in the .ipynb file."""
    source = cell.get("source") or cell.get("input")
    if source is None:
        return []
    parts = source.value if source.kind == "array" else [source]
    lines: list[tuple[str, _Line]] = []
    pending = ""
    pending_at: jsonpos.Node | None = None
    for part in parts:
        if part.kind != "string":
            continue
        chunks = str(part.value).split("\n")
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            if pending_at is None and (chunk or not last):
                pending_at = part  # the line starts in this JSON string
            pending += chunk
            if not last and pending_at is not None:  # a newline ended this line
                lines.append((pending, _Line(index, 0, pending_at.line, pending_at.column)))
                pending, pending_at = "", None
    if pending_at is not None:
        lines.append((pending, _Line(index, 0, pending_at.line, pending_at.column)))
    return [
        (text, _Line(index, n, at.file_line, at.file_column))
        for n, (text, at) in enumerate(lines, 1)
    ]


def _pythonise(lines: list[str]) -> list[str] | None:
    """Blank IPython magics and shell escapes, keeping line numbers; None for a foreign cell."""
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(" ", 1)[0].strip()
        if magic in _FOREIGN_CELLS:
            return None
        lines = ["", *lines[1:]]
    out = []
    for text in lines:
        stripped = text.lstrip()
        if stripped.startswith(("%", "!")) or (
            stripped.endswith("?") and not stripped.startswith("#")
        ):
            out.append(text[: len(text) - len(stripped)] + "pass")
        else:
            out.append(text)
    return out


def scan_notebook(text: str) -> tuple[list[NotebookRef], list[tuple[int | None, str]]]:
    """References in a notebook, and problems as (line in the .ipynb, message)."""
    try:
        root = jsonpos.parse(text)
    except jsonpos.JsonPosError as exc:
        raise NotebookError(f"not a valid notebook (JSON): {exc.message}", exc.line) from None
    if root.kind != "object":
        raise NotebookError("not a valid notebook: the top level is not an object", root.line)
    if not _is_python(root):
        return [], []
    blocks: list[list[tuple[str, _Line]]] = []
    for index, cell in enumerate(_cells(root), 1):
        kind = cell.get("cell_type")
        if kind is None or kind.value != "code":
            continue
        lines = _source_lines(cell, index)
        code = _pythonise([t for t, _ in lines])
        if code is not None:
            blocks.append([(c, where) for c, (_, where) in zip(code, lines, strict=True)])

    problems: list[tuple[int | None, str]] = []
    # One module first (constants cross cells); cell by cell if some cell is not Python.
    whole = [line for block in blocks for line in block]
    refs = _scan_block(whole)
    if refs is None:
        refs = []
        for block in blocks:
            found = _scan_block(block)
            if found is None:
                # Newer syntax than this Python reads: the cell's references still count,
                # found by its tokens (as for a .py file), and the cell is a problem.
                found = _scan_block(block, lexical=True) or []
                first = block[0][1] if block else None
                problems.append(
                    (
                        first.file_line if first else None,
                        f"cell {first.cell if first else '?'} is not valid Python; scanned "
                        f"lexically, {len(found)} reference{'s' if len(found) != 1 else ''}",  # discovery.LEXICAL
                    )
                )
            refs.extend(found)
    return refs, problems


def _scan_block(
    block: list[tuple[str, _Line]], *, lexical: bool = False
) -> list[NotebookRef] | None:
    """The block's references (None when it is not valid Python); `lexical`: by its tokens."""
    if not block:
        return []
    source = "\n".join(text for text, _ in block) + "\n"
    if lexical:
        found = scan_lexical(source)
    else:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        found = scan_tree(tree, ignored_lines(source))
    out = []
    for ref in found:
        where = block[ref.line - 1][1]
        out.append(
            NotebookRef(
                where.file_line,
                where.file_column,
                ref.repo_id,
                ref.revision,
                ref.via,
                where.cell,
                where.cell_line,
            )
        )
    return out
