"""Done says how Seal gets the credential for the method chosen, and copies the command.

Seal reads environment variables and Claude Code's sign-in, never seal-setup's store, so
Done's instruction is what makes the credential reach Seal: checked for every method,
with the copy going to the system clipboard or, without one, to the terminal (OSC 52).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from backend.credentials.handoff import RUN_COMMAND
from backend.vocabulary.methods import METHODS
from backend.wizard.answers import Answers
from screens.done import DoneScreen
from tests.fakes.provider import ANTHROPIC_KEY, SETUP_TOKEN, FakeProvider
from tests.tui.harness import (
    SIZE,
    build,
    goto,
    press,
    press_next,
    wait_for,
    wait_screen,
    wait_text,
)

# (method, what Done must say, whether there is a command to copy)
CASES = [
    ("api_key", "$ANTHROPIC_API_KEY", True),
    ("console_oauth", "$ANTHROPIC_API_KEY", True),
    ("oauth", "$CLAUDE_CODE_OAUTH_TOKEN", True),
    ("setup_token", "$CLAUDE_CODE_OAUTH_TOKEN", True),
    ("claude_code", "Seal reads Claude Code's sign-in itself", True),
    ("env", "Export ANTHROPIC_API_KEY before running Seal", False),
]


def test_every_method_is_covered() -> None:
    assert {case[0] for case in CASES} == set(METHODS)


def text_of(screen: DoneScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.mark.parametrize(("method", "says", "copies"), CASES, ids=[c[0] for c in CASES])
async def test_done_says_how_seal_gets_the_credential(
    fake_provider: FakeProvider, tmp_path: Path, method: str, says: str, copies: bool
) -> None:
    answers = Answers(provider="anthropic", method=method, model="claude-sonnet-4-6")
    h = build(fake_provider, tmp_path, answers=answers, start="done", clipboard_ok=True)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, DoneScreen)
        assert says in text_of(screen, "#handoff")
        assert bool(screen.query("#copy-command")) is copies
        if copies:
            await press(pilot, "copy-command")
            await wait_text(pilot, "#copy-status", "Copied to the clipboard (stub-copy).")
            assert h.clipboard_calls == [RUN_COMMAND]


async def test_copy_falls_back_to_the_terminal(fake_provider: FakeProvider, tmp_path: Path) -> None:
    answers = Answers(provider="openai", method="api_key", model="gpt-5")
    h = build(fake_provider, tmp_path, answers=answers, start="done")
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, DoneScreen)
        assert "$OPENAI_API_KEY" in text_of(screen, "#handoff")
        await press(pilot, "copy-command")
        await wait_text(
            pilot, "#copy-status", "Copied with OSC 52 — your terminal may not support it"
        )
        assert h.app.clipboard == RUN_COMMAND


async def test_roles_mode_has_no_instruction(fake_provider: FakeProvider, tmp_path: Path) -> None:
    answers = Answers(mode="roles")
    h = build(fake_provider, tmp_path, answers=answers, start="done")
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, DoneScreen)
        assert not screen.query("#handoff") and not screen.query("#copy-command")


async def test_review_and_done_say_a_variable_here_outranks_the_key(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    """An API key stored while CLAUDE_CODE_OAUTH_TOKEN is set: Seal would read the token."""
    env = {"CLAUDE_CODE_OAUTH_TOKEN": SETUP_TOKEN}
    h = build(fake_provider, tmp_path, env=env)
    warning = "⚠ $CLAUDE_CODE_OAUTH_TOKEN is set in this shell, and Seal reads it before"
    async with h.app.run_test(size=SIZE) as pilot:
        review = await goto(pilot, "review", method="api_key", secret=ANTHROPIC_KEY)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        assert warning in str(review.query_one("#secret-dest", Static).render())
        await press_next(pilot)
        done = await wait_screen(pilot, DoneScreen)
        assert warning in text_of(done, "#outranked")
        assert SETUP_TOKEN not in text_of(done, "#outranked")  # named, never shown
