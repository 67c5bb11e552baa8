"""A paste lands in the step's paste field wherever the focus is: on the sign-in step
people paste right after Copy link, with the focus still on that button (the paste used
to be dropped there)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Button

from screens.secret_entry import ApiKeyScreen
from screens.widgets.secret_input import SecretInput
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.tui.harness import (
    SIZE,
    browser_sign_in,
    build,
    goto,
    press,
    sign_in_url,
    wait_for,
    wait_screen,
)


async def test_code_pasted_after_copy_link_lands_in_the_code_field(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="oauth")
        screen, url = await sign_in_url(pilot)
        await press(pilot, "copy")
        copy = screen.query_one("#copy", Button)
        assert pilot.app.focused is copy
        code = browser_sign_in(url)
        copy.post_message(events.Paste(code))  # the terminal sends it to the focused widget
        field = screen.query_one("#code", SecretInput)
        await wait_for(pilot, lambda: field.value == code, "the code in its field")
        assert pilot.app.focused is field
        await wait_for(pilot, lambda: screen.ready, "Sign in enabled")


async def test_key_pasted_with_the_focus_on_a_button_lands_in_the_key_field(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, start="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, ApiKeyScreen)
        help_button = screen.query_one("#help", Button)
        help_button.focus()
        await pilot.pause()
        help_button.post_message(events.Paste(f'  "{ANTHROPIC_KEY}"\n'))
        field = screen.query_one("#secret", SecretInput)
        await wait_for(pilot, lambda: field.value == ANTHROPIC_KEY, "the key, cleaned")
        # The shape check has run (Next enabled): leaving before it would tear the step
        # down under its worker.
        await wait_for(pilot, lambda: screen.ready, "Next enabled")
        assert pilot.app.focused is field
