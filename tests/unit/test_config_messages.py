"""What a seal.toml that cannot be read is told: the place, the encoding, the TOML version."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from backend.config import text as config_text
from backend.config.document import load_config
from backend.errors import ConfigError, ConfigParseError
from tests.conftest import require_tools

TEXT = '# café\n[model]\nname = "claude-sonnet-4-6"\n'
POSITION = re.compile(r"line (\d+), column (\d+)")


def refusal(tmp_path: Path, data: bytes) -> ConfigError:
    path = tmp_path / "seal.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


WIDE = [
    ("utf-16", "UTF-16 text (with a byte-order mark)", "UTF-16"),
    ("utf-16-le", "UTF-16LE text (no byte-order mark)", "UTF-16LE"),
    ("utf-16-be", "UTF-16BE text (no byte-order mark)", "UTF-16BE"),
    ("utf-32", "UTF-32 text (with a byte-order mark)", "UTF-32"),
    ("utf-32-be", "UTF-32BE text (no byte-order mark)", "UTF-32BE"),
]


@pytest.mark.parametrize(("codec", "said", "name"), WIDE, ids=[w[0] for w in WIDE])
def test_utf16_and_utf32_are_named_with_the_command_that_converts_them(
    tmp_path: Path, codec: str, said: str, name: str
) -> None:
    data = TEXT.encode(codec)
    error = refusal(tmp_path, data)
    assert f"it is {said}, but seal.toml must be UTF-8" in error.message
    assert "binary" not in error.message and "NUL" not in error.message
    assert f"iconv -f {name} -t UTF-8 {tmp_path / 'seal.toml'}" in error.hint
    require_tools("iconv")
    # The hint's command, as given, makes a file seal-setup reads.
    subprocess.run(["sh", "-c", error.hint.removeprefix("convert it: ")], check=True)
    assert (tmp_path / "seal.toml").read_text(encoding="utf-8") == TEXT
    assert load_config(tmp_path / "seal.toml").own("name") == "claude-sonnet-4-6"


def test_utf16_with_a_mark_and_no_ascii_at_all(tmp_path: Path) -> None:
    """Text with no zero bytes at all: the byte-order mark alone tells."""
    error = refusal(tmp_path, "# 東京\n".encode("utf-16"))
    assert "UTF-16 text (with a byte-order mark)" in error.message


def test_binary_is_not_taken_for_utf16(tmp_path: Path) -> None:
    error = refusal(tmp_path, bytes(range(256)) * 4)
    assert "it holds a NUL byte at line 1, column 1" in error.message
    assert "binary file" in error.message and "UTF-16" not in error.message


def test_a_nul_byte_is_named_with_its_line_and_column(tmp_path: Path) -> None:
    error = refusal(tmp_path, b'[model]\nname = "caf\xc3\xa9\x00"\n')
    # The column counts characters (é is two bytes, one column), as editors do.
    assert "it holds a NUL byte at line 2, column 13" in error.message
    assert "remove that byte" in error.hint


def test_not_utf8_is_named_with_its_line_and_column(tmp_path: Path) -> None:
    error = refusal(tmp_path, b'[model]\nname = "\xc3\xa9\xe9"\n')
    assert "not UTF-8 text at line 2, column 10 (byte 0xe9)" in error.message


# (text, the construct named, how to write it in TOML 1.0, line, column)
TOML11 = [
    ("a = { b = 1, }\n", "a comma after the last key of an inline", "remove the comma", 1, 14),
    ("a = {\n  b = 1\n}\n", "a line break inside an inline table", "on one line", 1, 6),
    ("a = { b = 1,\n  c = 2 }\n", "a line break inside an inline table", "[table]", 1, 13),
    ("a = { b = 1 # why\n}\n", "a line break inside an inline table", "on one line", 1, 13),
    ("x = [{ b = 1,\n}]\n", "a line break inside an inline table", "on one line", 1, 14),
    ('[model]\r\nh = { a = "x", }\r\n', "a comma after the last key", "before }", 2, 16),
    ('a = "x\\ey"\n', "the \\e escape", "write \\u001b instead of \\e", 1, 9),
    ('a = """\nx\\ey"""\n', "the \\e escape", "\\u001b", 2, 4),
    ('a = "x\\x41y"\n', "a \\xHH escape", "write \\u0041 instead of \\x41", 1, 9),
    ("a = 07:32\n", "a time without seconds, 07:32", "07:32:00", 1, 6),
    ("a = 1979-05-27T07:32Z\n", "a time without seconds, 07:32", "07:32:00", 1, 15),
    ("a = 1979-05-27 07:32-07:00\n", "a time without seconds, 07:32", "07:32:00", 1, 16),
    ("t = [07:32:00, 08:15]\n", "a time without seconds, 08:15", "08:15:00", 1, 17),
]


@pytest.mark.parametrize(("text", "construct", "fix", "line", "col"), TOML11)
def test_toml11_syntax_is_named(
    tmp_path: Path, text: str, construct: str, fix: str, line: int, col: int
) -> None:
    error = refusal(tmp_path, text.encode())
    assert isinstance(error, ConfigParseError)
    assert (error.line, error.col) == (line, col)
    assert f"seal.toml line {line}, column {col}: " in error.message
    assert "this is TOML 1.1 syntax (" + construct in error.message
    assert "Seal reads TOML 1.0 only" in error.message
    assert fix in error.hint and "never overwrites" in error.hint


# Invalid in TOML 1.1 as well (no claim that it is 1.1 syntax), each with its place.
BROKEN = [
    "a = { b = 1\nc = 2\n",  # an inline table never closed
    "a = { b = 1,",  # the end of the file inside one
    'a = "\\x4g"\n',  # \x needs two hex digits
    'a = "\\q"\n',
    'a = "12:30" 12:30\n',  # a time, but not where a value starts
    "a = { , }\n",
    "a = 7:32\n",
    '[model]\nname = "claude\n',
    "[model\n",
    "[[model]\n",
    "a = [1, 2\n",
    "a = [1, 2",
    "a = {\n",
    'a = """never closed\n\n',
    "a = '''never closed",
    "a = 1\na = 2\n",
    "[a]\n[a]\n",
    "a.b = 1\n[a.b]\n",
    "= 1\n",
    "a = 1 b = 2\n",
    "a = 0x\n",
    "a = 1979-13-01\n",
    "a = +inf_\n",
    "a = tru\n",
    "\ta = [\n\t1,,\n]\n",
    "a = 'multi\nline'\n",
    'k = "\\u00zz"\n',
    "# comment with a control \x01 char\n",
    "\ufeff[model\r\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_every_parse_failure_names_line_and_column(tmp_path: Path, text: str) -> None:
    error = refusal(tmp_path, text.encode())
    assert isinstance(error, ConfigParseError)
    found = POSITION.search(error.message)
    assert found, error.message
    assert (int(found.group(1)), int(found.group(2))) == (error.line, error.col)
    assert error.line >= 1 and error.col >= 1
    assert "TOML 1.1" not in error.message and "TOML 1.1" not in error.hint


def test_toml11_looks_at_the_failing_place_only() -> None:
    line = 'a = "07:32", b = { c = 1, }'
    assert config_text.toml11(line, 6) is None  # in the string, not where it failed
    found = config_text.toml11(line, 27)
    assert found is not None and "comma" in found.construct


def test_position_counts_characters() -> None:
    data = "ab\nçé\x00".encode()
    assert config_text.position(data, data.index(b"\x00")) == (2, 3)
    assert config_text.position(b"\x00", 0) == (1, 1)
