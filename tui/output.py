"""Plain terminal output for the non-wizard commands: errors, colour, aligned tables."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TextIO

_COLOURS = {"green": "32", "yellow": "33", "red": "31", "bold": "1", "dim": "2"}


def use_colour(stream: TextIO) -> bool:
    """ANSI only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, colour: str, enabled: bool) -> str:
    return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m" if enabled and colour else text


def error(message: str, hint: str = "") -> None:
    """`seal-setup: <message>` and an indented hint, on stderr."""
    print(f"seal-setup: {message}", file=sys.stderr)
    if hint:
        print(f"  {hint}", file=sys.stderr)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    colours: Sequence[Sequence[str]] | None = None,
    *,
    colour: bool = False,
) -> list[str]:
    """Left-aligned columns two spaces apart; widths from the plain text, colour added after."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(paint(h.ljust(w), "bold", colour) for h, w in zip(header, widths, strict=True))
    ]
    for i, row in enumerate(rows):
        tints = colours[i] if colours else [""] * len(row)
        cells = [
            paint(cell.ljust(w), tint, colour)
            for cell, w, tint in zip(row, widths, tints, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return [line.rstrip() for line in lines]
