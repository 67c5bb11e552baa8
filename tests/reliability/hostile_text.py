"""Markup-, escape- and bidi-laden values, and the checks that none reached a screen or
the terminal raw (issue 11 §2-§3).

A value is "held" on an output when the output has none of the raw control characters,
shows the value's escaped form (backend.system.display.visible), and ran no action.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.system.display import visible

HOSTILE: tuple[str, ...] = (
    "[@click=app.quit]x",
    "[@click=app.screenshot('/tmp/x')]",
    "[/]",
    "[b]bold[/b]",
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",  # OSC 52: writes the clipboard
    "\x1b[2J",  # CSI: clears the screen
    "\x9b31m",  # C1 CSI
    "\u202eevil",  # right-to-left override
    "a\x00b",
)
# Characters that must never be drawn or printed (our own colour codes aside).
RAW = ("\x1b", "\x9b", "\x07", "\x00", "\u202e")
_C1 = re.compile("[\x80-\x9f]")
# What the CLI itself writes: SGR colour codes only.
_OUR_COLOUR = re.compile(r"\x1b\[(?:0|1|2|31|32|33)m")


# Run as an action, this writes shot.svg into the working folder (tests chdir to tmp).
SCREENSHOT = "[@click=app.screenshot('shot.svg')]"


def joined(values: Iterable[str] = HOSTILE, sep: str = " ") -> str:
    """All values in one string, for a field that gets a single value (spaces let a
    screen wrap it between values)."""
    return sep.join(values)


def anthropic_says(fake: Any, status: int, *, times: int | None = 1) -> None:
    """The fake's Anthropic model list answers `status`, every value in its message."""
    kind = "authentication_error" if status == 401 else "api_error"
    body = {"type": "error", "error": {"type": kind, "message": joined()}}
    fake.fail("/v1/models", status, body, times=times)


def escaped(value: str) -> str:
    """The form a value must be shown in."""
    return visible(value)


def raw_found(text: str, *, allow_colour: bool = False) -> list[str]:
    """The raw control characters in `text` (none is the answer wanted)."""
    if allow_colour:
        text = _OUR_COLOUR.sub("", text)
    found = [repr(char) for char in RAW if char in text]
    found += [repr(m.group()) for m in _C1.finditer(text)]
    return found


def toml_string(value: str) -> str:
    """A TOML basic string holding `value` exactly (every non-printable as an escape)."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isascii() and char.isprintable():
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class Drawn:
    """What the active screen draws: its lines of text, and the actions bound to clicks."""

    lines: list[str]
    actions: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def find(self, needle: str) -> tuple[int, int] | None:
        """(x, y) of the first cell where `needle` is drawn on one line."""
        for y, line in enumerate(self.lines):
            x = line.find(needle)
            if x >= 0:
                return x, y
        return None


def drawn(app: Any) -> Drawn:
    """Render the active screen (and those under a dialog) as the terminal would get it."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    lines: list[str] = []
    actions: list[str] = []
    for line in update.strips:
        text = []
        for strip in line:
            for segment in strip:
                text.append(segment.text)
                meta = segment.style.meta if segment.style is not None else {}
                # `@click` is what markup binds (scrollbars bind `@mouse.*` of their own).
                if "@click" in meta:
                    actions.append(str(meta["@click"]))
        lines.append("".join(text))
    return Drawn(lines, actions)


def screen_problems(view: Drawn, shown: Iterable[str] = ()) -> list[str]:
    """Why the drawn screen does not hold: raw controls, actions, escaped forms missing."""
    problems = [f"raw {char} drawn" for char in raw_found(view.text)]
    problems += [f"click action {action!r} drawn" for action in view.actions]
    problems += [
        f"{value!r} not shown as {escaped(value)!r}" for value in shown if not _shows(view, value)
    ]
    return problems


def _shows(view: Drawn, value: str) -> bool:
    return escaped(value) in view.text
