"""Hostile text on every screen (issue 11 §2-§3): values from seal.toml, the store, the
provider, an OAuth token response and a pasted URL are drawn as plain text, escaped.

Each view is rendered as the terminal would get it (tests/reliability/hostile_text.py)
and must hold: no raw control character drawn, no click action bound, every value's
escaped form visible, the app still running, and no file written by an action.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList

from backend.credentials.record import CredentialRecord, utcnow
from backend.wizard.answers import Answers
from screens.auth_method import AuthMethodScreen
from screens.check import CheckScreen
from screens.claude_code import ClaudeCodeScreen
from screens.done import DoneScreen
from screens.env_method import EnvScreen
from screens.modals import ConfirmModal
from screens.model import ModelScreen
from screens.review import ReviewScreen
from screens.roles import MODEL_ROW, RolesScreen
from screens.welcome import WelcomeScreen
from screens.widgets.model_picker import ModelPicker
from screens.widgets.role_dialogs import AgentNameModal, FallbacksModal
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENROUTER_KEY,
    FakeProvider,
    anthropic_model,
)
from tests.reliability.conftest import Tally
from tests.reliability.hostile_text import (
    HOSTILE,
    SCREENSHOT,
    anthropic_says,
    drawn,
    escaped,
    joined,
    screen_problems,
    toml_string,
)
from tests.support.steps import start_at
from tests.tui.harness import (
    SIZE,
    browser_sign_in,
    build,
    enter_secret,
    paste,
    press,
    press_next,
    sign_in_url,
    text_of,
    to_method,
    wait_check,
    wait_for,
    wait_screen,
    wait_text,
)
from tui.app import prepare_reauth, prepare_roles

CATEGORY = "hostile text: screens"
CLICK_QUIT, CLICK_SHOT, CLOSE, BOLD, OSC52, CLEAR, C1_CSI, RLO, NUL = HOSTILE
KEY = CredentialRecord(
    "anthropic", "default", "api_key", secret=ANTHROPIC_KEY, verified_at=utcnow()
)


async def held(pilot: Pilot[Any], tally: Tally, where: str, shown: Iterable[str] = ()) -> None:
    """Record and assert that the active view holds (see the module docstring)."""
    await pilot.pause()
    problems = screen_problems(drawn(pilot.app), shown)
    if pilot.app.return_code is not None:
        problems.append(f"the app exited ({pilot.app.return_code})")
    tally.record(CATEGORY, not problems)
    assert not problems, f"{where}: {problems}"


async def wait_for_screen(pilot: Pilot[Any], cls: type[Any]) -> Any:
    """Wait for a dialog (or any screen) of type `cls` on top; return it."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, cls), cls.__name__)
    await pilot.pause()
    return pilot.app.screen


async def click_on(pilot: Pilot[Any], text: str) -> None:
    """Click where `text` is drawn (a bound action, if there were one, would run)."""
    found = drawn(pilot.app).find(text)
    assert found is not None, f"{text!r} not drawn"
    x, y = found
    await pilot.click(offset=(x + len(text) - 1, y))
    await pilot.pause()


# --- Roles: seal.toml's agents, roles and fallbacks, dialogs, notifications, Review -------


def _roles_toml(shot: str) -> str:
    fallbacks = ", ".join(toml_string(v) for v in (CLICK_QUIT, shot, *HOSTILE[1:]))
    return (
        "[model]\n"
        'provider = "anthropic"\n'
        'name = "claude-sonnet-4-6"\n'
        'auth = "api_key"\n'
        "\n[model.roles]\n"
        f"fast = {toml_string(CLICK_QUIT)}\n"
        f"escalate = {toml_string(OSC52)}\n"
        f"fallbacks = [{fallbacks}]\n"
        f"\n[agents.{toml_string(RLO)}.model]\n"
        f"name = {toml_string(CLEAR)}\n"
        f"\n[agents.{toml_string(BOLD)}.model]\n"
        f"name = {toml_string(C1_CSI)}\n"
        f"profile = {toml_string(CLOSE)}\n"
        # A comment is file content the Review diff shows as it is (raw C1 and bidi
        # characters are valid TOML there).
        f"# {RLO} {C1_CSI} {CLICK_QUIT} {BOLD}\n"
    )


async def _to_cell(pilot: Pilot[Any], table: DataTable[Any], row: str, role: str) -> None:
    table.cursor_coordinate = Coordinate(table.get_row_index(row), table.get_column_index(role))
    await pilot.pause()


