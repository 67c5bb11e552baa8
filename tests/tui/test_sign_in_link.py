"""The sign-in link: one unbroken line (no indent on its continuation rows) that is also an
OSC 8 link, written as one run the terminal wraps, shown alone with F3, and copied only
when asked (F2 or Copy link), with the way it was copied said in words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region

from screens.authorize import AuthorizeScreen
from screens.modals import LinkModal
from screens.widgets.link_text import LinkText, rewrap_links
from tests.fakes.provider import FakeProvider
from tests.tui.harness import SIZE, build, goto, sign_in_url, wait_for, wait_screen, wait_text

# What a terminal shows of a write: the escapes (CSI, OSC 8 links, save/restore) removed.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\]8;[^\x1b]*\x1b\\|\x1b[78]")


def _rows(link: LinkText) -> list[str]:
    region = link.region
    return [strip.text for strip in link.render_lines(Region(0, 0, region.width, region.height))]


@pytest.mark.parametrize("method", ["oauth", "console_oauth"])
async def test_the_link_is_one_unindented_run_and_an_osc8_link(
    fake_provider: FakeProvider, tmp_path: Path, method: str
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method=method)
        screen, url = await sign_in_url(pilot)
        link = screen.query_one("#url", LinkText)
        # The whole width from the left edge, so the terminal's wrap falls on Textual's.
        assert link.region.x == 0 and link.region.width == SIZE[0]
        rows = _rows(link)
        assert len(rows) > 1  # it does wrap
        # Every row but the last is full: the rows, joined, are the URL (no indent).
        assert "".join(rows).rstrip() == url
        assert all(len(row) == SIZE[0] for row in rows)
        # An OSC 8 hyperlink to the URL our code built, on every cell of it.
        styles = {
            segment.style.link
            for strip in link.render_lines(Region(0, 0, SIZE[0], len(rows)))
            for segment in strip
            if segment.text.strip() and segment.style is not None
        }
        assert styles == {url}


class _Recorder:
    """A terminal driver that keeps what is written."""

    is_headless = False

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, data: str) -> None:
        self.writes.append(data)


class _Terminal:
    """The app as rewrap_links sees it, with a terminal that records (run_test has none)."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._driver = _Recorder()
        self.is_headless = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


async def test_the_link_is_written_once_as_a_wrapped_run_and_stale_rows_are_erased(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="oauth")
        screen, url = await sign_in_url(pilot)
        link = screen.query_one("#url", LinkText)
        terminal = _Terminal(h.app)
        rewrap_links(terminal, screen)  # type: ignore[arg-type]
        (written,) = terminal._driver.writes
        # Autowrap on, the link's first row, its cells in one run, autowrap off again.
        assert written.startswith("\x1b7\x1b[?7h") and written.endswith("\x1b[?7l\x1b8")
        assert f"\x1b[{link.region.y + 1};1H" in written
        assert _ESCAPES.sub("", written).rstrip() == url
        # Nothing moved: nothing is written again.
        rewrap_links(terminal, screen)  # type: ignore[arg-type]
        assert len(terminal._driver.writes) == 1
        # The link alone on top: written at its own place; the rows the first run left
        # wrapped that it does not cover are erased (Textual paints them again).
        await pilot.press("f3")
        alone = await wait_for_link_alone(pilot)
        rewrap_links(terminal, alone)  # type: ignore[arg-type]
        second = terminal._driver.writes[-1]
        first_rows = range(link.region.y, link.region.y + link.region.height - 1)
        alone_rows = range(0, alone.query_one(LinkText).region.height - 1)
        for row in first_rows:
            assert (f"\x1b[{row + 1};1H\x1b[2K" in second) is (row not in alone_rows)
        assert _ESCAPES.sub("", second).rstrip() == url
        await pilot.press("escape")
        await wait_screen(pilot, AuthorizeScreen)


async def wait_for_link_alone(pilot: Any) -> LinkModal:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LinkModal), "the link alone")
    modal = pilot.app.screen
    assert isinstance(modal, LinkModal)
    await wait_for(pilot, lambda: modal.query_one(LinkText).region.height > 0, "it laid out")
    return modal


@pytest.mark.parametrize("close", ["escape", "enter", "f3"])
async def test_f3_shows_the_link_alone_and_comes_back(
    fake_provider: FakeProvider, tmp_path: Path, close: str
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="oauth")
        screen, url = await sign_in_url(pilot)
        await pilot.press("f3")
        modal = await wait_for_link_alone(pilot)
        # Nothing but the link: one widget, at the top left, the whole width.
        (only,) = modal.query("*")
        assert isinstance(only, LinkText) and only.url == url
        assert (only.region.x, only.region.y, only.region.width) == (0, 0, SIZE[0])
        assert "".join(_rows(only)).rstrip() == url
        await pilot.press(close)
        assert await wait_screen(pilot, AuthorizeScreen) is screen
        assert h.clipboard_calls == []  # showing it copies nothing


async def test_no_copy_path_says_so_in_words(fake_provider: FakeProvider, tmp_path: Path) -> None:
    # No clipboard tool, and a terminal known to ignore OSC 52 (macOS Terminal).
    h = build(fake_provider, tmp_path, env={"DISPLAY": ":0", "TERM_PROGRAM": "Apple_Terminal"})
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="oauth")
        _screen, url = await sign_in_url(pilot)
        await pilot.press("f2")
        status = await wait_text(pilot, "#link-status", "Could not copy")
        assert status == "Could not copy: no clipboard tool; select the link above."
        assert h.clipboard_calls == [url]
        assert h.app.clipboard == ""  # no OSC 52 sent
