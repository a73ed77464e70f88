"""`licensecheck identify FILE...`: JSON per the spec, table, exit statuses, bad files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from licensecheck.cli.identify import MAX_BYTES, read_text_file
from licensecheck.cli.main import main
from licensecheck.errors import UsageError
from tests._identify_support import CORPUS


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["identify", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_report_per_spec(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "llama3.1.txt", tmp_path / "LICENSE")
    code, out, _ = run("--format", "json", str(tmp_path / "LICENSE"))
    assert code == 0
    report = json.loads(out)
    assert report["tool"]["name"] == "licensecheck"
    [result] = report["results"]
    assert result["path"] == str(tmp_path / "LICENSE")
    lic = result["license"]
    assert {"id", "kind", "name", "version", "confidence", "modified", "changes"} <= set(lic)
    assert (lic["id"], lic["kind"], lic["version"], lic["modified"]) == (
        "llama3.1",
        "license",
        "2024-07-23",
        False,
    )
    assert lic["confidence"] == 1.0 and lic["changes"] == []
    assert out == json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_output_is_byte_identical_between_runs() -> None:
    files = [str(CORPUS / n) for n in ("codefuse.txt", "mit.txt", "qwen-notice.txt", "yi.txt")]
    first = run("--format", "json", *files)
    second = run("--format", "json", *files)
    assert first == second
    report = json.loads(first[1])
    assert [r["path"] for r in report["results"]] == files  # input order


def test_modified_text_lists_changes_with_lines() -> None:
    code, out, _ = run("--format", "json", str(CORPUS / "lavit-llama2-clone.txt"))
    assert code == 0
    lic = json.loads(out)["results"][0]["license"]
    assert (lic["id"], lic["modified"]) == ("llama2", True)
    assert lic["changes"] and all(
        c["type"] in ("added", "removed", "changed") for c in lic["changes"]
    )
    assert all(isinstance(c["line"], int) and c["line"] >= 1 for c in lic["changes"])
    assert any("LaVIT" in c["text"] for c in lic["changes"])


def test_several_documents_in_one_file(tmp_path: Path) -> None:
    text = (
        (CORPUS / "llama3.1.txt").read_text()
        + "\n\n"
        + (CORPUS / "llama3.1-acceptable-use-policy.txt").read_text()
    )
    path = tmp_path / "LICENSE"
    path.write_text(text)
    _, out, _ = run("--format", "json", str(path))
    result = json.loads(out)["results"][0]
    assert result["license"]["id"] == "llama3.1"
    assert [m["id"] for m in result["matches"]] == ["llama3.1", "llama3.1-aup"]


def test_notice_and_unknown_exit_status(tmp_path: Path) -> None:
    code, out, _ = run("--format", "json", str(CORPUS / "qwen-notice.txt"))
    assert code == 0  # a notice recognised as such counts as identified
    assert json.loads(out)["results"][0]["license"]["kind"] == "notice"
    other = tmp_path / "README.md"
    other.write_text("# A model\n\nIt summarises news articles. Trained on public data.\n")
    code, out, _ = run("--format", "json", str(other))
    assert code == 1
    assert json.loads(out)["results"][0]["license"] == {
        "changes": [],
        "confidence": 0.0,
        "end_line": 3,
        "id": "unknown",
        "kind": "unknown",
        "modified": False,
        "name": None,
        "start_line": 1,
        "version": None,
    }


def test_missing_file_is_a_one_line_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    code, out, err = run(str(CORPUS / "mit.txt"), str(missing))
    assert code == 2
    assert out == ""  # nothing judged
    assert err.strip().count("\n") == 0 and str(missing) in err
    code, _, err = run(str(tmp_path))
    assert code == 2 and "directory" in err


def test_binary_file(tmp_path: Path) -> None:
    blob = tmp_path / "model.bin"
    blob.write_bytes(b"GGUF\x00\x01\x02" * 100)
    code, out, _ = run("--format", "json", str(blob))
    assert code == 1
    result = json.loads(out)["results"][0]
    assert result["license"]["kind"] == "unknown"
    assert [f["kind"] for f in result["findings"]] == ["binary-file"]


def test_non_utf8_is_decoded_with_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "LICENSE"
    path.write_bytes((CORPUS / "mit.txt").read_bytes().replace(b"Permission", b"Perm\xe9ission", 1))
    _code, out, _ = run("--format", "json", str(path))
    result = json.loads(out)["results"][0]
    assert [f["kind"] for f in result["findings"]] == ["not-utf8"]
    assert result["license"]["id"] == "mit"  # identified, and the odd word shows as a change
    assert result["license"]["modified"] is True


def test_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "LICENSE"
    mit = (CORPUS / "mit.txt").read_text()
    path.write_text(mit + "\n" + "x" * (MAX_BYTES + 10))
    text = read_text_file(str(path))
    assert text.text is not None and len(text.text.encode()) == MAX_BYTES
    assert [f["kind"] for f in text.findings] == ["file-truncated"]
    _code, out, _ = run("--format", "json", str(path))
    result = json.loads(out)["results"][0]
    assert result["license"]["id"] == "mit"
    assert [f["kind"] for f in result["findings"]] == ["file-truncated"]


def test_read_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nope"):
        read_text_file(str(tmp_path / "nope"))


def test_table_output_when_not_a_terminal() -> None:
    code, out, _ = run("--format", "table", str(CORPUS / "mit.txt"), str(CORPUS / "codefuse.txt"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["PATH", "ID", "KIND", "VERSION", "CONFIDENCE", "MODIFIED", "NOTES"]
    assert "mit" in lines[1].split() and "tongyi-qianwen" in lines[2].split()
    assert any(": changed: CodeFuse" in line for line in lines[3:])


def test_default_format_off_a_terminal_is_json() -> None:
    code, out, _ = run(str(CORPUS / "mit.txt"))
    assert code == 0 and json.loads(out)["results"][0]["license"]["id"] == "mit"
