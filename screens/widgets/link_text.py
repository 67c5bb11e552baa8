"""LinkText: a URL shown as one unbroken line the terminal wraps, and as an OSC 8 link.

Textual draws each row of the screen on its own (a cursor move, then the row's cells)
with the terminal's autowrap turned off, so a URL folded over six rows is six separate
lines to the terminal: a mouse selection (Shift+drag) or tmux's `capture-pane -J` gives
line breaks in the middle of it. After each paint the link's cells are written once
more, the same cells in the same styles, as one run with autowrap on: the terminal then
records the rows as one line it wrapped itself, and what is seen does not change.

That is only done where the terminal's wrap falls exactly where Textual's does: the link
spans the whole width from the left edge, it is entirely visible, and its screen is the
one on top. The widget has no padding, so a continuation row starts with the URL itself.

The link's href is the URL this widget is given, which the caller's code built (the
sign-in link); the text shown goes through `visible()` like all text.
"""

from __future__ import annotations

import weakref
from typing import Any

from textual.app import App
from textual.content import Content
from textual.geometry import Region
from textual.screen import Screen
from textual.style import Style
from textual.widgets import Static

from backend.system.display import visible

# Save the cursor, autowrap on; then autowrap off as Textual keeps it, restore the cursor.
_BEGIN = "\x1b7\x1b[?7h"
_END = "\x1b[?7l\x1b8"


class LinkText(Static):
    """The URL as text that is also a link; see the module docstring for the wrapping."""

    DEFAULT_CSS = """
    LinkText {
        width: 1fr;
        height: auto;
        padding: 0;
        margin: 0;
    }
    """

    def __init__(self, placeholder: str = "", *, id: str | None = None) -> None:
        super().__init__(placeholder, id=id, markup=False)
        self._url = ""

    @property
    def url(self) -> str:
        return self._url

    @url.setter
    def url(self, url: str) -> None:
        self._url = url
        self.update(Content(visible(url)).stylize(Style(link=url)))

    def run(self, app: App[Any]) -> tuple[int, int, str] | None:
        """(first row, rows, the cells as one run) where the terminal's wrap falls on
        Textual's (the whole width, entirely visible, on the screen on top), else None."""
        if not self.url or self.screen is not app.screen:
            return None
        region = self.region
        if region.x != 0 or region.width != app.size.width or region.height == 0:
            return None
        if self.screen.find_widget(self).visible_region != region:
            return None
        strips = self.render_lines(Region(0, 0, region.width, region.height))
        return region.y, region.height, "".join(strip.render(app.console) for strip in strips)


class _Wrapped:
    """What was last written for one app: its runs, and the rows the terminal now holds
    as wrapped (each row of a run but its last)."""

    def __init__(self) -> None:
        self.runs: tuple[tuple[int, int, str], ...] = ()
        self.rows: frozenset[int] = frozenset()


_WRAPPED: weakref.WeakKeyDictionary[App[Any], _Wrapped] = weakref.WeakKeyDictionary()


def rewrap_links(app: App[Any], screen: Screen[Any]) -> None:
    """After a paint: write every LinkText on `screen` as one run, when that changed.

    Rows the terminal still holds as wrapped from an earlier run (a dialog's link, a
    screen since left, a layout that moved) are erased and painted again by Textual, so
    no other text is joined into a line.
    """
    # Textual has no public way to write to the terminal: its driver is the way.
    driver = app._driver
    if driver is None or app.is_headless:
        return
    state = _WRAPPED.setdefault(app, _Wrapped())
    runs = tuple(run for link in screen.query(LinkText) if (run := link.run(app)) is not None)
    if runs == state.runs:
        return
    rows = frozenset(y for top, height, _ in runs for y in range(top, top + height - 1))
    stale = sorted(state.rows - rows)
    # Erasing a row (EL 2) is what makes the terminal forget that it was wrapped.
    erase = "".join(f"\x1b[{y + 1};1H\x1b[2K" for y in stale)
    write = "".join(f"\x1b[{top + 1};1H{cells}" for top, _, cells in runs)
    driver.write(f"{_BEGIN}{erase}{write}{_END}")
    state.runs, state.rows = runs, rows
    if stale:
        screen.refresh(Region(0, stale[0], app.size.width, stale[-1] - stale[0] + 1))
