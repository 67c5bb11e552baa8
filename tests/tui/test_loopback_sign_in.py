"""Zero-paste sign-in on the Sign-in step: where a browser opens here, the step listens on
a loopback callback, opens the browser and goes on by itself when the sign-in comes back;
the paste box stays live and whichever arrives first wins. The "browser" here follows the
fake provider's authorize redirect to the listener, as a real one does."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from screens.authorize import AuthorizeScreen
from screens.check import CheckScreen
from tests.fakes.provider import FakeProvider
from tests.tui.harness import SIZE, build, goto, wait_for, wait_screen, wait_text

DESKTOP = {"DISPLAY": ":0"}


def _follow(url: str) -> httpx.Response:
    """What a browser does with the link: sign in (the fake approves) and follow the
    redirect to the redirect_uri, the listener on this machine."""
    return httpx.get(url, follow_redirects=True, timeout=10)


def _redirect_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["redirect_uri"][0]


@pytest.mark.parametrize("method", ["oauth", "console_oauth"])
async def test_the_browser_brings_the_sign_in_back_with_no_paste(
    fake_provider: FakeProvider, tmp_path: Path, method: str
) -> None:
    h = build(fake_provider, tmp_path, env=DESKTOP)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method=method)
        status = await wait_text(pilot, "#link-status", "goes on by itself")
        assert "or paste the code" in status
        # The browser opens when asked (the primary button), never unasked.
        assert h.browser_calls == []
        await pilot.click("#open")
        await wait_for(pilot, lambda: h.browser_calls, "the browser opened")
        await wait_text(pilot, "#link-status", "Sign in there and seal-setup goes on by itself")
        url = h.browser_calls[-1]
        assert _redirect_of(url).startswith("http://localhost:")
        page = await asyncio.to_thread(_follow, url)
        assert page.status_code == 200 and "You can close this tab" in page.text
        await wait_screen(pilot, CheckScreen)
        assert h.app.answers.record is not None
        # The code went to the token endpoint with the same redirect_uri the link had.
        (exchange,) = fake_provider.requests("/v1/oauth/token")
        assert _redirect_of(url) in exchange.body.decode()


async def test_a_paste_first_wins_and_the_listener_is_closed(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, env=DESKTOP)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "authorize", method="oauth")
        assert isinstance(screen, AuthorizeScreen)
        await wait_for(pilot, lambda: screen._listener is not None and screen.pending, "listening")
        listener = screen._listener
        assert listener is not None and screen.pending is not None
        url = screen.pending.url
        # The person signs in on another machine and pastes what the page showed there.
        redirected = await asyncio.to_thread(httpx.get, url, follow_redirects=False, timeout=10)
        query = parse_qs(urlsplit(redirected.headers["location"]).query)
        screen.query_one("#code").value = f"{query['code'][0]}#{query['state'][0]}"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_screen(pilot, CheckScreen)
        assert listener.closed
        with pytest.raises(httpx.ConnectError):  # nobody listens there any more
            await asyncio.to_thread(httpx.get, redirected.headers["location"], timeout=5)
        assert len(fake_provider.requests("/v1/oauth/token")) == 1


async def test_back_closes_the_listener_and_a_later_callback_finds_nobody(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, env=DESKTOP)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "authorize", method="oauth")
        assert isinstance(screen, AuthorizeScreen)
        await wait_for(pilot, lambda: screen._listener is not None and screen.pending, "listening")
        listener = screen._listener
        assert listener is not None and screen.pending is not None
        url = screen.pending.url
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, AuthorizeScreen), "back")
        assert listener.closed
        with pytest.raises(httpx.ConnectError):
            await asyncio.to_thread(_follow, url)
        assert fake_provider.requests("/v1/oauth/token") == []


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({}, "no graphical display"),
        ({"DISPLAY": ":0", "SEAL_NO_BROWSER": "1"}, "SEAL_NO_BROWSER is set"),
        ({"DISPLAY": ":0", "SSH_CONNECTION": "10.0.0.1 22 10.0.0.2 22"}, "SSH session"),
    ],
)
async def test_no_listener_where_no_browser_opens_here(
    fake_provider: FakeProvider, tmp_path: Path, env: dict[str, str], why: str
) -> None:
    h = build(fake_provider, tmp_path, env=env)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "authorize", method="oauth")
        assert isinstance(screen, AuthorizeScreen)
        status = await wait_text(pilot, "#link-status", "Open the link yourself")
        assert why in status
        assert screen._listener is None and h.browser_calls == []
        assert screen.pending is not None
        assert screen.pending.redirect_uri in ("", fake_provider.redirect_uri)
