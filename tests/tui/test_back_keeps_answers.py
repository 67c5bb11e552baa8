"""Back keeps every answer: a model and its options chosen, then Back and on again, are
still chosen (they used to reset to the default model and no effort)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from screens.check import CheckScreen
from screens.model import ModelScreen
from screens.widgets.model_picker import ModelPicker
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.tui.harness import SIZE, build, goto, press_next, wait_for, wait_screen

HAIKU = "claude-haiku-4-5-20251001"  # in the fake's live list


async def test_model_and_effort_survive_back(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "model", method="api_key", secret=ANTHROPIC_KEY)
        await wait_for(pilot, lambda: screen.query("#picker"), "model list")
        picker = screen.query_one("#picker", ModelPicker)
        await wait_for(pilot, lambda: picker.select(HAIKU), f"{HAIKU} in the list")
        screen.query_one("#effort", Select).value = "low"
        await pilot.pause()
        await pilot.press("escape")
        await wait_screen(pilot, CheckScreen)
        await press_next(pilot)
        again = await wait_screen(pilot, ModelScreen)
        assert again is not screen
        await wait_for(pilot, lambda: again.query("#picker"), "model list again")
        picker = again.query_one("#picker", ModelPicker)
        await wait_for(
            pilot, lambda: getattr(picker.highlighted_model, "id", None) == HAIKU, "Haiku kept"
        )
        assert again.query_one("#effort", Select).value == "low"
