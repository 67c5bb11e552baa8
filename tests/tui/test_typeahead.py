"""Keys typed before a step can take them are held and given to it, in order (issue: an
Enter at first paint was lost while Welcome surveyed the project)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

import backend.wizard.survey as survey_module
from screens.auth_method import AuthMethodScreen
from screens.base import StepResult, StepScreen
from screens.modals import QuitModal
from screens.model import ModelScreen
from screens.review import ReviewScreen
from screens.welcome import WelcomeScreen
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.tui.harness import SIZE, Harness, build, goto, wait_for, wait_screen
from tui import typeahead


@pytest.fixture
def slow_survey(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Welcome's survey waits until the test sets the event (a loaded machine's 0.5 s)."""
    go_on = threading.Event()
    real = survey_module.survey

    def waiting(*args: Any, **kwargs: Any) -> Any:
        assert go_on.wait(10), "the test never let the survey finish"
        return real(*args, **kwargs)

    monkeypatch.setattr(survey_module, "survey", waiting)
    return go_on


async def test_keys_at_first_paint_reach_the_steps_they_were_meant_for(
    fake_provider: FakeProvider, tmp_path: Path, slow_survey: threading.Event
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        welcome = await wait_screen(pilot, WelcomeScreen)
        # Enter on Welcome, ↓ Enter on Provider: all typed while Welcome is still surveying.
        await pilot.press("enter", "down", "enter")
        assert not welcome.taking_keys
        assert h.app.typeahead.held == 3
        assert isinstance(pilot.app.screen, WelcomeScreen), "nothing moved before it was ready"
        slow_survey.set()
        await wait_screen(pilot, AuthMethodScreen)
        await wait_for(pilot, lambda: h.app.typeahead.held == 0, "every key given")
        assert h.app.answers.provider == "openrouter"
        assert h.app.answers.mode == "onboard"


async def test_ctrl_c_is_not_held_while_a_step_loads(
    fake_provider: FakeProvider, tmp_path: Path, slow_survey: threading.Event
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, WelcomeScreen)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, QuitModal), "quit asked")
        slow_survey.set()


def _slow_catalog(h: Harness, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """From now on the Model step's catalog waits until the returned event is set."""
    loaded = threading.Event()
    real = h.services.catalog

    def slow_catalog(*args: Any, **kwargs: Any) -> Any:
        assert loaded.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(h.services, "catalog", slow_catalog)
    return loaded


async def test_typing_before_the_catalog_loads_goes_to_the_filter(
    fake_provider: FakeProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "check", provider="anthropic", method="api_key", secret=ANTHROPIC_KEY)
        loaded = _slow_catalog(h, monkeypatch)
        await pilot.press("ctrl+n")
        model = await wait_screen(pilot, ModelScreen)
        await pilot.press(*"haiku")
        assert h.app.typeahead.held == 5
        loaded.set()
        # `held` is 0 once the last key is given, which is before it has been handled.
        await wait_for(
            pilot,
            lambda: model.query_one("#model-filter", Input).value == "haiku",
            "every key in the filter",
        )
        assert h.app.typeahead.held == 0


async def test_typeahead_is_bounded(
    fake_provider: FakeProvider, tmp_path: Path, slow_survey: threading.Event
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, WelcomeScreen)
        await pilot.press(*(["down"] * (typeahead.LIMIT + 10)))
        assert h.app.typeahead.held == typeahead.LIMIT
        slow_survey.set()
        await wait_for(pilot, lambda: h.app.typeahead.held == 0, "every key given")
        screen = pilot.app.screen
        assert isinstance(screen, StepScreen) and screen.taking_keys


async def test_an_enter_before_the_next_step_takes_keys_is_dropped(
    fake_provider: FakeProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After Check went on by itself, an Enter that lands before Model takes keys was
    meant for Check's Next: given to Model it would pick a model unseen. Typing once
    Model takes keys is an answer there."""
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "check", provider="anthropic", method="api_key", secret=ANTHROPIC_KEY)
        loaded = _slow_catalog(h, monkeypatch)
        check = pilot.app.screen
        assert isinstance(check, StepScreen)
        check.finish(StepResult("next", automatic=True))  # what the pause after ✓ does
        model = await wait_screen(pilot, ModelScreen)
        await pilot.press("enter", "down")
        assert h.app.typeahead.held == 1  # the Enter went; ↓ waits for the list
        loaded.set()
        await wait_for(pilot, lambda: model.taking_keys and h.app.typeahead.held == 0, "ready")
        await pilot.press("enter")
        await wait_screen(pilot, ReviewScreen)
