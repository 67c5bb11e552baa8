"""Keys a terminal user expects: Ctrl+C asks to quit and a second one quits; in the quit
dialog y/q quit and n/Esc stay; Enter goes on from a step whose answer is valid even when
it has nothing to type (the env-var step, the Claude Code step once a sign-in is found)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from screens.check import CheckScreen
from screens.claude_code import ClaudeCodeScreen
from screens.env_method import EnvScreen
from screens.modals import HelpModal, QuitModal
from screens.welcome import WelcomeScreen
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.tui.harness import (
    SIZE,
    build,
    goto,
    to_method,
    wait_dialog,
    wait_for,
    wait_screen,
    wait_text,
)


async def test_ctrl_c_asks_and_a_second_ctrl_c_quits(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, WelcomeScreen)
        await pilot.press("ctrl+c")
        dialog = await wait_dialog(pilot)
        assert isinstance(dialog, QuitModal)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: h.app.return_code is not None, "the wizard to exit")
    assert h.app.return_code == 130
    h.assert_nothing_written()


@pytest.mark.parametrize(
    ("key", "quits"), [("y", True), ("q", True), ("n", False), ("escape", False)]
)
async def test_quit_dialog_keys(
    fake_provider: FakeProvider, tmp_path: Path, key: str, quits: bool
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        welcome = await wait_screen(pilot, WelcomeScreen)
        await pilot.press("ctrl+c")
        await wait_dialog(pilot)
        await pilot.press(key)
        if quits:
            await wait_for(pilot, lambda: h.app.return_code is not None, "the wizard to exit")
        else:
            await wait_for(pilot, lambda: pilot.app.screen is welcome, "back on the step")
            assert h.app.return_code is None
    if quits:
        assert h.app.return_code == 130
        h.assert_nothing_written()


async def test_ctrl_c_in_another_dialog_closes_it_then_asks(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        welcome = await wait_screen(pilot, WelcomeScreen)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpModal), "help")
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: pilot.app.screen is welcome, "help closed")
        await pilot.press("ctrl+c")
        assert isinstance(await wait_dialog(pilot), QuitModal)


async def test_enter_goes_on_from_the_env_step(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path, env={"ANTHROPIC_API_KEY": ANTHROPIC_KEY})
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "env", method="env")
        screen = await wait_screen(pilot, EnvScreen)
        await wait_for(pilot, lambda: screen.ready, "the env step ready")
        await pilot.press("enter")
        await wait_screen(pilot, CheckScreen)


def write_claude_code(fake: FakeProvider, home: Path, left: timedelta) -> None:
    tokens = fake.issue_tokens()
    path = home / ".claude" / ".credentials.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    expires = int((datetime.now(UTC) + left).timestamp() * 1000)
    oauth = {"accessToken": tokens["access_token"], "refreshToken": tokens["refresh_token"]}
    path.write_text(json.dumps({"claudeAiOauth": {**oauth, "expiresAt": expires}}))


async def test_enter_goes_on_once_claude_codes_sign_in_is_found(
    fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path
) -> None:
    write_claude_code(fake_provider, isolated_env, timedelta(hours=5))
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await to_method(pilot, "anthropic", "claude_code")
        screen = await wait_screen(pilot, ClaudeCodeScreen)
        await wait_text(pilot, "#found", "✓ Found Claude Code's sign-in")
        await wait_for(pilot, lambda: screen.ready, "the step ready")
        await pilot.press("enter")
        await wait_screen(pilot, CheckScreen)


async def test_claude_codes_last_hour_is_said_in_minutes(
    fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path
) -> None:
    """59 minutes left read "valid for 0 h more", as if it had expired."""
    write_claude_code(fake_provider, isolated_env, timedelta(minutes=59, seconds=50))
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await to_method(pilot, "anthropic", "claude_code")
        found = await wait_text(pilot, "#found", "✓ Found Claude Code's sign-in")
        assert re.search(r"Access token valid for 5\d min more", found), found
