"""`paths.read_bytes`: a file's bytes with open, read and close only, and `open`'s errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from licensecheck import paths


@pytest.mark.parametrize("size", [0, 1, 4095, (1 << 20) + 3, 3 * (1 << 20)])
def test_whole_file_and_prefixes(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert paths.read_bytes(path) == data
    assert paths.read_bytes(str(path), 10) == data[:10]
    assert paths.read_bytes(path, size + 1) == data
    assert paths.read_bytes(path, 0) == b""


def test_errors_are_opens(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        paths.read_bytes(tmp_path / "missing")
    with pytest.raises(IsADirectoryError):
        paths.read_bytes(tmp_path)


def test_no_descriptor_is_left_open(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("MIT\n")
    before = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").is_dir() else None
    for _ in range(50):
        assert paths.read_bytes(path) == b"MIT\n"
        with pytest.raises(IsADirectoryError):
            paths.read_bytes(tmp_path)
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before
