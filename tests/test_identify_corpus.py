"""Every licence, AUP and notice of the corpus identified as MANIFEST.tsv expects, and the
versions told apart. The corpus includes held-out variants that are not in knowledge/texts."""

from __future__ import annotations

import pytest

from licensecheck.identify.matcher import find_all, identify
from tests._identify_support import CORPUS, manifest

ROWS = manifest()
PERMISSIVE = {"permissive", "public-domain"}


def test_manifest_is_the_whole_corpus() -> None:
    listed = {r.file for r in ROWS}
    on_disk = {p.name for p in CORPUS.glob("*.txt")}
    assert listed == on_disk
    assert len(ROWS) >= 90


@pytest.mark.parametrize("row", ROWS, ids=[r.file for r in ROWS])
def test_corpus_file_identified_as_manifest_says(row, kb) -> None:
    result = identify(row.text, kb)
    if row.id == "none":
        assert result.kind == "notice", result
        assert result.id not in kb or kb[result.id].kind == "notice"
    else:
        assert (result.id, result.kind) == (row.id, row.kind), result
    if row.modified != "any":
        assert result.modified is (row.modified == "yes"), result.changes
    if result.modified:
        assert result.changes, "a modified text lists its changes"
    else:
        assert not result.changes
    if result.id != "unknown":
        assert 0.5 <= result.confidence <= 1.0


# Texts that exist in several versions: the version matters (terms differ between them).
VERSIONS = {
    "llama3.txt": ("llama3", "2024-04-18"),
    "llama3.1.txt": ("llama3.1", "2024-07-23"),
    "llama3.2.txt": ("llama3.2", "2024-09-25"),
    "llama3.3.txt": ("llama3.3", "2024-12-06"),
    "gemma.txt": ("gemma", "2025-03-24"),
    "gemma-v20240401.txt": ("gemma", "2024-04-01"),
    "yi-v1.0.txt": ("yi", "2023-11-01"),
    "yi-v2.0.txt": ("yi", "2023-11-04"),
    "yi.txt": ("yi", "2023-11-23"),
    "minimax-v20250114-initial.txt": ("minimax", "2025-01-14"),
}


@pytest.mark.parametrize("name", sorted(VERSIONS))
def test_versions_told_apart(name, kb) -> None:
    result = identify((CORPUS / name).read_text(encoding="utf-8"), kb)
    lic_id, date = VERSIONS[name]
    assert result.id == lic_id
    version = kb[lic_id].version_named(result.version)
    assert version is not None
    assert (version.date or version.version).startswith(date)


def test_chatglm_editions_are_distinct_versions(kb) -> None:
    names = [r.file for r in ROWS if r.id == "chatglm"]
    versions = {identify((CORPUS / n).read_text(encoding="utf-8"), kb).version for n in names}
    assert len(names) >= 5
    assert len(versions) == len(names)  # every edition its own version


def test_no_corpus_restrictive_text_reported_permissive(kb) -> None:
    for row in ROWS:
        if row.id in kb and kb[row.id].category not in PERMISSIVE:
            result = identify(row.text, kb)
            assert result.id == "unknown" or kb[result.id].category not in PERMISSIVE, row.file


def test_licence_file_holding_licence_and_aup(kb) -> None:
    """The Llama 3.1 licence followed by its AUP: two documents, with their lines."""
    licence = (CORPUS / "llama3.1.txt").read_text(encoding="utf-8")
    aup = (CORPUS / "llama3.1-acceptable-use-policy.txt").read_text(encoding="utf-8")
    text = licence.rstrip("\n") + "\n\n" + aup
    matches = find_all(text, kb)
    assert [(m.id, m.kind) for m in matches] == [("llama3.1", "license"), ("llama3.1-aup", "aup")]
    first_aup_line = licence.rstrip("\n").count("\n") + 3
    assert matches[0].start_line == 1 and matches[0].end_line < first_aup_line
    assert matches[1].start_line >= first_aup_line - 1
    assert not any(m.modified for m in matches)
    primary = identify(text, kb)
    assert (primary.id, primary.modified) == ("llama3.1", False)


def test_readme_with_licence_section(kb) -> None:
    mit = (CORPUS / "mit.txt").read_text(encoding="utf-8")
    readme = (
        "# My model\n\nA small model for testing.\n\n## Usage\n\n```python\nimport x\n```\n\n"
        "## License\n\n" + mit + "\n## Citation\n\nPlease cite us.\n"
    )
    matches = find_all(readme, kb)
    assert [m.id for m in matches] == ["mit"]
    start = readme[: readme.index("MIT License")].count("\n") + 1
    assert matches[0].start_line == start
    assert not matches[0].modified


def test_readme_without_licence_text_is_not_a_licence(kb) -> None:
    readme = (
        "# My model\n\nThis model answers questions about cooking recipes.\n\n"
        "## Training\n\nWe trained it for three epochs on a single GPU.\n\n"
        "## License\n\nSee the LICENSE file.\n"
    )
    result = identify(readme, kb)
    assert (result.id, result.kind) == ("unknown", "unknown")
    assert find_all(readme, kb) == []
