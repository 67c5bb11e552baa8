"""backend.display.visible: every unsafe code point shown escaped, everything else kept.

The ranges are checked against the Unicode database of the running Python, code point by
code point: a format character added by a newer Unicode makes this fail, not pass.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict

import pytest

from backend.system.display import UNSAFE_RANGES, escape_code_point, visible

# Categories escaped as a whole: controls, format characters, separators, surrogates.
ESCAPED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
# Invisible characters that are letters or marks only by category, and unassigned specials.
ESCAPED_EXTRA = {
    0x034F,
    0x115F,
    0x1160,
    0x17B4,
    0x17B5,
    *range(0x180B, 0x1810),
    0x3164,
    0xFFA0,
    *range(0xFFF0, 0xFFF9),
    *range(0xE0000, 0xE0080),
    0x2065,
}
ALL = range(0x110000)
TABLE = {code for lo, hi in UNSAFE_RANGES for code in range(lo, hi + 1)}


def _unsafe(code: int) -> bool:
    return unicodedata.category(chr(code)) in ESCAPED_CATEGORIES or code in ESCAPED_EXTRA


def _escaped(code: int) -> bool:
    """The rule, plus code points unassigned here that a newer Unicode made format ones."""
    return _unsafe(code) or (code in TABLE and unicodedata.category(chr(code)) == "Cn")


def test_every_code_point_by_category() -> None:
    """One pass over all of Unicode: unsafe ones escaped, the rest unchanged."""
    wrong: dict[str, list[str]] = defaultdict(list)
    seen: dict[str, int] = defaultdict(int)
    for code in ALL:
        char = chr(code)
        category = unicodedata.category(char)
        seen[category] += 1
        expected = escape_code_point(code) if _escaped(code) else char
        if visible(char) != expected:
            wrong[category].append(f"U+{code:04X}")
    assert not wrong, {k: v[:10] for k, v in wrong.items()}
    # The walk covered every category there is, letters to unassigned.
    assert len(seen) == 30, sorted(seen)


def test_ranges_are_exactly_the_rule() -> None:
    """The module's table names no code point the rule does not, and misses none."""
    rule = {code for code in ALL if _unsafe(code)}
    # A code point unassigned here may be a format character in a newer Unicode.
    extra = {code for code in TABLE - rule if unicodedata.category(chr(code)) != "Cn"}
    assert extra == set()
    assert rule - TABLE == set()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]52;c;ZWNobyBwd25lZA==\x07", "\\x1b]52;c;ZWNobyBwd25lZA==\\x07"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x9b31m", "\\x9b31m"),
        ("\u202eevil", "\\u202eevil"),
        ("a\x00b", "a\\x00b"),
        ("\x7f", "\\x7f"),
        ("tab\there", "tab\\x09here"),
        ("cr\rlf\n", "cr\\x0dlf\\x0a"),
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("surrogate\udcff", "surrogate\\udcff"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
    ],
)
def test_hostile_values(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert shown.isprintable() and shown.isascii()


def test_clean_text_is_returned_as_is() -> None:
    for text in ("claude-sonnet-4-6", "Anthropic: Claude Sonnet 4.6", "Café ünïcode — ✓ ⚠ ↑", ""):
        assert visible(text) is text
    # Markup is not a control: it stays, and the screens show it as plain text.
    assert visible("[@click=app.quit]x [/] [b]bold[/b]") == "[@click=app.quit]x [/] [b]bold[/b]"
    # Variation selectors only pick a glyph: kept (an emoji label stays an emoji).
    assert visible("\u26a0\ufe0f") == "\u26a0\ufe0f"


def test_lines_keeps_only_newlines() -> None:
    assert visible("one\ntwo\x1b[2J\nthree", lines=True) == "one\ntwo\\x1b[2J\nthree"
    assert visible("a\r\nb\tc", lines=True) == "a\\x0d\nb\\x09c"
    assert visible("one\ntwo") == "one\\x0atwo"


def test_idempotent() -> None:
    """Escaping twice changes nothing more: helpers may escape what a caller escaped."""
    raw = "".join(chr(code) for lo, hi in UNSAFE_RANGES for code in range(lo, hi + 1))
    once = visible(raw)
    assert visible(once) == once
    assert once.isascii() and once.isprintable()


def test_json_of_escaped_and_raw_text_has_no_control() -> None:
    """status --json relies on json.dumps' ASCII escaping for the raw values themselves."""
    raw = "\x1b]52;c;x\x07\u202e\x9b\x00\ud800"
    dumped = json.dumps({"profile": raw})
    assert dumped.isascii() and dumped.isprintable()
    assert json.loads(dumped)["profile"] == raw
