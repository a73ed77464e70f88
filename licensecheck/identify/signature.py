"""What the identification index depends on, as a digest computed without importing it.

`texts_digest` names an index (identify/index.py) and, through `cache.matcher_version`, a
generation of cached determinations: both must change whenever the knowledge base, a
canonical text, the index or normalisation code, or `FORMAT` does. It is here, apart from
the index, so that a warm run can check its determination cache without importing the
matcher at all.
"""

from __future__ import annotations

from pathlib import Path

from licensecheck.paths import code_digest, stat_digest

__all__ = ["FORMAT", "stat_digest", "texts_digest"]

FORMAT = 4  # bump when the normalisation or the index layout changes

_HERE = Path(__file__).parent
# The code that shapes the index is part of its identity: a changed normalisation must never
# meet an index built by the old one.
_CODE = (_HERE / "index.py", _HERE / "normalize.py")


def texts_digest(kb_digest: str, texts_dir: Path) -> str:
    """Digest of everything an index depends on: the knowledge base, the text files (by
    name, size and modification time: a warm start reads none of them), the index's and
    the normaliser's source, FORMAT."""
    return code_digest(_CODE, f"{FORMAT}:{kb_digest}:{stat_digest(texts_dir, '.txt')}")
