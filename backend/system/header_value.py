"""Whether text can go in an HTTP header value: one rule for every credential and header.

httpx encodes header values as ASCII and refuses control characters, so anything else
fails deep inside a request as an exception instead of as a message. Allowed: printable
ASCII and the space (RFC 9110's field value without the tab and obsolete 8-bit text).
Descriptions name the kind of character and where it is, never the text around it: the
value may be a secret.
"""

from __future__ import annotations

import re
import unicodedata

_UNSENDABLE = re.compile(r"[^ -~]")
_CONTROL_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a line break"}


def describe_char(char: str) -> str:
    """A category a person recognises for a non-ASCII character, without echoing it."""
    category = unicodedata.category(char)
    if category in ("Pi", "Pf") or char == "„":
        return "a smart quote"
    if category == "Pd":
        return "a typographic dash, e.g. an en dash instead of '-'"
    if category.startswith("Z") or char in "\u00a0\u202f":
        return "a special space"
    if category.startswith("L"):
        return "an accented or non-Latin letter"
    if category.startswith("C"):
        return "an invisible formatting character"
    return "a symbol"


def header_problem(value: str) -> str:
    """ "" when `value` can be sent as a header value; else what is wrong and where.

    E.g. "a non-ASCII character at position 12 (an invisible formatting character,
    U+200B)". Positions are 1-based characters of `value`.
    """
    found = _UNSENDABLE.search(value)
    if found is None:
        return ""
    char = found.group()
    code = ord(char)
    where = f"at position {found.start() + 1}"
    if code > 127:
        return f"a non-ASCII character {where} ({describe_char(char)}, U+{code:04X})"
    name = _CONTROL_NAMES.get(char, f"U+{code:04X}")
    return f"a control character {where} ({name})"
