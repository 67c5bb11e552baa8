"""Pilot flows for credential profiles: seal.toml's profile is kept, Review chooses or
creates one (by the one name rule), and a sign-in proposes its account's email."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input

from backend.credentials.record import CredentialRecord, utcnow
from screens.done import DoneScreen
from screens.model import ModelScreen
from screens.review import ReviewScreen
from screens.widgets.name_dialog import NameDialog
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.support.steps import start_at
from tests.tui.harness import (
    SIZE,
    arrive,
    build,
    press,
    press_next,
    sign_in,
    text_of,
    wait_check,
    wait_for,
    wait_screen,
    wait_text,
    walk_api_key,
)

WORK = """\
# the team's project
[model]
provider = "anthropic"
name = "claude-sonnet-4-6"
auth = "api_key"
profile = "work"   # the team's key
"""


async def _review(pilot: Pilot[Any]) -> ReviewScreen:
    screen = await wait_screen(pilot, ReviewScreen)
    await wait_for(pilot, lambda: screen.ready, "review prepared")
    return screen


async def _dialog(pilot: Pilot[Any], click: bool = False) -> NameDialog:
    """Open Change profile with its key, or (`click`) its button."""
    if click:
        await press(pilot, "profile")
    else:
        await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, NameDialog), "profile dialog")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, NameDialog)
    return dialog


async def _type(pilot: Pilot[Any], dialog: NameDialog, name: str) -> None:
    dialog.query_one("#profile-name", Input).value = name
    await pilot.pause()


async def test_an_existing_profile_is_kept(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path, config_text=WORK)
    async with h.app.run_test(size=SIZE) as pilot:
        await walk_api_key(pilot, "anthropic", ANTHROPIC_KEY, "claude-sonnet-4-6")
    assert h.app.return_code == 0
    assert 'profile = "work"   # the team\'s key' in h.config_text()
    assert h.stored("anthropic", "work") is not None
    assert h.stored("anthropic", "default") is None


async def test_review_creates_a_profile_named_like_an_email(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    other = CredentialRecord(
        "anthropic", "ci", "api_key", secret=ANTHROPIC_KEY, verified_at=utcnow()
    )
    h = build(fake_provider, tmp_path, records=[other])
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await arrive(pilot, "model")
        await press_next(pilot)
        await _review(pilot)
        line = text_of(pilot, "#profile-line")
        assert "Credential profile: default" in line and "Also stored: ci" in line
        dialog = await _dialog(pilot)
        assert "Stored for anthropic: ci" in text_of(pilot, "#name-lines")
        await _type(pilot, dialog, "two words")
        assert dialog.query_one("#ok", Button).disabled
        assert "letters, digits" in text_of(pilot, "#name-problem")
        await _type(pilot, dialog, "me@example.com")
        assert not dialog.query_one("#ok", Button).disabled
        await pilot.press("enter")
        screen = await _review(pilot)
        await wait_text(pilot, "#diff", '+profile = "me@example.com"')
        assert "--profile me@example.com" in text_of(pilot, "#command")
        assert "Credential profile: me@example.com" in text_of(pilot, "#profile-line")
        assert screen is pilot.app.screen
        await press_next(pilot)  # Write
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    assert h.app.return_code == 0
    assert h.config().own("profile") == "me@example.com"
    stored = h.stored("anthropic", "me@example.com")
    assert stored is not None and stored.secret == ANTHROPIC_KEY
    assert h.stored("anthropic", "default") is None


async def test_a_sign_in_proposes_its_email_as_the_profile(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", method="oauth")
    async with h.app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, fake_provider)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await wait_screen(pilot, ModelScreen)
        await arrive(pilot, "model")
        await press_next(pilot)
        await _review(pilot)
        assert "Signed in as person@example.com" in text_of(pilot, "#profile-line")
        dialog = await _dialog(pilot)
        assert dialog.query_one("#profile-name", Input).value == "person@example.com"
        assert "the account you signed in with" in text_of(pilot, "#name-lines")
        await pilot.press("enter")  # take the proposal
        await _review(pilot)
        await wait_text(pilot, "#diff", '+profile = "person@example.com"')
        # Proposed once taken: the line no longer proposes it.
        assert "Signed in as" not in text_of(pilot, "#profile-line")
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    record = h.stored("anthropic", "person@example.com")
    assert record is not None and record.kind == "oauth"


async def test_escape_keeps_the_profile(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await arrive(pilot, "model")
        await press_next(pilot)
        await _review(pilot)
        dialog = await _dialog(pilot, click=True)
        await _type(pilot, dialog, "other")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen), "closed")
        await _review(pilot)
        assert h.app.answers.profile == "default"
        assert "profile" not in text_of(pilot, "#diff")
