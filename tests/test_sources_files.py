"""Which files are licence evidence, and how they are read (size cap, binary, encodings)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from licensecheck.sources import files


@pytest.mark.parametrize(
    "path",
    [
        "LICENSE",
        "license.txt",
        "LICENSE.md",
        "LICENCE",
        "LICENSE-MODEL",
        "LICENSE_weights",
        "MODEL_LICENSE",
        "USE_POLICY.md",
        "NOTICE",
        "COPYING",
        "README.md",
        "Community License for Baichuan2 Model.pdf",
        "llama2_license.txt",
        "model_licenses/LICENSE",
        "LICENSES/MIT.txt",
        "original/LICENSE",
        "ACCEPTABLE_USE_POLICY.md",
    ],
)
def test_licence_like(path: str) -> None:
    assert files.is_licence_like(path)


@pytest.mark.parametrize(
    "path",
    [
        "config.json",
        "model.safetensors",
        "license.py",
        "license_check.json",
        "licensecheck.lock",
        "docs/README.md",
        "a/b/LICENSE",  # two levels down
        "original/README.md",
        "tokenizer.json",
    ],
)
def test_not_licence_like(path: str) -> None:
    assert not files.is_licence_like(path)


def test_select_orders_top_level_first_and_caps() -> None:
    paths = ["sub/LICENSE", "NOTICE", "LICENSE", "model.bin"] + [
        f"LICENSES/x{i}.txt" for i in range(40)
    ]
    chosen = files.select(paths)
    assert chosen[:2] == ["LICENSE", "NOTICE"]
    assert len(chosen) == files.MAX_FILES
    assert files.overflow_finding(paths) is not None
    assert files.overflow_finding(["LICENSE"]) is None


def test_pdf_is_a_gap_not_a_read() -> None:
    assert not files.is_text_name("Community License.pdf")
    assert files.is_text_name("LICENSE")
    assert files.not_text_finding("x.pdf").kind == "file-not-text"


def test_read_plain(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_bytes(b"MIT License\r\n\r\nPermission is hereby granted\r\n")
    got, findings = files.read_file(tmp_path / "LICENSE", "LICENSE")
    assert got is not None and findings == []
    assert got.text == "MIT License\n\nPermission is hereby granted\n"
    assert got.sha256 == hashlib.sha256((tmp_path / "LICENSE").read_bytes()).hexdigest()
    assert not got.truncated


def test_read_caps_large_files(tmp_path: Path) -> None:
    # A multi-byte character straddles the cap: no spurious decoding finding.
    data = b"a" * (files.MAX_FILE_BYTES - 1) + "é".encode() + b"tail" * 1000
    (tmp_path / "LICENSE").write_bytes(data)
    got, findings = files.read_file(tmp_path / "LICENSE", "LICENSE")
    assert got is not None and got.truncated
    assert len(got.text) == files.MAX_FILE_BYTES - 1
    assert [f.kind for f in findings] == ["file-truncated"]


def test_binary_empty_and_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "bin").write_bytes(b"MIT\x00\x01\x02")
    (tmp_path / "empty").write_bytes(b"  \n")
    (tmp_path / "latin1").write_bytes("Licence accordée\n".encode("latin-1"))
    assert files.read_file(tmp_path / "bin", "bin") == (
        None,
        [
            files.Finding(
                kind="file-binary", message="bin: binary (NUL bytes); not read", path="bin"
            )
        ],
    )
    got, findings = files.read_file(tmp_path / "empty", "empty")
    assert got is None and findings[0].kind == "file-empty"
    got, findings = files.read_file(tmp_path / "latin1", "latin1")
    assert got is not None and "\ufffd" in got.text
    assert findings[0].kind == "file-not-utf8"


def test_unreadable_file_is_a_finding(tmp_path: Path) -> None:
    got, findings = files.read_file(tmp_path / "missing", "missing")
    assert got is None and findings[0].kind == "file-unreadable"
