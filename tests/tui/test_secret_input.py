"""SecretInput on the paste steps: pastes are cleaned, wrong keys named, nothing copied out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from screens.authorize import AuthorizeScreen
from screens.modals import QuitModal
from screens.secret_entry import ApiKeyScreen, SecretEntryScreen
from screens.widgets.secret_input import SecretInput
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
    FakeProvider,
)
from tests.support.steps import start_near
from tests.tui.harness import (
    SIZE,
    build,
    goto,
    paste,
    press,
    press_next,
    sign_in_url,
    text_of,
    wait_check,
    wait_for,
    wait_text,
)

JUNK = '\x1b[200~"' + ANTHROPIC_KEY[:54] + "\r\n" + ANTHROPIC_KEY[54:] + '\u200b"\x1b[201~'


async def test_junk_paste_is_cleaned_and_stored_clean(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_near(h.app, "api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "api_key")
        await paste(pilot, "#secret", JUNK)
        field = screen.query_one("#secret", SecretInput)
        assert field.value == ANTHROPIC_KEY
        await wait_for(pilot, lambda: screen.ready, "cleaned key accepted")
        feedback = text_of(pilot, "#feedback")
        assert feedback.startswith("✓ Looks right")
        for note in ("bracketed-paste", "zero-width", "line break", "quotes"):
            assert note in feedback, feedback
        # The fingerprint shows the ends and the length, never the whole key.
        fingerprint = text_of(pilot, "#fingerprint")
        assert "108 chars" in fingerprint
        assert ANTHROPIC_KEY not in fingerprint
        await press_next(pilot)
        await wait_check(pilot, "✓")
    sent = fake_provider.requests("/v1/models")[-1].headers["x-api-key"]
    assert sent == ANTHROPIC_KEY


@pytest.mark.parametrize(
    "raw",
    [
        "  " + ANTHROPIC_KEY + "  \n",
        "\u00a0'" + ANTHROPIC_KEY + "'\u00a0",
        "\n" + ANTHROPIC_KEY,  # Textual's Input would insert nothing for this one
        ANTHROPIC_KEY[:40] + "\n" + ANTHROPIC_KEY[40:80] + "\n" + ANTHROPIC_KEY[80:],
        "\x1b[32m" + ANTHROPIC_KEY + "\x1b[0m",
    ],
    ids=["spaces", "nbsp-quotes", "leading-newline", "wrapped", "ansi"],
)
async def test_paste_variants_are_cleaned(
    fake_provider: FakeProvider, tmp_path: Path, raw: str
) -> None:
    h = build(fake_provider, tmp_path, start="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ApiKeyScreen), "key step")
        screen = pilot.app.screen
        assert isinstance(screen, ApiKeyScreen)
        await paste(pilot, "#secret", raw)
        assert screen.query_one("#secret", SecretInput).value == ANTHROPIC_KEY
        await wait_for(pilot, lambda: screen.ready, "accepted")


async def test_second_paste_replaces(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path, start="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ApiKeyScreen), "key step")
        screen = pilot.app.screen
        await paste(pilot, "#secret", ANTHROPIC_KEY[:30])
        await paste(pilot, "#secret", ANTHROPIC_KEY)
        field = screen.query_one("#secret", SecretInput)
        await wait_for(pilot, lambda: field.value == ANTHROPIC_KEY, "replaced, not appended")
        await wait_text(pilot, "#feedback", "replaced the earlier value")


WRONG = [
    ("anthropic", "api_key", OPENROUTER_KEY, "this is an OpenRouter key", "choose OpenRouter"),
    ("anthropic", "api_key", SETUP_TOKEN, "subscription token", "choose setup-token instead"),
    ("anthropic", "setup_token", ANTHROPIC_KEY, "API key, not a setup-token", "choose API key"),
    ("openai", "api_key", ANTHROPIC_KEY, "this is an Anthropic API key", "choose Anthropic"),
    ("openrouter", "api_key", OPENAI_KEY, "not an OpenRouter key", "choose OpenAI"),
    ("anthropic", "api_key", ANTHROPIC_KEY[:70], "looks cut short", "copy it again"),
]


@pytest.mark.parametrize(
    ("provider", "method", "secret", "message", "fix"),
    WRONG,
    ids=["or-as-ant", "token-as-key", "key-as-token", "ant-as-openai", "openai-as-or", "short"],
)
async def test_wrong_key_is_named_and_next_stays_disabled(
    fake_provider: FakeProvider,
    tmp_path: Path,
    provider: str,
    method: str,
    secret: str,
    message: str,
    fix: str,
) -> None:
    h = build(fake_provider, tmp_path)
    start_near(h.app, method, provider=provider, method=method)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, method, provider=provider, method=method)
        assert isinstance(screen, SecretEntryScreen)
        await paste(pilot, "#secret", secret)
        feedback = await wait_text(pilot, "#feedback", "✗")
        assert message in feedback and fix in feedback, feedback
        assert not screen.ready
        # Neither Enter, Ctrl+N nor a click on Next goes on.
        await pilot.press("enter")
        await pilot.press("ctrl+n")
        await pilot.click("#next")
        await pilot.pause()
        assert pilot.app.screen is screen
    assert fake_provider.requests() == []
    assert h.store.list() == []


async def _no_copy_out(pilot: Pilot[Any], field: SecretInput) -> None:
    """Select all, then every copy/cut key and action: the clipboard never changes."""
    app = field.app
    app.copy_to_clipboard("before")
    value = field.value
    field.focus()
    field.action_select_all()
    await pilot.pause()
    assert field.selected_text == value
    # Ctrl+C is the terminal's interrupt: it asks to quit (Stay keeps the field as it was).
    step = app.screen
    await pilot.press("ctrl+c")
    await wait_for(pilot, lambda: isinstance(app.screen, QuitModal), "the quit dialog")
    await pilot.press("n")
    await wait_for(pilot, lambda: app.screen is step, "back on the step")
    field.focus()
    field.action_select_all()
    await pilot.pause()
    for key in ("ctrl+x", "super+c"):
        await pilot.press(key)
    field.action_copy()
    field.action_cut()
    await pilot.pause()
    assert app.clipboard == "before"
    assert field.value == value  # cut removed nothing


async def test_copy_and_cut_never_reach_the_clipboard(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, start="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ApiKeyScreen), "key step")
        screen = pilot.app.screen
        await paste(pilot, "#secret", ANTHROPIC_KEY)
        field = screen.query_one("#secret", SecretInput)
        await _no_copy_out(pilot, field)
        assert field.value == ANTHROPIC_KEY
        # Revealed, still no copy.
        await press(pilot, "reveal")
        assert field.revealed
        assert str(screen.query_one("#reveal", Button).label) == "Hide"
        await _no_copy_out(pilot, field)
        messages = [n.message for n in h.app._notifications]
        assert any("Copy is disabled" in m for m in messages)
        assert any("Cut is disabled" in m for m in messages)
    assert h.clipboard_calls == []


async def test_ctrl_v_pastes_the_app_clipboard_cleaned(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, start="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ApiKeyScreen), "key step")
        screen = pilot.app.screen
        field = screen.query_one("#secret", SecretInput)
        field.focus()
        h.app.copy_to_clipboard("'" + ANTHROPIC_KEY + "'\n")
        await pilot.press("ctrl+v")
        await wait_for(pilot, lambda: field.value == ANTHROPIC_KEY, "clipboard pasted, cleaned")


async def test_code_field_on_sign_in_does_not_copy_out(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_near(h.app, "authorize", method="oauth")
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="oauth")
        screen, _url = await sign_in_url(pilot)
        assert isinstance(screen, AuthorizeScreen)
        await paste(pilot, "#code", "abc123#" + "s" * 43)
        await _no_copy_out(pilot, screen.query_one("#code", SecretInput))
