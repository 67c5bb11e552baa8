"""Showing untrusted text: every control and invisible format character made visible.

Strings from seal.toml, the credential store, a provider or the network may carry
terminal escapes (OSC 52 writes the clipboard, CSI clears the screen), C1 controls that
some terminals obey as escapes, bidi overrides that reorder what is read, and invisible
characters that make two different values look the same. `visible()` is the one rule
for all of them, used by the screens and by every line the CLI prints: each such code
point is replaced by its escape as Python writes it (`\\x1b`, `\\u202e`, `\\U000e0041`),
so the text stays readable and what is really there shows.

Escaped (DESIGN §8):
- C0 controls U+0000-U+001F (a newline is kept when the caller asks for line breaks),
  DEL and the C1 controls U+007F-U+009F;
- every format character (Unicode category Cf: bidi embeddings, overrides and isolates,
  U+061C, U+200B-U+200F, U+2060-U+206F, U+FEFF, the tag characters U+E0000-U+E007F, …),
  the line and paragraph separators U+2028/U+2029, and lone surrogates (a file name
  that is not UTF-8; printing one would raise);
- the invisible fillers that are letters or marks only by category: U+034F, U+115F,
  U+1160, U+17B4, U+17B5, U+180B-U+180F, U+3164, U+FFA0, and the unassigned U+FFF0-U+FFF8.

Variation selectors stay (they only pick the glyph of the character before them), and
so do backslashes: the escapes are for reading, not for parsing back.
"""

from __future__ import annotations

import re
from functools import cache

# Inclusive ranges; unit tests check them against the Unicode database of the running
# Python, so a newer Unicode with a new format character fails a test rather than passing.
UNSAFE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),  # C0 controls
    (0x007F, 0x009F),  # DEL, C1 controls
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x0600, 0x0605),  # Arabic number signs
    (0x061C, 0x061C),  # Arabic letter mark
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),  # Mongolian variation selectors, vowel separator
    (0x200B, 0x200F),  # zero-width space/joiners, LRM, RLM
    (0x2028, 0x202E),  # line/paragraph separators, bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates
    (0x3164, 0x3164),  # Hangul filler
    (0xD800, 0xDFFF),  # lone surrogates
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF0, 0xFFFB),  # unassigned specials, interlinear annotation
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),  # Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE007F),  # tag characters
)


def escape_code_point(code: int) -> str:
    """The escape a code point is shown as: `\\x1b`, `\\u202e`, `\\U000e0041`."""
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


@cache
def _finder() -> re.Pattern[str]:
    # Compiled on first use rather than at import: start-up pays for nothing it does not show.
    return re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in UNSAFE_RANGES) + "]")


@cache
def _table() -> dict[int, str]:
    # Built on first need: almost every string is clean and never gets here.
    return {code: escape_code_point(code) for lo, hi in UNSAFE_RANGES for code in range(lo, hi + 1)}


def visible(text: str, *, lines: bool = False) -> str:
    """`text` with every unsafe code point shown as its escape; `lines` keeps newlines.

    Linear in the length of `text`: one scan, then (only when something was found) one
    table lookup per character. The result holds no control character but the kept
    newlines, so it is safe to print, to pad for a table and to colour afterwards.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case, decided in one fast pass
    if _finder().search(text) is None:
        return text
    table = _table()
    if lines:
        return "\n".join(part.translate(table) for part in text.split("\n"))
    return text.translate(table)
