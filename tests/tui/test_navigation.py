"""Back keeps every earlier answer; Cancel at any step writes nothing and exits 130."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, OptionList

from screens.auth_method import AuthMethodScreen
from screens.done import DoneScreen
from screens.model import ModelScreen
from screens.provider import ProviderScreen
from screens.review import ReviewScreen
from screens.secret_entry import ApiKeyScreen, SetupTokenScreen
from screens.welcome import WelcomeScreen
from screens.widgets.model_picker import ModelPicker
from screens.widgets.secret_input import SecretInput
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, SETUP_TOKEN, FakeProvider
from tests.support.steps import start_near
from tests.tui.harness import (
    SIZE,
    build,
    cancel,
    confirm,
    goto,
    paste,
    press,
    press_next,
    start,
    text_of,
    wait_check,
    wait_dialog,
    wait_for,
    wait_screen,
)


def _highlighted_id(screen: object) -> str | None:
    choices = screen.query_one("#choices", OptionList)  # type: ignore[attr-defined]
    index = choices.highlighted
    return None if index is None else choices.get_option_at_index(index).id


async def test_back_keeps_every_answer(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path)
    model = "openai/gpt-5"
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(
            pilot,
            "review",
            provider="openrouter",
            method="api_key",
            secret=OPENROUTER_KEY,
            model=model,
        )
        checks = fake_provider.count("/openrouter/api/v1/key")

        # Review -> Model: the chosen model is still selected.
        await press(pilot, "back")
        screen = await wait_screen(pilot, ModelScreen)
        await wait_for(pilot, lambda: screen.query_one("#picker", ModelPicker), "picker")
        picker = screen.query_one("#picker", ModelPicker)
        await wait_for(pilot, lambda: getattr(picker.highlighted_model, "id", None) == model, model)

        # Model -> Check (Escape is Back): still verified, not asked again.
        await pilot.press("escape")
        check = await wait_check(pilot, "✓")
        assert check.ready
        assert fake_provider.count("/openrouter/api/v1/key") == checks

        # Check -> API key: the SecretInput is refilled with the pasted key.
        await press(pilot, "back")
        key_screen = await wait_screen(pilot, ApiKeyScreen)
        field = key_screen.query_one("#secret", SecretInput)
        assert field.value == OPENROUTER_KEY
        assert field.password  # refilled, still masked
        await wait_for(pilot, lambda: key_screen.ready, "refilled key accepted")
        assert f"{len(OPENROUTER_KEY)} chars" in text_of(pilot, "#fingerprint")

        # API key -> Auth method -> Provider -> Welcome, each showing the earlier choice.
        await press(pilot, "back")
        method_screen = await wait_screen(pilot, AuthMethodScreen)
        assert _highlighted_id(method_screen) == "api_key"
        await press(pilot, "back")
        provider_screen = await wait_screen(pilot, ProviderScreen)
        assert _highlighted_id(provider_screen) == "openrouter"
        await press(pilot, "back")
        welcome = await wait_screen(pilot, WelcomeScreen)
        assert welcome.query_one("#back", Button).disabled  # first step: nowhere to go back

        # Forward again with Next only: every answer is still there.
        await press_next(pilot)
        assert _highlighted_id(await wait_screen(pilot, ProviderScreen)) == "openrouter"
        await press_next(pilot)
        assert _highlighted_id(await wait_screen(pilot, AuthMethodScreen)) == "api_key"
        await press_next(pilot)
        key_screen = await wait_screen(pilot, ApiKeyScreen)
        assert key_screen.query_one("#secret", SecretInput).value == OPENROUTER_KEY
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        screen = await wait_screen(pilot, ModelScreen)
        await wait_for(pilot, lambda: screen.query_one("#picker", ModelPicker), "picker")
        picker = screen.query_one("#picker", ModelPicker)
        await wait_for(pilot, lambda: getattr(picker.highlighted_model, "id", None) == model, model)
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    assert h.app.return_code == 0
    assert h.config().model() == {"provider": "openrouter", "name": model, "auth": "api_key"}
    record = h.stored("openrouter")
    assert record is not None and record.secret == OPENROUTER_KEY


async def test_back_refills_setup_token(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "check", method="setup_token", secret=SETUP_TOKEN)
        await pilot.press("escape")
        screen = await wait_screen(pilot, SetupTokenScreen)
        assert screen.query_one("#secret", SecretInput).value == SETUP_TOKEN
        await wait_for(pilot, lambda: screen.ready, "refilled token accepted")


async def test_changing_the_provider_drops_the_old_key(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "check", secret=ANTHROPIC_KEY)
        for _ in range(3):
            await press(pilot, "back")
            await pilot.pause()
        provider_screen = await wait_screen(pilot, ProviderScreen)
        choices = provider_screen.query_one("#choices", OptionList)
        choices.highlighted = [o.id for o in choices.options].index("openai")
        await press_next(pilot)
        await press_next(pilot)  # api_key is first
        screen = await wait_screen(pilot, ApiKeyScreen)
        # The Anthropic key is not offered as the OpenAI key.
        assert screen.query_one("#secret", SecretInput).value == ""
        assert not screen.ready


def _every_step() -> list[tuple[str, str]]:
    """Every step before Done: the API-key walk's steps, then each other method's own."""
    from backend.vocabulary.methods import methods_for
    from backend.wizard.answers import Answers
    from tui.flow import path

    walk = path(Answers(provider="anthropic", method="api_key"))
    steps = [(name, "api_key") for name in walk[:-1]]
    for method in methods_for("anthropic"):
        if method.id != "api_key":
            route = path(Answers(provider="anthropic", method=method.id))
            steps.append((route[route.index("auth_method") + 1], method.id))
    return steps


STEPS = _every_step()


@pytest.mark.parametrize(("step", "method"), STEPS, ids=[f"{s}-{m}" for s, m in STEPS])
async def test_cancel_writes_nothing(
    fake_provider: FakeProvider, tmp_path: Path, step: str, method: str
) -> None:
    secret = {"api_key": ANTHROPIC_KEY, "setup_token": SETUP_TOKEN}.get(method)
    h = build(fake_provider, tmp_path, env={"ANTHROPIC_API_KEY": ANTHROPIC_KEY})
    start_near(h.app, step, method=method, secret=secret)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, step, method=method, secret=secret)
        assert h.app.current == step and pilot.app.screen is screen
        await cancel(pilot)
        await wait_for(pilot, lambda: h.app.return_code is not None, "exit")
    assert h.app.return_code == 130
    h.assert_nothing_written()


async def test_cancel_stay_keeps_the_step(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path)
    start_near(h.app, "api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "api_key", secret=ANTHROPIC_KEY)
        await press(pilot, "cancel")
        await confirm(pilot, yes=False)
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back on the step")
        assert screen.query_one("#secret", SecretInput).value == ANTHROPIC_KEY
        # Escape in the dialog also means Stay.
        await pilot.press("ctrl+q")
        await wait_dialog(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back on the step")
        assert h.app.return_code is None
        # The button path: Cancel, then Quit.
        await press(pilot, "cancel")
        await confirm(pilot, yes=True)
    assert h.app.return_code == 130
    h.assert_nothing_written()


async def test_cancel_after_writing_is_finish(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path)
    start_near(h.app, "done", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "done", secret=ANTHROPIC_KEY)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: h.app.return_code is not None, "exit")
    assert h.app.return_code == 0
    assert h.config_path.exists()


async def test_step_finishing_under_a_dialog_replaces_both(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    """A step that finishes on its own (a worker's result) while Help is open: the next
    step shows, and no dialog is left over the old step."""
    from screens.base import StepResult
    from screens.modals import HelpModal

    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await start(pilot)
        provider = await wait_screen(pilot, ProviderScreen)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpModal), "help")
        provider.finish(StepResult("back"))
        await wait_screen(pilot, WelcomeScreen)
        assert len(pilot.app.screen_stack) == 1
        # Back at the first step, Next walks on again.
        await start(pilot)
        await wait_screen(pilot, ProviderScreen)
        assert len(pilot.app.screen_stack) == 1


async def test_next_is_refused_until_the_answer_is_valid(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    """Readiness is the step's state: the button and Ctrl+N follow it together."""
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "api_key")
        assert not screen.ready and screen.query_one("#next", Button).disabled
        assert "ctrl+n" not in screen.active_bindings  # refused, not only ignored
        assert not await pilot.app.run_action("next", screen)
        await paste(pilot, "#secret", ANTHROPIC_KEY)
        await wait_for(pilot, lambda: screen.ready, "key accepted")
        assert not screen.query_one("#next", Button).disabled
        assert "ctrl+n" in screen.active_bindings
        await pilot.press("ctrl+n")
        await wait_check(pilot, "✓")


async def test_a_double_answer_counts_once(fake_provider: FakeProvider, tmp_path: Path) -> None:
    """Two answers in one go (a double Enter or click): dialogs and steps take the first."""
    from screens.base import StepResult
    from screens.modals import ConfirmModal, HelpModal

    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "provider")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpModal), "help")
        help_ = pilot.app.screen
        assert isinstance(help_, HelpModal)
        help_.action_close()
        help_.action_close()
        await wait_for(pilot, lambda: pilot.app.screen is screen, "help closed")
        await press(pilot, "cancel")
        dialog = await wait_dialog(pilot)
        assert isinstance(dialog, ConfirmModal)
        dialog.action_answer(False)
        dialog.action_answer(True)  # Quit, too late: the first answer was Stay
        await wait_for(pilot, lambda: pilot.app.screen is screen, "stayed")
        await pilot.pause()
        assert h.app.return_code is None
        screen.finish(StepResult("next"))
        screen.finish(StepResult("next"))
        await wait_screen(pilot, AuthMethodScreen)
        await pilot.pause()
        assert h.app.history == ["welcome", "provider"]
