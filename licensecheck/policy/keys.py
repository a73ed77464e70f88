"""The top-level keys of a policy file: here, without imports, so that `scan` can tell a
policy (whose exceptions name models) from a config that names models to load."""

from __future__ import annotations

TOP_KEYS = (
    "version",
    "name",
    "description",
    "extends",
    "organisation",
    "uses",
    "uses_defined",
    "fail_on",
    "unknown_license",
    "license_conflict",
    "modified_license",
    "unverified_license",
    "unreadable_license_file",
    "rules",
    "otherwise",
    "exceptions",
)
