"""seal.toml round trip and parse errors, browser and clipboard stubs, NO_COLOR, one click."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button

from screens.authorize import AuthorizeScreen
from screens.done import DoneScreen
from screens.env_method import EnvScreen
from screens.modals import ConfirmModal, HelpModal
from screens.welcome import WelcomeScreen
from screens.widgets.secret_input import SecretInput
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.support.steps import start_near
from tests.tui.harness import (
    SIZE,
    build,
    cancel,
    goto,
    paste,
    press,
    press_next,
    sign_in_url,
    text_of,
    wait_check,
    wait_for,
    wait_screen,
    wait_text,
    walk_api_key,
)

COMMENTED = """\
# Seal project config (hand-written)
# keep this header

[model]  # the default model
provider = "openai"   # was openai before
name = "gpt-4.1"
# auth below is managed by seal-setup
auth = "env"
temperature_note = "unmanaged key: keep me"

# headers for a proxy
[model.headers]
X-Proxy = "yes"  # the proxy wants this

# --- agents ---
[agents.research.model]
name = "claude-opus-4-7"   # research needs the big one

# trailing comment
"""


async def test_existing_comments_survive_the_write(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, config_text=COMMENTED)
    async with h.app.run_test(size=SIZE) as pilot:
        welcome = await wait_screen(pilot, WelcomeScreen)
        await wait_text(pilot, "#survey", "OpenAI · gpt-4.1 · Environment variable")
        assert welcome.ready
        await walk_api_key(pilot, "anthropic", ANTHROPIC_KEY, "claude-sonnet-4-6")
    assert h.app.return_code == 0
    text = h.config_text()
    for line in COMMENTED.splitlines():
        if "#" in line:
            comment = line[line.index("#") :]
            assert comment in text, f"lost comment: {comment!r}\n{text}"
    config = h.config()
    assert config.own("provider") == "anthropic"
    assert config.own("name") == "claude-sonnet-4-6"
    assert config.own("auth") == "api_key"
    assert config.own("temperature_note") == "unmanaged key: keep me"
    assert config.headers() == {"X-Proxy": "yes"}
    assert config.agents() == ["research"]
    assert config.own("name", "research") == "claude-opus-4-7"
    backup = h.config_path.with_name("seal.toml.bak")
    assert backup.read_text(encoding="utf-8") == COMMENTED


BROKEN = """\
[model]
provider = "anthropic"
name = "claude-sonnet-4-6
auth = "api_key"
"""


async def test_unparseable_config_blocks_welcome(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, config_text=BROKEN)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, WelcomeScreen)
        survey = await wait_text(pilot, "#survey", "✗")
        assert "seal.toml line 3, column" in survey, survey
        assert "nothing will be written" in survey
        assert screen.query_one("#survey").has_class("error")
        assert not screen.ready
        await pilot.press("enter")
        await pilot.press("ctrl+n")
        await pilot.click("#next")
        await pilot.pause()
        assert pilot.app.screen is screen
        await cancel(pilot)
    assert h.app.return_code == 130
    assert h.config_text() == BROKEN
    assert h.store.list() == []


async def test_browser_opens_only_when_asked(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path, env={"DISPLAY": ":0"}, clipboard_ok=True)
    start_near(h.app, "authorize", method="oauth")
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="oauth")
        screen, url = await sign_in_url(pilot)
        assert not screen.query_one("#open", Button).disabled
        assert h.browser_calls == [] and h.clipboard_calls == []
        await press(pilot, "open")
        await wait_for(pilot, lambda: h.browser_calls == [url], "browser stub called")
        await wait_text(pilot, "#link-status", "Opened in your browser (stub).")
        # Copy link: the native clipboard works, so OSC 52 is not used.
        await press(pilot, "copy")
        await wait_text(pilot, "#link-status", "Copied to the clipboard (stub-copy).")
        assert h.clipboard_calls == [url]
        assert h.app.clipboard == ""
    assert h.browser_calls == [url]


async def test_new_link_starts_another_sign_in(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path, env={"DISPLAY": ":0"}, clipboard_ok=True)
    start_near(h.app, "authorize", method="oauth")
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="oauth")
        screen, url = await sign_in_url(pilot)
        old = screen.pending
        assert old is not None
        await paste(pilot, "#code", f"somecode#{old.state}")
        await press(pilot, "restart")
        await wait_for(pilot, lambda: screen.pending is not old, "a new sign-in")
        assert screen.pending is not None and screen.pending.state != old.state
        assert screen.query_one("#code", SecretInput).value == ""
        await wait_for(pilot, lambda: text_of(pilot, "#url") == screen.pending.url, "new link")
        assert text_of(pilot, "#url") != url


async def test_copy_falls_back_to_osc52(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path, env={"DISPLAY": ":0"}, clipboard_ok=False)
    start_near(h.app, "authorize", method="console_oauth")
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="console_oauth")
        _screen, url = await sign_in_url(pilot)
        await press(pilot, "copy")
        status = await wait_text(pilot, "#link-status", "OSC 52")
        assert status == (
            "Copied with OSC 52 — your terminal may not support it; if pasting gives "
            "nothing, select the link above."
        )
        assert h.clipboard_calls == [url] and h.app.clipboard == url
    assert h.browser_calls == []


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"DISPLAY": ":0", "SEAL_NO_BROWSER": "1"}, "SEAL_NO_BROWSER is set"),
        ({"DISPLAY": ":0", "SSH_CONNECTION": "10.0.0.1 22 10.0.0.2 22"}, "SSH session"),
        ({}, "no graphical display"),
    ],
    ids=["seal-no-browser", "ssh", "no-display"],
)
async def test_no_browser_says_why_and_copies_only_when_asked(
    fake_provider: FakeProvider, tmp_path: Path, env: dict[str, str], reason: str
) -> None:
    h = build(fake_provider, tmp_path, env=env, clipboard_ok=False)
    start_near(h.app, "authorize", method="oauth")
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "authorize", method="oauth")
        screen, url = await sign_in_url(pilot)
        assert isinstance(screen, AuthorizeScreen)
        assert screen.query_one("#open", Button).disabled
        status = await wait_text(pilot, "#link-status", reason)
        assert "F2 copies it, F3 shows it alone" in status, status
        # The clipboard is the person's: nothing is copied until they ask.
        assert h.clipboard_calls == [] and h.app.clipboard == ""
        await pilot.press("f2")
        await wait_for(pilot, lambda: h.clipboard_calls == [url], "native copy tried")
        await wait_text(pilot, "#link-status", "Copied with OSC 52")
        assert h.app.clipboard == url
        # The URL stays on screen whole, and a click on the disabled button does nothing.
        assert text_of(pilot, "#url") == url
        await pilot.click("#open")
        await pilot.pause()
    assert h.browser_calls == []


async def test_no_color(
    fake_provider: FakeProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    h = build(fake_provider, tmp_path, env={"NO_COLOR": "1"})
    async with h.app.run_test(size=SIZE) as pilot:
        await walk_api_key(pilot, "anthropic", ANTHROPIC_KEY)
    assert h.app.return_code == 0
    assert h.app.no_color
    record = h.stored("anthropic")
    assert record is not None and record.secret == ANTHROPIC_KEY


ONE_CLICK_STEPS = [
    ("api_key", "api_key"),
    ("authorize", "oauth"),
    ("claude_code", "claude_code"),
    ("check", "api_key"),
    ("review", "api_key"),
]


@pytest.mark.parametrize(("step", "method"), ONE_CLICK_STEPS, ids=[s for s, _ in ONE_CLICK_STEPS])
async def test_one_click_one_dialog(
    fake_provider: FakeProvider, tmp_path: Path, step: str, method: str
) -> None:
    """Steps with their own buttons pass the shared ones on: Help/Cancel open one dialog."""
    h = build(fake_provider, tmp_path)
    start_near(h.app, step, method=method, secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, step, method=method, secret=ANTHROPIC_KEY)
        await press(pilot, "help")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpModal), "help")
        await pilot.pause()
        assert sum(isinstance(s, HelpModal) for s in h.app.screen_stack) == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "help closed")
        await press(pilot, "cancel")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "confirm")
        await pilot.pause()
        assert sum(isinstance(s, ConfirmModal) for s in h.app.screen_stack) == 1


async def test_review_reloads_a_seal_toml_changed_meanwhile(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, config_text="# mine\n")
    start_near(h.app, "review", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        review = await goto(pilot, "review", secret=ANTHROPIC_KEY)
        h.config_path.write_text("# mine\n# edited meanwhile\n", encoding="utf-8")
        await press_next(pilot)  # Write
        await wait_text(pilot, "#write-status", "✗")
        await wait_for(pilot, lambda: review.query_one("#reload", Button).display, "Reload")
        assert h.config_text() == "# mine\n# edited meanwhile\n"
        review.query_one("#reload", Button).scroll_visible(animate=False)
        await press(pilot, "reload")
        await wait_for(pilot, lambda: review.ready, "review prepared again")
        assert not review.query_one("#reload", Button).display
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    assert h.app.return_code == 0
    text = h.config_text()
    assert text.startswith("# mine\n# edited meanwhile\n") and "[model]" in text


async def test_the_env_step_checks_the_variable_each_time_it_is_passed(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    """Next on the env step hands on a new credential, as every credential step does: the
    check runs again (it used to keep the earlier Verified, unlike the other steps)."""
    h = build(fake_provider, tmp_path, env={"ANTHROPIC_API_KEY": ANTHROPIC_KEY})
    start_near(h.app, "env", method="env")
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "env", method="env")
        await press_next(pilot)
        await wait_check(pilot, "✓")
        assert fake_provider.count("/v1/models") == 1
        await press(pilot, "back")
        await wait_screen(pilot, EnvScreen)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        assert fake_provider.count("/v1/models") == 2
        assert h.app.answers.record is not None and h.app.answers.record.secret == ANTHROPIC_KEY
