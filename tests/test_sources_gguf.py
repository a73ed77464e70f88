"""general.license from GGUF headers: found past other keys, bounded on hostile files."""

from __future__ import annotations

import struct
from pathlib import Path

from licensecheck.facts import ModelRef
from licensecheck.sources import gguf
from licensecheck.sources.local import LocalSource


def gstr(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def kv_string(key: str, value: str) -> bytes:
    return gstr(key) + struct.pack("<I", 8) + gstr(value)


def header(*kvs: bytes, version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, 0, len(kvs)) + b"".join(kvs)


def test_reads_license_after_other_keys(tmp_path: Path) -> None:
    tokens = (
        gstr("tokenizer.ggml.tokens")
        + struct.pack("<IIQ", 9, 8, 3)
        + gstr("a")
        + gstr("b")
        + gstr("c")
    )
    scores = (
        gstr("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, 2) + struct.pack("<ff", 1.0, 2.0)
    )
    count = gstr("general.file_type") + struct.pack("<II", 4, 7)
    data = header(
        kv_string("general.architecture", "llama"),
        tokens,
        scores,
        count,
        kv_string("general.license", " llama3.1 "),
    )
    path = tmp_path / "m.gguf"
    path.write_bytes(data + b"\x00" * 100)
    assert gguf.read_license(path) == "llama3.1"


def test_absent_not_gguf_and_malformed(tmp_path: Path) -> None:
    cases = {
        "absent.gguf": header(kv_string("general.architecture", "llama")),
        "text.gguf": b"not a gguf file at all",
        "v1.gguf": header(kv_string("general.license", "mit"), version=1),
        "short.gguf": header(kv_string("general.license", "mit"))[:-2],
        "badtype.gguf": header(
            gstr("x") + struct.pack("<I", 99), kv_string("general.license", "mit")
        ),
        "huge-array.gguf": header(gstr("x") + struct.pack("<IIQ", 9, 0, 2**60)),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert gguf.read_license(tmp_path / name) is None, name


def test_local_source_reports_the_gguf_license(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\n---\n")
    (tmp_path / "model-Q4_K_M.gguf").write_bytes(header(kv_string("general.license", "llama3.1")))
    facts = LocalSource().fetch(ModelRef(repo_id="m", local_path=str(tmp_path)))
    assert facts.gguf_license == "llama3.1"
    assert "model-Q4_K_M.gguf" in facts.filenames
