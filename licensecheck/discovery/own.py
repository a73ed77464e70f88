"""Files licensecheck itself writes, which `scan` must not read as references.

Its reports (JSON, SARIF, the SBOMs, an alternatives ranking, notices), `licensecheck.lock` and the
policy (whose `exceptions` name models) all hold model ids under keys a config scan counts
(`model`, `repo_id`). Read as configs, a report written by one `scan --output report.json`
would add references to the next run, and a waiver would reference the very model it waives.
They are recognised by their shape, not their name (`--output` can be anything): a document
whose top-level keys are only those of one of these formats and that names licensecheck as
its tool. A config that adds one of its own keys is no longer such a document and is read.
"""

from __future__ import annotations

import json
from typing import Any

_REPORT_KEYS = frozenset(
    {"schema_version", "tool", "policy", "uses", "results", "summary", "expired_exceptions",
     "file_findings"}
)  # fmt: skip
# An alternatives ranking: the audit report's keys (the candidates' results) and its own.
_ALTERNATIVES_KEYS = _REPORT_KEYS | {"query", "model", "ranking", "excluded"}
# Other documents that name licensecheck as their tool: notice, identify, licenses (JSON).
_TOOL_DOCUMENTS = (
    frozenset({"schema_version", "tool", "copyrights", "files", "incomplete", "instructions",
               "lines"}),
    frozenset({"schema_version", "tool", "results"}),
    frozenset({"schema_version", "tool", "licenses"}),
)  # fmt: skip
_SARIF_KEYS = frozenset({"$schema", "version", "runs"})
_LOCK_KEYS = frozenset({"lock_version", "generated_by", "policy", "models"})
_SPDX_KEYS = frozenset(
    {"SPDXID", "creationInfo", "dataLicense", "documentNamespace", "name", "packages",
     "relationships", "spdxVersion", "comment", "externalDocumentRefs", "hasExtractedLicensingInfos",
     "documentDescribes", "annotations"}
)  # fmt: skip
_CYCLONEDX_KEYS = frozenset(
    {"$schema", "bomFormat", "components", "dependencies", "metadata", "serialNumber",
     "specVersion", "version"}
)  # fmt: skip
_TOOL = "licensecheck"


def is_own_output(text: str, suffix: str) -> bool:
    """Whether a .json/.yaml file is a report, SBOM, lock or policy licensecheck wrote."""
    if suffix in (".yaml", ".yml"):
        return _is_policy(text)
    if suffix != ".json" or _TOOL not in text:
        return False
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and _is_own_json(data)


def _named(value: Any) -> bool:
    return isinstance(value, dict) and value.get("name") == _TOOL


def _is_own_json(data: dict[str, Any]) -> bool:
    keys = set(data)
    if keys <= _REPORT_KEYS and "results" in keys:
        return _named(data.get("tool"))
    if keys <= _ALTERNATIVES_KEYS and "ranking" in keys:
        return _named(data.get("tool"))
    if any(keys <= allowed for allowed in _TOOL_DOCUMENTS):
        return _named(data.get("tool"))
    if keys <= _LOCK_KEYS and "models" in keys:
        return data.get("generated_by") == f"{_TOOL} lock"
    if keys <= _SARIF_KEYS and isinstance(data.get("runs"), list) and data["runs"]:
        return all(
            isinstance(run, dict) and _named((run.get("tool") or {}).get("driver"))
            for run in data["runs"]
        )
    if keys <= _SPDX_KEYS and "spdxVersion" in keys:
        creators = (data.get("creationInfo") or {}).get("creators") or []
        return any(str(c).startswith(f"Tool: {_TOOL}-") for c in creators)
    if keys <= _CYCLONEDX_KEYS and data.get("bomFormat") == "CycloneDX":
        tools = ((data.get("metadata") or {}).get("tools") or {}).get("components") or []
        return any(_named(t) for t in tools if isinstance(t, dict))
    return False


def _is_policy(text: str) -> bool:
    """A licensecheck policy: a mapping whose top-level keys are all policy keys, with
    `version` (every policy has it)."""
    if "exceptions" not in text and "rules" not in text:
        return False  # nothing in it names a model: scanning it costs nothing either
    from licensecheck.policy.keys import TOP_KEYS

    keys = _top_level_keys(text)
    return keys is not None and "version" in keys and keys <= set(TOP_KEYS)


def _top_level_keys(text: str) -> set[str] | None:
    """The keys of a YAML document's top-level mapping, from its lines (no YAML parse: a
    key at column 0 followed by a colon). None when a top-level line is anything else."""
    keys: set[str] = set()
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or line[0] in " \t-":
            continue
        if line.startswith("---"):
            continue
        key, colon, _ = line.partition(":")
        if not colon or not key.strip() or key != key.strip():
            return None
        keys.add(key.strip().strip("'\""))
    return keys
