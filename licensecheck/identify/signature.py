"""What the identification index depends on, as a digest computed without importing it.

`texts_digest` names an index (identify/index.py) and, through `cache.matcher_version`, a
generation of cached determinations: both must change whenever the knowledge base, a
canonical text, the index or normalisation code, or `FORMAT` does. It is here, apart from
the index, so that a warm run can check its determination cache without importing the
matcher at all.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

FORMAT = 4  # bump when the normalisation or the index layout changes

_HERE = Path(__file__).parent
# The code that shapes the index is part of its identity: a changed normalisation must never
# meet an index built by the old one.
_CODE = (_HERE / "index.py", _HERE / "normalize.py")


def texts_digest(kb_digest: str, texts_dir: Path) -> str:
    """Digest of everything an index depends on: the knowledge base, the text files (by
    name, size and modification time: a warm start reads none of them), the index's and
    the normaliser's source, FORMAT."""
    h = hashlib.sha256(f"{FORMAT}:{kb_digest}".encode())
    for module in _CODE:
        try:
            h.update(module.read_bytes())
        except OSError:
            h.update(b"<no source>")
    h.update(stat_digest(texts_dir, ".txt").encode())
    return h.hexdigest()[:20]


def stat_digest(directory: Path, suffix: str) -> str:
    """A digest of the names, sizes and modification times of the files in `directory`
    whose names end in `suffix` (os.scandir: no Path object per file on a warm start)."""
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
