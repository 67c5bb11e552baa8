"""Plain terminal output for the non-wizard commands: errors, colour, aligned tables.

Everything printed here may hold data (paths, profiles, provider messages): it is escaped
with backend.system.display.visible() first, so no control character from seal.toml, the store
or a provider reaches the terminal. Colour codes are ours, added after escaping.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TextIO

from backend.system.display import visible

_COLOURS = {"green": "32", "yellow": "33", "red": "31", "bold": "1", "dim": "2"}


def use_colour(stream: TextIO) -> bool:
    """ANSI only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, colour: str, enabled: bool) -> str:
    """`text` in a colour; `text` must be escaped already (the codes added are ours)."""
    return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m" if enabled and colour else text


def say(*lines: str, file: TextIO | None = None) -> None:
    """Print each argument as one line (stdout by default), escaped: a newline inside an
    argument is shown as `\\x0a`, so a value cannot fake a line of its own."""
    print("\n".join(visible(line) for line in lines), file=file or sys.stdout)


def error(message: str, hint: str = "", *, prefix: str = "seal-setup") -> None:
    """`seal-setup: <message>` and an indented hint, on stderr.

    The hint keeps its line breaks (some list one problem per line); the message is one line.
    """
    print(f"{prefix}: {visible(message)}", file=sys.stderr)
    if hint:
        print(f"  {visible(hint, lines=True)}", file=sys.stderr)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    colours: Sequence[Sequence[str]] | None = None,
    *,
    colour: bool = False,
) -> list[str]:
    """Left-aligned columns two spaces apart; widths from the escaped text, colour added after."""
    shown = [[visible(cell) for cell in row] for row in rows]
    widths = [len(h) for h in header]
    for row in shown:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(paint(h.ljust(w), "bold", colour) for h, w in zip(header, widths, strict=True))
    ]
    for i, row in enumerate(shown):
        tints = colours[i] if colours else [""] * len(row)
        cells = [
            paint(cell.ljust(w), tint, colour)
            for cell, w, tint in zip(row, widths, tints, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return [line.rstrip() for line in lines]