async def test_roles_step_and_its_dialogs(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally, monkeypatch: pytest.MonkeyPatch
) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    monkeypatch.chdir(shots)  # where the screenshot action would write
    shot = SCREENSHOT
    h = build(
        fake_provider,
        tmp_path,
        config_text=_roles_toml(shot),
        answers=Answers(mode="roles"),
        records=[KEY],
    )
    prepare_roles(h.app.answers, h.services, None)
    async with h.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_screen(pilot, RolesScreen)
        await wait_for(pilot, lambda: screen.config is not None, "seal.toml loaded")
        table = screen.query_one("#roles-table", DataTable)
        # The table: cells are cut to the column, but nothing raw and no action.
        await held(pilot, tally, "roles table")

        # Each cell's detail line shows the whole value, escaped.
        for row, role, values in (
            (MODEL_ROW, "fast", [CLICK_QUIT]),
            (MODEL_ROW, "escalate", [OSC52]),
            (RLO, "primary", [RLO, CLEAR]),
            (BOLD, "primary", [BOLD, C1_CSI]),
        ):
            await _to_cell(pilot, table, row, role)
            await held(pilot, tally, f"roles detail {row!r} {role}", values)

        # Fallbacks: the editor lists them as plain text; clicking one runs nothing.
        await _to_cell(pilot, table, MODEL_ROW, "fallbacks")
        await pilot.press("enter")
        editor = await wait_for_screen(pilot, FallbacksModal)
        options = editor.query_one("#fallback-list", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts == [
            f"{i + 1}. {escaped(v)}" for i, v in enumerate((CLICK_QUIT, shot, *HOSTILE[1:]))
        ]
        await held(pilot, tally, "fallbacks editor", [CLICK_QUIT, shot])
        await click_on(pilot, escaped(CLICK_QUIT))
        await click_on(pilot, escaped(shot))
        await held(pilot, tally, "fallbacks editor after clicks")
        assert list(shots.iterdir()) == []
        for index in range(2, len(HOSTILE) + 1):
            options.highlighted = index
            await held(pilot, tally, f"fallbacks editor at {index}")

        # Remove one and keep the rest: the edit is refused, and the notification that
        # quotes the selectors is plain text too.
        options.highlighted = 0
        await press(pilot, "remove")
        await press(pilot, "done")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "editor closed")
        await wait_for(pilot, lambda: bool(pilot.app._notifications), "a notification")
        note = list(pilot.app._notifications)[-1]
        assert not note.markup and shot in note.message, note
        await held(pilot, tally, "roles notification", ["Not changed"])

        # Rename the agent named with a bidi override: the field starts out escaped.
        await _to_cell(pilot, table, RLO, "agent")
        await pilot.press("r")
        dialog = await wait_for_screen(pilot, AgentNameModal)
        assert dialog.query_one("#agent-name", Input).value == escaped(RLO)
        await held(pilot, tally, "rename dialog", [f"Rename agent {RLO}"])
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "dialog closed")

        # Remove the agent named in markup: the question names it as it is.
        await _to_cell(pilot, table, BOLD, "primary")
        await pilot.press("x")
        await wait_for_screen(pilot, ConfirmModal)
        await held(pilot, tally, "remove dialog", [f"Remove agent {BOLD}?"])
        await press(pilot, "no")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "dialog closed")

        # Add an agent (the file ends with the hostile comment), then Next: the warnings
        # quote the selectors, and Review's diff shows the file's lines.
        await pilot.press("a")
        dialog = await wait_for_screen(pilot, AgentNameModal)
        dialog.query_one("#agent-name", Input).value = "coder"
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "coder" in [str(k.value) for k in table.rows], "added")
        await press_next(pilot)
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, ConfirmModal | ReviewScreen), "next"
        )
        if isinstance(pilot.app.screen, ConfirmModal):
            await held(pilot, tally, "warnings dialog")
            await press(pilot, "yes")
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        diff = text_of(pilot, "#diff")
        assert f"# {escaped(RLO)} {escaped(C1_CSI)} {CLICK_QUIT} {BOLD}" in diff
        await held(pilot, tally, "review diff", [RLO, C1_CSI])
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        await held(pilot, tally, "done")
        await press_next(pilot)
    assert h.app.return_code == 0
    assert h.config().agents() == [RLO, BOLD, "coder"]
    assert list(shots.iterdir()) == []


# --- Onboarding: the survey, a hostile path and store, the provider's model list ------------


async def test_welcome_and_model_steps(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    fake_provider.extra_models["anthropic"] = [
        anthropic_model(
            f"claude-hostile-{i}{value}",
            value,
            "2026-01-01T00:00:00Z",
            200_000,
            64_000,
            {"adaptive": True},
            (),
        )
        for i, value in enumerate(HOSTILE)
    ]
    stored = CredentialRecord("openai", RLO + CLEAR, "api_key", secret="sk-proj-" + "x" * 40)
    h = build(
        fake_provider,
        tmp_path,
        records=[stored],
        config_text=(
            "[model]\n"
            f"provider = {toml_string(OSC52)}\n"
            f"name = {toml_string(CLICK_QUIT)}\n"
            f"auth = {toml_string(NUL)}\n"
            f"\n[agents.{toml_string(C1_CSI)}.model]\n"
            'name = "claude-opus-4-7"\n'
        ),
    )
    # The project's folder is named with escapes too: it is shown on every path line.
    folder = tmp_path / f"proj{CLEAR}{RLO}"
    folder.mkdir()
    (folder / "seal.toml").write_text(h.config_text(), encoding="utf-8")
    h.app.answers.config_path = str(folder / "seal.toml")
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, WelcomeScreen)
        await wait_text(pilot, "#survey", "Credentials:")
        await held(pilot, tally, "welcome", [str(folder), OSC52, CLICK_QUIT, NUL, C1_CSI])
        assert escaped(f"openai:{RLO}{CLEAR}") in text_of(pilot, "#survey")

        await to_method(pilot, "anthropic", "api_key")
        await enter_secret(pilot, ANTHROPIC_KEY)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        model = await wait_screen(pilot, ModelScreen)
        await wait_for(pilot, lambda: model.query_one("#picker", ModelPicker), "model list")
        picker = model.query_one("#picker", ModelPicker)
        model.query_one("#model-filter", Input).value = "claude-hostile"
        await wait_for(pilot, lambda: len(picker._visible) == len(HOSTILE), "hostile models")
        await held(pilot, tally, "model list")
        for i, value in enumerate(HOSTILE):
            assert picker.select(f"claude-hostile-{i}{value}")
            await pilot.pause()
            await held(pilot, tally, f"model {i} highlighted", [f"claude-hostile-{i}{value}"])
        await pilot.press("ctrl+q")
        await wait_for_screen(pilot, ConfirmModal)
        await press(pilot, "yes")
    assert h.app.return_code == 130


