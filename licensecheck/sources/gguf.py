"""Read `general.license` from a GGUF file's header, without loading the model.

The header is a list of typed key/value pairs before the tensor data (GGUF v2 and v3,
little-endian). The reader walks them in order and stops at `general.license`, so it
touches only the first kilobytes of a usual file (the `general.*` keys come first). It is
bounded for hostile files: at most `MAX_SCAN` bytes are walked, strings above `MAX_STRING`
are skipped, and anything malformed simply yields None.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

MAGIC = b"GGUF"
MAX_SCAN = 64 * 1024 * 1024
MAX_STRING = 64 * 1024  # a licence value longer than this is not a licence id
MAX_KV = 1_000_000
KEY = "general.license"

# value type -> fixed size in bytes (8: string and 9: array are variable)
_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING = 8
_ARRAY = 9


class _Malformed(Exception):
    pass


class _Reader:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.pos = 0

    def read(self, n: int) -> bytes:
        if self.pos + n > MAX_SCAN:
            raise _Malformed("scan limit")
        data = self.fh.read(n)
        if len(data) != n:
            raise _Malformed("short read")
        self.pos += n
        return data

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > MAX_SCAN:
            raise _Malformed("scan limit")
        self.fh.seek(n, 1)
        self.pos += n

    def u32(self) -> int:
        value: int = struct.unpack("<I", self.read(4))[0]
        return value

    def u64(self) -> int:
        value: int = struct.unpack("<Q", self.read(8))[0]
        return value

    def string(self, keep: bool) -> str | None:
        length = self.u64()
        if not keep or length > MAX_STRING:
            self.skip(length)
            return None
        return self.read(length).decode("utf-8", errors="replace")

    def skip_value(self, vtype: int) -> None:
        if vtype in _FIXED:
            self.skip(_FIXED[vtype])
        elif vtype == _STRING:
            self.string(keep=False)
        elif vtype == _ARRAY:
            etype, count = self.u32(), self.u64()
            if etype in _FIXED:
                self.skip(_FIXED[etype] * count)
            else:
                for _ in range(count):
                    self.skip_value(etype)
        else:
            raise _Malformed(f"value type {vtype}")


def read_license(path: Path) -> str | None:
    """`general.license` of the GGUF file at `path`, or None (absent, not GGUF, malformed)."""
    try:
        with path.open("rb") as fh:
            reader = _Reader(fh)
            if reader.read(4) != MAGIC or reader.u32() not in (2, 3):
                return None
            reader.u64()  # tensor count
            kv_count = reader.u64()
            for _ in range(min(kv_count, MAX_KV)):
                key = reader.string(keep=True)
                vtype = reader.u32()
                if key == KEY and vtype == _STRING:
                    value = reader.string(keep=True)
                    return (value or "").strip() or None
                reader.skip_value(vtype)
    except (OSError, _Malformed, struct.error):
        return None
    return None
