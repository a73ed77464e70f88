"""Names more than one stage uses, in a module that imports nothing: discovery (on the
pre-commit replay path, which must stay light) and the report formats both need them."""

from __future__ import annotations

UNPARSED_PYTHON = "python-unparsed"  # a .py file this Python cannot parse, scanned by its tokens
