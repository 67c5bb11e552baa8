"""Naming what is wrong with seal.toml's text, and where: for `backend.config.io`'s messages.

- `position`: the 1-based line and column of a byte, the column counted in characters as
  the TOML parser and editors count it;
- `wide_encoding`: a file saved as UTF-16 or UTF-32 (with a byte-order mark, or without
  one but with the zero bytes every ASCII character has there), which would otherwise
  look like a binary file full of NUL bytes;
- `toml11`: a TOML 1.1 construct at the place where the strict TOML 1.0 parser stopped,
  found on that line alone (the parser stops at the first one, so one line is enough).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (byte-order mark, the encoding iconv reads it as), longest first: UTF-32LE's mark
# begins with UTF-16LE's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
# (encoding, code unit size, the byte of each unit that is zero for ASCII text).
_UNMARKED = (
    ("UTF-32LE", 4, (1, 2, 3)),
    ("UTF-32BE", 4, (0, 1, 2)),
    ("UTF-16LE", 2, (1,)),
    ("UTF-16BE", 2, (0,)),
)
_SAMPLE = 4096  # bytes looked at to tell an unmarked UTF-16/32 file: a multiple of 4


def position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of the byte at `offset`; the column in characters."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, len(data[start:offset].decode("utf-8", "replace")) + 1


@dataclass(frozen=True)
class WideEncoding:
    """A file in UTF-16 or UTF-32: `name` as iconv spells it, and whether it has a mark."""

    name: str
    marked: bool

    def describe(self) -> str:
        """`UTF-16 text (with a byte-order mark)`, `UTF-16LE text (no byte-order mark)`."""
        mark = "with a byte-order mark" if self.marked else "no byte-order mark"
        return f"{self.name} text ({mark})"


def wide_encoding(data: bytes) -> WideEncoding | None:
    """The UTF-16/UTF-32 encoding `data` is in, or None (UTF-8, binary, anything else).

    Without a mark, the zero bytes must fall where ASCII characters put them (at least
    half of those places) and almost nowhere else, and the whole file must decode.
    """
    for bom, name in _BOMS:
        if data.startswith(bom) and _decodes(data, name):
            return WideEncoding(name, True)
    if b"\x00" not in data:
        return None
    sample = data[:_SAMPLE]
    for name, unit, zero_lanes in _UNMARKED:
        if len(data) % unit or len(sample) < unit:
            continue
        lanes = [sample[lane::unit] for lane in range(unit)]
        size = len(lanes[0])
        ascii_like = all(lanes[lane].count(0) * 2 >= size for lane in zero_lanes)
        others = sum(lanes[lane].count(0) for lane in range(unit) if lane not in zero_lanes)
        if ascii_like and others * 64 <= size and _decodes(data, name):
            return WideEncoding(name, False)
    return None


def _decodes(data: bytes, name: str) -> bool:
    try:
        data.decode(name.lower())
    except UnicodeDecodeError:
        return False
    return True


# --- TOML 1.1 ----------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(e|x([0-9A-Fa-f]{2}))")
_NO_SECONDS = re.compile(r"(?:\d{4}-\d{2}-\d{2}[Tt ])?(\d{2}:\d{2})(?!:\d)")
_VALUE_START = ("=", "[", ",", "{")


@dataclass(frozen=True)
class Toml11:
    """A TOML 1.1 construct: what it is, and how to write it in TOML 1.0."""

    construct: str
    fix: str


def toml11(line: str, col: int, following: str = "") -> Toml11 | None:
    """The TOML 1.1 construct at column `col` (1-based) of `line`, where a TOML 1.0
    parser stopped, or None. `line` is that one line, without its line break;
    `following` is the text after it (an inline table that goes on there must close)."""
    at = col - 1
    for found in _ESCAPE.finditer(line):
        if found.start() < at <= found.end():
            if found.group(1) == "e":
                return Toml11("the \\e escape", "write \\u001b instead of \\e")
            hh = found.group(2)
            return Toml11("a \\xHH escape", f"write \\u00{hh} instead of \\x{hh}")
    for found in _NO_SECONDS.finditer(line):
        if found.start() <= at < found.end() and line[: found.start()].rstrip().endswith(
            _VALUE_START
        ):
            hm = found.group(1)
            return Toml11(
                f"a time without seconds, {hm}", f"add the seconds: {hm}:00 instead of {hm}"
            )
    before = line[:at].rstrip()
    if before.count("{") <= before.count("}"):
        return None  # not inside an inline table
    rest = line[at:].strip()
    if rest.startswith("}") and before.endswith(","):
        return Toml11("a comma after the last key of an inline table", "remove the comma before }")
    if (not rest or rest.startswith("#")) and "}" in following:
        return Toml11(
            "a line break inside an inline table",
            "put the inline table on one line, or write it as a [table]",
        )
    return None