# --- Check: a provider's error message, an OpenRouter key label -------------------------


async def test_check_shows_the_providers_words_as_text(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    anthropic_says(fake_provider, 401)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "check", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_check(pilot, "✗")
        await held(pilot, tally, "check rejected", HOSTILE)
    assert h.store.list() == []


async def test_check_shows_an_openrouter_label_as_text(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    fake_provider.add_key("openrouter", OPENROUTER_KEY, label=CLICK_QUIT + OSC52 + RLO + NUL)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "check", provider="openrouter", secret=OPENROUTER_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_check(pilot, "✓")
        await held(pilot, tally, "check openrouter label", [CLICK_QUIT + OSC52 + RLO + NUL])


# --- Sign-in: a pasted URL's error_description, the token response's account -------------


async def test_sign_in_error_and_account_fields(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    fake_provider.token_account = {
        "account": {"uuid": "acc-1", "email_address": CLICK_QUIT + RLO},
        "organization": {"uuid": "org-1", "name": BOLD + OSC52 + CLOSE},
    }
    h = build(fake_provider, tmp_path)
    start_at(h.app, "authorize", method="oauth")
    async with h.app.run_test(size=SIZE) as pilot:
        screen, url = await sign_in_url(pilot)
        query = urlencode({"error": "access_denied", "error_description": joined()})
        await paste(pilot, "#code", f"https://platform.claude.com/oauth/code/callback?{query}")
        await press_next(pilot)
        await wait_text(pilot, "#feedback", "✗")
        await held(pilot, tally, "sign-in error_description", HOSTILE)

        code = await asyncio.to_thread(browser_sign_in, url)
        screen.query_one("#code", Input).value = ""
        await paste(pilot, "#code", code)
        await press_next(pilot)
        await wait_screen(pilot, CheckScreen)
        await wait_check(pilot, "✓")
        await held(pilot, tally, "check account fields", [CLICK_QUIT + RLO, BOLD + OSC52 + CLOSE])


# --- Claude Code's file, an env var, re-auth of a hostile profile ------------------------


async def test_claude_code_file_and_path(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    # A folder of a fixed, short length: the escaped path must fit on one line of the
    # screen to be found whole, whatever pytest's tmp_path is (longer under xdist).
    short = Path(tempfile.mkdtemp(prefix="seal-"))
    try:
        await _claude_code_file_and_path(fake_provider, tmp_path, tally, short)
    finally:
        shutil.rmtree(short)


async def _claude_code_file_and_path(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally, short: Path
) -> None:
    folder = short / f"cc{OSC52}"
    folder.mkdir()
    body = {
        "claudeAiOauth": {"accessToken": "sk-ant-oat01-" + "x" * 90, "subscriptionType": joined()}
    }
    (folder / ".credentials.json").write_text(json.dumps(body), encoding="utf-8")
    h = build(fake_provider, tmp_path, env={"CLAUDE_CONFIG_DIR": str(folder)})
    start_at(h.app, "claude_code", method="claude_code")
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, ClaudeCodeScreen)
        await wait_text(pilot, "#found", "✓")
        await held(pilot, tally, "claude code import", [str(folder), *HOSTILE])


async def test_env_value_fingerprint(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = build(fake_provider, tmp_path, env={"ANTHROPIC_API_KEY": "sk-ant-" + joined() + "x" * 30})
    start_at(h.app, "env", method="env")
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, EnvScreen)
        await held(pilot, tally, "env step")


async def test_reauth_of_a_hostile_profile(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = build(
        fake_provider,
        tmp_path,
        answers=Answers(mode="reauth"),
        config_text=(
            '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "api_key"\n'
            f"profile = {toml_string(CLICK_QUIT + RLO)}\n"
        ),
    )
    prepare_reauth(h.app.answers, h.services, None, None)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, AuthMethodScreen)
        await wait_text(pilot, "#reauth-status", "✗")
        await held(pilot, tally, "reauth status", [f"profile {CLICK_QUIT}{RLO}"])
